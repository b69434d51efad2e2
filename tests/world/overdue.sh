#!/bin/bash
# The completion forecast against real servers: three Unbound resolvers
# and a dnsmasq forwarder pinned to the old provider (it sends every query
# for example.co.jp. to the old provider's NSD, as a forwarder left
# configured that way does).  After the registry switches, status gives
# each resolver still holding old answers its expiry (never before the
# switch + the referral's NS TTL) and the domain an expected completion;
# the Unbound resolvers switch by then, the forwarder never does: one
# interval past its expiry it is overdue, once, with an event naming it
# and how late it is, and the domain is not complete.  Its cache fetches
# the old data again each time it expires: the TTL that grows is counted.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need dnsmasq-base:dnsmasq

export WORLD_TTL=5
daemon_init overdue
fwd() { q ".resolvers[] | select(.name == \"f1\") | $1"; }
wait_for() { wait_q "$@"; }

OVERDUE=1d3caf3baa884f40ab1964e4c6e81911

world_start "$dir" 3 || exit 1
world_forwarder_start "$dir" 1 old1 >>"$dir/resolvers.conf" ||
    fail "the forwarder did not start"
world_nmigd_conf "$dir" "$dir/nmigd.db" >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "config rejected"
nmigd_start

wait_for 20 '[.resolvers[].state] == ["old", "old", "old", "old"] and .parent.state == "old"' \
    "every resolver and the parent to be old"
[ "$(q .expected_complete_at)" = null ] || fail "a forecast before the registry switched"
[ "$(fwd .expires_at)" = null ] || fail "an expiry before the registry switched"
[ "$(fwd .cached_until)" != null ] || fail "the forwarder's cached answers have no time"
ok "before the switch: cached until, no expiry, no forecast"

world_switch "$dir" new || fail "switch"
wait_for 20 '.parent.switched_at != null' "the registry's switch"
switched=$(epoch "$(q .parent.switched_at)")
floor=$(( switched + $(q .parent.ttl) ))
wait_for 20 '.expected_complete_at != null and ([.resolvers[] | select(.name == "f1") | .expires_at] != [null])' \
    "the forecast"
expires=$(epoch "$(fwd .expires_at)")
[ "$expires" -ge "$floor" ] || fail "expiry $expires before the switch + TTL $floor"
expected=$(epoch "$(q .expected_complete_at)")
[ "$expected" -ge $(( expires + 2 * 2 )) ] ||
    fail "expected completion $expected before the latest expiry + confirm intervals"
"$CTL" -s "$dir/nmigd.sock" status example.co.jp | grep -q "expected complete by " ||
    fail "text status lacks the expected completion"
ok "after the switch: f1 expires at $(fwd .expires_at), expected completion $(q .expected_complete_at)"

wait_for 40 '[.resolvers[] | select(.name != "f1") | .switched] == [true, true, true]' \
    "the Unbound resolvers to switch"
wait_for 30 '[.resolvers[] | select(.name == "f1") | .overdue] == [true]' \
    "the forwarder to be overdue"
[ "$(q .state)" != complete ] || fail "complete with the forwarder still old"
for i in $(seq 20); do
	[ "$(db "SELECT count(*) FROM events WHERE message_id = '$OVERDUE'")" = 1 ] && break
	sleep 0.3
done
[ "$(db "SELECT count(*) FROM events WHERE message_id = '$OVERDUE'")" = 1 ] ||
    fail "no overdue event, or more than one"
[ "$(db "SELECT resolver FROM events WHERE message_id = '$OVERDUE'")" = f1 ] ||
    fail "the overdue event does not name f1"
msg=$(db "SELECT message FROM events WHERE message_id = '$OVERDUE'")
case $msg in
"example.co.jp: resolver f1 ("*") still answers with the old records "*"s after they should have expired at "*) ;;
*) fail "overdue message: $msg" ;;
esac
"$CTL" -s "$dir/nmigd.sock" status example.co.jp | grep -q "^  cached: f1 until .*, OVERDUE" ||
    fail "text status does not mark f1 overdue"
ok "the forwarder pinned to the old provider is overdue: $msg"

# The forwarder fetches the old data again when it expires: its TTL grows.
wait_for 30 '[.resolvers[] | select(.name == "f1") | .ttl_grew > 0] == [true]' \
    "a TTL that grew"
sleep 5
[ "$(db "SELECT count(*) FROM events WHERE message_id = '$OVERDUE'")" = 1 ] ||
    fail "the overdue event came again"
[ "$(q .state)" != complete ] || fail "complete with the forwarder still old"
ok "its TTL grew $(fwd .ttl_grew) times; one event; the domain waits"

nmigd_stop
[ "$(db "SELECT overdue FROM rverdicts v JOIN resolvers r ON r.id = v.resolver_id WHERE r.name = 'f1'")" = 1 ] ||
    fail "the database does not hold the overdue mark"
echo "PASS: the completion forecast"
exit 0
