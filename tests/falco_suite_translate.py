#!/usr/bin/env python3
# tests/falco_suite_translate.py: turns Falco's former regression suite (cases.tsv) into saker test specs.
"""Translate ../shared/peers/falco-tests/cases.tsv into `saker-replay test` specs.

Usage: falco_suite_translate.py SUITE_DIR OUT_DIR [ADJUSTMENTS_TSV]

Writes one spec per suite (OUT_DIR/<suite>.yaml, JSON syntax, which is YAML)
with every one of the 243 cases: runnable cases become expectations following
the old runner's pass/fail rules (SUITE_DIR/README.md), the others become
`skip:` cases with the reason. Deviations come only from the adjustments file.
Cases whose counts depend on enter events (enter_exit_dependent = yes) also get
an extra "NAME [exit-only]" case in exit_only_variants.yaml that checks the
modern exit-only expectation of the exit_only_expectation_or_note column.
Prints one line: "<total> cases, <runnable> runnable, <n> exit-only variants,
<adjusted> adjusted: <names>".
"""
import csv
import json
import os
import re
import sys

HOSTNAME = "test-falco-hostname"  # FALCO_HOSTNAME the old runner set


def load_adjustments(path):
    adj = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or not parts[3].strip():
                sys.exit(f"{path}:{lineno}: expected 4 tab-separated columns (case, kind, value, reason)")
            case, kind, value, reason = parts
            if kind not in ("option", "legacy_enter_events", "detect_counts", "drop", "rename_code",
                            "message", "message_contains"):
                sys.exit(f"{path}:{lineno}: unknown kind '{kind}'")
            adj.setdefault(case, []).append((kind, value, reason))
    return adj


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def py_regex_to_ere(rx):
    """Python re (as the old runner used it) to POSIX ERE; None if not expressible."""
    out = rx.replace(r"\d", "[0-9]").replace(r"\s", "[[:space:]]")
    if "(?" in out or r"\w" in out:
        return None
    return out


def text_checks(patterns, negate):
    """stdout_contains / stdout_not_contains regexes -> (matches, not_matches)."""
    pos, neg = [], []
    for rx in as_list(patterns):
        # "^(?!.*X.*)" searched from the start of the whole output with DOTALL:
        # X occurs nowhere.
        m = re.fullmatch(r"\^\(\?!\.\*(.*?)\.\*\)", rx)
        if m and not negate:
            inner = py_regex_to_ere(m.group(1))
            if inner is None:
                sys.exit(f"cannot translate regex {rx!r}")
            neg.append(inner)
            continue
        m = re.fullmatch(r"\^\(\.\*(.*?)\.\*\)", rx)
        if m:
            rx = m.group(1)
        ere = py_regex_to_ere(rx)
        if ere is None:
            sys.exit(f"cannot translate regex {rx!r}")
        (neg if negate else pos).append(ere)
    return pos, neg


def read_conf(suite_dir, conf, outputs_dir):
    """The config keys of a case's falco.yaml that change what a replay prints
    or where: top-level scalars and the file/program output sections. The
    confs are plain two-level YAML, read line by line (no PyYAML needed).
    The old runner's output directory /tmp/falco_outputs becomes outputs_dir."""
    doc, section = {}, None
    with open(os.path.join(suite_dir, conf), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^([a-z_0-9]+):\s*(.*?)\s*$", line)
            if m:
                section = m.group(1) if not m.group(2) else None
                if m.group(2):
                    doc[m.group(1)] = m.group(2)
                continue
            m = re.match(r"^\s+([a-z_0-9]+):\s*(.*?)\s*$", line)
            if m and section:
                doc[f"{section}.{m.group(1)}"] = m.group(2)
    keys = {}
    for k in ("json_output", "json_include_output_property", "json_include_tags_property", "priority",
              "time_format_iso_8601"):
        if k in doc:
            keys[k] = doc[k].lower() if doc[k].lower() in ("true", "false") else doc[k]
    for k in ("file_output.enabled", "program_output.enabled"):
        if doc.get(k, "").lower() == "true":
            keys[k] = "true"
            target = k.split(".")[0] + (".filename" if k.startswith("file") else ".program")
            keys[target] = doc[target].replace("/tmp/falco_outputs", outputs_dir)
    return keys


def skip_reason(row):
    req = row["requires"]
    if row["runnable"] != "yes":
        return f"not runnable: {row['runnable_reason']}"
    if "falco-drop-monitor" in req:
        return f"Falco-only machinery: simulated syscall drop monitor (requires {req})"
    if "grpc" in req:
        return f"Falco-only machinery: gRPC outputs (requires {req})"
    return None


def translate(row, suite_dir, adjustments, outputs_dir):
    name = row["name"]
    case = {"name": name}
    reason = skip_reason(row)
    if reason:
        case["skip"] = reason
        return case, False
    o = json.loads(row["other_keys_json"])
    adj = adjustments.get("*", []) + adjustments.get(name, [])
    dropped = {v for k, v, _ in adj if k == "drop"}
    for key in dropped:
        o.pop(key, None)
    p = lambda rel: os.path.normpath(os.path.join(suite_dir, rel))
    exp = {}
    exit_status = int(o.get("exit_status", 0))
    if row["mode"] == "validate":
        case["rules"] = [p(r) for r in as_list(o.get("validate_rules_file")) or row["rules_files"].split(",")]
        exp["load"] = "ok" if exit_status == 0 else "fail"
        renames = dict(v.split("=", 1) for k, v, _ in adj if k == "rename_code")
        for key, out in (("validate_errors", "errors"), ("validate_warnings", "warnings")):
            items = []
            for e in as_list(o.get(key)):
                d = {"code": renames.get(e["code"], e["code"]), "item_type": e["item_type"],
                     "item_name": e["item_name"]}
                if "message" in e:
                    d["message"] = e["message"]
                if "message_contains" in e:
                    d["contains"] = e["message_contains"]
                for kind, value, _ in adj:
                    if kind == "message":
                        d.pop("contains", None)
                        d["message"] = value
                    elif kind == "message_contains":
                        d.pop("message", None)
                        d["contains"] = value
                items.append(d)
            if items:
                exp[out] = items
        if o.get("validate_ok"):
            exp["loaded_ok"] = as_list(o["validate_ok"])
        case["expect"] = exp
        return case, name in adjustments

    case["rules"] = [p(r) for r in row["rules_files"].split(",")]
    if row["trace_file"] != "-":
        case["captures"] = [p(row["trace_file"])]
    case["hostname"] = HOSTNAME
    opts = {}
    if "conf_file" in o:
        opts.update(read_conf(suite_dir, o["conf_file"], outputs_dir))
    for k in ("json_output", "json_include_output_property", "json_include_tags_property", "priority"):
        if k in o:
            v = o[k]
            opts[k] = str(v).lower() if isinstance(v, bool) else str(v)
    if o.get("time_iso_8601"):
        opts["time_format_iso_8601"] = "true"
    for kind, value, _ in adj:
        if kind == "option":
            k, v = value.split("=", 1)
            opts.setdefault(k, v)
        elif kind == "legacy_enter_events":
            case["legacy_enter_events"] = True
    case["options"] = opts
    if o.get("disabled_rules"):
        case["disable_substrings"] = as_list(o["disabled_rules"])
    if o.get("disable_tags"):
        case["disable_tags"] = as_list(o["disable_tags"])
    if o.get("run_tags"):
        case["run_tags"] = as_list(o["run_tags"])

    if exit_status != 0:
        # The old runner stops after the exit code and text checks of a failing run.
        exp["load"] = "fail"
        errs = [{"matches": py_regex_to_ere(rx)} for rx in as_list(o.get("stderr_contains"))]
        if errs:
            exp["errors"] = errs
        case["expect"] = exp
        return case, name in adjustments

    pos, neg = text_checks(o.get("stdout_contains"), False)
    pos2, neg2 = text_checks(o.get("stdout_not_contains"), True)
    if pos:
        exp["output_matches"] = pos
    if neg + neg2:
        exp["output_not_matches"] = neg + neg2
    if o.get("stderr_contains"):
        # On a successful run Falco's stderr held what its event source
        # logged (k8s audit lines that are not audit data); saker's capture
        # readers report the same problems, which a case can check.
        if "k8s_audit-json" not in row["requires"]:
            sys.exit(f"{name}: stderr_contains on a successful run has no saker equivalent; add an adjustment")
        warns, neg3 = text_checks(o.get("stderr_contains"), False)
        if neg3:
            sys.exit(f"{name}: a negated stderr check has no saker equivalent; add an adjustment")
        exp["capture_warnings"] = warns

    if o.get("check_detection_counts", True):
        if row["detect"] == "true":
            exp["alerts"] = {"min": 1}
            levels = as_list(o.get("detect_level"))
            if levels:
                exp["priorities"] = levels
        elif row["detect"] == "false":
            exp["alerts"] = 0
    counts = row["detect_counts"]
    for kind, value, _ in adj:
        if kind == "detect_counts":
            counts = value
    if counts != "-":
        exp["rules"] = {}
        for item in counts.split(";"):
            rule, n = item.rsplit("=", 1)
            exp["rules"][rule] = int(n)
    if opts.get("json_output") == "true":
        keys = ["time", "rule", "priority"]
        if opts.get("json_include_output_property", "true") == "true":
            keys.append("output")
        if opts.get("json_include_tags_property", "true") == "true":
            keys.append("tags")
        exp["json_keys"] = keys
    for item in as_list(o.get("output_strictly_contains")):
        for actual, expected in item.items():
            if actual == "stdout":
                exp["output_lines_in_order_file"] = p(expected)
                continue
            # a file the case's file or program output writes
            written = actual.replace("/tmp/falco_outputs", outputs_dir)
            if written not in opts.values() and not any(written in v for v in opts.values()):
                sys.exit(f"{name}: output_strictly_contains on {actual}, which no configured output writes")
            exp.setdefault("output_file_lines_in_order", {})[written] = p(expected)
    case["expect"] = exp
    return case, name in adjustments


def exit_only_variant(row, case, suite_dir):
    """The modern (exit events only) expectation of an enter/exit-dependent case,
    from cases.tsv's exit_only_expectation_or_note column, as an extra case."""
    note = row["exit_only_expectation_or_note"]
    v = json.loads(json.dumps(case))
    v["name"] = row["name"] + " [exit-only]"
    v.pop("legacy_enter_events", None)
    exp = v.setdefault("expect", {})
    # The variant runs beside its case (the runner's -j): the files its file
    # or program output writes get their own names, or the two cases would
    # append to and remove each other's file.
    renamed = {}
    for written in exp.get("output_file_lines_in_order", {}):
        base, ext = os.path.splitext(written)
        renamed[written] = base + ".exit-only" + ext
    for k, val in v.get("options", {}).items():
        for old, new in renamed.items():
            val = val.replace(old, new)
        v["options"][k] = val
    if renamed:
        exp["output_file_lines_in_order"] = {renamed[w]: e for w, e in exp["output_file_lines_in_order"].items()}
    m = re.match(r"only lines ([0-9,]+) of (\S+)", note)
    if m:
        with open(os.path.join(suite_dir, m.group(2)), encoding="utf-8") as f:
            lines = [ln.rstrip("\n") for ln in f if ln.strip()]
        want = [lines[int(i) - 1] for i in m.group(1).split(",")]
        files = exp.get("output_file_lines_in_order")
        if files:
            for written in files:
                files[written] = want
        else:
            exp.pop("output_lines_in_order_file", None)
            exp["output_lines_in_order"] = want
        return v
    m = re.match(r"((?:[^;=]+=\d+;)*[^;=]+=\d+)", note)
    if not m:
        sys.exit(f"{row['name']}: cannot read the exit-only expectation {note!r}")
    exp["rules"] = {}
    for item in m.group(1).split(";"):
        rule, n = item.rsplit("=", 1)
        exp["rules"][rule] = int(n)
    return v


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    suite_dir, out_dir = sys.argv[1], sys.argv[2]
    adj_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__),
                                                                   "falco_suite_adjustments.tsv")
    adjustments = load_adjustments(adj_path)
    with open(os.path.join(suite_dir, "cases.tsv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    names = {r["name"] for r in rows}
    for n in adjustments:
        if n != "*" and n not in names:
            sys.exit(f"{adj_path}: adjustment for unknown case '{n}'")
    suite_dir = os.path.abspath(suite_dir)
    # where the file and program output cases write (the old runner used /tmp/falco_outputs)
    outputs_dir = os.path.join(os.path.abspath(out_dir), "outputs")
    os.makedirs(outputs_dir, exist_ok=True)
    specs, runnable, adjusted = {}, 0, []
    for row in rows:
        case, adj = translate(row, suite_dir, adjustments, outputs_dir)
        specs.setdefault(row["suite"], []).append(case)
        if row["enter_exit_dependent"] == "yes" and "skip" not in case:
            specs.setdefault("exit_only_variants", []).append(exit_only_variant(row, case, suite_dir))
        runnable += row["runnable"] == "yes"
        if adj:
            adjusted.append(row["name"])
    os.makedirs(out_dir, exist_ok=True)
    for suite, cases in specs.items():
        with open(os.path.join(out_dir, f"{suite}.yaml"), "w", encoding="utf-8") as f:
            f.write(f"# generated by tests/falco_suite_translate.py from cases.tsv (suite {suite})\n")
            json.dump({"cases": cases}, f, indent=1, ensure_ascii=False)
            f.write("\n")
    variants = len(specs.get("exit_only_variants", []))
    print(f"{len(rows)} cases, {runnable} runnable, {variants} exit-only variants, "
          f"{len(adjusted)} adjusted: {' '.join(adjusted)}")


if __name__ == "__main__":
    main()
