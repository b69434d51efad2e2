/*
 * fuzz_packet: a datagram from anyone, as the prober hands it to
 * packet_parse_answer().  The first byte picks the question the answer
 * must match, the rest is the message; the ID asked is the message's own,
 * so that the fuzzer gets past the header to the question and answer
 * matching (the CNAME chain, the negative TTL), to the canonical form of
 * every record type and to its printer, and to what the parent finder
 * takes from an answer (lib/zonecut.c), and to the DNSSEC check's tags
 * and digests (lib/dnssec.c).  Selector 0 asks whatever the
 * message's question says, the others a fixed name and type as
 * nmigd.conf would.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "dnssec.h"
#include "packet.h"
#include "rdata.h"
#include "rdtext.h"
#include "zonecut.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct {
	const char	*owner;
	uint16_t	 type;
} questions[] = {
	{ NULL, 0 },			/* the message's own question */
	{ "example.co.jp.", 2 },	/* NS */
	{ "example.co.jp.", 15 },	/* MX */
	{ "www.example.co.jp.", 1 },	/* A */
	{ "www.example.co.jp.", 28 },	/* AAAA */
	{ "example.co.jp.", 16 },	/* TXT */
	{ "example.co.jp.", 65 },	/* HTTPS */
	{ "_dns.example.co.jp.", 64 },	/* SVCB */
	{ "example.co.jp.", 257 },	/* CAA */
	{ "www.example.co.jp.", 5 },	/* CNAME */
	{ "example.co.jp.", 6 },	/* SOA */
	{ "_25._tcp.mx01.example.co.jp.", 52 },	/* TLSA */
	{ "example.co.jp.", 43 },	/* DS */
	{ "example.co.jp.", 48 },	/* DNSKEY */
};

/* The message's question name and type, when the name is plain: labels
 * of letters, digits, '-' and '_' (the harness reads no more than that,
 * so that what it gets wrong cannot be mistaken for nmigd's finding). */
static int
own_question(const uint8_t *wire, size_t len, char *owner, uint16_t *type)
{
	size_t	pos = 12, o = 0, i;
	uint8_t	l;

	while (pos < len && (l = wire[pos]) != 0) {
		if (l > 63 || pos + 1 + l > len || o + l + 2 > 255)
			return -1;
		for (i = 0; i < l; i++) {
			if (!isalnum(wire[pos + 1 + i]) &&
			    wire[pos + 1 + i] != '-' && wire[pos + 1 + i] != '_')
				return -1;
			owner[o++] = (char)wire[pos + 1 + i];
		}
		owner[o++] = '.';
		pos += 1 + l;
	}
	if (pos + 3 > len)
		return -1;
	if (o == 0)
		owner[o++] = '.';
	owner[o] = '\0';
	*type = (uint16_t)(wire[pos + 1] << 8 | wire[pos + 2]);
	return 0;
}

/* The set is what verdict.c compares: sorted (RFC 4034 6.3) and unique;
 * its items are what status and history print. */
static void
check_answer(const struct answer *a, uint16_t type)
{
	const uint8_t	*rd, *prev = NULL;
	size_t		 off = 0, n = 0;
	uint16_t	 len, plen = 0;
	char		 buf[16];
	int		 c;

	while ((rd = rdset_next(&a->rdata, &off, &len)) != NULL) {
		if (prev != NULL) {
			c = memcmp(prev, rd, plen < len ? plen : len);
			if (c > 0 || (c == 0 && plen >= len)) {
				fprintf(stderr, "fuzz_packet: rdata set item "
				    "%zu out of order\n", n);
				abort();
			}
		}
		free(rdtext(type, rd, len));
		prev = rd;
		plen = len;
		n++;
	}
	if (n != a->rdata.n) {
		fprintf(stderr, "fuzz_packet: rdata set holds %zu items, "
		    "says %u\n", n, a->rdata.n);
		abort();
	}
	if (rcode_name(a->rcode, buf) == NULL)
		abort();
}

/* What the parent finder (daemon/parents.c) takes from the same answer:
 * server names that are host names again when checked again, at most
 * ZONECUT_SERVERS_MAX of them; an address of the family asked, port 53. */
static void
check_zonecut(const struct answer *a, uint16_t type)
{
	static char		 names[ZONECUT_SERVERS_MAX][NMIG_NAMEBUF];
	char			 again[NMIG_NAMEBUF];
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	size_t			 n, i;

	if (zonecut_judge_ns(a, names, &n) == ZC_CUT) {
		if (n == 0 || n > ZONECUT_SERVERS_MAX)
			abort();
		for (i = 0; i < n; i++)
			if (name_check(names[i], NAME_HOST, again,
			    sizeof(again), NULL) == -1 ||
			    strcmp(again, names[i]) != 0)
				abort();
	}
	if ((type == 1 || type == 28) &&
	    zonecut_address(a, type, &ss, &sl) == 0 &&
	    (ss.ss_family != (type == 1 ? AF_INET : AF_INET6) ||
	    sl > sizeof(ss)))
		abort();
}

/* What the DNSSEC check (lib/dnssec.c) computes from a DS or DNSKEY set
 * of an answer: the tags, and the DS matched against any key. */
static void
check_dnssec(const struct answer *a, const char *owner, uint16_t type)
{
	char	tags[64];

	if (type != 43 && type != 48)
		return;
	dnssec_tags(&a->rdata, type, tags, sizeof(tags));
	if (strlen(tags) >= sizeof(tags))
		abort();
	(void)dnssec_match(owner, &a->rdata, &a->rdata);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*wire = data + 1;
	size_t			 len = size - 1, q;
	struct answer		 a;
	enum packet_verdict	 v;
	char			 own[256];
	const char		*owner;
	uint16_t		 id, type;

	if (size < 1 + 12)
		return 0;
	q = data[0] % (sizeof(questions) / sizeof(questions[0]));
	id = (uint16_t)(wire[0] << 8 | wire[1]);
	if (questions[q].owner != NULL) {
		owner = questions[q].owner;
		type = questions[q].type;
	} else if (own_question(wire, len, own, &type) == 0)
		owner = own;
	else
		return 0;
	v = packet_parse_answer(wire, len, id, owner, type, &a);
	if (packet_verdict_name(v) == NULL)
		abort();
	if (v == PKT_OK) {
		check_answer(&a, type);
		check_zonecut(&a, type);
		check_dnssec(&a, owner, type);
		answer_free(&a);
	}
	return 0;
}
