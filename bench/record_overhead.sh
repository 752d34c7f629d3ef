#!/bin/sh
# bench/record_overhead.sh: added cost per syscall of the probe: no probe vs empty tp_btf probe vs saker-record.
# Prints ns/syscall for each, the ratio (saker - none) / (empty - none), events/s,
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
trap 'rm -rf "$D"' EXIT

# best (lowest) ns/iteration of RUNS runs: best MODE N [empty]
best() {
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		v=$("$LOOP" "$1" "$2" $3 | awk '{print $3}')
		b=$(echo "$b $v" | awk '{m=$1; for (i=2;i<=NF;i++) if ($i<m) m=$i; print m}')
		i=$((i + 1))
	done
	echo "$b"
}

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

for mode in getppid open; do
	n=$N_GETPPID
	[ "$mode" = open ] && n=$N_OPEN
	none=$(best "$mode" "$n")
	empty=$(best "$mode" "$n" empty)
	"$RECORD" -w "$D/bench.skr" -f 2>"$D/rec.err" &
	rp=$!
	i=0; while [ $i -lt 100 ] && ! grep -q "recording to" "$D/rec.err"; do sleep 0.1; i=$((i + 1)); done
	c0=$(cpu_ticks $rp); t0=$(date +%s.%N)
	saker=$(best "$mode" "$n")
	c1=$(cpu_ticks $rp); t1=$(date +%s.%N)
	kill -INT $rp; wait $rp
	summary=$(grep 'events,' "$D/rec.err")
	hz=$(getconf CLK_TCK)
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
