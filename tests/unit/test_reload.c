/*
 * daemon/reload.c: the config is read on a thread of its own and the
 * result comes back on the loop; requests made during a read are
 * answered by one more read that starts after it, never by the read
 * already under way (the files may have changed since it began); what
 * the callee leaves of a result is freed; freeing the reader during a
 * read waits for it.  The read function here stands in for
 * config_load(): it blocks until the test lets it go, so that the test
 * decides when each read ends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "reload.h"
#include "util.h"

static int		 gate[2];	/* a byte lets one read finish */
static int		 reads;		/* reads started */
static pthread_mutex_t	 reads_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct reload_result	done[8];
static unsigned		 ndone;

/* Stands in for the config parser: blocks until the test writes to the
 * gate, then reports which read it was as an "error". */
static int
read_gated(const char *path, struct config **cfg, struct resolver_list **rl,
    struct errlist *errs)
{
	char	c;
	int	n;

	pthread_mutex_lock(&reads_mtx);
	n = ++reads;
	pthread_mutex_unlock(&reads_mtx);
	if (read(gate[0], &c, 1) != 1)
		return -1;
	*cfg = NULL;
	*rl = NULL;
	errlist_add(errs, path, n, "read %d", n);
	return -1;
}

/* Keeps the seq and a copy of the first message; leaves the errlist to
 * be freed by the reader (LeakSanitizer sees it if it is not). */
static void
on_done(void *arg, struct reload_result *res)
{
	assert_true(ndone < 8);
	done[ndone].seq = res->seq;
	done[ndone].errs.n = res->errs.n;
	done[ndone].errs.msg = res->errs.n > 0 ?
	    xreallocarray(NULL, 1, sizeof(char *)) : NULL;
	if (res->errs.n > 0)
		done[ndone].errs.msg[0] = xstrdup(res->errs.msg[0]);
	ndone++;
}

static int
setup(void **state)
{
	struct event_base	*base;

	assert_int_equal(pipe(gate), 0);
	reads = 0;
	ndone = 0;
	assert_non_null(base = event_base_new());
	*state = base;
	return 0;
}

static int
teardown(void **state)
{
	unsigned	i;

	for (i = 0; i < ndone; i++)
		errlist_free(&done[i].errs);
	close(gate[0]);
	close(gate[1]);
	event_base_free(*state);
	return 0;
}

static void
let_one_read_end(void)
{
	assert_int_equal(write(gate[1], "x", 1), 1);
}

/* Runs the loop until n results have come back. */
static void
loop_until_done(struct event_base *base, unsigned n)
{
	int	i;

	for (i = 0; i < 500 && ndone < n; i++)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(ndone, n);
}

static void
test_one_read(void **state)
{
	struct event_base	*base = *state;
	struct reload		*r;

	r = reload_new(base, "/etc/nmigd.conf", read_gated, on_done, NULL);
	assert_int_equal(reload_request(r), 1);
	let_one_read_end();
	loop_until_done(base, 1);
	assert_int_equal(done[0].seq, 1);
	assert_string_equal(done[0].errs.msg[0], "/etc/nmigd.conf:1: read 1");
	reload_free(r);
	assert_int_equal(reads, 1);
}

static void
test_requests_during_a_read_share_the_next(void **state)
{
	struct event_base	*base = *state;
	struct reload		*r;

	r = reload_new(base, "f", read_gated, on_done, NULL);
	assert_int_equal(reload_request(r), 1);
	/* Asked while read 1 runs: answered by read 2, which starts once
	 * read 1 is over, not by read 1. */
	assert_int_equal(reload_request(r), 2);
	assert_int_equal(reload_request(r), 2);
	assert_int_equal(reload_request(r), 2);
	let_one_read_end();
	loop_until_done(base, 1);
	assert_int_equal(done[0].seq, 1);
	let_one_read_end();
	loop_until_done(base, 2);
	assert_int_equal(done[1].seq, 2);
	assert_string_equal(done[1].errs.msg[0], "f:2: read 2");
	assert_int_equal(reads, 2);
	/* Idle again: the next request starts a read of its own. */
	assert_int_equal(reload_request(r), 3);
	let_one_read_end();
	loop_until_done(base, 3);
	assert_int_equal(done[2].seq, 3);
	reload_free(r);
	assert_int_equal(reads, 3);
}

static void
test_free_during_a_read(void **state)
{
	struct event_base	*base = *state;
	struct reload		*r;

	r = reload_new(base, "f", read_gated, on_done, NULL);
	assert_int_equal(reload_request(r), 1);
	assert_int_equal(reload_request(r), 2);
	let_one_read_end();
	/* Waits for read 1 and drops it; read 2 never starts, nothing is
	 * called back. */
	reload_free(r);
	assert_int_equal(ndone, 0);
	assert_int_equal(reads, 1);
}

/* A callee that asks for another reload while being told of one: the
 * request waits for the read already started for it (or starts one),
 * never a second thread over a running one. */
static struct reload	*reenter_r;
static unsigned		 reenter_seq;

static void
on_done_reenter(void *arg, struct reload_result *res)
{
	on_done(arg, res);
	if (res->seq == 1)
		reenter_seq = reload_request(reenter_r);
}

static void
test_request_from_the_callback(void **state)
{
	struct event_base	*base = *state;

	reenter_r = reload_new(base, "f", read_gated, on_done_reenter, NULL);
	assert_int_equal(reload_request(reenter_r), 1);
	assert_int_equal(reload_request(reenter_r), 2);
	let_one_read_end();
	loop_until_done(base, 1);
	/* Read 2 was started before read 1's callback: the callback's
	 * request is answered by read 3, after it. */
	assert_true(reload_busy(reenter_r));
	assert_int_equal(reenter_seq, 3);
	let_one_read_end();
	loop_until_done(base, 2);
	let_one_read_end();
	loop_until_done(base, 3);
	assert_int_equal(done[1].seq, 2);
	assert_int_equal(done[2].seq, 3);
	assert_false(reload_busy(reenter_r));
	reload_free(reenter_r);
	assert_int_equal(reads, 3);
}

/* A read that does not end (a hung file system) does not hold the exit:
 * freeing gives up on it after a few seconds. */
static void
test_free_during_a_stuck_read(void **state)
{
	struct event_base	*base = *state;
	struct reload		*r;
	time_t			 t0;

	r = reload_new(base, "f", read_gated, on_done, NULL);
	assert_int_equal(reload_request(r), 1);
	t0 = time(NULL);
	reload_free(r);
	assert_true(time(NULL) - t0 <= 5);
	assert_int_equal(ndone, 0);
	/* Let the abandoned thread end before the gate closes. */
	let_one_read_end();
	usleep(100000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_requests_during_a_read_share_the_next, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_during_a_read,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_from_the_callback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_during_a_stuck_read,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
