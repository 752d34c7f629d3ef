#!/bin/sh
# tests/e2e_golden.sh: exact text and JSON alerts of the bundled sample capture (golden files in tests/golden/).
. tests/lib.sh
export TZ=UTC
cap=samples/captures/attack.skr
rules=samples/rules/saker_rules.yaml
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT
$REPLAY -r $rules -e $cap -o suggested_output=false >"$d/attack.txt" 2>"$d/err"
check "text alerts exit 0" [ $? -eq 0 ]
if cmp -s "$d/attack.txt" tests/golden/attack.txt; then pass "text alerts match tests/golden/attack.txt"
else fail "text alerts differ: $(diff "$d/attack.txt" tests/golden/attack.txt | head -5)"; fi
$REPLAY -r $rules -e $cap -o json_output=true >"$d/attack.json" 2>>"$d/err"
check "JSON alerts exit 0" [ $? -eq 0 ]
if cmp -s "$d/attack.json" tests/golden/attack.json; then pass "JSON alerts match tests/golden/attack.json"
else fail "JSON alerts differ: $(diff "$d/attack.json" tests/golden/attack.json | head -5)"; fi
# Every JSON line parses and carries Falco's keys in sorted order.
python3 - "$d/attack.json" <<'PY' && pass "JSON alerts are valid with sorted Falco keys" || fail "JSON alerts malformed"
import json, sys
n = 0
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    a = json.loads(line)
    keys = list(a.keys())
    assert keys == sorted(keys), keys
    assert set(keys) == {"hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time"}, keys
    assert a["hostname"] == "saker-demo"
    assert "evt.time" in a["output_fields"]
    n += 1
assert n >= 9, n
PY
# stdin input gives the same alerts
$REPLAY -r $rules -e - -o suggested_output=false <$cap >"$d/stdin.txt" 2>>"$d/err"
if cmp -s "$d/stdin.txt" tests/golden/attack.txt; then pass "capture read from stdin gives the same alerts"
else fail "stdin replay differs"; fi
