#!/bin/bash
# reload.sh - reloading a running nmigd (SIGHUP and "nmigd-ctl reload")
# while it watches a loopback world: a good reload keeps every state and
# repeats no event; a bad configuration, drop-in or resolver list is
# refused with FILE:LINE errors and the old configuration keeps running;
# domains added, removed (their history stays in the database) and added
# again (their latched completion comes back); a resolver removed and
# added again.
#
# Needs root, the world's tools, socat, jq, sqlite3 and setpriv; exit 77
# without them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the work directory.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/control/lib.sh"

ctl_setup reload

world_start "$dir" 3 || die "world_start"
# The resolver list and the domain are files of our own, to edit.
cp "$dir/resolvers.conf" "$dir/resolvers.nmigd"
world_nmigd_conf "$dir" "$dir/nmigd.db" "$dir/resolvers.nmigd" >"$dir/full.conf"
mkdir "$dir/conf.d"
sed '/^\[domain/,$d' "$dir/full.conf" >"$dir/nmigd.conf"
sed -n '/^\[domain/,$p' "$dir/full.conf" >"$dir/example.conf"
cp "$dir/example.conf" "$dir/conf.d/example.conf"
cp "$dir/nmigd.conf" "$dir/nmigd.conf.good"
cp "$dir/resolvers.nmigd" "$dir/resolvers.good"
"$NMIGD" -t -c "$dir/nmigd.conf" 2>/dev/null || die "nmigd -t rejects the config"

nmigd_start
pid0=$nmigd_pid
world_switch "$dir" || die "world_switch"
ctl wait example.co.jp --timeout 60s >"$dir/wait.out" 2>&1 ||
    die "example.co.jp not complete within 60 s"
ok "example.co.jp complete"

# What a reload must not change: the domain's state and completion time,
# every resolver's verdict and since.
snapshot() {
	ctl_json status "${1:-example.co.jp}" | jq -c '.domains[0] |
	    {state, complete_at, resolvers: [.resolvers[] | {name, state, switched, since}]}'
}
base=$(snapshot)
expect "before any reload: complete, every resolver switched" "$base" \
    '.state == "complete" and (.complete_at | type) == "string" and
    [.resolvers[].switched] == [true, true, true]'
check "one completion event, three switch events" \
    [ "$(count_events $COMPLETE)" = 1 -a "$(count_events $SWITCHED)" = 3 ]

# state_kept WHEN: the snapshot is unchanged now and after another round,
# and no event was repeated.
state_kept() {
	local now_state
	now_state=$(snapshot)
	check "$1: state, complete_at and resolvers unchanged" [ "$now_state" = "$base" ]
	check "$1: rounds go on" wait_round example.co.jp
	now_state=$(snapshot)
	check "$1: unchanged after a round" [ "$now_state" = "$base" ]
	check "$1: no event repeated" \
	    [ "$(count_events $COMPLETE)" = 1 -a "$(count_events $SWITCHED)" = 3 ]
}

# log_wait PATTERN COUNT: wait (5 s) until PATTERN is in the log more than
# COUNT times.
log_wait() {
	local i
	for i in $(seq 50); do
		[ "$(grep -c -- "$1" "$dir/nmigd.log")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- good reloads
n=$(grep -c "reloaded: watching" "$dir/nmigd.log")
kill -HUP "$nmigd_pid"
check "SIGHUP: reloaded" log_wait "reloaded: watching 1 domain with 3 resolvers" "$n"
state_kept "after SIGHUP"

out=$(ctl reload 2>&1)
check "nmigd-ctl reload: $out" [ "$out" = "configuration reloaded: 1 domain, 3 resolvers" ]
r=$(ctl_json reload)
expect "nmigd-ctl --json reload" "$r" \
    '. == {"version": 1, "reloaded": true, "domains": 1, "resolvers": 3}'
state_kept "after nmigd-ctl reload"

# --- bad configurations: refused, the old one keeps running
echo "bogus-key = 1" >>"$dir/nmigd.conf"
line=$(wc -l <"$dir/nmigd.conf")
ctl reload >"$dir/out" 2>"$dir/err"
rc=$?
check "bad key: nmigd-ctl reload exits 1 (exit $rc)" [ "$rc" = 1 ]
check "bad key: nmigd-ctl says the configuration was not reloaded" \
    grep -q "^nmigd-ctl: configuration not reloaded" "$dir/err"
check "bad key: nmigd-ctl prints FILE:LINE" \
    grep -q "^$dir/nmigd.conf:$line: unknown key \"bogus-key\"" "$dir/err"
r=$(ctl_json reload)
rc=$?
check "bad key: nmigd-ctl --json reload exits 1" [ "$rc" = 1 ]
expect "bad key: the error reply with FILE:LINE errors" "$r" \
    ".error == \"configuration not reloaded\" and
    (.errors | length) >= 1 and
    any(.errors[]; startswith(\"$dir/nmigd.conf:$line: \"))"
n=$(grep -c "configuration not reloaded" "$dir/nmigd.log")
kill -HUP "$nmigd_pid"
check "bad key, SIGHUP: refused in the log" log_wait "configuration not reloaded" "$n"
check "bad key, SIGHUP: FILE:LINE in the log" \
    grep -q "$dir/nmigd.conf:$line: unknown key" "$dir/nmigd.log"
check "bad key: nmigd still runs" kill -0 "$nmigd_pid"
state_kept "after the refused reloads"

cp "$dir/nmigd.conf.good" "$dir/nmigd.conf"
printf '[domain broken.example]\nns = a.example\n' >"$dir/conf.d/zz-broken.conf"
r=$(ctl_json reload)
expect "a broken drop-in: refused, naming the drop-in" "$r" \
    ".error == \"configuration not reloaded\" and
    any(.errors[]; startswith(\"$dir/conf.d/zz-broken.conf:1: \"))"
rm "$dir/conf.d/zz-broken.conf"
echo "r9 not-an-address somewhere" >>"$dir/resolvers.nmigd"
line=$(wc -l <"$dir/resolvers.nmigd")
r=$(ctl_json reload)
expect "a broken resolver list: refused, naming its line" "$r" \
    ".error == \"configuration not reloaded\" and
    any(.errors[]; startswith(\"$dir/resolvers.nmigd:$line: \"))"
cp "$dir/resolvers.good" "$dir/resolvers.nmigd"
r=$(ctl_json status)
expect "after the refused reloads: still the old domain and resolvers" "$r" \
    '[.domains[].domain] == ["example.co.jp"] and .domains[0].resolvers_total == 3'

# --- a domain added by a drop-in
cat >"$dir/conf.d/other.conf" <<EOF
[domain oldhost.ne.jp]
ns = ns1.oldhost.ne.jp ns2.oldhost.ne.jp
mx = 10 mail.oldhost.ne.jp
EOF
r=$(ctl_json reload)
expect "drop-in added: reloaded with 2 domains" "$r" '.reloaded == true and .domains == 2'
r=$(ctl_json status)
expect "drop-in added: both domains in status" "$r" \
    '([.domains[].domain] | sort) == ["example.co.jp", "oldhost.ne.jp"]'
check "drop-in added: the new domain is probed" wait_round oldhost.ne.jp
r=$(ctl_json status oldhost.ne.jp)
expect "drop-in added: the new domain's answers (NS new, MX nodata)" "$r" \
    'all(.domains[0].resolvers[]; .records[0].type == "NS" and .records[0].state == "new" and
    .records[1].type == "MX" and .records[1].state == "nodata")'
state_kept "after adding a domain"

# --- the first domain removed: gone from status, its history stays
answers_of() {
	db "SELECT count(*) || ' ' || max(a.last_seen) FROM answers a
	    JOIN checks c ON c.id = a.check_id JOIN domains d ON d.id = c.domain_id
	    WHERE d.name = '$1'"
}
rm "$dir/conf.d/example.conf"
r=$(ctl_json reload)
expect "domain removed: reloaded with 1 domain" "$r" '.reloaded == true and .domains == 1'
before=$(answers_of example.co.jp.)
r=$(ctl_json status)
expect "domain removed: gone from status" "$r" '[.domains[].domain] == ["oldhost.ne.jp"]'
r=$(ctl_json status example.co.jp)
expect "domain removed: status of it is an error" "$r" \
    '.error == "unknown domain: example.co.jp (watched: oldhost.ne.jp)"'
r=$(ctl_json check example.co.jp)
expect "domain removed: check of it is an error" "$r" \
    '.error == "unknown domain: example.co.jp (watched: oldhost.ne.jp)"'
check "domain removed: rounds go on for the other" wait_round oldhost.ne.jp
wait_round oldhost.ne.jp >/dev/null
after=$(answers_of example.co.jp.)
check "domain removed: its answers stay in the database ($after)" \
    [ "${after%% *}" -gt 0 ]
check "domain removed: and are no longer probed ($before -> $after)" [ "$before" = "$after" ]
r=$(ctl_json history example.co.jp)
rc=$?
check "domain removed: nmigd-ctl history still answers (exit $rc)" [ "$rc" = 0 ]
expect "domain removed: its history, from the database" "$r" \
    ".domain == \"example.co.jp\" and
    ([.history[] | select(.kind == \"answer\")] | length) > 0 and
    ([.history[] | select(.message_id == \"$COMPLETE\")] | length) == 1"
out=$(ctl history example.co.jp 2>&1)
check "domain removed: nmigd-ctl history (text) shows the completion" \
    grep -q "DNS switch complete" <<<"$out"

# --- added again: the latched completion comes back from the database
cp "$dir/example.conf" "$dir/conf.d/example.conf"
r=$(ctl_json reload)
expect "domain added again: reloaded with 2 domains" "$r" '.reloaded == true and .domains == 2'
state_kept "after adding the domain again"

# --- a resolver removed, then added again
q_before=$(ctl_json resolvers | jq '.resolvers[] | select(.name == "r1") | .queries')
grep -v '^r3 ' "$dir/resolvers.good" >"$dir/resolvers.nmigd"
r=$(ctl_json reload)
expect "r3 removed: reloaded with 2 resolvers" "$r" '.reloaded == true and .resolvers == 2'
r=$(ctl_json status)
expect "r3 removed: gone from every domain's status" "$r" \
    'all(.domains[]; .resolvers_total == 2 and [.resolvers[].name] == ["r1", "r2"])'
r=$(ctl_json resolvers)
expect "r3 removed: gone from resolvers; r1 keeps its counters" "$r" \
    "[.resolvers[].name] == [\"r1\", \"r2\"] and .resolvers[0].queries >= $q_before"
want=$(jq -c '.resolvers |= map(select(.name != "r3"))' <<<"$base")
r=$(snapshot)
check "r3 removed: the domain and r1, r2 keep their state" [ "$r" = "$want" ]
check "r3 removed: rounds go on" wait_round example.co.jp
r=$(snapshot)
check "r3 removed: unchanged after a round" [ "$r" = "$want" ]
cp "$dir/resolvers.good" "$dir/resolvers.nmigd"
r=$(ctl_json reload)
expect "r3 added again: reloaded with 3 resolvers" "$r" '.reloaded == true and .resolvers == 3'
state_kept "after adding r3 again"

# --- reloads that overlap: the files are read on a thread, and requests
# made while a read runs are answered by the next read, so every client
# gets an answer and none gets one older than its request.
pids=()
for i in $(seq 12); do
	ctl_json reload >"$dir/overlap.$i" &
	pids+=($!)
	[ $((i % 3)) = 0 ] && kill -HUP "$nmigd_pid"
done
rm "$dir/conf.d/other.conf"
r=$(ctl_json reload)
expect "overlapping reloads: one asked after a drop-in went sees it gone" "$r" \
    '.reloaded == true and .domains == 1'
wait "${pids[@]}"
all=$(cat "$dir"/overlap.* | jq -s -c 'map(.reloaded) | unique')
check "overlapping reloads: all 12 answered, all reloaded ($all)" \
    [ "$all" = "[true]" -a "$(cat "$dir"/overlap.* | wc -l)" = 12 ]
# Clients that leave before their reload is answered.
pids=()
for i in $(seq 20); do
	printf '{"command":"reload"}\n' | timeout 5 socat -t 0 - "UNIX-CONNECT:$S" \
	    >/dev/null 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
r=$(ctl_json reload)
expect "after 20 clients left during their reload: the next reload answers" \
    "$r" '.reloaded == true and .domains == 1'
check "after the overlapping reloads: nmigd runs" kill -0 "$nmigd_pid"
state_kept "after the overlapping reloads"

# --- forget: the history of a domain no longer watched leaves the
# database; a watched one is refused.
watched=$(ctl_json status | jq -r '.domains[0].domain')
gone=example.co.jp
[ "$watched" != example.co.jp ] || gone=oldhost.ne.jp
r=$(ctl_json forget "$watched")
expect "forget a watched domain: refused" "$r" \
    ".error == \"$watched is still watched: remove it from the configuration and reload first\""
check "forget: $gone has rows before" [ "$(db "SELECT count(*) FROM domains WHERE name = '$gone.'")" = 1 ]
out=$(ctl forget "$gone" 2>&1)
check "forget $gone: exit 0 ($out)" [ $? = 0 ]
check "forget $gone: says how much went" grep -qE "^$gone forgotten: [0-9]+ rows deleted$" <<<"$out"
check "forget $gone: nothing of it is left" [ "$(db "SELECT
    (SELECT count(*) FROM domains WHERE name = '$gone.') +
    (SELECT count(*) FROM checks WHERE domain_id NOT IN (SELECT id FROM domains)) +
    (SELECT count(*) FROM answers WHERE check_id NOT IN (SELECT id FROM checks)) +
    (SELECT count(*) FROM rverdicts WHERE domain_id NOT IN (SELECT id FROM domains))")" = 0 ]
r=$(ctl_json forget "$gone")
expect "forget it again: not in the database" "$r" \
    ".error == \"$gone is not in the database\""
r=$(ctl_json status "$watched")
expect "forget: the watched domain is untouched" "$r" ".domains[0].domain == \"$watched\""

check "nmigd never restarted (pid $pid0)" [ "$nmigd_pid" = "$pid0" ]
nmigd_stop TERM
check "SIGTERM: exit 0 (exit $stop_rc)" [ "$stop_rc" = 0 ]

ctl_finish
