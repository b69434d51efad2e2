/*
 * DNS packets: building queries and judging whether a datagram is the
 * answer to the query we sent, with nmigd's own bounds-checked walk
 * (wire.h): no library parser ever sees bytes from the network.  Nothing
 * here touches a socket.
 */
#ifndef NMIG_PACKET_H
#define NMIG_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rdata.h"

struct wire_name;

#define NMIG_EDNS_BUFSIZE	1232
/* Header, the longest name, type and class, an OPT record. */
#define PACKET_QUERY_MAX	(12 + 255 + 4 + 11)

/* What we learnt from one accepted response. */
struct answer {
	uint8_t		rcode;		/* with the EDNS extended bits */
	bool		tc;
	bool		aa;
	/* Canonical RDATA of the answer-section records of the asked type
	 * (following a CNAME chain from the asked name). */
	struct rdset	rdata;
	/* Positive answer: the smallest TTL among those records.  NODATA or
	 * NXDOMAIN: the negative-cache TTL, min(SOA TTL, SOA MINIMUM) of the
	 * authority SOA, 0 without one.  A TTL with its top bit set counts
	 * as 0 (RFC 2181 8). */
	uint32_t	ttl;
	/* The asked name has a CNAME: the records are another name's. */
	bool		cname;
	/* The authority section: the NS records of the asked name (a
	 * referral, as a parent zone's server gives it to a query with
	 * RD=0), their smallest TTL, its DS records, whether it holds an
	 * SOA (a negative answer from the zone itself).  The glue: the
	 * additional section's A and AAAA records of those NS names, each
	 * item the owner's canonical name, the type (2 bytes) and the
	 * RDATA. */
	struct rdset	auth_ns;
	uint32_t	auth_ns_ttl;
	struct rdset	auth_ds;
	bool		auth_soa;
	struct rdset	glue;
};

enum packet_verdict {
	PKT_OK = 0,
	PKT_MALFORMED,		/* does not walk as a DNS message */
	PKT_NOT_RESPONSE,	/* QR=0 */
	PKT_WRONG_ID,
	PKT_BAD_QDCOUNT,	/* QDCOUNT != 1 */
	PKT_WRONG_QUESTION,	/* name, type or class differ */
	PKT_BAD_OPCODE,		/* not a QUERY */
	PKT_UNEXPECTED_RR,	/* TSIG, TKEY, a meta type, a stray OPT */
};

/* Query flags. */
#define PQ_RD	0x01	/* recursion desired: for resolvers */
#define PQ_DO	0x02	/* DNSSEC OK (RFC 3225): RRSIGs with the answer */

/* EDNS0 with a 1232-byte buffer and the flags, into buf (PACKET_QUERY_MAX
 * bytes).  owner is absolute text as the config keeps it.  Returns the
 * length, or -1 if the name cannot be encoded. */
int	packet_query(const char *owner, uint16_t type, uint16_t id,
	    unsigned flags, uint8_t *buf);
/* The same with the owner in wire form: the length, never -1. */
int	packet_query_name(const struct wire_name *owner, uint16_t type,
	    uint16_t id, unsigned flags, uint8_t *buf);

/* Accept the datagram only if it answers exactly the query (id, owner,
 * type, class IN, opcode QUERY) and carries nothing nmigd never asked
 * for.  On PKT_OK *out is filled and must be freed with answer_free();
 * otherwise *out is untouched. */
enum packet_verdict packet_parse_answer(const uint8_t *wire, size_t len,
	    uint16_t id, const char *owner, uint16_t type, struct answer *out);
/* The same with the owner in wire form, as a query keeps it: no text to
 * encode for every datagram. */
enum packet_verdict packet_parse_answer_name(const uint8_t *wire,
	    size_t len, uint16_t id, const struct wire_name *qname,
	    uint16_t type, struct answer *out);
const char *packet_verdict_name(enum packet_verdict);

void	answer_free(struct answer *);

/* DNS over TCP (RFC 1035 4.2.2): each message follows its 2-byte length.
 * Given the first avail bytes of a stream, whether a whole message is
 * there (its length in *msglen), more bytes are needed, or the length
 * cannot be a DNS message (shorter than a header). */
enum tcp_frame {
	TCP_NEED_MORE,
	TCP_MESSAGE,
	TCP_BAD,
};
enum tcp_frame packet_tcp_frame(const uint8_t *buf, size_t avail,
	    size_t *msglen);

/* "NOERROR", "SERVFAIL", ...; "RCODE17" for unnamed ones (buf 16 bytes). */
const char *rcode_name(uint8_t, char *buf);

#endif
