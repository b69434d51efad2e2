/*
 * lib/resolvers.c: the resolver list, its errors with their lines, and
 * the list nmigd ships.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvers.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static char	tmpdir[64];
static char	tmpfile_path[PATH_MAX];

static int
group_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nmigd-test-resolvers.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(tmpfile_path, sizeof(tmpfile_path), "%s/resolvers.conf",
	    tmpdir);
	return 0;
}

static int
group_teardown(void **state)
{
	unlink(tmpfile_path);
	return rmdir(tmpdir);
}

static const char *
write_list(const char *text, size_t len)
{
	FILE	*fp;

	assert_non_null(fp = fopen(tmpfile_path, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return tmpfile_path;
}

static void
load_ok(const char *path, struct resolver_list *list)
{
	struct errlist	e = { NULL, 0 };
	size_t		i;
	int		r;

	r = resolvers_load(path, list, &e);
	for (i = 0; i < e.n; i++)
		fprintf(stderr, "unexpected: %s\n", e.msg[i]);
	assert_int_equal(e.n, 0);
	assert_int_equal(r, 0);
	errlist_free(&e);
}

/* want[i] is what follows "PATH:" in the i-th error. */
static void
expect_errors_len(const char *text, size_t len, const char *const *want,
    size_t nwant)
{
	struct resolver_list	 list;
	struct errlist		 e = { NULL, 0 };
	const char		*path;
	char			 buf[1024];
	size_t			 i;

	path = write_list(text, len);
	assert_int_equal(resolvers_load(path, &list, &e), -1);
	/* Nothing half-loaded is handed back. */
	assert_null(list.v);
	assert_int_equal(list.n, 0);
	if (e.n != nwant)
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "got: %s\n", e.msg[i]);
	assert_int_equal(e.n, nwant);
	for (i = 0; i < nwant; i++) {
		snprintf(buf, sizeof(buf), "%s:%s", path, want[i]);
		assert_string_equal(e.msg[i], buf);
	}
	errlist_free(&e);
}

#define EXPECT_ERRORS(text, ...) do {					\
	const char *const want_[] = { __VA_ARGS__ };			\
	expect_errors_len(text, strlen(text), want_, nitems(want_));	\
} while (0)

static void
assert_resolver(const struct resolver_conf *r, const char *name,
    const char *address, int family, uint16_t port, const char *location,
    int line)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	char				 buf[INET6_ADDRSTRLEN];

	assert_string_equal(r->name, name);
	assert_string_equal(r->address, address);
	assert_int_equal(r->port, port);
	assert_string_equal(r->location, location);
	assert_int_equal(r->line, line);
	assert_int_equal(r->sa.ss_family, family);
	/* The sockaddr is ready for sendto(): address and port in it. */
	if (family == AF_INET) {
		sin = (const struct sockaddr_in *)&r->sa;
		assert_int_equal(r->salen, sizeof(*sin));
		assert_int_equal(ntohs(sin->sin_port), port);
		assert_non_null(inet_ntop(AF_INET, &sin->sin_addr, buf,
		    sizeof(buf)));
	} else {
		sin6 = (const struct sockaddr_in6 *)&r->sa;
		assert_int_equal(r->salen, sizeof(*sin6));
		assert_int_equal(ntohs(sin6->sin6_port), port);
		assert_non_null(inet_ntop(AF_INET6, &sin6->sin6_addr, buf,
		    sizeof(buf)));
	}
	assert_string_equal(buf, address);
}

static void
test_good(void **state)
{
	struct resolver_list	list;

	load_ok(TEST_DATADIR "/resolvers_good.conf", &list);
	assert_int_equal(list.n, 7);
	assert_resolver(&list.v[0], "google-a", "8.8.8.8", AF_INET, 53,
	    "US Google Public DNS", 2);
	/* Address text in the usual form, location words single-spaced,
	 * the comment gone. */
	assert_resolver(&list.v[1], "quad9-v6-a", "2620:fe::fe", AF_INET6, 53,
	    "CH Quad9", 3);
	assert_resolver(&list.v[2], "local-53", "127.0.0.1", AF_INET, 5353,
	    "", 4);
	assert_resolver(&list.v[3], "v6port", "2620:fe::9", AF_INET6, 53,
	    "", 5);
	assert_resolver(&list.v[4], "indented_name.x", "192.0.2.1", AF_INET,
	    65535, "JP some place", 8);
	assert_resolver(&list.v[5], "mapped", "::ffff:192.0.2.7", AF_INET6,
	    53, "", 9);
	assert_resolver(&list.v[6], "loop6", "::1", AF_INET6, 10053, "lab",
	    10);
	resolvers_free(&list);
	assert_null(list.v);
	assert_int_equal(list.n, 0);
}

static void
test_crlf_bom(void **state)
{
	struct resolver_list	list;
	const char		*text =
	    "\xef\xbb\xbfone 192.0.2.1 JP Tokyo\r\n"
	    "\r\n"
	    "two 2001:db8::1@5353\r\n";

	load_ok(write_list(text, strlen(text)), &list);
	assert_int_equal(list.n, 2);
	assert_resolver(&list.v[0], "one", "192.0.2.1", AF_INET, 53,
	    "JP Tokyo", 1);
	assert_resolver(&list.v[1], "two", "2001:db8::1", AF_INET6, 5353, "",
	    3);
	resolvers_free(&list);
}

/* The same address on two ports is two resolvers (two local servers). */
/* "samples=N" right after the address is the resolver's own sample
 * count, once; elsewhere it is an error, another key=value is location
 * text. */
static void
test_samples(void **state)
{
	struct resolver_list	list;
	const char		*text =
	    "a 192.0.2.1 samples=5 JP Tokyo\n"
	    "b 192.0.2.2\n"
	    "c 192.0.2.3 SAMPLES=16\n"
	    "e 192.0.2.5 zone=west\n";

	load_ok(write_list(text, strlen(text)), &list);
	assert_int_equal(list.n, 4);
	assert_int_equal(list.v[0].samples, 5);
	assert_string_equal(list.v[0].location, "JP Tokyo");
	assert_int_equal(list.v[1].samples, 0);
	assert_int_equal(list.v[2].samples, 16);
	assert_string_equal(list.v[2].location, "");
	assert_string_equal(list.v[3].location, "zone=west");
	resolvers_free(&list);

	EXPECT_ERRORS("x 192.0.2.1 samples=2 samples=3\n",
	    "1: x: samples= given twice");
	EXPECT_ERRORS("x 192.0.2.1 JP samples=2\n",
	    "1: x: \"samples=2\" must come right after the address");
	EXPECT_ERRORS("x 192.0.2.1 samples=0\n",
	    "1: x: \"samples=0\" is not a number from 1 to 16");
	EXPECT_ERRORS("x 192.0.2.1 samples=17 Tokyo\n",
	    "1: x: \"samples=17\" is not a number from 1 to 16");
	EXPECT_ERRORS("x 192.0.2.1 samples=\n",
	    "1: x: \"samples=\" is not a number from 1 to 16");
	EXPECT_ERRORS("x 192.0.2.1 samples=-1\n",
	    "1: x: \"samples=-1\" is not a number from 1 to 16");
	EXPECT_ERRORS("x 192.0.2.1 samples=99999999999999999999\n",
	    "1: x: \"samples=99999999999999999999\" is not a number from 1 "
	    "to 16");
}

/* "rate=N", like samples=, right after the address, in either order. */
static void
test_rate(void **state)
{
	struct resolver_list	list;
	const char		*text =
	    "a 192.0.2.1 rate=20 samples=2 JP Tokyo\n"
	    "b 192.0.2.2 samples=1 RATE=1000000\n"
	    "c 192.0.2.3\n";

	load_ok(write_list(text, strlen(text)), &list);
	assert_int_equal(list.n, 3);
	assert_int_equal(list.v[0].rate, 20);
	assert_int_equal(list.v[0].samples, 2);
	assert_string_equal(list.v[0].location, "JP Tokyo");
	assert_int_equal(list.v[1].rate, 1000000);
	assert_int_equal(list.v[2].rate, 0);
	assert_int_equal(resolver_rate(&list.v[0], 50), 20);
	assert_int_equal(resolver_rate(&list.v[2], 50), 50);
	resolvers_free(&list);

	EXPECT_ERRORS("x 192.0.2.1 rate=2 rate=3\n",
	    "1: x: rate= given twice");
	EXPECT_ERRORS("x 192.0.2.1 JP rate=2\n",
	    "1: x: \"rate=2\" must come right after the address");
	EXPECT_ERRORS("x 192.0.2.1 rate=0\n",
	    "1: x: \"rate=0\" is not a number from 1 to 1000000");
	EXPECT_ERRORS("x 192.0.2.1 rate=1000001\n",
	    "1: x: \"rate=1000001\" is not a number from 1 to 1000000");
	EXPECT_ERRORS("x 192.0.2.1 rate=5/s\n",
	    "1: x: \"rate=5/s\" is not a number from 1 to 1000000");
}

static void
test_same_address_other_port(void **state)
{
	struct resolver_list	list;
	const char		*text =
	    "a 127.0.0.1@5301\nb 127.0.0.1@5302\nc ::1@5301\nd ::1\n";

	load_ok(write_list(text, strlen(text)), &list);
	assert_int_equal(list.n, 4);
	resolvers_free(&list);
}

static void
test_err_open(void **state)
{
	struct resolver_list	 list;
	struct errlist		 e = { NULL, 0 };
	char			 want[PATH_MAX + 64];

	assert_int_equal(resolvers_load(TEST_DATADIR "/resolvers_missing.conf",
	    &list, &e), -1);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], TEST_DATADIR "/resolvers_missing.conf: "
	    "cannot open: No such file or directory");
	errlist_free(&e);

	assert_int_equal(resolvers_load(tmpdir, &list, &e), -1);
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory",
	    tmpdir);
	assert_string_equal(e.msg[0], want);
	errlist_free(&e);
}

static void
test_err_empty(void **state)
{
	EXPECT_ERRORS("", " no resolvers");
	EXPECT_ERRORS("# only comments\n\n   \n\t# and blanks\n",
	    " no resolvers");
}

static void
test_err_address(void **state)
{
	EXPECT_ERRORS("a\n", "1: missing address after \"a\"");
	EXPECT_ERRORS("a # 192.0.2.1\n", "1: missing address after \"a\"");
	EXPECT_ERRORS("a 192.0.2.256\n", "1: bad address \"192.0.2.256\"");
	EXPECT_ERRORS("a 192.0.2\n", "1: bad address \"192.0.2\"");
	EXPECT_ERRORS("a dns.google\n", "1: bad address \"dns.google\"");
	EXPECT_ERRORS("a 2620:fe::fe::1\n", "1: bad address \"2620:fe::fe::1\"");
	EXPECT_ERRORS("a 9.9.9.9:53\n",
	    "1: bad address \"9.9.9.9:53\" (a port is written ADDRESS@PORT)");
	EXPECT_ERRORS("a [2620:fe::fe]:53\n",
	    "1: bad address \"[2620:fe::fe]:53\" (a port is written "
	    "ADDRESS@PORT)");
	EXPECT_ERRORS("a 0.0.0.0\n", "1: 0.0.0.0 is not a unicast address");
	EXPECT_ERRORS("a ::\n", "1: :: is not a unicast address");
	EXPECT_ERRORS("a 224.0.0.251\n",
	    "1: 224.0.0.251 is not a unicast address");
	EXPECT_ERRORS("a ff02::fb@5353\n",
	    "1: ff02::fb is not a unicast address");
}

/* What libevent's address parser would take (addr.c says why it does
 * not get to), and the broadcast address. */
static void
test_err_address_strict(void **state)
{
	EXPECT_ERRORS("a 255.255.255.255\n",
	    "1: 255.255.255.255 is not a unicast address");
	EXPECT_ERRORS("a 192.0.2.01\n", "1: bad address \"192.0.2.01\"");
	EXPECT_ERRORS("a +192.0.2.1\n", "1: bad address \"+192.0.2.1\"");
	EXPECT_ERRORS("a fe80::1%lo\n", "1: bad address \"fe80::1%lo\"");
	EXPECT_ERRORS("a fe80::1%1@53\n", "1: bad address \"fe80::1%1\"");
	EXPECT_ERRORS("a [::1]\n",
	    "1: bad address \"[::1]\" (a port is written ADDRESS@PORT)");
	EXPECT_ERRORS("a 192.0.2.1@53x\n", "1: bad port \"53x\" (1 to 65535)");
}

static void
test_err_port(void **state)
{
	EXPECT_ERRORS("a 192.0.2.1@0\n", "1: bad port \"0\" (1 to 65535)");
	EXPECT_ERRORS("a 192.0.2.1@65536\n",
	    "1: bad port \"65536\" (1 to 65535)");
	EXPECT_ERRORS("a 192.0.2.1@99999999999\n",
	    "1: bad port \"99999999999\" (1 to 65535)");
	EXPECT_ERRORS("a 192.0.2.1@dns\n", "1: bad port \"dns\" (1 to 65535)");
	EXPECT_ERRORS("a 192.0.2.1@\n", "1: bad port \"\" (1 to 65535)");
	EXPECT_ERRORS("a 192.0.2.1@-53\n", "1: bad port \"-53\" (1 to 65535)");
	EXPECT_ERRORS("a 2001:db8::1@+53\n",
	    "1: bad port \"+53\" (1 to 65535)");
}

static void
test_err_name(void **state)
{
	char	text[256];

	memset(text, 'n', 64);
	strcpy(text + 64, " 192.0.2.1\n");
	EXPECT_ERRORS(text, "1: resolver name \"nnnnnnnnnnnnnnnnnnnn...\" is "
	    "too long (at most 63 characters)");
	/* 63 is still fine. */
	memmove(text, text + 1, strlen(text));
	{
		struct resolver_list	list;

		load_ok(write_list(text, strlen(text)), &list);
		assert_int_equal(strlen(list.v[0].name), 63);
		resolvers_free(&list);
	}
	EXPECT_ERRORS("goo\"gle 8.8.8.8\n", "1: bad resolver name \"goo\"gle\" "
	    "(letters, digits, '-', '_' and '.' only)");
	EXPECT_ERRORS("a=b 8.8.8.8\n", "1: bad resolver name \"a=b\" "
	    "(letters, digits, '-', '_' and '.' only)");
	EXPECT_ERRORS("\xc3\xa9t\xc3\xa9 8.8.8.8\n", "1: bad resolver name "
	    "\"\xc3\xa9t\xc3\xa9\" (letters, digits, '-', '_' and '.' only)");
	EXPECT_ERRORS("bell\a 8.8.8.8\n", "1: control character in line");
	/* A location is any UTF-8 text, and only that: it goes to JSON. */
	EXPECT_ERRORS("x 8.8.8.8 T\xff\xfekyo\n", "1: location of \"x\" is "
	    "not UTF-8");
	EXPECT_ERRORS("x 8.8.8.8 \xe6\x9d\n", "1: location of \"x\" is "
	    "not UTF-8");
	/* ... nor one that would drive a terminal: C1's CSI, a bidi
	 * override. */
	EXPECT_ERRORS("x 8.8.8.8 Tokyo\xc2\x9b" "2J\n", "1: location of \"x\" "
	    "has a control character");
	EXPECT_ERRORS("x 8.8.8.8 \xe2\x80\xaeoykoT\n", "1: location of \"x\" "
	    "has a control character");
	memset(text, 'L', 211);
	memcpy(text, "x 8.8.8.8 ", 10);
	strcpy(text + 211, "\n");
	EXPECT_ERRORS(text, "1: location of \"x\" is too long (at most 200 "
	    "bytes)");
	EXPECT_ERRORS("y 255.255.255.255\n", "1: 255.255.255.255 is not a "
	    "unicast address");
	{
		struct resolver_list	list;
		const char		*t = "x 8.8.8.8 \xe6\x9d\xb1\xe4\xba\xac\n";

		load_ok(write_list(t, strlen(t)), &list);
		assert_string_equal(list.v[0].location,
		    "\xe6\x9d\xb1\xe4\xba\xac");
		resolvers_free(&list);
	}
}

static void
test_err_duplicates(void **state)
{
	EXPECT_ERRORS(
	    "google 8.8.8.8\n"
	    "\n"
	    "Google 8.8.4.4\n",
	    "3: duplicate resolver name \"Google\" (first at line 1)");
	EXPECT_ERRORS(
	    "a 2620:fe::fe\n"
	    "b 2620:00FE:0:0::FE@53\n",
	    "2: duplicate address 2620:fe::fe port 53 (first at line 1, a)");
	EXPECT_ERRORS(
	    "a 127.0.0.1@5353\n"
	    "b 127.0.0.1@5353\n",
	    "2: duplicate address 127.0.0.1 port 5353 (first at line 1, a)");
}

static void
test_err_nul(void **state)
{
	static const char	text[] = "a 192.0.2.1\nb 192.0.2.2\0junk\n";
	const char *const	want[] = { "2: NUL byte in line" };

	expect_errors_len(text, sizeof(text) - 1, want, nitems(want));
}

/* Every error of a file, not only the first. */
static void
test_err_all_reported(void **state)
{
	EXPECT_ERRORS(
	    "# list\n"				/* 1 */
	    "ok 192.0.2.1 JP\n"			/* 2 */
	    "badaddr 192.0.2.300\n"		/* 3 */
	    "badport 192.0.2.2@70000\n"		/* 4 */
	    "noaddr\n"				/* 5 */
	    "ok 192.0.2.3\n"			/* 6 */
	    "other 192.0.2.1@53\n"		/* 7 */
	    "bad/name 192.0.2.4\n",		/* 8 */
	    "3: bad address \"192.0.2.300\"",
	    "4: bad port \"70000\" (1 to 65535)",
	    "5: missing address after \"noaddr\"",
	    "6: duplicate resolver name \"ok\" (first at line 2)",
	    "7: duplicate address 192.0.2.1 port 53 (first at line 2, ok)",
	    "8: bad resolver name \"bad/name\" (letters, digits, '-', '_' "
	    "and '.' only)");
}

/* The list nmigd ships. */
static void
test_shipped(void **state)
{
	struct resolver_list	 list;
	const struct resolver_conf *r;
	size_t			 i, v4 = 0, v6 = 0;

	load_ok(TEST_DATADIR "/../../../etc/resolvers.conf", &list);
	assert_true(list.n >= 25);
	for (i = 0; i < list.n; i++) {
		r = &list.v[i];
		if (r->sa.ss_family == AF_INET)
			v4++;
		else if (r->sa.ss_family == AF_INET6)
			v6++;
		/* Public resolvers answer on 53, and each is labelled with
		 * its operator's home country first. */
		assert_int_equal(r->port, 53);
		assert_true(strlen(r->location) > 3);
		assert_true(isupper((unsigned char)r->location[0]) &&
		    isupper((unsigned char)r->location[1]) &&
		    r->location[2] == ' ');
	}
	assert_true(v4 > 0);
	assert_true(v6 > 0);
	assert_int_equal(v4 + v6, list.n);
	resolvers_free(&list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_crlf_bom),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_same_address_other_port),
		cmocka_unit_test(test_err_address_strict),
		cmocka_unit_test(test_err_open),
		cmocka_unit_test(test_err_empty),
		cmocka_unit_test(test_err_address),
		cmocka_unit_test(test_err_port),
		cmocka_unit_test(test_err_name),
		cmocka_unit_test(test_err_duplicates),
		cmocka_unit_test(test_err_nul),
		cmocka_unit_test(test_err_all_reported),
		cmocka_unit_test(test_shipped),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
