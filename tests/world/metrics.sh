#!/bin/bash
# The Prometheus endpoint, scraped with curl from a daemon watching a
# loopback world: the series a dashboard relies on are there with sane
# values, and nothing but GET /metrics is served.  With metrics-detail
# = yes, then, after a reload, without: the per-(domain, resolver)
# families only when asked for, the counts by state always.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
NMIGD=${NMIGD:-$top_srcdir/nmigd}
. "$top_srcdir/tests/world/lib.sh"

world_check_tools || exit 77
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
command -v promtool >/dev/null ||
    { echo "promtool missing (apt-get install prometheus)"; exit 77; }

export WORLD_TTL=5
dir=$(mktemp -d /tmp/nmigd-metrics.XXXXXX)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	world_stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- log"; tail -n 20 "$dir/nmigd.log"; exit 1; }

world_start "$dir" 3 || exit 1
port=$(( 20000 + $$ % 20000 ))
{ world_nmigd_conf "$dir" "$dir/nmigd.db"; } |
    sed "s/^unreachable-after.*/&\nmetrics = 127.0.0.1:$port\nmetrics-detail = yes/" \
    >"$dir/nmigd.conf"
grep -q "^metrics = 127.0.0.1:$port" "$dir/nmigd.conf" || fail "config not written"
world_switch "$dir" || fail "switch"
"$NMIGD" -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" &
pid=$!

url=http://127.0.0.1:$port/metrics
for _ in $(seq 60); do
	curl -fsS "$url" -o "$dir/m.txt" 2>/dev/null &&
	    grep -q 'nmigd_domain_state{domain="example.co.jp",state="complete"} 1' "$dir/m.txt" &&
	    break
	sleep 0.5
done
m=$dir/m.txt
grep -q 'nmigd_domain_state{domain="example.co.jp",state="complete"} 1' "$m" ||
    fail "domain never reported complete in metrics: $(grep domain_state "$m")"
grep -q '^nmigd_domain_state{domain="example.co.jp",state="pending"} 0$' "$m" ||
    fail "one-hot domain state missing"
grep -q '^nmigd_domain_resolvers_new{domain="example.co.jp"} 3$' "$m" || fail "resolvers_new"
grep -q '^nmigd_domain_resolvers{domain="example.co.jp"} 3$' "$m" || fail "resolvers"
grep -q '^nmigd_domain_resolvers_by_state{domain="example.co.jp",state="new"} 3$' "$m" ||
    fail "resolvers by state: new"
[ "$(grep -c '^nmigd_domain_resolvers_by_state{domain="example.co.jp",state="[a-z]*"} 0$' "$m")" = 6 ] ||
    fail "resolvers by state: every other state, 0"
[ "$(grep -c '^nmigd_resolver_state{domain="example.co.jp",resolver="r[123]",state="new"} 1$' "$m")" = 3 ] ||
    fail "per-resolver state"
# A state set: every state of every resolver, 0 or 1, one of them 1.
[ "$(grep -c '^nmigd_resolver_state{domain="example.co.jp",resolver="r1",state="[a-z]*"} [01]$' "$m")" = 7 ] ||
    fail "not every resolver state is present"
grep -Eq '^nmigd_build_info\{version="[0-9][^"]*"\} 1$' "$m" || fail "build_info"
for t in complete last_round; do
	v=$(sed -n "s/^nmigd_domain_${t}_timestamp_seconds{domain=\"example.co.jp\"} //p" "$m")
	[ "${v:-0}" -gt "$(( $(date +%s) - 600 ))" ] || fail "${t}_timestamp_seconds: ${v:-none}"
done
# What Prometheus's own linter says, and every family's samples right
# after its own HELP and TYPE, never split.
promtool check metrics <"$m" || fail "promtool check metrics"
awk '/^# TYPE / { if (seen[$3]++) bad = bad " " $3; fam = $3; next }
    /^#/ { next }
    { n = $1; sub(/\{.*/, "", n); if (n != fam) bad = bad " " n }
    END { if (bad != "") { print "not grouped:" bad; exit 1 } }' "$m" ||
    fail "families not grouped"
# Held gzip, served gzip to a request that takes it and plain to any
# other: the same build both ways (two plain reads around the gzip one
# agree), the gzip body exactly the plain text, each of its length.
for _ in $(seq 20); do
	curl -fsS "$url" -o "$dir/p1.txt" \
	    --next -fsS -H 'Accept-Encoding: gzip' -D "$dir/gz.head" "$url" \
	    -o "$dir/m.gz" --next -fsS "$url" -o "$dir/p2.txt" || fail "curl"
	cmp -s "$dir/p1.txt" "$dir/p2.txt" && break
	sleep 0.1
done
cmp -s "$dir/p1.txt" "$dir/p2.txt" || fail "no two reads of one build"
tr -d '\r' <"$dir/gz.head" | grep -qi '^Content-Encoding: gzip$' ||
    fail "no Content-Encoding: gzip: $(cat "$dir/gz.head")"
tr -d '\r' <"$dir/gz.head" | grep -qi '^Vary: Accept-Encoding$' ||
    fail "gzip answer without Vary"
tr -d '\r' <"$dir/gz.head" | grep -qi "^Content-Length: $(stat -c %s "$dir/m.gz")$" ||
    fail "gzip Content-Length"
gzip -dc <"$dir/m.gz" >"$dir/gunzipped.txt" || fail "gzip -d"
cmp "$dir/gunzipped.txt" "$dir/p1.txt" || fail "gzip body is not the plain document"
promtool check metrics <"$dir/gunzipped.txt" || fail "promtool check metrics, gzip"
# q=0 refuses gzip: plain, with its length, still Vary.
curl -fsS -H 'Accept-Encoding: gzip;q=0' -D "$dir/q0.head" "$url" -o "$dir/q0.txt" ||
    fail "curl q=0"
grep -qi '^Content-Encoding' "$dir/q0.head" && fail "gzip;q=0 got gzip"
tr -d '\r' <"$dir/q0.head" | grep -qi '^Vary: Accept-Encoding$' ||
    fail "plain answer without Vary"
tr -d '\r' <"$dir/q0.head" | grep -qi "^Content-Length: $(stat -c %s "$dir/q0.txt")$" ||
    fail "plain Content-Length"
head -c 100 "$dir/q0.txt" | grep -q '^# HELP' || fail "gzip;q=0 body not plain text"
# HEAD says the length of what GET would send, each way.
len=$(curl -fsSI -H 'Accept-Encoding: gzip' "$url" | tr -d '\r' |
    sed -n 's/^Content-Length: //Ip')
[ "${len:-0}" -gt 100 ] || fail "HEAD gzip: Content-Length ${len:-none}"
grep -Eq '^nmigd_resolver_rtt_seconds\{domain="example.co.jp",resolver="r1"\} [0-9.]+$' "$m" || fail "rtt"
grep -Eq '^nmigd_resolver_last_answer_age_seconds\{domain="example.co.jp",resolver="r1"\} [0-9]+$' "$m" || fail "age"
for c in nmigd_probes_total nmigd_timeouts_total nmigd_tcp_fallbacks_total \
    nmigd_dropped_answers_total nmigd_probes_skipped_total; do
	grep -q "^# TYPE $c counter$" "$m" || fail "$c has no TYPE line"
	grep -Eq "^$c [0-9]+$" "$m" || fail "$c missing"
done
for g in nmigd_udp_sockets nmigd_private_ports; do
	grep -q "^# TYPE $g gauge$" "$m" || fail "$g has no TYPE line"
	grep -Eq "^$g [0-9]+$" "$m" || fail "$g missing"
done
# The queries went out on the pool's ports, which stay open for the next.
[ "$(sed -n 's/^nmigd_udp_sockets //p' "$m")" -ge 1 ] || fail "no UDP socket open"
probes=$(sed -n 's/^nmigd_probes_total //p' "$m")
[ "$probes" -ge 24 ] || fail "only $probes probes counted"
grep -q 'text/plain; version=0.0.4' <(curl -fsSI "$url") || fail "content type"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")
[ "$code" = 404 ] || fail "other path gave $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url")
[ "$code" = 405 ] || [ "$code" = 501 ] || fail "POST gave $code"
kill -0 "$pid" || fail "nmigd died"

# metrics-detail = no, the default: no series a resolver and domain.
sed -i '/^metrics-detail/d' "$dir/nmigd.conf"
kill -HUP "$pid"
for _ in $(seq 40); do
	curl -fsS "$url" -o "$m" 2>/dev/null &&
	    ! grep -q '^nmigd_resolver_state' "$m" && break
	sleep 0.25
done
grep -q '^nmigd_resolver_\(state\|rtt_seconds\|last_answer_age_seconds\)' "$m" &&
    fail "per-resolver series without metrics-detail"
grep -q '^nmigd_domain_resolvers_by_state{domain="example.co.jp",state="new"} 3$' "$m" ||
    fail "resolvers by state without metrics-detail"
promtool check metrics <"$m" || fail "promtool check metrics, without detail"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" = 0 ] || fail "exit $rc"
echo "PASS: metrics ($probes probes)"
