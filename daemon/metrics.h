/*
 * The Prometheus text exposition of /metrics, served by daemon/httpd.c;
 * off unless "metrics = ADDRESS:PORT" is set.
 */
#ifndef NMIGD_METRICS_H
#define NMIGD_METRICS_H

#include "nmigd.h"

/* NULL after logging when the address cannot be bound. */
struct metrics	*metrics_listen(struct nmigd *, const char *hostport);
void		 metrics_free(struct metrics *);

#endif
