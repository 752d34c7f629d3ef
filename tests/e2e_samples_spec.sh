#!/bin/sh
# tests/e2e_samples_spec.sh: the bundled regression spec (samples/tests/) passes, with JUnit output.
. tests/lib.sh
export TZ=UTC
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT
$REPLAY test --junit "$d/junit.xml" samples/tests/ >"$d/out" 2>&1
rc=$?
cat "$d/out"
check "samples spec passes (exit 0)" [ "$rc" -eq 0 ]
check "samples spec summary line" grep -qE '^[1-9][0-9]* passed, 0 failed' "$d/out"
check "JUnit report written" grep -q '<testsuite' "$d/junit.xml"
