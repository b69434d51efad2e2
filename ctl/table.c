/*
 * Tables through libsmartcols.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "table.h"

struct cell {
	char		*text;
	const char	*colour;
};

struct table {
	const char	*const *head;
	const char	*align;
	size_t		 ncols;
	struct cell	*cells;		/* nrows * ncols */
	size_t		 nrows;
};

struct table *
table_new(const char *const *head, const char *align, size_t ncols)
{
	struct table	*t = xcalloc(1, sizeof(*t));

	t->head = head;
	t->align = align;
	t->ncols = ncols;
	return t;
}

void
table_row(struct table *t)
{
	t->cells = xreallocarray(t->cells, (t->nrows + 1) * t->ncols,
	    sizeof(*t->cells));
	memset(&t->cells[t->nrows * t->ncols], 0,
	    t->ncols * sizeof(*t->cells));
	t->nrows++;
}

void
table_set(struct table *t, size_t col, const char *colour, const char *fmt,
    ...)
{
	struct cell	*c = &t->cells[(t->nrows - 1) * t->ncols + col];
	va_list		 ap;
	char		*p;
	int		 r;

	free(c->text);
	va_start(ap, fmt);
	r = vasprintf(&c->text, fmt, ap);
	va_end(ap);
	if (r == -1) {
		perror("nmigd-ctl");
		exit(1);
	}
	/* C0, DEL, and C1 in UTF-8 (0xc2 0x80..0x9f), which some
	 * terminals obey as well. */
	for (p = c->text; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if ((unsigned char)p[0] == 0xc2 &&
		    (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f) {
			p[0] = '?';
			p[1] = '?';
		}
	}
	c->colour = colour;
}

static void
columns_error(const struct table *t, const char *what, const char *name)
{
	size_t	c;

	fprintf(stderr, "nmigd-ctl: --output: %s%s (the columns are:", what,
	    name);
	for (c = 0; c < t->ncols; c++)
		fprintf(stderr, "%s%s", c > 0 ? "," : " ", t->head[c]);
	fprintf(stderr, ")\n");
}

/* The columns to print, by index: all of them, or those --output names,
 * in its order, each once.  Returns how many, or -1 after saying why. */
static ssize_t
select_columns(const struct table *t, const char *columns, size_t *sel)
{
	char	*copy, *name, *last;
	size_t	 n = 0, c, i;

	if (columns == NULL) {
		for (c = 0; c < t->ncols; c++)
			sel[n++] = c;
		return (ssize_t)n;
	}
	copy = xstrdup(columns);
	for (name = strtok_r(copy, ",", &last); name != NULL;
	    name = strtok_r(NULL, ",", &last)) {
		for (c = 0; c < t->ncols && strcasecmp(name, t->head[c]) != 0;
		    c++)
			;
		for (i = 0; i < n && c < t->ncols && sel[i] != c; i++)
			;
		if (c == t->ncols || i < n) {
			columns_error(t, c == t->ncols ? "no column " :
			    "twice: ", name);
			free(copy);
			return -1;
		}
		sel[n++] = c;
	}
	free(copy);
	if (n == 0)
		columns_error(t, "no column named", "");
	return n == 0 ? -1 : (ssize_t)n;
}

void
table_check_columns(const struct table *t, const struct table_opts *o)
{
	size_t	*sel = xcalloc(t->ncols + 1, sizeof(*sel));

	if (select_columns(t, o->columns, sel) == -1)
		exit(2);	/* a usage error, said */
	free(sel);
}

static struct libscols_table *
scols_new(FILE *f, const struct table_opts *o)
{
	struct libscols_table	*tb;

	if ((tb = scols_new_table()) == NULL) {
		perror("nmigd-ctl");
		exit(1);
	}
	scols_table_set_stream(tb, f);
	scols_table_enable_colors(tb, o->colour);
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	/* Whole cells whatever the terminal's width: an answer cut short
	 * would read as another answer. */
	scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	if (!o->raw)
		scols_table_set_column_separator(tb, "  ");
	return tb;
}

void
table_print(FILE *f, const struct table *t, const struct table_opts *o)
{
	struct libscols_table	*tb;
	struct libscols_line	*ln;
	const struct cell	*cell;
	size_t			*sel, r, i;
	ssize_t			 n;

	sel = xcalloc(t->ncols + 1, sizeof(*sel));
	if ((n = select_columns(t, o->columns, sel)) == -1)
		exit(2);	/* a usage error, said */
	tb = scols_new(f, o);
	for (i = 0; i < (size_t)n; i++)
		if (scols_table_new_column(tb, t->head[sel[i]], 0,
		    t->align[sel[i]] == 'r' ? SCOLS_FL_RIGHT : 0) == NULL) {
			perror("nmigd-ctl");
			exit(1);
		}
	for (r = 0; r < t->nrows; r++) {
		if ((ln = scols_table_new_line(tb, NULL)) == NULL) {
			perror("nmigd-ctl");
			exit(1);
		}
		for (i = 0; i < (size_t)n; i++) {
			cell = &t->cells[r * t->ncols + sel[i]];
			scols_line_set_data(ln, i, cell->text != NULL ?
			    cell->text : "");
			if (o->colour && cell->colour != NULL)
				scols_cell_set_color(scols_line_get_cell(ln,
				    i), cell->colour);
		}
	}
	scols_print_table(tb);
	scols_unref_table(tb);
	free(sel);
}

void
table_free(struct table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}
