#!/bin/sh
# The units as make generates and installs them: systemd-analyze verify
# loads them without a single message, the service's sandbox rates 1.5 or
# lower in systemd-analyze security, the paths in them are the daemon's
# defaults, and systemd-sysusers creates the user and group they name.
#
# Needs systemd-analyze (Debian: systemd); systemd need not be running.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
MAX_EXPOSURE=1.5

unit=$top_builddir/systemd/nmigd.service
socket=$top_srcdir/systemd/nmigd.socket
sysusers=$top_srcdir/systemd/nmigd.sysusers

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze missing (apt-get install systemd)"
	exit 77
fi

failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

[ -f "$unit" ] || { echo "FAIL: $unit missing: run make"; exit 1; }
[ -x "$NMIGD" ] || { echo "FAIL: $NMIGD missing: run make"; exit 1; }

tmp=$(mktemp -d /tmp/nmigd-units.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Warnings must reach us whatever the caller's environment says.
analyze() {
	SYSTEMD_LOG_LEVEL=info SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 \
	    systemd-analyze "$@"
}

# -- The generated unit: every path expanded, none left for systemd.
if grep -n '@[A-Za-z_]*@\|\${\|\$(' "$unit" | grep -v '\$MAINPID'; then
	fail "unexpanded placeholders in $unit"
fi
# ExecStart=SBINDIR/nmigd -c SYSCONFDIR/nmigd/nmigd.conf, absolute paths.
execstart=$(sed -n 's/^ExecStart=//p' "$unit")
echo "$execstart" |
    grep -qE '^/[^ ]*/nmigd -c /[^ ]*/nmigd/nmigd\.conf$' ||
    fail "ExecStart=$execstart is not 'SBINDIR/nmigd -c SYSCONFDIR/nmigd/nmigd.conf'"

# verify checks that ExecStart='s program exists: a copy of the unit that
# starts the nmigd just built, beside the socket unit it requires.
bin=${execstart%% *}
sed "s|^ExecStart=$bin |ExecStart=$NMIGD |" "$unit" >"$tmp/nmigd.service"
cp "$socket" "$tmp/nmigd.socket"
grep -q "^ExecStart=$NMIGD -c " "$tmp/nmigd.service" ||
    fail "could not point ExecStart at $NMIGD"

# -- systemd-analyze verify exits 0 after a warning such as a misspelt
# directive, so any output at all fails.  It also runs man for each
# Documentation=man: page; the pages are not installed yet, so they are
# looked up in the source tree.  A unit with a known mistake first, to
# prove that warnings do show up here.
if command -v man >/dev/null 2>&1; then
	mancheck=--man=yes
	for page in "$top_srcdir"/man/*.[1-8]; do
		sec=${page##*.}
		mkdir -p "$tmp/man/man$sec"
		ln -s "$page" "$tmp/man/man$sec/"
	done
	MANPATH=$tmp/man
	export MANPATH
else
	echo "man missing: Documentation= pages not checked"
	mancheck=--man=no
fi
cp "$tmp/nmigd.service" "$tmp/bad.service"
echo "ProtectSytem=strict" >>"$tmp/bad.service"
out=$(cd "$tmp" && analyze verify --man=no bad.service nmigd.socket 2>&1)
case $out in
*ProtectSytem*)	;;
*)	fail "systemd-analyze verify does not report a misspelt directive here:"
	echo "$out" ;;
esac
rm -f "$tmp/bad.service"

out=$(cd "$tmp" && analyze verify $mancheck nmigd.service nmigd.socket 2>&1)
rc=$?
if [ "$rc" != 0 ] || [ -n "$out" ]; then
	fail "systemd-analyze verify (exit $rc) has something to say:"
	echo "$out"
fi

# -- The sandbox.
out=$(cd "$tmp" && analyze security --offline=true --no-pager \
    nmigd.service 2>&1)
level=$(echo "$out" |
    sed -n 's/.*Overall exposure level for nmigd\.service: \([0-9.]*\).*/\1/p')
if [ -z "$level" ]; then
	fail "no exposure level from systemd-analyze security:"
	echo "$out"
elif awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l > m) }'; then
	fail "exposure level $level is above $MAX_EXPOSURE; what counts:"
	echo "$out" | grep '✗'
else
	echo "exposure level $level (at most $MAX_EXPOSURE)"
fi

# -- The paths the units use are the daemon's defaults (lib/config.h),
# so that nmigd-ctl finds the socket and the database lands in the state
# directory.
cdefault() {
	sed -n "s/^#define[ 	]*$1[ 	]*\"\(.*\)\"/\1/p" \
	    "$top_srcdir/lib/config.h"
}
control=$(cdefault NMIG_CONTROL_DEFAULT)
db=$(cdefault NMIG_DB_DEFAULT)
listen=$(sed -n 's/^ListenStream=//p' "$socket")
[ -n "$control" ] && [ "$listen" = "$control" ] ||
    fail "nmigd.socket listens on '$listen', the control default is '$control'"
for d in "RuntimeDirectory:/run:$control" "StateDirectory:/var/lib:$db"; do
	key=${d%%:*}; rest=${d#*:}; base=${rest%%:*}; path=${rest#*:}
	val=$(sed -n "s/^$key=//p" "$unit")
	[ -n "$path" ] && [ "$base/$val" = "$(dirname "$path")" ] ||
	    fail "$key=$val does not hold the default $path"
done

# -- The user and group of User=, Group= and SocketGroup= come from the
# sysusers.d file.
user=$(sed -n 's/^User=//p' "$unit")
group=$(sed -n 's/^Group=//p' "$unit")
sgroup=$(sed -n 's/^SocketGroup=//p' "$socket")
if ! command -v systemd-sysusers >/dev/null 2>&1; then
	fail "systemd-sysusers missing (it comes with systemd-analyze)"
else
	mkdir -p "$tmp/root/etc"
	out=$(systemd-sysusers --root="$tmp/root" "$sysusers" 2>&1) ||
	    fail "systemd-sysusers rejects $sysusers: $out"
	for g in "$group" "$sgroup"; do
		grep -q "^$g:" "$tmp/root/etc/group" ||
		    fail "group '$g' not created by $sysusers"
	done
	# A system user without a login shell, its primary group $group.
	gid=$(awk -F: -v g="$group" '$1 == g { print $3 }' "$tmp/root/etc/group")
	awk -F: -v u="$user" -v gid="$gid" '$1 == u && $4 == gid &&
	    $7 ~ /nologin$/ { f = 1 } END { exit !f }' \
	    "$tmp/root/etc/passwd" ||
	    fail "user '$user' (group $group, nologin) not created by $sysusers"
fi

exit $failed
