/*
 * The operator events a round's judging raises: their texts and journal
 * fields, built in one place (see systemd/nmigd.catalog for what each
 * MESSAGE_ID means).  A list holds them until the round is stored; only
 * then are they emitted, so that a restart neither loses nor repeats one.
 */
#ifndef NMIG_EVENTS_H
#define NMIG_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "journal.h"
#include "model.h"
#include "resolvers.h"
#include "util.h"

/* An event owns its strings: it may wait for the database across a
 * reload that frees the config it came from.  je's pointers are set when
 * it is emitted, as the event is copied and moved around until then. */
struct nmig_event {
	struct journal_event	je;
	time_t			when;		/* raised */
	char			message[512];
	char			domain[NMIG_NAMEBUF];	/* for display */
	char			resolver[RESOLVER_NAME_MAX + 1];
	char			resolver_address[INET6_ADDRSTRLEN];
	char			fields[JOURNAL_FIELDS_MAX][128];
	size_t			nfields;
	bool			stored_only;	/* not for the journal */
};

struct eventlist {
	struct nmig_event	*v;
	size_t			 n, cap;
};

/* What verdict_update() reported for resolver r of w (VEV_* bits);
 * recovery is logged, not an event. */
void	events_resolver(struct eventlist *, const struct model *,
	    const struct watch *, size_t r, unsigned vev);
/* Resolver r still answers old one interval past its expiry
 * (lib/forecast.h). */
void	events_overdue(struct eventlist *, const struct model *,
	    const struct watch *, size_t r, time_t now);
/* The parent zone delegates to the new nameservers. */
void	events_parent(struct eventlist *, const struct watch *);
/* The old name servers stopped serving while nold resolvers still hold
 * old answers (or the parent still delegates to them). */
void	events_old_stopped(struct eventlist *, const struct watch *,
	    size_t nold);
/* The parent delegates to new servers none of whose keys (key tags
 * keytags) a DS at the parent stands for. */
void	events_dnssec(struct eventlist *, const struct model *,
	    const struct watch *, const char *keytags);
/* The old hosting may be cancelled (lib/forecast.h forecast_cancel()). */
void	events_cancel(struct eventlist *, const struct watch *);
/* A resolver unreachable for domains, or answering for every one again
 * (lib/reach.h): to the journal at once, not stored. */
struct reach_change;
void	events_reach(const struct model *, const struct reach_change *);
/* The domain's switch is complete. */
void	events_complete(struct eventlist *, const struct model *,
	    const struct watch *, const struct domain_tally *);

/* A new, zeroed slot at the end. */
struct nmig_event *events_add(struct eventlist *);
/* To journald (and stderr off the journal), in order. */
void	events_emit(const struct eventlist *);
void	events_clear(struct eventlist *);
void	events_free(struct eventlist *);

#endif
