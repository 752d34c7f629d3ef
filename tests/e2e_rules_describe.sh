#!/bin/sh
# tests/e2e_rules_describe.sh: -L / -l RULE with json_output print Falco's rules description, on a small file (exact fields) and on the three upstream rules files (what rules checkers query).
. tests/lib.sh
RULES=$SHARED/peers/rules
if [ ! -x "$REPLAY" ]; then fail "e2e_rules_describe: $REPLAY not built"; exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then skip "e2e_rules_describe: python3 absent"; exit 0; fi
d=$(tmpdir)

cat > "$d/small.yaml" <<'EOF'
- required_engine_version: 0.31.0
- list: shells
  items: [sh, bash]
- macro: spawned_shell
  condition: evt.type = execve and proc.name in (shells)
- rule: Shell in tmp
  desc: a shell started in /tmp
  output: shell %proc.name in %proc.cwd
  priority: WARNING
  tags: [process]
  condition: spawned_shell and proc.cwd startswith /tmp
  exceptions:
    - name: cron
      fields: [proc.pname, user.name]
      comps: [=, in]
      values:
        - [cron, (root)]
EOF
"$REPLAY" -r "$d/small.yaml" -L -o json_output=true > "$d/small.json" 2>"$d/err"; rc=$?
if [ $rc -eq 0 ]; then pass "-L json small file exits 0"; else fail "-L json small file rc=$rc: $(cat "$d/err")"; fi
if out=$(python3 - "$d/small.json" <<'EOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["lists", "macros", "required_engine_version", "required_plugin_versions", "rules"], list(d)
assert d["required_engine_version"] == "0.31.0"
assert d["required_plugin_versions"] == []
r = d["rules"][0]
assert r["info"]["name"] == "Shell in tmp" and r["info"]["priority"] == "Warning", r["info"]
assert r["info"]["description"] == "a shell started in /tmp" and r["info"]["tags"] == ["process"]
assert r["info"]["enabled"] is True and r["info"]["source"] == "syscall"
x = r["details"]
assert x["macros"] == ["spawned_shell"] and x["lists"] == [], x
assert x["events"] == ["asyncevent", "execve"], x["events"]
assert x["condition_fields"] == ["evt.type", "proc.cwd", "proc.name", "proc.pname", "user.name"], x["condition_fields"]
assert x["condition_operators"] == ["=", "in", "startswith"], x["condition_operators"]
assert x["exception_fields"] == ["proc.pname", "user.name"] and x["exception_names"] == ["cron"]
assert x["exception_operators"] == ["=", "in"]
# the configuration's append_output (container and k8s fields) follows, as in Falco
assert x["output_fields"][:2] == ["proc.name", "proc.cwd"] and x["plugins"] == [], x["output_fields"]
assert x["output_compiled"].startswith("shell %proc.name in %proc.cwd"), x["output_compiled"]
assert r["info"]["output"] == "shell %proc.name in %proc.cwd", r["info"]["output"]
m = d["macros"][0]
assert m["info"] == {"condition": "evt.type = execve and proc.name in (shells)", "name": "spawned_shell"}, m["info"]
assert m["details"]["used"] is True and m["details"]["lists"] == ["shells"] and m["details"]["events"] == ["asyncevent", "execve"]
l = d["lists"][0]
assert l["info"] == {"items": ["sh", "bash"], "name": "shells"} and l["details"]["used"] is True
assert l["details"]["items_compiled"] == ["sh", "bash"]
EOF
); then pass "-L json: Falco's keys and details on the small file"; else fail "-L json small file: $out"; fi

out=$("$REPLAY" -r "$d/small.yaml" -l "Shell in tmp" -o json_output=true 2>&1)
if echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert list(d)==["rules"] and len(d["rules"])==1 and d["rules"][0]["info"]["name"]=="Shell in tmp"'; then
	pass "-l RULE json: only that rule"; else fail "-l RULE json: $out"; fi
out=$("$REPLAY" -r "$d/small.yaml" -l "No such rule" -o json_output=true 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$out" = 'Error: Rule "No such rule" is not loaded' ]; then pass "-l unknown rule json: Falco's error, exit 1"; else fail "-l unknown rule json (rc=$rc): $out"; fi
if "$REPLAY" -r "$d/small.yaml" -L | grep -q '^Shell in tmp  *a shell started in /tmp$'; then pass "-L text unchanged"; else fail "-L text form"; fi

FILES="$RULES/falco_rules.yaml $RULES/falco-incubating_rules.yaml $RULES/falco-sandbox_rules.yaml"
for f in $FILES; do
	if [ ! -f "$f" ]; then skip "e2e_rules_describe: upstream rules file $f absent"; rm -rf "$d"; exit 0; fi
done
# shellcheck disable=SC2086
"$REPLAY" $(for f in $FILES; do printf -- '-r %s ' "$f"; done) -L -o json_output=true > "$d/all.json" 2>"$d/err"; rc=$?
if [ $rc -eq 0 ]; then pass "-L json on the three upstream files exits 0"; else fail "-L json upstream rc=$rc: $(head -3 "$d/err")"; fi
if out=$(python3 - "$d/all.json" $FILES <<'EOF' 2>&1
import json, sys, re
d = json.load(open(sys.argv[1]))
names = set()
for path in sys.argv[2:]:
    names |= set(re.findall(r"^- rule: (.+?)\s*$", open(path).read(), re.M))
got = [r["info"]["name"] for r in d["rules"]]
assert set(got) == names, sorted(names ^ set(got))[:5]
for r in d["rules"]:
    ev = r["details"]["events"]
    # every syscall rule names at least one real event besides Falco's async event
    assert [e for e in ev if e != "asyncevent"], (r["info"]["name"], ev)
    assert r["details"]["condition_fields"] and r["details"]["condition_operators"], r["info"]["name"]
    assert r["details"]["output_fields"], r["info"]["name"]
    for k in ("macros", "lists"):
        known = {x["info"]["name"] for x in d[k]}
        assert set(r["details"][k]) <= known, (r["info"]["name"], k)
# what the falcosecurity/rules checkers ask, in jq: .rules[] | select(.info.name == N) | .details.events,
# .macros[].info.name, .lists[] | select(.details.used == false)
spawned = [r for r in d["rules"] if r["info"]["name"] == "Terminal shell in container"]
assert spawned and "execve" in spawned[0]["details"]["events"], spawned
assert "spawned_process" in [m["info"]["name"] for m in d["macros"]]
assert all(isinstance(l["details"]["used"], bool) for l in d["lists"])
print(len(d["rules"]), "rules", len(d["macros"]), "macros", len(d["lists"]), "lists")
EOF
); then pass "-L json upstream: every rule has events, fields, outputs ($out)"; else fail "-L json upstream: $out"; fi
if command -v jq >/dev/null 2>&1; then
	ev=$(jq -r '.rules[] | select(.info.name == "Terminal shell in container") | .details.events | join(",")' "$d/all.json")
	case ",$ev," in *,execve,*) pass "jq .rules[].details.events query: $ev" ;; *) fail "jq events query: $ev" ;; esac
else
	skip "e2e_rules_describe: jq absent, the jq query itself is not run (python checked the same)"
fi
rm -rf "$d"
