/*
 * What each path of the HTTP listener serves; daemon/httpd.c does the
 * HTTP, daemon/metrics.c and daemon/web.c the documents.
 */
#include <stdlib.h>

#include "http.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "web.h"

struct http {
	struct httpd	*httpd;
	struct metrics	*metrics;
	struct web	*web;
};

static void
serve_page_cb(struct http_conn *hc, void *arg)
{
	web_serve_file(((struct http *)arg)->web, hc, "index.html");
}

static void
serve_script_cb(struct http_conn *hc, void *arg)
{
	web_serve_file(((struct http *)arg)->web, hc, "nmigd.js");
}

static void
serve_style_cb(struct http_conn *hc, void *arg)
{
	web_serve_file(((struct http *)arg)->web, hc, "nmigd.css");
}

static void
serve_status_cb(struct http_conn *hc, void *arg)
{
	web_serve_status(((struct http *)arg)->web, hc);
}

static void
status_gone_cb(struct http_conn *hc, void *arg)
{
	web_status_gone(((struct http *)arg)->web, hc);
}

static void
serve_history_cb(struct http_conn *hc, void *arg)
{
	web_serve_history(((struct http *)arg)->web, hc);
}

static void
serve_metrics_cb(struct http_conn *hc, void *arg)
{
	metrics_serve(((struct http *)arg)->metrics, hc);
}

static void
metrics_gone_cb(struct http_conn *hc, void *arg)
{
	metrics_gone(((struct http *)arg)->metrics, hc);
}

/* Sorted by path, for httpd's binary search. */
static const struct http_route http_routes[] = {
	{ "/",			serve_page_cb,		NULL },
	{ "/history.json",	serve_history_cb,	NULL },
	{ "/metrics",		serve_metrics_cb,	metrics_gone_cb },
	{ "/nmigd.css",		serve_style_cb,		NULL },
	{ "/nmigd.js",		serve_script_cb,	NULL },
	{ "/status.json",	serve_status_cb,	status_gone_cb },
};

struct http *
http_listen(struct nmigd *d, const char *hostport)
{
	struct http	*h = xcalloc(1, sizeof(*h));

	h->metrics = metrics_new(d);
	h->web = web_new(d);
	h->httpd = httpd_listen(d->base, hostport, http_routes,
	    sizeof(http_routes) / sizeof(http_routes[0]), h);
	if (h->httpd == NULL) {
		http_free(h);
		return NULL;
	}
	log_info("metrics on http://%s/metrics, web view on http://%s/",
	    hostport, hostport);
	return h;
}

void
http_reloading(struct http *h)
{
	if (h != NULL)
		web_reloading(h->web);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	/* The connections first: those waiting for a document leave its
	 * list. */
	httpd_free(h->httpd);
	metrics_free(h->metrics);
	web_free(h->web);
	free(h);
}
