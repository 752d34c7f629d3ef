#!/bin/sh
# bench/summary.sh: `saker-replay summary` over the bench capture (goal >= 5M ev/s), as ratios to decode-only and to sysdig's topprocs_file chisel on the same events.
# Uses the captures bench/replay_rate.sh generates (BENCH_EVENTS events, .skr and its .scap export).
. bench/lib.sh
N=${BENCH_EVENTS:-5000000}
BIG=$BENCH_DATA/big.skr
RUN=$B/bench/bench_run
REPLAY_BENCH=$B/bench/bench_replay
if [ ! -s "$BIG" ] || [ ! -x "$RUN" ] || [ ! -x "$REPLAY_BENCH" ]; then
	skip 1e "summary rate" "$BIG or the bench programs missing (bench/replay_rate.sh makes the capture)"
	exit 0
fi
# the same question as sysdig -c topprocs_file: bytes of file I/O per process
s=$("$RUN" -n "$RUNS" -- "$B/saker-replay" summary -e "$BIG" --by procs --sort bytes fd.type=file)
echo "saker-replay summary --by procs --sort bytes fd.type=file: $s"
sb=$(awk -v n="$N" -v t="$(field best "$s")" 'BEGIN{printf("%.0f", n / t)}')
sm=$(awk -v n="$N" -v t="$(field median "$s")" 'BEGIN{printf("%.0f", n / t)}')
# events per CPU second: what the tool costs, whatever else runs on the machine
sc=$(awk -v n="$N" -v t="$(field cpu "$s")" 'BEGIN{printf("%.0f", n / t)}')
# every kind, once, for the log
for by in files connections syscalls users containers execs; do
	echo "summary --by $by: $("$RUN" -n 1 -- "$B/saker-replay" summary -e "$BIG" --by "$by")"
done
d=$("$REPLAY_BENCH" -n "$RUNS" -l decode --decode-only "$BIG" | tail -1)
db=$(field best "$d"); dm=$(field median "$d")
verdict=MISSED
ge "$sc" 5000000 && verdict="met ($(fmt_rate "$sc") ev per CPU s)"
row 1e "summary by process, file bytes (CLI, $N events) vs decode only" \
	"$(fmt_rate "$sb") / $(fmt_rate "$sm") ev/s ($(fmt_rate "$sc") per CPU s)" \
	"decode only $(fmt_rate "$db") / $(fmt_rate "$dm") ev/s" "$(ratio "$sb" "$db") / $(ratio "$sm" "$dm")" \
	">= 5M ev/s" "$verdict"
if command -v sysdig >/dev/null 2>&1 && [ -s "$BENCH_DATA/big.scap" ]; then
	y=$("$RUN" -n "$RUNS" -- sysdig -r "$BENCH_DATA/big.scap" -c topprocs_file)
	echo "sysdig -c topprocs_file: $y"
	yb=$(awk -v n="$N" -v t="$(field best "$y")" 'BEGIN{printf("%.0f", n / t)}')
	ym=$(awk -v n="$N" -v t="$(field median "$y")" 'BEGIN{printf("%.0f", n / t)}')
	yc=$(awk -v n="$N" -v t="$(field cpu "$y")" 'BEGIN{printf("%.0f", n / t)}')
	row 1f "summary by process, file bytes vs sysdig -c topprocs_file (same events)" \
		"$(fmt_rate "$sb") / $(fmt_rate "$sm") ev/s ($(fmt_rate "$sc") per CPU s)" \
		"sysdig $(fmt_rate "$yb") / $(fmt_rate "$ym") ev/s ($(fmt_rate "$yc") per CPU s)" \
		"$(ratio "$sb" "$yb") / $(ratio "$sm" "$ym") (CPU $(ratio "$sc" "$yc"))" "-" "-"
else
	skip 1f "summary vs sysdig -c topprocs_file" "sysdig or $BENCH_DATA/big.scap missing"
fi
note "- 1e/1f: whole \`saker-replay summary\` runs (process start, decompression, decode, state, aggregation, table) over the $N syscall events of the bench .skr; sysdig reads the same events from the .scap export (with their synthesised enter events). Rates are events of the capture / wall time (best / median of RUNS), and per CPU second (user + system time of the fastest run), which a busy shared machine does not inflate; the 5M ev/s goal is judged on the latter."
