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
NMIGD=${NMIGD:-$top_builddir/nmigd}
CTL=${CTL:-$top_builddir/nmigd-ctl}
. "$top_srcdir/tests/world/lib.sh"

world_check_tools || exit 77
for t in sqlite3 jq curl; do
	command -v "$t" >/dev/null || { echo "$t missing"; exit 77; }
done

export WORLD_TTL=5
dir=$(mktemp -d /tmp/nmigd-parent.XXXXXX)
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
	echo "--- status"; "$CTL" -s "$dir/nmigd.sock" status 2>&1 | head -20
	echo "--- events"; db "SELECT time, message FROM events ORDER BY id"
	exit 1
}
ok() { echo "ok: $*"; }
db() { sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1"; }
now() { date +%s; }
status() { "$CTL" -s "$dir/nmigd.sock" --json status "${1:-example.co.jp}"; }
parent() { status "${2:-}" | jq -r ".domains[0].parent | $1"; }

# wait_for SECS JQ-FILTER WHAT [DOMAIN]: until the parent object makes the
# filter print true.
wait_for() {
	local end=$(( $(now) + $1 ))
	while [ "$(now)" -le "$end" ]; do
		[ "$(parent "$2" "${4:-}" 2>/dev/null)" = true ] && return 0
		sleep 0.3
	done
	fail "timed out after $1 s waiting for $3"
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
mx = 10 mx.example.nosuchtld
EOF
} >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" || fail "config rejected"

start_nmigd
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

stop_nmigd
start_nmigd
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
stop_nmigd
world_resolver_stop "$dir" 1
world_resolver_stop "$dir" 2
cat >>"$dir/nmigd.conf" <<EOF

[domain example.com]
ns = hns0.dns.nifcloud.com
mx = 10 mx.example.com
EOF
start_nmigd
wait_for 20 '.search == "failed"' "the search to fail" example.com
[ "$(parent .zone example.com)" = null ] || fail "a failed search names a zone"
err=$(parent .search_error example.com)
[ "$err" = "no resolver answered its NS query" ] || fail "search error: $err"
"$CTL" -s "$dir/nmigd.sock" status example.com | grep -q "search failed: no resolver answered" ||
    fail "text status does not say why the search failed"
kill -0 "$nmigd_pid" || fail "nmigd died"
ok "no resolver answers: the search fails, and status says why"
stop_nmigd
echo "PASS: the registry milestone"
exit 0
