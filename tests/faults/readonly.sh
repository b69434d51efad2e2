#!/bin/bash
# readonly.sh - the database's file system read-only while 10,000 domains
# are watched: nmigd watches them with 5 resolvers (tools/benchdns on
# loopback) every 15 s, its database in a directory of its own; once the
# first rounds are saved that file system turns read-only, the domains
# switch while nothing can be written, and then it turns writable again.
#
# What "read-only" is here: nmigd keeps its database (WAL mode) open, the
# file, its -wal and -shm, so a read-only remount is refused while it
# runs (EBUSY) and a read-only bind mount elsewhere or chmod changes
# nothing for it.  What reaches a running nmigd is a file system that
# turns read-only under it, as the kernel does after an error or a
# network file system's server does: every write, fsync and create fails
# with EROFS on files already open.  tests/tools/rofs, a pass-through
# FUSE file system, does that on SIGUSR1 and undoes it on SIGUSR2.
#
# What must hold:
#   - probing goes on (the probe counter grows) and status, from memory,
#     shows the domains complete;
#   - the daemon says so loudly but not endlessly: once that changes are
#     not saved, the cause ("Read-only file system") a few times, not
#     once a statement; the database failing in /metrics; retries paced
#     (commit failures a second, printed);
#   - nothing unsaved is emitted: no completion while read-only;
#   - once writable every completion is stored and emitted, each exactly
#     once, every resolver's state too, and the database is intact;
#     nmigd exits 0 on SIGTERM.
#
# Re-runs itself in a private mount namespace, so the mount never shows
# on the host.  D and R change the load; KEEP=1 keeps the work directory.
# Traffic stays on 127.0.0.0/8.  Needs root, unshare, mount, FUSE
# (tests/tools/rofs built, /dev/fuse), sqlite3, jq and curl; exit 77
# without them.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"

D=${D:-10000}
R=${R:-5}
ROFS=$top_builddir/tests/tools/rofs

. "$top_srcdir/tests/faults/lib.sh"
faults_need sqlite3 jq curl
[ -x "$BENCHDNS" ] || skip "benchdns not built"
[ -x "$ROFS" ] || skip "tests/tools/rofs not built (libfuse3-dev missing)"
[ -c /dev/fuse ] || skip "no /dev/fuse"
faults_private_mount_ns "$@"
faults_workdir readonly db

# rofs shows $dir/store at $dbdir.
mkdir "$dir/store" || bail "cannot make $dir/store"
"$ROFS" "$dir/store" "$dbdir" -s 2>"$dir/rofs.log" &
fs_pid=$!
for i in $(seq 50); do
	mountpoint -q "$dbdir" && break
	sleep 0.1
done
mountpoint -q "$dbdir" || bail "rofs did not mount: $(cat "$dir/rofs.log")"

bench_resolvers "127.60.$(( $$ % 200 + 20 ))" "$R"
mport=$(( port + 1 ))
bench_conf 15s "$D" "metrics   = 127.0.0.1:$mport"

# The domains answer old (other) until 25 s from now, then switch, 1 ms
# apart (10 s for 10,000): by then the first rounds are saved and the
# file system is read-only.  Every domain is complete after the round
# at 45 s.
bench_start $(( $(date +%s%3N) + 25000 )) $(( 10000 / D ))
nmigd_start

wait_for 25 all_saved other || bail "the first rounds were not saved in 25 s"
ok "$D domains x $R resolvers: the first rounds saved ($(du -sh "$dir/store" | cut -f1))"
kill -USR1 "$fs_pid"
t0=$(now)
refused() {
	! touch "$dbdir/probe" 2>"$dir/touch.err" &&
	    [ ! -e "$dir/store/probe" ] &&
	    grep -q "Read-only file system" "$dir/touch.err"
}
check "read-only: the database's file system refuses writes" refused
probes0=$(metric nmigd_probes_total)
fail0=$(metric nmigd_database_commit_failures_total)
hwm0=$(vm_kb VmHWM)

wait_for 50 all_complete
check_while_failing "read-only" "$probes0" "Read-only file system"
fail1=$(metric nmigd_database_commit_failures_total)
t1=$(now)
fails=$(( ${fail1:-0} - ${fail0:-0} ))
echo "# read-only for $(( t1 - t0 )) s: $fails commits failed," \
    "VmHWM $hwm0 kB before, $(vm_kb VmHWM) kB with every switch waiting"
check "read-only: tried again, not in a loop ($fails failed commits in $(( t1 - t0 )) s)" \
    test "$fails" -ge 1 -a "$fails" -le $(( 2 * (t1 - t0) + 5 ))

kill -USR2 "$fs_pid"
check_written_once "writable again" 60

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
