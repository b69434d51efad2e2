/*
 * The in-memory model of watched domains.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

static const struct rdset empty_rdset;

struct model *
model_new(const struct config *cfg, const struct resolver_list *rl)
{
	struct model	*m;
	struct watch	*w;
	size_t		 i;

	m = xcalloc(1, sizeof(*m));
	m->cfg = cfg;
	m->resolvers = rl;
	m->resolver_db_id = xcalloc(rl->n ? rl->n : 1, sizeof(int64_t));
	m->nw = cfg->ndomains;
	m->w = xcalloc(m->nw ? m->nw : 1, sizeof(*m->w));
	for (i = 0; i < m->nw; i++) {
		w = &m->w[i];
		w->dc = &cfg->domains[i];
		w->check_db_id = xcalloc(w->dc->nchecks, sizeof(int64_t));
		w->rv = xcalloc(rl->n ? rl->n : 1, sizeof(*w->rv));
		w->cs = xcalloc(rl->n * w->dc->nchecks + 1, sizeof(*w->cs));
	}
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
		for (j = 0; j < m->resolvers->n * w->dc->nchecks; j++)
			cstate_clear(&w->cs[j]);
		free(w->check_db_id);
		free(w->rv);
		free(w->cs);
	}
	free(m->w);
	free(m->resolver_db_id);
	free(m);
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
	if (st == CS_OTHER) {
		cs->other = xcalloc(1, sizeof(*cs->other));
		rdset_copy(cs->other, &a->rdata);
	}
}

const char *
domain_display(const char *name, char *buf)
{
	size_t	len = strlen(name);

	if (len > 1 && name[len - 1] == '.')
		len--;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return buf;
}
