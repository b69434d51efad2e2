/*
 * daemon/pace.c on a real event loop: a server is asked at its rate and
 * the loop is told when its next query may go; servers with queries
 * waiting take turns; a server that fails PACE_FAILS_TO_BACKOFF times in
 * a row is backed off (its queries skipped), tried again with one query
 * after a second, then after twice as long each time it fails, and
 * answers end it; queries sent before the back-off say nothing; a
 * cancelled trial makes the next query the trial; a query sent again
 * takes a token before any new one, and is given up when its server is
 * backed off; one put back goes first.  Refusals of one name count once;
 * each back-off halves the rate, which rises while the server answers;
 * a server that answers others but refuses five in a row is paused, its
 * queries kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "pace.h"

#define NITEMS	16

struct fixture {
	struct event_base	*base;
	struct pacer		*pr;
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct paced		 items[NITEMS];
	int			 ready;		/* ready callbacks */
	int			 drained;
};

static void
on_drained(struct paced *item, void *arg)
{
	struct fixture	*f = arg;

	f->drained++;
}

static void
drain(struct fixture *f)
{
	pacer_drain(f->pr, on_drained, f);
}

static void
on_ready(void *arg)
{
	struct fixture	*f = arg;

	f->ready++;
	event_base_loopbreak(f->base);
}

static int
setup(void **state)
{
	static struct fixture	f;
	size_t			i;

	memset(&f, 0, sizeof(f));
	/* Each item a name of its own. */
	for (i = 0; i < NITEMS; i++)
		f.items[i].key = (uint32_t)(1000 + i);
	assert_non_null(f.base = event_base_new());
	f.pr = pacer_new(f.base, on_ready, &f);
	assert_int_equal(addr_parse("192.0.2.1", 53, &f.a, &f.alen), 0);
	assert_int_equal(addr_parse("2001:db8::1", 5353, &f.b, &f.blen), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	pacer_free(f->pr);
	event_base_free(f->base);
	return 0;
}

static struct pace *
pace_a(struct fixture *f, unsigned rate)
{
	return pacer_pace(f->pr, (struct sockaddr *)&f->a, f->alen, rate,
	    "a");
}

static struct pace *
pace_b(struct fixture *f, unsigned rate)
{
	return pacer_pace(f->pr, (struct sockaddr *)&f->b, f->blen, rate,
	    "b");
}

/* The index of the item pacer_next() hands out, -1 for none. */
static int
next(struct fixture *f, enum pace_verdict *v)
{
	struct paced	*it = NULL;
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	*v = pacer_next(f->pr, &now, &it);
	return it == NULL ? -1 : (int)(it - f->items);
}

static void
expect(struct fixture *f, enum pace_verdict want, int item)
{
	enum pace_verdict	v;

	assert_int_equal(next(f, &v), item);
	assert_int_equal(v, want);
}

/* Rate 10: one query at once (a tenth of a second's worth), the next
 * when the loop says so, about 100 ms later. */
static void
test_rate(void **state)
{
	struct fixture	*f = *state;
	struct pace	*pc = pace_a(f, 10);
	struct timespec	 t0, t1;
	long		 ms;
	int		 i;

	for (i = 0; i < 3; i++)
		pacer_push(f->pr, pc, &f->items[i], false);
	expect(f, PACE_SEND, 0);
	expect(f, PACE_NONE, -1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(event_base_dispatch(f->base), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_int_equal(f->ready, 1);
	assert_true(ms >= 80);
	expect(f, PACE_SEND, 1);
	pacer_done(f->pr, &f->items[0], PACE_OK);
	pacer_done(f->pr, &f->items[1], PACE_OK);
	drain(f);
	assert_int_equal(f->drained, 1);
	expect(f, PACE_NONE, -1);
}

/* Two servers with queries waiting take turns; a new rate replaces the
 * old one. */
static void
test_turns(void **state)
{
	struct fixture	*f = *state;
	struct pace	*a = pace_a(f, 1000), *b = pace_b(f, 1000);
	struct pace_info pi;
	int		 i;

	/* Given twice (a resolver and a server on one address): the lower,
	 * until the rates are given afresh. */
	assert_ptr_equal(pace_a(f, 2000), a);
	assert_true(pacer_info(f->pr, (struct sockaddr *)&f->a, &pi));
	assert_int_equal(pi.rate, 1000);
	pace_a(f, 500);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.rate, 500);
	pacer_rates_begin(f->pr);
	pace_a(f, 1000);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.rate, 1000);
	assert_int_equal(pi.now_rate, 1000);
	for (i = 0; i < 3; i++)
		pacer_push(f->pr, a, &f->items[i], false);
	for (i = 3; i < 6; i++)
		pacer_push(f->pr, b, &f->items[i], false);
	assert_true(pacer_info(f->pr, (struct sockaddr *)&f->b, &pi));
	assert_int_equal(pi.queued, 3);
	expect(f, PACE_SEND, 0);
	expect(f, PACE_SEND, 3);
	expect(f, PACE_SEND, 1);
	expect(f, PACE_SEND, 4);
	expect(f, PACE_SEND, 2);
	expect(f, PACE_SEND, 5);
	expect(f, PACE_NONE, -1);
	for (i = 0; i < 6; i++)
		pacer_done(f->pr, &f->items[i], PACE_OK);
	/* The daemon's own lookups go before the rounds' probes. */
	pacer_push(f->pr, a, &f->items[6], false);
	pacer_push(f->pr, a, &f->items[7], true);
	expect(f, PACE_SEND, 7);
	expect(f, PACE_SEND, 6);
	pacer_done(f->pr, &f->items[6], PACE_OK);
	pacer_done(f->pr, &f->items[7], PACE_OK);
}

/* n queries sent and failed with why. */
static void
fail_n(struct fixture *f, struct pace *pc, int first, int n,
    enum pace_outcome why)
{
	int	i;

	for (i = first; i < first + n; i++) {
		pacer_push(f->pr, pc, &f->items[i], false);
		expect(f, PACE_SEND, i);
		pacer_done(f->pr, &f->items[i], why);
	}
}

static void
test_backoff(void **state)
{
	struct fixture		*f = *state;
	struct pace		*pc = pace_a(f, 1000), *b = pace_b(f, 1000);
	struct pace_info	 pi;
	struct pacer_stats	 st;

	/* Refusals of one name count once: a server may refuse one; its
	 * timeouts count each. */
	f->items[1].key = f->items[0].key;
	fail_n(f, pc, 0, 2, PACE_REFUSED);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.fails, 1);
	fail_n(f, pc, 0, 2, PACE_TIMEOUT);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.fails, 3);
	f->items[1].key = 1001;
	fail_n(f, pc, 4, 1, PACE_OK);
	/* An answer between failures starts the count again. */
	fail_n(f, pc, 0, PACE_FAILS_TO_BACKOFF - 1, PACE_TIMEOUT);
	fail_n(f, pc, 4, 1, PACE_OK);
	fail_n(f, pc, 5, PACE_FAILS_TO_BACKOFF - 1, PACE_REFUSED);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.hold_s, 0);
	/* Queries sent before the back-off, answered after it began. */
	pacer_push(f->pr, pc, &f->items[15], false);
	pacer_push(f->pr, pc, &f->items[14], false);
	expect(f, PACE_SEND, 15);
	expect(f, PACE_SEND, 14);
	fail_n(f, pc, 9, 1, PACE_TIMEOUT);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.hold_s, 1);
	assert_true(pi.retry_at >= time(NULL));
	/* Half as fast from now on. */
	assert_int_equal(pi.rate, 1000);
	assert_int_equal(pi.now_rate, 500);
	pacer_get_stats(f->pr, &st);
	assert_int_equal(st.backing_off, 1);

	/* Backed off: skipped, while the other server is asked. */
	pacer_push(f->pr, pc, &f->items[10], false);
	pacer_push(f->pr, b, &f->items[11], false);
	expect(f, PACE_SKIP, 10);
	expect(f, PACE_SEND, 11);
	pacer_done(f->pr, &f->items[11], PACE_OK);
	pacer_done(f->pr, &f->items[15], PACE_TIMEOUT);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.hold_s, 1);
	pacer_get_stats(f->pr, &st);
	assert_int_equal(st.skipped, 1);

	/* After the second: one trial, the rest skipped while it runs. */
	usleep(1100 * 1000);
	pacer_push(f->pr, pc, &f->items[12], false);
	pacer_push(f->pr, pc, &f->items[13], false);
	expect(f, PACE_SEND, 12);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_true(pi.trying);
	expect(f, PACE_SKIP, 13);
	/* It fails: twice as long. */
	pacer_done(f->pr, &f->items[12], PACE_TIMEOUT);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.hold_s, 2);

	/* Any answer ends it, and the rate starts rising: a twentieth of
	 * the most, once a second. */
	pacer_done(f->pr, &f->items[14], PACE_OK);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.hold_s, 0);
	assert_int_equal(pi.fails, 0);
	assert_int_equal(pi.now_rate, 550);
	pacer_get_stats(f->pr, &st);
	assert_int_equal(st.backing_off, 0);
	pacer_push(f->pr, pc, &f->items[0], false);
	expect(f, PACE_SEND, 0);
	pacer_done(f->pr, &f->items[0], PACE_OK);
}

/* A trial cancelled (our failure, a reload) says nothing: the next query
 * is the trial. */
static void
test_trial_cancelled(void **state)
{
	struct fixture		*f = *state;
	struct pace		*pc = pace_a(f, 1000);
	struct pace_info	 pi;

	fail_n(f, pc, 0, PACE_FAILS_TO_BACKOFF, PACE_TIMEOUT);
	usleep(1100 * 1000);
	pacer_push(f->pr, pc, &f->items[5], false);
	expect(f, PACE_SEND, 5);
	pacer_done(f->pr, &f->items[5], PACE_NEUTRAL);
	pacer_push(f->pr, pc, &f->items[6], false);
	expect(f, PACE_SEND, 6);
	pacer_done(f->pr, &f->items[6], PACE_OK);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.hold_s, 0);
}

/* A retry takes a token, before any new query of its server; backed
 * off, a retry is given up. */
static void
test_again(void **state)
{
	struct fixture		*f = *state;
	struct pace		*pc = pace_a(f, 10);	/* burst 1 */
	unsigned		 wait = 0;

	pacer_push(f->pr, pc, &f->items[0], false);
	pacer_push(f->pr, pc, &f->items[1], false);
	expect(f, PACE_SEND, 0);
	/* No token for the retry: it waits, and parks its server. */
	assert_int_equal(pacer_again(f->pr, &f->items[0], &wait), PACE_NONE);
	assert_true(wait >= 1 && wait <= 101);
	expect(f, PACE_NONE, -1);
	usleep(110 * 1000);
	expect(f, PACE_NONE, -1);	/* the token is the retry's */
	assert_int_equal(pacer_again(f->pr, &f->items[0], &wait), PACE_SEND);
	assert_int_equal(event_base_loop(f->base, EVLOOP_NONBLOCK), 0);
	usleep(110 * 1000);
	expect(f, PACE_SEND, 1);
	pacer_done(f->pr, &f->items[0], PACE_OK);
	pacer_done(f->pr, &f->items[1], PACE_OK);

	/* A query that got no socket goes first again. */
	pacer_push(f->pr, pc, &f->items[2], false);
	pacer_push(f->pr, pc, &f->items[3], false);
	usleep(110 * 1000);
	expect(f, PACE_SEND, 2);
	pacer_putback(f->pr, &f->items[2]);
	usleep(110 * 1000);
	expect(f, PACE_SEND, 2);
	pacer_done(f->pr, &f->items[2], PACE_OK);
	drain(f);
	assert_int_equal(f->drained, 1);

	/* Backed off: a retry is given up. */
	pc = pace_b(f, 1000);
	fail_n(f, pc, 4, PACE_FAILS_TO_BACKOFF - 1, PACE_TIMEOUT);
	pacer_push(f->pr, pc, &f->items[9], false);
	expect(f, PACE_SEND, 9);
	fail_n(f, pc, 10, 1, PACE_BROKEN);
	assert_int_equal(pacer_again(f->pr, &f->items[9], &wait), PACE_SKIP);
	pacer_done(f->pr, &f->items[9], PACE_TIMEOUT);
}

/* REFUSED by a resolver that answers other queries: a limit of its own.
 * Its queries wait a second, then go at half the rate; none skipped. */
static void
test_refused_limit(void **state)
{
	struct fixture		*f = *state;
	struct pace		*pc = pace_a(f, 1000);
	struct pace_info	 pi;
	struct pacer_stats	 st;

	fail_n(f, pc, 0, 1, PACE_OK);
	fail_n(f, pc, 1, PACE_FAILS_TO_BACKOFF, PACE_REFUSED);
	pacer_info(f->pr, (struct sockaddr *)&f->a, &pi);
	assert_int_equal(pi.hold_s, 0);
	assert_int_equal(pi.now_rate, 500);
	pacer_push(f->pr, pc, &f->items[8], false);
	expect(f, PACE_NONE, -1);	/* paused, not skipped */
	assert_int_equal(event_base_dispatch(f->base), 0);
	assert_int_equal(f->ready, 1);
	expect(f, PACE_SEND, 8);
	pacer_done(f->pr, &f->items[8], PACE_OK);
	pacer_get_stats(f->pr, &st);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.backing_off, 0);
	/* Refusing everything (never answering): backed off, skipped. */
	pc = pace_b(f, 1000);
	fail_n(f, pc, 9, PACE_FAILS_TO_BACKOFF, PACE_REFUSED);
	pacer_push(f->pr, pc, &f->items[15], false);
	expect(f, PACE_SKIP, 15);
}

static void
test_unknown(void **state)
{
	struct fixture		*f = *state;
	struct pace_info	 pi;

	assert_false(pacer_info(f->pr, (struct sockaddr *)&f->a, &pi));
	pace_a(f, 5);
	assert_true(pacer_info(f->pr, (struct sockaddr *)&f->a, &pi));
	assert_false(pacer_info(f->pr, (struct sockaddr *)&f->b, &pi));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_turns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trial_cancelled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
