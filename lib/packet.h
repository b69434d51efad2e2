/*
 * DNS packets with ldns: building queries and judging whether a datagram
 * is the answer to the query we sent.  Nothing here touches a socket.
 */
#ifndef NMIG_PACKET_H
#define NMIG_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rdata.h"

#define NMIG_EDNS_BUFSIZE	1232

/* What we learnt from one accepted response. */
struct answer {
	uint8_t		rcode;		/* LDNS_RCODE_* */
	bool		tc;
	bool		aa;
	/* Canonical RDATA of the answer-section records of the asked type
	 * (following a CNAME chain from the asked name). */
	struct rdset	rdata;
	/* Positive answer: the smallest TTL among those records.  NODATA or
	 * NXDOMAIN: the negative-cache TTL, min(SOA TTL, SOA MINIMUM) of the
	 * authority SOA, 0 without one. */
	uint32_t	ttl;
};

enum packet_verdict {
	PKT_OK = 0,
	PKT_MALFORMED,		/* ldns could not parse it */
	PKT_NOT_RESPONSE,	/* QR=0 */
	PKT_WRONG_ID,
	PKT_BAD_QDCOUNT,	/* QDCOUNT != 1 */
	PKT_WRONG_QUESTION,	/* name, type or class differ */
};

/* RD=1, EDNS0 with a 1232-byte buffer, no DO.  *wire is malloc'd.
 * Returns 0, or -1 if the name cannot be encoded. */
int	packet_build_query(const char *owner, uint16_t type, uint16_t id,
	    uint8_t **wire, size_t *len);

/* Accept the datagram only if it answers exactly the query (id, owner,
 * type, class IN).  On PKT_OK *out is filled and must be freed with
 * answer_free(); otherwise *out is untouched. */
enum packet_verdict packet_parse_answer(const uint8_t *wire, size_t len,
	    uint16_t id, const char *owner, uint16_t type, struct answer *out);
const char *packet_verdict_name(enum packet_verdict);

void	answer_free(struct answer *);

/* Same address family, address and port. */
bool	sockaddr_same(const struct sockaddr *, const struct sockaddr *);

/* "NOERROR", "SERVFAIL", ...; "RCODE17" for unnamed ones (buf 16 bytes). */
const char *rcode_name(uint8_t, char *buf);

#endif
