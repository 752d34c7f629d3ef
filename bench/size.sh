#!/bin/sh
# bench/size.sh: bytes/event of .skr at zstd levels 1/3/9, and in 1 s chunks as the recorder writes them, vs .scap and .scap.gz of the same events (measure 4).
# .scap is what sysdig 0.29 reads (enter + exit blocks); .scap.gz is it through gzip -6 (zlib's default,
# the level sysdig -z uses). Inputs: the synthetic workload, the committed sample recording, and the
# build recorded by record_overhead.sh when it ran (root only).
. bench/lib.sh
N=${BENCH_SIZE_EVENTS:-1000000}
GEN=$B/bench/bench_gen_capture
SIZE=$B/bench/bench_size
for f in "$GEN" "$SIZE"; do
	[ -x "$f" ] || { echo "size: $f missing (make all)"; exit 1; }
done
D=$BENCH_DATA/size
rm -rf "$D"
mkdir -p "$D"
trap 'rm -rf "$D"' EXIT

measure() { # ID_SUFFIX LABEL CAPTURE
	s=$("$SIZE" "$3" "$D") || { echo "size: $3 failed"; return; }
	echo "size ($2): $s"
	n=$(field events "$s")
	scap=$(field scap "$s")
	gz=""
	if command -v gzip >/dev/null 2>&1; then
		gz=$(gzip -6 -c "$D/c.scap" | wc -c | awk -v n="$n" '{ printf("%.2f", $1 / n) }')
	fi
	for l in 1 3 9; do
		v=$(field "skr$l" "$s")
		if [ -n "$gz" ]; then
			verdict=MISSED
			awk -v a="$v" -v b="$gz" 'BEGIN { exit !(a <= b / 3) }' && verdict=met
			row "4$1$l" "bytes/event, $2, .skr zstd -$l ($n events)" "$v B" ".scap $scap B, .scap.gz $gz B" \
				"$(ratio "$v" "$gz" 3) of .scap.gz ($(ratio "$v" "$scap" 3) of .scap)" "<= 0.333x of .scap.gz" "$verdict"
		else
			row "4$1$l" "bytes/event, $2, .skr zstd -$l ($n events)" "$v B" ".scap $scap B" \
				"$(ratio "$v" "$scap" 3) of .scap" "-" "skipped .scap.gz: no gzip"
		fi
	done
	# as saker-record writes it: a chunk a second, later chunks using a key chunk as their zstd
	# dictionary (rec3), against the same chunks made independent (rec3i); issue 19 asks for <= 5 B
	rec=$(field rec3 "$s")
	reci=$(field rec3i "$s")
	# (the target is for real recordings, not the synthetic stream)
	target="<= 5 B/event" verdict=MISSED
	awk -v a="$rec" 'BEGIN { exit !(a <= 5) }' && verdict=met
	[ "$1" = a ] && target="-" verdict="-"
	row "4$1r" "bytes/event, $2, .skr zstd -3 in 1 s chunks as recorded ($n events)" "$rec B" \
		"independent chunks $reci B" "$(ratio "$rec" "$reci" 3) of independent" "$target" "$verdict"
	rm -f "$D"/*
}

"$GEN" -n "$N" "skr:3:$D/synthetic.skr" >/dev/null || { echo "size: generator failed"; exit 1; }
mv "$D/synthetic.skr" "$BENCH_DATA/size_synthetic.skr"
measure a "synthetic workload" "$BENCH_DATA/size_synthetic.skr"
rm -f "$BENCH_DATA/size_synthetic.skr"
if [ -r samples/captures/attack.skr ]; then
	measure b "recorded sample (samples/captures/attack.skr)" samples/captures/attack.skr
fi
if [ -s "$BENCH_DATA/recorded_build.skr" ]; then
	measure c "recorded compile loop (record_overhead)" "$BENCH_DATA/recorded_build.skr"
else
	echo "SKIPPED: size of a recorded build: record_overhead.sh did not record one (needs root)"
fi
