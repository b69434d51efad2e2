/*
 * /metrics in the Prometheus text format, 0.0.4, from the monitor's model
 * and the prober's counters.  The document is built in slices of a few
 * milliseconds across loop passes, so that probes are sent and answers
 * read while 10,000 domains are written out; requests that come during a
 * build wait for it, and a finished document is served to every request
 * for a second (longer if it took longer to build), shared by reference.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "docbuf.h"
#include "httpd.h"
#include "log.h"
#include "looplag.h"
#include "metrics.h"
#include "metricsdoc.h"
#include "util.h"

/* Work per loop pass: well under the time a probe's answer can wait
 * unread without its RTT being skewed. */
#define METRICS_SLICE_NSEC	(5 * 1000 * 1000)
/* A finished document is served as is for this long, or for as long as
 * it took to build if that is longer: scrapes cost at most one build a
 * second, and never more than half of the loop's time. */
#define METRICS_FRESH_NSEC	(1000 * 1000 * 1000)
/* Documents alive at once: the one being built, the latest, and one held
 * by clients still reading.  At the cap a stale document is served rather
 * than a new one built: clients that connect a second apart and never
 * read would otherwise each pin a document of their own. */
#define METRICS_MAX_DOCS	3

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct build {
	struct docbuf		*doc;		/* NULL: no build running */
	const struct model	*m;
	unsigned		 generation;	/* of m: a reload frees it */
	size_t			 family;	/* metricsdoc.h; all
						 * done at nfamilies */
	size_t			 next;		/* domain */
	int64_t			 started;	/* mono_nsec() */
	unsigned		 slices;
};

struct metrics {
	struct nmigd		*d;
	struct httpd		*httpd;
	struct docbuf		*doc;		/* latest finished, or NULL */
	int64_t			 fresh_until;	/* mono_nsec() */
	struct build		 b;
	struct event		*ev_slice;
	struct http_conn	**waiting;	/* for the build */
	size_t			 nwaiting, waitcap;
};

static void	metrics_serve(struct http_conn *, void *);
static void	metrics_gone(struct http_conn *, void *);
static void	build_slice_cb(evutil_socket_t, short, void *);

static const struct http_route metrics_routes[] = {
	{ "/metrics", metrics_serve, metrics_gone },
};

/* Monotonic nanoseconds, for slices and freshness. */
static int64_t
mono_nsec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Building it in slices. */

static void
build_begin(struct metrics *mt)
{
	struct build		*b = &mt->b;
	struct prober_stats	 st;

	b->doc = docbuf_new();
	b->m = monitor_model(mt->d->monitor);
	b->generation = monitor_generation(mt->d->monitor);
	b->family = 0;
	b->next = 0;
	prober_get_stats(mt->d->prober, &st);
	metricsdoc_head(b->doc, b->m->cfg->vantage, &st, mt->d->looplag,
	    mt->d->monitor);
	metricsdoc_family_head(b->doc, 0);
}

static bool
build_done(const struct build *b)
{
	return b->family == metricsdoc_nfamilies();
}

/* One domain of the current family, or on to the next family. */
static void
build_step(struct build *b, time_t now)
{
	if (b->next == b->m->nw) {
		b->next = 0;
		if (++b->family < metricsdoc_nfamilies())
			metricsdoc_family_head(b->doc, b->family);
		return;
	}
	metricsdoc_family_domain(b->doc, b->family, b->m, &b->m->w[b->next],
	    now);
	b->next++;
}

static void
metrics_reply(struct http_conn *hc, struct docbuf *doc)
{
	struct evbuffer	*body;

	if ((body = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new", __func__);
	if (docbuf_share(doc, body) == 0)
		httpd_reply(hc, 200, METRICS_CONTENT_TYPE, body);
	else {
		log_warnx("metrics: out of memory for a response");
		evbuffer_drain(body, evbuffer_get_length(body));
		httpd_reply(hc, 500, "text/plain; charset=utf-8", body);
	}
	evbuffer_free(body);
}

static void
build_finish(struct metrics *mt)
{
	int64_t	now = mono_nsec(), took = now - mt->b.started;
	size_t	i;

	mt->fresh_until = now +
	    (took > METRICS_FRESH_NSEC ? took : METRICS_FRESH_NSEC);
	docbuf_unref(mt->doc);
	mt->doc = mt->b.doc;
	mt->b.doc = NULL;
	log_debug("metrics: %zu bytes built in %lld ms, %u slices",
	    docbuf_length(mt->doc), (long long)(took / 1000000), mt->b.slices);
	for (i = 0; i < mt->nwaiting; i++)
		metrics_reply(mt->waiting[i], mt->doc);
	mt->nwaiting = 0;
}

static void
build_slice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics	*mt = arg;
	struct timeval	 now_tv = { 0, 0 };
	int64_t		 end = mono_nsec() + METRICS_SLICE_NSEC;
	time_t		 now = time(NULL);

	/* A reload freed the model the build was walking: start over on
	 * the new one, so that the document is of one configuration. */
	if (mt->b.generation != monitor_generation(mt->d->monitor)) {
		log_debug("metrics: configuration reloaded; build restarted");
		docbuf_unref(mt->b.doc);
		build_begin(mt);
	}
	mt->b.slices++;
	while (!build_done(&mt->b) && mono_nsec() < end)
		build_step(&mt->b, now);
	if (build_done(&mt->b))
		build_finish(mt);
	else
		evtimer_add(mt->ev_slice, &now_tv);	/* after pending I/O */
}

static void
build_start(struct metrics *mt)
{
	struct timeval	now_tv = { 0, 0 };

	mt->b.started = mono_nsec();
	mt->b.slices = 0;
	build_begin(mt);
	evtimer_add(mt->ev_slice, &now_tv);
}

/* Serving. */

static int
doc_fresh(const struct metrics *mt)
{
	return mono_nsec() < mt->fresh_until;
}

static void
metrics_serve(struct http_conn *hc, void *arg)
{
	struct metrics	*mt = arg;

	if (mt->b.doc == NULL && mt->doc != NULL &&
	    (doc_fresh(mt) || docbuf_alive() >= METRICS_MAX_DOCS)) {
		metrics_reply(hc, mt->doc);
		return;
	}
	if (mt->nwaiting == mt->waitcap) {
		mt->waitcap = mt->waitcap ? mt->waitcap * 2 : 8;
		mt->waiting = xreallocarray(mt->waiting, mt->waitcap,
		    sizeof(*mt->waiting));
	}
	mt->waiting[mt->nwaiting++] = hc;
	if (mt->b.doc == NULL)
		build_start(mt);
}

static void
metrics_gone(struct http_conn *hc, void *arg)
{
	struct metrics	*mt = arg;
	size_t		 i;

	for (i = 0; i < mt->nwaiting; i++)
		if (mt->waiting[i] == hc) {
			mt->waiting[i] = mt->waiting[--mt->nwaiting];
			return;
		}
}

struct metrics *
metrics_listen(struct nmigd *d, const char *hostport)
{
	struct metrics	*mt;

	mt = xcalloc(1, sizeof(*mt));
	mt->d = d;
	if ((mt->ev_slice = evtimer_new(d->base, build_slice_cb, mt)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	mt->httpd = httpd_listen(d->base, hostport, metrics_routes,
	    sizeof(metrics_routes) / sizeof(metrics_routes[0]), mt);
	if (mt->httpd == NULL) {
		metrics_free(mt);
		return NULL;
	}
	log_info("metrics on http://%s/metrics", hostport);
	return mt;
}

void
metrics_free(struct metrics *mt)
{
	if (mt == NULL)
		return;
	/* The connections first: those waiting leave the list. */
	httpd_free(mt->httpd);
	event_free(mt->ev_slice);
	docbuf_unref(mt->b.doc);
	docbuf_unref(mt->doc);
	free(mt->waiting);
	free(mt);
}
