/*
 * lib/rdata.c and lib/rdtext.c: canonical RDATA from the config and from
 * the wire, its text, record sets and their storage form, type names.
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
#include "rdtext.h"

#define OWNER	"example.co.jp."

static uint8_t	buf[RDATA_MAX];

/* Parse, then print: the canonical form as people see it. */
static void
expect_canon(uint16_t type, const char *text, const char *want)
{
	char	 err[256], tbuf[16], *s;
	int	 len;

	err[0] = '\0';
	if ((len = rdata_parse(OWNER, type, text, buf, err, sizeof(err))) == -1)
		fail_msg("%s \"%s\": %s", rrtype_name(type, tbuf), text, err);
	s = rdtext(type, buf, (size_t)len);
	if (strcmp(s, want) != 0)
		fail_msg("%s \"%s\" gives \"%s\", want \"%s\"",
		    rrtype_name(type, tbuf), text, s, want);
	free(s);
}

/* Rejected, with a message.  With tname, the message must also name the
 * type, so that the operator knows which record is wrong. */
static void
expect_error(uint16_t type, const char *text, const char *tname)
{
	char	 err[256];

	memset(err, 0, sizeof(err));
	if (rdata_parse(OWNER, type, text, buf, err, sizeof(err)) != -1)
		fail_msg("%s \"%s\" accepted", tname, text);
	if (err[0] == '\0')
		fail_msg("%s \"%s\": no message", tname, text);
	if (tname != NULL && strstr(err, tname) == NULL)
		fail_msg("%s \"%s\": message \"%s\" does not name the type",
		    tname, text, err);
}

/* Add a parsed value to a set. */
static void
add_ok(struct rdset *set, uint16_t type, const char *text)
{
	char	err[256];
	int	len;

	if ((len = rdata_parse(OWNER, type, text, buf, err, sizeof(err))) == -1)
		fail_msg("\"%s\": %s", text, err);
	assert_int_equal(rdset_add(set, buf, (size_t)len), 0);
}

/* The set as text, items joined by '|'. */
static char *
set_text(const struct rdset *set, uint16_t type)
{
	static char	 out[4096];
	const uint8_t	*rd;
	size_t		 off = 0;
	uint16_t	 len;
	char		*s;

	out[0] = '\0';
	while ((rd = rdset_next(set, &off, &len)) != NULL) {
		s = rdtext(type, rd, len);
		if (out[0] != '\0')
			strcat(out, "|");
		strcat(out, s);
		free(s);
	}
	return out;
}

/* rdata_parse and rdtext */

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
	expect_canon(LDNS_RR_TYPE_MX, "0 .", "0 .");
	expect_canon(LDNS_RR_TYPE_CNAME, "Target.Example.NET.",
	    "target.example.net.");
	expect_canon(LDNS_RR_TYPE_SOA, "NS.Example. Host.Example. 1 2 3 4 5",
	    "ns.example. host.example. 1 2 3 4 5");
	expect_canon(LDNS_RR_TYPE_SRV, "10 20 443 Web.Example.",
	    "10 20 443 web.example.");
}

static void
test_parse_addresses(void **state)
{
	expect_canon(LDNS_RR_TYPE_A, "192.0.2.1", "192.0.2.1");
	expect_canon(LDNS_RR_TYPE_AAAA, "2001:DB8::1", "2001:db8::1");
	expect_canon(LDNS_RR_TYPE_AAAA, "2001:0db8:0:0:0:0:0:1",
	    "2001:db8::1");
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
	/* A ';' inside quotes is data, printed so that no config reader
	 * takes it for a comment; a bare one would be an ldns comment that
	 * silently cuts the value short, so it is refused. */
	expect_canon(LDNS_RR_TYPE_TXT, "\"a;b\"", "\"a\\059b\"");
	expect_error(LDNS_RR_TYPE_TXT, "a;b", "TXT");
	/* Bytes outside printable ASCII come back as \DDD: text is ASCII. */
	expect_canon(LDNS_RR_TYPE_TXT, "\"\\255\\000\\\"\"",
	    "\"\\255\\000\\\"\"");
}

static void
test_parse_other_types(void **state)
{
	expect_canon(LDNS_RR_TYPE_CAA, "0 issue \"letsencrypt.org\"",
	    "0 issue \"letsencrypt.org\"");
	expect_canon(LDNS_RR_TYPE_DS, "12345 8 2 ABCDEF0123",
	    "12345 8 2 abcdef0123");
	expect_canon(LDNS_RR_TYPE_HTTPS, "1 . alpn=h2,h3 port=8443",
	    "1 . alpn=\"h2,h3\" port=8443");
	expect_canon(LDNS_RR_TYPE_HTTPS, "0 Svc.Example.", "0 svc.example.");
	/* RFC 3597 generic form for a type ldns has no name for. */
	expect_canon(65280, "\\# 2 ABCD", "\\# 2 abcd");
	/* A type the printer does not lay out: generic form. */
	expect_canon(LDNS_RR_TYPE_LOC, "52 22 23.000 N 4 53 32.000 E -2.00m "
	    "0.00m 10000m 10m", "\\# 16 000016138b3cf018810cbce0009895b8");
}

/* The canonical bytes of an answer's RDATA and of the config's value are
 * the same, or nothing would ever be "new": case, and compression
 * pointers into the rest of the message, make no difference. */
static void
test_canon_matches_wire(void **state)
{
	/* An answer: header, question example.co.jp./MX, then one MX whose
	 * exchange is "MX01" + a pointer to the question's name. */
	static const uint8_t msg[] = {
		0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 2, 'c', 'o', 2, 'j', 'p',
		0, 0, 15, 0, 1,
		0xc0, 12, 0, 15, 0, 1, 0, 0, 1, 44, 0, 9,
		0, 10, 4, 'M', 'X', '0', '1', 0xc0, 12,
	};
	uint8_t	out[RDATA_MAX], want[RDATA_MAX];
	char	err[256];
	int	len, wlen;

	len = rdata_canon(LDNS_RR_TYPE_MX, msg, sizeof(msg), 43, 9, out);
	wlen = rdata_parse(OWNER, LDNS_RR_TYPE_MX, "10 mx01.Example.CO.JP",
	    want, err, sizeof(err));
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, (size_t)len);
	/* The same RDATA in a message cut short does not read. */
	assert_int_equal(rdata_canon(LDNS_RR_TYPE_MX, msg, sizeof(msg) - 1,
	    43, 8, out), -1);
}

/* RDATA that does not have its type's layout is refused, whatever the
 * bytes; an empty RDATA is a record like any other. */
static void
test_canon_refuses(void **state)
{
	static const uint8_t a3[] = { 192, 0, 2 };
	static const uint8_t a5[] = { 192, 0, 2, 1, 9 };
	static const uint8_t mx_trail[] = { 0, 10, 1, 'a', 0, 7 };
	static const uint8_t txt_over[] = { 5, 'a', 'b' };
	static const uint8_t mx_ptr_fwd[] = { 0, 10, 0xc0, 4, 1, 'a', 0 };
	static const uint8_t ds_short[] = { 0, 1, 8, 2 };
	uint8_t	out[RDATA_MAX];

	assert_int_equal(rdata_canon(1, a3, sizeof(a3), 0, sizeof(a3), out),
	    -1);
	assert_int_equal(rdata_canon(1, a5, sizeof(a5), 0, sizeof(a5), out),
	    -1);
	assert_int_equal(rdata_canon(15, mx_trail, sizeof(mx_trail), 0,
	    sizeof(mx_trail), out), -1);
	assert_int_equal(rdata_canon(16, txt_over, sizeof(txt_over), 0,
	    sizeof(txt_over), out), -1);
	assert_int_equal(rdata_canon(15, mx_ptr_fwd, sizeof(mx_ptr_fwd), 0,
	    sizeof(mx_ptr_fwd), out), -1);
	assert_int_equal(rdata_canon(43, ds_short, sizeof(ds_short), 0,
	    sizeof(ds_short), out), -1);
	assert_int_equal(rdata_canon(1, a3, sizeof(a3), 0, 0, out), 0);
	/* Past the message's end. */
	assert_int_equal(rdata_canon(1, a3, sizeof(a3), 1, 4, out), -1);
}

/* The printer shows any bytes and never overruns: the SVCB parameters
 * that made ldns's printer abort (issue 6, defect 1), a WKS bitmap that
 * cost ldns a getservbyport() per bit (defect 8), strange names. */
static void
test_text_hostile(void **state)
{
	uint8_t	 svcb[3 + 4 * 40], wks[5 + 1200], name[] = { 3, 'a', '.',
		    0x07, 1, 0xff, 0 };
	uint8_t	 alpn[] = { 0, 1, 0, 0, 1, 0, 3, 2, 0x01, 0x80 };
	uint8_t	 unordered[] = { 0, 1, 0, 0, 3, 0, 0, 0, 1, 0, 0 };
	char	*s;

	memset(svcb, 0, sizeof(svcb));
	svcb[1] = 1;
	s = rdtext(LDNS_RR_TYPE_HTTPS, svcb, sizeof(svcb));
	assert_true(strncmp(s, "\\# 163 0001", 11) == 0);
	free(s);
	memset(wks, 0xff, sizeof(wks));
	wks[4] = 6;
	s = rdtext(LDNS_RR_TYPE_WKS, wks, sizeof(wks));
	assert_true(strncmp(s, "\\# 1205 ffffffff06ffff", 22) == 0);
	free(s);
	s = rdtext(LDNS_RR_TYPE_CNAME, name, sizeof(name));
	assert_string_equal(s, "a\\.\\007.\\255.");
	free(s);
	/* Non-printable ALPN bytes are escaped, not passed through. */
	s = rdtext(LDNS_RR_TYPE_HTTPS, alpn, sizeof(alpn));
	assert_string_equal(s, "1 . alpn=\"\\001\\128\"");
	free(s);
	/* Keys out of order are not SVCB parameters. */
	s = rdtext(LDNS_RR_TYPE_HTTPS, unordered, sizeof(unordered));
	assert_string_equal(s, "\\# 11 0001000003000000010000");
	free(s);
	s = rdtext(LDNS_RR_TYPE_A, NULL, 0);
	assert_string_equal(s, "\\# 0");
	free(s);
}

/* What the config printer writes parses back to the same bytes, the
 * readable form where it can, else the generic one. */
static void
test_text_config_round_trip(void **state)
{
	const struct {
		uint16_t	 type;
		const char	*text;
	} t[] = {
		{ LDNS_RR_TYPE_HTTPS, "1 . alpn=h2" },
		{ LDNS_RR_TYPE_HTTPS, "1 . alpn=h2,h3 ipv4hint=192.0.2.1,"
		    "192.0.2.2 ipv6hint=2001:db8::1" },
		{ LDNS_RR_TYPE_HTTPS, "1 . alpn=\"\\001\\002\\003\\004\\005"
		    "\\006\\007\\008\\011\\012\\013\\014\\015\\016\\017\"" },
		{ LDNS_RR_TYPE_TXT, "\"a;b\" \"c,d\" \"\\\"q\\\"\"" },
		{ LDNS_RR_TYPE_CAA, "128 tbs \"x\"" },
		{ LDNS_RR_TYPE_SRV, "0 0 0 ." },
		{ LDNS_RR_TYPE_LOC, "52 22 23.000 N 4 53 32.000 E -2.00m "
		    "0.00m 10000m 10m" },
		{ LDNS_RR_TYPE_DNSKEY, "257 3 8 AwEAAQ==" },
		{ LDNS_RR_TYPE_A, "\\# 4 c0000201" },
	};
	uint8_t	 back[RDATA_MAX];
	char	 err[256], *s;
	size_t	 i;
	int	 len, blen;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = rdata_parse(OWNER, t[i].type, t[i].text, buf, err,
		    sizeof(err));
		if (len == -1)
			fail_msg("\"%s\": %s", t[i].text, err);
		s = rdtext_config(OWNER, t[i].type, buf, (size_t)len);
		blen = rdata_parse(OWNER, t[i].type, s, back, err, sizeof(err));
		if (blen != len || memcmp(back, buf, (size_t)len) != 0)
			fail_msg("\"%s\" printed as \"%s\" reads back "
			    "differently", t[i].text, s);
		free(s);
	}
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
	/* WKS only in the generic form: its text parser looks up services. */
	expect_error(LDNS_RR_TYPE_WKS, "192.0.2.1 6 smtp", "WKS");
	expect_canon(LDNS_RR_TYPE_WKS, "\\# 5 c000020106", "\\# 5 c000020106");
}

/* The message names the record type, for every type. */
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
	char	*text, err[64];
	size_t	 n = 70000;

	text = malloc(n + 1);
	assert_non_null(text);
	memset(text, 'a', n);
	text[n] = '\0';
	assert_int_equal(rdata_parse(OWNER, LDNS_RR_TYPE_NS, text, buf, err,
	    sizeof(err)), -1);
	assert_true(strlen(err) < sizeof(err));
	free(text);
}

/* rdset */

static void
test_rdset_sorted_unique(void **state)
{
	struct rdset	set;
	const char	*in[] = { "20 b.", "10 c.", "30 a.", "10 c.", "5 z.",
			    "20 b.", "10 C." };
	size_t		 i;

	memset(&set, 0, sizeof(set));
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		add_ok(&set, LDNS_RR_TYPE_MX, in[i]);
	assert_int_equal(set.n, 4);
	/* RFC 4034 6.3 order: the preference's bytes come first. */
	assert_string_equal(set_text(&set, LDNS_RR_TYPE_MX),
	    "5 z.|10 c.|20 b.|30 a.");
	rdset_free(&set);
	assert_int_equal(set.n, 0);
	assert_null(set.buf);
}

static void
test_rdset_many(void **state)
{
	struct rdset	set;
	char		txt[32];
	int		i;

	memset(&set, 0, sizeof(set));
	/* Descending, then again: every insert goes to the front. */
	for (i = 199; i >= 0; i--) {
		snprintf(txt, sizeof(txt), "%03d", i);
		add_ok(&set, LDNS_RR_TYPE_TXT, txt);
	}
	for (i = 0; i < 200; i += 3) {
		snprintf(txt, sizeof(txt), "%03d", i);
		add_ok(&set, LDNS_RR_TYPE_TXT, txt);
	}
	assert_int_equal(set.n, 200);
	assert_true(strncmp(set_text(&set, LDNS_RR_TYPE_TXT),
	    "\"000\"|\"001\"|\"002\"", 17) == 0);
	rdset_free(&set);
}

static void
test_rdset_equal_order_case(void **state)
{
	struct rdset	a, b, c;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	add_ok(&a, LDNS_RR_TYPE_MX, "10 mx01.example.co.jp.");
	add_ok(&a, LDNS_RR_TYPE_MX, "10 mx02.example.co.jp.");
	add_ok(&b, LDNS_RR_TYPE_MX, "10 MX02.Example.CO.JP");
	add_ok(&b, LDNS_RR_TYPE_MX, "10 Mx01.example.co.jp");
	assert_true(rdset_equal(&a, &b));
	assert_true(rdset_equal(&b, &a));

	/* Subset and superset differ. */
	add_ok(&c, LDNS_RR_TYPE_MX, "10 mx01.example.co.jp.");
	assert_false(rdset_equal(&a, &c));
	assert_false(rdset_equal(&c, &a));
	add_ok(&c, LDNS_RR_TYPE_MX, "10 mx02.example.co.jp.");
	assert_true(rdset_equal(&a, &c));
	add_ok(&c, LDNS_RR_TYPE_MX, "20 mx03.example.co.jp.");
	assert_false(rdset_equal(&a, &c));
	rdset_free(&c);

	/* Same size, one element different (the preference). */
	add_ok(&c, LDNS_RR_TYPE_MX, "10 mx01.example.co.jp.");
	add_ok(&c, LDNS_RR_TYPE_MX, "20 mx02.example.co.jp.");
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
	struct rdset	a, b, e;

	memset(&a, 0, sizeof(a));
	memset(&e, 0, sizeof(e));
	add_ok(&a, LDNS_RR_TYPE_TXT, "x");
	add_ok(&a, LDNS_RR_TYPE_TXT, "y");
	rdset_copy(&b, &a);
	assert_true(rdset_equal(&a, &b));
	/* Deep: the copy survives the original. */
	assert_ptr_not_equal(a.buf, b.buf);
	rdset_free(&a);
	assert_string_equal(set_text(&b, LDNS_RR_TYPE_TXT), "\"x\"|\"y\"");
	rdset_free(&b);
	rdset_copy(&b, &e);
	assert_int_equal(b.n, 0);
	rdset_free(&b);
}

/* A capped copy keeps what fits and still differs from any other set. */
static void
test_rdset_capped(void **state)
{
	struct rdset	a, b, capped, capped2;
	char		txt[16];
	int		i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 100; i++) {
		snprintf(txt, sizeof(txt), "value%03d", i);
		add_ok(&a, LDNS_RR_TYPE_TXT, txt);
		add_ok(&b, LDNS_RR_TYPE_TXT, txt);
	}
	add_ok(&b, LDNS_RR_TYPE_TXT, "value999");
	rdset_copy_capped(&capped, &a, 120);
	rdset_copy_capped(&capped2, &b, 120);
	assert_true(capped.len <= 120);
	assert_int_equal(capped.n + capped.dropped, 100);
	assert_true(capped.dropped > 0);
	/* The kept items are the same, the whole sets were not. */
	assert_memory_equal(capped.buf, capped2.buf, capped.len);
	assert_false(rdset_equal(&capped, &capped2));
	rdset_free(&capped2);
	rdset_copy_capped(&capped2, &a, 120);
	assert_true(rdset_equal(&capped, &capped2));
	rdset_free(&capped2);
	rdset_copy_capped(&capped2, &a, 100000);
	assert_true(rdset_equal(&capped2, &a));
	rdset_free(&capped2);
	rdset_free(&capped);
	rdset_free(&a);
	rdset_free(&b);
}

/* The storage form reads back to the same set, an empty RDATA included
 * (defect 7: it used to vanish through the database); anything that is
 * not a set written by rdset_blob() is refused. */
static void
test_rdset_blob(void **state)
{
	struct rdset	 a, b;
	uint8_t		*blob, bad[64];
	size_t		 len;

	memset(&a, 0, sizeof(a));
	add_ok(&a, LDNS_RR_TYPE_MX, "20 mx02.example.co.jp.");
	add_ok(&a, LDNS_RR_TYPE_MX, "10 mx01.example.co.jp.");
	assert_int_equal(rdset_add(&a, NULL, 0), 0);
	len = rdset_blob(&a, &blob);
	assert_int_equal(rdset_from_blob(&b, blob, len), 0);
	assert_true(rdset_equal(&a, &b));
	assert_int_equal(b.n, 3);
	assert_string_equal(set_text(&b, LDNS_RR_TYPE_MX),
	    "\\# 0|10 mx01.example.co.jp.|20 mx02.example.co.jp.");
	rdset_free(&b);
	/* Cut short, an item's length past the end, items out of order. */
	assert_int_equal(rdset_from_blob(&b, blob, len - 1), -1);
	assert_int_equal(rdset_from_blob(&b, blob, 5), -1);
	memcpy(bad, blob, 12);
	bad[12] = 0;
	bad[13] = 40;
	assert_int_equal(rdset_from_blob(&b, bad, 20), -1);
	memcpy(bad, blob, 12);
	memcpy(bad + 12, "\0\1b\0\1a", 6);
	bad[1] = 2;
	assert_int_equal(rdset_from_blob(&b, bad, 18), -1);
	free(blob);
	/* The empty set. */
	rdset_free(&a);
	len = rdset_blob(&a, &blob);
	assert_int_equal(rdset_from_blob(&b, blob, len), 0);
	assert_int_equal(b.n, 0);
	free(blob);
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
	char	tbuf[16];

	assert_string_equal(rrtype_name(LDNS_RR_TYPE_MX, tbuf), "MX");
	assert_string_equal(rrtype_name(LDNS_RR_TYPE_AAAA, tbuf), "AAAA");
	assert_string_equal(rrtype_name(65280, tbuf), "TYPE65280");
	assert_string_equal(rrtype_name(65535, tbuf), "TYPE65535");
	/* Round trip through the name, named and unnamed. */
	assert_int_equal(rrtype_from_name(rrtype_name(LDNS_RR_TYPE_TXT,
	    tbuf)), LDNS_RR_TYPE_TXT);
	assert_int_equal(rrtype_from_name(rrtype_name(65280, tbuf)), 65280);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ns_mx),
		cmocka_unit_test(test_parse_addresses),
		cmocka_unit_test(test_parse_txt),
		cmocka_unit_test(test_parse_other_types),
		cmocka_unit_test(test_canon_matches_wire),
		cmocka_unit_test(test_canon_refuses),
		cmocka_unit_test(test_text_hostile),
		cmocka_unit_test(test_text_config_round_trip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_error_names_type),
		cmocka_unit_test(test_parse_int_range),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_rdset_sorted_unique),
		cmocka_unit_test(test_rdset_many),
		cmocka_unit_test(test_rdset_equal_order_case),
		cmocka_unit_test(test_rdset_copy),
		cmocka_unit_test(test_rdset_capped),
		cmocka_unit_test(test_rdset_blob),
		cmocka_unit_test(test_rrtype_from_name),
		cmocka_unit_test(test_rrtype_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
