#!/bin/sh
# tests/falco_suite.sh: Falco's former regression suite as saker's conformance test (make falco-suite).
# Translates ../shared/peers/falco-tests/cases.tsv into test specs under $B/falco-suite
# (tests/falco_suite_translate.py, deviations only from tests/falco_suite_adjustments.tsv),
# runs them with `saker-replay test`, and prints the pass count: passed / runnable / total.
B=${B:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
SUITE=${SHARED:-../shared}/peers/falco-tests
if [ ! -f "$SUITE/cases.tsv" ]; then
	echo "SKIPPED: falco suite: $SUITE/cases.tsv not found (the shared peer data sits beside the repository)"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIPPED: falco suite: python3 is needed to translate cases.tsv (make deps installs it)"
	exit 0
fi
out="$B/falco-suite"
rm -rf "$out"
summary=$(python3 tests/falco_suite_translate.py "$SUITE" "$out" tests/falco_suite_adjustments.tsv) || {
	echo "FAIL: falco suite: translating $SUITE/cases.tsv failed"
	exit 1
}
"$B/saker-replay" test -j "${JOBS:-2}" --junit "$out/junit.xml" "$out"/*.yaml >"$out/results.txt"
rc=$?
cat "$out/results.txt"
total=$(echo "$summary" | sed -n 's/^\([0-9]*\) cases.*/\1/p')
runnable=$(echo "$summary" | sed -n 's/^[0-9]* cases, \([0-9]*\) runnable.*/\1/p')
passed=$(grep -v ' \[exit-only\]' "$out/results.txt" | grep -c '^ok   ')
failed=$(grep -v ' \[exit-only\]' "$out/results.txt" | grep -c '^FAIL ')
variants=$(echo "$summary" | sed -n 's/^.* runnable, \([0-9]*\) exit-only variants.*/\1/p')
vpassed=$(grep -c '^ok   .* \[exit-only\]$' "$out/results.txt")
k8s_names=$(awk -F '\t' 'NR > 1 && $8 == "k8s_audit" {print $1}' "$SUITE/cases.tsv")
k8s_total=$(echo "$k8s_names" | grep -c .)
k8s_passed=$(echo "$k8s_names" | while read -r n; do grep -Fx "ok   $n" "$out/results.txt"; done | grep -c .)
echo "falco suite: $passed passed / $runnable runnable / $total total ($failed failed;" \
	"Kubernetes audit cases: $k8s_passed passed of $k8s_total)"
echo "falco suite exit-only variants (modern expectation of the enter/exit-dependent cases): $vpassed passed / $variants"
echo "falco suite adjustments (tests/falco_suite_adjustments.tsv): $(echo "$summary" | sed -n 's/^.*adjusted: //p')"
echo "falco suite JUnit report: $out/junit.xml"
exit $rc
