#!/bin/sh
# bench/replay_rate.sh: replay rate vs sysdig (measure 1), replay peak RSS (5) and the replay profile.
# Uses a deterministic synthetic capture (bench_gen_capture) of BENCH_EVENTS events,
# exported to .scap for sysdig 0.29. Without sysdig the ratios are skipped loudly.
. bench/lib.sh
N=${BENCH_EVENTS:-5000000}
NP=${BENCH_PRINT_EVENTS:-1000000}
GEN=$B/bench/bench_gen_capture
REPLAY_BENCH=$B/bench/bench_replay
RUN=$B/bench/bench_run
R=${RULES_DIR:-../shared/peers/rules}
PRINT_FMT='%evt.num %evt.type %proc.name %fd.name %evt.res'
TRIVIAL='proc.name=nonexistent_benchmark_proc'

for f in "$GEN" "$REPLAY_BENCH" "$RUN" "$B/saker-replay"; do
	[ -x "$f" ] || { echo "replay_rate: $f missing (make all)"; exit 1; }
done
SYSDIG=${SYSDIG:-sysdig}
have_sysdig=1
command -v "$SYSDIG" >/dev/null 2>&1 || have_sysdig=0

# (re)generate when the generator or the event count changed
gen() { # NAME EVENTS
	stamp="$BENCH_DATA/$1.stamp"
	want="$2 $(cksum <"$GEN" | cut -d' ' -f1) $have_sysdig"
	if [ -s "$BENCH_DATA/$1.skr" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return 0
	fi
	rm -f "$BENCH_DATA/$1.skr" "$BENCH_DATA/$1.scap" "$stamp"
	outs="skr:3:$BENCH_DATA/$1.skr"
	[ $have_sysdig = 1 ] && outs="$outs scap:$BENCH_DATA/$1.scap"
	# shellcheck disable=SC2086
	"$GEN" -n "$2" $outs >/dev/null || { echo "replay_rate: generator failed"; exit 1; }
	echo "$want" >"$stamp"
}
echo "generating captures ($N and $NP events)..."
gen big "$N"
gen print "$NP"
BIG=$BENCH_DATA/big.skr

RULES=""
if [ -r "$R/falco_rules.yaml" ] && [ -r "$R/falco-incubating_rules.yaml" ] && [ -r "$R/falco-sandbox_rules.yaml" ]; then
	RULES="-r $R/falco_rules.yaml -r $R/falco-incubating_rules.yaml -r $R/falco-sandbox_rules.yaml"
else
	echo "SKIPPED: upstream rules not found under $R"
fi

# --- saker, in process (rule loading excluded) ---
"$REPLAY_BENCH" -n "$RUNS" -l decode --decode-only "$BIG" | tee "$BENCH_OUT/replay_decode.txt" | tail -1
"$REPLAY_BENCH" -n "$RUNS" -l trivial --trivial "$BIG" | tee "$BENCH_OUT/replay_trivial.txt" | tail -1
dec=$(tail -1 "$BENCH_OUT/replay_decode.txt")
tri=$(tail -1 "$BENCH_OUT/replay_trivial.txt")
if [ -n "$RULES" ]; then
	# shellcheck disable=SC2086
	"$REPLAY_BENCH" -n "$RUNS" -l upstream $RULES "$BIG" | tee "$BENCH_OUT/replay_upstream.txt" | tail -1
	up=$(tail -1 "$BENCH_OUT/replay_upstream.txt")
fi

# --- sysdig reference on the same events ---
sys_best="" sys_med="" sysp_best="" sysp_med=""
if [ $have_sysdig = 1 ]; then
	s=$("$RUN" -n "$RUNS" -- "$SYSDIG" -r "$BENCH_DATA/big.scap" "$TRIVIAL")
	echo "sysdig trivial filter: $s"
	sys_best=$(awk -v n="$N" -v t="$(field best "$s")" 'BEGIN{printf("%.0f", n / t)}')
	sys_med=$(awk -v n="$N" -v t="$(field median "$s")" 'BEGIN{printf("%.0f", n / t)}')
	sys_rss=$(field maxrss "$s")
	s=$("$RUN" -n "$RUNS" -- "$SYSDIG" -r "$BENCH_DATA/print.scap" -p "$PRINT_FMT")
	echo "sysdig -p 5 fields: $s"
	sysp_best=$(awk -v n="$NP" -v t="$(field best "$s")" 'BEGIN{printf("%.0f", n / t)}')
	sysp_med=$(awk -v n="$NP" -v t="$(field median "$s")" 'BEGIN{printf("%.0f", n / t)}')
else
	echo "SKIPPED: sysdig not installed: no reference rates, ratios skipped"
fi
s=$("$RUN" -n "$RUNS" -- "$B/saker-replay" -e "$BENCH_DATA/print.skr" --print "$PRINT_FMT")
echo "saker-replay --print 5 fields: $s"
sp_best=$(awk -v n="$NP" -v t="$(field best "$s")" 'BEGIN{printf("%.0f", n / t)}')
sp_med=$(awk -v n="$NP" -v t="$(field median "$s")" 'BEGIN{printf("%.0f", n / t)}')

ref() { # BEST MEDIAN LABEL
	if [ -n "$1" ]; then echo "$3 $(fmt_rate "$1") / $(fmt_rate "$2") ev/s"; else echo "-"; fi
}
rat() { # SAKER_BEST SAKER_MED REF_BEST REF_MED
	if [ -n "$3" ]; then echo "$(ratio "$1" "$3") / $(ratio "$2" "$4")"; else echo "- (no sysdig)"; fi
}
sref=$(ref "$sys_best" "$sys_med" "sysdig trivial filter")
if [ -n "$RULES" ]; then
	ub=$(field best "$up"); um=$(field median "$up")
	verdict="MISSED"
	if ge "$um" 10000000 && { [ -z "$sys_med" ] || ge "$um" "$sys_med"; }; then verdict="met"; fi
	row 1a "replay rate, 3 upstream rules files ($N events, $(field alerts "$up") alerts)" \
		"$(fmt_rate "$ub") / $(fmt_rate "$um") ev/s" "$sref" "$(rat "$ub" "$um" "$sys_best" "$sys_med")" \
		">= 10M ev/s and >= 1.0x" "$verdict"
else
	skip 1a "replay rate, 3 upstream rules files" "rules files not found"
fi
tb=$(field best "$tri"); tm=$(field median "$tri")
row 1b "replay rate, one trivial rule" "$(fmt_rate "$tb") / $(fmt_rate "$tm") ev/s" "$sref" \
	"$(rat "$tb" "$tm" "$sys_best" "$sys_med")" "-" "-"
row 1c "print 5 fields (saker-replay --print vs sysdig -p, $NP events, CLI)" \
	"$(fmt_rate "$sp_best") / $(fmt_rate "$sp_med") ev/s" "$(ref "$sysp_best" "$sysp_med" "sysdig -p")" \
	"$(rat "$sp_best" "$sp_med" "$sysp_best" "$sysp_med")" "-" "-"
db=$(field best "$dec"); dm=$(field median "$dec")
row 1d "decode only (.skr read + zstd + decode, no engine)" "$(fmt_rate "$db") / $(fmt_rate "$dm") ev/s" \
	"$sref" "$(rat "$db" "$dm" "$sys_best" "$sys_med")" "-" "-"
note "- Rates are best / median of $RUNS runs; ratios are saker/sysdig (best/best, median/median). Measures 1a/1b/1d run in process (bench_replay: the engine loop with decompression and decode, rule loading excluded: $(field load "$up") s for the 3 files); sysdig and 1c are whole command runs, events = the capture's syscall events (sysdig also reads the synthesised enter events of the .scap)."

# --- parallel decode: .skr frames decoded ahead on a worker (--decode-threads 1) vs on the replay's thread (0) ---
# Runs alternate between the two so that load from elsewhere hits both alike.
par_row() { # ID WHAT ARGS...
	id=$1 what=$2
	shift 2
	seq_r="" par_r="" seq_m="" par_m="" share=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		a=$("$REPLAY_BENCH" -n 1 -l "$id-seq" --decode-threads 0 "$@" "$BIG" | tail -1)
		b=$("$REPLAY_BENCH" -n 1 -l "$id-par" --decode-threads 1 "$@" "$BIG" | tail -1)
		echo "$a"; echo "$b"
		seq_r="$seq_r $(field best "$a")" par_r="$par_r $(field best "$b")"
		seq_m="$seq_m $(field mainrate "$a")" par_m="$par_m $(field mainrate "$b")" share="$share $(field cpushare "$b")"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	sb=$(printf '%s\n' $seq_r | sort -g | tail -1) sm=$(stats $seq_r | cut -d' ' -f2)
	# shellcheck disable=SC2086
	pb=$(printf '%s\n' $par_r | sort -g | tail -1) pm=$(stats $par_r | cut -d' ' -f2)
	# shellcheck disable=SC2086
	smain=$(printf '%s\n' $seq_m | sort -g | tail -1) pmain=$(printf '%s\n' $par_m | sort -g | tail -1)
	# shellcheck disable=SC2086
	sh_med=$(stats $share | cut -d' ' -f2)
	row "$id" "parallel decode, $what: --decode-threads 1 vs 0 (wall; replay thread's CPU)" \
		"$(fmt_rate "$pb") / $(fmt_rate "$pm") ev/s; $(fmt_rate "$pmain") ev/CPU-s, process CPU ${sh_med}x the replay thread's" \
		"sequential $(fmt_rate "$sb") / $(fmt_rate "$sm") ev/s; $(fmt_rate "$smain") ev/CPU-s" \
		"$(ratio "$pb" "$sb") / $(ratio "$pm" "$sm"); $(ratio "$pmain" "$smain")" "-" "-"
}
par_row 1g-decode "decode only" --decode-only
par_row 1g-none "no rules (state only)"
if [ -n "$RULES" ]; then
	# shellcheck disable=SC2086
	par_row 1g-upstream "3 upstream rules files" $RULES
fi
note "- Parallel decode (1g): best / median of $RUNS alternating runs each way on $(nproc) CPUs; ratios parallel/sequential. ev/CPU-s: events per CPU second of the replay's own thread (best run), the rate with the worker on a core of its own, which the wall rate reaches only when a core is free (load from elsewhere takes it here). A worker reads and decompresses the frames and sets up their columns, and while the replay's thread is the slower side also takes the events apart and answers the open rules' fd.name, fd.directory and fd.filename groups; state, fields and rules run on the replay's thread, in order (docs/performance.md)."

# --- grouped (default) vs plain rule evaluation, and scaling with rule count ---
if [ -n "$RULES" ]; then
	# shellcheck disable=SC2086
	"$REPLAY_BENCH" -n "$RUNS" -l upstream-plain --plain $RULES "$BIG" | tee "$BENCH_OUT/replay_plain.txt" | tail -1
	pl=$(tail -1 "$BENCH_OUT/replay_plain.txt")
	row 1e "3 upstream files, -o rule_evaluation=plain (no field groups)" \
		"$(fmt_rate "$(field best "$pl")") / $(fmt_rate "$(field median "$pl")") ev/s" \
		"grouped (1a) vs plain" "$(ratio "$ub" "$(field best "$pl")") / $(ratio "$um" "$(field median "$pl")")" "-" "-"
fi
for k in 10 100 1000; do
	sh bench/gen_rules.sh "$k" >"$BENCH_DATA/gen_rules_$k.yaml"
	g=$("$REPLAY_BENCH" -n "$RUNS" -l "gen$k" -r "$BENCH_DATA/gen_rules_$k.yaml" "$BIG" | tail -1)
	p=$("$REPLAY_BENCH" -n "$RUNS" -l "gen$k-plain" --plain -r "$BENCH_DATA/gen_rules_$k.yaml" "$BIG" | tail -1)
	echo "$g"; echo "$p"
	row "1f-$k" "$k generated rules, upstream style (bench/gen_rules.sh: lists, macros, exceptions)" \
		"$(fmt_rate "$(field median "$g")") ev/s (plain $(fmt_rate "$(field median "$p")"))" \
		"$(ref "$sys_best" "$sys_med" "sysdig trivial filter")" \
		"$(rat "$(field best "$g")" "$(field median "$g")" "$sys_best" "$sys_med"); grouped/plain $(ratio "$(field median "$g")" "$(field median "$p")")" "-" "-"
done

# --- peak RSS of the CLI replay with the three rules files ---
if [ -n "$RULES" ]; then
	# shellcheck disable=SC2086
	s=$("$RUN" -n 1 -- "$B/saker-replay" $RULES -e "$BIG")
	echo "saker-replay -r x3 -e big: $s"
	rss=$(field maxrss "$s")
	row 5a "peak RSS, saker-replay with 3 rules files over $N events" "$((rss / 1024)) MiB" \
		"$( [ -n "$sys_rss" ] && echo "sysdig trivial filter $((sys_rss / 1024)) MiB" || echo -)" \
		"$( [ -n "$sys_rss" ] && ratio "$rss" "$sys_rss" || echo -)" "-" "-"
fi

# --- where the time goes (measure 1a) ---
if [ -n "$RULES" ] && command -v perf >/dev/null 2>&1; then
	P=$BENCH_OUT/perf.data
	# shellcheck disable=SC2086
	if perf record -q -F 1999 -g -o "$P" "$REPLAY_BENCH" -n 1 -l profile $RULES "$BENCH_DATA/print.skr" \
		>/dev/null 2>"$BENCH_OUT/perf.err"; then
		perf report -i "$P" --no-children --sort symbol -g none --percent-limit 0.7 --stdio 2>/dev/null |
			awk '/^ +[0-9.]+%/ {print $1, $3}' >"$BENCH_OUT/profile_symbols.txt"
		# symbol -> source file, from the static libraries' symbol tables
		for a in "$B"/lib*.a; do nm -A --defined-only "$a" 2>/dev/null; done |
			awk '{split($1, p, ":"); d = p[1]; sub(/.*\/lib/, "", d); sub(/\.a$/, "", d);
			      f = p[2]; sub(/\.o$/, ".c", f); print $NF, d "/" f}' >"$BENCH_OUT/symfile.txt"
		perf report -i "$P" --no-children --sort dso,symbol -g none --stdio 2>/dev/null |
			awk '/^ +[0-9.]+%/ {print $1, $4, $2}' >"$BENCH_OUT/profile_all.txt"
		awk 'NR == FNR { sub(/\.isra.*|\.part.*|\.constprop.*/, "", $1); file[$1] = $2; next }
		     { pct = $1; sub(/%/, "", pct); s = $2; sub(/\.isra.*|\.part.*|\.constprop.*/, "", s)
		       if (s in file) f = file[s]
		       else if ($3 ~ /kernel/) f = "kernel (read(), page faults, VM)"
		       else if ($3 ~ /zstd/) f = "libzstd (decompression)"
		       else if (s ~ /^_*(mem|str)/) f = "libc string functions (memchr/memmem/memcmp/strcmp/strlen)"
		       else f = "other: " $3
		       sum[f] += pct }
		     END { for (f in sum) printf("%.1f%% %s\n", sum[f], f) }' \
			"$BENCH_OUT/symfile.txt" "$BENCH_OUT/profile_all.txt" | sort -rn >"$BENCH_OUT/profile_files.txt"
		{
			echo "### Where the time goes: replay with the 3 upstream rules files ($NP events, perf, self time)"
			echo
			echo "By source file (sum of its functions' self time; libraries and kernel by DSO):"
			echo
			echo '```'
			head -15 "$BENCH_OUT/profile_files.txt"
			echo '```'
			echo
			echo "Top functions:"
			echo
			echo '```'
			head -25 "$BENCH_OUT/profile_symbols.txt"
			echo '```'
		} >"$BENCH_OUT/profile.md"
		echo "profile: $BENCH_OUT/profile.md"
		head -8 "$BENCH_OUT/profile_files.txt"
	else
		echo "SKIPPED: perf record failed: $(head -1 "$BENCH_OUT/perf.err")"
	fi
else
	echo "SKIPPED: profile: perf not installed (or no rules)"
fi
