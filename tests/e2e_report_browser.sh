#!/bin/sh
# tests/e2e_report_browser.sh: --report HTML/JSON of a sample capture; headless Chromium renders the HTML, the DOM is checked, a screenshot saved.
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

# HTML report: self-contained (no external resources)
TZ=UTC "$REPLAY" -r "$RULES" -e "$CAP" --report "$d/report.html" >/dev/null 2>"$d/err"; rc=$?
if [ $rc -eq 0 ] && ! grep -qi '<script\|src=\|<link\|http://\|https://\|url(' "$d/report.html"; then
	pass "HTML report is self-contained"
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
timeout 120 "$CHROMIUM" $flags --window-size=1280,1600 --screenshot="$(pwd)/$B/report.png" "$url" >/dev/null 2>&1
if [ -s "$B/report.png" ]; then pass "screenshot saved to $B/report.png"; else fail "no screenshot"; fi
rm -rf "$d"
