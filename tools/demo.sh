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
ctl() { ./nmigd-ctl -s "$dir/nmigd.sock" "$@"; }
ctl status

say "the registry switches example.co.jp to hns0/hns1.dns.nifcloud.com"
world_switch "$dir"
start=$(date +%s)

say "propagation: nmigd-ctl wait follows it until every resolver's old cache has expired"
ctl wait example.co.jp --timeout 2m || { echo "demo: no completion in 2 minutes"; exit 1; }
echo "switch complete $(( $(date +%s) - start )) s after the registry change"

say "the final picture: nmigd-ctl status"
ctl status
say "the alerts: nmigd-ctl events"
ctl events
say "one resolver's timeline: nmigd-ctl history example.co.jp r3"
ctl history example.co.jp r3
