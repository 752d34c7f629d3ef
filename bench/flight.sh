#!/bin/sh
# bench/flight.sh: the flight recorder (docs/flight-recorder.md): ring bytes per minute of a busy host (synthetic workload at 100k events/s) against a plain .skr of the same minute, time from alert to closed file, what a burst of 1,000 alerts writes.
. bench/lib.sh
BIN=$B/bench/bench_flight
[ -x "$BIN" ] || { echo "flight: $BIN missing (make all)"; exit 1; }
D=$BENCH_DATA/flight
rm -rf "$D"
mkdir -p "$D"
trap 'rm -rf "$D"' EXIT
RATE=${BENCH_FLIGHT_RATE:-100000}
s=$("$BIN" "$RATE" 1000 "$D") || { echo "flight: bench_flight failed"; exit 1; }
echo "flight: $s"
kv() { printf '%s\n' "$s" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
mb() { awk -v b="$1" 'BEGIN { printf("%.1f MiB", b / 1048576) }'; }
row 21a "flight ring: bytes held per minute at $RATE events/s (synthetic workload)" "$(mb "$(kv ring_bytes_per_min)")/min" \
	"plain .skr of the same minute $(mb "$(kv minute_file_bytes)")" "$(ratio "$(kv ring_bytes_per_min)" "$(kv minute_file_bytes)")" \
	"<= 1.10x, under 256 MiB" "$(awk -v a="$(kv ring_bytes_per_min)" -v b="$(kv minute_file_bytes)" 'BEGIN { print (a <= 1.1 * b && a < 268435456) ? "met" : "MISSED" }')"
row 21b "flight: alert -> file open with its 10 s lead-up written" "$(kv open_ms) ms" "-" "-" "-" "info"
row 21c "flight: last event of the window -> file closed (live adds <= 1 s chunk flush)" "$(kv close_ms) ms" "-" "-" "-" "info"
row 21d "flight: burst of 1,000 alerts (1/ms), 10 s before, 5 s after" \
	"1 file, $(mb "$(kv window_bytes)"), $(kv window_events) events, $(kv alerts) alert records" "-" "-" "one file" \
	"$([ "$(kv alerts)" = 1000 ] && echo met || echo MISSED)"
