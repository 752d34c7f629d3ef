#!/bin/sh
# tests/e2e_truncation.sh: captures cut at every frame boundary and at random points: exit 2, a "truncated at byte N" message, the alerts of every complete frame.
# .skr: made from peer .scap files by tests/tools/scap2skr.c (16 events per
# frame, boundaries listed with the events they complete). A cut anywhere
# before the END record must be reported. .scap has no end marker: a cut at a
# block boundary looks like a complete file (as for sysdig), so only cuts
# inside blocks are reported; they must give the alerts of the cut at the
# start of the same block.
. tests/lib.sh
SEED=${TRUNC_SEED:-20240607}
RANDOM_CUTS=${TRUNC_RANDOM:-12}
SCAP_SAMPLES=${TRUNC_SCAP_SAMPLES:-12}
if [ ! -x "$REPLAY" ]; then
	skip "truncation: $REPLAY is not built"
	exit 0
fi
if [ ! -d "$SHARED/peers/scap" ]; then
	skip "truncation: $SHARED/peers/scap is absent"
	exit 0
fi
t=$(tmpdir)
[ -n "$TRUNC_KEEP" ] || trap 'rm -rf "$t"' EXIT

flags="-std=c11 -O1 -g -D_GNU_SOURCE -I."
[ "${SANITIZE:-0}" = 1 ] && flags="$flags -fsanitize=address,undefined -fno-omit-frame-pointer"
# shellcheck disable=SC2086
if ! ${CC:-cc} $flags tests/tools/scap2skr.c "$B/libformats_skr.a" "$B/libformats_scap.a" "$B/libformats.a" -lzstd -lz -lm -o "$t/scap2skr"; then
	fail "truncation: building tests/tools/scap2skr.c"
	exit 0
fi
cat >"$t/rules.yaml" <<'EOF'
- rule: every event
  desc: alert on every event, so the alerts list the events replayed
  condition: evt.num > 0
  output: "n=%evt.num %evt.type %proc.name %fd.name"
  priority: WARNING
EOF

# .skr captures are read both ways: frames decoded on the replay's thread,
# and ahead on a worker (the same alerts, errors and messages are expected).
DECODE=""
# replay FILE OUT: alert lines into OUT, stderr into OUT.err; prints the exit code.
replay() {
	# shellcheck disable=SC2086
	"$REPLAY" $DECODE -r "$t/rules.yaml" -e "$1" >"$2.all" 2>"$2.err"
	rc=$?
	grep ': Warning n=' "$2.all" >"$2"
	echo "$rc"
}

# alerts_upto N: the full run's alerts of events numbered <= N (replay numbers
# the events it reads from 1, so these are the alerts of the first N events).
alerts_upto() {
	awk -v max="$1" '{ for (i = 1; i <= NF; i++) if ($i ~ /^n=/) { n = substr($i, 3) + 0; break } }
		n <= max' "$t/full"
}

# random_points SEED COUNT LO HI: COUNT offsets in (LO, HI).
random_points() {
	awk -v seed="$1" -v n="$2" -v lo="$3" -v hi="$4" \
		'BEGIN { srand(seed); for (i = 0; i < n; i++) print lo + 1 + int(rand() * (hi - lo - 1)) }'
}

check_skr() {
	name=$1
	skr="$t/$name.skr"
	"$t/scap2skr" "$SHARED/peers/scap/$name.scap" "$skr" 16 "$t/bounds" || { fail "truncation: converting $name.scap"; return; }
	size=$(wc -c <"$skr")
	rc=$(replay "$skr" "$t/full")
	nfull=$(wc -l <"$t/full")
	if [ "$rc" -ne 0 ] || [ "$nfull" -eq 0 ]; then
		fail "truncation: $name.skr whole: exit $rc, $nfull alerts"
		return
	fi
	bad=0
	cuts=0
	# Every frame boundary (the header and start-up metadata included).
	while read -r off events _; do
		[ "$off" -ge "$size" ] && continue
		cuts=$((cuts + 1))
		head -c "$off" "$skr" >"$t/cut.skr"
		rc=$(replay "$t/cut.skr" "$t/cut")
		alerts_upto "$events" >"$t/want"
		if [ "$rc" -ne 2 ] || ! grep -q "cut.skr: truncated at byte $off" "$t/cut.err" ||
			! cmp -s "$t/cut" "$t/want"; then
			echo "  boundary $off ($events events): exit $rc, $(wc -l <"$t/cut") alerts, want $(wc -l <"$t/want"): $(head -1 "$t/cut.err")"
			bad=$((bad + 1))
		fi
	done <"$t/bounds"
	# Random points inside frames: the alerts of the frames before the cut.
	first=$(head -1 "$t/bounds" | cut -d' ' -f1)
	last=$(tail -1 "$t/bounds" | cut -d' ' -f1)
	for off in $(random_points "$SEED" "$RANDOM_CUTS" "$first" "$last"); do
		events=$(awk -v o="$off" '$1 < o { e = $2 } END { print e + 0 }' "$t/bounds")
		cuts=$((cuts + 1))
		head -c "$off" "$skr" >"$t/cut.skr"
		rc=$(replay "$t/cut.skr" "$t/cut")
		alerts_upto "$events" >"$t/want"
		if [ "$rc" -ne 2 ] || ! grep -q "cut.skr: truncated at byte $off" "$t/cut.err" ||
			! cmp -s "$t/cut" "$t/want"; then
			echo "  inside at $off: exit $rc, $(wc -l <"$t/cut") alerts, want $(wc -l <"$t/want"): $(head -1 "$t/cut.err")"
			bad=$((bad + 1))
		fi
	done
	# Inside the file header: nothing to replay, still a clear message.
	head -c 10 "$skr" >"$t/cut.skr"
	rc=$(replay "$t/cut.skr" "$t/cut")
	cuts=$((cuts + 1))
	if [ "$rc" -ne 2 ] || ! grep -q "cut.skr" "$t/cut.err" || [ "$(wc -l <"$t/cut.err")" -ne 1 ]; then
		echo "  header cut: exit $rc: $(cat "$t/cut.err")"
		bad=$((bad + 1))
	fi
	if [ "$bad" -eq 0 ]; then
		pass "truncation: $name.skr ($size bytes, $nfull alerts) cut at $cuts points (every frame boundary, $RANDOM_CUTS random, seed $SEED; $DECODE)"
	else
		fail "truncation: $name.skr: $bad of $cuts cuts wrong (seed $SEED; $DECODE)"
	fi
}

# Event blocks of an uncompressed .scap: "START END" per line, from one od
# pass (blocks are 4-byte aligned, so word i is at byte 4*i).
scap_event_blocks() {
	od -An -tu4 -v "$1" | awk '{ for (i = 1; i <= NF; i++) w[n++] = $i }
	END {
		split("516 520 534 535 545 546 2148580813", ev, " ")
		for (k in ev) is_ev[ev[k]] = 1
		off = 0
		while (off / 4 + 1 < n) {
			len = w[off / 4 + 1]
			if (len < 12 || len % 4) break
			if (w[off / 4] in is_ev) print off, off + len
			off += len
		}
	}'
}

check_scap() {
	name=$1
	scap="$t/$name.scap"
	gzip -dc "$SHARED/peers/scap/$name.scap" >"$scap" 2>/dev/null || cp "$SHARED/peers/scap/$name.scap" "$scap"
	size=$(wc -c <"$scap")
	rc=$(replay "$scap" "$t/full")
	nfull=$(wc -l <"$t/full")
	if [ "$rc" -ne 0 ] || [ "$nfull" -eq 0 ]; then
		fail "truncation: $name.scap whole: exit $rc, $nfull alerts"
		return
	fi
	scap_event_blocks "$scap" >"$t/blocks"
	nblocks=$(wc -l <"$t/blocks")
	stride=$((nblocks / SCAP_SAMPLES + 1))
	bad=0
	cuts=0
	got=0
	# Sampled event blocks: a cut in the middle must give the alerts of the
	# cut at the block's start, and those are the full run's first ones.
	awk -v s="$stride" 'NR % s == 1' "$t/blocks" >"$t/sample"
	while read -r start end; do
		head -c "$start" "$scap" >"$t/cut.scap"
		rc0=$(replay "$t/cut.scap" "$t/start")
		c=$(((start + end) / 2))
		cuts=$((cuts + 1))
		head -c "$c" "$scap" >"$t/cut.scap"
		rc=$(replay "$t/cut.scap" "$t/cut")
		n=$(wc -l <"$t/cut")
		got=$((got + n))
		if [ "$rc" -ne 2 ] || [ "$rc0" -eq 1 ] || ! grep -q "cut.scap: truncated at byte $c" "$t/cut.err" ||
			! cmp -s "$t/cut" "$t/start" || ! head -n "$n" "$t/full" | cmp -s - "$t/cut"; then
			echo "  inside the block at $start, at $c: exit $rc, $n alerts, $(wc -l <"$t/start") at its start: $(head -1 "$t/cut.err")"
			bad=$((bad + 1))
		fi
	done <"$t/sample"
	if [ "$bad" -eq 0 ] && [ "$cuts" -gt 0 ] && [ "$got" -gt 0 ]; then
		pass "truncation: $name.scap ($size bytes, $nblocks event blocks, $nfull alerts) cut inside $cuts event blocks ($got alerts in all)"
	else
		fail "truncation: $name.scap: $bad of $cuts cuts wrong, $got alerts in all"
	fi
	# A cut gzip file keeps what decompressed: cut at 95%, inside the events.
	gz="$SHARED/peers/scap/$name.scap"
	if gzip -t "$gz" 2>/dev/null; then
		gzsize=$(wc -c <"$gz")
		head -c $((gzsize * 95 / 100)) "$gz" >"$t/cut.scap"
		rc=$(replay "$t/cut.scap" "$t/cut")
		n=$(wc -l <"$t/cut")
		if [ "$rc" -eq 2 ] && [ "$n" -gt 0 ] && [ "$n" -lt "$nfull" ] &&
			grep -q "cut.scap: truncated at byte [0-9]* of the decompressed data (the gzip stream is cut" "$t/cut.err" &&
			head -n "$n" "$t/full" | cmp -s - "$t/cut"; then
			pass "truncation: $name.scap gzip cut at 95%: exit 2, the first $n of $nfull alerts"
		else
			fail "truncation: $name.scap gzip cut at 95%: exit $rc, $n alerts: $(head -1 "$t/cut.err")"
		fi
	fi
}

for threads in 0 1; do
	DECODE="--decode-threads $threads"
	for name in ${TRUNC_SKR:-cat_write connect_localhost}; do
		check_skr "$name"
	done
done
DECODE=""
for name in ${TRUNC_SCAP:-connect_localhost cat_write}; do
	check_scap "$name"
done
