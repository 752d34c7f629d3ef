#!/bin/sh
# tests/e2e_reload.sh: SIGHUP in saker-replay --live: new rules and configuration without losing state or events; a broken rules or configuration file keeps the running rules with one line.
. tests/lib.sh
if ! need_root; then
	skip "SIGHUP reload is tested on --live, which needs root and kernel BTF"
	exit 0
fi
d=$(tmpdir)
rp=
py=
cleanup() {
	[ -n "$rp" ] && kill "$rp" 2>/dev/null
	[ -n "$py" ] && kill "$py" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT
export TZ=UTC

rule_a() {
	cat <<R
- rule: svc marker a
  desc: opening marker a
  condition: evt.type in (open, openat, openat2) and fd.name = "$d/marker_a"
  output: marker a opened by %proc.name
  priority: WARNING
R
}
echo x >"$d/marker_a"
echo x >"$d/marker_c"
echo state >"$d/statefile"
printf 'json_output: true\nstdout_output:\n  enabled: true\n' >"$d/saker.yaml"
rule_a >"$d/rules.yaml"
$REPLAY -c "$d/saker.yaml" -r "$d/rules.yaml" --live -M 120 >"$d/out.json" 2>"$d/err" &
rp=$!
check "live starts" wait_for "$d/err" 'detecting (probe attached'
cat "$d/marker_a" >/dev/null
# a process that opens a file before the reload and reads it after: the
# alert on the read needs the fd table built before the reload
python3 -c "
import os, time
f = os.open('$d/statefile', os.O_RDONLY)
open('$d/py_ready', 'w').close()
while not os.path.exists('$d/go'):
    time.sleep(0.05)
os.read(f, 10)
" &
py=$!
i=0
while [ $i -lt 300 ] && [ ! -e "$d/py_ready" ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
{
	rule_a
	cat <<R
- rule: svc state read
  desc: read of a file opened before the reload
  condition: evt.type = read and fd.name = "$d/statefile"
  output: read of %fd.name by %proc.name
  priority: NOTICE
- rule: svc marker c
  desc: opening marker c
  condition: evt.type in (open, openat, openat2) and fd.name = "$d/marker_c"
  output: marker c opened
  priority: NOTICE
R
} >"$d/rules.yaml"
kill -HUP "$rp"
check "SIGHUP reloads the rules (one line: how many)" \
	wait_for "$d/err" '^saker-replay: SIGHUP: reloaded the configuration and 3 rules from 1 rules files$'
touch "$d/go"
wait "$py"
py=
cat "$d/marker_a" >/dev/null
# a broken rules file: the three rules stay, one line says why
printf -- '- rule: broken\n  condition: evt.type = \n  [' >"$d/rules.yaml"
kill -HUP "$rp"
check "a broken rules file is refused" wait_for "$d/err" 'SIGHUP: .*the 3 rules loaded before stay'
check "the refusal is one line naming the file and position" \
	grep -q "^saker-replay: SIGHUP: $d/rules.yaml:4:1: .*; the 3 rules loaded before stay\$" "$d/err"
n=$(grep -c "$d/rules.yaml" "$d/err")
check "one line about the broken rules file (got $n)" [ "$n" -eq 1 ]
# a broken configuration: the same
printf 'json_output: [true\n' >"$d/saker.yaml"
kill -HUP "$rp"
check "a broken configuration is refused" wait_for "$d/err" 'configuration not reloaded; the 3 rules loaded before stay'
check "the configuration's error names the file and position" grep -q "^saker-replay: $d/saker.yaml:[0-9]*:[0-9]*: " "$d/err"
cat "$d/marker_c" >/dev/null
sleep 1
kill -INT "$rp"
wait "$rp"
rc=$?
rp=
check "live exits 0 after the reloads" [ "$rc" -eq 0 ]
cat "$d/err"
count() { grep -c "\"rule\":\"$1\"" "$d/out.json"; }
check "rule a fired before and after the reload (2 alerts, got $(count 'svc marker a'))" [ "$(count 'svc marker a')" -eq 2 ]
check "a rule loaded by SIGHUP fires on an fd opened before it (state kept)" [ "$(count 'svc state read')" -eq 1 ]
check "after the refused reloads the reloaded rules still fire" [ "$(count 'svc marker c')" -eq 1 ]
check "the summary carries rule a's count across the reload" grep -q '^   svc marker a: 2$' "$d/out.json"
check "the summary counts the new rules" grep -q '^   svc state read: 1$' "$d/out.json"
