#!/bin/bash
# crash.sh - crash safety under load: nmigd watches 1,000 domains with 20
# resolvers every 10 s (the benchmark's W1: tools/benchdns on loopback
# answers them all) while the domains switch one after another, and is
# killed with SIGKILL at random moments, 50 times.  After each kill:
#   - PRAGMA integrity_check says ok;
#   - every event the database held before is still there, unchanged
#     (nothing recorded is lost);
#   - no domain has two completion events, in the database or among
#     the events nmigd emitted (its stderr, where journal events are
#     echoed when stderr is not the journal).
# At the end nmigd runs until every domain is complete: each has exactly
# one completion event, emitted at most once.
#
# KILLS, D (domains) and R (resolvers) change the load; KEEP=1 keeps the
# work directory.  Traffic stays on 127.0.0.0/8.  Exit 0 pass, 1 fail,
# 77 when a tool is missing.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"

for t in sqlite3 jq ss; do
	command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done

KILLS=${KILLS:-50}
D=${D:-1000}
R=${R:-20}

. "$top_srcdir/tests/faults/lib.sh"
faults_workdir crash
[ -x "$BENCHDNS" ] || { echo "SKIP: $BENCHDNS not built"; exit 77; }

# Resolvers on 127.58.X, apart from the other tests' nets.
bench_resolvers "127.58.$(( $$ % 200 + 20 ))" "$R"
bench_conf 10s "$D"
# The domains switch one after another, 5 s from now, over about as long
# as the kills take.
bench_start $(( $(date +%s%3N) + 5000 )) $(( KILLS * 1100 / D + 1 ))

start_nmigd() {
	local i
	nmigd_start
	for i in $(seq 200); do
		ctl status >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

sql() {
	sqlite3 -batch -bail "file:$dir/nmigd.db?mode=ro" "$@"
}

# The events as stored, one a line.
events_dump() {
	sql "SELECT id, time, message_id, priority, domain,
	    coalesce(resolver, ''), message FROM events ORDER BY id" 2>&1
}

# Domains with more than one completion event in the database.
double_completions() {
	sql "SELECT domain FROM events WHERE message_id = '$COMPLETE'
	    GROUP BY domain HAVING count(*) > 1"
}

# Domains whose completion nmigd emitted more than once.
double_emitted() {
	emitted_completions | sort | uniq -d
}

: >"$dir/events.before"
lost=0 corrupt=0 doubles=0 emitted_twice=0 kills=0 longest=0
for ((k = 1; k <= KILLS; k++)); do
	start_nmigd || bail "life $k: nmigd did not start"
	# A random moment within the next 0.2 to 1.4 s: during the first
	# rounds' burst, the flushes, a switch's events.
	ms=$(( RANDOM % 1200 + 200 ))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	pid=
	kills=$((k))
	r=$(sql "PRAGMA integrity_check" 2>&1)
	if [ "$r" != ok ]; then
		corrupt=$((corrupt + 1))
		echo "# life $k: integrity_check: $r"
	fi
	events_dump >"$dir/events.now"
	# Every line before is still there (ids ascend; comm needs sorted).
	if [ -n "$(comm -23 <(sort "$dir/events.before") \
	    <(sort "$dir/events.now"))" ]; then
		lost=$((lost + 1))
		echo "# life $k: events lost:"
		comm -23 <(sort "$dir/events.before") <(sort "$dir/events.now") |
		    head -n 5
	fi
	mv "$dir/events.now" "$dir/events.before"
	[ -z "$(double_completions)" ] || doubles=$((doubles + 1))
	[ -z "$(double_emitted)" ] || emitted_twice=$((emitted_twice + 1))
done
n=$(sql "SELECT count(*) FROM events")
c=$(sql "SELECT count(*) FROM events WHERE message_id = '$COMPLETE'")
ok "$kills kills at random moments; the database holds $n events, $c completions"
check "integrity_check ok after every kill ($corrupt failed)" [ "$corrupt" = 0 ]
check "no stored event lost by a kill ($lost kills lost some)" [ "$lost" = 0 ]
check "no domain with two completion events stored ($doubles kills left some)" \
    [ "$doubles" = 0 ]
check "no completion emitted twice ($emitted_twice)" [ "$emitted_twice" = 0 ]

# --- the end: every domain completes, once.
start_nmigd || bail "the last nmigd did not start"
all_complete() {
	[ "$(ctl --json status | jq '[.domains[] | select(.state != "complete")]
	    | length')" = 0 ]
}
for i in $(seq 600); do
	all_complete && break
	sleep 0.2
done
check "after the kills every domain completes" all_complete
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "nmigd stops cleanly (exit $rc)" [ "$rc" = 0 ]
c=$(sql "SELECT count(DISTINCT domain) FROM events WHERE
    message_id = '$COMPLETE'")
check "every domain has a completion event stored ($c of $D)" [ "$c" = "$D" ]
check "none has two" [ -z "$(double_completions)" ]
n=$(emitted_completions | sort -u | wc -l)
check "completions emitted: each domain at most once ($n distinct, none twice)" \
    [ -z "$(double_emitted)" ]
check "integrity_check ok at the end" [ "$(sql 'PRAGMA integrity_check')" = ok ]

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
