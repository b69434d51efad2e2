/*
 * Carrying state over a reload.
 *
 * At 10,000 domains x 50 resolvers the state is a million check states:
 * a reload that copied them all would hold the event loop for tens of
 * milliseconds.  A domain whose layout did not change (the same
 * resolvers and the same checks, in the same order: the common reload,
 * which adds, drops or edits a few domains) takes its old arrays
 * instead, at no cost per resolver; only domains whose layout changed
 * are copied, and only resolvers and domains new to the config touch the
 * database.
 *
 * Everything that can fail (the database) happens first, without
 * changing the old model, so that a failed reload leaves it whole; the
 * arrays move only once the transaction has committed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "carry.h"
#include "learn.h"
#include "log.h"
#include "outbox.h"
#include "persist.h"
#include "rejudge.h"
#include "util.h"
#include "verdict.h"

/* Where each new resolver was in the old list: its index, RMAP_NEW for a
 * name not seen before, RMAP_MOVED for a name now at another address
 * (another server: it starts afresh). */
#define RMAP_NEW	(-1)
#define RMAP_MOVED	(-2)

struct carry {
	struct model	*nm;
	struct model	*old;
	struct store	*store;
	struct outbox	*outbox;
	time_t		 now;
	ssize_t		*rmap;		/* [nm resolvers] */
	bool		*fresh;		/* [nm resolvers]: not in the database */
	bool		 same_resolvers;
	struct watch	**match;	/* [nm->nw]: the old watch or NULL */
	struct watch	**from;		/* [nm->nw]: the old watch whose arrays
					 * it takes, or NULL */
	ssize_t		*checkmap;	/* scratch [widest domain] */
	size_t		*tmap;		/* [old ntargets]: the index in nm's
					 * table, or SIZE_MAX before asked */
};

static void
resolver_map(struct carry *c)
{
	const struct resolver_list	*nl = c->nm->resolvers;
	const struct resolver_list	*ol = c->old->resolvers;
	ssize_t				 or;
	size_t				 r;

	c->same_resolvers = nl->n == ol->n;
	for (r = 0; r < nl->n; r++) {
		or = model_find_resolver(c->old, nl->v[r].name);
		if (or != -1 && !sockaddr_same(
		    (const struct sockaddr *)&ol->v[or].sa,
		    (const struct sockaddr *)&nl->v[r].sa))
			or = RMAP_MOVED;
		c->rmap[r] = or;
		if (or != (ssize_t)r)
			c->same_resolvers = false;
		/* A round under way counts its samples by the old number:
		 * a changed one starts every round again. */
		else if (c->nm->targets[r].samples !=
		    c->old->targets[or].samples)
			c->same_resolvers = false;
	}
}

/* The old index of each new check by owner and type, -1 for new ones;
 * true when they are the same checks in the same order. */
static bool
check_map(const struct domain_conf *od, const struct domain_conf *nd,
    ssize_t *map)
{
	size_t	i, j;
	bool	same = od->nchecks == nd->nchecks;

	for (i = 0; i < nd->nchecks; i++) {
		map[i] = -1;
		for (j = 0; j < od->nchecks; j++)
			if (od->checks[j].type == nd->checks[i].type &&
			    strcmp(od->checks[j].owner,
			    nd->checks[i].owner) == 0) {
				map[i] = (ssize_t)j;
				break;
			}
		if (map[i] != (ssize_t)i)
			same = false;
	}
	return same;
}

static bool
records_changed(const struct check_conf *oc, const struct check_conf *nc)
{
	return !rdset_equal(&oc->expect, &nc->expect) ||
	    !rdset_equal(&oc->old, &nc->old);
}

/* Judge again, for every target, the checks whose records changed. */
static void
rejudge_watch(const struct carry *c, struct watch *w,
    const struct watch *ow, const ssize_t *checkmap)
{
	const struct check_conf	*oc, *nc;
	size_t			 k, t, nt = watch_ntargets(c->nm, w);

	for (k = 0; k < w->dc->nchecks; k++) {
		if (checkmap[k] == -1)
			continue;
		oc = watch_check(ow, (size_t)checkmap[k]);
		nc = watch_check(w, k);
		if (!records_changed(oc, nc))
			continue;
		for (t = 0; t < nt; t++)
			cstate_rejudge(w, watch_tstate(c->nm, w, t, k),
			    t < c->nm->resolvers->n, oc, nc);
	}
}

static void
copy_cstate(struct cstate *to, const struct cstate *from)
{
	*to = *from;
	to->other = NULL;
	if (from->other != NULL)
		cstate_set_other(to, from->other);
}

/* Copy one resolver's state for one domain from the old watch. */
static void
copy_resolver(struct watch *w, size_t r, const struct watch *ow, size_t or,
    const ssize_t *checkmap)
{
	size_t	k;

	w->rv[r] = ow->rv[or];
	for (k = 0; k < w->dc->nchecks; k++)
		if (checkmap[k] != -1)
			copy_cstate(watch_cstate(w, r, k),
			    watch_cstate(ow, or, (size_t)checkmap[k]));
}

/* An old target's index in the new table: each is entered once, however
 * many domains list it. */
static size_t
new_target(struct carry *c, size_t old)
{
	if (c->tmap[old] == SIZE_MAX)
		c->tmap[old] = model_intern_target(c->nm, &c->old->targets[old]);
	return c->tmap[old];
}

/* The servers found for the old watch's domain go into the new model's
 * table; their states follow the checks that stay. */
static void
copy_own(struct carry *c, struct watch *w, const struct watch *ow,
    const ssize_t *checkmap)
{
	size_t	i, k, slot;

	for (i = 0; ow->own != NULL && i < ow->own->n; i++) {
		slot = watch_add_target(c->nm, w,
		    new_target(c, ow->own->target[i]));
		for (k = 0; k < w->dc->nchecks; k++)
			if (checkmap[k] != -1)
				copy_cstate(watch_tstate(c->nm, w, slot, k),
				    &ow->own->cs[i * own_stride(ow->dc) +
				    (size_t)checkmap[k]]);
		for (k = 0; k < OQ_MAX; k++)
			copy_cstate(watch_tstate(c->nm, w, slot,
			    w->dc->nchecks + k), &ow->own->cs[i *
			    own_stride(ow->dc) + ow->dc->nchecks + k]);
	}
}

/* A watch that takes the old arrays takes its own targets too, by their
 * index in the new table. */
static void
take_own(struct carry *c, struct watch *w, struct watch *ow)
{
	size_t	i;

	w->own = ow->own;
	ow->own = NULL;
	for (i = 0; w->own != NULL && i < w->own->n; i++)
		w->own->target[i] = (uint32_t)new_target(c,
		    w->own->target[i]);
}

/* A watch whose resolvers or checks changed: new arrays, filled from the
 * old watch and, for what it did not have, from the database. */
static int
copy_watch(struct carry *c, struct watch *w, const struct watch *ow,
    const ssize_t *checkmap)
{
	size_t	k, r;

	watch_alloc_state(c->nm, w);
	for (k = 0; k < w->dc->nchecks; k++) {
		if (checkmap[k] != -1)
			w->check_db_id[k] = ow->check_db_id[checkmap[k]];
		else if (c->store != NULL && (w->check_db_id[k] =
		    store_check_id(c->store, w->db_id, w->dc->checks[k].owner,
		    w->dc->checks[k].type)) == -1)
			return -1;
	}
	for (r = 0; r < c->nm->resolvers->n; r++) {
		if (c->rmap[r] >= 0)
			copy_resolver(w, r, ow, (size_t)c->rmap[r], checkmap);
		else if (c->rmap[r] == RMAP_NEW && c->store != NULL &&
		    !c->fresh[r] &&
		    persist_load_resolver(c->nm, c->store, w, r, c->now) == -1)
			return -1;
	}
	copy_own(c, w, ow, checkmap);
	rejudge_watch(c, w, ow, checkmap);
	return 0;
}

/* What the domains that leave still owe the database goes in with the
 * reload's transaction. */
static int
write_leaving(struct carry *c)
{
	struct watch	*ow;
	size_t		 i;

	if (c->outbox == NULL)
		return 0;
	for (i = 0; i < c->old->nw; i++) {
		ow = &c->old->w[i];
		if (model_find_watch(c->nm, ow->dc->name) == NULL &&
		    outbox_write_leaving(c->outbox, c->old, ow, c->now) == -1)
			return -1;
	}
	return 0;
}

/* What the old config learned and the new one no longer does (a set now
 * given, a record gone) is forgotten in the database, so that a later
 * "auto" learns afresh rather than reading back a stale set. */
static int
forget_learned(const struct carry *c, const struct watch *w,
    const struct watch *ow)
{
	const struct check_conf	*oc, *nc;
	size_t			 j, k;
	uint8_t			 gone;

	for (j = 0; c->store != NULL && ow->learned != NULL &&
	    j < ow->dc->nchecks; j++) {
		oc = &ow->dc->checks[j];
		gone = oc->learn;
		for (k = 0; k < w->dc->nchecks && gone != 0; k++) {
			nc = &w->dc->checks[k];
			if (nc->type == oc->type &&
			    strcmp(nc->owner, oc->owner) == 0)
				gone &= (uint8_t)~nc->learn;
		}
		if (gone != 0 && store_forget_learned(c->store,
		    ow->check_db_id[j], gone & LEARN_EXPECT,
		    gone & LEARN_OLD) == -1)
			return -1;
	}
	return 0;
}

/* Everything that can fail, old left as it was. */
static int
carry_prepare(struct carry *c)
{
	struct watch	*w, *ow;
	size_t		 i;

	if (write_leaving(c) == -1)
		return -1;
	resolver_map(c);
	if (c->store != NULL &&
	    persist_resolver_ids(c->nm, c->store, c->fresh) == -1)
		return -1;
	for (i = 0; i < c->nm->resolvers->n; i++)
		if (c->rmap[i] >= 0)
			c->nm->health[i] = c->old->health[c->rmap[i]];
	c->nm->rounds = c->old->rounds;
	for (i = 0; i < c->nm->nw; i++) {
		w = &c->nm->w[i];
		if ((ow = c->match[i] = model_find_watch(c->old,
		    w->dc->name)) == NULL) {
			watch_alloc_state(c->nm, w);
			if (c->store != NULL && persist_load_watch(c->nm,
			    c->store, w, c->now) == -1)
				return -1;
			continue;
		}
		w->db_id = ow->db_id;
		w->state = ow->state;
		w->since = ow->since;
		w->complete_at = ow->complete_at;
		w->zone = ow->zone;
		w->parent_state = ow->parent_state;
		w->parent_ttl = ow->parent_ttl;
		w->parent_since = ow->parent_since;
		w->parent_switched_at = ow->parent_switched_at;
		w->watched_since = ow->watched_since;
		w->regressed_at = ow->regressed_at;
		w->cancel_at = ow->cancel_at;
		w->new_noaddr = ow->new_noaddr;
		w->old_state = ow->old_state;
		w->new_state = ow->new_state;
		w->old_stopped_at = ow->old_stopped_at;
		w->dnssec_new = ow->dnssec_new;
		w->dnssec_old = ow->dnssec_old;
		w->dnssec_failed_at = ow->dnssec_failed_at;
		w->unsaved = ow->unsaved;
		w->row_dirty = ow->row_dirty;
		w->refresh = ow->refresh;
		w->saved_at = ow->saved_at;
		if (learn_carry(w, ow, c->now))
			w->unsaved = true;
		if (check_map(ow->dc, w->dc, c->checkmap) &&
		    c->same_resolvers) {
			memcpy(w->check_db_id, ow->check_db_id,
			    w->dc->nchecks * sizeof(*w->check_db_id));
			c->from[i] = ow;	/* taken at commit */
		} else if (copy_watch(c, w, ow, c->checkmap) == -1)
			return -1;
		if (forget_learned(c, w, ow) == -1)
			return -1;
	}
	return 0;
}

/* What the domain now expects differs: its NS, its MX or its records
 * (values, or which there are).  The old values ("old-ns") only change
 * how old answers read, not where the migration goes.  Names what
 * changed into why ("ns, records"); false if nothing did. */
static bool
expectations_changed(const struct watch *ow, const struct watch *nw,
    char *why, size_t len)
{
	const struct domain_conf *od = ow->dc, *nd = nw->dc;
	const struct check_conf	*oc, *nc;
	size_t			 i, j;
	bool			 ns = false, mx = od->no_mx != nd->no_mx;
	bool			 records = od->nchecks - domain_records(od) !=
				    nd->nchecks - domain_records(nd);

	for (i = 0; i < nd->nchecks; i++) {
		nc = watch_check(nw, i);
		for (j = 0, oc = NULL; j < od->nchecks && oc == NULL; j++)
			if (od->checks[j].type == nc->type &&
			    strcmp(od->checks[j].owner, nc->owner) == 0)
				oc = watch_check(ow, j);
		if (oc != NULL && rdset_equal(&oc->expect, &nc->expect))
			continue;
		if (i == 0)
			ns = true;
		else if (i < domain_records(nd))
			mx = true;
		else
			records = true;
	}
	snprintf(why, len, "%s%s%s%s%s", ns ? "ns" : "",
	    ns && (mx || records) ? ", " : "", mx ? "mx" : "",
	    mx && records ? ", " : "", records ? "records" : "");
	return ns || mx || records;
}

/* Cannot fail: the unchanged watches take the old arrays, and every
 * staying domain its events not stored yet; a domain that expects other
 * values starts its migration again. */
static void
carry_commit(struct carry *c)
{
	struct watch	*w, *ow;
	size_t		 i;
	char		 why[32];

	for (i = 0; i < c->nm->nw; i++) {
		w = &c->nm->w[i];
		if ((ow = c->match[i]) != NULL) {
			w->events = ow->events;
			ow->events = NULL;
		}
		if ((ow = c->from[i]) != NULL) {
			w->rv = ow->rv;
			w->cs = ow->cs;
			ow->rv = NULL;
			ow->cs = NULL;
			take_own(c, w, ow);
			(void)check_map(ow->dc, w->dc, c->checkmap);
			rejudge_watch(c, w, ow, c->checkmap);
		}
		if ((ow = c->match[i]) != NULL && expectations_changed(ow,
		    w, why, sizeof(why)))
			watch_restart(c->nm, w, why, c->now);
	}
}

static size_t
widest(const struct model *m)
{
	size_t	i, n = 1;

	for (i = 0; i < m->nw; i++)
		if (m->w[i].dc->nchecks > n)
			n = m->w[i].dc->nchecks;
	return n;
}

int
carry_over(struct model *nm, struct model *old, struct store *store,
    struct outbox *outbox, time_t now)
{
	struct carry	c;
	size_t		nr = nm->resolvers->n + 1;
	int		rv = -1;

	memset(&c, 0, sizeof(c));
	c.nm = nm;
	c.old = old;
	c.store = store;
	c.outbox = outbox;
	c.now = now;
	c.rmap = xcalloc(nr, sizeof(*c.rmap));
	c.fresh = xcalloc(nr, sizeof(*c.fresh));
	c.match = xcalloc(nm->nw + 1, sizeof(*c.match));
	c.from = xcalloc(nm->nw + 1, sizeof(*c.from));
	c.checkmap = xcalloc(widest(nm), sizeof(*c.checkmap));
	c.tmap = xreallocarray(NULL, old->ntargets + 1, sizeof(*c.tmap));
	memset(c.tmap, 0xff, (old->ntargets + 1) * sizeof(*c.tmap));
	if (store != NULL && store_begin(store) == -1)
		goto done;
	if (carry_prepare(&c) == -1 ||
	    (store != NULL && store_commit(store) == -1)) {
		if (store != NULL)
			store_rollback(store);
		if (outbox != NULL)
			outbox_settle(outbox, false, now);
		goto done;
	}
	if (outbox != NULL)
		outbox_settle(outbox, true, now);
	carry_commit(&c);
	if (outbox != NULL)
		outbox_requeue(outbox, nm);
	rv = 0;
done:
	free(c.rmap);
	free(c.fresh);
	free(c.match);
	free(c.from);
	free(c.checkmap);
	free(c.tmap);
	return rv;
}
