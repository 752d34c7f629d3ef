#!/bin/sh
# tests/e2e_layering.sh: every #include goes down the layers (tests/tools/check_layers.sh), and the check itself catches bad includes.
. tests/lib.sh
CHECK=tests/tools/check_layers.sh

if out=$(sh "$CHECK" 2>&1); then
	pass "layering: $out"
else
	fail "layering: includes that go up the layers:"
	echo "$out"
fi

# docs/architecture.md lists the same layers, top first.
doc=$(sed -n '/^## The rule/,/^A header named/p' docs/architecture.md | grep -E '^[0-9]+\. ' |
	sed 's/(.*//' | while read -r line; do
		printf '%s\n' "$line" | grep -oE '`[^`]+`' | tr -d '`' | sed 's|/$||' | tr '\n' ' ' | sed 's/ $//'
		echo
	done)
script=$(sh "$CHECK" --layers | sed 's/^[[:space:]]*//; s/[[:space:]]*$//; s/[[:space:]][[:space:]]*/ /g')
if [ -n "$doc" ] && [ "$doc" = "$script" ]; then
	pass "layering: docs/architecture.md lists the layers of check_layers.sh"
else
	fail "layering: docs/architecture.md and tests/tools/check_layers.sh list different layers"
	printf 'docs/architecture.md:\n%s\ncheck_layers.sh:\n%s\n' "$doc" "$script"
fi

# The checker on a copy of the tree with one deliberately bad include (or
# file) at a time: it must name the file and fail; the good ones must pass.
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
find . \( -path ./build -o -path ./.git \) -prune -o -type f \( -name '*.c' -o -name '*.h' -o -name '*.sh' \) -print |
	tar cf - -T - | tar xf - -C "$t" || { fail "layering self-test: copying the tree failed"; exit 0; }

# expect bad|good NAME FILE TEXT: appends TEXT to FILE (creating it), runs the checker, restores FILE.
expect() {
	want=$1 name=$2 file=$3 text=$4
	if [ -f "$t/$file" ]; then cp "$t/$file" "$t/.saved"; else rm -f "$t/.saved"; mkdir -p "$t/$(dirname "$file")"; fi
	printf '%s\n' "$text" >>"$t/$file"
	got=$(sh "$t/$CHECK" "$t" 2>&1); rc=$?
	if [ -f "$t/.saved" ]; then mv "$t/.saved" "$t/$file"; else rm -f "$t/$file"; fi
	if [ "$want" = bad ]; then
		if [ "$rc" -ne 0 ] && printf '%s\n' "$got" | grep -q "^$file:"; then
			pass "layering self-test: $name is refused"
		else
			fail "layering self-test: $name was not refused (exit $rc): $got"
		fi
	elif [ "$rc" -eq 0 ]; then
		pass "layering self-test: $name is accepted"
	else
		fail "layering self-test: $name was refused: $got"
	fi
}

expect bad "the event model including the engine" formats/meta.c '#include "replay/engine/engine.h"'
expect bad "saker-record including replay's extraction" record/main.c '#include "replay/extract/extract.h"'
expect bad "a peer including a peer (.skr reader -> .scap)" formats/skr/read.c '#include "formats/scap/scap.h"'
expect bad "rules including the event model (peers)" rules/eval.c '#include "formats/event.h"'
expect bad "state including a layer above (outputs)" replay/state/threads.c '#include "replay/outputs/outputs.h"'
expect bad "an internal header from another directory" replay/engine/engine.c '#include "replay/state/state_int.h"'
expect bad "a header that does not exist" replay/run.c '#include "replay/nothing.h"'
expect bad "a file in a directory of no layer" newmodule/x.c '#include "formats/event.h"'
expect bad "the probe kernel half including user space" probe/saker.bpf.c '#include "formats/event.h"'
expect bad "a new kernel-half file under probe/bpf/ including the loader" probe/bpf/maps.h '#include "probe/probe.h"'
expect bad "a user-space file including vmlinux.h" probe/probe.c '#include "vmlinux.h"'
expect good "a new kernel-half file under probe/bpf/" probe/bpf/maps.h '#include "vmlinux.h"
#include "probe/saker_event.h"'
expect good "a new user-half file in probe/" probe/stats.c '#include "probe/probe.h"
#include "formats/event.h"'
expect good "a test including an internal header" tests/test_x.c '#include "replay/state/state_int.h"'
