#!/bin/bash
# resolvers.sh - hostile resolvers under load: nmigd watches 1,000
# domains every 10 s with 10 good resolvers (tools/benchdns) and five
# broken ones (tests/tools/fakedns), each of a kind the issue names:
#   drop     an address where nothing listens: every query is lost;
#   late     answers 4.5 s later, after the 2 s timeout and the retry's,
#            with the right ID;
#   port     answers only with junk from another port or address;
#   tcnone   answers TC=1 and refuses TCP;
#   flood    2,000 unsolicited datagrams with every query, then the
#            right answer (queries are moved off the shared ports).
# What must hold: the daemon stays up with bounded memory and a loop that
# keeps time; the good resolvers are not starved (no timeouts) and every
# domain completes with them (require = 10); the broken ones are backed
# off; nothing a broken resolver sends is taken as an answer (the
# junk is counted as dropped, the database holds no "new" from them).
#
# KEEP=1 keeps the work directory.  Traffic stays on 127.0.0.0/8.  Needs
# root (as the world tests), jq, ss, curl and sqlite3; exit 77 without.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
FAKEDNS=${FAKEDNS:-$top_builddir/tests/tools/fakedns}
BENCHDNS=$top_builddir/tools/benchdns

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "resolvers.sh must run as root"
for t in jq ss curl sqlite3 timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing"
done
[ -x "$NMIGD" ] || skip "nmigd not built"
[ -x "$FAKEDNS" ] || skip "$FAKEDNS not built"
[ -x "$BENCHDNS" ] || skip "$BENCHDNS not built"

D=1000
GOOD=10
FAKES="late:slow:--delay-ms 4500
port:garbage:alt
tcnone:tc-tcp-none
flood:flood:--flood 2000"

dir=$(mktemp -d /tmp/nmigd-fresolvers.XXXXXX) || exit 1
. "$top_srcdir/tests/world/fakes.sh"
dns_pid=
trap 'kill "$dns_pid" 2>/dev/null; cleanup' EXIT

metric() {
	curl -fs "http://127.0.0.1:$mport/metrics" |
	    sed -n "s/^$1 \\([0-9.e+-]*\\)\$/\\1/p"
}

fakes_up
ok "started $(wc -l <"$dir/pids") fakedns on $net.0/24 port $port"
good=()
for ((i = 1; i <= GOOD; i++)); do
	good+=("$net.$((100 + i))")
done
"$BENCHDNS" --port "$port" --max-seconds 300 "${good[@]}" \
    2>"$dir/benchdns.log" &
dns_pid=$!
mport=$(pick_port) || bail "no free port for /metrics"

{
	for ((i = 1; i <= GOOD; i++)); do
		echo "g$i $net.$((100 + i))@$port rate=1000000 benchdns"
	done
	echo "drop $(addr_of closed)@$port nothing listens"
	for n in late port tcnone flood; do
		echo "$n $(addr_of $n)@$port rate=1000000 fakedns $n"
	done
} >"$dir/resolvers.conf"
{
	cat <<EOF
[nmigd]
database  = $dir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
metrics   = 127.0.0.1:$mport
interval  = 10s
timeout   = 2s
retries   = 1
confirm   = 1
samples   = 1
require   = $GOOD
parent    = none
providers = none
EOF
	"$BENCHDNS" --domains "$D"
} >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" >/dev/null 2>"$dir/t.err" ||
    bail "config rejected: $(cat "$dir/t.err")"

"$NMIGD" -c "$dir/nmigd.conf" </dev/null >/dev/null 2>"$dir/nmigd.log" &
nmigd_pid=$!
wait_for 10 ctl status >/dev/null 2>&1 || bail "nmigd does not answer"

all_complete() {
	[ "$(ctl --json status | jq '[.domains[] | select(.state != "complete")]
	    | length')" = 0 ]
}
backed_off() {
	local n
	for n in drop late port tcnone; do
		[ "$(rfield "$n" backing_off)" = true ] || return 1
	done
}
wait_for 60 all_complete
check "every domain completes with the $GOOD good resolvers" all_complete
wait_for 30 backed_off
for n in drop late port tcnone; do
	check "$n is backed off" [ "$(rfield "$n" backing_off)" = true ]
done
# One more whole round under the broken resolvers: every domain's NS and
# MX asked of the good ones again.
g1_queries() {
	[ "$(rfield g1 queries)" -ge "$1" ]
}
wait_for 40 g1_queries $(( $(rfield g1 queries) + 2 * D )) ||
    not_ok "no whole round in 40 s"

for ((i = 1; i <= GOOD; i++)); do
	t=$(rfield "g$i" timeouts)
	[ "$t" = 0 ] || not_ok "g$i: $t timeouts: starved by the broken ones"
done
ok "the good resolvers answered every query in time (checked $GOOD)"
thrown=$(rfield flood queries)
dropped=$(metric nmigd_dropped_answers_total)
check "flood: $thrown queries drew 2,000 junk datagrams each; $dropped dropped" \
    [ "${dropped:-0}" -gt 2000 ]
check "flood: its right answers still count ($(rfield flood answers) answers)" \
    [ "$(rfield flood answers)" -gt 0 ]
# Queries share ports; with junk coming, each gets a port of its own, so
# that it cannot fill a shared socket's buffer and crowd out the good
# ones' answers.
check "flood: each query was moved to a port of its own (nmigd_private_ports $(metric nmigd_private_ports))" \
    [ "$(metric nmigd_private_ports)" = 1 ]
check "flood: said once, in the log" \
    [ "$(grep -c "datagrams no query waits for in" "$dir/nmigd.log")" = 1 ]
n=$(sqlite3 "file:$dir/nmigd.db?mode=ro" "SELECT count(*) FROM answers a
    JOIN resolvers r ON r.id = a.resolver_id
    WHERE r.name IN ('drop', 'late', 'port', 'tcnone') AND a.state = 'new'" \
    2>&1)
check "no broken resolver's answer was taken as new ($n)" [ "$n" = 0 ]
hwm=$(vm_kb "$nmigd_pid" VmHWM)
check "memory bounded: VmHWM ${hwm} kB (at most 96 MB)" [ "${hwm:-0}" -le 98304 ]
lag=$(metric nmigd_event_loop_held_max_seconds)
check "the loop kept time: its own work held it at most ${lag:-?} s (under 0.5 s)" \
    awk -v l="${lag:-9}" 'BEGIN { exit !(l < 0.5) }'
check "integrity_check ok" \
    [ "$(sqlite3 "file:$dir/nmigd.db?mode=ro" 'PRAGMA integrity_check')" = ok ]
check "nmigd still runs" kill -0 "$nmigd_pid"
for n in late port tcnone flood; do
	pid=$(cat "$dir/$n.pid" 2>/dev/null)
	check "fakedns $n still runs" kill -0 "${pid:-0}"
done

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
