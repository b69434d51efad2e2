/*
 * The monitor runs probe rounds: per watched domain a timer, a round of
 * probes to every resolver for every check (each as many samples as the
 * resolver gets), and at the round's end the judging (lib/apply.c) and
 * the outbox's batches (lib/outbox.c), which emit the operator events
 * once stored.
 */
#ifndef NMIGD_MONITOR_H
#define NMIGD_MONITOR_H

#include <stdbool.h>

#include <event2/event.h>

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
/* Changes whenever monitor_model()'s model is replaced (and the old one
 * freed) by a reload: work spread over loop passes checks it. */
unsigned	 monitor_generation(const struct monitor *);
/* How the database keeps up (lib/outbox.h); false without one. */
struct outbox_stats;
bool		 monitor_outbox_stats(const struct monitor *,
		    struct outbox_stats *);
/* True when every watched domain is complete. */
bool		 monitor_all_complete(const struct monitor *);

/* Start a round now for one domain (normalized name) or all (NULL).
 * Each domain is told to fn with whether its round started now (false:
 * one was already under way).  -1 if the domain is not watched. */
typedef void	 monitor_check_fn(void *arg, const char *domain, bool started);
int		 monitor_check(struct monitor *, const char *domain,
		    monitor_check_fn *, void *arg);

/* Switch to a new config and resolver list (the caller frees the old ones
 * afterwards).  Domains and resolvers that stay keep their state; new
 * ones start from what the database knows (lib/carry.c).  Timers keep
 * their schedule; rounds under way go on unless a domain left or changed
 * its layout, then they all start again.  -1 if the database failed: then
 * nothing changed and the old config stays in use. */
int		 monitor_reload(struct monitor *, const struct config *,
		    const struct resolver_list *);

/* "3 domains: 1 complete, 2 propagating (41/60 resolvers new)"; returns
 * the (domain, resolver) pairs it walked. */
size_t		 monitor_summary(const struct monitor *, char *, size_t);
/* Called after every round's end, for STATUS= updates. */
void		 monitor_on_round(struct monitor *, void (*)(void *), void *);

#endif
