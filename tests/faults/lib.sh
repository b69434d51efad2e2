# tests/faults/lib.sh - what the fault tests under load share: their work
# directory, nmigd and tools/benchdns standing in for R resolvers, and for
# the database faults (dbfull.sh, readonly.sh) a private mount namespace
# and the checks while the database fails and once it writes again.
#
# Source it after tests/tap.sh, then faults_workdir NAME [DBSUB]: $dir is a
# new work directory, $dbdir its subdirectory DBSUB (default: $dir itself)
# for the database on a file system of its own.  The EXIT trap kills
# nmigd ($pid) and benchdns ($dns_pid), unmounts $dbdir when it is a mount
# point, ends the file system's server ($fs_pid) if any, and removes $dir
# unless a check failed or KEEP is set.

NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
BENCHDNS=$top_builddir/tools/benchdns
COMPLETE=6869b19448b743bab7616d7a79b9c627
pid=
dns_pid=
fs_pid=

skip() {
	echo "SKIP: $*"
	exit 77
}

# faults_need TOOL...: skip unless each is on PATH.
faults_need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t missing"
	done
}

# faults_private_mount_ns "$@": re-run this script in a private mount
# namespace unless it runs in one already, so that its mounts never show
# on the host (and go when it ends, however it ends).  Needs root.
faults_private_mount_ns() {
	[ -z "${NMIGD_FAULTS_NS:-}" ] || return 0
	[ "$(id -u)" = 0 ] || skip "must run as root (mounts)"
	faults_need unshare mount umount mountpoint
	unshare --mount --propagation private true 2>/dev/null ||
	    skip "cannot create a mount namespace here"
	NMIGD_FAULTS_NS=1 exec unshare --mount --propagation private \
	    bash "$0" "$@"
	exit 1
}

cleanup() {
	local p
	for p in $pid $dns_pid; do
		kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ "$dbdir" = "$dir" ] || ! mountpoint -q "$dbdir" || umount "$dbdir"
	[ -z "$fs_pid" ] || { kill "$fs_pid" 2>/dev/null; wait "$fs_pid"; }
	if [ -n "${KEEP:-}" ] || [ "$nfail" != 0 ]; then
		echo "# kept $dir"
	else
		rm -rf "$dir"
	fi
}

faults_workdir() {
	dir=$(mktemp -d "/tmp/nmigd-$1.XXXXXX") || exit 1
	dbdir=$dir
	if [ -n "${2:-}" ]; then
		dbdir=$dir/$2
		mkdir "$dbdir" || exit 1
	fi
	trap cleanup EXIT
}

bail() {
	not_ok "$*"
	echo "--- the last lines of nmigd's log"
	tail -n 20 "$dir/nmigd.log"
	echo "$npass passed, $nfail failed"
	exit 1
}

ctl() {
	"$NMIGD_CTL" -s "$dir/nmigd.sock" "$@"
}

# bench_resolvers NET R: R resolvers b01... on NET.1-R (a /24 of 127/8
# apart from the other tests'), port $port, into $dir/resolvers.conf and
# the addrs array.
bench_resolvers() {
	local i
	port=$(( 20000 + $$ % 20000 ))
	addrs=()
	for ((i = 1; i <= $2; i++)); do
		addrs+=("$1.$i")
		printf 'b%02d %s@%s\n' "$i" "$1.$i" "$port"
	done >"$dir/resolvers.conf"
}

# bench_conf INTERVAL D [LINE...]: nmigd.conf for D benchdns domains, one
# sample and confirming round, the [nmigd] LINEs added; benchdns takes any
# rate, and the load is the point.
bench_conf() {
	local interval=$1 d=$2
	shift 2
	{
		cat <<CONF
[nmigd]
database  = $dbdir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
interval  = $interval
timeout   = 2s
retries   = 1
confirm   = 1
samples   = 1
rate      = 1000000
parent    = none
providers = none
CONF
		printf '%s\n' "$@"
		"$BENCHDNS" --domains "$d"
	} >"$dir/nmigd.conf" || bail "cannot write the config"
}

# bench_start SWITCH_AT STAGGER_MS: benchdns on every address, the domains
# answering old until SWITCH_AT (ms since the epoch), STAGGER_MS apart.
bench_start() {
	"$BENCHDNS" --port "$port" --max-seconds 900 --switch-at "$1" \
	    --stagger-ms "$2" "${addrs[@]}" 2>"$dir/benchdns.log" &
	dns_pid=$!
	sleep 0.3
	kill -0 "$dns_pid" 2>/dev/null ||
	    bail "benchdns did not start: $(cat "$dir/benchdns.log")"
}

# nmigd_start: nmigd with $dir/nmigd.conf in the background, its stderr
# in $dir/nmigd.log.
nmigd_start() {
	"$NMIGD" -c "$dir/nmigd.conf" </dev/null >/dev/null \
	    2>>"$dir/nmigd.log" &
	pid=$!
}

# The domains whose completion nmigd emitted (echoed on its stderr when
# stderr is not the journal), one a line, once each time.
emitted_completions() {
	sed -n 's/^nmigd: DNS switch complete for \([^ :]*\):.*/\1/p' \
	    "$dir/nmigd.log"
}

now() { date +%s; }
db() { sqlite3 -batch -cmd ".timeout 5000" "$dbdir/nmigd.db" "$1"; }
nlog() { grep -c -- "$1" "$dir/nmigd.log"; }
metric() {
	curl -fs "http://127.0.0.1:$mport/metrics" |
	    sed -n "s/^$1 \\([0-9.e+-]*\\)\$/\\1/p"
}
vm_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status"; }

# wait_for SECONDS COMMAND...: until COMMAND succeeds; 1 when the time is
# up or nmigd died.
wait_for() {
	local end=$(( $(now) + $1 ))
	shift
	while [ "$(now)" -le "$end" ]; do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

count_state() {
	ctl --json status --state "$1" --limit 1 | jq -r .matched
}

# Every (domain, resolver) of the D x R stored in STATE.
all_saved() {
	[ "$(db "SELECT count(*) FROM rverdicts WHERE state = '$1'" \
	    2>/dev/null)" = $((D * R)) ]
}
all_complete() { [ "$(count_state complete)" = "$D" ]; }
completions_stored() {
	[ "$(db "SELECT count(*) FROM events WHERE message_id = '$COMPLETE'" \
	    2>/dev/null)" = "$D" ]
}

# check_while_failing WHAT PROBES0 SAID: the database fails (WHAT, e.g.
# "disk full") since the probe counter read PROBES0, the domains switched
# meanwhile.  Status, from memory, has them complete; probing went on;
# nothing unsaved was emitted; nmigd said so once, and SAID (its words
# for the cause) a few times, not once a statement; /metrics says so.
check_while_failing() {
	local what=$1 probes0=$2 said=$3 probes n f
	check "$what: status, from memory, has every domain complete" \
	    all_complete
	probes=$(metric nmigd_probes_total)
	check "$what: probing went on ($probes0 -> $probes probes)" \
	    [ "${probes:-0}" -gt $(( ${probes0:-0} + D * R )) ]
	n=$(nlog "DNS switch complete")
	check "$what: no completion emitted ($n)" [ "$n" = 0 ]
	n=$(nlog "database: changes not saved")
	check "$what: nmigd says once that the changes are not saved ($n)" \
	    [ "$n" = 1 ]
	n=$(nlog "$said")
	check "$what: \"$said\" said a few times, not once a statement ($n lines)" \
	    test "$n" -ge 1 -a "$n" -le 3
	f=$(metric nmigd_database_failing)
	check "$what: /metrics says the database fails ($f)" [ "${f:-0}" = 1 ]
}

# check_written_once WHAT SECONDS: the database writes again (WHAT, e.g.
# "space back"): check_completions_once, and nmigd said it saves again.
check_written_once() {
	check_completions_once "$@"
	check "$1: nmigd says it saves again" \
	    grep -q "database: saved again" "$dir/nmigd.log"
}

# check_completions_once WHAT SECONDS: within SECONDS every completion is
# stored and emitted, each exactly once, the resolvers' new state too;
# the database is intact; nmigd exits 0 on SIGTERM.
check_completions_once() {
	local what=$1 n d rc t0=$(now)
	wait_for "$2" completions_stored
	check "$what: every completion stored (in $(( $(now) - t0 )) s)" \
	    completions_stored
	check "$what: none stored twice" [ -z "$(db "SELECT domain FROM events
	    WHERE message_id = '$COMPLETE' GROUP BY domain
	    HAVING count(*) > 1")" ]
	n=$(emitted_completions | sort -u | wc -l)
	d=$(emitted_completions | sort | uniq -d | wc -l)
	check "$what: every completion emitted ($n of $D)" [ "$n" = "$D" ]
	check "$what: none emitted twice ($d)" [ "$d" = 0 ]
	check "$what: every resolver's new state stored" all_saved new
	check "integrity_check ok" [ "$(db 'PRAGMA integrity_check')" = ok ]
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=
	check "nmigd stops cleanly (exit $rc)" [ "$rc" = 0 ]
}
