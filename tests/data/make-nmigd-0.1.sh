#!/bin/bash
# make-nmigd-0.1.sh NMIGD-0.1-BINARY OUT.sql: run nmigd 0.1 against the
# loopback world and write its database as `sqlite3 .dump` text.  How
# tests/data/nmigd-0.1.sql was made (see tests/data/README); not run by
# make check.  Root, as for the world tests.
#
# The world sits on 127.54.1.0/24, which world_pick_net never picks, so
# that the addresses stored in the fixture are silent while make check
# runs (tests/world/migrate-0.1.sh relies on it).  What the database
# gets: every resolver old; the switch; every resolver new and the
# completion; a rollback and the regressions it causes; a resolver that
# never answers (error, then unreachable); answers that are other,
# nodata and nxdomain (the second domain of nmigd-0.1.conf.in).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/world/lib.sh"

[ $# = 2 ] || { echo "usage: $0 NMIGD-0.1 OUT.sql" >&2; exit 2; }
nmigd01=$1
out=$2
world_check_tools || exit 77

export WORLD_TTL=5 WORLD_NET=127.54.1
dir=$(mktemp -d /tmp/nmigd-fixture.XXXXXX)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	world_stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 30 "$dir/nmigd.log" >&2; exit 1; }
db() { sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1"; }
wait_db() {
	local end=$(( $(date +%s) + $1 ))
	while [ "$(date +%s)" -le "$end" ]; do
		[ "$(db "$2" 2>/dev/null)" = 1 ] && return 0
		sleep 0.5
	done
	fail "timed out waiting for $3"
}

world_start "$dir" 3 || exit 1
world_resolvers_conf "$dir" >"$dir/resolvers.conf.nmigd"
# r4 is an address nothing listens on: error, then unreachable.
echo "r4 $(world_get "$dir" net).19 loopback resolver 4 (silent)" \
    >>"$dir/resolvers.conf.nmigd"
sed -e "s|@DB@|$dir/nmigd.db|" -e "s|@CONTROL@|$dir/nmigd.sock|" \
    -e "s|@RESOLVERS@|$dir/resolvers.conf.nmigd|" \
    -e 's|@INTERVAL@|2s|' -e 's|@TIMEOUT@|1s|' -e 's|@UNREACHABLE@|4s|' \
    "$top_srcdir/tests/data/nmigd-0.1.conf.in" >"$dir/nmigd.conf"
for i in 1 2 3; do world_warm "$dir" "$i" || fail "warming r$i"; done

"$nmigd01" -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" &
pid=$!
wait_db 20 "SELECT count(*) = 3 FROM rverdicts v JOIN domains d ON d.id = v.domain_id WHERE d.name = 'example.co.jp.' AND v.state = 'old'" \
    "three resolvers old"
wait_db 20 "SELECT count(*) >= 2 FROM events WHERE message_id = 'd883d5dfdbce4a35a576d374e4aeb74e'" \
    "r4 unreachable for both domains"
world_switch "$dir" new || fail "switch"
wait_db 60 "SELECT count(*) = 1 FROM events WHERE message_id = '6869b19448b743bab7616d7a79b9c627'" \
    "completion"
world_switch "$dir" old || fail "rollback"
wait_db 60 "SELECT count(*) >= 1 FROM events WHERE message_id = 'e02b123b73e54a8ab3871547185b88ef'" \
    "a regression"
sleep 3
kill -TERM "$pid"
wait "$pid" || fail "nmigd 0.1 exited with $?"
pid=
# .dump leaves out user_version, the schema version nmigd reads.
{ sqlite3 "$dir/nmigd.db" .dump &&
  echo "PRAGMA user_version=$(db 'PRAGMA user_version');"; } >"$out" ||
    fail "dump"
echo "wrote $out: $(db 'SELECT count(*) FROM answers') answers, $(db 'SELECT count(*) FROM events') events"
