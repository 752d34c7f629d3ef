#!/bin/sh
# tests/e2e_decode_threads.sh: saker-replay gives byte-identical alerts, events, errors and -w --from/--to output with .skr frames decoded on its own thread (--decode-threads 0) and ahead on workers (1, 2).
# Inputs: every peer .scap converted to .skr by tests/tools/scap2skr.c with
# small frames (many frame boundaries, each a hand-over between threads),
# the sample capture, and damaged copies of them (cut, one byte changed).
. tests/lib.sh
if [ ! -x "$REPLAY" ]; then
	skip "decode threads: $REPLAY is not built"
	exit 0
fi
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT

flags="-std=c11 -O1 -g -D_GNU_SOURCE -I."
[ "${SANITIZE:-0}" = 1 ] && flags="$flags -fsanitize=address,undefined -fno-omit-frame-pointer"
# shellcheck disable=SC2086
if ! ${CC:-cc} $flags tests/tools/scap2skr.c "$B/libformats_skr.a" "$B/libformats_scap.a" "$B/libformats.a" -lzstd -lz -lm -o "$t/scap2skr"; then
	fail "decode threads: building tests/tools/scap2skr.c"
	exit 0
fi

R="$SHARED/peers/rules"
RULES=""
if [ -r "$R/falco_rules.yaml" ] && [ -r "$R/falco-incubating_rules.yaml" ] && [ -r "$R/falco-sandbox_rules.yaml" ]; then
	RULES="-r $R/falco_rules.yaml -r $R/falco-incubating_rules.yaml -r $R/falco-sandbox_rules.yaml"
else
	skip "decode threads: upstream rules not found under $R (the sample rules only)"
	RULES="-r samples/saker_rules.local.yaml"
fi
PRINT='%evt.num %evt.rawtime %evt.type %evt.dir %thread.tid %proc.name %proc.cmdline %fd.name %evt.res %evt.args'

caps=""
if [ -d "$SHARED/peers/scap" ]; then
	for s in "$SHARED"/peers/scap/*.scap; do
		n=$(basename "$s" .scap)
		if "$t/scap2skr" "$s" "$t/$n.skr" 16 >/dev/null 2>"$t/conv.err"; then
			caps="$caps $t/$n.skr"
		else
			fail "decode threads: converting $n.scap: $(head -1 "$t/conv.err")"
		fi
	done
else
	skip "decode threads: $SHARED/peers/scap is absent (the sample capture only)"
fi
caps="$caps samples/captures/attack.skr"

# run NAME THREADS ARGS...: stdout, stderr and the exit code into $t/NAME.THREADS
run() {
	name=$1 th=$2
	shift 2
	"$REPLAY" --decode-threads "$th" "$@" >"$t/$name.$th.out" 2>"$t/$name.$th.err"
	echo "exit $?" >>"$t/$name.$th.err"
}

# same NAME WHAT: the runs with 1 and 2 workers equal the one without.
same() {
	if grep -l 'runtime error\|Sanitizer' "$t/$1".[012].err >/dev/null 2>&1; then
		fail "decode threads: $2: a sanitizer report: $(grep -h 'runtime error\|Sanitizer' "$t/$1".[012].err | head -1)"
		return 1
	fi
	for th in 1 2; do
		if ! cmp -s "$t/$1.0.out" "$t/$1.$th.out" || ! cmp -s "$t/$1.0.err" "$t/$1.$th.err"; then
			fail "decode threads: $2: --decode-threads $th differs from 0"
			diff "$t/$1.0.out" "$t/$1.$th.out" | head -5
			diff "$t/$1.0.err" "$t/$1.$th.err" | head -5
			return 1
		fi
	done
	return 0
}

ncaps=0 alerts=0 events=0 bad=0
for c in $caps; do
	n=$(basename "$c" .skr)
	for th in 0 1 2; do
		# shellcheck disable=SC2086
		run "$n.rules" "$th" $RULES -e "$c"
		run "$n.print" "$th" -e "$c" --print "$PRINT"
	done
	same "$n.rules" "$n with the upstream rules" || bad=$((bad + 1))
	same "$n.print" "$n, every event printed" || bad=$((bad + 1))
	ncaps=$((ncaps + 1))
	alerts=$((alerts + $(wc -l <"$t/$n.rules.0.out")))
	events=$((events + $(wc -l <"$t/$n.print.0.out")))
done
if [ "$bad" -eq 0 ] && [ "$events" -gt 0 ]; then
	pass "decode threads: $ncaps captures, $events events printed and $alerts lines of alerts and summary identical with 0, 1 and 2 decode threads"
else
	fail "decode threads: $bad of $((ncaps * 2)) comparisons differ ($events events)"
fi

# Damaged copies of the biggest capture: cut at 150 points, and 40 single
# bytes changed: the same alerts before the same error message.
big=$(ls -S $caps | head -1)
size=$(wc -c <"$big")
bad=0 cuts=0 errs=0
step=$((size / 150 + 1))
off=1
while [ "$off" -lt "$size" ]; do
	head -c "$off" "$big" >"$t/cut.skr"
	for th in 0 1 2; do run cut "$th" -e "$t/cut.skr" --print "$PRINT"; done
	same cut "$(basename "$big") cut at $off" || bad=$((bad + 1))
	grep -q "exit 2" "$t/cut.0.err" && errs=$((errs + 1))
	cuts=$((cuts + 1))
	off=$((off + step))
done
if [ "$bad" -eq 0 ] && [ "$errs" -eq "$cuts" ]; then
	pass "decode threads: $(basename "$big") cut at $cuts points: the same events and 'truncated' errors with 0, 1 and 2 decode threads"
else
	fail "decode threads: $(basename "$big") cuts: $bad of $cuts differ, $errs of them failed"
fi
bad=0 errs=0
for k in $(awk -v n=40 -v hi="$size" 'BEGIN { srand(19); for (i = 0; i < n; i++) print 64 + int(rand() * (hi - 64)) }'); do
	cp "$big" "$t/bad.skr"
	printf '\377' | dd of="$t/bad.skr" bs=1 seek="$k" conv=notrunc 2>/dev/null
	for th in 0 1 2; do
		# shellcheck disable=SC2086
		run bad "$th" $RULES -e "$t/bad.skr"
	done
	same bad "$(basename "$big") byte $k damaged" || bad=$((bad + 1))
	grep -q "exit 0" "$t/bad.0.err" || errs=$((errs + 1))
done
if [ "$bad" -eq 0 ] && [ "$errs" -gt 20 ]; then
	pass "decode threads: $(basename "$big") with one damaged byte, 40 times ($errs errors): the same alerts and messages with 0, 1 and 2 decode threads"
else
	fail "decode threads: damaged $(basename "$big"): $bad of 40 differ, $errs errors"
fi

# Seeking: -w with --from/--to writes the same capture.
first=$("$REPLAY" -e "$big" --print '%evt.rawtime' | sed -n '1p')
last=$("$REPLAY" -e "$big" --print '%evt.rawtime' | tail -1)
from=$((first + (last - first) / 3))
to=$((first + 2 * (last - first) / 3))
for th in 0 1 2; do
	rm -f "$t/w.skr"
	run w "$th" -e "$big" -w "$t/w.skr" --from "$from" --to "$to"
	"$REPLAY" -e "$t/w.skr" --print "$PRINT" >"$t/w.$th.out" 2>>"$t/w.$th.err"
done
n=$(wc -l <"$t/w.0.out")
if same w "-w --from --to" && [ "$n" -gt 0 ] && grep -q "exit 0" "$t/w.0.err"; then
	pass "decode threads: -w --from $from --to $to: the same $n events with 0, 1 and 2 decode threads"
else
	fail "decode threads: -w --from --to: $n events: $(head -1 "$t/w.0.err")"
fi
