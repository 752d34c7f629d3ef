#!/bin/sh
# tests/kernel/kernel-test.sh: make kernel-test: records one workload on Debian's kernels under QEMU and on the host, and compares the events.
#
# For each kernel of KT_KERNELS (LABEL=PACKAGE-PATTERN, or LABEL=/path/to/bzImage)
# the newest matching Debian package is fetched with apt-get download into
# $B/kernel/cache (its /boot unpacked with dpkg-deb, never installed) and
# booted with qemu-system-x86_64 on an initramfs holding saker-record, the
# workload and tests/kernel/init.sh. The host's own kernel runs the same
# workload directly. Each capture is replayed with saker-replay --print,
# normalised (tests/kernel/normalize.awk) and compared with
# tests/kernel/expected.txt and with the host's listing.
#
# Environment: KT_KERNELS (the matrix), KT_ONLY (labels to run, e.g. "6.1 host"),
# KT_BOOT_TIMEOUT (seconds per guest, default 300), KT_SMP (guest CPUs, 2),
# KT_ACCEL (qemu accelerator: tcg, the default, or kvm where it works),
# KT_UPDATE=1 (rewrite expected.txt from the host's listing, or the first
# kernel's when the host cannot run), KT_MAX_INSNS (verifier budget per
# program, default 200000 = 20% of the 1M limit).
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
KT=$B/kernel
KERNELS=${KT_KERNELS:-"6.1=linux-image-6.1.0-*-amd64 6.12=linux-image-6.12.*+deb12-amd64"}
ONLY=${KT_ONLY:-}
BOOT_TIMEOUT=${KT_BOOT_TIMEOUT:-300}
SMP=${KT_SMP:-2}
MAX_INSNS=${KT_MAX_INSNS:-200000}
EXPECTED=tests/kernel/expected.txt
WORKLOAD=$KT/skwork
FORMAT='%proc.pid %proc.ppid %proc.name %evt.type %evt.args'
export TZ=UTC LC_ALL=C

passed=0; failed=0; skipped=0
t_start=$(date +%s)
timings=""

ok() { pass "$*"; passed=$((passed + 1)); }
ko() { fail "$*"; failed=$((failed + 1)); }
sk() { skip "$*"; skipped=$((skipped + 1)); }
wanted() { [ -z "$ONLY" ] || echo " $ONLY " | grep -q " $1 "; }
# indent FILE [LINES]: the tail of a log, indented, for failure reports
indent() { tail -n "${2:-20}" "$1" 2>/dev/null | sed 's/^/    | /'; }

# pattern_regex GLOB: a package glob as an anchored regex; '*' stands for a
# version number, so "6.1.0-*-amd64" does not match the -cloud- or -rt- flavours.
pattern_regex() {
	printf '^%s$' "$1" | sed -e 's/[.+]/\\&/g' -e 's/\*/[0-9][0-9.]*/g'
}

# cached_kernel REGEX: the newest unpacked kernel in the cache matching REGEX.
cached_kernel() {
	ls "$KT/cache" 2>/dev/null | grep -E "$1" | sort -V | while read -r p; do
		[ -s "$KT/cache/$p/vmlinuz" ] && echo "$p"
	done | tail -n 1
}

# download_kernel PKG: apt-get download, then only /boot unpacked into the
# cache (the modules, hundreds of MB, are not needed); DL_ERROR says why not.
download_kernel() {
	dl=$KT/cache/download
	rm -rf "$dl" && mkdir -p "$dl/x"
	# as root, apt would warn that its sandbox user cannot write here
	if ! (cd "$dl" && apt-get -o APT::Sandbox::User=root download "$1") >"$dl/apt.log" 2>&1; then
		DL_ERROR="apt-get download $1 failed: $( (grep '^E:' "$dl/apt.log"; cat "$dl/apt.log") | head -n 1)"
		rm -rf "$dl"
		return 1
	fi
	deb=$(ls "$dl"/*.deb)
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dl/x" ./boot || ! ls "$dl"/x/boot/vmlinuz-* >/dev/null 2>&1; then
		DL_ERROR="cannot unpack /boot/vmlinuz-* from $(basename "$deb")"
		rm -rf "$dl"
		return 1
	fi
	rm -rf "${KT:?}/cache/$1" && mkdir -p "$KT/cache/$1"
	mv "$dl"/x/boot/vmlinuz-* "$KT/cache/$1/vmlinuz"
	mv "$dl"/x/boot/config-* "$KT/cache/$1/config" 2>/dev/null
	basename "$deb" >"$KT/cache/$1/deb"
	rm -rf "$dl"
}

# fetch_kernel LABEL PATTERN: sets KIMG to the newest kernel Debian has for
# PATTERN (fetched once, then from the cache), or SKIP_REASON. Offline, the
# newest cached one is used.
fetch_kernel() {
	KIMG="" SKIP_REASON=""
	re=$(pattern_regex "$2")
	mkdir -p "$KT/cache"
	pkg=$(apt-cache pkgnames linux-image- 2>/dev/null | grep -E "$re" | sort -V | tail -n 1)
	cached=$(cached_kernel "$re")
	if [ -z "$pkg" ]; then
		if [ -z "$cached" ]; then
			SKIP_REASON="no package matches $2 in apt's lists (apt-get update?) and none is cached in $KT/cache"
			return 1
		fi
		echo "  $1: apt knows no $2; using the cached $cached"
		pkg=$cached
	elif [ ! -s "$KT/cache/$pkg/vmlinuz" ]; then
		echo "  $1: fetching $pkg"
		if download_kernel "$pkg"; then
			# superseded kernels of the same series leave the cache
			for old in $(ls "$KT/cache" | grep -E "$re"); do
				[ "$old" = "$pkg" ] || rm -rf "${KT:?}/cache/$old"
			done
		elif [ -n "$cached" ]; then
			echo "  $1: $DL_ERROR; using the cached $cached"
			pkg=$cached
		else
			SKIP_REASON=$DL_ERROR
			return 1
		fi
	fi
	KIMG=$KT/cache/$pkg/vmlinuz
	echo "  $1: $(cat "$KT/cache/$pkg/deb" 2>/dev/null || echo "$pkg")"
	if [ -f "$KT/cache/$pkg/config" ] && ! grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$KT/cache/$pkg/config"; then
		echo "  $1: warning: $pkg is built without CONFIG_DEBUG_INFO_BTF"
	fi
	return 0
}

# build_initramfs: one newc cpio for every guest: busybox, saker-record and
# its shared libraries (as ldd finds them), the workload, the scripts.
build_initramfs() {
	root=$KT/initramfs
	rm -rf "$root" && mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	# ldd fails on a static binary
	if ldd /bin/busybox >/dev/null 2>&1; then
		echo "  /bin/busybox is not static (make deps installs busybox-static)"
		return 1
	fi
	cp /bin/busybox "$root/bin/busybox" || return 1
	cp tests/kernel/init.sh "$root/init" && chmod 755 "$root/init"
	cp tests/kernel/record-workload.sh "$root/" && cp "$WORKLOAD" "$root/skwork" && cp "$RECORD" "$root/saker-record" || return 1
	for lib in $(ldd "$RECORD" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib" || return 1
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	# the kernel opens /dev/console for init before devtmpfs is mounted
	mknod "$root/dev/console" c 5 1 || return 1
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$KT/initramfs.cpio"
}

# boot_guest LABEL VMLINUZ: runs the guest, unpacks its results into $KT/runs/LABEL/out.
boot_guest() {
	d=$KT/runs/$1
	rm -rf "$d" && mkdir -p "$d/out"
	# TCG by default: a /dev/kvm that exists is not always usable (nested
	# virtualisation without the MSRs QEMU wants aborts the guest)
	accel=${KT_ACCEL:-tcg}
	# Multi-threaded TCG races with the kernel's int3-based code patching
	# on another vCPU (an occasional "Oops: int3" at boot): one host
	# thread runs every vCPU, which still gives the guest several CPUs.
	[ "$accel" = tcg ] && accel=tcg,thread=single
	echo "  $1: booting under qemu ($accel, $SMP CPUs, timeout ${BOOT_TIMEOUT}s)"
	timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel "$accel" -machine q35 -cpu max -smp "$SMP" -m 1024 \
		-nodefaults -nographic -no-reboot -monitor none \
		-kernel "$2" -initrd "$KT/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=4" \
		-serial "file:$d/console.log" -serial "file:$d/results.b64" >"$d/qemu.log" 2>&1
	rc=$?
	if [ "$rc" -eq 124 ]; then
		echo "  $1: the guest did not power off within ${BOOT_TIMEOUT}s"
	elif [ "$rc" -ne 0 ]; then
		echo "  $1: qemu exited with status $rc: $(head -n 3 "$d/qemu.log")"
	fi
	sum=$(tr -d '\r' <"$d/results.b64" 2>/dev/null | sed -n 's/^KT-BEGIN //p')
	if [ -z "$sum" ] || ! tr -d '\r' <"$d/results.b64" | grep -q '^KT-END'; then
		echo "  $1: no results from the guest; its console:"
		indent "$d/console.log" 30
		return 1
	fi
	tr -d '\r' <"$d/results.b64" | sed -n '/^KT-BEGIN/,/^KT-END/p' | sed '1d;$d' | base64 -d >"$d/results.tar" &&
		[ "$(md5sum <"$d/results.tar" | cut -d' ' -f1)" = "$sum" ] &&
		tar -C "$d/out" -xf "$d/results.tar" ||
		{ echo "  $1: the results from the guest are corrupt (checksum or tar)"; return 1; }
}

# run_host: the same workload on the running kernel.
run_host() {
	d=$KT/runs/host
	rm -rf "$d" && mkdir -p "$d/out"
	w=$(mktemp -d "${TMPDIR:-/tmp}/saker-kt.XXXXXX")
	cp "$WORKLOAD" "$w/skwork"
	uname -r >"$d/out/kernel"
	sh tests/kernel/record-workload.sh "$top/$RECORD" "$w" "$top/$d/out"
	echo $? >"$d/out/harness.status"
	rm -rf "$w"
}

# check_run LABEL: did the probe load, and did the workload and the recorder succeed?
check_run() {
	o=$KT/runs/$1/out
	what="$1 ($(cat "$o/kernel" 2>/dev/null))"
	if [ "$(cat "$o/harness.status" 2>/dev/null)" != 0 ] || [ "$(cat "$o/record.status" 2>/dev/null)" != 0 ]; then
		ko "$what: saker-record loads the probe and records: $(cat "$o/harness.log" 2>/dev/null | tail -n 1)"
		grep -v -E '^(;|[0-9]+: )' "$o/record.log" 2>/dev/null | tail -n 25 | sed 's/^/    | /'
		return 1
	fi
	if [ "$(cat "$o/workload.status" 2>/dev/null)" != 0 ]; then
		ko "$what: the workload failed on this kernel (status $(cat "$o/workload.status" 2>/dev/null))"
		indent "$o/workload.log"
		return 1
	fi
	ok "$what: saker-record loads the probe and records the workload ($(sed -n 's/^attached after //p' "$o/harness.log"))"
}

# check_insns LABEL: every program's verified instruction count (the table
# saker-record -v prints: "sk_NAME VERIFIED ...") stays under MAX_INSNS.
check_insns() {
	o=$KT/runs/$1/out
	awk '/^sk_/ { print $1, $2 }' "$o/record.log" >"$o/insns.txt"
	if [ ! -s "$o/insns.txt" ]; then
		sk "$1: verifier headroom: this saker-record prints no program table (-v)"
		return 0
	fi
	if awk '$2 == 0 { z = 1 } END { exit !z }' "$o/insns.txt"; then
		sk "$1: verifier headroom: the kernel does not report verified_insns (before 5.16)"
		return 0
	fi
	max=$(sort -k2,2n "$o/insns.txt" | tail -n 1 | tr ' ' '=')
	over=$(awk -v max="$MAX_INSNS" '$2 > max { printf("%s=%s ", $1, $2) }' "$o/insns.txt")
	if [ -n "$over" ]; then
		ko "$1: verifier headroom: over $MAX_INSNS verified instructions (20% of the 1M limit): $over"
		return 1
	fi
	ok "$1: verifier headroom: $(wc -l <"$o/insns.txt") programs, each under $MAX_INSNS verified instructions (largest $max)"
}

# insns_table LABEL...: verified instructions per program, one column per kernel.
insns_table() {
	args=""
	for l in "$@"; do
		[ -s "$KT/runs/$l/out/insns.txt" ] && args="$args label=$l $KT/runs/$l/out/insns.txt"
	done
	[ -n "$args" ] || return 0
	echo "  verified instructions per program (largest first):"
	# labels have no spaces; the assignments name the column of the file after them
	# shellcheck disable=SC2086
	awk '
		FNR == 1 { col[++ncol] = label }
		{ v[$1, ncol] = $2; if (!($1 in seen)) { seen[$1] = 1; prog[++np] = $1 } if ($2 > big[$1]) big[$1] = $2 }
		END {
			for (i = 1; i <= np; i++)            # insertion sort, largest first
				for (j = i; j > 1 && big[prog[j]] > big[prog[j - 1]]; j--) { t = prog[j]; prog[j] = prog[j - 1]; prog[j - 1] = t }
			printf("    %-22s", "program")
			for (c = 1; c <= ncol; c++) printf(" %9s", col[c])
			printf("\n")
			for (i = 1; i <= np; i++) {
				printf("    %-22s", prog[i])
				for (c = 1; c <= ncol; c++) printf(" %9s", ((prog[i], c) in v) ? v[prog[i], c] : "-")
				printf("\n")
			}
		}' $args
}

# listing LABEL: the normalised events of the workload's process tree.
listing() {
	o=$KT/runs/$1/out
	wpid=$(cat "$o/wpid")
	"$REPLAY" -e "$o/cap.skr" --print "$FORMAT" "proc.pid=$wpid or proc.apid=$wpid" >"$o/events.raw" 2>"$o/replay.err" ||
		{ echo "  $1: saker-replay failed: $(head -n 1 "$o/replay.err")"; return 1; }
	awk -v root="$wpid" -v workdir="$(cat "$o/workdir")" -v outdir="$(cat "$o/outdir")" \
		-f tests/kernel/normalize.awk "$o/events.raw" "$o/events.raw" >"$o/events.txt"
}

# compare NAME WANT GOT: PASS if equal, else FAIL with a unified diff.
compare() {
	if diff -u "$2" "$3" >"$KT/diff.tmp"; then
		ok "$1"
	else
		ko "$1 (- $2, + $3):"
		head -n 80 "$KT/diff.tmp" | sed 's/^/    | /'
	fi
	rm -f "$KT/diff.tmp"
}

echo "== kernel-test: the probe on every kernel of the matrix"
[ -x "$RECORD" ] && [ -x "$REPLAY" ] && [ -x "$WORKLOAD" ] ||
	{ ko "kernel-test: $RECORD, $REPLAY and $WORKLOAD must be built (make kernel-test builds them)"; echo "$passed passed, $failed failed, $skipped skipped"; exit 1; }
if [ "$(id -u)" != 0 ]; then
	sk "kernel-test: needs root (saker-record on the host, mknod for the initramfs)"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 0
fi
mkdir -p "$KT"

ran=""
labels=""
initramfs_built=""
for spec in $KERNELS; do
	label=${spec%%=*}
	what=${spec#*=}
	wanted "$label" || continue
	labels="$labels $label"
	t0=$(date +%s)
	case $what in
	/*) KIMG=$what; [ -f "$KIMG" ] || { sk "$label: kernel image $KIMG not found"; continue; } ;;
	*) fetch_kernel "$label" "$what" || { sk "$label: $SKIP_REASON"; continue; } ;;
	esac
	if [ -z "$initramfs_built" ]; then
		build_initramfs || { ko "kernel-test: cannot build the initramfs"; break; }
		initramfs_built=1
	fi
	if ! command -v qemu-system-x86_64 >/dev/null; then
		sk "$label: qemu-system-x86_64 not installed (make deps)"
		continue
	fi
	if boot_guest "$label" "$KIMG"; then
		ran="$ran $label"
	else
		ko "$label: the guest ran and sent its results back"
	fi
	timings="$timings $label=$(($(date +%s) - t0))s"
done

if wanted host; then
	labels="$labels host"
	t0=$(date +%s)
	if [ ! -r /sys/kernel/btf/vmlinux ]; then
		sk "host: no /sys/kernel/btf/vmlinux on the running kernel"
	else
		run_host
		ran="$ran host"
		timings="$timings host=$(($(date +%s) - t0))s"
	fi
fi

good=""
for label in $ran; do
	check_run "$label" || continue
	check_insns "$label"
	if listing "$label"; then
		good="$good $label"
	else
		ko "$label: the capture replays"
	fi
done

# The reference for cross-kernel equality: the host, else the first kernel.
ref=""
for l in $good; do
	[ -z "$ref" ] && ref=$l
	[ "$l" = host ] && ref=host
done
if [ -n "$KT_UPDATE" ] && [ -n "$ref" ]; then
	cp "$KT/runs/$ref/out/events.txt" "$EXPECTED"
	echo "  KT_UPDATE: $EXPECTED rewritten from $ref's listing"
fi
for label in $good; do
	compare "$label: events match $EXPECTED" "$EXPECTED" "$KT/runs/$label/out/events.txt"
	[ "$label" = "$ref" ] && continue
	compare "$label: events match $ref's" "$KT/runs/$ref/out/events.txt" "$KT/runs/$label/out/events.txt"
done

insns_table $good
echo "  time:$timings total=$(($(date +%s) - t_start))s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
