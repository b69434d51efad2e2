/*
 * What the database has not seen yet.  Rounds change the model, which is
 * the truth; the outbox knows which domains have changes the database
 * lacks (answers that changed, verdicts, the domain's row, events) and
 * writes them in batches, a bounded number of rows per transaction, so
 * that no write holds the event loop for long.  An answer that stays the
 * same costs nothing per round: its row's last_seen and count catch up
 * every OUTBOX_REFRESH seconds, and on a clean stop.  Events are emitted
 * only once their rows are committed.  A failed commit keeps everything
 * for the next try: nothing is lost or repeated, and the memory it takes
 * does not grow with the rounds that pass meanwhile (only with the
 * events they raise).
 */
#ifndef NMIG_OUTBOX_H
#define NMIG_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "apply.h"
#include "model.h"
#include "store.h"

#define OUTBOX_REFRESH	3600	/* seconds between a domain's full writes */

struct outbox_stats {
	uint64_t	commits;
	uint64_t	failures;	/* commits that failed */
	uint64_t	rows;		/* written and committed */
	size_t		queued;		/* domains waiting now */
	time_t		failing_since;	/* 0 while commits succeed */
};

struct outbox	*outbox_new(struct store *);
void		 outbox_free(struct outbox *);

/* A round of w was judged by j: note what changed, keep its events,
 * queue w. */
void	outbox_round(struct outbox *, struct watch *, const struct model *,
	    const struct judge *, time_t now);
/* Write queued domains, about max_rows rows (0: all), in one
 * transaction, then emit their events.  Returns the number of domains
 * still queued, or -1 when the database failed (all kept and queued). */
ssize_t	outbox_flush(struct outbox *, const struct model *, size_t max_rows,
	    time_t now);

/* Write w now, in a transaction of its own, if it is queued: a round
 * that raised events, so that what status shows, `events` shows too.
 * -1 when the database failed (w stays queued). */
int	outbox_flush_watch(struct outbox *, const struct model *,
	    struct watch *, time_t now);
/* A reload: inside the caller's transaction, write what w (a domain
 * that leaves) has pending; then outbox_settle() with the outcome. */
int	outbox_write_leaving(struct outbox *, const struct model *,
	    struct watch *, time_t now);
void	outbox_settle(struct outbox *, bool committed, time_t now);
/* The model was replaced: queue its domains with something unsaved. */
void	outbox_requeue(struct outbox *, struct model *);

/* A clean stop: every domain's rows, steady answers' last_seen and
 * count too, in one transaction. */
int	outbox_stop(struct outbox *, struct model *, time_t now);

/* Whether the last commit failed: then no domain is written out of turn,
 * each try would wait for the database's lock again. */
bool	outbox_failing(const struct outbox *);
void	outbox_get_stats(const struct outbox *, struct outbox_stats *);

#endif
