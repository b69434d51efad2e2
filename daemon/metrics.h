/*
 * The Prometheus text exposition of /metrics (nmigd.conf(5) lists its
 * series), served by daemon/http.c.
 */
#ifndef NMIGD_METRICS_H
#define NMIGD_METRICS_H

#include "httpd.h"
#include "nmigd.h"

struct metrics	*metrics_new(struct nmigd *);
/* After the HTTP listener, whose connections may wait for a document. */
void		 metrics_free(struct metrics *);
void		 metrics_serve(struct metrics *, struct http_conn *);
void		 metrics_gone(struct metrics *, struct http_conn *);

#endif
