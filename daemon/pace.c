/*
 * Paces: one per destination, found by a hash of its address and port.
 * See pace.h for what they do.
 *
 * A pace with queries waiting is in the ring (it may send now, or skip),
 * or waits on its own timer for its next token, or is parked while
 * queries of its own wait to be sent again (they go first); paces take
 * turns in the ring one query at a time.  A pace nothing refers to stays
 * a while, so that its bucket, rate and back-off outlive the pause
 * between rounds: it is swept after PACE_IDLE_S, or PACE_BACKOFF_IDLE_S
 * while backing off.
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
/* Unused this long, a pace is forgotten: longer than an interval, so
 * that a bucket and a lowered rate last from one round to the next; a
 * day for one backing off, so that a dead server is not asked at its full
 * rate again each round. */
#define PACE_IDLE_S		3600
#define PACE_BACKOFF_IDLE_S	86400
#define PACE_SWEEP_S		60
/* Back-off and recovery are logged at most this often a server; more
 * often, at debug level (a lossy server backs off and recovers by
 * turns). */
#define PACE_SAY_S		600
#define PACE_PAUSE_S		1	/* a resolver refusing beyond a limit */
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
	unsigned		 rate;		/* the most, as configured */
	unsigned		 now_rate;	/* halved by each back-off,
						 * back up a step a second */
	time_t			 raised_at;	/* monotonic seconds */
	unsigned		 gen;		/* of rate: pacer's */
	unsigned		 fails;		/* in a row */
	uint32_t		 fail_key;	/* of the last one's owner */
	enum pace_outcome	 last_fail;
	unsigned		 hold_s;	/* 0: not backing off */
	struct timespec		 pause_until;	/* slowing down: nothing sent */
	bool			 answered;	/* since the last back-off or
						 * pause */
	time_t			 said_at;	/* back-off logged, monotonic */
	bool			 said;		/* this back-off was logged */
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
	unsigned		 gen;		/* pacer_rates_begin() */
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

/* For when a pace was last referred to, kept for minutes: the coarse
 * clock (a tick behind at most) costs less, and it is read for every
 * query twice. */
static void
now_used(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC_COARSE, ts);
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

/* The caller has taken every queued item out (pacer_drain()). */
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

/* The bucket at the rate the pace asks at now. */
static void
pace_retune(struct pace *pc)
{
	tokenbucket_set_rate(&pc->tb, pc->now_rate, pace_burst(pc->now_rate));
}

/* A new most: what a back-off took off stays off, up to it. */
static void
pace_set_rate(struct pace *pc, unsigned rate)
{
	if (pc->now_rate >= pc->rate || pc->now_rate > rate)
		pc->now_rate = rate;
	pc->rate = rate;
	pace_retune(pc);
}

void
pacer_rates_begin(struct pacer *pr)
{
	pr->gen++;
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
		/* One address asked as a resolver and as a server: the lower
		 * of their rates, until the rates are given afresh. */
		if (pc->gen != pr->gen) {
			pc->gen = pr->gen;
			if (rate != pc->rate)
				pace_set_rate(pc, rate);
			/* A resolver renamed by a reload. */
			if (strcmp(pc->label, label) != 0) {
				free(pc->label);
				pc->label = xstrdup(label);
			}
		} else if (rate < pc->rate)
			pace_set_rate(pc, rate);
		return pc;
	}
	if (pr->npaces >= pr->nbuckets * 2)
		pacer_grow(pr);
	pc = xcalloc(1, sizeof(*pc));
	pc->pr = pr;
	memcpy(&pc->sa, sa, salen < sizeof(pc->sa) ? salen : sizeof(pc->sa));
	pc->h = h;
	pc->label = xstrdup(label);
	pc->rate = pc->now_rate = rate;
	pc->gen = pr->gen;
	now_mono(&now);
	now_used(&pc->used);
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
pacer_push(struct pacer *pr, struct pace *pc, struct paced *item,
    bool first)
{
	item->pace = pc;
	item->again = false;
	if (first)
		TAILQ_INSERT_HEAD(&pc->queue, item, entry);
	else
		TAILQ_INSERT_TAIL(&pc->queue, item, entry);
	pc->queued++;
	pc->refs++;
	pr->stats.queued++;
	now_used(&pc->used);
	pace_ready(pc);
}

static void
pace_unref(struct pace *pc)
{
	pc->refs--;
	now_used(&pc->used);
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

/* Off the ring for wait seconds. */
static void
pace_wait_for(struct pace *pc, double wait)
{
	struct timeval	tv;

	pace_unring(pc);
	/* A millisecond at least, so that a rounding error cannot spin. */
	if (wait < 0.001)
		wait = 0.001;
	tv.tv_sec = (time_t)wait;
	tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
	evtimer_add(pc->ev_token, &tv);
}

/* No token: off the ring until the bucket has one. */
static void
pace_wait(struct pace *pc)
{
	pace_wait_for(pc, tokenbucket_wait(&pc->tb));
}

static double
secs_until(const struct timespec *until, const struct timespec *now)
{
	return (double)(until->tv_sec - now->tv_sec) +
	    (double)(until->tv_nsec - now->tv_nsec) / 1e9;
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
pacer_next(struct pacer *pr, const struct timespec *now, struct paced **out)
{
	struct pace	*pc;
	struct paced	*item;
	while ((pc = TAILQ_FIRST(&pr->ring)) != NULL) {
		if ((item = TAILQ_FIRST(&pc->queue)) == NULL) {
			pace_unring(pc);
			continue;
		}
		if (pace_holding(pc, now)) {
			pace_dequeue(pc, item);
			pace_unref(pc);
			pr->stats.skipped++;
			pace_rotate(pc);
			*out = item;
			return PACE_SKIP;
		}
		/* Paused: it refused beyond a limit of its own. */
		if (ts_before(now, &pc->pause_until)) {
			pace_wait_for(pc, secs_until(&pc->pause_until, now));
			continue;
		}
		/* Parked: its queries sent again take the tokens first. */
		if (pc->again > 0) {
			pace_unring(pc);
			continue;
		}
		if (!tokenbucket_take(&pc->tb, now)) {
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
	if (ts_before(&now, &pc->pause_until)) {
		*wait_ms = (unsigned)(secs_until(&pc->pause_until, &now) * 1000)
		    + 1;
		return PACE_NONE;
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
	const struct sockaddr	*sa = (const struct sockaddr *)&pc->sa;
	char			 a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s%s%s port %u", pc->label,
	    pc->label[0] != '\0' ? " at " : "",
	    sockaddr_host_text(sa, a, sizeof(a)), sockaddr_port(sa));
}

/* Whether to log a back-off starting: not more often than PACE_SAY_S. */
static bool
pace_say(struct pace *pc)
{
	struct timespec	now;

	now_mono(&now);
	pc->said = pc->said_at == 0 || now.tv_sec - pc->said_at >= PACE_SAY_S;
	if (pc->said)
		pc->said_at = now.tv_sec;
	return pc->said;
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

/* REFUSED by a resolver that answered other queries since: a limit of
 * its own.  A second's pause and the halved rate, but its queries wait
 * rather than being skipped: it answers them once under the limit. */
static void
pace_pause(struct pace *pc)
{
	char	name[384];

	now_mono(&pc->pause_until);
	pc->pause_until.tv_sec += PACE_PAUSE_S;
	pc->fails = 0;
	pc->answered = false;
	pace_text(pc, name, sizeof(name));
	(pace_say(pc) ? log_warnx : log_debug)("%s answers but refused %d "
	    "queries in a row, as a rate limit would: paused %d s, then asked "
	    "at %u queries a second, rising back to %u", name,
	    PACE_FAILS_TO_BACKOFF, PACE_PAUSE_S, pc->now_rate, pc->rate);
}

/* A REFUSED of the name refused last: the server may refuse that name
 * only (a policy, a view), and the samples and checks of one name come
 * together.  Timeouts count each: a dead server asked for one domain
 * must still be backed off. */
static bool
pace_same_refusal(const struct pace *pc, const struct paced *item,
    enum pace_outcome why)
{
	return why == PACE_REFUSED && pc->last_fail == PACE_REFUSED &&
	    item->key == pc->fail_key;
}

static void
pace_note_failure(struct pace *pc, const struct paced *item,
    enum pace_outcome why)
{
	pc->fail_key = item->key;
	pc->last_fail = why;
	pc->fails++;
}

/* A failure while answering: towards a back-off, or a pause. */
static void
pace_count_failure(struct pace *pc, const struct paced *item,
    enum pace_outcome why)
{
	char	name[384];

	if (pc->fails > 0 && pace_same_refusal(pc, item, why))
		return;
	pace_note_failure(pc, item, why);
	if (pc->fails < PACE_FAILS_TO_BACKOFF)
		return;
	/* Half as fast from now on, rising again while it answers. */
	pc->now_rate = pc->now_rate > 1 ? pc->now_rate / 2 : 1;
	pace_retune(pc);
	if (why == PACE_REFUSED && pc->answered) {
		pace_pause(pc);
		return;
	}
	pc->answered = false;
	pace_hold(pc, PACE_HOLD_MIN_S);
	pace_text(pc, name, sizeof(name));
	(pace_say(pc) ? log_warnx : log_debug)("%s: %u queries in a row "
	    "failed, the last %s; backing off: its queries are skipped, one "
	    "is tried again in %u s, then after twice as long each time, up "
	    "to %u s; then asked at %u queries a second, rising again to %u",
	    name, pc->fails, fail_text(why), pc->hold_s, PACE_HOLD_MAX_S,
	    pc->now_rate, pc->rate);
}

/* Backing off, the trial failed: wait twice as long.  Failures of queries
 * sent before the back-off began say nothing new; a trial refused for the
 * name refused last waits as long again (the next trial may be another
 * name). */
static void
pace_trial_failed(struct pace *pc, const struct paced *item,
    enum pace_outcome why)
{
	char	name[384];

	if (item != pc->trial)
		return;
	pc->trial = NULL;
	if (pace_same_refusal(pc, item, why)) {
		pace_hold(pc, pc->hold_s);
		return;
	}
	pace_note_failure(pc, item, why);
	pace_hold(pc, pc->hold_s * 2 < PACE_HOLD_MAX_S ? pc->hold_s * 2 :
	    PACE_HOLD_MAX_S);
	pace_text(pc, name, sizeof(name));
	log_debug("%s: still failing; tried again in %u s", name, pc->hold_s);
}

/* Answers: a step back up towards its rate, once a second. */
static void
pace_rise(struct pace *pc)
{
	struct timespec	now;
	unsigned	step = pc->rate / 20 > 0 ? pc->rate / 20 : 1;

	if (pc->now_rate >= pc->rate)
		return;
	now_mono(&now);
	if (now.tv_sec == pc->raised_at)
		return;
	pc->raised_at = now.tv_sec;
	pc->now_rate = pc->rate - pc->now_rate > step ? pc->now_rate + step :
	    pc->rate;
	pace_retune(pc);
}

static void
pace_answered(struct pace *pc)
{
	char	name[384];

	if (pc->hold_s > 0) {
		pace_text(pc, name, sizeof(name));
		(pc->said ? log_info : log_debug)("%s answers again after %u "
		    "failed queries in a row; asked at %u queries a second, "
		    "rising to %u", name, pc->fails, pc->now_rate, pc->rate);
		pc->said = false;
		pc->pr->stats.backing_off--;
	}
	pc->hold_s = 0;
	pc->fails = 0;
	pc->trial = NULL;
	pc->answered = true;
	pace_rise(pc);
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
		if (pc->hold_s == 0)
			pace_count_failure(pc, item, outcome);
		else
			pace_trial_failed(pc, item, outcome);
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

	now_used(&now);
	for (i = 0; i < pr->nbuckets; i++)
		for (pc = LIST_FIRST(&pr->buckets[i]); pc != NULL; pc = next) {
			next = LIST_NEXT(pc, hash);
			idle = now.tv_sec - pc->used.tv_sec;
			if (pc->refs == 0 && idle > (pc->hold_s > 0 ?
			    PACE_BACKOFF_IDLE_S : PACE_IDLE_S))
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
	pi->now_rate = pc->now_rate;
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
