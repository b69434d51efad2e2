/*
 * lib/outbox.c against a real SQLite file: a steady answer costs nothing
 * per round, a change writes a row and counts the sightings of the
 * answer before it, a refresh catches up last_seen and count, batches
 * stop at their row budget, a failed commit keeps every change and event
 * for the next try and writes each once, and a reload writes what the
 * domains that leave still owe.
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

#include <sqlite3.h>

#include "carry.h"
#include "outbox.h"
#include "persist.h"
#include "testworld.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

static const char resolvers[] = TW_TWO_RESOLVERS;
static const char extra[] = "confirm = 1\n";
static const char doms[] =
    "[domain d1.example]\nns = ns1.new.example\nold-ns = ns1.old.example\n"
    "mx = 10 mx.new.example\nold-mx = 10 mx.old.example\n"
    "[domain d2.example]\nns = ns1.new.example\nold-ns = ns1.old.example\n"
    "mx = 10 mx.new.example\nold-mx = 10 mx.old.example\n";

struct fix {
	struct world	 wd;
	struct store	*s;
	struct outbox	*ob;
	struct judge	 j;
	sqlite3		*db;	/* a second connection, to look */
};

static int
group_setup(void **state)
{
	return tw_setup("test-outbox");
}

static int
group_teardown(void **state)
{
	return tw_cleanup();
}

static void
fix_open(struct fix *f, const char *domains)
{
	char	path[PATH_MAX];

	memset(f, 0, sizeof(*f));
	f->s = tw_store_fresh();
	tw_path(path, "nmigd.db");
	tw_load(&f->wd, resolvers, extra, domains, false);
	assert_int_equal(persist_load(f->wd.m, f->s, NOW), 0);
	f->ob = outbox_new(f->s);
	assert_int_equal(sqlite3_open(path, &f->db), SQLITE_OK);
}

static void
fix_close(struct fix *f)
{
	sqlite3_close(f->db);
	outbox_free(f->ob);
	judge_free(&f->j);
	tw_free(&f->wd);
	store_close(f->s);
}

static int64_t
q_int(struct fix *f, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One round of d: both resolvers answer set with ttl, judged, noted. */
static void
round_of(struct fix *f, const char *d, enum tw_which set, uint32_t ttl,
    time_t now)
{
	struct watch	*w = tw_watch(&f->wd, d);

	tw_answer_all(&f->wd, w, 0, set, ttl, now);
	tw_answer_all(&f->wd, w, 1, set, ttl, now);
	judge_round(&f->j, f->wd.m, w, now, f->wd.cfg->confirm);
	outbox_round(f->ob, w, f->wd.m, &f->j, now);
}

static uint64_t
rows_written(struct fix *f)
{
	struct outbox_stats	st;

	outbox_get_stats(f->ob, &st);
	return st.rows;
}

#define ANSWER(d, type, what)						\
	"SELECT " what " FROM answers a JOIN checks c ON c.id = a.check_id" \
	" JOIN domains d ON d.id = c.domain_id JOIN resolvers r"	\
	" ON r.id = a.resolver_id WHERE d.name = '" d "' AND c.type = "	\
	type " AND r.name = 'r0'"

/* The same answers round after round: one write, then none. */
static void
test_steady_writes_nothing(void **state)
{
	struct fix	f;
	uint64_t	rows;
	int		i;

	fix_open(&f, doms);
	round_of(&f, "d1.example.", TW_OLD, 300, NOW);
	assert_true(tw_watch(&f.wd, "d1.example.")->queued);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW), 0);
	/* 4 answers, 2 verdicts, the domain row */
	assert_int_equal(rows = rows_written(&f), 7);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM answers"), 4);
	/* A cache counting its TTL down. */
	for (i = 1; i <= 4; i++) {
		round_of(&f, "d1.example.", TW_OLD, 300 - i * 60, NOW + i * 60);
		assert_false(tw_watch(&f.wd, "d1.example.")->queued);
		assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + i * 60),
		    0);
	}
	assert_int_equal(rows_written(&f), rows);
	assert_int_equal(q_int(&f, "SELECT sum(count) FROM answers"), 4);
	fix_close(&f);
}

/* A change: the answer before gets the sightings it had not counted,
 * with its last time and TTL; the new one a row of its own. */
static void
test_change_counts_sightings(void **state)
{
	struct fix	f;

	fix_open(&f, doms);
	round_of(&f, "d1.example.", TW_OLD, 300, NOW);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW), 0);
	round_of(&f, "d1.example.", TW_OLD, 240, NOW + 60);
	round_of(&f, "d1.example.", TW_OLD, 180, NOW + 120);
	round_of(&f, "d1.example.", TW_NEW, 300, NOW + 180);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + 180), 0);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "count(*)")),
	    2);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "a.count")
	    " AND a.state = 'old'"), 3);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "a.ttl")
	    " AND a.state = 'old'"), 180);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'",
	    "strftime('%s', a.last_seen)") " AND a.state = 'old'"),
	    NOW + 120);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "a.count")
	    " AND a.state = 'new'"), 1);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'",
	    "strftime('%s', a.first_seen)") " AND a.state = 'new'"),
	    NOW + 180);
	/* The switch (confirm = 1) and the completion. */
	assert_int_equal(q_int(&f, "SELECT count(*) FROM events"), 3);
	assert_int_equal(q_int(&f, "SELECT state = 'complete' FROM domains"
	    " WHERE name = 'd1.example.'"), 1);
	fix_close(&f);
}

/* OUTBOX_REFRESH after the last full write, every row catches up. */
static void
test_refresh(void **state)
{
	struct fix	f;
	time_t		t;

	fix_open(&f, doms);
	round_of(&f, "d1.example.", TW_NEW, 300, NOW);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW), 0);
	for (t = NOW + 600; t < NOW + OUTBOX_REFRESH; t += 600)
		round_of(&f, "d1.example.", TW_NEW, 300, t);
	assert_false(tw_watch(&f.wd, "d1.example.")->queued);
	round_of(&f, "d1.example.", TW_NEW, 77, NOW + OUTBOX_REFRESH);
	assert_true(tw_watch(&f.wd, "d1.example.")->queued);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + OUTBOX_REFRESH),
	    0);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "a.count")),
	    OUTBOX_REFRESH / 600 + 1);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "a.ttl")), 77);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'",
	    "strftime('%s', a.last_seen)")), NOW + OUTBOX_REFRESH);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM answers"), 4);
	fix_close(&f);
}

/* A budget of rows per flush: the rest waits for the next one. */
static void
test_batches(void **state)
{
	struct fix	f;
	ssize_t		left;
	int		flushes = 0;

	fix_open(&f, doms);
	round_of(&f, "d1.example.", TW_OLD, 300, NOW);
	round_of(&f, "d2.example.", TW_OLD, 300, NOW);
	left = outbox_flush(f.ob, f.wd.m, 3, NOW);
	assert_int_equal(left, 1);	/* d1 went whole, d2 waits */
	assert_int_equal(q_int(&f, "SELECT count(*) FROM answers"), 4);
	while (left > 0) {
		left = outbox_flush(f.ob, f.wd.m, 3, NOW);
		flushes++;
	}
	assert_int_equal(left, 0);
	assert_int_equal(flushes, 1);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM answers"), 8);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM rverdicts"), 4);
	fix_close(&f);
}

/* The database refuses: nothing is lost, nothing is written twice, and
 * the rounds meanwhile add nothing but their own changes. */
static void
test_failed_commit(void **state)
{
	struct fix		f;
	struct outbox_stats	st;
	struct watch		*w;

	fix_open(&f, doms);
	round_of(&f, "d1.example.", TW_OLD, 300, NOW);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW), 0);
	assert_int_equal(sqlite3_exec(f.db, "CREATE TRIGGER no_events BEFORE "
	    "INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END",
	    NULL, NULL, NULL), SQLITE_OK);
	round_of(&f, "d1.example.", TW_NEW, 300, NOW + 60);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + 60), -1);
	outbox_get_stats(f.ob, &st);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.failing_since, NOW + 60);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM answers"), 4);
	round_of(&f, "d1.example.", TW_NEW, 300, NOW + 120);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + 120), -1);
	/* The two switches and the completion wait in a list of their
	 * size: thousands of domains hold theirs while the database fails,
	 * at 1.5 kB an event. */
	w = tw_watch(&f.wd, "d1.example.");
	assert_non_null(w->events);
	assert_int_equal(w->events->n, 3);
	assert_int_equal(w->events->cap, 3);
	assert_int_equal(sqlite3_exec(f.db, "DROP TRIGGER no_events", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + 180), 0);
	outbox_get_stats(f.ob, &st);
	assert_int_equal(st.failing_since, 0);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM events"), 3);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM answers"), 8);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "a.count")
	    " AND a.state = 'new'"), 2);
	assert_int_equal(q_int(&f, "SELECT state = 'complete' FROM domains"
	    " WHERE name = 'd1.example.'"), 1);
	round_of(&f, "d1.example.", TW_NEW, 300, NOW + 240);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + 240), 0);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM events"), 3);
	fix_close(&f);
}

/* A reload drops d2 while its switch is not stored yet: the reload's
 * transaction stores it; d1's pending change stays queued. */
static void
test_reload_writes_leaving(void **state)
{
	static const char only_d1[] =
	    "[domain d1.example]\nns = ns1.new.example\n"
	    "old-ns = ns1.old.example\nmx = 10 mx.new.example\n"
	    "old-mx = 10 mx.old.example\n";
	struct fix	 f;
	struct world	 nw;
	struct outbox_stats st;

	fix_open(&f, doms);
	round_of(&f, "d1.example.", TW_OLD, 300, NOW);
	round_of(&f, "d2.example.", TW_NEW, 300, NOW);
	/* not flushed */
	tw_load(&nw, resolvers, extra, only_d1, true);
	assert_int_equal(carry_over(nw.m, f.wd.m, f.s, f.ob, NOW + 1), 0);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM events WHERE domain "
	    "= 'd2.example'"), 3);
	assert_int_equal(q_int(&f, ANSWER("d2.example.", "'NS'", "count(*)")), 1);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "count(*)")), 0);
	outbox_get_stats(f.ob, &st);
	assert_int_equal(st.queued, 1);
	tw_free(&f.wd);
	f.wd = nw;
	assert_true(tw_watch(&f.wd, "d1.example.")->queued);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + 2), 0);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "count(*)")), 1);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM events"), 3);
	fix_close(&f);
}

/* A round with events is written out of turn; the entry it leaves in
 * the queue never writes it twice. */
static void
test_flush_watch_out_of_turn(void **state)
{
	struct fix		f;
	struct outbox_stats	st;

	fix_open(&f, doms);
	round_of(&f, "d1.example.", TW_OLD, 300, NOW);
	round_of(&f, "d2.example.", TW_OLD, 300, NOW);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW), 0);
	round_of(&f, "d2.example.", TW_OTHER, 300, NOW + 30);	/* no event */
	round_of(&f, "d1.example.", TW_NEW, 300, NOW + 60);
	assert_int_equal(outbox_flush_watch(f.ob, f.wd.m,
	    tw_watch(&f.wd, "d1.example."), NOW + 60), 0);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM events"), 3);
	outbox_get_stats(f.ob, &st);
	assert_int_equal(st.queued, 1);			/* d2 */
	/* Back to old: two regressions, queued again. */
	round_of(&f, "d1.example.", TW_OLD, 300, NOW + 120);
	outbox_get_stats(f.ob, &st);
	assert_int_equal(st.queued, 2);
	assert_int_equal(outbox_flush(f.ob, f.wd.m, 0, NOW + 120), 0);
	assert_int_equal(q_int(&f, "SELECT count(*) FROM events"), 5);
	assert_int_equal(q_int(&f, ANSWER("d1.example.", "'NS'", "count(*)")),
	    3);
	assert_int_equal(q_int(&f, ANSWER("d2.example.", "'NS'", "count(*)")),
	    2);
	fix_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_writes_nothing),
		cmocka_unit_test(test_change_counts_sightings),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_failed_commit),
		cmocka_unit_test(test_reload_writes_leaving),
		cmocka_unit_test(test_flush_watch_out_of_turn),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
