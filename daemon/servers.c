/*
 * A domain's own targets: who they are, as far as the lookups know.
 */
#include <stdlib.h>

#include "hosts.h"
#include "parents.h"
#include "rdtext.h"
#include "servers.h"
#include "ask.h"
#include "util.h"
#include "wire.h"

struct servers {
	struct asker	 asker;
	struct hosts	*hosts;
	struct parents	*parents;
};

struct servers *
servers_new(struct prober *prober, const struct config *cfg,
    const struct resolver_list *rl)
{
	struct servers	*s = xcalloc(1, sizeof(*s));

	ask_init(&s->asker, prober, cfg, rl);
	s->hosts = hosts_new(&s->asker);
	s->parents = parents_new(&s->asker);
	return s;
}

void
servers_free(struct servers *s)
{
	if (s == NULL)
		return;
	parents_free(s->parents);
	hosts_free(s->hosts);
	free(s);
}

void
servers_reload(struct servers *s, const struct config *cfg,
    const struct resolver_list *rl)
{
	ask_reload(&s->asker, cfg, rl);
}

void
servers_cancelled(struct servers *s)
{
	parents_cancelled(s->parents);
	hosts_cancelled(s->hosts);
}

/* The servers of kind named in names[n] that have an address, as the
 * model's targets, into idx; how many.  *noaddr: the first whose lookup
 * failed (NULL if none). */
static size_t
targets_of(struct servers *s, struct model *m, enum target_kind kind,
    char *const *names, size_t n, size_t *idx, const struct host **noaddr,
    time_t now)
{
	const struct host	*h;
	struct target		 t;
	size_t			 i, k = 0;

	*noaddr = NULL;
	for (i = 0; i < n && k < ZONECUT_SERVERS_MAX; i++) {
		h = hosts_get(s->hosts, names[i], now);
		if (h->salen == 0) {
			if (h->find == ZF_FAILED && *noaddr == NULL)
				*noaddr = h;
			continue;
		}
		target_server(&t, kind, names[i],
		    (const struct sockaddr *)&h->sa, h->salen, 0);
		idx[k++] = model_intern_target(m, &t);
		target_free(&t);
	}
	return k;
}

static void
parent_sync(struct servers *s, struct model *m, struct watch *w, time_t now)
{
	const struct zonecut	*zc = NULL;
	const struct host	*noaddr;
	char *const		*names = NULL;
	size_t			 n = 0, idx[ZONECUT_SERVERS_MAX];

	if (config_parent_auto(m->cfg, w->dc) &&
	    (zc = parents_zone(s->parents, w->dc->name, now)) != NULL)
		n = parents_servers(zc, &names);
	w->zone = zc;
	watch_set_targets(m, w, TK_PARENT, idx,
	    targets_of(s, m, TK_PARENT, names, n, idx, &noaddr, now));
}

/* The names of an NS set from the config, as text. */
static size_t
ns_names(const struct rdset *set, char **names, size_t max)
{
	const uint8_t	*rd;
	size_t		 off = 0, n = 0;
	uint16_t	 len;

	while (n < max && (rd = rdset_next(set, &off, &len)) != NULL)
		names[n++] = rdtext(WIRE_T_NS, rd, len);
	return n;
}

/* One provider's servers as w's targets of kind; a name that has no
 * address is the new provider's fault (lib/providers.c). */
static void
provider_sync(struct servers *s, struct model *m, struct watch *w,
    enum target_kind kind, const struct rdset *set, time_t now)
{
	const struct host	*noaddr;
	char			*names[ZONECUT_SERVERS_MAX] = { NULL };
	size_t			 i, n, idx[ZONECUT_SERVERS_MAX];

	n = config_providers_auto(m->cfg, w->dc) ?
	    ns_names(set, names, ZONECUT_SERVERS_MAX) : 0;
	watch_set_targets(m, w, kind, idx,
	    targets_of(s, m, kind, names, n, idx, &noaddr, now));
	if (kind == TK_NEW_AUTH)
		w->new_noaddr = noaddr != NULL ? noaddr->name : NULL;
	for (i = 0; i < n; i++)
		free(names[i]);
}

void
servers_sync(struct servers *s, struct model *m, struct watch *w, time_t now)
{
	parent_sync(s, m, w, now);
	provider_sync(s, m, w, TK_NEW_AUTH, &watch_check(w, 0)->expect, now);
	provider_sync(s, m, w, TK_OLD_AUTH, &watch_check(w, 0)->old, now);
}

void
servers_start(struct servers *s, struct model *m)
{
	size_t	i;

	for (i = 0; i < m->nw; i++)
		servers_sync(s, m, &m->w[i], time(NULL));
}
