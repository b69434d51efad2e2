/*
 * Documents built in slices and served shared; see docserve.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "docserve.h"
#include "log.h"
#include "util.h"

/* Work per loop pass and document being built (/metrics and the two
 * /status.json, at most 15 ms a pass if all are): well under the time a
 * probe's answer can wait unread without its RTT being skewed. */
#define DOCSERVE_SLICE_NSEC	(5 * 1000 * 1000)
/* A finished document is served as is for this long, or for as long as
 * it took to build if that is longer: requests cost at most one build of
 * each kind a second, and each kind never more than half of the loop's
 * time. */
#define DOCSERVE_FRESH_NSEC	(1000 * 1000 * 1000)
/* Documents of one kind alive at once: the one being built, the latest,
 * and one held by clients still reading.  At the cap a stale document is
 * served rather than a new one built: clients that connect a second apart
 * and never read would otherwise each pin a document of their own. */
#define DOCSERVE_MAX_DOCS	3

struct docserve {
	const struct docserve_ops *ops;
	void			*arg;
	struct docbuf		*doc;		/* latest finished, or NULL */
	int64_t			 fresh_until;	/* mono_nsec() */
	struct docbuf		*building;	/* NULL: no build running */
	unsigned		 generation;	/* of the build */
	bool			 follows;	/* the writer follows a reload */
	int64_t			 started;	/* mono_nsec() */
	unsigned		 slices;
	struct event		*ev_slice;
	struct http_conn	**waiting;	/* for the build */
	size_t			 nwaiting, waitcap;
};

static void	build_slice_timo(evutil_socket_t, short, void *);

/* Monotonic nanoseconds, for slices and freshness. */
static int64_t
mono_nsec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
plain_fill(void *arg, struct evbuffer *out, size_t max)
{
	return docbuf_reader_fill(arg, out, max);
}

static void
plain_release(void *arg)
{
	docbuf_reader_free(arg);
}

/* A client that takes no gzip gets the text inflated as it reads. */
static const struct http_stream plain_stream = {
	.fill = plain_fill,
	.release = plain_release,
};

static void
reply_failed(struct docserve *ds, struct http_conn *hc)
{
	struct evbuffer	*body;

	log_warnx("%s: out of memory for a response", ds->ops->name);
	if ((body = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new", __func__);
	httpd_reply(hc, 500, "text/plain; charset=utf-8", body);
	evbuffer_free(body);
}

static void
reply_doc(struct docserve *ds, struct http_conn *hc, struct docbuf *doc)
{
	struct docbuf_reader	*rd;
	struct evbuffer		*body;

	if (!httpd_takes_gzip(hc)) {
		if ((rd = docbuf_reader_new(doc)) == NULL)
			reply_failed(ds, hc);
		else
			httpd_reply_stream(hc, ds->ops->content_type,
			    docbuf_length(doc), &plain_stream, rd);
		return;
	}
	if ((body = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new", __func__);
	if (docbuf_share_gzip(doc, body) == 0)
		httpd_reply_gzip(hc, ds->ops->content_type, body);
	else {
		evbuffer_drain(body, evbuffer_get_length(body));
		reply_failed(ds, hc);
	}
	evbuffer_free(body);
}

static void
build_begin(struct docserve *ds, time_t now)
{
	ds->building = docbuf_new(ds->ops->pool);
	ds->generation = ds->ops->generation(ds->arg);
	ds->ops->begin(ds->building, ds->arg, now);
}

static void
build_finish(struct docserve *ds)
{
	int64_t	now = mono_nsec(), took = now - ds->started;
	size_t	i;

	ds->fresh_until = now +
	    (took > DOCSERVE_FRESH_NSEC ? took : DOCSERVE_FRESH_NSEC);
	docbuf_finish(ds->building);
	docbuf_unref(ds->doc);
	ds->doc = ds->building;
	ds->building = NULL;
	log_debug("%s: %zu bytes (%zu gzip) built in %lld ms, %u slices",
	    ds->ops->name, docbuf_length(ds->doc), docbuf_gzlength(ds->doc),
	    (long long)(took / 1000000), ds->slices);
	for (i = 0; i < ds->nwaiting; i++)
		reply_doc(ds, ds->waiting[i], ds->doc);
	ds->nwaiting = 0;
}

static void
build_slice_timo(evutil_socket_t fd, short what, void *arg)
{
	struct docserve	*ds = arg;
	struct timeval	 now_tv = { 0, 0 };
	int64_t		 end = mono_nsec() + DOCSERVE_SLICE_NSEC;
	time_t		 now = time(NULL);
	bool		 done = false;

	/* A reload freed the model the build was walking: go on with the
	 * new one if the writer was told, else start over on it. */
	if (ds->generation != ds->ops->generation(ds->arg)) {
		if (ds->follows)
			ds->generation = ds->ops->generation(ds->arg);
		else {
			log_debug("%s: configuration reloaded; build "
			    "restarted", ds->ops->name);
			docbuf_unref(ds->building);
			build_begin(ds, now);
		}
	}
	ds->follows = false;
	ds->slices++;
	while (!done && mono_nsec() < end)
		done = ds->ops->step(ds->building, ds->arg, now);
	if (done)
		build_finish(ds);
	else
		evtimer_add(ds->ev_slice, &now_tv);	/* after pending I/O */
}

static void
build_start(struct docserve *ds)
{
	struct timeval	now_tv = { 0, 0 };

	/* The stale document is not kept while its successor is built:
	 * requests wait for the build anyway, clients still reading it hold
	 * their own references, and /metrics at 100,000 domains is 247 MB
	 * plain (two of which at once were a third of the daemon's peak
	 * memory before documents were held compressed). */
	docbuf_unref(ds->doc);
	ds->doc = NULL;
	ds->started = mono_nsec();
	ds->slices = 0;
	build_begin(ds, time(NULL));
	evtimer_add(ds->ev_slice, &now_tv);
}

void
docserve_request(struct docserve *ds, struct http_conn *hc)
{
	if (ds->building == NULL && ds->doc != NULL &&
	    (mono_nsec() < ds->fresh_until ||
	    docbuf_alive(ds->ops->pool) >= DOCSERVE_MAX_DOCS)) {
		reply_doc(ds, hc, ds->doc);
		return;
	}
	if (ds->nwaiting == ds->waitcap) {
		ds->waitcap = ds->waitcap ? ds->waitcap * 2 : 8;
		ds->waiting = xreallocarray(ds->waiting, ds->waitcap,
		    sizeof(*ds->waiting));
	}
	ds->waiting[ds->nwaiting++] = hc;
	if (ds->building == NULL)
		build_start(ds);
}

void
docserve_gone(struct docserve *ds, struct http_conn *hc)
{
	size_t	i;

	for (i = 0; i < ds->nwaiting; i++)
		if (ds->waiting[i] == hc) {
			ds->waiting[i] = ds->waiting[--ds->nwaiting];
			return;
		}
}

void
docserve_reloading(struct docserve *ds)
{
	if (ds->building == NULL || ds->ops->reloading == NULL)
		return;
	ds->ops->reloading(ds->arg);
	ds->follows = true;
}

struct docserve *
docserve_new(struct event_base *base, const struct docserve_ops *ops,
    void *arg)
{
	struct docserve	*ds = xcalloc(1, sizeof(*ds));

	ds->ops = ops;
	ds->arg = arg;
	if ((ds->ev_slice = evtimer_new(base, build_slice_timo, ds)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	return ds;
}

void
docserve_free(struct docserve *ds)
{
	if (ds == NULL)
		return;
	event_free(ds->ev_slice);
	docbuf_unref(ds->building);
	docbuf_unref(ds->doc);
	free(ds->waiting);
	free(ds);
}
