# tests/world/fakes.sh - fakedns resolvers for the hostile scenario tests.
# Source it after tests/tap.sh with $dir (the work directory), $FAKEDNS
# and $FAKES set: one fakedns a line, "NAME:MODE[:alt|:OPTIONS]".  Resolver NAME
# listens on $net.(10 + its line's index), port $port; "closed" is an
# address where nothing listens.  Sets the EXIT trap: every process it
# started (and $nmigd_pid) is stopped, and $dir removed unless a check
# failed or KEEP is set.

: >"$dir/pids"
nmigd_pid=

# Only the processes we started, by PID, and only while they still are
# what we started.
stop_pid() {
	local pid=$1 comm=$2 i
	[ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] ||
	    return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# $comm $pid ignored SIGTERM; killing it"
	kill -KILL "$pid" 2>/dev/null
}

cleanup() {
	local pid
	[ -z "$nmigd_pid" ] || stop_pid "$nmigd_pid" nmigd
	while read -r pid; do
		stop_pid "$pid" fakedns
	done <"$dir/pids"
	wait 2>/dev/null
	if [ -n "${KEEP:-}" ] || [ "$nfail" != 0 ]; then
		echo "# kept $dir"
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

bail() {
	not_ok "$*"
	echo "$npass passed, $nfail failed"
	exit 1
}

now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# A /24 in which nothing is bound.
pick_net() {
	local i x
	for i in $(seq 20); do
		x=$(( RANDOM % 250 + 1 ))
		if ! ss -Hlnua 2>/dev/null | awk '{ print $5 }' |
		    grep -q "^127\.54\.$x\."; then
			echo "127.54.$x"
			return 0
		fi
	done
	return 1
}

# A high port no socket on this machine uses: a wildcard socket there
# would also get what is sent to the closed address.
pick_port() {
	local i p
	for i in $(seq 20); do
		p=$(( RANDOM % 40000 + 20000 ))
		if ! ss -Hntua 2>/dev/null | awk '{ print $5 }' |
		    grep -q ":$p\$"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

net=$(pick_net) || bail "no free 127.54.X.0/24"
port=

addr_of() {
	local i=10 line
	[ "$1" = closed ] && { echo "$net.250"; return; }
	while read -r line; do
		[ "${line%%:*}" = "$1" ] && { echo "$net.$i"; return; }
		i=$((i + 1))
	done <<<"$FAKES"
}

# start_fakes: one fakedns per line of FAKES on $port; true when all are
# bound and ready, else the ones that did start are stopped again.
start_fakes() {
	local i=10 alt=200 name mode extra waiting pid
	: >"$dir/pids"
	while IFS=: read -r name mode extra; do
		rm -f "$dir/$name.pid"
		set -- --listen "$net.$i@$port" --mode "$mode" \
		    --max-seconds 120 --pidfile "$dir/$name.pid"
		if [ "$extra" = alt ]; then
			set -- "$@" --alt "$net.$alt"
			alt=$((alt + 1))
		elif [ -n "$extra" ]; then
			# shellcheck disable=SC2086
			set -- "$@" $extra
		fi
		"$FAKEDNS" "$@" </dev/null >/dev/null 2>"$dir/$name.log" &
		echo $! >>"$dir/pids"
		i=$((i + 1))
	done <<<"$FAKES"
	# Ready when every pidfile is there (written after binding).
	for i in $(seq 50); do
		waiting=
		while IFS=: read -r name mode extra; do
			[ -s "$dir/$name.pid" ] || waiting="$waiting $name"
		done <<<"$FAKES"
		[ -z "$waiting" ] && return 0
		sleep 0.1
	done
	for name in $waiting; do
		echo "# $name on port $port: $(cat "$dir/$name.log")"
	done
	while read -r pid; do
		stop_pid "$pid" fakedns
	done <"$dir/pids"
	return 1
}

# write_resolvers FILE NAME...
write_resolvers() {
	local f=$1 name
	shift
	: >"$f"
	for name in "$@"; do
		echo "$name $(addr_of "$name")@$port fakedns $name" >>"$f"
	done
}

# jq on the status document: the resolver NAME's field or record.
rstate() {
	jq -r --arg n "$2" '.domains[0].resolvers[] | select(.name == $n) | .state' "$1"
}

rrecords() {
	jq -c --arg n "$2" --arg t "$3" '.domains[0].resolvers[] |
	    select(.name == $n) | .records[] | select(.type == $t)' "$1"
}

# fake_queries NAME PROTO TYPE: the IDs fakedns NAME was asked, one a line.
fake_queries() {
	sed -n "s/^fakedns [^:]*: $2 query id=\([0-9]*\) example\.co\.jp\. $3 from .*/\1/p" \
	    "$dir/$1.log"
}

# fakes_up: pick a free port and start every fakedns on it, or bail.  A
# port may be taken between the look and the bind: try another.
fakes_up() {
	local try
	for try in 1 2 3; do
		port=$(pick_port) || bail "no free port"
		start_fakes && return 0
		port=
	done
	bail "fakedns did not start"
}

# vm_kb PID FIELD: VmRSS, VmHWM, ... of a process in kB.
vm_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# ctl ARGS...: nmigd-ctl on the test's daemon ($dir/nmigd.sock).
ctl() {
	"${NMIGD_CTL:-$top_builddir/nmigd-ctl}" -s "$dir/nmigd.sock" "$@"
}

# rfield NAME FIELD: the resolver's FIELD in nmigd-ctl resolvers --json.
rfield() {
	ctl --json resolvers | jq -r --arg n "$1" \
	    ".resolvers[] | select(.name == \$n) | .$2"
}

# wait_for SECS COMMAND...: true once COMMAND succeeds, tried every 0.1 s.
wait_for() {
	local secs=$1 i
	shift
	for i in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# eventually SECS DESCRIPTION COMMAND...: ok once COMMAND succeeds.
eventually() {
	local secs=$1 what=$2
	shift 2
	if wait_for "$secs" "$@"; then ok "$what"; else not_ok "$what"; fi
}
