#!/bin/sh
# bench/record_overhead.sh: added cost per syscall of the probe: no probe vs empty tp_btf probe vs saker-record.
# Prints CPU ns/syscall for each, the ratio (saker - none) / (empty - none), events/s,
# recorder CPU % and bytes/event on disk. Needs root and BTF; prints SKIPPED otherwise.
B=${B:-build}
RECORD="$B/saker-record"
LOOP="$B/bench/bench_syscall_loop"
N_GETPPID=${N_GETPPID:-2000000}
N_OPEN=${N_OPEN:-400000}
RUNS=${RUNS:-3}

if [ "$(id -u)" != 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "SKIPPED: record_overhead needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
[ -x "$RECORD" ] && [ -x "$LOOP" ] || { echo "record_overhead: build first (make all)"; exit 1; }
D=$(mktemp -d "${TMPDIR:-/tmp}/saker-bench.XXXXXX")

# best (lowest) CPU ns/iteration of RUNS runs: best MODE N [empty]. CPU time
# (user + system of the loop process, where the probe's work is charged)
# rather than wall time, so other load on the machine matters less.
best() {
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		v=$("$LOOP" "$1" "$2" $3 2>/dev/null | awk '{print $4}')
		b=$(echo "$b $v" | awk '{m=$1; for (i=2;i<=NF;i++) if ($i<m) m=$i; print m}')
		i=$((i + 1))
	done
	echo "$b"
}

# BPF program ids named sk_* (to tell the recorder's programs from others)
prog_ids() { bpftool -j prog show 2>/dev/null | python3 -c 'import json,sys; print(" ".join(str(p["id"]) for p in json.load(sys.stdin) if p["name"].startswith("sk_sys_")))' 2>/dev/null; }
# prog_stats IDS...: "name run_time_ns run_cnt" lines
prog_stats() {
	bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
ids = set(int(x) for x in sys.argv[1:])
for p in sorted(json.load(sys.stdin), key=lambda p: p["name"]):
    if p["id"] in ids:
        print(p["name"], p.get("run_time_ns", 0), p.get("run_cnt", 0))
' "$@" 2>/dev/null
}
have_stats=0
command -v bpftool >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 && have_stats=1
old_stats=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
[ $have_stats = 1 ] && echo 1 >/proc/sys/kernel/bpf_stats_enabled
trap 'echo "$old_stats" >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null; rm -rf "$D"' EXIT

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

for mode in getppid open; do
	n=$N_GETPPID
	[ "$mode" = open ] && n=$N_OPEN
	none=$(best "$mode" "$n")
	empty=$(best "$mode" "$n" empty)
	empty_ns=$("$LOOP" "$mode" "$n" empty 2>&1 >/dev/null | awk '/empty-probe-ns/ {printf "%.0f", $2 + $3}')
	before=$(prog_ids)
	"$RECORD" -w "$D/bench.skr" -f 2>"$D/rec.err" &
	rp=$!
	i=0; while [ $i -lt 100 ] && ! grep -q "recording to" "$D/rec.err"; do sleep 0.1; i=$((i + 1)); done
	mine=$(for i in $(prog_ids); do echo " $before " | grep -q " $i " || echo $i; done)
	prog_stats $mine >"$D/st0"
	c0=$(cpu_ticks $rp); t0=$(date +%s.%N)
	saker=$(best "$mode" "$n")
	c1=$(cpu_ticks $rp); t1=$(date +%s.%N)
	prog_stats $mine >"$D/st1"
	saker_ns=$(paste "$D/st0" "$D/st1" | awk '$6 > $3 {s += ($5 - $2) / ($6 - $3)} END {printf "%.0f", s}')
	kill -INT $rp; wait $rp
	summary=$(grep 'events,' "$D/rec.err")
	hz=$(getconf CLK_TCK)
	[ -n "$empty_ns" ] && [ "$empty_ns" != 0 ] && [ -n "$saker_ns" ] &&
		echo "record_overhead $mode: in-kernel time per syscall (enter + exit programs, averaged over every syscall on the host during the loop): empty ${empty_ns} ns, saker ${saker_ns} ns"
	echo "$summary" | awk -v mode="$mode" -v none="$none" -v empty="$empty" -v saker="$saker" \
		-v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" '{
		ev = $2; bytes = $4; bpe = $6; gsub(/\(/, "", bpe);
		secs = t1 - t0; cpu = (c1 - c0) / hz / secs * 100;
		ratio = (empty - none) > 0 ? (saker - none) / (empty - none) : 0;
		printf("record_overhead %s: none %.1f ns, empty probe %.1f ns, saker %.1f ns per syscall; " \
		       "added: empty +%.1f ns, saker +%.1f ns, ratio %.2f\n", mode, none, empty, saker,
		       empty - none, saker - none, ratio);
		printf("record_overhead %s: %d events recorded, %.0f events/s during the loop, recorder CPU %.1f%%, " \
		       "%s bytes/event on disk\n", mode, ev, ev / secs, cpu, bpe);
	}'
	rm -f "$D/bench.skr"
done
