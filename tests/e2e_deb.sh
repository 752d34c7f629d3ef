#!/bin/sh
# tests/e2e_deb.sh: the Debian package builds (make deb), installs with apt-get, runs both binaries from PATH, keeps /etc/saker as conffiles, and purges cleanly. Runs when SAKER_DEB_TEST=1 (make deb-test): the build takes minutes.
. tests/lib.sh
if [ "$SAKER_DEB_TEST" != 1 ]; then
	skip "the package test builds the .deb (minutes): run it with make deb-test"
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v dpkg-buildpackage >/dev/null; then
	skip "the package test needs root and dpkg-buildpackage (debhelper)"
	exit 0
fi
if dpkg-query -W -f='${Status}' saker 2>/dev/null | grep -q 'install ok'; then
	skip "a saker package is already installed: not replacing it"
	exit 0
fi
d=$(tmpdir)
trap 'apt-get purge -y -qq saker >/dev/null 2>&1; rm -rf "$d"' EXIT
check "make deb builds the package" sh tests/tools/build_deb.sh "$d"
deb=$(ls "$d"/saker_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || exit 0
cat "$d/lintian.txt" 2>/dev/null
check "apt-get install ./saker_*.deb" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb"
check "saker-replay runs from PATH" sh -c 'cd / && saker-replay --version | grep -q "saker-replay"'
check "saker-record runs from PATH" sh -c 'cd / && saker-record --help 2>&1 | grep -q -- "--file-size"'
conf=$(dpkg-query -W -f='${Conffiles}' saker)
for f in /etc/saker/saker.yaml /etc/saker/saker_rules.yaml /etc/saker/saker_rules.local.yaml; do
	check "$f is a conffile" sh -c "echo \"$conf\" | grep -q \" $f \""
done
check "/etc/saker/rules.d exists" [ -d /etc/saker/rules.d ]
check "the bundled rules are under /usr/share/saker" [ -f /usr/share/saker/saker_rules.yaml ]
for m in man8/saker-record.8 man8/saker-replay.8 man5/saker.yaml.5; do
	check "man page $m" [ -f "/usr/share/man/$m.gz" ]
done
check "saker.service installed" [ -f /lib/systemd/system/saker.service ]
check "saker-record.service installed" [ -f /lib/systemd/system/saker-record.service ]
check "the installed units verify" systemd-analyze verify --man=no /lib/systemd/system/saker.service /lib/systemd/system/saker-record.service
check "the installed configuration and rules load" sh -c 'cd / && saker-replay -c /etc/saker/saker.yaml -L >/dev/null'
check "apt-get purge saker" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq saker
check "purge removes the binaries" [ ! -e /usr/bin/saker-replay ] && [ ! -e /usr/bin/saker-record ]
check "purge removes /etc/saker" [ ! -e /etc/saker ]
check "purge removes /var/lib/saker" [ ! -e /var/lib/saker ]
