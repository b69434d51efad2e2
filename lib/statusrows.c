/*
 * The list as rows, written without building JSON objects: the values
 * come from a struct domain_head, which the document's objects are built
 * from as well, and are escaped as jansson escapes them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statusrows.h"
#include "util.h"

enum column_kind {
	COL_TEXT,	/* a char array */
	COL_NAME,	/* a const char * */
	COL_TIME,	/* a time_t, 0: null */
	COL_COUNT,	/* a size_t */
	COL_REQUIRE,	/* a struct require */
};

/* Sorted by name, for bsearch(). */
static const struct column {
	const char		*name;
	enum column_kind	 kind;
	size_t			 offset;	/* in struct domain_head */
} columns[] = {
	{ "cancel_announced_at", COL_TIME,
	    offsetof(struct domain_head, cancel_announced_at) },
	{ "cancel_old_hosting_at", COL_TIME,
	    offsetof(struct domain_head, cancel_old_hosting_at) },
	{ "complete_at", COL_TIME, offsetof(struct domain_head, complete_at) },
	{ "domain", COL_TEXT, offsetof(struct domain_head, domain) },
	{ "domain_unicode", COL_TEXT,
	    offsetof(struct domain_head, domain_unicode) },
	{ "expected_complete_at", COL_TIME,
	    offsetof(struct domain_head, expected_complete_at) },
	{ "parent.state", COL_NAME, offsetof(struct domain_head, parent_state) },
	{ "require", COL_REQUIRE, offsetof(struct domain_head, require) },
	{ "resolvers_answering_new", COL_COUNT,
	    offsetof(struct domain_head, tally.now_new) },
	{ "resolvers_new", COL_COUNT,
	    offsetof(struct domain_head, tally.switched) },
	{ "resolvers_required", COL_COUNT,
	    offsetof(struct domain_head, tally.required) },
	{ "resolvers_total", COL_COUNT,
	    offsetof(struct domain_head, tally.total) },
	{ "resolvers_unreachable", COL_COUNT,
	    offsetof(struct domain_head, tally.unreachable) },
	{ "since", COL_TIME, offsetof(struct domain_head, since) },
	{ "state", COL_NAME, offsetof(struct domain_head, state) },
	{ "watched_since", COL_TIME, offsetof(struct domain_head, watched_since) },
};
#define NCOLUMNS	(sizeof(columns) / sizeof(columns[0]))

static int
column_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct column *)elem)->name);
}

int
status_column_find(const char *name)
{
	const struct column	*c;

	c = bsearch(name, columns, NCOLUMNS, sizeof(columns[0]), column_cmp);
	return c != NULL ? (int)(c - columns) : -1;
}

const char *
status_column_name(int i)
{
	return i >= 0 && (size_t)i < NCOLUMNS ? columns[i].name : NULL;
}

const char *
status_column_names(void)
{
	static char	buf[512];
	size_t		i, len = 0;

	for (i = 0; i < NCOLUMNS && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i > 0 ? ", " : "", columns[i].name);
	return buf;
}

/* A row's text: in the caller's array, which holds any usual row, or
 * grown on the heap past it. */
struct rowbuf {
	char	*p;
	size_t	 len, size;
	bool	 heap;
};
#define ROWBUF_INIT(a)	{ (a), 0, sizeof(a), false }

static void
row_add(struct rowbuf *b, const char *s, size_t len)
{
	char	*p;

	if (b->size - b->len < len) {
		while (b->size - b->len < len)
			b->size *= 2;
		p = xreallocarray(b->heap ? b->p : NULL, b->size, 1);
		if (!b->heap)
			memcpy(p, b->p, b->len);
		b->p = p;
		b->heap = true;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
}

static void
row_free(struct rowbuf *b)
{
	if (b->heap)
		free(b->p);
}

/* A number in decimal, as jansson writes an integer: snprintf() was a
 * third of the cost of a row. */
static void
row_uint(struct rowbuf *b, unsigned long long v)
{
	char	d[24], *p = d + sizeof(d);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	row_add(b, p, (size_t)(d + sizeof(d) - p));
}

static void
row_int(struct rowbuf *b, long long v)
{
	if (v < 0)
		row_add(b, "-", 1);
	row_uint(b, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v);
}

/* A JSON string, escaped as json_dumps() escapes; text that is not UTF-8
 * (jansson would refuse it) is null. */
static void
row_string(struct rowbuf *b, const char *s)
{
	static const char	*const esc[0x20] = {
		['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n",
		['\r'] = "\\r", ['\t'] = "\\t",
	};
	char			 u[8];
	const char		*run;

	if (!utf8_valid(s, strlen(s))) {
		row_add(b, "null", 4);
		return;
	}
	row_add(b, "\"", 1);
	for (run = s; *s != '\0'; s++) {
		if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
			continue;
		row_add(b, run, (size_t)(s - run));
		run = s + 1;
		if (*s == '"' || *s == '\\') {
			row_add(b, "\\", 1);
			row_add(b, s, 1);
		} else if (esc[(unsigned char)*s] != NULL)
			row_add(b, esc[(unsigned char)*s], 2);
		else {
			snprintf(u, sizeof(u), "\\u%04X", (unsigned char)*s);
			row_add(b, u, 6);
		}
	}
	row_add(b, run, (size_t)(s - run));
	row_add(b, "\"", 1);
}

static void
row_value(struct rowbuf *b, const struct column *c,
    const struct domain_head *h, bool epoch)
{
	const char	*p = (const char *)h + c->offset;
	char		 buf[NMIG_TIMEBUF];
	time_t		 t;

	switch (c->kind) {
	case COL_TEXT:
		row_string(b, p);
		break;
	case COL_NAME:
		row_string(b, *(const char *const *)(const void *)p);
		break;
	case COL_TIME:
		memcpy(&t, p, sizeof(t));
		if (t == 0)
			row_add(b, "null", 4);
		else if (epoch)
			row_int(b, (long long)t);
		else
			row_string(b, fmt_time(t, buf));
		break;
	case COL_COUNT:
		row_uint(b, *(const size_t *)(const void *)p);
		break;
	case COL_REQUIRE:
		row_string(b, status_require_text(
		    (const struct require *)(const void *)p, buf));
		break;
	}
}

int
status_rows_head(const struct status_columns *cols, json_dump_callback_t fn,
    void *arg)
{
	char		a[1024];
	struct rowbuf	b = ROWBUF_INIT(a);
	size_t		i;
	int		rv;

	row_add(&b, ",\"columns\":[", 12);
	for (i = 0; i < cols->n; i++) {
		if (i > 0)
			row_add(&b, ",", 1);
		row_string(&b, columns[cols->v[i]].name);
	}
	row_add(&b, "],\"rows\":[", 10);
	rv = fn(b.p, b.len, arg);
	row_free(&b);
	return rv;
}

int
status_row_write(const struct status_columns *cols,
    const struct domain_head *h, json_dump_callback_t fn, void *arg)
{
	char		a[1024];
	struct rowbuf	b = ROWBUF_INIT(a);
	size_t		i;
	int		rv;

	row_add(&b, "[", 1);
	for (i = 0; i < cols->n; i++) {
		if (i > 0)
			row_add(&b, ",", 1);
		row_value(&b, &columns[cols->v[i]], h, cols->epoch);
	}
	row_add(&b, "]", 1);
	rv = fn(b.p, b.len, arg);
	row_free(&b);
	return rv;
}
