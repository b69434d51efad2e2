/*
 * nmigd-ctl's tables: cells collected row by row, then printed through
 * libsmartcols, which aligns columns by display width (Japanese locations
 * take two columns a character) and gives --raw, --noheadings and
 * --output column selection the way util-linux's tools do.
 */
#ifndef NMIG_CTL_TABLE_H
#define NMIG_CTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* How tables print: nmigd-ctl's options. */
struct table_opts {
	bool		 colour;	/* on a terminal, without NO_COLOR */
	bool		 raw;		/* one space between cells, none
					 * padded */
	bool		 noheadings;
	const char	*columns;	/* "RESOLVER,STATE": these, in this
					 * order; NULL: every column */
};

struct table;

/* head: the column names; align: 'l' or 'r' for each. */
struct table	*table_new(const char *const *head, const char *align,
		    size_t ncols);
void		 table_row(struct table *);
/* A cell of the last row.  Control characters (C0, DEL, C1) become '?':
 * the text may come from DNS answers or the resolver list and must not
 * drive the terminal.  colour: an escape sequence, or NULL. */
void		 table_set(struct table *, size_t col, const char *colour,
		    const char *fmt, ...) NMIG_PRINTF(4, 5);
/* table_set(t, col, colour, "%s", text), without the formatting. */
void		 table_put(struct table *, size_t col, const char *colour,
		    const char *text);
/* Exit 2 now, having said why, if --output does not fit the table. */
void		 table_check_columns(const struct table *,
		    const struct table_opts *);
/* --output naming a column the table lacks is a usage error: said on
 * stderr, with the columns there are, and nmigd-ctl exits 2.  Once: the
 * cells' text goes to the printer, and the table is left to free. */
void		 table_print(FILE *, struct table *,
		    const struct table_opts *);
void		 table_free(struct table *);

#endif
