/*
 * Probe rounds: when they start and what they ask.  A round asks every
 * resolver every check of one domain, and the domain's own servers what
 * their kind is asked (question()): its parent zone's, its providers'
 * (daemon/servers.c says who they are); each answer goes into the model as
 * it comes (lib/apply.c), and when the round's last probe is back the
 * round is judged (lib/apply.c) and what changed goes to the outbox
 * (lib/outbox.c), which this file flushes a batch at a time; events are
 * emitted once they are stored.
 *
 * Rounds due at the same moment (the first ones, `nmigd-ctl check` of
 * every domain, timers that bunch) wait in a start queue and are started
 * a few thousand probes per loop pass, and only while the prober's own
 * queue is short: no burst of 10,000 domains holds the loop or fills
 * memory with queries that cannot be sent yet.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "carry.h"
#include "log.h"
#include "monitor.h"
#include "outbox.h"
#include "pacing.h"
#include "reach.h"
#include "persist.h"
#include "servers.h"
#include "util.h"

/* Per watched domain: its timer and the round in progress.  A run lives
 * as long as its domain stays in the config: a reload moves it to the
 * domain's new watch, so that its timer and, when the domain's layout did
 * not change, its round under way go on. */
struct run {
	TAILQ_ENTRY(run) startq;
	struct monitor	*mon;
	struct watch	*w;
	struct event	*timer;
	time_t		 asked;		/* the round under way was due,
					 * monotonic seconds */
	uint64_t	 phase_ms;	/* its rounds' place in the
					 * interval (runs_spread()) */
	size_t		 outstanding;	/* probes not yet back */
	bool		 queued;	/* waiting in the start queue */
	bool		 active;
	bool		 done_once;
};

/* Probes started per loop pass, and the prober queue past which no more
 * rounds start until it drains. */
#define START_PROBES_PER_PASS	2000
#define START_MAX_BACKLOG	20000
#define START_RETRY_MS		20
#define ROUND_TICK_MS		100

/* The outbox is flushed this long after a round ends, so that the rounds
 * ending meanwhile (those of one ROUND_TICK_MS tick) share the
 * transaction, and yet a completion is told soon after its round; at
 * most FLUSH_ROWS rows a transaction (a few ms), the rest on the next
 * loop pass.  A failing database is tried again every FLUSH_RETRY_MS. */
#define FLUSH_DELAY_MS		50
#define FLUSH_ROWS		400
#define FLUSH_RETRY_MS		1000

/* Rounds due while the one before still ran are said when it starts,
 * then hourly, and when two windows in a row had none. */
#define LATE_REPEAT_S		3600
#define LATE_CLEAN_WINDOWS	2

struct monitor {
	struct event_base		*base;
	const struct config		*cfg;
	const struct resolver_list	*rl;
	struct store			*store;
	struct outbox			*outbox;	/* with a store */
	struct event			*ev_flush;
	struct prober			*prober;
	struct servers			*servers;	/* NULL: --once */
	struct model			*model;
	unsigned			 generation;	/* of model */
	TAILQ_HEAD(, run)		 startq;
	struct event			*ev_start;
	bool				 once;
	size_t				 once_left;
	struct judge			 judge;
	/* Rounds are timed over two windows of an interval each: the
	 * longest is of this one and the last. */
	time_t				 window_start;	/* monotonic */
	unsigned			 window_longest;
	unsigned			 last_longest;
	uint64_t			 late_seen;	/* rounds.late, last window */
	time_t				 late_said;	/* 0: rounds keep time */
	unsigned			 clean_windows;	/* in a row, none late */
	void				(*round_cb)(void *);
	void				*round_arg;
};

static void	round_timo(evutil_socket_t, short, void *);
static void	flush_cb(evutil_socket_t, short, void *);
static void	round_start_cb(evutil_socket_t, short, void *);
static void	round_start(struct run *);
static void	round_probe_done(const struct observation *, void *);
static void	reach_report(struct monitor *);

/* Seconds of CLOCK_MONOTONIC: lengths that a clock step cannot bend. */
static time_t
mono_secs(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static uint64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
run_attach(struct run *run, struct watch *w)
{
	run->w = w;
	w->run = run;
}

static struct run *
run_new(struct monitor *m, struct watch *w)
{
	struct run	*run;

	run = xcalloc(1, sizeof(*run));
	run->mon = m;
	run_attach(run, w);
	if ((run->timer = evtimer_new(m->base, round_timo, run)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	return run;
}

/* The caller has made sure that no probe still calls back into it. */
static void
run_free(struct monitor *m, struct run *run)
{
	if (run->queued)
		TAILQ_REMOVE(&m->startq, run, startq);
	event_free(run->timer);
	free(run);
}

struct monitor *
monitor_new(struct event_base *base, const struct config *cfg,
    const struct resolver_list *rl, struct store *store,
    struct prober *prober, bool once)
{
	struct monitor	*m;
	size_t		 i;

	m = xcalloc(1, sizeof(*m));
	m->base = base;
	m->cfg = cfg;
	m->rl = rl;
	m->store = store;
	m->prober = prober;
	m->once = once;
	TAILQ_INIT(&m->startq);
	if ((m->ev_start = evtimer_new(base, round_start_cb, m)) == NULL ||
	    (m->ev_flush = evtimer_new(base, flush_cb, m)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	if (store != NULL)
		m->outbox = outbox_new(store);
	m->model = model_new(cfg, rl);
	for (i = 0; i < m->model->nw; i++)
		run_new(m, &m->model->w[i]);
	/* --once is a snapshot of the resolvers: no time to find zones. */
	if (!once)
		m->servers = servers_new(prober, cfg, rl);
	return m;
}

void
monitor_free(struct monitor *m)
{
	size_t	i;

	if (m == NULL)
		return;
	prober_cancel_all(m->prober);
	servers_free(m->servers);
	/* A clean stop leaves nothing owed: the rows of answers that stayed
	 * the same catch up too. */
	if (m->outbox != NULL) {
		if (outbox_stop(m->outbox, m->model, time(NULL)) == -1)
			log_warnx("database: the last changes were not saved");
		outbox_free(m->outbox);
	}
	for (i = 0; i < m->model->nw; i++)
		run_free(m, m->model->w[i].run);
	event_free(m->ev_start);
	event_free(m->ev_flush);
	model_free(m->model);
	judge_free(&m->judge);
	free(m);
}

const struct model *
monitor_model(const struct monitor *m)
{
	return m->model;
}

bool
monitor_outbox_stats(const struct monitor *m, struct outbox_stats *st)
{
	if (m->outbox == NULL)
		return false;
	outbox_get_stats(m->outbox, st);
	return true;
}

unsigned
monitor_generation(const struct monitor *m)
{
	return m->generation;
}

bool
monitor_all_complete(const struct monitor *m)
{
	size_t	i;

	for (i = 0; i < m->model->nw; i++)
		if (m->model->w[i].state != DS_COMPLETE)
			return false;
	return true;
}

/* Scheduling. */

static void
round_schedule_ms(struct run *run, uint64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(run->timer, &tv);
}

/* Rounds at a fixed place in the interval, each run's own
 * (runs_spread()): domains spread evenly over it, so that thousands of
 * them ask a steady stream of queries instead of bursts, and they stay
 * so.  The next one at least half an interval away: a run moved by a
 * reload never has two rounds closer than that (the gap across a reload
 * is up to one and a half of its new interval). */
static uint64_t
round_delay_ms(const struct run *run)
{
	uint64_t	iv = (uint64_t)run->mon->cfg->interval * 1000;
	uint64_t	now = mono_ms(), earliest = now + iv / 2, k;

	if (earliest <= run->phase_ms)
		return run->phase_ms - now;
	k = (earliest - run->phase_ms + iv - 1) / iv;
	return run->phase_ms + k * iv - now;
}

/* Places in the interval, evenly, in the order of the domains, on
 * ROUND_TICK_MS ticks: the rounds due together start in one loop pass
 * and their answers are read a batch at a time, which costs less than a
 * wakeup for each. */
static void
runs_spread(struct monitor *m)
{
	uint64_t	iv = (uint64_t)m->cfg->interval * 1000;
	struct run	*run;
	size_t		i, n = m->model->nw;

	for (i = 0; i < n; i++)
		if ((run = m->model->w[i].run) != NULL)
			run->phase_ms = i * iv / n / ROUND_TICK_MS *
			    ROUND_TICK_MS;
}

/* Queue a round to be started as soon as the prober can take it. */
static void
round_request(struct run *run)
{
	struct monitor	*m = run->mon;
	struct timeval	 now = { 0, 0 };

	run->queued = true;
	/* Timed from here: with many domains rounds wait in the start
	 * queue, which is part of how long they take. */
	run->asked = mono_secs();
	TAILQ_INSERT_TAIL(&m->startq, run, startq);
	if (!evtimer_pending(m->ev_start, NULL))
		evtimer_add(m->ev_start, &now);
}

static void
monitor_arm(struct monitor *m)
{
	struct run	*run;
	size_t		 i;

	runs_spread(m);
	for (i = 0; i < m->model->nw; i++) {
		run = m->model->w[i].run;
		/* The first rounds spread over a tenth of the interval, so
		 * that every domain is seen soon; the next ones go to their
		 * places. */
		round_schedule_ms(run, m->once ? 0 : i *
		    ((uint64_t)m->cfg->interval * 100) / m->model->nw);
	}
}

int
monitor_start(struct monitor *m)
{
	if (m->store != NULL && persist_load(m->model, m->store,
	    time(NULL)) == -1)
		return -1;
	/* Said again for a resolver still unreachable: one entry more
	 * after a restart, rather than none after a crash. */
	if (m->store != NULL)
		reach_report(m);
	m->once_left = m->model->nw;
	m->window_start = mono_secs();
	/* The parent zones' searches and the providers' lookups start now,
	 * so that most domains' first rounds, spread over a tenth of the
	 * interval, find them done. */
	if (m->servers != NULL)
		servers_start(m->servers, m->model);
	monitor_arm(m);
	if (m->once && m->model->nw == 0)
		event_base_loopexit(m->base, NULL);
	return 0;
}

int
monitor_check(struct monitor *m, const char *domain, monitor_check_fn *fn,
    void *arg)
{
	struct watch	*w;
	struct run	*run;
	size_t		 i;

	if (domain != NULL && model_find_watch(m->model, domain) == NULL)
		return -1;
	for (i = 0; i < m->model->nw; i++) {
		w = &m->model->w[i];
		run = w->run;
		if (domain != NULL && strcmp(w->dc->name, domain) != 0)
			continue;
		if (run->active || run->queued) {
			fn(arg, w->dc->name, false);
			continue;
		}
		round_request(run);
		fn(arg, w->dc->name, true);
	}
	return 0;
}

void
monitor_on_round(struct monitor *m, void (*cb)(void *), void *arg)
{
	m->round_cb = cb;
	m->round_arg = arg;
}

size_t
monitor_summary(const struct monitor *m, char *buf, size_t len)
{
	struct domain_tally	t;
	size_t			i, n[DS_MAX] = { 0 }, sw = 0, total = 0;
	time_t			now = time(NULL);

	for (i = 0; i < m->model->nw; i++) {
		n[m->model->w[i].state]++;
		verdict_domain(m->model->w[i].rv, m->rl->n,
		    config_require(m->cfg, m->model->w[i].dc), now, &t);
		sw += t.switched;
		total += t.total;
	}
	snprintf(buf, len, "%zu domains: %zu complete, %zu propagating, "
	    "%zu pending (%zu/%zu resolvers new)", m->model->nw,
	    n[DS_COMPLETE], n[DS_PROPAGATING], n[DS_PENDING], sw, total);
	return total;
}

/* A probe's tag: which target slot of its watch it asks (the high 32
 * bits), which check or own question (model.h: own_stride()), and which
 * sample it is (MAX_SAMPLES fit in the low bits). */
#define TAG_SAMPLE_BITS	4
#if MAX_SAMPLES > (1 << TAG_SAMPLE_BITS)
#error "MAX_SAMPLES does not fit in TAG_SAMPLE_BITS"
#endif
#if MAX_SAMPLES > PROBE_SAMPLES_MAX
#error "the prober keeps fewer than MAX_SAMPLES ports apart"
#endif

static uint64_t
probe_tag(size_t t, size_t k, unsigned s)
{
	return ((uint64_t)t << 32) | ((uint64_t)k << TAG_SAMPLE_BITS) | s;
}

static void
round_start(struct run *run)
{
	struct monitor		*m = run->mon;
	struct watch		*w = run->w;
	const struct target	*tg;
	struct probe		 pr;
	size_t			 t, nt, k, nk;
	unsigned		 s;

	memset(&pr, 0, sizeof(pr));
	if (m->servers != NULL)
		servers_sync(m->servers, m->model, w, time(NULL));
	apply_round_begin(m->model, w);
	pr.timeout_ms = m->cfg->timeout * 1000;
	pr.retries = m->cfg->retries;
	pr.done = round_probe_done;
	pr.arg = run;
	run->active = true;
	run->outstanding = 0;
	nt = watch_ntargets(m->model, w);
	for (t = 0; t < nt; t++) {
		tg = watch_target(m->model, w, t);
		pr.sa = (const struct sockaddr *)&tg->sa;
		pr.salen = tg->salen;
		pr.flags = tg->flags;
		pr.rate = resolver_rate(tg->rc, m->cfg->rate);
		pr.label = tg->rc != NULL ? tg->rc->name : tg->host;
		nk = t < m->rl->n ? w->dc->nchecks : own_stride(w->dc);
		for (k = 0; k < nk; k++) {
			if (!watch_question(w, tg, k, &pr.owner, &pr.type))
				continue;
			/* Each sample is a probe of its own: its own query
			 * ID and source port.  Two samples on one port could
			 * be sent to one cache by an anycast address's load
			 * balancing: the later ones keep apart. */
			for (s = 0; s < tg->samples; s++) {
				pr.tag = probe_tag(t, k, s);
				pr.flags = tg->flags |
				    (s > 0 ? PROBE_APART : 0);
				if (prober_query(m->prober, &pr) == 0)
					run->outstanding++;
				else
					apply_unsent(m->model, w, t, k,
					    time(NULL));
			}
		}
	}
	log_debug("%s: round started, %zu probes", w->dc->name,
	    run->outstanding);
	if (run->outstanding == 0)
		run->active = false;
}

static void
round_timo(evutil_socket_t fd, short what, void *arg)
{
	struct run	*run = arg;

	if (!run->mon->once)
		round_schedule_ms(run, round_delay_ms(run));
	if (run->active || run->queued) {
		/* Counted, and said once an interval (round_timed()): at
		 * thousands of domains a line each would flood the log. */
		log_debug("%s: previous round still running, skipping one",
		    run->w->dc->name);
		run->mon->model->rounds.late++;
		return;
	}
	round_request(run);
}

/* Start what the prober can take; come back for the rest. */
static void
round_start_cb(evutil_socket_t fd, short what, void *arg)
{
	struct monitor		*m = arg;
	struct prober_stats	 st;
	struct run		*run;
	struct timeval		 tv = { 0, 0 };
	size_t			 probes = 0;

	while ((run = TAILQ_FIRST(&m->startq)) != NULL &&
	    probes < START_PROBES_PER_PASS) {
		prober_get_stats(m->prober, &st);
		if (st.queued >= START_MAX_BACKLOG) {
			tv.tv_usec = START_RETRY_MS * 1000;
			break;
		}
		TAILQ_REMOVE(&m->startq, run, startq);
		run->queued = false;
		round_start(run);
		probes += run->outstanding;
	}
	if (!TAILQ_EMPTY(&m->startq))
		evtimer_add(m->ev_start, &tv);
}

static void
flush_schedule(struct monitor *m, unsigned ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	if (!evtimer_pending(m->ev_flush, NULL))
		evtimer_add(m->ev_flush, &tv);
}

/* Store a batch of what rounds changed; events go out after their
 * commit, so that a crash in between loses an alert rather than
 * repeating it. */
static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct monitor	*m = arg;
	ssize_t		 left;

	left = outbox_flush(m->outbox, m->model, FLUSH_ROWS, time(NULL));
	if (left == -1)
		flush_schedule(m, FLUSH_RETRY_MS);
	else if (left > 0)
		flush_schedule(m, 0);
}

/* Rounds were late in the window just ended, or have kept time for
 * LATE_CLEAN_WINDOWS windows. */
static void
rounds_late_say(struct monitor *m, uint64_t late, unsigned longest,
    time_t now)
{
	char	ibuf[32], lbuf[32], pbuf[32];
	unsigned planned;

	if (late == 0) {
		if (m->late_said != 0 &&
		    ++m->clean_windows >= LATE_CLEAN_WINDOWS) {
			log_info("probe rounds keep to the interval again");
			m->late_said = 0;
		}
		return;
	}
	m->clean_windows = 0;
	if (m->late_said != 0 && now - m->late_said < LATE_REPEAT_S)
		return;
	m->late_said = now;
	fmt_duration(m->cfg->interval, ibuf, sizeof(ibuf));
	fmt_duration(longest, lbuf, sizeof(lbuf));
	if ((planned = pacing_round_seconds(m->model)) > m->cfg->interval)
		log_warnx("%llu %s due while the one before still ran in "
		    "the last %s; rounds took up to %s: the rates set the "
		    "pace, a round takes %s at them (nmigd-ctl status; rate "
		    "in nmigd.conf(5))", (unsigned long long)late,
		    plural(late, "round was", "rounds were"), ibuf, lbuf,
		    fmt_duration(planned, pbuf, sizeof(pbuf)));
	else
		log_warnx("%llu %s due while the one before still ran in "
		    "the last %s; rounds took up to %s (nmigd-ctl status and "
		    "resolvers say which servers are slow or failing)",
		    (unsigned long long)late, plural(late, "round was",
		    "rounds were"), ibuf, lbuf);
}

/* Resolvers unreachable as a whole, or answering again (lib/reach.h),
 * to the journal. */
static void
reach_report(struct monitor *m)
{
	struct reach_change	*c;
	size_t			 i, n;

	c = xcalloc(m->model->resolvers->n + 1, sizeof(*c));
	n = reach_changes(m->model, c);
	for (i = 0; i < n; i++)
		events_reach(m->model, &c[i]);
	free(c);
}

/* A window of an interval has passed: what was late, which resolvers
 * are unreachable. */
static void
window_end(struct monitor *m, time_t now)
{
	struct round_stats	*rs = &m->model->rounds;

	rounds_late_say(m, rs->late - m->late_seen, m->window_longest, now);
	if (m->outbox != NULL)
		reach_report(m);
	m->late_seen = rs->late;
	m->last_longest = m->window_longest;
	m->window_longest = 0;
	m->window_start = now;
}

/* The round's length into the windows of an interval each. */
static void
round_timed(struct monitor *m, const struct run *run)
{
	struct round_stats	*rs = &m->model->rounds;
	time_t			 now = mono_secs();
	unsigned		 len = now > run->asked ?
				    (unsigned)(now - run->asked) : 0;

	if (now - m->window_start >= (time_t)m->cfg->interval)
		window_end(m, now);
	if (len > m->window_longest)
		m->window_longest = len;
	rs->longest_s = m->window_longest > m->last_longest ?
	    m->window_longest : m->last_longest;
}

static void
round_end(struct run *run)
{
	struct monitor	*m = run->mon;
	struct watch	*w = run->w;
	time_t		 now = time(NULL);

	run->active = false;
	round_timed(m, run);
	judge_round(&m->judge, m->model, w, now, m->once ? 1 : m->cfg->confirm);
	if (m->outbox != NULL) {
		outbox_round(m->outbox, w, m->model, &m->judge, now);
		/* A round that raised events is stored at once: what status
		 * shows now, `events` and `history` show too. */
		if (m->judge.events.n > 0 && !outbox_failing(m->outbox) &&
		    outbox_flush_watch(m->outbox, m->model, w, now) == -1)
			flush_schedule(m, FLUSH_RETRY_MS);
		else if (w->queued)
			flush_schedule(m, FLUSH_DELAY_MS);
	}
	events_clear(&m->judge.events);
	if (m->round_cb != NULL)
		m->round_cb(m->round_arg);
	if (m->once && !run->done_once) {
		run->done_once = true;
		if (--m->once_left == 0)
			event_base_loopexit(m->base, NULL);
	}
}

static void
round_probe_done(const struct observation *o, void *arg)
{
	struct run	*run = arg;
	size_t		 slot = (size_t)(o->tag >> 32);
	size_t		 k = (size_t)((o->tag & 0xffffffff) >> TAG_SAMPLE_BITS);

	apply_observation(run->mon->model, run->w, slot, k, o, time(NULL));
	if (--run->outstanding == 0)
		round_end(run);
}

/* Reload. */

/* Whether a round under way cannot go on: its domain left the config, or
 * its probes' tags no longer fit the domain's new layout. */
static bool
rounds_broken(const struct monitor *m, const struct model *old)
{
	const struct watch	*ow;
	const struct run	*run;
	size_t			 i;

	for (i = 0; i < old->nw; i++) {
		ow = &old->w[i];
		run = ow->run;
		if (run->active && (!carry_taken(ow) ||
		    model_find_watch(m->model, ow->dc->name) == NULL))
			return true;
	}
	return false;
}

/* Each run goes to its domain's new watch, or away with its domain; a
 * new domain gets a run and its first round now. */
static void
runs_carry(struct monitor *m, const struct model *old, unsigned old_interval)
{
	struct watch	*w;
	struct run	*run;
	size_t		 i;
	bool		 restart;

	if ((restart = rounds_broken(m, old))) {
		prober_cancel_all(m->prober);
		if (m->servers != NULL)
			servers_cancelled(m->servers);
	}
	for (i = 0; i < old->nw; i++) {
		run = old->w[i].run;
		if ((w = model_find_watch(m->model, old->w[i].dc->name)) ==
		    NULL) {
			run_free(m, run);
			continue;
		}
		run_attach(run, w);
		if (restart && run->active) {
			/* Its probes are gone: ask again, now. */
			run->active = false;
			run->outstanding = 0;
			round_request(run);
		}
	}
	for (i = 0; i < m->model->nw; i++) {
		w = &m->model->w[i];
		if (w->run != NULL)
			continue;
		run = run_new(m, w);
		round_request(run);
	}
	/* The domains' places afresh: a round already timed keeps its
	 * time, unless the interval changed; a new domain's first round is
	 * now, and its next at its place. */
	runs_spread(m);
	for (i = 0; i < m->model->nw; i++) {
		run = m->model->w[i].run;
		if (m->cfg->interval != old_interval ||
		    !evtimer_pending(run->timer, NULL))
			round_schedule_ms(run, round_delay_ms(run));
	}
}

/* Every target's rate afresh: the queries waiting for a server go at
 * its new rate at once, not from its next round on. */
static void
rates_give(struct monitor *m)
{
	const struct target	*t;
	size_t			 i;

	prober_rates_begin(m->prober);
	for (i = 0; i < m->model->ntargets; i++) {
		t = &m->model->targets[i];
		prober_rate(m->prober, (const struct sockaddr *)&t->sa,
		    t->salen, resolver_rate(t->rc, m->cfg->rate),
		    t->rc != NULL ? t->rc->name : t->host);
	}
}

int
monitor_reload(struct monitor *m, const struct config *cfg,
    const struct resolver_list *rl)
{
	struct model	*old = m->model, *nm;
	unsigned	 old_interval = m->cfg->interval;

	nm = model_new_bare(cfg, rl);
	if (carry_over(nm, old, m->store, m->outbox, time(NULL)) == -1) {
		/* The old model, runs and timers are untouched and stay. */
		model_free(nm);
		return -1;
	}
	m->cfg = cfg;
	m->rl = rl;
	m->model = nm;
	if (m->servers != NULL)
		servers_reload(m->servers, cfg, rl);
	runs_carry(m, old, old_interval);
	rates_give(m);
	model_free(old);
	m->generation++;
	return 0;
}
