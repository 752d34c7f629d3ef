#!/bin/sh
# tests/stress_load.sh: RSS of saker-record and saker-replay --live under stress-ng, and their drop counts (make stress).
. "$(dirname "$0")/lib.sh"

S=${STRESS_SECONDS:-120}
OUT="$B/stress.md"
RULES_DIR="$SHARED/peers/rules"

if ! need_root; then
	skip "stress_load: needs root and /sys/kernel/btf/vmlinux"
	exit 0
fi
if ! command -v stress-ng >/dev/null 2>&1; then
	echo "stress_load: installing stress-ng"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng >/dev/null 2>&1
fi
command -v stress-ng >/dev/null 2>&1 || { skip "stress_load: stress-ng is not installed (apt-get install stress-ng)"; exit 0; }
[ -d "$RULES_DIR" ] || { skip "stress_load: $RULES_DIR absent"; exit 0; }
[ -x "$RECORD" ] && [ -x "$REPLAY" ] || { fail "stress_load: $RECORD or $REPLAY not built"; exit 1; }

D=$(mktemp -d /tmp/saker-stress.XXXXXX)
RPID=""
LPID=""
SPID=""
cleanup() {
	for p in $SPID $RPID $LPID; do kill "$p" 2>/dev/null; done
	if [ -n "$KEEP" ]; then echo "kept $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT

set -- $(ls "$RULES_DIR"/*.yaml)
RARGS=""
for f in "$@"; do RARGS="$RARGS -r $f"; done

"$RECORD" -w "$D/stress.skr" 2>"$D/record.err" &
RPID=$!
# shellcheck disable=SC2086
"$REPLAY" --live $RARGS -v -w "$D/live.skr" >"$D/live.out" 2>"$D/live.err" &
LPID=$!
sleep 3
stress-ng --temp-path "$D" --open 1 --fork 1 --timeout "${S}s" --metrics-brief >"$D/stress.out" 2>&1 &
SPID=$!

rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
echo "t_s rec_rss_kb live_rss_kb" >"$D/series"
t=0
while [ $t -le "$S" ]; do
	echo "$t $(rss $RPID) $(rss $LPID)" >>"$D/series"
	sleep 5
	t=$((t + 5))
done
wait "$SPID" 2>/dev/null
SPID=""
kill -INT "$RPID" "$LPID"
wait "$RPID"
rrc=$?
wait "$LPID"
lrc=$?
RPID=""
LPID=""

cat "$D/series"
# growth: last sample minus the smallest sample after the first 20 s
growth() {
	awk -v c="$1" 'NR > 1 && $1 >= 20 && $c != "" { if (min == "" || $c < min) min = $c; last = $c }
		END { if (min == "") print "NA"; else print last - min }' "$D/series"
}
GR=$(growth 2)
GL=$(growth 3)
REC_SUMMARY=$(grep 'events,' "$D/record.err" | tail -1)
LIVE_DROPS=$(grep -i 'drop' "$D/live.err" "$D/live.out" | tail -3 | sed 's/^[^:]*://')
STRESS_OPS=$(grep -E 'open|fork' "$D/stress.out" | grep -v dispatching | tail -2 | sed 's/^stress-ng: [a-z]*: *\[[0-9]*\] *//')
REC_BYTES=$(wc -c <"$D/stress.skr")

echo "recorder RSS growth after 20 s: ${GR} kB; live replay: ${GL} kB"
echo "recorder: $REC_SUMMARY"
echo "live: $LIVE_DROPS"
{
	echo "# Stress run ($(date -u +%Y-%m-%dT%H:%M:%SZ), ${S} s, $(nproc) CPUs)"
	echo
	echo "stress-ng --open 1 --fork 1 while saker-record -w and saker-replay --live (rules: $(ls "$RULES_DIR" | tr '\n' ' ')) -w ran."
	echo
	echo "| t (s) | saker-record VmRSS (kB) | saker-replay --live VmRSS (kB) |"
	echo "|---|---|---|"
	awk 'NR > 1 { printf "| %s | %s | %s |\n", $1, $2, $3 }' "$D/series"
	echo
	echo "* RSS growth (last - min after 20 s): recorder ${GR} kB, live replay ${GL} kB"
	echo "* recorder summary: $REC_SUMMARY"
	echo "* recorder capture: $REC_BYTES bytes"
	echo "* live replay: $(echo "$LIVE_DROPS" | tr '\n' ' ')"
	echo "* stress-ng: $(echo "$STRESS_OPS" | tr '\n' ' ')"
} >"$OUT"
echo "figures written to $OUT"

LIMIT=20480
if [ "$GR" != NA ] && [ "$GR" -lt $LIMIT ] && [ "$GL" != NA ] && [ "$GL" -lt $LIMIT ]; then
	pass "stress: RSS growth under 20 MiB (recorder ${GR} kB, live ${GL} kB)"
else
	fail "stress: RSS growth recorder ${GR} kB, live ${GL} kB (limit $LIMIT kB)"
fi
if [ $rrc = 0 ] && echo "$REC_SUMMARY" | grep -qE '[0-9]+ drops \(ring full [0-9]+'; then
	pass "stress: recorder exit 0, drops reported"
else
	fail "stress: recorder exit $rrc: $(tail -2 "$D/record.err")"
fi
if [ $lrc = 0 ] && echo "$LIVE_DROPS" | grep -qiE 'drop[^0-9]*[0-9]+|[0-9]+[^0-9]*drop'; then
	pass "stress: live replay exit 0, drops reported"
else
	fail "stress: live replay exit $lrc, drops line '$LIVE_DROPS': $(tail -2 "$D/live.err")"
fi
