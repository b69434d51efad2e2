#!/bin/bash
# smoke.sh - the benchmark (bench/run.sh, `make bench`) still runs: W1
# and W5 at a tiny size (100 domains x 4 resolvers every 2 s, one run; a
# migration in two groups 2 s apart), and their results are complete and
# plausible: probes counted near the planned rate, nmigd's and dnsperf's
# CPU measured, memory and database figures present, every domain's
# completion seen after the last switch, nothing left running.  The
# figures themselves are not judged: a loaded test machine is no
# benchmark.
#
# Needs root, nsd, dnsperf, drill, taskset, curl, jq, socat, python3, ss
# (tools/deps.sh installs them); exit 77 without.  KEEP=1 keeps the
# work directory.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
export NMIGD=${NMIGD:-$top_builddir/nmigd}
export NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "the benchmark runs NSD: root only"
for t in nsd dnsperf drill taskset curl jq socat python3 ss; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing"
done
[ -x "$NMIGD" ] && [ -x "$NMIGD_CTL" ] || skip "nmigd not built"

dir=$(mktemp -d /tmp/nmigd-bench-smoke.XXXXXX) || exit 1
keep=${KEEP:-}
cleanup() {
	if [ -n "$keep" ] || [ "$nfail" != 0 ]; then
		echo "# kept $dir"
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

# Addresses and port of its own, apart from a `make bench` running
# beside it (127.56) and from the other tests'.
export BENCH_NET=127.60 PORT=$((20000 + $$ % 20000))
export BENCH_TMP=$dir OUT=$dir/out KEEP=1
export D=100 R=4 I=2 WARM=1 T=3 RUNS=1 DP_WARM=1 DP_T=2 TIMEOUT=1 G=2 \
    DELAY=2 REPS=1
timeout 120 bash "$top_srcdir/bench/run.sh" W1 W5 >"$dir/stdout" 2>"$dir/stderr"
rc=$?
check "bench/run.sh W1 W5 exits 0 (it said $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { sed 's/^/# /' "$dir/stderr" | tail -n 20; }

res=$(ls "$OUT"/*-W1-W5.md 2>/dev/null | head -n 1)
check "the results file is written" [ -s "$res" ]
check "stdout is the results file" cmp -s "$res" "$dir/stdout"
check "each block starts with the command that reproduces it" \
    grep -q '^\$ .*RUNS=1 D=100 R=4 I=2 WARM=1 T=3 .*bench/run.sh W1$' "$res"
check "W5's command line" \
    grep -q '^\$ .*REPS=1 D=100 R=4 G=2 DELAY=2 I=2 bench/run.sh W5$' "$res"
check "the default interval's capacity is computed: 2500 domains" \
    grep -q '= 2500 domains fit in the default interval' "$res"

# The table's W1 row: | W1 | load | probes/s | nmigd ms | dnsperf ms |
# ratio | RSS | bytes/probe | database | notes |
row=$(grep '^| W1 |' "$res")
field() {
	echo "$row" | awk -F' *[|] *' -v f="$1" '{ print $(f + 1) }'
}
number() {
	[[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]
}
echo "# $row"
probes=$(field 3)
check "W1 probes/s near the planned 400 ($probes)" \
    awk -v p="$probes" 'BEGIN { exit !(p >= 200 && p <= 800) }'
check "nmigd's CPU per 1k probes is measured ($(field 4))" number "$(field 4)"
check "dnsperf ran: its CPU per 1k queries ($(field 5))" \
    awk -v v="$(field 5)" 'BEGIN { exit !(v + 0 > 0) }'
check "the ratio of the two ($(field 6))" number "$(field 6)"
check "peak RSS per (domain, resolver, check) ($(field 7))" \
    number "$(field 7 | sed 's/ B$//')"
check "bytes written per probe ($(field 8))" number "$(field 8)"
check "the database's size and growth ($(field 9))" \
    grep -qE '^[0-9.]+ MB, [-+][0-9.]+ MB/h' <<<"$(field 9)"
check "status latency and size, /metrics size ($(field 10))" \
    grep -qE '^status [0-9.]+ ms, [0-9]+ B; /metrics [0-9]+ B$' <<<"$(field 10)"
check "dnsperf answered everything at nmigd's rate" \
    grep -q "(0.000% lost)" "$res"

w5=$(grep '^| W5 |' "$res")
echo "# $w5"
check "W5: completion after the last switch, p50 and max" \
    grep -qE 'p50 -?[0-9]+ ms, max -?[0-9]+ ms' <<<"$w5"
check "W5: every domain completed" grep -q '^all 1: 100 completions' "$res"
check "W5: no completion before the last switch's SIGHUP" \
    grep -qv 'BEFORE the last SIGHUP' <<<"$(grep '^rep 1:' "$res")"
check "the targets are listed" grep -q '^- W5 completion at most' "$res"

# Everything the harness started is gone: it kept its work directory
# (KEEP), and its NSD, nmigd and dnsperf name files in it.
work=$(ls -d "$dir"/nmigd-bench.* 2>/dev/null | head -n 1)
left=$([ -z "$work" ] || pgrep -f -- "$work/")
check "nothing it started is left running (${left:-none})" [ -n "$work" ] && [ -z "$left" ]

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
