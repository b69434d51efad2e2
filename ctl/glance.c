/*
 * The status document at a glance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glance.h"
#include "pacing.h"
#include "status.h"
#include "table.h"
#include "util.h"

/* "in 3h12m", "12m ago": a time relative to the document's.  t: the
 * time when is the text of, or -1 to read it from the text. */
static void
relative(char *buf, size_t len, const char *when, time_t t, time_t now)
{
	long long	d;
	char		age[AGEBUF];

	if (t == (time_t)-1)
		t = parse_time(when);
	if (t == (time_t)-1 || now == (time_t)-1) {
		snprintf(buf, len, "%s", when);
		return;
	}
	d = (long long)(t - now);
	fmt_age(d < 0 ? -d : d, age);
	snprintf(buf, len, "%s (%s%s%s)", when, d < 0 ? "" : "in ", age,
	    d < 0 ? " ago" : "");
}

/* What a line of the list shows, by the names of the members it comes
 * from; the daemon is asked for these columns (glance_list_columns()). */
enum {
	G_NAME, G_STATE, G_NEW, G_TOTAL, G_PARENT, G_COMPLETE, G_EXPECTED,
	G_SINCE, G_NFIELDS
};
static const char *const glance_fields[G_NFIELDS] = {
	"domain_unicode", "state", "resolvers_new", "resolvers_total",
	"parent.state", "complete_at", "expected_complete_at", "since",
};

json_t *
glance_list_columns(void)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < G_NFIELDS; i++)
		json_array_append_new(a, json_string(glance_fields[i]));
	return a;
}

/* A domain of the reply: its object, or its row and where each field is
 * in it (-1: not there). */
struct glance_src {
	const json_t	*obj;
	const json_t	*row;
	const int	*idx;
};

static const json_t *
field(const struct glance_src *s, int k)
{
	const json_t	*v;

	if (s->row != NULL)
		return s->idx[k] == -1 ? NULL : json_array_get(s->row,
		    (size_t)s->idx[k]);
	if (k == G_PARENT)
		return json_object_get(json_object_get(s->obj, "parent"),
		    "state");
	v = json_object_get(s->obj, glance_fields[k]);
	if (k == G_NAME && !json_is_string(v))
		v = json_object_get(s->obj, "domain");
	return v;
}

static const char *
field_str(const struct glance_src *s, int k, const char *dflt)
{
	const char	*v = json_string_value(field(s, k));

	return v != NULL ? v : dflt;
}

/* What the lines of the list have in common with the line before, made
 * once: the text of a day of their times, their NEW.  Each made anew,
 * with snprintf() and strftime(), was a tenth of nmigd-ctl status at
 * 10,000 domains. */
struct glance_memo {
	time_t		 now;		/* the document's */
	long long	 day;		/* since the epoch, of date; -1: none */
	char		 date[NMIG_TIMEBUF];
	long long	 nnew, ntotal;	/* of count */
	char		 count[48];	/* "" until made */
};

static void
two_digits(char *p, long long v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* fmt_time(t), the date from the memo. */
static const char *
time_text(struct glance_memo *m, long long t, char *buf)
{
	long long	day, secs;

	/* Up to 9999-12-31, four digits of year: the text of the day and
	 * the time of day. */
	if (t < 0 || t >= 253402300800LL)
		return fmt_time((time_t)t, buf);
	day = t / 86400;
	secs = t % 86400;
	if (day != m->day) {
		m->day = day;
		fmt_time((time_t)(day * 86400), m->date);
	}
	memcpy(buf, m->date, 11);	/* 2026-11-27T */
	two_digits(buf + 11, secs / 3600);
	buf[13] = ':';
	two_digits(buf + 14, secs / 60 % 60);
	buf[16] = ':';
	two_digits(buf + 17, secs % 60);
	memcpy(buf + 19, "Z", 2);
	return buf;
}

/* A time of the line: seconds since the epoch, as nmigd-ctl asks for
 * them ("epoch"), or text, from a daemon before that or from domains'
 * objects.  Its text (in buf when made) and *t, -1 for text; NULL for
 * no time. */
static const char *
field_time(const struct glance_src *s, int k, struct glance_memo *m,
    char *buf, time_t *t)
{
	const json_t	*v = field(s, k);

	*t = (time_t)-1;
	if (!json_is_integer(v))
		return json_string_value(v);
	*t = (time_t)json_integer_value(v);
	return time_text(m, json_integer_value(v), buf);
}

/* "new/total" */
static const char *
count_text(const struct glance_src *s, struct glance_memo *m)
{
	long long	nnew = json_integer_value(field(s, G_NEW));
	long long	ntotal = json_integer_value(field(s, G_TOTAL));

	if (m->count[0] == '\0' || nnew != m->nnew || ntotal != m->ntotal) {
		m->nnew = nnew;
		m->ntotal = ntotal;
		snprintf(m->count, sizeof(m->count), "%lld/%lld", nnew,
		    ntotal);
	}
	return m->count;
}

/* DOMAIN STATE NEW PARENT EXPECTED SINCE */
static void
glance_line(struct table *t, const struct glance_src *s,
    struct glance_memo *m)
{
	const char	*state = field_str(s, G_STATE, "-");
	const char	*parent = field_str(s, G_PARENT, "-");
	const char	*expected, *since;
	char		 when[96], ebuf[NMIG_TIMEBUF], sbuf[NMIG_TIMEBUF];
	time_t		 et, st;

	table_row(t);
	table_put(t, 0, NULL, field_str(s, G_NAME, "-"));
	table_put(t, 1, state_colour(state), state);
	table_put(t, 2, NULL, count_text(s, m));
	table_put(t, 3, state_colour(parent), parent);
	if (field_time(s, G_COMPLETE, m, ebuf, &et) != NULL)
		table_put(t, 4, NULL, "done");
	else if ((expected = field_time(s, G_EXPECTED, m, ebuf,
	    &et)) != NULL) {
		relative(when, sizeof(when), expected, et, m->now);
		table_put(t, 4, NULL, when);
	} else
		table_put(t, 4, NULL, "-");
	since = field_time(s, G_SINCE, m, sbuf, &st);
	table_put(t, 5, NULL, since != NULL ? since : "-");
}

/* Where each field is in the rows, by the reply's "columns": whatever
 * their order, -1 for one not there. */
static void
field_index(const json_t *cols, int *idx)
{
	const char	*name;
	size_t		 i, k;

	for (k = 0; k < G_NFIELDS; k++) {
		idx[k] = -1;
		for (i = 0; i < json_array_size(cols); i++) {
			name = json_string_value(json_array_get(cols, i));
			if (name != NULL && strcmp(name, glance_fields[k]) == 0)
				idx[k] = (int)i;
		}
	}
}

/* The lines of the reply's rows ("columns"), or of its objects from a
 * daemon that answered "summary" instead.  How many. */
static size_t
glance_lines(struct table *t, const json_t *doc, time_t now)
{
	const json_t		*rows = json_object_get(doc, "rows");
	const json_t		*doms = json_object_get(doc, "domains");
	struct glance_src	 s = { NULL, NULL, NULL };
	struct glance_memo	 m = { now, -1, "", 0, 0, "" };
	int			 idx[G_NFIELDS];
	size_t			 i;

	if (!json_is_array(rows)) {
		for (i = 0; i < json_array_size(doms); i++) {
			s.obj = json_array_get(doms, i);
			glance_line(t, &s, &m);
		}
		return json_array_size(doms);
	}
	field_index(json_object_get(doc, "columns"), idx);
	s.idx = idx;
	for (i = 0; i < json_array_size(rows); i++) {
		s.row = json_array_get(rows, i);
		glance_line(t, &s, &m);
	}
	return json_array_size(rows);
}

void
glance_domains(FILE *f, const json_t *doc, const struct view *v)
{
	static const char *const head[] = { "DOMAIN", "STATE", "NEW",
	    "PARENT", "EXPECTED", "SINCE" };
	time_t		 now = parse_time(status_jstr(doc, "generated_at", ""));
	struct table	*t = table_new(head, "llrlll", 6);

	if (glance_lines(t, doc, now) > 0)
		table_print(f, t, &v->table);
	else if (json_object_get(doc, "matched") == NULL)
		fprintf(f, "no domains are watched\n");
	table_free(t);
	/* Not in a table meant for scripts (-n, -r): they have --json. */
	if (!v->table.noheadings && !v->table.raw) {
		status_print_matched(f, doc);
		pacing_print(f, doc);
	}
}

/* A record's cell: its verdict, and the TTL the resolver's cache has
 * left on an answer that is not the new one. */
static void
grid_cell(struct table *t, size_t col, const json_t *rec, time_t now)
{
	const char	*state = status_jstr(rec, "state", "-");
	long		 left = status_ttl_left(rec, now);
	char		 ttl[AGEBUF];

	if (strcmp(state, "new") == 0 || strcmp(state, "pending") == 0 ||
	    left < 0) {
		table_set(t, col, state_colour(state), "%s", state);
		return;
	}
	fmt_age(left, ttl);
	table_set(t, col, state_colour(state), "%s %s", state, ttl);
}

/* The records' column names, "@ NS", "pop A", from the first resolver:
 * every resolver of a domain answers the same checks. */
static const char **
grid_head(const json_t *d, size_t *ncols, char ***names)
{
	const json_t	*recs = json_object_get(json_array_get(
			    json_object_get(d, "resolvers"), 0), "records");
	const char	*domain = status_jstr(d, "domain", "");
	const char	**head;
	char		 own[NMIG_NAMEBUF];
	size_t		 i, n = json_array_size(recs);

	head = xcalloc(n + 3, sizeof(*head));
	*names = xcalloc(n + 1, sizeof(**names));
	head[0] = "RESOLVER";
	head[1] = "LOCATION";
	head[2] = "STATE";
	for (i = 0; i < n; i++) {
		status_owner_relative(status_jstr(json_array_get(recs, i),
		    "owner", "?"), domain, own, sizeof(own));
		if (asprintf(&(*names)[i], "%s %s", own,
		    status_jstr(json_array_get(recs, i), "type", "?")) == -1) {
			perror("nmigd-ctl");
			exit(1);
		}
		head[i + 3] = (*names)[i];
	}
	*ncols = n + 3;
	return head;
}

static void
grid_domain(FILE *f, const json_t *d, time_t now, const struct view *v)
{
	const json_t	*rs = json_object_get(d, "resolvers"), *r, *recs;
	const char	**head, *state;
	char		**names, *align;
	size_t		 ncols, i, k;
	struct table	*t;

	head = grid_head(d, &ncols, &names);
	/* A column a record, however many the domain watches. */
	align = xcalloc(ncols + 1, 1);
	memset(align, 'l', ncols);
	t = table_new(head, align, ncols);
	for (i = 0; i < json_array_size(rs); i++) {
		r = json_array_get(rs, i);
		recs = json_object_get(r, "records");
		state = status_jstr(r, "state", "-");
		table_row(t);
		table_set(t, 0, NULL, "%s", status_jstr(r, "name", "-"));
		table_set(t, 1, NULL, "%s", status_jstr(r, "location", ""));
		table_set(t, 2, state_colour(state), "%s%s", state,
		    json_is_true(json_object_get(r, "flapping")) ?
		    " (flapping)" : "");
		for (k = 0; k + 3 < ncols && k < json_array_size(recs); k++)
			grid_cell(t, k + 3, json_array_get(recs, k), now);
	}
	/* A bad --output is said before anything is printed. */
	table_check_columns(t, &v->table);
	status_print_head(f, d, now, v->table.colour);
	table_print(f, t, &v->table);
	status_print_forecast(f, rs);
	table_free(t);
	free(align);
	for (k = 0; names[k] != NULL; k++)
		free(names[k]);
	free(names);
	free(head);
}

void
glance_grid(FILE *f, const json_t *doc, const struct view *v)
{
	const json_t	*doms = json_object_get(doc, "domains");
	time_t		 now = parse_time(status_jstr(doc, "generated_at", ""));
	size_t		 i;

	for (i = 0; i < json_array_size(doms); i++) {
		if (i > 0)
			fprintf(f, "\n");
		grid_domain(f, json_array_get(doms, i), now, v);
	}
}
