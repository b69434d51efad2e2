# tests/faults/lib.sh - what the fault tests under load share: their work
# directory, nmigd and tools/benchdns standing in for R resolvers.  Source
# it after tests/tap.sh with $dir set (mktemp -d); set $dbdir first to keep
# the database elsewhere (a tmpfs of its own).  Sets the EXIT trap: nmigd
# ($pid) and benchdns ($dns_pid) are killed, a tmpfs on $dbdir unmounted,
# and $dir removed unless a check failed or KEEP is set.

NMIGD=${NMIGD:-$top_builddir/nmigd}
NMIGD_CTL=${NMIGD_CTL:-$top_builddir/nmigd-ctl}
BENCHDNS=$top_builddir/tools/benchdns
COMPLETE=6869b19448b743bab7616d7a79b9c627
dbdir=${dbdir:-$dir}
pid=
dns_pid=

cleanup() {
	local p
	for p in $pid $dns_pid; do
		kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ "$dbdir" = "$dir" ] || ! mountpoint -q "$dbdir" || umount "$dbdir"
	if [ -n "${KEEP:-}" ] || [ "$nfail" != 0 ]; then
		echo "# kept $dir"
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

bail() {
	not_ok "$*"
	echo "--- the last lines of nmigd's log"
	tail -n 20 "$dir/nmigd.log"
	echo "$npass passed, $nfail failed"
	exit 1
}

ctl() {
	"$NMIGD_CTL" -s "$dir/nmigd.sock" "$@"
}

# bench_resolvers NET R: R resolvers b01... on NET.1-R (a /24 of 127/8
# apart from the other tests'), port $port, into $dir/resolvers.conf and
# the addrs array.
bench_resolvers() {
	local i
	port=$(( 20000 + $$ % 20000 ))
	addrs=()
	for ((i = 1; i <= $2; i++)); do
		addrs+=("$1.$i")
		printf 'b%02d %s@%s\n' "$i" "$1.$i" "$port"
	done >"$dir/resolvers.conf"
}

# bench_conf INTERVAL D [LINE...]: nmigd.conf for D benchdns domains, one
# sample and confirming round, the [nmigd] LINEs added; benchdns takes any
# rate, and the load is the point.
bench_conf() {
	local interval=$1 d=$2
	shift 2
	{
		cat <<CONF
[nmigd]
database  = $dbdir/nmigd.db
control   = $dir/nmigd.sock
resolvers = $dir/resolvers.conf
interval  = $interval
timeout   = 2s
retries   = 1
confirm   = 1
samples   = 1
rate      = 1000000
parent    = none
providers = none
CONF
		printf '%s\n' "$@"
		"$BENCHDNS" --domains "$d"
	} >"$dir/nmigd.conf" || bail "cannot write the config"
}

# bench_start SWITCH_AT STAGGER_MS: benchdns on every address, the domains
# answering old until SWITCH_AT (ms since the epoch), STAGGER_MS apart.
bench_start() {
	"$BENCHDNS" --port "$port" --max-seconds 900 --switch-at "$1" \
	    --stagger-ms "$2" "${addrs[@]}" 2>"$dir/benchdns.log" &
	dns_pid=$!
	sleep 0.3
	kill -0 "$dns_pid" 2>/dev/null ||
	    bail "benchdns did not start: $(cat "$dir/benchdns.log")"
}

# The domains whose completion nmigd emitted (echoed on its stderr when
# stderr is not the journal), one a line, once each time.
emitted_completions() {
	sed -n 's/^nmigd: DNS switch complete for \([^ :]*\):.*/\1/p' \
	    "$dir/nmigd.log"
}
