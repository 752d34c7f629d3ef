#!/bin/sh
# tests/e2e_state_print.sh: what the state gives every event (process, parent, fd, user, arguments) stays byte for byte the same on the sample and peer captures (checksums in tests/golden/state_print.sha256).
. tests/lib.sh
export TZ=UTC
FMT='*%evt.num %evt.type %proc.name %proc.pname %fd.name %fd.type %user.name %evt.args'
golden=tests/golden/state_print.sha256
peers=${SHARED:-../shared}/peers/scap
# golden lines: "<sha256> <lines> <capture name>"; captures are looked up in
# samples/captures, then in the peer data (skipped when it is missing)
while read -r sum lines name; do
	cap=samples/captures/$name
	[ -f "$cap" ] || cap=$peers/$name
	if [ ! -f "$cap" ]; then
		echo "SKIPPED: state print: $name not found"
		continue
	fi
	out=$($REPLAY -e "$cap" --print "$FMT" 2>&1 | sha256sum | cut -d' ' -f1)
	n=$($REPLAY -e "$cap" --print "$FMT" 2>/dev/null | wc -l)
	if [ "$out" = "$sum" ] && [ "$n" -eq "$lines" ]; then
		pass "state print: $name: $lines events print the same"
	else
		fail "state print: $name: output differs from the golden checksum ($n lines, want $lines)"
	fi
done <"$golden"
