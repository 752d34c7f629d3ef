#!/bin/sh
# tests/e2e_record.sh: records a scripted workload with saker-record and checks the capture (needs root + BTF).
. "$(dirname "$0")/lib.sh"

if ! need_root; then
	skip "e2e_record: needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	skip "e2e_record: needs python3 for the TCP listener"
	exit 0
fi
[ -x "$RECORD" ] || { fail "e2e_record: $RECORD not built"; exit 1; }

D=$(tmpdir)
LPID=""
cleanup() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	if [ -n "$KEEP" ]; then echo "kept $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT

# wait_for FILE PATTERN: up to ~10 s for PATTERN to appear in FILE
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# A TCP listener that exists before the capture starts (the snapshot must show it).
cat >"$D/listen.py" <<'PY'
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d\n" % (os.getpid(), s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    c.recv(16)
    c.close()
PY
python3 "$D/listen.py" "$D/port" &
LPID=$!
wait_for "$D/port" . || { fail "e2e_record: listener did not start"; exit 1; }
read LPID PORT <"$D/port"

cat >"$D/work.sh" <<EOF
cat "$D/input" >/dev/null
echo hello >"$D/written"
sh -c 'sh -c "/bin/true; :"; :'
python3 -c 'import socket; s=socket.create_connection(("127.0.0.1", $PORT)); s.send(b"x"); s.close()'
rm "$D/written"
mv "$D/input" "$D/renamed"
chmod 640 "$D/renamed"
cat "$D/does-not-exist" 2>/dev/null
"$D/no-such-prog" one two 2>/dev/null
python3 -c 'import os; fd = os.memfd_create("x"); os.write(fd, open("/bin/true", "rb").read()); os.execv("/proc/self/fd/%d" % fd, ["memfdtrue"])'
python3 -c 'import os; os.execve(os.open("/bin/true", os.O_RDONLY), ["fdtrue"], {})'
python3 -c 'import os; fd = os.open("$D/iov", os.O_WRONLY | os.O_CREAT); os.writev(fd, [b"iov-one,", b"", b"iov-two,", b"iov-three"])'
:
EOF
echo data >"$D/input"

"$RECORD" -w "$D/cap.skr" 2>"$D/rec.err" &
RPID=$!
if ! wait_for "$D/rec.err" "recording to"; then
	fail "e2e_record: recorder did not start: $(cat "$D/rec.err")"
	kill "$RPID" 2>/dev/null
	exit 1
fi
sh "$D/work.sh" &
WPID=$!
wait $WPID
sleep 0.5
kill -TERM "$RPID"
wait "$RPID"
rc=$?
check "recorder exits 0 on SIGTERM" [ "$rc" = 0 ]
check "summary line printed" grep -q "events, .* bytes (.* bytes/event)" "$D/rec.err"
check "capture is mode 0600" [ "$(stat -c %a "$D/cap.skr")" = 600 ]

"$RECORD" --dump "$D/cap.skr" >"$D/dump.txt" 2>"$D/dump.err"
check "dump reads the capture" [ $? = 0 ]
check "capture closed cleanly (footer)" grep -q '^complete=1' "$D/dump.txt"

field() { # field LINE NAME
	echo "$1" | tr ' ' '\n' | grep "^$2=" | head -1 | cut -d= -f2-
}
ok_all() { # ok_all VALUE...: every argument non-empty
	for a in "$@"; do [ -n "$a" ] || return 1; done
}

cat_tid=$(grep " execve < res=0 " "$D/dump.txt" | grep "args=$D/input" | grep -o ' tid=[0-9]*' | head -1 | cut -d= -f2)
check "execve of cat recorded" [ -n "$cat_tid" ]
check "cat opened the input read-only" grep -qE "^[0-9]+ [0-9]+ [0-9]+ $cat_tid openat < fd=[0-9]+ dirfd=-100 name=$D/input flags=0x1 " "$D/dump.txt"

w=$(grep -E " (open|openat) < fd=[0-9]+ " "$D/dump.txt" | grep "name=$D/written " | head -1)
fl=$(field "$w" flags)
check "open for write: WRONLY|CREAT|TRUNC|F_CREATED (got $fl)" [ "$fl" = 0x4106 ]

true_line=$(grep " execve < res=0 " "$D/dump.txt" | grep " filename=/bin/true\$" | head -1)
t3=$(field "$true_line" tid); p3=$(field "$true_line" ptid)
l2=$(grep " execve < res=0 " "$D/dump.txt" | grep " tid=$p3 " | grep " exe=sh " | tail -1)
p2=$(field "$l2" ptid)
l1=$(grep " execve < res=0 " "$D/dump.txt" | grep " tid=$p2 " | grep " exe=sh " | tail -1)
p1=$(field "$l1" ptid)
work_line=$(grep " execve < res=0 " "$D/dump.txt" | grep "args=$D/work.sh" | head -1)
w_tid=$(field "$work_line" tid)
check "execve chain sh -> sh -> /bin/true with parent links" ok_all "$t3" "$l2" "$l1" "$w_tid" && [ "$p1" = "$w_tid" ]
check "clone child event for the chain" grep -qE " (clone|clone3|fork|vfork) < res=0 .* tid=$p3 " "$D/dump.txt"
check "clone parent event returns the child tid" grep -qE " (clone|clone3|fork|vfork) < res=$p3 " "$D/dump.txt"
check "trusted exepath of /bin/true" sh -c "echo '$true_line' | grep -q 'trusted_exepath=/usr/bin/true'"

check "connect tuple to the listener" grep -qE " connect < res=0 tuple=127\.0\.0\.1:[0-9]+->127\.0\.0\.1:$PORT fd=[0-9]+ addr=127\.0\.0\.1:$PORT" "$D/dump.txt"
check "accept on the listener's side" grep -qE " accept4? < fd=[0-9]+ tuple=127\.0\.0\.1:[0-9]+->127\.0\.0\.1:$PORT" "$D/dump.txt"
check "unlink of the written file" grep -qE " unlinkat? < res=0 .*$D/written" "$D/dump.txt"
check "rename input -> renamed" grep -qE " rename(at2?)? < res=0 .*$D/input .*$D/renamed" "$D/dump.txt"
check "chmod 640" grep -qE " (fchmodat|chmod) < res=0 .*$D/renamed mode=0640" "$D/dump.txt"
check "failing open returns ENOENT" grep -qE " openat < fd=-2 dirfd=-100 name=$D/does-not-exist " "$D/dump.txt"
check "failed execve carries the argv it was given" grep -qE " execve < res=-2 exe=$D/no-such-prog args=one\\\\x00two\\\\x00 .* filename=$D/no-such-prog\$" "$D/dump.txt"
m=$(grep " execve < res=0 exe=memfdtrue " "$D/dump.txt" | head -1)
mf=$(field "$m" flags)
check "exec from a memfd has EXE_FROM_MEMFD (flags $mf)" [ -n "$mf" ] && [ $((mf & 4)) = 4 ]
check "writev data gathered across every iovec" grep -qE " writev < res=25 data=iov-one,iov-two,iov-three fd=[0-9]+ size=25" "$D/dump.txt"
check "fexecve is recorded as execveat" grep -qE " execveat < res=0 exe=fdtrue " "$D/dump.txt"
check "procexit of /bin/true" grep -qE " $t3 procexit > status=0 " "$D/dump.txt"
check "the recorder's own syscalls are excluded" sh -c "! grep -qE '^[0-9]+ [0-9]+ [0-9]+ $RPID ' '$D/dump.txt'"

check "snapshot lists the listener process" grep -qE "^proc tid=$LPID pid=$LPID " "$D/dump.txt"
check "snapshot lists the listener's socket" grep -qE "^fd pid=$LPID fd=[0-9]+ type=5 l4=2 name=127\.0\.0\.1:$PORT\$" "$D/dump.txt"
check "snapshot has host, users and interfaces" grep -qE '^users=[1-9][0-9]* groups=[1-9][0-9]* ifaces=[1-9]' "$D/dump.txt"
check "per-CPU drop counters stored" grep -qE "^drops cpu=0 events=[1-9]" "$D/dump.txt"

# SAKER_HOSTNAME is stored as the capture's host name
SAKER_HOSTNAME=e2e-host-name "$RECORD" -w "$D/host.skr" -M 1 -q 2>/dev/null
"$RECORD" --dump "$D/host.skr" >"$D/host.txt" 2>&1
check "SAKER_HOSTNAME recorded" grep -q '^host hostname=e2e-host-name ' "$D/host.txt"

# never overwrite, never follow a symlink
"$RECORD" -w "$D/host.skr" -M 1 -q 2>"$D/excl.err"
check "existing file is not overwritten without -f" [ $? != 0 ]
ln -s "$D/target" "$D/link.skr"
"$RECORD" -w "$D/link.skr" -f -M 1 -q 2>/dev/null
check "symlink is not followed" [ ! -e "$D/target" ]

# -w - into the reader
("$RECORD" -w - -M 2 2>"$D/pipe.err" | "$RECORD" --dump - >"$D/pipe.txt" 2>&1) &
PP=$!
wait_for "$D/pipe.err" "recording to"
cat /etc/hostname >/dev/null
wait $PP
check "-w - piped into the reader" grep -qE " openat < fd=[0-9]+ dirfd=-100 name=/etc/hostname " "$D/pipe.txt"

# -c stops after N events
"$RECORD" -w "$D/count.skr" -c 50 -M 10 2>"$D/count.err" &
CP=$!
wait_for "$D/count.err" "recording to"
for i in 1 2 3 4 5 6 7 8 9 10; do cat /etc/hostname >/dev/null; done
wait $CP
n=$("$RECORD" --dump "$D/count.skr" | grep -cE '^[0-9]+ [0-9]+ ')
check "-c 50 keeps 50 events (got $n)" [ "$n" = 50 ]

# rotation by time: -G 1 -W 2 over ~4 s gives exactly two files, reused
"$RECORD" -w "$D/rot.skr" -G 1 -W 2 -M 4 -q 2>"$D/rot.err" &
GP=$!
i=0; while [ $i -lt 35 ]; do cat /etc/hostname >/dev/null; sleep 0.1; i=$((i + 1)); done
wait $GP
check "-G 1 -W 2 keeps two files" [ -f "$D/rot.skr0" ] && [ -f "$D/rot.skr1" ] && [ ! -e "$D/rot.skr2" ] && [ ! -e "$D/rot.skr" ]
ok=1
for f in "$D/rot.skr0" "$D/rot.skr1"; do
	"$RECORD" --dump "$f" >"$D/rot.txt" 2>&1 && grep -q '^complete=1' "$D/rot.txt" && grep -q '^proc ' "$D/rot.txt" || ok=0
done
check "each rotated file is complete and carries a snapshot" [ $ok = 1 ]

# rotation by size: -C 0.02 (20 kB) while exec-heavy work runs
"$RECORD" -w "$D/size.skr" -C 0.02 -M 3 2>"$D/size.err" &
SP=$!
wait_for "$D/size.err" "recording to"
i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done
wait $SP
check "-C 0.02 rotates by size" [ -f "$D/size.skr0" ] && [ -f "$D/size.skr1" ]

# a tiny ring saturates: drops are counted in the summary and the capture
"$RECORD" -w "$D/drop.skr" --ring-kb 4 -M 2 2>"$D/drop.err" &
DP=$!
wait_for "$D/drop.err" "recording to"
dd if=/dev/zero of=/dev/null bs=1 count=300000 2>/dev/null
wait $DP
check "tiny ring: drops reported at exit" grep -qE " [1-9][0-9]* drops \(ring full [1-9]" "$D/drop.err"
"$RECORD" --dump "$D/drop.skr" >"$D/drop.txt" 2>&1
check "tiny ring: drops stored in the capture" grep -qE '^drops cpu=[0-9]+ events=[0-9]+ ring_full=[1-9]' "$D/drop.txt"

# -p follows one process tree only
# the target waits for the recorder to be attached (probe loading is slow on a busy machine)
sh -c 'while [ ! -e "$1" ]; do sleep 0.05; done; cat /etc/hostname; sh -c "cat /etc/passwd >/dev/null; :"' sh "$D/pid.go" >/dev/null &
TP=$!
"$RECORD" -w "$D/pid.skr" -p $TP -M 3 2>"$D/pid.err" &
PR=$!
wait_for "$D/pid.err" "recording to"
touch "$D/pid.go"
cat /etc/group >/dev/null
wait $PR
"$RECORD" --dump "$D/pid.skr" >"$D/pid.txt"
check "-p records the process and its children" grep -q 'name=/etc/passwd' "$D/pid.txt"
check "-p leaves other processes out" sh -c "! grep -q 'name=/etc/group' '$D/pid.txt'"

# -r: the syscall set comes from the rules (plus the state-keeping calls)
if [ -f "$SHARED/peers/rules/falco_rules.yaml" ]; then
	"$RECORD" -w "$D/rules.skr" -M 2 -r "$SHARED/peers/rules/falco_rules.yaml" 2>"$D/rules.err" &
	RR=$!
	wait_for "$D/rules.err" "recording to"
	cat /etc/hostname >/dev/null
	wait $RR
	"$RECORD" --dump "$D/rules.skr" >"$D/rules.txt" 2>&1
	check "-r records what the rules need (openat)" grep -qE " openat < fd=[0-9]+ dirfd=-100 name=/etc/hostname " "$D/rules.txt"
	check "-r leaves out what they do not (read/write)" sh -c "! grep -qE '^[0-9]+ [0-9]+ [0-9]+ [0-9]+ (read|write) ' '$D/rules.txt'"
	"$RECORD" -w "$D/bad.skr" -r "$D/no-such-rules.yaml" 2>"$D/badrules.err"
	r=$?
	check "-r with a missing file fails naming it" [ $r != 0 ] && grep -q "no-such-rules.yaml" "$D/badrules.err"
else
	skip "e2e_record -r: $SHARED/peers/rules/falco_rules.yaml is absent"
fi

# errors are one clear line and a non-zero status
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$RECORD" -w "$D/x.skr" 2>"$D/nr.err"
	r=$?
	check "non-root: non-zero exit and a clear message" [ $r != 0 ] && grep -q 'must run as root' "$D/nr.err"
fi
"$RECORD" -w "$D/y.skr" --syscalls open,nosuchcall 2>"$D/sc.err"
r=$?
check "unknown syscall name is an error naming it" [ $r != 0 ] && grep -q nosuchcall "$D/sc.err"
exit 0
