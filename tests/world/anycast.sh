#!/bin/bash
# Anycast samples against a real load balancer: dnsdist hands queries in
# turn to two Unbound caches, one warmed before the registry switched
# (holding the old records for up to 2 x TTL + 3 s) and one after (the new
# ones), as one anycast address of a public resolver has many caches
# behind it.  With the default three samples a check, each round's samples
# disagree: the address is flapping in status, with a count, and not new,
# and the domain is not complete, although one cache alone would say new.
# Once the old cache expires every sample is new: the resolver switches
# after confirm calm rounds, stops flapping, and the domain completes.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need dnsdist:dnsdist

export WORLD_TTL=10
daemon_init anycast
any() { q ".resolvers[] | select(.name == \"b1\") | $1"; }

world_start "$dir" 3 || exit 1
world_warm "$dir" 1 || fail "warming r1"
warmed=$(now)
world_switch "$dir" new || fail "switch"
world_warm "$dir" 2 || fail "warming r2"
[ "$(world_answer "$dir" 1 "$WORLD_DOMAIN." NS)" = "$WORLD_OLD_NS" ] ||
    fail "r1 does not hold the old NS"
[ "$(world_answer "$dir" 2 "$WORLD_DOMAIN." NS)" = "$WORLD_NEW_NS" ] ||
    fail "r2 does not hold the new NS"
expire=$(world_expire_time "$dir")
world_balancer_start "$dir" 1 1 2 >"$dir/any.conf" ||
    fail "the balancer did not start"
{
	world_nmigd_conf "$dir" "$dir/nmigd.db" "$dir/any.conf"
	# A migration whose old hosting may go 4 s after it completes.
	printf 'overlap = 0s\nquiet = 4s\n'
} >"$dir/nmigd.conf"
grep -q '^samples' "$dir/nmigd.conf" && fail "the test needs the default samples"
nmigd_start

wait_q 15 '.resolvers[0].flapping == true and .resolvers[0].flaps >= 1' \
    "the balanced caches to disagree"
[ "$(any .state)" != new ] || fail "new while one cache holds the old records"
[ "$(any .switched)" = false ] || fail "switched while one cache holds the old records"
[ "$(q .state)" != complete ] || fail "complete while one cache holds the old records"
"$CTL" -s "$dir/nmigd.sock" status example.co.jp | grep -q "^  flapping: b1, [0-9]* times" ||
    fail "text status does not show the flapping"
ok "b1 flaps ($(any .flaps) times), state $(any .state): not new while r1 holds the old records"

# r1's old records expire by $expire; then every sample is new.
wait_q $(( expire - $(now) + 30 )) '.state == "complete"' "completion"
# r1 cached the old records for TTL seconds from when it was warmed.
[ "$(now)" -ge $(( warmed + WORLD_TTL - 1 )) ] ||
    fail "complete before the old cache could have expired"
[ "$(any .switched)" = true ] || fail "complete without b1 switched"
[ "$(any .flapping)" = false ] || fail "still flapping after it switched"
[ "$(any .flaps)" -ge 1 ] || fail "the flaps were forgotten"
ok "once r1 expired: b1 switched, calm, the domain complete ($(any .flaps) flaps counted)"
flaps=$(any .flaps)

complete=$(epoch "$(q .complete_at)")
[ "$(q .cancel_old_hosting_at)" = "$(date -u -d "@$(( complete + 4 ))" +%Y-%m-%dT%H:%M:%SZ)" ] ||
    fail "the old hosting may go at $(q .cancel_old_hosting_at), not 4 s after completion"
wait_q 15 '.cancel_announced_at != null' "the old hosting to be announced as cancellable"
CANCEL=473c717427f34b7ab7ba3b8f71177202
[ "$(db "SELECT message FROM events WHERE message_id = '$CANCEL'")" = \
    "old hosting for example.co.jp can now be cancelled" ] ||
    fail "no cancel event, or another message"
"$CTL" -s "$dir/nmigd.sock" status example.co.jp |
    grep -q "^  the old hosting can be cancelled (since " ||
    fail "text status does not say the old hosting can go"
ok "the old hosting may go 4 s (quiet) after the completion: announced once"
nmigd_stop
[ "$(db "SELECT flaps FROM rverdicts")" = "$flaps" ] ||
    fail "the database does not hold the flap count"
echo "PASS: anycast samples behind a load balancer"
exit 0
