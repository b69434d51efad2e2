#!/bin/bash
# world-smoke.sh - the loopback migration world itself behaves like a real
# migration: old data before the registry switch, cached old data right
# after it, new data everywhere once the TTL has passed (and, for a
# resolver whose cached NS set got a fresh TTL, by world_expire_time), and
# nothing left running afterwards.  Exit 0 pass, 1 fail, 77 skip (no nsd/unbound/drill,
# or not root).

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/../tap.sh"

world_check_tools || { echo "SKIP: world-smoke needs nsd, unbound, drill and root"; exit 77; }

export WORLD_TTL=5
dir=

# expect DESCRIPTION WANT GOT
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: want \"$2\", got \"$3\""
	fi
}

# expect_domain I OLD|NEW WHEN: every watched record of resolver rI.
expect_domain() {
	local i=$1 v=$2 ns mx pop smtp
	eval "ns=\$WORLD_${v}_NS mx=\$WORLD_${v}_MX"
	eval "pop=\$WORLD_${v}_POP smtp=\$WORLD_${v}_SMTP"
	expect "r$i NS $3 is $v" "$ns" "$(world_answer "$dir" "$i" example.co.jp. NS)"
	expect "r$i MX $3 is $v" "$mx" "$(world_answer "$dir" "$i" example.co.jp. MX)"
	expect "r$i pop $3 is $v" "$pop" \
	    "$(world_answer "$dir" "$i" pop.example.co.jp. A)"
	expect "r$i smtp $3 is $v" "$smtp" \
	    "$(world_answer "$dir" "$i" smtp.example.co.jp. A)"
}

# sleep_until EPOCH: EPOCH may have a fraction.
sleep_until() {
	sleep "$(awk -v t="$1" -v n="$(date +%s.%N)" \
	    'BEGIN { d = t - n; printf "%.2f", d < 0 ? 0 : d }')"
}

finish() {
	local rc=$?
	if [ -n "$dir" ]; then
		world_stop "$dir" >/dev/null 2>&1
		[ "$nfail" = 0 ] && [ -z "${WORLD_KEEP:-}" ] && rm -rf "$dir"
		[ -d "$dir" ] && echo "# world kept in $dir"
	fi
	exit $rc
}
trap finish EXIT

dir=$(mktemp -d /tmp/nmig-world.XXXXXX) || exit 1
echo "# starting a world with 5 resolvers, TTL $WORLD_TTL s, in $dir"
if ! world_start "$dir" 5; then
	echo "not ok - world_start"
	echo "0 passed, 1 failed"
	exit 1
fi
ok "world started: $(world_get "$dir" net).0/24"

expect "resolvers.conf has one line per resolver" 5 \
    "$(world_resolvers_conf "$dir" | grep -c '^r[0-9] 127\.')"
world_nmigd_conf "$dir" "$dir/nmigd.db" | grep -q '^\[domain example.co.jp\]' &&
    ok "nmigd.conf names the domain" || not_ok "nmigd.conf names the domain"

echo "# before the switch: r1 warmed, r2 and r3 asked, r4 cold, r5 asked MX"
world_warm "$dir" 1 && ok "r1 warmed" || not_ok "r1 warmed"
warmed=$(date +%s)
for i in 1 2 3; do
	expect_domain "$i" OLD "before the switch"
done
expect "old provider answers for itself" "$WORLD_OLD_MX" \
    "$(timeout 5 drill -Q example.co.jp. @"$(world_addr "$dir" old1)" MX)"

expect "r5 MX before the switch is OLD" "$WORLD_OLD_MX" \
    "$(world_answer "$dir" 5 example.co.jp. MX)"

echo "# the registry switch"
world_switch "$dir" && ok "world_switch" || not_ok "world_switch"
switched=$(date +%s.%N)
expect "registry delegates to the new provider" "$WORLD_NEW_NS" \
    "$(timeout 5 drill example.co.jp. @"$(world_addr "$dir" tld)" NS |
    awk '$4 == "NS" && $1 == "example.co.jp." { print $5 }' | sort |
    paste -sd';' | sed 's/;/; /g')"
if [ $(( $(date +%s) - warmed )) -ge $((WORLD_TTL - 1)) ]; then
	not_ok "switch came too late to see r1's cache (slow machine?)"
else
	expect "r1 NS right after the switch is OLD (cached)" "$WORLD_OLD_NS" \
	    "$(world_answer "$dir" 1 example.co.jp. NS)"
	expect "r1 MX right after the switch is OLD (cached)" "$WORLD_OLD_MX" \
	    "$(world_answer "$dir" 1 example.co.jp. MX)"
fi
expect_domain 4 NEW "right after the switch (cold cache)"
expect "old provider still serves the old data" "$WORLD_OLD_MX" \
    "$(timeout 5 drill -Q example.co.jp. @"$(world_addr "$dir" old2)" MX)"

# r5 holds the old provider's NS set from the MX answer's authority
# section; asking NS now replaces it with the same set at a higher trust
# and a fresh TTL.  Unbound's business, so only reported.
sleep_until "$(awk -v s="$switched" -v t="$WORLD_TTL" 'BEGIN { printf "%.3f", s + t - 1 }')"
echo "# r5 NS at switch + $((WORLD_TTL - 1)) s: $(world_answer "$dir" 5 example.co.jp. NS)"

echo "# waiting until switch + $((WORLD_TTL + 2)) s for the caches to expire"
sleep_until "$(awk -v s="$switched" -v t="$WORLD_TTL" 'BEGIN { printf "%.3f", s + t + 2 }')"
for i in 1 2 3 4; do
	expect_domain "$i" NEW "after the TTL"
done
echo "# r5 NS at switch + $((WORLD_TTL + 2)) s: $(world_answer "$dir" 5 example.co.jp. NS)"
echo "# waiting until world_expire_time (switch + 2 x TTL + 3)"
sleep_until "$(world_expire_time "$dir")"
for i in 1 2 3 4 5; do
	expect_domain "$i" NEW "by world_expire_time"
done

echo "# a resolver taken away and brought back"
world_resolver_stop "$dir" 2
expect "stopped r2 does not answer" NOANSWER \
    "$(world_answer "$dir" 2 example.co.jp. NS)"
world_resolver_start "$dir" 2 && ok "r2 restarted" || not_ok "r2 restarted"
expect "restarted r2 NS is NEW" "$WORLD_NEW_NS" \
    "$(world_answer "$dir" 2 example.co.jp. NS)"

echo "# stopping the world"
pids=$(world_procs "$dir")
world_stop "$dir" && ok "world_stop" || not_ok "world_stop"
alive=
for p in $pids; do
	world_is_ours "$dir" "$p" && alive="$alive $p"
done
expect "no process of the world left" "" "$alive$(world_leftovers "$dir")"
world_stop "$dir" && ok "world_stop again is harmless" ||
    not_ok "world_stop again is harmless"

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
