/*
 * Building queries and judging answers with ldns.  Everything that reads
 * bytes from the network goes through packet_parse_answer(), so it must
 * hold up against any datagram an off-path sender can make up.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "packet.h"
#include "rdata.h"

#define DNS_HDRLEN	12
/* Longer chains are not worth following: resolvers give up well before. */
#define CNAME_MAXCHAIN	8

int
packet_build_query(const char *owner, uint16_t type, uint16_t id,
    uint8_t **wire, size_t *len)
{
	ldns_rdf	*name;
	ldns_pkt	*pkt;
	ldns_status	 st;
	uint8_t		*big;

	if ((name = ldns_dname_new_frm_str(owner)) == NULL)
		return -1;
	/* The packet owns the name from here on. */
	if ((pkt = ldns_pkt_query_new(name, type, LDNS_RR_CLASS_IN,
	    LDNS_RD)) == NULL) {
		ldns_rdf_deep_free(name);
		return -1;
	}
	ldns_pkt_set_id(pkt, id);
	ldns_pkt_set_edns_udp_size(pkt, NMIG_EDNS_BUFSIZE);
	ldns_pkt_set_edns_do(pkt, false);
	st = ldns_pkt2wire(&big, pkt, len);
	ldns_pkt_free(pkt);
	if (st != LDNS_STATUS_OK)
		return -1;
	/* ldns hands back a 64 KiB buffer; a query is some 40 bytes and
	 * thousands may wait in the prober's queue. */
	if ((*wire = malloc(*len)) == NULL) {
		free(big);
		return -1;
	}
	memcpy(*wire, big, *len);
	free(big);
	return 0;
}

static uint16_t
wire_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The header alone: a flood of junk is dropped before ldns allocates. */
static enum packet_verdict
header_check(const uint8_t *wire, size_t len, uint16_t id)
{
	if (wire == NULL || len < DNS_HDRLEN)
		return PKT_MALFORMED;
	if (!(wire[2] & 0x80))
		return PKT_NOT_RESPONSE;
	if (wire_u16(wire) != id)
		return PKT_WRONG_ID;
	if (wire_u16(wire + 4) != 1)
		return PKT_BAD_QDCOUNT;
	return PKT_OK;
}

static enum packet_verdict
question_check(const ldns_pkt *pkt, const ldns_rdf *qname, uint16_t type)
{
	const ldns_rr_list	*ql = ldns_pkt_question(pkt);
	const ldns_rr		*q;

	if (ql == NULL || ldns_rr_list_rr_count(ql) != 1)
		return PKT_BAD_QDCOUNT;
	q = ldns_rr_list_rr(ql, 0);
	/* Case-insensitive: resolvers may echo 0x20-mixed case. */
	if (ldns_rr_get_class(q) != LDNS_RR_CLASS_IN ||
	    ldns_rr_get_type(q) != type ||
	    ldns_rr_owner(q) == NULL ||
	    ldns_dname_compare(ldns_rr_owner(q), qname) != 0)
		return PKT_WRONG_QUESTION;
	return PKT_OK;
}

static const ldns_rdf *
cname_target(const ldns_rr_list *an, const ldns_rdf *owner)
{
	const ldns_rr	*rr;
	size_t		 i;

	for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
		rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
		    ldns_rr_rd_count(rr) == 1 &&
		    ldns_rdf_get_type(ldns_rr_rdf(rr, 0)) == LDNS_RDF_TYPE_DNAME &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
			return ldns_rr_rdf(rr, 0);
	}
	return NULL;
}

/*
 * The names whose records answer the question: the asked name and the
 * CNAME chain from it.  The bound also ends a looping chain, which then
 * merely lists its names more than once.  Asking for the CNAME itself
 * means no chain is followed.
 */
static size_t
answer_names(const ldns_rr_list *an, const ldns_rdf *qname, uint16_t type,
    const ldns_rdf **names)
{
	const ldns_rdf	*next;
	size_t		 n = 1;

	names[0] = qname;
	if (type == LDNS_RR_TYPE_CNAME)
		return n;
	while (n < CNAME_MAXCHAIN + 1 &&
	    (next = cname_target(an, names[n - 1])) != NULL)
		names[n++] = next;
	return n;
}

static bool
name_in(const ldns_rdf *name, const ldns_rdf **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (ldns_dname_compare(name, names[i]) == 0)
			return true;
	return false;
}

/* min(SOA TTL, SOA MINIMUM) of the first authority SOA (RFC 2308 5). */
static uint32_t
negative_ttl(const ldns_pkt *pkt)
{
	const ldns_rr_list	*ns = ldns_pkt_authority(pkt);
	const ldns_rr		*rr;
	const ldns_rdf		*min;
	uint32_t		 ttl, m;
	size_t			 i;

	for (i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		rr = ldns_rr_list_rr(ns, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA)
			continue;
		/* ldns stops at the end of RDLENGTH, so a short SOA may
		 * lack its last fields. */
		if (ldns_rr_rd_count(rr) < 7 ||
		    ldns_rdf_size(min = ldns_rr_rdf(rr, 6)) != 4)
			return 0;
		ttl = ldns_rr_ttl(rr);
		m = ldns_rdf2native_int32(min);
		return m < ttl ? m : ttl;
	}
	return 0;
}

/* Returns -1 when a record could not be put in canonical form: a partial
 * set would be judged as if it were the resolver's answer. */
static int
answer_fill(const ldns_pkt *pkt, const ldns_rdf *qname, uint16_t type,
    struct answer *a)
{
	const ldns_rr_list	*an = ldns_pkt_answer(pkt);
	const ldns_rdf		*names[CNAME_MAXCHAIN + 1];
	const ldns_rr		*rr;
	size_t			 nnames, i;
	char			*s;
	bool			 found = false;
	uint8_t			 ext;

	memset(a, 0, sizeof(*a));
	/* The full RCODE has its upper 8 bits in the OPT RR (RFC 6891);
	 * those beyond what fits are not assigned. */
	ext = ldns_pkt_edns_extended_rcode(pkt);
	a->rcode = ext >= 16 ? 255 :
	    (uint8_t)(ext << 4 | ldns_pkt_get_rcode(pkt));
	a->tc = ldns_pkt_tc(pkt);
	a->aa = ldns_pkt_aa(pkt);

	nnames = answer_names(an, qname, type, names);
	for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
		rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != type ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    !name_in(ldns_rr_owner(rr), names, nnames))
			continue;
		if ((s = rdata_canon(rr)) == NULL) {
			rdset_free(&a->rdata);
			return -1;
		}
		rdset_add(&a->rdata, s);
		if (!found || ldns_rr_ttl(rr) < a->ttl)
			a->ttl = ldns_rr_ttl(rr);
		found = true;
	}
	if (!found)
		a->ttl = negative_ttl(pkt);
	return 0;
}

enum packet_verdict
packet_parse_answer(const uint8_t *wire, size_t len, uint16_t id,
    const char *owner, uint16_t type, struct answer *out)
{
	ldns_pkt		*pkt = NULL;
	ldns_rdf		*qname = NULL;
	struct answer		 a;
	enum packet_verdict	 v;

	if ((v = header_check(wire, len, id)) != PKT_OK)
		return v;
	if (ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK)
		return PKT_MALFORMED;
	/* A name we cannot encode matches no question. */
	if ((qname = ldns_dname_new_frm_str(owner)) == NULL) {
		v = PKT_WRONG_QUESTION;
		goto done;
	}
	if ((v = question_check(pkt, qname, type)) != PKT_OK)
		goto done;
	if (answer_fill(pkt, qname, type, &a) == -1) {
		v = PKT_MALFORMED;
		goto done;
	}
	*out = a;
done:
	if (qname != NULL)
		ldns_rdf_deep_free(qname);
	ldns_pkt_free(pkt);
	return v;
}

const char *
packet_verdict_name(enum packet_verdict v)
{
	switch (v) {
	case PKT_OK:
		return "ok";
	case PKT_MALFORMED:
		return "malformed";
	case PKT_NOT_RESPONSE:
		return "not a response";
	case PKT_WRONG_ID:
		return "wrong id";
	case PKT_BAD_QDCOUNT:
		return "bad qdcount";
	case PKT_WRONG_QUESTION:
		return "wrong question";
	}
	return "unknown";
}

void
answer_free(struct answer *a)
{
	if (a != NULL)
		rdset_free(&a->rdata);
}

bool
sockaddr_same(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a == NULL || b == NULL || a->sa_family != b->sa_family)
		return false;
	switch (a->sa_family) {
	case AF_INET:
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	case AF_INET6:
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	}
	return false;
}

const char *
rcode_name(uint8_t rcode, char *buf)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE", NULL, NULL, NULL, NULL, NULL,
		"BADVERS", NULL, NULL, NULL, NULL, NULL, NULL,
		"BADCOOKIE",
	};

	if (rcode < sizeof(names) / sizeof(names[0]) && names[rcode] != NULL)
		return names[rcode];
	snprintf(buf, 16, "RCODE%u", rcode);
	return buf;
}
