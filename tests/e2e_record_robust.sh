#!/bin/sh
# tests/e2e_record_robust.sh: saker-record under SIGKILL, a full disk, and with dropped privileges (needs root + BTF).
. "$(dirname "$0")/lib.sh"

if ! need_root; then
	skip "e2e_record_robust: needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
[ -x "$RECORD" ] && [ -x "$REPLAY" ] || { fail "e2e_record_robust: $RECORD or $REPLAY not built"; exit 1; }

D=$(tmpdir)
chmod 755 "$D"
LOOP=""
RPID=""
MNT=""
cleanup() {
	[ -n "$LOOP" ] && kill "$LOOP" 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	if [ -n "$KEEP" ]; then echo "kept $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT

# A syscall-heavy workload (fork + exec + open per iteration) until killed.
busy_start() {
	sh -c 'while :; do cat /dev/null; : >'"$D"'/busy; done' &
	LOOP=$!
}
busy_stop() {
	kill "$LOOP" 2>/dev/null
	wait "$LOOP" 2>/dev/null
	LOOP=""
}

# events FILE: number of event lines saker-record --dump prints
events() {
	"$RECORD" --dump "$1" 2>/dev/null | grep -cE '^[0-9]+ [0-9]+ [0-9]+ -?[0-9]+ [a-z_0-9]+ [<>]'
}
# replayed FILE: number of events saker-replay reads from FILE
replayed() {
	"$REPLAY" -e "$1" --print '%evt.num' 2>/dev/null | grep -c '^[0-9]'
}
# status_field PID NAME: a /proc/PID/status value (first word)
status_field() {
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status"
}
# wait_size FILE: up to ~10 s for FILE to exist with some bytes
wait_size() {
	i=0
	while [ $i -lt 100 ]; do
		[ -s "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# --- 1. SIGKILL during a busy recording --------------------------------------
busy_start
"$RECORD" -q -w "$D/killed.skr" 2>"$D/killed.err" &
RPID=$!
wait_size "$D/killed.skr"
sleep 3
KILL_NS=$(date +%s%N)
kill -9 "$RPID"
wait "$RPID" 2>/dev/null
RPID=""
busy_stop
"$REPLAY" -e "$D/killed.skr" --print '%evt.num' >"$D/killed.txt" 2>"$D/killed.rerr"
rc=$?
if [ $rc = 0 ] || { [ $rc = 2 ] && grep -qiE 'truncated|no end record' "$D/killed.rerr"; }; then
	pass "SIGKILL: the capture replays (exit $rc)"
else
	fail "SIGKILL: replay exit $rc: $(head -1 "$D/killed.rerr")"
fi
n_dump=$(events "$D/killed.skr")
n_replay=$(grep -c '^[0-9]' "$D/killed.txt")
if [ "$n_dump" -gt 1000 ] && [ "$n_dump" = "$n_replay" ]; then
	pass "SIGKILL: every complete frame replays ($n_replay events)"
else
	fail "SIGKILL: dump has $n_dump events, replay $n_replay"
fi
LAST_NS=$("$RECORD" --dump "$D/killed.skr" 2>/dev/null | grep -E '^[0-9]+ [0-9]+ [0-9]+ -?[0-9]+ [a-z_0-9]+ [<>]' | tail -1 | awk '{print $2}')
if [ -n "$LAST_NS" ]; then
	LOSS_MS=$(( (KILL_NS - LAST_NS) / 1000000 ))
	echo "SIGKILL loss window: ${LOSS_MS} ms (kill time - last recorded event; flush interval 1000 ms)"
	# flush interval 1 s + the consumer's 250 ms hand-over + the writer's 200 ms tick, plus slack
	if [ "$LOSS_MS" -ge 0 ] && [ "$LOSS_MS" -le 2000 ]; then
		pass "SIGKILL: loss window ${LOSS_MS} ms <= 2000 ms"
	else
		fail "SIGKILL: loss window ${LOSS_MS} ms (expected 0..2000)"
	fi
else
	fail "SIGKILL: no event in the capture"
fi

# --- 2. disk full -------------------------------------------------------------
MNT="$D/full"
mkdir "$MNT"
# room for a busy host's start-up metadata and then some events
if mount -t tmpfs -o size=1m tmpfs "$MNT" 2>"$D/mount.err"; then
	busy_start
	timeout 120 "$RECORD" -q -w "$MNT/full.skr" 2>"$D/full.err"
	rc=$?
	busy_stop
	nlines=$(grep -c . "$D/full.err")
	if [ $rc != 0 ] && [ $rc != 124 ] && [ "$nlines" = 1 ] &&
	   grep -q "$MNT/full.skr: .*No space left on device" "$D/full.err"; then
		pass "disk full: exit $rc with one line: $(cat "$D/full.err")"
	else
		fail "disk full: exit $rc, stderr: $(tr '\n' '|' <"$D/full.err")"
	fi
	n_dump=$(events "$MNT/full.skr")
	n_replay=$(replayed "$MNT/full.skr")
	"$REPLAY" -e "$MNT/full.skr" --print '%evt.num' >/dev/null 2>"$D/full.rerr"
	# A capture the disk cut has no END record: replay says so (exit 2, one
	# line), which must not be about an incomplete frame.
	if [ "$n_dump" -gt 0 ] && [ "$n_dump" = "$n_replay" ] &&
	   { ! [ -s "$D/full.rerr" ] || { [ "$(grep -c . "$D/full.rerr")" = 1 ] &&
	     grep -q "no end record after the last complete frame" "$D/full.rerr"; }; }; then
		pass "disk full: the file ends on a complete frame and replays ($n_replay events, $(wc -c <"$MNT/full.skr") bytes)"
	else
		fail "disk full: dump $n_dump events, replay $n_replay, replay said: $(head -1 "$D/full.rerr")"
	fi
	umount "$MNT" && MNT=""
else
	skip "disk full: cannot mount a tmpfs: $(cat "$D/mount.err")"
	MNT=""
fi

# --- 3. privileges ------------------------------------------------------------
# check_privs LABEL PID WANT_CAPEFF WANT_UID
check_privs() {
	i=0
	while [ $i -lt 100 ] && [ "$(status_field "$2" NoNewPrivs)" != 1 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eff=$(status_field "$2" CapEff)
	bnd=$(status_field "$2" CapBnd)
	nnp=$(status_field "$2" NoNewPrivs)
	uid=$(status_field "$2" Uid)
	if [ "$eff" = "$3" ] && [ "$bnd" = "$3" ] && [ "$nnp" = 1 ] && [ "$uid" = "$4" ]; then
		pass "$1: CapEff=$eff CapBnd=$bnd NoNewPrivs=$nnp uid=$uid"
	else
		fail "$1: CapEff=$eff (want $3) CapBnd=$bnd NoNewPrivs=$nnp uid=$uid (want $4)"
	fi
}
NOBODY=$(id -u nobody 2>/dev/null)

busy_start
"$RECORD" -q -w "$D/root.skr" -M 4 2>"$D/root.err" &
RPID=$!
wait_size "$D/root.skr"
sleep 1
check_privs "record: capabilities dropped after attach" "$RPID" 0000000000000000 0
wait "$RPID"
rc=$?
RPID=""
n=$(events "$D/root.skr")
if [ $rc = 0 ] && [ "$n" -gt 0 ]; then pass "record without capabilities: exit 0, $n events"; else fail "record without capabilities: exit $rc, $n events: $(cat "$D/root.err")"; fi

# rotation keeps CAP_DAC_READ_SEARCH (2) and CAP_SYS_PTRACE (19) for the per-file /proc snapshot
"$RECORD" -q -w "$D/rot.skr" -C 0.05 -M 4 2>"$D/rot.err" &
RPID=$!
wait_size "$D/rot.skr0"
sleep 1
check_privs "record -C: only what rotation's snapshot needs" "$RPID" 0000000000080004 0
wait "$RPID"
RPID=""

if [ -n "$NOBODY" ]; then
	"$RECORD" -q -w "$D/nobody.skr" --user nobody -M 4 2>"$D/nobody.err" &
	RPID=$!
	wait_size "$D/nobody.skr"
	sleep 1
	check_privs "record --user nobody" "$RPID" 0000000000000000 "$NOBODY"
	s1=$(wc -c <"$D/nobody.skr")
	wait "$RPID"
	rc=$?
	RPID=""
	s2=$(wc -c <"$D/nobody.skr")
	n=$(events "$D/nobody.skr")
	if [ $rc = 0 ] && [ "$s2" -gt "$s1" ] && [ "$n" -gt 0 ] && "$RECORD" --dump "$D/nobody.skr" | grep -q '^complete=1'; then
		pass "record --user nobody keeps writing its capture ($s1 -> $s2 bytes, $n events, footer written)"
	else
		fail "record --user nobody: exit $rc, $s1 -> $s2 bytes, $n events: $(cat "$D/nobody.err")"
	fi

	# rotation as nobody: later files are created by nobody, so the directory must let it
	mkdir "$D/rootdir"
	chmod 755 "$D/rootdir"
	"$RECORD" -q -w "$D/rootdir/r.skr" -C 0.05 --user nobody -M 2 2>"$D/rootdir.err"
	rc=$?
	if [ $rc != 0 ] && grep -q "nobody cannot create the rotated files in $D/rootdir" "$D/rootdir.err"; then
		pass "record -C --user: refuses a directory the user cannot write: $(cat "$D/rootdir.err")"
	else
		fail "record -C --user in a root-only directory: exit $rc: $(cat "$D/rootdir.err")"
	fi
	mkdir "$D/userdir"
	chown nobody "$D/userdir"
	"$RECORD" -q -w "$D/userdir/r.skr" -C 0.05 --user nobody -M 4 2>"$D/userdir.err"
	rc=$?
	owner1=$(stat -c %U "$D/userdir/r.skr1" 2>/dev/null)
	if [ $rc = 0 ] && [ "$owner1" = nobody ] && [ "$(replayed "$D/userdir/r.skr1")" -gt 0 ]; then
		pass "record -C --user nobody: rotated files created by nobody ($(ls "$D/userdir" | wc -l) files)"
	else
		fail "record -C --user nobody: exit $rc, r.skr1 owner '$owner1': $(cat "$D/userdir.err")"
	fi
else
	skip "record --user: no user 'nobody'"
fi
busy_stop

# saker-replay --live: same drop, -w file opened before it
RULES="$SHARED/peers/rules/falco_rules.yaml"
if [ ! -r "$RULES" ]; then
	skip "live privileges: $RULES absent"
elif [ -n "$NOBODY" ]; then
	"$REPLAY" --live -r "$RULES" -M 4 -w "$D/live.skr" --user nobody >"$D/live.out" 2>"$D/live.err" &
	RPID=$!
	wait_size "$D/live.skr"
	sleep 1
	check_privs "replay --live --user nobody" "$RPID" 0000000000000000 "$NOBODY"
	wait "$RPID"
	rc=$?
	RPID=""
	n=$(replayed "$D/live.skr")
	if [ $rc = 0 ] && [ "$n" -gt 0 ]; then pass "replay --live --user nobody: exit 0, -w capture has $n events"; else fail "replay --live --user nobody: exit $rc, $n events: $(head -3 "$D/live.err")"; fi
	"$REPLAY" --live -r "$RULES" -M 3 >/dev/null 2>"$D/live2.err" &
	RPID=$!
	sleep 2
	check_privs "replay --live: capabilities dropped" "$RPID" 0000000000000000 0
	wait "$RPID"
	RPID=""
fi
