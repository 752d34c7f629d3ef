#!/bin/sh
# tests/e2e_replay_errors.sh: bad capture input gets one clear line naming the file, exit 2, and keeps the alerts already due.
. tests/lib.sh
export TZ=UTC
cap=samples/captures/attack.skr
rules=samples/rules/saker_rules.yaml
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT

expect_error() { # name, expected message substring, args...
	name=$1; want=$2; shift 2
	$REPLAY "$@" >"$d/out" 2>"$d/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -qF -- "$want" "$d/err" && [ "$(wc -l <"$d/err")" -le 2 ]; then
		pass "$name: exit 2, '$want'"
	else
		fail "$name: exit $rc, stderr: $(head -3 "$d/err")"
	fi
}

expect_error "missing file" "$d/nope.skr: cannot open" -r $rules -e "$d/nope.skr"
printf 'hello world, not a capture' >"$d/junk.bin"
expect_error "unknown format" "$d/junk.bin: unknown capture format" -r $rules -e "$d/junk.bin"
: >"$d/empty.skr"
expect_error "empty file" "$d/empty.skr: empty input" -r $rules -e "$d/empty.skr"
expect_error "directory" "$d" -r $rules -e "$d"

# A capture cut inside its last frames: the alerts of complete frames, then the error.
size=$(wc -c <$cap)
cut=$((size - 200))
head -c $cut $cap >"$d/cut.skr"
expect_error "truncated capture" "$d/cut.skr: truncated at byte $cut" -r $rules -e "$d/cut.skr" -o suggested_output=false
grep -v '^Events detected\|^Rule counts\|^Triggered\|^   ' "$d/out" >"$d/cut_alerts"
grep -v '^Events detected\|^Rule counts\|^Triggered\|^   ' tests/golden/attack.txt | head -n "$(wc -l <"$d/cut_alerts")" >"$d/golden_prefix"
if [ -s "$d/cut_alerts" ] && cmp -s "$d/cut_alerts" "$d/golden_prefix"; then
	pass "truncated capture: $(wc -l <"$d/cut_alerts") alerts of complete frames printed before the error"
else
	fail "truncated capture: alerts are not a prefix of the full run"
fi
# A rules error is exit 1, not 2.
printf -- '- rule: x\n  desc: d\n  condition: proc.nosuchfield = 1\n  output: o\n  priority: INFO\n' >"$d/bad.yaml"
$REPLAY -r "$d/bad.yaml" -e $cap >/dev/null 2>"$d/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "bad.yaml:3:" "$d/err"; then pass "rules error: exit 1 with file:line"
else fail "rules error: exit $rc, $(head -2 "$d/err")"; fi
