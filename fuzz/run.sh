#!/bin/sh
# fuzz/run.sh: builds the libFuzzer targets (clang, ASan+UBSan), seeds their corpora and runs each for FUZZ_SECONDS.
#
# Environment: B (build dir, default build/fuzz), FUZZ_SECONDS (per target,
# default 20), FUZZ_TARGETS (space-separated subset, default all), SHARED
# (default ../shared), CLANG (default clang).
# Prints "PASS: fuzz <target>: N executions ..." or "FAIL: ..." per target; a
# crash, leak, hang or sanitizer report is saved under
# tests/fuzz_regressions/<target>/ so tests/test_fuzz_regressions replays it
# in every normal build. Exits 1 when a target failed.
B=${B:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
SHARED=${SHARED:-../shared}
CLANG=${CLANG:-clang}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
TARGETS=${FUZZ_TARGETS:-$(for f in fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)}

CFLAGS="-std=c11 -g -O1 -I. -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
-fno-omit-frame-pointer -fno-sanitize-recover=undefined"
LIBS="-lzstd -lyaml -lz -lpcap -lssl -lcrypto -lnghttp2 -lm -lpthread"
mkdir -p "$B/obj" "$B/corpus" "$B/artifacts" || exit 1

# libFuzzer present? (clang without libclang-rt/libfuzzer cannot link it)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
	>"$B/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined "$B/probe.c" -o "$B/probe" >/dev/null 2>&1; then
	echo "SKIPPED: fuzz: $CLANG cannot link -fsanitize=fuzzer,address,undefined (install clang, libfuzzer-14-dev, libclang-rt-14-dev)"
	exit 0
fi

# 1. Library sources, compiled by clang with coverage and sanitizers. An
# object is rebuilt when its source or any header is newer.
newest_h=$(ls -t $(find json yaml formats fields rules sources replay probe host tests/helpers -name '*.h') 2>/dev/null | head -1)
srcs=$(find json yaml formats fields rules sources replay -name '*.c' ! -name main.c | sort)
# the probe's user-space decoder (not probe.c: it needs libbpf), host/'s container parts (the cgroup ids state uses)
srcs="$srcs host/container_id.c $(ls host/ctr_*.c) $(ls probe/decode*.c) probe/translate.c probe/syscall_table.c tests/helpers/fuzz_entry.c tests/helpers/fuzz_k8saudit.c"
stale=""
objs=""
for c in $srcs; do
	o="$B/obj/$(echo "$c" | sed 's|/|_|g; s|\.c$|.o|')"
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		stale="$stale $c"
	fi
done
if [ -n "$stale" ]; then
	echo "fuzz: compiling$(echo "$stale" | wc -w | sed 's/^/ /') sources with $CLANG"
	export B CLANG CFLAGS
	# shellcheck disable=SC2086
	if ! printf '%s\n' $stale | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 1 sh -c \
		'o="$B/obj/$(echo "$1" | sed "s|/|_|g; s|\.c\$|.o|")"
		$CLANG $CFLAGS -fsanitize=fuzzer-no-link,address,undefined -c "$1" -o "$o" || { rm -f "$o"; exit 255; }' sh; then
		echo "FAIL: fuzz: compiling the sources with $CLANG failed"
		exit 1
	fi
fi
rm -f "$B/libfuzzsaker.a"
# shellcheck disable=SC2086
ar rcs "$B/libfuzzsaker.a" $objs || exit 1

# 2. Corpora: committed seeds, regression inputs, and seeds made from the
# shared peer data (uncompressed .scap, .skr conversions, rules files, and
# the conditions and outputs found in them).
"$CLANG" $CFLAGS -fsanitize=address,undefined tests/tools/scap2skr.c "$B/libfuzzsaker.a" $LIBS \
	-o "$B/scap2skr" || { echo "FAIL: fuzz: building scap2skr"; exit 1; }
extract_key() { # extract_key KEY RULESFILE OUTDIR PREFIX: one file per condition/output value
	awk -v key="$1" -v dir="$3" -v pre="$4" '
	function flush() { if (buf != "") { n++; f = dir "/" pre "-" n; printf "%s", buf > f; close(f) } buf = ""; blk = 0 }
	$0 ~ "^  " key ": *[>|][-+]? *$" { flush(); blk = 1; next }
	blk && /^    / { s = $0; sub(/^ +/, "", s); buf = buf (buf == "" ? "" : " ") s; next }
	blk { flush() }
	$0 ~ "^  " key ": " { flush(); s = $0; sub("^  " key ": *", "", s); buf = s; flush() }
	END { flush() }' "$2"
}
# scap_event_cut FILE: "A B E": bytes [0, A) are the blocks before the first
# process or fd list, [B, E) the first event blocks (about 60 KiB).
scap_event_cut() {
	od -An -tu4 -v "$1" | awk '{ for (i = 1; i <= NF; i++) w[n++] = $i }
	END {
		split("514 515 519 521 528 529 530 531 532 533 536", t, " ")
		for (k in t) tables[t[k]] = 1
		split("516 520 534 535 545 546", t, " ")
		for (k in t) events[t[k]] = 1
		off = 0; a = -1; b = -1
		while (off / 4 + 1 < n) {
			ty = w[off / 4]; len = w[off / 4 + 1]
			if (len < 12 || len % 4) break
			if (a < 0 && ((ty in tables) || (ty in events))) a = off
			if (b < 0 && (ty in events)) b = off
			if (b >= 0 && off + len - b + a > 61440) break
			off += len
		}
		if (a >= 0 && b >= 0 && off > b) print a, b, off
	}'
}
if [ ! -d "$SHARED/peers" ]; then
	echo "fuzz: note: $SHARED/peers is absent; fuzzing from the committed seeds only"
fi
for t in $TARGETS; do
	c="$B/corpus/$t"
	mkdir -p "$c"
	[ -d "fuzz/corpus/$t" ] && cp -f fuzz/corpus/"$t"/* "$c"/ 2>/dev/null
	[ -d "tests/fuzz_regressions/$t" ] && cp -f tests/fuzz_regressions/"$t"/* "$c"/ 2>/dev/null
	[ -f "$c/.seeded" ] && continue
	case $t in
	scap | scap_decode)
		for s in "$SHARED"/peers/scap/*.scap; do
			[ -f "$s" ] || continue
			f="$c/$(basename "$s")"
			gzip -dc "$s" >"$f" 2>/dev/null || cp -f "$s" "$f"
			# The peers' process and fd tables fill the first 64 KiB
			# (-max_len): a second seed drops them and keeps the
			# header blocks and up to ~60 KiB of event blocks.
			set -- $(scap_event_cut "$f")
			[ $# -eq 3 ] && { head -c "$1" "$f"; tail -c +"$(($2 + 1))" "$f" | head -c "$(($3 - $2))"; } \
				>"${f%.scap}.events.scap"
		done
		;;
	skr | skr_decode)
		for s in "$SHARED"/peers/scap/*.scap; do
			[ -f "$s" ] || continue
			"$B/scap2skr" "$s" "$c/$(basename "$s" .scap).skr" 8 >/dev/null 2>&1 || rm -f "$c/$(basename "$s" .scap).skr"
		done
		;;
	rules_yaml)
		for s in "$SHARED"/peers/rules/*.yaml "$SHARED"/peers/falco-tests/rules/*.yaml; do
			[ -f "$s" ] && cp -f "$s" "$c/"
		done
		;;
	cond)
		for s in "$SHARED"/peers/rules/*.yaml; do
			[ -f "$s" ] && extract_key condition "$s" "$c" "$(basename "$s" .yaml)"
		done
		;;
	format)
		for s in "$SHARED"/peers/rules/*.yaml; do
			[ -f "$s" ] && extract_key output "$s" "$c" "$(basename "$s" .yaml)"
		done
		;;
	probe)
		# records of the shapes the probe writes (probe/saker_event.h)
		python3 fuzz/probe_seeds.py "$c" || echo "fuzz: note: probe seeds not written (python3)"
		;;
	k8saudit)
		# audit logs (mode byte 0) and webhook requests (mode byte 0x80)
		for s in "$SHARED"/peers/falco-tests/trace_files/k8s_audit/*.json tests/data/k8s_audit/*.json*; do
			[ -f "$s" ] && { printf '\000'; cat "$s"; } >"$c/$(basename "$s")"
		done
		for s in tests/data/k8s_audit/rules_events.jsonl; do
			[ -f "$s" ] && { printf '\000'; gzip -c "$s"; } >"$c/$(basename "$s").gz"
			[ -f "$s" ] && { printf '\200\007POST /k8s-audit HTTP/1.1\r\nContent-Type: application/json\r\n'
				printf 'Transfer-Encoding: chunked\r\n\r\n40\r\n'; head -c 64 "$s"; printf '\r\n0\r\n\r\n'; } \
				>"$c/chunked.http"
		done
		;;
	config)
		# the shipped configuration (fuzz/corpus/config/ adds overrides and lookups)
		for s in samples/saker.yaml; do
			[ -f "$s" ] && cp -f "$s" "$c/$(echo "$s" | tr / _)"
		done
		;;
	esac
	touch "$c/.seeded"
done

# 3. Link and run each target.
status=0
for t in $TARGETS; do
	bin="$B/fuzz_$t"
	if ! "$CLANG" $CFLAGS -fsanitize=fuzzer,address,undefined "fuzz/fuzz_$t.c" "$B/libfuzzsaker.a" $LIBS \
		-o "$bin"; then
		echo "FAIL: fuzz $t: link failed"
		status=1
		continue
	fi
	art="$B/artifacts/$t"
	rm -rf "$art"
	mkdir -p "$art"
	dict=""
	[ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
	# Whole captures cost ~100 ms each under ASan; their first 64 KiB
	# (headers, process tables, early events) keep short runs productive.
	case $t in
	skr | scap | skr_decode | scap_decode) dict="$dict -max_len=65536" ;;
	esac
	log="$B/fuzz_$t.log"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" $dict "$B/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	found=$(ls "$art" 2>/dev/null)
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		echo "PASS: fuzz $t: ${execs:-?} executions in ${FUZZ_SECONDS}s, ${cov:-cov: ?}, corpus $(ls "$B/corpus/$t" | wc -l) inputs"
		continue
	fi
	status=1
	mkdir -p "tests/fuzz_regressions/$t"
	for a in $found; do
		cp -f "$art/$a" "tests/fuzz_regressions/$t/$a"
	done
	echo "FAIL: fuzz $t: exit $rc after ${execs:-?} executions; saved: ${found:-nothing} (tests/fuzz_regressions/$t/); log $log:"
	grep -E 'ERROR: |SUMMARY: |runtime error:|#[0-9]+ 0x.* in .*'"$top" "$log" | grep -v '/fuzz/fuzz_' | head -20
done
exit $status
