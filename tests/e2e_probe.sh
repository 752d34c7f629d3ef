#!/bin/sh
# tests/e2e_probe.sh: the probe's verifier headroom (every program far below the 1M-instruction limit) and the parameters it records that need care: flags, queues, names, masks, reapers, execveat, ia32 calls (root + BTF).
. "$(dirname "$0")/lib.sh"

if ! need_root; then
	skip "e2e_probe: needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
[ -x "$RECORD" ] || { fail "e2e_probe: $RECORD not built"; exit 1; }
D=$(tmpdir)
trap 'rm -rf "$D"' EXIT

# ---- headroom: no program may use more than 20% of the verifier's 1,000,000 instructions
LIMIT=200000
if ! "$RECORD" --probe-stats >"$D/stats.txt" 2>"$D/stats.err"; then
	fail "--probe-stats loads and attaches the probe: $(tail -3 "$D/stats.err" | tr '\n' ' ')"
else
	cat "$D/stats.txt"
	pass "--probe-stats loads and attaches the probe"
	n=$(awk '/^sk_/ {n++} END {print n + 0}' "$D/stats.txt")
	check "--probe-stats lists the dispatcher and the syscall programs ($n)" [ "$n" -ge 20 ]
	if awk '/^sk_/ && $2 == 0 {z = 1} END {exit !z}' "$D/stats.txt"; then
		skip "verifier headroom: this kernel does not report verified_insns (before 5.16)"
	else
		over=$(awk -v lim=$LIMIT '/^sk_/ && $2 > lim {printf("%s=%s ", $1, $2)}' "$D/stats.txt")
		max=$(awk '/^sk_/ && $2 > m {m = $2; p = $1} END {print p "=" m}' "$D/stats.txt")
		check "every program verifies in under $LIMIT instructions (largest: $max)${over:+; over: $over}" [ -z "$over" ]
	fi
	check "the dispatcher is tiny (under 200 verified instructions)" \
		awk '$1 == "sk_sys_exit" && $2 > 0 && $2 < 200 {ok = 1} END {exit !ok}' "$D/stats.txt"
fi

# ---- parameters
if ! ${CC:-cc} -O2 -o "$D/probe_calls" tests/tools/probe_calls.c 2>"$D/cc.err"; then
	fail "e2e_probe: building tests/tools/probe_calls.c: $(head -3 "$D/cc.err")"
	exit 1
fi
# capture NAME [RECORDER-OPTION...] -- COMMAND...: records while COMMAND runs into $D/NAME.skr
# (stderr in NAME.err, dump in NAME.txt); returns the recorder's exit status
capture() {
	name=$1; shift
	opts=""
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	shift
	: >"$D/$name.err"
	# shellcheck disable=SC2086
	"$RECORD" -v $opts -w "$D/$name.skr" 2>"$D/$name.err" &
	rp=$!
	wait_for "$D/$name.err" "recording to"
	"$@"
	sleep 0.5
	kill -INT $rp
	wait $rp
	st=$?
	"$RECORD" --dump "$D/$name.skr" >"$D/$name.txt"
	return $st
}

capture cap -- sh -c "'$D/probe_calls' '$D' ia32 >'$D/calls.out'"
check "recorder exits 0" [ $? = 0 ]
P=$(grep -a " execve < res=0 exe=$D/probe_calls " "$D/cap.txt" | head -1 | sed 's/.* tid=\([0-9]*\) .*/\1/')
check "the workload's exec is recorded" [ -n "$P" ]
# has TID EVENT PATTERN: the capture has an EVENT ("socket <") of thread TID whose line matches PATTERN
has() { grep -a -E "^[0-9]+ [0-9]+ [0-9]+ $1 $2 " "$D/cap.txt" | grep -q -- "$3"; }

check "socket flags: SOCK_NONBLOCK|SOCK_CLOEXEC recorded as 0x1040" has "$P" "socket <" " domain=2 type=526337 proto=0 flags=0x1040\$"
check "accept4: queue of the listening socket (1 of 7 waiting) and flags" has "$P" "accept4 <" " queuepct=14 queuelen=1 queuemax=7 flags=4096\$"
check "prctl PR_SET_NAME: arg2_str is the name" has "$P" "prctl <" " option=15 arg2_str=saker-pr-name arg2_int=0\$"
check "prctl PR_GET_CHILD_SUBREAPER: arg2_int is the value read back" has "$P" "prctl <" " option=37 arg2_str=<NA> arg2_int=1\$"
check "signalfd4: mask (SIGUSR1|SIGTERM) and flags" has "$P" "signalfd4 <" " flags=0x1040 fd=-1 mask=16896\$"
MID=$(grep -a " prctl < res=0 option=15 arg2_str=saker-mid " "$D/cap.txt" | awk '{print $4}' | head -1)
check "procexit: reaper_tid is the subreaper ancestor" has "${MID:-x}" "procexit >" " reaper_tid=$P\$"
grep -a -E " (clone|clone3|fork|vfork) < res=0 .* ptid=$P " "$D/cap.txt" | grep -q " pidns_init_start_ts=[1-9]"
check "clone child: pidns_init_start_ts set" [ $? = 0 ]
if grep -q "execveat entry mark not attached" "$D/cap.err"; then
	skip "execveat(AT_FDCWD) told from execve: $(grep 'execveat entry mark' "$D/cap.err")"
else
	grep -a -q " execveat < res=0 exe=saker-execveat " "$D/cap.txt"
	check "execveat(AT_FDCWD, path) is recorded as execveat, not execve" [ $? = 0 ]
	# exported to .scap, sysdig 0.29 reads it (it resolves the synthesised enter's pathname
	# against its dirfd, and crashed on an empty one)
	if command -v sysdig >/dev/null 2>&1; then
		"$REPLAY" -e "$D/cap.skr" -w "$D/cap.scap" 2>"$D/scap.err" &&
			sysdig -r "$D/cap.scap" -p '%evt.dir %evt.args' evt.type=execveat >"$D/sysdig.txt" 2>>"$D/scap.err"
		check "sysdig reads the exported execveat (enter: AT_FDCWD and the exe path)" \
			grep -q '^> dirfd=-100(AT_FDCWD) pathname=/' "$D/sysdig.txt"
	else
		skip "exported execveat read by sysdig: sysdig is not installed"
	fi
fi
# without the mark the same exec reads as execve: the mark is what tells them apart
capture nomark --no-execveat-mark -- "$D/probe_calls" "$D"
grep -q "execveat entry mark off (--no-execveat-mark)" "$D/nomark.err" &&
	grep -a -q " execve < res=0 exe=saker-execveat " "$D/nomark.txt"
check "--no-execveat-mark: -v says so, and execveat(AT_FDCWD, path) reads as execve" [ $? = 0 ]
if grep -q no-ia32 "$D/calls.out"; then
	skip "ia32 syscalls: this kernel runs no 32-bit syscalls (IA32_EMULATION off)"
else
	check "ia32 open: translated, path and flags read from the 32-bit registers" has "$P" "open <" " name=$D/ia32-file flags=0x4106 mode=384 "
	check "ia32 write: data" has "$P" "write <" " res=9 data=ia32-one, "
	check "ia32 writev: data gathered across 32-bit iovec entries" has "$P" "writev <" " res=17 data=ia32-one,ia32-two "
	check "ia32 socket: direct call translated" has "$P" "socket <" " domain=10 type=2 proto=0 "
	check "ia32 socketcall(SYS_SOCKET): recorded as socket with the arguments from its array" has "$P" "socket <" " domain=1 type=1 proto=0 "
fi
exit 0
