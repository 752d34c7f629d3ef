#!/bin/sh
# tests/e2e_config_malformed.sh: malformed configuration files each get one line naming file:line:col and exit 1, never a crash.
. tests/lib.sh
d=$(tmpdir)
trap 'rm -rf "$d"' EXIT
n=0
# case NAME EXPECTED-SUBSTRING YAML: writes the config, runs -L with it, expects exit 1 and the text.
case_bad() {
	name=$1; want=$2; text=$3
	n=$((n + 1))
	f="$d/c$n.yaml"
	printf '%b' "$text" >"$f"
	$REPLAY -c "$f" -r samples/rules/saker_rules.yaml -L >/dev/null 2>"$d/err"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$f:" "$d/err" && grep -qF -- "$want" "$d/err"; then
		pass "config $name: $(grep -F -- "$f:" "$d/err" | head -1 | sed "s|$d/||")"
	else
		fail "config $name: exit $rc, stderr: $(head -2 "$d/err")"
	fi
}
case_bad "not yaml" "invalid YAML" 'json_output: [true\n'
case_bad "tab indentation" "invalid YAML" 'file_output:\n\tenabled: true\n'
case_bad "top level is a list" "must be a YAML mapping" '- json_output: true\n'
case_bad "top level is a scalar" "must be a YAML mapping" 'hello\n'
case_bad "bool is a word" "key 'json_output' expects a boolean" 'json_output: maybe\n'
case_bad "bool is a list" "key 'json_output' expects a boolean" 'json_output: [true]\n'
case_bad "nested bool" "key 'file_output.enabled' expects a boolean" 'file_output:\n  enabled: 7\n'
case_bad "string is a mapping" "key 'file_output.filename' expects a string" 'file_output:\n  filename: {a: 1}\n'
case_bad "number is text" "key 'outputs.rate' expects a number" 'outputs:\n  rate: fast\n'
case_bad "number is empty" "key 'outputs.max_burst' expects a number" 'outputs:\n  max_burst: ""\n'
case_bad "section is a scalar" "key 'file_output' expects a mapping" 'file_output: yes\n'
case_bad "rules_files of mappings" "key 'rules_files' expects a list of strings" 'rules_files:\n  - {path: x}\n'
case_bad "bad priority" "key 'priority' expects a priority" 'priority: loud\n'
case_bad "bad rule_matching" "key 'rule_matching' expects 'first' or 'all'" 'rule_matching: some\n'
case_bad "bad json layout" "key 'json_output_layout' expects 'modern' or 'legacy'" 'json_output_layout: fancy\n'
case_bad "bad log level" "key 'log_level' expects a log level" 'log_level: chatty\n'
case_bad "https collector" "key 'http_output.url' expects an http:// URL" 'http_output:\n  enabled: true\n  url: https://collector\n'
case_bad "undefined alias" "invalid YAML" 'a: &x 1\nb: *y\n'
case_bad "unterminated quote" "invalid YAML" 'file_output:\n  filename: "/tmp/x\n'
case_bad "NUL byte" "invalid YAML" 'json_output: tr\0ue\n'
# Unknown keys are warnings, not errors.
printf 'no_such_key: 1\nfile_output:\n  no_such_sub: 2\n' >"$d/warn.yaml"
$REPLAY -c "$d/warn.yaml" -r samples/rules/saker_rules.yaml -L >/dev/null 2>"$d/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "warn.yaml:1:[0-9]*: warning: unknown configuration key 'no_such_key'" "$d/err" &&
	grep -q "unknown configuration key 'file_output.no_such_sub'" "$d/err"; then
	pass "unknown configuration keys warn with file:line:col and go on"
else
	fail "unknown keys: exit $rc, $(head -2 "$d/err")"
fi
# A missing configuration file is one line and exit 1.
$REPLAY -c "$d/nope.yaml" -r samples/rules/saker_rules.yaml -L >/dev/null 2>"$d/err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "nope.yaml: cannot read configuration" "$d/err"; then pass "missing config file"
else fail "missing config file: exit $rc, $(head -1 "$d/err")"; fi
