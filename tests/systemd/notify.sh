#!/bin/bash
# The sd_notify protocol as systemd would see it: READY=1 once the daemon
# serves, STATUS= with the one-line summary, WATCHDOG=1 pings from the loop
# at the rate WATCHDOG_USEC asks, RELOADING=1 (with MONOTONIC_USEC) and
# READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM.  A datagram socket
# of our own stands in for systemd's.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
NMIGD=${NMIGD:-$top_srcdir/nmigd}
. "$top_srcdir/tests/world/lib.sh"

world_check_tools || exit 77
command -v socat >/dev/null || { echo "socat missing"; exit 77; }

export WORLD_TTL=5
dir=$(mktemp -d /tmp/nmigd-notify.XXXXXX)
pid= spid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	[ -z "$spid" ] || kill "$spid" 2>/dev/null
	world_stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
notes() {
	sed -E 's/(READY|STATUS|WATCHDOG|RELOADING|MONOTONIC_USEC|STOPPING)=/\n\1=/g' \
	    "$dir/notify.raw" >"$dir/notify.log"
}
fail() {
	echo "FAIL: $*"
	echo "--- notifications"; cat "$dir/notify.log"
	echo "--- log"; tail -n 20 "$dir/nmigd.log"
	exit 1
}

world_start "$dir" 2 || exit 1
world_nmigd_conf "$dir" "$dir/nmigd.db" >"$dir/nmigd.conf"
world_switch "$dir" || fail "switch"

# socat writes the datagrams back to back: notes() puts each assignment
# on a line of its own.
socat -u UNIX-RECV:"$dir/notify.sock" STDOUT >"$dir/notify.raw" &
spid=$!
for _ in $(seq 50); do [ -S "$dir/notify.sock" ] && break; sleep 0.1; done

NOTIFY_SOCKET=$dir/notify.sock WATCHDOG_USEC=1000000 \
    sh -c 'WATCHDOG_PID=$$ exec "$0" -c "$1"' "$NMIGD" "$dir/nmigd.conf" \
    2>"$dir/nmigd.log" &
pid=$!
sleep 4
notes
grep -q '^READY=1' "$dir/notify.log" || fail "no READY=1"
grep -q '^STATUS=1 domains: ' "$dir/notify.log" || fail "no STATUS= summary"
n=$(grep -c '^WATCHDOG=1' "$dir/notify.log")
# WATCHDOG_USEC=1s: a ping every half second.
[ "$n" -ge 5 ] || fail "only $n watchdog pings in 4 s"

kill -HUP "$pid"
sleep 1
notes
grep -q '^RELOADING=1' "$dir/notify.log" || fail "no RELOADING=1 on SIGHUP"
grep -A2 '^RELOADING=1' "$dir/notify.log" | grep -q '^MONOTONIC_USEC=[0-9][0-9]*' ||
    fail "RELOADING=1 without MONOTONIC_USEC"
[ "$(grep -c '^READY=1' "$dir/notify.log")" -ge 2 ] || fail "no READY=1 after reload"

# The summary follows the rounds: the world was switched, so it completes.
for _ in $(seq 40); do
	notes
	grep -q '^STATUS=1 domains: 1 complete' "$dir/notify.log" && break
	sleep 0.5
done
grep -q '^STATUS=1 domains: 1 complete, 0 propagating, 0 pending (2/2 resolvers new)' \
    "$dir/notify.log" || fail "STATUS= never showed completion"

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" = 0 ] || fail "exit $rc"
sleep 0.2
notes
grep -q '^STOPPING=1' "$dir/notify.log" || fail "no STOPPING=1"
echo "PASS: READY, STATUS, $n watchdog pings, RELOADING/READY, STOPPING"
