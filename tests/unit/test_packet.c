/*
 * Unit tests for lib/packet.c: the query we send, and which datagrams are
 * accepted as its answer and what is read from them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "addr.h"
#include "packet.h"
#include "rdata.h"
#include "wire.h"
#include "rdtext.h"

#define QNAME	"example.co.jp."

/* A response described in text and built with ldns. */
struct resp {
	uint16_t	 id;
	const char	*qname;		/* NULL: no question at all */
	const char	*qname2;	/* a second question */
	uint16_t	 qtype;
	uint16_t	 qclass;	/* 0: IN */
	uint16_t	 flags;		/* 0: QR|RD|RA */
	uint8_t		 rcode;
	uint8_t		 ext_rcode;	/* upper RCODE bits, in the OPT RR */
	const char	*an[16];
	const char	*ns[4];
	const char	*ar[4];
};

static void
push_rrs(ldns_pkt *p, ldns_pkt_section sec, const char *const *rrs,
    size_t max)
{
	ldns_rr	*rr;
	size_t	 i;

	for (i = 0; i < max && rrs[i] != NULL; i++) {
		assert_int_equal(ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL,
		    NULL), LDNS_STATUS_OK);
		assert_true(ldns_pkt_push_rr(p, sec, rr));
	}
}

static uint8_t *
resp_wire(const struct resp *r, size_t *len)
{
	ldns_pkt	*p;
	ldns_rr		*q;
	uint8_t		*wire;
	uint16_t	 flags = r->flags ? r->flags : LDNS_QR | LDNS_RD | LDNS_RA;
	uint16_t	 qclass = r->qclass ? r->qclass : LDNS_RR_CLASS_IN;

	if (r->qname != NULL)
		assert_int_equal(ldns_pkt_query_new_frm_str(&p, r->qname,
		    r->qtype, qclass, flags), LDNS_STATUS_OK);
	else {
		assert_non_null(p = ldns_pkt_new());
		ldns_pkt_set_flags(p, flags);
	}
	if (r->qname2 != NULL) {
		assert_non_null(q = ldns_rr_new());
		ldns_rr_set_owner(q, ldns_dname_new_frm_str(r->qname2));
		ldns_rr_set_type(q, r->qtype);
		ldns_rr_set_class(q, qclass);
		ldns_rr_set_question(q, true);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q));
	}
	ldns_pkt_set_id(p, r->id);
	ldns_pkt_set_rcode(p, r->rcode);
	if (r->ext_rcode != 0) {
		ldns_pkt_set_edns_udp_size(p, 1232);
		ldns_pkt_set_edns_extended_rcode(p, r->ext_rcode);
	}
	push_rrs(p, LDNS_SECTION_ANSWER, r->an, 16);
	push_rrs(p, LDNS_SECTION_AUTHORITY, r->ns, 4);
	push_rrs(p, LDNS_SECTION_ADDITIONAL, r->ar, 4);
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

/* The type last asked, for assert_rdata() to print the answer with. */
static uint16_t	last_type;

static enum packet_verdict
parse_wire(const uint8_t *wire, size_t len, uint16_t id, const char *owner,
    uint16_t type, struct answer *a)
{
	last_type = type;
	return packet_parse_answer(wire, len, id, owner, type, a);
}

/* Build, parse, and return the verdict; *a is filled on PKT_OK. */
static enum packet_verdict
parse_resp(const struct resp *r, uint16_t id, const char *owner,
    uint16_t type, struct answer *a)
{
	enum packet_verdict	 v;
	uint8_t			*wire;
	size_t			 len;

	wire = resp_wire(r, &len);
	v = parse_wire(wire, len, id, owner, type, a);
	free(wire);
	return v;
}

static void
assert_rdata(const struct answer *a, const char *const *want, size_t n)
{
	const uint8_t	*rd;
	size_t		 i = 0, off = 0;
	uint16_t	 len;
	char		*s;

	assert_int_equal(a->rdata.n, n);
	while ((rd = rdset_next(&a->rdata, &off, &len)) != NULL) {
		s = rdtext(last_type, rd, len);
		assert_string_equal(s, want[i]);
		free(s);
		i++;
	}
	assert_int_equal(i, n);
}

/* The query */

static void
test_build_query(void **state)
{
	ldns_pkt	*p;
	ldns_rr		*q;
	ldns_rdf	*want;
	uint8_t		 wire[PACKET_QUERY_MAX];
	size_t		 len;
	int		 n;
	/* The OPT RR: root, type 41, class = UDP size, TTL 0 (no DO), no
	 * options. */
	static const uint8_t opt[] = {
		0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00
	};

	n = packet_query(QNAME, LDNS_RR_TYPE_MX, 0x1234, PQ_RD, wire);
	assert_true(n > 0);
	len = (size_t)n;
	assert_true(len > 12 + sizeof(opt));
	assert_int_equal(ldns_wire2pkt(&p, wire, len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_false(ldns_pkt_qr(p));
	assert_true(ldns_pkt_rd(p));
	assert_false(ldns_pkt_cd(p));
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_QUERY);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	assert_non_null(want = ldns_dname_new_frm_str(QNAME));
	assert_int_equal(ldns_dname_compare(ldns_rr_owner(q), want), 0);
	ldns_rdf_deep_free(want);
	assert_int_equal(ldns_rr_get_type(q), LDNS_RR_TYPE_MX);
	assert_int_equal(ldns_rr_get_class(q), LDNS_RR_CLASS_IN);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), NMIG_EDNS_BUFSIZE);
	assert_false(ldns_pkt_edns_do(p));
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	ldns_pkt_free(p);

	/* On the wire: exactly one additional RR, and it is that OPT. */
	assert_int_equal(wire[0], 0x12);
	assert_int_equal(wire[1], 0x34);
	assert_int_equal(wire[10] << 8 | wire[11], 1);
	assert_memory_equal(wire + len - sizeof(opt), opt, sizeof(opt));
}

static void
test_build_query_bad_name(void **state)
{
	uint8_t	 wire[PACKET_QUERY_MAX];
	char	 name[300];
	size_t	 i;

	/* A 70-byte label cannot be encoded. */
	memset(name, 'a', 70);
	strcpy(name + 70, ".jp.");
	assert_int_equal(packet_query(name, LDNS_RR_TYPE_A, 1, PQ_RD, wire), -1);
	assert_int_equal(packet_query("a..b.", LDNS_RR_TYPE_A, 1, PQ_RD, wire), -1);
	/* Nor a name over 255 bytes; one just under fits the buffer. */
	for (i = 0; i < 4; i++)
		memcpy(name + i * 64, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", 64);
	name[256] = '\0';
	assert_int_equal(packet_query(name, LDNS_RR_TYPE_A, 1, PQ_RD, wire), -1);
	name[253] = '.';		/* labels of 63, 63, 63 and 61 */
	name[254] = '\0';
	assert_true(packet_query(name, LDNS_RR_TYPE_A, 1, PQ_RD, wire) > 0);
}

/* Without RD, for an authoritative server; DO in the OPT TTL. */
static void
test_build_query_flags(void **state)
{
	ldns_pkt	*p;
	uint8_t		 wire[PACKET_QUERY_MAX];
	int		 n;

	n = packet_query(QNAME, LDNS_RR_TYPE_DS, 7, PQ_DO, wire);
	assert_true(n > 0);
	assert_int_equal(ldns_wire2pkt(&p, wire, (size_t)n), LDNS_STATUS_OK);
	assert_false(ldns_pkt_rd(p));
	assert_true(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	n = packet_query(QNAME, LDNS_RR_TYPE_NS, 7, 0, wire);
	assert_int_equal(ldns_wire2pkt(&p, wire, (size_t)n), LDNS_STATUS_OK);
	assert_false(ldns_pkt_rd(p));
	assert_false(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
}

/* Our own query with QR set is a well-formed empty answer to itself. */
static void
test_query_roundtrip(void **state)
{
	struct answer	 a;
	uint8_t		 wire[PACKET_QUERY_MAX];
	size_t		 len;

	len = (size_t)packet_query("www.example.co.jp.", LDNS_RR_TYPE_AAAA,
	    0xfffe, PQ_RD, wire);
	assert_int_equal(parse_wire(wire, len, 0xfffe,
	    "www.example.co.jp.", LDNS_RR_TYPE_AAAA, &a), PKT_NOT_RESPONSE);
	wire[2] |= 0x80;
	assert_int_equal(parse_wire(wire, len, 0xfffe,
	    "www.example.co.jp.", LDNS_RR_TYPE_AAAA, &a), PKT_OK);
	assert_int_equal(a.rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(a.rdata.n, 0);
	assert_int_equal(a.ttl, 0);
	answer_free(&a);
}

/* Referrals: what a parent zone's server answers with RD=0. */

/* Item i of a glue set as "owner type rdata-length". */
static void
assert_glue(const struct rdset *glue, size_t i, const char *owner,
    uint16_t type)
{
	const uint8_t	*rd;
	ldns_rdf	*want;
	size_t		 off = 0, k = 0;
	uint16_t	 len;

	while ((rd = rdset_next(glue, &off, &len)) != NULL && k < i)
		k++;
	assert_non_null(rd);
	assert_non_null(want = ldns_dname_new_frm_str(owner));
	assert_true(len == ldns_rdf_size(want) + 2 +
	    (type == LDNS_RR_TYPE_A ? 4 : 16));
	assert_memory_equal(rd, ldns_rdf_data(want), ldns_rdf_size(want));
	assert_int_equal(rd[ldns_rdf_size(want)] << 8 |
	    rd[ldns_rdf_size(want) + 1], type);
	ldns_rdf_deep_free(want);
}

static void
test_referral(void **state)
{
	struct resp	r = {
		.id = 9, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.flags = LDNS_QR,
		.ns = {
			"example.co.jp. 86400 IN NS hns0.dns.nifcloud.com.",
			"EXAMPLE.co.jp. 3600 IN NS ns1.Example.co.jp.",
			"example.co.jp. 3600 IN DS 12345 8 2 "
			    "49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
			"other.co.jp. 60 IN NS ns.other.co.jp.",
		},
		.ar = {
			"ns1.example.co.jp. 3600 IN A 192.0.2.53",
			"ns1.example.co.jp. 3600 IN AAAA 2001:db8::53",
			"ns.other.co.jp. 60 IN A 192.0.2.99",
			"www.example.co.jp. 60 IN A 192.0.2.80",
		},
	};
	struct answer	a;

	assert_int_equal(parse_resp(&r, 9, QNAME, LDNS_RR_TYPE_NS, &a),
	    PKT_OK);
	assert_int_equal(a.rdata.n, 0);		/* nothing answered */
	assert_false(a.aa);
	assert_int_equal(a.auth_ns.n, 2);
	assert_int_equal(a.auth_ns_ttl, 3600);
	assert_int_equal(a.auth_ds.n, 1);
	assert_false(a.auth_soa);
	/* Only the addresses of the delegation's own names. */
	assert_int_equal(a.glue.n, 2);
	assert_glue(&a.glue, 0, "ns1.example.co.jp.", LDNS_RR_TYPE_A);
	assert_glue(&a.glue, 1, "ns1.example.co.jp.", LDNS_RR_TYPE_AAAA);
	answer_free(&a);
}

/* A negative answer carries the zone's SOA and no referral. */
static void
test_referral_none(void **state)
{
	struct resp	r = {
		.id = 9, .qname = QNAME, .qtype = LDNS_RR_TYPE_DS,
		.flags = LDNS_QR | LDNS_AA,
		.ns = { "co.jp. 900 IN SOA a.dns.jp. root.dns.jp. 1 3600 900 "
		    "604800 900" },
	};
	struct answer	a;

	assert_int_equal(parse_resp(&r, 9, QNAME, LDNS_RR_TYPE_DS, &a),
	    PKT_OK);
	assert_true(a.auth_soa);
	assert_int_equal(a.auth_ns.n, 0);
	assert_int_equal(a.glue.n, 0);
	answer_free(&a);
}

/* Glue whose RDATA is not an address makes the response unusable. */
static void
test_referral_bad_glue(void **state)
{
	struct resp	r = {
		.id = 9, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.flags = LDNS_QR,
		.ns = { "example.co.jp. 3600 IN NS ns1.example.co.jp." },
		.ar = { "ns1.example.co.jp. 3600 IN A 192.0.2.53" },
	};
	struct answer	 a;
	uint8_t		*wire;
	size_t		 len;

	wire = resp_wire(&r, &len);
	/* The A record is last: stretch its RDLENGTH from 4 to 5 and
	 * append a byte, a well-walked message with a bad A. */
	wire = realloc(wire, len + 1);
	assert_non_null(wire);
	assert_int_equal(wire[len - 6], 0);
	assert_int_equal(wire[len - 5], 4);
	wire[len - 5] = 5;
	wire[len] = 1;
	assert_int_equal(parse_wire(wire, len + 1, 9, QNAME, LDNS_RR_TYPE_NS,
	    &a), PKT_MALFORMED);
	free(wire);
}

/* Matching */

static void
test_accept_answer(void **state)
{
	struct resp	 r = {
		.id = 0x4242, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.flags = LDNS_QR | LDNS_AA | LDNS_RD,
		.an = { QNAME " 3600 IN NS ns1.example.net." },
	};
	static const char *const want[] = { "ns1.example.net." };
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 0x4242, QNAME, LDNS_RR_TYPE_NS, &a),
	    PKT_OK);
	assert_int_equal(a.rcode, LDNS_RCODE_NOERROR);
	assert_true(a.aa);
	assert_false(a.tc);
	assert_int_equal(a.ttl, 3600);
	assert_rdata(&a, want, 1);
	answer_free(&a);

	/* A relative owner means the same absolute name. */
	assert_int_equal(parse_resp(&r, 0x4242, "example.co.jp",
	    LDNS_RR_TYPE_NS, &a), PKT_OK);
	assert_rdata(&a, want, 1);
	answer_free(&a);
}

static void
test_reject_header(void **state)
{
	struct resp	 r = {
		.id = 0x1234, .qname = QNAME, .qtype = LDNS_RR_TYPE_A,
		.an = { QNAME " 300 IN A 192.0.2.1" },
	};
	struct answer	 a;

	memset(&a, 0xa5, sizeof(a));
	/* Byte order matters: 0x3412 is another query. */
	assert_int_equal(parse_resp(&r, 0x3412, QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_WRONG_ID);
	assert_int_equal(parse_resp(&r, 0x1235, QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_WRONG_ID);
	r.flags = LDNS_RD;
	assert_int_equal(parse_resp(&r, 0x1234, QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_NOT_RESPONSE);
	/* *out is left alone whenever the datagram is dropped. */
	assert_int_equal(a.rcode, 0xa5);
	assert_int_equal(a.ttl, 0xa5a5a5a5);
}

static void
test_reject_qdcount(void **state)
{
	struct resp	 none = {
		.id = 7, .qtype = LDNS_RR_TYPE_A,
		.an = { QNAME " 300 IN A 192.0.2.1" },
	};
	struct resp	 two = {
		.id = 7, .qname = QNAME, .qname2 = "other.example.",
		.qtype = LDNS_RR_TYPE_A,
		.an = { QNAME " 300 IN A 192.0.2.1" },
	};
	struct resp	 one = {
		.id = 7, .qname = QNAME, .qtype = LDNS_RR_TYPE_A,
		.an = { QNAME " 300 IN A 192.0.2.1" },
	};
	struct answer	 a;
	uint8_t		*wire;
	size_t		 len;

	assert_int_equal(parse_resp(&none, 7, QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_BAD_QDCOUNT);
	assert_int_equal(parse_resp(&two, 7, QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_BAD_QDCOUNT);

	/* The header count alone, whatever follows it. */
	wire = resp_wire(&one, &len);
	assert_int_equal(parse_wire(wire, len, 7, QNAME,
	    LDNS_RR_TYPE_A, &a), PKT_OK);
	answer_free(&a);
	wire[5] = 2;
	assert_int_equal(parse_wire(wire, len, 7, QNAME,
	    LDNS_RR_TYPE_A, &a), PKT_BAD_QDCOUNT);
	wire[5] = 0;
	assert_int_equal(parse_wire(wire, len, 7, QNAME,
	    LDNS_RR_TYPE_A, &a), PKT_BAD_QDCOUNT);
	wire[4] = 1;
	wire[5] = 1;
	assert_int_equal(parse_wire(wire, len, 7, QNAME,
	    LDNS_RR_TYPE_A, &a), PKT_BAD_QDCOUNT);
	free(wire);
}

static void
test_reject_question(void **state)
{
	struct resp	 r = {
		.id = 9, .qname = "example.co.uk.", .qtype = LDNS_RR_TYPE_A,
		.an = { "example.co.uk. 300 IN A 192.0.2.1" },
	};
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 9, QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_WRONG_QUESTION);
	/* A subdomain or parent is another name too. */
	assert_int_equal(parse_resp(&r, 9, "www.example.co.uk.",
	    LDNS_RR_TYPE_A, &a), PKT_WRONG_QUESTION);
	assert_int_equal(parse_resp(&r, 9, "co.uk.", LDNS_RR_TYPE_A, &a),
	    PKT_WRONG_QUESTION);
	assert_int_equal(parse_resp(&r, 9, "example.co.uk.",
	    LDNS_RR_TYPE_AAAA, &a), PKT_WRONG_QUESTION);
	r.qclass = LDNS_RR_CLASS_CH;
	assert_int_equal(parse_resp(&r, 9, "example.co.uk.", LDNS_RR_TYPE_A,
	    &a), PKT_WRONG_QUESTION);
	/* A name we could never have asked matches nothing. */
	assert_int_equal(parse_resp(&r, 9, "a..b.", LDNS_RR_TYPE_A, &a),
	    PKT_WRONG_QUESTION);
}

static void
test_name_case(void **state)
{
	struct resp	 r = {
		.id = 0x2020, .qname = "ExAmPlE.co.JP.",
		.qtype = LDNS_RR_TYPE_MX,
		.an = { "ExAmPlE.co.JP. 600 IN MX 10 mx01.example.co.jp." },
	};
	static const char *const want[] = { "10 mx01.example.co.jp." };
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 0x2020, QNAME, LDNS_RR_TYPE_MX, &a),
	    PKT_OK);
	assert_rdata(&a, want, 1);
	answer_free(&a);
	assert_int_equal(parse_resp(&r, 0x2020, "EXAMPLE.CO.JP",
	    LDNS_RR_TYPE_MX, &a), PKT_OK);
	assert_rdata(&a, want, 1);
	answer_free(&a);
}

static void
test_truncated(void **state)
{
	struct resp	 r = {
		.id = 0x5151, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.an = {
			QNAME " 3600 IN NS ns1.example.net.",
			QNAME " 3600 IN NS ns2.example.co.jp.",
		},
		.ns = { QNAME " 3600 IN NS ns1.example.net." },
		.ar = {
			"ns2.example.co.jp. 3600 IN A 192.0.2.53",
			"ns2.example.co.jp. 3600 IN AAAA 2001:db8::53",
		},
	};
	struct answer	 a;
	uint8_t		*wire, *cut;
	size_t		 len, n;

	wire = resp_wire(&r, &len);
	assert_int_equal(parse_wire(wire, len, 0x5151, QNAME,
	    LDNS_RR_TYPE_NS, &a), PKT_OK);
	answer_free(&a);
	for (n = 0; n < len; n++) {
		/* A copy of exactly n bytes, so that valgrind sees any
		 * read past the end. */
		cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, wire, n);
		assert_int_equal(parse_wire(cut, n, 0x5151, QNAME,
		    LDNS_RR_TYPE_NS, &a), PKT_MALFORMED);
		free(cut);
	}
	assert_int_equal(parse_wire(NULL, 0, 0x5151, QNAME,
	    LDNS_RR_TYPE_NS, &a), PKT_MALFORMED);
	free(wire);
}

static void
test_garbage(void **state)
{
	/* A header that passes the cheap checks, then nonsense. */
	static const uint8_t junk[] = {
		0xab, 0xcd, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,
		0x3f, 'x', 'y', 'z', 0xff, 0xfe, 0x00, 0x01, 0x00, 0x00,
	};
	/* An RR whose RDLENGTH runs past the end. */
	static const uint8_t longrd[] = {
		0xab, 0xcd, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,
		0x01, 'a', 0x00, 0x00, 0x01, 0x00, 0x01,
		0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
		0x00, 0xff, 0xc0, 0x00, 0x02, 0x01,
	};
	/* A label running past the end of the question. */
	static const uint8_t longlabel[] = {
		0xab, 0xcd, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x20, 'a', 'b',
	};
	/* Reserved label type 0x40 (RFC 6891 6.3 drops EDNS0 labels). */
	static const uint8_t badlabel[] = {
		0xab, 0xcd, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x41, 0x00, 0x00, 0x01, 0x00, 0x01,
	};
	struct answer	 a;

	assert_int_equal(parse_wire(junk, sizeof(junk), 0xabcd,
	    "a.", LDNS_RR_TYPE_A, &a), PKT_MALFORMED);
	assert_int_equal(parse_wire(longrd, sizeof(longrd), 0xabcd,
	    "a.", LDNS_RR_TYPE_A, &a), PKT_MALFORMED);
	assert_int_equal(parse_wire(longlabel, sizeof(longlabel),
	    0xabcd, "a.", LDNS_RR_TYPE_A, &a), PKT_MALFORMED);
	assert_int_equal(parse_wire(badlabel, sizeof(badlabel),
	    0xabcd, "a.", LDNS_RR_TYPE_A, &a), PKT_MALFORMED);
}

/*
 * Hand-written, as a resolver would compress it: the owners point at the
 * question name (offset 12), the MX exchanges too, one at "co.jp" inside it.
 */
static const uint8_t mx_compressed[] = {
	0xbe, 0xef, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x00,
	/* 12: example.co.jp. MX IN */
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x02, 'c', 'o',
	0x02, 'j', 'p', 0x00, 0x00, 0x0f, 0x00, 0x01,
	/* MX 10 mx01.<12>, TTL 3600 */
	0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,
	0x00, 0x09, 0x00, 0x0a, 0x04, 'm', 'x', '0', '1', 0xc0, 0x0c,
	/* MX 20 MX02.<12>, TTL 300 */
	0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c,
	0x00, 0x09, 0x00, 0x14, 0x04, 'M', 'X', '0', '2', 0xc0, 0x0c,
	/* MX 30 mail.<20> (co.jp.), TTL 600 */
	0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x02, 0x58,
	0x00, 0x09, 0x00, 0x1e, 0x04, 'm', 'a', 'i', 'l', 0xc0, 0x14,
};

static void
test_compressed(void **state)
{
	static const char *const want[] = {
		"10 mx01.example.co.jp.",
		"20 mx02.example.co.jp.",
		"30 mail.co.jp.",
	};
	struct answer	 a;

	assert_int_equal(parse_wire(mx_compressed,
	    sizeof(mx_compressed), 0xbeef, QNAME, LDNS_RR_TYPE_MX, &a),
	    PKT_OK);
	assert_rdata(&a, want, 3);
	assert_int_equal(a.ttl, 300);
	assert_false(a.aa);
	answer_free(&a);
}

static void
test_pointer_loop(void **state)
{
	/* The question name points at itself. */
	static const uint8_t self[] = {
		0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01,
	};
	/* Two labels pointing at each other. */
	static const uint8_t pair[] = {
		0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x01, 'a', 0xc0, 0x10, 0x01, 'b', 0xc0, 0x0c,
		0x00, 0x0f, 0x00, 0x01,
	};
	/* A good question, and an MX exchange that loops. */
	static const uint8_t inrdata[] = {
		0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,
		0x01, 'a', 0x00, 0x00, 0x0f, 0x00, 0x01,
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
		0x00, 0x06, 0x00, 0x0a, 0x01, 'x', 0xc0, 0x21,
	};
	/* A pointer forward, past the end of the packet. */
	static const uint8_t beyond[] = {
		0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0xc3, 0xff, 0x00, 0x0f, 0x00, 0x01,
	};
	struct answer	 a;

	assert_int_equal(parse_wire(self, sizeof(self), 1, "a.",
	    LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);
	assert_int_equal(parse_wire(pair, sizeof(pair), 1, "a.b.",
	    LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);
	assert_int_equal(parse_wire(inrdata, sizeof(inrdata), 1,
	    "a.", LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);
	assert_int_equal(parse_wire(beyond, sizeof(beyond), 1, "a.",
	    LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);
}

/*
 * The walks after the first skip the owners of records they do not
 * compare (a type not asked, an additional section without a
 * delegation): the first walk alone must find those owners bad, and the
 * question in wire form, as a query keeps it, must judge as its text.
 */
static void
test_owner_checked_when_skipped(void **state)
{
	/* An MX answer, then an A record in the additional section owned
	 * by a pointer to itself; no NS in the authority section, so no
	 * walk looks for glue. */
	static const uint8_t addl[] = {
		0x00, 0x07, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x01, 'a', 0x00, 0x00, 0x0f, 0x00, 0x01,
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
		0x00, 0x06, 0x00, 0x0a, 0x01, 'x', 0xc0, 0x0c,
		0xc0, 0x25, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
		0x00, 0x04, 192, 0, 2, 1,
	};
	/* An A record first in the answer section, owned by a pointer past
	 * the end, then the MX asked for. */
	static const uint8_t answer[] = {
		0x00, 0x07, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00,
		0x01, 'a', 0x00, 0x00, 0x0f, 0x00, 0x01,
		0xc3, 0xff, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
		0x00, 0x04, 192, 0, 2, 1,
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
		0x00, 0x06, 0x00, 0x0a, 0x01, 'x', 0xc0, 0x0c,
	};
	static const char *const want[] = { "10 x.a." };
	uint8_t			good[sizeof(addl)];
	struct wire_name	qname;
	struct answer		a;

	assert_int_equal(wire_name_from_text("a.", &qname), 0);
	assert_int_equal(parse_wire(addl, sizeof(addl), 7, "a.",
	    LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);
	assert_int_equal(packet_parse_answer_name(addl, sizeof(addl), 7,
	    &qname, LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);
	assert_int_equal(parse_wire(answer, sizeof(answer), 7, "a.",
	    LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);
	assert_int_equal(packet_parse_answer_name(answer, sizeof(answer), 7,
	    &qname, LDNS_RR_TYPE_MX, &a), PKT_MALFORMED);

	/* The same additional record owned by the question's name: good. */
	memcpy(good, addl, sizeof(good));
	good[38] = 0x0c;
	assert_int_equal(packet_parse_answer_name(good, sizeof(good), 7,
	    &qname, LDNS_RR_TYPE_MX, &a), PKT_OK);
	assert_rdata(&a, want, 1);
	assert_int_equal(a.glue.n, 0);
	answer_free(&a);
}

/*
 * A name may be a chain of compression pointers, each one strictly before
 * the last, up to the whole message: 30,000 hops for a name that costs
 * the sender 2 bytes.  Every record owner, read on each of the dozen walks
 * over a message, must not cost that much; no encoder ever chains
 * pointers, so a name with more hops than a name has labels is malformed.
 */
static void
test_pointer_chain(void **state)
{
	struct resp	 r = {
		.id = 24, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
	};
	struct answer	 a;
	uint8_t		*wire, *p;
	size_t		 len, i, start, nptr = 3000;

	wire = resp_wire(&r, &len);
	/* One record of an unknown type whose RDATA is the chain: the
	 * first pointer to the question's name, each next to the one
	 * before.  Then an NS record owned by the last pointer. */
	wire = realloc(wire, len + 12 + 2 * nptr + 2 + 10 + 17);
	assert_non_null(wire);
	p = wire + len;
	*p++ = 0xc0;
	*p++ = 12;
	p[0] = 0xff; p[1] = 0x00; p[2] = 0; p[3] = 1;	/* TYPE65280 IN */
	memset(p + 4, 0, 4);
	p[8] = (uint8_t)((2 * nptr) >> 8);
	p[9] = (uint8_t)(2 * nptr);
	p += 10;
	start = (size_t)(p - wire);
	*p++ = 0xc0;
	*p++ = 12;
	for (i = 1; i < nptr; i++) {
		*p++ = (uint8_t)(0xc0 | (start + 2 * (i - 1)) >> 8);
		*p++ = (uint8_t)(start + 2 * (i - 1));
	}
	*p++ = (uint8_t)(0xc0 | (start + 2 * (nptr - 1)) >> 8);
	*p++ = (uint8_t)(start + 2 * (nptr - 1));
	p[0] = 0; p[1] = 2; p[2] = 0; p[3] = 1;		/* NS IN */
	memset(p + 4, 0, 4);
	p[7] = 60;
	p[8] = 0; p[9] = 17;
	p += 10;
	memcpy(p, "\x03ns1\x07" "example\x03net", 17);
	p += 17;
	len = (size_t)(p - wire);
	wire[7] = 2;					/* ANCOUNT */
	assert_int_equal(parse_wire(wire, len, 24, QNAME, LDNS_RR_TYPE_NS,
	    &a), PKT_MALFORMED);
	free(wire);
}

/* Answer content */

static void
test_ns_sorted_lowercase(void **state)
{
	struct resp	 r = {
		.id = 3, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.an = {
			QNAME " 3600 IN NS NS2.Example.NET.",
			QNAME " 3600 IN NS ns1.example.net.",
			"EXAMPLE.CO.JP. 3600 IN NS ns0.EXAMPLE.net.",
			/* The same record twice counts once. */
			QNAME " 3600 IN NS ns1.example.net.",
		},
	};
	static const char *const want[] = {
		"ns0.example.net.", "ns1.example.net.", "ns2.example.net.",
	};
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 3, QNAME, LDNS_RR_TYPE_NS, &a),
	    PKT_OK);
	assert_rdata(&a, want, 3);
	answer_free(&a);
}

static void
test_mx_sorted(void **state)
{
	struct resp	 r = {
		.id = 4, .qname = QNAME, .qtype = LDNS_RR_TYPE_MX,
		.an = {
			QNAME " 3600 IN MX 20 MX02.example.co.jp.",
			QNAME " 3600 IN MX 10 mx01.example.co.jp.",
		},
	};
	static const char *const want[] = {
		"10 mx01.example.co.jp.", "20 mx02.example.co.jp.",
	};
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 4, QNAME, LDNS_RR_TYPE_MX, &a),
	    PKT_OK);
	assert_rdata(&a, want, 2);
	answer_free(&a);
}

static void
test_cname_chain(void **state)
{
	struct resp	 r = {
		.id = 5, .qname = "www." QNAME, .qtype = LDNS_RR_TYPE_A,
		.an = {
			"www." QNAME " 30 IN CNAME edge.Example.NET.",
			/* Out of order, as some resolvers send them. */
			"origin.example.org. 600 IN A 192.0.2.20",
			"edge.example.net. 60 IN CNAME origin.example.org.",
			"origin.example.org. 300 IN A 192.0.2.10",
			/* Not reached from the asked name. */
			"other.example.org. 5 IN A 192.0.2.99",
			"origin.example.org. 5 IN AAAA 2001:db8::1",
		},
	};
	static const char *const want[] = { "192.0.2.10", "192.0.2.20" };
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 5, "www." QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_OK);
	assert_rdata(&a, want, 2);
	/* The TTL of the records asked for, not of the CNAMEs. */
	assert_int_equal(a.ttl, 300);
	/* The asked name had a CNAME (the parent finder's test). */
	assert_true(a.cname);
	answer_free(&a);

	/* Asking for the CNAME itself: its target, no chasing. */
	r.qtype = LDNS_RR_TYPE_CNAME;
	assert_int_equal(parse_resp(&r, 5, "www." QNAME, LDNS_RR_TYPE_CNAME,
	    &a), PKT_OK);
	{
		static const char *const cn[] = { "edge.example.net." };

		assert_rdata(&a, cn, 1);
	}
	assert_int_equal(a.ttl, 30);
	assert_false(a.cname);
	answer_free(&a);
}

static void
test_cname_loop(void **state)
{
	struct resp	 loop = {
		.id = 6, .qname = "a.example.", .qtype = LDNS_RR_TYPE_A,
		.an = {
			"a.example. 60 IN CNAME b.example.",
			"b.example. 60 IN CNAME A.EXAMPLE.",
			"c.example. 60 IN A 192.0.2.1",
		},
	};
	struct resp	 self = {
		.id = 6, .qname = "a.example.", .qtype = LDNS_RR_TYPE_A,
		.an = { "a.example. 60 IN CNAME a.example." },
	};
	struct resp	 deep = {
		.id = 6, .qname = "c0.example.", .qtype = LDNS_RR_TYPE_A,
		.an = {
			"c0.example. 60 IN CNAME c1.example.",
			"c1.example. 60 IN CNAME c2.example.",
			"c2.example. 60 IN CNAME c3.example.",
			"c3.example. 60 IN CNAME c4.example.",
			"c4.example. 60 IN CNAME c5.example.",
			"c5.example. 60 IN CNAME c6.example.",
			"c6.example. 60 IN CNAME c7.example.",
			"c7.example. 60 IN CNAME c8.example.",
			"c8.example. 60 IN CNAME c9.example.",
			"c9.example. 60 IN CNAME c10.example.",
			"c10.example. 60 IN CNAME c11.example.",
			"c11.example. 60 IN CNAME c12.example.",
			"c12.example. 60 IN A 192.0.2.12",
			"c8.example. 60 IN A 192.0.2.8",
		},
	};
	static const char *const eight[] = { "192.0.2.8" };
	struct answer	 a;

	assert_int_equal(parse_resp(&loop, 6, "a.example.", LDNS_RR_TYPE_A,
	    &a), PKT_OK);
	assert_int_equal(a.rdata.n, 0);
	answer_free(&a);
	assert_int_equal(parse_resp(&self, 6, "a.example.", LDNS_RR_TYPE_A,
	    &a), PKT_OK);
	assert_int_equal(a.rdata.n, 0);
	answer_free(&a);
	/* Eight CNAMEs are followed, the twelfth is too far. */
	assert_int_equal(parse_resp(&deep, 6, "c0.example.", LDNS_RR_TYPE_A,
	    &a), PKT_OK);
	assert_rdata(&a, eight, 1);
	answer_free(&a);
}

static void
test_other_rrs_ignored(void **state)
{
	struct resp	 r = {
		.id = 8, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.an = {
			"www." QNAME " 60 IN NS ns9.example.net.",
			QNAME " 60 IN A 192.0.2.1",
			QNAME " 60 CH NS ns8.example.net.",
			QNAME " 7200 IN NS ns1.example.net.",
		},
		.ns = { QNAME " 10 IN NS ns7.example.net." },
		.ar = { QNAME " 10 IN NS ns6.example.net." },
	};
	static const char *const want[] = { "ns1.example.net." };
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 8, QNAME, LDNS_RR_TYPE_NS, &a),
	    PKT_OK);
	assert_rdata(&a, want, 1);
	assert_int_equal(a.ttl, 7200);
	answer_free(&a);
}

static void
test_min_ttl(void **state)
{
	struct resp	 r = {
		.id = 10, .qname = QNAME, .qtype = LDNS_RR_TYPE_A,
		.an = {
			QNAME " 300 IN A 192.0.2.1",
			QNAME " 60 IN A 192.0.2.2",
			QNAME " 3600 IN A 192.0.2.3",
		},
		.ns = {
			QNAME " 5 IN SOA ns. host. 1 2 3 4 5",
		},
	};
	struct answer	 a;

	assert_int_equal(parse_resp(&r, 10, QNAME, LDNS_RR_TYPE_A, &a),
	    PKT_OK);
	assert_int_equal(a.rdata.n, 3);
	assert_int_equal(a.ttl, 60);
	answer_free(&a);
}

static void
test_negative(void **state)
{
	struct resp	 nx = {
		.id = 11, .qname = "gone." QNAME, .qtype = LDNS_RR_TYPE_A,
		.rcode = LDNS_RCODE_NXDOMAIN,
		.ns = {
			QNAME " 900 IN SOA ns1.example.net. hostmaster."
			    QNAME " 2026112701 3600 900 604800 300",
		},
	};
	struct resp	 nodata = {
		.id = 12, .qname = QNAME, .qtype = LDNS_RR_TYPE_MX,
		.an = { QNAME " 60 IN A 192.0.2.1" },
		.ns = {
			QNAME " 3600 IN NS ns1.example.net.",
			QNAME " 120 IN SOA ns1.example.net. hostmaster."
			    QNAME " 1 3600 900 604800 3600",
		},
	};
	struct resp	 nosoa = {
		.id = 13, .qname = QNAME, .qtype = LDNS_RR_TYPE_MX,
	};
	struct answer	 a;

	assert_int_equal(parse_resp(&nx, 11, "gone." QNAME, LDNS_RR_TYPE_A,
	    &a), PKT_OK);
	assert_int_equal(a.rcode, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(a.rdata.n, 0);
	assert_int_equal(a.ttl, 300);
	answer_free(&a);

	assert_int_equal(parse_resp(&nodata, 12, QNAME, LDNS_RR_TYPE_MX, &a),
	    PKT_OK);
	assert_int_equal(a.rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(a.rdata.n, 0);
	assert_int_equal(a.ttl, 120);
	answer_free(&a);

	assert_int_equal(parse_resp(&nosoa, 13, QNAME, LDNS_RR_TYPE_MX, &a),
	    PKT_OK);
	assert_int_equal(a.rdata.n, 0);
	assert_int_equal(a.ttl, 0);
	answer_free(&a);
}

/* An SOA whose RDLENGTH stops before MINIMUM gives no negative TTL. */
static void
test_short_soa(void **state)
{
	static const uint8_t pkt[] = {
		0x00, 0x0e, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00,
		0x01, 'a', 0x00, 0x00, 0x01, 0x00, 0x01,
		/* a. SOA TTL 900, mname . rname . serial 1, and no more */
		0xc0, 0x0c, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x03, 0x84,
		0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	struct answer	 a;
	enum packet_verdict v;

	v = parse_wire(pkt, sizeof(pkt), 14, "a.", LDNS_RR_TYPE_A,
	    &a);
	/* ldns may refuse the record outright; it must never give a TTL
	 * read from beyond the RDATA. */
	if (v == PKT_OK) {
		assert_int_equal(a.rcode, LDNS_RCODE_NXDOMAIN);
		assert_int_equal(a.ttl, 0);
		answer_free(&a);
	} else
		assert_int_equal(v, PKT_MALFORMED);
}

static void
test_tc_and_rcode(void **state)
{
	struct resp	 tc = {
		.id = 15, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.flags = LDNS_QR | LDNS_TC | LDNS_RD | LDNS_RA,
	};
	struct resp	 servfail = {
		.id = 16, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.rcode = LDNS_RCODE_SERVFAIL,
	};
	struct resp	 cookie = {
		.id = 17, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		/* BADCOOKIE = 23: 7 in the header, 1 in the OPT RR. */
		.rcode = 7, .ext_rcode = 1,
	};
	struct answer	 a;
	char		 buf[16];

	assert_int_equal(parse_resp(&tc, 15, QNAME, LDNS_RR_TYPE_NS, &a),
	    PKT_OK);
	assert_true(a.tc);
	assert_int_equal(a.rdata.n, 0);
	answer_free(&a);

	assert_int_equal(parse_resp(&servfail, 16, QNAME, LDNS_RR_TYPE_NS,
	    &a), PKT_OK);
	assert_false(a.tc);
	assert_int_equal(a.rcode, LDNS_RCODE_SERVFAIL);
	assert_string_equal(rcode_name(a.rcode, buf), "SERVFAIL");
	answer_free(&a);

	assert_int_equal(parse_resp(&cookie, 17, QNAME, LDNS_RR_TYPE_NS, &a),
	    PKT_OK);
	assert_int_equal(a.rcode, 23);
	assert_string_equal(rcode_name(a.rcode, buf), "BADCOOKIE");
	answer_free(&a);
}

static void
test_rcode_name(void **state)
{
	char	buf[16];

	assert_string_equal(rcode_name(0, buf), "NOERROR");
	assert_string_equal(rcode_name(1, buf), "FORMERR");
	assert_string_equal(rcode_name(2, buf), "SERVFAIL");
	assert_string_equal(rcode_name(3, buf), "NXDOMAIN");
	assert_string_equal(rcode_name(4, buf), "NOTIMP");
	assert_string_equal(rcode_name(5, buf), "REFUSED");
	assert_string_equal(rcode_name(9, buf), "NOTAUTH");
	assert_string_equal(rcode_name(16, buf), "BADVERS");
	assert_string_equal(rcode_name(11, buf), "RCODE11");
	assert_string_equal(rcode_name(17, buf), "RCODE17");
	assert_string_equal(rcode_name(255, buf), "RCODE255");
}

static void
test_verdict_name(void **state)
{
	assert_string_equal(packet_verdict_name(PKT_OK), "ok");
	assert_string_equal(packet_verdict_name(PKT_MALFORMED), "malformed");
	assert_string_equal(packet_verdict_name(PKT_NOT_RESPONSE),
	    "not a response");
	assert_string_equal(packet_verdict_name(PKT_WRONG_ID), "wrong id");
	assert_string_equal(packet_verdict_name(PKT_BAD_QDCOUNT),
	    "bad qdcount");
	assert_string_equal(packet_verdict_name(PKT_WRONG_QUESTION),
	    "wrong question");
}

/* Addresses */

static void
sin4(struct sockaddr_in *s, const char *addr, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &s->sin_addr), 1);
}

static void
sin6(struct sockaddr_in6 *s, const char *addr, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, addr, &s->sin6_addr), 1);
}

#define SA(x)	((const struct sockaddr *)(x))

static void
test_sockaddr_same(void **state)
{
	struct sockaddr_in	a4, b4;
	struct sockaddr_in6	a6, b6;

	sin4(&a4, "127.0.0.1", 53);
	sin4(&b4, "127.0.0.1", 53);
	assert_true(sockaddr_same(SA(&a4), SA(&b4)));
	sin4(&b4, "127.0.0.2", 53);
	assert_false(sockaddr_same(SA(&a4), SA(&b4)));
	sin4(&b4, "127.0.0.1", 5353);
	assert_false(sockaddr_same(SA(&a4), SA(&b4)));
	/* Port in network order: 53 and 13568 share their bytes. */
	sin4(&b4, "127.0.0.1", 13568);
	assert_false(sockaddr_same(SA(&a4), SA(&b4)));

	sin6(&a6, "::1", 53);
	sin6(&b6, "::1", 53);
	assert_true(sockaddr_same(SA(&a6), SA(&b6)));
	sin6(&b6, "::2", 53);
	assert_false(sockaddr_same(SA(&a6), SA(&b6)));
	sin6(&b6, "::1", 54);
	assert_false(sockaddr_same(SA(&a6), SA(&b6)));
	sin6(&a6, "2001:db8::53", 53);
	sin6(&b6, "2001:DB8:0:0::53", 53);
	assert_true(sockaddr_same(SA(&a6), SA(&b6)));

	/* Families never match each other. */
	sin6(&b6, "::ffff:127.0.0.1", 53);
	assert_false(sockaddr_same(SA(&a4), SA(&b6)));
	assert_false(sockaddr_same(SA(&b6), SA(&a4)));
	assert_false(sockaddr_same(SA(&a4), NULL));
}

/* Robustness: bounded, deterministic, so a failure can be replayed. */

static uint32_t
xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Parse a copy of exactly len bytes; any verdict is fine, a crash or a
 * read out of bounds (valgrind) is not. */
static void
parse_any(const uint8_t *buf, size_t len, uint16_t id, const char *owner,
    uint16_t type)
{
	struct answer		 a;
	enum packet_verdict	 v;
	const uint8_t		*rd;
	uint8_t			*copy;
	size_t			 off = 0, n = 0;
	uint16_t		 rdlen;
	char			*s;

	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, buf, len);
	v = parse_wire(copy, len, id, owner, type, &a);
	assert_true(v >= PKT_OK && v <= PKT_UNEXPECTED_RR);
	if (v == PKT_OK) {
		/* Whatever was kept can be shown. */
		while ((rd = rdset_next(&a.rdata, &off, &rdlen)) != NULL) {
			s = rdtext(type, rd, rdlen);
			assert_non_null(s);
			free(s);
			n++;
		}
		assert_int_equal(n, a.rdata.n);
		answer_free(&a);
	}
	free(copy);
}

static void
test_fuzz_random(void **state)
{
	uint8_t		buf[512];
	uint32_t	seed = 0x6e6d6967;
	size_t		len, i;
	int		iter;

	for (iter = 0; iter < 3000; iter++) {
		len = xorshift32(&seed) % sizeof(buf);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)xorshift32(&seed);
		/* Most iterations get past the header checks, so that the
		 * parser itself is exercised. */
		if (len >= 12 && iter % 4 != 0) {
			buf[0] = 0xab;
			buf[1] = 0xcd;
			buf[2] |= 0x80;
			buf[4] = 0;
			buf[5] = 1;
			for (i = 6; i < 12; i++)
				buf[i] &= 0x03;
		}
		parse_any(buf, len, 0xabcd, QNAME, LDNS_RR_TYPE_MX);
	}
}

static void
test_fuzz_mutate(void **state)
{
	struct resp	 r = {
		.id = 0xbeef, .qname = QNAME, .qtype = LDNS_RR_TYPE_MX,
		.an = {
			QNAME " 60 IN CNAME mail." QNAME,
			"mail." QNAME " 300 IN MX 10 mx01." QNAME,
			"mail." QNAME " 300 IN MX 20 mx02." QNAME,
		},
		.ns = {
			QNAME " 120 IN SOA ns1." QNAME " hostmaster." QNAME
			    " 1 3600 900 604800 3600",
		},
		.ar = { "mx01." QNAME " 300 IN A 192.0.2.25" },
	};
	uint8_t		*wire, buf[512];
	const uint8_t	*base;
	uint32_t	 seed = 0x20261127;
	size_t		 len, baselen, n, i, pos;
	int		 iter;

	wire = resp_wire(&r, &len);
	assert_true(len <= sizeof(buf));
	for (iter = 0; iter < 4000; iter++) {
		/* Alternate between the ldns-built and the hand-compressed
		 * packet. */
		if (iter % 2) {
			base = wire;
			baselen = len;
		} else {
			base = mx_compressed;
			baselen = sizeof(mx_compressed);
		}
		memcpy(buf, base, baselen);
		n = 1 + xorshift32(&seed) % 4;
		for (i = 0; i < n; i++) {
			/* Leave the ID alone: mutations should reach ldns. */
			pos = 2 + xorshift32(&seed) % (baselen - 2);
			buf[pos] = (uint8_t)xorshift32(&seed);
		}
		if (iter % 5 == 0)
			baselen -= xorshift32(&seed) % baselen;
		parse_any(buf, baselen, 0xbeef, QNAME, LDNS_RR_TYPE_MX);
	}
	free(wire);
}

/* Hostile additions: records nmigd never asked for */

/* wire with one more record appended to the section of the header's count
 * at index sec (1 answer, 3 additional); owner is the root. */
static uint8_t *
append_rr(uint8_t *wire, size_t *len, int sec, uint16_t type,
    uint16_t class, uint32_t ttl, const uint8_t *rd, uint16_t rdlen)
{
	uint8_t	 *w;
	size_t	  n = *len;
	uint16_t  c;

	w = realloc(wire, n + 11 + rdlen);
	assert_non_null(w);
	/* Right only when the sections after sec are empty. */
	w[n] = 0;
	w[n + 1] = (uint8_t)(type >> 8);
	w[n + 2] = (uint8_t)type;
	w[n + 3] = (uint8_t)(class >> 8);
	w[n + 4] = (uint8_t)class;
	w[n + 5] = (uint8_t)(ttl >> 24);
	w[n + 6] = (uint8_t)(ttl >> 16);
	w[n + 7] = (uint8_t)(ttl >> 8);
	w[n + 8] = (uint8_t)ttl;
	w[n + 9] = (uint8_t)(rdlen >> 8);
	w[n + 10] = (uint8_t)rdlen;
	if (rdlen > 0)
		memcpy(w + n + 11, rd, rdlen);
	c = (uint16_t)(w[4 + 2 * sec] << 8 | w[4 + 2 * sec + 1]) + 1;
	w[4 + 2 * sec] = (uint8_t)(c >> 8);
	w[4 + 2 * sec + 1] = (uint8_t)c;
	*len = n + 11 + rdlen;
	return w;
}

/* A TSIG (nmigd never signs), a TKEY, a meta type or a second or
 * misplaced OPT refuses the whole datagram before anything is kept: the
 * TSIG leak of ldns_wire2pkt (issue 6, defect 2) is out of reach. */
static void
test_refuse_unexpected(void **state)
{
	struct resp	 r = {
		.id = 21, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.an = { QNAME " 60 IN NS ns1.example.net." },
	};
	static const uint8_t mac[64];
	struct answer	 a;
	uint8_t		*wire;
	size_t		 len;
	const struct {
		int		sec;
		uint16_t	type;
		int		times;
	} bad[] = {
		{ 3, 250, 1 }, { 3, 249, 1 }, { 3, 252, 1 }, { 3, 255, 1 },
		{ 3, 128, 1 }, { 1, 41, 1 }, { 3, 41, 2 }, { 3, 250, 3000 },
	};
	int		 k;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Authority and additional are empty: appending to the
		 * answer section is right too. */
		wire = resp_wire(&r, &len);
		for (k = 0; k < bad[i].times; k++)
			wire = append_rr(wire, &len, bad[i].sec, bad[i].type,
			    255, 0, mac, sizeof(mac));
		if (parse_wire(wire, len, 21, QNAME, LDNS_RR_TYPE_NS, &a) !=
		    PKT_UNEXPECTED_RR)
			fail_msg("type %u in section %d accepted",
			    bad[i].type, bad[i].sec);
		free(wire);
	}
	/* An unknown type is just ignored. */
	wire = resp_wire(&r, &len);
	wire = append_rr(wire, &len, 3, 65280, 1, 0, mac, 4);
	assert_int_equal(parse_wire(wire, len, 21, QNAME, LDNS_RR_TYPE_NS,
	    &a), PKT_OK);
	answer_free(&a);
	free(wire);
}

/* An owner that points to the question (0xc00c) is the asked name, as
 * the question says it (in mixed case here), without being decoded; an
 * OPT so owned is not the root's, and refuses the datagram, unless the
 * question is the root (". NS", which the parent finder asks). */
static void
test_owner_pointing_to_question(void **state)
{
	uint8_t		msg[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 1,
		7, 'E', 'x', 'A', 'm', 'P', 'l', 'E', 2, 'j', 'P', 0,
		0, 2, 0, 1,
		/* NS ns1.example.jp., owner and target through pointers */
		0xc0, 0x0c, 0, 2, 0, 1, 0, 0, 0, 60, 0, 6,
		3, 'n', 's', '1', 0xc0, 0x0c,
		/* OPT: its owner is the root, one byte */
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t		opt_at_question[sizeof(msg) + 1];
	size_t		optat = sizeof(msg) - 11;
	struct answer	a;

	assert_int_equal(parse_wire(msg, sizeof(msg), 0x1234, "example.jp.",
	    LDNS_RR_TYPE_NS, &a), PKT_OK);
	assert_int_equal(a.rdata.n, 1);
	answer_free(&a);

	memcpy(opt_at_question, msg, optat);
	opt_at_question[optat] = 0xc0;
	opt_at_question[optat + 1] = 0x0c;
	memcpy(opt_at_question + optat + 2, msg + optat + 1, 10);
	assert_int_equal(parse_wire(opt_at_question, sizeof(opt_at_question),
	    0x1234, "example.jp.", LDNS_RR_TYPE_NS, &a), PKT_UNEXPECTED_RR);
}

static void
test_opt_pointing_to_root_question(void **state)
{
	const uint8_t	msg[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 1,
		0, 0, 2, 0, 1,
		/* . NS a.root-servers.net. */
		0, 0, 2, 0, 1, 0, 0, 0, 60, 0, 20,
		1, 'a', 12, 'r', 'o', 'o', 't', '-', 's', 'e', 'r', 'v', 'e',
		'r', 's', 3, 'n', 'e', 't', 0,
		/* OPT owned by a pointer to the question: the root */
		0xc0, 0x0c, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0,
	};
	struct answer	a;

	assert_int_equal(parse_wire(msg, sizeof(msg), 0x1234, ".",
	    LDNS_RR_TYPE_NS, &a), PKT_OK);
	assert_int_equal(a.rdata.n, 1);
	answer_free(&a);
}

static void
test_refuse_opcode(void **state)
{
	struct resp	 r = {
		.id = 22, .qname = QNAME, .qtype = LDNS_RR_TYPE_NS,
		.an = { QNAME " 60 IN NS ns1.example.net." },
	};
	struct answer	 a;
	uint8_t		*wire;
	size_t		 len;

	wire = resp_wire(&r, &len);
	wire[2] |= 5 << 3;		/* UPDATE */
	assert_int_equal(parse_wire(wire, len, 22, QNAME, LDNS_RR_TYPE_NS,
	    &a), PKT_BAD_OPCODE);
	free(wire);
}

/* An RR with RDLENGTH 0 is a record, kept as such (defect 7), and a TTL
 * with its top bit set counts as 0 (RFC 2181 8). */
static void
test_empty_rdata_and_ttl(void **state)
{
	struct resp	 r = {
		.id = 23, .qname = QNAME, .qtype = LDNS_RR_TYPE_A,
		.flags = LDNS_QR | LDNS_RD,
	};
	static const char *const want[] = { "\\# 0" };
	struct answer	 a;
	uint8_t		*wire;
	size_t		 len;

	/* The owner of append_rr is the root: ask the root. */
	r.qname = ".";
	wire = resp_wire(&r, &len);
	wire = append_rr(wire, &len, 1, LDNS_RR_TYPE_A, 1, 0x80000010, NULL,
	    0);
	assert_int_equal(parse_wire(wire, len, 23, ".", LDNS_RR_TYPE_A, &a),
	    PKT_OK);
	assert_rdata(&a, want, 1);
	assert_int_equal(a.ttl, 0);
	answer_free(&a);
	free(wire);
}

static void
test_tcp_frame(void **state)
{
	uint8_t	buf[70000];
	size_t	n = 0;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(packet_tcp_frame(buf, 0, &n), TCP_NEED_MORE);
	assert_int_equal(packet_tcp_frame(buf, 1, &n), TCP_NEED_MORE);
	buf[1] = 11;
	assert_int_equal(packet_tcp_frame(buf, 2, &n), TCP_BAD);
	buf[1] = 12;
	assert_int_equal(packet_tcp_frame(buf, 13, &n), TCP_NEED_MORE);
	assert_int_equal(packet_tcp_frame(buf, 14, &n), TCP_MESSAGE);
	assert_int_equal(n, 12);
	/* Bytes after the message belong to the next one. */
	assert_int_equal(packet_tcp_frame(buf, 100, &n), TCP_MESSAGE);
	assert_int_equal(n, 12);
	buf[0] = 0xff;
	buf[1] = 0xff;
	assert_int_equal(packet_tcp_frame(buf, 65536, &n), TCP_NEED_MORE);
	assert_int_equal(packet_tcp_frame(buf, 65537, &n), TCP_MESSAGE);
	assert_int_equal(n, 65535);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_query),
		cmocka_unit_test(test_build_query_flags),
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_referral_none),
		cmocka_unit_test(test_referral_bad_glue),
		cmocka_unit_test(test_build_query_bad_name),
		cmocka_unit_test(test_query_roundtrip),
		cmocka_unit_test(test_accept_answer),
		cmocka_unit_test(test_reject_header),
		cmocka_unit_test(test_reject_qdcount),
		cmocka_unit_test(test_reject_question),
		cmocka_unit_test(test_name_case),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_pointer_chain),
		cmocka_unit_test(test_owner_checked_when_skipped),
		cmocka_unit_test(test_ns_sorted_lowercase),
		cmocka_unit_test(test_mx_sorted),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_cname_loop),
		cmocka_unit_test(test_other_rrs_ignored),
		cmocka_unit_test(test_min_ttl),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_short_soa),
		cmocka_unit_test(test_tc_and_rcode),
		cmocka_unit_test(test_rcode_name),
		cmocka_unit_test(test_verdict_name),
		cmocka_unit_test(test_sockaddr_same),
		cmocka_unit_test(test_fuzz_random),
		cmocka_unit_test(test_fuzz_mutate),
		cmocka_unit_test(test_refuse_unexpected),
		cmocka_unit_test(test_refuse_opcode),
		cmocka_unit_test(test_owner_pointing_to_question),
		cmocka_unit_test(test_opt_pointing_to_root_question),
		cmocka_unit_test(test_empty_rdata_and_ttl),
		cmocka_unit_test(test_tcp_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
