#!/bin/bash
# hostile.sh - nmigd's prober against hostile and broken resolvers.
#
# One tests/tools/fakedns per misbehaviour, each on its own loopback
# address of a random 127.54.X.0/24 and a random high port, plus an
# address where nothing listens.  nmigd --once must accept only the real
# answer (every fake one carries records that would make the verdict
# "other"), fall back to TCP on TC=1, count a late answer to an earlier
# try, and call everything else "error" within its timeout budget: never
# crash, hang or take junk for an answer.  The daemon must survive the
# same resolvers for a few rounds and stop cleanly on SIGTERM.  With
# valgrind installed the --once pass is repeated under it, except when
# nmigd is built with AddressSanitizer (configure --enable-sanitizers).
#
# Needs root (as the other world tests), jq, ss and timeout; exit 77
# without them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the work directory.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
NMIGD=${NMIGD:-$top_builddir/nmigd}
FAKEDNS=${FAKEDNS:-$top_builddir/tests/tools/fakedns}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "hostile.sh must run as root"
for t in jq ss timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "$t missing (apt-get install jq iproute2 coreutils)"
done
[ -x "$NMIGD" ] || skip "$NMIGD not built"
[ -x "$FAKEDNS" ] || skip "$FAKEDNS not built"

# fakedns instances: NAME MODE [ALT]; resolver NAME is at $net.(10 + index).
FAKES="good:good
junk:junk-then-good:alt
garbage:garbage:alt
flood:flood:alt
slow:slow
servfail:servfail
refused:refused
tc:tc
tcgarbage:tc-tcp-garbage
tcclose:tc-tcp-close
tcshort:tc-tcp-short
tcwrongid:tc-tcp-wrongid
tcsilent:tc-tcp-silent
tcnone:tc-tcp-none"

# What each resolver's state must be after one round ("a|b": either).
EXPECT="good:new
junk:new
garbage:error
flood:new|error
slow:new
servfail:error
refused:error
tc:new
tcgarbage:error
tcclose:error
tcshort:error
tcwrongid:error
tcsilent:error
tcnone:error
closed:error"

NEW_NS='["hns0.dns.nifcloud.com.","hns1.dns.nifcloud.com."]'
NEW_MX='["10 mx01.example.co.jp.","10 mx02.example.co.jp."]'

# Probes end after timeout x (retries + 1) = 2 s over UDP, a TC fallback
# after 1 s more; the rest is slack for a loaded CI machine.
ONCE_BUDGET_MS=6000
VALGRIND_BUDGET_S=40

dir=$(mktemp -d /tmp/nmigd-hostile.XXXXXX) || exit 1
. "$top_srcdir/tests/world/fakes.sh"


# write_conf FILE RESOLVERS INTERVAL
write_conf() {
	cat >"$1" <<EOF
[nmigd]
database  = $dir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $2
interval  = $3
timeout   = 1s
retries   = 1
confirm   = 1
# One query a check: the tries and IDs below are counted per query.
samples   = 1

[domain example.co.jp]
ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com
mx = 10 mx01.example.co.jp, 10 mx02.example.co.jp
old-ns = ns1.oldhost.ne.jp ns2.oldhost.ne.jp
old-mx = 10 mail.oldhost.ne.jp
EOF
}

all_names() {
	cut -d: -f1 <<<"$FAKES"
	echo closed
}

# expect_states JSON LABEL: every resolver against EXPECT.
expect_states() {
	local json=$1 label=$2 name want got
	while IFS=: read -r name want; do
		got=$(rstate "$json" "$name")
		case "|$want|" in
		*"|$got|"*) ok "$label: $name is $got" ;;
		*) not_ok "$label: $name is \"$got\", want $want"
		   rrecords "$json" "$name" NS | sed 's/^/#   /'
		   rrecords "$json" "$name" MX | sed 's/^/#   /'
		   ;;
		esac
	done <<<"$EXPECT"
}

# The records themselves, where an answer came back.
expect_records() {
	local json=$1 label=$2 name t want
	for name in good junk slow tc; do
		for t in NS MX; do
			[ "$t" = NS ] && want=$NEW_NS || want=$NEW_MX
			check "$label: $name $t rdata is the new set" \
			    test "$(rrecords "$json" "$name" "$t" |
			    jq -c '.rdata | sort')" = "$want"
		done
	done
	for name in servfail refused; do
		want=$(echo "$name" | tr '[:lower:]' '[:upper:]')
		check "$label: $name records carry rcode $want" test \
		    "$(rrecords "$json" "$name" NS | jq -r .rcode)/$(rrecords "$json" "$name" MX | jq -r .rcode)" = "$want/$want"
	done
}

# ---------------------------------------------------------------------

fakes_up
ok "started $(wc -l <"$dir/pids") fakedns on $net.0/24 port $port"

# shellcheck disable=SC2046
write_resolvers "$dir/resolvers.conf" $(all_names)
write_conf "$dir/once.conf" "$dir/resolvers.conf" 2s

echo "# nmigd --once against every resolver"
t0=$(now_ms)
timeout 30 "$NMIGD" --once --json -c "$dir/once.conf" >"$dir/once.json" \
    2>"$dir/once.err"
rc=$?
elapsed=$(( $(now_ms) - t0 ))
case $rc in
1)	ok "--once exits 1 (not complete: some resolvers fail)" ;;
124)	bail "--once hung (killed after 30 s)" ;;
*)	not_ok "--once exit status $rc, want 1"; sed 's/^/#   /' "$dir/once.err" ;;
esac
check "--once finished in ${elapsed} ms (budget $ONCE_BUDGET_MS)" \
    test "$elapsed" -le "$ONCE_BUDGET_MS"
jq -e . "$dir/once.json" >/dev/null 2>&1 || bail "--json output is not JSON"
check "status document lists every resolver" \
    test "$(jq '.domains[0].resolvers | length' "$dir/once.json")" = \
    "$(all_names | wc -l)"
expect_states "$dir/once.json" once
expect_records "$dir/once.json" once
check "domain is propagating, not complete" \
    test "$(jq -r '.domains[0].state' "$dir/once.json")" = propagating

# The prober's own claims, seen from the servers' side.
for t in NS MX; do
	ids=$(fake_queries slow udp "$t")
	check "slow: two tries of $t with one ID (late answer to try 1 counts)" \
	    test "$(echo "$ids" | wc -l)/$(echo "$ids" | sort -u | wc -l)" = 2/1
	check "tc: $t asked again over TCP" \
	    test "$(fake_queries tc tcp "$t" | wc -l)" -ge 1
	check "tcsilent: $t asked over TCP (and left waiting)" \
	    test "$(fake_queries tcsilent tcp "$t" | wc -l)" -ge 1
	check "junk: $t asked once (junk did not cause a retry)" \
	    test "$(fake_queries junk udp "$t" | wc -l)" = 1
done

echo "# nmigd --once against the resolvers that give the answer in the end"
write_resolvers "$dir/resolvers-good.conf" good junk slow tc
write_conf "$dir/good.conf" "$dir/resolvers-good.conf" 2s
timeout 30 "$NMIGD" --once --json -c "$dir/good.conf" >"$dir/good.json" \
    2>"$dir/good.err"
rc=$?
check "--once exits 0 when every resolver, hostile or not, says new (got $rc)" \
    test "$rc" = 0
check "domain is complete" \
    test "$(jq -r '.domains[0].state' "$dir/good.json" 2>/dev/null)" = complete

echo "# the daemon against every resolver for 6 s"
write_conf "$dir/daemon.conf" "$dir/resolvers.conf" 3s
before=$(fake_queries good udp NS | wc -l)
"$NMIGD" -c "$dir/daemon.conf" </dev/null >/dev/null 2>"$dir/daemon.log" &
nmigd_pid=$!
sleep 6
if kill -0 "$nmigd_pid" 2>/dev/null; then
	ok "daemon alive after 6 s"
	kill -TERM "$nmigd_pid"
	for i in $(seq 50); do
		kill -0 "$nmigd_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$nmigd_pid" 2>/dev/null; then
		not_ok "daemon still running 5 s after SIGTERM"
	else
		wait "$nmigd_pid"
		rc=$?
		check "daemon exits 0 on SIGTERM (got $rc)" test "$rc" = 0
		nmigd_pid=
	fi
else
	wait "$nmigd_pid"
	not_ok "daemon died within 6 s (exit status $?)"
	nmigd_pid=
	sed 's/^/#   /' "$dir/daemon.log" | tail -n 20
fi
rounds=$(( $(fake_queries good udp NS | wc -l) - before ))
check "daemon probed at least 2 rounds (saw $rounds)" test "$rounds" -ge 2

# valgrind and AddressSanitizer do not mix (both take over malloc and the
# address space); a sanitizer build has checked every run above already.
if grep -aq __asan_init "$NMIGD" 2>/dev/null; then
	echo "# nmigd is built with AddressSanitizer: the valgrind pass is skipped"
elif command -v valgrind >/dev/null 2>&1; then
	echo "# nmigd --once under valgrind"
	timeout "$VALGRIND_BUDGET_S" valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --log-file="$dir/valgrind.log" \
	    "$NMIGD" --once --json -c "$dir/once.conf" >"$dir/vg.json" \
	    2>"$dir/vg.err"
	rc=$?
	if [ "$rc" = 1 ]; then
		ok "valgrind: no memory errors, no definite leaks"
	else
		not_ok "valgrind: exit status $rc, want 1"
		sed 's/^/#   /' "$dir/valgrind.log" | head -n 60
	fi
	expect_states "$dir/vg.json" valgrind
else
	echo "# valgrind not installed: memory checks skipped"
fi

# Every fakedns must still be there: none crashed on what nmigd sent.
while read -r pid; do
	kill -0 "$pid" 2>/dev/null || not_ok "fakedns $pid died during the test"
done <"$dir/pids"

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
