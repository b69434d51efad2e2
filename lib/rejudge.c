/*
 * Judging a domain's answers again when its sets change.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rejudge.h"

void
cstate_rejudge(struct watch *w, struct cstate *cs, bool saved,
    const struct check_conf *oc, const struct check_conf *nc)
{
	struct answer		a;
	enum check_state	st;

	if (cs->state != CS_NEW && cs->state != CS_OLD &&
	    cs->state != CS_OTHER)
		return;
	memset(&a, 0, sizeof(a));
	a.rcode = cs->rcode;
	a.ttl = cs->ttl;
	a.rdata = *cstate_rdata(cs, oc);
	/* A capped "other" set never equals a configured or learned one
	 * (rdset_equal), so it stays "other". */
	st = verdict_classify(nc, &a);
	if (st == cs->state)
		return;
	if (st == CS_OTHER)
		cstate_set_other(cs, &a.rdata);
	else if (cs->other != NULL) {
		rdset_free(cs->other);
		free(cs->other);
		cs->other = NULL;
	}
	cs->state = st;
	if (!saved)
		return;
	/* Its row says what it was judged before: the sightings that row
	 * has not counted yet go to it (lib/outbox.c writes prev_*), and the
	 * answer, judged anew, gets a row of its own. */
	if (!cs->dirty && cs->unsaved > 0) {
		cs->prev_unsaved = cs->unsaved;
		cs->prev_age = 0;
		cs->prev_ttl = cs->ttl;
		cs->unsaved = 0;
	}
	cs->dirty = true;
	w->unsaved = true;
}

void
watch_restart(const struct model *m, struct watch *w, const char *why,
    time_t now)
{
	struct rverdict	*v;
	size_t		 r;

	log_info("%s: the expected values changed (%s): its migration starts "
	    "afresh", w->dc->name, why);
	w->state = DS_PENDING;
	w->since = now;
	w->complete_at = 0;
	w->parent_switched_at = 0;
	w->parent_ttl = 0;
	w->watched_since = now;
	w->regressed_at = w->cancel_at = w->dnssec_failed_at = 0;
	for (r = 0; r < m->resolvers->n; r++) {
		v = &w->rv[r];
		v->switched = v->overdue = false;
		v->streak = 0;
		v->expires_at = 0;
		v->dirty = true;
	}
	w->row_dirty = w->unsaved = true;
}
