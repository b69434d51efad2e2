/*
 * The parent finder: which zone holds each watched domain's delegation,
 * and its servers' addresses, learned through the configured resolvers
 * (the first that answers) and refreshed every hour.  A zone's servers
 * are found once for every domain under it.  The monitor asks at each
 * round's start (parents_zone()) and makes the servers the domain's
 * parent targets; the judging of what they answer is lib/zonecut.c's and
 * lib/apply.c's.
 */
#ifndef NMIGD_PARENTS_H
#define NMIGD_PARENTS_H

#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "prober.h"
#include "resolvers.h"
#include "zonecut.h"

/* How long what was learned of a name (a zone or not) holds, and how
 * long after a failed search the next one starts. */
#define PARENTS_REFRESH		3600
#define PARENTS_RETRY		60

/* One server of a found zone: its name and the address it is asked at
 * (the first IPv4 one, else the first IPv6 one). */
struct zone_server {
	char			*name;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
};

struct parents;

struct parents	*parents_new(struct prober *, const struct config *,
		    const struct resolver_list *);
/* The caller has cancelled every probe first (prober_cancel_all()). */
void		 parents_free(struct parents *);
/* A reload: later searches ask the new list, with the new timeouts. */
void		 parents_reload(struct parents *, const struct config *,
		    const struct resolver_list *);
/* The prober dropped every probe: searches under way start again when
 * next asked for. */
void		 parents_cancelled(struct parents *);

/* The parent zone of domain (absolute) as far as known: found, with its
 * servers; failed, with why; or still being searched (a search starts
 * if none runs).  NULL for the root.  The zone lives as long as the
 * finder. */
const struct zonecut *parents_zone(struct parents *, const char *domain,
		    time_t now);
/* A found zone's servers, and the generation of that list, which changes
 * whenever the list does. */
size_t		 parents_servers(const struct zonecut *,
		    const struct zone_server **);
unsigned	 parents_generation(const struct zonecut *);

#endif
