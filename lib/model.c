/*
 * The in-memory model of watched domains.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "model.h"
#include "wire.h"
#include "util.h"

static const struct rdset empty_rdset;

static int	watch_cmp(const void *, const void *);

/* The config's checks, the sets to be learned empty; owners are the
 * config's, which outlives the watch. */
static void
watch_learn_init(struct watch *w)
{
	const struct check_conf	*c;
	size_t			 k, n = w->dc->nchecks;

	w->lchecks = xcalloc(n, sizeof(*w->lchecks));
	w->learned = xcalloc(n, sizeof(*w->learned));
	for (k = 0; k < n; k++) {
		c = &w->dc->checks[k];
		w->lchecks[k] = *c;
		memset(&w->lchecks[k].expect, 0, sizeof(c->expect));
		memset(&w->lchecks[k].old, 0, sizeof(c->old));
		rdset_copy(&w->lchecks[k].expect, &c->expect);
		rdset_copy(&w->lchecks[k].old, &c->old);
	}
}

static void
watch_learn_free(struct watch *w)
{
	size_t	k;

	for (k = 0; w->lchecks != NULL && k < w->dc->nchecks; k++) {
		rdset_free(&w->lchecks[k].expect);
		rdset_free(&w->lchecks[k].old);
	}
	free(w->lchecks);
	free(w->learned);
}

struct model *
model_new_bare(const struct config *cfg, const struct resolver_list *rl)
{
	struct model	*m;
	struct watch	*w;
	size_t		 i;

	m = xcalloc(1, sizeof(*m));
	m->cfg = cfg;
	m->resolvers = rl;
	m->resolver_db_id = xcalloc(rl->n ? rl->n : 1, sizeof(int64_t));
	m->health = xcalloc(rl->n ? rl->n : 1, sizeof(*m->health));
	m->targets = xcalloc(rl->n ? rl->n : 1, sizeof(*m->targets));
	for (i = 0; i < rl->n; i++)
		target_resolver(&m->targets[i], &rl->v[i], cfg->samples);
	m->ntargets = rl->n;
	m->nw = cfg->ndomains;
	m->w = xcalloc(m->nw ? m->nw : 1, sizeof(*m->w));
	for (i = 0; i < m->nw; i++) {
		w = &m->w[i];
		w->dc = &cfg->domains[i];
		w->check_db_id = xcalloc(w->dc->nchecks, sizeof(int64_t));
		if (domain_learns(w->dc))
			watch_learn_init(w);
	}
	m->by_name = xcalloc(m->nw ? m->nw : 1, sizeof(*m->by_name));
	for (i = 0; i < m->nw; i++)
		m->by_name[i] = &m->w[i];
	qsort(m->by_name, m->nw, sizeof(*m->by_name), watch_cmp);
	return m;
}

void
watch_alloc_state(const struct model *m, struct watch *w)
{
	size_t	n = m->resolvers->n;

	w->rv = xcalloc(n ? n : 1, sizeof(*w->rv));
	w->cs = xcalloc(n * w->dc->nchecks + 1, sizeof(*w->cs));
}

struct model *
model_new(const struct config *cfg, const struct resolver_list *rl)
{
	struct model	*m;
	size_t		 i;

	m = model_new_bare(cfg, rl);
	for (i = 0; i < m->nw; i++)
		watch_alloc_state(m, &m->w[i]);
	return m;
}

void
model_free(struct model *m)
{
	struct watch	*w;
	size_t		 i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->nw; i++) {
		w = &m->w[i];
		/* A reload may have taken the arrays (lib/carry.c). */
		for (j = 0; w->cs != NULL &&
		    j < m->resolvers->n * w->dc->nchecks; j++)
			cstate_clear(&w->cs[j]);
		free(w->check_db_id);
		if (w->events != NULL) {
			events_free(w->events);
			free(w->events);
		}
		free(w->rv);
		free(w->cs);
		watch_own_free(w->own, w->dc);
		watch_learn_free(w);
	}
	for (i = 0; i < m->ntargets; i++)
		target_free(&m->targets[i]);
	free(m->targets);
	free(m->thash);
	free(m->w);
	free(m->resolver_db_id);
	free(m->health);
	free(m->by_name);
	free(m);
}

/* Servers found for domains: thousands of them with 10,000 domains of
 * many providers, and every reload enters them again, so the table has a
 * hash index (open addressing, at most half full). */
static size_t
thash_slot(const struct model *m, const struct target *t)
{
	size_t	mask = m->thash_cap - 1, i = target_hash(t) & mask;

	while (m->thash[i] != 0 &&
	    !target_same(&m->targets[m->thash[i] - 1], t))
		i = (i + 1) & mask;
	return i;
}

static void
thash_grow(struct model *m)
{
	size_t	i, old = m->thash_cap;

	free(m->thash);
	m->thash_cap = old == 0 ? 64 : old * 2;
	m->thash = xcalloc(m->thash_cap, sizeof(*m->thash));
	for (i = m->resolvers->n; i < m->ntargets; i++)
		m->thash[thash_slot(m, &m->targets[i])] = (uint32_t)i + 1;
}

size_t
model_intern_target(struct model *m, const struct target *t)
{
	size_t	i;

	if ((m->ntargets - m->resolvers->n + 1) * 2 > m->thash_cap)
		thash_grow(m);
	i = thash_slot(m, t);
	if (m->thash[i] != 0)
		return m->thash[i] - 1;
	m->targets = xreallocarray(m->targets, m->ntargets + 1,
	    sizeof(*m->targets));
	target_copy(&m->targets[m->ntargets], t);
	m->thash[i] = (uint32_t)m->ntargets + 1;
	return m->ntargets++;
}

size_t
watch_add_target(const struct model *m, struct watch *w, size_t t)
{
	struct watch_own	*o;
	size_t			 i, k = own_stride(w->dc);

	if (w->own == NULL)
		w->own = xcalloc(1, sizeof(*w->own));
	o = w->own;
	for (i = 0; i < o->n; i++)
		if (o->target[i] == t)
			return m->resolvers->n + i;
	o->target = xreallocarray(o->target, o->n + 1, sizeof(*o->target));
	o->cs = xreallocarray(o->cs, (o->n + 1) * k + 1, sizeof(*o->cs));
	memset(&o->cs[o->n * k], 0, (k + 1) * sizeof(*o->cs));
	o->target[o->n] = (uint32_t)t;
	return m->resolvers->n + o->n++;
}

static bool
listed(size_t t, const size_t *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (v[i] == t)
			return true;
	return false;
}

void
watch_set_targets(const struct model *m, struct watch *w,
    enum target_kind kind, const size_t *t, size_t n)
{
	struct watch_own	*o = w->own;
	size_t			 i, j, q, k = own_stride(w->dc);

	/* Drop the targets of the kind that are not listed, moving the
	 * rest down; then add the listed ones it lacks. */
	for (i = j = 0; o != NULL && i < o->n; i++) {
		if (m->targets[o->target[i]].kind == kind &&
		    !listed(o->target[i], t, n)) {
			for (q = 0; q < k; q++)
				cstate_clear(&o->cs[i * k + q]);
			continue;
		}
		if (i != j) {
			o->target[j] = o->target[i];
			memcpy(&o->cs[j * k], &o->cs[i * k],
			    k * sizeof(*o->cs));
		}
		j++;
	}
	if (o != NULL)
		o->n = (uint32_t)j;
	for (i = 0; i < n; i++)
		watch_add_target(m, w, t[i]);
}

void
watch_own_free(struct watch_own *o, const struct domain_conf *dc)
{
	size_t	i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n * own_stride(dc); i++)
		cstate_clear(&o->cs[i]);
	free(o->cs);
	free(o->target);
	free(o);
}

static int
watch_cmp(const void *a, const void *b)
{
	const struct watch	*wa = *(struct watch *const *)a;
	const struct watch	*wb = *(struct watch *const *)b;

	return strcmp(wa->dc->name, wb->dc->name);
}

static int
watch_key_cmp(const void *key, const void *elem)
{
	const struct watch	*w = *(struct watch *const *)elem;

	return strcmp(key, w->dc->name);
}

/* A reload maps every new domain to its old state: bsearch keeps that
 * O(n log n) with 10,000 domains. */
struct watch *
model_find_watch(const struct model *m, const char *name)
{
	struct watch	**found;

	if (m->nw == 0)
		return NULL;
	found = bsearch(name, m->by_name, m->nw, sizeof(*m->by_name),
	    watch_key_cmp);
	return found != NULL ? *found : NULL;
}

/* Resolver names are unique ignoring case (lib/resolvers.c). */
ssize_t
model_find_resolver(const struct model *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->resolvers->n; i++)
		if (strcasecmp(m->resolvers->v[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

const struct rdset *
cstate_rdata(const struct cstate *cs, const struct check_conf *c)
{
	switch (cs->state) {
	case CS_NEW:
		return &c->expect;
	case CS_OLD:
		return &c->old;
	case CS_OTHER:
		return cs->other != NULL ? cs->other : &empty_rdset;
	default:
		return &empty_rdset;
	}
}

void
cstate_clear(struct cstate *cs)
{
	if (cs->other != NULL) {
		rdset_free(cs->other);
		free(cs->other);
	}
	memset(cs, 0, sizeof(*cs));
}

void
cstate_set_other(struct cstate *cs, const struct rdset *set)
{
	if (cs->other != NULL)
		rdset_free(cs->other);
	else
		cs->other = xcalloc(1, sizeof(*cs->other));
	rdset_copy_capped(cs->other, set, CSTATE_OTHER_MAX);
}

void
cstate_set(struct cstate *cs, enum check_state st, const struct answer *a,
    time_t when, uint32_t rtt_ms)
{
	cstate_clear(cs);
	cs->state = st;
	cs->answered_at = when;
	cs->rtt_ms = rtt_ms > UINT16_MAX ? UINT16_MAX : (uint16_t)rtt_ms;
	cs->rcode = CS_RCODE_NONE;
	if (a == NULL)
		return;
	cs->rcode = a->rcode;
	cs->ttl = a->ttl;
	if (st == CS_OTHER)
		cstate_set_other(cs, &a->rdata);
}

/* README.md and the scale issue count on it: a check state is 48 bytes
 * on a 64-bit system. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct cstate) == 48,
    "struct cstate grew past 48 bytes");
/* And a (domain, resolver) verdict as many. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct rverdict) == 48,
    "struct rverdict grew past 48 bytes");

/* Whether a target of kind asks check k: a resolver and the new
 * provider's server every check, a parent server the delegation (the
 * apex NS, which it answers with a referral), the old provider's server
 * the apex NS and MX. */
static bool
asks_check(enum target_kind kind, const struct domain_conf *dc, size_t k)
{
	switch (kind) {
	case TK_RESOLVER:
	case TK_NEW_AUTH:
		return true;
	case TK_PARENT:
		return k == 0;
	case TK_OLD_AUTH:
		return k < domain_records(dc);
	default:
		return false;
	}
}

bool
watch_question(const struct watch *w, const struct target *t, size_t k,
    const char **owner, uint16_t *type)
{
	size_t	nc = w->dc->nchecks;

	if (k < nc) {
		*owner = w->dc->checks[k].owner;
		*type = w->dc->checks[k].type;
		return asks_check(t->kind, w->dc, k);
	}
	*owner = w->dc->name;
	if (t->kind == TK_PARENT && k - nc == OQ_DS)
		*type = WIRE_T_DS;
	else if ((t->kind == TK_OLD_AUTH || t->kind == TK_NEW_AUTH) &&
	    k - nc == OQ_SOA)
		*type = WIRE_T_SOA;
	else if ((t->kind == TK_OLD_AUTH || t->kind == TK_NEW_AUTH) &&
	    k - nc == OQ_DNSKEY)
		*type = WIRE_T_DNSKEY;
	else
		return false;
	return true;
}
