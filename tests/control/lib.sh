# tests/control/lib.sh - shared by the scenario tests of the control
# socket (protocol.sh, reload.sh, limits.sh, stream.sh): a loopback world
# of real NSD and Unbound servers (tests/world/lib.sh) or resolvers where
# nothing listens (closed_conf), one nmigd on a private control socket in
# a private directory, and helpers to talk to it.
#
# Needs root, the world's tools, socat, jq, sqlite3 and setpriv
# (apt-get install socat jq sqlite3 util-linux); ctl_setup exits 77
# without them.  KEEP=1 keeps the work directory.
#
# Every check prints "ok - ..." or "not ok - ..."; a failed check does not
# stop the script unless the rest depends on it (die).  ctl_finish prints
# "N passed, N failed" and the exit status.  A check that fails because of
# a known daemon bug says "DAEMON BUG" and points at the comment above it.

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/tap.sh"

COMPLETE=6869b19448b743bab7616d7a79b9c627
SWITCHED=e9df83999fd24289a5c3555f27a3633c

dir=
S=
nmigd_pid=
bg_pids=

ctl_skip() {
	echo "SKIP: $*"
	exit 77
}

# A failure the rest of the script cannot go on from.
die() {
	not_ok "$*"
	ctl_show_logs
	echo "$npass passed, $nfail failed"
	exit 1
}

ctl_show_logs() {
	[ -n "$dir" ] || return 0
	echo "--- nmigd log (last 30 lines)"
	tail -n 30 "$dir/nmigd.log" 2>/dev/null
	echo "--- events"
	db "SELECT time, message_id, domain, resolver FROM events ORDER BY id" \
	    2>/dev/null
}

ctl_finish() {
	[ "$nfail" = 0 ] || ctl_show_logs
	echo "$npass passed, $nfail failed"
	[ "$nfail" = 0 ]
	exit $?
}

ctl_cleanup() {
	local p
	for p in $bg_pids; do
		kill "$p" 2>/dev/null
	done
	nmigd_stop_quietly
	[ -z "$dir" ] || world_stop "$dir"
	if [ -n "${KEEP:-}" ]; then
		echo "kept $dir"
	elif [ -n "$dir" ]; then
		rm -rf "$dir"
	fi
}

# ctl_setup NAME: the tools, a private directory, the EXIT trap.
ctl_setup() {
	local t
	world_check_tools || exit 77
	for t in socat jq sqlite3 setpriv; do
		command -v "$t" >/dev/null 2>&1 ||
		    ctl_skip "$t missing (apt-get install socat jq sqlite3 util-linux)"
	done
	[ -x "$NMIGD" ] || ctl_skip "$NMIGD not built"
	[ -x "$NMIGD_CTL" ] || ctl_skip "$NMIGD_CTL not built"
	export WORLD_TTL=5
	# No colours, default timeouts: the client as a user runs it.
	unset NO_COLOR NMIGD_CTL_TIMEOUT_MS
	export NMIGD_CTL_POLL_MS=500
	dir=$(mktemp -d "/tmp/nmigd-$1.XXXXXX") || exit 1
	S=$dir/nmigd.sock
	trap ctl_cleanup EXIT
}

db() {
	sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1"
}

now() {
	date +%s
}

# The RFC 3339 form the daemon writes, of an epoch second.
rfc3339() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# nmigd_start [CONF]: start nmigd in the background (stderr appended to
# DIR/nmigd.log) and wait until its socket answers.
nmigd_start() {
	local i
	# The memory bounds checked here are the daemon's: under
	# AddressSanitizer (CI's sanitizer stage) its quarantine of freed
	# memory, 256 MB by default, would count as well.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
	    "$NMIGD" -c "${1:-$dir/nmigd.conf}" 2>>"$dir/nmigd.log" &
	nmigd_pid=$!
	for i in $(seq 100); do
		kill -0 "$nmigd_pid" 2>/dev/null ||
		    die "nmigd exited at startup"
		[ -S "$S" ] && ctl status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "nmigd's control socket does not answer after 10 s"
}

# nmigd_stop SIG: send SIG and wait; the exit status is in $stop_rc.  (Not
# in a $(...) subshell: only this shell can wait for nmigd.)
nmigd_stop() {
	kill "-$1" "$nmigd_pid"
	wait "$nmigd_pid" 2>/dev/null
	stop_rc=$?
	nmigd_pid=
}

nmigd_stop_quietly() {
	local i
	[ -n "$nmigd_pid" ] || return 0
	kill -TERM "$nmigd_pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$nmigd_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$nmigd_pid" 2>/dev/null
	wait "$nmigd_pid" 2>/dev/null
	nmigd_pid=
}

ctl() {
	"$NMIGD_CTL" -s "$S" "$@"
}

# ctl_json ARGS...: nmigd-ctl --json; the reply line on stdout.  Status 1
# when nmigd-ctl failed, 2 when its output is not one JSON object with
# "version": 1.
ctl_json() {
	local out rc
	out=$(ctl --json "$@" 2>/dev/null)
	rc=$?
	printf '%s\n' "$out"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	    jq -e 'type == "object" and .version == 1' <<<"$out" >/dev/null ||
	    return 2
	return "$rc"
}

# raw N LINE...: write the lines (each with a newline) in one write on one
# connection, print the first N reply lines, and close.  Unlike socat's
# default, the sending side is not shut down after the last line (see the
# half-close check in protocol.sh).  Waits at most RAW_WAIT (5) seconds.
# Status 1 when fewer than N lines came, 2 when a reply line is not a JSON
# object with "version": 1.  RAW_AS may hold a command prefix (setpriv ...)
# to connect as another user.
raw() {
	local n=$1 f pid i
	shift
	f=$(mktemp "$dir/raw.XXXXXX")
	printf '%s\n' "$@" >"$f.in"
	# One write (-b): socat must not be writing still when nmigd closes.
	${RAW_AS:-} socat -b 65536 -t "${RAW_WAIT:-5}" - "UNIX-CONNECT:$S,shut-none" \
	    <"$f.in" >"$f" 2>"$f.err" &
	pid=$!
	for i in $(seq $(( ${RAW_WAIT:-5} * 20 ))); do
		[ "$(wc -l <"$f")" -ge "$n" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	{ kill "$pid" && wait "$pid"; } 2>/dev/null
	head -n "$n" "$f"
	[ "$(head -n "$n" "$f" | wc -l)" -ge "$n" ] || return 1
	head -n "$n" "$f" |
	    jq -e -s 'all(.[]; type == "object" and .version == 1)' \
	    >/dev/null 2>&1 || return 2
	return 0
}

# jqok JSON FILTER: FILTER is true of JSON.
jqok() {
	jq -e "$2" <<<"$1" >/dev/null 2>&1
}

# expect DESCRIPTION JSON FILTER: one check; shows the reply on failure.
expect() {
	if jqok "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		echo "    filter: $3"
		echo "    reply:  $(printf '%s' "$2" | cut -c1-600)"
	fi
}

# checked_since TIME [DOMAIN]: every resolver of the domain (the first
# one) was last checked at TIME or later.
checked_since() {
	ctl_json status ${2:-} 2>/dev/null | jq -e --arg t "$1" \
	    '.domains[0].resolvers | length > 0 and all(.[];
	    .last_checked != null and .last_checked >= $t)' >/dev/null 2>&1
}

# wait_round DOMAIN [SECS]: wait (at most SECS, 10) until every resolver
# of DOMAIN was checked in a round that ended after this moment.
wait_round() {
	local t end
	t=$(rfc3339 $(( $(now) + 1 )))
	end=$(( $(now) + ${2:-10} ))
	while [ "$(now)" -le "$end" ]; do
		checked_since "$t" "$1" && return 0
		sleep 0.3
	done
	return 1
}

# The daemon-side ends of control connections nmigd holds now.
nmigd_connections() {
	ss -xHp state established 2>/dev/null | grep -F "pid=$nmigd_pid," |
	    grep -cF "$S"
}

# wait_no_connections: until nmigd holds no control connection, for at
# most 5 seconds; status 1 if some are left.
wait_no_connections() {
	local end=$(( $(now) + 5 ))
	while [ "$(nmigd_connections)" != 0 ]; do
		[ "$(now)" -le "$end" ] || return 1
		sleep 0.2
	done
}

# ctl_timed ARGS...: nmigd-ctl ARGS (output to DIR/ctl.out, 5 s timeout);
# its exit status in $rc and how long it took in $ms.
ctl_timed() {
	local start
	start=$(date +%s%N)
	NMIGD_CTL_TIMEOUT_MS=5000 ctl "$@" >"$dir/ctl.out" 2>&1
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
}

# ctl_need_python: the hostile clients (clients.py) need python3, run as
# other users too: so not one under /root.
ctl_need_python() {
	PY=/usr/bin/python3
	CLIENTS=$top_srcdir/tests/control/clients.py
	[ -x "$PY" ] || ctl_skip "$PY missing (apt-get install python3)"
}

count_events() {
	db "SELECT count(*) FROM events WHERE message_id = '$1'"
}

# closed_conf DOMAINS RESOLVERS [INTERVAL]: a config of that many domains
# (d00001.example ...) and resolvers (127.0.0.1, ports 1, 2, ...: closed,
# so that probes fail at once), checked every INTERVAL (1h); the resolver
# list goes to DIR/resolvers.conf.
closed_conf() {
	local i
	for i in $(seq "$2"); do
		echo "r$i 127.0.0.1@$i loopback, nothing listens"
	done >"$dir/resolvers.conf"
	cat <<EOF
[nmigd]
database  = $dir/nmigd.db
control   = $S
resolvers = $dir/resolvers.conf
interval  = ${3:-1h}
timeout   = 1s
retries   = 0
EOF
	for i in $(seq "$1"); do
		printf '\n[domain d%05d.example]\nns = ns1.new.example\nmx = 10 mx.new.example\n' "$i"
	done
}
