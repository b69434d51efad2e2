# bench/lib.sh - the benchmark's fixture: N generated zones on NSD, its
# M loopback addresses standing in for M resolvers, nmigd's config for
# them, and every process started pinned to a core and stopped by PID.
# Source it from bash; it defines functions only.  bench/measure.sh reads
# what the processes did.
#
# Addresses are BENCH_NET.X.Y (default 127.56), port PORT (default
# 5300).  The domains are d00001.example ...; their "old" records are
# NS ns1/ns2.old.test. and MX 10 mx1.old.test., their "new" ones NS
# ns1/ns2.bench.test. and MX 10 mx1/mx2.bench.test.: every zone of one
# NSD shares one zone file, so a migration rewrites that file once and
# NSD reloads it on SIGHUP.  Traffic never leaves 127.0.0.0/8.

BENCH_NET=${BENCH_NET:-127.56}
PORT=${PORT:-5300}

bench_log() {
	printf 'bench: %s\n' "$*" >&2
}

# pause SECONDS: sleep, but let a signal's trap run at once (bash runs
# it only after a foreground command ends: a 600 s warm-up would hold the
# cleanup that long).
pause() {
	sleep "$1" &
	wait $!
}

# Milliseconds since the epoch, without a fork.
bench_now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# bench_addr I: the I-th resolver's address (from 0), never .0 or .255.
bench_addr() {
	echo "$BENCH_NET.$(($1 / 250)).$(($1 % 250 + 1))"
}

# bench_net_ok: BENCH_NET is two octets of 127/8 and nothing of ours or
# anyone's listens on its addresses at PORT already.
bench_net_ok() {
	local re
	if ! [[ $BENCH_NET =~ ^127\.[0-9]{1,3}$ ]]; then
		bench_log "BENCH_NET must look like 127.X, not $BENCH_NET"
		return 1
	fi
	re="^${BENCH_NET//./\\.}\\.[0-9]+\\.[0-9]+:$PORT\$"
	if ss -Hlnu 2>/dev/null | awk '{ print $4 }' | grep -qE "$re"; then
		bench_log "something listens on $BENCH_NET.*:$PORT already" \
		    "(another benchmark?); set BENCH_NET or PORT"
		return 1
	fi
}

# bench_zone FILE old|new SERIAL: the zone file every zone of one NSD
# reads ('@' is each zone's own name), replaced in one rename so that a
# reload never sees half of it.
bench_zone() {
	local ns1=ns1.bench.test. ns2=ns2.bench.test. mx
	mx="@ MX 10 mx1.bench.test.
@ MX 10 mx2.bench.test."
	if [ "$2" = old ]; then
		ns1=ns1.old.test. ns2=ns2.old.test.
		mx="@ MX 10 mx1.old.test."
	fi
	cat >"$1.tmp" <<EOF || return 1
\$TTL 300
@ SOA $ns1 hostmaster.bench.test. $3 3600 600 86400 300
@ NS $ns1
@ NS $ns2
$mx
EOF
	mv "$1.tmp" "$1"
}

# bench_nsd_conf DIR N ADDR...: DIR/nsd.conf, one server process serving
# N zones from DIR/zone.db on the ADDRs, no control channel, no
# transfers, no rate limit; everything NSD writes stays in DIR.
bench_nsd_conf() {
	local d=$1 n=$2 a
	shift 2
	{
		echo "server:"
		for a in "$@"; do
			echo "	ip-address: $a"
		done
		cat <<EOF
	port: $PORT
	do-ip4: yes
	do-ip6: no
	server-count: 1
	tcp-count: 16
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	verbosity: 0
	hide-version: yes
	reuseport: no
	# Response rate limiting would drop the answers of a benchmark
	# asking few names many times (every source here is one /24).
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
pattern:
	name: "bench"
	zonefile: "$d/zone.db"
EOF
		awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
		    printf("zone:\n\tname: d%05d.example\n\tinclude-pattern: bench\n", i) }'
	} >"$d/nsd.conf"
}

# bench_ask ADDR NAME TYPE: the answer's records, one a line (drill).
bench_ask() {
	timeout 2 drill -p "$PORT" -Q "$2" @"$1" "$3" 2>/dev/null
}

# bench_nsd_start DIR CPU N ADDR: start the NSD of DIR pinned to CPU and
# wait until it serves its last zone on ADDR (NSD reads 100,000 zones in
# about 5 s).  Its PID goes to DIR/started.pid.
bench_nsd_start() {
	local d=$1 i tries=$((300 + $3 / 200))
	taskset -c "$2" nsd -d -c "$d/nsd.conf" </dev/null >"$d/stderr" 2>&1 &
	echo $! >"$d/started.pid"
	for ((i = 0; i < tries; i++)); do
		bench_ask "$4" "$(printf 'd%05d.example' "$3")" SOA | grep -q . &&
		    return 0
		kill -0 "$(cat "$d/started.pid")" 2>/dev/null || break
		sleep 0.1
	done
	bench_log "NSD in $d does not answer on $4: $(tail -n 5 "$d/stderr" "$d/nsd.log" 2>/dev/null)"
	return 1
}

# bench_nsd_procs DIR: the PIDs of DIR's NSD processes, all of them (NSD
# forks a main and a server process; each keeps our config in its command
# line, so no one else's NSD is ever matched).
bench_nsd_procs() {
	local f pid comm
	for f in $(grep -lsF -- "$1/nsd.conf" /proc/[0-9]*/cmdline); do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		case $comm in nsd | nsd:*) echo "$pid" ;; esac
	done
	return 0
}

# bench_nsd_switch DIR ADDR N: DIR's zones get the new records (serial 2),
# NSD reloads on SIGHUP; prints "HUP SEEN": the time in ms of the SIGHUP
# and the time at which ADDR was first seen answering the new MX for the
# last zone, polled every 10 ms (NSD may answer new a few ms before).
bench_nsd_switch() {
	local d=$1 i name hup
	name=$(printf 'd%05d.example' "$3")
	bench_zone "$d/zone.db" new 2 || return 1
	hup=$(bench_now_ms)
	kill -HUP "$(cat "$d/nsd.pid")" || return 1
	for ((i = 0; i < 1000; i++)); do
		if bench_ask "$2" "$name" MX | grep -q 'mx1\.bench\.test'; then
			echo "$hup $(bench_now_ms)"
			return 0
		fi
		sleep 0.01
	done
	bench_log "NSD in $d still answers the old records on $2"
	return 1
}

# bench_nsd_stop DIR: SIGTERM to the NSD started there, SIGKILL to what
# is left after 10 s.
bench_nsd_stop() {
	local d=$1 left pid
	[ -f "$d/started.pid" ] || return 0
	pid=$(cat "$d/started.pid")
	left=$(bench_nsd_procs "$d")
	[ -n "$left" ] || { rm -f "$d/started.pid"; return 0; }
	# shellcheck disable=SC2086
	kill -TERM $left 2>/dev/null
	for _ in $(seq 100); do
		left=$(bench_nsd_procs "$d")
		[ -z "$left" ] && break
		sleep 0.1
	done
	# shellcheck disable=SC2086
	[ -z "$left" ] || kill -KILL $left 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$d/started.pid"
}

# bench_resolvers_conf FILE ADDR...: nmigd's resolver list.
bench_resolvers_conf() {
	local f=$1 i=0 a
	shift
	for a in "$@"; do
		i=$((i + 1))
		printf 'b%04d %s@%s bench\n' "$i" "$a" "$PORT"
	done >"$f"
}

# bench_nmigd_conf DIR D INTERVAL CONFIRM MPORT [old]: the config on
# stdout, the database, control socket and resolver list in DIR, /metrics
# on 127.0.0.1:MPORT, D domains (none: the empty config of the baseline)
# expecting the new records, and knowing the old ones when "old" is
# given.  One sample a check, so that a round is D x resolvers x 2
# queries; the loopback resolvers take any rate, so that the CPU, not
# politeness, sets the pace.  No parent zone or provider exists here.
bench_nmigd_conf() {
	cat <<CONF
[nmigd]
database  = $1/nmigd.db
control   = $1/nmigd.sock
resolvers = $1/resolvers.conf
include   = none
metrics   = 127.0.0.1:$5
interval  = ${3}s
timeout   = ${TIMEOUT:-3}s
retries   = ${RETRIES:-2}
confirm   = $4
unreachable-after = 1h
parent    = none
providers = none
samples   = 1
rate      = 1000000
CONF
	awk -v n="$2" -v old="${6:-}" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf("\n[domain d%05d.example]\n", i)
			print "ns = ns1.bench.test ns2.bench.test"
			print "mx = 10 mx1.bench.test, 10 mx2.bench.test"
			if (old == "old") {
				print "old-ns = ns1.old.test ns2.old.test"
				print "old-mx = 10 mx1.old.test"
			}
		}
	}'
}

# bench_nmigd_start DIR CPU [stamp]: nmigd on DIR/nmigd.conf pinned to
# CPU, its PID in bench_nmigd_pid, its stderr in DIR/nmigd.log; with
# "stamp" each line is prefixed by the time it was written (seconds,
# ms), for the completion events of a migration.  Under PROFILE=callgrind
# it runs in valgrind, instrumenting nothing until asked.
bench_nmigd_start() {
	local d=$1 cmd=("$NMIGD" -c "$1/nmigd.conf")
	[ "${PROFILE:-}" != callgrind ] || cmd=(valgrind --tool=callgrind \
	    --instr-atstart=no --callgrind-out-file="$d/callgrind.out" "${cmd[@]}")
	if [ "${3:-}" = stamp ]; then
		taskset -c "$2" "${cmd[@]}" 2> >(python3 -u -c '
import sys, time
for line in sys.stdin:
    sys.stdout.write("%.3f %s" % (time.time(), line))
' >"$d/nmigd.log") &
	else
		taskset -c "$2" "${cmd[@]}" 2>"$d/nmigd.log" &
	fi
	bench_nmigd_pid=$!
}

# bench_nmigd_ready DIR MPORT SECONDS: wait until nmigd says it is
# watching (bench_t_loaded, ms) and its metrics endpoint answers
# (bench_t_ready); false, with its last words, if it died or took longer.
bench_nmigd_ready() {
	local i n=$(($3 * 10))
	bench_t_loaded=
	bench_t_ready=
	for ((i = 0; i < n; i++)); do
		kill -0 "$bench_nmigd_pid" 2>/dev/null || break
		if [ -z "$bench_t_loaded" ] &&
		    grep -qs 'nmigd: watching' "$1/nmigd.log"; then
			bench_t_loaded=$(bench_now_ms)
		fi
		if [ -n "$bench_t_loaded" ] && curl -fsS --max-time 60 \
		    -o /dev/null "http://127.0.0.1:$2/metrics" 2>/dev/null; then
			bench_t_ready=$(bench_now_ms)
			return 0
		fi
		sleep 0.1
	done
	bench_log "nmigd did not start: $(tail -n 5 "$1/nmigd.log")"
	return 1
}

# bench_stop PID: SIGTERM, at most 90 s to exit (systemd's default stop
# timeout), then SIGKILL; its exit status in bench_stopped_rc, how long
# it took in bench_stop_s.
bench_stop() {
	local st t0=$EPOCHREALTIME
	bench_stopped_rc=
	bench_stop_s=
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 900); do
		st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	bench_stopped_rc=$?
	bench_stop_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf("%.1f", b - a) }')
}

# bench_queryfile FILE N: dnsperf's input, the mix nmigd asks: NS and MX
# of each of the N domains.
bench_queryfile() {
	awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
	    printf("d%05d.example NS\nd%05d.example MX\n", i, i) }' >"$1"
}

# The commit of the tree the binary NMIGD sits in, or "?".
bench_commit() {
	git -C "$(dirname "$NMIGD")" describe --always --dirty 2>/dev/null ||
	    echo '?'
}
