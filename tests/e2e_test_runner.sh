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

# output_file_lines_in_order: the file and program outputs write, the runner
# reads back; a stale file from an earlier run must not pass for this one.
R=$(cd "$SHARED/peers" && pwd)
cat >"$d/files.yaml" <<EOF
defaults:
  rules: $R/falco-tests/rules/single_rule.yaml
  captures: $R/scap/cat_write.scap
  options: {suggested_output: false, stdout_output.enabled: false}
cases:
  - name: file output written
    options: {file_output.enabled: true, file_output.filename: $d/alerts.txt}
    expect:
      alerts: 4
      output_file_lines_in_order:
        $d/alerts.txt: ["Warning An open was seen (command=cat /dev/null)", "Warning An open was seen"]
  - name: program output written
    options: {program_output.enabled: true, program_output.program: "tr a-z A-Z >> $d/prog.txt"}
    expect:
      output_file_lines_in_order: {$d/prog.txt: ["WARNING AN OPEN WAS SEEN (COMMAND=CAT /DEV/NULL)"]}
  - name: wrong line in the file
    options: {file_output.enabled: true, file_output.filename: $d/alerts2.txt}
    expect:
      output_file_lines_in_order: {$d/alerts2.txt: [An open was seen, "command=dog"]}
  - name: stale file does not count
    options: {file_output.enabled: false, http_output.enabled: false}
    expect:
      output_file_lines_in_order: {$d/alerts.txt: [An open was seen]}
EOF
"$REPLAY" test "$d/files.yaml" >"$d/files.out" 2>&1
check "file output: the written file holds the alert lines" grep -qx "ok   file output written" "$d/files.out"
check "program output: the program's file holds the alert lines" grep -qx "ok   program output written" "$d/files.out"
check "file output: a missing line is a FAIL naming file and line" \
	grep -qx "FAIL wrong line in the file: file $d/alerts2.txt: line 2 of 2 not found in order: 'command=dog'" "$d/files.out"
check "file output: a file left by an earlier case is removed first, not read" \
	grep -qx "FAIL stale file does not count: file $d/alerts.txt: not written (No such file or directory)" "$d/files.out"
check "file output: summary line" grep -qx '2 passed, 2 failed' "$d/files.out"

printf 'cases:\n  - name: x\n    rules: r.yaml\n    expect: {alerts: lots}\n' >"$d/bad.yaml"
"$REPLAY" test "$d/bad.yaml" >"$d/bad.out" 2>&1
rc=$?
check "bad spec exits 2" [ "$rc" -eq 2 ]
check "bad spec: message names file and position" grep -q "bad.yaml:4:22: expected a non-negative number, got 'lots'" "$d/bad.out"
"$REPLAY" test >/dev/null 2>&1
check "no spec given exits 2" [ $? -eq 2 ]
