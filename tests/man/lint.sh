#!/bin/sh
# Every manual page must pass "mandoc -Tlint -Wwarning" without a single
# message: mandoc's warnings are the mistakes that change what a reader
# sees (a lost argument, a broken list, sections out of order).
# Exit 77 (skipped) when mandoc is not installed.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

if ! command -v mandoc >/dev/null 2>&1; then
	echo "mandoc not installed: skipped"
	exit 77
fi

fail=0
n=0
for page in "$top_srcdir"/man/*.[1-9]; do
	[ -f "$page" ] || continue
	n=$((n + 1))
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	rc=$?
	if [ -n "$out" ] || [ $rc -ne 0 ]; then
		echo "FAIL: $page (mandoc exit $rc)"
		printf '%s\n' "$out"
		fail=1
	else
		echo "ok: $page"
	fi
done

if [ $n -eq 0 ]; then
	echo "FAIL: no manual pages found in $top_srcdir/man"
	exit 1
fi
exit $fail
