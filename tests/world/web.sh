#!/bin/bash
# The web view in a real browser: headless Chromium loads the page from a
# daemon watching the loopback world during a migration, and the rendered
# DOM must show every resolver with the state the daemon reports, a plot
# that gains a point as each resolver switches, the registry switch and
# the completion marked, and a hostile location as plain text.  Then the
# JSON endpoints against nmigd-ctl, their refusals and the headers.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
. "$top_srcdir/tests/world/lib.sh"

world_check_tools || exit 77
for t in curl jq python3; do
	command -v $t >/dev/null || { echo "$t missing"; exit 77; }
done
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
[ -n "$CHROMIUM" ] || { echo "chromium missing (apt-get install chromium)"; exit 77; }

export WORLD_TTL=15
dir=$(mktemp -d /tmp/nmigd-web.XXXXXX)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	world_stop "$dir"
	if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- log"; tail -n 20 "$dir/nmigd.log"; exit 1; }
now() { date +%s; }

# A resolver name is a token, so markup in one is refused where it is
# written; a location is free text and must reach the page as text.
HOSTILE_LOCATION='<script>alert(1)</script> "Tōkyō" '"'"'quoted'"'"' & <b>bold</b>'

world_start "$dir" 3 || exit 1
port=$(( 20000 + $$ % 20000 ))
base=http://127.0.0.1:$port
awk -v loc="$HOSTILE_LOCATION" 'NR == 1 { $0 = $1 " " $2 " " loc } 1' \
    "$dir/resolvers.conf" >"$dir/r.conf" && mv "$dir/r.conf" "$dir/resolvers.conf"
grep -qF 'alert(1)' "$dir/resolvers.conf" || fail "location not written"
{ world_nmigd_conf "$dir" "$dir/nmigd.db"; } |
    sed "s/^unreachable-after.*/&\nmetrics = 127.0.0.1:$port/" >"$dir/nmigd.conf"
grep -q "^metrics = 127.0.0.1:$port" "$dir/nmigd.conf" || fail "config not written"

cp "$dir/resolvers.conf" "$dir/bad-resolvers.conf"
echo '<script>alert(1)</script> 127.0.0.1 somewhere' >>"$dir/bad-resolvers.conf"
sed "s|^resolvers .*|resolvers = $dir/bad-resolvers.conf|" "$dir/nmigd.conf" >"$dir/bad.conf"
"$NMIGD" -t -c "$dir/bad.conf" >"$dir/bad.out" 2>&1 && fail "a resolver named <script> was accepted"
grep -q "bad-resolvers.conf:4: bad resolver name" "$dir/bad.out" ||
    fail "no FILE:LINE for the bad name: $(cat "$dir/bad.out")"

# dom NAME: the page as Chromium renders it, once its first status and
# history have been drawn, as JSON (webdom.py).
dom() {
	local i
	for i in 1 2 3; do
		timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		    --disable-dev-shm-usage --no-first-run \
		    --user-data-dir="$dir/chromium" \
		    --virtual-time-budget=8000 --dump-dom "$base/" \
		    >"$dir/$1.html" 2>>"$dir/chromium.log"
		python3 "$top_srcdir/tests/world/webdom.py" <"$dir/$1.html" \
		    >"$dir/$1.json" &&
		    [ "$(jq '.resolvers | length' "$dir/$1.json")" = 3 ] && return 0
	done
	fail "Chromium never drew the grid: $(tail -c 600 "$dir/$1.html"; tail -n 5 "$dir/chromium.log")"
}
js() { jq -r "$2" "$dir/$1.json"; }
status() { curl -fsS "$base/status.json"; }
nswitched() { status | jq '.domains[0].resolvers_new'; }
db() { sqlite3 -batch -cmd ".timeout 5000" "$dir/nmigd.db" "$1"; }

# The grid shows each resolver in the state the daemon gives it, and each
# record cell in the record's state: compared with status.json fetched
# right after (a round between the two may change one, so up to 3 tries).
grid_matches() {
	local i want got
	for i in 1 2 3; do
		dom "$1"
		want=$(status | jq -c '[.domains[0].resolvers[] | {name, state, cells: ([.state] + [.records[].state])}]')
		got=$(jq -c '[.resolvers[] | {name, state, cells}]' "$dir/$1.json")
		[ "$want" = "$got" ] && return 0
	done
	fail "grid differs from status.json: got $got, want $want"
}

for i in 1 2 3; do
	world_warm "$dir" "$i" || fail "warming r$i"
	[ "$i" = 3 ] || sleep 5
done
"$NMIGD" -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" &
pid=$!
for _ in $(seq 40); do
	[ "$(status 2>/dev/null | jq '[.domains[0].resolvers[] | select(.state == "old")] | length')" = 3 ] && break
	sleep 0.5
done

grid_matches before
[ "$(js before '[.resolvers[].state] | unique | join(",")')" = old ] || fail "before the switch: $(js before '.resolvers')"
[ "$(js before '.domains | length')" = 1 ] || fail "domain list"
[ "$(js before '.domains[0].domain')" = example.co.jp ] || fail "domain row"
p0=$(js before '.points | length')
[ "$p0" = "$(js before .data_points)" ] || fail "data-points disagrees"
[ "$(js before '.problem')" = null ] || fail "problem shown: $(js before .problem)"
echo "ok: before the switch, 3 resolvers old, $p0 plot point(s)"

# The hostile location is text: nothing but the page's own script, and
# its characters intact in the location cell.
[ "$(js before '.scripts | join(" ")')" = nmigd.js ] || fail "scripts: $(js before .scripts)"
[ "$(jq -r --arg l "$HOSTILE_LOCATION" '[.texts[] | select(. == $l)] | length' "$dir/before.json")" -ge 1 ] ||
    fail "hostile location not shown as text"
grep -q '<b>bold' "$dir/before.html" && fail "markup from a location reached the DOM"

world_switch "$dir" || fail "switch"
for _ in $(seq 80); do
	n=$(nswitched)
	[ "${n:-0}" -ge 1 ] && [ "$n" -lt 3 ] && break
	[ "${n:-0}" -ge 3 ] && fail "every resolver switched before a snapshot part-way"
	sleep 0.5
done
grid_matches during
# The README's picture, made the same way: SCREENSHOT=doc/web-view.png.
if [ -n "${SCREENSHOT:-}" ]; then
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-dev-shm-usage --no-first-run --hide-scrollbars \
	    --user-data-dir="$dir/chromium" --window-size=1000,900 \
	    --virtual-time-budget=8000 --screenshot="$SCREENSHOT" "$base/" \
	    2>>"$dir/chromium.log" || fail "screenshot"
fi
p1=$(js during '.points | length')
[ "$p1" -gt "$p0" ] || fail "the plot gained no point: $p0 -> $p1"
[ "$(js during '[.markers[] | select(. == "registry")] | length')" = 1 ] || fail "registry switch not marked"
echo "ok: part-way, $(js during '[.resolvers[] | select(.state == "new")] | length') new, $p1 plot points, registry marked"

for _ in $(seq 120); do
	[ "$(status | jq -r '.domains[0].state')" = complete ] && break
	sleep 0.5
done
[ "$(status | jq -r '.domains[0].state')" = complete ] || fail "never complete"
grid_matches after
[ "$(js after '[.resolvers[].state] | unique | join(",")')" = new ] || fail "after: $(js after '.resolvers')"
p2=$(js after '.points | length')
[ "$p2" -gt "$p1" ] || fail "no point for the later switches: $p1 -> $p2"
# One point per switch, one for now; the last at the count of all.
[ "$p2" = $(( p0 + 3 )) ] || fail "expected $(( p0 + 3 )) points, got $p2"
[ "$(js after '.points[-1]')" = 3 ] || fail "the curve ends at $(js after '.points[-1]')"
[ "$(js after '[.markers[] | select(. == "complete")] | length')" = 1 ] || fail "completion not marked"
[ "$(js after '.domains[0].cells | join(",")')" = complete,new ] || fail "domain row: $(js after '.domains[0]')"
echo "ok: complete, every resolver new, $p2 plot points, completion marked"

# The documents are nmigd-ctl's.  /status.json may be a second old, and
# a round between the two requests changes the times of the answers and
# what the caches' TTLs have left: those are left out of the comparison.
ctl() { "$NMIGD_CTL" -s "$dir/nmigd.sock" --json "$@"; }
steady='walk(if type == "object" then del(.generated_at, .last_checked,
    .answered_at, .rtt_ms, .ttl, .ttl_grew, .cached_until, .expires_at)
    else . end)'
[ "$(status | jq -cS "$steady")" = "$(ctl status | jq -cS "$steady")" ] ||
    fail "status.json is not nmigd-ctl's status"
[ "$(curl -fsS "$base/status.json?domain=example.co.jp." | jq -cS "$steady")" = \
    "$(ctl status example.co.jp | jq -cS "$steady")" ] || fail "status.json?domain="
# Sent gzip to a browser (which takes it), the same JSON once inflated:
# the same build when two plain reads around it agree.
for _ in $(seq 20); do
	curl -fsS "$base/status.json" -o "$dir/s1.json" --next -fsS \
	    -H 'Accept-Encoding: gzip, deflate, br' -D "$dir/gz.head" \
	    "$base/status.json" -o "$dir/s.gz" \
	    --next -fsS "$base/status.json" -o "$dir/s2.json" || fail "curl"
	cmp -s "$dir/s1.json" "$dir/s2.json" && break
	sleep 0.1
done
tr -d '\r' <"$dir/gz.head" | grep -qi '^Content-Encoding: gzip$' ||
    fail "status.json not sent gzip"
gzip -dc <"$dir/s.gz" | cmp - "$dir/s1.json" || fail "status.json gzip differs"
# The summary the page lists domains from: the same domains and members
# but for the bulky ones.
[ "$(curl -fsS "$base/status.json?summary" | jq -c '[.domains[] | keys]')" = \
    "$(status | jq -c '[.domains[] | del(.resolvers, .old_provider, .new_provider, .dnssec, .learned) | keys]')" ] ||
    fail "status.json?summary members"
[ "$(curl -fsS "$base/status.json?summary" | jq -c '.domains[0].parent | has("servers")')" = false ] ||
    fail "summary parent has its servers"
[ "$(curl -fsS "$base/status.json?summary" | jq -r '.domains[0].state')" = complete ] || fail "summary state"
[ "$(curl -fsS "$base/history.json?domain=EXAMPLE.co.jp" | jq -c .)" = "$(ctl history example.co.jp | jq -c .)" ] ||
    fail "history.json is not nmigd-ctl's history"
code() { curl -s -o "$dir/body" -w '%{http_code}' "$@"; }
[ "$(code "$base/history.json?domain=nowhere.example")" = 404 ] || fail "unknown domain"
jq -e '.error | test("unknown domain")' "$dir/body" >/dev/null || fail "404 body: $(cat "$dir/body")"
[ "$(code "$base/status.json?domain=nowhere.example")" = 404 ] || fail "unknown domain in status"
[ "$(code "$base/history.json")" = 400 ] || fail "history without a domain"
[ "$(code "$base/history.json?domain=%zz")" = 400 ] || fail "bad escape"
[ "$(code "$base/history.json?domain=a%00b")" = 400 ] || fail "encoded NUL"
[ "$(code "$base/status.json?domain=$(printf 'a%.0s' $(seq 300))")" = 400 ] || fail "long name"
[ "$(code -X POST "$base/")" = 405 ] || fail "POST /"
# DNS rebinding: a page whose name now points at 127.0.0.1 sends its own
# name as Host and is refused; local names are served.
[ "$(code -H 'Host: rebind.attacker.example' "$base/status.json")" = 421 ] ||
    fail "a foreign Host was served"
[ "$(code -H "Host: localhost:$port" "$base/status.json")" = 200 ] || fail "Host localhost"
curl -fsSI "$base/" >"$dir/head" || fail "HEAD /"
grep -qi '^Content-Type: text/html; charset=utf-8' "$dir/head" || fail "page type"
grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'" "$dir/head" || fail "CSP"
grep -qi '^X-Content-Type-Options: nosniff' "$dir/head" || fail "nosniff"
curl -fsSI "$base/nmigd.js" | grep -qi '^Content-Type: text/javascript' || fail "script type"
curl -fsSI "$base/status.json" | grep -qi '^Content-Type: application/json' || fail "json type"
curl -fsS "$base/" | grep -Eq 'https?://' && fail "the page refers to another site"
# (The SVG namespace is a name, not something loaded.)
curl -fsS "$base/nmigd.js" "$base/nmigd.css" >"$dir/assets" || fail "script or style"
grep -E 'https?://|@import|url\(' "$dir/assets" | grep -v "'http://www.w3.org/2000/svg'" &&
    fail "the script or style loads something from elsewhere"
# A client asking for the history faster than a page does is turned away
# before it costs the loop, and the daemon lives.  All at once: one at a
# time, a busy machine may space them out beyond the limit.
urls=()
for _ in $(seq 40); do urls+=("$base/history.json?domain=example.co.jp"); done
curl -s -Z --parallel-max 40 -o /dev/null -w '%{http_code}\n' "${urls[@]}" >"$dir/codes" 2>/dev/null
grep -q '^503$' "$dir/codes" || fail "history requests not limited: $(sort "$dir/codes" | uniq -c)"
sleep 1.2
[ "$(code "$base/history.json?domain=example.co.jp")" = 200 ] || fail "history not served again after a second"
kill -0 "$pid" || fail "nmigd died"
echo "ok: status.json and history.json are nmigd-ctl's; refusals and headers"
