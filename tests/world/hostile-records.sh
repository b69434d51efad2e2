#!/bin/bash
# hostile-records.sh - records and files built to break the parsers nmigd
# once handed them to (issue 6): one fakedns a misbehaviour, on loopback.
#
#   svcb   an HTTPS record with 40 empty parameters: ldns's printer
#          aborted on it (defect 1), so nmigd died every round
#   tsig   3000 datagrams a query with the right ID, another question and
#          three TSIGs of 20 KB, then the right answer signed so:
#          ldns_wire2pkt leaked 20 KB a datagram (defect 2)
#   empty  an MX record with RDLENGTH 0: shown as "" and lost on restart
#          (defect 7)
#   wks    a WKS bitmap of 1,200 bytes: ldns called getservbyport() per
#          bit (defect 8)
#
# Also the config side of defect 1 (an HTTPS alpn of non-printable bytes
# aborted `nmigd -t` and a reload), and a database with bad rows, which
# stopped start-up (defect 10).  Needs root (as the other world tests),
# jq, ss, sqlite3 and timeout; exit 77 without them.  KEEP=1 keeps the
# work directory.
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

[ "$(id -u)" = 0 ] || skip "hostile-records.sh must run as root"
for t in jq ss sqlite3 timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing"
done
[ -x "$NMIGD" ] && [ -x "$NMIGD_CTL" ] || skip "nmigd not built"
[ -x "$FAKEDNS" ] || skip "$FAKEDNS not built"

FAKES="good:good
svcb:svcb-bomb
tsig:tsig-flood:--flood=3000
empty:empty-rdata
wks:wks"

# The daemon's peak RSS under the TSIG flood may grow by this much over
# its size after the first round; ldns's leak took 94 MB in two rounds.
TSIG_GROWTH_KB=16384

dir=$(mktemp -d /tmp/nmigd-records.XXXXXX) || exit 1
. "$top_srcdir/tests/world/fakes.sh"

# write_conf FILE INTERVAL [EXTRA...]: every resolver, the apex NS and MX,
# an HTTPS and a WKS record.
write_conf() {
	local f=$1 interval=$2
	shift 2
	cat >"$f" <<EOF
[nmigd]
database  = $dir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
interval  = $interval
timeout   = 1s
retries   = 1
confirm   = 1
include   = $dir/conf.d

[domain example.co.jp]
ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com
mx = 10 mx01.example.co.jp, 10 mx02.example.co.jp
record = @ HTTPS 1 . alpn=h2
record = @ WKS \\# 5 c000020106
EOF
}

# The RSS bound below is the daemon's: under AddressSanitizer its
# quarantine of freed memory (256 MB by default) would count as well, and
# fill as fast as the flood is parsed; a leak is not in it.
daemon_start() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
	    "$NMIGD" -c "$1" </dev/null >/dev/null 2>>"$dir/daemon.log" &
	nmigd_pid=$!
	for _ in $(seq 50); do
		[ -S "$dir/nmigd.sock" ] && return 0
		kill -0 "$nmigd_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

daemon_stop() {
	stop_pid "$nmigd_pid" nmigd
	wait "$nmigd_pid" 2>/dev/null
	nmigd_pid=
}

# record JSON RESOLVER TYPE FIELD
record() {
	rrecords "$1" "$2" "$3" | jq -r "$4"
}

fakes_up
ok "started $(wc -l <"$dir/pids") fakedns on $net.0/24 port $port"
mkdir -p "$dir/conf.d"
# shellcheck disable=SC2046
write_resolvers "$dir/resolvers.conf" $(cut -d: -f1 <<<"$FAKES")
write_conf "$dir/nmigd.conf" 2s

echo "# nmigd --once against the hostile records"
timeout 60 "$NMIGD" --once --json -c "$dir/nmigd.conf" >"$dir/once.json" \
    2>"$dir/once.err"
rc=$?
check "--once survives every record and exits 1 (got $rc)" test "$rc" = 1
jq -e . "$dir/once.json" >/dev/null 2>&1 || {
	sed 's/^/#   /' "$dir/once.err" | tail -n 20
	bail "--once printed no status document"
}
check "svcb: the HTTPS answer is other, shown in RFC 3597 form" test \
    "$(record "$dir/once.json" svcb HTTPS \
    '.state + " " + (.rdata[0] | startswith("\\# 163 0001") | tostring)')" \
    = "other true"
for t in NS MX; do
	got=$(record "$dir/once.json" svcb "$t" .state)
	check "svcb: $t is $got, want new" test "$got" = new
	got=$(record "$dir/once.json" tsig "$t" .state)
	check "tsig: $t is $got (new, or error when the flood drowned the answer)" \
	    test "$got" = new -o "$got" = error
done
check "tsig: no TSIG answer was taken for one (rdata never evil)" test \
    "$(record "$dir/once.json" tsig NS '.rdata | map(select(test("evil"))) | length')" = 0
check "empty: an RDLENGTH 0 record is other, shown as \\# 0" test \
    "$(record "$dir/once.json" empty MX '.state + " " + (.rdata | tojson)')" \
    = 'other ["\\# 0"]'
check "wks: the bitmap is shown in RFC 3597 form" test \
    "$(record "$dir/once.json" wks WKS \
    '.state + " " + (.rdata[0] | startswith("\\# 1205 c000020106ff") | tostring)')" \
    = "other true"
check "good: NS is new" test "$(record "$dir/once.json" good NS .state)" = new

echo "# the daemon under the TSIG flood for a few rounds"
: >"$dir/daemon.log"
daemon_start "$dir/nmigd.conf" || bail "daemon did not start"
sleep 3
base=$(vm_kb "$nmigd_pid" VmRSS)
sleep 8
if kill -0 "$nmigd_pid" 2>/dev/null; then
	ok "daemon alive after 11 s of hostile records"
	hwm=$(vm_kb "$nmigd_pid" VmHWM)
	echo "# RSS after the first rounds ${base} kB, peak ${hwm} kB"
	check "peak RSS ${hwm} kB stays within ${TSIG_GROWTH_KB} kB of ${base} kB" \
	    test "$hwm" -le $((base + TSIG_GROWTH_KB))
	rounds=$(fake_queries tsig udp NS | wc -l)
	check "the TSIG resolver was asked in several rounds ($rounds)" \
	    test "$rounds" -ge 3
else
	not_ok "daemon died under the hostile records"
	tail -n 20 "$dir/daemon.log" | sed 's/^/#   /'
	bail "cannot go on without the daemon"
fi

echo "# a reload with an HTTPS alpn of 100 non-printable bytes"
alpn=$(for i in $(seq 100); do printf '\\%03d' $(( i % 31 + 1 )); done)
cat >"$dir/conf.d/bytes.conf" <<EOF
[domain example.net]
ns = ns1.example.net
mx = 10 mx.example.net
record = @ HTTPS 1 . alpn="$alpn"
EOF
timeout 10 "$NMIGD" -t -v -c "$dir/nmigd.conf" >"$dir/printed.conf" \
    2>"$dir/t.err"
rc=$?
check "nmigd -t -v accepts it (got $rc)" test "$rc" = 0
timeout 10 "$NMIGD" -t -c "$dir/printed.conf" 2>"$dir/t2.err"
check "what -t -v printed parses again" test $? = 0
check "the reload is taken" ctl reload
check "the daemon is alive after the reload" kill -0 "$nmigd_pid"
ctl --json status example.net >"$dir/net.json"
check "the new domain is watched" \
    test "$(jq -r '.domains[0].domain' "$dir/net.json")" = example.net

echo "# a restart keeps the empty record, from the database"
ctl --json status example.co.jp >"$dir/before.json"
want=$(jq -c '.domains[0].resolvers[] | select(.name == "empty") |
    .records[] | select(.type == "MX") | [.state, .rdata]' "$dir/before.json")
daemon_stop
write_conf "$dir/nmigd.conf" 1h
daemon_start "$dir/nmigd.conf" || bail "daemon did not start again"
ctl --json status example.co.jp >"$dir/after.json"
got=$(jq -c '.domains[0].resolvers[] | select(.name == "empty") |
    .records[] | select(.type == "MX") | [.state, .rdata]' "$dir/after.json")
check "empty MX after a restart: $got (was $want)" test "$got" = "$want"
case $want in
'["other",["\\# 0"]]') ok "it was the RDLENGTH 0 record" ;;
*) not_ok "before the restart: $want" ;;
esac
daemon_stop

echo "# bad rows in the database do not stop start-up"
sqlite3 "$dir/nmigd.db" "UPDATE rverdicts SET state = 'bo' || char(1) || 'gus';
    UPDATE domains SET since = 'yesterday', state = 'x' || char(27) || '[31m'
    WHERE name = 'example.co.jp.';
    UPDATE answers SET ttl = -1 WHERE id = (SELECT max(id) FROM answers);"
: >"$dir/daemon.log"
if daemon_start "$dir/nmigd.conf"; then
	ok "the daemon starts on a database with bad rows"
	check "the bad rverdicts rows are named in the log" \
	    grep -q 'rverdicts row (domain_id [0-9]*, resolver_id [0-9]*): bad state' "$dir/daemon.log"
	check "the bad domains row is named in the log" \
	    grep -q 'domains row [0-9]*: bad since' "$dir/daemon.log"
	check "the bad answers row is named in the log" \
	    grep -q 'answers row [0-9]*: bad ttl' "$dir/daemon.log"
	check "no control byte from the database reaches the log" \
	    test "$(tr -d '\n\t' <"$dir/daemon.log" | LC_ALL=C grep -c '[[:cntrl:]]')" = 0
	check "and it answers" ctl status example.co.jp >/dev/null
else
	not_ok "the daemon did not start on a database with bad rows"
	tail -n 5 "$dir/daemon.log" | sed 's/^/#   /'
fi
daemon_stop

echo "# a corrupted schema is refused, and its bytes do not reach the log raw"
cp "$dir/nmigd.db" "$dir/bad-schema.db"
sqlite3 "$dir/bad-schema.db" "PRAGMA writable_schema = ON;
    UPDATE sqlite_master SET sql = 'CREATE TABLE events(' || char(27) ||
    '[31m' || char(7) WHERE name = 'events';" 2>/dev/null
sed "s|^database .*|database = $dir/bad-schema.db|" "$dir/nmigd.conf" \
    >"$dir/bad-schema.conf"
timeout 10 "$NMIGD" -c "$dir/bad-schema.conf" </dev/null >/dev/null \
    2>"$dir/bad-schema.log"
rc=$?
check "a database with a broken schema is refused (exit $rc)" test "$rc" = 2
check "the reason is logged" grep -q 'malformed' "$dir/bad-schema.log"
check "with its control bytes escaped" \
    test "$(tr -d '\n' <"$dir/bad-schema.log" | LC_ALL=C grep -c '[[:cntrl:]]')" = 0

# Every fakedns must still be there: none crashed on what nmigd sent.
while read -r pid; do
	kill -0 "$pid" 2>/dev/null || not_ok "fakedns $pid died during the test"
done <"$dir/pids"

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
