/*
 * fuzz_packet: a datagram from anyone, as the prober hands it to
 * packet_parse_answer().  The first byte picks the question the answer
 * must match, the rest is the message; the ID asked is the message's own,
 * so that the fuzzer gets past the header to the question and answer
 * matching (the CNAME chain, the negative TTL) and to ldns's printing of
 * every record type.  Selector 0 asks whatever the message's question
 * says, the others a fixed name and type as nmigd.conf would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "packet.h"
#include "rdata.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct {
	const char	*owner;
	uint16_t	 type;
} questions[] = {
	{ NULL, 0 },			/* the message's own question */
	{ "example.co.jp.", LDNS_RR_TYPE_NS },
	{ "example.co.jp.", LDNS_RR_TYPE_MX },
	{ "www.example.co.jp.", LDNS_RR_TYPE_A },
	{ "www.example.co.jp.", LDNS_RR_TYPE_AAAA },
	{ "example.co.jp.", LDNS_RR_TYPE_TXT },
	{ "example.co.jp.", LDNS_RR_TYPE_HTTPS },
	{ "_dns.example.co.jp.", LDNS_RR_TYPE_SVCB },
	{ "example.co.jp.", LDNS_RR_TYPE_CAA },
	{ "www.example.co.jp.", LDNS_RR_TYPE_CNAME },
	{ "example.co.jp.", LDNS_RR_TYPE_SOA },
	{ "_25._tcp.mx01.example.co.jp.", LDNS_RR_TYPE_TLSA },
};

/* The name and type in the message's question, when there is one. */
static int
own_question(const uint8_t *wire, size_t len, char **owner, uint16_t *type)
{
	ldns_rdf	*name = NULL;
	size_t		 pos = 12;

	if (len < 12 || ldns_wire2dname(&name, wire, len, &pos) !=
	    LDNS_STATUS_OK)
		return -1;
	*owner = ldns_rdf2str(name);
	ldns_rdf_deep_free(name);
	if (*owner == NULL || pos + 2 > len) {
		free(*owner);
		return -1;
	}
	*type = (uint16_t)(wire[pos] << 8 | wire[pos + 1]);
	return 0;
}

static void
check_answer(const struct answer *a)
{
	char	buf[16];
	size_t	i;

	/* The set is what verdict.c compares: sorted and unique. */
	for (i = 0; i < a->rdata.n; i++) {
		if (a->rdata.rr[i] == NULL)
			abort();
		if (i > 0 && strcmp(a->rdata.rr[i - 1], a->rdata.rr[i]) >= 0) {
			fprintf(stderr, "fuzz_packet: rdata set out of order: "
			    "\"%s\" before \"%s\"\n", a->rdata.rr[i - 1],
			    a->rdata.rr[i]);
			abort();
		}
	}
	if (rcode_name(a->rcode, buf) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*wire = data + 1;
	size_t			 len = size - 1, q;
	struct answer		 a;
	enum packet_verdict	 v;
	char			*owner = NULL;
	uint16_t		 id, type;

	if (size < 1 + 12)
		return 0;
	q = data[0] % (sizeof(questions) / sizeof(questions[0]));
	id = (uint16_t)(wire[0] << 8 | wire[1]);
	if (questions[q].owner == NULL) {
		if (own_question(wire, len, &owner, &type) == -1)
			return 0;
	} else {
		owner = strdup(questions[q].owner);
		type = questions[q].type;
	}
	if (owner == NULL)
		abort();
	v = packet_parse_answer(wire, len, id, owner, type, &a);
	if (packet_verdict_name(v) == NULL)
		abort();
	if (v == PKT_OK) {
		check_answer(&a);
		answer_free(&a);
	}
	free(owner);
	return 0;
}
