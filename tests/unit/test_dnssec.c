/*
 * lib/dnssec.c: key tags and DS digests, against the examples of RFC 4034
 * (5.4, SHA-1) and RFC 4509 (SHA-256) for the same key, which an
 * independent implementation computed; a DS of another key, tag,
 * algorithm or digest type, or a truncated one, never matches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <ldns/ldns.h>

#include "dnssec.h"
#include "rdata.h"

#define OWNER	"dskey.example.com."
#define KEY	"256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/" \
		"2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvx" \
		"egXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc" \
		"nOf+EPbtG9DMBmADjFDc2w/rljwvFw=="
#define DS1	"60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"
#define DS2	"60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383" \
		"F6A1E4469DA50A"

static size_t
parse(uint16_t type, const char *text, uint8_t *out)
{
	char	err[128];
	int	len;

	len = rdata_parse(OWNER, type, text, out, err, sizeof(err));
	if (len < 0)
		fail_msg("%s: %s", text, err);
	return (size_t)len;
}

static void
test_keytag(void **state)
{
	uint8_t	key[RDATA_MAX];
	size_t	len = parse(LDNS_RR_TYPE_DNSKEY, KEY, key);

	assert_int_equal(dnssec_keytag(key, len), 60485);
	assert_int_equal(dnssec_keytag(key, 3), -1);
}

static void
test_ds(void **state)
{
	uint8_t	key[RDATA_MAX], ds1[RDATA_MAX], ds2[RDATA_MAX];
	uint8_t	bad[RDATA_MAX];
	size_t	klen = parse(LDNS_RR_TYPE_DNSKEY, KEY, key);
	size_t	l1 = parse(LDNS_RR_TYPE_DS, DS1, ds1);
	size_t	l2 = parse(LDNS_RR_TYPE_DS, DS2, ds2);

	assert_true(dnssec_ds_matches(OWNER, ds1, l1, key, klen));
	assert_true(dnssec_ds_matches(OWNER, ds2, l2, key, klen));
	/* The owner is part of the digest. */
	assert_false(dnssec_ds_matches("other.example.com.", ds2, l2, key,
	    klen));
	/* One bit of the digest, the tag, the algorithm, the length. */
	memcpy(bad, ds2, l2);
	bad[l2 - 1] ^= 1;
	assert_false(dnssec_ds_matches(OWNER, bad, l2, key, klen));
	memcpy(bad, ds2, l2);
	bad[1] ^= 1;
	assert_false(dnssec_ds_matches(OWNER, bad, l2, key, klen));
	memcpy(bad, ds2, l2);
	bad[2] = 8;
	assert_false(dnssec_ds_matches(OWNER, bad, l2, key, klen));
	assert_false(dnssec_ds_matches(OWNER, ds2, l2 - 1, key, klen));
	assert_false(dnssec_ds_matches(OWNER, ds2, 3, key, klen));
	/* A digest type nmigd does not compute (GOST, 3) never matches. */
	memcpy(bad, ds2, l2);
	bad[3] = 3;
	assert_false(dnssec_ds_matches(OWNER, bad, l2, key, klen));
	/* Another key: its first bytes changed. */
	memcpy(bad, key, klen);
	bad[10] ^= 0xff;
	assert_false(dnssec_ds_matches(OWNER, ds2, l2, bad, klen));
}

/* What a validator would not use: RSA/MD5, unknown algorithms, digest
 * types nmigd does not compute; and only a zone key matches. */
static void
test_usable(void **state)
{
	uint8_t	key[RDATA_MAX], ds[RDATA_MAX];
	size_t	klen = parse(LDNS_RR_TYPE_DNSKEY, KEY, key);
	size_t	dlen = parse(LDNS_RR_TYPE_DS, DS2, ds);

	assert_true(dnssec_ds_usable(ds, dlen));
	ds[2] = 1;
	assert_false(dnssec_ds_usable(ds, dlen));
	ds[2] = 253;
	assert_false(dnssec_ds_usable(ds, dlen));
	ds[2] = 5;
	ds[3] = 3;
	assert_false(dnssec_ds_usable(ds, dlen));
	ds[3] = 2;
	assert_false(dnssec_ds_usable(ds, 3));
	/* Flags 0: not a zone key. */
	key[0] = 0;
	assert_false(dnssec_ds_matches(OWNER, ds, dlen, key, klen));
}

static void
test_sets(void **state)
{
	struct rdset	ds, keys, none;
	uint8_t		key[RDATA_MAX], d[RDATA_MAX], other[RDATA_MAX];
	size_t		klen = parse(LDNS_RR_TYPE_DNSKEY, KEY, key);
	size_t		dlen = parse(LDNS_RR_TYPE_DS, DS2, d);
	size_t		olen = parse(LDNS_RR_TYPE_DS, "12345 8 2 "
			    "0000000000000000000000000000000000000000000000000000"
			    "000000000000", other);
	char		tags[64];

	memset(&ds, 0, sizeof(ds));
	memset(&keys, 0, sizeof(keys));
	memset(&none, 0, sizeof(none));
	rdset_add(&keys, key, klen);
	rdset_add(&ds, other, olen);
	assert_false(dnssec_match(OWNER, &ds, &keys));
	rdset_add(&ds, d, dlen);
	assert_true(dnssec_match(OWNER, &ds, &keys));
	assert_false(dnssec_match(OWNER, &ds, &none));
	assert_false(dnssec_match(OWNER, &none, &keys));
	dnssec_tags(&ds, LDNS_RR_TYPE_DS, tags, sizeof(tags));
	assert_string_equal(tags, "12345 60485");
	dnssec_tags(&keys, LDNS_RR_TYPE_DNSKEY, tags, sizeof(tags));
	assert_string_equal(tags, "60485");
	/* Cut short, whole tags only, never past the buffer. */
	dnssec_tags(&ds, LDNS_RR_TYPE_DS, tags, 8);
	assert_string_equal(tags, "12345");
	dnssec_tags(&ds, LDNS_RR_TYPE_DS, tags, 3);
	assert_string_equal(tags, "");
	rdset_free(&ds);
	rdset_free(&keys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keytag),
		cmocka_unit_test(test_ds),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
