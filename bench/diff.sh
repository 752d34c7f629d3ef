#!/bin/sh
# bench/diff.sh: `saker-replay diff` (two rule sets on one pass) against a single-ruleset replay of the same capture with the upstream rules (goal >= 0.6x its speed).
# Uses the capture bench/replay_rate.sh generates (BENCH_EVENTS events), or the bundled sample when it is missing.
. bench/lib.sh
N=${BENCH_EVENTS:-5000000}
CAP=$BENCH_DATA/big.skr
RUN=$B/bench/bench_run
RULES=${SHARED:-../shared}/peers/rules/falco_rules.yaml
if [ ! -s "$CAP" ]; then
	CAP=samples/captures/attack.skr
	N="the sample capture's"
fi
if [ ! -x "$RUN" ] || [ ! -f "$RULES" ]; then
	skip 1g "diff vs single replay" "$RUN or $RULES missing"
	exit 0
fi
# the old and the new rules: the upstream file and a copy with one macro widened
NEW=$BENCH_OUT/falco_rules_new.yaml
sed 's/^  condition: (evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.typechar=.f. and fd.num>=0)$/  condition: (evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.num>=0)/' "$RULES" >"$NEW"
s=$("$RUN" -n "$RUNS" -- "$B/saker-replay" -r "$RULES" -e "$CAP")
echo "single replay: $s"
d=$("$RUN" -n "$RUNS" -- "$B/saker-replay" diff -r "$RULES" --against -r "$NEW" -e "$CAP")
echo "diff: $d"
# speed ratio = single time / diff time
rb=$(awk -v a="$(field best "$s")" -v b="$(field best "$d")" 'BEGIN{printf("%.2f", a / b)}')
rm=$(awk -v a="$(field median "$s")" -v b="$(field median "$d")" 'BEGIN{printf("%.2f", a / b)}')
verdict=MISSED
awk -v r="$rb" 'BEGIN{exit !(r >= 0.6)}' && verdict=met
row 1g "diff (old + new upstream rules, one pass) vs single-ruleset replay ($N events)" \
	"$(field best "$d") / $(field median "$d") s" "$(field best "$s") / $(field median "$s") s" \
	"${rb}x / ${rm}x speed" ">= 0.6x" "$verdict"
note "- 1g: \`saker-replay diff\` evaluates the upstream falco_rules.yaml and a copy with the open_write macro widened on every event of one decode; the reference is \`saker-replay -r falco_rules.yaml\` on the same capture. Ratio = single time / diff time (best / median of RUNS)."

# --- a rule regression suite: many cases over the same rules files ---
# 12 cases per peer trace over the three upstream files, run by `saker-replay test`
# (rule sets reused between cases), against the same cases as separate
# `saker-replay -r ... -e TRACE` runs (each loads the files).
P=$(cd "${SHARED:-../shared}/peers" 2>/dev/null && pwd) # the spec names files relative to itself
R3="$P/rules/falco_rules.yaml $P/rules/falco-incubating_rules.yaml $P/rules/falco-sandbox_rules.yaml"
set -- "$P"/scap/*.scap
if [ ! -f "$1" ] || [ ! -f "$P/rules/falco-sandbox_rules.yaml" ]; then
	skip 1h "rule regression suite" "peer traces or upstream rules missing"
	exit 0
fi
SPEC=$BENCH_OUT/suite.yaml
{
	echo "defaults:"
	echo "  rules: [$(echo "$R3" | sed 's/ /, /g')]"
	echo "cases:"
	for c in "$@"; do
		for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
			echo "  - {name: '$(basename "$c") $k', capture: $c, expect: {not_fire: [Terminal shell in container]}}"
		done
	done
} >"$SPEC"
ncases=$(grep -c 'name:' "$SPEC")
t=$("$RUN" -n "$RUNS" -- "$B/saker-replay" test "$SPEC")
echo "saker-replay test, $ncases cases: $t"
if [ "$(field status "$t")" != 0 ]; then
	"$B/saker-replay" test "$SPEC" | tail -3
	row 1h "rule regression suite" "FAILED" "-" "-" "-" "the suite's cases failed"
	exit 0
fi
sep() { # the same cases one process each, timed as one run
	for c in "$@"; do
		for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
			# shellcheck disable=SC2086
			"$B/saker-replay" $(printf -- '-r %s ' $R3) -e "$c" >/dev/null 2>&1
		done
	done
}
s0=$(date +%s.%N); sep "$@"; s1=$(date +%s.%N)
sepb=$(awk -v a="$s0" -v b="$s1" 'BEGIN{printf("%.3f", b - a)}')
echo "separate runs: $sepb s"
row 1h "rule regression suite: $ncases cases (12 per peer trace) over the 3 upstream files, saker-replay test -j 1" \
	"$(field best "$t") / $(field median "$t") s" "$ncases separate saker-replay runs $sepb s" \
	"$(awk -v a="$sepb" -v b="$(field best "$t")" 'BEGIN{printf("%.1f", a / b)}')x faster" "-" "-"
note "- 1h: the test runner gives a rule set it loaded to later cases naming the same files with the same options (docs/test-spec.md); the reference runs each case as its own saker-replay process, which loads the three files every time (about 60 ms)."
