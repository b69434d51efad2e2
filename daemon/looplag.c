/*
 * The loop-lag probe.  A persistent 20 ms timer compares when it fires
 * with when it was due; the difference is the time the loop spent in
 * something else, or the time the process did not run at all on a busy
 * machine.  The CPU time the thread used since the last firing tells the
 * two apart: the part of the lateness nmigd spent computing is "held".
 * The last minute is kept as two half-minute buckets, so that "recent"
 * forgets a stall within 30 to 60 s.
 */
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "looplag.h"
#include "util.h"

#define LOOPLAG_PERIOD_US	20000
#define LOOPLAG_BUCKET_US	30000000ULL
#define LOOPLAG_WARN_MS		1000	/* logged: the watchdog and every
					 * probe's timing suffer */

struct looplag {
	struct event	*ev;
	uint64_t	 due_us;
	uint64_t	 cpu_us;	/* the thread's CPU time at the last firing */
	uint64_t	 held_max_us;
	uint64_t	 bucket_start_us;
	uint64_t	 bucket_max[2];	/* current, previous */
	uint64_t	 max_us;
	uint64_t	 stalls;
};

static uint64_t
clock_us(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

static void
looplag_note(struct looplag *l, uint64_t now, uint64_t late)
{
	if (now - l->bucket_start_us >= LOOPLAG_BUCKET_US) {
		l->bucket_max[1] = now - l->bucket_start_us >=
		    2 * LOOPLAG_BUCKET_US ? 0 : l->bucket_max[0];
		l->bucket_max[0] = 0;
		l->bucket_start_us = now;
	}
	if (late > l->bucket_max[0])
		l->bucket_max[0] = late;
	if (late > l->max_us)
		l->max_us = late;
	if (late >= LOOPLAG_WARN_MS * 1000ULL) {
		l->stalls++;
		log_warnx("the event loop was held for %llu ms",
		    (unsigned long long)(late / 1000));
	}
}

static void
looplag_timo(evutil_socket_t fd, short what, void *arg)
{
	struct looplag	*l = arg;
	uint64_t	 now = now_us(), cpu = clock_us(CLOCK_THREAD_CPUTIME_ID);
	uint64_t	 late = now > l->due_us ? now - l->due_us : 0, held;

	looplag_note(l, now, late);
	held = cpu - l->cpu_us < late ? cpu - l->cpu_us : late;
	if (held > l->held_max_us)
		l->held_max_us = held;
	l->cpu_us = cpu;
	l->due_us = now + LOOPLAG_PERIOD_US;
}

struct looplag *
looplag_start(struct event_base *base)
{
	struct looplag	*l;
	struct timeval	 tv = { 0, LOOPLAG_PERIOD_US };

	l = xcalloc(1, sizeof(*l));
	if ((l->ev = event_new(base, -1, EV_PERSIST, looplag_timo, l)) ==
	    NULL || event_add(l->ev, &tv) == -1)
		fatalx("%s: cannot register the timer", __func__);
	l->due_us = now_us() + LOOPLAG_PERIOD_US;
	l->cpu_us = clock_us(CLOCK_THREAD_CPUTIME_ID);
	l->bucket_start_us = now_us();
	return l;
}

void
looplag_free(struct looplag *l)
{
	if (l == NULL)
		return;
	event_free(l->ev);
	free(l);
}

void
looplag_get(const struct looplag *l, struct looplag_stats *st)
{
	st->max_us = l->max_us;
	st->held_max_us = l->held_max_us;
	st->recent_us = l->bucket_max[0] > l->bucket_max[1] ?
	    l->bucket_max[0] : l->bucket_max[1];
	st->stalls = l->stalls;
}
