/*
 * Reading the configuration for a reload on a thread of its own, so that
 * the event loop only stands still for switching to it.
 */
#ifndef NMIGD_RELOAD_H
#define NMIGD_RELOAD_H

#include <stdbool.h>

#include <event2/event.h>

#include "config.h"
#include "resolvers.h"
#include "util.h"

/* What one read gave: cfg and rl, or NULL and the errors. */
struct reload_result {
	unsigned		 seq;	/* which read, counted from 1 */
	struct config		*cfg;
	struct resolver_list	*rl;
	struct errlist		 errs;
	int			 rc;		/* the read's: 0 or -1 */
	long long		 read_ms;	/* how long the thread read */
};

/* Reads path into the result's cfg, rl and errs; runs on the thread, so
 * it may touch nothing the loop uses. */
typedef int	reload_read_fn(const char *path, struct config **,
		    struct resolver_list **, struct errlist *);
/* On the loop, once a read is over.  The callee takes cfg and rl by
 * setting them to NULL; what it leaves is freed after it returns. */
typedef void	reload_done_fn(void *arg, struct reload_result *);

struct reload	*reload_new(struct event_base *, const char *path,
		    reload_read_fn *, reload_done_fn *, void *arg);
/* Waits for a read in progress and drops its result; a read that does
 * not end within a few seconds is left to end by itself. */
void		 reload_free(struct reload *);
/* Whether a read is under way. */
bool		 reload_busy(const struct reload *);

/* Read the files again: now, or once the read in progress is over (the
 * files may have changed since it began; requests made meanwhile share
 * that one next read).  Returns the seq of the read that answers this
 * request. */
unsigned	 reload_request(struct reload *);

#endif
