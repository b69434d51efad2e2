# tests/world/daemon.sh - one nmigd against a loopback world, for the
# scenario tests that source tests/world/lib.sh: start and stop it, read
# its database and status, wait for a condition, fail with its log.
#
#	. "$top_srcdir/tests/world/lib.sh"
#	. "$top_srcdir/tests/world/daemon.sh"
#	daemon_need PACKAGE:COMMAND...	exit 77 unless the world can run
#				and every COMMAND is there
#	daemon_init NAME	the work directory ($dir, /tmp/nmigd-NAME.*),
#				removed at exit with the world (KEEP=1
#				keeps it)
#	nmigd_start / nmigd_stop	nmigd -c $dir/nmigd.conf, log in
#				$dir/nmigd.log; stop fails unless it exits 0
#	db SQL			a query of $dir/nmigd.db
#	status [DOMAIN]		nmigd-ctl --json status (example.co.jp)
#	q FILTER [DOMAIN]	jq -r on the domain's object of status
#	wait_q SECS FILTER WHAT [DOMAIN]	until q prints true
#	now, epoch TIME		seconds since 1970
#	ok TEXT, fail TEXT	report; fail also shows the log, status and
#				events, and exits 1
# Needs sqlite3 and jq.

NMIGD=${NMIGD:-$top_builddir/nmigd}
CTL=${CTL:-$top_builddir/nmigd-ctl}
nmigd_pid=

daemon_need() {
	local pc
	world_check_tools || exit 77
	for pc in sqlite3:sqlite3 jq:jq "$@"; do
		command -v "${pc#*:}" >/dev/null ||
		    { echo "${pc#*:} missing (apt-get install ${pc%%:*})"; exit 77; }
	done
}

daemon_init() {
	dir=$(mktemp -d "/tmp/nmigd-$1.XXXXXX") || exit 1
	trap daemon_cleanup EXIT
}

daemon_cleanup() {
	[ -z "$nmigd_pid" ] || kill "$nmigd_pid" 2>/dev/null
	world_stop "$dir"
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}

ok() { echo "ok: $*"; }

fail() {
	echo "FAIL: $*"
	echo "--- nmigd log"; tail -n 40 "$dir/nmigd.log"
	echo "--- status"; "$CTL" -s "$dir/nmigd.sock" status 2>&1 | head -40
	echo "--- events"; db "SELECT time, message FROM events ORDER BY id"
	exit 1
}

db() { sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1"; }
now() { date +%s; }
epoch() { date -d "$1" +%s; }
status() { "$CTL" -s "$dir/nmigd.sock" --json status "${1:-example.co.jp}"; }
q() { status "${2:-}" | jq -r ".domains[0] | $1"; }

wait_q() {
	local end=$(( $(now) + $1 ))
	while [ "$(now)" -le "$end" ]; do
		[ "$(q "$2" "${4:-}" 2>/dev/null)" = true ] && return 0
		sleep 0.3
	done
	fail "timed out after $1 s waiting for $3"
}

nmigd_start() {
	"$NMIGD" -c "$dir/nmigd.conf" 2>>"$dir/nmigd.log" &
	nmigd_pid=$!
}

nmigd_stop() {
	kill -TERM "$nmigd_pid"
	wait "$nmigd_pid"
	local rc=$?
	nmigd_pid=
	[ "$rc" = 0 ] || fail "nmigd exited with $rc on SIGTERM"
}
