#!/bin/bash
# clients.sh - 1,000 control clients and slow HTTP clients at once, under
# load: nmigd watches 1,000 domains with 20 resolvers every 10 s (the
# benchmark's W1: tools/benchdns on loopback), and the domains switch
# while
#   - 1,000 control connections open at once from 100 uids, 10 each, by
#     turns idle, half a request, the whole status never read, the
#     summary read a byte a second, the whole status dropped after 4 KB
#     (tests/control/clients.py storm);
#   - 8 HTTP clients read /metrics and /status.json a byte a second and 8
#     send their request a byte a second (tests/world/httpload.py slow).
# limits.sh checks each control limit at small scale and metrics-limits.sh
# the HTTP caps; this checks what they cost the probing, together.  What
# must hold:
#   - nmigd holds what its limits allow (480 read-only clients: 512
#     slots, 32 kept for root's) and refuses the rest with "too many
#     connections; try again later", logged once, not per client; the
#     request deadline closes the idle and half-asked ones, saying why;
#   - the probes keep their rate (answers a second before vs during), no
#     timeouts, the loop is not held (nmigd_event_loop_*);
#   - root's nmigd-ctl status answers in under 2 s all along; a read-only
#     client is refused clearly while the slots are taken, served once
#     the deadlines free them;
#   - memory is bounded (VmHWM), every descriptor is released once the
#     clients go (/proc/PID/fd), and nothing is lost: each completion
#     stored and emitted once, integrity_check ok; nmigd exits 0 on
#     SIGTERM.
#
# D and R change the load; KEEP=1 keeps the work directory.  Traffic
# stays on 127.0.0.0/8.  Needs root (clients of other uids), setpriv,
# python3, sqlite3, jq, curl, ss and the group nogroup; exit 77 without
# them.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"

D=${D:-1000}
R=${R:-20}
N=1000		# control clients
UIDS=100	# from uids 70001-70100
HOLD=30		# seconds the clients stay
# daemon/control.h: slots, those kept for root and our own user
MAX_CLIENTS=512
RESERVED=32
CLIENTS=$top_srcdir/tests/control/clients.py
HTTPLOAD=$top_srcdir/tests/world/httpload.py

. "$top_srcdir/tests/faults/lib.sh"
[ "$(id -u)" = 0 ] || skip "must run as root (clients of other uids)"
faults_need setpriv python3 sqlite3 jq curl ss
getent group nogroup >/dev/null || skip "no group nogroup"
[ -x "$BENCHDNS" ] || skip "benchdns not built"
faults_workdir clients

bench_resolvers "127.61.$(( $$ % 200 + 20 ))" "$R"
mport=$(( port + 1 ))
bench_conf 10s "$D" "metrics   = 127.0.0.1:$mport"
# The domains switch 30 s from now, 15 ms apart (15 s for 1,000): while
# the clients are there.
bench_start $(( $(date +%s%3N) + 30000 )) $(( 15000 / D ))
nmigd_start
wait_for 10 ctl status >/dev/null 2>&1 || bail "nmigd does not answer"
# The socket reachable for the clients' uids, as for members of group
# nmigd.
chmod 711 "$dir"
chgrp nogroup "$dir/nmigd.sock"
cp "$NMIGD_CTL" "$dir/nmigd-ctl.ro"
chmod 755 "$dir/nmigd-ctl.ro"
# A read-only client of a uid the clients do not use: prints its exit
# status and error.
ro_status() {
	setpriv --reuid=70200 --regid=nogroup --clear-groups \
	    "$dir/nmigd-ctl.ro" -s "$dir/nmigd.sock" status \
	    >/dev/null 2>"$dir/ro.err"
	echo "$? $(head -n 1 "$dir/ro.err")"
}

ms() { date +%s%3N; }
# nmigd's descriptors, but for the journal's socket (sd_journal_send()
# opens it at the first event and keeps it).  The prober's sockets come
# and go with the rounds: the fewest over an interval is what stays.
nfds() {
	echo $(( $(ls "/proc/$pid/fd" | wc -l) -
	    $(ss -xanp | grep -c "^u_dgr .*pid=$pid,") ))
}
fds_min=
fds_note() {
	local n=$(nfds)
	[ -n "$fds_min" ] && [ "$fds_min" -le "$n" ] || fds_min=$n
}
# Connections of clients: control (UNIX stream, the listener aside) and
# HTTP (TCP on the metrics port, the listener aside).
client_conns() {
	echo $(( $(ss -xanp | grep "^u_str .*pid=$pid," | grep -vc LISTEN) +
	    $(ss -tanp "sport = :$mport" | grep "pid=$pid," |
	    grep -vc LISTEN) ))
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# The slowest of root's nmigd-ctl status since the last reset, in ms;
# "fail" once one failed.
ctl_slowest=0
ctl_timed() {
	local t0=$(ms)
	ctl status >/dev/null 2>&1 || { ctl_slowest=fail; return 1; }
	t0=$(( $(ms) - t0 ))
	[ "$ctl_slowest" = fail ] || [ "$t0" -le "$ctl_slowest" ] ||
	    ctl_slowest=$t0
}
# answers_rate SECONDS: answers a second over that window into $rate,
# the timeouts meanwhile into $timeouts; root's status is timed
# meanwhile.  Rounds come in bursts, every interval: a window of whole
# intervals holds as many whatever its phase.
answers_rate() {
	local a0 t0 m0 a1 m1 end
	a0=$(metric nmigd_answers_total)
	t0=$(metric nmigd_timeouts_total)
	m0=$(ms)
	end=$(( m0 + $1 * 1000 ))
	while [ "$(ms)" -lt "$end" ]; do
		ctl_timed
		fds_note
		sleep 0.5
	done
	a1=$(metric nmigd_answers_total)
	m1=$(ms)
	timeouts=$(( $(metric nmigd_timeouts_total) - t0 ))
	rate=$(( (a1 - a0) * 1000 / (m1 - m0) ))
}

wait_for 30 all_saved other || bail "the first rounds were not saved in 30 s"
answers_rate 20
rate0=$rate
timeouts0=$timeouts
slow0=$ctl_slowest
fds0=$fds_min
ls -l "/proc/$pid/fd" >"$dir/fds.before"
hwm0=$(vm_kb VmHWM)
cpu0=$(cpu_ticks)
echo "# before: $rate0 answers/s, $timeouts0 timeouts, root's status at" \
    "most $slow0 ms, $fds0 descriptors between rounds, VmHWM $hwm0 kB"

# --- the clients
log0=$(wc -l <"$dir/nmigd.log")
python3 "$CLIENTS" storm "$dir/nmigd.sock" "$N" 70001 "$UIDS" \
    "$(getent group nogroup | cut -d: -f3)" "$HOLD" >"$dir/storm.txt" \
    2>"$dir/storm.err" &
storm_pid=$!
python3 "$HTTPLOAD" slow "$mport" 8 8 "$HOLD" 2 >"$dir/http.txt" \
    2>"$dir/http.err" &
http_pid=$!
wait_for 40 test -s "$dir/storm.txt" || bail "the clients did not connect in 40 s"
res=$(head -n 1 "$dir/storm.txt")
ro=$(ro_status)
lag0=$(metric nmigd_event_loop_lag_max_seconds)
ctl_slowest=0
answers_rate 20
rate1=$rate
timeouts1=$timeouts
lag=$(metric nmigd_event_loop_lag_recent_seconds)
held=$(metric nmigd_event_loop_held_max_seconds)
cpu1=$(cpu_ticks)
ro_later=$(ro_status)
wait "$storm_pid"
wait "$http_pid"
hwm1=$(vm_kb VmHWM)
echo "# control clients: $res"
sed 's/^/#   /' "$dir/storm.txt" | tail -n +2
echo "# http: $(cat "$dir/http.txt")"
echo "# during: $rate1 answers/s, $timeouts1 timeouts, root's status at" \
    "most $ctl_slowest ms; the loop late by at most ${lag:-?} s in the" \
    "last minute, held by nmigd's own work at most ${held:-?} s since it" \
    "started; nmigd's CPU $(( (cpu1 - cpu0) * 10 )) ms; VmHWM $hwm1 kB"

unpriv=$(( MAX_CLIENTS - RESERVED ))
check "all $N connected: $unpriv held, the rest refused, none otherwise ($res)" \
    [ "$res" = "connected=$N refused=$(( N - unpriv )) held=$unpriv other=0" ]
n=$(grep -c "control: refusing connections" "$dir/nmigd.log")
check "the refusals logged once, not per client ($n lines)" [ "$n" = 1 ]
for k in idle partial; do
	line=$(grep "^$k " "$dir/storm.txt")
	h=$(sed 's/.* held=\([0-9]*\).*/\1/' <<<"$line")
	check "$k clients closed at the request deadline, told why ($line)" \
	    grep -q "^$k held=$h closed=$h told=$h " <<<"$line"
done
check "a read-only client is refused while the slots are taken ($ro)" \
    [ "$ro" = "1 nmigd-ctl: too many connections; try again later" ]
check "... and served once the deadlines free them ($ro_later)" \
    [ "$ro_later" = "0 " ]
check "probing kept its rate: $rate0 answers/s before, $rate1 during (90% at least)" \
    [ "$(( rate1 * 10 ))" -ge "$(( rate0 * 9 ))" ]
check "no timeouts caused to the good resolvers ($timeouts1)" \
    [ "$timeouts1" = 0 ]
n=$(tail -n +$(( log0 + 1 )) "$dir/nmigd.log" | grep -c "rounds were due")
check "no round was late ($n lines say so)" [ "$n" = 0 ]
check "the loop was not held: by nmigd's own work at most ${held:-?} s (under 0.5 s)" \
    awk -v l="${held:-9}" 'BEGIN { exit !(l < 0.5) }'
ctl_fast() { [ "$ctl_slowest" != fail ] && [ "$ctl_slowest" -lt 2000 ]; }
check "root's nmigd-ctl status answered all along, in at most $ctl_slowest ms (under 2 s)" \
    ctl_fast
# A client asking for the status has at most 1 MB of it queued
# (CONTROL_MAX_OUTPUT) however slowly it reads (the whole is 13 MB);
# the others cost little.
n=$(sed -n 's/^\(mute\|slow\|hangup\) held=\([0-9]*\).*/\2/p' \
    "$dir/storm.txt" | awk '{ n += $1 } END { print n + 0 }')
check "memory bounded: VmHWM $hwm0 -> $hwm1 kB (at most 1 MB for each of the $n asking, and 32 MB)" \
    [ "$hwm1" -le $(( hwm0 + (n + 32) * 1024 )) ]
no_conns() { [ "$(client_conns)" = 0 ]; }
wait_for 10 no_conns
check "every client's connection closed once they are gone ($(client_conns) left)" \
    no_conns
fds_min=
fds_back() { fds_note; [ "$fds_min" -le "$fds0" ]; }
wait_for 12 fds_back
what="every descriptor released: at most $fds0 between rounds before, $fds_min after"
if fds_back; then
	ok "$what"
else
	not_ok "$what"
	ls -l "/proc/$pid/fd" | diff "$dir/fds.before" - | sed 's/^/# /'
	ss -xanp | grep "pid=$pid," | sed 's/^/# /'
	ss -tanp | grep "pid=$pid," | sed 's/^/# /'
fi
check "a read-only client is served afterwards ($(ro_status))" \
    [ "$(ro_status)" = "0 " ]
read -r _ _ _ _ _ _ rclosed _ _ nhead _ hclosed _ <"$dir/http.txt"
check "HTTP: the slow readers still served ($rclosed of 8 closed)" \
    [ "$rclosed" = 0 ]
check "HTTP: the slow senders closed at the head deadline ($hclosed of $nhead connections)" \
    [ "${hclosed:-0}" -ge 8 ]

wait_for 30 all_complete
check "every domain completes" all_complete
check_completions_once "after the clients" 30

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
