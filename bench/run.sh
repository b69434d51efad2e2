#!/bin/bash
# bench/run.sh - nmigd's benchmark (issue 10): what a probe costs nmigd
# in CPU, memory and disk, next to dnsperf sending the same queries to the
# same server, on loopback only.  `make bench` runs every workload.
#
#	bench/run.sh [-k] [-p perf|callgrind] [W1|W2|W3|W4|W5|all]...
#
# The fixture (bench/lib.sh): D generated zones on one NSD listening on R
# loopback addresses, which stand in for R resolvers; nmigd watches the D
# domains and asks every resolver NS and MX of each every I seconds (one
# sample, and a rate limit nothing reaches, so that the CPU sets the
# pace).  NSD runs one server process on CPU $NSD_CPU (1), nmigd on
# CPU $NMIGD_CPU (0), and dnsperf, the reference, on nmigd's core with
# nmigd stopped.
#
#   W1  steady: 1,000 x 20 x 2 every 10 s
#   W2  steady: 10,000 x 50 x 2 every 60 s
#   W3  saturation: the highest probe rate nmigd sustains at 10,000 x 50,
#       its interval shrunk step by step, against dnsperf -q 500
#   W4  memory: 100,000 x 10 x 2 every 600 s
#   W5  migration: 1,000 x 20, the resolvers in G=4 groups each served
#       by its own NSD, group g's records switched at T0 + g x 15 s; how
#       long after the last switch each domain's completion event comes
#       (nmigd's log, time-stamped as written; confirm = 1)
#
# A steady run (W1, W2, W4): nmigd with the same resolvers and no domain
# (its peak RSS is the baseline), then nmigd with the D domains on a
# fresh database; once every domain is complete (its first rounds stored:
# minutes at 10,000 domains, and not the steady load) and WARM s more, a
# window of T s in which nmigd's CPU (utime+stime, /proc/PID/stat), the bytes it
# wrote (/proc/PID/io write_bytes: SQLite) and the probes it finished
# (/metrics) are counted; then its peak RSS (VmHWM), the database's size
# at both ends of the window, `nmigd-ctl status` (wall time, median of 3,
# and the reply's size), /metrics' size, and how long a restart takes to
# load the database.  dnsperf then sends the same mix at the rate nmigd
# reached (-Q), its CPU read the same way.  Each figure is the median of
# RUNS runs.  T=3600 measures the database over a full hour of unchanged
# answers.
#
# W3 starts nmigd at the interval START, waits until every domain is
# complete, then reloads it at each interval of STEPS in turn, shorter
# ones while they are sustained, longer ones while they are not: over a
# window of max(interval, T) s after interval + WARM s, answered
# probes/s at least 99.9% of the planned D x R x 2 / interval, timeouts
# under 0.1%, no round late (the status document's pacing.late_rounds)
# and the longest round under 1.1 x interval; then one step halfway
# between the longest interval not sustained and the shortest sustained.
# The highest planned rate sustained is the result.
#
# Each workload's block starts with the command line that reproduces it;
# everything printed goes to $OUT/DATE-WORKLOADS.md as well, ending in
# the table for bench/RESULTS.md and the issue's targets.
#
# From the environment, the defaults of each workload otherwise (the
# times are those of nmigd at 8126576, whose first rounds at 10,000 x 50
# take 4-5 minutes to store; a faster nmigd settles sooner):
#	W1  D=1000 R=20 I=10 WARM=20 T=60 RUNS=3	about 9 min
#	W2  D=10000 R=50 I=60 WARM=60 T=60 RUNS=3	about 25 min
#	W3  D=10000 R=50 STEPS="300 180 120 90 60 40 30 24 20 15 12 10 9 8 7 6 5"
#	    START=60 WARM=10 T=20 RUNS=1 DP_RUNS=3	about 15 min
#	    (STEPS: intervals in s, longest first; START: one of them)
#	W4  D=100000 R=10 I=600 WARM=60 T=600 RUNS=1	about 27 min
#	W5  D=1000 R=20 G=4 DELAY=15 I=10 REPS=10	about 12 min
# and for all of them:
#   DP_T DP_WARM        dnsperf's window (20 s) and warm-up (2 s)
#   SETTLE_MAX          the longest wait for every domain complete (1800 s)
#   TIMEOUT RETRIES     nmigd's (3, 2)
#   PROFILE             perf or callgrind (as -p); KEEP=1 as -k
#   NMIGD NMIGD_CTL     the binaries (./nmigd, ./nmigd-ctl of the tree)
#   NMIGD_CPU NSD_CPU   the cores (0, 1)
#   BENCH_NET PORT      addresses 127.X.*.* (127.56) and port (5300)
#   BENCH_TMP OUT       the work directory's parent (/tmp), the results'
#                       directory (bench/out)
# -p perf samples nmigd (cpu-clock, DWARF call graphs) in the first run's
# window and prints the top of the profile, self and with children (its
# unwinding is charged to nmigd's CPU: read the CPU figures of an
# unprofiled run); -p callgrind runs nmigd in valgrind instead, counting
# instructions in the window only (use small sizes: ~50 times slower).
# -k keeps the work directory.
#
# Needs root (NSD), nsd, dnsperf, drill, taskset, curl, jq, socat,
# python3, ss; perf or valgrind for -p.  Traffic goes to 127.0.0.0/8
# only; every process started is stopped by PID, whatever way the script
# ends.  Exit 0 when every workload measured, 1 when one failed, 2 on a
# usage error.
set -u
# Decimal points in awk, date and EPOCHREALTIME alike.
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
. "$top/bench/measure.sh"
. "$top/bench/steady.sh"
. "$top/bench/saturation.sh"
. "$top/bench/migration.sh"

NMIGD=${NMIGD:-$top/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top/nmigd-ctl}
NMIGD_CPU=${NMIGD_CPU:-0}
NSD_CPU=${NSD_CPU:-1}
BENCH_TMP=${BENCH_TMP:-/tmp}
OUT=${OUT:-$top/bench/out}
PROFILE=${PROFILE:-}
KEEP=${KEEP:-}
DP_T=${DP_T:-20}
DP_WARM=${DP_WARM:-2}
DP_RUNS=${DP_RUNS:-3}
SETTLE_MAX=${SETTLE_MAX:-1800}
CHECKS=2	# NS and MX of each domain

usage() {
	echo "usage: bench/run.sh [-k] [-p perf|callgrind] [W1|W2|W3|W4|W5|all]..." >&2
	exit 2
}

while getopts kp:h opt; do
	case $opt in
	k) KEEP=1 ;;
	p) PROFILE=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- all
workloads=()
for w in "$@"; do
	case $w in
	all) workloads+=(W1 W2 W3 W4 W5) ;;
	W[1-5]) workloads+=("$w") ;;
	*) usage ;;
	esac
done
case $PROFILE in '' | perf | callgrind) ;; *) usage ;; esac
for v in D R I WARM T RUNS DP_T DP_WARM DP_RUNS G DELAY REPS TIMEOUT \
    RETRIES PORT NMIGD_CPU NSD_CPU SETTLE_MAX; do
	case ${!v:-0} in
	*[!0-9]*) echo "bench/run.sh: $v must be a number" >&2; exit 2 ;;
	esac
done

die() {
	echo "bench/run.sh: $*" >&2
	exit 1
}

# Everything started is stopped by its PID, whatever way we leave.
work=
dp_pid=
perf_pid=
sampler_pid=
bench_nmigd_pid=
declare -A win
cleanup() {
	local d
	[ -z "$sampler_pid" ] || bench_stop "$sampler_pid"
	[ -z "$perf_pid" ] || { kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null; }
	[ -z "$dp_pid" ] || bench_stop "$dp_pid"
	bench_stop "$bench_nmigd_pid"
	[ -n "$work" ] || return 0
	for d in "$work"/*/nsd* "$work"/*/*/nsd*; do
		[ -d "$d" ] && bench_nsd_stop "$d"
	done
	if [ -n "$KEEP" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

[ "$(id -u)" = 0 ] || die "must run as root (NSD, pinning)"
for t in nsd dnsperf drill taskset curl jq socat python3 ss awk; do
	command -v $t >/dev/null || die "$t missing (tools/deps.sh installs it)"
done
[ "$PROFILE" != perf ] || command -v perf >/dev/null || die "perf missing"
[ "$PROFILE" != callgrind ] || command -v valgrind >/dev/null ||
    die "valgrind missing"
[ -x "$NMIGD" ] && [ -x "$NMIGD_CTL" ] || die "build nmigd first (make)"
[ "$(nproc)" -ge 2 ] || echo "bench/run.sh: one CPU: nmigd and NSD share it" >&2
bench_net_ok || exit 1
mkdir -p "$OUT" || die "cannot create $OUT"
work=$(mktemp -d "$BENCH_TMP/nmigd-bench.XXXXXX") || exit 1
stamp=$(date -u +%Y%m%d-%H%M%S)
outfile=$OUT/$stamp-$(IFS=-; echo "${workloads[*]}").md
mport=$((20000 + $$ % 20000))
failed=
rows=()
targets=()

# out LINE...: to the terminal and the results file.
out() {
	printf '%s\n' "$@" | tee -a "$outfile"
}

# say WORD...: one line of them.
say() {
	out "$*"
}

# param NAME DEFAULT: the environment's value, else the workload's own.
param() {
	local v=${!1:-}
	echo "${v:-$2}"
}

# common_env: the settings every workload shares that differ from their
# defaults, for the command lines that reproduce a result.
common_env() {
	local v d e=
	for v in TIMEOUT:3 RETRIES:2 DP_WARM:2 NMIGD_CPU:0 NSD_CPU:1 SETTLE_MAX:1800; do
		d=${v#*:}
		v=${v%%:*}
		[ "${!v:-$d}" = "$d" ] || e="$e$v=${!v} "
	done
	echo "$e"
}

# The default limits: how many domains a default interval holds at the
# default rate, samples and NS+MX, from the shipped etc/nmigd.conf as
# nmigd reads it (nmigd -t -v; a one-line loopback list stands in for
# the shipped public resolvers, and -t sends nothing).
default_fit() {
	local d=$work/defaults
	mkdir -p "$d" && cp "$top/etc/nmigd.conf" "$d/" &&
	    echo "r1 127.0.0.1" >"$d/resolvers.conf" || return 1
	"$NMIGD" -t -v -c "$d/nmigd.conf" 2>/dev/null | awk -v c="$CHECKS" '
	function secs(s,    n, t, u) {
		t = 0
		while (match(s, /^[0-9]+[smhd]?/)) {
			n = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
			u = substr(n, length(n)); if (u ~ /[0-9]/) u = "s"
			n += 0
			t += n * (u == "m" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : 1)
		}
		return t
	}
	$1 == "interval" { iv = $3; i = secs($3) }
	$1 == "rate" { r = $3 }
	$1 == "samples" { s = $3 }
	END {
		if (!i || !r || !s) exit 1
		printf("default limits (etc/nmigd.conf as nmigd -t -v reads it): " \
		    "interval %s, rate %d/s a resolver, samples %d, NS+MX: " \
		    "%d x %d / (%d x %d) = %d domains fit in the default interval\n",
		    iv, r, s, i, r, c, s, int(i * r / (c * s)))
	}'
}

# fixture NAME D R: the work directory $fx of a workload, NSD serving
# its D zones (the new records) on R addresses (in $addrs), the query
# file for dnsperf.
fixture() {
	local i
	fx=$work/$1
	addrs=()
	for ((i = 0; i < $3; i++)); do
		addrs+=("$(bench_addr "$i")")
	done
	mkdir -p "$fx/nsd" &&
	    bench_zone "$fx/nsd/zone.db" new 1 &&
	    bench_nsd_conf "$fx/nsd" "$2" "${addrs[@]}" &&
	    bench_queryfile "$fx/queries.txt" "$2" || return 1
	bench_nsd_start "$fx/nsd" "$NSD_CPU" "$2" "${addrs[0]}"
}

# profile_begin DIR / profile_end DIR: sample nmigd during a window, when
# asked; the top of the profile goes to DIR/profile.txt.
profile_begin() {
	case $PROFILE in
	perf)
		perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 \
		    -p "$bench_nmigd_pid" -o "$1/perf.data" >/dev/null 2>"$1/perf.log" &
		perf_pid=$!
		;;
	callgrind)
		callgrind_control -i on "$bench_nmigd_pid" >/dev/null ;;
	esac
}
profile_end() {
	case $PROFILE in
	perf)
		kill -INT "$perf_pid"
		wait "$perf_pid"
		perf_pid=
		perf_top "$1/perf.data" >"$1/profile.txt"
		;;
	callgrind)
		callgrind_control -i off "$bench_nmigd_pid" >/dev/null
		callgrind_control -d "$bench_nmigd_pid" >/dev/null
		callgrind_top "$(ls "$1"/callgrind.out* | tail -n 1)" >"$1/profile.txt"
		;;
	esac
}

# ok_if VALUE OP LIMIT: "met", "missed" or "not measured".
ok_if() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (v == "-" || v == "") { print "not measured"; exit }
		m = op == "<=" ? v + 0 <= l + 0 : op == "<" ? v + 0 < l + 0 : v + 0 >= l + 0
		print m ? "met" : "missed" }'
}

out "# nmigd benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')" ""
say "nmigd: $NMIGD ($(bench_commit)); $(nsd -v 2>&1 | head -n 1);" \
    "$(dnsperf -h 2>&1 | sed -n 's/^Version /dnsperf /p'); $(nproc) CPUs" \
    "($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo));" \
    "nmigd and dnsperf on CPU $NMIGD_CPU, NSD on CPU $NSD_CPU; work directory" \
    "on $(df -PT "$work" | awk 'NR == 2 { print $2 }') ($BENCH_TMP)"
out ""
out "$(default_fit || echo "default limits: nmigd -t -v failed on etc/nmigd.conf")"

for wl in "${workloads[@]}"; do
	bench_log "$wl starts"
	case $wl in
	W1) steady W1 "$(param D 1000)" "$(param R 20)" "$(param I 10)" \
	    "$(param WARM 20)" "$(param T 60)" "$(param RUNS 3)" ;;
	W2) steady W2 "$(param D 10000)" "$(param R 50)" "$(param I 60)" \
	    "$(param WARM 60)" "$(param T 60)" "$(param RUNS 3)" ;;
	W3) saturation ;;
	W4) steady W4 "$(param D 100000)" "$(param R 10)" "$(param I 600)" \
	    "$(param WARM 60)" "$(param T 600)" "$(param RUNS 1)" ;;
	W5) migration ;;
	esac || failed="$failed $wl"
done

out "" "## Table" "" \
    "| workload | load | probes/s | nmigd CPU ms per 1k probes | dnsperf CPU ms per 1k queries, same rate | ratio | peak RSS above empty per (domain, resolver, check) | SQLite bytes written per probe | database after warm-up, growth | notes |" \
    "|---|---|---|---|---|---|---|---|---|---|" "${rows[@]}" "" "Targets (issue 10):" ""
for t in "${targets[@]}"; do
	out "- $t"
done
out "" "(results in $outfile)"
[ -z "$failed" ] || die "failed:$failed"
exit 0
