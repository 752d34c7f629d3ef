# bench/lib.sh: helpers sourced by the bench scripts: result rows, statistics, data locations.
# Every figure goes into "$BENCH_ROWS" as one tab-separated row:
#   id, measure, saker, reference, ratio, goal, verdict
# bench/run.sh turns the rows into the table it prints and writes to bench/results.md.
B=${B:-build}
BENCH_OUT=${BENCH_OUT:-$B/bench/out}
BENCH_DATA=${BENCH_DATA:-$B/bench/data}
BENCH_ROWS=${BENCH_ROWS:-$BENCH_OUT/rows.tsv}
BENCH_NOTES=${BENCH_NOTES:-$BENCH_OUT/notes.md}
RUNS=${RUNS:-3}
mkdir -p "$BENCH_OUT" "$BENCH_DATA"

# row ID MEASURE SAKER REFERENCE RATIO GOAL VERDICT
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" >>"$BENCH_ROWS"
}

# note TEXT...: a line under the table (methods, skips, where the time goes)
note() {
	printf '%s\n' "$*" >>"$BENCH_NOTES"
}

# skip ID MEASURE REASON: a loud skip, also recorded as a row
skip() {
	echo "SKIPPED: $2: $3"
	row "$1" "$2" "SKIPPED" "-" "-" "-" "skipped: $3"
}

# field NAME LINE: the number following the word NAME in LINE
field() {
	printf '%s\n' "$2" | awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) {print $(i + 1); exit}}'
}

# fmt_rate N: 1234567 -> 1.23M
fmt_rate() {
	awk -v r="$1" 'BEGIN { if (r >= 1e6) printf("%.2fM", r / 1e6); else if (r >= 1e3) printf("%.0fk", r / 1e3); else printf("%.0f", r) }'
}

# ratio A B [DIGITS]: A / B, or "-" when B is 0 or empty
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b + 0 == 0 || a == "") print "-"; else printf("%.*fx\n", d, a / b) }'
}

# ge A B: exit 0 when A >= B
ge() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'
}

# stats V...: "min median" of the values
stats() {
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END { if (NR) printf("%s %s\n", v[1], v[int((NR + 1) / 2)]) }'
}

is_root_btf() {
	[ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]
}

# other_probes: how many saker probes (sk_sys_exit programs) other processes have attached right now.
# Their cost lands on every traced syscall, so a measure taken meanwhile is inflated.
other_probes() {
	command -v bpftool >/dev/null 2>&1 || { echo 0; return; }
	bpftool prog list 2>/dev/null | grep -c 'name sk_sys_exit'
}

# warn_probes MEASURE: a loud note when other saker probes are attached
warn_probes() {
	n=$(other_probes)
	if [ "$n" -gt 0 ]; then
		echo "WARNING: $1: $n other saker probe(s) attached by other processes: the figures include their cost"
		note "- WARNING: during $1, $n other saker probe(s) were attached by other processes (tests running in parallel?); their cost is included."
	fi
}
