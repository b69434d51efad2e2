/*
 * The completion forecast.
 */
#include "forecast.h"

#define FORECAST_SLACK	2	/* seconds */
/* No cache keeps a record longer than a week (RFC 8767 4 suggests it as
 * the cap; Unbound's own is a day): a longer TTL says nothing more. */
#define FORECAST_TTL_MAX	(7 * 86400)

time_t
forecast_cached_until(const struct watch *w, size_t r)
{
	const struct cstate	*cs;
	time_t			 until = 0;
	size_t			 k;
	uint32_t		 ttl;

	for (k = 0; k < w->dc->nchecks; k++) {
		cs = watch_cstate(w, r, k);
		switch (cs->state) {
		case CS_OLD:
		case CS_OTHER:
		case CS_NODATA:
		case CS_NXDOMAIN:
			ttl = cs->ttl < FORECAST_TTL_MAX ? cs->ttl :
			    FORECAST_TTL_MAX;
			if (cs->answered_at + (time_t)ttl > until)
				until = cs->answered_at + (time_t)ttl;
			break;
		default:
			break;
		}
	}
	return until;
}

/* A round that still shows what the resolver cached before the switch. */
static bool
holds_old(enum resolver_state round)
{
	return round == RS_OLD || round == RS_MIXED || round == RS_OTHER;
}

unsigned
forecast_resolver(struct watch *w, size_t r, enum resolver_state round,
    time_t now, unsigned interval)
{
	struct rverdict	*v = &w->rv[r];
	time_t		 until, floor;

	if (v->switched) {
		v->cached_until = v->expires_at = 0;
		v->overdue = false;
		return 0;
	}
	if (!holds_old(round) || (until = forecast_cached_until(w, r)) == 0)
		return 0;
	/* The latest it may serve them: a cache counting down gives the
	 * same time every round, give or take the second it rounds to, and
	 * that is no change worth a write. */
	if (until > v->cached_until + FORECAST_SLACK)
		v->cached_until = until;
	if (w->parent_switched_at == 0)
		return 0;
	if (v->expires_at == 0) {
		floor = w->parent_switched_at + (time_t)w->parent_ttl;
		v->expires_at = until > floor ? until : floor;
	}
	if (v->overdue || now <= v->expires_at + (time_t)interval)
		return 0;
	v->overdue = true;
	return FEV_OVERDUE;
}

time_t
forecast_domain(const struct watch *w, size_t nresolvers, unsigned confirm,
    unsigned interval)
{
	const struct rverdict	*v;
	time_t			 t, e;
	size_t			 r;

	if (w->parent_switched_at == 0)
		return 0;
	t = w->parent_switched_at + (time_t)w->parent_ttl;
	for (r = 0; r < nresolvers; r++) {
		v = &w->rv[r];
		if (v->switched)
			continue;
		/* An unreachable one may serve what it cached to its own
		 * clients until that runs out. */
		e = v->state == RS_UNREACHABLE ? v->cached_until : v->expires_at;
		if (e > t)
			t = e;
	}
	return t + (time_t)confirm * (time_t)interval;
}

time_t
forecast_cancel(const struct watch *w, unsigned overlap, unsigned quiet)
{
	time_t	calm, t;

	if (w->complete_at == 0 || w->watched_since == 0)
		return 0;
	calm = w->regressed_at > w->complete_at ? w->regressed_at :
	    w->complete_at;
	t = w->watched_since + (time_t)overlap;
	return calm + (time_t)quiet > t ? calm + (time_t)quiet : t;
}
