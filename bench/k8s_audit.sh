#!/bin/sh
# bench/k8s_audit.sh: Kubernetes audit events: events/s evaluated with k8s_audit_rules.yaml + falco_rules.yaml, JSON parse speed, webhook requests/s.
# References measured in the same run: jansson's parse-only rate of the same events (bench_json) and a bare
# HTTP sink on the same loopback (bench_webhook).
. bench/lib.sh
R=${RULES_DIR:-../shared/peers/rules}
K8S=${K8S_EVENTS_DIR:-../shared/peers/falco-tests/trace_files/k8s_audit}
N=${BENCH_AUDIT_EVENTS:-40000}
for f in "$B/bench/bench_replay" "$B/bench/bench_json" "$B/bench/bench_webhook"; do
	[ -x "$f" ] || { echo "k8s_audit: $f missing (make all)"; exit 1; }
done
if [ ! -r "$R/k8s_audit_rules.yaml" ] || [ ! -d "$K8S" ]; then
	skip 7a "audit events evaluated" "$R/k8s_audit_rules.yaml or $K8S not found"
	exit 0
fi
RULES="-r $R/falco_rules.yaml -r $R/k8s_audit_rules.yaml"

# N events: the suite's audit events over and over (one JSON line each)
data=$BENCH_DATA/audit.jsonl
if [ ! -f "$data" ] || [ "$(wc -l <"$data")" != "$N" ]; then
	for f in "$K8S"/*.json; do cat "$f"; echo; done | grep '"auditID"' >"$BENCH_OUT/audit_one.jsonl"
	awk -v n="$N" '{ l[NR] = $0 } END { for (i = 0; i < n; i++) print l[i % NR + 1] }' \
		"$BENCH_OUT/audit_one.jsonl" >"$data"
fi
ev=$(wc -l <"$data")

# shellcheck disable=SC2086
"$B/bench/bench_replay" -n "$RUNS" -l audit $RULES "$data" | tee "$BENCH_OUT/audit_replay.txt" | tail -1
"$B/bench/bench_replay" -n "$RUNS" -l audit-decode --decode-only "$data" | tee "$BENCH_OUT/audit_decode.txt" | tail -1
"$B/bench/bench_json" "$K8S" | tee "$BENCH_OUT/audit_json.txt"
up=$(tail -1 "$BENCH_OUT/audit_replay.txt")
dec=$(tail -1 "$BENCH_OUT/audit_decode.txt")
jan=$(grep '^json jansson' "$BENCH_OUT/audit_json.txt")
jc=$(grep '^json json-c' "$BENCH_OUT/audit_json.txt")
doc=$(grep '^json json/doc.c' "$BENCH_OUT/audit_json.txt")
best=$(field best "$up")
med=$(field median "$up")
jparse=$(field parse "$jan")
row 7a "audit events evaluated, k8s_audit_rules.yaml + falco_rules.yaml ($ev events, $(field alerts "$up") alerts)" \
	"$(fmt_rate "$best") / $(fmt_rate "$med") ev/s" "jansson parse only $(fmt_rate "$jparse") ev/s" \
	"$(ratio "$best" "$jparse")" ">= 1x" "$(ge "$best" "$jparse" && echo ok || echo below)"
row 7b "audit log read (lines, JSON, compact events; no rules)" \
	"$(fmt_rate "$(field best "$dec")") / $(fmt_rate "$(field median "$dec")") ev/s" "-" "-" "-" "-"
row 7c "JSON parse, the suite's audit events (json/doc.c)" "$(fmt_rate "$(field parse "$doc")") ev/s" \
	"jansson $(fmt_rate "$jparse"), json-c $(fmt_rate "$(field parse "$jc")") ev/s" \
	"$(ratio "$(field parse "$doc")" "$jparse" 1)" "faster than jansson" \
	"$(ge "$(field parse "$doc")" "$jparse" && echo ok || echo below)"

# the webhook: keep-alive clients, one event per request and batches of 10, rules evaluated
for b in 1 10; do
	# shellcheck disable=SC2086
	w=$("$B/bench/bench_webhook" $RULES -t 3 -c 2 -b "$b" "$data")
	echo "$w"
	rps=$(field rps "$w")
	sink=$(field sink_rps "$w")
	lost=$(field lost "$w")
	id=7d
	[ "$b" = 10 ] && id=7e
	row "$id" "webhook requests/s, $b event(s) per request, 2 connections (lost $lost of $(field events "$w"))" \
		"$(fmt_rate "$rps") req/s ($(fmt_rate "$(field evps "$w")") ev/s)" "bare HTTP sink $(fmt_rate "$sink") req/s" \
		"$(ratio "$rps" "$sink")" "lost 0" "$([ "$lost" = 0 ] && echo ok || echo LOST)"
done
note "- 7a-7e: audit events are the 51 events of Falco's former suite (trace_files/k8s_audit) repeated; 7a evaluates both rules files in process (bench_replay), its reference is jansson parsing the same events and nothing else; 7d/7e post to saker's listener from 2 keep-alive clients while a consumer thread evaluates, the reference is a sink that only reads requests and answers 200 on the same loopback."
