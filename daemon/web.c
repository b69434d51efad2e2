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

#include "ctlproto.h"
#include "dname.h"
#include "docserve.h"
#include "log.h"
#include "status.h"
#include "tokenbucket.h"
#include "util.h"
#include "web.h"
#include "webfiles.h"

#define JSON_CONTENT_TYPE	"application/json"

/* /history.json reads the database on the loop, up to a few thousand
 * rows: a page asks once every few seconds, and a client asking faster
 * than this gets 503 and Retry-After rather than the loop's time. */
#define HISTORY_PER_SEC		10.0
#define HISTORY_BURST		20.0

/* /status.json, whole or summary, and the build's cursor. */
struct statusdoc {
	struct nmigd		*d;
	bool			 summary;
	struct status_stream	*st;
	struct docserve		*ds;
};

struct web {
	struct nmigd		*d;
	struct statusdoc	 status, summary;
	struct tokenbucket	 history_rate;
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

/* What http.c serves, checked at start. */
static const char *const web_file_names[] = {
	"index.html", "nmigd.js", "nmigd.css",
};

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
		fatalx("web: %s is not built in", name);
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

/* /status.json, whole or ?summary: built in slices. */

static int
status_write_cb(const char *buffer, size_t size, void *arg)
{
	docbuf_add(arg, buffer, size);
	return 0;
}

static void
status_begin(struct docbuf *doc, void *arg, time_t now)
{
	struct statusdoc	*sd = arg;

	status_stream_free(sd->st);
	sd->st = status_stream_new(now, sd->summary, NULL, NULL);
}

static bool
status_step(struct docbuf *doc, void *arg, time_t now)
{
	struct statusdoc	*sd = arg;

	/* status_write_cb() cannot fail, and neither can this. */
	if (status_stream_next(sd->st, monitor_model(sd->d->monitor),
	    status_write_cb, doc) == 1)
		return false;
	docbuf_add(doc, "\n", 1);
	return true;
}

static unsigned
status_generation(void *arg)
{
	return monitor_generation(((struct statusdoc *)arg)->d->monitor);
}

/* The stream goes on with the new model's domains it has not written,
 * as "nmigd-ctl status" does. */
static void
status_reloading(void *arg)
{
	struct statusdoc	*sd = arg;

	status_stream_reloading(sd->st, monitor_model(sd->d->monitor));
}

static const struct docserve_ops status_ops = {
	.name = "status.json",
	.content_type = JSON_CONTENT_TYPE,
	.pool = DOCBUF_STATUS,
	.begin = status_begin,
	.step = status_step,
	.generation = status_generation,
	.reloading = status_reloading,
};

static const struct docserve_ops summary_ops = {
	.name = "status.json?summary",
	.content_type = JSON_CONTENT_TYPE,
	.pool = DOCBUF_SUMMARY,
	.begin = status_begin,
	.step = status_step,
	.generation = status_generation,
	.reloading = status_reloading,
};

static void
statusdoc_init(struct statusdoc *sd, struct nmigd *d, bool summary)
{
	sd->d = d;
	sd->summary = summary;
	sd->ds = docserve_new(d->base, summary ? &summary_ops : &status_ops,
	    sd);
}

static void
statusdoc_free(struct statusdoc *sd)
{
	docserve_free(sd->ds);
	status_stream_free(sd->st);
}

/* One domain's document, built at once: a domain is small. */
static void
serve_domain_status(struct web *w, struct http_conn *hc, const char *domain)
{
	char	disp[NMIG_NAMEBUF];
	json_t	*doc;

	doc = status_document(monitor_model(w->d->monitor), domain,
	    time(NULL));
	if (doc == NULL)
		reply_json(hc, 404, ctl_reply_error("unknown domain: %s",
		    domain_display(domain, disp)));
	else
		reply_json(hc, 200, doc);
}

void
web_serve_status(struct web *w, struct http_conn *hc)
{
	char	domain[NMIG_NAMEBUF], flag[8];
	int	r;

	if ((r = query_domain(hc, domain)) == -1)
		return;
	if (r == 0) {
		serve_domain_status(w, hc, domain);
		return;
	}
	/* Answered now or when the build is done, but read now: the query
	 * is gone by then. */
	if (httpd_query_get(hc, "summary", flag, sizeof(flag)) == 1) {
	docserve_request(w->status.ds, hc);
	} else {
	docserve_request(w->summary.ds, hc);
	}
}

void
web_status_gone(struct web *w, struct http_conn *hc)
{
	/* It waits in one of the two; leaving the other is a no-op. */
	docserve_gone(w->status.ds, hc);
	docserve_gone(w->summary.ds, hc);
}

/* /history.json?domain=NAME */

void
web_serve_history(struct web *w, struct http_conn *hc)
{
	struct timespec	 now;
	char		 domain[NMIG_NAMEBUF];
	json_t		*reply;
	int		 r;

	if ((r = query_domain(hc, domain)) == -1)
		return;
	if (r == 1) {
		reply_error(hc, 400, "history.json needs ?domain=NAME");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!tokenbucket_take(&w->history_rate, &now)) {
		reply_error(hc, 503, "too many history requests; retry in a "
		    "second");
		return;
	}
	r = status_history_reply(w->d->store, domain, NULL, &reply);
	reply_json(hc, r == 0 ? 200 : r == 1 ? 404 : 500, reply);
}

void
web_reloading(struct web *w)
{
	docserve_reloading(w->status.ds);
	docserve_reloading(w->summary.ds);
}

struct web *
web_new(struct nmigd *d)
{
	struct web	*w = xcalloc(1, sizeof(*w));
	struct timespec	 now;
	size_t		 i;

	/* A file missing from the build is the build's fault: say so at
	 * start, not at a request. */
	for (i = 0; i < sizeof(web_file_names) / sizeof(web_file_names[0]);
	    i++)
		if (file_find(web_file_names[i]) == NULL)
			fatalx("web: %s is not built in", web_file_names[i]);
	w->d = d;
	statusdoc_init(&w->status, d, false);
	statusdoc_init(&w->summary, d, true);
	clock_gettime(CLOCK_MONOTONIC, &now);
	tokenbucket_init(&w->history_rate, HISTORY_PER_SEC, HISTORY_BURST,
	    &now);
	return w;
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	statusdoc_free(&w->status);
	statusdoc_free(&w->summary);
	free(w);
}
