#!/bin/sh
# bench/packets.sh: saker-record -i at 100k UDP packets/s on a veth pair: bytes/packet of the packet stream and the recorder's CPU, against tcpdump -w on the same load.
# CPU = user + system ticks of the capturing process over the load, as CPU-seconds per second of load.
. bench/lib.sh
RECORD="$B/saker-record"
GEN="$B/bench/bench_pktgen"
RATE=${PKT_RATE:-100000}
SECS=${PKT_SECS:-5}
PAYLOAD=${PKT_PAYLOAD:-100}
if ! is_root_btf || ! command -v tcpdump >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
	skip 9a "packet capture" "needs root, BTF, ip and tcpdump"
	exit 0
fi
[ -x "$RECORD" ] && [ -x "$GEN" ] || { echo "packets: build first (make all)"; exit 1; }
D=$(mktemp -d "${TMPDIR:-/tmp}/saker-bench.XXXXXX")
ns=saker-bpk-$$
cleanup() { ip netns del "$ns" 2>/dev/null; ip link del "sbpk$$a" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
ip netns add "$ns" && ip link add "sbpk$$a" type veth peer name "sbpk$$b" && ip link set "sbpk$$b" netns "$ns" &&
	ip addr add 10.214.0.1/24 dev "sbpk$$a" && ip link set "sbpk$$a" up &&
	ip -n "$ns" addr add 10.214.0.2/24 dev "sbpk$$b" && ip -n "$ns" link set "sbpk$$b" up ||
	{ skip 9a "packet capture" "cannot create a veth pair"; exit 0; }
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

# run_capture NAME CMD...: starts CMD, waits, loads, prints "ticks packets_sent"
run_capture() {
	name=$1; shift
	"$@" 2>"$D/$name.err" &
	pid=$!
	i=0; while [ $i -lt 100 ] && ! grep -q "recording to\|listening on" "$D/$name.err" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	sleep 0.5
	c0=$(cpu_ticks $pid)
	sent=$("$GEN" 10.214.0.2 9 "$RATE" "$SECS" "$PAYLOAD" | awk '{print $2}')
	c1=$(cpu_ticks $pid)
	kill -INT $pid; wait $pid
	echo "$((c1 - c0)) $sent"
}

set -- $(run_capture saker "$RECORD" -w "$D/cap.skr" -i "sbpk$$a" --syscalls execve)
s_ticks=$1; sent=$2
set -- $(run_capture tcpdump tcpdump -i "sbpk$$a" -w "$D/cap.pcap" -n)
t_ticks=$1
# the packet stream's bytes: the SKRP frames of the capture
pk=$(python3 - "$D/cap.skr" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
i, pbytes = 0, 0
while i + 8 <= len(d):
    magic, size = struct.unpack_from('<II', d, i)
    if magic == 0x184D2A55:
        tag = d[i + 8:i + 12]
        if tag == b'SKRP':
            pbytes += 8 + size
        i += 8 + size
        if tag == b'SKRB':
            zlen = struct.unpack_from('<I', d, i - size + 8 + 8)[0]
            i += zlen
    else:
        break
print(pbytes)
PY
)
npk=$(grep -o '[0-9]* packets on' "$D/saker.err" | awk '{print $1}')
pcap_size=$(wc -c <"$D/cap.pcap")
npcap=$(tcpdump -r "$D/cap.pcap" -n 2>/dev/null | wc -l)
s_cpu=$(awk -v t="$s_ticks" -v h="$hz" -v s="$SECS" 'BEGIN{printf "%.3f", t / h / s}')
t_cpu=$(awk -v t="$t_ticks" -v h="$hz" -v s="$SECS" 'BEGIN{printf "%.3f", t / h / s}')
r=$(awk -v a="$s_ticks" -v b="$t_ticks" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "n/a" }')
bpp=$(awk -v a="$pk" -v n="$npk" 'BEGIN{ if (n > 0) printf "%.1f", a / n; else print "n/a" }')
tbpp=$(awk -v a="$pcap_size" -v n="$npcap" 'BEGIN{ if (n > 0) printf "%.1f", a / n; else print "n/a" }')
echo "packets: sent $sent at $RATE/s for $SECS s ($PAYLOAD-byte UDP payloads): saker-record -i captured $npk, $pk bytes of packet frames ($bpp B/packet); tcpdump -w $npcap packets, $tbpp B/packet"
echo "packets: CPU per second of load: saker-record -i $s_cpu CPU-s/s (probe consumer and writer included), tcpdump -w $t_cpu CPU-s/s: ratio $r"
row 9a "packet stream bytes/packet at ${RATE}/s ($PAYLOAD-byte UDP, zstd -3)" "$bpp B" "tcpdump -w $tbpp B" \
	"$(awk -v a="$bpp" -v b="$tbpp" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "n/a" }')" "smaller than pcap" "-"
row 9b "recorder CPU at ${RATE} packets/s (CPU-s per s of load)" "$s_cpu" "tcpdump -w $t_cpu" "$r" "-" "-"
