/*
 * lib/addr.c: numeric addresses from config text, and comparisons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

#define SA(x)	((const struct sockaddr *)(x))

/* The address and port of ss as "ADDRESS PORT". */
static const char *
show(const struct sockaddr_storage *ss, socklen_t len)
{
	static char			 buf[INET6_ADDRSTRLEN + 8];
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	char				 a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		assert_int_equal(len, sizeof(*sin));
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s %u", a, ntohs(sin->sin_port));
	} else {
		assert_int_equal(ss->ss_family, AF_INET6);
		assert_int_equal(len, sizeof(*sin6));
		assert_int_equal(sin6->sin6_scope_id, 0);
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s %u", a, ntohs(sin6->sin6_port));
	}
	return buf;
}

static void
parse_ok(const char *host, uint16_t port, const char *want)
{
	struct sockaddr_storage	ss;
	socklen_t		len = 0;

	assert_int_equal(addr_parse(host, port, &ss, &len), 0);
	assert_string_equal(show(&ss, len), want);
}

static void
parse_bad(const char *host, uint16_t port)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (addr_parse(host, port, &ss, &len) != -1)
		fail_msg("\"%s\" port %u taken", host, port);
}

static void
test_parse(void **state)
{
	parse_ok("192.0.2.1", 53, "192.0.2.1 53");
	parse_ok("255.255.255.255", 1, "255.255.255.255 1");
	parse_ok("2001:DB8:0::1", 5353, "2001:db8::1 5353");
	parse_ok("::ffff:192.0.2.1", 65535, "::ffff:192.0.2.1 65535");
	parse_ok("::1", 53, "::1 53");

	/* What libevent's own parser would take, and 0.1 never did. */
	parse_bad("192.0.2.01", 53);
	parse_bad("01.2.3.4", 53);
	parse_bad("+1.2.3.4", 53);
	parse_bad(" 1.2.3.4", 53);
	parse_bad("1.2.3.4 ", 53);
	parse_bad("fe80::1%lo", 53);
	parse_bad("fe80::1%1", 53);
	parse_bad("[::1]", 53);
	parse_bad("::1.2.3.04", 53);
	/* And the rest. */
	parse_bad("", 53);
	parse_bad("192.0.2", 53);
	parse_bad("192.0.2.256", 53);
	parse_bad("1::2::3", 53);
	parse_bad("dns.google", 53);
	parse_bad("9.9.9.9:53", 53);
	parse_bad("192.0.2.1", 0);
}

static void
hostport_ok(const char *text, const char *want)
{
	struct sockaddr_storage	ss;
	socklen_t		len = 0;

	if (addr_parse_hostport(text, &ss, &len) != 0)
		fail_msg("\"%s\" refused", text);
	assert_string_equal(show(&ss, len), want);
}

static void
hostport_bad(const char *text)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (addr_parse_hostport(text, &ss, &len) != -1)
		fail_msg("\"%s\" taken", text);
}

static void
test_hostport(void **state)
{
	hostport_ok("127.0.0.1:9553", "127.0.0.1 9553");
	hostport_ok("[::1]:9553", "::1 9553");
	hostport_ok("0.0.0.0:65535", "0.0.0.0 65535");
	hostport_ok("[::]:1", ":: 1");
	hostport_ok("[::ffff:1.2.3.4]:80", "::ffff:1.2.3.4 80");
	/* The port is read with strtoul(), as 0.1 did. */
	hostport_ok("127.0.0.1:09553", "127.0.0.1 9553");
	hostport_ok("127.0.0.1:+9553", "127.0.0.1 9553");
	hostport_ok("127.0.0.1: 9553", "127.0.0.1 9553");

	/* IPv6 needs its brackets, and IPv4 must not have them. */
	hostport_bad("::1:9553");
	hostport_bad("[1.2.3.4]:80");
	hostport_bad("[::1]");
	hostport_bad("[::1]x:80");
	hostport_bad("[::1]]:80");
	hostport_bad("[[::1]:80");
	hostport_bad("[]:80");
	hostport_bad("[fe80::1%lo]:80");
	/* A port is required, whole, 1 to 65535. */
	hostport_bad("127.0.0.1");
	hostport_bad("127.0.0.1:");
	hostport_bad("127.0.0.1:0");
	hostport_bad("127.0.0.1:-0");
	hostport_bad("127.0.0.1:65536");
	hostport_bad("127.0.0.1:99999999999999999999");
	hostport_bad("127.0.0.1:53x");
	hostport_bad("127.0.0.1:0x50");
	hostport_bad("[::1]:9553 x");
	/* Numbers only, as inet_pton() reads them. */
	hostport_bad("localhost:9553");
	hostport_bad("1.2.3.04:80");
	hostport_bad("1.2.3.4 :80");
	hostport_bad(":80");
	hostport_bad("");
}

static void
addr(struct sockaddr_storage *ss, const char *host, uint16_t port)
{
	socklen_t	len;

	assert_int_equal(addr_parse(host, port, ss, &len), 0);
}

/* sockaddr_same() has its cases in test_packet.c, from when it lived in
 * packet.c; here is what only the host comparison does. */
static void
test_same_host(void **state)
{
	struct sockaddr_storage	a, b;

	addr(&a, "127.0.0.1", 53);
	addr(&b, "127.0.0.1", 5353);
	assert_true(sockaddr_same_host(SA(&a), SA(&b)));
	assert_false(sockaddr_same(SA(&a), SA(&b)));
	addr(&b, "127.0.0.2", 53);
	assert_false(sockaddr_same_host(SA(&a), SA(&b)));

	addr(&a, "2001:db8::53", 53);
	addr(&b, "2001:DB8:0:0::53", 54);
	assert_true(sockaddr_same_host(SA(&a), SA(&b)));
	addr(&b, "2001:db8::54", 53);
	assert_false(sockaddr_same_host(SA(&a), SA(&b)));

	/* Not a mapped address, not NULL, not a family neither knows. */
	addr(&a, "127.0.0.1", 53);
	addr(&b, "::ffff:127.0.0.1", 53);
	assert_false(sockaddr_same_host(SA(&b), SA(&a)));
	assert_false(sockaddr_same_host(NULL, SA(&a)));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.ss_family = b.ss_family = AF_UNIX;
	assert_false(sockaddr_same_host(SA(&a), SA(&b)));
	assert_false(sockaddr_same(SA(&a), SA(&b)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_same_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
