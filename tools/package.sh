#!/bin/sh
# The Debian package, as an operator gets it (CI's "package" stage):
#   1. dpkg-buildpackage -us -uc -b on a copy of the tree builds
#      nmigd_VERSION_ARCH.deb; lintian finds no error and no warning that
#      is not overridden with a reason (debian/nmigd.lintian-overrides);
#   2. apt-get install ./nmigd_*.deb installs it: the user nmigd, the units
#      enabled but not started, the catalog indexed, the config a conffile;
#   3. nmigd -t accepts the installed config, and the installed nmigd
#      --once follows a migration in the loopback world to completion
#      (tests/package/once.sh);
#   4. apt-get purge removes all of it but the user and group nmigd, which
#      Debian policy keeps.
# Needs root (apt-get); installs debhelper, lintian and the build
# dependencies when missing.  Usage: tools/package.sh [WORKDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/deps.sh"
# WORKDIR given: kept afterwards; else a new one, removed when all passed.
if [ $# -gt 0 ]; then
	work=$1
	mkdir -p "$work"
	own_work=
else
	work=$(mktemp -d /tmp/nmigd-package.XXXXXX)
	own_work=1
fi
nmig_install_deps
nmig_install_packages debhelper lintian dpkg-dev

say() { echo "package: $*"; }
fail() { echo "package: FAIL: $*" >&2; exit 1; }

# The files nmigd installs, to be gone after a purge.
owned() {
	ls -d /etc/nmigd /var/lib/nmigd /usr/sbin/nmigd /usr/bin/nmigd-ctl \
	    /lib/systemd/system/nmigd.* /usr/lib/systemd/system/nmigd.* \
	    /usr/lib/sysusers.d/nmigd.conf /usr/lib/systemd/catalog/nmigd.catalog \
	    /usr/share/nmigd /usr/share/doc/nmigd /usr/share/man/man8/nmigd* \
	    /usr/share/man/man5/nmigd* /etc/systemd/system/*/nmigd.* \
	    /usr/share/bash-completion/completions/nmigd-ctl \
	    2>/dev/null || true
}

dpkg -s nmigd >/dev/null 2>&1 && fail "nmigd is already installed here"
[ -z "$(owned)" ] || fail "files of nmigd already here: $(owned)"

# 1. Build from what git tracks, as a clean clone has it.
rm -rf "$work/src"
mkdir -p "$work/src"
(cd "$top" && git ls-files | tar -cf - -T -) | tar -xf - -C "$work/src"
(cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log"; fail "dpkg-buildpackage"; }
deb=$(ls "$work"/nmigd_*_*.deb)
say "built $(basename "$deb")"
lintian --fail-on error,warning "$deb" || fail "lintian"
say "lintian: no errors, no warnings but the ones overridden with a reason"

# 2. Install; a failure from here on purges what it installed, so that
# the machine is as it was.
installed=
cleanup() {
	[ -z "$installed" ] || apt-get purge -y -qq nmigd >/dev/null 2>&1
}
trap cleanup EXIT
installed=1
apt-get install -y -qq "$deb" >"$work/install.log" 2>&1 ||
    { tail -n 20 "$work/install.log"; fail "apt-get install"; }
getent passwd nmigd >/dev/null || fail "no user nmigd"
getent group nmigd >/dev/null || fail "no group nmigd"
[ -x /usr/bin/nmigd-ctl ] || fail "nmigd-ctl is not in /usr/bin"
dpkg-query -W -f='${Conffiles}\n' nmigd | grep -q ' /etc/nmigd/nmigd.conf ' ||
    fail "/etc/nmigd/nmigd.conf is not a conffile"
for u in nmigd.service nmigd.socket; do
	[ -n "$(ls /etc/systemd/system/*.wants/$u 2>/dev/null)" ] ||
	    fail "$u is not enabled"
done
journalctl --list-catalog 4e68dd1dd5be4958a843136434ae6311 2>/dev/null |
    grep -q . || fail "the catalog is not indexed"
say "installed: user and group nmigd, units enabled, catalog indexed"

# 3. The installed programs.
/usr/sbin/nmigd -t -c /etc/nmigd/nmigd.conf || fail "nmigd -t on the installed config"
/usr/sbin/nmigd -h 2>&1 | grep -q '(default /etc/nmigd/nmigd.conf)' ||
    fail "the installed nmigd does not default to /etc/nmigd/nmigd.conf"
unshare -n sh -c "ip link set lo up; NMIGD=/usr/sbin/nmigd \
    top_srcdir='$top' bash '$top/tests/package/once.sh'" ||
    fail "the installed nmigd --once against the loopback world"

# 4. Purge.
apt-get purge -y -qq nmigd >"$work/purge.log" 2>&1 ||
    { tail -n 20 "$work/purge.log"; fail "apt-get purge"; }
installed=
left=$(owned)
[ -z "$left" ] || fail "left after purge: $left"
getent passwd nmigd >/dev/null || fail "the user nmigd went on purge"
say "purged: nothing left but the user and group nmigd (Debian policy)"
[ -z "$own_work" ] || rm -rf "$work"
