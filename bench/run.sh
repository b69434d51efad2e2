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
#	W3  D=10000 R=50 STEPS="300 180 120 90 60 40 30 24 20 15 12 10"
#	    START=60 WARM=10 T=20 RUNS=1 DP_RUNS=3	about 15 min
#	    (STEPS: intervals in s, longest first; START: one of them)
#	W4  D=100000 R=10 I=600 WARM=60 T=600 RUNS=1	about 20 min
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

# baseline_hwm DIR: base_kb, the peak RSS of nmigd with the run's
# resolvers and no domain, once it serves /metrics and 2 s more.
baseline_hwm() {
	local d=$1/empty
	mkdir -p "$d" && cp "$1/resolvers.conf" "$d/" || return 1
	bench_nmigd_conf "$d" 0 "$I" 2 "$mport" >"$d/nmigd.conf"
	bench_nmigd_start "$d" "$NMIGD_CPU"
	bench_nmigd_ready "$d" "$mport" 60 || return 1
	sleep 2
	base_kb=$(vm_hwm "$bench_nmigd_pid")
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
}

# window_open RD / window_close RD: the measuring window of a run in RD,
# its readings in the array win.  The scrapes and the status request are
# nmigd's work too, and are kept out of it; run 1 is profiled when asked.
window_open() {
	scrape "$mport" "$1/m0.txt" || { bench_log "scrape failed"; return 1; }
	win[p0]=$(pacing "$1/nmigd.sock")
	win[db0]=$(db_bytes "$1")
	win[nsd]=$(bench_nsd_procs "$fx/nsd")
	# shellcheck disable=SC2086
	win[n0]=$(cpu_ticks ${win[nsd]})
	win[c0]=$(cpu_ticks "$bench_nmigd_pid")
	win[w0]=$(write_bytes "$bench_nmigd_pid")
	win[t0]=$EPOCHREALTIME
	cpu_sampler "$1/cpu.txt"
	[ "$run" != 1 ] || profile_begin "$1"
}
window_close() {
	win[c1]=$(cpu_ticks "$bench_nmigd_pid")
	win[w1]=$(write_bytes "$bench_nmigd_pid")
	win[t1]=$EPOCHREALTIME
	# shellcheck disable=SC2086
	win[n1]=$(cpu_ticks ${win[nsd]})
	bench_stop "$sampler_pid"
	sampler_pid=
	[ "$run" != 1 ] || profile_end "$1"
	kill -0 "$bench_nmigd_pid" 2>/dev/null || { bench_log "nmigd died in the window"; return 1; }
	win[db1]=$(db_bytes "$1")
	scrape "$mport" "$1/m1.txt" || { bench_log "scrape failed"; return 1; }
	win[p1]=$(pacing "$1/nmigd.sock")
	win[hwm]=$(vm_hwm "$bench_nmigd_pid")
}

# cpu_sampler FILE: nmigd's CPU ticks once a second, "TIME TICKS", in the
# background (sampler_pid): the busiest second shows bursts that the
# window's mean hides.
cpu_sampler() {
	local pid=$bench_nmigd_pid
	while [ -r "/proc/$pid/stat" ]; do
		echo "$EPOCHREALTIME $(cpu_ticks "$pid")"
		sleep 1
	done >"$1" 2>/dev/null &
	sampler_pid=$!
}

# status_thrice RD: the median wall time and reply size of three
# `nmigd-ctl status`, in win.
status_thrice() {
	local i st ms=() b=()
	for i in 1 2 3; do
		st=$(status_timed "$1/nmigd.sock")
		ms+=("${st% *}")
		b+=("${st#* }")
	done
	win[status_ms]=$(median "${ms[@]}")
	win[status_bytes]=$(median "${b[@]}")
}

# restart_secs RD: how long nmigd takes to load what it saved and start
# watching again, in win[restart_s].
restart_secs() {
	local t=$EPOCHREALTIME i
	mv "$1/nmigd.log" "$1/nmigd-first.log"
	bench_nmigd_start "$1" "$NMIGD_CPU"
	win[restart_s]=-
	for ((i = 0; i < 6000; i++)); do
		kill -0 "$bench_nmigd_pid" 2>/dev/null || break
		if grep -qs 'nmigd: watching' "$1/nmigd.log"; then
			win[restart_s]=$(awk -v a="$t" -v b="$EPOCHREALTIME" \
			    'BEGIN { printf("%.1f", b - a) }')
			break
		fi
		sleep 0.1
	done
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
}

# settle RD: wait until every domain is complete (its first rounds
# answered and stored: every resolver gives what it expects), at most
# SETTLE_MAX s; how long it took in win[settle_s], "-" if it did not.
# A fresh database takes its first answers slowly, and a window that
# catches them measures start-up, not the steady load.
settle() {
	local t0=$SECONDS n
	win[settle_s]=-
	while [ $((SECONDS - t0)) -lt "$SETTLE_MAX" ]; do
		kill -0 "$bench_nmigd_pid" 2>/dev/null || return 1
		n=$(complete_count "$1/nmigd.sock")
		if [ "${n:-0}" -ge "$D" ]; then
			win[settle_s]=$((SECONDS - t0))
			return 0
		fi
		pause 2
	done
	bench_log "$wl: $D domains not all complete after $SETTLE_MAX s; measuring anyway"
}

# steady_run: run $run of a steady workload in $fx/run$run; its figures
# as KEY=VALUE on one line of $fx/results.
steady_run() {
	local rd=$fx/run$run t_start rate
	win=()
	mkdir -p "$rd" || return 1
	bench_resolvers_conf "$rd/resolvers.conf" "${addrs[@]}"
	baseline_hwm "$rd" || return 1
	bench_nmigd_conf "$rd" "$D" "$I" 2 "$mport" >"$rd/nmigd.conf"
	t_start=$(bench_now_ms)
	bench_nmigd_start "$rd" "$NMIGD_CPU"
	bench_nmigd_ready "$rd" "$mport" 900 || return 1
	bench_log "$wl run $run: nmigd ready after $(( (bench_t_ready - t_start) / 1000 )) s"
	settle "$rd" || { bench_log "nmigd died in its first rounds"; return 1; }
	bench_log "$wl run $run: every domain complete after ${win[settle_s]} s; warm-up $WARM s, window $T s"
	pause "$WARM"
	kill -0 "$bench_nmigd_pid" 2>/dev/null || { bench_log "nmigd died in the warm-up"; return 1; }
	window_open "$rd" || return 1
	pause "$T"
	window_close "$rd" || return 1
	status_thrice "$rd"
	win[ready_s]=$(( (bench_t_ready - t_start) / 100 ))
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
	win[stop]="$bench_stop_s s, exit $bench_stopped_rc"
	# What nmigd warned of, for the reader: the first of each kind.
	grep -i 'warn\|error\|fail\|cannot\|late\|held' "$rd/nmigd.log" |
	    sed 's/[0-9][0-9]*/N/g' | awk '!seen[$0]++' >"$rd/warnings"
	win[warnings]=$(grep -ci 'warn\|error\|fail\|cannot\|late\|held' "$rd/nmigd.log")
	restart_secs "$rd"
	rate=$(awk -v a="$(probes_done "$rd/m0.txt")" -v b="$(probes_done "$rd/m1.txt")" \
	    -v t0="${win[t0]}" -v t1="${win[t1]}" 'BEGIN { printf("%.0f", (b - a) / (t1 - t0)) }')
	win[dp]="- - -"
	if [ "$rate" -gt 0 ]; then
		dnsperf_run "$rd" "$NMIGD_CPU" "${addrs[0]}" "$fx/queries.txt" \
		    "$DP_WARM" "$DP_T" -Q "$rate"
		win[dp]=$(cat "$rd/dnsperf.res")
	fi
	steady_record "$rd" >>"$fx/results"
}

# steady_record RD: the run's figures from win and the scrapes.
steady_record() {
	awk -v run="$run" -v D="$D" -v R="$R" -v I="$I" -v C="$CHECKS" \
	    -v hz="$BENCH_HZ" -v t0="${win[t0]}" -v t1="${win[t1]}" \
	    -v c0="${win[c0]}" -v c1="${win[c1]}" -v w0="${win[w0]}" \
	    -v w1="${win[w1]}" -v n0="${win[n0]}" -v n1="${win[n1]}" \
	    -v base="$base_kb" -v hwm="${win[hwm]}" -v db0="${win[db0]}" \
	    -v db1="${win[db1]}" -v p0="${win[p0]}" -v p1="${win[p1]}" \
	    -v dp="${win[dp]}" -v stms="${win[status_ms]}" \
	    -v stb="${win[status_bytes]}" -v msize="$(wc -c <"$1/m1.txt")" \
	    -v ready="${win[ready_s]}" -v restart="${win[restart_s]}" \
	    -v settled="${win[settle_s]}" -v stop="${win[stop]// /_}" \
	    -v warnings="${win[warnings]}" \
	    -v busiest="$(busiest_second "$1/cpu.txt")" \
	    -v done0="$(probes_done "$1/m0.txt")" -v done1="$(probes_done "$1/m1.txt")" \
	    -v to0="$(metric "$1/m0.txt" nmigd_timeouts_total)" \
	    -v to1="$(metric "$1/m1.txt" nmigd_timeouts_total)" '
	BEGIN {
		dt = t1 - t0; n = done1 - done0; cpu = (c1 - c0) / hz
		split(p0, a, " "); split(p1, b, " "); split(dp, d, " ")
		printf("run=%d probes_s=%.0f planned_s=%.0f cpu_pct=%.1f ",
		    run, n / dt, D * R * C / I, 100 * cpu / dt)
		printf("busiest_pct=%s ", busiest)
		printf("ms_1k=%s ", n > 0 ? sprintf("%.2f", cpu * 1e6 / n) : "-")
		printf("dp_qps=%s dp_ms_1k=%s dp_lost=%s ", d[1], d[2], d[3])
		printf("ratio=%s ", n > 0 && d[2] > 0 ? \
		    sprintf("%.2f", cpu * 1e6 / n / d[2]) : "-")
		printf("hwm_kb=%d base_kb=%d rss_b=%.0f ", hwm, base,
		    (hwm - base) * 1024 / (D * R * C))
		printf("wb_probe=%s ", n > 0 ? sprintf("%.1f", (w1 - w0) / n) : "-")
		printf("db0=%d db1=%d db_growth=%d db_pct=%.2f db_hour=%.0f ",
		    db0, db1, db1 - db0, db0 > 0 ? 100 * (db1 - db0) / db0 : 0,
		    (db1 - db0) * 3600 / dt)
		printf("status_ms=%s status_bytes=%s metrics_bytes=%d ", stms,
		    stb, msize)
		printf("timeouts=%d late=%d longest=%d nsd_pct=%.1f ",
		    to1 - to0, b[1] - a[1], b[2], 100 * (n1 - n0) / hz / dt)
		printf("ready_s=%.1f settle_s=%s restart_s=%s stop=%s " \
		    "warnings=%d\n", ready / 10, settled, restart, stop, warnings)
	}'
}

# busiest_second FILE: nmigd's highest CPU share in one second of the
# sampler's, in percent.
busiest_second() {
	awk -v hz="$BENCH_HZ" 'NR > 1 && $1 > pt {
		u = 100 * ($2 - pc) / hz / ($1 - pt); if (u > m) m = u }
	{ pt = $1; pc = $2 } END { printf("%.0f\n", m) }' "$1" 2>/dev/null
}

# res KEY: the values of KEY in $fx/results, one a run.
res() {
	sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" "$fx/results"
}
# resmed KEY: the median of KEY over the runs, rounded to what a
# reader compares (no decimals from 100 up).
resmed() {
	# shellcheck disable=SC2046
	median $(res "$1") | awk '$1 == "-" { print; next } {
		v = $1 + 0; a = v < 0 ? -v : v
		printf(a >= 100 ? "%.0f\n" : a >= 10 ? "%.1f\n" : "%.2f\n", v) }'
}

# run_line: one run's results, in words.
run_line() {
	awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		st = v["stop"]
		gsub(/_/, " ", st)
		printf("run %s: %s probes/s (planned %s), nmigd %s%% of a core " \
		    "(busiest second %s%%) = %s ms CPU per 1k probes; dnsperf " \
		    "-Q at that rate %s ms per 1k queries (%s%% lost): %sx; peak " \
		    "RSS %.1f MB, %.1f MB empty = %s B per (domain, resolver, " \
		    "check); %s B written per probe; database %.1f -> %.1f MB; " \
		    "status %s ms, %s B; /metrics %s B; %s timeouts, %s rounds " \
		    "late, longest round %s s; NSD %s%% of its core; ready after " \
		    "%s s, every domain complete %s s later, stopped in %s, " \
		    "restart %s s; %s warnings logged\n",
		    v["run"], v["probes_s"], v["planned_s"], v["cpu_pct"],
		    v["busiest_pct"], v["ms_1k"], v["dp_ms_1k"], v["dp_lost"],
		    v["ratio"], v["hwm_kb"] / 1024, v["base_kb"] / 1024,
		    v["rss_b"], v["wb_probe"], v["db0"] / 1048576,
		    v["db1"] / 1048576, v["status_ms"], v["status_bytes"],
		    v["metrics_bytes"], v["timeouts"], v["late"], v["longest"],
		    v["nsd_pct"], v["ready_s"], v["settle_s"], st,
		    v["restart_s"], v["warnings"])
	}' "$fx/results"
}

# steady NAME D R I WARM T RUNS: a steady workload, its block and row.
steady() {
	wl=$1
	local D=$2 R=$3 I=$4 WARM=$5 T=$6 RUNS=$7 run ok=0 cmd load
	cmd="$(common_env)RUNS=$RUNS D=$D R=$R I=$I WARM=$WARM T=$T DP_T=$DP_T bench/run.sh${PROFILE:+ -p $PROFILE} $wl"
	load=$(printf "%'d x %d x %d every %d s" "$D" "$R" "$CHECKS" "$I")
	out "" "## $wl: $load" "" '```' "\$ $cmd"
	fixture "$wl" "$D" "$R" || { out "NSD did not start" '```'; return 1; }
	: >"$fx/results"
	for ((run = 1; run <= RUNS; run++)); do
		if steady_run; then
			ok=$((ok + 1))
		else
			bench_stop "$bench_nmigd_pid"
			bench_nmigd_pid=
			out "run $run failed: $(tail -n 3 "$fx/run$run/nmigd.log" 2>/dev/null | tr '\n' ' ')"
		fi
	done
	bench_nsd_stop "$fx/nsd"
	run_line | tee -a "$outfile"
	for ((run = 1; run <= RUNS; run++)); do
		[ ! -s "$fx/run$run/warnings" ] ||
		    out "run $run logged (the first of each kind, numbers as N):" \
		    "$(head -n 5 "$fx/run$run/warnings" | sed 's/^/  /')"
	done
	[ "$ok" -gt 0 ] || { out '```'; return 1; }
	steady_report "$ok"
	[ "$ok" = "$RUNS" ]
}

# steady_report N: the medians of N runs, the profile, the table's row
# and the targets.
steady_report() {
	local db
	db=$(awk -v a="$(resmed db1)" -v b="$(resmed db_hour)" -v t="$T" \
	    'BEGIN { printf("%.1f MB, %+.1f MB/h (over %d s)", a / 1048576, b / 1048576, t) }')
	say "median of $1: $(resmed probes_s) probes/s; nmigd $(resmed ms_1k) ms" \
	    "CPU per 1k probes, dnsperf $(resmed dp_ms_1k) ms per 1k queries" \
	    "at the same rate: $(resmed ratio)x; $(resmed rss_b) B per" \
	    "(domain, resolver, check) above an empty config; $(resmed wb_probe)" \
	    "B written per probe; database $db; status $(resmed status_ms) ms," \
	    "$(resmed status_bytes) B; /metrics $(resmed metrics_bytes) B"
	[ -z "$PROFILE" ] || [ ! -f "$fx/run1/profile.txt" ] || {
		out "profile of run 1's window ($PROFILE):"
		tee -a "$outfile" <"$fx/run1/profile.txt"
	}
	out '```'
	rows+=("| $wl | $load | $(resmed probes_s) | $(resmed ms_1k) | $(resmed dp_ms_1k) | $(resmed ratio) | $(resmed rss_b) B | $(resmed wb_probe) | $db | status $(resmed status_ms) ms, $(resmed status_bytes) B; /metrics $(resmed metrics_bytes) B |")
	case $wl in
	W1 | W2) targets+=("$wl CPU per 1k probes <= 0.6 x dnsperf's: $(resmed ratio)x: $(ok_if "$(resmed ratio)" '<=' 0.6)") ;;
	esac
	case $wl in
	W2 | W4) targets+=("$wl peak RSS <= 256 B per (domain, resolver, check): $(resmed rss_b) B: $(ok_if "$(resmed rss_b)" '<=' 256)") ;;
	esac
	[ "$wl" != W2 ] ||
	    targets+=("W2 status under 100 ms: $(resmed status_ms) ms: $(ok_if "$(resmed status_ms)" '<' 100)")
	# Flat: what the window added is within 1% of the size (a WAL
	# page or two), judged on the window itself, not on an hour
	# extrapolated from a minute.
	targets+=("$wl database flat while answers do not change: ${db#*, }, $(resmed db_pct)% in the window: $(ok_if "$(resmed db_pct)" '<=' 1)")
}

# ok_if VALUE OP LIMIT: "met", "missed" or "not measured".
ok_if() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (v == "-" || v == "") { print "not measured"; exit }
		m = op == "<=" ? v + 0 <= l + 0 : op == "<" ? v + 0 < l + 0 : v + 0 >= l + 0
		print m ? "met" : "missed" }'
}

# sat_start: nmigd for run $run of W3 in $sd at the interval START,
# its first rounds stored.
sat_start() {
	sd=$fx/run$run
	cur=$START
	win=()
	mkdir -p "$sd" || return 1
	bench_resolvers_conf "$sd/resolvers.conf" "${addrs[@]}"
	bench_nmigd_conf "$sd" "$D" "$cur" 2 "$mport" >"$sd/nmigd.conf"
	bench_nmigd_start "$sd" "$NMIGD_CPU"
	bench_nmigd_ready "$sd" "$mport" 900 && settle "$sd" || return 1
	out "every domain complete after ${win[settle_s]} s at interval $cur s"
}

# sat_interval I: the running nmigd's interval set to I by a reload (its
# rounds are then started again within a tenth of it).
sat_interval() {
	local n i
	sed -i "s/^interval .*/interval  = ${1}s/" "$sd/nmigd.conf" || return 1
	n=$(grep -c 'reloaded: watching' "$sd/nmigd.log")
	"$NMIGD_CTL" -s "$sd/nmigd.sock" reload >/dev/null || return 1
	for ((i = 0; i < 1200; i++)); do
		[ "$(grep -c 'reloaded: watching' "$sd/nmigd.log")" -gt "$n" ] &&
		    { cur=$1; return 0; }
		sleep 0.1
	done
	bench_log "the reload to interval $1 s did not finish"
	return 1
}

# sat_step I: one step of W3 at interval I, its files in $sd/iI: its line
# out, and "I ANSWERED_S SUSTAINED(0/1) PLANNED_S" added to $fx/steps.
sat_step() {
	local i=$1 rd=$sd/i$1 win_s p0 p1 c0 c1 t0 t1
	win_s=$((i > T ? i : T))
	mkdir -p "$rd" || return 1
	[ "$i" = "$cur" ] || sat_interval "$i" || return 1
	pause $((i + WARM))
	scrape "$mport" "$rd/m0.txt" || return 1
	p0=$(pacing "$sd/nmigd.sock")
	c0=$(cpu_ticks "$bench_nmigd_pid")
	t0=$EPOCHREALTIME
	profile_begin "$rd"
	pause "$win_s"
	c1=$(cpu_ticks "$bench_nmigd_pid")
	t1=$EPOCHREALTIME
	profile_end "$rd"
	scrape "$mport" "$rd/m1.txt" || return 1
	p1=$(pacing "$sd/nmigd.sock")
	out "$(awk -v I="$i" -v D="$D" -v R="$R" -v C="$CHECKS" -v hz="$BENCH_HZ" \
	    -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v p0="$p0" -v p1="$p1" \
	    -v a0="$(metric "$rd/m0.txt" nmigd_answers_total)" \
	    -v a1="$(metric "$rd/m1.txt" nmigd_answers_total)" \
	    -v d0="$(probes_done "$rd/m0.txt")" -v d1="$(probes_done "$rd/m1.txt")" \
	    -v to0="$(metric "$rd/m0.txt" nmigd_timeouts_total)" \
	    -v to1="$(metric "$rd/m1.txt" nmigd_timeouts_total)" \
	    -v steps="$fx/steps" '
	BEGIN {
		dt = t1 - t0; planned = D * R * C / I; ans = (a1 - a0) / dt
		n = d1 - d0; to = n > 0 ? (to1 - to0) / n : 1
		split(p0, a, " "); split(p1, b, " ")
		late = b[1] - a[1]; longest = b[2]
		ok = ans >= 0.999 * planned && to < 0.001 && late == 0 &&
		    longest < I * 1.1
		printf("interval %3d s: planned %6.0f/s, answered %6.0f/s " \
		    "(%.1f%%), timeouts %.3f%%, rounds late +%d, longest round " \
		    "%d s, nmigd %.0f%% of a core: %s\n", I, planned, ans,
		    100 * ans / planned, 100 * to, late, longest,
		    100 * (c1 - c0) / hz / dt, ok ? "sustained" : "NOT sustained")
		printf("%d %.0f %d %.0f\n", I, ans, ok, planned) >> steps
	}')"
}

# sat_ok: whether the last step was sustained.
sat_ok() {
	[ "$(tail -n 1 "$fx/steps" | awk '{ print $3 }')" = 1 ]
}

# sat_search: the step search of one W3 run, one nmigd reloaded at each
# interval of STEPS from START on: to shorter ones while they are
# sustained, to longer ones while they are not; then one step halfway
# between the longest not sustained and the shortest sustained.  The
# highest planned rate sustained and its interval go to $fx/best (or
# nothing): what was answered in one window is noisier, rounds coming
# in bursts.
sat_search() {
	local k lo='' hi='' mid sd cur steps=($STEPS)
	: >"$fx/steps"
	: >"$fx/best"
	for ((k = 0; k < ${#steps[@]}; k++)); do
		[ "${steps[k]}" = "$START" ] && break
	done
	if ! sat_start; then
		out "nmigd did not settle: $(tail -n 2 "$sd/nmigd.log" 2>/dev/null | tr '\n' ' ')"
		bench_stop "$bench_nmigd_pid"
		bench_nmigd_pid=
		return 1
	fi
	sat_step "$START" || { out "interval $START s: failed"; k=-1; }
	if [ "$k" -ge 0 ] && sat_ok; then
		lo=$START
		for ((k++; k < ${#steps[@]}; k++)); do
			sat_step "${steps[k]}" || break
			sat_ok || { hi=${steps[k]}; break; }
			lo=${steps[k]}
		done
	elif [ "$k" -ge 0 ]; then
		hi=$START
		for ((k--; k >= 0; k--)); do
			sat_step "${steps[k]}" || break
			sat_ok && { lo=${steps[k]}; break; }
			hi=${steps[k]}
		done
	fi
	if [ -n "$lo" ] && [ -n "$hi" ] && [ $((lo - hi)) -ge 2 ]; then
		mid=$(( (lo + hi) / 2 ))
		sat_step "$mid" || out "interval $mid s: failed"
	fi
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
	awk '$3 == 1 && $4 > best { best = $4; i = $1 }
	    END { if (best) print best, i }' "$fx/steps" >"$fx/best"
}

# W3: dnsperf -q 500 DP_RUNS times against the same NSD, then the step
# search RUNS times.
saturation() {
	wl=W3
	# The environment's values are read before the locals hide them.
	local D=$(param D 10000) R=$(param R 50) RUNS=$(param RUNS 1) \
	    STEPS=$(param STEPS "300 180 120 90 60 40 30 24 20 15 12 10") \
	    START=$(param START 60) WARM=$(param WARM 10) T=$(param T 20)
	local cmd k run dps=() r best=() ratio bi
	[[ " $STEPS " == *" $START "* ]] || { out "W3: START must be one of STEPS"; return 1; }
	cmd="$(common_env)RUNS=$RUNS D=$D R=$R STEPS=\"$STEPS\" START=$START WARM=$WARM T=$T DP_RUNS=$DP_RUNS DP_T=$DP_T bench/run.sh${PROFILE:+ -p $PROFILE} W3"
	out "" "## W3: saturation, $(printf "%'d x %d x %d" "$D" "$R" "$CHECKS"), the interval shrunk" "" '```' "\$ $cmd"
	say "one nmigd a run, its first rounds stored, then reloaded at each" \
	    "interval; sustained: answered >= 99.9% of planned (D x R x $CHECKS /" \
	    "interval), timeouts < 0.1%, no round late and the longest < 1.1 x" \
	    "interval over a window of max(interval, $T s) after interval + $WARM s"
	fixture W3 "$D" "$R" || { out "NSD did not start" '```'; return 1; }
	for ((k = 1; k <= DP_RUNS; k++)); do
		mkdir -p "$fx/dp$k"
		dnsperf_run "$fx/dp$k" "$NMIGD_CPU" "${addrs[0]}" \
		    "$fx/queries.txt" "$DP_WARM" "$DP_T" -q 500
		r=$(cat "$fx/dp$k/dnsperf.res")
		out "dnsperf -q 500, run $k: ${r%% *} queries/s, $(echo "$r" | awk '{ print $2 }') ms CPU per 1k, $(echo "$r" | awk '{ print $3 }')% lost"
		dps+=("${r%% *}")
	done
	for ((run = 1; run <= RUNS; run++)); do
		out "nmigd, run $run:"
		sat_search
		bi=$(cat "$fx/best")
		best+=("${bi%% *}")
		[ -z "$PROFILE" ] || [ -z "$bi" ] || [ ! -f "$fx/run$run/i${bi#* }/profile.txt" ] || {
			out "profile at interval ${bi#* } s ($PROFILE):"
			tee -a "$outfile" <"$fx/run$run/i${bi#* }/profile.txt"
		}
	done
	bench_nsd_stop "$fx/nsd"
	ratio=$(awk -v a="$(median "${best[@]}")" -v b="$(median "${dps[@]}")" \
	    'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf("%.2f", a / b) }')
	say "median: nmigd sustains $(median "${best[@]}") probes/s," \
	    "dnsperf -q 500 $(median "${dps[@]}") queries/s: ${ratio}x"
	out '```'
	rows+=("| W3 | $(printf "%'d x %d x %d" "$D" "$R" "$CHECKS"), interval shrunk | $(median "${best[@]}") sustained | - | - | - | - | - | - | dnsperf -q 500: $(median "${dps[@]}") q/s; nmigd/dnsperf ${ratio}x |")
	targets+=("W3 sustained rate >= 0.8 x dnsperf -q 500: ${ratio}x: $(ok_if "$ratio" '>=' 0.8)")
	[ -n "$(median "${best[@]}")" ] && [ "$(median "${best[@]}")" != - ]
}

# mig_servers RD: the G NSDs of a W5 repetition, group g serving the old
# records on its share of the addresses from RD/nsdG; the first address
# of each in RD/nsdG/first.
mig_servers() {
	local g i lo hi
	local -a ga
	for ((g = 0; g < G; g++)); do
		lo=$((g * R / G))
		hi=$(((g + 1) * R / G))
		ga=()
		for ((i = lo; i < hi; i++)); do
			ga+=("${addrs[$i]}")
		done
		mkdir -p "$1/nsd$g" &&
		    bench_zone "$1/nsd$g/zone.db" old 1 &&
		    bench_nsd_conf "$1/nsd$g" "$D" "${ga[@]}" &&
		    bench_nsd_start "$1/nsd$g" "$NSD_CPU" "$D" "${ga[0]}" || return 1
		echo "${ga[0]}" >"$1/nsd$g/first"
	done
}

# mig_switch RD: group g switched at T0 + g x DELAY, each switch's time
# as seen by polling its NSD in RD/switches ("G MS"), T0 in mig_t0 and
# the last in mig_last.
mig_switch() {
	local g n sw
	mig_t0=$(bench_now_ms)
	for ((g = 0; g < G; g++)); do
		n=$((mig_t0 + g * DELAY * 1000 - $(bench_now_ms)))
		[ "$n" -le 0 ] || pause "$(awk -v n="$n" 'BEGIN { printf("%.3f", n / 1000) }')"
		sw=$(bench_nsd_switch "$1/nsd$g" "$(cat "$1/nsd$g/first")" "$D") || return 1
		echo "$g $sw" >>"$1/switches"
		mig_last=$sw
	done
}

# mig_rep REP: one W5 repetition in $fx/repREP: G NSDs with the old
# records, nmigd knowing old and new, the groups switched DELAY s apart;
# each domain's completion after the last switch, ms, added to
# $fx/delays.  1 when it could not be run, 2 when a domain did not
# complete.
mig_rep() {
	local rd=$fx/rep$1 g deadline
	mkdir -p "$rd" && mig_servers "$rd" || return 1
	bench_resolvers_conf "$rd/resolvers.conf" "${addrs[@]}"
	bench_nmigd_conf "$rd" "$D" "$I" 1 "$mport" old >"$rd/nmigd.conf"
	bench_nmigd_start "$rd" "$NMIGD_CPU" stamp
	bench_nmigd_ready "$rd" "$mport" 300 || return 1
	# Every domain has had its first round (spread over a tenth of the
	# interval) and seen the old records everywhere.
	pause $((I + 2))
	mig_switch "$rd" || return 1
	deadline=$((mig_last + 3 * I * 1000 + 5000))
	while [ "$(bench_now_ms)" -lt "$deadline" ] &&
	    [ "$(grep -cs 'DNS switch complete for' "$rd/nmigd.log")" -lt "$D" ]; do
		sleep 0.2
	done
	bench_stop "$bench_nmigd_pid"
	bench_nmigd_pid=
	for ((g = 0; g < G; g++)); do
		bench_nsd_stop "$rd/nsd$g"
	done
	awk -v last="$mig_last" '/DNS switch complete for/ { printf("%.0f\n", $1 * 1000 - last) }' \
	    "$rd/nmigd.log" >"$rd/delays"
	cat "$rd/delays" >>"$fx/delays"
	mig_line "$1" "$rd"
	# Measured, but some domain never completed: 2.
	[ "$(wc -l <"$rd/delays")" = "$D" ] || return 2
}

# mig_line REP RD: a repetition in words.
mig_line() {
	out "$(awk -v t0="$mig_t0" -v rep="$1" -v D="$D" -v f="$2/delays" '
	{ s = s sprintf(" g%d +%.1fs", $1, ($2 - t0) / 1000) }
	END {
		while ((getline v < f) > 0) { n++; if (v < 0) early++ }
		printf("rep %d: switched (confirmed by polling NSD)%s; %d of %d " \
		    "domains complete", rep, s, n, D)
		if (early) printf(", %d before the last switch", early)
	}' "$2/switches"), after the last switch: p50 $(percentile 50 <"$2/delays") ms, max $(percentile 100 <"$2/delays") ms"
}

# W5: REPS repetitions, fresh servers and database each.
migration() {
	wl=W5
	# The environment's values are read before the locals hide them.
	local D=$(param D 1000) R=$(param R 20) G=$(param G 4) \
	    DELAY=$(param DELAY 15) REPS=$(param REPS 10) I=$(param I 10)
	local cmd rep ok=0 p50 max g
	[ "$G" -ge 1 ] && [ "$R" -ge "$G" ] || { out "W5: R must be at least G"; return 1; }
	cmd="$(common_env)REPS=$REPS D=$D R=$R G=$G DELAY=$DELAY I=$I bench/run.sh W5"
	out "" "## W5: migration, $(printf "%'d x %d" "$D" "$R") in $G groups switched $DELAY s apart, interval $I s, confirm 1" "" '```' "\$ $cmd"
	fx=$work/W5
	addrs=()
	for ((rep = 0; rep < R; rep++)); do
		addrs+=("$(bench_addr "$rep")")
	done
	mkdir -p "$fx" && : >"$fx/delays"
	for ((rep = 1; rep <= REPS; rep++)); do
		mig_rep "$rep"
		case $? in
		0) ok=$((ok + 1)) ;;
		2) ;;
		*)
			out "rep $rep failed: $(tail -n 2 "$fx/rep$rep/nmigd.log" 2>/dev/null | tr '\n' ' ')"
			bench_stop "$bench_nmigd_pid"
			bench_nmigd_pid=
			for ((g = 0; g < G; g++)); do
				bench_nsd_stop "$fx/rep$rep/nsd$g"
			done
			;;
		esac
	done
	p50=$(percentile 50 <"$fx/delays")
	max=$(percentile 100 <"$fx/delays")
	say "all $REPS: $(wc -l <"$fx/delays") completions, after the last switch" \
	    "p50 $p50 ms, max $max ms (target: interval + 100 ms = $((I * 1000 + 100)) ms)"
	out '```'
	rows+=("| W5 | $(printf "%'d x %d" "$D" "$R"), G=$G, switches $DELAY s apart, interval $I s, $REPS repetitions | - | - | - | - | - | - | - | completion after the last switch: p50 $p50 ms, max $max ms |")
	targets+=("W5 completion at most interval + 100 ms after the last switch: max $max ms: $(ok_if "$max" '<=' $((I * 1000 + 100)))")
	[ "$ok" = "$REPS" ]
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
