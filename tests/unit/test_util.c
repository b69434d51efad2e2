/*
 * lib/util.c: error lists, durations, RFC 3339 times, name normalisation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* errlist */

static void
test_errlist_format(void **state)
{
	struct errlist	e = { NULL, 0 };

	errlist_add(&e, "nmigd.conf", 12, "unknown key \"%s\"", "intervall");
	errlist_add(&e, "resolvers.conf", 0, "cannot open: %s", "ENOENT");
	errlist_add(&e, "x.conf", 3, "%d errors", 2);
	assert_int_equal(e.n, 3);
	/* Kept in the order they were found, for the operator to read. */
	assert_string_equal(e.msg[0], "nmigd.conf:12: unknown key \"intervall\"");
	assert_string_equal(e.msg[1], "resolvers.conf: cannot open: ENOENT");
	assert_string_equal(e.msg[2], "x.conf:3: 2 errors");
	errlist_free(&e);
	assert_int_equal(e.n, 0);
	assert_null(e.msg);

	/* Usable again after a free (a reload collects a fresh list). */
	errlist_add(&e, "f", 1, "again");
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "f:1: again");
	errlist_free(&e);
}

static void
test_errlist_many(void **state)
{
	struct errlist	e = { NULL, 0 };
	char		want[64];
	int		i;

	for (i = 1; i <= 100; i++)
		errlist_add(&e, "f", i, "m%d", i);
	assert_int_equal(e.n, 100);
	for (i = 1; i <= 100; i++) {
		snprintf(want, sizeof(want), "f:%d: m%d", i, i);
		assert_string_equal(e.msg[i - 1], want);
	}
	errlist_free(&e);
}

/* parse_duration */

static void
expect_duration(const char *s, unsigned want)
{
	unsigned	got = 12345;

	if (parse_duration(s, &got) != 0)
		fail_msg("parse_duration(\"%s\") failed", s);
	if (got != want)
		fail_msg("parse_duration(\"%s\") = %u, want %u", s, got, want);
}

static void
reject_duration(const char *s)
{
	unsigned	got = 12345;

	if (parse_duration(s, &got) != -1)
		fail_msg("parse_duration(\"%s\") accepted (%u)", s, got);
}

static void
test_duration_ok(void **state)
{
	expect_duration("90", 90);
	expect_duration("0", 0);
	expect_duration("90s", 90);
	expect_duration("5m", 300);
	expect_duration("1h", 3600);
	expect_duration("2d", 172800);
	expect_duration("1h30m", 5400);
	expect_duration("1d2h3m4s", 86400 + 7200 + 180 + 4);
	expect_duration("4294967295", UINT_MAX);
	expect_duration("49710d", 49710u * 86400u);
	expect_duration("49710d1h", 49710u * 86400u + 3600u);
}

static void
test_duration_bad(void **state)
{
	reject_duration("");
	reject_duration("m");
	reject_duration("s5");
	reject_duration("5x");
	reject_duration("-5");
	reject_duration("+5");
	reject_duration(" 5");
	reject_duration("5 ");
	reject_duration("5 m");
	reject_duration("5mm");
	reject_duration("5M");
	reject_duration("1.5h");
	/* A bare number is seconds only when it stands alone. */
	reject_duration("1h30");
	reject_duration("1d2");
	/* Does not fit an unsigned int of seconds. */
	reject_duration("4294967296");
	reject_duration("99999999999d");
	reject_duration("99999999999999999999999999");
	reject_duration("49711d");
	reject_duration("49710d7h");	/* each part fits, the sum does not */
	/* 213503982334602 * 86400 wraps a 64-bit integer to 61184. */
	reject_duration("213503982334602d");
}

/* A bare number is seconds only on its own: "0h30" is as much a typo as
 * "1h30". */
static void
test_duration_bare_after_zero_part(void **state)
{
	reject_duration("0h30");
	reject_duration("0m5");
}

/* fmt_time / parse_time */

static void
test_time_format(void **state)
{
	char	buf[NMIG_TIMEBUF];

	assert_string_equal(fmt_time(1795816800, buf), "2026-11-27T22:00:00Z");
	assert_string_equal(fmt_time(0, buf), "1970-01-01T00:00:00Z");
	assert_string_equal(fmt_time(951782400, buf), "2000-02-29T00:00:00Z");
	/* fmt_time returns its buffer, so it can be used inline. */
	assert_ptr_equal(fmt_time(1, buf), buf);
	assert_int_equal(parse_time("2026-11-27T22:00:00Z"), 1795816800);
	assert_int_equal(parse_time("2000-02-29T00:00:00Z"), 951782400);
}

static void
test_time_roundtrip(void **state)
{
	char	buf[NMIG_TIMEBUF];
	time_t	t[] = { 0, 1, 59, 86399, 951782400, 1700000000, 1795816800,
		    1795816800 + 86400 * 365 + 3661, 4102444799 };
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fmt_time(t[i], buf);
		if (parse_time(buf) != t[i])
			fail_msg("round trip of %lld via \"%s\" failed",
			    (long long)t[i], buf);
	}
}

static void
test_time_bad(void **state)
{
	const char	*bad[] = {
		"",
		"junk",
		"2026-11-27",
		"2026-11-27T22:00:00",		/* no Z: not UTC */
		"2026-11-27T22:00:00+09:00",
		"2026-11-27 22:00:00Z",
		"2026-11-27T22:00:00Zjunk",
		"2026-11-27T22:00:00Z ",
		"2026-13-01T00:00:00Z",
		"2026-11-27T24:00:00Z",
		"2026-11-27T22:61:00Z",
		"x2026-11-27T22:00:00Z",
	};
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_time(bad[i]) != (time_t)-1)
			fail_msg("parse_time(\"%s\") accepted", bad[i]);
	assert_int_equal(parse_time(NULL), (time_t)-1);
}

/* parse_time is the exact inverse of fmt_time: strptime's leniency (31
 * February, leap seconds, unpadded fields) must not move a time. */
static void
test_time_not_fmt_time_output(void **state)
{
	const char	*bad[] = {
		"2026-02-31T00:00:00Z",
		"2026-04-31T12:00:00Z",
		"2026-11-27T23:59:60Z",
		" 2026-11-27T22:00:00Z",
		"2026-1-2T3:4:5Z",
	};
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_time(bad[i]) != (time_t)-1)
			fail_msg("parse_time(\"%s\") accepted", bad[i]);
}

/* UTF-8 and escaping */

static void
test_utf8_valid(void **state)
{
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("\xe4\xbe\x8b\xe3\x81\x88.jp", 9));
	assert_true(utf8_valid("\xf0\x9f\x98\x80", 4));
	/* Cut through a character, overlong, surrogate, beyond U+10FFFF,
	 * a lone continuation byte. */
	assert_false(utf8_valid("\xe4\xbe", 2));
	assert_false(utf8_valid("\xc0\xaf", 2));
	assert_false(utf8_valid("\xed\xa0\x80", 3));
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));
	assert_false(utf8_valid("\x80", 1));
	assert_false(utf8_valid("\xff", 1));
}

static void
test_str_escape(void **state)
{
	char	out[64];

	str_escape("ok \xe4\xbe\x8b", out, sizeof(out));
	assert_string_equal(out, "ok \xe4\xbe\x8b");
	str_escape("a\nb\x1b[31m\xff\x7f", out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\x1b[31m\\xff\\x7f");
	/* Cut at a whole character or escape, always terminated. */
	str_escape("\xe4\xbe\x8b\xe4\xbe\x8b", out, 5);
	assert_string_equal(out, "\xe4\xbe\x8b");
	str_escape("\x01\x02", out, 6);
	assert_string_equal(out, "\\x01");
	assert_int_equal(str_escape("x", out, 1), 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errlist_format),
		cmocka_unit_test(test_errlist_many),
		cmocka_unit_test(test_duration_ok),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_duration_bare_after_zero_part),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_roundtrip),
		cmocka_unit_test(test_time_bad),
		cmocka_unit_test(test_time_not_fmt_time_output),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_str_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
