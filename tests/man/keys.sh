#!/bin/sh
# The manual pages against the code they describe, so that a new option,
# key or event cannot be added without its documentation:
#  - nmigd(8)'s SYNOPSIS is the usage line of daemon/nmigd.c;
#  - every key of lib/config.c's keyword tables has an entry in
#    nmigd.conf(5);
#  - every MESSAGE_ID of lib/journal.h is in nmigd(8);
#  - nmigd-ctl(8) has every command and option of ctl/nmigd-ctl.c.
# Exit 77 (skipped) when mandoc is not installed.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
man=$top_srcdir/man
fail=0

if ! command -v mandoc >/dev/null 2>&1; then
	echo "mandoc not installed: skipped"
	exit 77
fi

# The SYNOPSIS as a reader sees it, on one line.
synopsis() {
	mandoc -Tascii -Owidth=200 "$1" | col -b |
	    awk '/^SYNOPSIS/ { s = 1; next } /^[A-Z]/ { s = 0 }
		s && NF { $1 = $1; printf "%s%s", sep, $0; sep = " " }'
}

want=$(sed -n 's/.*"usage: \(nmigd [^\\]*\)\\n".*/\1/p' \
    "$top_srcdir/daemon/nmigd.c")
have=$(synopsis "$man/nmigd.8")
if [ -z "$want" ]; then
	echo "FAIL: no usage line found in daemon/nmigd.c"
	fail=1
elif [ "$want" != "$have" ]; then
	echo "FAIL: nmigd.8 SYNOPSIS \"$have\", usage says \"$want\""
	fail=1
else
	echo "ok: nmigd.8 SYNOPSIS matches the usage line"
fi

keys=$(sed -n '/^static const struct keyword [a-z]*_keywords\[\]/,/^};/p' \
    "$top_srcdir/lib/config.c" | sed -n 's/^[[:space:]]*{ "\([a-z-]*\)".*/\1/p')
if [ -z "$keys" ]; then
	echo "FAIL: no keywords found in lib/config.c"
	fail=1
fi
for k in $keys; do
	if grep -q "^\.It Ic $k No = " "$man/nmigd.conf.5"; then
		echo "ok: key $k is in nmigd.conf.5"
	else
		echo "FAIL: key $k of lib/config.c is not in nmigd.conf.5"
		fail=1
	fi
done

# The keys that take "auto" (lib/learn.h) say so in their entry.
for k in mx old-ns old-mx record; do
	if grep -q "^\.It Ic $k No = .*Cm auto" "$man/nmigd.conf.5"; then
		echo "ok: key $k says it takes auto"
	else
		echo "FAIL: the nmigd.conf.5 entry of $k does not say it takes auto"
		fail=1
	fi
done

# Every metric family /metrics exposes is in nmigd.conf.5.
fams=$(grep -oh '"nmigd_[a-z_]*' "$top_srcdir/daemon/metricsdoc.c" |
    tr -d '"' | sort -u)
if [ -z "$fams" ]; then
	echo "FAIL: no metric families found in daemon/metricsdoc.c"
	fail=1
fi
for f in $fams; do
	if grep -q "^\.Va $f\( \|\$\)" "$man/nmigd.conf.5"; then
		echo "ok: metric $f is in nmigd.conf.5"
	else
		echo "FAIL: metric $f of daemon/metricsdoc.c is not in nmigd.conf.5"
		fail=1
	fi
done

ids=$(sed -n 's/^#define MSGID_[A-Z]*[[:space:]]*"\([0-9a-f]*\)".*/\1/p' \
    "$top_srcdir/lib/journal.h")
if [ -z "$ids" ]; then
	echo "FAIL: no MESSAGE_IDs found in lib/journal.h"
	fail=1
fi
for id in $ids; do
	if grep -q "^\.It .*Li $id Ta" "$man/nmigd.8"; then
		echo "ok: MESSAGE_ID $id is in the nmigd.8 table"
	else
		echo "FAIL: MESSAGE_ID $id of lib/journal.h is not in nmigd.8"
		fail=1
	fi
done
ctl=$top_srcdir/ctl/nmigd-ctl.c
cmds=$(sed -n '/^static const struct ctl_cmd ctl_cmds\[\]/,/^};/p' "$ctl" |
    sed -n 's/^[[:space:]]*{ "\([a-z]*\)",.*/\1/p')
if [ -z "$cmds" ]; then
	echo "FAIL: no commands found in ctl/nmigd-ctl.c"
	fail=1
fi
for cmd in $cmds; do
	if grep -q "^\.It Cm $cmd\( \|\$\)" "$man/nmigd-ctl.8"; then
		echo "ok: command $cmd is in nmigd-ctl.8"
	else
		echo "FAIL: command $cmd of ctl/nmigd-ctl.c is not in nmigd-ctl.8"
		fail=1
	fi
done

# Each letter of the getopt string, and --json, in the SYNOPSIS.
letters=$(sed -n 's/.*getopt_long(argc, argv, "+*\([^"]*\)".*/\1/p' "$ctl" |
    tr -d ':+' | sed 's/./& /g')
have=$(synopsis "$man/nmigd-ctl.8")
if [ -z "$letters" ]; then
	echo "FAIL: no getopt string found in ctl/nmigd-ctl.c"
	fail=1
fi
for l in $letters -json; do
	if printf '%s\n' "$have" | grep -Eq "\[-([A-Za-z]*$l[A-Za-z]*\]|$l[] ])"; then
		echo "ok: option -$l is in the nmigd-ctl.8 SYNOPSIS"
	else
		echo "FAIL: option -$l of ctl/nmigd-ctl.c is not in the nmigd-ctl.8 SYNOPSIS"
		fail=1
	fi
done
exit $fail
