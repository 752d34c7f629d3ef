#!/bin/sh
# bench/sustained.sh: the event rate at which saker-record starts dropping, and its CPU % at 100k/500k/1M ev/s (measure 3).
# bench_load issues close(-1) (recorded, cheap) at a paced rate on 2 threads for SECS seconds while a fresh
# saker-record writes to a file; drops and events come from the recorder's summary. Needs root + BTF.
. bench/lib.sh
RECORD="$B/saker-record"
LOAD="$B/bench/bench_load"
SECS=${SUSTAIN_SECS:-2}
RATES=${SUSTAIN_RATES:-"100000 250000 500000 1000000 2000000 4000000"}

if ! is_root_btf; then
	skip 3 "sustained rate without drops" "needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
[ -x "$RECORD" ] && [ -x "$LOAD" ] || { echo "sustained: build first (make all)"; exit 1; }
D=$(mktemp -d "${TMPDIR:-/tmp}/saker-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
hz=$(getconf CLK_TCK)
warn_probes "measure 3 (sustained rate)"

last_ok="" first_drop="" cpus=""
for rate in $RATES; do
	rm -f "$D/s.skr"
	: >"$D/rec.err" # truncated here: the child's redirection may come after the wait below looks
	"$RECORD" -w "$D/s.skr" -f 2>"$D/rec.err" &
	rp=$!
	i=0; while [ $i -lt 150 ] && ! grep -q "recording to" "$D/rec.err"; do sleep 0.1; i=$((i + 1)); done
	c0=$(cpu_ticks $rp); t0=$(date +%s.%N)
	out=$("$LOAD" "$rate" "$SECS" 2)
	c1=$(cpu_ticks $rp); t1=$(date +%s.%N)
	kill -INT $rp; wait $rp
	summary=$(grep 'events,' "$D/rec.err")
	achieved=$(echo "$out" | awk '{print $7}' | tr -d '/s')
	drops=$(echo "$summary" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^drops/) print $(i - 1)}')
	ev=$(echo "$summary" | awk '{print $2}')
	cpu=$(awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN { printf("%.1f", (c1 - c0) / hz / (t1 - t0) * 100) }')
	echo "sustained: target $(fmt_rate "$rate")/s achieved $(fmt_rate "$achieved")/s: $ev events, ${drops:-?} drops, recorder CPU $cpu%"
	case $rate in 100000|500000|1000000) cpus="$cpus $(fmt_rate "$rate"): $cpu%," ;; esac
	if [ "${drops:-0}" -gt 0 ]; then
		[ -z "$first_drop" ] && first_drop="$achieved"
	elif [ -z "$first_drop" ]; then
		last_ok=$achieved
	fi
done
if [ -n "$first_drop" ]; then
	v="no drops up to $(fmt_rate "$last_ok") ev/s; drops from $(fmt_rate "$first_drop") ev/s"
else
	v="no drops up to $(fmt_rate "$last_ok") ev/s (the most the load reached)"
fi
row 3a "sustained rate without drops (2 load threads on 2 cores)" "$v" "-" "-" "-" "-"
row 3b "recorder CPU % at paced load" "${cpus%,}" "-" "-" "-" "-"
note "- Measure 3: load = close(-1) at a paced rate from 2 threads (bench_load); each rate step starts a fresh saker-record (default 8 MiB ring), $SECS s per step; CPU % = recorder utime+stime over the step's wall time."
