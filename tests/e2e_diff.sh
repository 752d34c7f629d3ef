#!/bin/sh
# tests/e2e_diff.sh: saker-replay diff: two versions of a rules file (a macro widened, an exception added) over the sample and peer captures give exactly the expected added and removed alerts; text, JSON, Markdown, exit codes, bad input.
. tests/lib.sh
if [ ! -x "$REPLAY" ]; then fail "diff: $REPLAY not built"; exit 0; fi
if [ ! -f "$SHARED/peers/scap/open-multiple-files.scap" ]; then
	skip "diff: $SHARED/peers/scap not found (the shared peer data sits beside the repository)"
	exit 0
fi
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
export TZ=UTC
V1=tests/data/diff/rules_v1.yaml
V2=tests/data/diff/rules_v2.yaml
CAPS="-e samples/captures/attack.skr -e $SHARED/peers/scap"

"$REPLAY" diff -r "$V1" --against -r "$V2" $CAPS >"$t/out.txt" 2>"$t/err"
check "diff: exit 0 without --fail-on-diff" [ $? -eq 0 ]
check "diff: nothing on stderr" [ ! -s "$t/err" ]
check "diff: header counts 13 added, 1 removed over 10 captures" \
	grep -q '^saker-replay diff: 10 captures, [0-9]* events, 13 alerts only in new, 1 only in old$' "$t/out.txt"
# the exception removes exactly the cat read of /etc/shadow in the sample capture
grep '^- ' "$t/out.txt" >"$t/removed"
check "diff: the one removed alert is cat reading /etc/shadow" \
	[ "$(cat "$t/removed")" = "- 2026-11-23T14:38:24.935218687Z Read shadow [Warning] process cat (samples/captures/attack.skr)" ]
check "diff: the removed alert's output is the old rule's" grep -q '^    shadow read (proc=cat cmdline=cat /etc/shadow)' "$t/out.txt"
# the widened macro adds python's 13 read opens below /tmp in open-multiple-files.scap, in event order
grep -A1 '^+ ' "$t/out.txt" | sed -n 's/^    tmp write (proc=\([^ ]*\) file=\([^)]*\)).*/\1 \2/p' >"$t/added"
i=1; : >"$t/want"
while [ $i -le 13 ]; do echo "python /tmp/file-$i" >>"$t/want"; i=$((i + 1)); done
check "diff: the added alerts are python opening /tmp/file-1..13" cmp -s "$t/added" "$t/want"
check "diff: every added alert names its rule, process and capture" \
	[ "$(grep -c '^+ 2017-02-04T01:22:15\.[0-9]*Z Write below tmp by a known writer \[Warning\] process python (.*open-multiple-files.scap)$' "$t/out.txt")" -eq 13 ]
check "diff: per-rule counts old -> new" grep -qx '   Write below tmp by a known writer: 1 -> 14 (+13)' "$t/out.txt"
check "diff: a rule that disappears counts down to 0" grep -qx '   Read shadow: 1 -> 0 (-1)' "$t/out.txt"
check "diff: a rule that never fires is not listed" sh -c "! grep -q 'Ping sends' '$t/out.txt'"

# the same counts as two single-ruleset replays
for v in 1 2; do
	n=0
	for c in samples/captures/attack.skr "$SHARED"/peers/scap/*.scap; do
		k=$("$REPLAY" -r "tests/data/diff/rules_v$v.yaml" -e "$c" 2>/dev/null | sed -n 's/^   Write below tmp by a known writer: //p')
		n=$((n + ${k:-0}))
	done
	eval "single$v=$n"
done
check "diff: counts agree with single-ruleset replays (1 and 14)" [ "$single1" = 1 ] && [ "$single2" = 14 ]

"$REPLAY" diff -r "$V1" --against -r "$V2" $CAPS --fail-on-diff >/dev/null 2>&1
check "diff: --fail-on-diff exits 1 when alerts differ" [ $? -eq 1 ]
"$REPLAY" diff -r "$V1" --against -r "$V1" $CAPS --fail-on-diff >"$t/same.txt" 2>&1
check "diff: --fail-on-diff exits 0 for identical rules" [ $? -eq 0 ]
check "diff: identical rules: no alert line, counts unchanged" \
	sh -c "! grep -q '^[-+] ' '$t/same.txt' && grep -qx '   Read shadow: 1 -> 1' '$t/same.txt'"

if command -v python3 >/dev/null 2>&1; then
	"$REPLAY" diff -r "$V1" --against -r "$V2" $CAPS --json >"$t/out.json" 2>&1
	check "diff --json: the documented object" python3 - "$t/out.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["differs"] is True and len(d["captures"]) == 10, d["captures"]
assert [a["output"].split(")")[0] for a in d["added"]] == ["tmp write (proc=python file=/tmp/file-%d" % i for i in range(1, 14)]
assert all(a["rule"] == "Write below tmp by a known writer" and a["process"] == "python" and a["priority"] == "Warning" for a in d["added"])
r = d["removed"]
assert len(r) == 1 and r[0]["rule"] == "Read shadow" and r[0]["process"] == "cat" and r[0]["time"] == "2026-11-23T14:38:24.935218687Z", r
import calendar, time
assert r[0]["capture"] == "samples/captures/attack.skr"
assert r[0]["ts"] == calendar.timegm(time.strptime("2026-11-23T14:38:24", "%Y-%m-%dT%H:%M:%S")) * 10**9 + 935218687
rules = {x["rule"]: (x["old"], x["new"]) for x in d["rules"]}
assert rules == {"Write below tmp by a known writer": (1, 14), "Read shadow": (1, 0)}, rules
assert d["events"] > 0 and 0 < d["evaluated"] <= d["events"]
EOP
else
	skip "diff --json: python3 not installed"
fi

"$REPLAY" diff -r "$V1" --against -r "$V2" $CAPS --markdown >"$t/out.md" 2>&1
check "diff --markdown: heading" grep -qx '### saker-replay diff: 13 alerts added, 1 removed' "$t/out.md"
check "diff --markdown: one table row per differing alert" [ "$(grep -c '^| [-+] | ' "$t/out.md")" -eq 14 ]
check "diff --markdown: the count table" grep -qx '| Write below tmp by a known writer | 1 | 14 | +13 |' "$t/out.md"

# bad input: one clear line, exit 2
printf -- '- rule: broken\n  desc: d\n  condition: evt.type=open and\n  output: o\n  priority: INFO\n' >"$t/bad.yaml"
"$REPLAY" diff -r "$V1" --against -r "$t/bad.yaml" $CAPS >"$t/o" 2>"$t/e"
rc=$?
check "diff: new rules that do not load exit 2 and say so" \
	sh -c "[ $rc -eq 2 ] && grep -q 'bad.yaml:[0-9]*:[0-9]*: error:' '$t/e' && grep -q 'the new rules do not load' '$t/e'"
"$REPLAY" diff -r "$V1" --against -r "$V2" -e "$t/missing.skr" >"$t/o" 2>"$t/e"
rc=$?
check "diff: a missing capture exits 2 naming it" sh -c "[ $rc -eq 2 ] && grep -q 'missing.skr' '$t/e'"
"$REPLAY" diff -r "$V1" -r "$V2" -e samples/captures/attack.skr >"$t/o" 2>"$t/e"
rc=$?
check "diff: without --against exits 2 with the usage" sh -c "[ $rc -eq 2 ] && grep -q 'needs -r OLD... --against' '$t/e'"
"$REPLAY" diff --help >"$t/o" 2>&1
rc=$?
check "diff --help: usage on stdout, exit 0" sh -c "[ $rc -eq 0 ] && grep -q '^Usage: saker-replay diff' '$t/o'"

# coverage of the new rules, hand-counted on open-multiple-files.scap: its 13
# open exits all reach both open rules; python's 13 read opens below /tmp pass
# "Write below tmp" (the widened macro and python's list item decide each one)
if command -v python3 >/dev/null 2>&1; then
	opens=$("$REPLAY" -e "$SHARED/peers/scap/open-multiple-files.scap" --print '%evt.num' 'evt.type in (open, openat) and evt.dir=<' | wc -l)
	"$REPLAY" diff -r "$V1" --against -r "$V2" -e "$SHARED/peers/scap/open-multiple-files.scap" --coverage "$t/cov.json" >/dev/null 2>"$t/err"
	check "diff --coverage: JSON counts match the hand count" python3 - "$t/cov.json" "$opens" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1])); opens = int(sys.argv[2])
assert opens == 13, opens
r = {x["rule"]: x for x in d["rules"]}
assert [x["rule"] for x in d["rules"]] == ["Read shadow", "Ping sends", "Write below tmp by a known writer"], "never fired first"
w = r["Write below tmp by a known writer"]
assert (w["events_reached"], w["condition_passed"], w["fired"]) == (opens, 13, True), w
s = r["Read shadow"]
assert (s["events_reached"], s["condition_passed"], s["passed_before_exceptions"]) == (opens, 0, 0), s
assert r["Ping sends"]["events_reached"] == 0 and d["never_fired"] == ["Read shadow", "Ping sends"]
m = {x["macro"]: x["made_a_difference"] for x in d["macros"]}
assert m == {"open_tmp_write": 13, "tmp_writer_procs": 13}, m
l = {x["list"]: {i["item"]: i["made_a_difference"] for i in x["items"]} for x in d["lists"]}
assert l["tmp_writers"] == {"bash": 0, "sh": 0, "python": 13}, l
assert {"list": "tmp_writers", "item": "bash"} in d["never_made_a_difference"]["list_items"]
EOP
else
	skip "diff --coverage JSON: python3 not installed"
fi
"$REPLAY" diff -r "$V1" --against -r "$V2" $CAPS --coverage "$t/cov.txt" >/dev/null 2>&1
check "diff --coverage: text, the exception that suppressed cat's read counted once" \
	grep -qx '    exception known_readers \[cat, sh\]: suppressed 1' "$t/cov.txt"
check "diff --coverage: text lists never-fired rules first" \
	sh -c "sed -n 2p '$t/cov.txt' | grep -qx 'Rules that never fired:'"
check "diff --coverage: the list item no event needed" grep -qx '  unused_list: nobody_runs_this' "$t/cov.txt"

# test --coverage: two cases (new and old rules) over open-multiple-files.scap,
# summed by name: 13 + 13 opens reach each open rule, 13 pass the new one;
# negating open_tmp_write flips all 26 results, tmp_writer_procs only the new 13
if command -v python3 >/dev/null 2>&1; then
	"$REPLAY" test --coverage "$t/tcov.json" tests/data/diff/coverage_spec.yaml >"$t/tout" 2>&1
	rc=$?
	check "test --coverage: the cases pass and the report is written" sh -c "[ $rc -eq 0 ] && [ -s '$t/tcov.json' ]"
	check "test --coverage: counts summed over the cases match the hand count" python3 - "$t/tcov.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["rule"]: x for x in d["rules"]}
w = r["Write below tmp by a known writer"]
assert (w["events_reached"], w["condition_passed"]) == (26, 13), w
assert r["Read shadow"]["events_reached"] == 26 and d["captures"] == 1
m = {x["macro"]: x["made_a_difference"] for x in d["macros"]}
assert m == {"open_tmp_write": 26, "tmp_writer_procs": 13}, m
EOP
fi
