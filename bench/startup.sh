#!/bin/sh
# bench/startup.sh: start-up time, exec to ready (probe loaded and attached, /proc snapshot taken), of saker-record and saker-replay --live (measure 7). Needs root + BTF.
# The one-program probe this replaced needed ~2.4 s (issue 14); the goal is 1 s. Absolute figures: min / median of STARTUP_RUNS.
. bench/lib.sh
RUNS_S=${STARTUP_RUNS:-5}
if ! is_root_btf; then
	skip 7 "start-up, exec to ready" "needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
T="$B/bench/bench_startup"
for f in "$T" "$B/saker-record" "$B/saker-replay"; do
	[ -x "$f" ] || { echo "startup: $f missing (make all)"; exit 1; }
done
D=$(mktemp -d "${TMPDIR:-/tmp}/saker-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
rec="" live=""
i=0
while [ $i -lt "$RUNS_S" ]; do
	rec="$rec $("$T" "recording to" "$B/saker-record" -v -f -w "$D/s.skr" 2>>"$BENCH_OUT/startup.log")"
	live="$live $("$T" "--live: detecting" "$B/saker-replay" --live -r samples/rules/saker_rules.yaml \
		2>>"$BENCH_OUT/startup.log")"
	i=$((i + 1))
done
# shellcheck disable=SC2086
set -- $(stats $rec); rec_min=$1; rec_med=$2
# shellcheck disable=SC2086
set -- $(stats $live); live_min=$1; live_med=$2
echo "startup: saker-record $rec_min / $rec_med ms, saker-replay --live $live_min / $live_med ms (min / median of $RUNS_S)"
breakdown=$(grep 'start-up' "$BENCH_OUT/startup.log" | tail -1 | sed 's/^saker-record: //')
for w in record live; do
	if [ $w = record ]; then m=$rec_min; md=$rec_med; what="saker-record (exec to 'recording to')"; id=7a
	else m=$live_min; md=$live_med; what="saker-replay --live with the sample rules (exec to 'detecting')"; id=7b; fi
	verdict=MISSED
	[ -n "$m" ] && ge 1000 "$m" && verdict=met
	row $id "start-up, $what" "$m / $md ms" "one-program probe: ~2400 ms" "$(ratio "$m" 2400) of it" "<= 1000 ms" "$verdict"
done
note "- Measure 7: wall time from fork+exec to the ready line on stderr (bench/bench_startup.c), min / median of $RUNS_S runs; the probe is attached and the /proc snapshot taken when the line is printed. Last breakdown (saker-record -v): $breakdown."
