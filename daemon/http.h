/*
 * The HTTP listener of "metrics = ADDRESS:PORT": /metrics for Prometheus
 * and the web view (/, its script and style, /status.json,
 * /history.json), on one port, read-only.
 */
#ifndef NMIGD_HTTP_H
#define NMIGD_HTTP_H

#include "nmigd.h"

/* NULL after logging when the address cannot be bound. */
struct http	*http_listen(struct nmigd *, const char *hostport);
void		 http_free(struct http *);
/* The monitor's model is about to be replaced by a reload. */
void		 http_reloading(struct http *);

#endif
