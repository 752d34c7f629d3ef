#!/bin/sh
# tests/e2e_k8saudit.sh: Kubernetes audit events end to end: audit logs with -e (alerts, JSON, gzip, stdin, bad lines, merge, -w), the rules spec, and the webhook over loopback (plain, TLS, refusals, a 10,000-event flood, falco.yaml plugin config).
. tests/lib.sh
R=$SHARED/peers/rules
K8S=$SHARED/peers/falco-tests/trace_files/k8s_audit
if [ ! -f "$R/k8s_audit_rules.yaml" ] || [ ! -d "$K8S" ]; then
	skip "k8s audit e2e: $R/k8s_audit_rules.yaml or $K8S not found (the shared peer data sits beside the repository)"
	exit 0
fi
d=$(tmpdir)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$d"
}
trap cleanup EXIT
RULES="-r $R/falco_rules.yaml -r $R/k8s_audit_rules.yaml"
export TZ=UTC FALCO_HOSTNAME=e2e-host

# ---- audit logs with -e ----

# shellcheck disable=SC2086
"$REPLAY" $RULES -e "$K8S/create_nginx_pod_privileged.json" >"$d/text.out" 2>"$d/text.err"
check "-e audit log: Falco's text alert" grep -qx '14:09:12.581541000: Warning Pod started with privileged container (user=system:serviceaccount:kube-system:replicaset-controller pod=nginx-deployment-5cdcc99dbf-rgw6z resource=pods ns=default images=(nginx) init_images=<NA> ephemeral_images=<NA>)' "$d/text.out"
check "-e audit log: summary counts the audit rule" grep -qx '   Create Privileged Pod: 1' "$d/text.out"
check "-e audit log: no suggested container suffix on audit rules" sh -c "! grep -q container_id= '$d/text.out'"

# shellcheck disable=SC2086
"$REPLAY" $RULES -e "$K8S/create_nginx_pod_privileged.json" -o json_output=true >"$d/json.out" 2>&1
check "-e audit log: JSON alert with source, hostname and output fields" grep -q '^{"hostname":"e2e-host","output":"14:09:12.581541000: Warning Pod started.*"output_fields":{"evt.time":1540476552581541000,"ka.req.pod.containers.image":\["nginx"\],.*"rule":"Create Privileged Pod","source":"k8s_audit","tags":\["k8s"\],"time":"2018-10-25T14:09:12.581541000Z"}$' "$d/json.out"

# gzip and stdin, told apart by content
cat "$K8S/create_nginx_pod_privileged.json" "$K8S/attach_pod.json" | gzip >"$d/two.json.gz"
# shellcheck disable=SC2086
"$REPLAY" $RULES -e "$d/two.json.gz" >"$d/gz.out" 2>&1
check "-e gzip audit log" grep -q 'Events detected: 2' "$d/gz.out"
# shellcheck disable=SC2086
gzip -dc "$d/two.json.gz" | "$REPLAY" $RULES -e - >"$d/stdin.out" 2>&1
check "-e - (stdin) audit log" grep -q 'Events detected: 2' "$d/stdin.out"

# bad lines: reported with their position, the good ones still evaluated, exit 0
{
	cat "$K8S/create_nginx_pod_privileged.json"
	echo '{"kind":"Event","auditID":"x",'
	echo '{"kind": 0}'
	cat "$K8S/attach_pod.json"
} >"$d/bad.json"
# shellcheck disable=SC2086
"$REPLAY" $RULES -e "$d/bad.json" >"$d/bad.out" 2>"$d/bad.err"
rc=$?
check "bad lines: exit 0" [ "$rc" -eq 0 ]
check "bad lines: the good events alert" grep -q 'Events detected: 2' "$d/bad.out"
check "bad lines: malformed JSON named by line and byte" grep -qx "saker-replay: $d/bad.json:2: malformed JSON at byte 31: unexpected end of input in an object" "$d/bad.err"
check "bad lines: non-audit JSON named by line" grep -qx "saker-replay: $d/bad.json:3: data not recognized as a k8s audit event" "$d/bad.err"
check "bad lines: counted at the end" grep -q "bad.json: 2 of 4 lines skipped" "$d/bad.err"

# merged with a syscall capture, and converted to .skr and back
CAP=samples/captures/attack.skr
if [ -f "$CAP" ]; then
	# shellcheck disable=SC2086
	"$REPLAY" $RULES -e "$CAP" -e "$d/two.json.gz" -o json_output=true >"$d/merge.out" 2>&1
	check "merge: syscall and audit alerts from one run" sh -c "grep -q '\"source\":\"syscall\"' '$d/merge.out' && grep -q '\"source\":\"k8s_audit\"' '$d/merge.out'"
	# shellcheck disable=SC2086
	"$REPLAY" $RULES -e "$CAP" -e "$d/two.json.gz" -o json_output=true --enable-source k8s_audit >"$d/only.out" 2>&1
	check "--enable-source k8s_audit: audit alerts only" sh -c "grep -q '\"source\":\"k8s_audit\"' '$d/only.out' && ! grep -q '\"source\":\"syscall\"' '$d/only.out'"
	# shellcheck disable=SC2086
	"$REPLAY" $RULES -e "$CAP" -e "$d/two.json.gz" -o json_output=true --disable-source k8s_audit >"$d/nok.out" 2>&1
	check "--disable-source k8s_audit: syscall alerts only" sh -c "grep -q '\"source\":\"syscall\"' '$d/nok.out' && ! grep -q '\"source\":\"k8s_audit\"' '$d/nok.out'"
	"$REPLAY" $RULES -e "$CAP" --enable-source cloudtrail >/dev/null 2>"$d/badsrc.err"
	check "--enable-source: an unknown source is refused" grep -qx 'Error: Attempted enabling an unknown event source: cloudtrail (known: syscall, k8s_audit)' "$d/badsrc.err"
else
	skip "merge with a syscall capture: $CAP absent"
fi
"$REPLAY" -e "$d/two.json.gz" -w "$d/two.skr" >/dev/null 2>&1
# shellcheck disable=SC2086
"$REPLAY" $RULES -e "$d/two.skr" >"$d/skr.out" 2>&1
check "-w: audit events kept in a .skr alert the same" cmp -s "$d/gz.out" "$d/skr.out"

# --list k8s_audit: the audit and generic fields, no syscall field
"$REPLAY" --list k8s_audit -N >"$d/list.out"
check "--list k8s_audit" sh -c "grep -qx ka.req.pod.containers.image '$d/list.out' && grep -qx jevt.value '$d/list.out' && grep -qx evt.time '$d/list.out' && ! grep -qx proc.name '$d/list.out'"
"$REPLAY" --list syscall -N >"$d/lists.out"
check "--list syscall has no ka.* field" sh -c "! grep -q '^ka\\.' '$d/lists.out'"

# the current rules fire on events written for them
"$REPLAY" test tests/specs/k8s_audit_rules.yaml >"$d/spec.out" 2>&1
rc=$?
sed -n 's/^ok   \(.*\)$/PASS: k8s_audit_rules spec: \1/p; s/^FAIL \(.*\)$/FAIL: k8s_audit_rules spec: \1/p' "$d/spec.out"
[ "$rc" -eq 0 ] || grep -q '^FAIL ' "$d/spec.out" || fail "k8s_audit_rules spec: exit $rc: $(cat "$d/spec.out")"

# ---- the webhook ----

if ! command -v curl >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	skip "k8s audit webhook: curl and python3 are needed (make deps installs them)"
	exit 0
fi

# start_listen NAME ARGS...: saker-replay listening on a free port; sets PORT
start_listen() {
	name=$1
	shift
	"$REPLAY" "$@" >"$d/$name.out" 2>"$d/$name.err" &
	pid=$!
	pids="$pids $pid"
	PORT=""
	# until it listens or exits (loading the probe for --live takes a while)
	for _ in $(seq 1 600); do
		PORT=$(sed -n 's/.*webhook listening on https*:\/\/[^ ]*:\([0-9][0-9]*\)\/.*/\1/p' "$d/$name.err" 2>/dev/null)
		[ -n "$PORT" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
}
stop_listen() {
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
post() { # URL FILE [curl args]: prints the status code
	url=$1
	f=$2
	shift 2
	curl -s -o "$d/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$f" "$@" "$url"
}

# shellcheck disable=SC2086
start_listen plain $RULES --k8s-audit-listen 127.0.0.1:0
if [ -z "$PORT" ]; then
	fail "webhook: did not start: $(cat "$d/plain.err")"
else
	U=http://127.0.0.1:$PORT/k8s-audit
	check "webhook: EventList posted, 200" [ "$(post "$U" "$K8S/create_nginx_pod_privileged.json")" = 200 ]
	printf '{"kind":"EventList","items":[%s]}' "$(cat "$K8S/attach_pod.json")" >"$d/list.json"
	check "webhook: keep-alive and chunked body, 200" [ "$(post "$U" "$d/list.json" -H 'Transfer-Encoding: chunked')" = 200 ]
	printf '{"kind": "Event", "auditID": ' >"$d/broken.json"
	check "webhook: malformed body, 400" [ "$(post "$U" "$d/broken.json")" = 400 ]
	check "webhook: the 400 says where" grep -q 'malformed JSON at byte 30' "$d/body"
	check "webhook: not audit data, 400" [ "$(post "$U" "$K8S/fal_01_003.json")" = 400 ]
	check "webhook: wrong path, 404" [ "$(post "http://127.0.0.1:$PORT/other" "$d/list.json")" = 404 ]
	check "webhook: GET, 405" [ "$(curl -s -o /dev/null -w '%{http_code}' "$U")" = 405 ]
	check "webhook: no application/json, 400" [ "$(curl -s -o /dev/null -w '%{http_code}' --data-binary "@$d/list.json" "$U")" = 400 ]
	stop_listen
	check "webhook: the posted events alert" sh -c "grep -q 'Create Privileged Pod: 1' '$d/plain.out' && grep -q 'Attach/Exec Pod: 1' '$d/plain.out'"
	check "webhook: refused requests reported with peer and reason" grep -q "k8s audit webhook: 127.0.0.1:[0-9]*: request 1: 400 malformed JSON at byte 30" "$d/plain.err"
	check "webhook: totals at the end" grep -q "k8s audit webhook: .* 7 requests, 2 accepted, 5 refused (400: 3, 404: 1, 405: 1, 413: 0, 503: 0, other: 0), 2 events" "$d/plain.err"
fi

# TLS with a self-signed certificate (key and certificate in one PEM, as sslCertificate)
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" -days 1 -subj /CN=localhost \
		>/dev/null 2>&1
	cat "$d/cert.pem" "$d/key.pem" >"$d/falco.pem"
	# shellcheck disable=SC2086
	start_listen tls $RULES --k8s-audit-listen https://127.0.0.1:0/audit --k8s-audit-cert "$d/falco.pem" \
		-o 'plugins=[{name: k8saudit, init_config: {webhookMaxBatchSize: 3000}}]'
	if [ -z "$PORT" ]; then
		fail "webhook TLS: did not start: $(cat "$d/tls.err")"
	else
		U=https://localhost:$PORT/audit
		check "webhook TLS: verified certificate, 200" [ "$(post "$U" "$K8S/attach_pod.json" --cacert "$d/cert.pem")" = 200 ]
		check "webhook TLS: body over webhookMaxBatchSize, 413" \
			[ "$(post "$U" "$K8S/create_nginx_pod_privileged.json" --cacert "$d/cert.pem")" = 413 ]
		check "webhook TLS: plain HTTP to the TLS port is refused" \
			[ "$(post "http://127.0.0.1:$PORT/audit" "$K8S/attach_pod.json")" = 000 ]
		stop_listen
		check "webhook TLS: the event alerts" grep -q 'Attach/Exec Pod: 1' "$d/tls.out"
		check "webhook TLS: failed handshake counted" grep -q "1 TLS handshakes failed" "$d/tls.err"
	fi
	"$REPLAY" $RULES --k8s-audit-listen https://127.0.0.1:0 --k8s-audit-cert "$d/missing.pem" -M 1 >/dev/null 2>"$d/nocert.err"
	rc=$?
	check "webhook TLS: a missing certificate is a clear error" sh -c "[ $rc -ne 0 ] && grep -q 'missing.pem: cannot load the certificate' '$d/nocert.err'"
else
	skip "webhook TLS: openssl not installed"
fi

# a flood of 10,000 events over one keep-alive connection loses none
cat >"$d/any.yaml" <<'EOF'
- rule: any audit event
  desc: every audit event
  condition: ka.auditid exists
  output: "%ka.auditid %ka.verb"
  priority: INFO
  source: k8s_audit
EOF
start_listen flood -r "$d/any.yaml" --k8s-audit-listen 127.0.0.1:0 -o stdout_output.enabled=false -w "$d/flood.skr"
if [ -z "$PORT" ]; then
	fail "webhook flood: did not start: $(cat "$d/flood.err")"
else
	python3 - "$PORT" >"$d/flood.py.out" 2>&1 <<'EOP'
import http.client, json, sys
port = int(sys.argv[1])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
sent = 0
for r in range(1000):
    items = [{"kind": "Event", "auditID": "flood-%d" % (sent + i), "stage": "ResponseComplete", "verb": "get",
              "objectRef": {"resource": "pods", "name": "p%d" % (sent + i)}, "user": {"username": "flood"},
              "stageTimestamp": "2024-06-01T12:00:%02d.%06dZ" % ((sent + i) // 1000000, (sent + i) % 1000000)}
             for i in range(10)]
    conn.request("POST", "/k8s-audit", json.dumps({"kind": "EventList", "items": items}),
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        print("status", resp.status)
        sys.exit(1)
    sent += len(items)
print("sent", sent)
EOP
	stop_listen
	check "webhook flood: the client posted 10000 events in 1000 requests" grep -qx 'sent 10000' "$d/flood.py.out"
	check "webhook flood: 10000 events received" grep -q "1000 requests, 1000 accepted, 0 refused .* 10000 events, 0 skipped" "$d/flood.err"
	check "webhook flood: 10000 alerts, none lost" grep -qx 'Events detected: 10000' "$d/flood.out"
	"$REPLAY" -r "$d/any.yaml" -e "$d/flood.skr" -o stdout_output.enabled=false >"$d/floodskr.out" 2>&1
	check "webhook -w: the 10000 events recorded in a .skr replay" grep -qx 'Events detected: 10000' "$d/floodskr.out"
fi

# Falco's plugin configuration: open_params as the webhook, init_config sizes
cat >"$d/falco.yaml" <<'EOF'
plugins:
  - name: k8saudit
    library_path: libk8saudit.so
    init_config:
      maxEventSize: 262144
      webhookMaxBatchSize: 12582912
    open_params: "http://127.0.0.1:0/k8s-audit"
  - name: json
    library_path: libjson.so
    init_config: ""
load_plugins: [k8saudit, json]
EOF
# shellcheck disable=SC2086
start_listen conf -c "$d/falco.yaml" $RULES
if [ -z "$PORT" ]; then
	fail "falco.yaml plugin config: no webhook: $(cat "$d/conf.err")"
else
	check "falco.yaml plugin config: open_params is the webhook" \
		[ "$(post "http://127.0.0.1:$PORT/k8s-audit" "$K8S/attach_pod.json")" = 200 ]
	stop_listen
	check "falco.yaml plugin config: the event alerts" grep -q 'Attach/Exec Pod: 1' "$d/conf.out"
fi
# open_params naming an audit log replays it
# shellcheck disable=SC2086
"$REPLAY" -c "$d/falco.yaml" -o "plugins[0].open_params=$K8S/attach_pod.json" $RULES >"$d/conffile.out" 2>&1
check "falco.yaml plugin config: open_params as an audit log" grep -q 'Attach/Exec Pod: 1' "$d/conffile.out"

# --live with the webhook: both sources into one engine (root, BTF, a probe this kernel accepts)
if need_root; then
	start_listen live -r "$d/any.yaml" --live --k8s-audit-listen 127.0.0.1:0 -M 20
	if [ -z "$PORT" ]; then
		if grep -q 'rejected the BPF program\|--live:' "$d/live.err"; then
			skip "--live with the webhook: the probe cannot run here: $(grep -m1 'saker-replay' "$d/live.err")"
		else
			fail "--live with the webhook: did not start: $(tail -3 "$d/live.err")"
		fi
	else
		check "--live with the webhook: 200" [ "$(post "http://127.0.0.1:$PORT/k8s-audit" "$K8S/attach_pod.json")" = 200 ]
		sleep 0.5
		stop_listen
		check "--live with the webhook: the audit event alerts" grep -q 'any audit event: 1' "$d/live.out"
	fi
else
	skip "--live with the webhook: needs root and kernel BTF"
fi
