#!/bin/bash
# The providers' name servers, asked directly, against real servers: the
# new provider's NSD serves the expected records (ok) and the old one's
# serves the old zone (serving); a domain whose "new" server is the
# registry's (it only refers to the domain's own servers) is lame.  When
# the old provider's NSD stops while the registry still delegates to it,
# the old provider is stopped and an event says mail may bounce, once;
# when it comes back it serves again.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need curl:curl
export WORLD_TTL=20
daemon_init providers
STOPPED=323bfee71c694412a9b5574ab87285dd
nstopped() { db "SELECT count(*) FROM events WHERE message_id = '$STOPPED'"; }

world_start "$dir" 2 || exit 1
port=$(( 20000 + $$ % 20000 ))
{
	world_nmigd_conf "$dir" "$dir/nmigd.db" |
	    sed "s|^\[nmigd\]\$|[nmigd]\nmetrics = 127.0.0.1:$port|"
	cat <<EOF

[domain oldhost.ne.jp]
ns = a.dns.jp
mx = none
EOF
} >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "config rejected"
nmigd_start

# Each server's address is looked up on its own: wait for all four.
wait_q 20 '.new_provider.state == "ok" and .old_provider.state == "serving" and
    (.new_provider.servers | length) == 2 and (.old_provider.servers | length) == 2' \
    "the providers to be seen"
got=$(q '[.new_provider.servers[] | .name + "@" + .address] | join(" ")')
[ "$got" = "hns0.dns.nifcloud.com@$(world_addr "$dir" new1) hns1.dns.nifcloud.com@$(world_addr "$dir" new2)" ] ||
    fail "new provider's servers: $got"
got=$(q '[.old_provider.servers[] | .name + "@" + .address] | join(" ")')
[ "$got" = "ns1.oldhost.ne.jp@$(world_addr "$dir" old1) ns2.oldhost.ne.jp@$(world_addr "$dir" old2)" ] ||
    fail "old provider's servers: $got"
[ "$(q '.new_provider.servers[0].records | length')" = 4 ] ||
    fail "the new provider is not asked every check"
[ "$(q '[.old_provider.servers[0].records[].type] | join(" ")')" = "NS MX" ] ||
    fail "the old provider is asked more than NS and MX"
[ "$(q '.new_provider.servers[0].soa.state')" = other ] || fail "no SOA kept"
m=$(curl -fsS "http://127.0.0.1:$port/metrics") || fail "no /metrics"
for kv in 'nmigd_domain_new_provider_state{domain="example.co.jp",state="ok"} 1' \
    'nmigd_domain_new_provider_state{domain="example.co.jp",state="lame"} 0' \
    'nmigd_domain_old_provider_state{domain="example.co.jp",state="serving"} 1' \
    'nmigd_domain_resolvers_overdue{domain="example.co.jp"} 0' \
    'nmigd_domain_expected_complete_timestamp_seconds{domain="example.co.jp"} 0'; do
	grep -qxF "$kv" <<<"$m" || fail "/metrics lacks $kv"
done
ok "new provider ok (hns0, hns1), old provider serving (ns1, ns2), in /metrics too"

wait_q 20 '.new_provider.state == "lame"' "a lame new provider" oldhost.ne.jp
[ "$(q .new_provider.problem oldhost.ne.jp)" = "a.dns.jp does not serve the zone" ] ||
    fail "lame problem: $(q .new_provider.problem oldhost.ne.jp)"
"$CTL" -s "$dir/nmigd.sock" status oldhost.ne.jp |
    grep -q "^  new provider: lame (a.dns.jp does not serve the zone)" ||
    fail "text status does not say the new provider is lame"
ok "a new server that only refers elsewhere: lame, and status says which"

world_kill "$dir" old || fail "could not stop the old provider"
wait_q 30 '.old_provider.state == "stopped"' "the old provider to stop"
for i in $(seq 20); do [ "$(nstopped)" = 1 ] && break; sleep 0.3; done
[ "$(nstopped)" = 1 ] || fail "$(nstopped) stopped events, not 1"
msg=$(db "SELECT message FROM events WHERE message_id = '$STOPPED'")
case $msg in
"old nameservers for example.co.jp stopped serving while "[0-9]*" resolvers still point at them: mail may bounce") ;;
*) fail "stopped message: $msg" ;;
esac
"$CTL" -s "$dir/nmigd.sock" status example.co.jp |
    grep -q "^  old provider: stopped" || fail "text status does not say stopped"
sleep 5
[ "$(nstopped)" = 1 ] || fail "the stopped event came again"
ok "the old provider stopped while the registry delegates to it: $msg"

world_start_nsd "$dir" old || fail "could not restart the old provider"
wait_q 30 '.old_provider.state == "serving"' "the old provider to serve again"
# The stop is news again once it has served for confirm (2) rounds.
wait_q 15 '.old_provider.stopped_at == null' "the stop's latch to clear"
ok "the old provider serves again"
nmigd_stop
[ "$(db "SELECT old_state || ' ' || new_state FROM domains WHERE name = 'example.co.jp.'")" = "serving ok" ] ||
    fail "the database does not hold the providers' states"
echo "PASS: the providers' name servers"
exit 0
