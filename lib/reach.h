/*
 * Whether each resolver is unreachable as a whole.  Each domain judges a
 * resolver unreachable on its own (lib/verdict.c) and keeps that in its
 * history; the journal gets one entry when a resolver becomes unreachable
 * for domains, naming how many, and one when it answers for every domain
 * again, not one per (domain, resolver): at thousands of domains a
 * resolver going down would otherwise flood it.  Judged when a round
 * ends an interval or more after the last judgement (daemon/monitor.c),
 * so that most domains' rounds have seen the resolver by then.
 */
#ifndef NMIG_REACH_H
#define NMIG_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "model.h"

struct reach_change {
	size_t	resolver;
	bool	unreachable;	/* false: answers again */
	size_t	domains;	/* unreachable for; recovered: it was */
	size_t	total;		/* domains watched */
	time_t	since;		/* unreachable: the first failure */
};

/* For how many domains resolver r is unreachable, and (since, if not
 * NULL) since when: the earliest first failure. */
size_t	reach_count(const struct model *, size_t r, time_t *since);
/* The resolvers whose state changed since the last call, into out (room
 * for one a resolver); returns how many.  What is reported is
 * remembered in m->health, which a reload carries over. */
size_t	reach_changes(struct model *, struct reach_change *out);

#endif
