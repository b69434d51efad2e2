#!/bin/bash
# dbfail.sh - nmigd while its database cannot be written.  The database
# lives on a small tmpfs of its own; a filler file takes the free space
# after nmigd has created its schema and saved a few rounds, so every
# transaction fails from then on (SQLite cannot grow its -wal file), and
# removing the filler gives the space back.  Asserts:
#
#  1. What cannot be saved is not emitted: the registry switches while
#     the disk is full, every resolver answers the new records, status
#     (from memory) shows the switch complete, and still no "DNS switch
#     complete" appears.  Once the space is back the changes are written,
#     and the completion is printed once and stored once, and a restart
#     repeats neither.
#  2. A reload whose database work fails keeps the old configuration: a
#     domain added by a drop-in while the disk is full is refused ("the
#     database failed; the old configuration stays in use"), the control
#     socket shows the old domain only; after the space is back, SIGHUP
#     adds the domain, it is probed and saved, and no round fails on a
#     FOREIGN KEY constraint.
#  3. nmigd never dies meanwhile, and exits 0 on SIGTERM.
#
# The test re-runs itself in a private mount namespace, so the tmpfs never
# shows on the host.  Needs root, unshare and mount (util-linux), sqlite3,
# jq, and what the world needs (tests/world/lib.sh); exit 77 without them.
# Exit 0 pass, 1 fail.  KEEP=1 keeps the work directory.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/tap.sh"

COMPLETE=6869b19448b743bab7616d7a79b9c627
DOMAIN=$WORLD_DOMAIN
DOMAIN2=oldhost.ne.jp

skip() {
	echo "SKIP: $*"
	exit 77
}

if [ -z "${NMIGD_DBFAIL_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "must run as root (mounts, port 53)"
	for t in unshare mount umount sqlite3 jq dd; do
		command -v "$t" >/dev/null 2>&1 ||
		    skip "$t missing (apt-get install util-linux sqlite3 jq)"
	done
	world_check_tools || exit 77
	[ -x "$NMIGD" ] || skip "$NMIGD not built"
	[ -x "$NMIGD_CTL" ] || skip "$NMIGD_CTL not built"
	unshare --mount --propagation private true 2>/dev/null ||
	    skip "cannot create a mount namespace here"
	NMIGD_DBFAIL_NS=1 exec unshare --mount --propagation private \
	    bash "$0" "$@"
	exit 1
fi

# From here on inside the private mount namespace.
export WORLD_TTL=5
dir=$(mktemp -d /tmp/nmigd-dbfail.XXXXXX) || exit 1
dbdir=$dir/db
S=$dir/nmigd.sock
nmigd_pid=

cleanup() {
	[ -z "$nmigd_pid" ] || kill -KILL "$nmigd_pid" 2>/dev/null
	world_stop "$dir/world"
	mountpoint -q "$dbdir" && umount "$dbdir"
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

show_logs() {
	echo "--- nmigd log (last 40 lines)"
	tail -n 40 "$dir/nmigd.log" 2>/dev/null
	echo "--- events"
	db "SELECT time, message_id, domain, resolver FROM events ORDER BY id" \
	    2>/dev/null
	echo "--- $dbdir"
	ls -l "$dbdir" 2>/dev/null
	df -k "$dbdir" 2>/dev/null
}

# A failure the rest cannot go on from.
die() {
	not_ok "$*"
	show_logs
	echo "$npass passed, $nfail failed"
	exit 1
}

finish() {
	[ "$nfail" = 0 ] || show_logs
	echo "$npass passed, $nfail failed"
	[ "$nfail" = 0 ]
	exit $?
}

db() { sqlite3 -batch -cmd ".timeout 5000" "$dbdir/nmigd.db" "$1"; }
now() { date +%s; }
ctl_json() { "$NMIGD_CTL" -s "$S" --json "$@" 2>/dev/null; }
jqok() { jq -e "$2" <<<"$1" >/dev/null 2>&1; }
nlog() { grep -c -- "$1" "$dir/nmigd.log"; }
alive() { kill -0 "$nmigd_pid" 2>/dev/null; }
count_complete() {
	db "SELECT count(*) FROM events WHERE message_id = '$COMPLETE'"
}

# wait_for SECS COMMAND...: poll COMMAND every 0.2 s until it succeeds,
# for at most SECS seconds; false if it never did or nmigd died.
wait_for() {
	local end=$(( $(now) + $1 ))
	shift
	while [ "$(now)" -le "$end" ]; do
		"$@" && return 0
		alive || return 1
		sleep 0.2
	done
	return 1
}

socket_answers() { [ -S "$S" ] && ctl_json status >/dev/null; }
all_old_saved() {
	[ "$(db "SELECT count(*) FROM rverdicts WHERE state = 'old'" \
	    2>/dev/null)" = 3 ]
}
complete_stored() { [ "$(count_complete 2>/dev/null)" -ge 1 ]; }
more_lines() { [ "$(nlog "$1")" -gt "$2" ]; }

# wait_db_failed SECS: nmigd says that its changes could not be saved.
wait_db_failed() {
	local n0
	n0=$(nlog "database: changes not saved")
	wait_for "$1" more_lines "database: changes not saved" "$n0"
}

# The epoch second a status time (RFC 3339, UTC) stands for.
epoch() { date -u -d "$1" +%s 2>/dev/null; }

# checked_since DOMAIN T: every resolver of DOMAIN was last checked at
# epoch T or later (what status shows comes from nmigd's memory, which
# goes on while the database fails).
checked_since() {
	local out lc
	out=$(ctl_json status "$1") && [ -n "$out" ] || return 1
	lc=$(jq -r '[.domains[0].resolvers[] |
	    .last_checked // "1970-01-01T00:00:00Z"] | min' <<<"$out") ||
	    return 1
	[ -n "$lc" ] && [ "$(epoch "$lc")" -ge "$2" ]
}

# wait_round DOMAIN [SECS]: a round of DOMAIN ended after now, and the
# outbox had the time to write what it changed (it flushes 0.2 s after a
# round).
wait_round() {
	wait_for "${2:-10}" checked_since "$1" $(( $(now) + 1 )) &&
	    sleep 0.5
}

domain_complete() {
	jqok "$(ctl_json status "$DOMAIN")" '.domains[0].state == "complete"'
}

# Every record of every resolver of the domain answers the new data: a
# nmigd whose rounds were saved would switch each resolver and complete
# the domain within "confirm" (2) more rounds.
all_new() {
	jqok "$(ctl_json status "$DOMAIN")" '[.domains[0].resolvers[].records[].state] |
	    length > 0 and all(. == "new")'
}

fill_disk() {
	# dd stops at ENOSPC, which is the point.
	dd if=/dev/zero of="$dbdir/filler" bs=64k 2>/dev/null
	[ -s "$dbdir/filler" ] &&
	    [ "$(df -k --output=avail "$dbdir" | tail -n 1 | tr -d ' ')" -le 4 ]
}

start_nmigd() {
	"$NMIGD" -c "$dir/nmigd.conf" 2>>"$dir/nmigd.log" &
	nmigd_pid=$!
	wait_for 10 socket_answers ||
	    die "nmigd did not start (its control socket does not answer)"
}

# stop_nmigd WHAT: SIGTERM; nmigd must still have been the same process
# and exit 0.
stop_nmigd() {
	local rc
	check "$1: nmigd (PID $nmigd_pid) still runs" alive
	kill -TERM "$nmigd_pid"
	wait "$nmigd_pid"
	rc=$?
	nmigd_pid=
	check "$1: SIGTERM, exit status $rc" [ "$rc" = 0 ]
}

# --- the world, a database on its own tmpfs, nmigd
mkdir "$dir/world" "$dbdir" "$dir/conf.d" || die "mkdir"
# Room for the schema, a minute of rounds in the -wal file (SQLite
# checkpoints only at 1000 pages) and the -shm file.
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$dbdir" ||
    die "cannot mount a tmpfs on $dbdir"
world_start "$dir/world" 3 2>>"$dir/world.log" || die "the world did not start"
world_nmigd_conf "$dir/world" "$dbdir/nmigd.db" "" "$S" >"$dir/nmigd.conf"
cat >"$dir/second.conf" <<EOF
[domain $DOMAIN2]
ns = ns1.$DOMAIN2 ns2.$DOMAIN2
mx = 10 mail.$DOMAIN2
EOF
"$NMIGD" -t -c "$dir/nmigd.conf" 2>>"$dir/nmigd.log" || die "config rejected"

start_nmigd
pid1=$nmigd_pid
wait_for 20 all_old_saved || die "no saved round with every resolver old"
wait_round "$DOMAIN" || die "no round after the first ones"
ok "schema created, rounds saved, every resolver old"

# --- 1. a switch while nothing can be saved: a steady round writes
# nothing, so the failure shows when the switch changes the answers.
fill_disk || die "could not fill $dbdir"
world_switch "$dir/world" 2>>"$dir/world.log" || die "world_switch"
switched=$(now)
check "disk full: the changed answers are not saved" wait_db_failed 30
wait_for 40 all_new || die "the resolvers do not answer the new data"
# nmigd goes on judging in memory: the domain completes, but its event
# waits for the database.
check "disk full: status shows the switch complete" wait_for 30 domain_complete
wait_round "$DOMAIN" >/dev/null
check "disk full: no \"DNS switch complete\" on stderr $(( $(now) - switched )) s after the switch" \
    [ "$(nlog "DNS switch complete")" = 0 ]
check "disk full: no completion event stored" [ "$(count_complete)" = 0 ]
check "disk full: the domain is not complete in the database" \
    [ "$(db "SELECT state FROM domains WHERE name = '$DOMAIN.'")" != complete ]
# Every batch is retried each second and fails; the log says so once a
# minute, not once per statement.
check "disk full: statement errors logged once a minute ($(nlog "disk is full") lines)" \
    [ "$(nlog "disk is full")" -le 2 ]

rm -f "$dbdir/filler"
check "space back: the completion event is stored" \
    wait_for 15 complete_stored
check "space back: nmigd says so" grep -q "database: saved again" \
    "$dir/nmigd.log"
wait_round "$DOMAIN" >/dev/null
wait_round "$DOMAIN" >/dev/null
check "space back: exactly one completion event stored ($(count_complete))" \
    [ "$(count_complete)" = 1 ]
check "space back: exactly one \"DNS switch complete\" on stderr ($(nlog "DNS switch complete"))" \
    [ "$(nlog "DNS switch complete")" = 1 ]
check "space back: the domain is complete in the database" \
    [ "$(db "SELECT state FROM domains WHERE name = '$DOMAIN.'")" = complete ]
stop_nmigd "after the switch"

start_nmigd
pid2=$nmigd_pid
check "restarted: rounds go on" wait_round "$DOMAIN"
check "restarted: still one completion event stored ($(count_complete))" \
    [ "$(count_complete)" = 1 ]
check "restarted: still one \"DNS switch complete\" on stderr ($(nlog "DNS switch complete"))" \
    [ "$(nlog "DNS switch complete")" = 1 ]

# --- 2. a reload while its database work cannot be saved
fill_disk || die "could not fill $dbdir again"
cp "$dir/second.conf" "$dir/conf.d/second.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" >/dev/null 2>&1 ||
    die "the config with the drop-in is rejected"
n=$(nlog "reloading ")
kill -HUP "$nmigd_pid"
wait_for 10 more_lines "reloading " "$n" || die "nmigd does not reload on SIGHUP"
check "disk full, SIGHUP: the reload is refused in the log" \
    wait_for 5 grep -q "the database failed; the old configuration stays in use" \
    "$dir/nmigd.log"
r=$(ctl_json status)
if jqok "$r" "[.domains[].domain] == [\"$DOMAIN\"] and
    .domains[0].resolvers_total == 3 and .domains[0].state == \"complete\""; then
	ok "disk full, SIGHUP: status shows the old domain only"
else
	not_ok "disk full, SIGHUP: status shows the old domain only: $(jq -c '[.domains[].domain]' <<<"$r")"
fi
check "disk full, SIGHUP: nmigd still runs" alive

rm -f "$dbdir/filler"
check "space back: rounds go on" wait_round "$DOMAIN" 15
n=$(nlog "reloaded: watching 2 domains")
kill -HUP "$nmigd_pid"
check "space back, SIGHUP: reloaded with both domains" \
    wait_for 10 more_lines "reloaded: watching 2 domains" "$n"
r=$(ctl_json status)
if jqok "$r" "([.domains[].domain] | sort) == [\"$DOMAIN\", \"$DOMAIN2\"]"; then
	ok "space back, SIGHUP: status shows both domains"
else
	not_ok "space back, SIGHUP: status shows both domains: $(jq -c '[.domains[].domain]' <<<"$r")"
fi
check "space back: $DOMAIN2 is probed" wait_round "$DOMAIN2" 15
check "space back: $DOMAIN2's verdicts are in the database" \
    [ "$(db "SELECT count(*) FROM rverdicts v JOIN domains d ON d.id = v.domain_id WHERE d.name = '$DOMAIN2.'")" = 3 ]
nfailed=$(nlog "database: changes not saved")
wait_round "$DOMAIN" >/dev/null
wait_round "$DOMAIN2" >/dev/null
check "space back: no write failed since ($(( $(nlog "database: changes not saved") - nfailed )) did)" \
    [ "$(nlog "database: changes not saved")" = "$nfailed" ]
check "no round ever failed on a FOREIGN KEY constraint" \
    [ "$(nlog "FOREIGN KEY")" = 0 ]
check "after the reloads: still one completion event stored" \
    [ "$(count_complete)" = 1 ]
check "the same nmigd ran throughout the reloads (PID $pid2)" \
    [ "$nmigd_pid" = "$pid2" ]
stop_nmigd "after the reloads"
echo "(nmigd PIDs: $pid1, then $pid2)"
finish
