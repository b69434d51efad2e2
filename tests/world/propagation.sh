#!/bin/bash
# The whole pipeline against real servers: NSD for the root, the registry,
# the old and the new provider, three Unbound resolvers warmed at different
# moments, and nmigd watching them while the registry switches the
# delegation.  Asserts that the states go old -> propagating -> complete,
# that the completion event comes exactly once and not before the last
# resolver's cached old records have expired, and that a restart part-way
# loses no state and repeats no event.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
NMIGD=${NMIGD:-$top_srcdir/nmigd}
. "$top_srcdir/tests/world/lib.sh"

world_check_tools || exit 77
command -v sqlite3 >/dev/null || { echo "sqlite3 missing"; exit 77; }

export WORLD_TTL=15
dir=$(mktemp -d /tmp/nmigd-prop.XXXXXX)
nmigd_pid=
cleanup() {
	[ -z "$nmigd_pid" ] || kill "$nmigd_pid" 2>/dev/null
	world_stop "$dir"
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	echo "--- nmigd log"; tail -n 40 "$dir/nmigd.log"
	echo "--- events"; db "SELECT time, message FROM events ORDER BY id"
	echo "--- resolver states"; db "SELECT * FROM rverdicts"
	exit 1
}
db() { sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1"; }
now() { date +%s; }
epoch() { date -d "$1" +%s; }

# Poll CONDITION-SQL until it prints 1, for at most SECS seconds.
wait_db() {
	local secs=$1 sql=$2 what=$3 end=$(( $(now) + $1 ))
	while [ "$(now)" -le "$end" ]; do
		[ "$(db "$sql" 2>/dev/null)" = 1 ] && return 0
		sleep 0.5
	done
	fail "timed out after ${secs}s waiting for $what"
}

start_nmigd() {
	"$NMIGD" -c "$dir/nmigd.conf" 2>>"$dir/nmigd.log" &
	nmigd_pid=$!
}

stop_nmigd() {
	kill -TERM "$nmigd_pid"
	wait "$nmigd_pid"
	local rc=$?
	nmigd_pid=
	[ "$rc" = 0 ] || fail "nmigd exited with $rc on SIGTERM"
}

COMPLETE=6869b19448b743bab7616d7a79b9c627
SWITCHED=e9df83999fd24289a5c3555f27a3633c
count_events() { db "SELECT count(*) FROM events WHERE message_id = '$1'"; }
domain_state() { db "SELECT state FROM domains WHERE name = 'example.co.jp.'"; }

world_start "$dir" 3 || exit 1
world_nmigd_conf "$dir" "$dir/nmigd.db" >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "config rejected"

# Three caches that expire at different moments.
for i in 1 2 3; do
	world_warm "$dir" "$i" || fail "warming r$i"
	eval "warmed_$i=$(now)"
	[ "$i" = 3 ] || sleep 4
done
echo "warmed r1..r3 at $warmed_1 $warmed_2 $warmed_3"

"$NMIGD" --once -c "$dir/nmigd.conf" >"$dir/once.txt"
[ $? = 1 ] || fail "--once before the switch should exit 1 (not complete)"

start_nmigd
wait_db 20 "SELECT count(*) = 3 FROM rverdicts WHERE state = 'old'" \
    "every resolver to be seen old"
[ "$(domain_state)" = pending ] || fail "domain should be pending, is $(domain_state)"
echo "ok: all resolvers old, domain pending"

world_switch "$dir" || fail "switch"
switched_at=$(now)

# Part-way: the first resolver has switched, the others still hold old data.
wait_db 40 "SELECT count(*) >= 1 FROM rverdicts WHERE switched = 1" \
    "a first resolver to switch"
state=$(domain_state)
[ "$state" = propagating ] || fail "domain should be propagating, is $state"
[ "$(count_events $COMPLETE)" = 0 ] || fail "complete before every resolver switched"
echo "ok: propagating ($(db "SELECT count(*) FROM rverdicts WHERE switched = 1")/3 switched)"

before=$(db "SELECT resolver_id, switched, streak > 0, since FROM rverdicts WHERE switched = 1 ORDER BY 1")
nswitched_before=$(count_events $SWITCHED)
stop_nmigd
after=$(db "SELECT resolver_id, switched, streak > 0, since FROM rverdicts WHERE switched = 1 ORDER BY 1")
[ "$before" = "$after" ] || fail "state changed across shutdown: [$before] vs [$after]"
start_nmigd
echo "ok: restarted part-way"

wait_db 60 "SELECT count(*) = 1 FROM events WHERE message_id = '$COMPLETE'" \
    "the completion event"
[ "$(domain_state)" = complete ] || fail "domain should be complete"
# The resolvers that had switched before the restart did not switch again.
for id in $(echo "$before" | cut -d'|' -f1); do
	n=$(db "SELECT count(*) FROM events e JOIN resolvers r ON r.name = e.resolver WHERE r.id = $id AND e.message_id = '$SWITCHED'")
	[ "$n" = 1 ] || fail "resolver $id switched $n times"
done
[ "$(count_events $SWITCHED)" = 3 ] || fail "expected 3 switch events, got $(count_events $SWITCHED)"

# Not before the last cached old answer could have expired.
complete_at=$(epoch "$(db "SELECT complete_at FROM domains WHERE name = 'example.co.jp.'")")
old_expiry=$(db "SELECT max(CAST(strftime('%s', last_seen) AS INTEGER) + ttl) FROM answers WHERE state = 'old'")
[ "$complete_at" -ge "$old_expiry" ] ||
    fail "complete at $complete_at, but old data was cached until $old_expiry"
[ "$complete_at" -ge $(( warmed_3 + WORLD_TTL )) ] ||
    fail "complete at $complete_at, before r3's cache (warmed $warmed_3) expired"
echo "ok: complete at +$(( complete_at - switched_at ))s after the switch, old data expired at +$(( old_expiry - switched_at ))s"

grep -q "DNS switch complete for example.co.jp: 3 of 3 resolvers report the new records" \
    "$dir/nmigd.log" || fail "completion line missing on stderr"

# A restart after completion repeats nothing.
stop_nmigd
start_nmigd
sleep 5
stop_nmigd
[ "$(count_events $COMPLETE)" = 1 ] || fail "completion event repeated"
[ "$(count_events $SWITCHED)" = 3 ] || fail "switch events repeated"
[ "$(grep -c 'DNS switch complete' "$dir/nmigd.log")" = 1 ] ||
    fail "completion line repeated on stderr"
[ "$(db "SELECT complete_at FROM domains")" = "$(date -u -d @"$complete_at" +%Y-%m-%dT%H:%M:%SZ)" ] ||
    fail "complete_at changed"
echo "ok: restart after completion repeated no event"

# Answers are stored by change, not by probe.
rows=$(db "SELECT count(*) FROM answers")
probes=$(db "SELECT sum(count) FROM answers")
[ "$rows" -le 36 ] && [ "$probes" -gt "$rows" ] ||
    fail "answers table: $rows rows for $probes answers"
echo "ok: $rows answer rows for $probes answers"

"$NMIGD" --once --json -c "$dir/nmigd.conf" >"$dir/once.json"
[ $? = 0 ] || fail "--once after completion should exit 0"
grep -q '"state": "complete"' "$dir/once.json" || fail "--once --json not complete"
echo "PASS"
