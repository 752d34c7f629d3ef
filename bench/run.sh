#!/bin/sh
# bench/run.sh: runs every benchmark script in bench/ (each prints its own figures or SKIPPED).
B=${B:-build}
export B
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
for s in bench/*.sh; do
	[ "$s" = bench/run.sh ] && continue
	echo "== $(basename "$s" .sh)"
	sh "$s"
done
