#!/bin/bash
# /metrics against hostile local clients (issue 6).  nmigd watches 2,000
# domains with 10 resolvers (tools/benchdns on loopback answers them all),
# so that the document is several megabytes, and then:
#  (a) 1,000 clients connect and never send, 100 send GET /metrics and
#      never read, and then 100 more that never read: the daemon's memory
#      stays bounded, its control socket keeps answering, and once the
#      clients are gone a normal scrape is answered;
#  (b) a client sending one byte a second is closed at the head deadline;
#  (c) over the per-address and the total connection caps clients get
#      503, and a scrape gets through once slots are free again;
#  (d) 404, 405, 400 and the other refusals, and HEAD.
# The limits checked are daemon/httpd.c's (nmigd.conf(5), under metrics).
# Traffic stays on 127.0.0.0/8.  Needs python3, curl and ss (iproute2),
# not root.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
BENCHDNS=$top_builddir/tools/benchdns
LOAD=$top_srcdir/tests/world/httpload.py
. "$top_srcdir/tests/tap.sh"

# The limits of daemon/httpd.c this test expects.
MAX_CONNS=32
MAX_PER_ADDR=8
HEAD_SECS=5

for t in python3 curl ss; do
	command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
[ -x "$BENCHDNS" ] || { echo "SKIP: $BENCHDNS not built"; exit 77; }
# 1,100 client sockets plus the daemon's own.
ulimit -n 4096 2>/dev/null || { echo "SKIP: cannot raise ulimit -n"; exit 77; }
trap '' PIPE	# the daemon may close before a raw request is written

D=2000
R=10
dir=$(mktemp -d /tmp/nmigd-mlimits.XXXXXX) || exit 1
pid=
dns_pid=
load_pid=
cleanup() {
	local p
	for p in $load_pid $pid $dns_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
die() {
	not_ok "$*"
	echo "--- log"
	tail -n 20 "$dir/nmigd.log"
	echo "$npass passed, $nfail failed"
	exit 1
}

# Resolvers on 127.57.X.1-R, apart from the benchmark's 127.56 (bench/).
net=127.57.$(( $$ % 200 + 20 ))
port=$(( 20000 + $$ % 20000 ))
addrs=()
for ((i = 1; i <= R; i++)); do
	addrs+=("$net.$i")
	printf 'b%02d %s@%s\n' "$i" "$net.$i" "$port"
done >"$dir/resolvers.conf"
{
	cat <<EOF
[nmigd]
database  = $dir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
metrics   = 127.0.0.1:$port
interval  = 30s
timeout   = 2s
retries   = 1
confirm   = 1
# The load this test was sized for: one query a check and resolver;
# benchdns answers every name, so it would stand in for parent zones and
# providers' servers as well, on an address nothing serves.
samples   = 1
# benchdns takes any rate: this test is about the load, not politeness.
rate      = 1000000
# The series of every domain and resolver: a document of megabytes.
metrics-detail = yes
parent    = none
providers = none
EOF
	"$BENCHDNS" --domains "$D"
} >"$dir/nmigd.conf" || die "cannot write the config"

"$BENCHDNS" --port "$port" --max-seconds 300 "${addrs[@]}" \
    2>"$dir/benchdns.log" &
dns_pid=$!
# -d: the reload check below reads when a build restarted.
# The bound below is the daemon's: under AddressSanitizer its quarantine
# of freed memory (256 MB by default) would count as well.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
    "$NMIGD" -d -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" &
pid=$!

url=http://127.0.0.1:$port/metrics
scrape() {
	curl -sS --max-time 20 -o "$1" -w '%{http_code}' "${@:2}" "$url" 2>/dev/null
}
kb() {
	awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"
}
ctl_answers() {
	timeout 3 "$NMIGD_CTL" -s "$dir/nmigd.sock" status d00001.example \
	    >/dev/null 2>&1
}

# Every pair answered: the document at its full size.
pairs=0
for _ in $(seq 60); do
	kill -0 "$pid" 2>/dev/null || die "nmigd exited at startup"
	if [ "$(scrape "$dir/m.txt")" = 200 ]; then
		pairs=$(grep -c '^nmigd_resolver_rtt_seconds' "$dir/m.txt")
		[ "$pairs" = $((D * R)) ] && break
	fi
	sleep 0.5
done
[ "$pairs" = $((D * R)) ] || die "only $pairs of $((D * R)) pairs answered"
doc_kb=$(( $(stat -c %s "$dir/m.txt") / 1024 ))
check "the document is $doc_kb KiB, at least 4 MiB" [ "$doc_kb" -ge 4096 ]
base_kb=$(kb VmHWM)
echo "# before the clients: VmRSS $(kb VmRSS) kB, VmHWM $base_kb kB"

# What the clients may cost: one more document being built while one is
# cached and one more still held by slow readers (three documents alive
# at most), and per connection its 8 KiB of request head and libevent's
# buffers; 16 MB for malloc's slack.  The old evhttp endpoint built a
# document per request: 100 non-reading clients took it from 19 to 588 MB.
bound_kb=$(( base_kb + 3 * doc_kb + 16384 ))


# The connections the daemon holds on the metrics port: accepted (those
# still in the listen queue have no process yet), lingering included.
conns() {
	ss -Htnp state connected "( sport = :$port )" 2>/dev/null |
	    grep -c "pid=$pid,"
}

# rss_watch SECS FILE: sample VmRSS while clients do their worst, SECS
# seconds and until the clients have written their line to FILE (at most
# 30 s: on a busy machine opening 1,100 sockets takes a while).  The peak
# is in $peak_kb, the most descriptors the daemon held for clients at once
# in $peak_conns, and $ctl_ok says whether the control socket answered.
rss_watch() {
	local end=$(( $(date +%s) + $1 )) limit=$(( $(date +%s) + 30 )) r
	ctl_ok=1
	peak_conns=0
	while [ "$(date +%s)" -lt "$end" ] ||
	    { [ ! -s "$2" ] && [ "$(date +%s)" -lt "$limit" ]; }; do
		r=$(kb VmRSS)
		[ "${r:-0}" -le "$peak_kb" ] || peak_kb=$r
		r=$(conns)
		[ "$r" -le "$peak_conns" ] || peak_conns=$r
		ctl_answers || ctl_ok=0
		sleep 0.5
	done
}
peak_kb=0


# wave NAME IDLE GET SECS FIRST_SOURCE: httpload.py's clients in the
# background ($load_pid), holding on SECS seconds; VmRSS, descriptors and
# the control socket are watched meanwhile, and their line read into
# $open.
wave() {
	python3 "$LOAD" hold "$port" "$2" "$3" "$4" "$5" >"$dir/$1.txt" &
	load_pid=$!
	rss_watch 4 "$dir/$1.txt"
	read -r _ opened _ open _ closed <"$dir/$1.txt"
	echo "# $1: ${opened:-?} clients, ${open:-?} open and ${closed:-?}" \
	    "closed after a second; the daemon held at most $peak_conns"
}

# (a) 1,000 silent clients, then 100 that ask and never read.
wave wave1 1000 100 6 2
check "control socket answers during 1,000 silent + 100 non-reading clients" \
    [ "$ctl_ok" = 1 ]
# One more while a refused one is being closed.
check "at most $MAX_CONNS of them held at once ($peak_conns)" \
    [ "$peak_conns" -le $((MAX_CONNS + 1)) ]
wait "$load_pid"
load_pid=
# Once they are gone every slot is free for 100 more non-readers, each
# of those accepted with a document queued.
for _ in $(seq 50); do
	[ "$(conns)" = 0 ] && break
	sleep 0.2
done
wave wave2 0 100 30 40
check "control socket answers during 100 more non-reading clients" \
    [ "$ctl_ok" = 1 ]
check "non-readers hold every slot: ${open:-?} open" \
    [ "${open:-0}" = $MAX_CONNS ]
# (c) the total cap: a new client now gets 503 with Retry-After.
code=$(scrape "$dir/h503.txt" -D "$dir/h503.hdr" --interface 127.0.0.254)
check "over the connection cap: 503 (got $code)" [ "$code" = 503 ]
check "503 says Retry-After" grep -qi '^Retry-After: [0-9]' "$dir/h503.hdr"
hwm_kb=$(kb VmHWM)
echo "# under attack: VmRSS peak $peak_kb kB, VmHWM $hwm_kb kB, bound $bound_kb kB"
check "VmHWM $hwm_kb kB under $bound_kb kB" [ "$hwm_kb" -le "$bound_kb" ]
kill "$load_pid" 2>/dev/null
wait "$load_pid" 2>/dev/null
load_pid=
code=
for _ in $(seq 20); do
	code=$(scrape "$dir/after.txt")
	[ "$code" = 200 ] && break
	sleep 0.5
done
check "a scrape gets through once the clients are gone" [ "$code" = 200 ]
check "... with the whole document" \
    [ "$(grep -c '^nmigd_resolver_rtt_seconds' "$dir/after.txt")" = $((D * R)) ]
echo "# after: VmRSS $(kb VmRSS) kB"

# A reload while a document is being built frees the model the build was
# walking: the build starts over on the new one and the scrape is whole.
# The reload has to land within the build's few dozen milliseconds, so
# try a few times.
restarts=0
whole=1
for _ in $(seq 10); do
	sleep 1.1	# past the cached document's second
	scrape "$dir/rl.txt" >"$dir/rl.code" &
	sp=$!
	sleep 0.02
	kill -HUP "$pid"
	wait "$sp"
	if [ "$(cat "$dir/rl.code")" != 200 ] ||
	    [ "$(grep -c '^nmigd_resolver_rtt_seconds' "$dir/rl.txt")" != $((D * R)) ]; then
		whole=0
		break
	fi
	restarts=$(grep -c 'metrics: configuration reloaded; build restarted' "$dir/nmigd.log")
	[ "$restarts" -gt 0 ] && break
done
check "scrapes during reloads are whole" [ "$whole" = 1 ]
if [ "$restarts" -gt 0 ]; then
	ok "a reload restarted a build"
else
	echo "# no reload landed during a build: the restart was not exercised"
fi
kill -0 "$pid" 2>/dev/null || die "nmigd died during reloads"

# (b) one byte a second: closed at the head deadline, not reset by bytes.
read -r secs line < <(python3 "$LOAD" trickle "$port")
echo "# trickle: closed after ${secs:-?} s: ${line:-}"
check "a trickling client is closed at the ${HEAD_SECS} s head deadline" \
    awk -v s="${secs:-0}" -v h=$HEAD_SECS 'BEGIN { exit !(s >= h - 0.5 && s <= h + 2) }'

# (c) the per-address cap: bash's clients all come from 127.0.0.1.
fds=()
for _ in $(seq $MAX_PER_ADDR); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" && fds+=("$fd")
done
sleep 0.3
code=$(scrape /dev/null)
check "over the per-address cap: 503 (got $code)" [ "$code" = 503 ]
code=$(scrape /dev/null --interface 127.0.0.9)
check "another address still gets through (got $code)" [ "$code" = 200 ]
for fd in "${fds[@]}"; do
	exec {fd}>&-
done
sleep 0.3
code=$(scrape /dev/null)
check "the first address again once its clients left (got $code)" [ "$code" = 200 ]

# (d) what else is refused, and how.
# raw FORMAT [ARGS]: send the bytes, print the reply's status code.
raw() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || return 1
	# shellcheck disable=SC2059
	printf "$@" >&"$fd"
	IFS= read -r -t 5 line <&"$fd"
	exec {fd}>&-
	line=${line%$'\r'}
	echo "${line:9:3}"
}
expect_status() {
	local want=$1 got
	shift
	got=$(raw "$@")
	check "$want for $(printf '%q' "${1:0:40}") (got ${got:-nothing})" \
	    [ "$got" = "$want" ]
}
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")
check "another path: 404 (got $code)" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/")
check "/metrics/: 404 (got $code)" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url")
check "POST: 405 (got $code)" [ "$code" = 405 ]
curl -s -D "$dir/h405.hdr" -o /dev/null -X DELETE "$url"
check "405 says Allow: GET, HEAD" grep -qi '^Allow: GET, HEAD' "$dir/h405.hdr"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url?name[]=x")
check "a query string is ignored (got $code)" [ "$code" = 200 ]
expect_status 400 'junk\r\n\r\n'
expect_status 400 'GET /metrics HTTP/1.1\r\n\r\n'	# no Host
expect_status 400 'GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n'
expect_status 505 'GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n'
expect_status 413 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'
expect_status 413 'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
expect_status 414 'GET /%s HTTP/1.1\r\n' "$(head -c 9000 /dev/zero | tr '\0' a)"
expect_status 431 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-A: %s\r\n\r\n' \
    "$(head -c 9000 /dev/zero | tr '\0' a)"
expect_status 200 'GET /metrics HTTP/1.0\n\n'	# LF only, 1.0 needs no Host
# HEAD: the headers of the same document, and no body.
scrape "$dir/g.txt" >/dev/null
curl -sS -I -o "$dir/head.hdr" "$url"
len=$(tr -d '\r' <"$dir/head.hdr" | awk -F': ' 'tolower($1) == "content-length" { print $2 }')
check "HEAD gives Content-Length ${len:-none}, the GET body has $(stat -c %s "$dir/g.txt")" \
    [ "${len:-x}" = "$(stat -c %s "$dir/g.txt")" ]
check "HEAD says Content-Type text/plain; version=0.0.4" \
    grep -qi '^Content-Type: text/plain; version=0.0.4' "$dir/head.hdr"

check "nmigd still running" kill -0 "$pid"
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "nmigd exits 0 on SIGTERM (got $rc)" [ "$rc" = 0 ]
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
