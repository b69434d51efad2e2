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

. "$top_srcdir/tests/faults/lib.sh"
faults_need sqlite3 jq curl dd
[ -x "$BENCHDNS" ] || skip "benchdns not built"
faults_private_mount_ns "$@"
faults_workdir dbfull db

mount -t tmpfs -o size=512m,mode=0700 tmpfs "$dbdir" ||
    bail "cannot mount a tmpfs on $dbdir"
bench_resolvers "127.59.$(( $$ % 200 + 20 ))" "$R"
mport=$(( port + 1 ))
bench_conf 20s "$D" "metrics   = 127.0.0.1:$mport"

# The domains answer old (other) until 50 s from now, then switch, 2 ms
# apart (20 s for 10,000): by then the first rounds are saved and the
# disk is full.
bench_start $(( $(date +%s%3N) + 50000 )) $(( 10000 / D + 1 ))
nmigd_start

wait_for 45 all_saved other || bail "the first rounds were not saved in 45 s"
ok "$D domains x $R resolvers: the first rounds saved ($(du -sh "$dbdir" | cut -f1))"
dd if=/dev/zero of="$dbdir/filler" bs=64k 2>/dev/null
[ "$(df -k --output=avail "$dbdir" | tail -n 1 | tr -d ' ')" -le 4 ] ||
    bail "could not fill $dbdir"
probes0=$(metric nmigd_probes_total)
hwm0=$(vm_kb VmHWM)

wait_for 90 all_complete
check_while_failing "disk full" "$probes0" "disk is full"
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
check_written_once "space back" 120

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
