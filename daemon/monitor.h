/*
 * The monitor runs probe rounds: per watched domain a timer, a round of
 * probes to every resolver for every check, and at the round's end the
 * judging (lib/verdict), one store transaction and the operator events.
 */
#ifndef NMIGD_MONITOR_H
#define NMIGD_MONITOR_H

#include <stdbool.h>

#include <event2/event.h>
#include <jansson.h>

#include "config.h"
#include "model.h"
#include "prober.h"
#include "resolvers.h"
#include "store.h"

struct monitor;

/* store NULL: nothing is loaded or saved and no events are emitted (the
 * --once snapshot).  once: one round per domain with confirm treated as 1,
 * then the loop is left. */
struct monitor	*monitor_new(struct event_base *, const struct config *,
		    const struct resolver_list *, struct store *,
		    struct prober *, bool once);
/* Loads saved state (with a store) and arms the round timers. */
int		 monitor_start(struct monitor *);
void		 monitor_free(struct monitor *);

const struct model *monitor_model(const struct monitor *);
/* True when every watched domain is complete. */
bool		 monitor_all_complete(const struct monitor *);

#endif
