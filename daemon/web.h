/*
 * The web view (nmigd.conf(5), WEB VIEW): a page, its script and its
 * style, built into nmigd, and the documents the page reads: /status.json
 * (the status document of "nmigd-ctl --json status"; one domain's with
 * ?domain=NAME, every domain's summary with ?summary) and
 * /history.json?domain=NAME (that of "nmigd-ctl --json history NAME").
 * Read-only; served by daemon/http.c.
 */
#ifndef NMIGD_WEB_H
#define NMIGD_WEB_H

#include "httpd.h"
#include "nmigd.h"

struct web	*web_new(struct nmigd *);
/* After the HTTP listener, whose connections may wait for a document. */
void		 web_free(struct web *);

/* name: a file of daemon/web/ ("index.html"). */
void		 web_serve_file(struct web *, struct http_conn *,
		    const char *name);
void		 web_serve_status(struct web *, struct http_conn *);
void		 web_status_gone(struct web *, struct http_conn *);
void		 web_serve_history(struct web *, struct http_conn *);
/* The monitor's model is about to be replaced by a reload: status.json
 * builds go on with the new one. */
void		 web_reloading(struct web *);

#endif
