#!/bin/sh
# tests/tools/build_deb.sh: `make deb`: builds the Debian package from a copy of the tree (dpkg-buildpackage writes beside its source) into OUT (default build/deb).
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/deb}
work=$(mktemp -d "${TMPDIR:-/tmp}/saker-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/saker" "$out"
# the tracked files only: no build/ tree, no local leftovers
(cd "$top" && git ls-files -z | xargs -0 tar cf -) | tar xf - -C "$work/saker"
cd "$work/saker"
DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1 || {
	tail -30 "$work/build.log"
	exit 1
}
cp "$work"/saker_*.deb "$out/"
if command -v lintian >/dev/null; then
	lintian --no-tag-display-limit "$work"/saker_*.changes >"$out/lintian.txt" 2>&1 || true
fi
ls "$out"/saker_*.deb
