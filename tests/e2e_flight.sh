#!/bin/sh
# tests/e2e_flight.sh: the flight recorder live: a shell reads /etc/shadow a few seconds after a marker process; the saved window holds the marker (before) and a follow-up (after) and replays to the same alert; an unwritable prefix is one line and detection goes on; capture.format: scap gives a .scap sysdig reads.
. tests/lib.sh
if ! need_root; then
	skip "the flight recorder test needs root and kernel BTF (live probe)"
	exit 0
fi
d=$(tmpdir)
trap 'kill $rp 2>/dev/null; [ -n "$KEEP" ] || rm -rf "$d"' EXIT
export TZ=UTC
cp /bin/sleep "$d/flightmarker"
cp /bin/cat "$d/flightreader"
cp /bin/true "$d/flightafter"
cat >"$d/rules.yaml" <<'R'
- rule: Flight test shadow read
  desc: the flight recorder's end-to-end test
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and proc.name = flightreader
  output: "shadow read by %proc.name (parent=%proc.pname)"
  priority: WARNING
  capture: true
  capture_duration: 2000
R
cat >"$d/falco.yaml" <<C
capture:
  enabled: true
  path_prefix: $d/cap
  mode: rules
  default_duration: 5000
  pre_duration: 6000
C

# wait_ready FILE: the live ready line
wait_ready() {
	wait_for "$1" '^saker-replay: --live: detecting'
}

$REPLAY --live -c "$d/falco.yaml" -r "$d/rules.yaml" -p 'evt_num=%evt.num' -v -M 60 >"$d/live.out" 2>"$d/live.err" &
rp=$!
wait_ready "$d/live.err"
"$d/flightmarker" 0.1
sleep 3   # the issue's 10 s, shortened: pre_duration is 6 s here
sh -c "\"$d/flightreader\" /etc/shadow >/dev/null"
sleep 1
"$d/flightafter"
sleep 4   # past capture_duration (2 s) and a chunk flush
kill -INT $rp
wait $rp
rc=$?
rp=
check "live with capture enabled exits 0" [ "$rc" -eq 0 ]
check "the alert is printed live" grep -q "shadow read by flightreader" "$d/live.out"
n=$(ls "$d"/cap_*.skr 2>/dev/null | wc -l)
check "one capture file for the alert (got $n)" [ "$n" -eq 1 ]
f=$(ls "$d"/cap_*.skr 2>/dev/null | head -1)
case "$f" in *cap_Flight_test_shadow_read_*Z.skr) pass "file name carries the rule and the time";; *) fail "file name: $f";; esac
check "capture file is 0600" [ "$(stat -c %a "$f" 2>/dev/null)" = 600 ]
check "-v reports the ring's memory" grep -q '^saker-replay: capture: ring [0-9.]* MiB (peak' "$d/live.err"
check "closing the file is logged" grep -q "^saker-replay: capture: wrote $f (" "$d/live.err"
$REPLAY -e "$f" --print '%evt.num %proc.name %evt.type' >"$d/print.txt" 2>/dev/null
check "the window holds the marker process (the lead-up)" grep -q ' flightmarker ' "$d/print.txt"
check "the window holds the follow-up process" grep -q ' flightafter ' "$d/print.txt"
$REPLAY -e "$f" -r "$d/rules.yaml" >"$d/replay.out" 2>"$d/replay.err"
n=$(grep -c "shadow read by flightreader" "$d/replay.out")
check "replaying the window fires the rule once (got $n)" [ "$n" -eq 1 ]
live_num=$(sed -n 's/.*evt_num=\([0-9]*\).*/\1/p' "$d/live.out")
$REPLAY -e "$f" -r "$d/rules.yaml" -p 'evt_num=%evt.num' >"$d/replay_num.out" 2>/dev/null
replay_num=$(sed -n 's/.*evt_num=\([0-9]*\).*/\1/p' "$d/replay_num.out")
check "the replayed alert is on the same event (live evt.num $live_num, replayed $replay_num)" \
	[ "${live_num:-none}" = "$replay_num" ]
$REPLAY -e "$f" -r "$d/rules.yaml" --report "$d/report.json" >/dev/null 2>&1
check "--report on the window shows the alert with its lead-up" grep -q 'Flight test shadow read' "$d/report.json"

# an unwritable prefix: one clear line, detection goes on
$REPLAY --live -c "$d/falco.yaml" -o capture.path_prefix=/nonexistent-saker-dir/cap -r "$d/rules.yaml" -M 30 \
	>"$d/bad.out" 2>"$d/bad.err" &
rp=$!
wait_ready "$d/bad.err"
sh -c "\"$d/flightreader\" /etc/shadow >/dev/null"
sleep 1
sh -c "\"$d/flightreader\" /etc/shadow >/dev/null"
sleep 1
kill -INT $rp
wait $rp
rp=
n=$(grep -c '^saker-replay: capture: /nonexistent-saker-dir/cap_.*cannot create: No such file or directory; detection goes on$' "$d/bad.err")
check "unwritable prefix: one clear line per window (got $n)" [ "$n" -ge 1 ]
n=$(grep -c "shadow read by flightreader" "$d/bad.out")
check "unwritable prefix: detection goes on (alerts: $n)" [ "$n" -eq 2 ]

# capture.format: scap: the window is converted off the detection thread and
# the .scap is what sysdig 0.29 and saker read
mkdir "$d/scap"
$REPLAY --live -c "$d/falco.yaml" -o capture.format=scap -o capture.path_prefix="$d/scap/cap" -r "$d/rules.yaml" -v -M 30 \
	>"$d/scap.out" 2>"$d/scap.err" &
rp=$!
wait_ready "$d/scap.err"
sh -c "\"$d/flightreader\" /etc/shadow >/dev/null"
sleep 3   # past capture_duration (2 s) and a chunk flush
kill -INT $rp
wait $rp
rc=$?
rp=
check "capture.format=scap: live exits 0" [ "$rc" -eq 0 ]
s=$(ls "$d"/scap/cap_*.scap 2>/dev/null | head -1)
check "capture.format=scap: one .scap file, no .skr left (got '$(ls "$d/scap" | tr '\n' ' ')')" \
	[ -n "$s" ] && [ "$(ls "$d/scap" | wc -l)" -eq 1 ]
check "capture.format=scap: the conversion is logged" grep -q "^saker-replay: capture: wrote $s (" "$d/scap.err"
check "capture.format=scap: the last line counts the converted window" \
	grep -q "^saker-replay: capture: 1 windows converted to .scap" "$d/scap.err"
n=$($REPLAY -e "$s" -r "$d/rules.yaml" 2>/dev/null | grep -c "shadow read by flightreader")
check "capture.format=scap: replaying the .scap fires the rule once (got $n)" [ "$n" -eq 1 ]
if command -v sysdig >/dev/null 2>&1; then
	sysdig -r "$s" >"$d/sysdig.txt" 2>"$d/sysdig.err"
	src=$?
	check "capture.format=scap: sysdig reads the whole window without an error (exit $src, $(wc -l <"$d/sysdig.txt") lines)" \
		[ "$src" -eq 0 ]
	[ "$src" -eq 0 ] || sed -n '1,5s/^/  sysdig: /p' "$d/sysdig.err"
	sysdig -r "$s" -p '%evt.num %proc.name %evt.type %fd.name' "evt.type in (open,openat) and fd.name=/etc/shadow" \
		>"$d/sysdig_open.txt" 2>/dev/null
	n=$(grep -c ' flightreader ' "$d/sysdig_open.txt")
	check "capture.format=scap: sysdig reads the open of /etc/shadow by flightreader (got $n lines)" [ "$n" -ge 1 ]
	if [ "$n" -lt 1 ]; then
		sed 's/^/  sysdig opens of \/etc\/shadow: /' "$d/sysdig_open.txt"
		grep 'flightreader' "$d/sysdig.txt" | head -5 | cut -c1-200 | sed 's/^/  sysdig: /'
		$REPLAY -e "$s" --print '%evt.num %proc.name %evt.type %fd.name' 'fd.name=/etc/shadow' 2>&1 | sed 's/^/  saker: /'
	fi
else
	skip "capture.format=scap: sysdig is not installed (make deps)"
fi
n=$($REPLAY --live -o capture.enabled=true -o capture.format=pcap -r "$d/rules.yaml" -M 1 2>&1 | grep -c "capture.format: 'pcap' is neither skr nor scap")
check "capture.format: an unknown format is refused with one line" [ "$n" -eq 1 ]
