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

# wait_for FILE REGEX: waits up to 30 s for a line of FILE (which may not
# exist yet) to match; succeeds if one does.
wait_for() {
	_w=0
	while [ $_w -lt 300 ] && ! grep -qs "$2" "$1"; do sleep 0.1; _w=$((_w + 1)); done
	grep -qs "$2" "$1"
}

need_root() {
	[ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]
}

tmpdir() {
	d=$(mktemp -d "${TMPDIR:-/tmp}/saker-test.XXXXXX")
	echo "$d"
}
