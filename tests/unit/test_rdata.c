/*
 * lib/rdata.c: canonical RDATA strings, record sets, type names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "rdata.h"

#define OWNER	"example.co.jp."

static void
expect_canon(uint16_t type, const char *text, const char *want)
{
	char	 err[256], got[256], tbuf[16], *s;

	err[0] = '\0';
	s = rdata_parse(OWNER, type, text, err, sizeof(err));
	if (s == NULL)
		fail_msg("%s \"%s\": %s", rrtype_name(type, tbuf), text, err);
	snprintf(got, sizeof(got), "%s", s);
	free(s);
	if (strcmp(got, want) != 0)
		fail_msg("%s \"%s\" gives \"%s\", want \"%s\"",
		    rrtype_name(type, tbuf), text, got, want);
}

/* Rejected, with a message.  With tname, the message must also name the
 * type, so that the operator knows which record is wrong. */
static void
expect_error(uint16_t type, const char *text, const char *tname)
{
	char	 err[256], *s;

	memset(err, 0, sizeof(err));
	s = rdata_parse(OWNER, type, text, err, sizeof(err));
	if (s != NULL) {
		free(s);
		fail_msg("%s \"%s\" accepted", tname, text);
	}
	if (err[0] == '\0')
		fail_msg("%s \"%s\": no message", tname, text);
	if (tname != NULL && strstr(err, tname) == NULL)
		fail_msg("%s \"%s\": message \"%s\" does not name the type",
		    tname, text, err);
}

static char *
parse_ok(uint16_t type, const char *text)
{
	char	 err[256], *s;

	s = rdata_parse(OWNER, type, text, err, sizeof(err));
	if (s == NULL)
		fail_msg("\"%s\": %s", text, err);
	return s;
}

/* rdata_parse */

static void
test_parse_ns_mx(void **state)
{
	expect_canon(LDNS_RR_TYPE_NS, "ns1.example.net.", "ns1.example.net.");
	expect_canon(LDNS_RR_TYPE_NS, "NS1.Example.NET.", "ns1.example.net.");
	/* A config writes names without the root; it is meant absolute. */
	expect_canon(LDNS_RR_TYPE_NS, "ns1.example.net", "ns1.example.net.");
	expect_canon(LDNS_RR_TYPE_MX, "10 mx01.example.co.jp.",
	    "10 mx01.example.co.jp.");
	expect_canon(LDNS_RR_TYPE_MX, "10 MX02.Example.CO.JP",
	    "10 mx02.example.co.jp.");
	expect_canon(LDNS_RR_TYPE_MX, "10    mx01.example.co.jp.",
	    "10 mx01.example.co.jp.");
	expect_canon(LDNS_RR_TYPE_MX, "0 .", "0 .");
	expect_canon(LDNS_RR_TYPE_CNAME, "Target.Example.NET.",
	    "target.example.net.");
	expect_canon(LDNS_RR_TYPE_CNAME, "target.example.net",
	    "target.example.net.");
}

static void
test_parse_addresses(void **state)
{
	expect_canon(LDNS_RR_TYPE_A, "192.0.2.1", "192.0.2.1");
	expect_canon(LDNS_RR_TYPE_AAAA, "2001:DB8::1", "2001:db8::1");
	expect_canon(LDNS_RR_TYPE_AAAA, "2001:0db8:0:0:0:0:0:1",
	    "2001:db8::1");
	expect_canon(LDNS_RR_TYPE_AAAA, "2001:db8:0:0:1:0:0:1",
	    "2001:db8::1:0:0:1");
	expect_canon(LDNS_RR_TYPE_AAAA, "::FFFF:192.0.2.1",
	    "::ffff:192.0.2.1");
}

static void
test_parse_txt(void **state)
{
	expect_canon(LDNS_RR_TYPE_TXT, "\"v=spf1 -all\"", "\"v=spf1 -all\"");
	expect_canon(LDNS_RR_TYPE_TXT, "hello", "\"hello\"");
	/* TXT content is data: its case matters. */
	expect_canon(LDNS_RR_TYPE_TXT, "\"a\" \"B\"", "\"a\" \"B\"");
	expect_canon(LDNS_RR_TYPE_TXT,
	    "\"v=spf1 include:_spf.Example.com ~all\"",
	    "\"v=spf1 include:_spf.Example.com ~all\"");
	/* A ';' inside quotes is data; a bare one would be an ldns comment
	 * that silently cuts the value short, so it is refused. */
	expect_canon(LDNS_RR_TYPE_TXT, "\"a;b\"", "\"a;b\"");
	expect_error(LDNS_RR_TYPE_TXT, "a;b", "TXT");
}

/* A value from the config and the same record from the wire must give the
 * same string, or nothing would ever be "new". */
static void
test_canon_matches_wire(void **state)
{
	const struct {
		const char	*rr;
		uint16_t	 type;
		const char	*text;
	} t[] = {
		{ "Example.CO.JP. 300 IN MX 10 MX02.Example.CO.JP.",
		    LDNS_RR_TYPE_MX, "10 mx02.example.co.jp" },
		{ "example.co.jp. 3600 IN NS NS1.EXAMPLE.NET.",
		    LDNS_RR_TYPE_NS, "ns1.example.net." },
		{ "example.co.jp. 60 IN AAAA 2001:db8:0::0:1",
		    LDNS_RR_TYPE_AAAA, "2001:DB8::1" },
		{ "example.co.jp. 60 IN A 192.0.2.7",
		    LDNS_RR_TYPE_A, "192.0.2.7" },
		{ "example.co.jp. 60 IN TXT \"v=spf1\" \"-all\"",
		    LDNS_RR_TYPE_TXT, "\"v=spf1\" \"-all\"" },
	};
	ldns_rr		*rr, *back;
	ldns_buffer	*wire;
	size_t		 i, pos;
	char		*a, *b;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, t[i].rr, 0, NULL,
		    NULL), LDNS_STATUS_OK);
		/* Through wire format, as an answer arrives. */
		wire = ldns_buffer_new(512);
		assert_non_null(wire);
		assert_int_equal(ldns_rr2buffer_wire(wire, rr,
		    LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
		pos = 0;
		back = NULL;
		assert_int_equal(ldns_wire2rr(&back, ldns_buffer_begin(wire),
		    ldns_buffer_position(wire), &pos, LDNS_SECTION_ANSWER),
		    LDNS_STATUS_OK);
		a = rdata_canon(back);
		b = parse_ok(t[i].type, t[i].text);
		assert_non_null(a);
		if (strcmp(a, b) != 0)
			fail_msg("wire \"%s\" != config \"%s\"", a, b);
		/* rdata_canon must not change the record it is given. */
		assert_int_equal(ldns_rr_compare(rr, back), 0);
		free(a);
		free(b);
		ldns_rr_free(back);
		ldns_rr_free(rr);
		ldns_buffer_free(wire);
	}
}

static void
test_canon_leaves_rr_alone(void **state)
{
	ldns_rr	*rr = NULL;
	char	*s, *before, *after;

	assert_int_equal(ldns_rr_new_frm_str(&rr,
	    "example.co.jp. 300 IN MX 10 MX01.Example.CO.JP.", 0, NULL, NULL),
	    LDNS_STATUS_OK);
	before = ldns_rr2str(rr);
	s = rdata_canon(rr);
	after = ldns_rr2str(rr);
	assert_string_equal(s, "10 mx01.example.co.jp.");
	/* The caller's record keeps its case (rdata_canon works on a copy). */
	assert_string_equal(before, after);
	assert_non_null(strstr(after, "MX01.Example.CO.JP."));
	free(s);
	free(before);
	free(after);
	ldns_rr_free(rr);
}

static void
test_parse_errors(void **state)
{
	expect_error(LDNS_RR_TYPE_MX, "", "MX");
	expect_error(LDNS_RR_TYPE_A, "", "A");
	expect_error(LDNS_RR_TYPE_MX, "10", NULL);
	expect_error(LDNS_RR_TYPE_MX, "mx01.example.co.jp.", NULL);
	expect_error(LDNS_RR_TYPE_MX, "10 a.example. junk", NULL);
	expect_error(LDNS_RR_TYPE_A, "999.1.1.1", NULL);
	expect_error(LDNS_RR_TYPE_A, "192.0.2", NULL);
	expect_error(LDNS_RR_TYPE_A, "2001:db8::1", NULL);
	expect_error(LDNS_RR_TYPE_AAAA, "192.0.2.1", NULL);
	expect_error(LDNS_RR_TYPE_AAAA, "2001:db8::1::2", NULL);
	expect_error(LDNS_RR_TYPE_NS, "a..b.", NULL);
	expect_error(LDNS_RR_TYPE_NS, "   ", NULL);
	expect_error(65280, "hello", "TYPE65280");
}

/* The message names the record type, for every type (it once printed
 * uninitialised memory for named types). */
static void
test_parse_error_names_type(void **state)
{
	expect_error(LDNS_RR_TYPE_MX, "10", "MX");
	expect_error(LDNS_RR_TYPE_A, "999.1.1.1", "A value");
	expect_error(LDNS_RR_TYPE_AAAA, "192.0.2.1", "AAAA");
	expect_error(LDNS_RR_TYPE_NS, "a..b.", "NS");
}

/* ldns's int16 parser wraps silently ("70000 mx." would become "4464
 * mx.", a record nobody wrote): out-of-range numbers are refused. */
static void
test_parse_int_range(void **state)
{
	expect_canon(LDNS_RR_TYPE_MX, "65535 a.example.", "65535 a.example.");
	expect_error(LDNS_RR_TYPE_MX, "65536 a.example.", "MX");
	expect_error(LDNS_RR_TYPE_MX, "70000 a.example.", "MX");
}

/* Long input must not overflow anything, only fail or succeed cleanly. */
static void
test_parse_long(void **state)
{
	char	*text, err[64], *s;
	size_t	 n = 70000;

	text = malloc(n + 1);
	assert_non_null(text);
	memset(text, 'a', n);
	text[n] = '\0';
	s = rdata_parse(OWNER, LDNS_RR_TYPE_NS, text, err, sizeof(err));
	assert_null(s);
	assert_true(strlen(err) < sizeof(err));
	free(text);
}

/* rdset */

static void
test_rdset_sorted_unique(void **state)
{
	struct rdset	set = { NULL, 0 };
	const char	*in[] = { "20 b.", "10 c.", "30 a.", "10 c.", "05 z.",
			    "20 b." };
	size_t		 i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		rdset_add(&set, strdup(in[i]));
	assert_int_equal(set.n, 4);
	assert_string_equal(set.rr[0], "05 z.");
	assert_string_equal(set.rr[1], "10 c.");
	assert_string_equal(set.rr[2], "20 b.");
	assert_string_equal(set.rr[3], "30 a.");
	for (i = 1; i < set.n; i++)
		assert_true(strcmp(set.rr[i - 1], set.rr[i]) < 0);
	rdset_free(&set);
	assert_int_equal(set.n, 0);
	assert_null(set.rr);
}

static void
test_rdset_many(void **state)
{
	struct rdset	set = { NULL, 0 };
	char		buf[32];
	int		i;

	/* Descending, then again: every insert goes to the front. */
	for (i = 199; i >= 0; i--) {
		snprintf(buf, sizeof(buf), "%03d", i);
		rdset_add(&set, strdup(buf));
	}
	for (i = 0; i < 200; i += 3) {
		snprintf(buf, sizeof(buf), "%03d", i);
		rdset_add(&set, strdup(buf));
	}
	assert_int_equal(set.n, 200);
	for (i = 0; i < 200; i++) {
		snprintf(buf, sizeof(buf), "%03d", i);
		assert_string_equal(set.rr[i], buf);
	}
	rdset_free(&set);
}

static void
test_rdset_equal_order_case(void **state)
{
	struct rdset	a = { NULL, 0 }, b = { NULL, 0 }, c = { NULL, 0 };

	rdset_add(&a, parse_ok(LDNS_RR_TYPE_MX, "10 mx01.example.co.jp."));
	rdset_add(&a, parse_ok(LDNS_RR_TYPE_MX, "10 mx02.example.co.jp."));
	rdset_add(&b, parse_ok(LDNS_RR_TYPE_MX, "10 MX02.Example.CO.JP"));
	rdset_add(&b, parse_ok(LDNS_RR_TYPE_MX, "10 Mx01.example.co.jp"));
	assert_true(rdset_equal(&a, &b));
	assert_true(rdset_equal(&b, &a));

	/* Subset and superset differ. */
	rdset_add(&c, parse_ok(LDNS_RR_TYPE_MX, "10 mx01.example.co.jp."));
	assert_false(rdset_equal(&a, &c));
	assert_false(rdset_equal(&c, &a));
	rdset_add(&c, parse_ok(LDNS_RR_TYPE_MX, "10 mx02.example.co.jp."));
	assert_true(rdset_equal(&a, &c));
	rdset_add(&c, parse_ok(LDNS_RR_TYPE_MX, "20 mx03.example.co.jp."));
	assert_false(rdset_equal(&a, &c));
	rdset_free(&c);

	/* Same size, one element different (the preference). */
	rdset_add(&c, parse_ok(LDNS_RR_TYPE_MX, "10 mx01.example.co.jp."));
	rdset_add(&c, parse_ok(LDNS_RR_TYPE_MX, "20 mx02.example.co.jp."));
	assert_false(rdset_equal(&a, &c));
	rdset_free(&c);

	assert_true(rdset_equal(&c, &c));	/* empty == empty */
	assert_false(rdset_equal(&a, &c));
	rdset_free(&a);
	rdset_free(&b);
}

static void
test_rdset_copy(void **state)
{
	struct rdset	a = { NULL, 0 }, b = { NULL, 0 }, e = { NULL, 0 };

	rdset_add(&a, strdup("x"));
	rdset_add(&a, strdup("y"));
	rdset_copy(&b, &a);
	assert_true(rdset_equal(&a, &b));
	/* Deep: the copy survives the original. */
	assert_ptr_not_equal(a.rr[0], b.rr[0]);
	rdset_free(&a);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.rr[0], "x");
	assert_string_equal(b.rr[1], "y");
	rdset_free(&b);

	rdset_copy(&b, &e);
	assert_int_equal(b.n, 0);
	rdset_free(&b);
}

static void
test_rdset_join_split(void **state)
{
	struct rdset	 a = { NULL, 0 }, b = { NULL, 0 };
	char		*s;

	rdset_add(&a, parse_ok(LDNS_RR_TYPE_MX, "20 mx02.example.co.jp."));
	rdset_add(&a, parse_ok(LDNS_RR_TYPE_MX, "10 mx01.example.co.jp."));
	s = rdset_join(&a);
	assert_string_equal(s,
	    "10 mx01.example.co.jp.\n20 mx02.example.co.jp.");
	rdset_split(&b, s);
	assert_true(rdset_equal(&a, &b));
	free(s);
	rdset_free(&b);

	/* TXT with spaces and quotes survives too. */
	rdset_add(&a, parse_ok(LDNS_RR_TYPE_TXT, "\"v=spf1 mx -all\" \"x\""));
	s = rdset_join(&a);
	rdset_split(&b, s);
	assert_true(rdset_equal(&a, &b));
	assert_int_equal(b.n, 3);
	free(s);
	rdset_free(&b);
	rdset_free(&a);

	/* Empty set <-> "". */
	s = rdset_join(&a);
	assert_string_equal(s, "");
	rdset_split(&b, s);
	assert_int_equal(b.n, 0);
	free(s);

	/* One element: no separator. */
	rdset_add(&a, strdup("only"));
	s = rdset_join(&a);
	assert_string_equal(s, "only");
	rdset_split(&b, s);
	assert_true(rdset_equal(&a, &b));
	free(s);
	rdset_free(&a);
	rdset_free(&b);

	/* Stored text is read back sorted and unique, whatever its order. */
	rdset_split(&b, "b\na\n\nb\n");
	assert_int_equal(b.n, 2);
	assert_string_equal(b.rr[0], "a");
	assert_string_equal(b.rr[1], "b");
	rdset_free(&b);
}

/* Types */

static void
test_rrtype_from_name(void **state)
{
	assert_int_equal(rrtype_from_name("MX"), LDNS_RR_TYPE_MX);
	assert_int_equal(rrtype_from_name("mx"), LDNS_RR_TYPE_MX);
	assert_int_equal(rrtype_from_name("NS"), LDNS_RR_TYPE_NS);
	assert_int_equal(rrtype_from_name("A"), LDNS_RR_TYPE_A);
	assert_int_equal(rrtype_from_name("AAAA"), LDNS_RR_TYPE_AAAA);
	assert_int_equal(rrtype_from_name("TXT"), LDNS_RR_TYPE_TXT);
	assert_int_equal(rrtype_from_name("CNAME"), LDNS_RR_TYPE_CNAME);
	assert_int_equal(rrtype_from_name("SRV"), LDNS_RR_TYPE_SRV);
	assert_int_equal(rrtype_from_name("TYPE65280"), 65280);

	/* Query and meta types are not records a resolver holds. */
	assert_int_equal(rrtype_from_name("ANY"), 0);
	assert_int_equal(rrtype_from_name("any"), 0);
	assert_int_equal(rrtype_from_name("TYPE255"), 0);
	assert_int_equal(rrtype_from_name("OPT"), 0);
	assert_int_equal(rrtype_from_name("TYPE41"), 0);
	assert_int_equal(rrtype_from_name("AXFR"), 0);
	assert_int_equal(rrtype_from_name("IXFR"), 0);
	assert_int_equal(rrtype_from_name("TSIG"), 0);
	assert_int_equal(rrtype_from_name("BOGUS"), 0);
	assert_int_equal(rrtype_from_name(""), 0);
	assert_int_equal(rrtype_from_name("MX "), 0);
}

static void
test_rrtype_name(void **state)
{
	char	buf[16];

	assert_string_equal(rrtype_name(LDNS_RR_TYPE_MX, buf), "MX");
	assert_string_equal(rrtype_name(LDNS_RR_TYPE_AAAA, buf), "AAAA");
	assert_string_equal(rrtype_name(65280, buf), "TYPE65280");
	assert_string_equal(rrtype_name(65535, buf), "TYPE65535");
	/* Round trip through the name, named and unnamed. */
	assert_int_equal(rrtype_from_name(rrtype_name(LDNS_RR_TYPE_TXT, buf)),
	    LDNS_RR_TYPE_TXT);
	assert_int_equal(rrtype_from_name(rrtype_name(65280, buf)), 65280);
}

static void
test_parse_unknown_type(void **state)
{
	/* RFC 3597 generic form for a type ldns has no name for. */
	expect_canon(65280, "\\# 2 ABCD", "\\# 2 abcd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ns_mx),
		cmocka_unit_test(test_parse_addresses),
		cmocka_unit_test(test_parse_txt),
		cmocka_unit_test(test_canon_matches_wire),
		cmocka_unit_test(test_canon_leaves_rr_alone),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_error_names_type),
		cmocka_unit_test(test_parse_int_range),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_rdset_sorted_unique),
		cmocka_unit_test(test_rdset_many),
		cmocka_unit_test(test_rdset_equal_order_case),
		cmocka_unit_test(test_rdset_copy),
		cmocka_unit_test(test_rdset_join_split),
		cmocka_unit_test(test_rrtype_from_name),
		cmocka_unit_test(test_rrtype_name),
		cmocka_unit_test(test_parse_unknown_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
