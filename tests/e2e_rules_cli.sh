#!/bin/sh
# tests/e2e_rules_cli.sh: saker-replay rules commands: -V on the upstream rules and on broken files, -L, --list.
. tests/lib.sh
RULES=$SHARED/peers/rules
LEGACY=$SHARED/peers/falco-tests/rules
if [ ! -d "$RULES" ]; then skip "e2e_rules_cli: $RULES absent"; exit 0; fi
if [ ! -x "$REPLAY" ]; then fail "e2e_rules_cli: $REPLAY not built"; exit 0; fi
for f in "$RULES"/*.yaml; do
	if "$REPLAY" -V "$f" >/dev/null 2>&1; then pass "-V $(basename "$f") exits 0"; else fail "-V $(basename "$f")"; fi
done
d=$(tmpdir)
printf -- '- rule: r\n  desc: d\n  output: o\n  priority: nope\n  condition: evt.type=open\n' > "$d/bad.yaml"
out=$("$REPLAY" -V "$d/bad.yaml" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "bad.yaml:4:13: error: .*Invalid priority"; then pass "-V broken file: exit 1 and file:line:col"; else fail "-V broken file (rc=$rc): $out"; fi
if "$REPLAY" -r "$RULES/falco_rules.yaml" -L | grep -q '^Directory traversal monitored file read'; then pass "-L lists rules"; else fail "-L lists rules"; fi
if "$REPLAY" --list | grep -q '^proc.aname\[arg\] (Type: CHARBUF)\|^proc.aname (Type: CHARBUF)'; then pass "--list lists fields"; else fail "--list lists fields"; fi
if [ -d "$LEGACY" ]; then
	out=$("$REPLAY" -V "$LEGACY/invalid_list_without_items.yaml" 2>&1)
	if echo "$out" | grep -q "Item has no mapping for key 'items'"; then pass "legacy invalid_list_without_items"; else fail "legacy invalid_list_without_items: $out"; fi
fi
"$REPLAY" -D x -t y -L >/dev/null 2>&1; rc=$?
if [ $rc -eq 1 ]; then pass "-D with -t is an error"; else fail "-D with -t exit $rc"; fi
rm -rf "$d"
