#!/bin/bash
# Learned values against real servers: "mx = auto" and "record = ... auto"
# take what the new provider's NSD serves, "old-ns = auto" what the
# registry delegates to before the switch, "old-mx = auto" what the old
# provider's NSD answers.  The resolvers are judged old, then new, as with
# the values written out; the learned values survive a restart; and when
# the new provider changes its MX the learned value follows after confirm
# rounds and the migration starts afresh.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need
export WORLD_TTL=4
daemon_init learned
world_start "$dir" 2 || exit 1
{
	world_nmigd_conf "$dir" "$dir/nmigd.db" | sed '/^\[domain/,$d'
	cat <<EOF
samples = 1

[domain example.co.jp]
ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com
mx = auto
old-ns = auto
old-mx = auto
record = pop A auto
old-record = pop A $WORLD_OLD_POP
EOF
} >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "config rejected"
nmigd_start

learned() { q "[.learned[] | select(.type == \"$1\" and .set == \"$2\") | .values // [] | join(\", \")] | .[0]"; }
wait_q 20 '[.learned[] | .learned_at != null] | all' "every value to be learned"
[ "$(learned MX expected)" = "10 mx01.example.co.jp., 10 mx02.example.co.jp." ] ||
    fail "learned MX: $(learned MX expected)"
[ "$(learned A expected)" = "$WORLD_NEW_POP" ] || fail "learned pop A: $(learned A expected)"
[ "$(learned NS old)" = "ns1.oldhost.ne.jp., ns2.oldhost.ne.jp." ] ||
    fail "learned old NS: $(learned NS old)"
[ "$(learned MX old)" = "10 mail.oldhost.ne.jp." ] || fail "learned old MX: $(learned MX old)"
mx_at=$(q '.learned[] | select(.type == "MX" and .set == "expected") | .learned_at')
# Before the switch the resolvers give the old records, judged old, not
# "other": the learned old sets are what they are judged against.
wait_q 20 '[.resolvers[] | .state == "old"] | all' "the resolvers to be old"
"$CTL" -s "$dir/nmigd.sock" status example.co.jp >"$dir/text"
grep -q "^  learned example.co.jp. MX: 10 mx01.example.co.jp., 10 mx02.example.co.jp. (at " "$dir/text" ||
    fail "text status lacks the learned MX: $(cat "$dir/text")"
grep -q "^  learned old example.co.jp. NS: ns1.oldhost.ne.jp., ns2.oldhost.ne.jp. (at " "$dir/text" ||
    fail "text status lacks the learned old NS"
ok "learned MX, pop A, old NS and old MX; the resolvers judged old"

world_switch "$dir" || fail "switch failed"
wait_q 40 '.state == "complete"' "completion after the switch"
ok "complete with learned values"

nmigd_stop
[ "$(db "SELECT count(learned_at) + count(old_learned_at) FROM checks")" = 4 ] ||
    fail "the database does not hold the learned values"
nmigd_start
wait_q 10 '.state == "complete"' "the state after a restart"
[ "$(q '.learned[] | select(.type == "MX" and .set == "expected") | .learned_at')" = "$mx_at" ] ||
    fail "the MX was learned again after a restart"
# The parent now delegates to the new servers: a snapshot taken now
# would find nothing old.
[ "$(learned NS old)" = "ns1.oldhost.ne.jp., ns2.oldhost.ne.jp." ] ||
    fail "old NS after a restart: $(learned NS old)"
ok "the learned values survive a restart"

# The new provider adds a mail exchanger.
serial=$(( $(world_get "$dir" serial) + 10 ))
sed -i -e "s/\(hostmaster.nifcloud.com. \)[0-9]*/\1$serial/" \
    -e 's/^\(@[[:space:]]*MX[[:space:]]*10 mx02\)$/\1\n@\t\tMX\t20 mx03/' \
    "$dir/new/example.co.jp.zone"
grep -q "MX	20 mx03" "$dir/new/example.co.jp.zone" || fail "zone not edited"
kill -HUP "$(world_pid "$dir" new)" || fail "could not reload the new provider"
world_wait_soa "$(world_addr "$dir" new1)" example.co.jp. "$serial" ||
    fail "the new provider did not load the zone"
wait_q 20 '[.learned[] | select(.type == "MX" and .set == "expected") | .values | length == 3] | all' \
    "the MX to be learned anew"
grep -q "expected values changed (example.co.jp. MX learned anew from the new name servers): its migration starts afresh" \
    "$dir/nmigd.log" || fail "no log line for the new MX"
wait_q 40 '.state == "complete"' "completion with the new MX"
[ "$(db "SELECT count(*) FROM events WHERE message LIKE '%switch complete%'")" = 2 ] ||
    fail "not two completion events: $(db "SELECT message FROM events")"
ok "a changed MX at the new provider is learned after confirm rounds; the migration starts afresh and completes"

# The operator writes out what was learned: the same values, so the
# migration goes on; the snapshots stay.
afresh=$(grep -c "starts afresh" "$dir/nmigd.log")
sed -i 's/^mx = auto$/mx = 10 mx01.example.co.jp, 10 mx02.example.co.jp, 20 mx03.example.co.jp/' \
    "$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "edited config rejected"
kill -HUP "$nmigd_pid"
wait_q 10 '[.learned[] | select(.type == "MX")] | length == 1' "the reload"
[ "$(grep -c "starts afresh" "$dir/nmigd.log")" = "$afresh" ] ||
    fail "writing out the learned MX restarted the migration"
[ "$(q .state)" = complete ] || fail "not complete after the reload: $(q .state)"
[ "$(learned NS old)" = "ns1.oldhost.ne.jp., ns2.oldhost.ne.jp." ] ||
    fail "old NS after a reload: $(learned NS old)"
ok "the learned MX written into the config: no restart, the snapshots kept"
nmigd_stop
echo "PASS: learned values"
exit 0
