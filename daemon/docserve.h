/*
 * A document served over HTTP that is too large to build in one go (the
 * metrics, the web view's status.json): built a few milliseconds at a time
 * across loop passes, so that probes are sent and answers read meanwhile;
 * requests that come during a build wait for it, and a finished document
 * is served to every request while fresh, shared by reference: gzip to a
 * request that takes it, else inflated as the client reads (docbuf.h).
 */
#ifndef NMIGD_DOCSERVE_H
#define NMIGD_DOCSERVE_H

#include <stdbool.h>
#include <time.h>

#include <event2/event.h>

#include "docbuf.h"
#include "httpd.h"

struct docserve_ops {
	const char	*name;		/* for the log: "metrics" */
	const char	*content_type;
	enum docbuf_pool pool;		/* of its documents */
	/* A new document: write its head, rewind the writer's cursor. */
	void		(*begin)(struct docbuf *, void *arg, time_t now);
	/* Write the next piece: true once the document is complete.  It
	 * cannot fail: docbuf_add() does not. */
	bool		(*step)(struct docbuf *, void *arg, time_t now);
	/* Of what is written (the monitor's model): a change during a
	 * build starts it over, so that a document is of one config... */
	unsigned	(*generation)(void *arg);
	/* ...unless the writer can go on with the new model: then this is
	 * called before the model is replaced (docserve_reloading()), and
	 * reloads that come faster than a build takes cannot starve it. */
	void		(*reloading)(void *arg);
};

struct docserve	*docserve_new(struct event_base *, const struct docserve_ops *,
		    void *arg);
/* After the connections waiting are gone (httpd_free()). */
void		 docserve_free(struct docserve *);
/* A route's serve and gone (httpd.h). */
void		 docserve_request(struct docserve *, struct http_conn *);
void		 docserve_gone(struct docserve *, struct http_conn *);
/* The monitor's model is about to be replaced by a reload. */
void		 docserve_reloading(struct docserve *);

#endif
