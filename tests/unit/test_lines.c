/*
 * lib/lines.c: the line reader of nmigd.conf and resolvers.conf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "util.h"

struct want {
	enum line_status	 st;
	const char		*text;	/* for LINE_OK */
	int			 line;
};

/* Read len bytes of data with max and compare every line with want[];
 * the errors reported must be errs[] (NULL-terminated). */
static void
read_all(const char *data, size_t len, size_t max, const struct want *want,
    size_t nwant, const char *const *errs)
{
	struct errlist		 e = { NULL, 0 };
	struct lines		 in;
	enum line_status	 st;
	FILE			*fp;
	char			*s, *copy;
	size_t			 i = 0;

	/* fmemopen() of zero bytes fails; an empty file is read from
	 * /dev/null instead. */
	copy = malloc(len + 1);
	memcpy(copy, data, len);
	fp = len > 0 ? fmemopen(copy, len, "r") : fopen("/dev/null", "r");
	assert_non_null(fp);
	lines_begin(&in, fp, "f", &e, max);
	while ((st = lines_next(&in, &s)) != LINE_END) {
		assert_true(i < nwant);
		assert_int_equal(st, want[i].st);
		assert_int_equal(in.line, want[i].line);
		if (st == LINE_OK)
			assert_string_equal(s, want[i].text);
		else
			assert_null(s);
		i++;
	}
	assert_int_equal(i, nwant);
	assert_null(s);
	lines_end(&in);
	fclose(fp);
	free(copy);
	for (i = 0; errs[i] != NULL; i++) {
		assert_true(i < e.n);
		assert_string_equal(e.msg[i], errs[i]);
	}
	assert_int_equal(e.n, i);
	errlist_free(&e);
}

#define NOERRS		((const char *const[]){ NULL })
#define WANT(...)	(const struct want[]){ __VA_ARGS__ }
#define NWANT(...)	(sizeof((const struct want[]){ __VA_ARGS__ }) / \
			    sizeof(struct want))
#define READ(data, max, errs, ...)					\
	read_all(data, sizeof(data) - 1, max, WANT(__VA_ARGS__),	\
	    NWANT(__VA_ARGS__), errs)

static void
test_plain(void **state)
{
	READ("a\n\n  b c \n", 0, NOERRS,
	    { LINE_OK, "a", 1 }, { LINE_OK, "", 2 }, { LINE_OK, "  b c ", 3 });
	/* The last line needs no line end. */
	READ("a\nb", 0, NOERRS, { LINE_OK, "a", 1 }, { LINE_OK, "b", 2 });
	READ("only", 0, NOERRS, { LINE_OK, "only", 1 });
	read_all("", 0, 0, NULL, 0, NOERRS);
}

static void
test_crlf(void **state)
{
	READ("a\r\nb\r\n\r\nc", 0, NOERRS, { LINE_OK, "a", 1 },
	    { LINE_OK, "b", 2 }, { LINE_OK, "", 3 }, { LINE_OK, "c", 4 });
	/* Every CR at the end goes; one inside the line stays, for the
	 * caller to judge. */
	READ("a\r\r\nb\rc\n", 0, NOERRS, { LINE_OK, "a", 1 },
	    { LINE_OK, "b\rc", 2 });
	READ("a\r", 0, NOERRS, { LINE_OK, "a", 1 });
}

static void
test_bom(void **state)
{
	/* On the first line only: later it is text like any other. */
	READ("\xef\xbb\xbf" "a\n\xef\xbb\xbf" "b\n", 0, NOERRS,
	    { LINE_OK, "a", 1 }, { LINE_OK, "\xef\xbb\xbf" "b", 2 });
	READ("\xef\xbb\xbf", 0, NOERRS, { LINE_OK, "", 1 });
	READ("\xef\xbb", 0, NOERRS, { LINE_OK, "\xef\xbb", 1 });
}

static void
test_nul(void **state)
{
	/* Reported at its line; the lines after keep their numbers. */
	READ("a\0b\nc\n\0\nd", 0,
	    ((const char *const[]){ "f:1: NUL byte in line",
	    "f:3: NUL byte in line", NULL }),
	    { LINE_BAD, NULL, 1 }, { LINE_OK, "c", 2 },
	    { LINE_BAD, NULL, 3 }, { LINE_OK, "d", 4 });
	/* A NUL after the last line end is a line of its own. */
	READ("a\n\0", 0, ((const char *const[]){ "f:2: NUL byte in line",
	    NULL }), { LINE_OK, "a", 1 }, { LINE_BAD, NULL, 2 });
}

static void
test_long(void **state)
{
	struct want	 w[] = { { LINE_OK, NULL, 1 } };
	char		*big, *text;
	size_t		 n = 100000;

	/* The limit counts the text, not the line end or a BOM. */
	READ("0123456789\n01234567890\n0123456789\r\nx", 10,
	    ((const char *const[]){ "f:2: line too long (more than 10 bytes)",
	    NULL }),
	    { LINE_OK, "0123456789", 1 }, { LINE_BAD, NULL, 2 },
	    { LINE_OK, "0123456789", 3 }, { LINE_OK, "x", 4 });
	READ("\xef\xbb\xbf" "0123456789", 10, NOERRS,
	    { LINE_OK, "0123456789", 1 });

	/* No limit: a line of any length, whole. */
	big = malloc(n + 2);
	memset(big, 'x', n);
	strcpy(big + n, "\n");
	text = strndup(big, n);
	w[0].text = text;
	read_all(big, n + 1, 0, w, 1, NOERRS);
	free(text);
	free(big);
}

static void
test_read_error(void **state)
{
	struct errlist	 e = { NULL, 0 };
	struct lines	 in;
	FILE		*fp;
	char		*s;

	/* A directory opens for reading but fails at the first read. */
	assert_non_null(fp = fopen("/", "r"));
	lines_begin(&in, fp, "f", &e, 0);
	assert_int_equal(lines_next(&in, &s), LINE_END);
	assert_null(s);
	lines_end(&in);
	fclose(fp);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], "f: read error: Is a directory");
	errlist_free(&e);
}

/* A file that is not there: an error, unless it may be missing (a
 * drop-in removed while a reload lists the directory). */
static void
test_missing(void **state)
{
	struct errlist	e = { NULL, 0 };
	const char	*path = "/nonexistent/nmigd-test/x.conf";

	assert_null(lines_open(path, LINES_MISSING_OK, &e));
	assert_int_equal(e.n, 0);
	assert_null(lines_open(path, 0, &e));
	assert_int_equal(e.n, 1);
	assert_non_null(strstr(e.msg[0], "cannot open: No such file"));
	errlist_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
