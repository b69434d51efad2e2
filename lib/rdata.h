/*
 * Record data in canonical wire form (RFC 4034 6.2: names uncompressed
 * and lower-cased, everything else as sent), and sets of it sorted as
 * RFC 4034 6.3 orders an RRset.  Expected values from the config and
 * values seen in answers become the same bytes, so comparing two sets is
 * comparing two byte strings; text is made only for people (rdtext.h).
 * The owner is not part of it: a set always belongs to one check.
 */
#ifndef NMIG_RDATA_H
#define NMIG_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One RDATA is at most 65535 bytes on the wire; decompressing its names
 * may make it longer, and such a record is refused. */
#define RDATA_MAX	65535

/*
 * The layout of a type's RDATA, one letter a field:
 *	b w l	an integer of 1, 2 or 4 bytes
 *	4 6	an IPv4 or IPv6 address
 *	n	a domain name (may be compressed in an answer)
 *	s	a character-string;  T  the same, printed bare (a CAA tag)
 *	S	character-strings to the end, at least one
 *	L	the rest as one quoted string, possibly empty (a CAA value)
 *	X	the rest in hex, at least one byte;  B  the same in base64
 *	v	the rest as SVCB parameters (RFC 9460)
 *	r	the rest, kept as is and never printed field by field
 * NULL for a type nmigd knows nothing of: its RDATA is opaque bytes.
 */
const char	*rdata_layout(uint16_t type);

/*
 * The canonical form of one record's RDATA.  The RDATA is rdlen bytes at
 * msg + rdoff; names in it may point elsewhere in msg (msglen bytes).  An
 * empty RDATA is accepted for any type (an RR with RDLENGTH 0 is valid on
 * the wire).  Writes at most RDATA_MAX bytes to out; returns the length,
 * or -1 when the RDATA does not have the type's layout.
 */
int	rdata_canon(uint16_t type, const uint8_t *msg, size_t msglen,
	    size_t rdoff, size_t rdlen, uint8_t *out);

/*
 * Parse one RDATA in presentation form for OWNER/TYPE ("10 mx01.example.
 * co.jp") into canonical form in out (RDATA_MAX bytes).  Returns the
 * length, or -1 with a message in err.
 */
int	rdata_parse(const char *owner, uint16_t type, const char *text,
	    uint8_t *out, char *err, size_t errlen);

/*
 * A set of canonical RDATA, sorted and without duplicates, in one buffer:
 * each item a 16-bit length and its bytes.  hash covers every item added,
 * so a set cut short for keeping (rdset_copy_capped) still compares
 * unequal to any other answer.
 */
struct rdset {
	uint8_t		*buf;
	uint32_t	 len;		/* bytes used in buf */
	uint16_t	 n;		/* items in buf */
	uint16_t	 dropped;	/* items left out by rdset_copy_capped */
	uint64_t	 hash;		/* of the whole set, 0 when empty */
};

/* Add one RDATA (copied); a duplicate is ignored.  -1 when the set would
 * exceed 65535 items. */
int	 rdset_add(struct rdset *, const uint8_t *rd, size_t len);
bool	 rdset_equal(const struct rdset *, const struct rdset *);
void	 rdset_free(struct rdset *);
/* Deep copy into an empty dst. */
void	 rdset_copy(struct rdset *dst, const struct rdset *src);
/* The same, keeping only the items that fit in max bytes: an answer that
 * is neither the old nor the new set is kept for display, and one
 * hostile resolver must not make us keep megabytes per domain. */
void	 rdset_copy_capped(struct rdset *dst, const struct rdset *src,
	    size_t max);
/* Walk the items: start with *off = 0; returns NULL at the end. */
const uint8_t *rdset_next(const struct rdset *, size_t *off, uint16_t *len);
/* For storage: the set as one blob (buf, len, n, dropped), and back.
 * rdset_from_blob() checks the blob and rebuilds the set from its items;
 * -1 when it is not a set. */
size_t	 rdset_blob(const struct rdset *, uint8_t **out);
int	 rdset_from_blob(struct rdset *, const uint8_t *blob, size_t len);

/* "NS" -> 2; 0 if unknown or a meta or query type no resolver holds. */
uint16_t rrtype_from_name(const char *);
/* 2 -> "NS", "TYPE65280" for unnamed ones; static storage for named
 * types, buf (16 bytes) otherwise. */
const char *rrtype_name(uint16_t, char *buf);

#endif
