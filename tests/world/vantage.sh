#!/bin/bash
# Several vantage points, for real: two nmigd instances ("vantage = a",
# "vantage = b") watch example.co.jp through different resolvers of the
# loopback world, and one Prometheus server (the Debian package, on
# loopback) scrapes both with the shipped rules.  After the registry
# switch, a sees only Unbound resolvers and completes; b also asks a
# dnsmasq forwarder pinned to the old provider and stays propagating.
# Prometheus's HTTP API then says the domain is complete at a but not
# everywhere; once b's forwarder follows the new provider, it is complete
# everywhere.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need dnsmasq-base:dnsmasq curl:curl prometheus:prometheus
export WORLD_TTL=3
daemon_init vantage
base=$(( 20000 + $$ % 20000 ))
pa=$base pb=$(( base + 1 )) pp=$(( base + 2 ))

world_start "$dir" 2 || exit 1
world_forwarder_start "$dir" 1 old1 >"$dir/f1.line" || fail "no forwarder"
# nmigd_conf NAME PORT RESOLVERS...: one vantage's config, database and
# socket, watching the world's domain through those resolver lines.
nmigd_conf() {
	local v=$1 port=$2
	shift 2
	mkdir -p "$dir/$v"
	printf '%s\n' "$@" >"$dir/$v/resolvers.conf"
	world_nmigd_conf "$dir" "$dir/$v/nmigd.db" "$dir/$v/resolvers.conf" \
	    "$dir/$v/nmigd.sock" |
	    sed "s|^\[nmigd\]\$|[nmigd]\nmetrics = 127.0.0.1:$port\nvantage = $v\nsamples = 1|" \
	    >"$dir/$v/nmigd.conf"
	"$NMIGD" -t -c "$dir/$v/nmigd.conf" || fail "config of $v rejected"
	"$NMIGD" -c "$dir/$v/nmigd.conf" 2>>"$dir/$v/nmigd.log" &
	echo $! >"$dir/$v/pid"
}
nmigd_conf a "$pa" "$(sed -n 1p "$dir/resolvers.conf")"
nmigd_conf b "$pb" "$(sed -n 2p "$dir/resolvers.conf")" "$(cat "$dir/f1.line")"
stop_vantages() {
	kill "$(cat "$dir/a/pid")" "$(cat "$dir/b/pid")" 2>/dev/null
}
trap 'stop_vantages; daemon_cleanup' EXIT
vq() { "$CTL" -s "$dir/$1/nmigd.sock" --json status example.co.jp |
    jq -r ".domains[0] | $2"; }

mkdir -p "$dir/prom"
cat >"$dir/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $top_srcdir/etc/prometheus/nmigd.rules.yml
scrape_configs:
  - job_name: nmigd
    static_configs:
      - targets: ['127.0.0.1:$pa', '127.0.0.1:$pb']
EOF
world_spawn "$dir" prom prometheus --config.file="$dir/prom/prometheus.yml" \
    --storage.tsdb.path="$dir/prom/data" \
    --web.listen-address="127.0.0.1:$pp"
api=http://127.0.0.1:$pp/api/v1
# firing ALERTNAME: the vantages (or "all") it fires for, sorted.
firing() {
	curl -fsS "$api/alerts" | jq -r --arg n "$1" '[.data.alerts[] |
	    select(.labels.alertname == $n and .state == "firing") |
	    .labels.vantage // "all"] | sort | join(" ")'
}
for _ in $(seq 60); do
	[ "$(curl -fsS "$api/query?query=count(up%7Bjob%3D%22nmigd%22%7D%3D%3D1)" 2>/dev/null |
	    jq -r '.data.result[0].value[1]' 2>/dev/null)" = 2 ] && break
	sleep 0.5
done
[ "$(curl -fsS "$api/query?query=count(up%7Bjob%3D%22nmigd%22%7D%3D%3D1)" |
    jq -r '.data.result[0].value[1]')" = 2 ] ||
    fail "Prometheus does not scrape both vantages: $(cat "$dir/prom/stderr" | tail -5)"
got=$(curl -fsS "$api/query?query=nmigd_build_info" |
    jq -r '[.data.result[].metric.vantage] | sort | join(" ")')
[ "$got" = "a b" ] || fail "vantage labels seen by Prometheus: $got"
ok "Prometheus scrapes both vantages, each series labelled with its vantage"

world_switch "$dir" || fail "switch"
end=$(( $(now) + 40 ))
until [ "$(vq a .state)" = complete ]; do
	[ "$(now)" -le "$end" ] || fail "vantage a never completed"
	sleep 0.5
done
# Prometheus needs a scrape and an evaluation to see it.
for _ in $(seq 20); do [ "$(firing NmigdDomainComplete)" = a ] && break; sleep 0.5; done
[ "$(firing NmigdDomainComplete)" = a ] ||
    fail "NmigdDomainComplete fires for '$(firing NmigdDomainComplete)', not a"
[ "$(vq b .state)" != complete ] || fail "b complete with its forwarder pinned to the old provider"
[ -z "$(firing NmigdDomainCompleteEverywhere)" ] ||
    fail "complete everywhere while b is $(vq b .state)"
ok "complete at a, b $(vq b .state): not complete everywhere"

# b's forwarder now follows the new provider.
world_kill "$dir" f1 || fail "could not stop the forwarder"
world_forwarder_start "$dir" 1 new1 >/dev/null || fail "forwarder restart"
end=$(( $(now) + 40 ))
until [ "$(vq b .state)" = complete ]; do
	[ "$(now)" -le "$end" ] || fail "vantage b never completed"
	sleep 0.5
done
for _ in $(seq 20); do [ "$(firing NmigdDomainCompleteEverywhere)" = all ] && break; sleep 0.5; done
[ "$(firing NmigdDomainCompleteEverywhere)" = all ] ||
    fail "not complete everywhere with both vantages complete"
[ "$(firing NmigdDomainComplete)" = "a b" ] || fail "complete at $(firing NmigdDomainComplete)"
ok "both vantages complete: Prometheus's rule says complete everywhere"
echo "PASS: several vantage points through Prometheus"
exit 0
