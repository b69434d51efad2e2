/*
 * The web view's files and documents; see web.h.  The page does its own
 * drawing from the two JSON documents, so that what the daemon does for a
 * browser is what it does for nmigd-ctl.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "commands.h"
#include "ctlproto.h"
#include "dname.h"
#include "docserve.h"
#include "log.h"
#include "status.h"
#include "util.h"
#include "web.h"
#include "webfiles.h"

#define JSON_CONTENT_TYPE	"application/json"

/* /history.json reads the database on the loop, up to a few thousand
 * rows: a page asks once every few seconds, and a client asking faster
 * than this gets 503 and Retry-After rather than the loop's time. */
#define HISTORY_PER_SEC		10.0
#define HISTORY_BURST		20.0

struct web {
	struct nmigd		*d;
	struct status_stream	*st;		/* the build's */
	struct docserve		*ds;		/* /status.json */
	double			 tokens;	/* for /history.json */
	struct timespec		 refilled;
};

/* Replies. */

static void
reply_json(struct http_conn *hc, int status, json_t *doc)
{
	struct evbuffer	*body;
	char		*text;

	if ((body = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new", __func__);
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (text == NULL) {
		log_warnx("web: out of memory for a response");
		status = 500;
	} else {
		evbuffer_add(body, text, strlen(text));
		evbuffer_add(body, "\n", 1);
	}
	httpd_reply(hc, status, JSON_CONTENT_TYPE, body);
	evbuffer_free(body);
	free(text);
	json_decref(doc);
}

static void
reply_error(struct http_conn *hc, int status, const char *msg)
{
	reply_json(hc, status, ctl_reply_error("%s", msg));
}

static const struct web_file *
file_find(const char *name)
{
	size_t	i;

	for (i = 0; i < web_nfiles; i++)
		if (strcmp(web_files[i].name, name) == 0)
			return &web_files[i];
	return NULL;
}

void
web_serve_file(struct web *w, struct http_conn *hc, const char *name)
{
	const struct web_file	*f;
	struct evbuffer		*body;

	if ((f = file_find(name)) == NULL)
		fatalx("%s: %s is not built in", __func__, name);
	if ((body = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new", __func__);
	/* Static data: referenced, never copied or freed. */
	if (evbuffer_add_reference(body, f->data, f->len, NULL, NULL) == -1)
		fatalx("%s: evbuffer_add_reference", __func__);
	httpd_reply(hc, 200, f->content_type, body);
	evbuffer_free(body);
}

/* ?domain=NAME, normalised into buf (NMIG_NAMEBUF): 0, 1 when absent,
 * -1 after answering 400. */
static int
query_domain(struct http_conn *hc, char *buf)
{
	char	arg[NMIG_UNAMEBUF];
	int	r;

	if ((r = httpd_query_get(hc, "domain", arg, sizeof(arg))) == 1)
		return 1;
	if (r == -1 || name_normalize(arg, buf, NMIG_NAMEBUF) == -1) {
		reply_error(hc, 400, "bad domain argument");
		return -1;
	}
	return 0;
}

/* /status.json: the whole document, built in slices. */

static int
status_write_cb(const char *buffer, size_t size, void *arg)
{
	docbuf_add(arg, buffer, size);
	return 0;
}

static void
status_begin(struct docbuf *doc, void *arg, time_t now)
{
	struct web	*w = arg;

	status_stream_free(w->st);
	w->st = status_stream_new(now);
}

static bool
status_step(struct docbuf *doc, void *arg, time_t now)
{
	struct web	*w = arg;

	if (status_stream_next(w->st, monitor_model(w->d->monitor),
	    status_write_cb, doc) == 1)
		return false;
	docbuf_add(doc, "\n", 1);
	return true;
}

static unsigned
status_generation(void *arg)
{
	return monitor_generation(((struct web *)arg)->d->monitor);
}

static const struct docserve_ops status_ops = {
	.name = "status.json",
	.content_type = JSON_CONTENT_TYPE,
	.pool = 1,
	.begin = status_begin,
	.step = status_step,
	.generation = status_generation,
};

void
web_serve_status(struct web *w, struct http_conn *hc)
{
	char	domain[NMIG_NAMEBUF], disp[NMIG_NAMEBUF];
	json_t	*doc;
	int	r;

	if ((r = query_domain(hc, domain)) == -1)
		return;
	if (r == 1) {
		docserve_request(w->ds, hc);
		return;
	}
	doc = status_document(monitor_model(w->d->monitor), domain,
	    time(NULL));
	if (doc == NULL)
		reply_json(hc, 404, ctl_reply_error("unknown domain: %s",
		    domain_display(domain, disp)));
	else
		reply_json(hc, 200, doc);
}

void
web_status_gone(struct web *w, struct http_conn *hc)
{
	docserve_gone(w->ds, hc);
}

/* /history.json?domain=NAME */

static bool
history_token(struct web *w)
{
	struct timespec	now;
	double		elapsed;

	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (double)(now.tv_sec - w->refilled.tv_sec) +
	    (double)(now.tv_nsec - w->refilled.tv_nsec) / 1e9;
	w->refilled = now;
	w->tokens += elapsed * HISTORY_PER_SEC;
	if (w->tokens > HISTORY_BURST)
		w->tokens = HISTORY_BURST;
	if (w->tokens < 1.0)
		return false;
	w->tokens -= 1.0;
	return true;
}

void
web_serve_history(struct web *w, struct http_conn *hc)
{
	char	 domain[NMIG_NAMEBUF];
	json_t	*reply;
	int	 r;

	if ((r = query_domain(hc, domain)) == -1)
		return;
	if (r == 1) {
		reply_error(hc, 400, "history.json needs ?domain=NAME");
		return;
	}
	if (!history_token(w)) {
		reply_error(hc, 503, "too many history requests; retry in a "
		    "second");
		return;
	}
	r = commands_history(w->d->store, domain, NULL, &reply);
	reply_json(hc, r == 0 ? 200 : r == 1 ? 404 : 500, reply);
}

struct web *
web_new(struct nmigd *d)
{
	struct web	*w = xcalloc(1, sizeof(*w));

	w->d = d;
	w->ds = docserve_new(d->base, &status_ops, w);
	w->tokens = HISTORY_BURST;
	clock_gettime(CLOCK_MONOTONIC, &w->refilled);
	return w;
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	docserve_free(w->ds);
	status_stream_free(w->st);
	free(w);
}
