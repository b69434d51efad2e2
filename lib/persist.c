/*
 * Reading the model's state back from the database (lib/outbox.c writes
 * it).  Rows written by an older nmigd or damaged on disk are logged by
 * lib/store.c and load as pending: the next round replaces them.
 */
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "log.h"
#include "persist.h"
#include "rdata.h"
#include "util.h"

/* An "other" answer written by schema version 1 has only its text: read
 * it back through the config's parser, record by record. */
static void
other_from_text(struct rdset *set, const struct check_conf *c,
    const char *text)
{
	uint8_t		*rd;
	char		*copy, *line, *last, err[256];
	int		 len;

	rd = xcalloc(1, RDATA_MAX);
	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &last); line != NULL;
	    line = strtok_r(NULL, "\n", &last))
		if ((len = rdata_parse(c->owner, c->type, line, rd, err,
		    sizeof(err))) != -1)
			rdset_add(set, rd, (size_t)len);
	free(copy);
	free(rd);
}

static void
load_other(const struct model *m, struct watch *w, size_t r, size_t c,
    const struct answer_row *row, const char *text, const uint8_t *wire)
{
	struct rdset	 set;
	char		 tbuf[16];

	memset(&set, 0, sizeof(set));
	if (wire == NULL)
		other_from_text(&set, watch_check(w, c), text);
	else if (rdset_from_blob(&set, wire, row->wirelen) == -1)
		log_warnx("%s: resolver %s: the stored records of %s %s do "
		    "not read; none are shown until the next round",
		    w->dc->name, m->resolvers->v[r].name,
		    w->dc->checks[c].owner,
		    rrtype_name(w->dc->checks[c].type, tbuf));
	cstate_set_other(watch_cstate(w, r, c), &set);
	rdset_free(&set);
}

static void
load_cstate(const struct model *m, struct store *st, struct watch *w,
    size_t r, size_t c)
{
	struct answer_row	 row;
	struct cstate		*cs = watch_cstate(w, r, c);
	char			*text;
	uint8_t			*wire;

	if (store_latest_answer(st, w->check_db_id[c],
	    m->resolver_db_id[r], &row, &text, &wire) != 0)
		return;		/* none yet, or unreadable (logged) */
	cs->state = row.state;
	cs->rcode = row.rcode;
	cs->ttl = row.ttl;
	cs->rtt_ms = row.rtt_ms > UINT16_MAX ? UINT16_MAX :
	    (uint16_t)row.rtt_ms;
	cs->answered_at = row.when;
	if (row.state == CS_OTHER)
		load_other(m, w, r, c, &row, text, wire);
	free(text);
	free(wire);
}

/* Every record of the set in the canonical form of its type, as
 * rdata_canon() makes it from an answer. */
static bool
set_canonical(const struct rdset *set, uint16_t type)
{
	const uint8_t	*rd;
	uint8_t		*out;
	size_t		 off = 0;
	uint16_t	 len;
	bool		 ok = true;

	out = xcalloc(1, RDATA_MAX);
	while (ok && (rd = rdset_next(set, &off, &len)) != NULL)
		ok = rdata_canon(type, rd, len, 0, len, out) == (int)len &&
		    memcmp(rd, out, len) == 0;
	free(out);
	return ok;
}

/* A set read back: it must be whole, of its type, and not empty unless
 * it is an old snapshot that says why. */
static void
load_set(struct watch *w, size_t k, bool old, const uint8_t *wire,
    size_t len, time_t at, enum learn_why why)
{
	const struct check_conf	*c = &w->dc->checks[k];
	struct rdset		 set;
	char			 tbuf[16];
	bool			 good;

	if (at == 0)
		return;
	good = rdset_from_blob(&set, wire, len) == 0;
	if (good && (set.dropped > 0 || ((!old || why == LW_OK) &&
	    set.n == 0) || !set_canonical(&set, c->type)))
		good = false;
	if (good)
		learn_set(w, k, old, &set, at, why);
	else
		log_warnx("%s: the stored learned %s of %s %s do not read; "
		    "they are learned again", w->dc->name, old ?
		    "old records" : "records", c->owner,
		    rrtype_name(c->type, tbuf));
	rdset_free(&set);
}

/* Only a set the config still has learned: one the operator now gives
 * is the config's, and what was learned of it is forgotten (edited while
 * nmigd was stopped), so that a later "auto" learns afresh. */
static int
load_learned(struct store *st, struct watch *w, size_t k)
{
	const struct check_conf	*c = &w->dc->checks[k];
	struct learned_load	 l;
	int			 why, rc;

	if (store_forget_learned(st, w->check_db_id[k],
	    !(c->learn & LEARN_EXPECT), !(c->learn & LEARN_OLD)) == -1)
		return -1;
	if (c->learn == 0)
		return 0;
	if ((rc = store_load_learned(st, w->check_db_id[k], &l)) != 0)
		return rc == 1 ? 0 : -1;
	if (c->learn & LEARN_EXPECT)
		load_set(w, k, false, l.wire, l.wirelen, l.at, LW_OK);
	/* Only a final state is stored with a snapshot. */
	why = learn_why_from_name(l.old_note);
	if (c->learn & LEARN_OLD && why != LW_OK && why != LW_SAME &&
	    why != LW_NO_SERVERS && l.old_at != 0)
		log_warnx("%s: the stored note of the old %s records, \"%s\", "
		    "does not read; they are learned again", w->dc->name,
		    c->owner, l.old_note);
	else if (c->learn & LEARN_OLD)
		load_set(w, k, true, l.old_wire, l.old_wirelen, l.old_at,
		    (enum learn_why)why);
	free(l.wire);
	free(l.old_wire);
	return 0;
}

int
persist_resolver_ids(struct model *m, struct store *st, bool *fresh)
{
	size_t	r;

	for (r = 0; r < m->resolvers->n; r++) {
		m->resolver_db_id[r] = store_resolver_id(st,
		    &m->resolvers->v[r], fresh != NULL ? &fresh[r] : NULL);
		if (m->resolver_db_id[r] == -1)
			return -1;
	}
	return 0;
}

int
persist_load_resolver(struct model *m, struct store *st, struct watch *w,
    size_t r, time_t now)
{
	struct rverdict	*v = &w->rv[r];
	size_t		 c;

	/* A bad row was logged and loads as pending. */
	if (store_load_rverdict(st, w->db_id, m->resolver_db_id[r], v) == -1)
		return -1;
	/* While nmigd was down nobody asked: a failure streak from before
	 * a long stop must not make the resolver unreachable at its first
	 * failed round afterwards. */
	if (v->fail_since != 0 &&
	    now - v->last_checked > 2 * (time_t)m->cfg->interval)
		v->fail_since = 0;
	for (c = 0; c < w->dc->nchecks; c++)
		load_cstate(m, st, w, r, c);
	return 0;
}

int
persist_load_watch(struct model *m, struct store *st, struct watch *w,
    time_t now)
{
	struct domain_row	 drow;
	size_t			 r, c;

	if ((w->db_id = store_domain_id(st, w->dc->name)) == -1)
		return -1;
	for (c = 0; c < w->dc->nchecks; c++) {
		w->check_db_id[c] = store_check_id(st, w->db_id,
		    w->dc->checks[c].owner, w->dc->checks[c].type);
		if (w->check_db_id[c] == -1)
			return -1;
	}
	for (c = 0; c < w->dc->nchecks; c++)
		if (load_learned(st, w, c) == -1)
			return -1;
	/* A bad column was logged and replaced. */
	if (store_load_domain(st, w->db_id, &drow) == -1)
		return -1;
	w->state = drow.state;
	w->since = drow.since;
	w->complete_at = drow.complete_at;
	w->parent_state = drow.parent_state;
	w->parent_since = drow.parent_since;
	w->parent_switched_at = drow.parent_switched_at;
	w->parent_ttl = drow.parent_ttl;
	w->watched_since = drow.watched_since;
	w->regressed_at = drow.regressed_at;
	w->cancel_at = drow.cancel_at;
	w->old_state = drow.old_state;
	w->new_state = drow.new_state;
	w->old_stopped_at = drow.old_stopped_at;
	w->dnssec_new = drow.dnssec_new;
	w->dnssec_old = drow.dnssec_old;
	w->dnssec_failed_at = drow.dnssec_failed_at;
	w->saved_at = now;
	for (r = 0; r < m->resolvers->n; r++)
		if (persist_load_resolver(m, st, w, r, now) == -1)
			return -1;
	return 0;
}

int
persist_load(struct model *m, struct store *st, time_t now)
{
	size_t	i;

	if (store_begin(st) == -1)
		return -1;
	if (persist_resolver_ids(m, st, NULL) == -1)
		goto fail;
	for (i = 0; i < m->nw; i++)
		if (persist_load_watch(m, st, &m->w[i], now) == -1)
			goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return -1;
}
