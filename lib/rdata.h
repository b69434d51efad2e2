/*
 * Canonical record data.  Expected values from the config and values seen
 * in answers go through the same function, so that a set compare is a
 * string compare: RDATA in presentation form after ldns canonicalisation
 * (lower-case names, absolute), fields separated by one space.
 */
#ifndef NMIG_RDATA_H
#define NMIG_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

/* A set of RDATA strings, sorted and without duplicates. */
struct rdset {
	char	**rr;
	size_t	  n;
};

/* Canonical RDATA of one record; malloc'd string, or NULL on failure. */
char	*rdata_canon(const ldns_rr *);

/* Parse one RDATA text for OWNER/TYPE ("10 mx01.example.co.jp") into its
 * canonical form.  Returns a malloc'd string, or NULL with a message in err. */
char	*rdata_parse(const char *owner, uint16_t type, const char *text,
	    char *err, size_t errlen);

/* Add a string (taking ownership), keeping the set sorted and unique. */
void	 rdset_add(struct rdset *, char *);
bool	 rdset_equal(const struct rdset *, const struct rdset *);
void	 rdset_free(struct rdset *);
/* Deep copy; dst must be empty. */
void	 rdset_copy(struct rdset *dst, const struct rdset *src);
/* The set as one string, entries joined by "\n" (for storage); malloc'd. */
char	*rdset_join(const struct rdset *);
/* The inverse of rdset_join. */
void	 rdset_split(struct rdset *, const char *);

/* "NS" -> LDNS_RR_TYPE_NS; 0 if unknown. */
uint16_t rrtype_from_name(const char *);
/* LDNS_RR_TYPE_NS -> "NS", "TYPE65280" for unnamed ones; static storage
 * for named types, buf (16 bytes) otherwise. */
const char *rrtype_name(uint16_t, char *buf);

#endif
