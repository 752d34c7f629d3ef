#!/bin/sh
# bench/bench_scap.sh: .scap import rate of saker-replay vs sysdig 0.29 on the same file (ratio), and bytes/event of .scap, .scap.gz, .skr.
B=${B:-build}
SHARED=${SHARED:-../shared}
REPLAY="$B/saker-replay"
src="$SHARED/peers/scap/run_as_user_0_container.scap"
COPIES=${COPIES:-100}
if [ ! -f "$src" ]; then
	echo "SKIPPED: bench_scap.sh: $src not found"
	exit 0
fi
t=$(mktemp -d "${TMPDIR:-/tmp}/saker-bench.XXXXXX")
trap 'rm -rf "$t"' EXIT
export TZ=UTC

# bytes/event of the same events in three encodings
gzip -dc "$src" > "$t/one.scap"
gzip -9 -c "$t/one.scap" > "$t/one.scap.gz"
"$REPLAY" -e "$t/one.scap" -w "$t/one.skr" || exit 1
n=$("$REPLAY" -e "$t/one.scap" --print-internal --print '%evt.num' | wc -l)
for f in one.scap one.scap.gz one.skr; do
	sz=$(stat -c %s "$t/$f")
	awk -v f="$f" -v s="$sz" -v n="$n" 'BEGIN { printf "bytes/event %-12s %8d bytes / %d events = %6.1f\n", f, s, n, s / n }'
done

# import rate: the largest peer capture repeated COPIES times (concatenated
# sections, which both readers accept), every event printed as %evt.num
i=0
: > "$t/big.scap"
while [ $i -lt "$COPIES" ]; do cat "$t/one.scap" >> "$t/big.scap"; i=$((i + 1)); done
# CPU time (user+sys) of each run: the build machine is shared, wall time is noisy
python3 - "$REPLAY" "$t/big.scap" <<'PY'
import resource, shutil, subprocess, sys, time
def run(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN); w0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN); w1 = time.time()
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p.stdout.count(b"\n"), cpu, w1 - w0
replay, big = sys.argv[1], sys.argv[2]
ns, cs, ws = run([replay, "-e", big, "--print-internal", "--print", "%evt.num"])
print("scap import, %d events printed as %%evt.num: saker-replay %.2f s CPU (%.2f s wall) = %.0f events/s"
      % (ns, cs, ws, ns / cs))
if not shutil.which("sysdig"):
    print("SKIPPED: sysdig not installed, no import-rate ratio")
    sys.exit(0)
ny, cy, wy = run(["sysdig", "-D", "-r", big, "-p", "%evt.num"])
print("scap import, %d events printed as %%evt.num: sysdig 0.29   %.2f s CPU (%.2f s wall) = %.0f events/s"
      % (ny, cy, wy, ny / cy))
print("scap import rate ratio saker-replay/sysdig: %.2f" % ((ns / cs) / (ny / cy)))
PY
