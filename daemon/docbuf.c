/*
 * Shared documents, held gzip-compressed.  What the builder writes goes
 * to a small plain stage, deflated into the gzip form each time it fills
 * (DOCBUF_STAGE); the gzip form is chunks of DOCBUF_CHUNK bytes, each
 * handed to libevent with evbuffer_add_reference().  libevent calls the
 * cleanup callback once per chunk when a response has sent it or is
 * freed; each such reference, and each reader, counts against the whole
 * document, which is freed with the last.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "docbuf.h"
#include "log.h"

/* Large enough that a multi-megabyte document is a hundred chunks and
 * each client's output buffer holds a hundred small references, not a
 * thousand; small enough that the last chunk's slack does not matter. */
#define DOCBUF_CHUNK	(64 * 1024)
/* Plain bytes deflated at once: a deflate() call per 64 KiB costs next to
 * nothing, and a piece of the document (a domain's series) always fits. */
#define DOCBUF_STAGE	(64 * 1024)
/* zlib's level 1: /metrics at 10,000 domains (24.7 MB) deflates to 1.08
 * MB, a 23rd, in 77 ms of CPU; level 6 saves 9% more for three times the
 * CPU, level 9 14% for eleven times (bench/gzlevel.c, bench/RESULTS.md).
 * The CPU is what W2 is short of; the memory saved is nearly all won at
 * level 1. */
#define DOCBUF_LEVEL	1
/* windowBits for a gzip wrapper (RFC 1952) around a 32 KiB window. */
#define DOCBUF_GZIP	(15 + 16)

struct chunk {
	char	*p;
	size_t	 len, size;
};

struct docbuf {
	unsigned	 refs;
	enum docbuf_pool pool;
	struct chunk	*v;		/* the gzip form */
	size_t		 n, cap;
	size_t		 len;		/* plain */
	size_t		 gzlen;
	z_stream	*z;		/* until finished */
	char		*stage;
	size_t		 staged;
};

struct docbuf_reader {
	struct docbuf	*doc;
	z_stream	 z;
	size_t		 next;		/* chunk to inflate */
	bool		 done;
};

/* Not a field of the documents' owners: libevent may release the last
 * references after an owner is gone, from event_base_free(). */
static unsigned	docbuf_nalive[DOCBUF_POOLS];

struct docbuf *
docbuf_new(enum docbuf_pool pool)
{
	struct docbuf	*doc = xcalloc(1, sizeof(*doc));

	if ((unsigned)pool >= DOCBUF_POOLS)
		fatalx("%s: pool %u", __func__, (unsigned)pool);
	doc->refs = 1;
	doc->pool = pool;
	doc->z = xcalloc(1, sizeof(*doc->z));
	/* As xcalloc: a builder cannot go on without memory. */
	if (deflateInit2(doc->z, DOCBUF_LEVEL, Z_DEFLATED, DOCBUF_GZIP, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		fatalx("%s: deflateInit2: out of memory", __func__);
	doc->stage = xcalloc(1, DOCBUF_STAGE);
	docbuf_nalive[pool]++;
	return doc;
}

unsigned
docbuf_alive(enum docbuf_pool pool)
{
	return (unsigned)pool < DOCBUF_POOLS ? docbuf_nalive[pool] : 0;
}

/* The last chunk, with room for a byte at least. */
static struct chunk *
docbuf_room(struct docbuf *doc)
{
	struct chunk	*c = doc->n > 0 ? &doc->v[doc->n - 1] : NULL;

	if (c != NULL && c->len < c->size)
		return c;
	if (doc->n == doc->cap) {
		doc->cap = doc->cap ? doc->cap * 2 : 16;
		doc->v = xreallocarray(doc->v, doc->cap, sizeof(*doc->v));
	}
	c = &doc->v[doc->n++];
	c->size = DOCBUF_CHUNK;
	c->p = xcalloc(1, c->size);
	c->len = 0;
	return c;
}

/* Deflate the stage into the chunks; flush is Z_NO_FLUSH, or Z_FINISH
 * for the end of the stream. */
static void
docbuf_deflate(struct docbuf *doc, int flush)
{
	z_stream	*z = doc->z;
	struct chunk	*c;
	size_t		 before;
	int		 r;

	z->next_in = (Bytef *)doc->stage;
	z->avail_in = (uInt)doc->staged;
	do {
		c = docbuf_room(doc);
		z->next_out = (Bytef *)c->p + c->len;
		z->avail_out = (uInt)(c->size - c->len);
		before = z->avail_out;
		r = deflate(z, flush);
		if (r == Z_STREAM_ERROR)
			fatalx("%s: deflate: %s", __func__, z->msg ? z->msg : "");
		c->len += before - z->avail_out;
		doc->gzlen += before - z->avail_out;
	} while (z->avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
	doc->staged = 0;
}

void
docbuf_add(struct docbuf *doc, const char *s, size_t len)
{
	size_t	n;

	doc->len += len;
	while (len > 0) {
		if (doc->staged == DOCBUF_STAGE)
			docbuf_deflate(doc, Z_NO_FLUSH);
		n = DOCBUF_STAGE - doc->staged < len ?
		    DOCBUF_STAGE - doc->staged : len;
		memcpy(doc->stage + doc->staged, s, n);
		doc->staged += n;
		s += n;
		len -= n;
	}
}

/* vsnprintf cannot resume where it stopped: a piece that does not fit in
 * the stage is formatted again once the stage is deflated, or into a
 * buffer of its own if it is larger than the stage. */
void
docbuf_printf(struct docbuf *doc, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room = DOCBUF_STAGE - doc->staged;
	char	*big;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(doc->stage + doc->staged, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("%s", __func__);
	if ((size_t)n < room) {
		doc->staged += (size_t)n;
		doc->len += (size_t)n;
		return;
	}
	docbuf_deflate(doc, Z_NO_FLUSH);
	big = (size_t)n < DOCBUF_STAGE ? doc->stage : xcalloc(1, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (big == doc->stage) {
		doc->staged = (size_t)n;
		doc->len += (size_t)n;
		return;
	}
	docbuf_add(doc, big, (size_t)n);
	free(big);
}

static void
docbuf_end_stream(struct docbuf *doc)
{
	deflateEnd(doc->z);
	free(doc->z);
	doc->z = NULL;
	free(doc->stage);
	doc->stage = NULL;
}

void
docbuf_finish(struct docbuf *doc)
{
	struct chunk	*c;

	if (doc->z == NULL)
		fatalx("%s: finished twice", __func__);
	docbuf_deflate(doc, Z_FINISH);
	docbuf_end_stream(doc);
	/* The last chunk's slack, up to 64 KiB a document, back. */
	c = &doc->v[doc->n - 1];
	if (c->len == 0) {
		free(c->p);
		doc->n--;
	} else if (c->len < c->size) {
		c->p = xreallocarray(c->p, c->len, 1);
		c->size = c->len;
	}
}

size_t
docbuf_length(const struct docbuf *doc)
{
	return doc->len;
}

size_t
docbuf_gzlength(const struct docbuf *doc)
{
	return doc->gzlen;
}

void
docbuf_unref(struct docbuf *doc)
{
	size_t	i;

	if (doc == NULL || --doc->refs > 0)
		return;
	if (doc->z != NULL)
		docbuf_end_stream(doc);		/* a build given up */
	for (i = 0; i < doc->n; i++)
		free(doc->v[i].p);
	free(doc->v);
	docbuf_nalive[doc->pool]--;
	free(doc);
}

static void
docbuf_chunk_sent_cb(const void *data, size_t len, void *arg)
{
	docbuf_unref(arg);
}

int
docbuf_share_gzip(struct docbuf *doc, struct evbuffer *out)
{
	size_t	i;

	if (doc->z != NULL)
		fatalx("%s: not finished", __func__);
	for (i = 0; i < doc->n; i++) {
		if (doc->v[i].len == 0)
			continue;
		if (evbuffer_add_reference(out, doc->v[i].p, doc->v[i].len,
		    docbuf_chunk_sent_cb, doc) == -1)
			return -1;
		doc->refs++;
	}
	return 0;
}

struct docbuf_reader *
docbuf_reader_new(struct docbuf *doc)
{
	struct docbuf_reader	*r = xcalloc(1, sizeof(*r));

	if (doc->z != NULL)
		fatalx("%s: not finished", __func__);
	if (inflateInit2(&r->z, DOCBUF_GZIP) != Z_OK) {
		log_warnx("%s: inflateInit2: out of memory", __func__);
		free(r);
		return NULL;
	}
	r->doc = doc;
	doc->refs++;
	return r;
}

int
docbuf_reader_fill(struct docbuf_reader *r, struct evbuffer *out,
    size_t max)
{
	struct evbuffer_iovec	 vec;
	const struct docbuf	*doc = r->doc;
	int			 z = Z_OK;

	if (r->done)
		return 1;
	if (evbuffer_reserve_space(out, (ev_ssize_t)max, &vec, 1) < 1) {
		log_warnx("%s: out of memory", __func__);
		return -1;
	}
	r->z.next_out = vec.iov_base;
	r->z.avail_out = (uInt)max;
	while (r->z.avail_out > 0 && z != Z_STREAM_END) {
		while (r->z.avail_in == 0 && r->next < doc->n) {
			r->z.next_in = (Bytef *)doc->v[r->next].p;
			r->z.avail_in = (uInt)doc->v[r->next].len;
			r->next++;
		}
		z = inflate(&r->z, Z_NO_FLUSH);
		/* Our own deflate's output: anything but progress is a
		 * broken document (or no memory for inflate's window). */
		if (z != Z_OK && z != Z_STREAM_END) {
			log_warnx("%s: inflate: %s", __func__,
			    r->z.msg != NULL ? r->z.msg : zError(z));
			vec.iov_len = 0;
			evbuffer_commit_space(out, &vec, 1);
			return -1;
		}
	}
	vec.iov_len = max - r->z.avail_out;
	if (evbuffer_commit_space(out, &vec, 1) == -1)
		return -1;
	r->done = z == Z_STREAM_END;
	return r->done;
}

void
docbuf_reader_free(struct docbuf_reader *r)
{
	if (r == NULL)
		return;
	inflateEnd(&r->z);
	docbuf_unref(r->doc);
	free(r);
}
