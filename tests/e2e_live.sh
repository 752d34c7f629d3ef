#!/bin/sh
# tests/e2e_live.sh: live detection with Falco's upstream rules on a scripted attack session, and the same session recorded and replayed offline.
. tests/lib.sh
RULES=$SHARED/peers/rules
if ! need_root; then
	skip "live detection needs root and kernel BTF"
	exit 0
fi
if [ ! -d "$RULES" ]; then
	skip "$RULES is absent (live test uses Falco's upstream rules)"
	exit 0
fi
d=$(tmpdir)
cleanup() {
	kill "$listener" 2>/dev/null
	rm -rf "$d" /dev/shm/saker-sample-tool /usr/local/bin/saker-sample-dropper /var/log/saker-sample.log
}
trap cleanup EXIT
R="-r $RULES/falco_rules.yaml -r $RULES/falco-incubating_rules.yaml -r $RULES/falco-sandbox_rules.yaml"
export TZ=UTC

start_listener() {
	rm -f "$d/port"
	python3 samples/listener.py "$d/port" 30 &
	listener=$!
	while [ ! -s "$d/port" ]; do sleep 0.1; done
	echo "seed" > /var/log/saker-sample.log
}

# Live: detection while the session runs, recording the same events with -w.
start_listener
$REPLAY $R -o json_output=true --live -M 120 -w "$d/live.skr" >"$d/live.json" 2>"$d/live.err" &
rp=$!
# the ready signal: the session starts as soon as it is printed, so the alerts below also show that it
# is printed only once the probe is attached
wait_for "$d/live.err" '^saker-replay: --live: detecting (probe attached, snapshot: [1-9][0-9]* threads'
check "live prints its ready line (probe attached, snapshot taken, recording to the -w file)" \
	grep -q "^saker-replay: --live: detecting (probe attached, snapshot: [1-9][0-9]* threads, [0-9]* fds); recording to $d/live.skr\$" "$d/live.err"
sh samples/attack_session.sh "$(cat "$d/port")" "$d"
sleep 1
kill -INT $rp   # SIGINT stops live mode cleanly (summary printed, capture closed)
wait $rp
rc=$?
check "live replay exits 0" [ "$rc" -eq 0 ]
cat "$d/live.err"

# Offline: the session recorded by saker-record, then replayed.
start_listener
$RECORD -f -w "$d/rec.skr" -M 120 2>"$d/rec.err" &
rec=$!
wait_for "$d/rec.err" "recording to"
sh samples/attack_session.sh "$(cat "$d/port")" "$d"
sleep 1
kill -INT $rec
wait $rec
check "saker-record exits 0" [ $? -eq 0 ]
$REPLAY $R -o json_output=true -e "$d/rec.skr" >"$d/offline.json" 2>"$d/offline.err"
check "offline replay exits 0" [ $? -eq 0 ]
$REPLAY $R -o json_output=true -e "$d/live.skr" >"$d/livefile.json" 2>"$d/livefile.err"
check "replay of the --live -w capture exits 0" [ $? -eq 0 ]

REQUIRED="Read sensitive file untrusted|Search Private Keys or Passwords|Clear Log Activities|Create Symlink Over Sensitive Files|Execution from /dev/shm|Fileless execution via memfd_create|PTRACE anti-debug attempt"
for rule in "Read sensitive file untrusted" "Search Private Keys or Passwords" "Clear Log Activities" \
	"Create Symlink Over Sensitive Files" "Execution from /dev/shm" "Fileless execution via memfd_create" \
	"PTRACE anti-debug attempt"; do
	for mode in live offline livefile; do
		if grep -qF "\"rule\":\"$rule\"" "$d/$mode.json"; then
			pass "$mode: $rule"
		else
			fail "$mode: $rule did not fire"
		fi
	done
done
# Same session, same alerts: the rules fired by the session's processes match between live and offline.
session_rules() {
	python3 -c '
import json, sys
names = set()
required = set(sys.argv[2].split("|"))
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    a = json.loads(line)
    o = a.get("output", "")
    # Alerts of the session only: its unique paths, or the rules it must raise.
    # (Other processes of a busy machine, e.g. sanitizer runtimes reading
    # /proc/self/environ, raise other rules in one run and not the other.)
    if "saker-sample" in o or "innocent-looking" in o or a["rule"] in required:
        names.add(a["rule"])
print("\n".join(sorted(names)))
' "$1" "$REQUIRED"
}
session_rules "$d/live.json" >"$d/live.rules"
session_rules "$d/offline.json" >"$d/offline.rules"
if diff "$d/live.rules" "$d/offline.rules" >"$d/rules.diff"; then
	pass "live and offline replay raise the same rules for the session ($(wc -l <"$d/live.rules") rules)"
else
	fail "live and offline replay differ: $(tr '\n' ' ' <"$d/rules.diff")"
fi
