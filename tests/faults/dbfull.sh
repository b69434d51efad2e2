#!/bin/bash
# dbfull.sh - the database full while 10,000 domains are watched: nmigd
# watches them with 5 resolvers (tools/benchdns on loopback) every 20 s,
# its database on a tmpfs of its own; once the first rounds are saved a
# filler file takes the free space, and the domains switch while nothing
# can be written.  What must hold:
#   - probing goes on (the probe counter grows) and status, from memory,
#     shows the domains complete;
#   - the daemon says so loudly but not endlessly (a few log lines, the
#     database failing in /metrics);
#   - nothing unsaved is emitted: no completion while the disk is full;
#   - once the space is back every completion is stored and emitted,
#     each exactly once, and the database is intact;
#   - memory holds what waits for the disk once: a round that changes
#     nothing adds nothing (the figure is printed); nmigd exits 0 on
#     SIGTERM.
#
# Re-runs itself in a private mount namespace, so the tmpfs never shows
# on the host.  D and R change the load; KEEP=1 keeps the work directory.
# Traffic stays on 127.0.0.0/8.  Needs root, unshare, mount, sqlite3, jq
# and curl; exit 77 without them.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"

D=${D:-10000}
R=${R:-5}

skip() {
	echo "SKIP: $*"
	exit 77
}

if [ -z "${NMIGD_DBFULL_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "must run as root (mounts)"
	for t in unshare mount umount sqlite3 jq curl dd; do
		command -v "$t" >/dev/null 2>&1 || skip "$t missing"
	done
	[ -x "$top_builddir/tools/benchdns" ] || skip "benchdns not built"
	unshare --mount --propagation private true 2>/dev/null ||
	    skip "cannot create a mount namespace here"
	NMIGD_DBFULL_NS=1 exec unshare --mount --propagation private \
	    bash "$0" "$@"
	exit 1
fi

dir=$(mktemp -d /tmp/nmigd-dbfull.XXXXXX) || exit 1
dbdir=$dir/db
. "$top_srcdir/tests/faults/lib.sh"

now() { date +%s; }
db() { sqlite3 -batch -cmd ".timeout 5000" "$dbdir/nmigd.db" "$1"; }
nlog() { grep -c -- "$1" "$dir/nmigd.log"; }
metric() {
	curl -fs "http://127.0.0.1:$mport/metrics" |
	    sed -n "s/^$1 \\([0-9.e+-]*\\)\$/\\1/p"
}
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
vm_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status"; }
count_state() {
	ctl --json status --state "$1" --limit 1 | jq -r .matched
}
all_saved() {
	[ "$(db "SELECT count(*) FROM rverdicts WHERE state = 'other'" \
	    2>/dev/null)" = $((D * R)) ]
}
all_complete() { [ "$(count_state complete)" = "$D" ]; }
completions_stored() {
	[ "$(db "SELECT count(*) FROM events WHERE message_id = '$COMPLETE'" \
	    2>/dev/null)" = "$D" ]
}

mkdir "$dbdir" || exit 1
mount -t tmpfs -o size=512m,mode=0700 tmpfs "$dbdir" ||
    bail "cannot mount a tmpfs on $dbdir"
bench_resolvers "127.59.$(( $$ % 200 + 20 ))" "$R"
mport=$(( port + 1 ))
bench_conf 20s "$D" "metrics   = 127.0.0.1:$mport"

# The domains answer old (other) until 50 s from now, then switch, 2 ms
# apart (20 s for 10,000): by then the first rounds are saved and the
# disk is full.
bench_start $(( $(date +%s%3N) + 50000 )) $(( 10000 / D + 1 ))
"$NMIGD" -c "$dir/nmigd.conf" </dev/null >/dev/null 2>"$dir/nmigd.log" &
pid=$!

wait_for 45 all_saved || bail "the first rounds were not saved in 45 s"
ok "$D domains x $R resolvers: the first rounds saved ($(du -sh "$dbdir" | cut -f1))"
dd if=/dev/zero of="$dbdir/filler" bs=64k 2>/dev/null
[ "$(df -k --output=avail "$dbdir" | tail -n 1 | tr -d ' ')" -le 4 ] ||
    bail "could not fill $dbdir"
probes0=$(metric nmigd_probes_total)
hwm0=$(vm_kb VmHWM)

wait_for 90 all_complete
check "disk full: status, from memory, has every domain complete" all_complete
probes1=$(metric nmigd_probes_total)
check "disk full: probing went on ($probes0 -> $probes1 probes)" \
    [ "${probes1:-0}" -gt $(( ${probes0:-0} + D * R )) ]
check "disk full: no completion emitted ($(nlog "DNS switch complete"))" \
    [ "$(nlog "DNS switch complete")" = 0 ]
check "disk full: nmigd says the changes are not saved" \
    grep -q "database: changes not saved" "$dir/nmigd.log"
n=$(nlog "disk is full")
check "disk full: said a few times, not once a statement ($n lines)" [ "$n" -le 3 ]
f=$(metric nmigd_database_failing)
check "disk full: /metrics says the database fails ($f)" [ "${f:-0}" = 1 ]
# What waits for the disk (every switch and completion event, a few
# hundred bytes to a kilobyte and a half each) is held once, and a round
# that changes nothing adds nothing to it.
rss1=$(vm_kb VmRSS)
sleep 25
rss2=$(vm_kb VmRSS)
echo "# memory: VmHWM $hwm0 kB before the disk filled, VmRSS $rss1 kB" \
    "with every switch waiting, $rss2 kB a round later"
check "disk full: a round that changes nothing adds nothing ($rss1 -> $rss2 kB, at most 8 MB more)" \
    [ "$rss2" -le $(( rss1 + 8192 )) ]

rm -f "$dbdir/filler"
wait_for 120 completions_stored
check "space back: every completion stored" completions_stored
check "space back: none stored twice" [ -z "$(db "SELECT domain FROM events
    WHERE message_id = '$COMPLETE' GROUP BY domain HAVING count(*) > 1")" ]
n=$(emitted_completions | sort -u | wc -l)
d=$(emitted_completions | sort | uniq -d | wc -l)
check "space back: every completion emitted ($n of $D)" [ "$n" = "$D" ]
check "space back: none emitted twice ($d)" [ "$d" = 0 ]
check "space back: nmigd says it saves again" \
    grep -q "database: saved again" "$dir/nmigd.log"
check "integrity_check ok" [ "$(db 'PRAGMA integrity_check')" = ok ]
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "nmigd stops cleanly (exit $rc)" [ "$rc" = 0 ]

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
