#!/bin/sh
# tests/e2e_report_browser.sh: --report HTML/JSON of a sample capture: incidents, lead-ups, ATT&CK table; headless Chromium renders the HTML, the DOM is checked, the filters are driven through chromedriver and shown to change what is displayed, a screenshot saved.
. tests/lib.sh
CAP=$SHARED/peers/scap/run_as_user_0_container.scap
RULES=tests/data/report_rules.yaml
if [ ! -f "$CAP" ]; then skip "e2e_report_browser: $CAP absent"; exit 0; fi
if [ ! -x "$REPLAY" ]; then fail "e2e_report_browser: $REPLAY not built"; exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then skip "e2e_report_browser: python3 absent (DOM and JSON checks)"; exit 0; fi
d=$(tmpdir)
mkdir -p "$B"

# JSON report: alerts linked to processes, ancestry, children, capture facts
TZ=UTC "$REPLAY" -r "$RULES" -e "$CAP" --report "$d/r.json" >/dev/null 2>"$d/err"; rc=$?
if [ $rc -eq 0 ] && python3 - "$d/r.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
procs = {p["id"]: p for p in r["processes"]}
byname = {p["name"]: p for p in r["processes"]}
a = r["alerts"]
assert [x["rule"] for x in a] == ["Shell spawned a program in a container", "Process exited in a container"], a
ls, bash = byname["ls"], byname["bash"]
assert all(x["process"] == ls["id"] and x["pid"] == 32052 for x in a)
assert ls["parent"] == bash["id"] and ls["id"] in bash["children"]
assert ls["container_id"] == "697956520d89" and ls["user"] == "root" and ls["exe"] == "/bin/ls"
assert ls["start"].startswith("2019-07-09T22:31:12.") and ls["exit"] == a[1]["time"]
assert {"kind": "exec", "what": "ls", "time": a[0]["time"]} in ls["activity"]
chain, p = [], ls
while p["parent"] is not None:
    p = procs[p["parent"]]; chain.append(p["name"])
assert chain == ["bash", "containerd-shim", "containerd", "systemd"], chain
assert r["capture"]["hostname"] == "ubuntu" and r["capture"]["drops"] == 0
assert r["capture"]["first_event"] < a[0]["time"] < r["capture"]["last_event"]
assert r["summary"]["by_rule"] == {"Shell spawned a program in a container": 1, "Process exited in a container": 1}
assert r["summary"]["by_priority"] == {"Warning": 1, "Notice": 1}
EOP
then pass "JSON report: alerts, process ancestry and children, capture facts"; else fail "JSON report (rc=$rc): $(cat "$d/err")"; fi

# files opened for writing are listed under the process that wrote them
WCAP=$SHARED/peers/scap/write_tmp_test.scap
printf -- '- rule: Write below tmp\n  desc: d\n  condition: evt.type in (open, openat) and evt.is_open_write=true and fd.name startswith /tmp\n  output: write (file=%%fd.name)\n  priority: ERROR\n' > "$d/w.yaml"
if [ -f "$WCAP" ]; then
	"$REPLAY" -r "$d/w.yaml" -e "$WCAP" --report "$d/w.json" -o log_level=warning >/dev/null 2>&1
	if python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
bash = [p for p in r["processes"] if p["alerts"]][0]
assert bash["name"] == "bash" and bash["pid"] == 25754, bash
assert [(a["kind"], a["what"]) for a in bash["activity"]] == [("write", "/tmp/test")], bash["activity"]
assert r["alerts"][0]["time"] == bash["activity"][0]["time"]
' "$d/w.json"; then pass "JSON report lists files opened for writing"; else fail "JSON report write activity: $(cat "$d/w.json")"; fi
fi

# incidents, lead-ups and the ATT&CK table (JSON carries the same facts as the page)
FRULES=tests/data/report_filter_rules.yaml
TZ=UTC "$REPLAY" -r "$FRULES" -e "$CAP" --report "$d/f.json" --report-lead 4 -o log_level=warning >/dev/null 2>"$d/err"; rc=$?
if [ $rc -eq 0 ] && python3 - "$d/f.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
procs = {p["id"]: p for p in r["processes"]}
a, inc = r["alerts"], r["incidents"]
assert r["settings"]["lead_up_events"] == 4
# two lineages: the docker client on the host, ls under bash in the container
assert len(inc) == 2, inc
by_root = {i["root_name"]: i for i in inc}
assert set(by_root) == {"docker", "ls"}, by_root
assert by_root["docker"]["priority"] == "Error" and by_root["docker"]["container_id"] == "host"
assert by_root["ls"]["container_id"] == "697956520d89" and by_root["ls"]["rules"] == 2
for i in inc:
    assert all(a[k]["incident"] == i["id"] for k in i["alerts"])
assert sorted(k for i in inc for k in i["alerts"]) == list(range(len(a)))
# lead-ups: at most 4 events of the process and 4 of its parent, before the alert, oldest first
for x in a:
    lu = x["lead_up"]
    assert 0 < len(lu) <= 8, (x["rule"], lu)
    assert [e["time"] for e in lu] == sorted(e["time"] for e in lu)
    assert all(e["time"] <= x["time"] for e in lu)
    me = procs[x["process"]]
    assert {e["pid"] for e in lu} <= {me["pid"], procs[me["parent"]]["pid"] if me["parent"] is not None else -1}
ls_exec = [x for x in a if x["rule"] == "Shell spawned a program in a container"][0]
# what ls (32052) and its parent bash (25754) did just before the exec
assert {e["pid"] for e in ls_exec["lead_up"]} == {32052, 25754}, ls_exec["lead_up"]
assert ls_exec["tags"] == ["T1059.004", "container", "mitre_execution", "process"]
m = {(x["tactic"], x["technique"]): x for x in r["mitre"]}
assert m[("Execution", "T1059.004")]["alerts"] == 1
assert m[("Execution", "T1059.004")]["technique_name"].endswith("Unix Shell")
assert m[("Discovery", "T1083")]["alerts"] == 3 and r["mitre"][0]["tactic_id"] == "TA0002"
EOP
then pass "JSON report: incidents by lineage, lead-ups of process and parent, ATT&CK table"
else fail "JSON report incidents/lead-up/ATT&CK (rc=$rc): $(cat "$d/err")"; fi
"$REPLAY" -r "$RULES" -e "$CAP" --report-lead 5 >/dev/null 2>"$d/err2"; r1=$?
"$REPLAY" -r "$RULES" -e "$CAP" --report "$d/x.json" --report-lead 500 >/dev/null 2>"$d/err3"; r2=$?
if [ $r1 = 1 ] && grep -q "only apply to --report" "$d/err2" && [ $r2 = 1 ] && grep -q "report-lead" "$d/err3"; then
	pass "--report-lead without --report, or out of range, is refused"
else fail "--report-lead checks ($r1 $r2)"; fi

# HTML report: self-contained (inline CSS and script only, no external resources)
TZ=UTC "$REPLAY" -r "$RULES" -e "$CAP" --report "$d/report.html" >/dev/null 2>"$d/err"; rc=$?
TZ=UTC "$REPLAY" -r "$FRULES" -e "$CAP" --report "$d/f.html" -o log_level=warning >/dev/null 2>>"$d/err"
if [ $rc -eq 0 ] && ! grep -qi 'src=\|<link\|http://\|https://\|url(\|<iframe\|<object' "$d/report.html" "$d/f.html" &&
   [ "$(grep -o '<script' "$d/f.html" | wc -l)" = 1 ] && grep -q 'id="incident-table"' "$d/f.html" &&
   grep -q 'id="mitre-table"' "$d/f.html" && grep -q '<details class="lead">' "$d/f.html"; then
	pass "HTML report is self-contained (one inline script) with incidents, ATT&CK table and lead-ups"
else
	fail "HTML report (rc=$rc) self-contained: $(cat "$d/err")"
fi

# a real browser
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "e2e_report_browser: installing chromium chromium-driver (make deps)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver \
		>/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1; }
	CHROMIUM=$(command -v chromium)
fi
if [ -z "$CHROMIUM" ]; then
	skip "e2e_report_browser: chromium is not installed and could not be installed (apt-get install chromium chromium-driver)"
	rm -rf "$d"; exit 0
fi
url="file://$(cd "$d" && pwd)/report.html"
flags="--headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=$d/profile"
timeout 120 "$CHROMIUM" $flags --dump-dom "$url" > "$d/dom.html" 2>/dev/null
if python3 - "$d/dom.html" <<'EOP'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.ids = {}; self.links = []; self.text = {}; self.cur = None
        self.procs = {}   # id -> (pid, parent proc id, classes of the node)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("br", "meta"): return
        parent_proc = next((s[1] for s in reversed(self.stack) if s[0] == "li" and s[1]), None)
        self.stack.append((tag, a.get("id") if tag == "li" and "proc" in a.get("class", "") else None))
        if "id" in a: self.ids[a["id"]] = tag
        if tag == "li" and "proc" in a.get("class", ""):
            self.procs[a["id"]] = [a.get("data-pid"), parent_proc, ""]
            self.cur = a["id"]
        if tag == "div" and "node" in a.get("class", "") and self.cur:
            self.procs[self.cur][2] = a["class"]
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append((a["href"][1:], next((s for s in reversed(self.stack) if s[1]), None)))
        if tag == "tr" and a.get("id", "").startswith("alert-"):
            self.row = a["id"]; self.text[self.row] = ""
    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag: break
        if tag == "tr": self.row = None
    def handle_data(self, data):
        if getattr(self, "row", None): self.text[self.row] += data
p = P(); p.feed(open(sys.argv[1]).read())
assert "Shell spawned a program in a container" in p.text["alert-0"], p.text
assert "Process exited in a container" in p.text["alert-1"]
assert "ls (32052)" in p.text["alert-0"]
for target, _ in p.links:
    assert target in p.ids, "dangling link #" + target
byid = {k: v for k, v in p.procs.items()}
ls = [k for k, v in byid.items() if v[0] == "32052"][0]
bash = [k for k, v in byid.items() if v[0] == "25754"][0]
assert "alerting" in byid[ls][2] and "alerting" not in byid[bash][2]
assert byid[ls][1] == bash, "ls is not nested under bash"
assert byid[bash][1] == [k for k, v in byid.items() if v[0] == "25722"][0]
assert any(t == ls for t, _ in p.links if t.startswith("proc-")), "alerts do not link to their process"
assert sum(1 for t, _ in p.links if t.startswith("alert-")) >= 4  # timeline ticks + process node links
EOP
then pass "Chromium DOM: alert rows, process tree (ls under bash under containerd-shim), links resolve"
else fail "Chromium DOM check: $(head -c 600 "$d/dom.html")"; fi
rm -f "$B/report.png"
timeout 120 "$CHROMIUM" $flags --window-size=1280,1600 --screenshot="$(pwd)/$B/report.png" "file://$(cd "$d" && pwd)/f.html" >/dev/null 2>&1
if [ -s "$B/report.png" ]; then pass "screenshot saved to $B/report.png"; else fail "no screenshot"; fi

# the filters, driven like a user through chromedriver (WebDriver over HTTP, Python's standard library)
DRIVER=$(command -v chromedriver)
if [ -z "$DRIVER" ]; then
	skip "e2e_report_browser: chromedriver not installed (Debian package chromium-driver): filters not exercised"
	rm -rf "$d"; exit 0
fi
if timeout 180 python3 - "$DRIVER" "$CHROMIUM" "file://$(cd "$d" && pwd)/f.html" "$d/profile2" <<'EOP'
import json, socket, subprocess, sys, time, urllib.request
driver, chromium, url, profile = sys.argv[1:5]
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
proc = subprocess.Popen([driver, "--port=%d" % port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = "http://127.0.0.1:%d" % port
def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["value"]
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/status", timeout=1); break
        except Exception:
            time.sleep(0.1)
    caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": chromium, "args": ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile]}}}}
    sid = call("POST", "/session", caps)["sessionId"]
    S = "/session/" + sid
    call("POST", S + "/url", {"url": url})
    EL = "element-6066-11e4-a52e-4f735466cecf"   # the W3C element key
    def find_all(css):
        return [e[EL] for e in call("POST", S + "/elements", {"using": "css selector", "value": css})]
    def shown(css):
        return sum(1 for e in find_all(css) if call("GET", S + "/element/%s/displayed" % e))
    def pick(select, value):
        opt = find_all('form#filters select[name="%s"] option[value="%s"]' % (select, value))
        assert opt, (select, value)
        call("POST", S + "/element/%s/click" % opt[0], {})
    def reset():
        call("POST", S + "/element/%s/click" % find_all('form#filters button[type="reset"]')[0], {})
    def counter():
        return call("GET", S + "/element/%s/text" % find_all("#shown")[0])
    assert shown("tr.alert") == 5 and shown("tr.incident") == 2 and shown("a.tick") == 5 and counter() == "5"
    pick("priority", "3")                       # Error or more severe: the docker writes
    assert shown("tr.alert") == 3 and shown("a.tick") == 3 and counter() == "3", shown("tr.alert")
    assert shown("tr.incident") == 1
    pick("priority", "4")                       # Warning or more severe: + the exec in the container
    assert shown("tr.alert") == 4
    reset()
    assert shown("tr.alert") == 5
    pick("rule", "Process exited in a container")
    assert shown("tr.alert") == 1 and shown("tr.incident") == 1
    reset()
    pick("proc", "docker")
    assert shown("tr.alert") == 3
    pick("container", "697956520d89")           # docker runs on the host: nothing matches both
    assert shown("tr.alert") == 0 and shown("tr.incident") == 0 and counter() == "0"
    reset()
    pick("container", "697956520d89")
    assert shown("tr.alert") == 2 and shown("tr.incident") == 1
    # lead-ups are collapsed until opened
    lead = find_all("tr.alert details.lead")
    assert lead and shown("tr.alert details.lead table") == 0
    call("POST", S + "/element/%s/click" % find_all("tr.alert:not([hidden]) details.lead summary")[0], {})
    assert shown("tr.alert details.lead table") == 1
    call("DELETE", S)
finally:
    proc.terminate()
EOP
then pass "Chromium: the priority, rule, process and container filters change the alerts, ticks and incidents shown; lead-ups open on click"
else fail "Chromium filter check failed"; fi
rm -rf "$d"
