#!/bin/sh
# tests/e2e_falco_suite.sh: runs Falco's former regression suite (tests/falco_suite.sh) inside make test, one line per case.
. tests/lib.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
B="$B" sh tests/falco_suite.sh >"$log" 2>&1
rc=$?
if grep -q '^SKIPPED: ' "$log"; then
	cat "$log"
	exit 0
fi
sed -n -e 's/^ok   \(.*\)$/PASS: falco suite: \1/p' -e 's/^FAIL \(.*\)$/FAIL: falco suite: \1/p' \
	-e 's/^skip \(.*\)$/SKIPPED: falco suite: \1/p' -e '/^falco suite/p' -e '/^FAIL: /p' "$log"
if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
	fail "falco suite: saker-replay test exited with status $rc"
	grep -v '^\(ok\|skip\|FAIL\) ' "$log" | head -5
fi
