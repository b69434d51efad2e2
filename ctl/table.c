/*
 * Tables laid out as util-linux's tools lay them out (libsmartcols, which
 * nmigd-ctl used until the list of 10,000 domains spent half its time
 * there measuring each character's width twice): columns as wide as
 * their widest cell by display width, two spaces apart, the last one not
 * padded; --raw with one space and \xNN for blanks and other bytes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "table.h"

#define COLOUR_RESET	"\033[0m"

/* A line being laid out, written at once. */
struct linebuf {
	char	*p;
	size_t	 len, size;
};

static void
linebuf_add(struct linebuf *b, const char *s, size_t len)
{
	if (b->size - b->len < len) {
		while (b->size - b->len < len)
			b->size = b->size > 0 ? b->size * 2 : 256;
		b->p = xreallocarray(b->p, b->size, 1);
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
}

static void
linebuf_pad(struct linebuf *b, size_t n)
{
	static const char	spaces[] = "                                ";
	size_t			k;

	for (; n > 0; n -= k) {
		k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		linebuf_add(b, spaces, k);
	}
}

static void
linebuf_hex(struct linebuf *b, char c)
{
	char	hex[5];

	snprintf(hex, sizeof(hex), "\\x%02x", (unsigned char)c);
	linebuf_add(b, hex, 4);
}

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
	size_t		 caprows;	/* room in cells */
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
	if (t->nrows == t->caprows) {
		t->caprows = t->caprows > 0 ? t->caprows * 2 : 16;
		t->cells = xreallocarray(t->cells, t->caprows * t->ncols,
		    sizeof(*t->cells));
	}
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

/* Text as util-linux's tools print it (libsmartcols's "safe" encoding):
 * a character the terminal cannot show, a control character or the
 * backslash of "\x" becomes \xNN, each byte of it.  Appends to out and
 * returns the columns it takes.  Printable ASCII, nearly every cell, is
 * taken as it is without asking the locale. */
static size_t
safe_encode(const char *s, struct linebuf *out)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		len, i;
	long		width = 0;

	memset(&st, 0, sizeof(st));
	while (*s != '\0') {
		if ((*s == '\\' && s[1] == 'x') || iscntrl((unsigned char)*s)) {
			linebuf_hex(out, *s++);
			width += 4;
			continue;
		}
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f &&
		    mbsinit(&st)) {
			linebuf_add(out, s++, 1);
			width++;
			continue;
		}
		len = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (len == 0)
			break;
		if (len == (size_t)-1 || len == (size_t)-2) {
			/* Not a character here: the byte, if printable. */
			if (isprint((unsigned char)*s)) {
				linebuf_add(out, s, 1);
				width++;
			} else {
				linebuf_hex(out, *s);
				width += 4;
			}
			s++;
		} else if (!iswprint(wc)) {
			for (i = 0; i < len; i++)
				linebuf_hex(out, s[i]);
			width += 4 * (long)len;
			s += len;
		} else {
			linebuf_add(out, s, len);
			width += wcwidth(wc);
			s += len;
		}
	}
	return width > 0 ? (size_t)width : 0;
}

/* --raw: one space between cells, so blanks, backslashes and every byte
 * that is not printable ASCII are \xNN. */
static void
raw_encode(const char *s, struct linebuf *out)
{
	for (; *s != '\0'; s++) {
		if (isblank((unsigned char)*s) || *s == '\\' ||
		    !isprint((unsigned char)*s) || iscntrl((unsigned char)*s))
			linebuf_hex(out, *s);
		else
			linebuf_add(out, s, 1);
	}
}

/* Each cell's text as printed and its width, the header's first: the
 * header counts towards a column's width even when it is not printed,
 * and a column is at least one wide. */
struct encoded {
	struct linebuf	 text;
	size_t		*off;		/* (nrows + 1) * n + 1 offsets */
	size_t		*width;		/* (nrows + 1) * n */
	size_t		*colwidth;	/* n */
};

static void
encode_cells(const struct table *t, const size_t *sel, size_t n,
    struct encoded *e)
{
	const char	*text;
	size_t		 r, i, k;

	e->off = xcalloc((t->nrows + 1) * n + 1, sizeof(*e->off));
	e->width = xcalloc((t->nrows + 1) * n, sizeof(*e->width));
	e->colwidth = xcalloc(n, sizeof(*e->colwidth));
	for (r = 0; r <= t->nrows; r++)
		for (i = 0; i < n; i++) {
			k = r * n + i;
			text = r == 0 ? t->head[sel[i]] :
			    t->cells[(r - 1) * t->ncols + sel[i]].text;
			e->off[k] = e->text.len;
			e->width[k] = safe_encode(text != NULL ? text : "",
			    &e->text);
			if (e->width[k] > e->colwidth[i])
				e->colwidth[i] = e->width[k];
		}
	e->off[(t->nrows + 1) * n] = e->text.len;
	for (i = 0; i < n; i++)
		if (e->colwidth[i] == 0)
			e->colwidth[i] = 1;
}

static void
encoded_free(struct encoded *e)
{
	free(e->text.p);
	free(e->off);
	free(e->width);
	free(e->colwidth);
}

/* One cell of a human table: padded to its column (a right-aligned one
 * on the left), except at the end of the line, the padding inside the
 * colour; then the separator.  A cell that takes no column is empty. */
static void
human_cell(struct linebuf *line, const struct encoded *e, size_t k,
    size_t width, bool right, bool last, const char *colour)
{
	size_t	len = e->width[k];

	if (colour != NULL)
		linebuf_add(line, colour, strlen(colour));
	if (len > 0) {
		if (right)
			linebuf_pad(line, width - len);
		linebuf_add(line, e->text.p + e->off[k], e->off[k + 1] -
		    e->off[k]);
		if (right)
			len = width;
	}
	if (!last)
		linebuf_pad(line, width - len);
	if (colour != NULL)
		linebuf_add(line, COLOUR_RESET, sizeof(COLOUR_RESET) - 1);
	if (!last)
		linebuf_add(line, "  ", 2);
}

static void
print_human(FILE *f, const struct table *t, const struct table_opts *o,
    const size_t *sel, size_t n)
{
	struct encoded	 e;
	struct linebuf	 line = { NULL, 0, 0 };
	const char	*colour;
	size_t		 r, i;

	memset(&e, 0, sizeof(e));
	encode_cells(t, sel, n, &e);
	for (r = o->noheadings ? 1 : 0; r <= t->nrows; r++) {
		line.len = 0;
		for (i = 0; i < n; i++) {
			colour = r > 0 && o->colour ? t->cells[(r - 1) *
			    t->ncols + sel[i]].colour : NULL;
			human_cell(&line, &e, r * n + i, e.colwidth[i],
			    t->align[sel[i]] == 'r', i + 1 == n, colour);
		}
		linebuf_add(&line, "\n", 1);
		fwrite(line.p, 1, line.len, f);
	}
	free(line.p);
	encoded_free(&e);
}

static void
print_raw(FILE *f, const struct table *t, const struct table_opts *o,
    const size_t *sel, size_t n)
{
	struct linebuf	 line = { NULL, 0, 0 };
	const char	*text;
	size_t		 r, i;

	for (r = o->noheadings ? 1 : 0; r <= t->nrows; r++) {
		line.len = 0;
		for (i = 0; i < n; i++) {
			text = r == 0 ? t->head[sel[i]] :
			    t->cells[(r - 1) * t->ncols + sel[i]].text;
			raw_encode(text != NULL ? text : "", &line);
			linebuf_add(&line, i + 1 < n ? " " : "\n", 1);
		}
		fwrite(line.p, 1, line.len, f);
	}
	free(line.p);
}

void
table_print(FILE *f, const struct table *t, const struct table_opts *o)
{
	size_t	*sel;
	ssize_t	 n;

	sel = xcalloc(t->ncols + 1, sizeof(*sel));
	if ((n = select_columns(t, o->columns, sel)) == -1)
		exit(2);	/* a usage error, said */
	/* A table without rows prints nothing, not even its header. */
	if (t->nrows > 0 && o->raw)
		print_raw(f, t, o, sel, (size_t)n);
	else if (t->nrows > 0)
		print_human(f, t, o, sel, (size_t)n);
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
