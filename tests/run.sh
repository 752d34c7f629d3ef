#!/bin/sh
# tests/run.sh: runs every cmocka unit test binary and every end-to-end script, then prints one summary line.
# Unit tests: $B/tests/test_* (cmocka prints its own summary per binary).
# End-to-end scripts: tests/e2e_*.sh, which report through tests/lib.sh
# (lines "PASS: ...", "FAIL: ...", "SKIPPED: ...").
B=${B:-build}
export B
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export TZ=UTC
export SAKER_TOP="$top"
passed=0; failed=0; skipped=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# A crash or sanitizer report that cmocka could not count.
		echo "FAIL: $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	[ "$f" -gt 0 ] && failures="$failures $name"
done

for e in tests/e2e_*.sh; do
	[ -f "$e" ] || continue
	name=$(basename "$e" .sh)
	echo "== $name"
	sh "$e" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	s=$(grep -c '^SKIPPED: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name exited with status $rc"
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	[ "$f" -gt 0 ] && failures="$failures $name"
done

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
