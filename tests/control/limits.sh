#!/bin/bash
# limits.sh - the control socket against hostile local clients: a swarm of
# connections from one unprivileged uid, and from 31 uids, which must not
# keep root's nmigd-ctl out; a client that trickles its request a byte a
# second and one that sends nothing, both closed at the request deadline;
# a patient client whose deadline restarts after each reply.
#
# nmigd watches domains whose resolvers are loopback addresses where
# nothing listens: no world is needed, and probes fail at once.
#
# Not tested: the 60 s reply deadline (too slow for a test).
#
# Needs root, socat, jq, sqlite3, setpriv, python3 and the user nobody;
# exit 77 without them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the work
# directory.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/control/lib.sh"

ctl_setup limits
ctl_need_python
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null ||
    ctl_skip "no user nobody or group nogroup"

closed_conf 3 2 >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" 2>/dev/null || die "nmigd -t rejects the config"
nmigd_start

# The socket reachable for nobody, as for a member of group nmigd.
chmod 711 "$dir"
chgrp nogroup "$S"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# --- 700 connections from nobody: 16 held, the rest told why and closed,
# and root still gets in at once.
# (setpriv itself in the background, not a function's subshell: $! must
# be the client's pid.)
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$PY" "$CLIENTS" swarm "$S" 700 6 >"$dir/swarm.out" 2>"$dir/swarm.err" &
swarm_pid=$!
bg_pids="$bg_pids $swarm_pid"
end=$(( $(now) + 40 ))
until [ -s "$dir/swarm.out" ] || [ "$(now)" -gt "$end" ] ||
    ! kill -0 "$swarm_pid" 2>/dev/null; do
	sleep 0.2
done
res=$(cat "$dir/swarm.out")
echo "    swarm: $res"
check "swarm: all 700 connections were accepted or refused, none hung" \
    grep -q "^connected=700 " <<<"$res"
check "swarm: nmigd holds 16 of them" grep -q " held=16 " <<<"$res"
check "swarm: the other 684 got a \"too many connections\" error line" \
    grep -q " refused=684 held=16 other=0$" <<<"$res"
n=$(nmigd_connections)
check "swarm: nmigd has 16 connections open ($n)" [ "$n" = 16 ]
for cmd in status check; do
	ctl_timed $cmd
	check "swarm: root's nmigd-ctl $cmd answers (exit $rc, $ms ms)" \
	    [ "$rc" = 0 -a "$ms" -lt 2000 ]
done
cp "$NMIGD_CTL" "$dir/nmigd-ctl.nobody"
chmod 755 "$dir/nmigd-ctl.nobody"
as_nobody "$dir/nmigd-ctl.nobody" -s "$S" status >/dev/null 2>"$dir/err"
rc=$?
check "swarm: nobody's 17th client is refused (exit $rc) and told why" \
    eval '[ $rc = 1 ] && grep -q "too many connections from uid 65534 (at most 16)" "$dir/err"'
{ kill "$swarm_pid" && wait "$swarm_pid"; } 2>/dev/null
check "swarm: no connection left once the clients are gone" wait_no_connections
as_nobody "$dir/nmigd-ctl.nobody" -s "$S" status >/dev/null 2>&1
check "swarm: nobody is served again afterwards" [ $? = 0 ]

# --- 30 uids with 16 connections each take all the slots read-only peers
# may have; a 31st uid is refused, root still gets in.
pids=
for u in $(seq 70001 70031); do
	setpriv --reuid="$u" --regid=nogroup --clear-groups \
	    "$PY" "$CLIENTS" swarm "$S" 16 6 >"$dir/uid.$u" 2>&1 &
	pids="$pids $!"
	# The last one only once the others hold their slots.
	[ "$u" = 70030 ] && sleep 2
done
bg_pids="$bg_pids $pids"
end=$(( $(now) + 20 ))
while [ "$(cat "$dir"/uid.* | grep -c connected)" -lt 31 ] &&
    [ "$(now)" -le "$end" ]; do
	sleep 0.2
done
held=$(for u in $(seq 70001 70030); do cat "$dir/uid.$u"; done |
    grep -c "^connected=16 refused=0 held=16 other=0$")
check "30 uids hold 16 connections each ($held of 30)" [ "$held" = 30 ]
res=$(cat "$dir/uid.70031")
check "a 31st uid is refused: read-only peers have all their slots ($res)" \
    [ "$res" = "connected=16 refused=16 held=0 other=0" ]
n=$(nmigd_connections)
check "nmigd has 480 connections open ($n)" [ "$n" = 480 ]
for cmd in status check reload; do
	ctl_timed $cmd
	check "480 read-only clients: root's nmigd-ctl $cmd answers (exit $rc, $ms ms)" \
	    [ "$rc" = 0 -a "$ms" -lt 2000 ]
done
for p in $pids; do
	{ kill "$p" && wait "$p"; } 2>/dev/null
done
bg_pids=
check "no connection left once those clients are gone" wait_no_connections

# --- the request deadline: bytes do not extend it
res=$("$PY" "$CLIENTS" trickle "$S")
echo "    deadline: $res"
t=$(sed -n 's/.*trickle_closed=\([0-9.]*\).*/\1/p' <<<"$res")
q=$(sed -n 's/.*silent_closed=\([0-9.]*\).*/\1/p' <<<"$res")
within() {	# within SECS LO HI
	[ -n "$1" ] && awk -v t="$1" -v lo="$2" -v hi="$3" \
	    'BEGIN { exit !(t >= lo && t <= hi) }'
}
check "a client trickling a byte a second is closed at the deadline (${t:-never} s)" \
    within "$t" 9 13
check "a client that sends nothing is closed at the deadline (${q:-never} s)" \
    within "$q" 9 13
check "both are told why" \
    grep -q 'trickle_error="no request within 10 seconds" silent_closed=[0-9.]* silent_error="no request within 10 seconds"' <<<"$res"

# ... and it starts again after every reply: three requests 7 s apart.
res=$("$PY" "$CLIENTS" pipeline "$S" 7)
check "a client asking every 7 s gets every reply ($res)" [ "$res" = replies=3 ]

# Someone outside the socket's group is told how to get in.
chgrp root "$S"
out=$(as_nobody "$NMIGD_CTL" -s "$S" status 2>&1)
check "nobody outside group nmigd: exit 3" [ $? = 3 ]
check "nobody outside group nmigd: told to join it ($out)" \
    grep -qF "usermod -aG nmigd nobody, then log in again" <<<"$out"
chgrp nogroup "$S"

check "nmigd never logged a crash or an assertion" \
    eval '! grep -qiE "assert|fatal|segmentation|abort" "$dir/nmigd.log"'
nmigd_stop TERM
check "SIGTERM: nmigd exits 0 (exit $stop_rc)" [ "$stop_rc" = 0 ]

ctl_finish
