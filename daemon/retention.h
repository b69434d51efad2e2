/*
 * Retention ("history-days"): answer changes and events older than that
 * are deleted from the database, a little at a time, so that it stops
 * growing with a migration's history and no pass holds the loop.
 */
#ifndef NMIGD_RETENTION_H
#define NMIGD_RETENTION_H

#include "nmigd.h"

struct retention;

struct retention	*retention_start(struct nmigd *);
void			 retention_free(struct retention *);

#endif
