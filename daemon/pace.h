/*
 * Pacing: how fast each server is asked.  Every destination (address and
 * port) has a pace: a token bucket at its rate, the queries waiting for
 * it, and back-off for a server that stops answering or refuses us.  The
 * prober asks pacer_next() what may go now; paces with queries waiting
 * take turns, so that a slow or rate-limited server holds back its own
 * queries only.
 *
 * Back-off: after PACE_FAILS_TO_BACKOFF failures in a row (timeouts, or
 * REFUSED from a resolver) a server is left alone for a second, then
 * asked one query; each trial that fails doubles the wait, up to
 * PACE_HOLD_MAX_S, and the first answer ends it.  Meanwhile its queries
 * are not sent: pacer_next() hands them back to be skipped, so that the
 * rounds that asked for them end instead of waiting for a dead server.
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
};

enum pace_verdict {
	PACE_NONE,	/* nothing may go now; the ready callback says when */
	PACE_SEND,	/* send it, then pacer_done() it */
	PACE_SKIP,	/* do not send it: its server is backed off */
};

enum pace_outcome {
	PACE_OK,	/* the server answered */
	PACE_TIMEOUT,	/* no answer */
	PACE_REFUSED,	/* a resolver refused us */
	PACE_NEUTRAL,	/* our failure or a cancel: says nothing of it */
};

struct pace_info {
	unsigned	rate;		/* queries a second */
	size_t		queued;		/* waiting for it now */
	unsigned	fails;		/* in a row */
	unsigned	hold_s;		/* 0, or the back-off's current wait */
	time_t		retry_at;	/* backing off: next trial, wall clock */
	uint64_t	sent;
	uint64_t	skipped;	/* not sent while backing off */
};

struct pacer_stats {
	size_t		queued;		/* every pace's */
	size_t		paces;
	size_t		backing_off;
	uint64_t	skipped;
};

/* Called when a pace that was waiting for a token has one. */
typedef void	 pacer_ready_fn(void *arg);

struct pacer	*pacer_new(struct event_base *, pacer_ready_fn *, void *arg);
void		 pacer_free(struct pacer *);

/* The destination's pace, made if need be; rate (queries a second, at
 * least 1) replaces the one it had.  label names it in the log (a
 * resolver's name, a server's host), copied the first time. */
struct pace	*pacer_pace(struct pacer *, const struct sockaddr *, socklen_t,
		    unsigned rate, const char *label);
/* Queue an item for its pace, last or (front: put back) first. */
void		 pacer_push(struct pacer *, struct pace *, struct paced *,
		    bool front);
/* Take a queued item out again, unsent. */
void		 pacer_drop(struct pacer *, struct paced *);
/* The next item, round robin over the paces; *out is set for SEND and
 * SKIP.  A skipped item is done with as far as the pacer goes. */
enum pace_verdict pacer_next(struct pacer *, struct paced **out);
/* A sent item is finished. */
void		 pacer_done(struct pacer *, struct paced *, enum pace_outcome);

/* false when the destination has no pace (nothing asked of it lately). */
bool		 pacer_info(const struct pacer *, const struct sockaddr *,
		    struct pace_info *);
void		 pacer_get_stats(const struct pacer *, struct pacer_stats *);

#endif
