/*
 * Reading DNS messages byte by byte, bounds-checked, before any library
 * sees them: names (with compression), the header, the question and each
 * resource record of each section.  No allocation, no I/O: these run on
 * every datagram a resolver, or anyone who can guess a port, sends us.
 */
#ifndef NMIG_WIRE_H
#define NMIG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_HDRLEN	12
#define WIRE_NAMEMAX	255	/* RFC 1035 3.1, the length byte included */
#define WIRE_LABELMAX	63
/* Compression pointers followed for one name: one for each of its labels,
 * the root's included, since no encoder points at a pointer. */
#define WIRE_PTRMAX	128

/* RR types nmigd treats specially while walking. */
#define WIRE_T_A	1
#define WIRE_T_NS	2
#define WIRE_T_CNAME	5
#define WIRE_T_SOA	6
#define WIRE_T_MX	15
#define WIRE_T_AAAA	28
#define WIRE_T_DS	43
#define WIRE_T_DNSKEY	48
#define WIRE_T_OPT	41
#define WIRE_T_TKEY	249
#define WIRE_T_TSIG	250
#define WIRE_CLASS_IN	1

#define WIRE_RCODE_NOERROR	0
#define WIRE_RCODE_NXDOMAIN	3
#define WIRE_RCODE_REFUSED	5

/* A name in uncompressed wire form. */
struct wire_name {
	uint8_t		len;	/* bytes used, the root label included */
	uint8_t		b[WIRE_NAMEMAX];
};

/*
 * Read the name at *pos in msg, following compression pointers, into out
 * (lower-cased when fold is set).  *pos moves past the name as it stands
 * in place.  A pointer must point before the label that holds it, so a
 * loop cannot form, at most WIRE_PTRMAX pointers are followed, and the
 * result must fit 255 bytes.  Returns 0, or -1
 * when the name is malformed or runs past the message.
 */
int	wire_name_read(const uint8_t *msg, size_t len, size_t *pos,
	    struct wire_name *out, bool fold);
/* Skip the name at *pos without decoding it; same checks on the part in
 * place, pointers are not followed. */
int	wire_name_skip(const uint8_t *msg, size_t len, size_t *pos);
/* Case-insensitive, as DNS compares names (RFC 4343). */
bool	wire_name_equal(const struct wire_name *, const struct wire_name *);
/* Text to wire: "example.co.jp." or "." (absolute, no escapes; the
 * config's names are checked before they get here).  Returns -1 when a
 * label is empty or too long or the name does not fit. */
int	wire_name_from_text(const char *, struct wire_name *);

struct wire_header {
	uint16_t	id;
	uint8_t		flags1;		/* QR, opcode, AA, TC, RD */
	uint8_t		flags2;		/* RA, Z, AD, CD, RCODE */
	uint16_t	count[4];	/* QD, AN, NS, AR */
};
#define WIRE_QR(h)	(((h)->flags1 & 0x80) != 0)
#define WIRE_OPCODE(h)	(((h)->flags1 >> 3) & 0x0f)
#define WIRE_AA(h)	(((h)->flags1 & 0x04) != 0)
#define WIRE_TC(h)	(((h)->flags1 & 0x02) != 0)
#define WIRE_RCODE(h)	((h)->flags2 & 0x0f)

int	wire_header_read(const uint8_t *msg, size_t len, struct wire_header *);

enum wire_section { WS_QUESTION, WS_ANSWER, WS_AUTHORITY, WS_ADDITIONAL };

/* One resource record in place: its owner and its RDATA by offset into
 * the message (names in either may point elsewhere in it).  The owner is
 * decoded only when asked for (wire_rr_owner()): most walks look at a
 * record's type first, and decoding every owner on every walk was most
 * of an answer's parse. */
struct wire_rr {
	enum wire_section	section;
	size_t			ownoff;
	uint16_t		type;
	uint16_t		class;
	uint32_t		ttl;
	uint16_t		rdlen;
	size_t			rdoff;
};

/* Walks the records after the question, section by section. */
struct wire_iter {
	const uint8_t	*msg;
	size_t		 len;
	size_t		 pos;
	int		 section;	/* enum wire_section */
	uint16_t	 left;		/* records left in this section */
	uint16_t	 count[4];
};

/* Start after the question section (whose records are skipped). */
int	wire_iter_init(struct wire_iter *, const uint8_t *msg, size_t len,
	    const struct wire_header *);
/* 1 with the next record in *rr, 0 at the end, -1 when malformed.
 * The owner's labels in place are checked, not where they point. */
int	wire_iter_next(struct wire_iter *, struct wire_rr *rr);
/* The record's owner, lower-cased, with every check of wire_name_read(). */
int	wire_rr_owner(const struct wire_iter *, const struct wire_rr *,
	    struct wire_name *);
/* Whether the record's owner is a pointer to the question's name, as
 * most owners are: once the caller has read the question whole, such an
 * owner is that name, and needs no decoding. */
static inline bool
wire_rr_owner_is_question(const struct wire_iter *it, const struct wire_rr *rr)
{
	return rr->ownoff + 1 < it->len && it->msg[rr->ownoff] == 0xc0 &&
	    it->msg[rr->ownoff + 1] == WIRE_HDRLEN;
}

static inline uint16_t
wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
