/*
 * The list of every domain as rows: for each domain, the values of the
 * members of its object that the client names ("columns"), in an array,
 * written as JSON text straight from the model.  nmigd-ctl's one-line
 * list of 10,000 domains is then a megabyte read in tens of
 * milliseconds, not six of objects (nmigd-ctl(8), PROTOCOL).
 */
#ifndef NMIG_STATUSROWS_H
#define NMIG_STATUSROWS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "status.h"

/* The columns a request names, by index (status_column_find()); a
 * column may be named more than once.  epoch: times as seconds since
 * 1970-01-01T00:00:00Z, integers, rather than as text; the list of
 * 10,000 domains is then a quarter smaller, and quicker to write and to
 * read. */
#define STATUS_COLUMNS_MAX	32
struct status_columns {
	size_t		n;
	unsigned char	v[STATUS_COLUMNS_MAX];
	bool		epoch;
};

/* The index of the column of that name, or -1: the scalar members of a
 * domain's object (the summary's, up to its resolvers) and its parent's
 * state, "parent.state". */
int	 status_column_find(const char *name);
const char *status_column_name(int);
/* "domain, domain_unicode, ...": every name, for an error message. */
const char *status_column_names(void);

/* ,"columns":[...],"rows":[ -- what comes between the document's
 * pacing and its first row. */
int	 status_rows_head(const struct status_columns *,
	    json_dump_callback_t fn, void *arg);
/* One domain's row, [value, ...], in a single call of fn. */
int	 status_row_write(const struct status_columns *,
	    const struct domain_head *, json_dump_callback_t fn, void *arg);

#endif
