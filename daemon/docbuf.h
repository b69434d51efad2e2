/*
 * A text document built once and sent to many clients without copying: an
 * append-only list of chunks with a reference count.  Each response holds
 * references to the chunks in its output evbuffer, so a hundred clients
 * that never read cost one document, not a hundred.
 */
#ifndef NMIGD_DOCBUF_H
#define NMIGD_DOCBUF_H

#include <stddef.h>

#include <event2/buffer.h>

#include "util.h"

struct docbuf;

/* Documents are counted by pool, one per kind of document, so that each
 * builder bounds its own. */
enum docbuf_pool {
	DOCBUF_METRICS,		/* /metrics */
	DOCBUF_STATUS,		/* /status.json */
	DOCBUF_SUMMARY,		/* /status.json?summary */
	DOCBUF_POOLS
};

/* A new, empty document of pool with one reference (the builder's). */
struct docbuf	*docbuf_new(enum docbuf_pool);
/* Documents of pool not yet freed, for their builder to bound. */
unsigned	 docbuf_alive(enum docbuf_pool);
void		 docbuf_add(struct docbuf *, const char *, size_t);
void		 docbuf_printf(struct docbuf *, const char *, ...)
		    NMIG_PRINTF(2, 3);
size_t		 docbuf_length(const struct docbuf *);
/* Append the whole document to out by reference; the document lives at
 * least until out has sent or dropped it.  Not to be added to afterwards.
 * -1 if libevent could not allocate. */
int		 docbuf_share(struct docbuf *, struct evbuffer *out);
/* Drop a reference; the last one frees the document. */
void		 docbuf_unref(struct docbuf *);

#endif
