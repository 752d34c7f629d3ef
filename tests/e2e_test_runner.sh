#!/bin/sh
# tests/e2e_test_runner.sh: `saker-replay test` end to end: exit codes, per-case lines, summary, -j, --junit, bad specs.
. tests/lib.sh
SPECS=tests/specs
if [ ! -f "$SHARED/peers/scap/cat_write.scap" ]; then
	skip "test runner e2e: $SHARED/peers/scap/cat_write.scap not found (the shared peer data sits beside the repository)"
	exit 0
fi
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT

"$REPLAY" test "$SPECS/peer_pass.yaml" >"$d/pass.out" 2>&1
rc=$?
check "passing spec exits 0" [ "$rc" -eq 0 ]
check "passing spec: one ok line per case" [ "$(grep -c '^ok   ' "$d/pass.out")" -eq 6 ]
check "passing spec: summary line" grep -qx '6 passed, 0 failed' "$d/pass.out"

"$REPLAY" test -j 2 --junit "$d/junit.xml" "$SPECS/peer_fail.yaml" >"$d/fail.out" 2>&1
rc=$?
check "failing spec exits 1" [ "$rc" -eq 1 ]
check "failing spec: every case FAIL" [ "$(grep -c '^FAIL ' "$d/fail.out")" -eq 5 ]
check "failing spec: first difference names expected and got" \
	grep -qx "FAIL wrong exact count: rule 'open_from_cat': expected 8, got 4" "$d/fail.out"
check "failing spec: summary line" grep -qx '0 passed, 5 failed' "$d/fail.out"
check "junit: five testcases, five failures" grep -q 'tests="5" failures="5"' "$d/junit.xml"
if command -v python3 >/dev/null 2>&1; then
	check "junit: well-formed XML" python3 -c "import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); sys.exit(len(r.findall('.//testcase/failure')) != 5)" "$d/junit.xml"
else
	skip "junit XML parse check: python3 not installed"
fi

# -j N prints the same lines in the same order as a serial run.
"$REPLAY" test -j 1 "$SPECS/peer_pass.yaml" "$SPECS/peer_fail.yaml" >"$d/j1.out" 2>&1
"$REPLAY" test -j 4 "$SPECS/peer_pass.yaml" "$SPECS/peer_fail.yaml" >"$d/j4.out" 2>&1
check "-j 4 output equals -j 1 output" cmp -s "$d/j1.out" "$d/j4.out"
check "-k selects cases by name" sh -c "'$REPLAY' test -k 'exit-only' '$SPECS/peer_pass.yaml' | grep -qx '1 passed, 0 failed'"

printf 'cases:\n  - name: x\n    rules: r.yaml\n    expect: {alerts: lots}\n' >"$d/bad.yaml"
"$REPLAY" test "$d/bad.yaml" >"$d/bad.out" 2>&1
rc=$?
check "bad spec exits 2" [ "$rc" -eq 2 ]
check "bad spec: message names file and position" grep -q "bad.yaml:4:22: expected a non-negative number, got 'lots'" "$d/bad.out"
"$REPLAY" test >/dev/null 2>&1
check "no spec given exits 2" [ $? -eq 2 ]
