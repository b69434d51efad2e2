/*
 * The outbox: the model's changes on their way to the database.
 *
 * It holds no copies of rows: the bookkeeping fields of the model (a
 * check state's dirty flag and uncounted sightings, a verdict's dirty
 * flag, a domain's row_dirty, refresh and events) say what is owed, and
 * a queue of domains says where to look.  So a database that fails for
 * an hour costs no memory per round, and what is written when it comes
 * back is the state the resolvers are in, not a backlog of rounds.
 *
 * The writes run on the event loop, a bounded batch at a time, rather
 * than in a writer thread: with only changes written, a steady round
 * writes nothing, and a batch of OUTBOX rows costs a few milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "learn.h"
#include "log.h"
#include "outbox.h"
#include "rdtext.h"
#include "util.h"
#include "verdict.h"

/* A FIFO of domains.  A domain written out of turn (outbox_flush_watch)
 * leaves its entry behind: an entry counts only while its domain is
 * queued under the same sequence number. */
struct wentry {
	struct watch	*w;
	uint32_t	 seq;
};

struct wqueue {
	struct wentry	*v;
	size_t		 head, n, cap;
};

struct outbox {
	struct store		*store;
	struct wqueue		 queue;
	struct wqueue		 written;	/* in the open transaction */
	size_t			 nqueued;	/* domains, not entries */
	struct outbox_stats	 st;
	size_t			 rows;		/* in the open transaction */
	time_t			 last_warn;
};

/* How often a failing database is said again in the log. */
#define OUTBOX_WARN_EVERY	300

static void
wq_push(struct wqueue *q, struct watch *w)
{
	if (q->head > 0 && q->head + q->n == q->cap) {
		memmove(q->v, q->v + q->head, q->n * sizeof(*q->v));
		q->head = 0;
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->v = xreallocarray(q->v, q->cap, sizeof(*q->v));
	}
	q->v[q->head + q->n].w = w;
	q->v[q->head + q->n].seq = w->qseq;
	q->n++;
}

/* The next domain still queued under its entry. */
static struct watch *
wq_pop(struct wqueue *q)
{
	struct wentry	e;

	while (q->n > 0) {
		e = q->v[q->head++];
		if (--q->n == 0)
			q->head = 0;
		if (e.w->queued && e.w->qseq == e.seq)
			return e.w;
	}
	return NULL;
}

struct outbox *
outbox_new(struct store *store)
{
	struct outbox	*ob;

	ob = xcalloc(1, sizeof(*ob));
	ob->store = store;
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	if (ob == NULL)
		return;
	free(ob->queue.v);
	free(ob->written.v);
	free(ob);
}

static void
queue_watch(struct outbox *ob, struct watch *w)
{
	w->unsaved = true;
	if (!w->queued) {
		w->queued = true;
		w->qseq++;
		ob->nqueued++;
		wq_push(&ob->queue, w);
	}
}

/* The verdict as the database keeps it changed.  last_checked alone is
 * not a change; the streak only counts until the switch; the rounds since
 * the last flap (calm) only say for a few rounds whether it still flaps,
 * and a restart may forget that. */
static bool
rverdict_changed(const struct rverdict *a, const struct rverdict *b)
{
	return a->state != b->state || a->switched != b->switched ||
	    a->since != b->since || a->fail_since != b->fail_since ||
	    (!a->switched && a->streak != b->streak) ||
	    a->cached_until != b->cached_until ||
	    a->expires_at != b->expires_at || a->overdue != b->overdue ||
	    a->ttl_grew != b->ttl_grew || a->flaps != b->flaps;
}

/* w's events wait for their commit in a list of just their size: while
 * the database fails every domain holds its events that long, and an
 * event takes 1.5 kB, so a doubling list's spare slots (16 at first)
 * would take twice or three times what the events do. */
static void
keep_events(struct watch *w, const struct eventlist *add)
{
	struct eventlist	*l;

	if (w->events == NULL)
		w->events = xcalloc(1, sizeof(*w->events));
	l = w->events;
	if (l->n + add->n > l->cap) {
		l->cap = l->n + add->n;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	memcpy(l->v + l->n, add->v, add->n * sizeof(*l->v));
	l->n += add->n;
}

void
outbox_round(struct outbox *ob, struct watch *w, const struct model *m,
    const struct judge *j, time_t now)
{
	struct rverdict	*v;
	size_t		 r;

	for (r = 0; r < m->resolvers->n; r++) {
		v = &w->rv[r];
		/* A failing resolver's last_checked tells a restart whether
		 * its failure streak went on while nmigd was down. */
		if (rverdict_changed(v, &j->rvsave[r]) ||
		    (v->fail_since != 0 && v->state != RS_UNREACHABLE)) {
			v->dirty = true;
			w->unsaved = true;
		}
	}
	if (w->state != j->state || w->since != j->since ||
	    w->complete_at != j->complete_at ||
	    w->parent_state != j->parent_state ||
	    w->parent_since != j->parent_since ||
	    w->parent_switched_at != j->parent_switched_at ||
	    w->watched_since != j->watched_since ||
	    w->regressed_at != j->regressed_at ||
	    w->cancel_at != j->cancel_at || w->old_state != j->old_state ||
	    w->new_state != j->new_state ||
	    w->old_stopped_at != j->old_stopped_at ||
	    w->dnssec_new != j->dnssec_new || w->dnssec_old != j->dnssec_old ||
	    w->dnssec_failed_at != j->dnssec_failed_at) {
		w->row_dirty = true;
		w->unsaved = true;
	}
	if (j->events.n > 0) {
		keep_events(w, &j->events);
		w->unsaved = true;
	}
	if (now - w->saved_at >= OUTBOX_REFRESH) {
		w->refresh = true;
		w->unsaved = true;
	}
	if (w->unsaved)
		queue_watch(ob, w);
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

static time_t
age_back(time_t t, uint32_t age)
{
	return t > (time_t)age ? t - (time_t)age : t;
}

static int
write_answer(const struct model *m, struct store *st, const struct watch *w,
    size_t r, size_t k)
{
	const struct cstate	*cs = watch_cstate(w, r, k);
	const struct rdset	*set = cstate_rdata(cs, watch_check(w, k));
	struct answer_row	 row;
	uint8_t			*blob;
	char			*text;
	int			 rv;

	memset(&row, 0, sizeof(row));
	row.state = cs->state;
	row.rcode = cs->rcode;
	row.ttl = cs->ttl;
	row.rdata = NULL;	/* made only for a new row */
	row.wirelen = rdset_blob(set, &blob);
	row.wire = blob;
	row.when = cs->answered_at;
	row.rtt_ms = cs->rtt_ms;
	row.first_seen = age_back(cs->answered_at, cs->since_age);
	row.count = cs->unsaved > 0 ? cs->unsaved : 1;
	rv = store_record_answer(st, w->check_db_id[k], m->resolver_db_id[r],
	    &row);
	if (rv == 1) {
		text = rdata_lines(set, w->dc->checks[k].type);
		row.rdata = text;
		rv = store_record_answer(st, w->check_db_id[k],
		    m->resolver_db_id[r], &row);
		free(text);
	}
	free(blob);
	return rv;
}

/* A check's learned sets (lib/learn.h), when they changed. */
static int
write_learned(struct outbox *ob, const struct watch *w, size_t k)
{
	const struct check_conf	*c = watch_check(w, k);
	const struct learned	*l = &w->learned[k];
	struct learned_row	 row;
	uint8_t			*wire, *old_wire;
	char			*text, *old_text;
	int			 rv;

	memset(&row, 0, sizeof(row));
	row.wirelen = rdset_blob(&c->expect, &wire);
	row.wire = wire;
	row.text = text = rdata_lines(&c->expect, c->type);
	row.at = c->learn & LEARN_EXPECT ? l->at : 0;
	row.old_wirelen = rdset_blob(&c->old, &old_wire);
	row.old_wire = old_wire;
	row.old_text = old_text = rdata_lines(&c->old, c->type);
	row.old_at = c->learn & LEARN_OLD ? l->old_at : 0;
	row.old_note = learn_why_name(l->old_why);
	rv = store_save_learned(ob->store, w->check_db_id[k], &row);
	free(wire);
	free(old_wire);
	free(text);
	free(old_text);
	if (rv == 0)
		ob->rows++;
	return rv;
}

/* What a check state owes: the sightings of the answer before a change,
 * then its own row. */
static int
write_cstate(struct outbox *ob, const struct model *m, const struct watch *w,
    size_t r, size_t k)
{
	const struct cstate	*cs = watch_cstate(w, r, k);

	if (cs->prev_unsaved > 0) {
		if (store_answer_seen(ob->store, w->check_db_id[k],
		    m->resolver_db_id[r], age_back(cs->answered_at,
		    cs->prev_age), cs->prev_unsaved, cs->prev_ttl) == -1)
			return -1;
		ob->rows++;
	}
	if (cs->dirty || (w->refresh && cs->unsaved > 0)) {
		if (write_answer(m, ob->store, w, r, k) == -1)
			return -1;
		ob->rows++;
	}
	return 0;
}

static int
write_events(struct outbox *ob, const struct watch *w, time_t now)
{
	const struct nmig_event	*e;
	struct event_row	 erow;
	size_t			 i;

	for (i = 0; w->events != NULL && i < w->events->n; i++) {
		e = &w->events->v[i];
		erow.when = e->when != 0 ? e->when : now;
		erow.message_id = e->je.message_id;
		erow.priority = e->je.priority;
		erow.domain = e->domain;
		erow.domain_id = w->db_id;
		erow.resolver = e->resolver[0] != '\0' ? e->resolver : NULL;
		erow.message = e->message;
		if (store_add_event(ob->store, &erow) == -1)
			return -1;
		ob->rows++;
	}
	return 0;
}

/* Everything w owes, inside the open transaction. */
static int
write_watch(struct outbox *ob, const struct model *m, struct watch *w,
    time_t now)
{
	struct domain_row	drow;
	size_t			r, k;

	for (r = 0; r < m->resolvers->n; r++) {
		for (k = 0; k < w->dc->nchecks; k++)
			if (write_cstate(ob, m, w, r, k) == -1)
				return -1;
		if (!w->rv[r].dirty && !w->refresh)
			continue;
		if (store_save_rverdict(ob->store, w->db_id,
		    m->resolver_db_id[r], &w->rv[r]) == -1)
			return -1;
		ob->rows++;
	}
	if (w->row_dirty || w->refresh) {
		drow.state = w->state;
		drow.since = w->since;
		drow.complete_at = w->complete_at;
		drow.parent_state = w->parent_state;
		drow.parent_since = w->parent_since;
		drow.parent_switched_at = w->parent_switched_at;
		drow.parent_ttl = w->parent_ttl;
		drow.watched_since = w->watched_since;
		drow.regressed_at = w->regressed_at;
		drow.cancel_at = w->cancel_at;
		drow.old_state = w->old_state;
		drow.new_state = w->new_state;
		drow.old_stopped_at = w->old_stopped_at;
		drow.dnssec_new = w->dnssec_new;
		drow.dnssec_old = w->dnssec_old;
		drow.dnssec_failed_at = w->dnssec_failed_at;
		if (store_save_domain(ob->store, w->db_id, &drow) == -1)
			return -1;
		ob->rows++;
	}
	for (k = 0; w->learned != NULL && k < w->dc->nchecks; k++)
		if (w->learned[k].dirty && write_learned(ob, w, k) == -1)
			return -1;
	if (write_events(ob, w, now) == -1)
		return -1;
	wq_push(&ob->written, w);
	return 0;
}

/* w's rows are committed: it owes nothing, and its events go out. */
static void
watch_saved(struct outbox *ob, const struct model *m, struct watch *w,
    time_t now)
{
	struct cstate	*cs;
	size_t		 i, n = m->resolvers->n * w->dc->nchecks;

	for (i = 0; i < n; i++) {
		cs = &w->cs[i];
		if (cs->dirty || w->refresh)
			cs->unsaved = 0;
		cs->dirty = false;
		cs->prev_unsaved = 0;
		cs->prev_age = 0;
	}
	for (i = 0; i < m->resolvers->n; i++)
		w->rv[i].dirty = false;
	for (i = 0; w->learned != NULL && i < w->dc->nchecks; i++)
		w->learned[i].dirty = false;
	if (w->refresh)
		w->saved_at = now;
	if (w->queued)
		ob->nqueued--;
	w->row_dirty = w->refresh = w->unsaved = w->queued = false;
	if (w->events != NULL) {
		events_emit(w->events);
		events_free(w->events);
		free(w->events);
		w->events = NULL;
	}
}

static void
say_failing(struct outbox *ob, time_t now)
{
	if (ob->st.failing_since == 0) {
		ob->st.failing_since = now;
		ob->last_warn = now;
		log_warnx("database: changes not saved; %zu domains' changes "
		    "are kept and tried again", ob->nqueued);
	} else if (now - ob->last_warn >= OUTBOX_WARN_EVERY) {
		ob->last_warn = now;
		log_warnx("database: still failing since %lld s; %zu "
		    "domains' changes kept", (long long)(now -
		    ob->st.failing_since), ob->nqueued);
	}
}

static void
say_saved(struct outbox *ob, time_t now)
{
	if (ob->st.failing_since == 0)
		return;
	log_info("database: saved again after %lld s",
	    (long long)(now - ob->st.failing_since));
	ob->st.failing_since = 0;
}

/* The rows written since the transaction began were committed or rolled
 * back: the domains owe nothing now, or go back to the queue's front in
 * their order. */
static void
settle(struct outbox *ob, const struct model *m, bool committed, time_t now)
{
	struct wqueue	 back;
	struct watch	*w;

	if (committed) {
		ob->st.commits++;
		ob->st.rows += ob->rows;
		while ((w = wq_pop(&ob->written)) != NULL)
			watch_saved(ob, m, w, now);
		say_saved(ob, now);
	} else {
		ob->st.failures++;
		memset(&back, 0, sizeof(back));
		while ((w = wq_pop(&ob->written)) != NULL)
			wq_push(&back, w);
		/* Stale entries stay behind. */
		while ((w = wq_pop(&ob->queue)) != NULL)
			wq_push(&back, w);
		free(ob->queue.v);
		ob->queue = back;
		say_failing(ob, now);
	}
	ob->rows = 0;
}

ssize_t
outbox_flush(struct outbox *ob, const struct model *m, size_t max_rows,
    time_t now)
{
	struct watch	*w;

	if (ob->nqueued == 0)
		return 0;
	if (store_begin(ob->store) == -1) {
		settle(ob, m, false, now);
		return -1;
	}
	while ((max_rows == 0 || ob->rows < max_rows) &&
	    (w = wq_pop(&ob->queue)) != NULL)
		if (write_watch(ob, m, w, now) == -1) {
			wq_push(&ob->written, w);
			goto fail;
		}
	if (store_commit(ob->store) == -1)
		goto fail;
	settle(ob, m, true, now);
	return (ssize_t)ob->nqueued;
fail:
	store_rollback(ob->store);
	settle(ob, m, false, now);
	return -1;
}

int
outbox_flush_watch(struct outbox *ob, const struct model *m, struct watch *w,
    time_t now)
{
	if (!w->queued)
		return 0;
	if (store_begin(ob->store) == -1)
		goto failed;
	if (write_watch(ob, m, w, now) == -1 ||
	    store_commit(ob->store) == -1) {
		store_rollback(ob->store);
		goto failed;
	}
	settle(ob, m, true, now);
	return 0;
failed:
	/* Its entry is still in the queue: it goes with the next flush. */
	ob->written.n = ob->written.head = 0;
	ob->rows = 0;
	ob->st.failures++;
	say_failing(ob, now);
	return -1;
}

int
outbox_write_leaving(struct outbox *ob, const struct model *m,
    struct watch *w, time_t now)
{
	if (!w->unsaved)
		return 0;
	return write_watch(ob, m, w, now);
}

void
outbox_settle(struct outbox *ob, bool committed, time_t now)
{
	struct watch	*w;

	/* The domains that left are freed with their model: only their
	 * events still matter. */
	while ((w = wq_pop(&ob->written)) != NULL) {
		if (!committed)
			continue;
		if (w->events != NULL)
			events_emit(w->events);
		w->unsaved = false;
	}
	if (committed)
		ob->st.rows += ob->rows;
	ob->rows = 0;
}

void
outbox_requeue(struct outbox *ob, struct model *m)
{
	size_t	i;

	ob->queue.n = ob->queue.head = 0;
	ob->nqueued = 0;
	for (i = 0; i < m->nw; i++) {
		m->w[i].queued = false;
		if (m->w[i].unsaved)
			queue_watch(ob, &m->w[i]);
	}
}

int
outbox_stop(struct outbox *ob, struct model *m, time_t now)
{
	size_t	i;

	for (i = 0; i < m->nw; i++) {
		m->w[i].refresh = true;
		queue_watch(ob, &m->w[i]);
	}
	return outbox_flush(ob, m, 0, now) == -1 ? -1 : 0;
}

bool
outbox_failing(const struct outbox *ob)
{
	return ob->st.failing_since != 0;
}

void
outbox_get_stats(const struct outbox *ob, struct outbox_stats *st)
{
	*st = ob->st;
	st->queued = ob->nqueued;
}
