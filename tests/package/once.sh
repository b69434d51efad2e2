#!/bin/bash
# The installed nmigd (NMIGD=/usr/sbin/nmigd) follows a migration in the
# loopback world: --once exits 1 while the resolvers hold the old records
# and 0 once they all report the new ones.  Run by tools/package.sh, in a
# network namespace.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need
export WORLD_TTL=3
daemon_init package-once
world_start "$dir" 2 || exit 1
world_nmigd_conf "$dir" "$dir/nmigd.db" >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "config rejected"
"$NMIGD" --once -c "$dir/nmigd.conf" >"$dir/once.txt" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "--once before the switch: exit $rc, not 1: $(cat "$dir/once.txt")"
world_switch "$dir" || fail "switch"
end=$(( $(now) + 40 ))
while :; do
	"$NMIGD" --once -c "$dir/nmigd.conf" >"$dir/once.txt" 2>&1
	rc=$?
	[ "$rc" = 0 ] && break
	[ "$(now)" -le "$end" ] || fail "--once never complete: exit $rc: $(cat "$dir/once.txt")"
	sleep 1
done
grep -q "^example.co.jp: complete" "$dir/once.txt" ||
    fail "--once says: $(head -3 "$dir/once.txt")"
echo "PASS: the installed nmigd --once follows the migration"
exit 0
