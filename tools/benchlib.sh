# tools/benchlib.sh - the loopback world of tools/bench.sh and
# tools/stall.sh: tools/benchdns on R addresses and an nmigd.conf of D
# domains that expect what it answers.  Source it; it defines functions
# only.

# bench_build DIR TOP: build benchdns into DIR.
bench_build() {
	cc -O2 -o "$1/benchdns" "$2/tools/benchdns.c"
}

# bench_addr I: the I-th resolver's address, 127.56.X.Y, never .0 or .255.
bench_addr() {
	echo "127.56.$(($1 / 250)).$(($1 % 250 + 1))"
}

# bench_resolvers DIR R PORT: DIR/resolvers.conf for R resolvers, and
# their addresses in the array bench_addrs (benchdns's arguments).
bench_resolvers() {
	local i
	bench_addrs=()
	for ((i = 0; i < $2; i++)); do
		bench_addrs+=("$(bench_addr "$i")")
		printf 'b%04d %s@%s bench\n' $((i + 1)) "$(bench_addr "$i")" "$3"
	done >"$1/resolvers.conf"
}

# bench_conf DIR D MPORT INTERVAL TIMEOUT RETRIES: the config on stdout,
# the database and control socket in DIR, /metrics on 127.0.0.1:MPORT.
# benchdns answers every name, so no parent zone would be found where a
# real one is: the parent and provider probes stay off until benchdns
# serves such zones of its own.  One sample a check, as the figures in README.md were
# measured (the default is 3 since): a probe costs the same either way.
bench_conf() {
	cat <<CONF
[nmigd]
database  = $1/nmigd.db
control   = $1/nmigd.sock
resolvers = $1/resolvers.conf
metrics   = 127.0.0.1:$3
interval  = ${4}s
timeout   = ${5}s
retries   = $6
confirm   = 2
unreachable-after = 1h
parent    = none
providers = none
samples   = 1
# The loopback resolvers take any rate: what is measured is nmigd.
rate      = 1000000
CONF
	"$1/benchdns" --domains "$2"
}

# bench_stop PID: stop it, wait at most 10 s, then kill it; its exit
# status in stopped_rc.
bench_stop() {
	local st
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 100); do
		st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	stopped_rc=$?
}

# The commit of the tree the binary NMIGD sits in (not this script's: a
# comparison runs one tools/ against two builds), or "?".
nmigd_commit() {
	git -C "$(dirname "$NMIGD")" describe --always --dirty 2>/dev/null ||
	    echo '?'
}
