#!/bin/sh
# bench/record_overhead.sh: added cost per syscall of the probe (measure 2) and the recorder's peak RSS (5b).
# Each loop (getppid; open/read/close of a small file; a small compile) runs with no probe, under the
# empty tp_btf probe and under saker-record writing to a file, RUNS times each; ns are min / median.
# Ratio = (saker - none) / (empty - none): how many empty probes the real one costs. Needs root + BTF.
. bench/lib.sh
RECORD="$B/saker-record"
LOOP="$B/bench/bench_syscall_loop"
N_GETPPID=${N_GETPPID:-1000000}
N_OPEN=${N_OPEN:-150000}
N_COMPILE=${N_COMPILE:-10}
# more repetitions than the other measures: the differences are small next to this machine's noise
RUNS=${OVERHEAD_RUNS:-5}

if ! is_root_btf; then
	skip 2 "recorder overhead" "needs root and /sys/kernel/btf/vmlinux"
	skip 5b "recorder peak RSS" "needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
[ -x "$RECORD" ] && [ -x "$LOOP" ] || { echo "record_overhead: build first (make all)"; exit 1; }
D=$(mktemp -d "${TMPDIR:-/tmp}/saker-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT

# one_time MODE N [empty]: CPU ns/iteration of one run (the loop's own user + system time, children
# included: steadier than wall time while other work shares the machine; probes run in its context)
one_time() { "$LOOP" "$1" "$2" $3 | awk '{print $4}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
hz=$(getconf CLK_TCK)
peak_rss=0
rm -f "$BENCH_DATA/recorded_build.skr"
warn_probes "measure 2 (recorder overhead)"

# The three set-ups alternate within each repetition so that drift from other
# load on the machine spreads over all of them.
for mode in getppid open compile; do
	case $mode in
	getppid) n=$N_GETPPID; what="getppid() (not recorded: in-kernel filter cost)" ;;
	open) n=$N_OPEN; what="open/read/close of a small file" ;;
	compile) n=$N_COMPILE; what="cc -c of a small file (whole process tree)" ;;
	esac
	nones="" empties="" sakers="" nomarks="" ev=0 ticks=0 secs_all=0 drops=0 bpe=""
	r=0
	while [ $r -lt "$RUNS" ]; do
		nones="$nones $(one_time "$mode" "$n")"
		empties="$empties $(one_time "$mode" "$n" empty)"
		rm -f "$D/bench.skr"
		: >"$D/rec.err" # truncated here: the child's redirection may come after the wait below looks
		"$RECORD" -w "$D/bench.skr" -f 2>"$D/rec.err" &
		rp=$!
		i=0; while [ $i -lt 150 ] && ! grep -q "recording to" "$D/rec.err"; do sleep 0.1; i=$((i + 1)); done
		c0=$(cpu_ticks $rp); t0=$(date +%s.%N)
		sakers="$sakers $(one_time "$mode" "$n")"
		c1=$(cpu_ticks $rp); t1=$(date +%s.%N)
		hwm=$(awk '/VmHWM/ {print $2}' "/proc/$rp/status" 2>/dev/null)
		[ -n "$hwm" ] && [ "$hwm" -gt "$peak_rss" ] && peak_rss=$hwm
		if [ "$mode" = open ] && [ $r = 0 ] && command -v perf >/dev/null 2>&1; then
			perf record -q -g -o "$BENCH_OUT/perf_record.data" -- "$LOOP" open "$n" >/dev/null 2>&1 ||
				echo "SKIPPED: recorder profile: perf record failed"
		fi
		kill -INT $rp; wait $rp
		summary=$(grep 'events,' "$D/rec.err")
		if [ "$mode" = getppid ]; then
			# what the execveat entry mark adds to every syscall (it enables the kernel's
			# syscall trace-event hook): the same run without it
			: >"$D/nm.err"
			"$RECORD" --no-execveat-mark -w "$D/nm.skr" -f 2>"$D/nm.err" &
			np=$!
			i=0; while [ $i -lt 150 ] && ! grep -q "recording to" "$D/nm.err"; do sleep 0.1; i=$((i + 1)); done
			nomarks="$nomarks $(one_time "$mode" "$n")"
			kill -INT $np; wait $np
		fi
		ev=$((ev + $(echo "$summary" | awk '{print $2}')))
		drops=$((drops + $(echo "$summary" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^drops/) print $(i - 1)}')))
		bpe=$(echo "$summary" | awk '{print $6}' | tr -d '(')
		ticks=$((ticks + c1 - c0))
		secs_all=$(awk -v a="$secs_all" -v t0="$t0" -v t1="$t1" 'BEGIN { print a + t1 - t0 }')
		r=$((r + 1))
	done
	[ "$mode" = compile ] && cp "$D/bench.skr" "$BENCH_DATA/recorded_build.skr"
	if [ "$mode" = getppid ]; then
		# shellcheck disable=SC2086
		set -- $(stats $sakers); sm=$1; smd=$2
		# shellcheck disable=SC2086
		set -- $(stats $nomarks); nm=$1; nmd=$2
		echo "record_overhead execveat mark: saker $sm/$smd, saker --no-execveat-mark $nm/$nmd ns per getppid (min/median)"
		row 2m "execveat entry mark: added to every syscall (getppid, not recorded)" \
			"$(awk -v a="$sm" -v b="$nm" -v c="$smd" -v d="$nmd" 'BEGIN { printf("+%.0f / +%.0f ns", a - b, c - d) }')" \
			"saker --no-execveat-mark" "-" "-" "-"
	fi
	# shellcheck disable=SC2086
	set -- $(stats $nones); none_min=$1; none_med=$2
	# shellcheck disable=SC2086
	set -- $(stats $empties); empty_min=$1; empty_med=$2
	# shellcheck disable=SC2086
	set -- $(stats $sakers); saker_min=$1; saker_med=$2
	c0=0; c1=$ticks; t0=0; t1=$secs_all
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
	# -1: the empty probe measured no slower than no probe (noise swamped it)
	[ "$r" = "-1.00" ] && r="n/a"
	[ "$rm_" = "-1.00" ] && rm_="n/a"
	empty_added=$(echo "$line" | cut -d'|' -f6)
	echo "record_overhead $mode: none $none_min/$none_med, empty $empty_min/$empty_med, saker $saker_min/$saker_med ns per iteration (min/median); ratio $r / $rm_; recorder CPU $cpu%; $ev events, $bpe B/event, ${drops:-?} drops"
	verdict=MISSED
	[ "$r" != n/a ] && ge 2 "$r" && ge "$r" 0 && verdict=met
	[ "$r" = n/a ] && verdict="n/a (noise)"
	[ "$mode" = compile ] && unit="ms per compile" || unit="ns per syscall"
	row "2$(echo $mode | cut -c1)" "recorder overhead, $what" "saker $added" \
		"empty tp_btf probe +$empty_added $unit" "$r / $rm_ (min / median)" "<= 2" "$verdict"
done
note "- Measure 2: ns per syscall = (loop CPU time with X - loop CPU time with nothing) / syscalls, CPU time = the loop's (and its children's) user + system time, which includes the BPF programs run in its context but not the recorder's own work (its CPU % is in the log); open/read/close counts 3 syscalls per iteration. The ratio is (saker - none) / (empty - none) from min and from median loop times of $RUNS alternating repetitions; the verdict uses the min-based ratio (least disturbed by other load). Recorder CPU % and drops are in the log."
if [ -s "$BENCH_OUT/perf_record.data" ]; then
	{
		echo "### Where the time goes: open/read/close loop under saker-record (perf, loop process incl. kernel and BPF, self time)"
		echo
		echo '```'
		perf report -i "$BENCH_OUT/perf_record.data" --no-children --sort dso,symbol -g none --percent-limit 1 --stdio 2>/dev/null |
			awk '/^ +[0-9.]+%/ {print $1, $2, $4}' | head -25
		echo '```'
		echo
	} >"$BENCH_OUT/profile_record.md"
fi
row 5b "peak RSS, saker-record (VmHWM over the overhead runs)" "$((peak_rss / 1024)) MiB" "-" "-" "-" "-"
