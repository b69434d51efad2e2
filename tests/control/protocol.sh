#!/bin/bash
# protocol.sh - the control protocol against a running nmigd watching a
# loopback world while the registry switches: every command over the raw
# socket and through nmigd-ctl (text and --json), pipelined requests,
# concurrent clients, a client that never reads, oversized and malformed
# requests, a peer that is not root, the socket's mode, a second daemon on
# the same socket, a stale socket left by SIGKILL, and a clean SIGTERM.
#
# Not tested here: the deadlines and the connection limits (limits.sh).
#
# Needs root, the world's tools, socat, jq, sqlite3, setpriv and the user
# nobody; exit 77 without them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the
# work directory.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/control/lib.sh"

ctl_setup protocol
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null ||
    ctl_skip "no user nobody or group nogroup"

world_start "$dir" 3 || die "world_start"
world_nmigd_conf "$dir" "$dir/nmigd.db" >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" 2>/dev/null || die "nmigd -t rejects the config"
nmigd_start
pid0=$nmigd_pid

# The socket: 0660, root's.
check "socket mode is 0660" [ "$(stat -c %a "$S")" = 660 ]
check "socket is a socket owned by root:root" \
    [ -S "$S" -a "$(stat -c %U:%G "$S")" = root:root ]

# Let every resolver see the old data once, then switch: the domain
# propagates while the rest of the checks run, and history gets both.
end=$(( $(now) + 15 ))
until r=$(raw 1 '{"command":"status"}') &&
    jqok "$r" '[.domains[0].resolvers[].state] == ["old","old","old"]'; do
	[ "$(now)" -le "$end" ] || die "resolvers not all old after 15 s"
	sleep 0.3
done
world_switch "$dir" || die "world_switch"

# --- status
r=$(raw 1 '{"command":"status"}')
check "raw status: one reply line with version 1" [ $? = 0 ]
expect "raw status: the document" "$r" '
	(.generated_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) and
	(.domains | length) == 1 and
	(.domains[0] | .domain == "example.co.jp" and
	    (.state | IN("pending", "propagating", "complete")) and
	    (.since | type) == "string" and has("complete_at") and
	    .resolvers_total == 3 and (.resolvers_new | type) == "number" and
	    (.resolvers_answering_new | type) == "number" and
	    .resolvers_unreachable == 0) and
	[.domains[0].resolvers[].name] == ["r1", "r2", "r3"] and
	all(.domains[0].resolvers[]; .port == 53 and (.address | startswith("127.")) and
	    (.location | startswith("loopback resolver")) and
	    (.switched | type) == "boolean" and (.last_checked | type) == "string" and
	    (.state | IN("new", "old", "mixed", "other", "error", "unreachable", "pending")) and
	    [.records[].type] == ["NS", "MX", "A", "A"]) and
	all(.domains[0].resolvers[].records[];
	    (.owner | endswith("example.co.jp.")) and .rcode == "NOERROR" and
	    (.ttl | type) == "number" and (.answered_at | type) == "string" and
	    (.rtt_ms | type) == "number" and (.rdata | type) == "array" and
	    (.state | IN("new", "old", "other", "nodata", "nxdomain", "error", "pending")))'
for name in example.co.jp example.co.jp. EXAMPLE.Co.Jp; do
	r=$(raw 1 "{\"command\":\"status\",\"domain\":\"$name\"}")
	expect "raw status for \"$name\": that domain" "$r" \
	    '(.domains | length) == 1 and .domains[0].domain == "example.co.jp"'
done
# The summary: each domain without its bulky members, the rest as whole.
full=$(raw 1 '{"command":"status"}')
r=$(raw 1 '{"command":"status","summary":true}')
expect "raw status summary: the summary members" "$r" \
    "[.domains[] | keys] == $(echo "$full" | jq -c '[.domains[] |
	del(.resolvers, .old_provider, .new_provider, .dnssec, .learned) | keys]') and
	(.domains[0].parent | has(\"servers\") | not) and
	(.domains[0].parent.state | type) == \"string\""
r=$(raw 1 '{"command":"status","summary":"yes"}')
expect "raw status with a summary that is not a boolean: error" "$r" \
    '.error == "bad summary argument (true or false)"'
r=$(raw 1 '{"command":"status","summary":false}')
expect "raw status with summary false: the whole document" "$r" \
    '.domains[0] | has("resolvers")'
# A page of the list: the domains in a state, the first few of them, and
# how many there were.
for st in pending propagating complete; do
	r=$(raw 1 "{\"command\":\"status\",\"summary\":true,\"state\":\"$st\"}")
	expect "raw status state $st: only such domains, all counted" "$r" \
	    ".matched == (.domains | length) and all(.domains[]; .state == \"$st\")"
done
r=$(raw 1 '{"command":"status","summary":true,"limit":1}')
expect "raw status limit 1: one domain, one matched" "$r" \
    '(.domains | length) == 1 and .matched == 1'
# Rows: the values of the columns named, those of the summary's members,
# with the same filter; a column unknown, or with a domain, is an error.
cols='["domain","domain_unicode","state","since","complete_at","resolvers_total","resolvers_new","resolvers_answering_new","resolvers_unreachable","require","resolvers_required","watched_since","cancel_old_hosting_at","cancel_announced_at","expected_complete_at","parent.state","state"]'
# The domain propagates meanwhile: both asked in a row until a round did
# not come between them.
for _ in $(seq 10); do
	both=$(raw 2 '{"command":"status","summary":true}' \
	    "{\"command\":\"status\",\"summary\":true,\"columns\":$cols}")
	sum=$(head -n 1 <<<"$both")
	r=$(tail -n 1 <<<"$both")
	jqok "$r" ".rows == $(echo "$sum" | jq -c --argjson c "$cols" \
	    '[.domains[] as $d | [$c[] | if . == "parent.state" then
	    $d.parent.state else $d[.] end]]')" && break
	sleep 0.2
done
expect "raw status columns: rows of the summary's values" "$r" \
    "(has(\"domains\") | not) and .columns == $cols and
	.pacing == $(echo "$sum" | jq -c .pacing) and
	.rows == $(echo "$sum" | jq -c --argjson c "$cols" '[.domains[] as $d |
	    [$c[] | if . == "parent.state" then $d.parent.state else $d[.] end]]')"
# "epoch": the same rows, their times as numbers.
tcols='["domain","since","complete_at","watched_since","cancel_old_hosting_at","cancel_announced_at","expected_complete_at"]'
for _ in $(seq 10); do
	both=$(raw 2 "{\"command\":\"status\",\"columns\":$tcols}" \
	    "{\"command\":\"status\",\"columns\":$tcols,\"epoch\":true}")
	text=$(head -n 1 <<<"$both")
	r=$(tail -n 1 <<<"$both")
	jqok "$r" ".rows == $(echo "$text" | jq -c '[.rows[] |
	    [.[0], (.[1:][] | if . == null then null else fromdateiso8601 end)]]')" &&
	    break
	sleep 0.2
done
expect "raw status columns with epoch: the times as numbers" "$r" \
    "any(.rows[]; .[1] | type == \"number\") and .rows == $(echo "$text" |
	jq -c '[.rows[] | [.[0], (.[1:][] |
	    if . == null then null else fromdateiso8601 end)]]')"
r=$(raw 1 '{"command":"status","summary":true,"epoch":true}')
expect "raw status with epoch and no columns: error" "$r" \
    '.error == "epoch is for the rows of columns"'
r=$(raw 1 '{"command":"status","columns":["domain"],"state":"complete","limit":1}')
expect "raw status columns with a filter: matched, the state" "$r" \
    '.state == "complete" and (.matched | type) == "number" and
	(.rows | length) == ([.matched, 1] | min)'
r=$(raw 1 '{"command":"status","columns":["domain","resolvers"]}')
expect "raw status with an unknown column: error, naming the columns" "$r" \
    '.error | startswith("unknown column: resolvers (the columns are: cancel_announced_at, ")'
r=$(raw 1 '{"command":"status","domain":"example.co.jp","columns":["state"]}')
expect "raw status of a domain with columns: error" "$r" \
    '.error == "columns are for the list of every domain, not with a domain"'
r=$(raw 1 '{"command":"status"}')
expect "raw status without a filter: no matched" "$r" 'has("matched") | not'
for bad in '"state":"sideways"' '"state":2' '"limit":0' '"limit":"5"' \
    '"limit":1000001' '"domain":"example.co.jp","state":"complete"'; do
	r=$(raw 1 "{\"command\":\"status\",$bad}")
	expect "raw status with $bad: error" "$r" \
	    '.error | test("^(bad state|bad limit|state and limit are for the list)")'
done
out=$(ctl status --limit 1)
check "nmigd-ctl status --limit 1: exit 0, the domain" eval \
    'grep -qE "^example\.co\.jp +" <<<"$out"'
for bad in "--state sideways" "--limit 0" "--limit x" "example.co.jp --limit 1"; do
	# shellcheck disable=SC2086
	ctl status $bad >/dev/null 2>"$dir/err"
	check "nmigd-ctl status $bad: usage error (exit 2)" [ $? = 2 ]
done
ctl status --state sideways 2>"$dir/err"
check "nmigd-ctl status --state sideways says which states there are" \
    grep -q "pending, propagating or complete" "$dir/err"

r=$(raw 1 '{"command":"status","domain":"nope.example"}')
expect "raw status of an unknown domain: error, naming the watched one" "$r" \
    '. == {"version": 1, "error": "unknown domain: nope.example (watched: example.co.jp)"}'
r=$(raw 1 '{"command":"status","domain":"exmaple.co.jp"}')
expect "raw status of a misspelt domain: did you mean" "$r" \
    '.error == "unknown domain: exmaple.co.jp (did you mean example.co.jp?)"'
r=$(raw 1 '{"command":"status","domain":5}')
expect "raw status with a domain that is not a string: error" "$r" \
    '.error | type == "string"'
r=$(raw 1 '{"command":"status","domain":"bad..name"}')
expect "raw status with a malformed domain name: error" "$r" \
    '.error | type == "string"'

out=$(ctl status)
check "nmigd-ctl status: exit 0" [ $? = 0 ]
check "nmigd-ctl status: a line a domain" eval \
    'grep -qE "^DOMAIN +STATE +NEW +PARENT +EXPECTED +SINCE$" <<<"$out" &&
    grep -qE "^example\.co\.jp +(pending|propagating|complete) +[0-3]/3 " <<<"$out"'
out=$(ctl status example.co.jp)
check "nmigd-ctl status DOMAIN: the grid, a row a resolver" eval \
    'grep -qE "^RESOLVER +LOCATION +STATE +@ NS +@ MX" <<<"$out" &&
    [ "$(grep -cE "^r[123] " <<<"$out")" = 3 ]'
out=$(ctl -v status)
check "nmigd-ctl -v status: a domain line and every resolver" eval \
    'grep -qE "^example\.co\.jp: (pending|propagating|complete), [0-3]/3 resolvers new" <<<"$out" &&
    [ "$(grep -cE "^  r[123] " <<<"$out")" = 3 ]'
r=$(ctl_json status example.co.jp)
check "nmigd-ctl --json status DOMAIN: exit 0, version 1" [ $? = 0 ]
expect "nmigd-ctl --json status DOMAIN: the document" "$r" \
    '.domains[0].domain == "example.co.jp" and (.domains[0].resolvers | length) == 3'
ctl status nope.example >"$dir/out" 2>"$dir/err"
check "nmigd-ctl status of an unknown domain: exit 1" [ $? = 1 ]
check "nmigd-ctl status of an unknown domain: the error on stderr" \
    grep -q "unknown domain: nope.example" "$dir/err"
r=$(ctl_json status nope.example)
check "nmigd-ctl --json status of an unknown domain: exit 1" [ $? = 1 ]
expect "nmigd-ctl --json status of an unknown domain: the error reply" "$r" \
    '.error == "unknown domain: nope.example (watched: example.co.jp)"'

# --- resolvers
r=$(raw 1 '{"command":"resolvers"}')
check "raw resolvers: one reply line with version 1" [ $? = 0 ]
expect "raw resolvers: every resolver and its counters" "$r" '
	(.generated_at | type) == "string" and
	[.resolvers[].name] == ["r1", "r2", "r3"] and
	all(.resolvers[]; .port == 53 and .queries >= .answers and .answers > 0 and
	    .timeouts == 0 and .errors == 0 and .consecutive_failures == 0 and
	    (.last_answer | type) == "string" and (.mean_rtt_ms | type) == "number" and
	    .unreachable_domains == 0 and .unreachable == false)'
out=$(ctl resolvers)
check "nmigd-ctl resolvers: a header and three resolvers" eval \
    'grep -q "^NAME *ADDRESS" <<<"$out" && [ "$(grep -cE "^r[123] +127\." <<<"$out")" = 3 ]'
r=$(ctl_json resolvers)
expect "nmigd-ctl --json resolvers" "$r" '(.resolvers | length) == 3'

# --- check
# Both requests are read in one go, so the second comes while the round
# the first started is still waiting for its answers.
r=$(raw 2 '{"command":"check"}' '{"command":"check","domain":"example.co.jp"}')
check "raw check twice in one write: two replies" [ $? = 0 ]
expect "raw check: the first starts a round (or finds one running)" \
    "$(sed -n 1p <<<"$r")" \
    '(.started + .running) == ["example.co.jp"]'
expect "raw check: the second finds it running" "$(sed -n 2p <<<"$r")" \
    '.started == [] and .running == ["example.co.jp"]'
r=$(raw 1 '{"command":"check","domain":"nope.example"}')
expect "raw check of an unknown domain: error" "$r" \
    '.error == "unknown domain: nope.example (watched: example.co.jp)"'
out=$(ctl check example.co.jp)
rc=$?
check "nmigd-ctl check DOMAIN: exit 0 and says so" eval \
    '[ $rc = 0 ] && grep -qE "^example\.co\.jp: probe round (started|already running)" <<<"$out"'
r=$(ctl_json check)
expect "nmigd-ctl --json check" "$r" '(.started + .running) == ["example.co.jp"]'

# --- framing: in order, malformed, oversized
r=$(raw 3 '{"command":"resolvers"}' '{"command":"events"}' \
    '{"command":"status","domain":"example.co.jp"}')
check "three requests in one write: three replies" [ $? = 0 ]
expect "three requests in one write: answered in order" "$(jq -s -c . <<<"$r")" \
    '(.[0] | has("resolvers")) and (.[1] | has("events")) and (.[2] | has("domains"))'

good='{"command":"status","domain":"example.co.jp"}'
for bad in 'this is not json' '[1,2,3]' '"status"' '{}' '{"command":"frobnicate"}' \
    '{"command":5}' '{"command":null}' '{"command":"status","command":"status"}' \
    '{"command":"status"' $'\xff\xfe{}'; do
	r=$(raw 2 "$bad" "$good")
	rc=$?
	check "malformed $(printf '%q' "$bad"): an error reply, then the next request is answered" \
	    eval '[ $rc = 0 ] &&
	    jqok "$(sed -n 1p <<<"$r")" "(.error | type) == \"string\" and (keys == [\"error\", \"version\"])" &&
	    jqok "$(sed -n 2p <<<"$r")" ".domains[0].domain == \"example.co.jp\""'
done
# Error messages that are not UTF-8 as they stand: jansson quoting a
# partial escape and half a character, and "unknown command: " with a
# name whose cut at 512 bytes falls inside a character.  Both are still
# error replies, in valid UTF-8.
cut=$(printf '{"command":"a%s"}' "$(printf '\xd0\x9a%.0s' $(seq 300))")
for bad in $'{"command":"x\\u0\xd0\x9a"}' "$cut"; do
	r=$(raw 2 "$bad" "$good")
	rc=$?
	check "not UTF-8 in the error, $(printf '%q' "$bad" | cut -c1-40)...: an error reply, then the next request is answered" \
	    eval '[ $rc = 0 ] &&
	    jqok "$(sed -n 1p <<<"$r")" "(.error | test(\"^(not JSON|unknown command): \")) and (keys == [\"error\", \"version\"])" &&
	    jqok "$(sed -n 2p <<<"$r")" ".domains[0].domain == \"example.co.jp\""'
done
r=$(raw 1 '{"command":"frobnicate"}')
expect "unknown command: the error names it" "$r" '.error == "unknown command: frobnicate"'
# Blank lines are no requests: no reply for them.
r=$(raw 1 '' '' "$good")
expect "blank lines are skipped" "$r" '.domains[0].domain == "example.co.jp"'

# 4096 bytes are allowed, 4097 are not; the connection then closes.
pad() {
	local frame='{"command":"status","pad":""}'
	printf '{"command":"status","pad":"%s"}' \
	    "$(head -c $(( $1 - ${#frame} )) /dev/zero | tr '\0' x)"
}
req4096=$(pad 4096)
check "the 4096-byte request is 4096 bytes" [ ${#req4096} = 4096 ]
r=$(raw 1 "$req4096")
expect "a 4096-byte request is answered" "$r" '.domains | length == 1'
# DAEMON BUG (reported to the lead) at exactly 4097 bytes: the read
# watermark (4098) lets the whole line and its newline in, so
# evbuffer_readln() returns it; client_read_cb() sees len > 4096, frees it
# and breaks, but the line is gone from the buffer, so the length test
# after the loop passes: the request is dropped without a reply and the
# connection stays open.  Fix: reply "request too large" and set closing
# right there in the loop.
for len in 4097 4098 4500; do
	# Sent with a good request in one write: only the error comes back.
	r=$(raw 2 "$(pad $len)" "$good" | jq -s -c .)
	expect "a $len-byte request: request too large, then the connection closes [DAEMON BUG if not: see comment]" \
	    "$r" '. == [{"version": 1, "error": "request too large"}]'
done
r=$(raw 3 "$good" "$(head -c 20000 /dev/zero | tr '\0' y)" "$good")
check "a good request, then 20000 bytes with a newline: two replies" \
    [ "$(grep -c . <<<"$r")" = 2 ]
expect "the good request before it is still answered" "$(sed -n 1p <<<"$r")" \
    '.domains[0].domain == "example.co.jp"'
expect "then request too large" "$(sed -n 2p <<<"$r")" '.error == "request too large"'
# Without any newline: the daemon must not wait for one.
head -c 5000 /dev/zero | tr '\0' z >"$dir/nonl"
start=$(now)
timeout 10 socat -t 8 - "UNIX-CONNECT:$S,shut-none" <"$dir/nonl" >"$dir/nonl.out" 2>/dev/null
rc=$?
check "5000 bytes without a newline: request too large" \
    jqok "$(cat "$dir/nonl.out")" '. == {"version": 1, "error": "request too large"}'
check "5000 bytes without a newline: the daemon closes the connection" \
    [ "$rc" = 0 -a $(( $(now) - start )) -lt 5 ]

# --- history and events need the switch done: nmigd-ctl wait
ctl wait example.co.jp --timeout 45s >"$dir/wait.out" 2>&1
check "nmigd-ctl wait: the domain completes (exit 0)" [ $? = 0 ]
check "nmigd-ctl wait: progress lines end with complete" \
    eval 'tail -n 1 "$dir/wait.out" | grep -q complete'

r=$(raw 1 '{"command":"events"}')
check "raw events: one reply line with version 1" [ $? = 0 ]
expect "raw events: 3 switches and 1 completion, oldest first" "$r" "
	([.events[] | select(.message_id == \"$SWITCHED\")] | length) == 3 and
	([.events[] | select(.message_id == \"$COMPLETE\")] | length) == 1 and
	[.events[].time] == ([.events[].time] | sort) and
	.events[-1].message_id == \"$COMPLETE\" and .events[-1].resolver == null and
	all(.events[]; .domain == \"example.co.jp\" and (.priority | type) == \"number\" and
	    (.message | type) == \"string\" and (.time | type) == \"string\") and
	([.events[] | select(.message_id == \"$SWITCHED\") | .resolver] | sort) == [\"r1\", \"r2\", \"r3\"]"
last=$(jq -r '.events[-1].time' <<<"$r")
r=$(raw 1 "{\"command\":\"events\",\"since\":\"$last\"}")
expect "raw events since the last event's time: only events at or after it" "$r" \
    "(.events | length) >= 1 and all(.events[]; .time >= \"$last\") and
    .events[-1].message_id == \"$COMPLETE\""
r=$(raw 1 '{"command":"events","since":"2100-01-01T00:00:00Z"}')
expect "raw events since a future time: none" "$r" '.events == []'
for bad in '"yesterday"' '5' '"2026-13-01T00:00:00Z"'; do
	r=$(raw 1 "{\"command\":\"events\",\"since\":$bad}")
	expect "raw events since $bad: error" "$r" '.error | type == "string"'
done
out=$(ctl events)
check "nmigd-ctl events: the completion line" \
    grep -q "DNS switch complete for example.co.jp: 3 of 3 resolvers" <<<"$out"
r=$(ctl_json events --since 1h)
# Three switches, the completion and the registry's switch.
expect "nmigd-ctl --json events --since 1h: all five" "$r" '(.events | length) == 5'
r=$(ctl_json events --since 2100-01-01T00:00:00Z)
expect "nmigd-ctl --json events --since a future time: none" "$r" '.events == []'

r=$(raw 1 '{"command":"history","domain":"example.co.jp"}')
check "raw history: one reply line with version 1" [ $? = 0 ]
expect "raw history: old and new answers of every resolver, the events, oldest first" "$r" "
	.domain == \"example.co.jp\" and
	[.history[].time] == ([.history[].time] | sort) and
	([.history[] | select(.kind == \"answer\") | .state] | unique) == [\"new\", \"old\"] and
	([.history[] | select(.kind == \"answer\") | .resolver] | unique) == [\"r1\", \"r2\", \"r3\"] and
	([.history[] | select(.kind == \"event\" and .message_id == \"$COMPLETE\")] | length) == 1 and
	all(.history[] | select(.kind == \"answer\"); (.owner | type) == \"string\" and
	    (.type | IN(\"NS\", \"MX\", \"A\")) and (.rdata | type) == \"array\" and
	    (.count | type) == \"number\" and .count >= 1 and .first_seen <= .last_seen) and
	all(.history[]; .kind | IN(\"answer\", \"event\"))"
r=$(raw 1 '{"command":"history","domain":"example.co.jp","resolver":"r2"}')
expect "raw history of one resolver: only its items" "$r" \
    '(.history | length) > 0 and all(.history[]; .resolver == "r2")'
r=$(raw 1 '{"command":"history","domain":"nope.example"}')
expect "raw history of an unknown domain: error" "$r" \
    '.error == "unknown domain: nope.example"'
r=$(raw 1 '{"command":"history"}')
expect "raw history without a domain: error" "$r" '.error | type == "string"'
r=$(raw 1 '{"command":"history","domain":"example.co.jp","resolver":7}')
expect "raw history with a resolver that is not a string: error" "$r" \
    '.error | type == "string"'
out=$(ctl history example.co.jp r1)
rc=$?
check "nmigd-ctl history DOMAIN RESOLVER: a table of r1's changes" eval \
    '[ $rc = 0 ] && grep -q "^TIME *RESOLVER" <<<"$out" && grep -qE "^[0-9T:Z-]+ +r1 " <<<"$out" &&
    ! grep -qE "^[0-9T:Z-]+ +r[23] " <<<"$out"'
r=$(ctl_json history example.co.jp)
expect "nmigd-ctl --json history" "$r" '.domain == "example.co.jp" and (.history | length) > 0'
ctl history nope.example >/dev/null 2>"$dir/err"
rc=$?
check "nmigd-ctl history of an unknown domain: exit 1, the error" \
    eval '[ $rc = 1 ] && grep -q "unknown domain: nope.example" "$dir/err"'

# --- reload, as root: the same configuration again
r=$(raw 1 '{"command":"reload"}')
expect "raw reload" "$r" '. == {"version": 1, "reloaded": true, "domains": 1, "resolvers": 3}'
out=$(ctl reload)
rc=$?
check "nmigd-ctl reload" eval \
    '[ $rc = 0 ] && [ "$out" = "configuration reloaded: 1 domain, 3 resolvers" ]'
r=$(ctl_json reload)
expect "nmigd-ctl --json reload" "$r" '.reloaded == true'

# --- many clients at once: all connected before any asks
for i in $(seq 20); do
	( sleep 1; printf '{"command":"status"}\n'; sleep 4 ) |
	    socat -t 5 - "UNIX-CONNECT:$S,shut-none" >"$dir/conc.$i" 2>&1 &
	bg_pids="$bg_pids $!"
done
sleep 0.7
n=$(nmigd_connections)
check "20 clients connected at once (nmigd holds $n)" [ "$n" -ge 20 ]
end=$(( $(now) + 8 ))
while [ "$(now)" -le "$end" ]; do
	n=0
	for i in $(seq 20); do
		jqok "$(head -n 1 "$dir/conc.$i")" '.domains | length == 1' && n=$((n + 1))
	done
	[ "$n" = 20 ] && break
	sleep 0.2
done
check "20 concurrent clients all answered ($n of 20)" [ "$n" = 20 ]
for p in $bg_pids; do
	{ kill "$p" && wait "$p"; } 2>/dev/null
done
bg_pids=

# --- a client that shuts down its sending side after its requests
# (socat's default, "nc -N", shutdown(SHUT_WR)) must still get every reply,
# however much is still queued for it.
yes '{"command":"status"}' | head -n 20 >"$dir/twenty"
timeout 10 socat -t 5 - "UNIX-CONNECT:$S" <"$dir/twenty" >"$dir/twenty.out" 2>/dev/null
n=$(jq -c 'select(.domains)' "$dir/twenty.out" 2>/dev/null | wc -l)
check "20 requests then EOF: all 20 replies ($n)" [ "$n" = 20 ]
# The last request may lack its newline when the client shuts down its
# side: it is a request all the same, and gets a reply, error or not.
r=$(printf '{"command":"status","domain":"example.co.jp"}' |
    timeout 10 socat -t 5 - "UNIX-CONNECT:$S" 2>/dev/null)
expect "a request without its newline, then EOF: answered" "$r" \
    '.domains[0].domain == "example.co.jp"'
r=$(printf '{"command":"x\xff' | timeout 10 socat -t 5 - "UNIX-CONNECT:$S" \
    2>/dev/null)
expect "a broken request without its newline, then EOF: an error" "$r" \
    '.version == 1 and (.error | type) == "string"'

# --- a peer that is neither root nor nmigd's user
cp "$NMIGD_CTL" "$dir/nmigd-ctl.nobody"
chmod 755 "$dir/nmigd-ctl.nobody"
chmod 711 "$dir"
nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
nobody "$dir/nmigd-ctl.nobody" -s "$S" status >/dev/null 2>"$dir/err"
check "nobody cannot connect to the 0660 root:root socket (exit 3)" [ $? = 3 ]
check "nobody cannot connect: permission denied" grep -qi "permission denied" "$dir/err"
chgrp nogroup "$S"
reloads=$(grep -c "reloading" "$dir/nmigd.log")
out=$(nobody "$dir/nmigd-ctl.nobody" -s "$S" status 2>&1)
rc=$?
check "nobody may read the status" eval \
    '[ $rc = 0 ] && grep -qE "^example\.co\.jp +complete " <<<"$out"'
for cmd in check reload "forget gone.example"; do
	nobody "$dir/nmigd-ctl.nobody" -s "$S" $cmd >/dev/null 2>"$dir/err"
	check "nobody: nmigd-ctl $cmd refused (exit 1)" [ $? = 1 ]
	check "nobody: nmigd-ctl $cmd says permission denied" \
	    grep -q "permission denied: ${cmd%% *} needs root or the nmigd user" "$dir/err"
done
r=$(RAW_AS="setpriv --reuid=nobody --regid=nogroup --clear-groups" raw 4 \
    '{"command":"check"}' '{"command":"reload"}' '{"command":"history","domain":"example.co.jp"}' \
    '{"command":"resolvers"}')
check "nobody over the raw socket: four replies" [ $? = 0 ]
expect "nobody: raw check refused" "$(sed -n 1p <<<"$r")" \
    '. == {"version": 1, "error": "permission denied: check needs root or the nmigd user"}'
expect "nobody: raw reload refused" "$(sed -n 2p <<<"$r")" \
    '. == {"version": 1, "error": "permission denied: reload needs root or the nmigd user"}'
expect "nobody: raw history and resolvers answered" "$(sed -n 3,4p <<<"$r" | jq -s -c .)" \
    '(.[0].history | length) > 0 and (.[1].resolvers | length) == 3'
check "nobody's reloads did not reload" [ "$(grep -c "reloading" "$dir/nmigd.log")" = "$reloads" ]
chgrp root "$S"
chmod 700 "$dir"

# --- a client that asks a lot and never reads
# nmigd reads a client's next request only once its last reply is out, so
# such a client costs one queued reply and one request's worth of input,
# not a pile of replies; the reply deadline closes it eventually (60 s, too
# slow to wait for here).  Meanwhile nmigd answers others and keeps probing.
size=$(raw 1 '{"command":"status"}' | wc -c)
nreq=$(( 80 * 1024 * 1024 / size + 1000 ))
yes '{"command":"status"}' | head -n "$nreq" >"$dir/flood"
flood_from=$(rfc3339 $(( $(now) + 1 )))
socat -u "OPEN:$dir/flood,ignoreeof" "UNIX-CONNECT:$S" 2>/dev/null &
flood_pid=$!
bg_pids="$bg_pids $flood_pid"
answered=0 tries=0
end=$(( $(now) + 25 ))
while [ "$(now)" -le "$end" ]; do
	tries=$((tries + 1))
	NMIGD_CTL_TIMEOUT_MS=3000 ctl status >/dev/null 2>&1 && answered=$((answered + 1))
	[ "$tries" -ge 5 ] && checked_since "$flood_from" && break
	sleep 0.3
done
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$nmigd_pid/status")
echo "    flood: $nreq requests of $size-byte replies; RSS peak ${hwm} kB; $answered/$tries status requests answered meanwhile"
check "flood: nmigd answered every other client meanwhile" [ "$answered" = "$tries" ]
check "flood: nmigd kept probing (a round after the flood began)" \
    checked_since "$flood_from"
check "flood: replies are not piled up for the client (RSS peak ${hwm} kB < 50 MB)" \
    [ "${hwm:-999999}" -lt 51200 ]
check "flood: the client's connection is still open, waiting for it to read" \
    [ "$(nmigd_connections)" = 1 ]
{ kill "$flood_pid" && wait "$flood_pid"; } 2>/dev/null
check "flood: no connection left once the client is gone" wait_no_connections
r=$(raw 1 '{"command":"status"}')
expect "flood: status still answered afterwards" "$r" '.domains[0].state == "complete"'

# --- a second nmigd on the same socket
timeout 20 "$NMIGD" -c "$dir/nmigd.conf" 2>"$dir/second.log"
rc=$?
check "a second nmigd on the same socket exits non-zero (exit $rc)" \
    [ "$rc" != 0 -a "$rc" != 124 ]
check "a second nmigd says why" grep -q "another nmigd is listening there" "$dir/second.log"
r=$(raw 1 '{"command":"status"}')
expect "the first nmigd still answers on its socket" "$r" '.domains | length == 1'

# --- the same daemon all along, and a clean stop
check "nmigd never restarted (pid $pid0)" [ "$nmigd_pid" = "$pid0" ] && kill -0 "$pid0"
check "nmigd never logged a crash or an assertion" \
    eval '! grep -qiE "assert|fatal|segmentation|abort" "$dir/nmigd.log"'
nmigd_stop TERM
check "SIGTERM: nmigd exits 0 (exit $stop_rc)" [ "$stop_rc" = 0 ]
check "SIGTERM: the socket file is removed" [ ! -e "$S" ]

# --- a socket file left by a daemon killed with SIGKILL
nmigd_start
nmigd_stop KILL
check "SIGKILL leaves the socket file behind" [ -S "$S" ]
nmigd_start
r=$(raw 1 '{"command":"status"}')
expect "the next nmigd replaces the stale socket and answers" "$r" \
    '.domains[0].domain == "example.co.jp" and .domains[0].state == "complete"'
check "the new socket is 0660 again" [ "$(stat -c %a "$S")" = 660 ]
nmigd_stop TERM
check "SIGTERM after the restart: exit 0 (exit $stop_rc)" [ "$stop_rc" = 0 ]
check "the completion was recorded once across the restarts" [ "$(count_events $COMPLETE)" = 1 ]

ctl_finish
