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
	size_t		 maxrows;	/* room in cells */
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
	if (t->nrows == t->maxrows) {
		t->maxrows = t->maxrows > 0 ? t->maxrows * 2 : 16;
		t->cells = xreallocarray(t->cells, t->maxrows * t->ncols,
		    sizeof(*t->cells));
	}
	memset(&t->cells[t->nrows * t->ncols], 0,
	    t->ncols * sizeof(*t->cells));
	t->nrows++;
}

/* A cell of the last row takes text, allocated, as its own. */
static void
cell_take(struct table *t, size_t col, const char *colour, char *text)
{
	struct cell	*c = &t->cells[(t->nrows - 1) * t->ncols + col];
	char		*p;

	free(c->text);
	c->text = text;
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

void
table_put(struct table *t, size_t col, const char *colour, const char *text)
{
	cell_take(t, col, colour, xstrdup(text));
}

void
table_set(struct table *t, size_t col, const char *colour, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*text;
	int	 r;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r == -1) {
		perror("nmigd-ctl");
		exit(1);
	}
	cell_take(t, col, colour, text);
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

/*
 * The width of a cell as libsmartcols counts it (mbs_safe_width(): a
 * character's wcwidth(), four columns for a control character or the
 * backslash of "\x", which it prints as \xNN), counted here for ASCII
 * text, a byte a column, and by libsmartcols for the rest.  libsmartcols
 * 2.38 counts every cell twice, to size the columns and to print, each
 * time a character at a time through mbrtowc() and wcwidth(): at 10,000
 * domains the count to size the columns was a fifth of nmigd-ctl status.
 * The count of a column with a wrap function is the function's; since
 * 2.40 the library counts a cell once and calls none.
 */
static size_t
cell_width_cb(const struct libscols_column *cl, const char *data, void *arg)
{
	const unsigned char	*p;
	size_t			 w = 0;

	for (p = (const unsigned char *)data; *p != '\0'; p++) {
		if (*p >= 0x80)
			return scols_wrapnl_chunksize(cl, data, arg);
		w += *p < 0x20 || *p == 0x7f || (*p == '\\' && p[1] == 'x') ?
		    4 : 1;
	}
	return w;
}

/* No cell is wrapped: there is no next chunk. */
static char *
cell_nowrap_cb(const struct libscols_column *cl, char *data, void *arg)
{
	(void)cl;
	(void)data;
	(void)arg;
	return NULL;
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

/* A column, its cells' width counted by cell_width_cb(). */
static void
scols_column(struct libscols_table *tb, const char *name, char align)
{
	struct libscols_column	*cl;

	/* SCOLS_FL_WRAP is what makes libsmartcols call the functions;
	 * cell_nowrap_cb() wraps nothing. */
	if ((cl = scols_table_new_column(tb, name, 0, SCOLS_FL_WRAP |
	    (align == 'r' ? SCOLS_FL_RIGHT : 0))) == NULL ||
	    scols_column_set_wrapfunc(cl, cell_width_cb, cell_nowrap_cb,
	    NULL) != 0) {
		perror("nmigd-ctl");
		exit(1);
	}
}

void
table_print(FILE *f, struct table *t, const struct table_opts *o)
{
	struct libscols_table	*tb;
	struct libscols_line	*ln;
	struct cell		*cell;
	size_t			*sel, r, i;
	ssize_t			 n;
	int			 rv;

	sel = xcalloc(t->ncols + 1, sizeof(*sel));
	if ((n = select_columns(t, o->columns, sel)) == -1)
		exit(2);	/* a usage error, said */
	tb = scols_new(f, o);
	for (i = 0; i < (size_t)n; i++)
		scols_column(tb, t->head[sel[i]], t->align[sel[i]]);
	for (r = 0; r < t->nrows; r++) {
		if ((ln = scols_table_new_line(tb, NULL)) == NULL) {
			perror("nmigd-ctl");
			exit(1);
		}
		for (i = 0; i < (size_t)n; i++) {
			cell = &t->cells[r * t->ncols + sel[i]];
			/* The text is the line's now, not copied: a column
			 * is selected once. */
			rv = cell->text != NULL ? scols_line_refer_data(ln, i,
			    cell->text) : scols_line_set_data(ln, i, "");
			if (rv != 0) {
				perror("nmigd-ctl");
				exit(1);
			}
			cell->text = NULL;
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
