#!/bin/sh
# tests/e2e_ci_recipe.sh: the script of docs/ci.md, taken from the page itself, run on the diff test's rules, spec and captures: reports written, exit status, and both CI jobs run that script.
. tests/lib.sh
if [ ! -x "$REPLAY" ]; then fail "ci recipe: $REPLAY not built"; exit 0; fi
if [ ! -f "$SHARED/peers/scap/open-multiple-files.scap" ]; then
	skip "ci recipe: $SHARED/peers/scap not found"
	exit 0
fi
t=$(tmpdir)
trap 'rm -rf "$t"' EXIT
# the fenced block after the <!-- ci-commands --> marker
sed -n '/^<!-- ci-commands -->$/,/^```$/p' docs/ci.md | sed '1,2d;$d' >"$t/saker-check.sh"
check "ci recipe: docs/ci.md holds the script" grep -q '"$SAKER" diff -r "$BASE_RULES" --against -r "$RULES"' "$t/saker-check.sh"
for job in 'GitHub Actions' 'GitLab CI'; do
	sed -n "/^## $job\$/,/^## /p" docs/ci.md >"$t/job"
	check "ci recipe: the $job job runs the script with every variable it needs" \
		sh -c "grep -q 'sh ci/saker-check.sh' '$t/job' && for v in SAKER RULES BASE_RULES SPECS CAPTURES OUT; do grep -q \"\$v:\" '$t/job' || exit 1; done"
done

# a corpus directory and a spec directory, as a rules repository has them
mkdir -p "$t/captures" "$t/specs" "$t/rules" "$t/base"
cp "$SHARED/peers/scap/open-multiple-files.scap" "$SHARED/peers/scap/write_tmp_test.scap" samples/captures/attack.skr "$t/captures/"
cp tests/data/diff/rules_v1.yaml "$t/base/rules.yaml"
cp tests/data/diff/rules_v2.yaml "$t/rules/rules.yaml"
sed -e "s|rules_v2.yaml|$t/rules/rules.yaml|; s|rules_v1.yaml|$t/base/rules.yaml|" \
	-e "s|../../../../shared/peers/scap|$(cd "$SHARED/peers/scap" && pwd)|" tests/data/diff/coverage_spec.yaml >"$t/specs/tmp.yaml"

run_recipe() {
	SAKER=$REPLAY RULES=$1 BASE_RULES=$2 SPECS=$t/specs CAPTURES=$t/captures OUT=$3 sh "$t/saker-check.sh" >"$3.log" 2>&1
}
run_recipe "$t/rules" "$t/base" "$t/out1"
rc=$?
check "ci recipe: a change that moves alerts fails the job" [ $rc -eq 1 ]
check "ci recipe: JUnit report with both cases passing" grep -q 'tests="2" failures="0"' "$t/out1/junit.xml"
check "ci recipe: coverage report" grep -q '"never_fired":\["Read shadow","Ping sends"\]' "$t/out1/coverage.json"
check "ci recipe: Markdown diff for the comment" grep -qx '### saker-replay diff: 13 alerts added, 1 removed' "$t/out1/diff.md"
check "ci recipe: JSON diff says it differs" grep -q '^{"differs":true,"captures":\["[^"]*attack.skr",' "$t/out1/diff.json"

run_recipe "$t/rules" "$t/rules" "$t/out2"
rc=$?
check "ci recipe: no alert moved and the specs pass: the job passes" [ $rc -eq 0 ]
check "ci recipe: JSON diff says nothing differs" grep -q '^{"differs":false,' "$t/out2/diff.json"
