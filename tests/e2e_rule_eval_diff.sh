#!/bin/sh
# tests/e2e_rule_eval_diff.sh: differential test: grouped rule evaluation (default: flat per-type programs with field groups) and -o rule_evaluation=plain (the tree walk) give the same alerts, text and JSON, on every peer capture and the sample.
. tests/lib.sh
R=$SHARED/peers/rules
if [ ! -x "$REPLAY" ]; then fail "e2e_rule_eval_diff: $REPLAY not built"; exit 0; fi
if [ ! -r "$R/falco_rules.yaml" ]; then skip "e2e_rule_eval_diff: $R absent"; exit 0; fi
T=$(tmpdir)
trap 'rm -rf "$T"' EXIT
RULES="-r $R/falco_rules.yaml -r $R/falco-incubating_rules.yaml -r $R/falco-sandbox_rules.yaml -r samples/rules"
total=0
for cap in "$SHARED"/peers/scap/*.scap samples/captures/*.skr; do
	[ -r "$cap" ] || continue
	name=$(basename "$cap")
	# every matching rule (rule_matching=all) so a difference in any rule
	# shows; json: all, as JSON alerts (output fields rendered too)
	for m in first all json; do
		opts="-o rule_matching=$m"
		[ $m = json ] && opts="-o rule_matching=all -o json_output=true"
		# shellcheck disable=SC2086
		"$REPLAY" $RULES $opts -e "$cap" >"$T/grouped" 2>"$T/grouped.err"
		rg=$?
		# shellcheck disable=SC2086
		"$REPLAY" $RULES $opts -o rule_evaluation=plain -e "$cap" >"$T/plain" 2>"$T/plain.err"
		rp=$?
		n=$(wc -l <"$T/plain")
		total=$((total + n))
		if [ $rg = $rp ] && cmp -s "$T/grouped" "$T/plain"; then
			pass "grouped = plain on $name (rule_matching=$m, $n lines, exit $rg)"
		else
			fail "grouped != plain on $name (rule_matching=$m): exit $rg/$rp"
			diff "$T/plain" "$T/grouped" | head -5
		fi
	done
done
# Generated rules from the captures' own values, so that many checks of
# every grouped kind (=, in, contains, startswith, endswith, pmatch, glob) match
# and miss: prefixes, suffixes and middles of proc.name, fd.name and
# proc.cmdline as printed, some altered by one byte.
for cap in "$SHARED"/peers/scap/*.scap samples/captures/*.skr; do
	"$REPLAY" -e "$cap" --print '%proc.name|%fd.name|%proc.cmdline' 2>/dev/null
done | sort -u | head -80 | awk -F'|' '
function q(s) { gsub(/[\\"\047]/, "", s); return "\"" s "\"" }
function rule(c) { n++; printf("- rule: gen %d\n  desc: generated\n  condition: \047%s\047\n  output: gen %d %%evt.num\n  priority: WARNING\n", n, c, n) }
function kinds(f, v,   l) {
	l = length(v); if (l < 2 || v == "<NA>") return
	rule(f " = " q(v)); rule(f " in (" q(v) ", " q(v "x") ")")
	rule(f " startswith " q(substr(v, 1, int(l / 2) + 1))); rule(f " endswith " q(substr(v, int(l / 2))))
	rule(f " contains " q(substr(v, int(l / 3) + 1, int(l / 3) + 1))); rule(f " contains " q(substr(v, 2, l - 1) "z"))
	rule("not " f " startswith " q(substr(v, 1, 3)) " and " f " endswith " q(substr(v, l - 1)))
	rule(f " glob " q(substr(v, 1, 2) "*" substr(v, l - 1))); rule(f " glob " q(substr(v, 1, 1) "?" substr(v, 3) "*"))
	if (f == "fd.name" && v ~ /^\//) { d = v; sub(/\/[^\/]*$/, "", d); if (d != "") rule(f " pmatch (" q(d) ", /nonexistent)") }
}
{ kinds("proc.name", $1); kinds("fd.name", $2); kinds("proc.cmdline", $3) }' >"$T/gen.yaml"
ng=$(grep -c '^- rule:' "$T/gen.yaml")
for cap in "$SHARED"/peers/scap/*.scap samples/captures/*.skr; do
	[ -r "$cap" ] || continue
	"$REPLAY" -r "$T/gen.yaml" -o rule_matching=all -e "$cap" >"$T/grouped" 2>&1
	"$REPLAY" -r "$T/gen.yaml" -o rule_matching=all -o rule_evaluation=plain -e "$cap" >"$T/plain" 2>&1
	n=$(grep -c ' gen [0-9]' "$T/plain")
	total=$((total + n))
	if cmp -s "$T/grouped" "$T/plain"; then
		pass "grouped = plain with $ng generated rules on $(basename "$cap") ($n alerts)"
	else
		fail "grouped != plain with $ng generated rules on $(basename "$cap")"
		diff "$T/plain" "$T/grouped" | head -5
	fi
done
# the comparison must have compared alerts, not two empty outputs
if [ "$total" -gt 0 ]; then pass "differential outputs hold $total alert lines"; else fail "no alerts compared"; fi
# the option is checked
if "$REPLAY" -r "$R/falco_rules.yaml" -o rule_evaluation=fast -e samples/captures/attack.skr >/dev/null 2>"$T/err"; then
	fail "rule_evaluation=fast accepted"
else
	check "rule_evaluation=fast refused with a message" grep -q "rule_evaluation" "$T/err"
fi
