/*
 * Probe rounds.  A round asks every resolver every check of one domain;
 * answers only update the model as they arrive, and all judging happens
 * once, when the round's last probe is back, so that a resolver's state
 * always comes from one consistent round and the store sees one
 * transaction per round.
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
#include <syslog.h>

#include "journal.h"
#include "log.h"
#include "monitor.h"
#include "rdtext.h"
#include "util.h"

/* Per watched domain: the round in progress. */
struct run {
	TAILQ_ENTRY(run) startq;
	struct monitor	*mon;
	struct watch	*w;
	struct event	*timer;
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

/* Events of one round, emitted after its transaction commits. */
struct pending_event {
	struct journal_event	je;
	char			message[512];
	char			domain[NMIG_NAMEBUF];
};

struct monitor {
	struct event_base		*base;
	const struct config		*cfg;
	const struct resolver_list	*rl;
	struct store			*store;
	struct prober			*prober;
	struct model			*model;
	unsigned			 generation;	/* of model */
	struct run			*runs;		/* [nruns] */
	size_t				 nruns;
	TAILQ_HEAD(, run)		 startq;
	struct event			*ev_start;
	bool				 once;
	size_t				 once_left;
	uint8_t				*states;	/* scratch [max checks] */
	struct rverdict			*rvsave;	/* scratch [resolvers] */
	struct pending_event		*pev;		/* scratch */
	size_t				 npev, pevcap;
	void				(*round_cb)(void *);
	void				*round_arg;
};

static void	round_timo(evutil_socket_t, short, void *);
static void	round_start_cb(evutil_socket_t, short, void *);
static void	round_start(struct run *);
static void	round_probe_done(const struct probe_result *, void *);

/* One run per watch, and scratch space for the widest domain. */
static void
monitor_make_runs(struct monitor *m)
{
	size_t	i, maxchecks = 1;

	m->nruns = m->model->nw;
	m->runs = xcalloc(m->nruns + 1, sizeof(*m->runs));
	for (i = 0; i < m->nruns; i++) {
		m->runs[i].mon = m;
		m->runs[i].w = &m->model->w[i];
		m->model->w[i].run = &m->runs[i];
		if (m->model->w[i].dc->nchecks > maxchecks)
			maxchecks = m->model->w[i].dc->nchecks;
	}
	free(m->states);
	m->states = xcalloc(maxchecks, 1);
	free(m->rvsave);
	m->rvsave = xcalloc(m->rl->n + 1, sizeof(*m->rvsave));
}

/* Rounds under way are dropped with their probes: nothing calls back
 * into runs that are about to be freed. */
static void
monitor_drop_runs(struct monitor *m)
{
	size_t	i;

	prober_cancel_all(m->prober);
	TAILQ_INIT(&m->startq);
	event_del(m->ev_start);
	for (i = 0; i < m->nruns; i++)
		if (m->runs[i].timer != NULL)
			event_free(m->runs[i].timer);
	free(m->runs);
	m->runs = NULL;
	m->nruns = 0;
}

struct monitor *
monitor_new(struct event_base *base, const struct config *cfg,
    const struct resolver_list *rl, struct store *store,
    struct prober *prober, bool once)
{
	struct monitor	*m;

	m = xcalloc(1, sizeof(*m));
	m->base = base;
	m->cfg = cfg;
	m->rl = rl;
	m->store = store;
	m->prober = prober;
	m->once = once;
	TAILQ_INIT(&m->startq);
	if ((m->ev_start = evtimer_new(base, round_start_cb, m)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	m->model = model_new(cfg, rl);
	monitor_make_runs(m);
	return m;
}

void
monitor_free(struct monitor *m)
{
	if (m == NULL)
		return;
	monitor_drop_runs(m);
	event_free(m->ev_start);
	model_free(m->model);
	free(m->states);
	free(m->rvsave);
	free(m->pev);
	free(m);
}

const struct model *
monitor_model(const struct monitor *m)
{
	return m->model;
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

/* Loading saved state. */

/* An "other" answer written by schema version 1 has only its text: read
 * it back through the config's parser, record by record. */
static void
other_from_text(struct rdset *set, const struct check_conf *c,
    const char *text)
{
	uint8_t		*rd;
	char		*copy, *line, *last, err[256];
	int		 len;

	rd = xcalloc(1, RDATA_MAX);
	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &last); line != NULL;
	    line = strtok_r(NULL, "\n", &last))
		if ((len = rdata_parse(c->owner, c->type, line, rd, err,
		    sizeof(err))) != -1)
			rdset_add(set, rd, (size_t)len);
	free(copy);
	free(rd);
}

static void
load_cstate(struct monitor *m, struct watch *w, size_t r, size_t c)
{
	struct answer_row	 row;
	struct cstate		*cs = watch_cstate(w, r, c);
	struct rdset		 set;
	char			*text, tbuf[16];
	uint8_t			*wire;

	if (store_latest_answer(m->store, w->check_db_id[c],
	    m->model->resolver_db_id[r], &row, &text, &wire) != 0)
		return;		/* none yet, or unreadable (logged) */
	cs->state = row.state;
	cs->rcode = row.rcode;
	cs->ttl = row.ttl;
	cs->rtt_ms = row.rtt_ms > UINT16_MAX ? UINT16_MAX : (uint16_t)row.rtt_ms;
	cs->answered_at = row.when;
	if (row.state == CS_OTHER) {
		memset(&set, 0, sizeof(set));
		if (wire == NULL)
			other_from_text(&set, &w->dc->checks[c], text);
		else if (rdset_from_blob(&set, wire, row.wirelen) == -1)
			log_warnx("%s: resolver %s: the stored records of %s "
			    "%s do not read; none are shown until the next "
			    "round", w->dc->name, m->rl->v[r].name,
			    w->dc->checks[c].owner, rrtype_name(
			    w->dc->checks[c].type, tbuf));
		rdset_copy_capped(&cs->other, &set, CSTATE_OTHER_MAX);
		rdset_free(&set);
	}
	free(text);
	free(wire);
}

static int
load_resolver(struct monitor *m, struct watch *w, size_t r)
{
	struct rverdict	*v = &w->rv[r];
	size_t		 c;

	/* A bad row was logged and loads as pending. */
	if (store_load_rverdict(m->store, w->db_id,
	    m->model->resolver_db_id[r], v) == -1)
		return -1;
	/* While nmigd was down nobody asked: a failure streak from before
	 * a long stop must not make the resolver unreachable at its first
	 * failed round afterwards. */
	if (v->fail_since != 0 &&
	    time(NULL) - v->last_checked > 2 * (time_t)m->cfg->interval)
		v->fail_since = 0;
	for (c = 0; c < w->dc->nchecks; c++)
		load_cstate(m, w, r, c);
	return 0;
}

static int
load_watch(struct monitor *m, struct watch *w)
{
	struct domain_row	 drow;
	size_t			 r, c;

	if ((w->db_id = store_domain_id(m->store, w->dc->name)) == -1)
		return -1;
	for (c = 0; c < w->dc->nchecks; c++) {
		w->check_db_id[c] = store_check_id(m->store, w->db_id,
		    w->dc->checks[c].owner, w->dc->checks[c].type);
		if (w->check_db_id[c] == -1)
			return -1;
	}
	/* A bad column was logged and replaced. */
	if (store_load_domain(m->store, w->db_id, &drow) == -1)
		return -1;
	w->state = drow.state;
	w->since = drow.since;
	w->complete_at = drow.complete_at;
	for (r = 0; r < m->rl->n; r++)
		if (load_resolver(m, w, r) == -1)
			return -1;
	return 0;
}

static int
monitor_load(struct monitor *m)
{
	size_t	i;

	if (store_begin(m->store) == -1)
		return -1;
	for (i = 0; i < m->rl->n; i++) {
		m->model->resolver_db_id[i] = store_resolver_id(m->store,
		    &m->rl->v[i]);
		if (m->model->resolver_db_id[i] == -1)
			goto fail;
	}
	for (i = 0; i < m->model->nw; i++)
		if (load_watch(m, &m->model->w[i]) == -1)
			goto fail;
	return store_commit(m->store);
fail:
	store_rollback(m->store);
	return -1;
}

/* Scheduling. */

static void
round_schedule(struct run *run, unsigned secs)
{
	struct timeval	tv;

	tv.tv_sec = secs;
	tv.tv_usec = 0;
	evtimer_add(run->timer, &tv);
}

/* The next round in interval less up to 10%, so that domains started
 * together drift apart instead of probing in bursts. */
static unsigned
round_delay(const struct config *cfg)
{
	unsigned	jitter = cfg->interval / 10;

	return cfg->interval - (jitter ? arc4random_uniform(jitter + 1) : 0);
}

/* Queue a round to be started as soon as the prober can take it. */
static void
round_request(struct run *run)
{
	struct monitor	*m = run->mon;
	struct timeval	 now = { 0, 0 };

	run->queued = true;
	TAILQ_INSERT_TAIL(&m->startq, run, startq);
	if (!evtimer_pending(m->ev_start, NULL))
		evtimer_add(m->ev_start, &now);
}

static void
monitor_arm(struct monitor *m)
{
	struct run	*run;
	size_t		 i;

	for (i = 0; i < m->model->nw; i++) {
		run = &m->runs[i];
		if ((run->timer = evtimer_new(m->base, round_timo, run)) == NULL)
			fatalx("%s: evtimer_new", __func__);
		/* The first rounds spread over a tenth of the interval. */
		round_schedule(run, m->once ? 0 :
		    arc4random_uniform(m->cfg->interval / 10 + 1));
	}
}

int
monitor_start(struct monitor *m)
{
	if (m->store != NULL && monitor_load(m) == -1)
		return -1;
	m->once_left = m->model->nw;
	monitor_arm(m);
	if (m->once && m->model->nw == 0)
		event_base_loopexit(m->base, NULL);
	return 0;
}

int
monitor_check(struct monitor *m, const char *domain, json_t *started,
    json_t *running)
{
	struct watch	*w;
	struct run	*run;
	char		 name[NMIG_NAMEBUF];
	size_t		 i;

	if (domain != NULL && model_find_watch(m->model, domain) == NULL)
		return -1;
	for (i = 0; i < m->model->nw; i++) {
		w = &m->model->w[i];
		run = w->run;
		if (domain != NULL && strcmp(w->dc->name, domain) != 0)
			continue;
		domain_display(w->dc->name, name);
		if (run->active || run->queued) {
			json_array_append_new(running, json_string(name));
			continue;
		}
		json_array_append_new(started, json_string(name));
		round_request(run);
	}
	return 0;
}

void
monitor_on_round(struct monitor *m, void (*cb)(void *), void *arg)
{
	m->round_cb = cb;
	m->round_arg = arg;
}

void
monitor_summary(const struct monitor *m, char *buf, size_t len)
{
	struct domain_tally	t;
	size_t			i, n[DS_MAX] = { 0 }, sw = 0, total = 0;

	for (i = 0; i < m->model->nw; i++) {
		n[m->model->w[i].state]++;
		verdict_domain(m->model->w[i].rv, m->rl->n, &t);
		sw += t.switched;
		total += t.total;
	}
	snprintf(buf, len, "%zu domains: %zu complete, %zu propagating, "
	    "%zu pending (%zu/%zu resolvers new)", m->model->nw,
	    n[DS_COMPLETE], n[DS_PROPAGATING], n[DS_PENDING], sw, total);
}

static void
round_start(struct run *run)
{
	struct monitor		*m = run->mon;
	struct watch		*w = run->w;
	const struct check_conf	*c;
	struct probe		 pr;
	size_t			 r, k;

	memset(&pr, 0, sizeof(pr));
	pr.timeout_ms = m->cfg->timeout * 1000;
	pr.retries = m->cfg->retries;
	pr.done = round_probe_done;
	pr.arg = run;
	run->active = true;
	run->outstanding = 0;
	for (r = 0; r < m->rl->n; r++) {
		pr.sa = (const struct sockaddr *)&m->rl->v[r].sa;
		pr.salen = m->rl->v[r].salen;
		for (k = 0; k < w->dc->nchecks; k++) {
			c = &w->dc->checks[k];
			pr.owner = c->owner;
			pr.type = c->type;
			pr.tag = (uint32_t)(r * w->dc->nchecks + k);
			if (prober_query(m->prober, &pr) == 0)
				run->outstanding++;
			else
				cstate_set(&w->cs[pr.tag], CS_ERROR, NULL,
				    time(NULL), 0);
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
		round_schedule(run, round_delay(run->mon->cfg));
	if (run->active || run->queued) {
		log_warnx("%s: previous round still running, skipping one",
		    run->w->dc->name);
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
		probes += m->rl->n * run->w->dc->nchecks;
	}
	if (!TAILQ_EMPTY(&m->startq))
		evtimer_add(m->ev_start, &tv);
}

/* Judging at the end of a round. */

static struct pending_event *
event_new_pending(struct monitor *m, const struct watch *w,
    const char *message_id, int priority)
{
	struct pending_event	*pe;

	if (m->npev == m->pevcap) {
		m->pevcap = m->pevcap ? m->pevcap * 2 : 16;
		m->pev = xreallocarray(m->pev, m->pevcap, sizeof(*m->pev));
	}
	pe = &m->pev[m->npev++];
	memset(pe, 0, sizeof(*pe));
	domain_display(w->dc->name, pe->domain);
	pe->je.message_id = message_id;
	pe->je.priority = priority;
	pe->je.message = pe->message;
	pe->je.domain = pe->domain;
	return pe;
}

static void
resolver_event(struct monitor *m, const struct watch *w, size_t r,
    unsigned ev)
{
	const struct resolver_conf	*rc = &m->rl->v[r];
	struct pending_event		*pe;
	char				 tbuf[NMIG_TIMEBUF];

	if (ev & VEV_SWITCHED) {
		pe = event_new_pending(m, w, MSGID_SWITCHED, LOG_INFO);
		snprintf(pe->message, sizeof(pe->message),
		    "%s: resolver %s (%s) now reports the new records",
		    pe->domain, rc->name, rc->address);
	} else if (ev & VEV_REGRESSED) {
		pe = event_new_pending(m, w, MSGID_REGRESSED, LOG_WARNING);
		snprintf(pe->message, sizeof(pe->message),
		    "%s: resolver %s (%s) answers with the old records again",
		    pe->domain, rc->name, rc->address);
	} else if (ev & VEV_UNREACHABLE) {
		pe = event_new_pending(m, w, MSGID_UNREACHABLE, LOG_WARNING);
		snprintf(pe->message, sizeof(pe->message),
		    "%s: resolver %s (%s) unreachable: no answer since %s",
		    pe->domain, rc->name, rc->address,
		    fmt_time(w->rv[r].fail_since, tbuf));
	} else {
		if (ev & VEV_RECOVERED)
			log_info("%s: resolver %s (%s) answers again",
			    w->dc->name, rc->name, rc->address);
		return;
	}
	pe->je.resolver = rc->name;
	pe->je.resolver_address = rc->address;
}

static void
complete_event(struct monitor *m, const struct watch *w,
    const struct domain_tally *t)
{
	struct pending_event	*pe;
	size_t			 r, len;
	const char		*sep = " (unreachable: ";

	pe = event_new_pending(m, w, MSGID_COMPLETE, LOG_NOTICE);
	len = (size_t)snprintf(pe->message, sizeof(pe->message),
	    "DNS switch complete for %s: %zu of %zu resolvers report the new "
	    "records", pe->domain, t->switched, t->total);
	for (r = 0; r < m->rl->n && len < sizeof(pe->message); r++) {
		if (w->rv[r].state != RS_UNREACHABLE)
			continue;
		len += (size_t)snprintf(pe->message + len,
		    sizeof(pe->message) - len, "%s%s", sep, m->rl->v[r].name);
		sep = ", ";
	}
	if (t->unreachable > 0 && len < sizeof(pe->message))
		snprintf(pe->message + len, sizeof(pe->message) - len, ")");
	pe->je.resolvers_new = t->switched;
	pe->je.resolvers_total = t->total;
	pe->je.resolvers_unreachable = t->unreachable;
}

static void
judge_resolvers(struct monitor *m, struct watch *w, time_t now)
{
	unsigned	confirm = m->once ? 1 : m->cfg->confirm;
	size_t		r, k, n = w->dc->nchecks;
	unsigned	ev;

	for (r = 0; r < m->rl->n; r++) {
		for (k = 0; k < n; k++)
			m->states[k] = watch_cstate(w, r, k)->state;
		ev = verdict_update(&w->rv[r], verdict_round(m->states, n),
		    now, confirm, m->cfg->unreachable_after);
		if (ev & VEV_CHANGED)
			log_debug("%s: %s is %s", w->dc->name, m->rl->v[r].name,
			    resolver_state_name(w->rv[r].state));
		resolver_event(m, w, r, ev);
	}
}

static void
judge_domain(struct monitor *m, struct watch *w, time_t now)
{
	struct domain_tally	t;
	enum domain_state	ds;

	ds = verdict_domain(w->rv, m->rl->n, &t);
	/* Complete latches: a regression afterwards is reported per
	 * resolver, but the switch did happen. */
	if (w->complete_at != 0)
		ds = DS_COMPLETE;
	else if (ds == DS_COMPLETE) {
		w->complete_at = now;
		complete_event(m, w, &t);
	}
	if (ds != w->state || w->since == 0) {
		w->state = ds;
		w->since = now;
	}
}

/* The set as the database keeps it: text for people, the blob for
 * comparing. */
static char *
rdata_lines(const struct rdset *set, uint16_t type)
{
	const uint8_t	*rd;
	size_t		 off = 0, len;
	uint16_t	 l;
	char		*s, *out = NULL;
	FILE		*fp;

	if ((fp = open_memstream(&out, &len)) == NULL)
		fatal("%s", __func__);
	while ((rd = rdset_next(set, &off, &l)) != NULL) {
		s = rdtext(type, rd, l);
		fprintf(fp, "%s%s", ftell(fp) > 0 ? "\n" : "", s);
		free(s);
	}
	if (fclose(fp) != 0)
		fatal("%s", __func__);
	return out;
}

static int
save_answer(struct monitor *m, struct watch *w, size_t r, size_t k)
{
	const struct cstate	*cs = watch_cstate(w, r, k);
	const struct rdset	*set = cstate_rdata(cs, &w->dc->checks[k]);
	struct answer_row	 row;
	uint8_t			*blob;
	char			*text;
	int			 rv;

	row.state = cs->state;
	row.rcode = cs->rcode;
	row.ttl = cs->ttl;
	row.rdata = NULL;	/* made only for a new row */
	row.wirelen = rdset_blob(set, &blob);
	row.wire = blob;
	row.when = cs->answered_at;
	row.rtt_ms = cs->rtt_ms;
	rv = store_record_answer(m->store, w->check_db_id[k],
	    m->model->resolver_db_id[r], &row);
	if (rv == 1) {
		text = rdata_lines(set, w->dc->checks[k].type);
		row.rdata = text;
		rv = store_record_answer(m->store, w->check_db_id[k],
		    m->model->resolver_db_id[r], &row);
		free(text);
	}
	free(blob);
	return rv;
}

static int
save_answers(struct monitor *m, struct watch *w)
{
	size_t	r, k;

	for (r = 0; r < m->rl->n; r++) {
		for (k = 0; k < w->dc->nchecks; k++) {
			if (watch_cstate(w, r, k)->answered_at == 0)
				continue;	/* never asked yet */
			if (save_answer(m, w, r, k) == -1)
				return -1;
		}
		if (store_save_rverdict(m->store, w->db_id,
		    m->model->resolver_db_id[r], &w->rv[r]) == -1)
			return -1;
	}
	return 0;
}

static int
save_round(struct monitor *m, struct watch *w, time_t now)
{
	struct domain_row	drow;
	struct event_row	erow;
	size_t			i;

	if (store_begin(m->store) == -1)
		return -1;
	if (save_answers(m, w) == -1)
		goto fail;
	drow.state = w->state;
	drow.since = w->since;
	drow.complete_at = w->complete_at;
	if (store_save_domain(m->store, w->db_id, &drow) == -1)
		goto fail;
	for (i = 0; i < m->npev; i++) {
		erow.when = now;
		erow.message_id = m->pev[i].je.message_id;
		erow.priority = m->pev[i].je.priority;
		erow.domain = m->pev[i].domain;
		erow.resolver = m->pev[i].je.resolver;
		erow.message = m->pev[i].message;
		if (store_add_event(m->store, &erow) == -1)
			goto fail;
	}
	if (store_commit(m->store) == 0)
		return 0;
fail:
	store_rollback(m->store);
	return -1;
}

static void
round_end(struct run *run)
{
	struct monitor	*m = run->mon;
	struct watch	*w = run->w;
	time_t		 now = time(NULL);
	size_t		 i;

	struct watch	 before = *w;

	run->active = false;
	m->npev = 0;
	memcpy(m->rvsave, w->rv, m->rl->n * sizeof(*w->rv));
	judge_resolvers(m, w, now);
	judge_domain(m, w, now);
	if (m->store != NULL && save_round(m, w, now) == -1) {
		/* Undo the judging: the next round judges again, and its
		 * events go out once they are stored, so a restart cannot
		 * repeat them. */
		memcpy(w->rv, m->rvsave, m->rl->n * sizeof(*w->rv));
		w->state = before.state;
		w->since = before.since;
		w->complete_at = before.complete_at;
		m->npev = 0;
		log_warnx("%s: round not saved; judged again with the next "
		    "one", w->dc->name);
	}
	if (m->store != NULL) {
		/* After the commit, so that a crash in between loses an
		 * alert rather than repeating the completion forever. */
		for (i = 0; i < m->npev; i++)
			journal_emit(&m->pev[i].je);
	}
	m->npev = 0;
	if (m->round_cb != NULL)
		m->round_cb(m->round_arg);
	if (m->once && !run->done_once) {
		run->done_once = true;
		if (--m->once_left == 0)
			event_base_loopexit(m->base, NULL);
	}
}

static void
health_update(struct resolver_health *h, const struct probe_result *res)
{
	h->queries++;
	switch (res->status) {
	case PROBE_ANSWER:
		h->answers++;
		h->rtt_sum_ms += res->rtt_ms;
		h->last_answer = time(NULL);
		h->consecutive_failures = 0;
		return;
	case PROBE_TIMEOUT:
		h->timeouts++;
		break;
	case PROBE_ERROR:
		h->errors++;
		break;
	}
	h->consecutive_failures++;
}

static void
round_probe_done(const struct probe_result *res, void *arg)
{
	struct run		*run = arg;
	struct watch		*w = run->w;
	const struct answer	*a = NULL;
	enum check_state	 st;
	size_t			 k = res->tag % w->dc->nchecks;

	if (res->status == PROBE_ANSWER)
		a = &res->answer;
	health_update(&run->mon->model->health[res->tag / w->dc->nchecks],
	    res);
	st = verdict_classify(&w->dc->checks[k], a);
	cstate_set(&w->cs[res->tag], st, a, time(NULL), res->rtt_ms);
	if (--run->outstanding == 0)
		round_end(run);
}

/* Reload. */

/* The old index of each new check by owner and type, -1 for new ones. */
static ssize_t
find_check(const struct domain_conf *dc, const struct check_conf *c)
{
	size_t	i;

	for (i = 0; i < dc->nchecks; i++)
		if (dc->checks[i].type == c->type &&
		    strcmp(dc->checks[i].owner, c->owner) == 0)
			return (ssize_t)i;
	return -1;
}

/* Copy one resolver's state for one domain from the old watch; the old
 * model stays whole in case the reload fails. */
static void
carry_resolver(struct watch *w, size_t r, const struct watch *ow, size_t or,
    const ssize_t *checkmap)
{
	const struct cstate	*from;
	struct cstate		*to;
	size_t			 k;

	w->rv[r] = ow->rv[or];
	for (k = 0; k < w->dc->nchecks; k++) {
		if (checkmap[k] == -1)
			continue;
		from = watch_cstate(ow, or, (size_t)checkmap[k]);
		to = watch_cstate(w, r, k);
		*to = *from;
		rdset_copy(&to->other, &from->other);
	}
}

/* Where each new resolver was in the old list: its index, RMAP_NEW for a
 * name not seen before, RMAP_MOVED for a name now at another address
 * (another server: it starts afresh). */
#define RMAP_NEW	(-1)
#define RMAP_MOVED	(-2)

static ssize_t *
resolver_map(const struct monitor *m, const struct model *old)
{
	ssize_t	*map, or;
	size_t	 r;

	map = xcalloc(m->rl->n + 1, sizeof(*map));
	for (r = 0; r < m->rl->n; r++) {
		or = model_find_resolver(old, m->rl->v[r].name);
		if (or != -1 && !sockaddr_same(
		    (const struct sockaddr *)&old->resolvers->v[or].sa,
		    (const struct sockaddr *)&m->rl->v[r].sa))
			or = RMAP_MOVED;
		map[r] = or;
	}
	return map;
}

static int
carry_watch(struct monitor *m, const ssize_t *rmap, struct watch *w,
    const struct watch *ow)
{
	ssize_t	*checkmap;
	size_t	 k, r;
	int	 rv = 0;

	w->db_id = ow->db_id;
	w->state = ow->state;
	w->since = ow->since;
	w->complete_at = ow->complete_at;
	checkmap = xcalloc(w->dc->nchecks, sizeof(*checkmap));
	for (k = 0; k < w->dc->nchecks; k++) {
		checkmap[k] = find_check(ow->dc, &w->dc->checks[k]);
		w->check_db_id[k] = checkmap[k] != -1 ?
		    ow->check_db_id[checkmap[k]] :
		    store_check_id(m->store, w->db_id, w->dc->checks[k].owner,
		    w->dc->checks[k].type);
		if (w->check_db_id[k] == -1)
			rv = -1;
	}
	for (r = 0; r < m->rl->n && rv == 0; r++) {
		if (rmap[r] >= 0)
			carry_resolver(w, r, ow, (size_t)rmap[r], checkmap);
		else if (rmap[r] == RMAP_NEW && load_resolver(m, w, r) == -1)
			rv = -1;
	}
	free(checkmap);
	return rv;
}

static int
reload_state(struct monitor *m, const struct model *old)
{
	const struct watch	*ow;
	ssize_t			*rmap;
	size_t			 i;
	int			 rv = -1;

	rmap = resolver_map(m, old);
	for (i = 0; i < m->rl->n; i++) {
		m->model->resolver_db_id[i] = store_resolver_id(m->store,
		    &m->rl->v[i]);
		if (m->model->resolver_db_id[i] == -1)
			goto done;
		if (rmap[i] >= 0)
			m->model->health[i] = old->health[rmap[i]];
	}
	for (i = 0; i < m->model->nw; i++) {
		ow = model_find_watch(old, m->model->w[i].dc->name);
		if (ow != NULL) {
			if (carry_watch(m, rmap, &m->model->w[i], ow) == -1)
				goto done;
		} else if (load_watch(m, &m->model->w[i]) == -1)
			goto done;
	}
	rv = 0;
done:
	free(rmap);
	return rv;
}

/* The store's part of a reload, with the new model in place; -1 leaves
 * the database as it was. */
static int
reload_store(struct monitor *m, const struct model *old)
{
	if (store_begin(m->store) == -1)
		return -1;
	if (reload_state(m, old) == 0 && store_commit(m->store) == 0)
		return 0;
	store_rollback(m->store);
	return -1;
}

int
monitor_reload(struct monitor *m, const struct config *cfg,
    const struct resolver_list *rl)
{
	struct model			*old = m->model;
	const struct config		*oldcfg = m->cfg;
	const struct resolver_list	*oldrl = m->rl;

	m->cfg = cfg;
	m->rl = rl;
	m->model = model_new(cfg, rl);
	if (m->store != NULL && reload_store(m, old) == -1) {
		/* Nothing has run since the switch: the old model, runs
		 * and timers are untouched and simply stay. */
		model_free(m->model);
		m->model = old;
		m->cfg = oldcfg;
		m->rl = oldrl;
		return -1;
	}
	monitor_drop_runs(m);
	monitor_make_runs(m);
	model_free(old);
	m->generation++;
	monitor_arm(m);
	return 0;
}
