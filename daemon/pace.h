/*
 * Pacing: how fast each server is asked.  Every destination (address and
 * port) has a pace: a token bucket at its rate, the queries waiting for
 * it, and back-off for a server that stops answering or refuses us.  The
 * prober asks pacer_next() what may go now; paces with queries waiting
 * take turns, so that a slow or rate-limited server holds back its own
 * queries only.  A query sent again (a retry, TCP after TC=1) takes a
 * token too, before any new query of its server (pacer_again()): the
 * rate is a cap on datagrams and connections, not on queries.
 *
 * Back-off: after PACE_FAILS_TO_BACKOFF failures in a row (no answer, a
 * broken TCP answer, or REFUSED from a resolver), of different names, a
 * server is left alone for a second, then asked one query; each trial
 * that fails doubles the wait, up to PACE_HOLD_MAX_S, and the first
 * answer ends it.  Meanwhile its queries are not sent: pacer_next() hands
 * them back to be skipped, so that the rounds that asked for them end
 * instead of waiting for a dead server.  Each back-off also halves the
 * rate it is asked at, which rises again by a twentieth of its rate a
 * second while it answers: a server that refuses beyond a limit of its
 * own settles near it.
 */
#ifndef NMIGD_PACE_H
#define NMIGD_PACE_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#define PACE_FAILS_TO_BACKOFF	5
#define PACE_HOLD_MAX_S		120

struct pace;
struct pacer;

/* Embedded in whatever is queued (the prober's queries). */
struct paced {
	TAILQ_ENTRY(paced)	 entry;
	struct pace		*pace;
	uint32_t		 key;		/* its name's, set by the
						 * caller: failures of one
						 * name count once */
	bool			 again;		/* waits to be sent again */
};

enum pace_verdict {
	PACE_NONE,	/* nothing may go now; the ready callback says when */
	PACE_SEND,	/* send it, then pacer_done() it */
	PACE_SKIP,	/* do not send it: its server is backed off */
};

enum pace_outcome {
	PACE_OK,	/* the server answered */
	PACE_TIMEOUT,	/* no answer */
	PACE_BROKEN,	/* the TCP connection failed, or its answer */
	PACE_REFUSED,	/* a resolver refused us */
	PACE_NEUTRAL,	/* our failure or a cancel: says nothing of it */
};

struct pace_info {
	unsigned	rate;		/* queries a second, the most */
	unsigned	now_rate;	/* lower after a back-off */
	size_t		queued;		/* waiting for it now */
	unsigned	fails;		/* in a row */
	unsigned	hold_s;		/* 0, or the back-off's current wait */
	bool		trying;		/* backing off: a trial is out */
	time_t		retry_at;	/* backing off: next trial, wall clock */
};

struct pacer_stats {
	size_t		queued;		/* every pace's */
	size_t		backing_off;
	uint64_t	skipped;
};

/* Called when a pace that was waiting for a token has one. */
typedef void	 pacer_ready_fn(void *arg);
/* pacer_drain(): each item taken out. */
typedef void	 pacer_drain_fn(struct paced *, void *arg);

struct pacer	*pacer_new(struct event_base *, pacer_ready_fn *, void *arg);
/* The caller has drained it and finished every item sent. */
void		 pacer_free(struct pacer *);

/* The destination's pace, made if need be, with label (a resolver's
 * name, a server's host: for the log).  rate (queries a second, at least
 * 1) replaces the one it had if lower, or if it is the first given since
 * pacer_rates_begin() (a reload): an address that is a resolver and a
 * server is asked at the lower rate. */
struct pace	*pacer_pace(struct pacer *, const struct sockaddr *, socklen_t,
		    unsigned rate, const char *label);
/* The rates are given afresh (a reload gives each target's). */
void		 pacer_rates_begin(struct pacer *);
/* Queue an item for its pace, last or (first: the daemon's own lookups,
 * which rounds wait for) first. */
void		 pacer_push(struct pacer *, struct pace *, struct paced *,
		    bool first);
/* Every queued item out again, unsent, through fn. */
void		 pacer_drain(struct pacer *, pacer_drain_fn *, void *arg);
/* The next item, round robin over the paces; *out is set for SEND and
 * SKIP.  A skipped item is done with as far as the pacer goes.  now is
 * CLOCK_MONOTONIC's, read once for a burst of calls. */
enum pace_verdict pacer_next(struct pacer *, const struct timespec *now,
		    struct paced **out);
/* A SEND that could not go (no socket): first in its queue again. */
void		 pacer_putback(struct pacer *, struct paced *);
/* A sent item to be sent again: SEND now; NONE, ask again in *wait_ms;
 * SKIP, give it up (its server is backed off) and pacer_done() it. */
enum pace_verdict pacer_again(struct pacer *, struct paced *,
		    unsigned *wait_ms);
/* A sent item is finished. */
void		 pacer_done(struct pacer *, struct paced *, enum pace_outcome);

/* false when the destination has no pace (nothing asked of it lately). */
bool		 pacer_info(const struct pacer *, const struct sockaddr *,
		    struct pace_info *);
void		 pacer_get_stats(const struct pacer *, struct pacer_stats *);

#endif
