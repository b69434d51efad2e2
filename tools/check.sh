#!/bin/sh
# Installs what is missing, builds, and runs the whole test suite
# (unit tests and the loopback DNS scenario tests): make check.
# Usage: tools/check.sh [--distcheck]
# NMIG_CONFIGURE_FLAGS are given to configure when the tree is not yet
# configured (.ci/run: --enable-sanitizers in a copy of the tree).
set -e
cd "$(dirname "$0")/.."
. tools/deps.sh
nmig_install_deps
nmig_build
if ! make -j"$(nproc)" check; then
	# Show why: automake keeps each test's output in its .log file.
	for f in tests/*/*.log; do
		[ -f "$f" ] || continue
		case "$f" in */test-suite.log) continue ;; esac
		grep -q ':test-result: \(FAIL\|ERROR\)' "${f%.log}.trs" 2>/dev/null || continue
		echo "===== $f"
		tail -n 80 "$f"
	done
	exit 1
fi
# Under CI a skipped scenario test is a missing install step, not a pass.
skipped=$(grep -l ':test-result: SKIP' tests/*/*.trs 2>/dev/null || true)
if [ -n "${CI:-}" ] && [ -n "$skipped" ]; then
	echo "skipped: $skipped" >&2
	echo "tests were skipped under CI: an install step is missing" >&2
	exit 1
fi
if [ "${1:-}" = --distcheck ]; then
	make -j"$(nproc)" distcheck
fi
