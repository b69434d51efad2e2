/*
 * The servers each domain asks directly, besides the resolvers: its
 * parent zone's (daemon/parents.c) and its new and old providers' name
 * servers (the config's ns and old-ns), at the addresses daemon/hosts.c
 * looks up through the resolvers (daemon/ask.c).  Before each round the
 * monitor makes them the domain's own targets (lib/model.h).
 */
#ifndef NMIGD_SERVERS_H
#define NMIGD_SERVERS_H

#include <time.h>

#include "config.h"
#include "model.h"
#include "prober.h"
#include "resolvers.h"

struct servers;

struct servers	*servers_new(struct prober *, const struct config *,
		    const struct resolver_list *);
/* The caller has cancelled every probe first (prober_cancel_all()). */
void		 servers_free(struct servers *);
/* A reload: later lookups ask the new list, with the new timeouts. */
void		 servers_reload(struct servers *, const struct config *,
		    const struct resolver_list *);
/* The prober dropped every probe: lookups start again when next due. */
void		 servers_cancelled(struct servers *);
/* Start finding every domain's servers now (at start-up). */
void		 servers_start(struct servers *, struct model *);
/* w's own targets as now known: its parent zone's servers, its
 * providers' (none when the config says so).  Between rounds only:
 * slots may move. */
void		 servers_sync(struct servers *, struct model *, struct watch *,
		    time_t now);

#endif
