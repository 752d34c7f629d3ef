#!/bin/sh
# samples/run.sh: what `make run` shows: the bundled attack capture replayed with the bundled rules.
B=${B:-build}
cap=samples/captures/attack.skr
rules=samples/rules/saker_rules.yaml
echo "== saker-replay -r $rules -e $cap"
echo
"$B/saker-replay" -r "$rules" -e "$cap" -o suggested_output=false
status=$?
cat <<MSG

That was a capture of a scripted attack-like session (samples/record_attack.sh),
recorded with saker-record on a Debian machine and replayed here against
saker's own rules. To record your own host (root, kernel with BTF):

    sudo $B/saker-record -w host.skr -M 60
    $B/saker-replay -r $rules -e host.skr

Falco's rules files work unchanged: saker-replay -r falco_rules.yaml -e host.skr
MSG
exit $status
