#!/bin/sh
# tests/e2e_fuzz.sh: runs every libFuzzer target for a short budget (FUZZ_SECONDS, default 20) through fuzz/run.sh.
# The fuzz build is always ASan+UBSan (clang), independent of SANITIZE, so
# the SANITIZE=1 pass of the suite would repeat the same runs: it skips.
. tests/lib.sh
if [ "${SANITIZE:-0}" = 1 ]; then
	skip "fuzz: the libFuzzer targets run with ASan+UBSan in the normal pass (make test); not repeated under SANITIZE=1"
	exit 0
fi
B=build/fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-20} sh fuzz/run.sh
