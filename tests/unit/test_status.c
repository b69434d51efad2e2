/*
 * lib/status.c: the document written in parts is the document built
 * whole, byte for byte, and a reload in the middle lists every domain at
 * most once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "model.h"
#include "resolvers.h"
#include "status.h"
#include "statusrows.h"
#include "store.h"
#include "testworld.h"
#include "util.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

struct text {
	char	*s;
	size_t	 len;
	int	 fail_after;	/* parts; 0: never */
};

static int
group_setup(void **state)
{
	return tw_setup("test-status");
}

static int
group_teardown(void **state)
{
	return tw_cleanup();
}

/* The domains named by number, in the order given, and nres resolvers;
 * the states vary with the numbers so that every part of a domain's
 * object shows up somewhere. */
static void
world_load(struct world *wd, const int *doms, size_t ndoms, size_t nres)
{
	char	*res = NULL, *conf = NULL;
	size_t	 len, i;
	FILE	*fp;

	assert_non_null(fp = open_memstream(&res, &len));
	for (i = 0; i < nres; i++)
		fprintf(fp, "r%zu 127.0.0.%zu loopback %zu\n", i, i + 1, i);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(fp = open_memstream(&conf, &len));
	for (i = 0; i < ndoms; i++)
		fprintf(fp, "[domain d%d.example]\nns = ns1.new.example\n"
		    "mx = 10 mx.new.example\nold-mx = 10 mx.old.example\n"
		    "%s", doms[i], doms[i] % 3 ? "record = www A 192.0.2.1\n" :
		    "");
	assert_int_equal(fclose(fp), 0);
	tw_load(wd, res, NULL, conf, false);
	free(res);
	free(conf);
}

static void
world_vary(struct world *wd)
{
	struct watch	*w;
	struct cstate	*cs;
	size_t		 i, r, k;

	for (i = 0; i < wd->m->nw; i++) {
		w = &wd->m->w[i];
		w->state = i % 3;
		w->since = i % 2 ? NOW - (time_t)i : 0;
		w->complete_at = w->state == 2 ? NOW - 60 : 0;
		for (r = 0; r < wd->rl.n; r++) {
			w->rv[r].state = (i + r) % 4;
			w->rv[r].switched = (i + r) % 2;
			w->rv[r].since = (i + r) % 5 ? NOW - 100 : 0;
			w->rv[r].last_checked = NOW - (time_t)r;
			for (k = 0; k < w->dc->nchecks; k++) {
				cs = watch_cstate(w, r, k);
				if ((i + r + k) % 4 == 0)
					continue;	/* never answered */
				cs->state = (i + k) % 3;
				cs->rcode = (i + r) % 7 ? 0 : CS_RCODE_NONE;
				cs->ttl = (uint32_t)(300 + k);
				cs->rtt_ms = (uint16_t)(i + r);
				cs->answered_at = NOW - (time_t)k;
			}
		}
	}
}



static int
text_add(const char *buf, size_t len, void *arg)
{
	struct text	*t = arg;

	t->s = realloc(t->s, t->len + len + 1);
	assert_non_null(t->s);
	memcpy(t->s + t->len, buf, len);
	t->len += len;
	t->s[t->len] = '\0';
	return 0;
}

/* At most n parts (0: all); the number written. */
static size_t
stream_parts(struct status_stream *st, const struct model *m, size_t n,
    struct text *t)
{
	size_t	i;
	int	rv;

	for (i = 0; n == 0 || i < n; i++) {
		if ((rv = status_stream_next(st, m, text_add, t)) == 0)
			break;
		assert_int_equal(rv, 1);
	}
	return i;
}

static void
expect_same_text(struct world *wd)
{
	struct status_stream	*st;
	struct text		 t = { NULL, 0, 0 };
	json_t			*doc;
	char			*whole;

	doc = status_document(wd->m, NULL, NOW);
	whole = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	st = status_stream_new(NOW, false, NULL, NULL);
	/* The head, each domain, the tail, then nothing more. */
	assert_int_equal(stream_parts(st, wd->m, 0, &t), wd->m->nw + 2);
	assert_int_equal(status_stream_next(st, wd->m, text_add, &t), 0);
	assert_string_equal(t.s, whole);
	status_stream_free(st);
	free(t.s);
	free(whole);
}

static void
test_stream_same_text(void **state)
{
	struct world	wd;
	int		doms[300];
	size_t		i;

	for (i = 0; i < 300; i++)
		doms[i] = (int)(300 - i);	/* not in name order */
	world_load(&wd, doms, 300, 5);
	world_vary(&wd);
	expect_same_text(&wd);
	tw_free(&wd);

	world_load(&wd, doms, 1, 1);
	expect_same_text(&wd);
	tw_free(&wd);
}

/* The list of every domain in one state, the first few of them, and how
 * many there were ("matched"). */
static void
test_stream_filter(void **state)
{
	struct world		 wd;
	struct status_filter	 f;
	struct status_stream	*st;
	struct text		 t = { NULL, 0, 0 };
	int			 doms[30];
	size_t			 i, want = 0;
	json_t			*doc, *a;

	for (i = 0; i < 30; i++)
		doms[i] = (int)(i + 1);
	world_load(&wd, doms, 30, 3);
	for (i = 0; i < 30; i += 3) {
		wd.m->w[i].state = DS_PROPAGATING;
		want++;
	}
	f.state = DS_PROPAGATING;
	f.limit = 4;
	st = status_stream_new(NOW, true, &f, NULL);
	stream_parts(st, wd.m, 0, &t);
	status_stream_free(st);
	doc = json_loads(t.s, 0, NULL);
	assert_non_null(doc);
	a = json_object_get(doc, "domains");
	assert_int_equal(json_array_size(a), 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(a, i), "state")), "propagating");
	assert_int_equal(json_integer_value(json_object_get(doc, "matched")),
	    want);
	json_decref(doc);
	free(t.s);

	/* No limit: all of them; a state none is in: none, matched 0. */
	f.limit = 0;
	memset(&t, 0, sizeof(t));
	st = status_stream_new(NOW, true, &f, NULL);
	stream_parts(st, wd.m, 0, &t);
	status_stream_free(st);
	doc = json_loads(t.s, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "domains")),
	    want);
	json_decref(doc);
	free(t.s);
	f.state = DS_COMPLETE;
	memset(&t, 0, sizeof(t));
	st = status_stream_new(NOW, true, &f, NULL);
	stream_parts(st, wd.m, 0, &t);
	status_stream_free(st);
	doc = json_loads(t.s, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "domains")), 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "matched")),
	    0);
	json_decref(doc);
	free(t.s);
	tw_free(&wd);
}

static void
test_stream_no_domains(void **state)
{
	struct world	wd;

	world_load(&wd, NULL, 0, 2);
	expect_same_text(&wd);
	tw_free(&wd);
}

/* The member a column names in a domain's summary object. */
static const json_t *
summary_member(const json_t *d, const char *column)
{
	if (strcmp(column, "parent.state") == 0)
		return json_object_get(json_object_get(d, "parent"), "state");
	return json_object_get(d, column);
}

/* What the summary's member is in a row: itself, byte for byte, or
 * with epoch, a time as its seconds since the epoch. */
static char *
row_member(const json_t *v, bool epoch)
{
	const char	*s = json_string_value(v);
	json_t		*t;
	char		*text;

	if (!epoch || s == NULL || parse_time(s) == (time_t)-1)
		return json_dumps(v, JSON_ENCODE_ANY);
	t = json_integer((json_int_t)parse_time(s));
	text = json_dumps(t, JSON_ENCODE_ANY);
	json_decref(t);
	return text;
}

/* The list as rows of every column, of one column twice, and filtered:
 * each value is the summary object's member, byte for byte, or its
 * time as a number (epoch). */
static void
expect_rows(struct world *wd, const struct status_filter *f, bool epoch)
{
	struct status_columns	 cols = { 0, { 0 }, false };
	struct status_stream	*st;
	struct text		 t = { NULL, 0, 0 }, ts = { NULL, 0, 0 };
	json_t			*rows, *sum, *row, *d;
	char			*a, *b;
	size_t			 i, c;

	while (status_column_name((int)cols.n) != NULL)
		cols.v[cols.n] = (unsigned char)cols.n, cols.n++;
	cols.v[cols.n++] = (unsigned char)status_column_find("state");
	cols.epoch = epoch;
	st = status_stream_new(NOW, false, f, &cols);
	stream_parts(st, wd->m, 0, &t);
	status_stream_free(st);
	st = status_stream_new(NOW, true, f, NULL);
	stream_parts(st, wd->m, 0, &ts);
	status_stream_free(st);
	assert_non_null(rows = json_loads(t.s, 0, NULL));
	assert_non_null(sum = json_loads(ts.s, 0, NULL));
	assert_null(json_object_get(rows, "domains"));
	assert_int_equal(json_array_size(json_object_get(rows, "columns")),
	    cols.n);
	assert_int_equal(json_array_size(json_object_get(rows, "rows")),
	    json_array_size(json_object_get(sum, "domains")));
	assert_true(json_equal(json_object_get(rows, "matched"),
	    json_object_get(sum, "matched")) || (json_object_get(rows,
	    "matched") == NULL && json_object_get(sum, "matched") == NULL));
	assert_true(json_equal(json_object_get(rows, "pacing"),
	    json_object_get(sum, "pacing")));
	json_array_foreach(json_object_get(rows, "rows"), i, row) {
		d = json_array_get(json_object_get(sum, "domains"), i);
		assert_int_equal(json_array_size(row), cols.n);
		for (c = 0; c < cols.n; c++) {
			assert_string_equal(json_string_value(json_array_get(
			    json_object_get(rows, "columns"), c)),
			    status_column_name(cols.v[c]));
			a = json_dumps(json_array_get(row, c), JSON_ENCODE_ANY);
			b = row_member(summary_member(d,
			    status_column_name(cols.v[c])), epoch);
			assert_non_null(b);
			assert_string_equal(a, b);
			free(a);
			free(b);
		}
	}
	json_decref(rows);
	json_decref(sum);
	free(t.s);
	free(ts.s);
}

static void
test_stream_rows(void **state)
{
	struct world		wd;
	struct status_filter	f = { DS_PROPAGATING, 7 };
	struct watch		*w;
	int			doms[60];
	size_t			i;

	for (i = 0; i < 60; i++)
		doms[i] = (int)(60 - i);
	world_load(&wd, doms, 60, 4);
	world_vary(&wd);
	for (i = 0; i < wd.m->nw; i++) {
		w = &wd.m->w[i];
		w->watched_since = i % 4 ? NOW - 86400 : 0;
		w->cancel_at = i % 5 == 0 ? NOW - 10 : 0;
		w->parent_state = (int)(i % 3);
		w->parent_switched_at = i % 2 ? NOW - 300 : 0;
		w->parent_ttl = 3600;
		w->rv[0].expires_at = NOW + (time_t)i;
	}
	expect_rows(&wd, NULL, false);
	expect_rows(&wd, NULL, true);
	expect_rows(&wd, &f, false);
	expect_rows(&wd, &f, true);
	f.limit = 0;
	f.state = DS_COMPLETE;
	expect_rows(&wd, &f, false);
	tw_free(&wd);
	world_load(&wd, NULL, 0, 2);
	expect_rows(&wd, NULL, false);
	tw_free(&wd);
}

/* The column table is sorted (bsearch finds every name); names it does
 * not have are not found. */
static void
test_columns(void **state)
{
	const char	*name;
	int		 i;

	for (i = 0; (name = status_column_name(i)) != NULL; i++)
		assert_int_equal(status_column_find(name), i);
	assert_true(i >= 16);
	assert_int_equal(status_column_find("resolvers"), -1);
	assert_int_equal(status_column_find("not_switched"), -1);
	assert_int_equal(status_column_find("parent"), -1);
	assert_int_equal(status_column_find(""), -1);
	assert_non_null(strstr(status_column_names(), "parent.state"));
}

/* Text that JSON must escape, and text that is not UTF-8, as jansson
 * writes them. */
static void
test_row_escapes(void **state)
{
	static const char	 odd[] = "a\"b\\c/d\n\t\x01\x1f\x7f\xc3\xa9";
	struct status_columns	 cols = { 2, { 0 }, false };
	struct domain_head	 h;
	struct text		 t = { NULL, 0, 0 };
	json_t			*s;
	char			*want, *got;

	memset(&h, 0, sizeof(h));
	snprintf(h.domain, sizeof(h.domain), "%s", odd);
	snprintf(h.domain_unicode, sizeof(h.domain_unicode), "ok\xff");
	cols.v[0] = (unsigned char)status_column_find("domain");
	cols.v[1] = (unsigned char)status_column_find("domain_unicode");
	assert_int_equal(status_row_write(&cols, &h, text_add, &t), 0);
	s = json_string(odd);
	got = json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT);
	assert_int_equal(asprintf(&want, "[%s,null]", got), (int)strlen(got) +
	    7);
	assert_string_equal(t.s, want);
	json_decref(s);
	free(got);
	free(want);
	free(t.s);
}

/* A row longer than the array it starts in (statusrows.c), and numbers:
 * a time before the epoch, and counts. */
static void
test_row_long(void **state)
{
	struct status_columns	 cols = { 0, { 0 }, true };
	struct domain_head	 h;
	struct text		 t = { NULL, 0, 0 };
	char			*want;
	size_t			 i, len;
	FILE			*fp;

	memset(&h, 0, sizeof(h));
	memset(h.domain, 'a', sizeof(h.domain) - 1);
	h.since = -5;
	h.complete_at = NOW;
	h.tally.total = 50;
	assert_non_null(fp = open_memstream(&want, &len));
	fputc('[', fp);
	for (i = 0; i < STATUS_COLUMNS_MAX - 4; i++) {
		cols.v[cols.n++] = (unsigned char)status_column_find("domain");
		fprintf(fp, "\"%s\",", h.domain);
	}
	cols.v[cols.n++] = (unsigned char)status_column_find("since");
	cols.v[cols.n++] = (unsigned char)status_column_find("complete_at");
	cols.v[cols.n++] = (unsigned char)status_column_find("watched_since");
	cols.v[cols.n++] = (unsigned char)status_column_find(
	    "resolvers_total");
	fprintf(fp, "-5,%d,null,50]", NOW);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(status_row_write(&cols, &h, text_add, &t), 0);
	assert_string_equal(t.s, want);
	free(want);
	free(t.s);
}

/* The names of the document's domains, "d3 d11 ..." (the text must be
 * one valid document). */
static char *
domain_names(const char *text)
{
	json_error_t	 jerr;
	json_t		*doc, *d;
	char		*names, *p;
	size_t		 i;

	doc = json_loads(text, 0, &jerr);
	if (doc == NULL)
		fail_msg("not JSON: %s", jerr.text);
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	names = calloc(1, 4096);
	p = names;
	json_array_foreach(json_object_get(doc, "domains"), i, d)
		p += sprintf(p, "%s%.*s", i ? " " : "",
		    (int)strcspn(json_string_value(json_object_get(d, "domain")),
		    "."), json_string_value(json_object_get(d, "domain")));
	json_decref(doc);
	return names;
}

/* A reload in the middle: the new model's domains not written yet follow,
 * in its order; none comes twice, removed ones are not waited for. */
static void
test_stream_reload(void **state)
{
	static const int	 a[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	static const int	 b[] = { 3, 11, 1, 5, 12 };
	static const int	 c[] = { 12, 13, 11, 2, 14 };
	struct world		 wa, wb, wc;
	struct status_stream	*st;
	struct text		 t = { NULL, 0, 0 };
	char			*names;

	world_load(&wa, a, 10, 2);
	st = status_stream_new(NOW, false, NULL, NULL);
	assert_int_equal(stream_parts(st, wa.m, 5, &t), 5);	/* d1-d4 */
	status_stream_reloading(st, wa.m);
	tw_free(&wa);
	world_load(&wb, b, 5, 3);
	assert_int_equal(stream_parts(st, wb.m, 2, &t), 2);	/* d11, d5 */
	/* Once more, before the end. */
	status_stream_reloading(st, wb.m);
	tw_free(&wb);
	world_load(&wc, c, 5, 1);
	stream_parts(st, wc.m, 0, &t);
	names = domain_names(t.s);
	assert_string_equal(names, "d1 d2 d3 d4 d11 d5 d12 d13 d14");
	free(names);
	status_stream_free(st);
	tw_free(&wc);
	free(t.s);
}

/* Reloads before the head and after the last domain change nothing. */
static void
test_stream_reload_edges(void **state)
{
	static const int	 a[] = { 1, 2, 3 };
	struct world		 wa;
	struct status_stream	*st;
	struct text		 t = { NULL, 0, 0 };
	char			*names;

	world_load(&wa, a, 3, 1);
	st = status_stream_new(NOW, false, NULL, NULL);
	status_stream_reloading(st, wa.m);
	assert_int_equal(stream_parts(st, wa.m, 4, &t), 4);	/* d1-d3 */
	status_stream_reloading(st, wa.m);
	assert_int_equal(stream_parts(st, wa.m, 0, &t), 1);	/* the tail */
	names = domain_names(t.s);
	assert_string_equal(names, "d1 d2 d3");
	free(names);
	status_stream_free(st);
	tw_free(&wa);
	free(t.s);
}

static int
text_fail(const char *buf, size_t len, void *arg)
{
	return -1;
}

static void
test_stream_write_fails(void **state)
{
	static const int	 a[] = { 1 };
	struct world		 wa;
	struct status_stream	*st;
	struct text		 t = { NULL, 0, 0 };

	world_load(&wa, a, 1, 1);
	st = status_stream_new(NOW, false, NULL, NULL);
	assert_int_equal(status_stream_next(st, wa.m, text_fail, NULL), -1);
	assert_int_equal(status_stream_next(st, wa.m, text_fail, NULL), -1);
	assert_int_equal(status_stream_next(st, wa.m, text_add, &t), 1);
	status_stream_free(st);
	tw_free(&wa);
	free(t.s);
}

/* A json_t as compact text, compared and freed. */
static void
assert_json_text(json_t *j, const char *want)
{
	char	*got;

	assert_non_null(j);
	got = json_dumps(j, JSON_COMPACT);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	json_decref(j);
}

/* The store's rows become the entries the "history" and "events"
 * replies have always had, key for key and in that order; NULL columns
 * are null, and an answer that is none has no rcode or TTL. */
static void
test_history_events_json(void **state)
{
	struct history_entry	 v[3];
	struct history		 h = { v, 3, false };
	struct event_list	 l = { &v[2].event, 1 };

	memset(v, 0, sizeof(v));
	v[0].kind = HISTORY_ANSWER;
	v[0].answer = (struct answer_change){ "r1", "example.co.jp.", "MX",
	    "new", true, "NOERROR", 300,
	    "10 mx01.example.co.jp.\n10 mx02.example.co.jp.",
	    "2026-11-27T22:00:00Z", "2026-11-27T22:01:00Z", 2 };
	v[1].kind = HISTORY_ANSWER;
	v[1].answer = (struct answer_change){ "r1", "example.co.jp.", "MX",
	    "error", false, "NOERROR", 0, "", "2026-11-27T22:02:00Z",
	    "2026-11-27T22:02:00Z", 1 };
	v[2].kind = HISTORY_EVENT;
	v[2].event = (struct stored_event){ "2026-11-27T22:02:00Z",
	    "4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b", 4, "example.co.jp", NULL,
	    "example.co.jp: r1 answers old again" };
	assert_json_text(status_history_json(&h), "["
	    "{\"time\":\"2026-11-27T22:00:00Z\",\"kind\":\"answer\","
	    "\"resolver\":\"r1\",\"owner\":\"example.co.jp.\",\"type\":\"MX\","
	    "\"state\":\"new\",\"rcode\":\"NOERROR\",\"ttl\":300,"
	    "\"rdata\":[\"10 mx01.example.co.jp.\",\"10 mx02.example.co.jp.\"],"
	    "\"first_seen\":\"2026-11-27T22:00:00Z\","
	    "\"last_seen\":\"2026-11-27T22:01:00Z\",\"count\":2},"
	    "{\"time\":\"2026-11-27T22:02:00Z\",\"kind\":\"answer\","
	    "\"resolver\":\"r1\",\"owner\":\"example.co.jp.\",\"type\":\"MX\","
	    "\"state\":\"error\",\"rcode\":null,\"ttl\":null,\"rdata\":[],"
	    "\"first_seen\":\"2026-11-27T22:02:00Z\","
	    "\"last_seen\":\"2026-11-27T22:02:00Z\",\"count\":1},"
	    "{\"time\":\"2026-11-27T22:02:00Z\",\"kind\":\"event\","
	    "\"resolver\":null,"
	    "\"message_id\":\"4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b\","
	    "\"priority\":4,\"message\":\"example.co.jp: r1 answers old "
	    "again\"}]");
	assert_json_text(status_events_json(&l), "["
	    "{\"time\":\"2026-11-27T22:02:00Z\","
	    "\"message_id\":\"4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b\","
	    "\"priority\":4,\"domain\":\"example.co.jp\",\"resolver\":null,"
	    "\"message\":\"example.co.jp: r1 answers old again\"}]");

	/* A column that is not UTF-8 (only a hand-edited database has one)
	 * leaves its entry out rather than the whole reply. */
	v[2].event.message = "\xff";
	assert_json_text(status_events_json(&l), "[]");
	h.n = 0;
	assert_json_text(status_history_json(&h), "[]");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_same_text),
		cmocka_unit_test(test_stream_filter),
		cmocka_unit_test(test_stream_no_domains),
		cmocka_unit_test(test_stream_rows),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_row_escapes),
		cmocka_unit_test(test_row_long),
		cmocka_unit_test(test_stream_reload),
		cmocka_unit_test(test_stream_reload_edges),
		cmocka_unit_test(test_stream_write_fails),
		cmocka_unit_test(test_history_events_json),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
