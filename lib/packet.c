/*
 * Queries and answers.  Everything that reads bytes from the network goes
 * through packet_parse_answer(), so it must hold up against any datagram
 * an off-path sender can make up: it allocates nothing until the message
 * has walked whole and answers our question, and then only the set of
 * records it keeps.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "util.h"
#include "rdata.h"
#include "wire.h"

/* Longer chains are not worth following: resolvers give up well before. */
#define CNAME_MAXCHAIN	8

/* Meta and query types (RFC 6895 3.1) have no business in an answer to
 * a plain query; TSIG and TKEY least of all: nmigd never signs. */
static bool
type_unexpected(uint16_t type)
{
	return type == WIRE_T_TKEY || type == WIRE_T_TSIG ||
	    (type >= 128 && type <= 255);
}

int
packet_query(const char *owner, uint16_t type, uint16_t id, unsigned flags,
    uint8_t *buf)
{
	struct wire_name	 qname;

	if (wire_name_from_text(owner, &qname) == -1)
		return -1;
	return packet_query_name(&qname, type, id, flags, buf);
}

int
packet_query_name(const struct wire_name *qname, uint16_t type, uint16_t id,
    unsigned flags, uint8_t *buf)
{
	uint8_t	*p = buf;

	memset(p, 0, WIRE_HDRLEN);
	wire_put16(p, id);
	p[2] = flags & PQ_RD ? 0x01 : 0;
	wire_put16(p + 4, 1);		/* QDCOUNT */
	wire_put16(p + 10, 1);		/* ARCOUNT: the OPT record */
	p += WIRE_HDRLEN;
	memcpy(p, qname->b, qname->len);
	p += qname->len;
	wire_put16(p, type);
	wire_put16(p + 2, WIRE_CLASS_IN);
	p += 4;
	/* OPT: root owner, our UDP size as the class, the TTL's DO bit
	 * (RFC 3225). */
	*p++ = 0;
	wire_put16(p, WIRE_T_OPT);
	wire_put16(p + 2, NMIG_EDNS_BUFSIZE);
	memset(p + 4, 0, 6);
	if (flags & PQ_DO)
		p[6] = 0x80;
	p += 10;
	return (int)(p - buf);
}

/* The question must be ours, byte for byte but for case (resolvers may
 * echo 0x20-mixed case). */
static enum packet_verdict
question_check(const uint8_t *msg, size_t len, const struct wire_name *qname,
    uint16_t type)
{
	struct wire_name	name;
	size_t			pos = WIRE_HDRLEN;

	if (wire_name_read(msg, len, &pos, &name, true) == -1 ||
	    pos + 4 > len)
		return PKT_MALFORMED;
	if (!wire_name_equal(&name, qname) || wire_get16(msg + pos) != type ||
	    wire_get16(msg + pos + 2) != WIRE_CLASS_IN)
		return PKT_WRONG_QUESTION;
	return PKT_OK;
}

/*
 * Walk every record once: the message must be whole, hold no record we
 * never asked for, and at most one OPT, in the additional section, whose
 * TTL carries the upper RCODE bits (RFC 6891 6.1.3).
 */
static enum packet_verdict
records_check(const uint8_t *msg, size_t len, const struct wire_header *h,
    uint8_t *ext_rcode)
{
	struct wire_iter	it;
	struct wire_rr		rr;
	struct wire_name	owner;
	int			r, nopt = 0;

	*ext_rcode = 0;
	if (wire_iter_init(&it, msg, len, h) == -1)
		return PKT_MALFORMED;
	while ((r = wire_iter_next(&it, &rr)) == 1) {
		/* Every owner whole, pointers followed: the later walks
		 * decode only the owners they compare.  One that points to
		 * the question is the name question_check() read; an OPT's
		 * is read all the same, as the root it must be is asked
		 * too (the parent finder's ". NS"). */
		if ((rr.type == WIRE_T_OPT ||
		    !wire_rr_owner_is_question(&it, &rr)) &&
		    wire_rr_owner(&it, &rr, &owner) == -1)
			return PKT_MALFORMED;
		if (type_unexpected(rr.type))
			return PKT_UNEXPECTED_RR;
		if (rr.type != WIRE_T_OPT)
			continue;
		if (rr.section != WS_ADDITIONAL || ++nopt > 1 ||
		    owner.len != 1)
			return PKT_UNEXPECTED_RR;
		*ext_rcode = (uint8_t)(rr.ttl >> 24);
	}
	return r == 0 ? PKT_OK : PKT_MALFORMED;
}

/*
 * The walks below run after records_check(), which decoded every owner
 * but those that point to the question (read whole by question_check(),
 * under the same rules): a record whose owner does not decode
 * (wire_rr_owner() -1) cannot reach them, and they pass over one as not
 * theirs.
 */

/* The target of the answer-section CNAME owned by name, if any. */
static int
cname_target(const uint8_t *msg, size_t len, const struct wire_header *h,
    const struct wire_name *name, struct wire_name *target)
{
	struct wire_iter	it;
	struct wire_rr		rr;
	struct wire_name	owner;
	size_t			pos;

	if (wire_iter_init(&it, msg, len, h) == -1)
		return -1;
	while (wire_iter_next(&it, &rr) == 1 && rr.section == WS_ANSWER) {
		if (rr.type != WIRE_T_CNAME || rr.class != WIRE_CLASS_IN ||
		    wire_rr_owner(&it, &rr, &owner) == -1 ||
		    !wire_name_equal(&owner, name))
			continue;
		pos = rr.rdoff;
		if (wire_name_read(msg, len, &pos, target, true) == -1 ||
		    pos != rr.rdoff + rr.rdlen)
			return -1;
		return 0;
	}
	return -1;
}

/*
 * The names whose records answer the question: the asked name and the
 * CNAME chain from it.  The bound also ends a looping chain, which then
 * merely lists its names more than once.  Asking for the CNAME itself
 * means no chain is followed.
 */
static size_t
answer_names(const uint8_t *msg, size_t len, const struct wire_header *h,
    uint16_t type, struct wire_name *names)
{
	size_t	n = 1;

	if (type == WIRE_T_CNAME)
		return n;
	while (n < CNAME_MAXCHAIN + 1 &&
	    cname_target(msg, len, h, &names[n - 1], &names[n]) == 0)
		n++;
	return n;
}

static bool
name_in(const struct wire_name *name, const struct wire_name *names,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (wire_name_equal(name, &names[i]))
			return true;
	return false;
}

/* Whether the record's owner is one of names, of which the first is the
 * question's: an owner that points to the question is (most are). */
static bool
owner_in(const struct wire_iter *it, const struct wire_rr *rr,
    const struct wire_name *names, size_t n)
{
	struct wire_name	owner;

	if (wire_rr_owner_is_question(it, rr))
		return true;
	return wire_rr_owner(it, rr, &owner) == 0 &&
	    name_in(&owner, names, n);
}

static uint32_t
ttl_value(uint32_t ttl)
{
	return ttl & 0x80000000U ? 0 : ttl;
}

/* min(SOA TTL, SOA MINIMUM) of the first authority SOA (RFC 2308 5). */
static uint32_t
negative_ttl(const uint8_t *msg, size_t len, const struct wire_header *h)
{
	struct wire_iter	it;
	struct wire_rr		rr;
	size_t			pos, end;
	uint32_t		min;

	if (wire_iter_init(&it, msg, len, h) == -1)
		return 0;
	while (wire_iter_next(&it, &rr) == 1) {
		if (rr.section != WS_AUTHORITY || rr.type != WIRE_T_SOA)
			continue;
		pos = rr.rdoff;
		end = rr.rdoff + rr.rdlen;
		/* MNAME and RNAME, then five 32-bit fields, MINIMUM last. */
		if (wire_name_skip(msg, end, &pos) == -1 ||
		    wire_name_skip(msg, end, &pos) == -1 || pos + 20 != end)
			return 0;
		min = ttl_value(wire_get32(msg + pos + 16));
		return min < ttl_value(rr.ttl) ? min : ttl_value(rr.ttl);
	}
	return 0;
}

#define COLLECT_STACK	16	/* records kept and sorted without a heap
				 * block */
#define COLLECT_BYTES	512

/* The canonical records of an answer, collected before they are sorted
 * into a set: offsets into one buffer that grows.  A usual answer fits
 * the arrays inside, which spare three allocations a datagram. */
struct collect {
	uint8_t		*buf;
	size_t		 len, cap;
	size_t		*off;
	uint16_t	*rdlen;
	size_t		 n, ncap;
	uint8_t		 in_buf[COLLECT_BYTES];
	size_t		 in_off[COLLECT_STACK];
	uint16_t	 in_rdlen[COLLECT_STACK];
};

static void
collect_init(struct collect *c)
{
	c->buf = c->in_buf;
	c->cap = sizeof(c->in_buf);
	c->off = c->in_off;
	c->rdlen = c->in_rdlen;
	c->ncap = COLLECT_STACK;
	c->len = c->n = 0;
}

/* realloc() for what may still be one of the arrays inside. */
static void *
collect_grow(void *p, const void *inside, size_t used, size_t n,
    size_t size)
{
	void	*np;

	if (p != inside)
		return xreallocarray(p, n, size);
	np = xreallocarray(NULL, n, size);
	memcpy(np, p, used);
	return np;
}

static int
collect_add(struct collect *c, const uint8_t *rd, size_t len)
{
	if (c->n == UINT16_MAX)
		return -1;
	if (c->len + len > c->cap) {
		c->cap = (c->len + len) * 2;
		c->buf = collect_grow(c->buf, c->in_buf, c->len, c->cap, 1);
	}
	if (c->n == c->ncap) {
		c->ncap *= 2;
		c->off = collect_grow(c->off, c->in_off,
		    c->n * sizeof(*c->off), c->ncap, sizeof(*c->off));
		c->rdlen = collect_grow(c->rdlen, c->in_rdlen,
		    c->n * sizeof(*c->rdlen), c->ncap, sizeof(*c->rdlen));
	}
	if (len > 0)
		memcpy(c->buf + c->len, rd, len);
	c->off[c->n] = c->len;
	c->rdlen[c->n++] = (uint16_t)len;
	c->len += len;
	return 0;
}

static void
collect_free(struct collect *c)
{
	if (c->buf != c->in_buf)
		free(c->buf);
	if (c->off != c->in_off)
		free(c->off);
	if (c->rdlen != c->in_rdlen)
		free(c->rdlen);
	collect_init(c);
}

static int
collect_set(struct collect *c, struct rdset *set)
{
	struct rdata_ref	 stack[COLLECT_STACK], *refs = stack;
	size_t			 i;
	int			 rv;

	if (c->n > COLLECT_STACK)
		refs = xcalloc(c->n, sizeof(*refs));
	for (i = 0; i < c->n; i++) {
		refs[i].rd = c->buf + c->off[i];
		refs[i].len = c->rdlen[i];
	}
	rv = rdset_build(set, refs, c->n);
	if (refs != stack)
		free(refs);
	return rv;
}

/* Returns -1 when a record is not its type's RDATA: a partial set would
 * be judged as if it were the resolver's answer. */
static int
answer_fill(const uint8_t *msg, size_t len, const struct wire_header *h,
    const struct wire_name *names, size_t nnames, uint16_t type,
    uint8_t *canon, struct answer *a)
{
	struct wire_iter	 it;
	struct wire_rr		 rr;
	struct collect		 c;
	bool			 found = false;
	int			 clen, rv = -1;

	collect_init(&c);
	if (wire_iter_init(&it, msg, len, h) == -1)
		goto done;
	while (wire_iter_next(&it, &rr) == 1 && rr.section == WS_ANSWER) {
		if (rr.type != type || rr.class != WIRE_CLASS_IN ||
		    !owner_in(&it, &rr, names, nnames))
			continue;
		clen = rdata_canon(type, msg, len, rr.rdoff, rr.rdlen, canon);
		if (clen == -1 || collect_add(&c, canon, (size_t)clen) == -1)
			goto done;
		if (!found || ttl_value(rr.ttl) < a->ttl)
			a->ttl = ttl_value(rr.ttl);
		found = true;
	}
	if (!found)
		a->ttl = negative_ttl(msg, len, h);
	rv = collect_set(&c, &a->rdata);
done:
	collect_free(&c);
	return rv;
}

/* An NS target as the name it is, to compare with owners. */
static int
ns_name(const uint8_t *rd, uint16_t len, struct wire_name *out)
{
	if (len == 0 || len > WIRE_NAMEMAX)
		return -1;
	memcpy(out->b, rd, len);
	out->len = (uint8_t)len;
	return 0;
}

/* Whether owner is one of the NS targets in ns (canonical names). */
static bool
ns_target(const struct rdset *ns, const struct wire_name *owner)
{
	struct wire_name	 name;
	const uint8_t		*rd;
	size_t			 off = 0;
	uint16_t		 l;

	while ((rd = rdset_next(ns, &off, &l)) != NULL)
		if (ns_name(rd, l, &name) == 0 && wire_name_equal(&name, owner))
			return true;
	return false;
}

/* A glue item: the owner, the type, the canonical RDATA. */
static int
glue_add(struct collect *c, const struct wire_name *owner, uint16_t type,
    const uint8_t *canon, int clen)
{
	uint8_t	item[WIRE_NAMEMAX + 2 + 16];

	if (clen < 0 || (size_t)clen > 16)
		return -1;
	memcpy(item, owner->b, owner->len);
	wire_put16(item + owner->len, type);
	memcpy(item + owner->len + 2, canon, (size_t)clen);
	return collect_add(c, item, owner->len + 2 + (size_t)clen);
}

/* The additional section's addresses of the authority's NS names. */
static int
glue_fill(const uint8_t *msg, size_t len, const struct wire_header *h,
    uint8_t *canon, struct answer *a)
{
	struct wire_iter	 it;
	struct wire_rr		 rr;
	struct wire_name	 owner;
	struct collect		 glue;
	int			 clen, rv = -1;

	collect_init(&glue);
	/* Most answers: no delegation, so no walk. */
	if (a->auth_ns.n == 0)
		return 0;
	if (wire_iter_init(&it, msg, len, h) == -1)
		goto done;
	while (wire_iter_next(&it, &rr) == 1) {
		if (rr.section != WS_ADDITIONAL || rr.class != WIRE_CLASS_IN ||
		    (rr.type != WIRE_T_A && rr.type != WIRE_T_AAAA) ||
		    wire_rr_owner(&it, &rr, &owner) == -1 ||
		    !ns_target(&a->auth_ns, &owner))
			continue;
		clen = rdata_canon(rr.type, msg, len, rr.rdoff, rr.rdlen,
		    canon);
		if (glue_add(&glue, &owner, rr.type, canon, clen) == -1)
			goto done;
	}
	rv = collect_set(&glue, &a->glue);
done:
	collect_free(&glue);
	return rv;
}

/* The authority section's NS and DS records of the asked name, and the
 * additional section's addresses of those NS names: what a parent's
 * server says of a delegation (RD=0), whatever the answer section holds.
 * -1 when such a record is not its type's RDATA. */
static int
authority_fill(const uint8_t *msg, size_t len, const struct wire_header *h,
    const struct wire_name *qname, uint8_t *canon, struct answer *a)
{
	struct wire_iter	 it;
	struct wire_rr		 rr;
	struct collect		 ns, ds;
	int			 clen, rv = -1;
	bool			 found = false;

	collect_init(&ns);
	collect_init(&ds);
	if (wire_iter_init(&it, msg, len, h) == -1)
		goto done;
	while (wire_iter_next(&it, &rr) == 1 && rr.section != WS_ADDITIONAL) {
		if (rr.section != WS_AUTHORITY)
			continue;
		if (rr.type == WIRE_T_SOA)
			a->auth_soa = true;
		if (rr.class != WIRE_CLASS_IN ||
		    (rr.type != WIRE_T_NS && rr.type != WIRE_T_DS) ||
		    !owner_in(&it, &rr, qname, 1))
			continue;
		clen = rdata_canon(rr.type, msg, len, rr.rdoff, rr.rdlen,
		    canon);
		if (clen == -1 || collect_add(rr.type == WIRE_T_NS ? &ns : &ds,
		    canon, (size_t)clen) == -1)
			goto done;
		if (rr.type == WIRE_T_NS &&
		    (!found || ttl_value(rr.ttl) < a->auth_ns_ttl)) {
			a->auth_ns_ttl = ttl_value(rr.ttl);
			found = true;
		}
	}
	if (collect_set(&ns, &a->auth_ns) == -1 ||
	    collect_set(&ds, &a->auth_ds) == -1)
		goto done;
	rv = glue_fill(msg, len, h, canon, a);
done:
	collect_free(&ns);
	collect_free(&ds);
	return rv;
}

/* The header alone first: a flood of junk costs a few compares. */
static enum packet_verdict
header_check(const uint8_t *wire, size_t len, uint16_t id,
    struct wire_header *h)
{
	if (wire_header_read(wire, len, h) == -1)
		return PKT_MALFORMED;
	if (!WIRE_QR(h))
		return PKT_NOT_RESPONSE;
	if (h->id != id)
		return PKT_WRONG_ID;
	if (WIRE_OPCODE(h) != 0)
		return PKT_BAD_OPCODE;
	if (h->count[WS_QUESTION] != 1)
		return PKT_BAD_QDCOUNT;
	return PKT_OK;
}

enum packet_verdict
packet_parse_answer(const uint8_t *wire, size_t len, uint16_t id,
    const char *owner, uint16_t type, struct answer *out)
{
	struct wire_header	h;
	struct wire_name	qname;
	enum packet_verdict	v;

	if (wire_name_from_text(owner, &qname) == 0)
		return packet_parse_answer_name(wire, len, id, &qname, type,
		    out);
	/* A name we cannot encode matches no question, once the header
	 * has had its say. */
	if ((v = header_check(wire, len, id, &h)) != PKT_OK)
		return v;
	return PKT_WRONG_QUESTION;
}

enum packet_verdict
packet_parse_answer_name(const uint8_t *wire, size_t len, uint16_t id,
    const struct wire_name *qname, uint16_t type, struct answer *out)
{
	struct wire_header	 h;
	struct wire_name	 names[CNAME_MAXCHAIN + 1];
	struct answer		 a;
	enum packet_verdict	 v;
	size_t			 nnames;
	uint8_t			 ext;
	/* One record's canonical RDATA at a time.  On the stack: a heap
	 * block this size, zeroed and freed per answer, was a tenth of the
	 * daemon's CPU. */
	uint8_t			 canon[RDATA_MAX];

	if ((v = header_check(wire, len, id, &h)) != PKT_OK)
		return v;
	names[0] = *qname;
	if ((v = question_check(wire, len, &names[0], type)) != PKT_OK ||
	    (v = records_check(wire, len, &h, &ext)) != PKT_OK)
		return v;
	memset(&a, 0, sizeof(a));
	/* Extended RCODEs beyond what fits are not assigned. */
	a.rcode = ext >= 16 ? 255 : (uint8_t)(ext << 4 | WIRE_RCODE(&h));
	a.tc = WIRE_TC(&h);
	a.aa = WIRE_AA(&h);
	nnames = answer_names(wire, len, &h, type, names);
	a.cname = nnames > 1;
	if (answer_fill(wire, len, &h, names, nnames, type, canon, &a) == -1 ||
	    authority_fill(wire, len, &h, &names[0], canon, &a) == -1) {
		answer_free(&a);
		return PKT_MALFORMED;
	}
	*out = a;
	return PKT_OK;
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
	case PKT_BAD_OPCODE:
		return "bad opcode";
	case PKT_UNEXPECTED_RR:
		return "unexpected record";
	}
	return "unknown";
}

void
answer_free(struct answer *a)
{
	if (a == NULL)
		return;
	rdset_free(&a->rdata);
	rdset_free(&a->auth_ns);
	rdset_free(&a->auth_ds);
	rdset_free(&a->glue);
}

enum tcp_frame
packet_tcp_frame(const uint8_t *buf, size_t avail, size_t *msglen)
{
	size_t	need;

	if (avail < 2)
		return TCP_NEED_MORE;
	need = wire_get16(buf);
	if (need < WIRE_HDRLEN)
		return TCP_BAD;
	if (avail - 2 < need)
		return TCP_NEED_MORE;
	*msglen = need;
	return TCP_MESSAGE;
}

/* Not ldns's table (ldns_rcodes with ldns_lookup_by_id()), though the
 * rcode is only a number: ldns 1.8 spells 4 "NOTIMPL" where the IANA
 * registry, 0.1's status documents and its database rows say "NOTIMP",
 * and it has no extended rcodes (BADVERS, BADCOOKIE). */
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
