/*
 * Pacing against the interval: with many domains each resolver's rate
 * (nmigd.conf "rate"), not the interval, sets how often a domain is
 * asked.  A round of every domain asks resolver r
 *
 *	samples(r) x (the checks of every domain)
 *
 * queries, which take that divided by rate(r) seconds: the plan.  The
 * monitor measures what rounds take (struct round_stats).  Both go into
 * the status document as "pacing".
 */
#ifndef NMIG_PACING_H
#define NMIG_PACING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "model.h"

struct pacing {
	unsigned	interval;
	uint64_t	queries;	/* a round asks the slowest resolver */
	unsigned	rate;		/* the slowest resolver's */
	unsigned	planned_s;	/* queries / rate, rounded up */
	const char	*slowest;	/* its name; NULL without resolvers */
	unsigned	longest_s;	/* measured; 0 before a round ended */
	uint64_t	late;
	bool		stretched;	/* planned or measured > interval */
};

void	 pacing_plan(const struct model *, struct pacing *);
/* {"interval": s, "planned_round_seconds": s, "slowest_resolver": name,
 *  "round_queries": n, "rate": n, "longest_round_seconds": s or null,
 *  "late_rounds": n, "stretched": bool} */
json_t	*pacing_json(const struct model *);
/* A line on f when the document's pacing says rounds are stretched. */
void	 pacing_print(FILE *, const json_t *doc);

#endif
