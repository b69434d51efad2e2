#!/bin/bash
# stream.sh - the status of every domain, which nmigd writes a few domains
# at a time as the client reads: the document is each domain's own status
# in the order of the configuration; clients that ask and never read cost
# a bounded amount of memory each; a reload in the middle of a document
# lists every domain at most once.
#
# nmigd watches domains whose resolvers are loopback ports where nothing
# listens (tests/control/lib.sh closed_conf), so that no world is needed.
#
# Needs root, socat, jq, sqlite3, setpriv and python3; exit 77 without
# them.  Exit 0 pass, 1 fail.  KEEP=1 keeps the work directory.
set -u
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/control/lib.sh"

ctl_setup stream
ctl_need_python

vmrss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$nmigd_pid/status"
}

# --- 300 domains: the document, and each domain asked for alone
closed_conf 300 3 7d >"$dir/nmigd.conf"
nmigd_start
RAW_WAIT=10 raw 1 '{"command":"status"}' >"$dir/all.json"
check "status: one line of JSON with version 1" [ $? = 0 ]
jq -c '.domains[]' "$dir/all.json" >"$dir/all.lines"
check "status: 300 domains, in the order of the configuration" \
    [ "$(jq -r .domain "$dir/all.lines" | tr '\n' ' ')" = \
    "$(seq -f 'd%05g.example' 300 | tr '\n' ' ')" ]
expect "status: the document's keys, in order" "$(jq -c '[keys_unsorted,
    (.domains[0] | keys_unsorted), (.domains[0].resolvers[0] | keys_unsorted)]' \
    "$dir/all.json")" '. == [["version", "generated_at", "pacing", "domains"],
    ["domain", "domain_unicode", "state", "since", "complete_at", "resolvers_total",
    "resolvers_new", "resolvers_answering_new", "resolvers_unreachable",
    "require", "resolvers_required", "not_switched", "watched_since",
    "cancel_old_hosting_at", "cancel_announced_at", "expected_complete_at",
    "resolvers", "parent", "old_provider", "new_provider", "dnssec",
    "learned"],
    ["name", "address",
    "port", "location", "state", "switched", "since", "last_checked",
    "cached_until", "expires_at", "overdue", "ttl_grew", "flapping",
    "flaps", "records"]]'
reqs=()
for i in $(seq 300); do
	reqs+=("$(printf '{"command":"status","domain":"d%05d.example"}' "$i")")
done
RAW_WAIT=20 raw 300 "${reqs[@]}" | jq -c '.domains[0]' >"$dir/one.lines"
# The same text (key order included), unless a round ended in between or
# the parent zone's search (no resolver answers here) gave up meanwhile.
moved='[.resolvers[].last_checked, .parent.search]'
differ=0
while IFS=$'\t' read -r a b; do
	[ "$a" = "$b" ] && continue
	[ "$(jq -c "$moved" <<<"$a")" = "$(jq -c "$moved" <<<"$b")" ] &&
	    differ=$((differ + 1))
done < <(paste "$dir/all.lines" "$dir/one.lines")
check "status: each domain as \"status DOMAIN\" has it ($differ differ)" \
    [ "$differ" = 0 -a "$(wc -l <"$dir/one.lines")" = 300 ]
nmigd_stop TERM

# --- 2000 domains of 20 resolvers: a document of about 30 MB
rm -f "$dir/nmigd.db"
closed_conf 2000 20 7d >"$dir/nmigd.conf"
nmigd_start
ctl_timed --json status
mv "$dir/ctl.out" "$dir/big.json"
size=$(wc -c <"$dir/big.json")
echo "    nmigd-ctl --json status: $size bytes in $ms ms"
check "nmigd-ctl --json status of 2000 domains: exit 0 ($rc)" [ "$rc" = 0 ]
check "nmigd-ctl --json status of 2000 domains: 2000 domains" \
    [ "$(jq '.domains | length' "$dir/big.json")" = 2000 ]

# Clients that ask and never read: each costs at most what it may have
# queued (1 MiB), not a document (30 MB).
before=$(vmrss)
"$PY" "$CLIENTS" mute "$S" 8 15 >"$dir/mute.out" 2>&1 &
mute_pid=$!
bg_pids="$bg_pids $mute_pid"
end=$(( $(now) + 10 ))
until [ -s "$dir/mute.out" ] || [ "$(now)" -gt "$end" ]; do
	sleep 0.2
done
sleep 2
after=$(vmrss)
echo "    8 clients that do not read: VmRSS $before kB -> $after kB"
check "8 clients that do not read cost less than 2 MiB each ($(( (after - before) / 8 )) kB)" \
    [ $(( after - before )) -lt $(( 8 * 2048 )) ]
ctl_timed status d00042.example
check "meanwhile status DOMAIN answers at once (exit $rc, $ms ms)" \
    [ "$rc" = 0 -a "$ms" -lt 1000 ]
check "the 8 are still connected, waiting for them to read" \
    [ "$(nmigd_connections)" = 8 ]
{ kill "$mute_pid" && wait "$mute_pid"; } 2>/dev/null
check "their connections are gone once they are" wait_no_connections

# --- a reload in the middle of a document: domains 1-2000 before it,
# 1001-3000 after.  What was written stays; the rest comes from the new
# configuration; no domain twice.
"$PY" "$CLIENTS" pause "$S" 200000 "$dir/go" "$dir/paused.json" \
    >"$dir/pause.out" 2>&1 &
pause_pid=$!
bg_pids="$bg_pids $pause_pid"
end=$(( $(now) + 10 ))
until grep -q paused "$dir/pause.out" || [ "$(now)" -gt "$end" ]; do
	sleep 0.1
done
{
	sed '/^\[domain/,$d' "$dir/nmigd.conf"
	for i in $(seq 1001 3000); do
		printf '\n[domain d%05d.example]\nns = ns1.new.example\nmx = 10 mx.new.example\n' "$i"
	done
} >"$dir/nmigd.conf.new"
mv "$dir/nmigd.conf.new" "$dir/nmigd.conf"
out=$(ctl reload)
check "reload while a status is half written ($out)" \
    [ "$out" = "configuration reloaded: 2000 domains, 20 resolvers" ]
touch "$dir/go"
wait "$pause_pid"
res=$("$PY" - "$dir/paused.json" <<'END'
import json, sys
names = [d["domain"] for d in json.load(open(sys.argv[1]))["domains"]]
old = ["d%05d.example" % i for i in range(1, 2001)]
new = ["d%05d.example" % i for i in range(1001, 3001)]
before = [n for n in names if n not in new]
k = len(before)
ok = (len(set(names)) == len(names) and names[:k] == old[:k] and
      names[k:] == [n for n in new if n not in names[:k]])
print("ok" if ok else "bad", len(names), k)
END
)
echo "    domains listed, written before the reload: $res"
check "the document lists the old domains written, then every new one not yet written, none twice" \
    grep -q "^ok " <<<"$res"

check "nmigd never logged a crash or an assertion" \
    eval '! grep -qiE "assert|fatal|segmentation|abort" "$dir/nmigd.log"'
nmigd_stop TERM
check "SIGTERM: nmigd exits 0 (exit $stop_rc)" [ "$stop_rc" = 0 ]

ctl_finish
