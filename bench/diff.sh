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
