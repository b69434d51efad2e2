/*
 * Server addresses: A and AAAA asked together through one resolver, the
 * next one if neither gives an address.
 */
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "log.h"
#include "util.h"
#include "wire.h"

struct lookup;

struct hentry {
	struct host	 h;		/* first: what callers see */
	time_t		 checked_at;	/* learned */
	time_t		 retry_at;	/* after a failed lookup */
	struct lookup	*lk;		/* under way, or NULL */
};

struct lookup {
	struct hosts		*hs;
	struct hentry		*e;
	struct ask_pick	 pick;
	size_t			 outstanding;
	struct sockaddr_storage	 sa[2];		/* A, AAAA */
	socklen_t		 salen[2];
};

struct hosts {
	struct asker	 *asker;
	struct hentry	**v;		/* sorted by name */
	size_t		  n;
};

static void	lookup_done_cb(const struct observation *, void *);

struct hosts *
hosts_new(struct asker *asker)
{
	struct hosts	*hs = xcalloc(1, sizeof(*hs));

	hs->asker = asker;
	return hs;
}

void
hosts_cancelled(struct hosts *hs)
{
	size_t	i;

	for (i = 0; i < hs->n; i++) {
		free(hs->v[i]->lk);
		hs->v[i]->lk = NULL;
	}
}

void
hosts_free(struct hosts *hs)
{
	size_t	i;

	if (hs == NULL)
		return;
	hosts_cancelled(hs);
	for (i = 0; i < hs->n; i++) {
		free(hs->v[i]->h.name);
		free(hs->v[i]);
	}
	free(hs->v);
	free(hs);
}

static struct hentry *
entry_get(struct hosts *hs, const char *name)
{
	struct hentry	*e;
	size_t		 lo = 0, hi = hs->n, mid;
	int		 c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(name, hs->v[mid]->h.name)) == 0)
			return hs->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	e = xcalloc(1, sizeof(*e));
	e->h.name = xstrdup(name);
	hs->v = xreallocarray(hs->v, hs->n + 1, sizeof(*hs->v));
	memmove(&hs->v[lo + 1], &hs->v[lo], (hs->n - lo) * sizeof(*hs->v));
	hs->v[lo] = e;
	hs->n++;
	return e;
}

/* Both questions to the next resolver; false when none is left. */
static bool
lookup_next(struct lookup *lk)
{
	while (ask_next(lk->hs->asker, &lk->pick)) {
		memset(lk->salen, 0, sizeof(lk->salen));
		if (ask_send(lk->hs->asker, &lk->pick, lk->e->h.name, WIRE_T_A,
		    lookup_done_cb, lk, 0) == 0)
			lk->outstanding++;
		if (ask_send(lk->hs->asker, &lk->pick, lk->e->h.name,
		    WIRE_T_AAAA, lookup_done_cb, lk, 1) == 0)
			lk->outstanding++;
		if (lk->outstanding > 0)
			return true;
	}
	return false;
}

static void
lookup_end(struct lookup *lk)
{
	lk->e->lk = NULL;
	free(lk);
}

/* What was known stays: a server keeps its last address. */
static void
lookup_fail(struct lookup *lk, time_t now)
{
	struct hentry	*e = lk->e;

	/* Said once, not every retry. */
	if (e->h.error[0] == '\0')
		log_warnx("server %s: no resolver gave an address", e->h.name);
	snprintf(e->h.error, sizeof(e->h.error), "no resolver gave an "
	    "address");
	e->retry_at = now + HOSTS_RETRY;
	if (e->h.salen == 0)
		e->h.find = ZF_FAILED;
	lookup_end(lk);
}

static void
lookup_found(struct lookup *lk, time_t now)
{
	struct hentry	*e = lk->e;
	int		 f = lk->salen[0] != 0 ? 0 : 1;

	memcpy(&e->h.sa, &lk->sa[f], lk->salen[f]);
	e->h.salen = lk->salen[f];
	e->h.find = ZF_FOUND;
	e->h.found_at = e->checked_at = now;
	e->h.error[0] = '\0';
	ask_good(lk->hs->asker, &lk->pick);
	lookup_end(lk);
}

static void
lookup_done_cb(const struct observation *o, void *arg)
{
	struct lookup	*lk = arg;
	const struct answer *a = o->status == OBS_ANSWER ? &o->answer : NULL;
	int		 v6 = o->tag == 1;
	time_t		 now = time(NULL);

	if (zonecut_address(a, v6 ? WIRE_T_AAAA : WIRE_T_A, &lk->sa[v6],
	    &lk->salen[v6]) == -1)
		lk->salen[v6] = 0;
	if (--lk->outstanding > 0)
		return;
	if (lk->salen[0] != 0 || lk->salen[1] != 0)
		lookup_found(lk, now);
	else if (!lookup_next(lk))
		lookup_fail(lk, now);
}

static bool
entry_stale(const struct hentry *e, time_t now)
{
	if (e->lk != NULL)
		return false;
	if (e->h.find != ZF_FOUND || e->h.error[0] != '\0')
		return now >= e->retry_at;
	return now - e->checked_at >= HOSTS_REFRESH;
}

const struct host *
hosts_get(struct hosts *hs, const char *name, time_t now)
{
	struct hentry	*e = entry_get(hs, name);
	struct lookup	*lk;

	if (!entry_stale(e, now))
		return &e->h;
	lk = xcalloc(1, sizeof(*lk));
	lk->hs = hs;
	lk->e = e;
	e->lk = lk;
	if (e->h.salen == 0)
		e->h.find = ZF_FINDING;
	if (!lookup_next(lk))
		lookup_fail(lk, now);
	return &e->h;
}
