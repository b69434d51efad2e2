/*
 * Paces: one per destination, found by a hash of its address and port.
 * See pace.h for what they do.
 *
 * A pace with queries waiting is in the ring (it may send now, or skip),
 * or waits on its own timer for its next token, or is parked while
 * queries of its own wait to be sent again (they go first); paces take
 * turns in the ring one query at a time.  A pace nothing refers to stays
 * a while, so that its bucket and back-off outlive a pause between
 * rounds, and is swept after PACE_IDLE_S.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "pace.h"
#include "tokenbucket.h"
#include "util.h"

#define PACE_HOLD_MIN_S		1
#define PACE_IDLE_S		60	/* unused this long: forgotten */
#define PACE_SWEEP_S		30
#define PACER_MIN_BUCKETS	64

struct pace {
	LIST_ENTRY(pace)	 hash;
	TAILQ_ENTRY(pace)	 ring;
	TAILQ_HEAD(, paced)	 queue;
	struct pacer		*pr;
	struct sockaddr_storage	 sa;
	uint64_t		 h;
	char			*label;
	struct tokenbucket	 tb;
	struct event		*ev_token;	/* waiting for a token */
	struct timespec		 hold_until;	/* backing off */
	struct timespec		 used;		/* last referred to */
	const struct paced	*trial;		/* backing off: in flight */
	size_t			 queued;
	size_t			 refs;		/* queued and in flight */
	unsigned		 again;		/* items waiting to go again */
	unsigned		 rate;
	unsigned		 fails;		/* in a row */
	unsigned		 hold_s;	/* 0: not backing off */
	enum pace_outcome	 last_fail;
	bool			 in_ring;
};
LIST_HEAD(pacelist, pace);

struct pacer {
	struct event_base	*base;
	pacer_ready_fn		*ready;
	void			*arg;
	struct pacelist		*buckets;
	size_t			 nbuckets;
	size_t			 npaces;
	TAILQ_HEAD(, pace)	 ring;
	struct event		*ev_sweep;
	struct pacer_stats	 stats;
};

static void	pace_token_timo(evutil_socket_t, short, void *);
static void	pacer_sweep_timo(evutil_socket_t, short, void *);

static void
now_mono(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static bool
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

struct pacer *
pacer_new(struct event_base *base, pacer_ready_fn *ready, void *arg)
{
	struct pacer	*pr = xcalloc(1, sizeof(*pr));
	struct timeval	 tv = { PACE_SWEEP_S, 0 };

	pr->base = base;
	pr->ready = ready;
	pr->arg = arg;
	pr->nbuckets = PACER_MIN_BUCKETS;
	pr->buckets = xcalloc(pr->nbuckets, sizeof(*pr->buckets));
	TAILQ_INIT(&pr->ring);
	if ((pr->ev_sweep = event_new(base, -1, EV_PERSIST, pacer_sweep_timo,
	    pr)) == NULL)
		fatalx("%s: event_new", __func__);
	event_add(pr->ev_sweep, &tv);
	return pr;
}

static void
pace_free(struct pace *pc)
{
	struct pacer	*pr = pc->pr;

	if (pc->in_ring)
		TAILQ_REMOVE(&pr->ring, pc, ring);
	if (pc->hold_s > 0)
		pr->stats.backing_off--;
	LIST_REMOVE(pc, hash);
	pr->npaces--;
	event_free(pc->ev_token);
	free(pc->label);
	free(pc);
}

/* The caller has taken every queued item out (pacer_drop()). */
void
pacer_free(struct pacer *pr)
{
	struct pace	*pc;
	size_t		 i;

	if (pr == NULL)
		return;
	for (i = 0; i < pr->nbuckets; i++)
		while ((pc = LIST_FIRST(&pr->buckets[i])) != NULL)
			pace_free(pc);
	event_free(pr->ev_sweep);
	free(pr->buckets);
	free(pr);
}

static struct pace *
pace_find(const struct pacer *pr, const struct sockaddr *sa, uint64_t h)
{
	struct pace	*pc;

	LIST_FOREACH(pc, &pr->buckets[h % pr->nbuckets], hash)
		if (pc->h == h &&
		    sockaddr_same((const struct sockaddr *)&pc->sa, sa))
			return pc;
	return NULL;
}

/* Twice the buckets when there are twice as many paces. */
static void
pacer_grow(struct pacer *pr)
{
	struct pacelist	*nb;
	struct pace	*pc;
	size_t		 i, n = pr->nbuckets * 2;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < pr->nbuckets; i++)
		while ((pc = LIST_FIRST(&pr->buckets[i])) != NULL) {
			LIST_REMOVE(pc, hash);
			LIST_INSERT_HEAD(&nb[pc->h % n], pc, hash);
		}
	free(pr->buckets);
	pr->buckets = nb;
	pr->nbuckets = n;
}

/* A tenth of a second's worth at once, and never less than one. */
static double
pace_burst(unsigned rate)
{
	return rate >= 10 ? rate / 10.0 : 1.0;
}

struct pace *
pacer_pace(struct pacer *pr, const struct sockaddr *sa, socklen_t salen,
    unsigned rate, const char *label)
{
	struct pace	*pc;
	struct timespec	 now;
	uint64_t	 h = sockaddr_hash(sa, FNV_OFFSET);

	if (rate == 0)
		rate = 1;
	if (label == NULL)
		label = "";
	if ((pc = pace_find(pr, sa, h)) != NULL) {
		if (pc->rate != rate) {
			pc->rate = rate;
			tokenbucket_set_rate(&pc->tb, rate, pace_burst(rate));
		}
		/* A resolver renamed by a reload. */
		if (strcmp(pc->label, label) != 0) {
			free(pc->label);
			pc->label = xstrdup(label);
		}
		return pc;
	}
	if (pr->npaces >= pr->nbuckets * 2)
		pacer_grow(pr);
	pc = xcalloc(1, sizeof(*pc));
	pc->pr = pr;
	memcpy(&pc->sa, sa, salen < sizeof(pc->sa) ? salen : sizeof(pc->sa));
	pc->h = h;
	pc->label = xstrdup(label);
	pc->rate = rate;
	now_mono(&now);
	pc->used = now;
	TAILQ_INIT(&pc->queue);
	tokenbucket_init(&pc->tb, rate, pace_burst(rate), &now);
	if ((pc->ev_token = evtimer_new(pr->base, pace_token_timo, pc)) ==
	    NULL)
		fatalx("%s: evtimer_new", __func__);
	LIST_INSERT_HEAD(&pr->buckets[h % pr->nbuckets], pc, hash);
	pr->npaces++;
	return pc;
}

/* Into the ring, unless it is there or waits for a token. */
static void
pace_ready(struct pace *pc)
{
	if (pc->in_ring || evtimer_pending(pc->ev_token, NULL))
		return;
	TAILQ_INSERT_TAIL(&pc->pr->ring, pc, ring);
	pc->in_ring = true;
}

static void
pace_unring(struct pace *pc)
{
	if (!pc->in_ring)
		return;
	TAILQ_REMOVE(&pc->pr->ring, pc, ring);
	pc->in_ring = false;
}

void
pacer_push(struct pacer *pr, struct pace *pc, struct paced *item)
{
	item->pace = pc;
	item->again = false;
	TAILQ_INSERT_TAIL(&pc->queue, item, entry);
	pc->queued++;
	pc->refs++;
	pr->stats.queued++;
	now_mono(&pc->used);
	pace_ready(pc);
}

static void
pace_unref(struct pace *pc)
{
	pc->refs--;
	now_mono(&pc->used);
}

/* Out of the queue; the pace leaves the ring when that was its last. */
static void
pace_dequeue(struct pace *pc, struct paced *item)
{
	TAILQ_REMOVE(&pc->queue, item, entry);
	pc->queued--;
	pc->pr->stats.queued--;
	if (pc->queued == 0)
		pace_unring(pc);
}

void
pacer_drain(struct pacer *pr, pacer_drain_fn *fn, void *arg)
{
	struct pace	*pc;
	struct paced	*item;
	size_t		 i;

	for (i = 0; i < pr->nbuckets; i++)
		LIST_FOREACH(pc, &pr->buckets[i], hash)
			while ((item = TAILQ_FIRST(&pc->queue)) != NULL) {
				pace_dequeue(pc, item);
				pace_unref(pc);
				fn(item, arg);
			}
}

void
pacer_putback(struct pacer *pr, struct paced *item)
{
	struct pace	*pc = item->pace;

	if (item == pc->trial)
		pc->trial = NULL;
	TAILQ_INSERT_HEAD(&pc->queue, item, entry);
	pc->queued++;
	pr->stats.queued++;
	pace_ready(pc);
}

/* Backing off and not due for a trial: its queries are skipped. */
static bool
pace_holding(const struct pace *pc, const struct timespec *now)
{
	return pc->hold_s > 0 &&
	    (pc->trial != NULL || ts_before(now, &pc->hold_until));
}

/* No token: off the ring until the bucket has one. */
static void
pace_wait(struct pace *pc)
{
	double		wait = tokenbucket_wait(&pc->tb);
	struct timeval	tv;

	pace_unring(pc);
	/* A millisecond at least, so that a rounding error cannot spin. */
	if (wait < 0.001)
		wait = 0.001;
	tv.tv_sec = (time_t)wait;
	tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
	evtimer_add(pc->ev_token, &tv);
}

/* Served one: to the ring's end while it has more. */
static void
pace_rotate(struct pace *pc)
{
	struct pacer	*pr = pc->pr;

	if (!pc->in_ring)
		return;
	TAILQ_REMOVE(&pr->ring, pc, ring);
	TAILQ_INSERT_TAIL(&pr->ring, pc, ring);
}

enum pace_verdict
pacer_next(struct pacer *pr, struct paced **out)
{
	struct pace	*pc;
	struct paced	*item;
	struct timespec	 now;

	now_mono(&now);
	while ((pc = TAILQ_FIRST(&pr->ring)) != NULL) {
		if ((item = TAILQ_FIRST(&pc->queue)) == NULL) {
			pace_unring(pc);
			continue;
		}
		if (pace_holding(pc, &now)) {
			pace_dequeue(pc, item);
			pace_unref(pc);
			pr->stats.skipped++;
			pace_rotate(pc);
			*out = item;
			return PACE_SKIP;
		}
		/* Parked: its queries sent again take the tokens first. */
		if (pc->again > 0) {
			pace_unring(pc);
			continue;
		}
		if (!tokenbucket_take(&pc->tb, &now)) {
			pace_wait(pc);
			continue;
		}
		pace_dequeue(pc, item);
		if (pc->hold_s > 0)
			pc->trial = item;
		pace_rotate(pc);
		*out = item;
		return PACE_SEND;
	}
	return PACE_NONE;
}

/* An item no longer waits to go again: the pace, parked for it, may
 * serve its queue once none waits. */
static void
pace_again_ends(struct pace *pc, struct paced *item)
{
	if (!item->again)
		return;
	item->again = false;
	if (--pc->again == 0 && pc->queued > 0) {
		pace_ready(pc);
		pc->pr->ready(pc->pr->arg);
	}
}

enum pace_verdict
pacer_again(struct pacer *pr, struct paced *item, unsigned *wait_ms)
{
	struct pace	*pc = item->pace;
	struct timespec	 now;
	double		 wait;

	now_mono(&now);
	if (pc->hold_s > 0 && item != pc->trial) {
		pace_again_ends(pc, item);
		return PACE_SKIP;
	}
	if (!tokenbucket_take(&pc->tb, &now)) {
		if (!item->again) {
			item->again = true;
			pc->again++;
		}
		wait = tokenbucket_wait(&pc->tb) * 1000;
		*wait_ms = wait < 1 ? 1 : (unsigned)wait + 1;
		return PACE_NONE;
	}
	pace_again_ends(pc, item);
	return PACE_SEND;
}

static const char *
fail_text(enum pace_outcome why)
{
	switch (why) {
	case PACE_REFUSED:
		return "was REFUSED";
	case PACE_BROKEN:
		return "failed over TCP";
	default:
		return "got no answer";
	}
}

static void
pace_text(const struct pace *pc, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const void *)&pc->sa;
	const struct sockaddr_in6	*sin6 = (const void *)&pc->sa;
	char				 a[INET6_ADDRSTRLEN];

	if (pc->sa.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
	else
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	snprintf(buf, len, "%s%s%s port %u", pc->label,
	    pc->label[0] != '\0' ? " at " : "", a,
	    ntohs(pc->sa.ss_family == AF_INET6 ? sin6->sin6_port :
	    sin->sin_port));
}

static void
pace_hold(struct pace *pc, unsigned secs)
{
	struct timespec	now;

	if (pc->hold_s == 0)
		pc->pr->stats.backing_off++;
	pc->hold_s = secs;
	now_mono(&now);
	pc->hold_until = now;
	pc->hold_until.tv_sec += secs;
}

static void
pace_failed(struct pace *pc, const struct paced *item,
    enum pace_outcome why)
{
	char	name[384];

	if (pc->hold_s == 0) {
		pc->last_fail = why;
		if (++pc->fails < PACE_FAILS_TO_BACKOFF)
			return;
		pace_hold(pc, PACE_HOLD_MIN_S);
		pace_text(pc, name, sizeof(name));
		log_warnx("%s: %u queries in a row failed, the last %s; "
		    "backing off: its queries are skipped, one is tried again "
		    "in %u s, then after twice as long each time, up to %u s",
		    name, pc->fails, fail_text(why), pc->hold_s,
		    PACE_HOLD_MAX_S);
		return;
	}
	/* Those sent before the back-off began say nothing new. */
	if (item != pc->trial)
		return;
	pc->trial = NULL;
	pc->fails++;
	pace_hold(pc, pc->hold_s * 2 < PACE_HOLD_MAX_S ? pc->hold_s * 2 :
	    PACE_HOLD_MAX_S);
	pace_text(pc, name, sizeof(name));
	log_debug("%s: still failing; tried again in %u s", name, pc->hold_s);
}

static void
pace_answered(struct pace *pc)
{
	char	name[384];

	if (pc->hold_s > 0) {
		pace_text(pc, name, sizeof(name));
		log_info("%s answers again after %u failed queries in a "
		    "row; back to its rate of %u queries a second", name,
		    pc->fails, pc->rate);
		pc->pr->stats.backing_off--;
	}
	pc->hold_s = 0;
	pc->fails = 0;
	pc->trial = NULL;
}

void
pacer_done(struct pacer *pr, struct paced *item, enum pace_outcome outcome)
{
	struct pace	*pc = item->pace;

	pace_again_ends(pc, item);
	switch (outcome) {
	case PACE_OK:
		pace_answered(pc);
		break;
	case PACE_TIMEOUT:
	case PACE_BROKEN:
	case PACE_REFUSED:
		pace_failed(pc, item, outcome);
		break;
	case PACE_NEUTRAL:
		/* The next query is the trial. */
		if (item == pc->trial)
			pc->trial = NULL;
		break;
	}
	pace_unref(pc);
	if (pc->queued > 0)
		pace_ready(pc);
}

static void
pace_token_timo(evutil_socket_t fd, short what, void *arg)
{
	struct pace	*pc = arg;

	if (pc->queued == 0)
		return;
	pace_ready(pc);
	pc->pr->ready(pc->pr->arg);
}

static void
pacer_sweep_timo(evutil_socket_t fd, short what, void *arg)
{
	struct pacer	*pr = arg;
	struct pace	*pc, *next;
	struct timespec	 now;
	size_t		 i;
	time_t		 idle;

	now_mono(&now);
	for (i = 0; i < pr->nbuckets; i++)
		for (pc = LIST_FIRST(&pr->buckets[i]); pc != NULL; pc = next) {
			next = LIST_NEXT(pc, hash);
			idle = now.tv_sec - pc->used.tv_sec;
			if (pc->refs == 0 && idle > PACE_IDLE_S +
			    (time_t)pc->hold_s)
				pace_free(pc);
		}
}

bool
pacer_info(const struct pacer *pr, const struct sockaddr *sa,
    struct pace_info *pi)
{
	const struct pace	*pc;
	struct timespec		 now;

	memset(pi, 0, sizeof(*pi));
	if ((pc = pace_find(pr, sa, sockaddr_hash(sa, FNV_OFFSET))) == NULL)
		return false;
	pi->rate = pc->rate;
	pi->queued = pc->queued;
	pi->fails = pc->fails;
	pi->hold_s = pc->hold_s;
	pi->trying = pc->hold_s > 0 && pc->trial != NULL;
	if (pc->hold_s > 0) {
		now_mono(&now);
		pi->retry_at = time(NULL) + (pc->hold_until.tv_sec - now.tv_sec);
	}
	return true;
}

void
pacer_get_stats(const struct pacer *pr, struct pacer_stats *st)
{
	*st = pr->stats;
}
