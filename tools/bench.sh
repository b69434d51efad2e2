#!/bin/bash
# bench.sh - how far nmigd scales on one core, on loopback only.
#
#	tools/bench.sh [-D domains] [-R resolvers] [-I interval] [-T seconds]
#	    [-W warmup] [-P none|perf|callgrind] [-k]
#
# Starts tools/benchdns (built here from tools/benchdns.c) answering on
# R addresses 127.56.X.Y port $PORT, writes a config of D domains
# (d00001.example ...) whose expected NS and MX are what benchdns answers,
# so that every resolver becomes "new", and runs nmigd with it: interval
# I seconds, confirm 2, the database in a fresh directory under $BENCH_TMP
# (/tmp).  After W seconds (default I, so that startup and the first burst
# of rounds are left out) it measures for T seconds: nmigd's CPU time
# (utime+stime, /proc/PID/stat), the probes completed (the metrics
# endpoint's nmigd_answers_total + timeouts + errors), skipped rounds and
# queued probes; then the peak RSS, the database's size and rows, and
# how long a restart on that database takes to load it.  The per-second
# lines show bursts: nmigd's CPU and the queries benchdns saw each second.
# Each result starts with the command line that reproduces it.
#
# The target (the project brief): 10,000 domains x 30 resolvers x 2 checks
# every 5 minutes = 2,000 probes/s; with 50 resolvers 3,333/s, on one core.
#
# -P perf samples nmigd with perf (cpu-clock, DWARF call graphs) during
# the window and prints the top functions; -P callgrind runs nmigd under
# valgrind instead (use a small D: it runs ~50 times slower) and
# instruments the window only.  -k keeps the work directory.
#
# Also from the environment: D R I T W PROFILE KEEP, PORT (5300),
# TIMEOUT (3), RETRIES (2), NMIGD (./nmigd), BENCH_TMP (/tmp).
# Traffic goes to 127.0.0.0/8 only; everything started is stopped by PID.
# Exit 0 after a measurement, 1 when nmigd failed, 2 on usage errors.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/benchlib.sh"
D=${D:-1000}
R=${R:-10}
I=${I:-10}
T=${T:-40}
W=${W:-}
PROFILE=${PROFILE:-none}
KEEP=${KEEP:-}
PORT=${PORT:-5300}
TIMEOUT=${TIMEOUT:-3}
RETRIES=${RETRIES:-2}
NMIGD=${NMIGD:-$top/nmigd}
BENCH_TMP=${BENCH_TMP:-/tmp}
CHECKS=2	# NS and MX of each domain

usage() {
	echo "usage: tools/bench.sh [-D domains] [-R resolvers] [-I interval]" \
	    "[-T seconds] [-W warmup] [-P none|perf|callgrind] [-k]" >&2
	exit 2
}

while getopts D:R:I:T:W:P:kh opt; do
	case $opt in
	D) D=$OPTARG ;;
	R) R=$OPTARG ;;
	I) I=$OPTARG ;;
	T) T=$OPTARG ;;
	W) W=$OPTARG ;;
	P) PROFILE=$OPTARG ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || usage
W=${W:-$I}
for v in D R I T W PORT TIMEOUT RETRIES; do
	case ${!v} in
	'' | *[!0-9]*) echo "bench.sh: $v must be a number" >&2; exit 2 ;;
	esac
done
[ "$D" -ge 1 ] && [ "$D" -le 99999 ] || { echo "bench.sh: 1 <= D <= 99999" >&2; exit 2; }
[ "$R" -ge 1 ] && [ "$R" -le 1000 ] || { echo "bench.sh: 1 <= R <= 1000" >&2; exit 2; }
[ "$I" -ge 1 ] && [ "$T" -ge 1 ] || usage
case $PROFILE in none | perf | callgrind) ;; *) usage ;; esac

die() {
	echo "bench.sh: $*" >&2
	exit 1
}

# Everything started is stopped by its PID, whatever way we leave.
dir=
dns_pid=
nmigd_pid=
sampler_pid=
perf_pid=
cleanup() {
	bench_stop "$perf_pid"
	bench_stop "$sampler_pid"
	bench_stop "$nmigd_pid"
	bench_stop "$dns_pid"
	[ -z "$dir" ] && return
	if [ -n "$KEEP" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

for t in cc curl awk; do
	command -v $t >/dev/null || die "$t missing"
done
[ "$PROFILE" != perf ] || command -v perf >/dev/null || die "perf missing"
[ "$PROFILE" != callgrind ] || command -v valgrind >/dev/null ||
    die "valgrind missing"
[ -x "$NMIGD" ] || (cd "$top" && make nmigd >/dev/null) || die "cannot build nmigd"
command -v sqlite3 >/dev/null || echo "bench.sh: sqlite3 missing: no row counts" >&2

dir=$(mktemp -d "$BENCH_TMP/nmigd-bench.XXXXXX") || exit 1
bench_build "$dir" "$top" || die "cannot build benchdns"
bench_resolvers "$dir" "$R" "$PORT"
addrs=("${bench_addrs[@]}")
mport=$((20000 + $$ % 20000))
bench_conf "$dir" "$D" "$mport" "$I" "$TIMEOUT" "$RETRIES" >"$dir/nmigd.conf" ||
    die "cannot write the config"

budget=$((W + T + 600))
"$dir/benchdns" --port "$PORT" --max-seconds "$budget" \
    --pidfile "$dir/benchdns.pid" --rate-file "$dir/rate.txt" "${addrs[@]}" \
    2>"$dir/benchdns.log" &
dns_pid=$!

if [ "$PROFILE" = callgrind ]; then
	valgrind --tool=callgrind --instr-atstart=no \
	    --callgrind-out-file="$dir/callgrind.out" \
	    "$NMIGD" -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" &
else
	"$NMIGD" -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" &
fi
nmigd_pid=$!
t_start=$(date +%s.%N)

hz=$(getconf CLK_TCK)
# Bytes nmigd handed to write(2) and pwrite(2), and those calls: what
# SQLite writes (the database and its -wal), and the log.  Datagrams go
# out through send(2) and are not counted.
io_counts() {
	awk '$1 == "wchar:" { w = $2 } $1 == "syscw:" { c = $2 }
	    END { print w + 0, c + 0 }' "/proc/$nmigd_pid/io" 2>/dev/null
}

# utime+stime in clock ticks; field 2 (comm) cannot hold spaces here.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$nmigd_pid/stat" 2>/dev/null
}
scrape() {
	curl -fsS --max-time 60 "http://127.0.0.1:$mport/metrics" -o "$1" 2>/dev/null
}

# Loaded once nmigd says it is watching; ready once the metrics endpoint
# answers, which may take a while when the first rounds keep it busy.
t_loaded=
for _ in $(seq 6000); do
	kill -0 "$nmigd_pid" 2>/dev/null || break
	if grep -q '^nmigd: watching' "$dir/nmigd.log"; then
		t_loaded=$(date +%s.%N)
		cpu_loaded=$(cpu_ticks)
		break
	fi
	sleep 0.02
done
[ -n "$t_loaded" ] || { tail -n 20 "$dir/nmigd.log" >&2; die "nmigd did not start"; }
ready=
for _ in $(seq 1200); do
	kill -0 "$nmigd_pid" 2>/dev/null || break
	if scrape "$dir/m-ready.txt"; then ready=1; break; fi
	sleep 0.1
done
[ -n "$ready" ] || { tail -n 20 "$dir/nmigd.log" >&2; die "nmigd did not start"; }
t_ready=$(date +%s.%N)
cpu_ready=$(cpu_ticks)

# One sample a second of nmigd's CPU, which shows saturation during
# bursts.  The sampler is also the backstop: past the budget it stops
# nmigd even if this script was killed without its cleanup.
(
	end=$(( $(date +%s) + budget ))
	while [ -r "/proc/$nmigd_pid/stat" ]; do
		echo "$(date +%s.%N) $(awk '{ print $14 + $15, $24 }' "/proc/$nmigd_pid/stat")"
		[ "$(date +%s)" -lt "$end" ] || { kill "$nmigd_pid"; break; }
		sleep 1
	done
) >"$dir/cpu.txt" 2>/dev/null &
sampler_pid=$!

sleep "$W"
kill -0 "$nmigd_pid" 2>/dev/null || die "nmigd died during the warm-up"
# A scrape walks every domain and resolver: its own cost is measured
# apart and kept out of the window.  Under load it may fail (nmigd gives
# a response 60 s, curl here as long); the counts then come from benchdns.
scrape "$dir/m0.txt" || { echo "bench.sh: scrape at the window start failed" >&2; rm -f "$dir/m0.txt"; }
c0=$(cpu_ticks)
t0=$(date +%s.%N)
io0=$(io_counts)
if [ "$PROFILE" = perf ]; then
	perf record -q -e cpu-clock -F 999 --call-graph dwarf,16384 \
	    -p "$nmigd_pid" -o "$dir/perf.data" >/dev/null 2>"$dir/perf.log" &
	perf_pid=$!
elif [ "$PROFILE" = callgrind ]; then
	callgrind_control -i on "$nmigd_pid" >/dev/null
fi

sleep "$T"
c1=$(cpu_ticks)
t1=$(date +%s.%N)
io1=$(io_counts)
dns_cpu=$(awk '{ print $14 + $15 }' "/proc/$dns_pid/stat" 2>/dev/null)
if [ "$PROFILE" = perf ]; then
	kill -INT "$perf_pid"
	wait "$perf_pid"
	perf_pid=
elif [ "$PROFILE" = callgrind ]; then
	callgrind_control -i off "$nmigd_pid" >/dev/null
	callgrind_control -d "$nmigd_pid" >/dev/null
fi
kill -0 "$nmigd_pid" 2>/dev/null || die "nmigd died during the window"
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$nmigd_pid/status")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$nmigd_pid/status")
nfd=$(ls "/proc/$nmigd_pid/fd" | wc -l)
ts1=$(date +%s.%N)
scrape "$dir/m1.txt" || { echo "bench.sh: scrape at the window end failed" >&2; rm -f "$dir/m1.txt"; }
ts2=$(date +%s.%N)
c1b=$(cpu_ticks)

bench_stop "$sampler_pid"; sampler_pid=
bench_stop "$nmigd_pid"
nmigd_rc=$stopped_rc
nmigd_pid=

# The database after a clean stop, WAL included.
dbsize=$(du -cb "$dir"/nmigd.db* 2>/dev/null | awk 'END { print $1 }')
rows="-"
if command -v sqlite3 >/dev/null; then
	rows=$(for tb in answers rverdicts events checks domains; do
		printf '%s=%s ' $tb "$(sqlite3 "$dir/nmigd.db" "SELECT count(*) FROM $tb" 2>/dev/null)"
	done)
fi
# A restart on the full database: how long loading the saved state
# takes, until nmigd logs that it is watching (its loop then starts).
r_start=$(date +%s.%N)
"$NMIGD" -c "$dir/nmigd.conf" 2>"$dir/nmigd-restart.log" &
nmigd_pid=$!
restart="failed"
for _ in $(seq 6000); do
	kill -0 "$nmigd_pid" 2>/dev/null || break
	if grep -q '^nmigd: watching' "$dir/nmigd-restart.log"; then
		restart=$(awk -v a="$r_start" -v b="$(date +%s.%N)" \
		    -v c="$(cpu_ticks)" -v hz="$hz" \
		    'BEGIN { printf("%.1fs, %.2fs CPU to load the saved state", b - a, c / hz) }')
		break
	fi
	sleep 0.02
done
bench_stop "$nmigd_pid"
nmigd_pid=
bench_stop "$dns_pid"; dns_pid=

fstype=$(df -PT "$dir" | awk 'NR == 2 { print $2 }')

skipped=$(grep -c 'previous round still running' "$dir/nmigd.log")
unsaved=$(grep -c 'round not saved' "$dir/nmigd.log")
warnings=$(grep -v 'previous round still running' "$dir/nmigd.log" |
    grep -ci 'warn\|error\|fail\|cannot')

# Counters of a scrape as awk variables; nothing when it failed.
counters() {
	[ -s "$1" ] || return 0
	awk -v p="$2" '
	$1 == "nmigd_answers_total" { a = $2 }
	$1 == "nmigd_timeouts_total" { printf("-v %sto=%s ", p, $2); t = $2 }
	$1 == "nmigd_probe_errors_total" { printf("-v %ser=%s ", p, $2); e = $2 }
	$1 == "nmigd_datagrams_sent_total" { printf("-v %ssent=%s ", p, $2) }
	$1 == "nmigd_queries_queued" { printf("-v %sq=%s ", p, $2) }
	$1 == "nmigd_queries_in_flight" { printf("-v %sf=%s ", p, $2) }
	$1 == "nmigd_database_rows_written_total" { printf("-v %srows=%s ", p, $2) }
	END { if (a != "") printf("-v %sdone=%d ", p, a + t + e) }' "$1"
}
# Queries benchdns had seen by time $1 (its last line before).
dns_count() {
	awk -v t="$1" '$1 <= t { n = $2 } END { print n + 0 }' "$dir/rate.txt"
}
rtt=$(awk '/^nmigd_resolver_rtt_seconds\{/ { s += $2; n++ }
    END { if (n) printf("%.1f", s / n * 1000); else print "-" }' "$dir/m1.txt" 2>/dev/null)
msize=$(wc -c <"$dir/m1.txt" 2>/dev/null || echo 0)

cmd="tools/bench.sh -D $D -R $R -I $I -T $T -W $W"
[ "$PROFILE" = none ] || cmd="$cmd -P $PROFILE"
[ "$PORT$TIMEOUT$RETRIES" = 530032 ] || cmd="PORT=$PORT TIMEOUT=$TIMEOUT RETRIES=$RETRIES $cmd"

echo "== nmigd bench: $cmd"
echo "nmigd: $NMIGD ($(nmigd_commit))," \
    "database on $fstype ($dir), $(nproc) CPUs"
# shellcheck disable=SC2046
awk -v D="$D" -v R="$R" -v I="$I" -v C="$CHECKS" -v hz="$hz" \
    -v ts="$t_start" -v tr="$t_ready" -v cr="$cpu_ready" \
    -v tl="$t_loaded" -v cl="$cpu_loaded" \
    -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" \
    -v sc1="$((c1b - c1))" -v sdt="$(awk -v a="$ts1" -v b="$ts2" 'BEGIN { print b - a }')" \
    $(counters "$dir/m0.txt" a) $(counters "$dir/m1.txt" b) \
    -v dns0="$(dns_count "$t0")" -v dns1="$(dns_count "$t1")" -v msize="$msize" \
    -v skipped="$skipped" -v unsaved="$unsaved" -v warnings="$warnings" \
    -v hwm="$hwm" -v rss="$rss" -v nfd="$nfd" -v dbsize="$dbsize" -v rows="$rows" \
    -v rtt="$rtt" -v prof="$PROFILE" -v restart="$restart" \
    -v io0="$io0" -v io1="$io1" '
BEGIN {
	dt = t1 - t0
	cpu = (c1 - c0) / hz
	offered = D * R * C / (0.95 * I)	# rounds every I less 0-10%
	if (adone != "" && bdone != "") {
		n = bdone - adone
		src = "nmigd_answers+timeouts+errors"
	} else {
		n = dns1 - dns0
		src = "queries seen by benchdns: a scrape failed"
	}
	rate = n / dt
	printf("load:     %d domains x %d resolvers x %d checks every %ds = " \
	    "%.0f probes/s offered\n", D, R, C, I, offered)
	printf("startup:  %.1fs, %.2fs CPU to load; first scrape answered " \
	    "after %.1fs, %.2fs CPU\n", tl - ts, cl / hz, tr - ts, cr / hz)
	printf("restart:  %s\n", restart)
	printf("window:   %.1fs after a %.1fs warm-up%s\n", dt, t0 - tr,
	    t0 - tr < I ? " (first rounds inside: a burst, not steady)" : "")
	printf("probes:   %d completed = %.0f/s (%.0f%% of offered; %s)\n",
	    n, rate, offered ? 100 * rate / offered : 0, src)
	if (adone != "" && bdone != "")
		printf("          %d datagrams sent, %d timeouts, %d errors; " \
		    "queued %d -> %d, in flight %d at the end\n",
		    bsent - asent, bto - ato, ber - aer, aq, bq, bf)
	printf("cpu:      %.2fs = %.0f%% of one core\n", cpu, 100 * cpu / dt)
	if (n > 0 && cpu > 0) {
		us = cpu * 1e6 / n
		printf("per probe: %.1f us CPU -> at most %.0f probes/s on one " \
		    "core\n", us, 1e6 / us)
		printf("target:   2000/s (10k x 30) needs %.0f%% of a core, " \
		    "3333/s (10k x 50) %.0f%%\n", 2000 * us / 1e4,
		    3333 * us / 1e4)
	}
	printf("rounds:   %d skipped (\"previous round still running\"), " \
	    "%d not saved\n", skipped, unsaved)
	printf("answers:  mean rtt seen by nmigd %s ms\n", rtt)
	printf("memory:   VmHWM %.1f MB, VmRSS %.1f MB, %d fds\n", hwm / 1024,
	    rss / 1024, nfd)
	if (msize > 0)
		printf("metrics:  one scrape %d bytes, %.1fs, %.2fs CPU\n",
		    msize, sdt, sc1 / hz)
	else
		printf("metrics:  the last scrape failed after %.1fs\n", sdt)
	printf("database: %.1f MB, %s\n", dbsize / 1048576, rows)
	split(io0, w0, " ")
	split(io1, w1, " ")
	wrows = ""
	if (arows != "" && brows != "")
		wrows = sprintf("; %d rows written", brows - arows)
	if (n > 0 && io1 != "")
		printf("writes:   %d bytes in %d write calls in the window " \
		    "= %.1f bytes, %.3f calls per probe%s\n",
		    w1[1] - w0[1], w1[2] - w0[2], (w1[1] - w0[1]) / n,
		    (w1[2] - w0[2]) / n, wrows)
	printf("log:      %d other warnings\n", warnings)
	if (prof == "callgrind")
		print "(under valgrind: times are not comparable)"
	printf("RESULT D=%d R=%d I=%d probes_s=%.0f cpu_us_probe=%s " \
	    "skipped=%d\n", D, R, I, rate, n > 0 ? sprintf("%.1f", cpu * 1e6 / n) : "-",
	    skipped) > "/dev/stderr"
}' 2>"$dir/result.txt"

# Per second: nmigd CPU and queries benchdns saw, inside the window.
awk -v t0="$t0" -v t1="$t1" -v hz="$hz" -v pg="$(getconf PAGESIZE)" '
FNR == 1 { f++ }
f == 1 && rss_first == "" { rss_first = $3 }
f == 1 && $1 <= t0 { rss_t0 = $3 }
f == 1 && $1 <= t1 { rss_last = $3 }
f == 1 { if ($1 >= t0 && $1 <= t1 + 1) { if (pt != "") {
		u = ($2 - pc) / hz / ($1 - pt); if (u > umax) umax = u
		if (u >= 0.95) sat++; ns++ }
	pt = $1; pc = $2 } }
f == 2 { if ($1 >= t0 && $1 <= t1 + 1) { if (pq != "") {
		r = $2 - pq; if (r > rmax) rmax = r; if (r < rmin || rmin == "") rmin = r }
	pq = $2 } }
END {
	printf("per second: nmigd CPU max %.0f%%, %d of %d seconds >= 95%%; " \
	    "queries at benchdns %d..%d/s\n", 100 * umax, sat, ns, rmin, rmax)
	printf("rss:      %.1f MB at ready, %.1f MB at the window start, " \
	    "%.1f MB at its end\n", rss_first * pg / 1048576,
	    rss_t0 * pg / 1048576, rss_last * pg / 1048576)
}' "$dir/cpu.txt" "$dir/rate.txt"
echo "benchdns: $(tail -n 1 "$dir/benchdns.log" | sed 's/^benchdns: //')," \
    "$(awk -v c="${dns_cpu:-0}" -v hz="$hz" 'BEGIN { printf("%.2fs CPU in all", c / hz) }')"
cat "$dir/result.txt"

if [ "$PROFILE" = perf ]; then
	echo "== perf: self time by object"
	perf report -i "$dir/perf.data" --no-children --stdio --sort dso \
	    -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 8
	echo "== perf: self time by function (top 25)"
	perf report -i "$dir/perf.data" --no-children --stdio --sort dso,sym \
	    -g none --percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 25
	# Inclusive time of nmigd's own functions and of the system calls
	# a probe makes: which part of a probe's life costs what.
	nm --defined-only "$NMIGD" 2>/dev/null | awk '$2 ~ /^[tT]$/ { print $3 }' \
	    >"$dir/syms.txt"
	printf '%s\n' __libc_sendto __libc_recvfrom __GI_socket __GI_bind \
	    __GI___close __GI_epoll_ctl __GI___arc4random_uniform \
	    __libc_pwrite64 fdatasync __libc_fsync sqlite3_step \
	    ldns_wire2pkt ldns_pkt2wire event_add event_del event_free \
	    event_new malloc free >>"$dir/syms.txt"
	# Static functions the compiler inlined have no symbol of their own.
	cat "$top"/daemon/*.c "$top"/lib/*.c 2>/dev/null |
	    sed -n 's/^\([a-z_][a-z_0-9]*\)(.*/\1/p' >>"$dir/syms.txt"
	echo "== perf: inclusive time of nmigd functions and system calls (top 40)"
	perf report -i "$dir/perf.data" --children --stdio --sort sym -g none \
	    --percent-limit 0.5 2>/dev/null | grep -v '^#' |
	    awk 'NR == FNR { want[$1] = 1; next }
	    { f = $NF == "(inlined)" ? $(NF - 1) : $NF }
	    want[f] && $1 != "100.00%"' \
	    "$dir/syms.txt" - | head -n 40
elif [ "$PROFILE" = callgrind ]; then
	f=$(ls "$dir"/callgrind.out* 2>/dev/null | tail -n 1)
	echo "== callgrind: self cost (top 25)"
	callgrind_annotate "$f" 2>/dev/null | sed -n '/file:function/,$p' |
	    sed -n '3,27p'
	echo "== callgrind: inclusive cost (top 25)"
	# Each function shows twice, with and without its object: once.
	callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
	    sed -n '/file:function/,$p' | sed -n '3,$p' |
	    awk '{ f = $3; sub(/.*:/, "", f) } NF && !seen[f]++' | head -n 25
fi
[ "$nmigd_rc" = 0 ] || { echo "nmigd exited $nmigd_rc"; exit 1; }
exit 0
