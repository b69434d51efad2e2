/*
 * Pacing against the interval: with many domains the rates (nmigd.conf
 * "rate"), not the interval, set how often a domain is asked.  A round of
 * every domain asks a resolver samples x (the checks of every domain)
 * queries, and a server found for domains (a parent zone's, a
 * provider's) what each of them asks it; at its rate that takes queries
 * / rate seconds: the plan, whose slowest target sets the pace.  The
 * monitor measures what rounds take (struct round_stats).  Both go into
 * the status document as "pacing", which nmigd-ctl prints when rounds
 * are stretched beyond the interval.
 */
#ifndef NMIG_PACING_H
#define NMIG_PACING_H

#include <stdio.h>

#include <jansson.h>

#include "model.h"

/* {"interval": s, "planned_round_seconds": s, "slowest": name,
 *  "slowest_kind": "resolver"..., "round_queries": n, "rate": n,
 *  "longest_round_seconds": s or null, "late_rounds": n,
 *  "stretched": bool}; "slowest" and "slowest_kind" null without
 * targets. */
json_t	*pacing_json(const struct model *);
/* How long a round of every domain takes at the rates: its slowest
 * target's queries / rate. */
unsigned pacing_round_seconds(const struct model *);
/* A line on f when the document's pacing says rounds are stretched. */
void	 pacing_print(FILE *, const json_t *doc);

#endif
