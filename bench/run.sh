#!/bin/sh
# bench/run.sh: runs every benchmark binary in $B/bench and appends their output to bench/results.md.
# B = build directory (default build). Each bench_* prints its own lines; a
# failing benchmark is reported and makes the script exit non-zero.
B=${B:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
results=bench/results.md
[ -f "$results" ] || printf '# saker benchmark results\n\nAppended by `make bench` (bench/run.sh), newest last.\n' > "$results"

found=0
status=0
{
	printf '\n## %s on %s (%s, %s CPUs, commit %s)\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
		"$(uname -n)" "$(uname -r)" "$(nproc 2>/dev/null || echo '?')" \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >> "$results"
for b in "$B"/bench/bench_*; do
	[ -x "$b" ] || continue
	found=1
	name=$(basename "$b")
	echo "== $name"
	out=$(mktemp)
	if "$b" > "$out" 2>&1; then
		cat "$out"
		{ printf '### %s\n\n' "$name"; cat "$out"; echo; } >> "$results"
	else
		rc=$?
		cat "$out"
		echo "FAIL: $name exited with status $rc"
		{ printf '### %s\n\nFAILED (status %s)\n\n' "$name" "$rc"; cat "$out"; echo; } >> "$results"
		status=1
	fi
	rm -f "$out"
done
if [ "$found" = 0 ]; then
	echo "bench/run.sh: no benchmark binaries in $B/bench (run make all first)"
	exit 1
fi
echo "results appended to $results"
exit $status
