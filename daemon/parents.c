/*
 * The parent finder.  For a domain, each name above it is asked for its
 * NS set through the resolvers (daemon/ask.h): the first with one is the
 * parent zone ("co.jp." has none, "jp." has); its servers' addresses are
 * daemon/hosts.c's.  What is learned of a name serves every domain under
 * it and is asked again after PARENTS_REFRESH; a search that fails (no
 * resolver answered) is tried again after PARENTS_RETRY.  Nothing here has
 * a timer: searches start when a round asks for a zone that is unknown or
 * stale.
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
	char			**servers;	/* names, sorted */
	size_t			 nservers;
	struct search		*search;	/* under way, or NULL */
};

/* One search: the zone's NS query, to one resolver after another. */
struct search {
	struct parents		*p;
	struct zone		*z;
	struct ask_pick	 pick;
};

struct parents {
	struct asker		 *asker;
	struct zone		**zones;	/* sorted by name */
	size_t			  nzones;
};

static void	search_done_cb(const struct observation *, void *);

struct parents *
parents_new(struct asker *asker)
{
	struct parents	*p;

	p = xcalloc(1, sizeof(*p));
	p->asker = asker;
	return p;
}

static void
names_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
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
		names_free(p->zones[i]->servers, p->zones[i]->nservers);
		free(p->zones[i]->zc.name);
		free(p->zones[i]);
	}
	free(p->zones);
	free(p);
}

size_t
parents_servers(const struct zonecut *zc, char *const **v)
{
	const struct zone	*z = (const struct zone *)zc;

	*v = z->servers;
	return z->nservers;
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

/* Ask the next resolver for the zone's NS set; false when every one has
 * been asked. */
static bool
search_next(struct search *s)
{
	while (ask_next(s->p->asker, &s->pick))
		if (ask_send(s->p->asker, &s->pick, s->z->zc.name, WIRE_T_NS,
		    search_done_cb, s, 0) == 0)
			return true;
	return false;
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

	if (z->zc.error[0] == '\0')
		log_warnx("parent zone search: %s: %s",
		    domain_display(z->zc.name, name), why);
	snprintf(z->zc.error, sizeof(z->zc.error), "%s", why);
	z->retry_at = now + PARENTS_RETRY;
	if (z->cut == CUT_UNKNOWN)
		z->zc.find = ZF_FAILED;
	search_end(s);
}

static void
zone_learned(struct search *s, enum cut cut, time_t now)
{
	struct zone	*z = s->z;

	z->cut = (uint8_t)cut;
	z->zc.find = ZF_FOUND;
	z->checked_at = now;
	z->zc.error[0] = '\0';
	if (cut == CUT_YES)
		z->zc.found_at = now;
	ask_good(s->p->asker, &s->pick);
	search_end(s);
}

static void
search_found(struct search *s, char names[][NMIG_NAMEBUF], size_t n,
    time_t now)
{
	struct zone	*z = s->z;
	size_t		 i;

	names_free(z->servers, z->nservers);
	z->servers = xcalloc(n, sizeof(*z->servers));
	for (i = 0; i < n; i++)
		z->servers[i] = xstrdup(names[i]);
	z->nservers = n;
	zone_learned(s, CUT_YES, now);
}

static void
search_done_cb(const struct observation *o, void *arg)
{
	static char	 names[ZONECUT_SERVERS_MAX][NMIG_NAMEBUF];
	struct search	*s = arg;
	const struct answer *a = o->status == OBS_ANSWER ? &o->answer : NULL;
	time_t		 now = time(NULL);
	size_t		 n;

	switch (zonecut_judge_ns(a, names, &n)) {
	case ZC_CUT:
		search_found(s, names, n, now);
		return;
	case ZC_NOT_CUT:
		/* The root is a zone whatever a resolver says. */
		if (strcmp(s->z->zc.name, ".") != 0) {
			/* A name that was a zone and is no more leaves its
			 * servers to the domains until they find the zone
			 * above. */
			zone_learned(s, CUT_NO, now);
			return;
		}
		break;
	case ZC_FAIL:
		break;
	}
	if (!search_next(s))
		search_fail(s, now, strcmp(s->z->zc.name, ".") == 0 ?
		    "no resolver gave the root's NS set" :
		    "no resolver answered its NS query");
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
	if (!search_next(s))
		search_fail(s, time(NULL), p->asker->rl->n == 0 ?
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
