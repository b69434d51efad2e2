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

static long long
jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* "in 3h12m", "12m ago": a time relative to the document's. */
static void
relative(char *buf, size_t len, const char *when, time_t now)
{
	time_t		t = parse_time(when);
	long long	d;
	char		age[AGEBUF];

	if (t == (time_t)-1 || now == (time_t)-1) {
		snprintf(buf, len, "%s", when);
		return;
	}
	d = (long long)(t - now);
	fmt_age(d < 0 ? -d : d, age);
	snprintf(buf, len, "%s (%s%s%s)", when, d < 0 ? "" : "in ", age,
	    d < 0 ? " ago" : "");
}

void
glance_domains(FILE *f, const json_t *doc, const struct view *v)
{
	static const char *const head[] = { "DOMAIN", "STATE", "NEW",
	    "PARENT", "EXPECTED", "SINCE" };
	const json_t	*doms = json_object_get(doc, "domains"), *d;
	const char	*state, *parent, *expected;
	time_t		 now = parse_time(status_jstr(doc, "generated_at", ""));
	struct table	*t = table_new(head, "llrlll", 6);
	char		 when[96];
	size_t		 i;

	for (i = 0; i < json_array_size(doms); i++) {
		d = json_array_get(doms, i);
		state = status_jstr(d, "state", "-");
		parent = status_jstr(json_object_get(d, "parent"), "state",
		    "-");
		expected = status_jstr(d, "expected_complete_at", NULL);
		table_row(t);
		table_set(t, 0, NULL, "%s", status_jstr(d, "domain_unicode",
		    status_jstr(d, "domain", "-")));
		table_set(t, 1, state_colour(state), "%s", state);
		table_set(t, 2, NULL, "%lld/%lld", jint(d, "resolvers_new"),
		    jint(d, "resolvers_total"));
		table_set(t, 3, state_colour(parent), "%s", parent);
		if (json_is_string(json_object_get(d, "complete_at")))
			table_set(t, 4, NULL, "done");
		else if (expected != NULL) {
			relative(when, sizeof(when), expected, now);
			table_set(t, 4, NULL, "%s", when);
		} else
			table_set(t, 4, NULL, "-");
		table_set(t, 5, NULL, "%s", status_jstr(d, "since", "-"));
	}
	if (json_array_size(doms) > 0)
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
