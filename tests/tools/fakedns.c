/*
 * fakedns: a deliberately broken DNS server for nmigd's scenario tests.
 *
 *	fakedns --listen ADDR@PORT --mode MODE [--alt ADDR] [--delay-ms N]
 *	    [--flood N] [--log-times] [--max-seconds N] [--pidfile FILE]
 *
 * It answers NS and MX of example.co.jp. with the migration's new values
 * (an authoritative-looking recursive answer) and every other question
 * with NXDOMAIN, but wraps the right answer in whatever MODE says a
 * hostile or broken resolver would send.  Every wrong datagram carries
 * "evil" records for the asked name and type: a prober that accepted one
 * would report "other", never "new", so a test cannot pass by accident.
 *
 * Modes:
 *	good		the right answer
 *	junk-then-good	junk (see junk_build) from ADDR, from --alt ADDR and
 *			from another port, then the right answer
 *	garbage		the junk only
 *	flood		--flood N (2000) junk datagrams, then the right answer
 *	slow		the right answer after --delay-ms (1500) ms
 *	servfail	SERVFAIL
 *	refused		REFUSED
 *	tc		UDP: TC=1 and no records; TCP: the right answer
 *	tc-tcp-garbage	TC=1; TCP: a framed message of random bytes
 *	tc-tcp-close	TC=1; TCP: reads the query, closes
 *	tc-tcp-short	TC=1; TCP: a length of 300, 20 bytes, close
 *	tc-tcp-wrongid	TC=1; TCP: an evil answer with the wrong ID
 *	tc-tcp-silent	TC=1; TCP: reads the query, never answers
 *	tc-tcp-none	TC=1; no TCP listener at all
 *	svcb-bomb	HTTPS: one record "1 ." with 40 empty parameters (the
 *			RDATA that made ldns's printer abort); else good
 *	tsig-flood	--flood N (3000) paced datagrams with the right ID
 *			and a wrong question, each with three TSIGs of a 20 KB
 *			MAC (ldns_wire2pkt leaked the first), the right answer
 *			with the same TSIGs, then the right answer
 *	empty-rdata	MX: one record with RDLENGTH 0; else good
 *	wks		WKS: one record with a 1,200-byte bitmap; else good
 *	anycast		two caches behind one address: the right answer and
 *			the evil one by turns, the first query of each type
 *			getting the right one
 *
 * Only loopback addresses are accepted, and the process ends on SIGTERM,
 * SIGINT or after --max-seconds (SIGALRM as a backstop), so that it can
 * never outlive a test.  Each query is logged on stderr; with
 * --log-times each line ends in " t=MS", CLOCK_MONOTONIC in milliseconds.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#define DOMAIN		"example.co.jp."
#define MAX_JUNK	16
#define MAX_DELAYED	256
#define MAX_TCP		32
#define MAX_MSG		65535
#define POLL_MAX_MS	200	/* bounds a signal lost just before poll() */

enum mode {
	M_GOOD, M_JUNK_THEN_GOOD, M_GARBAGE, M_FLOOD, M_SLOW, M_SERVFAIL,
	M_REFUSED, M_TC, M_TC_TCP_GARBAGE, M_TC_TCP_CLOSE, M_TC_TCP_SHORT,
	M_TC_TCP_WRONGID, M_TC_TCP_SILENT, M_TC_TCP_NONE, M_SVCB_BOMB,
	M_TSIG_FLOOD, M_EMPTY_RDATA, M_WKS, M_ANYCAST,
};

static const struct {
	const char	*name;
	enum mode	 mode;
} modes[] = {
	{ "good",		M_GOOD },
	{ "junk-then-good",	M_JUNK_THEN_GOOD },
	{ "garbage",		M_GARBAGE },
	{ "flood",		M_FLOOD },
	{ "slow",		M_SLOW },
	{ "servfail",		M_SERVFAIL },
	{ "refused",		M_REFUSED },
	{ "tc",			M_TC },
	{ "tc-tcp-garbage",	M_TC_TCP_GARBAGE },
	{ "tc-tcp-close",	M_TC_TCP_CLOSE },
	{ "tc-tcp-short",	M_TC_TCP_SHORT },
	{ "tc-tcp-wrongid",	M_TC_TCP_WRONGID },
	{ "tc-tcp-silent",	M_TC_TCP_SILENT },
	{ "tc-tcp-none",	M_TC_TCP_NONE },
	{ "svcb-bomb",		M_SVCB_BOMB },
	{ "tsig-flood",		M_TSIG_FLOOD },
	{ "empty-rdata",	M_EMPTY_RDATA },
	{ "wks",		M_WKS },
	{ "anycast",		M_ANYCAST },
};

enum data {
	D_NONE,		/* no records */
	D_NEW,		/* the migration's new records, or NXDOMAIN */
	D_EVIL,		/* records no real answer has */
};

/* How a reply differs from the right one. */
struct shape {
	uint16_t	 id_xor;
	bool		 not_response;		/* QR=0 */
	bool		 tc;
	bool		 two_questions;
	const char	*qname;			/* NULL: the asked name */
	uint16_t	 qtype;			/* 0: the asked type */
	uint16_t	 qclass;		/* 0: IN */
	int		 rcode;			/* -1: from the data */
	enum data	 data;
};

struct query {
	uint16_t	 id;
	bool		 rd;
	ldns_rdf	*qname;
	char		*qname_str;
	uint16_t	 qtype;
	uint16_t	 qclass;
};

enum via {
	VIA_LISTEN,	/* the address and port asked */
	VIA_ALT,	/* --alt ADDR, same port */
	VIA_PORT,	/* the address asked, another port */
};

struct msg {
	uint8_t		*wire;
	size_t		 len;
	enum via	 via;
};

struct delayed {
	struct timespec		 due;
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
	uint8_t			*wire;
	size_t			 len;
};

struct tcpconn {
	int		 fd;
	size_t		 len;
	uint8_t		 buf[2 + MAX_MSG];
};

struct server {
	enum mode		 mode;
	const char		*mode_name;
	int			 udp;
	int			 alt;		/* -1 without --alt */
	int			 port;		/* another source port */
	int			 tcp;		/* -1 in tc-tcp-none */
	unsigned		 delay_ms;
	unsigned		 flood;
	unsigned		 turn[2];	/* anycast: NS, other types */
	bool			 log_times;
	struct delayed		 delayed[MAX_DELAYED];
	size_t			 ndelayed;
	struct tcpconn		 conns[MAX_TCP];
	uint8_t			 buf[MAX_MSG];
};

static volatile sig_atomic_t	 quit;

static void
usage(void)
{
	fprintf(stderr, "usage: fakedns --listen ADDR@PORT --mode MODE "
	    "[--alt ADDR] [--delay-ms N]\n"
	    "\t[--flood N] [--log-times] [--max-seconds N] [--pidfile FILE]\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "fakedns: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
dief(const char *what)
{
	fprintf(stderr, "fakedns: %s\n", what);
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static unsigned
number(const char *s, unsigned max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		usage();
	return (unsigned)v;
}

/* Loopback only: this server exists to lie, and must not lie to anyone
 * but the test on this machine. */
static bool
parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return false;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return true;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return false;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return true;
	}
	return false;
}

static int
bound_socket(const struct sockaddr_storage *ss, socklen_t len, int type)
{
	int	fd, on = 1;

	if ((fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		die("socket");
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)ss, len) == -1)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 16) == -1)
		die("listen");
	return fd;
}

static void
random_bytes(uint8_t *p, size_t n)
{
	while (n-- > 0)
		*p++ = (uint8_t)(random() >> 7);
}

static void
query_clear(struct query *q)
{
	ldns_rdf_deep_free(q->qname);
	free(q->qname_str);
	memset(q, 0, sizeof(*q));
}

/* Only real queries: never answer a response, or two fakedns could echo
 * each other forever. */
static bool
query_parse(const uint8_t *wire, size_t len, struct query *q)
{
	ldns_pkt	*pkt;
	ldns_rr		*rr;
	bool		 ok = false;

	memset(q, 0, sizeof(*q));
	if (ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK)
		return false;
	if (ldns_pkt_qr(pkt) || ldns_pkt_qdcount(pkt) != 1 ||
	    ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY)
		goto done;
	rr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	q->id = ldns_pkt_id(pkt);
	q->rd = ldns_pkt_rd(pkt);
	q->qname = ldns_rdf_clone(ldns_rr_owner(rr));
	q->qname_str = ldns_rdf2str(q->qname);
	q->qtype = ldns_rr_get_type(rr);
	q->qclass = ldns_rr_get_class(rr);
	ok = q->qname != NULL && q->qname_str != NULL;
	if (!ok)
		query_clear(q);
done:
	ldns_pkt_free(pkt);
	return ok;
}

static bool
is_domain(const struct query *q)
{
	ldns_rdf	*d;
	bool		 same;

	if ((d = ldns_dname_new_frm_str(DOMAIN)) == NULL)
		return false;
	same = ldns_dname_compare(q->qname, d) == 0;
	ldns_rdf_deep_free(d);
	return same;
}

static void
push_rr(ldns_pkt *pkt, const char *owner, const char *type, const char *rd)
{
	ldns_rr	*rr;
	char	 s[512];

	snprintf(s, sizeof(s), "%s 300 IN %s %s", owner, type, rd);
	if (ldns_rr_new_frm_str(&rr, s, 0, NULL, NULL) != LDNS_STATUS_OK)
		dief("cannot make a record");
	ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
}

static void
push_question(ldns_pkt *pkt, const char *name, uint16_t type, uint16_t class)
{
	ldns_rr	*rr;

	if ((rr = ldns_rr_new()) == NULL)
		dief("ldns_rr_new");
	ldns_rr_set_question(rr, true);
	ldns_rr_set_owner(rr, ldns_dname_new_frm_str(name));
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, class);
	ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, rr);
}

/* Returns the rcode the data implies. */
static int
push_data(ldns_pkt *pkt, const struct query *q, enum data data)
{
	const char	*o = q->qname_str;

	switch (data) {
	case D_NONE:
		return LDNS_RCODE_NOERROR;
	case D_EVIL:
		if (q->qtype == LDNS_RR_TYPE_NS)
			push_rr(pkt, o, "NS", "ns.evil.test.");
		else if (q->qtype == LDNS_RR_TYPE_MX)
			push_rr(pkt, o, "MX", "10 mx.evil.test.");
		else
			push_rr(pkt, o, "A", "127.0.0.66");
		return LDNS_RCODE_NOERROR;
	case D_NEW:
		if (!is_domain(q) || q->qclass != LDNS_RR_CLASS_IN)
			return LDNS_RCODE_NXDOMAIN;
		if (q->qtype == LDNS_RR_TYPE_NS) {
			push_rr(pkt, o, "NS", "hns0.dns.nifcloud.com.");
			push_rr(pkt, o, "NS", "hns1.dns.nifcloud.com.");
		} else if (q->qtype == LDNS_RR_TYPE_MX) {
			push_rr(pkt, o, "MX", "10 mx01.example.co.jp.");
			push_rr(pkt, o, "MX", "10 mx02.example.co.jp.");
		} else
			return LDNS_RCODE_NXDOMAIN;
		return LDNS_RCODE_NOERROR;
	}
	return LDNS_RCODE_SERVFAIL;
}

static struct msg
reply_build(const struct query *q, const struct shape *s)
{
	ldns_pkt	*pkt;
	struct msg	 m = { NULL, 0, VIA_LISTEN };
	int		 rcode;

	if ((pkt = ldns_pkt_new()) == NULL)
		dief("ldns_pkt_new");
	ldns_pkt_set_id(pkt, q->id ^ s->id_xor);
	ldns_pkt_set_qr(pkt, !s->not_response);
	ldns_pkt_set_aa(pkt, true);
	ldns_pkt_set_rd(pkt, q->rd);
	ldns_pkt_set_ra(pkt, true);
	ldns_pkt_set_tc(pkt, s->tc);
	push_question(pkt, s->qname != NULL ? s->qname : q->qname_str,
	    s->qtype != 0 ? s->qtype : q->qtype,
	    s->qclass != 0 ? s->qclass : LDNS_RR_CLASS_IN);
	if (s->two_questions)
		push_question(pkt, q->qname_str, LDNS_RR_TYPE_A,
		    LDNS_RR_CLASS_IN);
	rcode = push_data(pkt, q, s->data);
	ldns_pkt_set_rcode(pkt, (uint8_t)(s->rcode >= 0 ? s->rcode : rcode));
	if (ldns_pkt2wire(&m.wire, pkt, &m.len) != LDNS_STATUS_OK)
		dief("ldns_pkt2wire");
	ldns_pkt_free(pkt);
	return m;
}

static struct msg
reply_good(const struct query *q)
{
	struct shape	s = { .rcode = -1, .data = D_NEW };

	return reply_build(q, &s);
}

static struct msg
reply_evil(const struct query *q, uint16_t id_xor)
{
	struct shape	s = { .id_xor = id_xor, .rcode = -1, .data = D_EVIL };

	return reply_build(q, &s);
}

static struct msg
reply_rcode(const struct query *q, int rcode)
{
	struct shape	s = { .rcode = rcode, .data = D_NONE };

	return reply_build(q, &s);
}

static struct msg
reply_tc(const struct query *q)
{
	struct shape	s = { .tc = true, .rcode = -1, .data = D_NONE };

	return reply_build(q, &s);
}

static struct msg
msg_random(size_t len)
{
	struct msg	m = { NULL, len, VIA_LISTEN };

	if ((m.wire = malloc(len)) == NULL)
		die("malloc");
	random_bytes(m.wire, len);
	return m;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The right ID, QR=1 and one question, then bytes that do not parse. */
static struct msg
msg_bad_body(const struct query *q)
{
	struct msg	m = msg_random(12 + 1 + (size_t)(random() % 200));

	put16(m.wire, q->id);
	put16(m.wire + 2, 0x8180);
	put16(m.wire + 4, 1);
	put16(m.wire + 6, 5);
	return m;
}

/*
 * A compression pointer that points at itself, in the question name
 * (in_question) or in the owner of the answer after a proper question.
 */
static struct msg
msg_pointer_loop(const struct query *q, bool in_question)
{
	struct msg	 m = { NULL, 0, VIA_LISTEN };
	size_t		 nlen = ldns_rdf_size(q->qname), off;
	uint8_t		*p;

	if ((p = m.wire = calloc(1, 12 + nlen + 4 + 2 + 10 + 64)) == NULL)
		die("calloc");
	put16(p, q->id);
	put16(p + 2, 0x8180);
	put16(p + 4, 1);
	put16(p + 6, 1);
	off = 12;
	if (in_question) {
		put16(p + off, 0xc000 | (uint16_t)off);
		off += 2;
	} else {
		memcpy(p + off, ldns_rdf_data(q->qname), nlen);
		off += nlen;
	}
	put16(p + off, q->qtype);
	put16(p + off + 2, LDNS_RR_CLASS_IN);
	off += 4;
	put16(p + off, 0xc000 | (uint16_t)off);		/* answer owner */
	put16(p + off + 2, q->qtype);
	put16(p + off + 4, LDNS_RR_CLASS_IN);
	put16(p + off + 6, 0);
	put16(p + off + 8, 300);
	put16(p + off + 10, 2);				/* RDLENGTH */
	put16(p + off + 12, 0xc000 | (uint16_t)(off + 12));
	m.len = off + 14;
	return m;
}

static void	udp_send(struct server *, const struct msg *,
		    const struct sockaddr_storage *, socklen_t);

/*
 * A message built byte by byte: the records below are ones ldns must
 * never be asked to make or read.
 */
struct raw {
	uint8_t		*p;
	size_t		 len, cap;
};

static void
raw_put(struct raw *r, const void *b, size_t n)
{
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2;
		if ((r->p = realloc(r->p, r->cap)) == NULL)
			die("realloc");
	}
	memcpy(r->p + r->len, b, n);
	r->len += n;
}

static void
raw_u16(struct raw *r, uint16_t v)
{
	uint8_t	b[2];

	put16(b, v);
	raw_put(r, b, 2);
}

/* Header and the question; the counts after it are the caller's. */
static void
raw_head(struct raw *r, const struct query *q, const ldns_rdf *qname,
    uint16_t an, uint16_t ar)
{
	raw_u16(r, q->id);
	raw_u16(r, 0x8580);		/* QR AA RD RA */
	raw_u16(r, 1);
	raw_u16(r, an);
	raw_u16(r, 0);
	raw_u16(r, ar);
	raw_put(r, ldns_rdf_data(qname), ldns_rdf_size(qname));
	raw_u16(r, q->qtype);
	raw_u16(r, LDNS_RR_CLASS_IN);
}

/* A record owned by the question's name (a pointer to offset 12). */
static void
raw_rr(struct raw *r, uint16_t type, uint16_t class, const uint8_t *rd,
    size_t rdlen)
{
	raw_u16(r, 0xc00c);
	raw_u16(r, type);
	raw_u16(r, class);
	raw_u16(r, 0);
	raw_u16(r, 300);
	raw_u16(r, (uint16_t)rdlen);
	raw_put(r, rd, rdlen);
}

#define TSIG_MACLEN	20000

/* A TSIG record in the additional section: hmac-sha256, a 20 KB MAC. */
static void
raw_tsig(struct raw *r)
{
	static const uint8_t	 alg[] = "\013hmac-sha256";
	uint8_t			*rd, *p;
	size_t			 n = sizeof(alg) + 6 + 2 + 2 + TSIG_MACLEN + 6;

	if ((p = rd = calloc(1, n)) == NULL)
		die("calloc");
	memcpy(p, alg, sizeof(alg));	/* the label and the root's 0 */
	p += sizeof(alg) + 6 + 2;
	put16(p, TSIG_MACLEN);
	p += 2;
	random_bytes(p, TSIG_MACLEN);
	raw_put(r, "\003key", 5);	/* owner key. */
	raw_u16(r, 250);
	raw_u16(r, 255);
	raw_u16(r, 0);
	raw_u16(r, 0);
	raw_u16(r, (uint16_t)n);
	raw_put(r, rd, n);
	free(rd);
}

/* One record of the asked type whose RDATA is rd (none if NULL), and
 * ntsig TSIGs after it: ldns_wire2pkt overwrote a TSIG with the next
 * without freeing it. */
static struct msg
msg_raw_answer(const struct query *q, const ldns_rdf *qname,
    const uint8_t *rd, size_t rdlen, unsigned ntsig)
{
	struct raw	r = { NULL, 0, 0 };
	struct msg	m = { NULL, 0, VIA_LISTEN };
	unsigned	i;

	raw_head(&r, q, qname, rd != NULL ? 1 : 0, (uint16_t)ntsig);
	if (rd != NULL)
		raw_rr(&r, q->qtype, LDNS_RR_CLASS_IN, rd, rdlen);
	for (i = 0; i < ntsig; i++)
		raw_tsig(&r);
	m.wire = r.p;
	m.len = r.len;
	return m;
}

/* The answers of the record modes; false for a question they leave to
 * the good answer. */
static bool
reply_record_mode(const struct server *sv, const struct query *q,
    struct msg *m)
{
	uint8_t	rd[1500];

	memset(rd, 0, sizeof(rd));
	if (sv->mode == M_SVCB_BOMB && q->qtype == LDNS_RR_TYPE_HTTPS) {
		rd[1] = 1;		/* priority 1, target ".", 40 x key0 */
		*m = msg_raw_answer(q, q->qname, rd, 3 + 40 * 4, 0);
		return true;
	}
	if (sv->mode == M_EMPTY_RDATA && q->qtype == LDNS_RR_TYPE_MX) {
		*m = msg_raw_answer(q, q->qname, rd, 0, 0);
		return true;
	}
	if (sv->mode == M_WKS && q->qtype == LDNS_RR_TYPE_WKS) {
		rd[0] = 192;		/* 192.0.2.1, TCP, every port */
		rd[2] = 2;
		rd[3] = 1;
		rd[4] = 6;
		memset(rd + 5, 0xff, 1200);
		*m = msg_raw_answer(q, q->qname, rd, 5 + 1200, 0);
		return true;
	}
	return false;
}

/* Datagrams that pass the ID, QR and QDCOUNT checks, ask another name
 * and carry a TSIG; then the right answer with a TSIG. */
static void
tsig_flood(struct server *sv, const struct query *q,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	ldns_rdf	*evil;
	struct msg	 m;
	unsigned	 i;

	if ((evil = ldns_dname_new_frm_str("evil.test.")) == NULL)
		dief("ldns_dname_new_frm_str");
	m = msg_raw_answer(q, evil, NULL, 0, 3);
	/* Paced, so that the datagrams reach the prober's parser instead
	 * of overflowing its socket buffer: the point is what it keeps. */
	for (i = 0; i < sv->flood && !quit; i++) {
		udp_send(sv, &m, to, tolen);
		usleep(50);
	}
	free(m.wire);
	ldns_rdf_deep_free(evil);
	m = msg_raw_answer(q, q->qname, NULL, 0, 3);
	udp_send(sv, &m, to, tolen);
	free(m.wire);
}

/*
 * Everything an off-path attacker or a broken middlebox might send before
 * the real answer.  Each would turn the verdict to "other" if accepted.
 */
static size_t
junk_build(const struct query *q, bool with_alt, struct msg *junk)
{
	struct shape	 s;
	struct msg	 m;
	size_t		 n = 0;

	junk[n++] = msg_random(1 + (size_t)(random() % 300));
	junk[n++] = msg_bad_body(q);
	junk[n++] = reply_evil(q, 0x0001);		/* wrong ID */
	junk[n++] = reply_evil(q, 0x8000);
	memset(&s, 0, sizeof(s));
	s.rcode = -1;
	s.data = D_EVIL;
	s.not_response = true;				/* QR=0 */
	junk[n++] = reply_build(q, &s);
	s.not_response = false;
	s.two_questions = true;				/* QDCOUNT=2 */
	junk[n++] = reply_build(q, &s);
	s.two_questions = false;
	s.qname = "www." DOMAIN;			/* other name */
	junk[n++] = reply_build(q, &s);
	s.qname = NULL;
	s.qtype = q->qtype == LDNS_RR_TYPE_NS ? LDNS_RR_TYPE_MX :
	    LDNS_RR_TYPE_NS;				/* other type */
	junk[n++] = reply_build(q, &s);
	s.qtype = 0;
	s.qclass = LDNS_RR_CLASS_CH;			/* other class */
	junk[n++] = reply_build(q, &s);
	m = reply_evil(q, 0);				/* truncated */
	m.len /= 2;
	junk[n++] = m;
	junk[n++] = msg_pointer_loop(q, true);
	junk[n++] = msg_pointer_loop(q, false);
	if (with_alt) {
		m = reply_evil(q, 0);			/* other address */
		m.via = VIA_ALT;
		junk[n++] = m;
	}
	m = reply_evil(q, 0);				/* other port */
	m.via = VIA_PORT;
	junk[n++] = m;
	return n;
}

static void
junk_free(struct msg *junk, size_t n)
{
	while (n-- > 0)
		free(junk[n].wire);
}

static void
udp_send(struct server *sv, const struct msg *m,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	int	fd = sv->udp;

	if (m->via == VIA_ALT)
		fd = sv->alt;
	else if (m->via == VIA_PORT)
		fd = sv->port;
	/* A full receive buffer at the prober is part of the test. */
	(void)sendto(fd, m->wire, m->len, 0, (const struct sockaddr *)to,
	    tolen);
}

static void
delay_add(struct server *sv, struct msg *m,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	struct delayed	*d;

	if (sv->ndelayed == MAX_DELAYED) {
		fprintf(stderr, "fakedns: too many delayed answers, "
		    "dropping one\n");
		free(m->wire);
		return;
	}
	d = &sv->delayed[sv->ndelayed++];
	clock_gettime(CLOCK_MONOTONIC, &d->due);
	d->due.tv_sec += sv->delay_ms / 1000;
	d->due.tv_nsec += (long)(sv->delay_ms % 1000) * 1000000;
	if (d->due.tv_nsec >= 1000000000) {
		d->due.tv_sec++;
		d->due.tv_nsec -= 1000000000;
	}
	memcpy(&d->to, to, tolen);
	d->tolen = tolen;
	d->wire = m->wire;
	d->len = m->len;
}

static long
ms_until(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(t->tv_sec - now.tv_sec) * 1000 +
	    (t->tv_nsec - now.tv_nsec) / 1000000;
}

static void
delay_run(struct server *sv)
{
	struct delayed	*d;
	struct msg	 m;
	size_t		 i = 0;

	while (i < sv->ndelayed) {
		d = &sv->delayed[i];
		if (ms_until(&d->due) > 0) {
			i++;
			continue;
		}
		m.wire = d->wire;
		m.len = d->len;
		m.via = VIA_LISTEN;
		udp_send(sv, &m, &d->to, d->tolen);
		free(d->wire);
		*d = sv->delayed[--sv->ndelayed];
	}
}

static void
udp_answer(struct server *sv, const struct query *q,
    const struct sockaddr_storage *from, socklen_t fromlen)
{
	struct msg	 junk[MAX_JUNK], m;
	size_t		 n = 0, i;

	switch (sv->mode) {
	case M_GOOD:
		m = reply_good(q);
		break;
	case M_SVCB_BOMB:
	case M_EMPTY_RDATA:
	case M_WKS:
		if (!reply_record_mode(sv, q, &m))
			m = reply_good(q);
		break;
	case M_TSIG_FLOOD:
		tsig_flood(sv, q, from, fromlen);
		m = reply_good(q);
		break;
	case M_ANYCAST:
		if (sv->turn[q->qtype != LDNS_RR_TYPE_NS]++ % 2 == 0)
			m = reply_good(q);
		else
			m = reply_evil(q, 0);
		break;
	case M_JUNK_THEN_GOOD:
	case M_GARBAGE:
		n = junk_build(q, sv->alt != -1, junk);
		for (i = 0; i < n; i++)
			udp_send(sv, &junk[i], from, fromlen);
		junk_free(junk, n);
		if (sv->mode == M_GARBAGE)
			return;
		m = reply_good(q);
		break;
	case M_FLOOD:
		n = junk_build(q, sv->alt != -1, junk);
		for (i = 0; i < sv->flood; i++)
			udp_send(sv, &junk[i % n], from, fromlen);
		junk_free(junk, n);
		m = reply_good(q);
		break;
	case M_SLOW:
		m = reply_good(q);
		delay_add(sv, &m, from, fromlen);
		return;
	case M_SERVFAIL:
		m = reply_rcode(q, LDNS_RCODE_SERVFAIL);
		break;
	case M_REFUSED:
		m = reply_rcode(q, LDNS_RCODE_REFUSED);
		break;
	default:			/* the tc modes */
		m = reply_tc(q);
		break;
	}
	udp_send(sv, &m, from, fromlen);
	free(m.wire);
}

static const char *
addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	char				 a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(sin6->sin6_port));
	} else {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
	}
	return buf;
}

static void
log_query(const struct server *sv, const char *proto, const struct query *q,
    const struct sockaddr_storage *from)
{
	char	 a[INET6_ADDRSTRLEN + 16], *type;

	type = ldns_rr_type2str(q->qtype);
	fprintf(stderr, "fakedns %s: %s query id=%u %s %s from %s",
	    sv->mode_name, proto, q->id, q->qname_str,
	    type != NULL ? type : "?", addr_str(from, a, sizeof(a)));
	if (sv->log_times) {
		struct timespec	ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		fprintf(stderr, " t=%lld", (long long)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000);
	}
	fputc('\n', stderr);
	free(type);
}

static void
udp_read(struct server *sv)
{
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	struct query		 q;
	ssize_t			 n;
	int			 i;

	/* A bounded burst, so that TCP and timers are served too. */
	for (i = 0; i < 64; i++) {
		fromlen = sizeof(from);
		n = recvfrom(sv->udp, sv->buf, sizeof(sv->buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1)
			return;
		if (!query_parse(sv->buf, (size_t)n, &q))
			continue;
		log_query(sv, "udp", &q, &from);
		udp_answer(sv, &q, &from, fromlen);
		query_clear(&q);
	}
}

static void
tcp_accept(struct server *sv)
{
	int	fd, i;

	if ((fd = accept4(sv->tcp, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < MAX_TCP; i++) {
		if (sv->conns[i].fd == -1) {
			sv->conns[i].fd = fd;
			sv->conns[i].len = 0;
			return;
		}
	}
	fprintf(stderr, "fakedns: too many TCP connections\n");
	close(fd);
}

static void
tcp_close(struct tcpconn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Replies are small: one send() into an empty socket buffer. */
static void
tcp_send_framed(struct tcpconn *c, const uint8_t *wire, size_t len,
    uint16_t framelen)
{
	uint8_t	*out;

	if ((out = malloc(len + 2)) == NULL)
		die("malloc");
	put16(out, framelen);
	memcpy(out + 2, wire, len);
	(void)send(c->fd, out, len + 2, MSG_NOSIGNAL);
	free(out);
}

/* Returns true when the connection stays open. */
static bool
tcp_answer(struct server *sv, struct tcpconn *c, const struct query *q)
{
	struct msg	m;

	switch (sv->mode) {
	case M_TC_TCP_SILENT:
		return true;
	case M_TC_TCP_CLOSE:
		return false;
	case M_TC_TCP_GARBAGE:
		m = msg_random(1 + (size_t)(random() % 100));
		break;
	case M_TC_TCP_SHORT:
		m = reply_good(q);
		tcp_send_framed(c, m.wire, m.len < 20 ? m.len : 20, 300);
		free(m.wire);
		return false;
	case M_TC_TCP_WRONGID:
		m = reply_evil(q, 0x0001);
		break;
	case M_SERVFAIL:
		m = reply_rcode(q, LDNS_RCODE_SERVFAIL);
		break;
	case M_REFUSED:
		m = reply_rcode(q, LDNS_RCODE_REFUSED);
		break;
	default:
		m = reply_good(q);
		break;
	}
	tcp_send_framed(c, m.wire, m.len, (uint16_t)m.len);
	free(m.wire);
	/* Closing right after the answer, as a busy server may. */
	return false;
}

static void
tcp_read(struct server *sv, struct tcpconn *c)
{
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen = sizeof(peer);
	struct query		 q;
	ssize_t			 n;
	size_t			 need;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		tcp_close(c);
		return;
	}
	c->len += (size_t)n;
	while (c->len >= 2) {
		need = (size_t)c->buf[0] << 8 | c->buf[1];
		if (c->len < need + 2)
			return;
		if (query_parse(c->buf + 2, need, &q)) {
			if (getpeername(c->fd, (struct sockaddr *)&peer,
			    &peerlen) == -1)
				memset(&peer, 0, sizeof(peer));
			log_query(sv, "tcp", &q, &peer);
			if (!tcp_answer(sv, c, &q)) {
				query_clear(&q);
				tcp_close(c);
				return;
			}
			query_clear(&q);
		}
		memmove(c->buf, c->buf + need + 2, c->len - need - 2);
		c->len -= need + 2;
	}
}

static int
poll_timeout(const struct server *sv, const struct timespec *end)
{
	long	t = ms_until(end), d;
	size_t	i;

	for (i = 0; i < sv->ndelayed; i++)
		if ((d = ms_until(&sv->delayed[i].due)) < t)
			t = d;
	if (t > POLL_MAX_MS)
		t = POLL_MAX_MS;
	return t < 0 ? 0 : (int)t;
}

static void
serve(struct server *sv, unsigned max_seconds)
{
	struct pollfd	 pfd[2 + MAX_TCP];
	struct timespec	 end;
	int		 i, n, nfd;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += max_seconds;
	while (!quit && ms_until(&end) > 0) {
		pfd[0].fd = sv->udp;
		pfd[0].events = POLLIN;
		pfd[1].fd = sv->tcp;
		pfd[1].events = POLLIN;
		for (i = 0; i < MAX_TCP; i++) {
			pfd[2 + i].fd = sv->conns[i].fd;
			pfd[2 + i].events = POLLIN;
		}
		nfd = 2 + MAX_TCP;
		n = poll(pfd, (nfds_t)nfd, poll_timeout(sv, &end));
		if (n == -1 && errno != EINTR)
			die("poll");
		delay_run(sv);
		if (n <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			udp_read(sv);
		if (pfd[1].revents & POLLIN)
			tcp_accept(sv);
		for (i = 0; i < MAX_TCP; i++)
			if (sv->conns[i].fd != -1 &&
			    (pfd[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				tcp_read(sv, &sv->conns[i]);
	}
}

static void
write_pidfile(const char *path)
{
	char	 tmp[4096];
	FILE	*f;

	/* Whole or absent: the test polls for it as the "ready" signal. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die(tmp);
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		die(path);
}

static enum mode
mode_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(modes[i].name, s) == 0)
			return modes[i].mode;
	fprintf(stderr, "fakedns: unknown mode %s\n", s);
	exit(2);
}

static void
signals_setup(unsigned max_seconds)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return at once. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* The backstop if the loop ever wedges: SIGALRM kills. */
	alarm(max_seconds + 2);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "listen",	 required_argument, NULL, 'l' },
		{ "mode",	 required_argument, NULL, 'm' },
		{ "alt",	 required_argument, NULL, 'a' },
		{ "delay-ms",	 required_argument, NULL, 'd' },
		{ "flood",	 required_argument, NULL, 'f' },
		{ "log-times",	 no_argument,	    NULL, 't' },
		{ "max-seconds", required_argument, NULL, 's' },
		{ "pidfile",	 required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	static struct server	 sv;
	struct sockaddr_storage	 ss, alt;
	socklen_t		 sslen, altlen;
	const char		*listen_s = NULL, *alt_s = NULL, *pidfile = NULL;
	char			*at, addr[INET6_ADDRSTRLEN];
	unsigned		 port, max_seconds = 60;
	int			 ch, i;

	sv.mode_name = NULL;
	sv.delay_ms = 1500;
	sv.flood = 2000;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen_s = optarg;
			break;
		case 'm':
			sv.mode_name = optarg;
			sv.mode = mode_parse(optarg);
			break;
		case 'a':
			alt_s = optarg;
			break;
		case 'd':
			sv.delay_ms = number(optarg, 60000);
			break;
		case 'f':
			sv.flood = number(optarg, 1000000);
			break;
		case 't':
			sv.log_times = true;
			break;
		case 's':
			max_seconds = number(optarg, 86400);
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || listen_s == NULL || sv.mode_name == NULL ||
	    max_seconds == 0)
		usage();
	if ((at = strrchr(listen_s, '@')) == NULL ||
	    (size_t)(at - listen_s) >= sizeof(addr))
		usage();
	memcpy(addr, listen_s, (size_t)(at - listen_s));
	addr[at - listen_s] = '\0';
	port = number(at + 1, 65535);
	if (port == 0 || !parse_addr(addr, (uint16_t)port, &ss, &sslen))
		dief("--listen must be a loopback ADDR@PORT");

	signals_setup(max_seconds);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	sv.udp = bound_socket(&ss, sslen, SOCK_DGRAM);
	sv.tcp = sv.mode == M_TC_TCP_NONE ? -1 :
	    bound_socket(&ss, sslen, SOCK_STREAM);
	sv.alt = -1;
	if (alt_s != NULL) {
		if (!parse_addr(alt_s, (uint16_t)port, &alt, &altlen) ||
		    alt.ss_family != ss.ss_family)
			dief("--alt must be a loopback address of the same "
			    "family");
		sv.alt = bound_socket(&alt, altlen, SOCK_DGRAM);
	}
	/* The same address, any other port. */
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	sv.port = bound_socket(&ss, sslen, SOCK_DGRAM);
	for (i = 0; i < MAX_TCP; i++)
		sv.conns[i].fd = -1;
	if (pidfile != NULL)
		write_pidfile(pidfile);

	serve(&sv, max_seconds);

	for (i = 0; i < MAX_TCP; i++)
		if (sv.conns[i].fd != -1)
			tcp_close(&sv.conns[i]);
	for (i = 0; i < (int)sv.ndelayed; i++)
		free(sv.delayed[i].wire);
	close(sv.udp);
	close(sv.port);
	if (sv.alt != -1)
		close(sv.alt);
	if (sv.tcp != -1)
		close(sv.tcp);
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
}
