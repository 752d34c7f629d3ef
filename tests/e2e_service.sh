#!/bin/sh
# tests/e2e_service.sh: saker-replay --live as a service: Falco's webserver (/healthz, /versions, /metrics checked by promtool), metrics snapshots, sd_notify READY=1, outputs.aggregate with counted suppressions.
. tests/lib.sh
if ! need_root; then
	skip "the service test runs --live, which needs root and kernel BTF"
	exit 0
fi
d=$(tmpdir)
rp=
ns=
cleanup() {
	[ -n "$rp" ] && kill "$rp" 2>/dev/null
	[ -n "$ns" ] && kill "$ns" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT
cat >"$d/r.yaml" <<R
- rule: svc marker
  desc: opening the marker
  condition: evt.type in (open, openat, openat2) and fd.name = "$d/m"
  output: marker opened by %proc.name
  priority: WARNING
  tags: [test, "quote\"d"]
R
echo x >"$d/m"
# a stand-in for systemd's notification socket
python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('$d/notify')
open('$d/notify.ready', 'w').close()
with open('$d/notify.log', 'a') as f:
    while True:
        f.write(s.recv(4096).decode() + '\n'); f.flush()
" &
ns=$!
i=0
while [ $i -lt 100 ] && [ ! -e "$d/notify.ready" ]; do sleep 0.1; i=$((i + 1)); done
NOTIFY_SOCKET="$d/notify" $REPLAY -r "$d/r.yaml" -o json_output=true -o webserver.enabled=true -o webserver.listen_port=0 \
	-o webserver.listen_address=127.0.0.1 -o webserver.threadiness=2 -o metrics.enabled=true \
	-o webserver.prometheus_metrics_enabled=true -o metrics.output_file="$d/metrics.jsonl" -o metrics.interval=1s \
	-o metrics.output_rule=true -o outputs.aggregate.window=60s --live -M 120 >"$d/out" 2>"$d/err" &
rp=$!
check "the webserver is announced" wait_for "$d/err" '^saker-replay: webserver on http://127.0.0.1:[0-9]*$'
check "ready line" wait_for "$d/err" 'detecting (probe attached'
check "sd_notify READY=1 reaches NOTIFY_SOCKET once the probe is attached" wait_for "$d/notify.log" '^READY=1$'
port=$(sed -n 's|^saker-replay: webserver on http://127.0.0.1:\([0-9]*\)$|\1|p' "$d/err")
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$d/m" >/dev/null; done
sleep 2
curl -s -D "$d/h.hdr" "http://127.0.0.1:$port/healthz" >"$d/healthz"
check "/healthz answers {\"status\": \"ok\"}" [ "$(cat "$d/healthz")" = '{"status": "ok"}' ]
check "/healthz is application/json" grep -qi '^Content-Type: application/json' "$d/h.hdr"
curl -s "http://127.0.0.1:$port/versions" >"$d/versions"
check "/versions has Falco's keys with saker's values" python3 -c "
import json, sys
v = json.load(open('$d/versions'))
keys = ['default_driver_version', 'driver_api_version', 'driver_schema_version', 'engine_version',
        'engine_version_semver', 'falco_version', 'libs_version', 'plugin_api_version']
sys.exit(0 if all(k in v for k in keys) and v['falco_version'] == '0.1.0' and v['engine_version_semver'] == '0.57.0' else 1)"
curl -s -D "$d/m.hdr" "http://127.0.0.1:$port/metrics" >"$d/metrics"
check "/metrics is Prometheus text 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$d/m.hdr"
check "/metrics counts the rule's 10 matches with Falco's name and labels" \
	grep -q '^falcosecurity_falco_rules_matches_total{priority="4",rule_name="svc marker",source="syscall",tags="quote\\"d, test"} 10$' "$d/metrics"
for m in falcosecurity_scap_n_evts_total falcosecurity_scap_n_drops_buffer_total falcosecurity_falco_cpu_usage_ratio \
	falcosecurity_falco_memory_rss_bytes saker_outputs_aggregated_total saker_outputs_rate_dropped_total; do
	check "/metrics has $m" grep -q "^$m [0-9.]*\$" "$d/metrics"
done
check "/metrics counts the 9 alerts outputs.aggregate folded" grep -q '^saker_outputs_aggregated_total 9$' "$d/metrics"
if command -v promtool >/dev/null; then
	promtool check metrics <"$d/metrics" >"$d/promtool.out" 2>&1
	rc=$?
	# the only lint findings allowed: Falco's own *_timestamp_nanoseconds names, kept for its clients
	others=$(grep -v 'use base unit "seconds" instead of "nanoseconds"' "$d/promtool.out" | grep -c .)
	check "promtool check metrics: no problem but Falco's nanosecond names (rc $rc)" [ "$others" -eq 0 ] && [ "$rc" -ne 1 ]
	cat "$d/promtool.out"
else
	skip "promtool is absent (Debian package prometheus)"
fi
check "/nothing answers 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing")" = 404 ]
check "POST answers 405" [ "$(curl -s -o /dev/null -w '%{http_code}' -d x "http://127.0.0.1:$port/healthz")" = 405 ]
check "metrics.output_file gets JSON snapshots" python3 -c "
import json
l = [json.loads(x) for x in open('$d/metrics.jsonl')]
assert l and l[-1]['rule'] == 'Falco internal: metrics snapshot' and l[-1]['output_fields']['falco.rules.svc_marker'] == 10"
check "metrics.output_rule sends the snapshot alert" grep -q '"rule":"Falco internal: metrics snapshot"' "$d/out"
kill -HUP "$rp"
check "sd_notify RELOADING=1 on SIGHUP" wait_for "$d/notify.log" '^RELOADING=1$'
kill -INT "$rp"
wait "$rp"
rc=$?
rp=
check "live exits 0" [ "$rc" -eq 0 ]
check "sd_notify STOPPING=1" grep -q '^STOPPING=1$' "$d/notify.log"
n=$(grep -c '"rule":"svc marker"' "$d/out")
check "outputs.aggregate: the first alert and one 'more' line (got $n)" [ "$n" -eq 2 ]
check "the 'more' line says how many" grep -q 'svc marker: 9 more in the last 60 s (outputs.aggregate)' "$d/out"
check "the summary counts the suppressed alerts" \
	grep -q "^Alerts suppressed: 9 (outputs.aggregate: 9 folded into 1 'more' lines; outputs.rate: 0 dropped)$" "$d/out"
check "the summary still counts every match" grep -q '^   svc marker: 10$' "$d/out"
# a port in use: one line, non-zero exit
python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
open('$d/busy', 'w').write(str(s.getsockname()[1])); time.sleep(30)" &
busy=$!
i=0
while [ $i -lt 100 ] && [ ! -s "$d/busy" ]; do sleep 0.1; i=$((i + 1)); done
$REPLAY -r "$d/r.yaml" -o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
	-o webserver.listen_port="$(cat "$d/busy")" --live -M 5 >/dev/null 2>"$d/busy.err"
rc=$?
kill "$busy" 2>/dev/null
check "a webserver port in use: exit 1 with one line" [ "$rc" -eq 1 ] && grep -q 'webserver: cannot listen on 127.0.0.1:[0-9]*: Address already in use' "$d/busy.err"
