/*
 * daemon/sockpool.c on real loopback sockets: queries to one server get
 * IDs that are never outstanding twice on one port; an answer reaches its
 * query only from the server asked, to the port and with the ID the query
 * went out with, and anything else is a stray; a socket is closed after
 * SOCKPOOL_USES queries once the last is done, and the pool opens another;
 * after strays from anywhere, each query has a socket of its own; the
 * samples of one check go out on ports apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "sockpool.h"

#define NQ	2000

struct fixture {
	struct event_base	*base;
	struct sockpool		*sp;
	int			 server;	/* the "resolver" */
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	struct sp_query		 q[NQ];
	struct sp_query		*answered;
	int			 answers, strays;
};

static void
on_answer(struct sp_query *q, const uint8_t *pkt, size_t len, void *arg)
{
	struct fixture	*f = arg;

	f->answered = q;
	f->answers++;
}

static void
on_stray(const struct sockaddr *from, void *arg)
{
	struct fixture	*f = arg;

	f->strays++;
}

static int
loopback_socket(struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	int			 fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*len = sizeof(*sin);
	assert_int_equal(bind(fd, (struct sockaddr *)ss, *len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return fd;
}

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	size_t		 i;

	f->base = event_base_new();
	f->server = loopback_socket(&f->sa, &f->salen);
	for (i = 0; i < NQ; i++) {
		f->q[i].sa = (struct sockaddr *)&f->sa;
		f->q[i].salen = f->salen;
		f->q[i].slot = -1;
		f->q[i].own = NULL;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	sockpool_free(f->sp);
	close(f->server);
	event_base_free(f->base);
	free(f);
	return 0;
}

static void
pool(struct fixture *f, unsigned nslots)
{
	f->sp = sockpool_new(f->base, nslots, NQ, on_answer, on_stray, f);
}

/* The server reads the query and answers from fd with the ID given. */
static void
reply(struct fixture *f, int fd, uint16_t id)
{
	struct sockaddr_storage	from;
	socklen_t		fromlen = sizeof(from);
	uint8_t			buf[512];
	ssize_t			n;

	n = recvfrom(f->server, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &fromlen);
	assert_true(n >= 2);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	assert_int_equal(sendto(fd, buf, (size_t)n, 0,
	    (struct sockaddr *)&from, fromlen), n);
}

static void
run_loop(struct fixture *f)
{
	struct timeval	tv = { 0, 100000 };

	event_base_loopexit(f->base, &tv);
	event_base_dispatch(f->base);
}

static void
test_ids_unique_per_port(void **state)
{
	struct fixture	*f = *state;
	static uint8_t	 seen[4][65536];
	size_t		 i;

	pool(f, 4);
	for (i = 0; i < NQ; i++) {
		assert_int_equal(sockpool_add(f->sp, &f->q[i]), 0);
		assert_true(f->q[i].slot >= 0 && f->q[i].slot < 4);
		assert_int_equal(seen[f->q[i].slot][f->q[i].id], 0);
		seen[f->q[i].slot][f->q[i].id] = 1;
	}
	assert_true(sockpool_open(f->sp) <= 4);
	assert_true(sockpool_open(f->sp) >= 2);	/* random, not one */
	for (i = 0; i < NQ; i++)
		sockpool_remove(f->sp, &f->q[i]);
	sockpool_remove(f->sp, &f->q[0]);	/* twice: a no-op */
}

static void
test_answer_only_from_server_with_id(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 other;
	socklen_t		 otherlen;
	uint8_t			 query[12] = { 0 };
	int			 elsewhere;

	pool(f, 8);
	elsewhere = loopback_socket(&other, &otherlen);
	assert_int_equal(sockpool_add(f->sp, &f->q[0]), 0);

	/* The wrong ID. */
	assert_int_equal(sockpool_send(f->sp, &f->q[0], query,
	    sizeof(query)), 0);
	reply(f, f->server, (uint16_t)(f->q[0].id + 1));
	run_loop(f);
	assert_int_equal(f->answers, 0);
	assert_int_equal(f->strays, 1);

	/* The right ID from another port of the server's address. */
	assert_int_equal(sockpool_send(f->sp, &f->q[0], query,
	    sizeof(query)), 0);
	reply(f, elsewhere, f->q[0].id);
	run_loop(f);
	assert_int_equal(f->answers, 0);
	assert_int_equal(f->strays, 2);

	/* The server, with the ID. */
	assert_int_equal(sockpool_send(f->sp, &f->q[0], query,
	    sizeof(query)), 0);
	reply(f, f->server, f->q[0].id);
	run_loop(f);
	assert_int_equal(f->answers, 1);
	assert_ptr_equal(f->answered, &f->q[0]);

	/* Given up: the same answer again is a stray. */
	assert_int_equal(sockpool_send(f->sp, &f->q[0], query,
	    sizeof(query)), 0);
	sockpool_remove(f->sp, &f->q[0]);
	reply(f, f->server, f->q[0].id);
	run_loop(f);
	assert_int_equal(f->answers, 1);
	assert_int_equal(f->strays, 3);
	close(elsewhere);
}

static void
test_socket_retired_after_uses(void **state)
{
	struct fixture	*f = *state;
	unsigned	 i;

	pool(f, 1);
	assert_int_equal(sockpool_add(f->sp, &f->q[0]), 0);
	assert_int_equal(sockpool_open(f->sp), 1);
	for (i = 1; i < SOCKPOOL_USES; i++) {
		assert_int_equal(sockpool_add(f->sp, &f->q[1]), 0);
		sockpool_remove(f->sp, &f->q[1]);
	}
	/* Worn out, but a query is still waiting on it. */
	assert_int_equal(sockpool_open(f->sp), 1);
	sockpool_remove(f->sp, &f->q[0]);
	assert_int_equal(sockpool_open(f->sp), 0);
	/* A fresh one for the next query. */
	assert_int_equal(sockpool_add(f->sp, &f->q[0]), 0);
	assert_int_equal(sockpool_open(f->sp), 1);
	sockpool_remove(f->sp, &f->q[0]);
}

/* Strays, wherever they claim to come from, and every new query gets a
 * port of its own. */
static void
test_strays_give_ports_of_their_own(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 other;
	socklen_t		 otherlen;
	uint8_t			 query[12] = { 0 };
	unsigned		 i, open;
	int			 elsewhere;

	pool(f, 8);
	elsewhere = loopback_socket(&other, &otherlen);
	assert_int_equal(sockpool_add(f->sp, &f->q[0]), 0);
	for (i = 0; i < SOCKPOOL_STRAYS; i++) {
		assert_false(sockpool_private(f->sp));
		assert_int_equal(sockpool_send(f->sp, &f->q[0], query,
		    sizeof(query)), 0);
		/* Half from the server, half from another port. */
		reply(f, i % 2 ? f->server : elsewhere,
		    (uint16_t)(f->q[0].id ^ 0x8000));
		run_loop(f);
	}
	assert_int_equal(f->strays, SOCKPOOL_STRAYS);
	assert_true(sockpool_private(f->sp));
	assert_null(f->q[0].own);		/* on its shared port still */

	open = sockpool_open(f->sp);
	assert_int_equal(sockpool_add(f->sp, &f->q[1]), 0);
	assert_non_null(f->q[1].own);
	assert_int_equal(sockpool_open(f->sp), open + 1);
	assert_int_equal(sockpool_send(f->sp, &f->q[1], query,
	    sizeof(query)), 0);
	reply(f, f->server, f->q[1].id);
	run_loop(f);
	assert_int_equal(f->answers, 1);
	assert_ptr_equal(f->answered, &f->q[1]);
	sockpool_remove(f->sp, &f->q[1]);
	assert_null(f->q[1].own);
	assert_int_equal(sockpool_open(f->sp), open);
	sockpool_remove(f->sp, &f->q[0]);
	close(elsewhere);
}

/* Samples of one check, each apart from the ones before: never a port
 * twice, over many draws; when the pool has no port left to give, a
 * socket of its own. */
static void
test_samples_on_ports_apart(void **state)
{
	struct fixture	*f = *state;
	int		 taken[3];
	unsigned	 round, s;

	pool(f, 4);
	for (round = 0; round < 200; round++) {
		for (s = 0; s < 3; s++) {
			assert_int_equal(sockpool_add_apart(f->sp, &f->q[s],
			    taken, s), 0);
			assert_null(f->q[s].own);
			taken[s] = f->q[s].slot;
		}
		assert_int_not_equal(taken[0], taken[1]);
		assert_int_not_equal(taken[0], taken[2]);
		assert_int_not_equal(taken[1], taken[2]);
		for (s = 0; s < 3; s++)
			sockpool_remove(f->sp, &f->q[s]);
	}
	sockpool_free(f->sp);

	pool(f, 2);
	assert_int_equal(sockpool_add(f->sp, &f->q[0]), 0);
	taken[0] = f->q[0].slot;
	assert_int_equal(sockpool_add_apart(f->sp, &f->q[1], taken, 1), 0);
	assert_int_not_equal(f->q[1].slot, taken[0]);
	taken[1] = f->q[1].slot;
	assert_int_equal(sockpool_add_apart(f->sp, &f->q[2], taken, 2), 0);
	assert_non_null(f->q[2].own);
	for (s = 0; s < 3; s++)
		sockpool_remove(f->sp, &f->q[s]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_unique_per_port,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_answer_only_from_server_with_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_retired_after_uses,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_strays_give_ports_of_their_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samples_on_ports_apart,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
