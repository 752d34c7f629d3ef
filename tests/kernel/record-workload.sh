#!/bin/sh
# tests/kernel/record-workload.sh: records one run of the workload with saker-record (the guest's init and the host run share it).
# usage: record-workload.sh RECORD WORKDIR OUTDIR
# WORKDIR holds the workload binary skwork. OUTDIR receives cap.skr,
# record.log (the recorder's stderr), workload.log, wpid and the exit
# statuses; whatever goes wrong is written there for the host to report.
# POSIX sh: runs under busybox sh in the guest and dash on the host.
rec=$1 w=$2 out=$3
wait_secs=${KT_ATTACH_TIMEOUT:-240}

note() { echo "$*" >>"$out/harness.log"; }

cd "$w" || exit 1
rm -f go
mkfifo go || exit 1
# The workload blocks opening the FIFO "go" until the recorder is attached.
./skwork </dev/null >"$out/workload.log" 2>&1 &
wpid=$!
echo "$wpid" >"$out/wpid"
# what the comparison replaces with <W> and <OUT>
echo "$w" >"$out/workdir"
echo "$out" >"$out/outdir"

# -v prints the probe's program table (verified instructions per program)
# before recording, where the recorder has one (it came with --probe-stats)
verbose=""
"$rec" --help 2>&1 | grep -q -- '--probe-stats' && verbose=-v
"$rec" -w "$out/cap.skr" -f -p "$wpid" $verbose 2>"$out/record.log" &
rpid=$!

# Under TCG, loading and verifying the probe can take minutes.
t0=$(date +%s)
while ! grep -q 'recording to' "$out/record.log" 2>/dev/null; do
	if ! kill -0 "$rpid" 2>/dev/null; then
		wait "$rpid"
		echo $? >"$out/record.status"
		note "saker-record exited before recording"
		kill -9 "$wpid" 2>/dev/null
		exit 1
	fi
	if [ $(($(date +%s) - t0)) -ge "$wait_secs" ]; then
		note "saker-record did not attach within $wait_secs s"
		kill -9 "$rpid" "$wpid" 2>/dev/null
		exit 1
	fi
	sleep 0.2
done
note "attached after $(($(date +%s) - t0)) s"

if ! kill -0 "$wpid" 2>/dev/null; then
	note "the workload died before it was started"
	kill -INT "$rpid"
	wait "$rpid"
	exit 1
fi
echo go >go
wait "$wpid"
echo $? >"$out/workload.status"
# Let the ring drain, then stop cleanly (SIGINT writes the footer).
sleep 1
kill -INT "$rpid"
wait "$rpid"
echo $? >"$out/record.status"
exit 0
