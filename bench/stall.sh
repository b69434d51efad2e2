#!/bin/bash
# stall.sh - how long the heaviest requests hold nmigd's event loop, on
# loopback only.
#
#	bench/stall.sh [-D domains] [-R resolvers] [-I interval] [-T seconds]
#	    [-W warmup] [-k]
#
# Starts the benchmark's fixture (bench/lib.sh: NSD serving D generated
# zones on R + 1 loopback addresses, pinned to CPU 1) and nmigd on CPU 0
# watching the D domains with R of them as resolvers (all answering
# "new"), interval I, the metrics endpoint on; waits W seconds for the
# first rounds, times `nmigd-ctl status` (the one-line list of every
# domain) 7 times alone, then for T seconds asks, over and over and a few
# at a time, what a read-only user may ask: `status` of every domain (the
# whole document, streamed), the one-line list again, `status` of one
# domain, /metrics, `history` and `events`, plus a `check` of every
# domain (as root); then reloads: three of the same files, one with a
# domain added (NSD serves it already), one with a resolver added (the
# spare address) and another
# removed.
# nmigd's own loop-lag probe (daemon/looplag.c: a 20 ms timer measuring
# how late it fires) gives the longest stall before and after; each
# request's size (for nmigd-ctl status, the text it printed) and time
# are listed.  The result starts with the
# command that reproduces it.
#
# Defaults: 10,000 domains x 50 resolvers, interval 300 s (3,333 probes/s),
# W 45, T 60.  From the environment too: D R I T W KEEP NMIGD NMIGD_CTL
# BENCH_TMP (/tmp), and bench/run.sh's BENCH_NET PORT NMIGD_CPU NSD_CPU.
# Needs root (NSD), nsd, drill, taskset, curl, socat.  Traffic goes to
# 127.0.0.0/8 only; every process started is stopped by PID.  Exit 0
# after a measurement, 1 when something failed, 2 on a usage error.
set -u
# Decimal points in awk, date and EPOCHREALTIME alike.
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
D=${D:-10000}
R=${R:-50}
I=${I:-300}
T=${T:-60}
W=${W:-45}
KEEP=${KEEP:-}
NMIGD_CPU=${NMIGD_CPU:-0}
NSD_CPU=${NSD_CPU:-1}
NMIGD=${NMIGD:-$top/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top/nmigd-ctl}
BENCH_TMP=${BENCH_TMP:-/tmp}

usage() {
	echo "usage: bench/stall.sh [-D domains] [-R resolvers] [-I interval]" \
	    "[-T seconds] [-W warmup] [-k]" >&2
	exit 2
}

while getopts D:R:I:T:W:kh opt; do
	case $opt in
	D) D=$OPTARG ;;
	R) R=$OPTARG ;;
	I) I=$OPTARG ;;
	T) T=$OPTARG ;;
	W) W=$OPTARG ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || usage
for v in D R I T W PORT NMIGD_CPU NSD_CPU; do
	case ${!v} in
	'' | *[!0-9]*) echo "stall.sh: $v must be a number" >&2; exit 2 ;;
	esac
done
[ "$D" -ge 1 ] && [ "$D" -le 99999 ] && [ "$R" -ge 1 ] && [ "$R" -le 1000 ] ||
    usage

die() {
	echo "stall.sh: $*" >&2
	exit 1
}

dir=
bench_nmigd_pid=
load_pids=()
cleanup() {
	local p
	for p in "${load_pids[@]}"; do bench_stop "$p"; done
	bench_stop "$bench_nmigd_pid"
	[ -z "$dir" ] || bench_nsd_stop "$dir/nsd"
	[ -z "$dir" ] && return
	if [ -n "$KEEP" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

[ "$(id -u)" = 0 ] || die "must run as root (NSD, pinning)"
for t in nsd drill taskset curl awk socat; do
	command -v $t >/dev/null || die "$t missing"
done
[ -x "$NMIGD" ] && [ -x "$NMIGD_CTL" ] || die "build nmigd first (make)"
bench_net_ok || exit 1

dir=$(mktemp -d "$BENCH_TMP/nmigd-stall.XXXXXX") || exit 1
# One zone and one address more than watched: the reloads below add
# them, and they answer too.
addrs=()
for ((i = 0; i <= R; i++)); do
	addrs+=("$(bench_addr "$i")")
done
mkdir -p "$dir/nsd" && bench_zone "$dir/nsd/zone.db" new 1 &&
    bench_nsd_conf "$dir/nsd" $((D + 1)) "${addrs[@]}" ||
    die "cannot write NSD's config"
bench_nsd_start "$dir/nsd" "$NSD_CPU" $((D + 1)) "${addrs[0]}" ||
    die "NSD did not start"
bench_resolvers_conf "$dir/resolvers.conf" "${addrs[@]:0:R}"
mport=$((20000 + $$ % 20000))
bench_nmigd_conf "$dir" "$D" "$I" 2 "$mport" >"$dir/nmigd.conf" ||
    die "cannot write the config"
bench_nmigd_start "$dir" "$NMIGD_CPU"
nmigd_pid=$bench_nmigd_pid

url=http://127.0.0.1:$mport/metrics
ready=
for _ in $(seq 3000); do
	kill -0 "$nmigd_pid" 2>/dev/null || break
	[ -S "$dir/nmigd.sock" ] && curl -fsS --max-time 60 "$url" \
	    -o "$dir/m0.txt" 2>/dev/null && { ready=1; break; }
	sleep 0.1
done
[ -n "$ready" ] || { tail -n 20 "$dir/nmigd.log" >&2; die "nmigd did not start"; }

lag() {	# max, recent or held, in ms, from a scrape
	local k=nmigd_event_loop_lag_$2_seconds
	[ "$2" = held ] && k=nmigd_event_loop_held_max_seconds
	awk -v k="$k" '$1 == k { printf("%.0f", $2 * 1000) }' "$1"
}

sleep "$W"
kill -0 "$nmigd_pid" 2>/dev/null || die "nmigd died during the warm-up"
curl -fsS --max-time 120 "$url" -o "$dir/m1.txt" || die "scrape failed"
max_before=$(lag "$dir/m1.txt" max)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# timed LABEL COMMAND...: one line "LABEL MS BYTES" per run in $dir/times.
timed() {
	local label=$1 t0 t1 out
	shift
	out=$dir/out.$BASHPID
	t0=$(now_ms)
	"$@" >"$out" 2>/dev/null
	t1=$(now_ms)
	echo "$label $((t1 - t0)) $(wc -c <"$out")" >>"$dir/times"
	rm -f "$out"
}
ctlraw() {	# one request line, the raw reply
	echo "$1" | socat -t 120 -T 120 - "UNIX-CONNECT:$dir/nmigd.sock"
}
: >"$dir/times"
# The one-line list alone first: what an operator waits for at this scale.
for _ in 1 2 3 4 5 6 7; do
	timed list-alone "$NMIGD_CTL" -s "$dir/nmigd.sock" status
	sleep 1
done
curl -fsS --max-time 120 "$url" -o "$dir/m1b.txt" || die "scrape failed"
end=$(( $(date +%s) + T ))
loop() {
	while [ "$(date +%s)" -lt "$end" ]; do
		"$@"
	done
}
loop timed status-all ctlraw '{"command":"status"}' &
load_pids+=($!)
loop timed metrics curl -fsS --max-time 120 "$url" &
load_pids+=($!)
loop timed status-list "$NMIGD_CTL" -s "$dir/nmigd.sock" status &
load_pids+=($!)
loop timed status-one ctlraw '{"command":"status","domain":"d00001.example"}' &
load_pids+=($!)
(loop timed history ctlraw '{"command":"history","domain":"d00002.example"}';) &
load_pids+=($!)
(loop timed events ctlraw '{"command":"events"}';) &
load_pids+=($!)
timed check-all ctlraw '{"command":"check"}'
for p in "${load_pids[@]}"; do wait "$p"; done
load_pids=()
kill -0 "$nmigd_pid" 2>/dev/null || die "nmigd died under the requests"

# Reloads, as an operator makes them: the same files, a domain added, a
# resolver added and another removed.  nmigd logs how long its reader
# thread took and how long switching held the loop ("reloaded: ... (read
# in R ms, switched in N ms)"); N is what counts here.
reload_ms() {
	local n
	for _ in $(seq 600); do
		n=$(grep -c 'reloaded: watching' "$dir/nmigd.log")
		[ "$n" -gt "$1" ] && break
		sleep 0.1
	done
	sed -n 's/.*reloaded: watching .*, switched in \([0-9]*\) ms)$/\1/p' \
	    "$dir/nmigd.log" | tail -n 1
}
reload_case() {	# LABEL: reload now, print "LABEL N"
	local n
	n=$(grep -c 'reloaded: watching' "$dir/nmigd.log")
	ctlraw '{"command":"reload"}' >/dev/null
	echo "$1 $(reload_ms "$n")"
}
: >"$dir/reloads"
for i in 1 2 3; do
	reload_case same >>"$dir/reloads"
	sleep 2
done
printf '[domain d%05d.example]\nns = ns1.bench.test ns2.bench.test\nmx = 10 mx1.bench.test, 10 mx2.bench.test\n' \
    $((D + 1)) >>"$dir/nmigd.conf"
reload_case domain-added >>"$dir/reloads"
sleep 2
{ sed 1d "$dir/resolvers.conf"; printf 'extra %s@%s bench\n' \
    "${addrs[R]}" "$PORT"; } >"$dir/resolvers.new"
mv "$dir/resolvers.new" "$dir/resolvers.conf"
reload_case resolvers-changed >>"$dir/reloads"
sleep 2
kill -0 "$nmigd_pid" 2>/dev/null || die "nmigd died in a reload"
curl -fsS --max-time 120 "$url" -o "$dir/m2.txt" || die "scrape failed"
max_after=$(lag "$dir/m2.txt" max)
held_before=$(lag "$dir/m1.txt" held)
held_list=$(lag "$dir/m1b.txt" held)
held_after=$(lag "$dir/m2.txt" held)
recent=$(lag "$dir/m2.txt" recent)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$nmigd_pid/status")
answers=$(awk '$1 == "nmigd_answers_total" { print $2 }' "$dir/m2.txt")

echo "== nmigd stall: bench/stall.sh -D $D -R $R -I $I -T $T -W $W"
echo "nmigd: $NMIGD ($(bench_commit)), $(nproc) CPUs, pinned to CPU $NMIGD_CPU, NSD to $NSD_CPU"
printf 'load:     %d domains x %d resolvers x 2 checks every %ds = %d probes/s\n' \
    "$D" "$R" "$I" $((D * R * 2 / I))
echo "answers:  $answers so far; peak RSS $((hwm / 1024)) MB"
echo "requests (count, min, median and max time, largest reply): list-alone" \
    "first, then the rest at once for $T s:"
awk '{ n[$1]++; t[$1, n[$1]] = $2; if ($3 > b[$1]) b[$1] = $3 }
END {
	for (k in n) {
		m = n[k]
		for (i = 1; i <= m; i++)
			for (j = i + 1; j <= m; j++)
				if (t[k, j] < t[k, i]) {
					x = t[k, i]; t[k, i] = t[k, j]; t[k, j] = x
				}
		printf("  %-11s %4d  min %6d ms  median %6d ms  max %6d ms" \
		    "  %10d bytes\n", k, m, t[k, 1], t[k, int((m + 1) / 2)],
		    t[k, m], b[k])
	}
}' "$dir/times" | sort
echo "loop late: longest ${max_before} ms before the requests (startup and first rounds)," \
    "${max_after} ms at the end; longest in the last minute ${recent} ms"
echo "loop held by nmigd's own work (its CPU time, not preemption):" \
    "longest ${held_before} ms before, ${held_list} ms after list-alone," \
    "${held_after} ms at the end"
echo "reloads (the loop held, ms, as nmigd logs it):" \
    "$(awk '{ printf("%s%s %s", NR > 1 ? ", " : "", $1, $2) }' "$dir/reloads")"
stalls=$(grep -c 'event loop was held' "$dir/nmigd.log")
echo "stalls of 1 s or more logged: $stalls"
