#!/bin/sh
# The journal catalog: journalctl --update-catalog indexes one entry for
# each MESSAGE_ID of lib/journal.h, no other, each with a subject, and each
# uses only @FIELD@s that nmigd sends with that event.  Everything happens
# below a private --root; the system's catalog is not touched.
#
# Needs journalctl (Debian: systemd); systemd need not be running.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
catalog=$top_srcdir/systemd/nmigd.catalog

if ! command -v journalctl >/dev/null 2>&1; then
	echo "SKIP: journalctl missing (apt-get install systemd)"
	exit 77
fi

failed=0
fail() {
	echo "FAIL: $*"
	failed=1
}

tmp=$(mktemp -d /tmp/nmigd-catalog.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The IDs nmigd sends, from the header the daemon is built with.
ids=$(sed -n 's/^#define[ 	]*MSGID_[A-Z_]*[ 	]*"\([0-9a-f]*\)".*/\1/p' \
    "$top_srcdir/lib/journal.h" | sort)
[ "$(echo "$ids" | grep -c .)" = 11 ] ||
    { echo "FAIL: expected 11 MSGID_ defines in lib/journal.h, got: $ids"; exit 1; }

# The fields each kind of event carries (lib/journal.c).
resolver_fields="NMIGD_DOMAIN NMIGD_RESOLVER NMIGD_RESOLVER_ADDRESS"
complete_fields="NMIGD_DOMAIN NMIGD_RESOLVERS_NEW NMIGD_RESOLVERS_TOTAL NMIGD_RESOLVERS_UNREACHABLE"
parent_fields="NMIGD_DOMAIN NMIGD_PARENT_TTL"
overdue_fields="$resolver_fields NMIGD_OVERDUE_SEC"
domain_fields="NMIGD_DOMAIN"
old_stopped_fields="NMIGD_DOMAIN NMIGD_RESOLVERS_OLD"
dnssec_fields="NMIGD_DOMAIN NMIGD_DS_KEYTAGS NMIGD_DNSKEY_KEYTAGS"
reach_fields="NMIGD_RESOLVER NMIGD_RESOLVER_ADDRESS NMIGD_DOMAINS_AFFECTED"
msgid() {
	sed -n "s/^#define[ 	]*MSGID_$1[ 	]*\"\(.*\)\"/\1/p" \
	    "$top_srcdir/lib/journal.h"
}
complete_id=$(msgid COMPLETE)
parent_id=$(msgid PARENT_SWITCHED)
overdue_id=$(msgid OVERDUE)
cancel_id=$(msgid CANCEL)
old_stopped_id=$(msgid OLD_STOPPED)
dnssec_id=$(msgid DNSSEC)
unreachable_id=$(msgid RESOLVER_UNREACHABLE)
reachable_id=$(msgid RESOLVER_REACHABLE)

mkdir -p "$tmp/usr/lib/systemd/catalog"
cp "$catalog" "$tmp/usr/lib/systemd/catalog/nmigd.catalog"
out=$(SYSTEMD_LOG_LEVEL=info journalctl --root="$tmp" --update-catalog 2>&1)
rc=$?
if [ "$rc" != 0 ] || [ -n "$out" ]; then
	fail "journalctl --update-catalog (exit $rc) complains:"
	echo "$out"
fi
[ -s "$tmp/var/lib/systemd/catalog/database" ] ||
    { echo "FAIL: no catalog database written"; exit 1; }

# journalctl indexes entries whatever the text looks like, so compare the
# index with the file: the ones listed are exactly journal.h's.
list=$(journalctl --root="$tmp" --list-catalog 2>&1)
echo "$list"
listed=$(echo "$list" | awk '{ print $1 }' | sort)
[ "$listed" = "$ids" ] ||
    fail "catalog lists [$(echo $listed)], journal.h defines [$(echo $ids)]"
# Each "-- ID" header of the file made it into the index (a malformed one
# would silently become text of the entry before it).
in_file=$(sed -n 's/^-- //p' "$catalog" | sort)
[ "$in_file" = "$ids" ] ||
    fail "the file's entries [$(echo $in_file)] are not journal.h's"

for id in $ids; do
	entry=$(journalctl --root="$tmp" --dump-catalog "$id" 2>&1)
	# --list-catalog prints "ID Defined-By: Subject".
	echo "$list" | grep -qE "^$id nmigd: [^ ].{9,}" ||
	    fail "$id: no Defined-By: nmigd with a Subject of some length"
	for h in "Subject: " "Defined-By: nmigd" "Documentation: man:nmigd(8)"; do
		echo "$entry" | grep -qF "$h" || fail "$id: no '$h' line"
	done
	# A blank line ends the header; some text must follow it.
	body=$(echo "$entry" | awk 'b { print } /^$/ { b = 1 }' | grep -c .)
	[ "$body" -ge 3 ] || fail "$id: only $body lines of text"
	case $id in
	"$complete_id")	allowed=$complete_fields ;;
	"$parent_id")	allowed=$parent_fields ;;
	"$overdue_id")	allowed=$overdue_fields ;;
	"$cancel_id")	allowed=$domain_fields ;;
	"$old_stopped_id") allowed=$old_stopped_fields ;;
	"$dnssec_id")	allowed=$dnssec_fields ;;
	"$unreachable_id" | "$reachable_id") allowed=$reach_fields ;;
	*)		allowed=$resolver_fields ;;
	esac
	used=$(echo "$entry" | grep -o '@[A-Z_]*@' | tr -d @ | sort -u)
	for f in $used; do
		case " $allowed " in
		*" $f "*) ;;
		*)	fail "$id uses @$f@, which that event does not carry" ;;
		esac
	done
	# and tells the operator all of it: which domain, which resolver,
	# how many.
	for f in $allowed; do
		echo "$used" | grep -qx "$f" || fail "$id does not show @$f@"
	done
done

exit $failed
