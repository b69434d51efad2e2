/*
 * Observations into the model, and the judging of a round.  Answers only
 * update the model as they arrive; all judging happens once, when the
 * round's last probe is back, so that a resolver's state always comes
 * from one consistent round.
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "util.h"
#include "verdict.h"

static void
health_update(struct resolver_health *h, const struct observation *o,
    time_t now)
{
	h->queries++;
	switch (o->status) {
	case OBS_ANSWER:
		h->answers++;
		h->rtt_sum_ms += o->rtt_ms;
		h->last_answer = now;
		h->consecutive_failures = 0;
		return;
	case OBS_TIMEOUT:
		h->timeouts++;
		break;
	case OBS_ERROR:
		h->errors++;
		break;
	}
	h->consecutive_failures++;
}

void
apply_observation(struct model *m, struct watch *w, size_t r, size_t k,
    const struct observation *o, time_t now)
{
	const struct answer	*a = NULL;
	enum check_state	 st;

	if (o->status == OBS_ANSWER)
		a = &o->answer;
	health_update(&m->health[r], o, now);
	st = verdict_classify(&w->dc->checks[k], a);
	cstate_set(watch_cstate(w, r, k), st, a, now, o->rtt_ms);
}

void
apply_unsent(struct watch *w, size_t r, size_t k, time_t now)
{
	cstate_set(watch_cstate(w, r, k), CS_ERROR, NULL, now, 0);
}

/* Room for this model's widest domain and its resolvers. */
static void
judge_size(struct judge *j, const struct model *m, const struct watch *w)
{
	size_t	n = m->resolvers->n;

	if (w->dc->nchecks > j->nstates) {
		j->nstates = w->dc->nchecks;
		free(j->states);
		j->states = xcalloc(j->nstates, 1);
	}
	if (n > j->nrv || j->rvsave == NULL) {
		j->nrv = n;
		free(j->rvsave);
		j->rvsave = xcalloc(n + 1, sizeof(*j->rvsave));
	}
}

static void
judge_resolvers(struct judge *j, const struct model *m, struct watch *w,
    time_t now, unsigned confirm)
{
	size_t		r, k, n = w->dc->nchecks;
	unsigned	ev;

	for (r = 0; r < m->resolvers->n; r++) {
		for (k = 0; k < n; k++)
			j->states[k] = watch_cstate(w, r, k)->state;
		ev = verdict_update(&w->rv[r], verdict_round(j->states, n),
		    now, confirm, m->cfg->unreachable_after);
		if (ev & VEV_CHANGED)
			log_debug("%s: %s is %s", w->dc->name,
			    m->resolvers->v[r].name,
			    resolver_state_name(w->rv[r].state));
		events_resolver(&j->events, m, w, r, ev);
	}
}

static void
judge_domain(struct judge *j, const struct model *m, struct watch *w,
    time_t now)
{
	struct domain_tally	t;
	enum domain_state	ds;

	ds = verdict_domain(w->rv, m->resolvers->n, &t);
	/* Complete latches: a regression afterwards is reported per
	 * resolver, but the switch did happen. */
	if (w->complete_at != 0)
		ds = DS_COMPLETE;
	else if (ds == DS_COMPLETE) {
		w->complete_at = now;
		events_complete(&j->events, m, w, &t);
	}
	if (ds != w->state || w->since == 0) {
		w->state = ds;
		w->since = now;
	}
}

void
judge_round(struct judge *j, const struct model *m, struct watch *w,
    time_t now, unsigned confirm)
{
	judge_size(j, m, w);
	events_clear(&j->events);
	memcpy(j->rvsave, w->rv, m->resolvers->n * sizeof(*w->rv));
	j->state = w->state;
	j->since = w->since;
	j->complete_at = w->complete_at;
	judge_resolvers(j, m, w, now, confirm);
	judge_domain(j, m, w, now);
}

void
judge_undo(struct judge *j, const struct model *m, struct watch *w)
{
	memcpy(w->rv, j->rvsave, m->resolvers->n * sizeof(*w->rv));
	w->state = j->state;
	w->since = j->since;
	w->complete_at = j->complete_at;
	events_clear(&j->events);
}

void
judge_free(struct judge *j)
{
	free(j->states);
	free(j->rvsave);
	events_free(&j->events);
	memset(j, 0, sizeof(*j));
}
