/*
 * lib/dname.c: names as operators write them, checked, lower-cased, IDNs
 * as A-labels; and shown back, as A-labels or U-labels.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"

/* name_normalize */

static void
expect_name(const char *in, const char *want)
{
	char	out[NMIG_NAMEBUF];

	if (name_normalize(in, out, sizeof(out)) != 0)
		fail_msg("name_normalize(\"%s\") failed", in);
	if (strcmp(out, want) != 0)
		fail_msg("name_normalize(\"%s\") = \"%s\", want \"%s\"", in,
		    out, want);
}

static void
reject_name(const char *in)
{
	char	out[NMIG_NAMEBUF];

	if (name_normalize(in, out, sizeof(out)) != -1)
		fail_msg("name_normalize(\"%s\") accepted", in);
}

/* n labels of len characters each, joined by dots; no trailing dot. */
static char *
make_name(size_t nlabels, size_t len)
{
	char	*s, *p;
	size_t	 i;

	p = s = calloc(1, nlabels * (len + 1) + 1);
	assert_non_null(s);
	for (i = 0; i < nlabels; i++) {
		if (i > 0)
			*p++ = '.';
		memset(p, 'a' + (int)(i % 26), len);
		p += len;
	}
	return s;
}

static void
test_name_ok(void **state)
{
	expect_name("example.co.jp", "example.co.jp.");
	expect_name("example.co.jp.", "example.co.jp.");
	expect_name("Example.CO.JP", "example.co.jp.");
	expect_name("MX01.EXAMPLE.CO.JP.", "mx01.example.co.jp.");
	expect_name("xn--eckwd4c7c.xn--zckzah", "xn--eckwd4c7c.xn--zckzah.");
	expect_name("_dmarc.Example.com", "_dmarc.example.com.");
	expect_name("com", "com.");
}

static void
test_name_bad(void **state)
{
	reject_name("");
	reject_name("a..b");
	reject_name("a..");
	reject_name(".a");
	reject_name("..");
	/* The root is no domain, and only letters, digits, '-' and '_'. */
	reject_name(".");
	reject_name("a b.example");
	reject_name("a\"b.example");
	reject_name("a\001b.example");
	reject_name("a*.example");
	reject_name("a/b.example");
}

static void
test_name_label_limit(void **state)
{
	char	*s, want[NMIG_NAMEBUF];

	/* A 63-character label is the limit; 64 is one too many. */
	s = make_name(2, 63);
	snprintf(want, sizeof(want), "%s.", s);
	expect_name(s, want);
	free(s);

	s = make_name(2, 64);
	reject_name(s);
	free(s);
	s = make_name(1, 64);
	reject_name(s);
	free(s);
}

static void
test_name_length_limit(void **state)
{
	char	*s, name[300], want[NMIG_NAMEBUF];

	/*
	 * 4 labels of 62 plus one of 1: 4 * 63 + 2 + 1 (root) = 255 octets
	 * on the wire, the most a name may have; 253 characters as text.
	 */
	s = make_name(4, 62);
	snprintf(name, sizeof(name), "%s.z", s);
	free(s);
	assert_int_equal(strlen(name), 253);
	snprintf(want, sizeof(want), "%s.", name);
	expect_name(name, want);
	/* The same with its trailing dot. */
	strcat(name, ".");
	expect_name(name, want);

	/* One more octet: 256 on the wire. */
	s = make_name(4, 62);
	snprintf(name, sizeof(name), "%s.zz", s);
	free(s);
	assert_int_equal(strlen(name), 254);
	reject_name(name);
	strcat(name, ".");
	reject_name(name);

	/* Far too long, in case only the label length were checked. */
	s = make_name(10, 60);
	reject_name(s);
	free(s);
}

static void
test_name_outlen(void **state)
{
	/* A guard after the space given catches any write beyond outlen. */
	char	buf[64];
	size_t	need = strlen("example.com.") + 1;	/* 13 */

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(name_normalize("Example.COM", buf, need), 0);
	assert_string_equal(buf, "example.com.");
	assert_int_equal(buf[need], 'X');

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(name_normalize("Example.COM", buf, need - 1), -1);
	assert_int_equal(buf[need - 1], 'X');
	assert_int_equal(buf[need], 'X');

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(name_normalize("example.com", buf, 4), -1);
	assert_int_equal(buf[4], 'X');

	assert_int_equal(name_normalize("a", buf, 0), -1);
	assert_int_equal(name_normalize("a", buf, 1), -1);
}

/* Escapes are refused: "a\\." is the single label "a.", which would
 * otherwise come out relative. */
static void
test_name_escaped_dot(void **state)
{
	char	out[NMIG_NAMEBUF];
	size_t	len;

	if (name_normalize("a\\.", out, sizeof(out)) == -1)
		return;		/* rejecting escapes is fine */
	len = strlen(out);
	/* Absolute: ends in a dot that is not itself escaped. */
	assert_true(len >= 2);
	assert_int_equal(out[len - 1], '.');
	assert_int_not_equal(out[len - 2], '\\');
}

/* Host names (domains, name servers, mail exchangers) are stricter
 * than owners: no '_', no '-' at either end of a label. */
static void
test_name_host(void **state)
{
	char		 out[NMIG_NAMEBUF];
	const char	*why = NULL;

	assert_int_equal(name_check("mx-1.Example.jp", NAME_HOST, out,
	    sizeof(out), &why), 0);
	assert_string_equal(out, "mx-1.example.jp.");
	assert_int_equal(name_check("_dmarc.example.jp", NAME_HOST, out,
	    sizeof(out), &why), -1);
	assert_non_null(strstr(why, "host name"));
	assert_int_equal(name_check("-a.example.jp", NAME_HOST, out,
	    sizeof(out), &why), -1);
	assert_non_null(strstr(why, "'-'"));
	assert_int_equal(name_check("a-.example.jp", NAME_HOST, out,
	    sizeof(out), &why), -1);
	assert_int_equal(name_check("a-.example.jp", NAME_OWNER, out,
	    sizeof(out), &why), 0);
}

/* Japanese IDNs under .jp are common: UTF-8 becomes A-labels (IDNA2008
 * with UTS #46 mapping), and shows back as U-labels. */
static void
test_name_idn(void **state)
{
	char		 out[NMIG_NAMEBUF], u[NMIG_UNAMEBUF];
	const char	*why = NULL;

	/* 例え.jp */
	assert_int_equal(name_check("\xe4\xbe\x8b\xe3\x81\x88.jp", NAME_HOST,
	    out, sizeof(out), &why), 0);
	assert_string_equal(out, "xn--r8jz45g.jp.");
	assert_string_equal(domain_unicode(out, u),
	    "\xe4\xbe\x8b\xe3\x81\x88.jp");
	assert_string_equal(domain_display(out, u), "xn--r8jz45g.jp");
	/* Full-width letters map to ASCII ones (UTS #46). */
	assert_int_equal(name_check("\xef\xbc\xa5xample.jp", NAME_HOST, out,
	    sizeof(out), &why), 0);
	assert_string_equal(out, "example.jp.");
	/* Not UTF-8 at all; a bad A-label shows as itself. */
	assert_int_equal(name_check("\xff.jp", NAME_HOST, out, sizeof(out),
	    &why), -1);
	assert_non_null(why);
	assert_string_equal(domain_unicode("xn--zz.jp.", u), "xn--zz.jp");
	/* A-labels that decode to a control or a bidi override are shown
	 * as they are, never as the character. */
	assert_string_equal(domain_unicode("xn--1a.jp.", u), "xn--1a.jp");
	assert_string_equal(domain_unicode("xn--zvg.jp.", u), "xn--zvg.jp");
	assert_string_equal(domain_unicode("example.jp.", u), "example.jp");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_ok),
		cmocka_unit_test(test_name_bad),
		cmocka_unit_test(test_name_label_limit),
		cmocka_unit_test(test_name_length_limit),
		cmocka_unit_test(test_name_outlen),
		cmocka_unit_test(test_name_escaped_dot),
		cmocka_unit_test(test_name_host),
		cmocka_unit_test(test_name_idn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
