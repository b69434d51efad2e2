#!/bin/bash
# A DNS migration in miniature, on loopback addresses only: NSD servers for
# the root, the registry (jp. and com.), the old and the new provider, and
# three Unbound resolvers whose caches fill at different moments.  nmigd
# watches example.co.jp while the registry switches its delegation, and
# reports the switch complete once every resolver's old cache has expired.
# Run as root on Debian 12: installs what is missing and builds first.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
nmig_install_deps
nmig_build >/dev/null
. tests/world/lib.sh
world_check_tools

export WORLD_TTL=${WORLD_TTL:-15}
dir=$(mktemp -d /tmp/nmigd-demo.XXXXXX)
nmigd_pid=
cleanup() {
	[ -z "$nmigd_pid" ] || { kill "$nmigd_pid"; wait "$nmigd_pid"; } 2>/dev/null || true
	world_stop "$dir" || true
	rm -rf "$dir"
	echo "demo: stopped everything it started"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
db() { sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1" 2>/dev/null; }

say "starting the world: root, registry, old and new provider, 3 resolvers (TTL ${WORLD_TTL}s)"
world_start "$dir" 3
world_nmigd_conf "$dir" "$dir/nmigd.db" >"$dir/nmigd.conf"
echo; cat "$dir/nmigd.conf"

say "resolvers cache the OLD records at different moments"
for i in 1 2 3; do
	world_warm "$dir" "$i"
	echo "r$i: MX $(world_answer "$dir" "$i" example.co.jp MX)"
	[ "$i" = 3 ] || sleep 4
done

say "nmigd starts watching (events appear below as they happen)"
./nmigd -c "$dir/nmigd.conf" &
nmigd_pid=$!
sleep 3
./nmigd --once -c "$dir/nmigd.conf" || true

say "the registry switches example.co.jp to hns0/hns1.dns.nifcloud.com"
world_switch "$dir"
start=$(date +%s)

say "propagation: each resolver's old records expire from its cache"
while :; do
	sleep 2
	line=$(db "SELECT group_concat(r.name || '=' || v.state || CASE v.switched WHEN 1 THEN '(switched)' ELSE '' END, '  ')
	    FROM rverdicts v JOIN resolvers r ON r.id = v.resolver_id")
	state=$(db "SELECT state FROM domains")
	printf '+%3ss  %-12s %s\n' "$(( $(date +%s) - start ))" "$state" "$line"
	[ "$state" = complete ] && break
	[ $(( $(date +%s) - start )) -lt 120 ] || { echo "demo: no completion in 120 s"; exit 1; }
done

say "the final picture"
./nmigd --once -c "$dir/nmigd.conf" || true
say "events recorded in the database"
db "SELECT time, message FROM events ORDER BY id" | sed 's/|/  /'
