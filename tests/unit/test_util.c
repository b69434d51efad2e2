/*
 * lib/util.c: error lists, durations, RFC 3339 times, name normalisation,
 * UTF-8 checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <getopt.h>
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

/* utf8_valid, utf8_sanitize */

static void
test_utf8_valid(void **state)
{
	static const char *const good[] = {
		"", "ascii", "\xc3\xa9", "\xe6\x9d\xb1\xe4\xba\xac",
		"\xf0\x9f\x98\x80", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
	};
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf",	/* overlong */
		"\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf",	/* overlong */
		"\xed\xa0\x80", "\xed\xbf\xbf",		/* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe",
		"\xc3", "\xe6\x9d", "\xf0\x9f\x98",	/* cut short */
		"\xc3\x28", "\xe6\x28\xb1", "\xf0\x9f\x28\x80",
		"a\xd0", "\xd0\x9a\xd0",
	};
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!utf8_valid(good[i], strlen(good[i])))
			fail_msg("good[%zu] refused", i);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad[%zu] accepted", i);
	/* The length counts, not a NUL: a character cut by it is bad. */
	assert_false(utf8_valid("\xc3\xa9", 1));
	assert_true(utf8_valid("a\0b", 3));
}

static void
test_utf8_sanitize(void **state)
{
	char	out[64];

	assert_int_equal(utf8_sanitize("plain", out, sizeof(out)), 5);
	assert_string_equal(out, "plain");
	/* Each bad byte is one U+FFFD; good characters around stay. */
	utf8_sanitize("x\\u0\xd0\x9a", out, sizeof(out));
	assert_string_equal(out, "x\\u0\xd0\x9a");
	utf8_sanitize("'\"x\\u0\xd0'", out, sizeof(out));
	assert_string_equal(out, "'\"x\\u0\xef\xbf\xbd'");
	utf8_sanitize("\xff\xfe\xc3\xa9\xed\xa0\x80", out, sizeof(out));
	assert_string_equal(out, "\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_true(utf8_valid(out, strlen(out)));
	assert_int_equal(utf8_sanitize("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* The copy ends at a character boundary, never inside one. */
static void
test_utf8_sanitize_cut(void **state)
{
	char	out[6];

	assert_int_equal(utf8_sanitize("abcdefgh", out, sizeof(out)), 5);
	assert_string_equal(out, "abcde");
	/* e9 is two bytes: "a" + 2 x 2 = 5 fits, a third does not. */
	assert_int_equal(utf8_sanitize("a\xc3\xa9\xc3\xa9\xc3\xa9", out,
	    sizeof(out)), 5);
	assert_string_equal(out, "a\xc3\xa9\xc3\xa9");
	assert_int_equal(utf8_sanitize("ab\xc3\xa9\xc3\xa9", out,
	    sizeof(out)), 4);
	assert_string_equal(out, "ab\xc3\xa9");
	/* A replacement is three bytes and is not cut either. */
	assert_int_equal(utf8_sanitize("abcd\xff", out, sizeof(out)), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(utf8_sanitize("\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
	    out, sizeof(out)), 4);
	assert_int_equal(utf8_sanitize("abc", out, 1), 0);
	assert_string_equal(out, "");
}

/* Whatever the bytes, the result is valid and as long as it may be. */
static void
test_utf8_sanitize_any(void **state)
{
	char		in[256], out[128], all[1024];
	unsigned	seed = 1;
	size_t		i, round, len, full;

	for (round = 0; round < 20000; round++) {
		len = round % sizeof(in);
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = (char)((seed >> 16) | 1);	/* no NUL */
		}
		in[len] = '\0';
		len = utf8_sanitize(in, out, sizeof(out));
		full = utf8_sanitize(in, all, sizeof(all));
		assert_int_equal(len, strlen(out));
		assert_true(utf8_valid(out, len));
		assert_true(utf8_valid(all, full));
		/* A prefix of the whole, short of it by less than one
		 * character (at most 4 bytes) only when that did not fit. */
		assert_memory_equal(out, all, len);
		if (full < sizeof(out))
			assert_int_equal(len, full);
		else
			assert_true(len + 4 >= sizeof(out) - 1);
	}
}

/* "did you mean" for a mistyped long option, never for one given whole
 * (getopt refuses those for a missing argument) or for short options. */
static void
test_option_near_miss(void **state)
{
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "once",	no_argument,		NULL, 'O' },
		{ NULL,		0,			NULL, 0 },
	};

	assert_string_equal(option_near_miss("--jsno", opts), "json");
	assert_string_equal(option_near_miss("--confg=/x", opts), "config");
	assert_string_equal(option_near_miss("--ONCE", opts), "once");
	assert_null(option_near_miss("--config", opts));
	assert_null(option_near_miss("--verbose", opts));
	assert_null(option_near_miss("-x", opts));
	assert_null(option_near_miss("--", opts));
	assert_null(option_near_miss("--=x", opts));
	assert_null(option_near_miss(NULL, opts));
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
		cmocka_unit_test(test_str_escape),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_sanitize),
		cmocka_unit_test(test_utf8_sanitize_cut),
		cmocka_unit_test(test_utf8_sanitize_any),
		cmocka_unit_test(test_option_near_miss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
