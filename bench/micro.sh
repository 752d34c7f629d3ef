#!/bin/sh
# bench/micro.sh: the micro-benchmarks (every build/bench/bench_* that runs without arguments); figures in the log only.
. bench/lib.sh
for b in bench_skr bench_scap bench_rules_cond bench_rules_load; do
	[ -x "$B/bench/$b" ] || continue
	echo "-- $b"
	"$B/bench/$b"
done
