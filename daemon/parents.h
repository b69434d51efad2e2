/*
 * The parent finder: which zone holds each watched domain's delegation,
 * and its servers' names, learned through the configured resolvers (the
 * first that answers) and refreshed every hour.  A zone's servers
 * are found once for every domain under it.  The monitor asks at each
 * round's start (parents_zone()) and makes the servers the domain's
 * parent targets; the judging of what they answer is lib/zonecut.c's and
 * lib/apply.c's.
 */
#ifndef NMIGD_PARENTS_H
#define NMIGD_PARENTS_H

#include <time.h>

#include <event2/event.h>

#include "ask.h"
#include "zonecut.h"

/* How long what was learned of a name (a zone or not) holds, and how
 * long after a failed search the next one starts. */
#define PARENTS_REFRESH		3600
#define PARENTS_RETRY		60

struct parents;

struct parents	*parents_new(struct asker *);
/* The caller has cancelled every probe first (prober_cancel_all()). */
void		 parents_free(struct parents *);
/* The prober dropped every probe: searches under way start again when
 * next asked for. */
void		 parents_cancelled(struct parents *);

/* The parent zone of domain (absolute) as far as known: found, with its
 * servers; failed, with why; or still being searched (a search starts
 * if none runs).  NULL for the root.  The zone lives as long as the
 * finder. */
const struct zonecut *parents_zone(struct parents *, const char *domain,
		    time_t now);
/* A found zone's servers' names, sorted (their addresses are
 * daemon/hosts.c's). */
size_t		 parents_servers(const struct zonecut *, char *const **);

#endif
