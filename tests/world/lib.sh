# tests/world/lib.sh - a loopback "migration world" of real DNS servers.
#
# Debian packages the world needs (CI's .ci/run must install them; a test
# that finds one missing exits 77, which CI must not accept as a pass):
#	nsd unbound ldnsutils coreutils procps iproute2
# (nsd: the authoritative servers, unbound: the resolvers, ldnsutils: drill,
# iproute2: ss, only used to avoid a busy address block.)
#
# Source it from bash (it uses local and BASH_SOURCE):
#	. "$top_srcdir/tests/world/lib.sh"
#	world_check_tools || exit 77
#	dir=$(mktemp -d /tmp/world.XXXXXX); trap 'world_stop "$dir"' EXIT
#	world_start "$dir" 3 || exit 1
#
# Functions (DIR is the world's directory, I a resolver number from 1):
#	world_check_tools		false (with a message) if the world
#					cannot run here: exit 77 then
#	world_start DIR [N]		start a world with N resolvers
#	world_stop DIR			stop all of it; idempotent
#	world_warm DIR I		rI caches NS, MX, pop and smtp now
#	world_switch DIR [new|old]	the registry switch (or a rollback)
#	world_expire_time DIR		epoch second by which every resolver
#					shows the last switch
#	world_answer DIR I NAME TYPE	"rdata; rdata" as rI answers, or
#					NOANSWER, NODATA, SERVFAIL, NXDOMAIN..
#	world_query DIR I NAME TYPE	rdata lines; status 1 no answer,
#					2 rcode not NOERROR
#	world_resolver_stop DIR I	rI stops answering
#	world_resolver_start DIR I	rI back, with an empty cache
#	world_forwarder_start DIR N ROLE	a dnsmasq fN forwarding the
#					domain to ROLE (old1): pinned
#	world_balancer_start DIR N I...	a dnsdist bN, round robin over
#					resolvers rI...: anycast
#	world_resolvers_conf DIR	nmigd's resolver list
#	world_nmigd_conf DIR DB [RESOLVERS [CONTROL]]	an nmigd.conf
#	world_addr DIR ROLE		root tld old1 old2 new1 new2 rI
#	world_get DIR KEY		net ttl nresolvers serial phase switched
#	world_procs DIR, world_leftovers DIR	our live processes' PIDs
# Environment: WORLD_TTL (1..20, default 10), WORLD_RESOLVERS (default 3),
# WORLD_NET (127.X.Y; default a free 127.53.X picked from $$),
# WORLD_QUERY_TIMEOUT (default 3 s).  The values to compare answers with
# are the WORLD_OLD_* and WORLD_NEW_* variables below.
#
# The world, on one loopback /24 NET (WORLD_NET, e.g. 127.53.42), port 53:
#	NET.1		root NSD, serves "." (a.root.test.)
#	NET.2		registry NSD, serves jp. and com. (a.dns.jp.)
#	NET.3 NET.4	old provider NSD: ns1/ns2.oldhost.ne.jp., serving
#			example.co.jp. (old data) and oldhost.ne.jp.
#	NET.5 NET.6	new provider NSD: hns0/hns1.dns.nifcloud.com., serving
#			example.co.jp. (new data)
#	NET.11 ...	Unbound resolvers r1, r2, ... (NET.10+i)
# jp. first delegates example.co.jp. to the old provider (glue in jp.);
# world_switch makes it delegate to hns0/hns1.dns.nifcloud.com. (glue-less,
# their A records are in com.).  The old provider keeps its old data.
#
# Every TTL (records, NS, glue, SOA minimum) is WORLD_TTL seconds (default
# 10, at most 20).  How long a resolver may answer OLD after the switch:
# an Unbound that asked the old provider holds the old provider's own NS
# set for example.co.jp. (authoritative, so it outranks the registry's
# referral) and keeps asking the old provider while that NS set lives.
# Unbound never extends the TTL of an unexpired rrset that comes back
# unchanged at the same trust, and nothing here prefetches or serves
# expired data, so usually the NS set dies at most TTL (+1: Unbound counts
# whole seconds) after it was cached, and Unbound then goes back to the
# registry and learns the new delegation.  One exception, seen here and
# real: the NS set cached from the authority section of an answer (an MX
# or A query) is replaced, with a fresh TTL, by the same NS set from an
# explicit NS query, which ranks higher.  A resolver asked only MX just
# before the switch and NS just before that expired answers OLD until
# about 2 x TTL + 2 after the switch (measured: 11.8 s at TTL 5).  Asking
# NS first (world_warm does) avoids it.  world_expire_time prints the
# worst case, switch + 2 x TTL + 3; world-smoke.sh checks both cases.
#
# Traffic never leaves 127.0.0.0/8: the root hints name only NET.1, every
# NS in the zones is on NET, and each Unbound sends from its own loopback
# address (outgoing-interface); Linux refuses to route a loopback source
# address out of any other interface.  NSD has no secondaries or notify.

# The WORLD_* data below is for the scripts that source this file.
# shellcheck disable=SC2034
WORLD_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The data, so tests compare against the same values the zones hold.  Multi
# record answers are as world_answer prints them: sorted, "; " between.
WORLD_DOMAIN=example.co.jp
WORLD_OLD_NS="ns1.oldhost.ne.jp.; ns2.oldhost.ne.jp."
WORLD_NEW_NS="hns0.dns.nifcloud.com.; hns1.dns.nifcloud.com."
WORLD_OLD_MX="10 mail.oldhost.ne.jp."
WORLD_NEW_MX="10 mx01.example.co.jp.; 10 mx02.example.co.jp."
WORLD_OLD_POP=192.0.2.110
WORLD_NEW_POP=203.0.113.110
WORLD_OLD_SMTP=192.0.2.25
WORLD_NEW_SMTP=203.0.113.25
WORLD_NEW_MX01=203.0.113.25
WORLD_NEW_MX02=203.0.113.26

world_log() {
	printf 'world: %s\n' "$*" >&2
}

# Returns 1, naming what is missing, when the world cannot run here.
world_check_tools() {
	local t missing=
	for t in nsd unbound drill timeout ss; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		world_log "missing:$missing (apt-get install nsd unbound ldnsutils iproute2)"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		world_log "must run as root (servers listen on port 53)"
		return 1
	fi
	return 0
}

# world_get DIR KEY: a value saved by world_start or world_switch.
world_get() {
	sed -n "s/^$2=//p" "$1/world.env" | tail -n 1
}

world_set() {
	printf '%s=%s\n' "$2" "$3" >>"$1/world.env"
}

# world_addr DIR ROLE: ROLE is root, tld, old1, old2, new1, new2, rN, fN
# or bN.
world_addr() {
	local net
	net=$(world_get "$1" net) || return 1
	[ -n "$net" ] || return 1
	case $2 in
	root)	echo "$net.1" ;;
	tld)	echo "$net.2" ;;
	old1)	echo "$net.3" ;;
	old2)	echo "$net.4" ;;
	new1)	echo "$net.5" ;;
	new2)	echo "$net.6" ;;
	r[0-9]*) echo "$net.$((10 + ${2#r}))" ;;
	f[0-9]*) echo "$net.$((30 + ${2#f}))" ;;
	b[0-9]*) echo "$net.$((40 + ${2#b}))" ;;
	*)	world_log "unknown role $2"; return 1 ;;
	esac
}

world_nresolvers() {
	world_get "$1" nresolvers
}

# A /24 nothing listens in: WORLD_NET if set, else one picked from our PID.
world_pick_net() {
	local i x net
	if [ -n "${WORLD_NET:-}" ]; then
		# Never let a typo put the servers on a real network.
		if ! echo "$WORLD_NET" |
		    grep -qE '^127\.[0-9]{1,3}\.[0-9]{1,3}$'; then
			world_log "WORLD_NET must look like 127.X.Y, not $WORLD_NET"
			return 1
		fi
		echo "$WORLD_NET"
		return 0
	fi
	if ss -Hlnu 'sport = :53' 2>/dev/null | awk '{ print $4 }' |
	    grep -qE '^(0\.0\.0\.0|\*|\[::\]):53$'; then
		world_log "something listens on *:53; the world cannot bind port 53"
		return 1
	fi
	for i in 0 1 2 3 4 5 6 7 8 9; do
		x=$(( ($$ + i * 37) % 200 + 20 ))
		net=127.53.$x
		if ! ss -Hlnu 2>/dev/null | awk '{ print $4 }' |
		    grep -q "^${net//./\\.}\\."; then
			echo "$net"
			return 0
		fi
	done
	world_log "no free 127.53.X.0/24 found"
	return 1
}

# world_render DIR TEMPLATE OUT [PHASE]: fill a zone template.  PHASE (old
# or new) keeps the lines marked @OLD@ or @NEW@ and drops the others.
world_render() {
	local dir=$1 phase=${4:-old} keep drop
	case $phase in
	old)	keep=@OLD@; drop=@NEW@ ;;
	new)	keep=@NEW@; drop=@OLD@ ;;
	*)	world_log "bad phase $phase"; return 1 ;;
	esac
	sed -e "/^$drop/d" -e "s/^$keep//" \
	    -e "s/@TTL@/$(world_get "$dir" ttl)/g" \
	    -e "s/@SERIAL@/$(world_get "$dir" serial)/g" \
	    -e "s/@ROOT@/$(world_addr "$dir" root)/g" \
	    -e "s/@TLD@/$(world_addr "$dir" tld)/g" \
	    -e "s/@OLD1@/$(world_addr "$dir" old1)/g" \
	    -e "s/@OLD2@/$(world_addr "$dir" old2)/g" \
	    -e "s/@NEW1@/$(world_addr "$dir" new1)/g" \
	    -e "s/@NEW2@/$(world_addr "$dir" new2)/g" \
	    -e "s/@OLD_POP@/$WORLD_OLD_POP/g" \
	    -e "s/@OLD_SMTP@/$WORLD_OLD_SMTP/g" \
	    -e "s/@NEW_POP@/$WORLD_NEW_POP/g" \
	    -e "s/@NEW_SMTP@/$WORLD_NEW_SMTP/g" \
	    -e "s/@NEW_MX01@/$WORLD_NEW_MX01/g" \
	    -e "s/@NEW_MX02@/$WORLD_NEW_MX02/g" \
	    "$WORLD_LIBDIR/zones/$2" >"$3.tmp" && mv "$3.tmp" "$3"
}

# world_nsd_conf DIR NAME "ADDR..." "ZONE:FILE...": an NSD with everything
# under DIR/NAME, no control channel, no transfers.
world_nsd_conf() {
	local d=$1/$2 a z
	{
		echo "server:"
		for a in $3; do
			echo "	ip-address: $a"
		done
		cat <<EOF
	port: 53
	do-ip4: yes
	do-ip6: no
	server-count: 1
	tcp-count: 16
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	verbosity: 1
	hide-version: yes
	reuseport: no
remote-control:
	control-enable: no
EOF
		for z in $4; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' \
			    "${z%%:*}" "$d/${z#*:}"
		done
	} >"$d/nsd.conf"
}

world_unbound_conf() {
	local dir=$1 i=$2 addr d=$1/r$2 ttl
	addr=$(world_addr "$dir" "r$i")
	ttl=$(world_get "$dir" ttl)
	cat >"$d/unbound.conf" <<EOF
# Resolver r$i of the world in $dir.
server:
	interface: $addr
	port: 53
	# Send only from loopback: Linux drops a loopback source elsewhere.
	outgoing-interface: $addr
	interface-automatic: no
	do-ip4: yes
	do-ip6: no
	do-udp: yes
	do-tcp: yes
	access-control: 0.0.0.0/0 refuse
	access-control: 127.0.0.0/8 allow
	# The world's root only; 127/8 is refused as a target unless allowed.
	root-hints: "$1/root.hints"
	do-not-query-localhost: no
	# The root's server is a.root.test.: resolve test. from the world's
	# root, not from Unbound's built-in RFC 6761 zone.
	local-zone: "test." nodefault
	# No validator: the world is unsigned and has no trust anchor.
	module-config: "iterator"
	username: ""
	chroot: ""
	directory: "$d"
	pidfile: "$d/unbound.pid"
	logfile: "$d/unbound.log"
	use-syslog: no
	log-time-ascii: yes
	log-servfail: yes
	verbosity: 1
	num-threads: 1
	so-reuseport: no
	outgoing-range: 64
	num-queries-per-thread: 32
	msg-cache-size: 1m
	msg-cache-slabs: 1
	rrset-cache-size: 2m
	rrset-cache-slabs: 1
	key-cache-size: 1m
	key-cache-slabs: 1
	neg-cache-size: 256k
	infra-cache-slabs: 1
	# A server that was down a moment (world_switch's restart fallback)
	# must not stay marked down for the default 900 s.
	infra-host-ttl: 30
	infra-keep-probing: yes
	# Cached data lives exactly its TTL: no early refresh, no stale
	# answers, no TTL above the world's 20 s maximum.
	prefetch: no
	prefetch-key: no
	serve-expired: no
	cache-min-ttl: 0
	cache-max-ttl: 20
	cache-max-negative-ttl: $ttl
	harden-referral-path: no
	qname-minimisation: yes
	minimal-responses: no
remote-control:
	control-enable: no
EOF
}

# world_spawn DIR NAME CMD...: start a server that stays in the foreground
# and record its PID.  No stdin, output to DIR/NAME/stderr.
world_spawn() {
	local dir=$1 name=$2
	shift 2
	"$@" </dev/null >"$dir/$name/stderr" 2>&1 &
	echo "$name $!" >>"$dir/pids"
}

world_pid() {
	awk -v n="$2" '$1 == n { p = $2 } END { print p }' "$1/pids" 2>/dev/null
}

# True when PID is a live nsd/unbound started from DIR (never anyone
# else's).  NSD forks: the PID we started becomes "nsd: xfrd", with a
# "nsd: main" child and "nsd: server N" grandchildren; all carry our config
# path in their command line.
world_is_ours() {
	local pid=$2 comm
	[ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	case $comm in nsd|nsd:*|unbound|dnsmasq|dnsdist|prometheus) ;; *) return 1 ;; esac
	{ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$1/"
}

# world_procs DIR [NAME]: the PIDs of the world's live processes (of the
# one server NAME), children included.
world_procs() {
	local where=$1${2:+/$2} f pid
	for f in $(grep -lsF -- "$where/" /proc/[0-9]*/cmdline); do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		world_is_ours "$where" "$pid" && echo "$pid"
	done
	return 0
}

# world_kill DIR NAME: stop one server by its recorded PID and wait until
# it and its children are gone.
world_kill() {
	local dir=$1 name=$2 pid i left
	pid=$(world_pid "$dir" "$name")
	world_is_ours "$dir/$name" "$pid" && kill -TERM "$pid" 2>/dev/null
	for i in $(seq 50); do
		left=$(world_procs "$dir" "$name")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	world_log "$name did not stop on SIGTERM; killing $left"
	kill -KILL $left 2>/dev/null
	sleep 0.2
	[ -z "$(world_procs "$dir" "$name")" ]
}

# world_wait_soa ADDR ZONE [SERIAL]: poll until ADDR answers ZONE's SOA
# (with SERIAL, if given), for at most 10 s.
world_wait_soa() {
	local i out
	for i in $(seq 50); do
		out=$(timeout 1 drill -Q "$2" @"$1" SOA 2>/dev/null)
		if [ -n "$out" ] && { [ -z "${3:-}" ] ||
		    echo "$out" | awk -v s="$3" '$3 == s { f = 1 } END { exit !f }'; }; then
			return 0
		fi
		sleep 0.2
	done
	world_log "$1 does not serve $2 ${3:+serial $3}"
	return 1
}

# Unbound answers localhost. itself, so this probe touches no cache.
world_wait_resolver() {
	local i
	for i in $(seq 50); do
		timeout 1 drill -Q localhost. @"$1" A 2>/dev/null |
		    grep -q 127.0.0.1 && return 0
		sleep 0.2
	done
	world_log "resolver $1 does not answer"
	return 1
}

world_start_nsd() {
	world_spawn "$1" "$2" nsd -d -c "$1/$2/nsd.conf"
}

# world_forwarder_start DIR N ROLE: a dnsmasq "fN" on NET.(30+N) that
# forwards every query for the world's domain to ROLE's server (old1: a
# resolver pinned to the old provider, as a misconfigured forwarder is)
# and caches the answers for their TTL.  Its line for nmigd's resolver
# list goes to stdout.  Needs dnsmasq (Debian: dnsmasq-base).
world_forwarder_start() {
	local dir=$1 n=$2 addr target
	addr=$(world_addr "$dir" "f$n") && target=$(world_addr "$dir" "$3") ||
	    return 1
	mkdir -p "$dir/f$n" || return 1
	cat >"$dir/f$n/dnsmasq.conf" <<EOF
keep-in-foreground
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=$addr
port=53
user=root
pid-file=$dir/f$n/dnsmasq.pid
server=/$WORLD_DOMAIN/$target
cache-size=1000
EOF
	world_spawn "$dir" "f$n" dnsmasq --conf-file="$dir/f$n/dnsmasq.conf"
	world_wait_soa "$addr" "$WORLD_DOMAIN." || {
		world_log "forwarder f$n does not answer; $(cat "$dir/f$n/stderr")"
		return 1
	}
	echo "f$n $addr forwarder pinned to $3"
}

# world_balancer_start DIR N RESOLVER...: a dnsdist "bN" on NET.(40+N)
# that hands queries to the resolvers (numbers) in turn, without a cache
# of its own: one address with several caches behind it, as a public
# resolver's anycast address is.  Its line for nmigd's resolver list goes
# to stdout.  Needs dnsdist.
world_balancer_start() {
	local dir=$1 n=$2 addr i
	shift 2
	addr=$(world_addr "$dir" "b$n") || return 1
	mkdir -p "$dir/b$n" || return 1
	{
		echo "setLocal('$addr:53')"
		echo "addACL('127.0.0.0/8')"
		# No security polling, which would ask the Internet.
		echo "setSecurityPollSuffix('')"
		for i in "$@"; do
			# Health checks ask the world's root, not the domain:
			# they must not refresh what the caches hold of it.
			echo "newServer({address='$(world_addr "$dir" "r$i"):53'," \
			    "checkName='a.root.test.', checkInterval=60})"
		done
		echo "setServerPolicy(roundrobin)"
	} >"$dir/b$n/dnsdist.conf"
	world_spawn "$dir" "b$n" dnsdist --supervised --disable-syslog \
	    -C "$dir/b$n/dnsdist.conf"
	world_wait_soa "$addr" . || {
		world_log "balancer b$n does not answer; $(cat "$dir/b$n/stderr")"
		return 1
	}
	echo "b$n $addr balancer over resolvers $*"
}

world_start_unbound() {
	world_spawn "$1" "r$2" unbound -d -c "$1/r$2/unbound.conf"
}

world_make_zones() {
	local dir=$1
	mkdir -p "$dir/root" "$dir/tld" "$dir/old" "$dir/new" || return 1
	world_render "$dir" root.zone.in "$dir/root/root.zone" &&
	world_render "$dir" jp.zone.in "$dir/tld/jp.zone" old &&
	world_render "$dir" com.zone.in "$dir/tld/com.zone" &&
	world_render "$dir" example.co.jp.old.zone.in \
	    "$dir/old/example.co.jp.zone" &&
	world_render "$dir" oldhost.ne.jp.zone.in "$dir/old/oldhost.ne.jp.zone" &&
	world_render "$dir" example.co.jp.new.zone.in \
	    "$dir/new/example.co.jp.zone"
}

world_make_nsd_confs() {
	local dir=$1
	world_nsd_conf "$dir" root "$(world_addr "$dir" root)" ".:root.zone"
	world_nsd_conf "$dir" tld "$(world_addr "$dir" tld)" \
	    "jp.:jp.zone com.:com.zone"
	world_nsd_conf "$dir" old \
	    "$(world_addr "$dir" old1) $(world_addr "$dir" old2)" \
	    "example.co.jp.:example.co.jp.zone oldhost.ne.jp.:oldhost.ne.jp.zone"
	world_nsd_conf "$dir" new \
	    "$(world_addr "$dir" new1) $(world_addr "$dir" new2)" \
	    "example.co.jp.:example.co.jp.zone"
}

world_make_resolvers() {
	local dir=$1 i n
	n=$(world_nresolvers "$dir")
	printf '.\t3600000\tNS\ta.root.test.\na.root.test.\t3600000\tA\t%s\n' \
	    "$(world_addr "$dir" root)" >"$dir/root.hints"
	: >"$dir/resolvers.conf"
	for i in $(seq "$n"); do
		mkdir -p "$dir/r$i" || return 1
		world_unbound_conf "$dir" "$i"
		echo "r$i $(world_addr "$dir" "r$i") loopback resolver $i" \
		    >>"$dir/resolvers.conf"
	done
}

world_wait_all() {
	local dir=$1 i
	world_wait_soa "$(world_addr "$dir" root)" . &&
	world_wait_soa "$(world_addr "$dir" tld)" jp. &&
	world_wait_soa "$(world_addr "$dir" tld)" com. &&
	world_wait_soa "$(world_addr "$dir" old1)" example.co.jp. &&
	world_wait_soa "$(world_addr "$dir" old2)" oldhost.ne.jp. &&
	world_wait_soa "$(world_addr "$dir" new1)" example.co.jp. &&
	world_wait_soa "$(world_addr "$dir" new2)" example.co.jp. || return 1
	for i in $(seq "$(world_nresolvers "$dir")"); do
		world_wait_resolver "$(world_addr "$dir" "r$i")" || return 1
	done
}

# world_start DIR [N]: build and start a world with N resolvers (default
# WORLD_RESOLVERS or 3) in the empty directory DIR (an absolute path).  Returns when every
# server answers, or 1 (with the world stopped and logs shown) on failure.
world_start() {
	local dir=$1 n=${2:-${WORLD_RESOLVERS:-3}} ttl=${WORLD_TTL:-10} net s
	case $ttl in ''|*[!0-9]*) ttl=0 ;; esac
	if [ "$ttl" -lt 1 ] || [ "$ttl" -gt 20 ]; then
		world_log "WORLD_TTL must be 1..20, not ${WORLD_TTL:-}"
		return 1
	fi
	case $n in ''|*[!0-9]*) n=0 ;; esac
	if [ "$n" -lt 1 ] || [ "$n" -gt 200 ]; then
		world_log "the number of resolvers must be 1..200"
		return 1
	fi
	# Absolute, because processes are told apart by the paths in their
	# command lines.
	case $dir in
	/*)	;;
	*)	world_log "$dir: the directory must be an absolute path"
		return 1 ;;
	esac
	if [ ! -d "$dir" ] || [ -e "$dir/world.env" ]; then
		world_log "$dir: not an empty directory"
		return 1
	fi
	net=$(world_pick_net) || return 1
	{ echo "net=$net"; echo "ttl=$ttl"; echo "nresolvers=$n"
	  echo "serial=1"; echo "phase=old"; } >"$dir/world.env"
	: >"$dir/pids"
	world_make_zones "$dir" && world_make_nsd_confs "$dir" &&
	world_make_resolvers "$dir" || return 1
	for s in root tld old new; do
		world_start_nsd "$dir" "$s"
	done
	for s in $(seq "$n"); do
		world_start_unbound "$dir" "$s"
	done
	if ! world_wait_all "$dir"; then
		world_show_logs "$dir"
		world_stop "$dir"
		return 1
	fi
	world_log "started on $net.0/24 with $n resolvers, TTL $ttl s ($dir)"
}

world_show_logs() {
	local f
	for f in "$1"/*/stderr "$1"/*/*.log; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 20 "$f" >&2
	done
}

# world_stop DIR: stop every server this world started; idempotent.
world_stop() {
	local dir=$1 name left
	[ -f "$dir/pids" ] || return 0
	for name in $(awk '{ print $1 }' "$dir/pids" | sort -u); do
		world_kill "$dir" "$name"
	done
	left=$(world_leftovers "$dir") || return 0
	world_log "processes left in $dir: $left"
	return 1
}

# world_leftovers DIR: print the PIDs of nsd/unbound processes still
# running from DIR; true when there are any.
world_leftovers() {
	local left
	left=$(world_procs "$1")
	[ -n "$left" ] && echo $left
}

# world_resolver_stop DIR I / world_resolver_start DIR I: take resolver rI
# away (it stops answering) and bring it back with an empty cache.
world_resolver_stop() {
	world_kill "$1" "r$2"
}

world_resolver_start() {
	world_kill "$1" "r$2"
	world_start_unbound "$1" "$2"
	world_wait_resolver "$(world_addr "$1" "r$2")"
}

# world_ask DIR I NAME TYPE: drill's full output for one query to rI;
# false when no answer came within WORLD_QUERY_TIMEOUT (default 3) s.
world_ask() {
	local addr
	addr=$(world_addr "$1" "r$2") || return 1
	timeout "${WORLD_QUERY_TIMEOUT:-3}" drill "$3" @"$addr" "$4" 2>/dev/null
}

world_rcode() {
	sed -n 's/.*rcode: \([A-Z]*\),.*/\1/p'
}

# world_rdata TYPE: the answer section's TYPE records of drill's output on
# stdin, as rdata lines, lower case, sorted.
world_rdata() {
	awk -v t="$1" '
		/^;; ANSWER SECTION:/ { ans = 1; next }
		/^;;/ || /^$/ { ans = 0 }
		ans && toupper($4) == toupper(t) {
			$1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print tolower($0)
		}' | sort
}

# world_query DIR I NAME TYPE: ask resolver rI; print the answer's records
# of TYPE, one rdata a line, lower case, sorted.  Returns 1 when no answer
# came, 2 when the rcode was not NOERROR.
world_query() {
	local out
	out=$(world_ask "$@") || return 1
	[ "$(echo "$out" | world_rcode)" = NOERROR ] || return 2
	echo "$out" | world_rdata "$4"
}

# world_answer DIR I NAME TYPE: the records on one line, sorted, joined by
# "; " (compare with WORLD_OLD_NS, WORLD_NEW_MX...).  Prints NOANSWER,
# NODATA or the rcode (SERVFAIL, NXDOMAIN...) instead when there are none.
world_answer() {
	local out rcode
	out=$(world_ask "$@") || { echo NOANSWER; return 0; }
	rcode=$(echo "$out" | world_rcode)
	if [ "$rcode" != NOERROR ]; then
		echo "${rcode:-NOANSWER}"
		return 0
	fi
	echo "$out" | world_rdata "$4" | awk '
		NR > 1 { printf "; " } { printf "%s", $0 }
		END { print NR ? "" : "NODATA" }'
}

# world_warm DIR I: make resolver rI cache the domain's NS, MX and the
# pop/smtp addresses now.
world_warm() {
	local q
	for q in "NS $WORLD_DOMAIN." "MX $WORLD_DOMAIN." \
	    "A pop.$WORLD_DOMAIN." "A smtp.$WORLD_DOMAIN."; do
		world_query "$1" "$2" "${q#* }" "${q%% *}" >/dev/null ||
		    { world_log "warming r$2 failed at $q"; return 1; }
	done
}

# NSD rereads a zone on SIGHUP only when its mtime changed, and a switch
# may come within the second the zone was written.
world_bump_mtime() {
	local now
	now=$(date +%s)
	[ "$now" -gt "$2" ] || now=$(( $2 + 1 ))
	touch -d "@$now" "$1"
}

# world_switch DIR [new|old]: the registry switch.  jp. delegates
# example.co.jp. to the new provider (or back to the old one, for a
# rollback); the serial is bumped and the registry NSD reloads (SIGHUP,
# same PID).  Returns when the registry serves the new serial.
world_switch() {
	local dir=$1 phase=${2:-new} serial tld old_mtime pid
	case $phase in
	old|new) ;;
	*)	world_log "world_switch: new or old, not $phase"; return 1 ;;
	esac
	old_mtime=$(stat -c %Y "$dir/tld/jp.zone") || return 1
	serial=$(( $(world_get "$dir" serial) + 1 ))
	world_set "$dir" serial "$serial"
	world_render "$dir" jp.zone.in "$dir/tld/jp.zone" "$phase" || return 1
	world_bump_mtime "$dir/tld/jp.zone" "$old_mtime"
	tld=$(world_addr "$dir" tld)
	pid=$(world_pid "$dir" tld)
	if ! { world_is_ours "$dir/tld" "$pid" && kill -HUP "$pid" &&
	    world_wait_soa "$tld" jp. "$serial"; }; then
		world_log "reload failed; restarting the registry NSD"
		world_kill "$dir" tld
		world_start_nsd "$dir" tld
		world_wait_soa "$tld" jp. "$serial" || return 1
	fi
	world_set "$dir" phase "$phase"
	world_set "$dir" switched "$(date +%s)"
	world_log "registry now delegates $WORLD_DOMAIN. to the $phase provider (serial $serial)"
}

# world_expire_time DIR: the epoch second by which every resolver answers
# with the data of the last switch, however it was asked before: the
# switch + 2 x TTL + 3 (see the top of this file).  Empty before a switch.
world_expire_time() {
	local t
	t=$(world_get "$1" switched)
	[ -n "$t" ] && echo $(( t + 2 * $(world_get "$1" ttl) + 3 ))
}

# world_resolvers_conf DIR: nmigd's resolver list for this world.
world_resolvers_conf() {
	cat "$1/resolvers.conf"
}

# world_nmigd_conf DIR DBPATH [RESOLVERS [CONTROL]]: an nmigd.conf watching
# example.co.jp. in this world.  RESOLVERS defaults to DIR/resolvers.conf
# (written by world_start), CONTROL to DIR/nmigd.sock.
world_nmigd_conf() {
	cat <<EOF
[nmigd]
database  = $2
control   = ${4:-$1/nmigd.sock}
resolvers = ${3:-$1/resolvers.conf}
interval  = 2s
timeout   = 1s
retries   = 1
confirm   = 2
unreachable-after = 1h
# The world's caches expire every few seconds (WORLD_TTL): at the default
# rate a round's samples would spread over 200 ms and catch an expiry
# between them (a flap) now and then.  Pacing is tests/world/pace.sh's.
rate      = 1000

[domain $WORLD_DOMAIN]
ns     = hns0.dns.nifcloud.com hns1.dns.nifcloud.com
mx     = 10 mx01.$WORLD_DOMAIN, 10 mx02.$WORLD_DOMAIN
old-ns = ns1.oldhost.ne.jp ns2.oldhost.ne.jp
old-mx = 10 mail.oldhost.ne.jp
record = pop A $WORLD_NEW_POP
old-record = pop A $WORLD_OLD_POP
record = smtp A $WORLD_NEW_SMTP
old-record = smtp A $WORLD_OLD_SMTP
EOF
}
