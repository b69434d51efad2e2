/*
 * What the probes saw, into the model: each observation updates one
 * (domain, resolver, check) state and the resolver's health as it comes
 * in; when a round's last probe is back, the round is judged (the pure
 * functions of lib/verdict.c) and its events are raised (lib/events.c).
 * An observation also notes what the database lacks (lib/outbox.c).
 */
#ifndef NMIG_APPLY_H
#define NMIG_APPLY_H

#include <time.h>

#include "events.h"
#include "model.h"
#include "observation.h"

/* A round of w starts: the samples that come back from now on are its,
 * whatever an interrupted round left. */
void	apply_round_begin(const struct model *, struct watch *);
/* The answer of w's target in slot (a resolver's index, or one of the
 * watch's own after them) to check k, one of the round's samples: the
 * round keeps the first that is not new, so that a target is new in a
 * round only if every sample is. */
void	apply_observation(struct model *, struct watch *, size_t slot,
	    size_t k, const struct observation *, time_t now);
/* A probe that could not even be sent counts as an error answer. */
void	apply_unsent(const struct model *, struct watch *, size_t slot,
	    size_t k, time_t now);

/* Judging a round, and what it changed. */
struct judge {
	uint8_t			*states;	/* scratch [widest domain] */
	size_t			 nstates;
	uint8_t			*pstates;	/* scratch [own targets] */
	size_t			 npstates;
	struct rverdict		*rvsave;	/* [resolvers] before */
	size_t			 nrv;
	uint8_t			 state;		/* the watch before */
	time_t			 since;
	time_t			 complete_at;
	uint8_t			 parent_state;
	time_t			 parent_since;
	time_t			 parent_switched_at;
	time_t			 watched_since;
	time_t			 regressed_at;
	time_t			 cancel_at;
	uint8_t			 old_state;
	uint8_t			 new_state;
	time_t			 old_stopped_at;
	uint8_t			 dnssec_new;
	uint8_t			 dnssec_old;
	time_t			 dnssec_failed_at;
	struct eventlist	 events;	/* raised by the round */
};

/* Every resolver's verdict, then the domain's; the events it raises
 * replace judge->events.  confirm: rounds of new needed to switch. */
void	judge_round(struct judge *, const struct model *, struct watch *,
	    time_t now, unsigned confirm);
void	judge_free(struct judge *);

#endif
