#!/bin/bash
# DNSSEC across the cutover against real servers: the new provider's zone
# is signed (ldns-keygen, ldns-signzone), the old one's is not.  The
# registry first holds a DS for another key: status warns, before the
# switch, that DNSSEC will fail, and no event comes; once the registry
# delegates to the new servers the event comes, once, with the DS's and
# the new servers' key tags.  With the DS of the key that signed the zone,
# the new servers match and the latch clears.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/world/lib.sh"
. "$top_srcdir/tests/world/daemon.sh"

daemon_need ldnsutils:ldns-keygen ldnsutils:ldns-signzone
export WORLD_TTL=5
daemon_init dnssec
DNSSEC=d2cd7464e5d8424aa4548f818cdb61a2
nevents() { db "SELECT count(*) FROM events WHERE message_id = '$DNSSEC'"; }

# reload_nsd NAME: NSD rereads its zones (their mtime changed).
reload_nsd() {
	local f
	for f in "$dir/$1"/*.zone; do
		touch -d "@$(( $(date +%s) + 1 ))" "$f"
	done
	kill -HUP "$(world_pid "$dir" "$1")"
}

# registry_ds FILE: the registry's jp. zone holds the DS of FILE (a .ds
# of ldns-keygen) for example.co.jp., and only that one.
registry_ds() {
	sed -i '/^example\.co\.jp\.[[:space:]].*DS/d' "$dir/tld/jp.zone"
	sed 's/IN/5 IN/' "$1" >>"$dir/tld/jp.zone"
	reload_nsd tld
	local tag i
	tag=$(awk '{ print $4 }' "$1")
	for i in $(seq 50); do
		drill -Q @"$(world_addr "$dir" tld)" "$WORLD_DOMAIN." DS 2>/dev/null |
		    grep -q "^$tag " && return 0
		sleep 0.2
	done
	fail "the registry does not serve the DS $tag"
}

world_start "$dir" 2 || exit 1
( cd "$dir/new" &&
  ldns-keygen -a ECDSAP256SHA256 -k "$WORLD_DOMAIN" >"$dir/signing.name" &&
  ldns-keygen -a ECDSAP256SHA256 -k "$WORLD_DOMAIN" >"$dir/other.name" &&
  ldns-signzone -o "$WORLD_DOMAIN" example.co.jp.zone "$(cat "$dir/signing.name")" &&
  mv example.co.jp.zone.signed example.co.jp.zone ) || fail "signing the new zone"
reload_nsd new
signing=$(awk '{ print $4 }' "$dir/new/$(cat "$dir/signing.name").ds")
other=$(awk '{ print $4 }' "$dir/new/$(cat "$dir/other.name").ds")
for i in $(seq 50); do
	drill -Q @"$(world_addr "$dir" new1)" "$WORLD_DOMAIN." DNSKEY 2>/dev/null |
	    grep -q . && break
	sleep 0.2
done
registry_ds "$dir/new/$(cat "$dir/other.name").ds"
world_nmigd_conf "$dir" "$dir/nmigd.db" >"$dir/nmigd.conf"
nmigd_start

wait_q 20 '.dnssec.new == "no match" and .dnssec.ds_keytags != ""' \
    "the DS to match no key of the new servers"
[ "$(q .dnssec.ds_keytags)" = "$other" ] || fail "DS tags $(q .dnssec.ds_keytags), not $other"
[ "$(q .dnssec.new_dnskey_keytags)" = "$signing" ] ||
    fail "the new servers' key tags: $(q .dnssec.new_dnskey_keytags), not $signing"
[ "$(q .dnssec.old)" = "no match" ] || fail "the unsigned old zone: $(q .dnssec.old)"
[ "$(q .dnssec.warning)" = "DNSSEC will fail at the switch: no DS at the parent matches a DNSKEY of the new nameservers" ] ||
    fail "warning: $(q .dnssec.warning)"
"$CTL" -s "$dir/nmigd.sock" status example.co.jp | grep -q "^  dnssec: DS $other; new servers no match" ||
    fail "text status lacks the DNSSEC line"
[ "$(nevents)" = 0 ] || fail "an event before the switch"
ok "before the switch: DS $other matches none of the new keys ($signing): a warning, no event"

world_switch "$dir" new || fail "switch"
registry_ds "$dir/new/$(cat "$dir/other.name").ds"
wait_q 20 '.dnssec.failed_at != null' "the DNSSEC event"
for i in $(seq 20); do [ "$(nevents)" = 1 ] && break; sleep 0.3; done
[ "$(nevents)" = 1 ] || fail "$(nevents) DNSSEC events, not 1"
[ "$(db "SELECT message FROM events WHERE message_id = '$DNSSEC'")" = \
    "DNSSEC for example.co.jp will fail: no DS at the parent matches a DNSKEY of the new nameservers" ] ||
    fail "event message"
ok "after the switch: the event, once"

registry_ds "$dir/new/$(cat "$dir/signing.name").ds"
wait_q 20 '.dnssec.new == "match" and .dnssec.failed_at == null' "the DS to match"
[ "$(q .dnssec.warning)" = null ] || fail "a warning with a matching DS"
[ "$(nevents)" = 1 ] || fail "another event"
ok "with the DS of the signing key ($signing): match, the latch cleared"
nmigd_stop
[ "$(db "SELECT dnssec_new FROM domains WHERE name = 'example.co.jp.'")" = match ] ||
    fail "the database does not hold the DNSSEC state"
echo "PASS: DNSSEC across the cutover"
exit 0
