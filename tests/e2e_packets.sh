#!/bin/sh
# tests/e2e_packets.sh: saker-record -i in a network namespace with a veth pair; --pcap-out proc.name=X gives exactly X's packets (tcpdump -r) with X in each comment; a .pcap import; a cut capture; saker-replay --live --interface records the packets into its -w file.
. "$(dirname "$0")/lib.sh"
if ! need_root; then
	skip "packets: needs root and kernel BTF (netns, veth, probe)"
	exit 0
fi
for tool in ip tcpdump python3; do
	command -v $tool >/dev/null 2>&1 || { skip "packets: $tool not installed (make deps)"; exit 0; }
done
t=$(tmpdir)
ns=saker-pk-$$
rec=""
tdp=""
cleanup() {
	[ -n "$rec" ] && kill "$rec" 2>/dev/null
	[ -n "$tdp" ] && kill "$tdp" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	ip link del "skpk$$a" 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
if ! ip netns add "$ns" || ! ip link add "skpk$$a" type veth peer name "skpk$$b" ||
	! ip link set "skpk$$b" netns "$ns" || ! ip addr add 10.213.0.1/24 dev "skpk$$a" ||
	! ip link set "skpk$$a" up || ! ip -n "$ns" addr add 10.213.0.2/24 dev "skpk$$b" ||
	! ip -n "$ns" link set "skpk$$b" up || ! ip -n "$ns" link set lo up; then
	skip "packets: cannot create a network namespace with a veth pair here"
	exit 0
fi
cat >"$t/talk.py" <<'PY'
import socket, sys, time
role, out = sys.argv[1], sys.argv[2]
if role == 'server':
    t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(('10.213.0.2', 7000)); t.listen()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('10.213.0.2', 7001))
    open(out, 'w').write('ready\n')
    for n in range(2):
        c, _ = t.accept(); d = c.recv(100); c.sendall(b'pong:' + d); c.close()
        for i in range(3):
            m, a = u.recvfrom(100); u.sendto(b'ack', a)
else:
    c = socket.create_connection(('10.213.0.2', 7000)); c.sendall(b'ping'); c.recv(100)
    tport = c.getsockname()[1]; c.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(3):
        u.sendto(b'hello', ('10.213.0.2', 7001)); u.recvfrom(100)
    open(out, 'w').write('%d %d\n' % (tport, u.getsockname()[1]))
PY
py=$(python3 -c "import os, sys; print(os.path.realpath(sys.executable))")
for n in pkserver pkone pktwo; do ln -s "$py" "$t/$n"; done
wait_for() {
	i=0
	while [ $i -lt 150 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
"$RECORD" -w "$t/cap.skr" -i "skpk$$a" -M 30 2>"$t/rec.err" &
rec=$!
tcpdump -i "skpk$$a" -w "$t/raw.pcap" -U 2>"$t/tcpdump.err" &
tdp=$!
if ! wait_for "$t/rec.err" "recording to"; then
	fail "packets: the recorder did not start: $(cat "$t/rec.err")"
	exit 0
fi
wait_for "$t/tcpdump.err" "listening" || true
ip netns exec "$ns" "$t/pkserver" "$t/talk.py" server "$t/srv" &
srv=$!
wait_for "$t/srv" ready || { fail "packets: server did not start"; exit 0; }
"$t/pkone" "$t/talk.py" client "$t/one.ports"
"$t/pktwo" "$t/talk.py" client "$t/two.ports"
wait "$srv"
sleep 1.5
kill -INT "$rec"; wait "$rec"; rec=""
kill -INT "$tdp"; wait "$tdp" 2>/dev/null; tdp=""
grep -q " packets on 1 interface" "$t/rec.err" && pass "packets: the recorder counted its packets" ||
	fail "packets: recorder summary: $(cat "$t/rec.err")"

read -r one_t one_u <"$t/one.ports"
read -r two_t two_u <"$t/two.ports"
F1="tcp port $one_t or udp port $one_u"
F2="tcp port $two_t or udp port $two_u"
count() { tcpdump -nr "$1" "${2:-}" 2>/dev/null | wc -l; }
"$REPLAY" -e "$t/cap.skr" --pcap-out "$t/all.pcapng" 2>"$t/all.err" || { fail "packets: --pcap-out: $(cat "$t/all.err")"; exit 0; }
"$REPLAY" -e "$t/cap.skr" --pcap-out "$t/one.pcapng" proc.name=pkone 2>"$t/one.err" ||
	{ fail "packets: --pcap-out proc.name=pkone: $(cat "$t/one.err")"; exit 0; }
n_all_one=$(count "$t/all.pcapng" "$F1")
n_one=$(count "$t/one.pcapng")
n_one_own=$(count "$t/one.pcapng" "$F1")
n_one_tcp=$(count "$t/one.pcapng" "tcp port $one_t")
n_one_udp=$(count "$t/one.pcapng" "udp port $one_u")
n_raw_one=$(count "$t/raw.pcap" "$F1")
# 3-way handshake + data both ways + close: at least 7 TCP packets; 6 UDP
if [ "$n_one" -gt 0 ] && [ "$n_one" = "$n_one_own" ] && [ "$n_one" = "$n_all_one" ] && [ "$n_one" = "$n_raw_one" ] &&
	[ "$n_one_tcp" -ge 7 ] && [ "$n_one_udp" = 6 ]; then
	pass "packets: proc.name=pkone gives exactly its $n_one packets (tcp $n_one_tcp, udp $n_one_udp), as tcpdump saw them"
else
	fail "packets: proc.name=pkone: $n_one written, $n_one_own on its ports, $n_all_one in the capture, $n_raw_one seen by tcpdump (tcp $n_one_tcp, udp $n_one_udp)"
fi
[ "$(count "$t/one.pcapng" "$F2")" = 0 ] && pass "packets: none of pktwo's packets with proc.name=pkone" ||
	fail "packets: pktwo's packets leaked into proc.name=pkone"

# every packet's comment names pkone first, with its pid (pcapng comments read back)
cat >"$t/comments.py" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
i, out = 0, []
while i + 12 <= len(d):
    bt, bl = struct.unpack_from('<II', d, i)
    if bt == 6:
        cap = struct.unpack_from('<I', d, i + 20)[0]
        o = i + 28 + ((cap + 3) & ~3)
        c = ''
        while o + 4 <= i + bl - 4:
            code, ln = struct.unpack_from('<HH', d, o)
            if code == 0:
                break
            if code == 1:
                c = d[o + 4:o + 4 + ln].decode()
            o += 4 + ((ln + 3) & ~3)
        out.append(c)
    i += bl
print('\n'.join(out))
PY
python3 "$t/comments.py" "$t/one.pcapng" >"$t/one.comments"
n_comm=$(grep -c '^proc.name=pkone proc.pid=[0-9]* thread.tid=[0-9]* container.id=' "$t/one.comments")
n_peer=$(grep -c 'peer.proc.name=pkserver' "$t/one.comments")
if [ "$n_comm" = "$n_one" ] && [ "$n_peer" = "$n_one" ]; then
	pass "packets: every comment names pkone (pid, tid, container) and its peer pkserver"
else
	fail "packets: comments: $n_comm of $n_one name pkone, $n_peer its peer: $(head -3 "$t/one.comments")"
fi
if command -v tshark >/dev/null 2>&1; then
	n_ts=$(tshark -r "$t/one.pcapng" -T fields -e frame.comment 2>/dev/null | grep -c 'proc.name=pkone')
	[ "$n_ts" = "$n_one" ] && pass "packets: tshark reads the comments" || fail "packets: tshark saw $n_ts comments of $n_one"
fi

# import: the events without packets (-w keeps only events) beside tcpdump's file
"$REPLAY" -e "$t/cap.skr" -w "$t/nopk.skr" 2>/dev/null
"$REPLAY" -e "$t/nopk.skr" -e "$t/raw.pcap" --pcap-out "$t/imp.pcapng" proc.name=pkone 2>"$t/imp.err"
n_imp=$(count "$t/imp.pcapng")
[ "$n_imp" = "$n_raw_one" ] && [ "$(count "$t/imp.pcapng" "$F1")" = "$n_imp" ] &&
	pass "packets: -e FILE.pcap beside a capture: pkone's $n_imp packets" ||
	fail "packets: import gave $n_imp packets, tcpdump $n_raw_one: $(cat "$t/imp.err")"

# a capture cut short: the packets before the cut, a truncation message, a readable file
# cut 20 bytes into the frame that follows the first packet frame
cut=$(python3 - "$t/cap.skr" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
i, seen = 0, False
while i + 8 <= len(d):
    magic, size = struct.unpack_from('<II', d, i)
    if magic != 0x184D2A55:
        break
    tag = d[i + 8:i + 12]
    if seen:
        print(i + 20)
        break
    i += 8 + size
    if tag == b'SKRB':
        i += struct.unpack_from('<I', d, i - size + 16)[0]
    seen = seen or tag == b'SKRP'
PY
)
head -c "${cut:-0}" "$t/cap.skr" >"$t/cut.skr"
"$REPLAY" -e "$t/cut.skr" --pcap-out "$t/cut.pcapng" 2>"$t/cut.err"
n_cut=$(count "$t/cut.pcapng")
n_all=$(count "$t/all.pcapng")
if grep -q "truncated" "$t/cut.err" && [ "$n_cut" -ge 1 ] && [ "$n_cut" -le "$n_all" ] && tcpdump -nr "$t/cut.pcapng" >/dev/null 2>&1; then
	pass "packets: a cut capture gives its $n_cut packets before the cut and says it was truncated"
else
	fail "packets: cut capture: $n_cut of $n_all packets: $(cat "$t/cut.err")"
fi

# fd.bytes.* / fd.packets.*: pkone's TCP socket sent 4 payload bytes ("ping") and received 9 ("pong:ping");
# the imported file's packets are all read before the first event (a capture's own packet
# frames trail its events by up to a second: docs/packets.md)
"$REPLAY" -e "$t/nopk.skr" -e "$t/raw.pcap" --print '%fd.bytes.out %fd.bytes.in %fd.packets.out %fd.packets.in' \
	"proc.name=pkone and evt.type=close and fd.cport=$one_t" >"$t/counts.txt" 2>"$t/counts.err"
if grep -q '^4 9 [1-9][0-9]* [1-9][0-9]*$' "$t/counts.txt"; then
	pass "packets: fd.bytes.out/in and fd.packets.out/in of pkone's TCP socket: $(head -1 "$t/counts.txt")"
else
	fail "packets: fd.bytes/packets: $(cat "$t/counts.txt" "$t/counts.err" | head -3)"
fi

# saker-replay --live --interface: detection goes on while the -w file gets the packets too
cat >"$t/rules.yaml" <<'R'
- rule: Packets test connect
  desc: pkone connects out
  condition: evt.type=connect and proc.name=pkone
  output: "pkone connected (%fd.name)"
  priority: NOTICE
R
"$REPLAY" --live -r "$t/rules.yaml" -w "$t/live.skr" --interface "skpk$$a" -M 30 >"$t/live.out" 2>"$t/live.err" &
rec=$!
if ! wait_for "$t/live.err" "detecting"; then
	fail "packets: --live --interface did not start: $(cat "$t/live.err")"
	exit 0
fi
rm -f "$t/srv"
ip netns exec "$ns" "$t/pkserver" "$t/talk.py" server "$t/srv" &
srv=$!
wait_for "$t/srv" ready || { fail "packets: server did not start (live)"; exit 0; }
"$t/pkone" "$t/talk.py" client "$t/one.ports"
"$t/pktwo" "$t/talk.py" client "$t/two.ports"
wait "$srv"
sleep 1.5
kill -INT "$rec"; wait "$rec"; rec=""
read -r one_t one_u <"$t/one.ports"
grep -q "pkone connected" "$t/live.out" && pass "packets: --live --interface: the rule fires live" ||
	fail "packets: --live --interface: no alert: $(cat "$t/live.out" "$t/live.err" | tail -3)"
grep -q "^saker-replay: [1-9][0-9]* packets on 1 interface" "$t/live.err" &&
	pass "packets: --live --interface counts its packets" || fail "packets: --live summary: $(tail -3 "$t/live.err")"
"$REPLAY" -e "$t/live.skr" --pcap-out "$t/live_one.pcapng" proc.name=pkone 2>"$t/live_one.err"
n_l=$(count "$t/live_one.pcapng")
n_l_own=$(count "$t/live_one.pcapng" "tcp port $one_t or udp port $one_u")
n_l_udp=$(count "$t/live_one.pcapng" "udp port $one_u")
if [ "$n_l" -ge 13 ] && [ "$n_l" = "$n_l_own" ] && [ "$n_l_udp" = 6 ]; then
	pass "packets: the --live -w file gives pkone's $n_l packets (udp $n_l_udp) with --pcap-out"
else
	fail "packets: --live -w file: $n_l packets for pkone, $n_l_own on its ports, udp $n_l_udp: $(cat "$t/live_one.err")"
fi
n=$("$REPLAY" --interface lo -r "$t/rules.yaml" -e "$t/live.skr" 2>&1 | grep -c -- "--live -w FILE.skr")
[ "$n" = 1 ] && pass "packets: --interface without --live -w is refused with one line" ||
	fail "packets: --interface without --live -w: $n lines"
