/*
 * Key tags and DS digests.
 */
#include <stdio.h>
#include <string.h>

#include <ldns/sha1.h>
#include <ldns/sha2.h>

#include "dnssec.h"
#include "util.h"
#include "wire.h"

#define DS_SHA1		1
#define DS_SHA256	2
#define DS_SHA384	4
#define DIGEST_MAX	48	/* SHA-384 */
#define ALG_RSAMD5	1
#define ZONE_KEY	0x01	/* in the flags' first byte: bit 7 */

static const char *const state_names[DN_MAX] = {
	"unknown", "unsigned", "match", "no match",
};

const char *
dnssec_state_name(enum dnssec_state s)
{
	return (unsigned)s < DN_MAX ? state_names[s] : "?";
}

int
dnssec_state_from_name(const char *s)
{
	return names_find(state_names, DN_MAX, s);
}

int
dnssec_keytag(const uint8_t *key, size_t len)
{
	uint32_t	ac = 0;
	size_t		i;

	if (len < 4)
		return -1;
	/* RSA/MD5 keys have their own tag: the last bytes of the modulus
	 * (obsolete, but a parent may still list one). */
	if (key[3] == ALG_RSAMD5)
		return len < 4 + 3 ? -1 : key[len - 3] << 8 | key[len - 2];
	for (i = 0; i < len; i++)
		ac += (i & 1) ? key[i] : (uint32_t)key[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (int)(ac & 0xffff);
}

/* The digest of owner | key of a DS digest type into out, hashed in two
 * parts; its length, or 0 for a type not computed here. */
static size_t
ds_digest(uint8_t type, const struct wire_name *owner, const uint8_t *key,
    size_t keylen, uint8_t *out)
{
	ldns_sha1_ctx	sha1;
	ldns_sha256_CTX	sha256;
	ldns_sha384_CTX	sha384;

	switch (type) {
	case DS_SHA1:
		ldns_sha1_init(&sha1);
		ldns_sha1_update(&sha1, owner->b, owner->len);
		ldns_sha1_update(&sha1, key, (unsigned)keylen);
		ldns_sha1_final(out, &sha1);
		return 20;
	case DS_SHA256:
		ldns_sha256_init(&sha256);
		ldns_sha256_update(&sha256, owner->b, owner->len);
		ldns_sha256_update(&sha256, key, keylen);
		ldns_sha256_final(out, &sha256);
		return 32;
	case DS_SHA384:
		ldns_sha384_init(&sha384);
		ldns_sha384_update(&sha384, owner->b, owner->len);
		ldns_sha384_update(&sha384, key, keylen);
		ldns_sha384_final(out, &sha384);
		return 48;
	default:
		return 0;
	}
}

bool
dnssec_ds_usable(const uint8_t *ds, size_t dslen)
{
	if (dslen < 4)
		return false;
	/* RSA/MD5 must not be validated (RFC 8624 3.1); 0, 253-255 are no
	 * algorithms a validator knows. */
	if (ds[2] == 0 || ds[2] == ALG_RSAMD5 || ds[2] >= 253)
		return false;
	return ds[3] == DS_SHA1 || ds[3] == DS_SHA256 || ds[3] == DS_SHA384;
}

bool
dnssec_ds_matches(const char *owner, const uint8_t *ds, size_t dslen,
    const uint8_t *key, size_t keylen)
{
	struct wire_name	wn;
	uint8_t			digest[DIGEST_MAX];
	size_t			n;
	int			tag;

	if (dslen < 4 || (tag = dnssec_keytag(key, keylen)) == -1)
		return false;
	/* Only a zone key signs a zone (RFC 4034 2.1.1). */
	if (!(key[0] & ZONE_KEY))
		return false;
	/* The tag and the algorithm first: they rule out most pairs. */
	if ((ds[0] << 8 | ds[1]) != tag || ds[2] != key[3])
		return false;
	if (wire_name_from_text(owner, &wn) == -1)
		return false;
	n = ds_digest(ds[3], &wn, key, keylen, digest);
	return n > 0 && dslen - 4 == n && memcmp(ds + 4, digest, n) == 0;
}

bool
dnssec_match(const char *owner, const struct rdset *ds,
    const struct rdset *keys)
{
	const uint8_t	*d, *k;
	size_t		 doff = 0, koff;
	uint16_t	 dlen, klen;

	while ((d = rdset_next(ds, &doff, &dlen)) != NULL) {
		koff = 0;
		while ((k = rdset_next(keys, &koff, &klen)) != NULL)
			if (dnssec_ds_matches(owner, d, dlen, k, klen))
				return true;
	}
	return false;
}

void
dnssec_tags(const struct rdset *set, uint16_t type, char *buf, size_t len)
{
	const uint8_t	*rd;
	size_t		 off = 0, used = 0;
	uint16_t	 rdlen;
	int		 tag;

	char		 one[8];
	int		 n;

	buf[0] = '\0';
	while ((rd = rdset_next(set, &off, &rdlen)) != NULL) {
		tag = type == WIRE_T_DS ? (rdlen >= 2 ? rd[0] << 8 | rd[1] :
		    -1) : dnssec_keytag(rd, rdlen);
		if (tag < 0)
			continue;
		n = snprintf(one, sizeof(one), "%s%d", used > 0 ? " " : "",
		    tag);
		/* Whole tags only: what does not fit is left out. */
		if (used + (size_t)n >= len)
			break;
		memcpy(buf + used, one, (size_t)n + 1);
		used += (size_t)n;
	}
}
