#!/bin/sh
# tests/tools/check_layers.sh: fails when a file includes a header of a layer above its own (docs/architecture.md).
#
# Usage: tests/tools/check_layers.sh [ROOT]   (ROOT: the source tree, default: this checkout)
#        tests/tools/check_layers.sh --layers  (prints the layer list, top first)
# Prints one line per bad include, "FILE:LINE: #include "X": reason", and
# exits 1 when there is one; otherwise prints a one-line count and exits 0.
#
# The rule: a file may include headers of its own module (directory) and of
# modules in lower layers. A module is the longest directory of LAYERS that
# holds the file; modules on one line are peers and may not include each
# other. A header named *_int.h is internal: only its own directory and the
# test layers (tests, bench, fuzz) may include it. The probe's kernel half
# (*.bpf.c, *.bpf.h and everything under probe/bpf/) includes only vmlinux.h,
# the layout headers in KERNEL_SHARED and other kernel-half files.
# Quoted includes resolve as the compiler does: next to the including file,
# then from the top of the tree; vmlinux.h and *.skel.h are generated.

# Bottom layer first.
LAYERS='
json yaml
formats rules
formats/skr formats/scap fields
probe
host
sources record
replay/config replay/state
replay/extract
replay/outputs
replay/engine
replay/report replay/summary replay/service replay/packets
replay/diff
replay/regress
replay
tests/helpers
tests bench fuzz
'
# Headers both halves of the probe include (the ring record layout).
KERNEL_SHARED='probe/saker_event.h'
# Layers whose files may include another directory's internal headers (white-box tests).
TEST_MODULES='tests bench fuzz'

if [ "$1" = --layers ]; then
	# the layer list, top layer first, one line per layer
	printf '%s\n' "$LAYERS" | sed '/^[[:space:]]*$/d' | awk '{ l[NR] = $0 } END { for (i = NR; i >= 1; i--) print l[i] }'
	exit 0
fi

root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 2

find . \( -path ./build -o -path ./.git \) -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
	sed 's|^\./||' | sort |
	awk -v layers="$LAYERS" -v kshared="$KERNEL_SHARED" -v testmods="$TEST_MODULES" '
function dirname(p,   i) { i = match(p, /\/[^\/]*$/); return i ? substr(p, 1, i - 1) : "" }
# a/b/../c -> a/c, a/./b -> a/b
function normalize(p,   n, parts, out, k, i) {
	n = split(p, parts, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (parts[i] == "." || parts[i] == "") continue
		if (parts[i] == ".." && k > 0) { k--; continue }
		out[++k] = parts[i]
	}
	p = ""
	for (i = 1; i <= k; i++) p = p (i > 1 ? "/" : "") out[i]
	return p
}
function module_of(p,   d) {
	for (d = dirname(p); d != ""; d = dirname(d))
		if (d in rank) return d
	return ""
}
function is_kernel(p) { return p ~ /\.bpf\.[ch]$/ || p ~ /^probe\/bpf\// || (p in kernel_shared) }
function bad(f, line, inc, why) { printf "%s:%d: #include \"%s\": %s\n", f, line, inc, why; nbad++ }
BEGIN {
	n = split(layers, rows, "\n"); level = 0
	for (i = 1; i <= n; i++) {
		if (rows[i] ~ /^[ \t]*$/) continue
		level++
		m = split(rows[i], mods, /[ \t]+/)
		for (j = 1; j <= m; j++) if (mods[j] != "") rank[mods[j]] = level
	}
	m = split(kshared, ks, /[ \t]+/); for (j = 1; j <= m; j++) if (ks[j] != "") kernel_shared[ks[j]] = 1
	m = split(testmods, tm, /[ \t]+/); for (j = 1; j <= m; j++) if (tm[j] != "") test_module[tm[j]] = 1
}
{ files[++nfiles] = $0; exists[$0] = 1 }
END {
	for (fi = 1; fi <= nfiles; fi++) {
		f = files[fi]; fm = module_of(f); kern = is_kernel(f); lineno = 0
		if (fm == "") { bad(f, 0, "-", "the file is in no layer of tests/tools/check_layers.sh (add its directory to LAYERS and docs/architecture.md)"); continue }
		while ((getline line < f) > 0) {
			lineno++
			if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
			inc = line; sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", inc); sub(/".*/, "", inc)
			ninc++
			t = normalize((dirname(f) == "" ? "" : dirname(f) "/") inc)
			if (!(t in exists)) t = normalize(inc)
			gen = !(t in exists) && (inc == "vmlinux.h" || inc ~ /\.skel\.h$/)
			if (!(t in exists) && !gen) { bad(f, lineno, inc, "no such header in the tree"); continue }
			if (kern) {
				if (gen ? inc != "vmlinux.h" : !is_kernel(t))
					bad(f, lineno, inc, "the probe kernel half includes only vmlinux.h, " kshared " and kernel-half files")
				continue
			}
			if (gen) {
				if (inc == "vmlinux.h" || fm != "probe")
					bad(f, lineno, inc, "generated BPF headers belong to probe/ (vmlinux.h to its kernel half)")
				continue
			}
			tmod = module_of(t)
			if (tmod == "") continue  # reported as a file in no layer
			if (t ~ /_int\.h$/ && dirname(t) != dirname(f) && !(fm in test_module)) {
				bad(f, lineno, inc, "internal header of " dirname(t) "/")
				continue
			}
			if (tmod == fm) continue
			if (rank[tmod] < rank[fm]) continue
			if (rank[tmod] == rank[fm])
				bad(f, lineno, inc, fm "/ and " tmod "/ are peers (layer " rank[fm] ") and may not include each other")
			else
				bad(f, lineno, inc, fm "/ (layer " rank[fm] ") includes " tmod "/ (layer " rank[tmod] "), a layer above it")
		}
		close(f)
	}
	if (nbad) exit 1
	printf "check_layers: %d files, %d includes, every one goes down the layers\n", nfiles, ninc
}'
