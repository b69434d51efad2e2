#!/bin/bash
# Upgrading a database made by nmigd 0.1 (schema version 1) keeps every
# row.  The fixture, tests/data/nmigd-0.1.sql (see tests/data/README), is
# restored into a real SQLite file and today's nmigd is started on it with
# the configuration it was made with; then:
#   - every table keeps its row count and every row keeps its 0.1 columns
#     unchanged;
#   - the schema version and the schema are those of a new database;
#   - `nmigd-ctl history` shows every answer row (records, states, times,
#     counts) and every event of its domain, `nmigd-ctl events` every
#     event, `nmigd-ctl status` the stored domain and resolver states;
#   - a second start changes nothing (the two dumps are equal).
# No DNS traffic: the fixture's resolvers are on 127.54.1.0/24, where no
# test world runs (world_pick_net picks 127.53.X), the interval is 7 days
# (the first round comes after at most a tenth of it, at random) and the
# timeout an hour, so no round can finish and add a row while this runs.
set -u
export LC_ALL=C
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
FIXTURE=${FIXTURE:-$top_srcdir/tests/data/nmigd-0.1.sql}
. "$top_srcdir/tests/tap.sh"

for t in sqlite3 jq; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "SKIP: $t missing (apt-get install sqlite3 jq)"; exit 77; }
done
[ -x "$NMIGD" ] && [ -x "$NMIGD_CTL" ] ||
    { echo "SKIP: $NMIGD or $NMIGD_CTL not built"; exit 77; }

dir=$(mktemp -d /tmp/nmigd-migrate.XXXXXX) || exit 1
pid=
cleanup() {
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
unset NMIGD_CTL_TIMEOUT_MS

die() {
	not_ok "$*"
	echo "--- nmigd log"; tail -n 30 "$dir"/*.log 2>/dev/null
	echo "$npass passed, $nfail failed"
	exit 1
}
# Tab-separated: no column here holds a tab, several hold a '|'.
db() {
	sqlite3 -batch -separator "$(printf '\t')" -cmd ".timeout 5000" \
	    "${DB:-$dir/nmigd.db}" "$1"
}
ctl() { "$NMIGD_CTL" -s "$dir/nmigd.sock" "$@"; }
# same WHAT EXPECTED ACTUAL: ok when the files are equal, else the diff.
same() {
	if diff -u "$2" "$3" >"$dir/diff"; then
		ok "$1"
	else
		not_ok "$1"
		head -n 40 "$dir/diff"
	fi
}

# conf DB: the fixture's configuration, with resolvers where it found them.
conf() {
	sed -e "s|@DB@|$1|" -e "s|@CONTROL@|$dir/nmigd.sock|" \
	    -e "s|@RESOLVERS@|$dir/resolvers.conf|" \
	    -e 's|@INTERVAL@|7d|' -e 's|@TIMEOUT@|1h|' -e 's|@UNREACHABLE@|1h|' \
	    "$top_srcdir/tests/data/nmigd-0.1.conf.in"
}

# start CONF LOG
start() {
	local i
	"$NMIGD" -c "$1" 2>>"$dir/$2.log" &
	pid=$!
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || { pid=; die "nmigd exited at startup"; }
		[ -S "$dir/nmigd.sock" ] && ctl status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "nmigd's control socket does not answer after 10 s"
}

stop() {
	kill -TERM "$pid"
	wait "$pid"
	local rc=$?
	pid=
	[ "$rc" = 0 ] || die "nmigd exited with $rc on SIGTERM"
}

# snapshot DIR: every table's rows, in the columns of schema 1 only.
TABLES="resolvers domains checks answers rverdicts events"
snapshot() {
	local t cols
	mkdir -p "$1"
	for t in $TABLES; do
		cols=$(cat "$dir/cols.$t")
		db "SELECT $cols FROM $t ORDER BY $cols" >"$1/$t"
	done
}

# --- The fixture as 0.1 left it.
sqlite3 "$dir/nmigd.db" <"$FIXTURE" || die "restoring $FIXTURE"
[ "$(db 'PRAGMA user_version')" = 1 ] || die "the fixture is not schema 1"
for t in $TABLES; do
	db "SELECT group_concat(quote(name), ',') FROM pragma_table_info('$t')" \
	    >"$dir/cols.$t"
	[ -s "$dir/cols.$t" ] || die "the fixture has no table $t"
done
# The fixture must hold what this test is for, lest a smaller one be
# dropped in: every answer state, an unreachable resolver, every event.
states=$(db "SELECT group_concat(s) FROM (SELECT DISTINCT state s FROM answers ORDER BY 1)")
check "fixture: answers in every state ($states)" \
    [ "$states" = error,new,nodata,nxdomain,old,other ]
check "fixture: an unreachable resolver" \
    [ "$(db "SELECT count(*) > 0 FROM rverdicts WHERE state = 'unreachable'")" = 1 ]
check "fixture: all four kinds of event" \
    [ "$(db "SELECT count(DISTINCT message_id) FROM events")" = 4 ]
snapshot "$dir/before"
for t in $TABLES; do
	echo "$t $(db "SELECT count(*) FROM $t")"
done >"$dir/counts.before"

# The resolver list the fixture was made with: same names, addresses and
# locations, so that starting adds or updates no resolver row.
db "SELECT name || ' ' || address || '@' || port || ' ' || location FROM resolvers ORDER BY id" \
    >"$dir/resolvers.conf"
conf "$dir/nmigd.db" >"$dir/nmigd.conf"

# --- A new database, for the schema to compare with.
conf "$dir/new.db" >"$dir/new.conf"
start "$dir/new.conf" new
stop
DB=$dir/new.db db 'PRAGMA user_version' >"$dir/version.new"
# Sorted: a restored dump creates its indexes after all the tables.
DB=$dir/new.db db .schema | sort >"$dir/schema.new"
[ "$(cat "$dir/version.new")" -gt 1 ] || die "a new database is schema $(cat "$dir/version.new")"

# --- First start: the upgrade.
start "$dir/nmigd.conf" first
db 'PRAGMA user_version' >"$dir/version.up"
same "schema version is the current one ($(cat "$dir/version.new"))" \
    "$dir/version.new" "$dir/version.up"
db .schema | sort >"$dir/schema.up"
same "the upgraded schema is a new database's" "$dir/schema.new" "$dir/schema.up"
for t in $TABLES; do
	echo "$t $(db "SELECT count(*) FROM $t")"
done >"$dir/counts.up"
same "row counts per table kept" "$dir/counts.before" "$dir/counts.up"
snapshot "$dir/up"
for t in $TABLES; do
	same "every $t row kept unchanged" "$dir/before/$t" "$dir/up/$t"
done
# Schema 3: every row of resolvers is a resolver target, and every event
# found its domain's row by name.
check "every resolver row has kind resolver" \
    [ "$(db "SELECT count(*) FROM resolvers WHERE kind <> 'resolver'")" = 0 ]
check "every event is keyed by its domain's row" \
    [ "$(db "SELECT count(*) FROM events e LEFT JOIN domains d ON d.id = e.domain_id WHERE d.name IS NOT lower(e.domain) || '.'")" = 0 ]

# Every answer row in its domain's history, exactly: who, what, when, how
# often.  The records are one text column in schema 1, a JSON array here.
for d in $(db "SELECT name FROM domains ORDER BY id"); do
	# An unanswered probe (rcode_num 255: 0.1 wrote its rcode as
	# RCODE255, later versions as NONE) has no rcode or TTL in history.
	db "SELECT r.name, c.owner, c.type, a.state,
	    CASE a.rcode_num WHEN 255 THEN '' ELSE a.rcode END,
	    replace(a.rdata, char(10), '|'),
	    CASE a.rcode_num WHEN 255 THEN '' ELSE a.ttl END, a.first_seen,
	    a.last_seen, a.count
	    FROM answers a JOIN checks c ON c.id = a.check_id
	    JOIN resolvers r ON r.id = a.resolver_id
	    JOIN domains d ON d.id = c.domain_id
	    WHERE d.name = '$d' ORDER BY 1, 2, 3, 8" >"$dir/answers.db"
	if ! ctl --json history "${d%.}" >"$dir/history.json"; then
		not_ok "nmigd-ctl history ${d%.}"
		continue
	fi
	jq -r '.history[] | select(.kind == "answer") |
	    [.resolver, .owner, .type, .state, .rcode, (.rdata | join("|")),
	     .ttl, .first_seen, .last_seen, .count] | @tsv' \
	    "$dir/history.json" | sort -t "$(printf '\t')" -k1,3 -k8,8 \
	    >"$dir/answers.ctl"
	same "history ${d%.}: every answer row, records included" \
	    "$dir/answers.db" "$dir/answers.ctl"
	check "history ${d%.}: not truncated" \
	    [ "$(jq -r '.truncated // false' "$dir/history.json")" = false ]
	db "SELECT time, message_id, coalesce(resolver, ''), message FROM events
	    WHERE domain = '${d%.}' ORDER BY id" >"$dir/dev.db"
	jq -r '.history[] | select(.kind == "event") |
	    [.time, .message_id, (.resolver // ""), .message] | @tsv' \
	    "$dir/history.json" >"$dir/dev.ctl"
	same "history ${d%.}: every event of the domain" "$dir/dev.db" "$dir/dev.ctl"
done

# Every event in nmigd-ctl events.
db "SELECT time, message_id, priority, domain, coalesce(resolver, ''), message
    FROM events ORDER BY id" >"$dir/events.db"
if ctl --json events --since 1970-01-01T00:00:00Z >"$dir/events.json"; then
	jq -r '.events[] | [.time, .message_id, .priority, .domain,
	    (.resolver // ""), .message] | @tsv' "$dir/events.json" \
	    >"$dir/events.ctl"
	same "nmigd-ctl events: every event" "$dir/events.db" "$dir/events.ctl"
else
	not_ok "nmigd-ctl events"
fi

# The stored states are what status reports.
db "SELECT rtrim(d.name, '.'), d.state, coalesce(d.since, ''),
    coalesce(d.complete_at, ''), r.name, v.state, v.switched,
    coalesce(v.since, ''), coalesce(v.last_checked, '')
    FROM rverdicts v JOIN domains d ON d.id = v.domain_id
    JOIN resolvers r ON r.id = v.resolver_id ORDER BY 1, 5" >"$dir/states.db"
if ctl --json status >"$dir/status.json"; then
	jq -r '.domains[] | . as $d | .resolvers[] |
	    [$d.domain, $d.state, ($d.since // ""), ($d.complete_at // ""),
	     .name, .state, (if .switched then 1 else 0 end),
	     (.since // ""), (.last_checked // "")] | @tsv' \
	    "$dir/status.json" | sort -t "$(printf '\t')" -k1,1 -k5,5 \
	    >"$dir/states.ctl"
	same "status: every stored domain and resolver state" \
	    "$dir/states.db" "$dir/states.ctl"
else
	not_ok "nmigd-ctl status"
fi
stop
sqlite3 "$dir/nmigd.db" .dump >"$dir/dump.1"

# --- Second start: nothing left to do.
start "$dir/nmigd.conf" second
stop
sqlite3 "$dir/nmigd.db" .dump >"$dir/dump.2"
same "a second start changes nothing" "$dir/dump.1" "$dir/dump.2"
check "the first start upgraded the schema" grep -q schema "$dir/first.log"
no_schema_line() { ! grep schema "$dir/second.log"; }
check "the second start did not touch the schema" no_schema_line

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
