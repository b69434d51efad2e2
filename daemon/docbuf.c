/*
 * Shared documents: chunks of DOCBUF_CHUNK bytes, each handed to libevent
 * with evbuffer_add_reference().  libevent calls the cleanup callback once
 * per chunk when a response has sent it or is freed; each such reference
 * counts against the whole document, which is freed with the last.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docbuf.h"
#include "log.h"

/* Large enough that a multi-megabyte document is a hundred chunks and
 * each client's output buffer holds a hundred small references, not a
 * thousand; small enough that the last chunk's slack does not matter. */
#define DOCBUF_CHUNK	(64 * 1024)

struct chunk {
	char	*p;
	size_t	 len, size;
};

struct docbuf {
	unsigned	 refs;
	enum docbuf_pool pool;
	struct chunk	*v;
	size_t		 n, cap;
	size_t		 len;
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
	docbuf_nalive[pool]++;
	return doc;
}

unsigned
docbuf_alive(enum docbuf_pool pool)
{
	return (unsigned)pool < DOCBUF_POOLS ? docbuf_nalive[pool] : 0;
}

/* A chunk with room for at least need bytes. */
static struct chunk *
docbuf_room(struct docbuf *doc, size_t need)
{
	struct chunk	*c = doc->n > 0 ? &doc->v[doc->n - 1] : NULL;

	if (c != NULL && c->size - c->len >= need)
		return c;
	if (doc->n == doc->cap) {
		doc->cap = doc->cap ? doc->cap * 2 : 16;
		doc->v = xreallocarray(doc->v, doc->cap, sizeof(*doc->v));
	}
	c = &doc->v[doc->n++];
	c->size = need > DOCBUF_CHUNK ? need : DOCBUF_CHUNK;
	c->p = xcalloc(1, c->size);
	c->len = 0;
	return c;
}

void
docbuf_add(struct docbuf *doc, const char *s, size_t len)
{
	struct chunk	*c;
	size_t		 n;

	while (len > 0) {
		c = docbuf_room(doc, 1);
		n = c->size - c->len < len ? c->size - c->len : len;
		memcpy(c->p + c->len, s, n);
		c->len += n;
		doc->len += n;
		s += n;
		len -= n;
	}
}

/* vsnprintf cannot resume where it stopped: a piece that does not fit in
 * the last chunk is formatted again at the start of a new one. */
void
docbuf_printf(struct docbuf *doc, const char *fmt, ...)
{
	va_list		 ap;
	struct chunk	*c = docbuf_room(doc, 1);
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(c->p + c->len, c->size - c->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("%s", __func__);
	if ((size_t)n >= c->size - c->len) {
		c = docbuf_room(doc, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(c->p + c->len, c->size - c->len, fmt, ap);
		va_end(ap);
	}
	c->len += (size_t)n;
	doc->len += (size_t)n;
}

size_t
docbuf_length(const struct docbuf *doc)
{
	return doc->len;
}

void
docbuf_unref(struct docbuf *doc)
{
	size_t	i;

	if (doc == NULL || --doc->refs > 0)
		return;
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
docbuf_share(struct docbuf *doc, struct evbuffer *out)
{
	size_t	i;

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
