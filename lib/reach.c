/*
 * Resolvers unreachable as a whole; see reach.h.
 */
#include "reach.h"
#include "verdict.h"

size_t
reach_count(const struct model *m, size_t r, time_t *since)
{
	const struct rverdict	*v;
	size_t			 i, n = 0;
	time_t			 first = 0;

	for (i = 0; i < m->nw; i++) {
		v = &m->w[i].rv[r];
		if (v->state != RS_UNREACHABLE)
			continue;
		n++;
		if (v->fail_since != 0 && (first == 0 || v->fail_since < first))
			first = v->fail_since;
	}
	if (since != NULL)
		*since = first;
	return n;
}

size_t
reach_changes(struct model *m, struct reach_change *out)
{
	struct resolver_health	*h;
	size_t			 r, n, nout = 0;
	time_t			 since;

	for (r = 0; r < m->resolvers->n; r++) {
		h = &m->health[r];
		n = reach_count(m, r, &since);
		if ((n > 0) == (h->unreachable_domains > 0)) {
			/* Said already; keep the count for the recovery. */
			if (n > 0)
				h->unreachable_domains = n;
			continue;
		}
		out[nout].resolver = r;
		out[nout].unreachable = n > 0;
		out[nout].domains = n > 0 ? n : h->unreachable_domains;
		out[nout].total = m->nw;
		out[nout].since = since;
		nout++;
		h->unreachable_domains = n;
	}
	return nout;
}
