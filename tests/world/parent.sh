#!/bin/bash
# The registry milestone against real servers: nmigd finds the parent zone
# of example.co.jp. (jp., walking up past co.jp., which has no NS set)
# through the Unbound resolvers, asks the registry's NSD directly, RD=0,
# for the delegation, and shows it as old; when the registry switches,
# the parent's view becomes new and the registry event comes once, with
# the referral's NS TTL.  A restart keeps the view and repeats no event; a
# rollback at the registry shows as old again without a second event.  A
# domain under a TLD that does not exist has the root as its parent, which
# says NXDOMAIN: the view is error.  With every resolver stopped, the
# search fails and status says why.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need curl:curl

export WORLD_TTL=5
daemon_init parent
parent() { q ".parent | $1" "${2:-}"; }
wait_for() { wait_q "$1" ".parent | $2" "$3" "${4:-}"; }

PARENT=4e68dd1dd5be4958a843136434ae6311
count_parent() { db "SELECT count(*) FROM events WHERE message_id = '$PARENT'"; }

world_start "$dir" 2 || exit 1
tld=$(world_addr "$dir" tld)
port=$(( 20000 + $$ % 20000 ))
{
	world_nmigd_conf "$dir" "$dir/nmigd.db" |
	    sed "s|^\[nmigd\]\$|[nmigd]\nmetrics = 127.0.0.1:$port|"
	cat <<EOF

[domain example.nosuchtld]
ns = hns0.dns.nifcloud.com
mx = none
EOF
} >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "config rejected"

nmigd_start
wait_for 20 '.state == "old"' "the parent to delegate to the old provider"
[ "$(parent .zone)" = jp ] || fail "parent zone is $(parent .zone), not jp"
[ "$(parent '.servers | length')" = 1 ] || fail "not one parent server"
[ "$(parent '.servers[0].name')" = a.dns.jp ] || fail "server $(parent '.servers[0].name')"
[ "$(parent '.servers[0].address')" = "$tld" ] || fail "address $(parent '.servers[0].address'), not $tld"
got=$(parent '.servers[0].delegation.rdata | join("; ")')
[ "$got" = "$WORLD_OLD_NS" ] || fail "delegation '$got', not the old NS"
[ "$(parent '.servers[0].delegation.ttl')" = "$WORLD_TTL" ] || fail "referral TTL"
[ "$(parent '.servers[0].ds.state')" = nodata ] || fail "DS: $(parent '.servers[0].ds.state')"
[ "$(parent .switched_at)" = null ] || fail "switched before the switch"
"$CTL" -s "$dir/nmigd.sock" status example.co.jp | grep -q "^  parent jp: old since " ||
    fail "text status lacks the parent line"
ok "the parent (jp, a.dns.jp at $tld) delegates to the old provider"

# The root knows no "invalid." TLD: the root is the parent, and it says
# NXDOMAIN for the domain.
wait_for 20 '.state == "error"' "example.nosuchtld's parent to say NXDOMAIN" example.nosuchtld
[ "$(parent .zone example.nosuchtld)" = . ] || fail "example.nosuchtld's parent is not the root"
[ "$(parent '.servers[0].delegation.state' example.nosuchtld)" = nxdomain ] ||
    fail "the root's answer for example.nosuchtld is not NXDOMAIN"
[ "$(q '[.resolvers[0].records[].type] | join(" ")' example.nosuchtld)" = NS ] ||
    fail "mx = none: example.nosuchtld is asked more than NS"
ok "a domain under a TLD that does not exist: the root says NXDOMAIN, error"

world_switch "$dir" new || fail "switch"
wait_for 20 '.state == "new"' "the parent to delegate to the new provider"
[ "$(parent .switched_at)" != null ] || fail "no switch time"
[ "$(parent .ttl)" = "$WORLD_TTL" ] || fail "parent TTL $(parent .ttl)"
got=$(parent '.servers[0].delegation.rdata | join("; ")')
[ "$got" = "$WORLD_NEW_NS" ] || fail "delegation '$got', not the new NS"
for i in $(seq 20); do [ "$(count_parent)" = 1 ] && break; sleep 0.3; done
[ "$(count_parent)" = 1 ] || fail "$(count_parent) registry events, not 1"
msg=$(db "SELECT message FROM events WHERE message_id = '$PARENT'")
[ "$msg" = "registry delegation for example.co.jp now points at the new nameservers" ] ||
    fail "event message: $msg"
grep -q "nmigd: registry delegation for example.co.jp now points" "$dir/nmigd.log" ||
    fail "the event did not reach stderr"
[ "$(db "SELECT parent_state || ' ' || parent_ttl FROM domains WHERE name = 'example.co.jp.'")" = "new $WORLD_TTL" ] ||
    fail "the database does not hold the parent's view"
switched=$(parent .switched_at)
ok "the registry switched at $switched: one event, TTL $WORLD_TTL, stored"

m=$(curl -fsS "http://127.0.0.1:$port/metrics") || fail "no /metrics"
for s in pending old mixed error; do
	grep -qx "nmigd_domain_parent_state{domain=\"example.co.jp\",state=\"$s\"} 0" <<<"$m" ||
	    fail "/metrics: parent state $s is not 0"
done
grep -qx 'nmigd_domain_parent_state{domain="example.co.jp",state="new"} 1' <<<"$m" ||
    fail "/metrics: parent state new is not 1"
grep -qx "nmigd_domain_parent_switched_timestamp_seconds{domain=\"example.co.jp\"} $(date -d "$switched" +%s)" <<<"$m" ||
    fail "/metrics: the switch time is not $switched"
ok "/metrics shows the parent's view and the switch time"

nmigd_stop
nmigd_start
sleep 5
[ "$(parent .state)" = new ] || fail "after a restart the parent is $(parent .state)"
[ "$(parent .switched_at)" = "$switched" ] || fail "the switch time changed on restart"
[ "$(count_parent)" = 1 ] || fail "the registry event came again after a restart"
ok "a restart keeps the parent's view and repeats no event"

world_switch "$dir" old || fail "rollback"
wait_for 20 '.state == "old"' "the rollback to show"
[ "$(parent .switched_at)" = "$switched" ] || fail "a rollback moved the switch time"
[ "$(count_parent)" = 1 ] || fail "a rollback raised an event"
ok "a rollback at the registry shows as old; the switch stays latched"

# Nothing answers the search: the parent of a new domain stays unknown,
# and status says why.
nmigd_stop
world_resolver_stop "$dir" 1
world_resolver_stop "$dir" 2
cat >>"$dir/nmigd.conf" <<EOF

[domain example.com]
ns = hns0.dns.nifcloud.com
mx = 10 mx.example.com
EOF
nmigd_start
wait_for 20 '.search == "failed"' "the search to fail" example.com
[ "$(parent .zone example.com)" = null ] || fail "a failed search names a zone"
err=$(parent .search_error example.com)
[ "$err" = "no resolver answered its NS query" ] || fail "search error: $err"
"$CTL" -s "$dir/nmigd.sock" status example.com | grep -q "search failed: no resolver answered" ||
    fail "text status does not say why the search failed"
kill -0 "$nmigd_pid" || fail "nmigd died"
ok "no resolver answers: the search fails, and status says why"
nmigd_stop
echo "PASS: the registry milestone"
exit 0
