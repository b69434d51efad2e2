#!/bin/bash
# bench/docsize.sh - the /metrics document plain and gzip, and nmigd's
# VmHWM, with nmigd watching D domains (at most 99,999) x 10 resolvers
# answered by tools/benchdns on 127.58.X.1-10, metrics-detail = no, once
# every domain is complete; then the last builds' sizes and times from
# the debug log.  Saves the documents as OUTPREFIX.plain and OUTPREFIX.gz.
# Loopback only; run it in a network namespace of its own, holding the
# benchmark lock:
#	flock /tmp/bench.lock unshare -n sh -c 'ip link set lo up;
#	    bench/docsize.sh ./nmigd 10000 /tmp/m10k'
set -u
[ $# = 3 ] || { echo "usage: bench/docsize.sh NMIGD D OUTPREFIX" >&2; exit 2; }
NMIGD=$1 D=$2 OUT=$3
top=$(cd "$(dirname "$0")/.." && pwd)
BENCHDNS=$top/tools/benchdns
R=10
dir=$(mktemp -d /tmp/mgz-docsize.XXXXXX)
net=127.58.$(( $$ % 200 + 20 ))
port=$(( 20000 + $$ % 20000 ))
addrs=()
for ((i = 1; i <= R; i++)); do addrs+=("$net.$i"); printf 'b%02d %s@%s\n' "$i" "$net.$i" "$port"; done >"$dir/resolvers.conf"
{ cat <<EOC
[nmigd]
database  = $dir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
metrics   = 127.0.0.1:$port
interval  = 600s
timeout   = 2s
retries   = 1
confirm   = 1
samples   = 1
rate      = 1000000
parent    = none
providers = none
EOC
"$BENCHDNS" --domains "$D"; } >"$dir/nmigd.conf"
"$BENCHDNS" --port "$port" --max-seconds 900 "${addrs[@]}" 2>"$dir/benchdns.log" & dns=$!
"$NMIGD" -d -c "$dir/nmigd.conf" 2>"$dir/nmigd.log" & pid=$!
url=http://127.0.0.1:$port/metrics
for _ in $(seq 600); do
	if curl -fsS --max-time 60 -o "$dir/m.txt" "$url" 2>/dev/null &&
	    [ "$(grep -c '^nmigd_domain_state{.*state="complete"} 1$' "$dir/m.txt")" = "$D" ]; then break; fi
	sleep $(( D / 20000 + 1 ))
done
sleep 1.2
hwm0=$(awk '$1=="VmHWM:"{print $2}' /proc/$pid/status)
curl -fsS --max-time 60 -o "$OUT.plain" -w 'plain %{size_download} B in %{time_total} s\n' "$url"
curl -fsS --max-time 60 -H 'Accept-Encoding: gzip' -D "$OUT.gzhead" -o "$OUT.gz" -w 'gzip request %{size_download} B in %{time_total} s\n' "$url"
echo "complete: $(grep -c '^nmigd_domain_state{.*state="complete"} 1$' "$OUT.plain") of $D"
echo "VmHWM before the two scrapes $hwm0 kB, after $(awk '$1=="VmHWM:"{print $2}' /proc/$pid/status) kB; VmRSS $(awk '$1=="VmRSS:"{print $2}' /proc/$pid/status) kB"
grep -i 'content-encoding' "$OUT.gzhead"
grep 'metrics: .* built in' "$dir/nmigd.log" | tail -3
kill $pid $dns; wait $pid $dns 2>/dev/null
rm -rf "$dir"
