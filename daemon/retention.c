/*
 * Pruning the history, a domain at a time.
 */
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "retention.h"
#include "store.h"
#include "util.h"

/* Rows a step deletes at most, and how often a step runs: a sweep over
 * 10,000 domains takes under three hours, each step a few milliseconds. */
#define RETENTION_ROWS		500
#define RETENTION_EVERY_MS	1000

/* A database that refuses (locked by another writer, full) is left alone
 * this many steps: each failed statement waits out the busy timeout, and
 * the loop with it. */
#define RETENTION_BACKOFF	60

struct retention {
	struct nmigd	*d;
	struct event	*ev;
	int64_t		 domain_id;	/* the sweep's last domain */
	long long	 swept;		/* rows deleted this sweep */
	unsigned	 backoff;	/* steps still skipped */
};

/* One step: old events, then the next domain's old answer changes.  The
 * config of the moment says how old is old: a reload applies at once. */
static void
retention_step_cb(evutil_socket_t fd, short what, void *arg)
{
	struct retention	*r = arg;
	unsigned		 days = r->d->cfg->history_days;
	time_t			 cutoff;
	int			 n;

	if (days == 0)
		return;		/* kept for ever */
	if (r->backoff > 0) {
		r->backoff--;
		return;
	}
	cutoff = time(NULL) - (time_t)days * 86400;
	if ((n = store_prune_events(r->d->store, cutoff, RETENTION_ROWS)) == -1)
		goto refused;
	r->swept += n;
	if ((n = store_prune_answers(r->d->store, &r->domain_id, cutoff,
	    RETENTION_ROWS)) == -1)
		goto refused;
	r->swept += n;
	if (r->domain_id == 0 && r->swept > 0) {
		log_info("history: %lld rows older than %u days deleted",
		    r->swept, days);
		r->swept = 0;
	}
	return;
refused:
	r->backoff = RETENTION_BACKOFF;
}

struct retention *
retention_start(struct nmigd *d)
{
	struct retention	*r = xcalloc(1, sizeof(*r));
	struct timeval		 tv = { RETENTION_EVERY_MS / 1000,
				    RETENTION_EVERY_MS % 1000 * 1000 };

	r->d = d;
	if ((r->ev = event_new(d->base, -1, EV_PERSIST, retention_step_cb,
	    r)) == NULL || event_add(r->ev, &tv) == -1)
		fatalx("%s: cannot register the timer", __func__);
	return r;
}

void
retention_free(struct retention *r)
{
	if (r == NULL)
		return;
	event_free(r->ev);
	free(r);
}
