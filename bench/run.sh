#!/bin/sh
# bench/run.sh: runs every benchmark binary ($B/bench/bench_*) and script (bench/*.sh), appending their output to bench/results.md.
# B = build directory (default build). Each benchmark prints its own figures
# (or SKIPPED: reason); a failing one is reported and makes the script exit 1.
B=${B:-build}
export B
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
results=bench/results.md
[ -f "$results" ] ||
	printf '# saker benchmark results\n\nAppended by `make bench` (bench/run.sh), newest last.\n' > "$results"
printf '\n## %s on %s (%s, %s CPUs, commit %s)\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	"$(uname -n)" "$(uname -r)" "$(nproc 2>/dev/null || echo '?')" \
	"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" >> "$results"

status=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# run NAME CMD...: runs one benchmark, shows and records its output.
run() {
	name=$1
	shift
	echo "== $name"
	if "$@" > "$out" 2>&1; then
		cat "$out"
		{ printf '\n### %s\n\n' "$name"; cat "$out"; } >> "$results"
	else
		rc=$?
		cat "$out"
		echo "FAIL: $name exited with status $rc"
		{ printf '\n### %s\n\nFAILED (status %s)\n\n' "$name" "$rc"; cat "$out"; } >> "$results"
		status=1
	fi
}

for b in "$B"/bench/bench_*; do
	[ -x "$b" ] || continue
	run "$(basename "$b")" "$b"
done
for s in bench/*.sh; do
	[ "$s" = bench/run.sh ] && continue
	run "$(basename "$s" .sh)" sh "$s"
done
echo "results appended to $results"
exit $status
