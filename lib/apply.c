/*
 * Observations into the model, and the judging of a round.  Answers only
 * update the model as they arrive; all judging happens once, when the
 * round's last probe is back, so that a resolver's state always comes
 * from one consistent round.
 */
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "forecast.h"
#include "learn.h"
#include "providers.h"
#include "log.h"
#include "util.h"
#include "verdict.h"

static void
health_update(struct resolver_health *h, const struct observation *o,
    time_t now)
{
	/* A skipped probe was not sent: not a query, but a failure. */
	if (o->status != OBS_SKIPPED)
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
	case OBS_SKIPPED:
		h->skipped++;
		break;
	}
	h->consecutive_failures++;
}

/* A kept "other" set is the first items of the answer's set, with the
 * whole set's count and hash (rdset_copy_capped). */
static bool
same_other(const struct rdset *kept, const struct rdset *seen)
{
	return kept->hash == seen->hash &&
	    kept->n + kept->dropped == seen->n + seen->dropped &&
	    kept->len <= seen->len &&
	    (kept->len == 0 || memcmp(kept->buf, seen->buf, kept->len) == 0);
}

/* Whether the answer differs from the one the state holds, as the
 * database tells answers apart: state, rcode and records. */
static bool
answer_changed(const struct cstate *cs, enum check_state st,
    const struct answer *a)
{
	uint8_t	rcode = a != NULL ? a->rcode : CS_RCODE_NONE;

	if (cs->answered_at == 0 || cs->state != st || cs->rcode != rcode)
		return true;
	if (st != CS_OTHER)
		return false;	/* the config's set, or none */
	return cs->other == NULL || !same_other(cs->other, &a->rdata);
}

static uint32_t
add_sat32(uint32_t a, time_t b)
{
	if (b <= 0)
		return a;
	return (uint64_t)a + (uint64_t)b > UINT32_MAX ? UINT32_MAX :
	    a + (uint32_t)b;
}

/* The latest answer, and what the database still lacks of it
 * (lib/outbox.c). */
static void
record(struct watch *w, struct cstate *cs, enum check_state st,
    const struct answer *a, time_t now, uint32_t rtt_ms)
{
	struct cstate	was = *cs;	/* was.other is freed below */
	time_t		dt = was.answered_at != 0 ? now - was.answered_at : 0;
	bool		changed = answer_changed(cs, st, a);

	cstate_set(cs, st, a, now, rtt_ms);
	if (!changed) {
		cs->dirty = was.dirty;
		cs->unsaved = was.unsaved < UINT16_MAX ? was.unsaved + 1 :
		    UINT16_MAX;
		cs->since_age = add_sat32(was.since_age, dt);
		cs->prev_unsaved = was.prev_unsaved;
		cs->prev_age = was.prev_unsaved ? add_sat32(was.prev_age, dt) :
		    0;
		cs->prev_ttl = was.prev_ttl;
		return;
	}
	/* The answer before keeps its uncounted sightings when its row
	 * exists; one that never reached the database (it failed
	 * meanwhile) is lost to the history, its predecessor's stay. */
	if (!was.dirty && was.unsaved > 0) {
		cs->prev_unsaved = was.unsaved;
		cs->prev_age = add_sat32(0, dt);
		cs->prev_ttl = was.ttl;
	} else if (was.prev_unsaved > 0) {
		cs->prev_unsaved = was.prev_unsaved;
		cs->prev_age = add_sat32(was.prev_age, dt);
		cs->prev_ttl = was.prev_ttl;
	}
	cs->dirty = true;
	cs->unsaved = 1;
	cs->since_age = 0;
	w->unsaved = true;
}

void
apply_round_begin(const struct model *m, struct watch *w)
{
	size_t	i, n = m->resolvers->n * w->dc->nchecks;

	for (i = 0; i < n; i++)
		w->cs[i].sampled = 0;
	n = w->own != NULL ? w->own->n * own_stride(w->dc) : 0;
	for (i = 0; i < n; i++)
		w->own->cs[i].sampled = 0;
}

/* The round's sample bookkeeping, which record() (cstate_set) wipes. */
struct sampling {
	uint8_t		sampled, held_back, new_seen;
	uint16_t	new_rtt_ms;
	uint32_t	new_ttl;
};

static void
sampling_save(const struct cstate *cs, struct sampling *s)
{
	s->sampled = cs->sampled;
	s->held_back = cs->held_back;
	s->new_seen = cs->new_seen;
	s->new_rtt_ms = cs->new_rtt_ms;
	s->new_ttl = cs->new_ttl;
}

static void
sampling_restore(struct cstate *cs, const struct sampling *s)
{
	cs->sampled = s->sampled;
	cs->held_back = s->held_back;
	cs->new_seen = s->new_seen;
	cs->new_rtt_ms = s->new_rtt_ms;
	cs->new_ttl = s->new_ttl;
}

/* The round's answer, as record() takes it, keeping the count going. */
static void
sample_take(struct watch *w, struct cstate *cs, bool saved,
    enum check_state st, const struct answer *a, time_t now, uint32_t rtt_ms)
{
	struct sampling	s;
	bool		grew;

	/* A cache counts its TTL down: one that grew is another cache, or
	 * the old data fetched again (lib/forecast.h). */
	grew = cs->ttl_grew || (a != NULL && cs->answered_at != 0 &&
	    cs->state == st && (st == CS_OLD || st == CS_OTHER) &&
	    a->ttl > cs->ttl);
	sampling_save(cs, &s);
	if (saved)
		record(w, cs, st, a, now, rtt_ms);
	else
		cstate_set(cs, st, a, now, rtt_ms);
	sampling_restore(cs, &s);
	cs->ttl_grew = grew;
}

/* One of the round's samples of a check, ranked: an answered sample that
 * is not new (old, other, nodata, nxdomain) is the round's answer at
 * once, so that a cache behind an anycast address that still has the old
 * records is not hidden by one that has the new; failing that, a new
 * sample; an error (a timeout, SERVFAIL, a probe not sent) only when
 * every sample failed, since a lost datagram is not a cache holding the
 * target back.  One answer per round reaches the history either way.
 * saved: the state is the database's (a resolver's), not only in memory
 * (a server found for the domain, not stored yet). */
static void
sample(struct watch *w, unsigned nsamples, struct cstate *cs, bool saved,
    enum check_state st, const struct answer *a, time_t now, uint32_t rtt_ms)
{
	struct answer	new;
	bool		last;

	if (cs->sampled == 0) {
		cs->held_back = false;
		cs->new_seen = false;
	}
	/* The last sample closes the round's count, so that the next round
	 * starts afresh even without apply_round_begin(). */
	if ((last = ++cs->sampled >= nsamples))
		cs->sampled = 0;
	/* New and not new in one round: caches behind the address differ. */
	if ((cs->held_back && st == CS_NEW) ||
	    (cs->new_seen && st != CS_NEW && st != CS_ERROR))
		cs->disagree = 1;
	if (cs->held_back)
		return;
	if (st != CS_NEW && st != CS_ERROR) {
		cs->held_back = true;
		sample_take(w, cs, saved, st, a, now, rtt_ms);
	} else if (st == CS_NEW && !last) {
		cs->new_seen = true;
		cs->new_ttl = a->ttl;
		cs->new_rtt_ms = rtt_ms > UINT16_MAX ? UINT16_MAX :
		    (uint16_t)rtt_ms;
	} else if (st == CS_NEW || !cs->new_seen) {
		if (last)
			sample_take(w, cs, saved, st, a, now, rtt_ms);
	} else if (last) {
		/* The last sample failed, an earlier one was new: that one
		 * is the round's answer (its records are the config's). */
		memset(&new, 0, sizeof(new));
		new.rcode = 0;		/* NOERROR */
		new.ttl = cs->new_ttl;
		sample_take(w, cs, saved, CS_NEW, &new, now, cs->new_rtt_ms);
	}
}

/* A parent server asked RD=0 for the apex NS refers us to the child:
 * the delegation is the authority section's NS set, with its TTL.  A
 * server that serves the child zone too answers it outright. */
static const struct answer *
delegation(const struct answer *a, struct answer *ref)
{
	if (a == NULL || a->rcode != 0 || a->rdata.n > 0 || a->auth_ns.n == 0)
		return a;
	*ref = *a;
	ref->rdata = a->auth_ns;
	ref->ttl = a->auth_ns_ttl;
	return ref;
}

/* The parent's DS set has nothing to be judged against: it is kept as
 * found (model.h, OQ_DS). */
static enum check_state
ds_classify(const struct answer *a)
{
	if (a == NULL || (a->rcode != 0 && a->rcode != 3))
		return CS_ERROR;
	if (a->rcode == 3)
		return CS_NXDOMAIN;
	return a->rdata.n > 0 ? CS_OTHER : CS_NODATA;
}

/* A provider's server serves the zone when it answers its SOA with
 * authority; a NOERROR without it (a referral, a lame server) keeps its
 * rcode under CS_ERROR. */
static enum check_state
soa_classify(const struct answer *a)
{
	if (a == NULL || (a->rcode != 0 && a->rcode != 3) ||
	    (a->rcode == 0 && !a->aa))
		return CS_ERROR;
	if (a->rcode == 3)
		return CS_NXDOMAIN;
	return a->rdata.n > 0 ? CS_OTHER : CS_NODATA;
}

/* A provider's key set, kept as found; only an answer with authority
 * counts. */
static enum check_state
keys_classify(const struct answer *a)
{
	if (a == NULL || (a->rcode == 0 && !a->aa))
		return CS_ERROR;
	return ds_classify(a);
}

/* A server found for the domain: what its kind is asked means what the
 * kind says (*a may become a view of the answer kept in ref). */
static enum check_state
own_classify(const struct watch *w, const struct target *t, size_t k,
    const struct answer **a, struct answer *ref)
{
	if (k >= w->dc->nchecks) {
		switch (k - w->dc->nchecks) {
		case OQ_DS:
			return ds_classify(*a);
		case OQ_SOA:
			return soa_classify(*a);
		case OQ_DNSKEY:
			return keys_classify(*a);
		default:
			return CS_ERROR;
		}
	}
	if (t->kind == TK_PARENT && k == 0)
		*a = delegation(*a, ref);
	/* A provider's records count only with authority. */
	else if (*a != NULL && (*a)->rcode == 0 && !(*a)->aa)
		return CS_ERROR;
	return verdict_classify(watch_check(w, k), *a);
}

/* Health is the resolvers': a server found for one domain is judged
 * with that domain. */
void
apply_observation(struct model *m, struct watch *w, size_t slot, size_t k,
    const struct observation *o, time_t now)
{
	const struct target	*t = watch_target(m, w, slot);
	const struct answer	*a = NULL;
	struct answer		 ref;
	enum check_state	 st;

	if (o->status == OBS_ANSWER)
		a = &o->answer;
	if (slot < m->resolvers->n) {
		health_update(&m->health[slot], o, now);
		st = verdict_classify(watch_check(w, k), a);
	} else
		st = own_classify(w, t, k, &a, &ref);
	sample(w, t->samples, watch_tstate(m, w, slot, k),
	    slot < m->resolvers->n, st, a, now, o->rtt_ms);
}

void
apply_unsent(const struct model *m, struct watch *w, size_t slot, size_t k,
    time_t now)
{
	sample(w, watch_target(m, w, slot)->samples,
	    watch_tstate(m, w, slot, k), slot < m->resolvers->n, CS_ERROR,
	    NULL, now, 0);
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
	if (w->own != NULL && w->own->n > j->npstates) {
		j->npstates = w->own->n;
		free(j->pstates);
		j->pstates = xcalloc(j->npstates, 1);
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
	struct cstate	*cs;
	enum resolver_state round;
	bool		 grew, disagree;

	for (r = 0; r < m->resolvers->n; r++) {
		grew = disagree = false;
		for (k = 0; k < n; k++) {
			cs = watch_cstate(w, r, k);
			j->states[k] = cs->state;
			grew |= cs->ttl_grew;
			disagree |= cs->disagree;
			cs->ttl_grew = cs->disagree = 0;
		}
		if (grew && w->rv[r].ttl_grew < UINT16_MAX)
			w->rv[r].ttl_grew++;
		round = verdict_round(j->states, n);
		verdict_flap(&w->rv[r], round, disagree);
		ev = verdict_update(&w->rv[r], round, now, confirm,
		    m->cfg->unreachable_after);
		if (ev & VEV_CHANGED)
			log_debug("%s: %s is %s", w->dc->name,
			    m->resolvers->v[r].name,
			    resolver_state_name(w->rv[r].state));
		events_resolver(&j->events, m, w, r, ev);
		if (ev & VEV_REGRESSED)
			w->regressed_at = now;
		if (forecast_resolver(w, r, round, now, m->cfg->interval) &
		    FEV_OVERDUE)
			events_overdue(&j->events, m, w, r, now);
	}
}

/* The old hosting may go: announced once, when the day has come. */
static void
judge_cancel(struct judge *j, const struct model *m, struct watch *w,
    time_t now)
{
	time_t	t;

	if (w->watched_since == 0)
		w->watched_since = now;
	if (w->cancel_at != 0 || (t = forecast_cancel(w, config_overlap(m->cfg,
	    w->dc), config_quiet(m->cfg, w->dc))) == 0 || now < t)
		return;
	w->cancel_at = now;
	events_cancel(&j->events, w);
}

/* Rounds in a row, saturating. */
static void
count_round(uint8_t *mine, uint8_t *other)
{
	*other = 0;
	if (*mine < UINT8_MAX)
		(*mine)++;
}

/* The providers' name servers.  The old one's stopping while caches
 * still point at it is announced once it has lasted confirm rounds, and
 * at least two (one round of lost datagrams is no outage), and again only
 * after it served for as long. */
static void
judge_providers(struct judge *j, const struct model *m, struct watch *w,
    time_t now, unsigned confirm)
{
	char	why[160];
	size_t	nold;

	if (confirm < 2)
		confirm = 2;
	w->old_state = verdict_old_provider(m, w);
	w->new_state = verdict_new_provider(m, w, why, sizeof(why));
	if (w->old_state == OP_STOPPED)
		count_round(&w->old_down, &w->old_up);
	else if (w->old_state == OP_SERVING)
		count_round(&w->old_up, &w->old_down);
	else
		w->old_down = 0;
	if (w->old_stopped_at != 0 && w->old_up >= confirm)
		w->old_stopped_at = 0;
	if (w->old_state != OP_STOPPED || w->old_down < confirm ||
	    w->old_stopped_at != 0)
		return;
	nold = providers_resolvers_old(m, w);
	if (nold == 0 && w->parent_state != PS_OLD &&
	    w->parent_state != PS_MIXED)
		return;
	w->old_stopped_at = now;
	events_old_stopped(&j->events, w, nold);
}

/* DNSSEC across the cutover: once the parent delegates to the new
 * servers, no DS for any of their keys means validating resolvers fail
 * the domain.  Announced once that has lasted confirm rounds (two at
 * least: a registry's update may show no DS for a round), and again only
 * after a DS matched for as long. */
static void
judge_dnssec(struct judge *j, const struct model *m, struct watch *w,
    time_t now, unsigned confirm)
{
	char	tags[128];

	if (confirm < 2)
		confirm = 2;
	w->dnssec_old = verdict_dnssec(m, w, TK_OLD_AUTH, tags, sizeof(tags));
	w->dnssec_new = verdict_dnssec(m, w, TK_NEW_AUTH, tags, sizeof(tags));
	if (w->dnssec_new == DN_NO_MATCH)
		count_round(&w->dnssec_bad, &w->dnssec_good);
	else if (w->dnssec_new != DN_UNKNOWN)
		count_round(&w->dnssec_good, &w->dnssec_bad);
	if (w->dnssec_failed_at != 0 && w->dnssec_good >= confirm)
		w->dnssec_failed_at = 0;
	if (w->dnssec_failed_at != 0 || w->dnssec_bad < confirm ||
	    w->parent_state != PS_NEW)
		return;
	w->dnssec_failed_at = now;
	events_dnssec(&j->events, m, w, tags);
}

static void
judge_domain(struct judge *j, const struct model *m, struct watch *w,
    time_t now)
{
	struct domain_tally	t;
	enum domain_state	ds;

	ds = verdict_domain(w->rv, m->resolvers->n,
	    config_require(m->cfg, w->dc), now, &t);
	/* The resolvers would be switching to a broken zone. */
	if (ds == DS_COMPLETE && w->complete_at == 0 &&
	    new_state_blocks(w->new_state))
		ds = DS_PROPAGATING;
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
	judge_cancel(j, m, w, now);
}

/* The parent's view from its servers' delegations.  Its switch latches
 * like the domain's completion: a registry that rolls back shows in the
 * state, but the switch did happen. */
static void
judge_parent(struct judge *j, const struct model *m, struct watch *w,
    time_t now)
{
	const struct cstate	*cs;
	enum parent_state	 ps;
	size_t			 i, n = 0, nt = watch_ntargets(m, w);
	uint32_t		 ttl = 0;
	bool			 switched = false;

	for (i = m->resolvers->n; i < nt; i++) {
		if (watch_target(m, w, i)->kind != TK_PARENT)
			continue;
		cs = watch_tstate(m, w, i, 0);
		j->pstates[n++] = cs->state;
		if (cs->state == CS_NEW && cs->ttl > ttl)
			ttl = cs->ttl;
	}
	if (n == 0 && config_parent_auto(m->cfg, w->dc))
		return;		/* not found yet: what was stored stays */
	/* Not asked ("parent = none"): no view, whatever was seen before;
	 * a switch seen then stays a fact. */
	ps = n > 0 ? verdict_parent(j->pstates, n, &switched) : PS_PENDING;
	if (ps != w->parent_state || w->parent_since == 0) {
		w->parent_state = ps;
		w->parent_since = now;
	}
	if (switched && w->parent_switched_at == 0) {
		w->parent_switched_at = now;
		w->parent_ttl = ttl;
		events_parent(&j->events, w);
	}
}

void
judge_round(struct judge *j, const struct model *m, struct watch *w,
    time_t now, unsigned confirm)
{
	size_t	i;

	judge_size(j, m, w);
	events_clear(&j->events);
	memcpy(j->rvsave, w->rv, m->resolvers->n * sizeof(*w->rv));
	j->state = w->state;
	j->since = w->since;
	j->complete_at = w->complete_at;
	j->parent_state = w->parent_state;
	j->parent_since = w->parent_since;
	j->parent_switched_at = w->parent_switched_at;
	j->watched_since = w->watched_since;
	j->regressed_at = w->regressed_at;
	j->cancel_at = w->cancel_at;
	j->old_state = w->old_state;
	j->new_state = w->new_state;
	j->old_stopped_at = w->old_stopped_at;
	j->dnssec_new = w->dnssec_new;
	j->dnssec_old = w->dnssec_old;
	j->dnssec_failed_at = w->dnssec_failed_at;
	learn_round(m, w, now, confirm);
	judge_resolvers(j, m, w, now, confirm);
	judge_parent(j, m, w, now);
	judge_providers(j, m, w, now, confirm);
	judge_dnssec(j, m, w, now, confirm);
	judge_domain(j, m, w, now);
	for (i = 0; i < j->events.n; i++)
		j->events.v[i].when = now;
}

void
judge_free(struct judge *j)
{
	free(j->states);
	free(j->pstates);
	free(j->rvsave);
	events_free(&j->events);
	memset(j, 0, sizeof(*j));
}
