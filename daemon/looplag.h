/*
 * How late the event loop runs: a timer that should fire every few
 * milliseconds measures by how much it fires late, which is how long
 * something held the loop.  /metrics shows it; a long stall is logged.
 */
#ifndef NMIGD_LOOPLAG_H
#define NMIGD_LOOPLAG_H

#include <stdint.h>

#include <event2/event.h>

struct looplag;

struct looplag	*looplag_start(struct event_base *);
void		 looplag_free(struct looplag *);

struct looplag_stats {
	uint64_t	max_us;		/* the longest stall since start */
	uint64_t	held_max_us;	/* the longest of them nmigd spent on
					 * its own CPU (not preempted) */
	uint64_t	recent_us;	/* the longest in the last minute */
	uint64_t	stalls;		/* stalls of LOOPLAG_WARN_MS or more */
};
void		 looplag_get(const struct looplag *, struct looplag_stats *);

#endif
