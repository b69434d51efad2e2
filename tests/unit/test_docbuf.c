/*
 * daemon/docbuf.c: documents deflated as they are written, whose gzip
 * form and inflated text are both exactly what was written, however it
 * was cut, and which live as long as a reader or a reference does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "docbuf.h"

/* What was written, kept plain to compare. */
struct want {
	char	*p;
	size_t	 len, size;
};

static void
want_add(struct want *w, const char *s, size_t len)
{
	if (w->len + len > w->size) {
		w->size = (w->len + len) * 2;
		w->p = realloc(w->p, w->size);
		assert_non_null(w->p);
	}
	memcpy(w->p + w->len, s, len);
	w->len += len;
}

/* The text every way at once: read back through a reader max bytes at a
 * time, and from the gzip form with zlib. */
static void
assert_doc(struct docbuf *doc, const struct want *w, size_t max)
{
	struct docbuf_reader	*rd = docbuf_reader_new(doc);
	struct evbuffer		*out = evbuffer_new(), *gz = evbuffer_new();
	unsigned char		*plain = malloc(w->len + 1);
	uLongf			 n = w->len + 1;
	z_stream		 z;
	int			 r, fills = 0;

	assert_non_null(rd);
	assert_int_equal(docbuf_length(doc), w->len);
	do {
		r = docbuf_reader_fill(rd, out, max);
		assert_true(r == 0 || r == 1);
		assert_true(evbuffer_get_length(out) <= (size_t)++fills * max);
	} while (r == 0);
	assert_int_equal(docbuf_reader_fill(rd, out, max), 1);
	assert_int_equal(evbuffer_get_length(out), w->len);
	assert_memory_equal(evbuffer_pullup(out, -1), w->p, w->len);
	docbuf_reader_free(rd);

	assert_int_equal(docbuf_share_gzip(doc, gz), 0);
	assert_int_equal(evbuffer_get_length(gz), docbuf_gzlength(doc));
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = evbuffer_pullup(gz, -1);
	z.avail_in = (uInt)evbuffer_get_length(gz);
	z.next_out = plain;
	z.avail_out = (uInt)n;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, w->len);
	assert_int_equal(z.avail_in, 0);
	assert_memory_equal(plain, w->p, w->len);
	inflateEnd(&z);
	free(plain);
	evbuffer_free(out);
	evbuffer_free(gz);
}

static void
test_empty(void **state)
{
	struct docbuf	*doc = docbuf_new(DOCBUF_METRICS);
	struct want	 w = { NULL, 0, 0 };

	docbuf_finish(doc);
	assert_true(docbuf_gzlength(doc) >= 20);	/* gzip's header and trailer */
	assert_doc(doc, &w, 1);
	docbuf_unref(doc);
	assert_int_equal(docbuf_alive(DOCBUF_METRICS), 0);
}

/* Megabytes that do not compress to nothing, written in every way a
 * builder writes: pieces, formatted lines across the stage's end, and a
 * formatted piece larger than the stage. */
static void
test_roundtrip(void **state)
{
	struct docbuf	*doc = docbuf_new(DOCBUF_STATUS);
	struct want	 w = { NULL, 0, 0 };
	char		 line[128], *big;
	unsigned	 x = 12345, i;
	int		 n;

	for (i = 0; i < 200000; i++) {
		x = x * 1103515245 + 12345;
		n = snprintf(line, sizeof(line), "nmigd_x{domain=\"d%u.jp\"} %u\n",
		    i, x >> 8);
		if (i % 3 == 0)
			docbuf_add(doc, line, (size_t)n);
		else
			docbuf_printf(doc, "nmigd_x{domain=\"d%u.jp\"} %u\n", i,
			    x >> 8);
		want_add(&w, line, (size_t)n);
		if (i == 1000) {
			big = malloc(200001);
			memset(big, 'a', 200000);
			big[200000] = '\0';
			docbuf_printf(doc, "%s", big);
			want_add(&w, big, 200000);
			free(big);
		}
	}
	docbuf_finish(doc);
	assert_true(docbuf_gzlength(doc) < w.len / 2);
	assert_doc(doc, &w, 1000);
	assert_doc(doc, &w, 128 * 1024);
	assert_int_equal(docbuf_alive(DOCBUF_STATUS), 1);
	docbuf_unref(doc);
	assert_int_equal(docbuf_alive(DOCBUF_STATUS), 0);
	free(w.p);
}

/* A reader and a response's references keep the document after its
 * builder has let go. */
static void
test_lifetime(void **state)
{
	struct docbuf		*doc = docbuf_new(DOCBUF_SUMMARY);
	struct docbuf_reader	*rd;
	struct evbuffer		*gz = evbuffer_new(), *out = evbuffer_new();

	docbuf_printf(doc, "{\"version\": %d}\n", 1);
	docbuf_finish(doc);
	rd = docbuf_reader_new(doc);
	assert_int_equal(docbuf_share_gzip(doc, gz), 0);
	docbuf_unref(doc);
	assert_int_equal(docbuf_alive(DOCBUF_SUMMARY), 1);
	evbuffer_free(gz);
	assert_int_equal(docbuf_alive(DOCBUF_SUMMARY), 1);
	assert_int_equal(docbuf_reader_fill(rd, out, 4096), 1);
	assert_memory_equal(evbuffer_pullup(out, -1), "{\"version\": 1}\n", 15);
	docbuf_reader_free(rd);
	assert_int_equal(docbuf_alive(DOCBUF_SUMMARY), 0);
	evbuffer_free(out);
}

/* A build given up (a reload) is freed unfinished. */
static void
test_unfinished(void **state)
{
	struct docbuf	*doc = docbuf_new(DOCBUF_METRICS);

	docbuf_printf(doc, "# HELP %s\n", "x");
	docbuf_unref(doc);
	assert_int_equal(docbuf_alive(DOCBUF_METRICS), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_unfinished),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
