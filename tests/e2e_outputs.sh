#!/bin/sh
# tests/e2e_outputs.sh: -c/-o configuration and every output kind (file, program, syslog socket, http) receive exactly the expected alerts.
. tests/lib.sh
FT=$SHARED/peers/falco-tests
CAP=$SHARED/peers/scap/cat_write.scap
GOLD=$FT/output_files/single_rule_with_cat_write.txt
if [ ! -f "$CAP" ] || [ ! -f "$GOLD" ]; then skip "e2e_outputs: $CAP or $GOLD absent"; exit 0; fi
if [ ! -x "$REPLAY" ]; then fail "e2e_outputs: $REPLAY not built"; exit 0; fi
d=$(tmpdir)
# The legacy Falco test (file_output_strict): its config, its rules, the golden lines.
base() {
	TZ=UTC "$REPLAY" -c "$FT/confs/file_output.yaml" -r "$FT/rules/single_rule.yaml" -e "$CAP" --legacy-enter-events \
		-o time_format_iso_8601=true -o suggested_output=false -o stdout_output.enabled=false \
		-o file_output.enabled=false "$@"
}
same_as_gold() { # FILE: the alert lines equal the golden file (which has no final newline)
	printf '\n' | cat "$GOLD" - | cmp -s - "$1"
}
cnt=$(grep -c . "$GOLD")

# file_output, keep_alive false (reopened per alert) and true
base -o file_output.enabled=true -o "file_output.filename=$d/file.txt" >/dev/null 2>"$d/err"
if same_as_gold "$d/file.txt"; then pass "file_output: $cnt golden alerts"; else fail "file_output: $(cat "$d/file.txt" "$d/err")"; fi
base -o file_output.enabled=true -o "file_output.filename=$d/file2.txt" -o file_output.keep_alive=true >/dev/null 2>&1
if same_as_gold "$d/file2.txt"; then pass "file_output keep_alive"; else fail "file_output keep_alive"; fi

# stdout_output on by default with no config (stock falco.yaml), alerts before the summary
out=$(TZ=UTC "$REPLAY" -r "$FT/rules/single_rule.yaml" -e "$CAP" --legacy-enter-events -o time_format_iso_8601=true \
	-o suggested_output=false --no-summary)
if [ "$out" = "$(cat "$GOLD")" ]; then pass "stdout_output default"; else fail "stdout_output default: $out"; fi

# program_output: a script appending to a file, one process per alert and kept alive
cat > "$d/prog.sh" <<EOS
#!/bin/sh
cat >> "$d/prog.txt"
EOS
chmod +x "$d/prog.sh"
base -o program_output.enabled=true -o "program_output.program=$d/prog.sh" >/dev/null 2>"$d/err"
if same_as_gold "$d/prog.txt"; then pass "program_output: one process per alert"; else fail "program_output: $(cat "$d/prog.txt" "$d/err")"; fi
rm -f "$d/prog.txt"
base -o program_output.enabled=true -o "program_output.program=$d/prog.sh" -o program_output.keep_alive=true >/dev/null 2>&1
if same_as_gold "$d/prog.txt"; then pass "program_output keep_alive"; else fail "program_output keep_alive"; fi

# JSON through a file: one object per line, the same alerts
base -o json_output=true -o file_output.enabled=true -o "file_output.filename=$d/json.txt" >/dev/null 2>&1
n=$(grep -c '^{"hostname":.*"rule":"open_from_cat".*}$' "$d/json.txt")
if [ "$n" = "$cnt" ]; then pass "file_output json lines"; else fail "file_output json: $n lines"; fi

if ! command -v python3 >/dev/null 2>&1; then
	skip "syslog/http outputs: python3 absent (listeners)"
	rm -rf "$d"; exit 0
fi

# syslog_output to a unix datagram socket (syslog_output.socket, a saker test key)
python3 - "$d/log.sock" "$d/syslog.txt" "$cnt" <<'EOP' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(20)
with open(sys.argv[2], "w") as f:
    for _ in range(int(sys.argv[3])):
        try: f.write(s.recv(65536).decode() + "\n"); f.flush()
        except socket.timeout: break
EOP
lp=$!
i=0; while [ ! -S "$d/log.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
base -o syslog_output.enabled=true -o "syslog_output.socket=$d/log.sock" >/dev/null 2>"$d/err"
wait $lp
# RFC 3164: <PRI> with facility user (1) and Warning (4) = 12, then "saker[pid]: " and the line
sed -n 's/^<12>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* saker\[[0-9]*\]: //p' "$d/syslog.txt" > "$d/syslog.lines"
if same_as_gold "$d/syslog.lines"; then pass "syslog_output: $cnt datagrams, priority user.warning"; else fail "syslog_output: $(cat "$d/syslog.txt" "$d/err")"; fi

# http_output to a local listener: POST, JSON body, application/json
python3 - "$d/port" "$d/http.txt" "$cnt" <<'EOP' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        with open(sys.argv[2], "a") as f:
            f.write(self.command + " " + self.path + " " + self.headers["Content-Type"] + " " + body + "\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
srv.timeout = 20
open(sys.argv[1], "w").write(str(srv.server_address[1]))
for _ in range(int(sys.argv[3])): srv.handle_request()
EOP
hp=$!
i=0; while [ ! -s "$d/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat "$d/port")
base -o json_output=true -o http_output.enabled=true -o "http_output.url=http://127.0.0.1:$port/alerts" >/dev/null 2>"$d/err"
wait $hp
n=$(grep -c '^POST /alerts application/json {"hostname":.*"output":"2016-08-04T16:17:57.88[0-9]*+0000: Warning An open was seen (command=cat /dev/null)".*"rule":"open_from_cat"' "$d/http.txt")
if [ "$n" = "$cnt" ]; then pass "http_output: $cnt JSON POSTs"; else fail "http_output: $n posts: $(cat "$d/http.txt" "$d/err")"; fi
# text mode is text/plain and the same lines as the golden file
python3 - "$d/port2" "$d/http2.txt" "$cnt" <<'EOP' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        with open(sys.argv[2], "a") as f: f.write(self.headers["Content-Type"] + "|" + body + "\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
srv.timeout = 20
open(sys.argv[1], "w").write(str(srv.server_address[1]))
for _ in range(int(sys.argv[3])): srv.handle_request()
EOP
hp=$!
i=0; while [ ! -s "$d/port2" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
base -o http_output.enabled=true -o "http_output.url=http://127.0.0.1:$(cat "$d/port2")/" >/dev/null 2>&1
wait $hp
sed -n 's/^text\/plain|//p' "$d/http2.txt" > "$d/http2.lines"
if same_as_gold "$d/http2.lines"; then pass "http_output text/plain"; else fail "http_output text: $(cat "$d/http2.txt")"; fi

# a dead collector: reported once, replay finishes, exit 0
out=$(base -o http_output.enabled=true -o http_output.url=http://127.0.0.1:1/ 2>&1 >/dev/null); rc=$?
if [ $rc -eq 0 ] && [ "$(echo "$out" | grep -c 'http output: connect')" = 1 ]; then pass "dead http collector reported once"; else fail "dead collector (rc=$rc): $out"; fi

# configuration errors and warnings
out=$("$REPLAY" -o file_output.enabled=maybe -r "$FT/rules/single_rule.yaml" -e "$CAP" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "key 'file_output.enabled' expects a boolean"; then pass "wrong type is an error naming the key"; else fail "wrong type (rc=$rc): $out"; fi
printf 'json_output: true\nstdout_output:\n  enabled: 3\n' > "$d/bad.yaml"
out=$("$REPLAY" -c "$d/bad.yaml" -r "$FT/rules/single_rule.yaml" -e "$CAP" 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "bad.yaml:3:12: key 'stdout_output.enabled' expects a boolean"; then pass "config file type error has FILE:LINE:COL"; else fail "config type error (rc=$rc): $out"; fi
out=$(base -o no_such_key=1 2>&1 >/dev/null)
if echo "$out" | grep -q "unknown configuration key 'no_such_key'"; then pass "unknown key warned"; else fail "unknown key: $out"; fi
# rules_files from the config (a directory and a file) when no -r is given; -r replaces them
mkdir -p "$d/rules.d"; cp "$FT/rules/single_rule.yaml" "$d/rules.d/10-single.yaml"
printf -- '- rule: open_from_cat\n  enabled: false\n  override:\n    enabled: replace\n' > "$d/local.yaml"
printf 'rules_files:\n  - %s\n' "$d/rules.d" > "$d/cfg.yaml"
n=$(TZ=UTC "$REPLAY" -c "$d/cfg.yaml" -e "$CAP" --no-summary | grep -c 'An open was seen')
if [ "$n" = 4 ]; then pass "rules_files directory from the config"; else fail "rules_files dir: $n alerts"; fi
n=$(TZ=UTC "$REPLAY" -c "$d/cfg.yaml" -o "rules_files[1]=$d/local.yaml" -e "$CAP" | grep -c 'An open was seen\|^Events detected: 0$')
if [ "$n" = 1 ]; then pass "-o rules_files[1] appends a local overrides file"; else fail "rules_files[1]: $n alerts"; fi
# outputs.rate / max_burst: a token bucket on event time
n=$(base -o outputs.rate=1 -o outputs.max_burst=3 -o stdout_output.enabled=true 2>/dev/null | grep -c 'An open was seen')
if [ "$n" = 3 ]; then pass "outputs.rate/max_burst throttle"; else fail "rate limit: $n alerts"; fi
# rules: selection (disable by tag, then enable by name glob), as in falco.yaml
RC=$SHARED/peers/scap/run_as_user_0_container.scap
out=$("$REPLAY" -r tests/data/report_rules.yaml -e "$RC" -o 'rules=[{disable: {tag: container}}, {enable: {rule: "Process exit*"}}]' 2>&1)
if echo "$out" | grep -q '^   Process exited in a container: 1$' && ! echo "$out" | grep -q 'Shell spawned'; then pass "config rules: disable/enable selection"; else fail "rules selection: $out"; fi
# Falco >= 0.38 style replay: engine.kind=replay + engine.replay.capture_file
out=$("$REPLAY" -r tests/data/report_rules.yaml -o engine.kind=replay -o "engine.replay.capture_file=$RC" 2>&1)
if echo "$out" | grep -q '^Events detected: 2$'; then pass "engine.kind=replay capture_file"; else fail "engine.kind=replay: $out"; fi
# the shipped default configuration is valid and sends alerts to stdout
out=$("$REPLAY" -c samples/saker.yaml -r tests/data/report_rules.yaml -e "$RC" 2>&1); rc=$?
if [ $rc -eq 0 ] && echo "$out" | grep -q '^Events detected: 2$' && ! echo "$out" | grep -q warning; then pass "samples/saker.yaml loads cleanly"; else fail "samples/saker.yaml (rc=$rc): $out"; fi
rm -rf "$d"
