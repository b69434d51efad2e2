/*
 * The parent finder.  For a domain, each name above it is asked for its
 * NS set through a resolver (RD=1): the first with one is the parent zone
 * ("co.jp." has none, "jp." has), and its servers' addresses are asked
 * next.  What is learned of a name serves every domain under it and is
 * asked again after PARENTS_REFRESH; a search that fails (no resolver
 * answered) is tried again after PARENTS_RETRY.  Nothing here has a timer:
 * searches start when a round asks for a zone that is unknown or stale.
 */
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "log.h"
#include "parents.h"
#include "util.h"
#include "wire.h"

enum cut {
	CUT_UNKNOWN = 0,
	CUT_YES,
	CUT_NO,
};

struct search;

struct zone {
	struct zonecut		 zc;		/* first: what watches see */
	uint8_t			 cut;		/* enum cut */
	time_t			 checked_at;	/* cut learned */
	time_t			 retry_at;	/* after a failed search */
	struct zone_server	*servers;
	size_t			 nservers;
	unsigned		 gen;
	struct search		*search;	/* under way, or NULL */
};

/* One search: the NS query, then an A and an AAAA query per server. */
struct search {
	struct parents		*p;
	struct zone		*z;
	size_t			 resolver;	/* asked now, by its index in
						 * the list of when it was
						 * chosen; a reload may change
						 * the list, not what is asked */
	struct sockaddr_storage	 rsa;		/* its address */
	socklen_t		 rsalen;
	size_t			 tried;		/* resolvers asked */
	size_t			 outstanding;
	size_t			 nnames;
	char			 names[ZONECUT_SERVERS_MAX][NMIG_NAMEBUF];
	struct sockaddr_storage	 sa[ZONECUT_SERVERS_MAX][2];	/* A, AAAA */
	socklen_t		 salen[ZONECUT_SERVERS_MAX][2];
};

struct parents {
	struct prober			*prober;
	const struct config		*cfg;
	const struct resolver_list	*rl;
	size_t				 good;	/* the resolver that last
						 * answered */
	struct zone			**zones;	/* sorted by name */
	size_t				 nzones;
};

/* The tags of a search's probes. */
#define TAG_NS		0
#define TAG_ADDR(i, v6)	(1 + 2 * (uint64_t)(i) + (v6))

static void	search_done_cb(const struct observation *, void *);

struct parents *
parents_new(struct prober *prober, const struct config *cfg,
    const struct resolver_list *rl)
{
	struct parents	*p;

	p = xcalloc(1, sizeof(*p));
	p->prober = prober;
	p->cfg = cfg;
	p->rl = rl;
	return p;
}

static void
servers_free(struct zone_server *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

void
parents_cancelled(struct parents *p)
{
	size_t	i;

	for (i = 0; i < p->nzones; i++) {
		free(p->zones[i]->search);
		p->zones[i]->search = NULL;
	}
}

void
parents_free(struct parents *p)
{
	size_t	i;

	if (p == NULL)
		return;
	parents_cancelled(p);
	for (i = 0; i < p->nzones; i++) {
		servers_free(p->zones[i]->servers, p->zones[i]->nservers);
		free(p->zones[i]->zc.name);
		free(p->zones[i]);
	}
	free(p->zones);
	free(p);
}

void
parents_reload(struct parents *p, const struct config *cfg,
    const struct resolver_list *rl)
{
	p->cfg = cfg;
	p->rl = rl;
	if (p->good >= rl->n)
		p->good = 0;
}

size_t
parents_servers(const struct zonecut *zc, const struct zone_server **v)
{
	const struct zone	*z = (const struct zone *)zc;

	*v = z->servers;
	return z->nservers;
}

unsigned
parents_generation(const struct zonecut *zc)
{
	return ((const struct zone *)zc)->gen;
}

/* The zone entry of a name, made unknown if there is none. */
static struct zone *
zone_get(struct parents *p, const char *name)
{
	struct zone	*z;
	size_t		 lo = 0, hi = p->nzones, mid;
	int		 c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, p->zones[mid]->zc.name)) == 0)
			return p->zones[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	z = xcalloc(1, sizeof(*z));
	z->zc.name = xstrdup(name);
	z->zc.find = ZF_FINDING;
	p->zones = xreallocarray(p->zones, p->nzones + 1, sizeof(*p->zones));
	memmove(&p->zones[lo + 1], &p->zones[lo],
	    (p->nzones - lo) * sizeof(*p->zones));
	p->zones[lo] = z;
	p->nzones++;
	return z;
}

static void
search_ask(struct search *s, const char *owner, uint16_t type, uint64_t tag)
{
	struct probe	pr;

	memset(&pr, 0, sizeof(pr));
	pr.sa = (const struct sockaddr *)&s->rsa;
	pr.salen = s->rsalen;
	pr.owner = owner;
	pr.type = type;
	pr.flags = PROBE_RD;
	pr.timeout_ms = s->p->cfg->timeout * 1000;
	pr.retries = s->p->cfg->retries;
	pr.done = search_done_cb;
	pr.arg = s;
	pr.tag = tag;
	if (prober_query(s->p->prober, &pr) == 0)
		s->outstanding++;
	else
		log_warnx("parent zone search: %s %s cannot be asked", owner,
		    type == WIRE_T_NS ? "NS" : "A/AAAA");
}

/* Ask the next resolver for the zone's NS set; false when every one has
 * been asked. */
static bool
search_next_resolver(struct search *s)
{
	size_t	n = s->p->rl->n;

	if (n == 0 || s->tried >= n)
		return false;
	if (s->tried++ > 0)
		s->resolver = (s->resolver + 1) % n;
	else
		s->resolver = s->p->good < n ? s->p->good : 0;
	memcpy(&s->rsa, &s->p->rl->v[s->resolver].sa,
	    s->p->rl->v[s->resolver].salen);
	s->rsalen = s->p->rl->v[s->resolver].salen;
	s->nnames = 0;
	memset(s->salen, 0, sizeof(s->salen));
	search_ask(s, s->z->zc.name, WIRE_T_NS, TAG_NS);
	return s->outstanding > 0;
}

static void
search_end(struct search *s)
{
	s->z->search = NULL;
	free(s);
}

/* No resolver gave a usable answer: what was known stays (a found zone
 * keeps its servers), and the search is tried again later. */
static void
search_fail(struct search *s, time_t now, const char *why)
{
	struct zone	*z = s->z;
	char		 name[NMIG_NAMEBUF];

	snprintf(z->zc.error, sizeof(z->zc.error), "%s", why);
	z->retry_at = now + PARENTS_RETRY;
	if (z->cut == CUT_UNKNOWN)
		z->zc.find = ZF_FAILED;
	log_warnx("parent zone search: %s: %s", domain_display(z->zc.name,
	    name), why);
	search_end(s);
}

static bool
servers_same(const struct zone_server *a, size_t na,
    const struct zone_server *b, size_t nb)
{
	size_t	i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) != 0 || a[i].salen !=
		    b[i].salen || memcmp(&a[i].sa, &b[i].sa, a[i].salen) != 0)
			return false;
	return true;
}

/* Every address query is back: the servers that have one are the
 * zone's, an IPv4 address first. */
static void
search_found(struct search *s, time_t now)
{
	struct zone		*z = s->z;
	struct zone_server	*v;
	size_t			 i, n = 0;
	int			 f;

	v = xcalloc(s->nnames, sizeof(*v));
	for (i = 0; i < s->nnames; i++) {
		f = s->salen[i][0] != 0 ? 0 : 1;
		if (s->salen[i][f] == 0)
			continue;
		v[n].name = xstrdup(s->names[i]);
		memcpy(&v[n].sa, &s->sa[i][f], s->salen[i][f]);
		v[n].salen = s->salen[i][f];
		n++;
	}
	if (n == 0) {
		free(v);
		/* The resolver may be the one at fault: ask the next. */
		if (!search_next_resolver(s))
			search_fail(s, now,
			    "no address found for any of its servers");
		return;
	}
	if (!servers_same(v, n, z->servers, z->nservers)) {
		servers_free(z->servers, z->nservers);
		z->servers = v;
		z->nservers = n;
		z->gen++;
	} else
		servers_free(v, n);
	z->cut = CUT_YES;
	z->zc.find = ZF_FOUND;
	z->zc.found_at = z->checked_at = now;
	z->zc.error[0] = '\0';
	s->p->good = s->resolver;
	search_end(s);
}

static void
search_ns(struct search *s, const struct answer *a, time_t now)
{
	struct zone	*z = s->z;
	size_t		 i;

	switch (zonecut_judge_ns(a, s->names, &s->nnames)) {
	case ZC_CUT:
		for (i = 0; i < s->nnames; i++) {
			search_ask(s, s->names[i], WIRE_T_A, TAG_ADDR(i, 0));
			search_ask(s, s->names[i], WIRE_T_AAAA,
			    TAG_ADDR(i, 1));
		}
		if (s->outstanding == 0)
			search_found(s, now);
		return;
	case ZC_NOT_CUT:
		/* The root is a zone whatever a resolver says. */
		if (strcmp(z->zc.name, ".") == 0) {
			if (!search_next_resolver(s))
				search_fail(s, now, "no resolver gave the "
				    "root's NS set");
			return;
		}
		/* A name that was a zone and is no more leaves its servers
		 * to the domains until they find the zone above. */
		z->cut = CUT_NO;
		z->zc.find = ZF_FOUND;
		z->checked_at = now;
		z->zc.error[0] = '\0';
		s->p->good = s->resolver;
		search_end(s);
		return;
	case ZC_FAIL:
		if (!search_next_resolver(s))
			search_fail(s, now, "no resolver answered its NS query");
		return;
	}
}

static void
search_done_cb(const struct observation *o, void *arg)
{
	struct search	*s = arg;
	const struct answer *a = o->status == OBS_ANSWER ? &o->answer : NULL;
	size_t		 i;
	int		 v6;

	s->outstanding--;
	if (o->tag == TAG_NS) {
		search_ns(s, a, time(NULL));
		return;
	}
	i = (size_t)((o->tag - 1) / 2);
	v6 = (int)((o->tag - 1) % 2);
	if (i < s->nnames && zonecut_address(a, v6 ? WIRE_T_AAAA : WIRE_T_A,
	    &s->sa[i][v6], &s->salen[i][v6]) == -1)
		s->salen[i][v6] = 0;
	if (s->outstanding == 0)
		search_found(s, time(NULL));
}

static void
search_start(struct parents *p, struct zone *z)
{
	struct search	*s;

	s = xcalloc(1, sizeof(*s));
	s->p = p;
	s->z = z;
	z->search = s;
	if (z->cut == CUT_UNKNOWN)
		z->zc.find = ZF_FINDING;
	if (!search_next_resolver(s))
		search_fail(s, time(NULL), p->rl->n == 0 ?
		    "no resolvers configured" : "its NS query cannot be sent");
}

/* Whether what is known of z is due to be learned again. */
static bool
zone_stale(const struct zone *z, time_t now)
{
	if (z->search != NULL)
		return false;
	if (z->cut == CUT_UNKNOWN || z->zc.error[0] != '\0')
		return now >= z->retry_at;
	return now - z->checked_at >= PARENTS_REFRESH;
}

const struct zonecut *
parents_zone(struct parents *p, const char *domain, time_t now)
{
	struct zone	*z;
	const char	*name;

	for (name = zonecut_up(domain); name != NULL;
	    name = zonecut_up(name)) {
		z = zone_get(p, name);
		if (zone_stale(z, now))
			search_start(p, z);
		if (z->cut == CUT_NO)
			continue;
		return &z->zc;
	}
	return NULL;
}
