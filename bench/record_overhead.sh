#!/bin/sh
# bench/record_overhead.sh: added cost per syscall of the probe (measure 2) and the recorder's peak RSS (5b).
# Each loop (getppid; open/read/close of a small file; a small compile) runs with no probe, under the
# empty tp_btf probe and under saker-record writing to a file, RUNS times each; ns are min / median.
# Ratio = (saker - none) / (empty - none): how many empty probes the real one costs. Needs root + BTF.
. bench/lib.sh
RECORD="$B/saker-record"
LOOP="$B/bench/bench_syscall_loop"
N_GETPPID=${N_GETPPID:-500000}
N_OPEN=${N_OPEN:-100000}
N_COMPILE=${N_COMPILE:-8}

if ! is_root_btf; then
	skip 2 "recorder overhead" "needs root and /sys/kernel/btf/vmlinux"
	skip 5b "recorder peak RSS" "needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
[ -x "$RECORD" ] && [ -x "$LOOP" ] || { echo "record_overhead: build first (make all)"; exit 1; }
D=$(mktemp -d "${TMPDIR:-/tmp}/saker-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT

# loop_times MODE N [empty]: RUNS values of ns/iteration
loop_times() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		"$LOOP" "$1" "$2" $3 | awk '{print $3}'
		i=$((i + 1))
	done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
hz=$(getconf CLK_TCK)
peak_rss=0

for mode in getppid open compile; do
	case $mode in
	getppid) n=$N_GETPPID; what="getppid() (not recorded: in-kernel filter cost)" ;;
	open) n=$N_OPEN; what="open/read/close of a small file" ;;
	compile) n=$N_COMPILE; what="cc -c of a small file (whole process tree)" ;;
	esac
	# shellcheck disable=SC2046
	set -- $(stats $(loop_times "$mode" "$n")); none_min=$1; none_med=$2
	# shellcheck disable=SC2046
	set -- $(stats $(loop_times "$mode" "$n" empty)); empty_min=$1; empty_med=$2
	rm -f "$D/bench.skr"
	"$RECORD" -w "$D/bench.skr" -f 2>"$D/rec.err" &
	rp=$!
	i=0; while [ $i -lt 150 ] && ! grep -q "recording to" "$D/rec.err"; do sleep 0.1; i=$((i + 1)); done
	c0=$(cpu_ticks $rp); t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	set -- $(stats $(loop_times "$mode" "$n")); saker_min=$1; saker_med=$2
	c1=$(cpu_ticks $rp); t1=$(date +%s.%N)
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$rp/status" 2>/dev/null)
	[ -n "$hwm" ] && [ "$hwm" -gt "$peak_rss" ] && peak_rss=$hwm
	kill -INT $rp; wait $rp
	summary=$(grep 'events,' "$D/rec.err")
	ev=$(echo "$summary" | awk '{print $2}')
	bpe=$(echo "$summary" | awk '{print $6}' | tr -d '(')
	drops=$(echo "$summary" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^drops/) print $(i - 1)}')
	[ "$mode" = compile ] && cp "$D/bench.skr" "$BENCH_DATA/recorded_build.skr"
	line=$(awk -v none="$none_min" -v empty="$empty_min" -v saker="$saker_min" \
		-v nonem="$none_med" -v emptym="$empty_med" -v sakerm="$saker_med" -v ev="$ev" -v n="$n" \
		-v runs="$RUNS" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v mode="$mode" 'BEGIN {
		r = (empty - none) > 0 ? (saker - none) / (empty - none) : -1;
		rm = (emptym - nonem) > 0 ? (sakerm - nonem) / (emptym - nonem) : -1;
		secs = t1 - t0; cpu = secs > 0 ? (c1 - c0) / hz / secs * 100 : 0;
		evper = ev / (n * runs);
		if (mode == "compile")
			printf("+%.1f / +%.1f ms per compile (%.0f events each)|%.2f|%.2f|%.1f|%.0f|%.0f\n", (saker - none) / 1e6,
			       (sakerm - nonem) / 1e6, evper, r, rm, cpu, (saker - none) / (evper > 0 ? evper : 1), (empty - none) / 1e6);
		else
			printf("+%.0f / +%.0f ns per syscall|%.2f|%.2f|%.1f|%.0f|%.0f\n", (saker - none) / (mode == "open" ? 3 : 1),
			       (sakerm - nonem) / (mode == "open" ? 3 : 1), r, rm, cpu, evper, (empty - none) / (mode == "open" ? 3 : 1));
	}')
	added=$(echo "$line" | cut -d'|' -f1)
	r=$(echo "$line" | cut -d'|' -f2); rm_=$(echo "$line" | cut -d'|' -f3); cpu=$(echo "$line" | cut -d'|' -f4)
	empty_added=$(echo "$line" | cut -d'|' -f6)
	echo "record_overhead $mode: none $none_min/$none_med, empty $empty_min/$empty_med, saker $saker_min/$saker_med ns per iteration (min/median); ratio $r / $rm_; recorder CPU $cpu%; $ev events, $bpe B/event, ${drops:-?} drops"
	verdict=MISSED
	ge 2 "$rm_" && ge "$rm_" 0 && verdict=met
	[ "$mode" = compile ] && unit="ms per compile" || unit="ns per syscall"
	row "2$(echo $mode | cut -c1)" "recorder overhead, $what" "saker $added" \
		"empty tp_btf probe +$empty_added $unit" "$r / $rm_ (min / median)" "<= 2" "$verdict"
done
note "- Measure 2: ns per syscall = (loop time with X - loop time with nothing) / syscalls; open/read/close counts 3 syscalls per iteration. The ratio is (saker - none) / (empty - none) from min and median loop times. Recorder CPU % and drops are in the log."
row 5b "peak RSS, saker-record (VmHWM over the overhead runs)" "$((peak_rss / 1024)) MiB" "-" "-" "-" "-"
