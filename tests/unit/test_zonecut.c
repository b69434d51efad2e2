/*
 * lib/zonecut.c: the parent finder's judging of what a resolver says.
 * The names above a domain, one label at a time; an NS answer as a zone,
 * not a zone, or no verdict, with the servers' names checked as host
 * names; an address answer's first address that a server can have.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "rdata.h"
#include "zonecut.h"

static void
test_up(void **state)
{
	const char	*n = "example.co.jp.";

	assert_string_equal(n = zonecut_up(n), "co.jp.");
	assert_string_equal(n = zonecut_up(n), "jp.");
	assert_string_equal(n = zonecut_up(n), ".");
	assert_null(zonecut_up(n));
	assert_string_equal(zonecut_up("com."), ".");
}

static void
add_name(struct rdset *set, const char *text)
{
	uint8_t	rd[RDATA_MAX];
	char	err[128];
	int	len;

	len = rdata_parse("jp.", LDNS_RR_TYPE_NS, text, rd, err, sizeof(err));
	assert_true(len > 0);
	assert_int_equal(rdset_add(set, rd, (size_t)len), 0);
}

static void
test_judge_ns(void **state)
{
	static char	names[ZONECUT_SERVERS_MAX][NMIG_NAMEBUF];
	struct answer	a;
	size_t		n, i;
	char		text[64];
	/* Labels a host name cannot have: "a.b" as one label, and a NUL. */
	const uint8_t	dotted[] = { 3, 'a', '.', 'b', 0 };
	const uint8_t	nul[] = { 3, 'x', 0, 'y', 2, 'j', 'p', 0 };

	memset(&a, 0, sizeof(a));
	assert_int_equal(zonecut_judge_ns(NULL, names, &n), ZC_FAIL);
	/* NODATA carries its zone's SOA; an empty answer without one (a
	 * referral from a resolver that did not recurse) says nothing. */
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_FAIL);
	a.auth_soa = true;
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_NOT_CUT);
	a.auth_soa = false;
	a.rcode = LDNS_RCODE_NXDOMAIN;
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_NOT_CUT);
	a.rcode = LDNS_RCODE_SERVFAIL;
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_FAIL);
	a.rcode = LDNS_RCODE_REFUSED;
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_FAIL);

	a.rcode = LDNS_RCODE_NOERROR;
	add_name(&a.rdata, "B.DNS.jp.");
	add_name(&a.rdata, "a.dns.jp.");
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_CUT);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "a.dns.jp.");
	assert_string_equal(names[1], "b.dns.jp.");
	/* The same NS set reached through a CNAME is another name's: a
	 * name with a CNAME is no zone cut. */
	a.cname = true;
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_NOT_CUT);
	a.cname = false;
	/* A truncated answer is no verdict: TCP gives the whole set. */
	a.tc = true;
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_FAIL);
	a.tc = false;
	rdset_free(&a.rdata);

	/* Names no query may ask for are left out; none left is a fail. */
	assert_int_equal(rdset_add(&a.rdata, dotted, sizeof(dotted)), 0);
	assert_int_equal(rdset_add(&a.rdata, nul, sizeof(nul)), 0);
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_FAIL);
	assert_int_equal(n, 0);
	add_name(&a.rdata, "ns.example.");
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_CUT);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "ns.example.");
	rdset_free(&a.rdata);

	/* A resolver's hundred servers: the first sixteen are followed. */
	for (i = 0; i < 100; i++) {
		snprintf(text, sizeof(text), "ns%03zu.example.", i);
		add_name(&a.rdata, text);
	}
	assert_int_equal(zonecut_judge_ns(&a, names, &n), ZC_CUT);
	assert_int_equal(n, ZONECUT_SERVERS_MAX);
	assert_string_equal(names[15], "ns015.example.");
	rdset_free(&a.rdata);
}

static void
add_addr(struct rdset *set, int af, const char *text)
{
	uint8_t	buf[16];

	assert_int_equal(inet_pton(af, text, buf), 1);
	assert_int_equal(rdset_add(set, buf, af == AF_INET ? 4 : 16), 0);
}

static void
test_address(void **state)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct answer		 a;
	socklen_t		 len;
	char			 buf[INET6_ADDRSTRLEN];
	const uint8_t		 short_rd[] = { 192, 0, 2 };

	memset(&a, 0, sizeof(a));
	assert_int_equal(zonecut_address(NULL, LDNS_RR_TYPE_A, &ss, &len), -1);
	assert_int_equal(zonecut_address(&a, LDNS_RR_TYPE_A, &ss, &len), -1);
	/* Addresses no server has: refused, the next one taken. */
	add_addr(&a.rdata, AF_INET, "0.0.0.0");
	add_addr(&a.rdata, AF_INET, "224.0.0.251");
	add_addr(&a.rdata, AF_INET, "255.255.255.255");
	add_addr(&a.rdata, AF_INET, "169.254.1.1");
	assert_int_equal(rdset_add(&a.rdata, short_rd, sizeof(short_rd)), 0);
	assert_int_equal(zonecut_address(&a, LDNS_RR_TYPE_A, &ss, &len), -1);
	add_addr(&a.rdata, AF_INET, "192.0.2.53");
	add_addr(&a.rdata, AF_INET, "198.51.100.53");
	assert_int_equal(zonecut_address(&a, LDNS_RR_TYPE_A, &ss, &len), 0);
	assert_int_equal(len, sizeof(*sin));
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 53);
	assert_string_equal(inet_ntop(AF_INET, &sin->sin_addr, buf,
	    sizeof(buf)), "192.0.2.53");
	/* An error answer has no address whatever it holds. */
	a.rcode = LDNS_RCODE_SERVFAIL;
	assert_int_equal(zonecut_address(&a, LDNS_RR_TYPE_A, &ss, &len), -1);
	a.rcode = LDNS_RCODE_NOERROR;
	rdset_free(&a.rdata);

	add_addr(&a.rdata, AF_INET6, "::");
	add_addr(&a.rdata, AF_INET6, "ff02::fb");
	add_addr(&a.rdata, AF_INET6, "::ffff:192.0.2.1");
	add_addr(&a.rdata, AF_INET6, "fe80::1");
	add_addr(&a.rdata, AF_INET6, "febf::1");
	assert_int_equal(zonecut_address(&a, LDNS_RR_TYPE_AAAA, &ss, &len),
	    -1);
	add_addr(&a.rdata, AF_INET6, "2001:db8::53");
	assert_int_equal(zonecut_address(&a, LDNS_RR_TYPE_AAAA, &ss, &len), 0);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(len, sizeof(*sin6));
	assert_string_equal(inet_ntop(AF_INET6, &sin6->sin6_addr, buf,
	    sizeof(buf)), "2001:db8::53");
	/* Sixteen bytes are no IPv4 address. */
	assert_int_equal(zonecut_address(&a, LDNS_RR_TYPE_A, &ss, &len), -1);
	rdset_free(&a.rdata);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_up),
		cmocka_unit_test(test_judge_ns),
		cmocka_unit_test(test_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
