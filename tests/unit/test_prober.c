/*
 * daemon/prober.c's spare queries and sample sets, from inside (the file
 * is included): a released query is reused zeroed with its timer, and
 * under AddressSanitizer it is poisoned while spare, so that a use after
 * release is still reported; a check's samples, answered by a server on
 * loopback, come from as many ports, and their shared set is freed with
 * the last of them (LeakSanitizer, double frees).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "prober.c"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN	1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define SAMPLES	3

/* A released query is the next one allocated: zeroed but for its timer,
 * and, in between, poisoned but for its list entry. */
static void
test_spare_reused(void **state)
{
	struct event_base	*base = event_base_new();
	struct prober		*p = prober_new(base, 16);
	struct query		*q, *q2;

	assert_non_null(q = query_alloc(p));
	q->p = p;
	q->sq.slot = -1;
	q->type = 1;
	q->apart = xcalloc(1, sizeof(*q->apart));
	q->apart->refs = 1;
	query_release(q);
	assert_int_equal(p->nspare, 1);
#ifdef TEST_ASAN
	assert_true(__asan_address_is_poisoned(&q->type));
	assert_true(__asan_address_is_poisoned(&q->ev_timer));
	assert_false(__asan_address_is_poisoned(&q->entry));
#endif
	assert_ptr_equal(q2 = query_alloc(p), q);
	assert_int_equal(p->nspare, 0);
	assert_non_null(q2->ev_timer);
	assert_null(q2->apart);
	assert_int_equal(q2->type, 0);
	q2->p = p;
	q2->sq.slot = -1;
	query_release(q2);
	prober_free(p);
	event_base_free(base);
}

struct server {
	int			 fd;
	struct event		*ev;
	uint16_t		 ports[SAMPLES * 2];
	unsigned		 n;
};

/* Every query answered NOERROR, no data: the query itself, QR set. */
static void
server_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server		*s = arg;
	struct sockaddr_in	 from;
	socklen_t		 fromlen = sizeof(from);
	uint8_t			 buf[512];
	ssize_t			 n;

	while ((n = recvfrom(fd, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &fromlen)) > WIRE_HDRLEN) {
		if (s->n < SAMPLES * 2)
			s->ports[s->n++] = ntohs(from.sin_port);
		buf[2] |= 0x80;
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
		    fromlen);
		fromlen = sizeof(from);
	}
}

struct run {
	struct prober		*p;
	struct probe		 pr;
	unsigned		 answers, done;
	bool			 again;	/* one more check from a callback */
};

static void
check_samples(struct run *r)
{
	unsigned	s;

	for (s = 0; s < SAMPLES; s++) {
		r->pr.flags = s > 0 ? PROBE_APART : 0;
		r->pr.tag = s;
		assert_int_equal(prober_query(r->p, &r->pr), 0);
	}
}

/* The first answer asks a second check: its queries are the spares of
 * this one's, released as their answers came. */
static void
run_done_cb(const struct observation *o, void *arg)
{
	struct run	*r = arg;

	r->done++;
	if (o->status == OBS_ANSWER)
		r->answers++;
	if (r->again) {
		r->again = false;
		check_samples(r);
	}
	if (r->done == SAMPLES * 2)
		event_base_loopbreak(r->p->base);
}

static void
test_samples_apart(void **state)
{
	struct event_base	*base = event_base_new();
	struct server		 srv;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	struct run		 r;
	struct timeval		 limit = { 10, 0 };
	unsigned		 i, j;

	memset(&srv, 0, sizeof(srv));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((srv.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK,
	    0)) != -1);
	assert_int_equal(bind(srv.fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	assert_int_equal(getsockname(srv.fd, (struct sockaddr *)&sin, &slen),
	    0);
	srv.ev = event_new(base, srv.fd, EV_READ | EV_PERSIST,
	    server_read_cb, &srv);
	event_add(srv.ev, NULL);

	memset(&r, 0, sizeof(r));
	r.p = prober_new(base, 64);
	r.pr.sa = (struct sockaddr *)&sin;
	r.pr.salen = sizeof(sin);
	r.pr.owner = "example.com.";
	r.pr.type = 1;
	r.pr.timeout_ms = 2000;
	r.pr.rate = 1000;
	r.pr.label = "loopback";
	r.pr.done = run_done_cb;
	r.pr.arg = &r;
	r.again = true;
	check_samples(&r);
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);

	assert_int_equal(r.answers, SAMPLES * 2);
	assert_int_equal(srv.n, SAMPLES * 2);
	/* Within each check, as many ports as samples. */
	for (i = 0; i < srv.n; i++)
		for (j = i + 1; j < srv.n; j++)
			if (i / SAMPLES == j / SAMPLES)
				assert_int_not_equal(srv.ports[i],
				    srv.ports[j]);
	/* Queued and never sent: their set goes with them. */
	check_samples(&r);
	prober_cancel_all(r.p);
	prober_free(r.p);
	event_free(srv.ev);
	close(srv.fd);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spare_reused),
		cmocka_unit_test(test_samples_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
