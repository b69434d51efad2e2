#!/bin/bash
# samples.sh - several samples of a check per round (nmigd.conf `samples`,
# a resolver line's samples=N).  Two fakedns resolvers on loopback: one
# always right, one standing for an anycast address with two caches that
# answer by turns, the new records first, then others.  Each sample must
# be a query of its own (its own ID and source port), and the round's
# answer must be the sample that holds the resolver back: the anycast
# resolver is not new with two samples, although one sample alone would
# have made it so.
#
# Needs root (as the other world tests), jq, ss and timeout; exit 77
# without them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the work directory.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
NMIGD=${NMIGD:-$top_builddir/nmigd}
FAKEDNS=${FAKEDNS:-$top_builddir/tests/tools/fakedns}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "samples.sh must run as root"
for t in jq ss timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing"
done
[ -x "$NMIGD" ] || skip "nmigd not built"
[ -x "$FAKEDNS" ] || skip "$FAKEDNS not built"

FAKES="good:good
any:anycast"

dir=$(mktemp -d /tmp/nmigd-samples.XXXXXX) || exit 1
. "$top_srcdir/tests/world/fakes.sh"

# write_conf ANY_SAMPLES: samples = 3 for every resolver, the anycast one
# with its own count.
write_conf() {
	cat >"$dir/resolvers.conf" <<EOF
good $(addr_of good)@$port fakedns good
any $(addr_of any)@$port samples=$1 fakedns anycast
EOF
	cat >"$dir/nmigd.conf" <<EOF
[nmigd]
database  = $dir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
timeout   = 1s
retries   = 1
confirm   = 1
samples   = 3

[domain example.co.jp]
ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com
mx = 10 mx01.example.co.jp, 10 mx02.example.co.jp
EOF
}

# queries NAME TYPE: "ID PORT" of each query fakedns NAME was asked.
queries() {
	sed -n "s/^fakedns [^:]*: udp query id=\([0-9]*\) example\.co\.jp\. $2 from .*:\([0-9]*\)\$/\1 \2/p" \
	    "$dir/$1.log"
}

once() {
	timeout 30 "$NMIGD" --once --json -c "$dir/nmigd.conf" >"$dir/once.json" \
	    2>"$dir/once.err"
	echo $?
}

fakes_up
ok "started $(wc -l <"$dir/pids") fakedns on $net.0/24 port $port"

write_conf 2
rc=$(once)
check "samples = 3, any samples=2: nmigd --once ends (exit $rc: not complete)" [ "$rc" = 1 ]
for t in NS MX; do
	n=$(queries good "$t" | wc -l)
	check "good was asked $t 3 times ($n)" [ "$n" = 3 ]
	n=$(queries good "$t" | cut -d' ' -f1 | sort -u | wc -l)
	check "good: 3 query IDs for $t ($n)" [ "$n" = 3 ]
	n=$(queries good "$t" | cut -d' ' -f2 | sort -u | wc -l)
	check "good: 3 source ports for $t ($n)" [ "$n" = 3 ]
	n=$(queries any "$t" | wc -l)
	check "any (samples=2) was asked $t twice ($n)" [ "$n" = 2 ]
done
check "good is new" [ "$(rstate "$dir/once.json" good)" = new ]
check "any is other: its second cache holds it back ($(rstate "$dir/once.json" any))" \
    [ "$(rstate "$dir/once.json" any)" = other ]
check "any: the NS answer kept is the other cache's" \
    [ "$(rrecords "$dir/once.json" any NS | jq -r '.rdata[0]')" = "ns.evil.test." ]

# One sample from the same anycast address: its first cache answers, new.
write_conf 1
rc=$(once)
check "any samples=1: nmigd --once says complete (exit $rc)" [ "$rc" = 0 ]
check "any samples=1: new" [ "$(rstate "$dir/once.json" any)" = new ]
n=$(queries any NS | wc -l)
check "any samples=1: one more NS query ($n in all)" [ "$n" = 3 ]

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
