#!/bin/sh
# tests/e2e_rules_legacy.sh: Falco's legacy rules-validation cases (cases.tsv mode "validate") against saker-replay -V with JSON results.
. tests/lib.sh
SUITE=$SHARED/peers/falco-tests
if [ ! -f "$SUITE/cases.tsv" ]; then skip "e2e_rules_legacy: $SUITE absent"; exit 0; fi
if [ ! -x "$REPLAY" ]; then fail "e2e_rules_legacy: $REPLAY not built"; exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then skip "e2e_rules_legacy: python3 not installed"; exit 0; fi
REPLAY_ABS=$(cd "$(dirname "$REPLAY")" && pwd)/$(basename "$REPLAY")
cd "$SUITE" || exit 0
# The checker applies the old runner's rules (exit status, validate_ok,
# validate_errors/warnings: same code, exact message or message_contains, a
# location with the same item_type/item_name). Where the legacy engine worded
# a diagnostic differently from the modern Falco that saker follows, MODERN
# gives the modern expectation and the case is checked against it instead.
python3 - "$REPLAY_ABS" <<'EOF'
import csv, json, os, subprocess, sys
replay = sys.argv[1]
MODERN = {
    # legacy message -> modern (rules.md 3.10) message
    ("LOAD_ERR_VALIDATE", "Macro has 'append' key but no macro by that name already exists"):
        ("LOAD_ERR_VALIDATE", "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists"),
    ("LOAD_ERR_VALIDATE", "List has 'append' key but no list by that name already exists"):
        ("LOAD_ERR_VALIDATE", "List uses 'append' or 'override.items: append' but no list by that name already exists"),
    ("LOAD_ERR_VALIDATE", "Rule has 'append' key but no rule by that name already exists"):
        ("LOAD_ERR_VALIDATE", "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"),
    ("LOAD_ERR_COMPILE_OUTPUT", "invalid formatting token not_a_real_field"):
        ("LOAD_ERR_COMPILE_OUTPUT", "unknown filter: invalid formatting token %not_a_real_field"),
    ("LOAD_UNKNOWN_FIELD", "filter_check called with nonexistent field proc.nobody"):
        ("LOAD_UNKNOWN_FILTER", "filter_check called with nonexistent field proc.nobody"),
}
def found(results, kind, e):
    for r in results:
        for d in r[kind]:
            if d["code"] != e["code"]:
                continue
            if "message" in e and d["message"] != e["message"]:
                continue
            if "message_contains" in e and e["message_contains"] not in d["message"]:
                continue
            if any(l["item_type"] == e["item_type"] and l["item_name"] == e["item_name"]
                   for l in d["context"]["locations"]):
                return True
    return False
for row in csv.DictReader(open("cases.tsv"), delimiter="\t"):
    if row["mode"] != "validate":
        continue
    keys = json.loads(row["other_keys_json"])
    cmd = [replay]
    for f in keys["validate_rules_file"]:
        cmd += ["-V", f]
    cmd += ["-o", "json_output=true"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    probs, modern = [], []
    if p.returncode != keys.get("exit_status", 0):
        probs.append("exit %d, want %d" % (p.returncode, keys.get("exit_status", 0)))
    try:
        results = json.loads(p.stdout.splitlines()[0])["falco_load_results"]
    except Exception:
        results = []
        probs.append("no JSON load result on the first stdout line")
    for ok in keys.get("validate_ok", []):
        if not any(os.path.basename(r["name"]) == ok and r["successful"] for r in results):
            probs.append("%s not successful" % ok)
    for kind in ("errors", "warnings"):
        for e in keys.get("validate_" + kind, []):
            e = dict(e)
            m = MODERN.get((e["code"], e.get("message")))
            if m:
                modern.append(e["message"])
                e["code"], e["message"] = m
            if not found(results, kind, e):
                probs.append("missing %s %s %s '%s'" % (kind[:-1], e["code"], e["item_name"],
                                                         e.get("message", e.get("message_contains"))))
    note = " (modern wording)" if modern else ""
    if probs:
        print("FAIL: legacy validate %s: %s" % (row["name"], "; ".join(probs)))
    else:
        print("PASS: legacy validate %s%s" % (row["name"], note))
EOF
