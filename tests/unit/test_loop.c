/*
 * daemon/loop.c: bulk work (read-only control clients) waits for
 * everything else, and a pass of it ends after LOOP_BULK_MS: a timer due
 * while hundreds of bulk callbacks are ready fires after a few of them,
 * not after all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <time.h>

#include <event2/event.h>

#include "loop.h"

#define NBULK	300	/* callbacks of BULK_US each: 300 ms in all */
#define BULK_US	1000

static unsigned	bulk_done;
static unsigned	bulk_done_at_timer;
static unsigned	default_done_at_bulk = NBULK + 1;
static int	default_done;

static uint64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* A slice of a status document: a millisecond of work. */
static void
bulk_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t	end = mono_us() + BULK_US;

	if (bulk_done == 0)
		default_done_at_bulk = (unsigned)default_done;
	while (mono_us() < end)
		;
	bulk_done++;
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	bulk_done_at_timer = bulk_done;
}

static void
default_cb(evutil_socket_t fd, short what, void *arg)
{
	default_done++;
}

static void
test_bulk_yields(void **state)
{
	struct event_base	*base = loop_new();
	struct event		*bulk[NBULK], *timer, *other;
	struct timeval		 soon = { 0, 2000 };
	int			 i;

	for (i = 0; i < NBULK; i++) {
		bulk[i] = event_new(base, -1, 0, bulk_cb, NULL);
		assert_non_null(bulk[i]);
		assert_int_equal(event_priority_set(bulk[i], LOOP_PRIO_BULK),
		    0);
		event_active(bulk[i], 0, 0);
	}
	/* Ready at the same time as the bulk, at the default priority. */
	other = event_new(base, -1, 0, default_cb, NULL);
	event_active(other, 0, 0);
	timer = evtimer_new(base, timer_cb, NULL);
	evtimer_add(timer, &soon);
	assert_int_equal(event_base_dispatch(base), 1);
	assert_int_equal(bulk_done, NBULK);
	/* The default event ran first. */
	assert_int_equal(default_done_at_bulk, 1);
	/* The timer fired within a pass or two of bulk (10 ms each), not
	 * after all 300 ms of it. */
	if (bulk_done_at_timer > NBULK / 3)
		fail_msg("the timer waited for %u of %u bulk callbacks",
		    bulk_done_at_timer, NBULK);
	for (i = 0; i < NBULK; i++)
		event_free(bulk[i]);
	event_free(other);
	event_free(timer);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk_yields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
