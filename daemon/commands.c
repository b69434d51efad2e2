/*
 * What each control command answers, from the daemon's parts: the status,
 * the resolvers' health, the history and events from the store, probe
 * rounds started now, a reload.  lib/ctlproto.c has decoded and checked
 * the request; control.c sends the reply.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "log.h"
#include "pace.h"
#include "reach.h"
#include "status.h"
#include "util.h"

#define COMMAND_EVENTS_MAX	1000	/* the most recent, for "events" */

/* A reply written as the client reads, of one of two kinds: the status
 * of every domain, or the answer to a reload, which waits for its read.
 * Each kind is a struct that starts with this one. */
struct command_stream {
	int	(*next)(struct command_stream *, json_dump_callback_t,
		    void *);
	void	(*free)(struct command_stream *);
	struct commands	*cmds;
};

/* The status of every domain, listed so that a reload can tell it which
 * domains it has written. */
struct status_all {
	struct command_stream	 cs;
	LIST_ENTRY(status_all)	 entry;
	struct status_stream	*st;
};

/* One encoded reply for every client waiting for the same read. */
struct reload_reply {
	char		*line;		/* without its newline */
	size_t		 len;
	unsigned	 refs;
};

/* A reload request, answered by the read numbered seq or a later one. */
struct reload_wait {
	struct command_stream	 cs;
	LIST_ENTRY(reload_wait)	 entry;
	unsigned		 seq;
	struct reload_reply	*reply;
	bool			 written;
};

struct commands {
	struct nmigd			*d;
	LIST_HEAD(, status_all)		 statuses;
	LIST_HEAD(, reload_wait)	 waiters;
};

static control_handler	cmd_check;
static control_handler	cmd_events;
static control_handler	cmd_forget;
static control_handler	cmd_history;
static control_handler	cmd_reload;
static control_handler	cmd_resolvers;
static control_handler	cmd_status;
static int	stream_next(void *, json_dump_callback_t, void *);
static void	stream_free(void *);

/* lib/ctlproto.c has the names, the permissions and the arguments. */
const struct control_cmds command_handlers = {
	.handler = {
		[CTL_CHECK] =		cmd_check,
		[CTL_EVENTS] =		cmd_events,
		[CTL_FORGET] =		cmd_forget,
		[CTL_HISTORY] =		cmd_history,
		[CTL_RELOAD] =		cmd_reload,
		[CTL_RESOLVERS] =	cmd_resolvers,
		[CTL_STATUS] =		cmd_status,
	},
	.stream = { stream_next, stream_free },
};

struct commands *
commands_new(struct nmigd *d)
{
	struct commands	*cmds = xcalloc(1, sizeof(*cmds));

	cmds->d = d;
	LIST_INIT(&cmds->statuses);
	LIST_INIT(&cmds->waiters);
	return cmds;
}

void
commands_free(struct commands *cmds)
{
	if (cmds == NULL)
		return;
	while (!LIST_EMPTY(&cmds->statuses))
		stream_free(LIST_FIRST(&cmds->statuses));
	while (!LIST_EMPTY(&cmds->waiters))
		stream_free(LIST_FIRST(&cmds->waiters));
	free(cmds);
}

void
commands_reloading(struct commands *cmds)
{
	const struct model	*m;
	struct status_all	*sa;

	if (cmds == NULL)
		return;
	m = monitor_model(cmds->d->monitor);
	LIST_FOREACH(sa, &cmds->statuses, entry)
		status_stream_reloading(sa->st, m);
}

/* The control socket's stream operations, by kind. */
static int
stream_next(void *arg, json_dump_callback_t fn, void *fnarg)
{
	struct command_stream	*cs = arg;

	return cs->next(cs, fn, fnarg);
}

static void
stream_free(void *arg)
{
	struct command_stream	*cs = arg;

	cs->free(cs);
}

/* Domains come from the model as it is now. */
static int
status_all_next(struct command_stream *cs, json_dump_callback_t fn,
    void *fnarg)
{
	struct status_all	*sa = (struct status_all *)cs;

	return status_stream_next(sa->st, monitor_model(cs->cmds->d->monitor),
	    fn, fnarg);
}

static void
status_all_free(struct command_stream *cs)
{
	struct status_all	*sa = (struct status_all *)cs;

	LIST_REMOVE(sa, entry);
	status_stream_free(sa->st);
	free(sa);
}

/* A refused reload lists its first errors: a file of 200,000 bad lines
 * must not make a reply of tens of megabytes for every waiting client. */
static json_t *
reload_errors_json(const struct errlist *errs)
{
	json_t	*errors = json_array();
	size_t	 i;

	for (i = 0; i < errs->n && i < CTL_RELOAD_ERRORS_MAX; i++)
		json_array_append_new(errors, ctl_json_string(errs->msg[i]));
	if (errs->n > CTL_RELOAD_ERRORS_MAX)
		json_array_append_new(errors, json_sprintf("... and %zu more "
		    "errors", errs->n - CTL_RELOAD_ERRORS_MAX));
	return errors;
}

static struct reload_reply *
reload_reply_new(const struct nmigd *d, const struct errlist *errs)
{
	struct reload_reply	*rr = xcalloc(1, sizeof(*rr));
	json_t			*o;

	if (errs == NULL || errs->n == 0)
		o = ctl_reply_pack("{s:b, s:I, s:I}",
		    "reloaded", 1,
		    "domains", (json_int_t)d->cfg->ndomains,
		    "resolvers", (json_int_t)d->rl->n);
	else {
		o = ctl_reply_error("configuration not reloaded");
		json_object_set_new(o, "errors", reload_errors_json(errs));
	}
	/* Encoded as every other reply is, with its size limit. */
	rr->line = ctl_reply_encode(o, CONTROL_MAX_REPLY, &rr->len);
	rr->len--;
	return rr;
}

static void
reload_reply_unref(struct reload_reply *rr)
{
	if (rr != NULL && --rr->refs == 0) {
		free(rr->line);
		free(rr);
	}
}

void
commands_reloaded(struct commands *cmds, unsigned seq,
    const struct errlist *errs)
{
	struct reload_wait	*rw;
	struct reload_reply	*rr = NULL;

	if (cmds == NULL)
		return;
	LIST_FOREACH(rw, &cmds->waiters, entry) {
		if (rw->reply != NULL || rw->seq > seq)
			continue;
		if (rr == NULL)
			rr = reload_reply_new(cmds->d, errs);
		rr->refs++;
		rw->reply = rr;
	}
	control_wake(cmds->d->control);
}

static int
reload_wait_next(struct command_stream *cs, json_dump_callback_t fn,
    void *fnarg)
{
	struct reload_wait	*rw = (struct reload_wait *)cs;

	if (rw->reply == NULL)
		return CONTROL_STREAM_WAIT;
	if (rw->written)
		return 0;
	rw->written = true;
	return fn(rw->reply->line, rw->reply->len, fnarg) == 0 ? 1 : -1;
}

static void
reload_wait_free(struct command_stream *cs)
{
	struct reload_wait	*rw = (struct reload_wait *)cs;

	LIST_REMOVE(rw, entry);
	reload_reply_unref(rw->reply);
	free(rw);
}


/* A name nmigd does not watch: the watched one it was probably meant to
 * be, else the watched ones when they are few, else how to list them. */
static json_t *
unknown_domain(const struct commands *cmds, const struct ctl_request *req)
{
	const struct model	*m = monitor_model(cmds->d->monitor);
	char			 disp[NMIG_NAMEBUF], list[512] = "";
	size_t			 i, len = 0;

	for (i = 0; req->domain != NULL && i < m->nw; i++)
		if (near_miss(req->domain, m->w[i].dc->name))
			return ctl_reply_error("unknown domain: %s (did you "
			    "mean %s?)", req->domain_arg, domain_display(
			    m->w[i].dc->name, disp));
	if (m->nw == 0)
		return ctl_reply_error("unknown domain: %s (no domain is "
		    "watched)", req->domain_arg);
	if (m->nw > 10)
		return ctl_reply_error("unknown domain: %s (%zu domains are "
		    "watched: nmigd-ctl status lists them)", req->domain_arg,
		    m->nw);
	for (i = 0; i < m->nw && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    i > 0 ? ", " : "", domain_display(m->by_name[i]->dc->name,
		    disp));
	return ctl_reply_error("unknown domain: %s (watched: %s)",
	    req->domain_arg, list);
}
static json_t *
cmd_status(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands		*cmds = arg;
	struct status_all	*sa;
	struct status_filter	 filter = { req->state, req->limit };
	json_t			*doc;

	/* Every domain's status is written a few domains at a time as the
	 * client reads: at 10,000 domains it is hundreds of megabytes,
	 * which built at once would hold the loop for seconds. */
	if (req->domain == NULL) {
		sa = xcalloc(1, sizeof(*sa));
		sa->cs.next = status_all_next;
		sa->cs.free = status_all_free;
		sa->cs.cmds = cmds;
		sa->st = status_stream_new(time(NULL), req->summary,
		    req->state != -1 || req->limit != 0 ? &filter : NULL,
		    req->columns.n > 0 ? &req->columns : NULL);
		LIST_INSERT_HEAD(&cmds->statuses, sa, entry);
		*stream = sa;
		return NULL;
	}
	doc = status_document(monitor_model(cmds->d->monitor), req->domain,
	    time(NULL));
	if (doc == NULL)
		return unknown_domain(cmds, req);
	return doc;
}

/* The resolver's pace now (daemon/pace.h), into its object. */
static void
resolver_pace_json(json_t *o, const struct nmigd *d,
    const struct resolver_conf *rc)
{
	struct pace_info	pi;
	char			tbuf[NMIG_TIMEBUF];

	if (!prober_pace_info(d->prober, (const struct sockaddr *)&rc->sa,
	    &pi))
		pi.rate = resolver_rate(rc, d->cfg->rate);
	json_object_set_new(o, "rate", json_integer(pi.rate));
	json_object_set_new(o, "rate_now", json_integer(pi.now_rate != 0 ?
	    pi.now_rate : pi.rate));
	json_object_set_new(o, "queued", json_integer((json_int_t)pi.queued));
	json_object_set_new(o, "backing_off", json_boolean(pi.hold_s > 0));
	json_object_set_new(o, "trying", json_boolean(pi.trying));
	json_object_set_new(o, "retry_at", pi.hold_s > 0 && !pi.trying ?
	    json_string(fmt_time(pi.retry_at, tbuf)) : json_null());
}

static json_t *
resolver_json(const struct nmigd *d, const struct model *m, size_t r)
{
	const struct resolver_conf	*rc = &m->resolvers->v[r];
	const struct resolver_health	*h = &m->health[r];
	char				 tbuf[NMIG_TIMEBUF];
	size_t				 unreach = reach_count(m, r, NULL);
	json_t				*o;

	/* "unreachable": for every domain; "unreachable_domains": for
	 * how many. */
	o = json_pack("{s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:s?,"
	    " s:o, s:I, s:b}",
	    "name", rc->name,
	    "address", rc->address,
	    "port", (int)rc->port,
	    "location", rc->location,
	    "queries", (json_int_t)h->queries,
	    "answers", (json_int_t)h->answers,
	    "timeouts", (json_int_t)h->timeouts,
	    "errors", (json_int_t)h->errors,
	    "consecutive_failures", (json_int_t)h->consecutive_failures,
	    "last_answer", h->last_answer == 0 ? NULL :
	    fmt_time(h->last_answer, tbuf),
	    "mean_rtt_ms", h->answers == 0 ? json_null() :
	    json_real((double)h->rtt_sum_ms / (double)h->answers),
	    "unreachable_domains", (json_int_t)unreach,
	    "unreachable", m->nw > 0 && unreach == m->nw);
	json_object_set_new(o, "skipped", json_integer((json_int_t)h->skipped));
	resolver_pace_json(o, d, rc);
	return o;
}

static json_t *
cmd_resolvers(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands		*cmds = arg;
	const struct model	*m = monitor_model(cmds->d->monitor);
	json_t			*a;
	char			 tbuf[NMIG_TIMEBUF];
	size_t			 r;

	a = json_array();
	for (r = 0; r < m->resolvers->n; r++)
		json_array_append_new(a, resolver_json(cmds->d, m, r));
	return ctl_reply_pack("{s:s, s:o}",
	    "generated_at", fmt_time(time(NULL), tbuf),
	    "resolvers", a);
}

static json_t *
cmd_history(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands	*cmds = arg;
	json_t		*reply;

	status_history_reply(cmds->d->store, req->domain, req->resolver,
	    &reply);
	return reply;
}

static json_t *
cmd_events(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands		*cmds = arg;
	struct event_list	 l;
	json_t			*o;

	if (store_events(cmds->d->store, req->since, COMMAND_EVENTS_MAX,
	    &l) == -1)
		return ctl_reply_error("cannot read the database");
	o = ctl_reply_pack("{s:o}", "events", status_events_json(&l));
	event_list_free(&l);
	return o;
}

struct check_lists {
	json_t	*started;
	json_t	*running;
};

static void
check_listed(void *arg, const char *domain, bool started)
{
	struct check_lists	*l = arg;
	char			 name[NMIG_NAMEBUF];

	json_array_append_new(started ? l->started : l->running,
	    json_string(domain_display(domain, name)));
}

static json_t *
cmd_check(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands		*cmds = arg;
	struct check_lists	 l = { json_array(), json_array() };

	if (monitor_check(cmds->d->monitor, req->domain, check_listed,
	    &l) == -1) {
		json_decref(l.started);
		json_decref(l.running);
		return unknown_domain(cmds, req);
	}
	return ctl_reply_pack("{s:o, s:o}", "started", l.started,
	    "running", l.running);
}

/* Answered by commands_reloaded() once the files are read on the
 * reader's thread and the monitor has switched. */
/* A domain no longer configured leaves the database: its answers,
 * verdicts, events, checks and row.  A watched one is refused, or its
 * next round would write it all again. */
static json_t *
cmd_forget(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands	*cmds = arg;
	char		 disp[NMIG_NAMEBUF];
	int64_t		 rows;
	int		 rv;

	domain_display(req->domain, disp);
	if (model_find_watch(monitor_model(cmds->d->monitor),
	    req->domain) != NULL)
		return ctl_reply_error("%s is still watched: remove it from "
		    "the configuration and reload first", disp);
	if ((rv = store_forget_domain(cmds->d->store, req->domain,
	    &rows)) == 1)
		return ctl_reply_error("%s is not in the database", disp);
	if (rv == -1)
		return ctl_reply_error("cannot write the database");
	log_info("%s forgotten: %lld rows deleted", disp, (long long)rows);
	return ctl_reply_pack("{s:s, s:I}", "forgotten", disp, "rows",
	    (json_int_t)rows);
}

static json_t *
cmd_reload(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands		*cmds = arg;
	struct reload_wait	*rw;

	rw = xcalloc(1, sizeof(*rw));
	rw->cs.next = reload_wait_next;
	rw->cs.free = reload_wait_free;
	rw->cs.cmds = cmds;
	LIST_INSERT_HEAD(&cmds->waiters, rw, entry);
	rw->seq = nmigd_reload(cmds->d);
	*stream = rw;
	return NULL;
}
