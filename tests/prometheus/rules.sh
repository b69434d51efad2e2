#!/bin/sh
# The shipped alert rules (etc/prometheus/nmigd.rules.yml): promtool
# accepts them, and each fires when it should and not before
# (tests/prometheus/nmigd.rules.test.yml).  Exit 77 (skipped) without
# promtool (Debian: prometheus).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v promtool >/dev/null 2>&1; then
	echo "promtool missing (apt-get install prometheus): skipped"
	exit 77
fi
promtool check rules "$top_srcdir/etc/prometheus/nmigd.rules.yml" &&
    promtool test rules "$top_srcdir/tests/prometheus/nmigd.rules.test.yml"
