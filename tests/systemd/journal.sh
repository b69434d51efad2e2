#!/bin/bash
# nmigd's events read back from a real journald.  sd_journal_send()
# succeeds even when nobody listens, so only the journal proves that the
# entries arrive, with their MESSAGE_ID, priority and NMIGD_* fields, and
# that "journalctl -x" fills the catalog text in from them.
#
# No systemd as PID 1 needed: the test re-runs itself in a private mount
# namespace with tmpfs over /run (and /var/log/journal, and the catalog
# database), starts systemd-journald there, and stops it by PID at the
# end; the host's journal, catalog and kernel log are left alone.  The
# DNS side is the loopback world of tests/world/lib.sh: three resolvers,
# one of them stopped, and the registry switched before anything is
# cached, so nmigd sees two resolvers switch, one go unreachable, and the
# domain complete within seconds; then r3 starts, and answers again.
#
# Needs root, unshare and setpriv (util-linux), systemd-journald and
# journalctl (systemd), sqlite3, and what the world needs.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
. "$top_srcdir/tests/world/lib.sh"

COMPLETE=6869b19448b743bab7616d7a79b9c627
SWITCHED=e9df83999fd24289a5c3555f27a3633c
UNREACHABLE=d883d5dfdbce4a35a576d374e4aeb74e
R_UNREACHABLE=f21495211c814942a9fbe07b11614c6d
R_REACHABLE=945f41cf78e5472ca0a36d6c191a534e
PARENT=4e68dd1dd5be4958a843136434ae6311
DOMAIN=$WORLD_DOMAIN

skip() {
	echo "SKIP: $*"
	exit 77
}

find_journald() {
	local p
	for p in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
		[ -x "$p" ] && { echo "$p"; return 0; }
	done
	return 1
}

if [ -z "${NMIGD_JOURNAL_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "must run as root (mounts, journald)"
	for t in unshare setpriv journalctl sqlite3; do
		command -v "$t" >/dev/null 2>&1 ||
		    skip "$t missing (apt-get install util-linux systemd sqlite3)"
	done
	find_journald >/dev/null || skip "systemd-journald missing (apt-get install systemd)"
	world_check_tools || exit 77
	unshare --mount --propagation private true 2>/dev/null ||
	    skip "cannot create a mount namespace here"
	NMIGD_JOURNAL_NS=1 exec unshare --mount --propagation private \
	    bash "$0" "$@"
	exit 1
fi

# From here on inside the private mount namespace.
dir=$(mktemp -d /tmp/nmigd-journal.XXXXXX) || exit 1
journald_pid=
nmigd_pid=
cleanup() {
	[ -z "$nmigd_pid" ] || kill "$nmigd_pid" 2>/dev/null
	world_stop "$dir/world"
	if [ -n "$journald_pid" ]; then
		kill "$journald_pid" 2>/dev/null
		wait "$journald_pid" 2>/dev/null
	fi
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	echo "--- nmigd log"; tail -n 30 "$dir/nmigd.log" 2>/dev/null
	echo "--- journald log"; tail -n 20 "$dir/journald.log" 2>/dev/null
	echo "--- events in the database"
	db "SELECT message_id, message FROM events ORDER BY id" 2>/dev/null
	echo "--- nmigd's entries in the journal"
	[ -z "${nmigd_ran:-}" ] ||
	    journalctl --no-pager -o short-precise _PID="$nmigd_ran" 2>&1 | tail -n 30
	exit 1
}
db() { sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1"; }
now() { date +%s; }

# -- A journald of our own.
mount -t tmpfs -o mode=0755 tmpfs /run || fail "cannot mount tmpfs on /run"
if [ -d /var/log/journal ]; then
	mount -t tmpfs -o mode=2755 tmpfs /var/log/journal ||
	    fail "cannot mount tmpfs on /var/log/journal"
fi
# The last drop-in wins over the system's journald.conf: a volatile
# journal in our /run, nothing read from or written to the kernel log,
# nothing forwarded, no rate limit, and the audit setting left as it is.
mkdir -p /run/systemd/journald.conf.d
cat >/run/systemd/journald.conf.d/zz-nmigd-test.conf <<EOF
[Journal]
Storage=volatile
ReadKMsg=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
RateLimitIntervalSec=0
RateLimitBurst=0
Audit=
EOF
# Its own messages to its stderr, not /dev/kmsg; and without the audit
# and syslog capabilities it can neither change the kernel's audit state
# nor read the host's kernel messages.
SYSTEMD_LOG_TARGET=console setpriv \
    --bounding-set -audit_control,-audit_read,-audit_write,-syslog -- \
    "$(find_journald)" >"$dir/journald.log" 2>&1 </dev/null &
journald_pid=$!
for i in $(seq 100); do
	[ -S /run/systemd/journal/socket ] && break
	kill -0 "$journald_pid" 2>/dev/null || break
	sleep 0.1
done
[ -S /run/systemd/journal/socket ] || fail "systemd-journald did not start"

# The catalog, for journalctl -x: an index of our catalog alone, in place
# of the system's (in this namespace only).
catdb=/var/lib/systemd/catalog
[ -d "$catdb" ] || catdb=/var/lib/systemd
[ -d "$catdb" ] || fail "neither /var/lib/systemd/catalog nor /var/lib/systemd exists"
mkdir -p "$dir/catroot/usr/lib/systemd/catalog"
cp "$top_srcdir/systemd/nmigd.catalog" "$dir/catroot/usr/lib/systemd/catalog/"
journalctl --root="$dir/catroot" --update-catalog ||
    fail "journalctl --update-catalog"
mount -t tmpfs tmpfs "$catdb" || fail "cannot mount tmpfs on $catdb"
mkdir -p /var/lib/systemd/catalog
cp "$dir/catroot/var/lib/systemd/catalog/database" /var/lib/systemd/catalog/

# -- The world: r3 stopped, the switch before any resolver cached a thing.
export WORLD_TTL=5
mkdir "$dir/world" || fail "mkdir $dir/world"
world_start "$dir/world" 3 2>>"$dir/world.log" ||
    fail "the world did not start"
world_resolver_stop "$dir/world" 3 || fail "could not stop r3"
world_switch "$dir/world" new 2>>"$dir/world.log" || fail "switch failed"
world_nmigd_conf "$dir/world" "$dir/nmigd.db" |
    sed 's/^unreachable-after.*/unreachable-after = 3s/' >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" 2>>"$dir/nmigd.log" || fail "config rejected"

# -- Reading it back.  Export format: one FIELD=value a line, a blank
# line between entries.  nmigd's entries only: those of its PID.
entries() {
	journalctl --no-pager -o export _PID="$nmigd_ran" "$@"
}
count() { grep -c '^__CURSOR='; }
field() { sed -n "s/^$1=//p"; }

"$NMIGD" -c "$dir/nmigd.conf" 2>>"$dir/nmigd.log" &
nmigd_pid=$!
nmigd_ran=$nmigd_pid
end=$(( $(now) + 60 ))
# The completion and the registry's switch in the database; r3's entry,
# once for the resolver, in the journal only.
while [ "$(db "SELECT count(*) FROM events WHERE message_id IN ('$COMPLETE', '$PARENT')" 2>/dev/null)" != 2 ] ||
    [ "$(entries MESSAGE_ID=$R_UNREACHABLE | count)" = 0 ]; do
	[ "$(now)" -le "$end" ] || fail "no completion, registry and unreachable events after 60 s"
	kill -0 "$nmigd_pid" 2>/dev/null || fail "nmigd died"
	sleep 0.5
done
# r3 back: one entry says so.
world_resolver_start "$dir/world" 3 2>>"$dir/world.log" || fail "could not start r3"
end=$(( $(now) + 60 ))
while [ "$(entries MESSAGE_ID=$R_REACHABLE | count)" = 0 ]; do
	[ "$(now)" -le "$end" ] || fail "no entry saying r3 answers again after 60 s"
	kill -0 "$nmigd_pid" 2>/dev/null || fail "nmigd died"
	sleep 0.5
done
kill -TERM "$nmigd_pid"
wait "$nmigd_pid"
rc=$?
nmigd_pid=
[ "$rc" = 0 ] || fail "nmigd exited with $rc on SIGTERM"

# journald may not have written the last datagrams yet.
for i in $(seq 50); do
	[ "$(entries MESSAGE_ID=$COMPLETE | count)" -ge 1 ] && break
	sleep 0.1
done

out=$(entries MESSAGE_ID=$COMPLETE)
n=$(echo "$out" | count)
[ "$n" = 1 ] || fail "$n completion entries in the journal, not 1"
# Two resolvers switched, one unreachable and left out of the count.
for kv in "NMIGD_DOMAIN=$DOMAIN" NMIGD_RESOLVERS_NEW=2 \
    NMIGD_RESOLVERS_TOTAL=3 NMIGD_RESOLVERS_UNREACHABLE=1 PRIORITY=5 \
    SYSLOG_IDENTIFIER=nmigd; do
	echo "$out" | grep -qx "$kv" ||
	    fail "completion entry lacks $kv; it has: $(echo "$out" | grep '^[A-Z]' | grep -v '^_')"
done
msg=$(echo "$out" | field MESSAGE)
dbmsg=$(db "SELECT message FROM events WHERE message_id = '$COMPLETE'")
[ -n "$msg" ] && [ "$msg" = "$dbmsg" ] ||
    fail "journal MESSAGE '$msg' is not the recorded event '$dbmsg'"
case $msg in
*"$DOMAIN"*r3*) ;;
*) fail "completion MESSAGE '$msg' names neither the domain nor r3" ;;
esac

# One "switched" entry for each live resolver, naming it and its address.
for i in 1 2; do
	addr=$(world_addr "$dir/world" "r$i")
	out=$(entries MESSAGE_ID=$SWITCHED NMIGD_RESOLVER="r$i")
	n=$(echo "$out" | count)
	[ "$n" = 1 ] || fail "$n switched entries for r$i, not 1"
	for kv in "NMIGD_DOMAIN=$DOMAIN" "NMIGD_RESOLVER_ADDRESS=$addr" \
	    PRIORITY=6; do
		echo "$out" | grep -qx "$kv" || fail "switched entry of r$i lacks $kv"
	done
done
# r3, stopped until the end, may have switched once back.
n=$(entries MESSAGE_ID=$SWITCHED NMIGD_RESOLVER=r3 | count)
[ "$n" -le 1 ] || fail "r3 has $n switched entries"

# r3: one entry for the resolver, naming how many domains it is
# unreachable for, without a domain of its own; the database keeps the
# domain's event in its history.
out=$(entries MESSAGE_ID=$R_UNREACHABLE)
n=$(echo "$out" | count)
[ "$n" = 1 ] || fail "$n unreachable entries, not 1"
n=$(entries MESSAGE_ID=$UNREACHABLE | count)
[ "$n" = 0 ] || fail "$n per-domain unreachable entries in the journal, not 0"
for kv in NMIGD_RESOLVER=r3 NMIGD_DOMAINS_AFFECTED=1 \
    "NMIGD_RESOLVER_ADDRESS=$(world_addr "$dir/world" r3)" PRIORITY=4; do
	echo "$out" | grep -qx "$kv" || fail "unreachable entry lacks $kv"
done
echo "$out" | grep -q '^NMIGD_DOMAIN=' &&
    fail "the resolver's unreachable entry has a domain"
out=$(entries MESSAGE_ID=$R_REACHABLE)
n=$(echo "$out" | count)
[ "$n" = 1 ] || fail "$n entries saying r3 answers again, not 1"
for kv in NMIGD_RESOLVER=r3 NMIGD_DOMAINS_AFFECTED=1 PRIORITY=5; do
	echo "$out" | grep -qx "$kv" || fail "answers-again entry lacks $kv"
done
n=$(db "SELECT count(*) FROM events WHERE message_id = '$UNREACHABLE' AND
    resolver = 'r3' AND domain = '$DOMAIN'")
[ "$n" = 1 ] || fail "$n unreachable events of r3 in the domain's history, not 1"

# The registry's switch, found at the parent zone's server, once, with the
# referral's NS TTL (the world's TTL).
out=$(entries MESSAGE_ID=$PARENT)
n=$(echo "$out" | count)
[ "$n" = 1 ] || fail "$n registry entries, not 1"
for kv in "NMIGD_DOMAIN=$DOMAIN" "NMIGD_PARENT_TTL=$(world_get "$dir/world" ttl)" \
    PRIORITY=5 "MESSAGE=registry delegation for $DOMAIN now points at the new nameservers"; do
	echo "$out" | grep -qx "$kv" || fail "registry entry lacks $kv"
done

# The journal holds what the database holds, event for event (but the
# unreachable one: once a resolver there, once a domain here).
for id in $COMPLETE $SWITCHED $PARENT; do
	j=$(entries MESSAGE_ID=$id | count)
	d=$(db "SELECT count(*) FROM events WHERE message_id = '$id'")
	[ "$j" = "$d" ] || fail "$id: $j entries in the journal, $d in the database"
done

# -- journalctl -x: the catalog's text below each entry, every @FIELD@
# filled in from the entry (a field the entry lacks would stay @FIELD@).
subject() {
	awk -v id="$1" '$0 == "-- " id { e = 1; next } /^-- / { e = 0 }
	    e && sub(/^Subject: /, "") { print; exit }' \
	    "$top_srcdir/systemd/nmigd.catalog"
}
for id in $COMPLETE $SWITCHED $R_UNREACHABLE $PARENT; do
	x=$(journalctl --no-pager -x _PID="$nmigd_ran" MESSAGE_ID=$id)
	s=$(subject "$id" | sed "s/@NMIGD_DOMAIN@/$DOMAIN/g")
	echo "$x" | grep -qF "Subject: ${s%%@*}" ||
	    fail "journalctl -x shows no catalog subject for $id: $x"
	case $x in
	*@NMIGD_*) fail "journalctl -x left a field unfilled for $id: $x" ;;
	esac
done
# The counts, in the catalog text (its lines joined again).
x=$(journalctl --no-pager -x _PID="$nmigd_ran" MESSAGE_ID=$COMPLETE)
echo "$x" | awk 'NR > 1 { $1 = ""; printf "%s", $0 }' |
    grep -q " 2 of 3 resolvers report the new records, and 1 unreachable" ||
    fail "journalctl -x does not show the counts: $x"
echo "$x"
echo "PASS: events of nmigd (PID $nmigd_ran) read back from journald"
exit 0
