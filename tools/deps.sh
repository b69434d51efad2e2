#!/bin/sh
# Installs the Debian packages nmigd needs to build and test, when missing
# (prometheus for promtool, which checks /metrics and the alert rules;
# chromium, headless, for the web view's test; libfuse3-dev for
# tests/tools/rofs, the file system of the read-only database test;
# dnsperf, the reference of the benchmark, bench/, whose smoke test make
# check runs with NSD).
# Sourced by tools/check.sh and tools/demo.sh; safe to run again.

NMIG_PACKAGES="build-essential autoconf automake pkg-config
 libldns-dev libevent-dev libsqlite3-dev libsystemd-dev libjansson-dev
 libidn2-dev libcmocka-dev libsmartcols-dev zlib1g-dev libfuse3-dev
 nsd unbound ldnsutils sqlite3 mandoc systemd curl jq valgrind iproute2 procps socat
 python3 dnsmasq-base dnsdist prometheus chromium dnsperf"

# The sanitizer and fuzzing builds of .ci/run (configure --enable-sanitizers,
# --enable-fuzzing, tools/fuzz.sh, tools/build-ldns-fuzz.sh) need these as
# well; a plain build and tools/check.sh do not.  llvm brings
# llvm-symbolizer for readable stacks; dpkg-dev (dpkg-source) and
# libssl-dev are what building ldns from its Debian source takes.
NMIG_FUZZ_PACKAGES="clang libclang-rt-dev llvm dpkg-dev libssl-dev"

# nmig_missing_packages [PACKAGE...]: those not installed (default: the
# packages of every build and test).
nmig_missing_packages() {
	[ $# -gt 0 ] || set -- $NMIG_PACKAGES
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || printf '%s ' "$p"
	done
}

nmig_install_deps() {
	nmig_install_packages $NMIG_PACKAGES
}

nmig_install_fuzz_deps() {
	nmig_install_packages $NMIG_PACKAGES $NMIG_FUZZ_PACKAGES
}

nmig_install_packages() {
	missing=$(nmig_missing_packages "$@")
	[ -n "$missing" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages: $missing" >&2
		echo "install them as root: apt-get install $missing" >&2
		return 1
	fi
	echo "installing: $missing"
	# The test worlds start their own NSD and Unbound on loopback; the
	# packages' system services must not start on install and take
	# port 53.  policy-rc.d is the Debian way to say so.
	policy_added=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy_added=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq &&
	    apt-get install -y -qq --no-install-recommends $missing >/dev/null
	rc=$?
	[ -z "$policy_added" ] || rm -f /usr/sbin/policy-rc.d
	return $rc
}

# Build in the source tree: autoreconf when configure is missing or older
# than its inputs, configure (with NMIG_CONFIGURE_FLAGS, e.g.
# --enable-sanitizers) when there is no Makefile.
nmig_build() {
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	    [ Makefile.am -nt configure ]; then
		autoreconf -fi || return 1
	fi
	if [ ! -f Makefile ]; then
		# shellcheck disable=SC2086
		./configure ${NMIG_CONFIGURE_FLAGS:-} || return 1
	fi
	make -j"$(nproc)"
}
