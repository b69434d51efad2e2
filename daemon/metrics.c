/*
 * /metrics in the Prometheus text format, 0.0.4, from the monitor's model
 * and the prober's counters, written a family and a domain at a time by
 * daemon/docserve.c, which builds it across loop passes and shares it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include "docbuf.h"
#include "docserve.h"
#include "looplag.h"
#include "metrics.h"
#include "metricsdoc.h"
#include "util.h"

/* The writer's cursor. */
struct build {
	const struct model	*m;
	size_t			 family;	/* metricsdoc.h; all
						 * done at nfamilies */
	size_t			 nfamilies;	/* the model's config's */
	size_t			 next;		/* domain */
};

struct metrics {
	struct nmigd		*d;
	struct build		 b;
	struct docserve		*ds;
};

static void
build_begin(struct docbuf *doc, void *arg, time_t now)
{
	struct metrics		*mt = arg;
	struct build		*b = &mt->b;
	struct prober_stats	 st;

	b->m = monitor_model(mt->d->monitor);
	b->nfamilies = metricsdoc_nfamilies(b->m->cfg->metrics_detail);
	b->family = 0;
	b->next = 0;
	prober_get_stats(mt->d->prober, &st);
	metricsdoc_head(doc, b->m->cfg->vantage, &st, mt->d->looplag,
	    mt->d->monitor);
	metricsdoc_family_head(doc, 0);
}

/* One domain of the current family, or on to the next family: true once
 * every family is written. */
static bool
build_step(struct docbuf *doc, void *arg, time_t now)
{
	struct build	*b = &((struct metrics *)arg)->b;

	if (b->next == b->m->nw) {
		b->next = 0;
		if (++b->family < b->nfamilies)
			metricsdoc_family_head(doc, b->family);
		return b->family == b->nfamilies;
	}
	metricsdoc_family_domain(doc, b->family, b->m, &b->m->w[b->next],
	    now);
	b->next++;
	return false;
}

static unsigned
build_generation(void *arg)
{
	return monitor_generation(((struct metrics *)arg)->d->monitor);
}

static const struct docserve_ops metrics_ops = {
	.name = "metrics",
	.content_type = "text/plain; version=0.0.4; charset=utf-8",
	.pool = DOCBUF_METRICS,
	.begin = build_begin,
	.step = build_step,
	.generation = build_generation,
};

struct metrics *
metrics_new(struct nmigd *d)
{
	struct metrics	*mt = xcalloc(1, sizeof(*mt));

	mt->d = d;
	mt->ds = docserve_new(d->base, &metrics_ops, mt);
	return mt;
}

void
metrics_free(struct metrics *mt)
{
	if (mt == NULL)
		return;
	docserve_free(mt->ds);
	free(mt);
}

void
metrics_serve(struct metrics *mt, struct http_conn *hc)
{
	docserve_request(mt->ds, hc);
}

void
metrics_gone(struct metrics *mt, struct http_conn *hc)
{
	docserve_gone(mt->ds, hc);
}
