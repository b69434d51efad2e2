#!/bin/bash
# Golden files of what clients see: `nmigd-ctl --json status`, `nmigd-ctl
# status` (text), and both for one domain, at two fixed points of the
# loopback propagation scenario (tests/world/lib.sh): before the switch,
# when every resolver answers old, and after completion.  What a client
# sees must not change when the daemon's core is reshaped (issue 7).
#
# The scenario: a world of 3 Unbound resolvers plus r4, an address where
# nothing listens (unreachable after 2 s), and two domains: the world's
# example.co.jp, which switches, and oldhost.ne.jp, whose answers are old,
# nodata, other and nxdomain throughout.
#
# What varies between runs is masked before comparing (mask_json,
# mask_text below), and nothing else:
#   - times (generated_at, since, complete_at, last_checked, answered_at,
#     and the times in the text) -> TIME; null stays null, so "no time
#     yet" and "a time" still differ;
#   - TTLs, which count down in the resolvers' caches -> TTL (JSON: a
#     number becomes "TTL", null stays; text: a number in the TTL
#     column, "-" stays);
#   - round-trip times (rtt_ms) -> RTT;
#   - how often an old answer's TTL grew (ttl_grew) -> COUNT, and the
#     text's ", TTL grew N times" left out: it depends on how many rounds
#     fell on a cache's expiry;
#   - the world's /24 (127.53.X, picked from $$) -> NET, in addresses
#     and messages;
#   - how long rounds took and how many were late (pacing's
#     longest_round_seconds, late_rounds, stretched) -> MEASURED, and the
#     text's line saying rounds are stretched left out: r4's timeouts
#     make a round as long as the interval, give or take a second;
#   - the work directory (/tmp/nmigd-golden.XXXXXX) -> DIR.
# JSON is compared with its keys sorted (jq -S): key order means nothing
# to a JSON client, array order is kept.  A mismatch prints a unified diff
# (golden, then actual).
#
# GOLDEN_UPDATE=1 writes the actual output into tests/world/golden/
# instead of comparing: review the diff (git diff tests/world/golden) and
# commit it with the change that explains it.
set -u
export LC_ALL=C
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
GOLDEN=$top_srcdir/tests/world/golden
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/tap.sh"

world_check_tools || exit 77
command -v jq >/dev/null || { echo "SKIP: jq missing (apt-get install jq)"; exit 77; }
[ -x "$NMIGD" ] && [ -x "$NMIGD_CTL" ] ||
    { echo "SKIP: $NMIGD or $NMIGD_CTL not built"; exit 77; }

export WORLD_TTL=5
# The client as a user runs it: no colours, default timeouts.
unset NO_COLOR NMIGD_CTL_TIMEOUT_MS
dir=$(mktemp -d /tmp/nmigd-golden.XXXXXX) || exit 1
pid=
cleanup() {
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
	world_stop "$dir"
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

die() {
	not_ok "$*"
	echo "--- nmigd log"; tail -n 30 "$dir/nmigd.log"
	echo "--- status"; ctl status 2>&1 | head -n 40
	echo "$npass passed, $nfail failed"
	exit 1
}
ctl() { "$NMIGD_CTL" -s "$dir/nmigd.sock" "$@"; }

# The masks.  JSON: by key, wherever the key is; times by their form.
mask_json() {
	jq -S --arg net "$net." --arg dir "$dir" '
	    walk(if type == "object" then
		with_entries(
		    if (.key == "ttl") and (.value | type == "number")
			then .value = "TTL"
		    elif (.key == "rtt_ms") and (.value | type == "number")
			then .value = "RTT"
		    elif (.key == "ttl_grew") and (.value | type == "number")
			then .value = "COUNT"
		    elif .key | IN("longest_round_seconds", "late_rounds",
			"stretched")
			then .value = "MEASURED"
		    else . end)
	    elif type == "string" then
		gsub("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z";
		    "TIME") |
		split($net) | join("NET.") | split($dir) | join("DIR")
	    else . end)'
}

# Text: times; the TTL column, found by the header's "TTL" (its numbers
# are right-aligned under it; "-", no TTL, stays); the net and dir.
mask_text() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' \
	    -e 's/, TTL grew [0-9]+ times//' -e '/^rounds are stretched /d' \
	    -e "s|${net//./\\.}\\.|NET.|g" -e "s|$dir|DIR|g" |
	awk '
	    /^  RESOLVER / { end = index($0, "TTL") + 2 }
	    end && length($0) >= end {
		s = substr($0, 1, end)
		if (sub(/ +[0-9]+$/, "", s))
			$0 = s sprintf("%" (end - length(s)) "s", "TTL") \
			    substr($0, end + 1)
	    }
	    { print }'
}

# The glance views (a line a domain, a domain's grid): times and the TTL
# left in a cell ("old 12s"); as these change the columns' widths, runs of
# spaces count as one gap.
mask_glance() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' \
	    -e 's/, TTL grew [0-9]+ times//' -e '/^rounds are stretched /d' \
	    -e 's/\((in )?[0-9]+[smhd]([0-9]+[smh])?( ago)?\)/(WHEN)/g' \
	    -e 's/(old|other|mixed|nodata|nxdomain|error) [0-9]+[smhd]([0-9]+[smh])?/\1 TTL/g' \
	    -e "s|${net//./\\.}\\.|NET.|g" -e "s|$dir|DIR|g" -e 's/  +/  /g' \
	    -e 's/ +$//'
}

# golden NAME: compare DIR/NAME.out, masked already, with the golden file
# (or write it, with GOLDEN_UPDATE=1).
golden() {
	local name=$1 g=$GOLDEN/$1
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		mkdir -p "$GOLDEN" && cp "$dir/$name.out" "$g"
		ok "$name: golden file written"
	elif [ ! -f "$g" ]; then
		not_ok "$name: no golden file $g (GOLDEN_UPDATE=1 writes it)"
	elif diff -u "$g" "$dir/$name.out"; then
		ok "$name: as the golden file"
	else
		not_ok "$name: differs from the golden file (diff above)"
	fi
}

# snapshot POINT: the four outputs at a fixed point, masked, compared.
snapshot() {
	local d=$WORLD_DOMAIN
	ctl --json status | mask_json >"$dir/$1-status.json.out" ||
	    die "nmigd-ctl --json status"
	ctl --json status "$d" | mask_json >"$dir/$1-status-$d.json.out" ||
	    die "nmigd-ctl --json status $d"
	ctl status | mask_glance >"$dir/$1-status.txt.out" ||
	    die "nmigd-ctl status"
	ctl status "$d" | mask_glance >"$dir/$1-status-$d.txt.out" ||
	    die "nmigd-ctl status $d"
	ctl -v status "$d" | mask_text >"$dir/$1-status-v-$d.txt.out" ||
	    die "nmigd-ctl -v status $d"
	golden "$1-status.json"
	golden "$1-status-$d.json"
	golden "$1-status.txt"
	golden "$1-status-$d.txt"
	golden "$1-status-v-$d.txt"
}

# wait_status SECS WHAT JQ-CONDITION: poll the status document.
wait_status() {
	local end=$(( $(date +%s) + $1 )) out
	while [ "$(date +%s)" -le "$end" ]; do
		# Not piped: jq 1.6 -e exits 0 on empty input (no daemon yet).
		out=$(ctl --json status 2>/dev/null) && [ -n "$out" ] &&
		    jq -e "$3" <<<"$out" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	die "timed out after $1 s waiting for $2"
}

world_start "$dir" 3 || exit 1
net=$(world_get "$dir" net)
{ world_resolvers_conf "$dir"
  echo "r4 $net.19 nothing listens here"; } >"$dir/resolvers.conf.nmigd"
{ world_nmigd_conf "$dir" "$dir/nmigd.db" "$dir/resolvers.conf.nmigd" |
      sed 's/^unreachable-after.*/unreachable-after = 2s/'
  cat <<'EOF'

[domain oldhost.ne.jp]
ns     = hns0.dns.nifcloud.com hns1.dns.nifcloud.com
old-ns = ns1.oldhost.ne.jp ns2.oldhost.ne.jp
mx     = 10 mx01.oldhost.ne.jp
record = mail A 198.51.100.25
record = www A 198.51.100.80
EOF
} >"$dir/nmigd.conf"
"$NMIGD" -t -c "$dir/nmigd.conf" >/dev/null || die "config rejected"
for i in 1 2 3; do world_warm "$dir" "$i" || die "warming r$i"; done

"$NMIGD" -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" &
pid=$!

# Before the switch: r1..r3 answer every check (old for example.co.jp),
# r4 is unreachable for both domains.
wait_status 30 "every resolver old, r4 unreachable" '
    [.domains[].resolvers[] | select(.name == "r4") | .state] ==
	["unreachable", "unreachable"] and
    ([.domains[].resolvers[] | select(.name != "r4") | .records[].state] |
	all(. != "pending")) and
    ([.domains[] | select(.domain == "example.co.jp") | .resolvers[] |
	select(.name != "r4") | .state, .records[].state] | all(. == "old")) and
    ([.domains[].parent.state] | all(. == "old"))'
snapshot old

world_switch "$dir" new || die "switch"
wait_status 60 "completion" '
    [.domains[] | select(.domain == "example.co.jp") |
	.state == "complete" and .resolvers_new == 3 and
	.parent.state == "new"] == [true]'
snapshot complete

kill -TERM "$pid"
wait "$pid" || not_ok "nmigd exited with $? on SIGTERM"
pid=
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
