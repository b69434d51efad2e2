/*
 * DNSSEC across the cutover: does a DS record at the parent match a
 * DNSKEY of the name servers it delegates to?  Worked out from the
 * canonical RDATA nmigd keeps (lib/rdata.h): the key tag of RFC 4034
 * appendix B, and the DS digest (RFC 4034 5.1.4, RFC 4509, RFC 6605) of
 * the owner's canonical wire name and the DNSKEY RDATA, which ldns's
 * SHA-1 and SHA-2 routines hash; no ldns parser sees the bytes.
 */
#ifndef NMIG_DNSSEC_H
#define NMIG_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdata.h"

/* How a provider's keys stand against the parent's DS set. */
enum dnssec_state {
	DN_UNKNOWN = 0,		/* not known yet: no answers */
	DN_UNSIGNED,		/* no DS at the parent: nothing to check */
	DN_MATCH,		/* a DS matches a key of every server */
	DN_NO_MATCH,		/* a server has no key any DS matches */
	DN_MAX
};

const char	*dnssec_state_name(enum dnssec_state);
int		 dnssec_state_from_name(const char *);

/* The key tag of a DNSKEY RDATA; -1 if it is too short to be one. */
int	dnssec_keytag(const uint8_t *key, size_t len);
/* Whether a validator would use a DS RDATA: a digest type nmigd computes
 * too, an algorithm that may be validated.  A DS set with none a
 * validator uses makes the zone insecure to it, not failed. */
bool	dnssec_ds_usable(const uint8_t *ds, size_t dslen);
/* Whether a DS RDATA stands for the DNSKEY RDATA (a zone key) of owner (absolute
 * text, lower case, as the config keeps it): the same tag and algorithm,
 * and a digest of a type nmigd computes (1 SHA-1, 2 SHA-256, 4 SHA-384)
 * that equals the key's.  A digest type it does not compute never
 * matches. */
bool	dnssec_ds_matches(const char *owner, const uint8_t *ds, size_t dslen,
	    const uint8_t *key, size_t keylen);
/* Whether any DS of ds matches any DNSKEY of keys. */
bool	dnssec_match(const char *owner, const struct rdset *ds,
	    const struct rdset *keys);
/* The key tags of a DS or a DNSKEY set (type 43 or 48), "12345 2371",
 * into buf, for messages and status; whole tags only, as many as fit. */
void	dnssec_tags(const struct rdset *, uint16_t type, char *buf,
	    size_t len);

#endif
