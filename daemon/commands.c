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
#include "status.h"
#include "util.h"

#define COMMAND_EVENTS_MAX	1000	/* the most recent, for "events" */

/* A reply written as the client reads: the status of every domain (st),
 * listed so that a reload can tell it which domains it has written; or
 * the answer to a reload, which waits for the read that began after the
 * request (reload_seq). */
struct command_stream {
	LIST_ENTRY(command_stream)	 entry;
	struct commands			*cmds;
	struct status_stream		*st;
	unsigned			 reload_seq;
	json_t				*reply;		/* the reload's */
	bool				 written;
};

struct commands {
	struct nmigd			*d;
	LIST_HEAD(, command_stream)	 streams;
};

static control_handler	cmd_check;
static control_handler	cmd_events;
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
	LIST_INIT(&cmds->streams);
	return cmds;
}

void
commands_free(struct commands *cmds)
{
	if (cmds == NULL)
		return;
	while (!LIST_EMPTY(&cmds->streams))
		stream_free(LIST_FIRST(&cmds->streams));
	free(cmds);
}

void
commands_reloading(struct commands *cmds)
{
	const struct model	*m;
	struct command_stream	*cs;

	if (cmds == NULL)
		return;
	m = monitor_model(cmds->d->monitor);
	LIST_FOREACH(cs, &cmds->streams, entry)
		if (cs->st != NULL)
			status_stream_reloading(cs->st, m);
}

static json_t *
reload_reply(const struct nmigd *d, const struct errlist *errs)
{
	json_t	*o, *errors;
	size_t	 i;

	if (errs == NULL || errs->n == 0)
		return ctl_reply_pack("{s:b, s:I, s:I}",
		    "reloaded", 1,
		    "domains", (json_int_t)d->cfg->ndomains,
		    "resolvers", (json_int_t)d->rl->n);
	errors = json_array();
	for (i = 0; i < errs->n; i++)
		json_array_append_new(errors, ctl_json_string(errs->msg[i]));
	o = ctl_reply_error("configuration not reloaded");
	json_object_set_new(o, "errors", errors);
	return o;
}

void
commands_reloaded(struct commands *cmds, unsigned seq,
    const struct errlist *errs)
{
	struct command_stream	*cs;

	if (cmds == NULL)
		return;
	LIST_FOREACH(cs, &cmds->streams, entry)
		if (cs->st == NULL && cs->reply == NULL &&
		    cs->reload_seq <= seq)
			cs->reply = reload_reply(cmds->d, errs);
	control_wake(cmds->d->control);
}

/* Domains come from the model as it is now. */
static int
stream_next(void *arg, json_dump_callback_t fn, void *fnarg)
{
	struct command_stream	*cs = arg;

	if (cs->st != NULL)
		return status_stream_next(cs->st,
		    monitor_model(cs->cmds->d->monitor), fn, fnarg);
	if (cs->reply == NULL)
		return CONTROL_STREAM_WAIT;
	if (cs->written)
		return 0;
	cs->written = true;
	return json_dump_callback(cs->reply, fn, fnarg, JSON_COMPACT) == 0 ?
	    1 : -1;
}

static void
stream_free(void *arg)
{
	struct command_stream	*cs = arg;

	LIST_REMOVE(cs, entry);
	status_stream_free(cs->st);
	json_decref(cs->reply);
	free(cs);
}

static json_t *
cmd_status(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands		*cmds = arg;
	struct command_stream	*cs;
	json_t			*doc;

	/* Every domain's status is written a few domains at a time as the
	 * client reads: at 10,000 domains it is hundreds of megabytes,
	 * which built at once would hold the loop for seconds. */
	if (req->domain == NULL) {
		cs = xcalloc(1, sizeof(*cs));
		cs->cmds = cmds;
		cs->st = status_stream_new(time(NULL));
		LIST_INSERT_HEAD(&cmds->streams, cs, entry);
		*stream = cs;
		return NULL;
	}
	doc = status_document(monitor_model(cmds->d->monitor), req->domain,
	    time(NULL));
	if (doc == NULL)
		return ctl_reply_error("unknown domain: %s", req->domain_arg);
	return doc;
}

static json_t *
resolver_json(const struct model *m, size_t r)
{
	const struct resolver_conf	*rc = &m->resolvers->v[r];
	const struct resolver_health	*h = &m->health[r];
	char				 tbuf[NMIG_TIMEBUF];
	size_t				 i, unreach = 0;

	for (i = 0; i < m->nw; i++)
		if (m->w[i].rv[r].state == RS_UNREACHABLE)
			unreach++;
	return json_pack("{s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:s?,"
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
		json_array_append_new(a, resolver_json(m, r));
	return ctl_reply_pack("{s:s, s:o}",
	    "generated_at", fmt_time(time(NULL), tbuf),
	    "resolvers", a);
}

static json_t *
cmd_history(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands	*cmds = arg;
	struct history	 h;
	char		 disp[NMIG_NAMEBUF];
	json_t		*o;
	int		 rv;

	rv = store_history(cmds->d->store, req->domain, req->resolver, &h);
	if (rv != 0)
		return rv == 1 ? ctl_reply_error("unknown domain: %s",
		    domain_display(req->domain, disp)) :
		    ctl_reply_error("cannot read the database");
	o = ctl_reply_pack("{s:s, s:o, s:b}",
	    "domain", domain_display(req->domain, disp),
	    "history", status_history_json(&h),
	    "truncated", h.truncated);
	history_free(&h);
	return o;
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
		return ctl_reply_error("unknown domain: %s", req->domain_arg);
	}
	return ctl_reply_pack("{s:o, s:o}", "started", l.started,
	    "running", l.running);
}

/* Answered by commands_reloaded() once the files are read on the
 * reader's thread and the monitor has switched. */
static json_t *
cmd_reload(void *arg, const struct ctl_request *req, void **stream)
{
	struct commands		*cmds = arg;
	struct command_stream	*cs;

	cs = xcalloc(1, sizeof(*cs));
	cs->cmds = cmds;
	cs->reload_seq = nmigd_reload(cmds->d);
	LIST_INSERT_HEAD(&cmds->streams, cs, entry);
	*stream = cs;
	return NULL;
}
