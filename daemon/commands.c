/*
 * What each control command answers, from the daemon's parts: the status,
 * the resolvers' health, the history and events from the store, probe
 * rounds started now, a reload.  lib/ctlproto.c has decoded and checked
 * the request; control.c sends the reply.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "status.h"
#include "util.h"

#define COMMAND_EVENTS_MAX	1000	/* the most recent, for "events" */

static json_t	*cmd_check(struct nmigd *, const struct ctl_request *);
static json_t	*cmd_events(struct nmigd *, const struct ctl_request *);
static json_t	*cmd_history(struct nmigd *, const struct ctl_request *);
static json_t	*cmd_reload(struct nmigd *, const struct ctl_request *);
static json_t	*cmd_resolvers(struct nmigd *, const struct ctl_request *);
static json_t	*cmd_status(struct nmigd *, const struct ctl_request *);

/* lib/ctlproto.c has the names, the permissions and the arguments. */
static json_t *(*const cmd_handlers[CTL_NCOMMANDS])(struct nmigd *,
    const struct ctl_request *) = {
	[CTL_CHECK] =		cmd_check,
	[CTL_EVENTS] =		cmd_events,
	[CTL_HISTORY] =		cmd_history,
	[CTL_RELOAD] =		cmd_reload,
	[CTL_RESOLVERS] =	cmd_resolvers,
	[CTL_STATUS] =		cmd_status,
};

json_t *
command_run(struct nmigd *d, const struct ctl_request *req,
    struct status_stream **stream)
{
	*stream = NULL;
	/* Every domain's status is written a few domains at a time as the
	 * client reads: at 10,000 domains it is hundreds of megabytes,
	 * which built at once would hold the loop for seconds. */
	if (req->command == CTL_STATUS && req->domain == NULL) {
		*stream = status_stream_new(time(NULL));
		return NULL;
	}
	return cmd_handlers[req->command](d, req);
}

static json_t *
cmd_status(struct nmigd *d, const struct ctl_request *req)
{
	json_t	*doc;

	doc = status_document(monitor_model(d->monitor), req->domain,
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
	json_t				*o = json_object();
	char				 tbuf[NMIG_TIMEBUF];
	size_t				 i, unreach = 0;

	for (i = 0; i < m->nw; i++)
		if (m->w[i].rv[r].state == RS_UNREACHABLE)
			unreach++;
	json_object_set_new(o, "name", json_string(rc->name));
	json_object_set_new(o, "address", json_string(rc->address));
	json_object_set_new(o, "port", json_integer(rc->port));
	json_object_set_new(o, "location", json_string(rc->location));
	json_object_set_new(o, "queries", json_integer((json_int_t)h->queries));
	json_object_set_new(o, "answers", json_integer((json_int_t)h->answers));
	json_object_set_new(o, "timeouts", json_integer((json_int_t)h->timeouts));
	json_object_set_new(o, "errors", json_integer((json_int_t)h->errors));
	json_object_set_new(o, "consecutive_failures",
	    json_integer(h->consecutive_failures));
	json_object_set_new(o, "last_answer", h->last_answer == 0 ?
	    json_null() : json_string(fmt_time(h->last_answer, tbuf)));
	json_object_set_new(o, "mean_rtt_ms", h->answers == 0 ? json_null() :
	    json_real((double)h->rtt_sum_ms / (double)h->answers));
	json_object_set_new(o, "unreachable_domains", json_integer(unreach));
	json_object_set_new(o, "unreachable",
	    json_boolean(m->nw > 0 && unreach == m->nw));
	return o;
}

static json_t *
cmd_resolvers(struct nmigd *d, const struct ctl_request *req)
{
	const struct model	*m = monitor_model(d->monitor);
	json_t			*o, *a;
	char			 tbuf[NMIG_TIMEBUF];
	time_t			 now = time(NULL);
	size_t			 r;

	a = json_array();
	for (r = 0; r < m->resolvers->n; r++)
		json_array_append_new(a, resolver_json(m, r));
	o = ctl_reply_new();
	json_object_set_new(o, "generated_at", json_string(fmt_time(now, tbuf)));
	json_object_set_new(o, "resolvers", a);
	return o;
}

static json_t *
cmd_history(struct nmigd *d, const struct ctl_request *req)
{
	struct history	 h;
	char		 disp[NMIG_NAMEBUF];
	json_t		*o;
	int		 rv;

	rv = store_history(d->store, req->domain, req->resolver, &h);
	if (rv != 0)
		return rv == 1 ? ctl_reply_error("unknown domain: %s",
		    domain_display(req->domain, disp)) :
		    ctl_reply_error("cannot read the database");
	o = ctl_reply_new();
	json_object_set_new(o, "domain",
	    json_string(domain_display(req->domain, disp)));
	json_object_set_new(o, "history", status_history_json(&h));
	json_object_set_new(o, "truncated", json_boolean(h.truncated));
	history_free(&h);
	return o;
}

static json_t *
cmd_events(struct nmigd *d, const struct ctl_request *req)
{
	struct event_list	 l;
	json_t			*o;

	if (store_events(d->store, req->since, COMMAND_EVENTS_MAX, &l) == -1)
		return ctl_reply_error("cannot read the database");
	o = ctl_reply_new();
	json_object_set_new(o, "events", status_events_json(&l));
	event_list_free(&l);
	return o;
}

static json_t *
cmd_check(struct nmigd *d, const struct ctl_request *req)
{
	json_t	*o, *started, *running;

	started = json_array();
	running = json_array();
	if (monitor_check(d->monitor, req->domain, started,
	    running) == -1) {
		json_decref(started);
		json_decref(running);
		return ctl_reply_error("unknown domain: %s", req->domain_arg);
	}
	o = ctl_reply_new();
	json_object_set_new(o, "started", started);
	json_object_set_new(o, "running", running);
	return o;
}

static json_t *
cmd_reload(struct nmigd *d, const struct ctl_request *req)
{
	json_t	*o, *errors = json_array();

	if (nmigd_reload(d, errors) == -1) {
		o = ctl_reply_error("configuration not reloaded");
		json_object_set_new(o, "errors", errors);
		return o;
	}
	json_decref(errors);
	o = ctl_reply_new();
	json_object_set_new(o, "reloaded", json_true());
	json_object_set_new(o, "domains", json_integer((json_int_t)d->cfg->ndomains));
	json_object_set_new(o, "resolvers", json_integer((json_int_t)d->rl->n));
	return o;
}
