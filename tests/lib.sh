# tests/lib.sh: helpers for end-to-end test scripts (PASS/FAIL/SKIPPED lines that tests/run.sh counts).
B=${B:-build}
SHARED=${SHARED:-../shared}
REPLAY="$B/saker-replay"
RECORD="$B/saker-record"

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIPPED: $*"; }

# check NAME CMD...: PASS if CMD succeeds, FAIL otherwise.
check() {
	name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

need_root() {
	[ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]
}

tmpdir() {
	d=$(mktemp -d "${TMPDIR:-/tmp}/saker-test.XXXXXX")
	echo "$d"
}
