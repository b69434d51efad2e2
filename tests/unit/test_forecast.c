/*
 * lib/forecast.c through lib/apply.c's judging: until when a resolver's
 * old answers are cached, its expiry fixed by the first old round after
 * the parent's switch (never before the switch + the referral's TTL, and
 * not moved by an old answer with a fresh TTL), the overdue event one
 * interval after it, the TTL that grows, and the domain's expected
 * completion.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "apply.h"
#include "forecast.h"
#include "testworld.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

static const char resolvers[] = TW_TWO_RESOLVERS;
static const char extra[] = "confirm = 2\ninterval = 60s\n";
static const char domain[] = TW_EXAMPLE_DOMAIN;

static int
group_setup(void **state)
{
	return tw_setup("test-forecast");
}

static int
group_teardown(void **state)
{
	return tw_cleanup();
}

/* r0 answers set with ttl, r1 new, and the round is judged. */
static void
round_of(struct world *wd, struct watch *w, struct judge *j,
    enum tw_which r0, uint32_t ttl, time_t now)
{
	apply_round_begin(wd->m, w);
	tw_answer_all(wd, w, 0, r0, ttl, now);
	tw_answer_all(wd, w, 1, TW_NEW, 300, now);
	judge_round(j, wd->m, w, now, wd->cfg->confirm);
}

static void
test_forecast(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	const struct rverdict	*v;
	struct nmig_event	*e;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, extra, domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	v = &w->rv[0];

	/* Before the parent switched: cached until, no expiry, no
	 * forecast. */
	round_of(&wd, w, &j, TW_OLD, 300, NOW);
	assert_int_equal(v->cached_until, NOW + 300);
	assert_int_equal(v->expires_at, 0);
	assert_int_equal(forecast_domain(w, 2, 2, 60), 0);
	/* The same cache a round later: the same time, give or take the
	 * second its TTL was rounded to. */
	round_of(&wd, w, &j, TW_OLD, 239, NOW + 60);
	assert_int_equal(v->cached_until, NOW + 300);
	assert_int_equal(v->ttl_grew, 0);

	/* The registry switched at NOW + 100, its referral's TTL 600: the
	 * old delegation may live until NOW + 700, which bounds the expiry
	 * from below. */
	w->parent_switched_at = NOW + 100;
	w->parent_ttl = 600;
	round_of(&wd, w, &j, TW_OLD, 180, NOW + 120);
	assert_int_equal(v->expires_at, NOW + 700);
	assert_int_equal(forecast_domain(w, 2, 2, 60), NOW + 700 + 2 * 60);
	assert_int_equal(j.events.n, 0);

	/* A fresh TTL later (the old data fetched again): counted, and the
	 * expiry stays. */
	round_of(&wd, w, &j, TW_OLD, 3600, NOW + 600);
	assert_int_equal(v->ttl_grew, 1);
	assert_int_equal(v->expires_at, NOW + 700);
	assert_int_equal(v->cached_until, NOW + 4200);
	assert_false(v->overdue);

	/* Still old one interval after the expiry: overdue, once. */
	round_of(&wd, w, &j, TW_OLD, 3500, NOW + 700 + 60);
	assert_false(v->overdue);
	round_of(&wd, w, &j, TW_OLD, 3400, NOW + 700 + 61);
	assert_true(v->overdue);
	assert_int_equal(j.events.n, 1);
	e = &j.events.v[0];
	assert_string_equal(e->je.message_id, MSGID_OVERDUE);
	assert_int_equal(e->je.priority, 4);
	assert_string_equal(e->resolver, "r0");
	assert_int_equal(e->nfields, 3);
	assert_string_equal(e->fields[0], "NMIGD_RESOLVER=r0");
	assert_string_equal(e->fields[2], "NMIGD_OVERDUE_SEC=61");
	assert_string_equal(e->message, "example.co.jp: resolver r0 "
	    "(192.0.2.1) still answers with the old records 61s after they "
	    "should have expired at 2026-11-27T00:11:40Z");
	round_of(&wd, w, &j, TW_OLD, 3300, NOW + 900);
	assert_int_equal(j.events.n, 0);
	/* The domain waits for its last resolver; r1 switched long ago. */
	assert_true(w->rv[1].switched);
	assert_int_equal(forecast_domain(w, 2, 2, 60), NOW + 700 + 2 * 60);

	/* An error round tells nothing about the cache. */
	apply_round_begin(wd.m, w);
	tw_silence_all(&wd, w, 0, NOW + 960);
	tw_answer_all(&wd, w, 1, TW_NEW, 300, NOW + 960);
	judge_round(&j, wd.m, w, NOW + 960, 2);
	assert_true(v->overdue);
	assert_int_equal(v->expires_at, NOW + 700);

	/* Switched: nothing old is left. */
	round_of(&wd, w, &j, TW_NEW, 300, NOW + 1020);
	round_of(&wd, w, &j, TW_NEW, 300, NOW + 1080);
	assert_true(v->switched);
	assert_false(v->overdue);
	assert_int_equal(v->expires_at, 0);
	assert_int_equal(v->cached_until, 0);
	judge_free(&j);
	tw_free(&wd);
}

/* What a resolver caches includes negative answers, with their TTL; an
 * unreachable resolver holds the domain back until what it cached runs
 * out. */
static void
test_cached_until(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct observation	 o;

	tw_load(&wd, resolvers, extra, domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	tw_answer_of(&o, &w->dc->checks[0], TW_OLD, 0);
	o.answer.ttl = 100;
	apply_observation(wd.m, w, 0, 0, &o, NOW);
	rdset_free(&o.answer.rdata);
	tw_answer_of(&o, &w->dc->checks[1], TW_EMPTY, 3);	/* NXDOMAIN */
	o.answer.ttl = 900;
	apply_observation(wd.m, w, 0, 1, &o, NOW + 10);
	assert_int_equal(forecast_cached_until(w, 0), NOW + 910);
	tw_answer_of(&o, &w->dc->checks[1], TW_NEW, 0);
	apply_observation(wd.m, w, 0, 1, &o, NOW + 20);
	rdset_free(&o.answer.rdata);
	assert_int_equal(forecast_cached_until(w, 0), NOW + 100);
	assert_int_equal(forecast_cached_until(w, 1), 0);

	w->parent_switched_at = NOW;
	w->parent_ttl = 60;
	w->rv[0].state = RS_UNREACHABLE;
	w->rv[0].cached_until = NOW + 5000;
	w->rv[1].switched = true;
	assert_int_equal(forecast_domain(w, 2, 1, 60), NOW + 5000 + 60);
	tw_free(&wd);
}

/* The old hosting may go once complete, the overlap since the watch
 * began has passed and no resolver regressed for the quiet period since
 * the completion or the last regression; announced once. */
static void
test_cancel(void **state)
{
	struct world	 wd;
	struct watch	*w;
	struct judge	 j;
	time_t		 t0 = NOW;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 1\ninterval = 60s\n"
	    "overlap = 1h\nquiet = 10m\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	round_of(&wd, w, &j, TW_OLD, 300, t0);
	assert_int_equal(w->watched_since, t0);
	assert_int_equal(forecast_cancel(w, 3600, 600), 0);

	/* Complete at t0 + 120: the overlap bounds it. */
	round_of(&wd, w, &j, TW_NEW, 300, t0 + 120);
	assert_int_equal(w->state, DS_COMPLETE);
	assert_int_equal(forecast_cancel(w, 3600, 600), t0 + 3600);
	/* A regression at t0 + 3500 and back: quiet from then. */
	round_of(&wd, w, &j, TW_OLD, 300, t0 + 3500);
	assert_int_equal(w->regressed_at, t0 + 3500);
	round_of(&wd, w, &j, TW_NEW, 300, t0 + 3560);
	assert_int_equal(forecast_cancel(w, 3600, 600), t0 + 4100);
	round_of(&wd, w, &j, TW_NEW, 300, t0 + 4099);
	assert_int_equal(w->cancel_at, 0);
	assert_int_equal(j.events.n, 0);
	round_of(&wd, w, &j, TW_NEW, 300, t0 + 4100);
	assert_int_equal(w->cancel_at, t0 + 4100);
	assert_int_equal(j.events.n, 1);
	assert_string_equal(j.events.v[0].je.message_id, MSGID_CANCEL);
	assert_int_equal(j.events.v[0].je.priority, 5);
	assert_string_equal(j.events.v[0].message, "old hosting for "
	    "example.co.jp can now be cancelled");
	round_of(&wd, w, &j, TW_NEW, 300, t0 + 4160);
	assert_int_equal(j.events.n, 0);
	judge_free(&j);
	tw_free(&wd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forecast),
		cmocka_unit_test(test_cached_until),
		cmocka_unit_test(test_cancel),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
