#!/bin/sh
# samples/record_attack.sh: records samples/captures/attack.skr, a scripted attack-like session, with saker-record.
# Needs root and kernel BTF. Everything it does is harmless and cleaned up:
# files go to throwaway names and are deleted, connections stay on 127.0.0.1.
# Usage: sudo sh samples/record_attack.sh [OUTPUT.skr]   (B= build dir, default build)
# The session itself is samples/attack_session.sh (also run by tests/e2e_live.sh).
set -eu
B=${B:-build}
out=${1:-samples/captures/attack.skr}
rec="$B/saker-record"
[ "$(id -u)" = 0 ] || { echo "record_attack.sh: needs root (the probe loads eBPF programs)" >&2; exit 1; }
[ -x "$rec" ] || { echo "record_attack.sh: $rec not built (run make)" >&2; exit 1; }
work=$(mktemp -d /tmp/saker-sample.XXXXXX)
trap 'rm -rf "$work" /dev/shm/saker-sample-tool /usr/local/bin/saker-sample-dropper /var/log/saker-sample.log' EXIT

# A local listener the "reverse shell" connects to.
python3 samples/listener.py "$work/port" 20 &
listener=$!
while [ ! -s "$work/port" ]; do sleep 0.1; done
port=$(cat "$work/port")
echo "saker-sample: seed log line" > /var/log/saker-sample.log

SAKER_HOSTNAME=saker-demo "$rec" -q -f -w "$out" -p $$ &
recorder=$!
sleep 2

sh samples/attack_session.sh "$port" "$work"
sleep 1
kill -INT "$recorder"
wait "$recorder" || true
wait "$listener" 2>/dev/null || true
echo "recorded $out"
