/*
 * A text document built once and sent to many clients: written a piece at
 * a time and deflated as it is written, so that only its gzip form is ever
 * held whole (/metrics at 100,000 domains is 247 MB plain).  The gzip
 * form is an append-only list of chunks with a reference count: each
 * response that sends it gzip holds references to the chunks in its
 * output evbuffer, so a hundred clients that never read cost one
 * document, not a hundred.  A client that takes no gzip reads the plain
 * text through a reader, inflated a bounded piece at a time.
 */
#ifndef NMIGD_DOCBUF_H
#define NMIGD_DOCBUF_H

#include <stddef.h>

#include <event2/buffer.h>

#include "util.h"

struct docbuf;
struct docbuf_reader;

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
/* The document is complete: ends its gzip stream.  Not to be added to
 * afterwards; the calls below but docbuf_length() need it. */
void		 docbuf_finish(struct docbuf *);
/* Plain bytes written, and bytes of the gzip form once finished. */
size_t		 docbuf_length(const struct docbuf *);
size_t		 docbuf_gzlength(const struct docbuf *);
/* Append the gzip form to out by reference; the document lives at least
 * until out has sent or dropped it.  -1 if libevent could not allocate. */
int		 docbuf_share_gzip(struct docbuf *, struct evbuffer *out);
/* The plain text, for one client: the reader holds a reference to the
 * document.  NULL after logging if zlib could not allocate. */
struct docbuf_reader *docbuf_reader_new(struct docbuf *);
/* Inflate up to max more plain bytes onto out: 1 once the whole text is
 * out, 0 while there is more, -1 after logging when it cannot. */
int		 docbuf_reader_fill(struct docbuf_reader *, struct evbuffer *out,
		    size_t max);
void		 docbuf_reader_free(struct docbuf_reader *);
/* Drop a reference; the last one frees the document. */
void		 docbuf_unref(struct docbuf *);

#endif
