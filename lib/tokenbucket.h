/*
 * A token bucket: at most rate events a second on average, bursts of up
 * to burst.  The caller passes the time (CLOCK_MONOTONIC), so that tests
 * need no clock.
 */
#ifndef NMIG_TOKENBUCKET_H
#define NMIG_TOKENBUCKET_H

#include <stdbool.h>
#include <time.h>

struct tokenbucket {
	double		rate;		/* tokens a second */
	double		burst;		/* the most held */
	double		tokens;
	struct timespec	at;		/* of tokens */
};

/* Full at now. */
void	tokenbucket_init(struct tokenbucket *, double rate, double burst,
	    const struct timespec *now);
/* A new rate and burst; what it holds stays, up to the burst. */
void	tokenbucket_set_rate(struct tokenbucket *, double rate, double burst);
/* Take a token if there is one: whether there was.  A clock that went
 * back adds nothing. */
bool	tokenbucket_take(struct tokenbucket *, const struct timespec *now);
/* Seconds from the last take (or init) until a token is there: 0 when
 * one is. */
double	tokenbucket_wait(const struct tokenbucket *);

#endif
