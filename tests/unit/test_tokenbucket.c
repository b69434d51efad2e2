/*
 * lib/tokenbucket.c: bursts, refill at the rate, the cap, a clock that
 * goes back, the wait for the next token.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tokenbucket.h"

static struct timespec
at(long sec, long nsec)
{
	struct timespec	ts = { sec, nsec };

	return ts;
}

static int
take_all(struct tokenbucket *tb, struct timespec now)
{
	int	n = 0;

	while (tokenbucket_take(tb, &now))
		n++;
	return n;
}

static void
test_burst_then_rate(void **state)
{
	struct tokenbucket	tb;
	struct timespec		t0 = at(100, 0);

	tokenbucket_init(&tb, 10, 20, &t0);
	assert_int_equal(take_all(&tb, t0), 20);
	/* A tenth of a second buys one, half a second five. */
	assert_int_equal(take_all(&tb, at(100, 100000000)), 1);
	assert_int_equal(take_all(&tb, at(100, 600000000)), 5);
	/* An hour idle fills it to the burst, no more. */
	assert_int_equal(take_all(&tb, at(3700, 0)), 20);
}

static void
test_clock_back(void **state)
{
	struct tokenbucket	tb;
	struct timespec		t0 = at(100, 0);

	tokenbucket_init(&tb, 10, 2, &t0);
	assert_int_equal(take_all(&tb, t0), 2);
	assert_int_equal(take_all(&tb, at(50, 0)), 0);
	/* Measured from the latest time seen, not the one gone back to. */
	assert_int_equal(take_all(&tb, at(100, 100000000)), 1);
}

/* The wait for the next token: what the pacer's timer is set to. */
static void
test_wait(void **state)
{
	struct tokenbucket	tb;
	struct timespec		t0 = at(100, 0);

	tokenbucket_init(&tb, 4, 1, &t0);
	assert_true(tokenbucket_wait(&tb) == 0);
	assert_int_equal(take_all(&tb, t0), 1);
	assert_true(tokenbucket_wait(&tb) > 0.249 &&
	    tokenbucket_wait(&tb) < 0.251);
	/* Half way there: half the wait left. */
	assert_int_equal(take_all(&tb, at(100, 125000000)), 0);
	assert_true(tokenbucket_wait(&tb) > 0.124 &&
	    tokenbucket_wait(&tb) < 0.126);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
