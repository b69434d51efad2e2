/*
 * The families /metrics exposes (daemon/metricsdoc.c): nmigd.conf(5)
 * lists every one.
 */
#ifndef NMIGD_METRICSDOC_H
#define NMIGD_METRICSDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "docbuf.h"
#include "looplag.h"
#include "model.h"
#include "monitor.h"
#include "prober.h"

/* The process-wide families, whole: the build, the prober, the event
 * loop, the database.  vantage ("vantage =", or NULL) labels every
 * series, theirs and the per-domain families'. */
void	 metricsdoc_head(struct docbuf *, const char *vantage,
	    const struct prober_stats *, const struct looplag *,
	    const struct monitor *);
/* The per-domain families, in order: each one's HELP and TYPE, then its
 * series for every domain, one domain a call.  detail (nmigd.conf
 * "metrics-detail"): the per-(domain, resolver) families too, a series a
 * resolver and domain, millions at thousands of domains. */
size_t	 metricsdoc_nfamilies(bool detail);
void	 metricsdoc_family_head(struct docbuf *, size_t fam);
void	 metricsdoc_family_domain(struct docbuf *, size_t fam,
	    const struct model *, const struct watch *, time_t now);

#endif
