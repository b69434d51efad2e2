#!/bin/bash
# pace.sh - politeness: each resolver is asked at most its rate (nmigd.conf
# `rate`, a resolver line's rate=N), a slow resolver holds back only its
# own queries, and a resolver that refuses us or stops answering is
# backed off (its queries skipped, one tried again after 1, 2, 4... s)
# until it answers again.  Status says when the rates stretch rounds
# beyond the interval.
#
# Five fakedns resolvers on loopback, each logging the time of every
# query: "fast" at the config's rate = 40, "slow" with rate=20, "lagging"
# with rate=20 answering after the 1 s timeout but before the retry's
# (every query is sent twice, and the retries count against its rate),
# "refuser" answering REFUSED, "late" answering after the retry's
# timeout too.  60 domains, NS and MX, one sample: 120 queries a round to
# each.
#
# Needs root (as the other world tests), jq, ss and timeout; exit 77
# without them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the work directory.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
FAKEDNS=${FAKEDNS:-$top_builddir/tests/tools/fakedns}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "pace.sh must run as root"
for t in jq ss timeout socat; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing"
done
[ -x "$NMIGD" ] || skip "nmigd not built"
[ -x "$FAKEDNS" ] || skip "$FAKEDNS not built"

FAKES="fast:good:--log-times
slow:good:--log-times
refuser:refused:--log-times
late:slow:--log-times --delay-ms 2500
lagging:slow:--log-times --delay-ms 1500"
NDOMAINS=60

dir=$(mktemp -d /tmp/nmigd-pace.XXXXXX) || exit 1
. "$top_srcdir/tests/world/fakes.sh"

# times NAME: the milliseconds of every query fakedns NAME was asked.
times() {
	sed -n 's/^fakedns .* t=\([0-9]*\)$/\1/p' "$dir/$1.log"
}

# busiest: the most of the times on stdin within any one second.
busiest() {
	sort -n | awk '{ t[NR] = $1 }
	    END { j = 1; best = 0
		for (i = 1; i <= NR; i++) {
			while (t[i] - t[j] >= 1000) j++
			if (i - j + 1 > best) best = i - j + 1
		}
		print best }'
}

# span N: milliseconds from the first to the Nth time on stdin.
span() {
	sort -n | awk -v n="$1" 'NR == 1 { a = $1 } NR == n { print $1 - a }'
}

# asked_at_least NAME N: fakedns NAME has logged N queries.
asked_at_least() {
	[ "$(times "$1" | wc -l)" -ge "$2" ]
}

# rfield_is NAME FIELD VALUE
rfield_is() {
	[ "$(rfield "$1" "$2")" = "$3" ]
}

late_rounds() {
	[ "$(ctl --json status | jq -r .pacing.late_rounds)" -gt 0 ]
}

# is_new RESOLVER: new for example.co.jp.
is_new() {
	[ "$(ctl --json status example.co.jp | jq -r --arg n "$1" \
	    '.domains[0].resolvers[] | select(.name == $n) | .state')" = new ]
}

fakes_up
ok "started $(wc -l <"$dir/pids") fakedns on $net.0/24 port $port"

cat >"$dir/resolvers.conf" <<EOF
fast $(addr_of fast)@$port fakedns good
slow $(addr_of slow)@$port rate=20 fakedns good, rate-limited
refuser $(addr_of refuser)@$port fakedns refused
late $(addr_of late)@$port fakedns slow
lagging $(addr_of lagging)@$port rate=20 fakedns slow, retried
EOF
{
	cat <<EOF
[nmigd]
database  = $dir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
interval  = 5s
timeout   = 1s
retries   = 1
confirm   = 1
samples   = 1
rate      = 40
parent    = none
providers = none

[domain example.co.jp]
ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com
mx = 10 mx01.example.co.jp, 10 mx02.example.co.jp
EOF
	for i in $(seq 2 "$NDOMAINS"); do
		printf '\n[domain d%s.example.test]\nns = ns1.example.net\nmx = 10 mx.example.net\n' "$i"
	done
} >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" >/dev/null 2>"$dir/t.err" ||
    bail "config rejected: $(cat "$dir/t.err")"

"$NMIGD" -c "$dir/nmigd.conf" </dev/null >/dev/null 2>"$dir/nmigd.log" &
nmigd_pid=$!
wait_for 10 ctl status >/dev/null 2>&1 || bail "nmigd does not answer"
started=$(now_ms)

# --- rates: the first round's 120 queries to each, at their pace.
wait_for 20 asked_at_least slow 120 ||
    bail "slow was not asked a round's 120 queries in 20 s ($(times slow | wc -l))"
n=$(times fast | busiest)
check "fast (rate = 40): at most 44 queries in any second ($n)" [ "$n" -le 44 ]
n=$(times slow | busiest)
check "slow (rate=20): at most 22 queries in any second ($n)" [ "$n" -le 22 ]
n=$(times fast | span 120)
check "fast: its round of 120 took at least 2.7 s ($n ms)" [ "$n" -ge 2700 ]
check "fast: ... and was not held back by slow (under 4.5 s)" [ "$n" -lt 4500 ]
n=$(times slow | span 120)
check "slow: its round of 120 took at least 5.5 s ($n ms)" [ "$n" -ge 5500 ]
n=$(times lagging | busiest)
check "lagging (rate=20, every query sent twice): at most 22 datagrams in any second ($n)" \
    [ "$n" -le 22 ]
check "nmigd-ctl resolvers: fast's rate is the config's 40" \
    [ "$(rfield fast rate)" = 40 ]
check "nmigd-ctl resolvers: slow's rate is its line's 20" \
    [ "$(rfield slow rate)" = 20 ]

# --- back-off: the refusing and the silent resolver.
eventually 10 "refuser is backed off" rfield_is refuser backing_off true
check "refuser: a next try is announced" \
    [ "$(rfield refuser retry_at)" != null ]
n=$(grep -c "refuser at .*: 5 queries in a row failed, the last was REFUSED; backing off" "$dir/nmigd.log")
check "one log line says refuser is backed off ($n)" [ "$n" = 1 ]
eventually 10 "late (answers after the timeout) is backed off" \
    rfield_is late backing_off true
check "nmigd-ctl resolvers: refuser at half its rate, BACKOFF says when it is tried again" \
    grep -Eq "^refuser +20/40/s +yes, (retry in [0-9]+s|retry now|trying now)\$" \
    <(ctl -o NAME,RATE,BACKOFF resolvers)
check "nmigd-ctl resolvers: slow is not backed off" \
    grep -Eq "^slow +20/s +no\$" <(ctl -o NAME,RATE,BACKOFF resolvers)

# --- pacing in status: 120 queries at slow's 20 a second take 6 s, more
# than the interval of 5 s.
ctl --json status >"$dir/status.json"
check "status: pacing is stretched" \
    [ "$(jq -r .pacing.stretched "$dir/status.json")" = true ]
check "status: slow is the slowest resolver" \
    [ "$(jq -r '.pacing | "\(.slowest_kind) \(.slowest)"' "$dir/status.json")" = \
    "resolver slow" ]
check "status: a round of slow takes 6 s as planned" \
    [ "$(jq -r .pacing.planned_round_seconds "$dir/status.json")" = 6 ]
ctl status >"$dir/status.txt"
check "nmigd-ctl status says the rounds are stretched" \
    grep -q "rounds are stretched beyond the interval of 5s.*a round asks resolver slow 120 queries, 6s at 20 a second" "$dir/status.txt"
check "nmigd-ctl status -n (for scripts) does not" \
    sh -c "! '$NMIGD_CTL' -s '$dir/nmigd.sock' -n status | grep -q stretched"
summary=$(printf '{"command":"status","summary":true}\n' |
    timeout 5 socat -t 5 - "UNIX-CONNECT:$dir/nmigd.sock")
check "the summary status (the list, the web view) has the same pacing" \
    [ "$(jq -c .pacing.planned_round_seconds <<<"$summary")" = 6 ]
eventually 20 "status counts rounds due while the one before still ran" \
    late_rounds
n=$(grep -c "previous round still running" "$dir/nmigd.log")
check "no line per domain for a late round ($n)" [ "$n" = 0 ]
# "1 round was due" or "N rounds were due": how many is the machine's.
late_said='(round was|rounds were) due while the one before still ran'
eventually 10 "one line says rounds were late" \
    grep -Eq "$late_said in the last 5s" "$dir/nmigd.log"

# --- the refuser comes back: stop it, start a good one on its address.
sleep 4
pid=$(sed -n 3p "$dir/pids")
stop_pid "$pid" fakedns
"$FAKEDNS" --listen "$(addr_of refuser)@$port" --mode good --log-times \
    --max-seconds 120 --pidfile "$dir/refuser2.pid" </dev/null \
    >/dev/null 2>"$dir/refuser2.log" &
echo $! >>"$dir/pids"
wait_for 5 [ -s "$dir/refuser2.pid" ] || bail "the good refuser did not start"
eventually 40 "nmigd says refuser answers again" \
    grep -q "refuser at .* answers again" "$dir/nmigd.log"
eventually 5 "refuser is no longer backed off" rfield_is refuser backing_off false
eventually 40 "refuser answers new again in status (rounds take 12 s here)" is_new refuser

# --- what was spared: the resolvers asked, the fakes counted.
elapsed=$(( ($(now_ms) - started) / 1000 ))
# probes: what rounds asked for, sent (queries) or skipped.
probes() {
	echo $(( $(rfield "$1" queries) + $(rfield "$1" skipped) ))
}
asked=$(probes refuser)
skipped=$(rfield refuser skipped)
sent=$(times refuser | wc -l)
# Most of its probes: it refused for most of the run.
check "refuser: of $asked probes in ${elapsed} s, $skipped skipped while it refused" \
    [ "$asked" -ge 200 ] && [ $((skipped * 2)) -ge "$asked" ]
check "refuser: it saw at most 20 queries while it refused ($sent)" \
    [ "$sent" -le 20 ]
asked=$(probes late)
sent=$(times late | wc -l)
check "late: it was asked $asked probes ($sent)" [ "$asked" -ge 300 ]
# Until its first failures come back (2 s: a try and a retry) it gets
# its rate's worth, then a trial and its retry after 1, 2, 4... s.
check "late: it saw at most 2 s at its rate and the trials ($sent datagrams, at most 110)" \
    [ "$sent" -le 110 ]
n=$(rfield fast timeouts)
check "fast: no timeouts for waiting its turn ($n)" [ "$n" = 0 ]
n=$(rfield slow timeouts)
check "slow: no timeouts for waiting its turn ($n)" [ "$n" = 0 ]
asked=$(rfield lagging answers)
sent=$(times lagging | wc -l)
check "lagging: $asked answers took $sent datagrams: the retries went out" \
    [ "$sent" -ge $((asked * 3 / 2)) ]
n=$(grep -Ec "$late_said" "$dir/nmigd.log")
check "... and only once, as rounds stayed late ($n)" [ "$n" = 1 ]
check "nmigd still runs" kill -0 "$nmigd_pid"

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
