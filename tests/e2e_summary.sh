#!/bin/sh
# tests/e2e_summary.sh: saker-replay summary: every --by kind, --json, --top, --sort, FILTER, --from/--to, bad input; counts, bytes, errors and syscall times checked against sysdig 0.29 on a peer capture.
. "$(dirname "$0")/lib.sh"
if [ ! -x "$REPLAY" ]; then fail "summary: $REPLAY not built"; exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then skip "summary: python3 not installed (JSON checks)"; exit 0; fi
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
export TZ=UTC
SKR=samples/captures/attack.skr

# every kind, text and JSON, on the bundled .skr
ok=1
for by in procs files connections syscalls users containers execs; do
	if ! "$REPLAY" summary -e "$SKR" --by "$by" >"$t/$by.txt" 2>"$t/err" ||
	   ! grep -q "^-- [0-9]* " "$t/$by.txt" ||
	   ! "$REPLAY" summary -e "$SKR" --by "$by" --json --top 0 >"$t/$by.json" ||
	   ! python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["by"] == sys.argv[2] and r["rows"]' \
		"$t/$by.json" "$by" 2>>"$t/err"; then
		ok=0; echo "--by $by: $(cat "$t/err")"
	fi
done
[ $ok = 1 ] && pass "summary: every --by kind prints a table and valid JSON" || fail "summary: --by kinds"

# what the bundled capture is known to hold (samples/record_attack.sh)
if python3 - "$t" <<'EOP'
import json, sys
d = sys.argv[1]
load = lambda k: json.load(open("%s/%s.json" % (d, k)))
execs = load("execs")["rows"]
cmds = [r["cmdline"] for r in execs]
assert any(c.startswith("cat /etc/shadow") for c in cmds), cmds
assert [r["time"] for r in execs] == sorted(r["time"] for r in execs), "execs are in time order"
assert all(r["user"] == "root" and r["container_id"] == "66679f060173" for r in execs if r["cmdline"].startswith("cat /etc/shadow"))
conns = load("connections")["rows"]
assert [c["connection"] for c in conns] == ["127.0.0.1:39140->127.0.0.1:39829"] and conns[0]["proto"] == "tcp", conns
assert conns[0]["bytes_written"] == 6 and conns[0]["process"] == "bash"
files = {r["file"]: r for r in load("files")["rows"]}
assert files["/etc/shadow"]["opens"] >= 1 and files["/etc/shadow"]["bytes_read"] > 0
procs = load("procs")
t = procs["totals"]
assert procs["has_syscall_time"] is False and t["syscall_time_ns"] is None
assert t["events"] == sum(r["events"] for r in procs["rows"]) and t["events"] > 10000
sc = load("syscalls")
assert sc["totals"]["errors"] == procs["totals"]["errors"]   # every failed syscall has a process
users = {(r["user"], r["container_id"]) for r in load("users")["rows"]}
assert ("root", "66679f060173") in users, users
ctr = {r["container_id"]: r for r in load("containers")["rows"]}
assert list(ctr) == ["66679f060173"] and ctr["66679f060173"]["events"] == t["events"], ctr  # recorded in a container
EOP
then pass "summary: execs, connections, files, users and containers of the bundled capture"
else fail "summary: the bundled capture's rows"; fi

# --top, --sort, FILTER, --from/--to
n=$("$REPLAY" summary -e "$SKR" --by files --top 3 | grep -vc '^--\|EVENTS')
"$REPLAY" summary -e "$SKR" --by procs --top 0 --sort errors --json >"$t/err.json"
"$REPLAY" summary -e "$SKR" --by procs --top 0 --json proc.name=find >"$t/find.json"
"$REPLAY" summary -e "$SKR" --by syscalls --top 0 --json --from 0 --to 1 >"$t/none.json"
if [ "$n" = 3 ] && python3 - "$t" <<'EOP'
import json, sys
d = sys.argv[1]
e = json.load(open(d + "/err.json"))["rows"]
assert [r["errors"] for r in e] == sorted((r["errors"] for r in e), reverse=True)
f = json.load(open(d + "/find.json"))["rows"]
assert f and all(r["name"] == "find" for r in f), f
n = json.load(open(d + "/none.json"))
assert n["rows_total"] == 0 and n["totals"]["events"] == 0
EOP
then pass "summary: --top, --sort errors, a FILTER and a --from/--to window"
else fail "summary: --top ($n rows), --sort, FILTER or window"; fi

# bad input: one clear line, non-zero exit
"$REPLAY" summary -e "$SKR" --by nothing >/dev/null 2>"$t/e1"; r1=$?
"$REPLAY" summary --by procs >/dev/null 2>"$t/e2"; r2=$?
"$REPLAY" summary -e "$t/missing.skr" >/dev/null 2>"$t/e3"; r3=$?
"$REPLAY" summary -e "$SKR" 'proc.name =' >/dev/null 2>"$t/e4"; r4=$?
head -c 2000 "$SKR" >"$t/cut.skr"
"$REPLAY" summary -e "$t/cut.skr" >"$t/cut.txt" 2>"$t/e5"; r5=$?
if [ $r1 = 1 ] && grep -q "expected procs" "$t/e1" && [ $r2 = 1 ] && grep -q "no capture" "$t/e2" &&
   [ $r3 = 2 ] && grep -q "missing.skr" "$t/e3" && [ $r4 = 1 ] && grep -q "filter" "$t/e4" &&
   [ $r5 = 2 ] && grep -q "cut.skr" "$t/e5" && grep -q '^-- ' "$t/cut.txt"; then
	pass "summary: bad --by, no capture, missing file, bad filter and a truncated capture are clear errors"
else
	fail "summary: bad input ($r1 $r2 $r3 $r4 $r5): $(cat "$t/e1" "$t/e2" "$t/e3" "$t/e4" "$t/e5")"
fi
"$REPLAY" summary --help >"$t/help" && grep -q topconns "$t/help" && grep -q spy_users "$t/help" &&
	grep -q topprocs "$t/help" && grep -q topfiles "$t/help" &&
	pass "summary: --help maps the sysdig chisels" || fail "summary: --help"

# against sysdig 0.29 on a peer capture with enter events: exact per-row figures
CAP=$SHARED/peers/scap/run_as_user_0_container.scap
if ! command -v sysdig >/dev/null 2>&1 || [ ! -f "$CAP" ]; then
	skip "summary: sysdig or $CAP missing: no comparison with sysdig"
	exit 0
fi
for by in syscalls files procs; do "$REPLAY" summary -e "$CAP" --by $by --top 0 --json >"$t/p_$by.json"; done
# evt.num 1519: a read exit whose enter is missing (docs/compat.md): its fd differs by design
sysdig -r "$CAP" -p '%evt.type %evt.latency' "evt.dir=<" >"$t/s_sc.txt" 2>/dev/null
sysdig -r "$CAP" -p '%evt.is_io_read %evt.rawres %fd.name' \
	"evt.dir=< and evt.is_io=true and evt.rawres>0 and fd.type in (file, directory) and evt.num!=1519" >"$t/s_files.txt" 2>/dev/null
sysdig -r "$CAP" -p '%proc.pid' "evt.dir=< and evt.failed=true" >"$t/s_err.txt" 2>/dev/null
if python3 - "$t" <<'EOP'
import collections, json, sys
d = sys.argv[1]
# syscalls: exit counts and time inside the syscall (evt.latency)
cnt, lat = collections.Counter(), collections.Counter()
for l in open(d + "/s_sc.txt"):
    ty, la = l.split()
    cnt[ty] += 1; lat[ty] += int(la)
rows = {r["syscall"]: r for r in json.load(open(d + "/p_syscalls.json"))["rows"]}
for ty in cnt:
    assert rows[ty]["events"] == cnt[ty], (ty, rows[ty]["events"], cnt[ty])
    assert rows[ty]["syscall_time_ns"] == lat[ty], (ty, rows[ty]["syscall_time_ns"], lat[ty])
# files: bytes read and written per file
rd, wr = collections.Counter(), collections.Counter()
for l in open(d + "/s_files.txt"):
    isr, n, name = l.rstrip("\n").split(" ", 2)
    (rd if isr == "true" else wr)[name.strip()] += int(n)
files = {r["file"].strip(): r for r in json.load(open(d + "/p_files.json"))["rows"]}
for name in set(rd) | set(wr):
    assert files[name]["bytes_read"] == rd[name] and files[name]["bytes_written"] == wr[name], \
        (name, files[name], rd[name], wr[name])
# processes: failed syscalls per pid
err = collections.Counter(l.strip() for l in open(d + "/s_err.txt"))
procs = collections.Counter()
for r in json.load(open(d + "/p_procs.json"))["rows"]:
    procs[str(r["pid"])] += r["errors"]
for pid, n in err.items():
    assert procs[pid] == n, (pid, procs[pid], n)
print("checked %d syscalls, %d files, %d processes" % (len(cnt), len(set(rd) | set(wr)), len(err)))
EOP
then pass "summary: syscall counts and times, file bytes and process errors equal sysdig's on $(basename "$CAP")"
else fail "summary: figures differ from sysdig's on $(basename "$CAP")"; fi
