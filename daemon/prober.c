/*
 * Probing: nmigd's own non-blocking sockets on the libevent loop, with
 * queries built and answers walked by lib/packet.c.  A library resolver
 * would block and accept the first datagram that arrives, which is
 * exactly what a monitor must not do.
 *
 * Each query goes out on a random port of the socket pool
 * (daemon/sockpool.c) with a random ID.  A datagram is accepted only from
 * the address and port asked, to that port with that ID, and with the
 * question asked; anything else is dropped and counted.  TC=1 moves the
 * query to TCP.  No acceptable answer within the timeout: the query is
 * sent again on the same port with the same ID, so that a late answer to
 * an earlier try still counts, up to `retries` times.  A query's wire form
 * is built once; a new ID is patched in.
 *
 * Queries wait for their server's pace (daemon/pace.c): its rate, and
 * its back-off when it stops answering, which skips them.  Besides,
 * max_inflight bounds the queries on the wire at once.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "addr.h"
#include "log.h"
#include "pace.h"
#include "prober.h"
#include "random.h"
#include "sockpool.h"
#include "wire.h"
#include "util.h"

#define PROBER_START_BURST	32	/* queries started per loop pass */
#define PROBER_SPARE_MAX	512	/* finished queries kept for reuse */

/* A spare query is memory no longer freed: under AddressSanitizer it is
 * poisoned but for its list entry, so that a use after its release is
 * still reported as one, not read as whatever query it became. */
#if defined(__SANITIZE_ADDRESS__)		/* gcc */
#define PROBER_ASAN	1
#elif defined(__has_feature)			/* clang */
#if __has_feature(address_sanitizer)
#define PROBER_ASAN	1
#endif
#endif
#ifdef PROBER_ASAN
#include <sanitizer/asan_interface.h>
#define SPARE_POISON(q)	ASAN_POISON_MEMORY_REGION(&(q)->pq, \
	sizeof(*(q)) - offsetof(struct query, pq))
#define SPARE_UNPOISON(q) ASAN_UNPOISON_MEMORY_REGION(&(q)->pq, \
	sizeof(*(q)) - offsetof(struct query, pq))
#else
#define SPARE_POISON(q)		((void)(q))
#define SPARE_UNPOISON(q)	((void)(q))
#endif

/* The pool ports a check's samples went out on: an anycast address's
 * load balancing may send two queries from one port to one cache. */
struct sample_ports {
	unsigned		 refs;		/* its samples' */
	unsigned		 n;
	int			 slot[PROBE_SAMPLES_MAX];
};

struct query {
	TAILQ_ENTRY(query)	 entry;		/* inflight, or spare */
	struct paced		 pq;		/* its pace's */
	struct sp_query		 sq;		/* its port and ID */
	struct sample_ports	*apart;		/* NULL: one sample */
	struct prober		*p;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	char			 owner[NMIG_NAMEBUF];
	uint16_t		 type;
	unsigned		 flags;		/* PROBE_* */
	unsigned		 timeout_ms;
	unsigned		 retries;
	unsigned		 tries;
	bool			 tcp_due;	/* TC=1: TCP when paced */
	struct event		*ev_timer;	/* kept while spare */
	struct bufferevent	*bev;		/* TCP fallback */
	uint8_t			 wire[PACKET_QUERY_MAX];
	size_t			 wirelen;
	struct timespec		 sent_at;	/* 0: never sent */
	probe_done_cb		 done;
	void			*arg;
	uint64_t		 tag;
};
TAILQ_HEAD(queryq, query);

struct prober {
	struct event_base	*base;
	unsigned		 max_inflight;
	struct queryq		 inflight;
	/* Finished queries with their timers, for the next ones: a calloc,
	 * an evtimer_new and two frees a probe were 3% of its CPU at
	 * 10,000 x 50 (bench/run.sh -p perf W2). */
	struct queryq		 spare;
	unsigned		 nspare;
	/* The last owner encoded: a round asks every resolver the same
	 * names.  Encoding from text was 2% of the CPU at 10,000 x 50;
	 * the string compare that replaced it costs about as much
	 * (bench/RESULTS.md): a probe carrying its wire-form name would
	 * not. */
	char			 last_owner[NMIG_NAMEBUF];
	struct wire_name	 last_name;
	uint32_t		 last_key;	/* its hash, for the pace */
	struct query		*last_query;	/* the probe before, while
						 * it is alive: PROBE_APART */
	struct pacer		*pacer;		/* the queries waiting */
	struct sockpool		*pool;		/* the queries on the wire */
	struct event		*ev_kick;
	bool			 starved;	/* out of descriptors: the
						 * kick is timed */
	struct prober_stats	 stats;
};

static void	prober_kick_cb(evutil_socket_t, short, void *);
static void	prober_pace_ready(void *);
static void	prober_answer_cb(struct sp_query *, const uint8_t *, size_t,
		    void *);
static void	prober_stray_cb(const struct sockaddr *, void *);
static void	query_timeout_cb(evutil_socket_t, short, void *);
static void	query_start_tcp(struct query *);
static void	query_tcp_when_paced(struct query *);
static void	query_tcp_read_cb(struct bufferevent *, void *);
static void	query_tcp_event_cb(struct bufferevent *, short, void *);

struct prober *
prober_new(struct event_base *base, unsigned max_inflight)
{
	struct prober	*p;

	p = xcalloc(1, sizeof(*p));
	p->base = base;
	p->max_inflight = max_inflight > 0 ? max_inflight : 1;
	TAILQ_INIT(&p->inflight);
	TAILQ_INIT(&p->spare);
	if ((p->ev_kick = event_new(base, -1, 0, prober_kick_cb, p)) == NULL)
		fatalx("%s: event_new", __func__);
	p->pacer = pacer_new(base, prober_pace_ready, p);
	/* A quarter of the window in ports: their descriptors count against
	 * the same limit as TCP's. */
	p->pool = sockpool_new(base, p->max_inflight / 4, p->max_inflight,
	    prober_answer_cb, prober_stray_cb, p);
	return p;
}

/* A query to fill, its timer ready; NULL when libevent cannot make one. */
static struct query *
query_alloc(struct prober *p)
{
	struct query	*q;
	struct event	*ev;

	if ((q = TAILQ_FIRST(&p->spare)) != NULL) {
		TAILQ_REMOVE(&p->spare, q, entry);
		p->nspare--;
		SPARE_UNPOISON(q);
		ev = q->ev_timer;
		memset(q, 0, sizeof(*q));
		q->ev_timer = ev;
		return q;
	}
	q = xcalloc(1, sizeof(*q));
	if ((q->ev_timer = evtimer_new(p->base, query_timeout_cb, q)) ==
	    NULL) {
		free(q);
		return NULL;
	}
	return q;
}

static void
query_destroy(struct query *q)
{
	event_free(q->ev_timer);
	free(q);
}

static void
query_release(struct query *q)
{
	struct prober	*p = q->p;

	if (p->last_query == q)
		p->last_query = NULL;
	if (q->apart != NULL && --q->apart->refs == 0)
		free(q->apart);
	sockpool_remove(p->pool, &q->sq);
	evtimer_del(q->ev_timer);
	if (q->bev != NULL) {
		bufferevent_free(q->bev);
		q->bev = NULL;
	}
	if (p->nspare >= PROBER_SPARE_MAX) {
		query_destroy(q);
		return;
	}
	TAILQ_INSERT_HEAD(&p->spare, q, entry);
	p->nspare++;
	SPARE_POISON(q);
}

void
prober_free(struct prober *p)
{
	struct query	*q;

	if (p == NULL)
		return;
	prober_cancel_all(p);
	while ((q = TAILQ_FIRST(&p->spare)) != NULL) {
		TAILQ_REMOVE(&p->spare, q, entry);
		SPARE_UNPOISON(q);
		query_destroy(q);
	}
	pacer_free(p->pacer);
	sockpool_free(p->pool);
	event_free(p->ev_kick);
	free(p);
}

static struct query *
query_of(struct paced *pq)
{
	return (struct query *)(void *)((char *)pq -
	    offsetof(struct query, pq));
}

static void
query_drained(struct paced *pq, void *arg)
{
	query_release(query_of(pq));
}

void
prober_cancel_all(struct prober *p)
{
	struct query	*q;

	pacer_drain(p->pacer, query_drained, p);
	while ((q = TAILQ_FIRST(&p->inflight)) != NULL) {
		TAILQ_REMOVE(&p->inflight, q, entry);
		p->stats.inflight--;
		pacer_done(p->pacer, &q->pq, PACE_NEUTRAL);
		query_release(q);
	}
}

void
prober_get_stats(const struct prober *p, struct prober_stats *st)
{
	struct pacer_stats	ps;

	pacer_get_stats(p->pacer, &ps);
	*st = p->stats;
	st->queued = ps.queued;
	st->skipped = ps.skipped;
	st->backing_off = ps.backing_off;
	st->sockets = sockpool_open(p->pool);
	st->private_ports = sockpool_private(p->pool);
}

bool
prober_pace_info(const struct prober *p, const struct sockaddr *sa,
    struct pace_info *pi)
{
	return pacer_info(p->pacer, sa, pi);
}

void
prober_rates_begin(struct prober *p)
{
	pacer_rates_begin(p->pacer);
}

void
prober_rate(struct prober *p, const struct sockaddr *sa, socklen_t salen,
    unsigned rate, const char *label)
{
	(void)pacer_pace(p->pacer, sa, salen, rate, label);
}

/* The ID is patched in when the query goes out. */
static int
query_encode(struct query *q)
{
	struct prober	*p = q->p;

	if (p->last_name.len == 0 || strcmp(q->owner, p->last_owner) != 0) {
		if (wire_name_from_text(q->owner, &p->last_name) == -1) {
			p->last_name.len = 0;
			return -1;
		}
		strcpy(p->last_owner, q->owner);
		p->last_key = (uint32_t)fnv_add(FNV_OFFSET, q->owner,
		    strlen(q->owner));
	}
	q->pq.key = p->last_key;
	q->wirelen = (size_t)packet_query_name(&p->last_name, q->type, 0,
	    q->flags & (PQ_RD | PQ_DO), q->wire);
	return 0;
}

static void
query_set_id(struct query *q, uint16_t id)
{
	q->wire[0] = (uint8_t)(id >> 8);
	q->wire[1] = (uint8_t)id;
}

static uint16_t
query_id(const struct query *q)
{
	return (uint16_t)(q->wire[0] << 8 | q->wire[1]);
}

/* A later sample of the check the probe before asked shares its port
 * set; the first learns it has one now. */
static void
query_join_samples(struct query *q)
{
	struct prober	*p = q->p;
	struct query	*prev = p->last_query;

	p->last_query = q;
	if (!(q->flags & PROBE_APART) || prev == NULL)
		return;
	if (prev->apart == NULL) {
		prev->apart = xcalloc(1, sizeof(*prev->apart));
		prev->apart->refs = 1;
	}
	q->apart = prev->apart;
	q->apart->refs++;
}

/* On a pool port, apart from its check's other samples. */
static int
query_add_port(struct query *q)
{
	struct sample_ports	*sp = q->apart;
	struct sockpool		*pool = q->p->pool;

	if (sp == NULL)
		return sockpool_add(pool, &q->sq);
	if (sockpool_add_apart(pool, &q->sq, sp->slot, sp->n) == -1)
		return -1;
	if (q->sq.slot != -1 && sp->n < PROBE_SAMPLES_MAX)
		sp->slot[sp->n++] = q->sq.slot;
	return 0;
}

int
prober_query(struct prober *p, const struct probe *pr)
{
	struct query	*q;

	if (pr->salen > sizeof(q->sa) ||
	    strlen(pr->owner) >= sizeof(q->owner))
		return -1;
	if ((q = query_alloc(p)) == NULL)
		return -1;
	q->p = p;
	memcpy(&q->sa, pr->sa, pr->salen);
	q->salen = pr->salen;
	q->sq.sa = (struct sockaddr *)&q->sa;
	q->sq.salen = q->salen;
	q->sq.slot = -1;
	strcpy(q->owner, pr->owner);
	q->type = pr->type;
	q->flags = pr->flags;
	q->timeout_ms = pr->timeout_ms;
	q->retries = pr->retries;
	q->done = pr->done;
	q->arg = pr->arg;
	q->tag = pr->tag;
	if (query_encode(q) == -1) {
		query_release(q);
		return -1;
	}
	query_join_samples(q);
	/* Always through the queue: the callback is never called from
	 * within prober_query(), so a caller can count its probes first. */
	pacer_push(p->pacer, pacer_pace(p->pacer, pr->sa, pr->salen,
	    pr->rate, pr->label), &q->pq, (pr->flags & PROBE_FIRST) != 0);
	p->stats.queries++;
	if (!p->starved)
		event_active(p->ev_kick, 0, 0);
	return 0;
}

static uint32_t
elapsed_ms(const struct timespec *since)
{
	struct timespec	now;
	int64_t		ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(now.tv_sec - since->tv_sec) * 1000 +
	    (now.tv_nsec - since->tv_nsec) / 1000000;
	return ms < 0 ? 0 : (uint32_t)ms;
}

/* What the result says of the server, for its pace: REFUSED to a
 * recursive query (a resolver's) is about us, a rate limit or an access
 * list; to an authoritative server's, about the name.  An error with a
 * TCP connection is the server's; any other is ours. */
static enum pace_outcome
query_outcome(const struct query *q, enum obs_status status,
    const struct answer *a)
{
	switch (status) {
	case OBS_ANSWER:
		return (q->flags & PROBE_RD) && a->rcode == WIRE_RCODE_REFUSED ?
		    PACE_REFUSED : PACE_OK;
	case OBS_TIMEOUT:
		return PACE_TIMEOUT;
	case OBS_ERROR:
		return q->bev != NULL ? PACE_BROKEN : PACE_NEUTRAL;
	default:
		return PACE_NEUTRAL;
	}
}

/* Report and forget the query; frees its slot for the next one. */
static void
query_finish(struct query *q, enum obs_status status, struct answer *a)
{
	struct prober		*p = q->p;
	struct observation	 res;

	pacer_done(p->pacer, &q->pq, query_outcome(q, status, a));
	memset(&res, 0, sizeof(res));
	res.status = status;
	if (a != NULL)
		res.answer = *a;
	res.rtt_ms = q->sent_at.tv_sec != 0 ? elapsed_ms(&q->sent_at) : 0;
	res.tries = q->tries;
	res.via_tcp = q->bev != NULL;
	res.tag = q->tag;
	TAILQ_REMOVE(&p->inflight, q, entry);
	p->stats.inflight--;
	if (status == OBS_ANSWER)
		p->stats.answers++;
	else if (status == OBS_TIMEOUT)
		p->stats.timeouts++;
	else
		p->stats.errors++;
	q->done(&res, q->arg);
	if (a != NULL)
		answer_free(a);
	query_release(q);
	if (!p->starved)
		event_active(p->ev_kick, 0, 0);
}

static void
timeout_tv(unsigned ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

/* now: when it goes, CLOCK_MONOTONIC's. */
static int
query_send(struct query *q, const struct timespec *now)
{
	struct timeval	tv;

	q->tries++;
	q->p->stats.sent++;
	q->sent_at = *now;
	if (sockpool_send(q->p->pool, &q->sq, q->wire, q->wirelen) == -1) {
		log_debug("%s: sendto %s: %s", __func__, q->owner,
		    strerror(errno));
		return -1;
	}
	timeout_tv(q->timeout_ms, &tv);
	evtimer_add(q->ev_timer, &tv);
	return 0;
}

/* A probe that asked for TCP: no datagram first.  Out of descriptors,
 * it fails like a refused connection. */
static int
query_start_tcp_only(struct query *q)
{
	struct prober	*p = q->p;

	TAILQ_INSERT_TAIL(&p->inflight, q, entry);
	p->stats.inflight++;
	q->tries = 1;
	query_start_tcp(q);
	return 0;
}

/* Not sent: its server is backed off.  Reported at once, as
 * OBS_SKIPPED, so that its round can end. */
static void
query_skip(struct query *q)
{
	struct observation	res;

	memset(&res, 0, sizeof(res));
	res.status = OBS_SKIPPED;
	res.tag = q->tag;
	q->done(&res, q->arg);
	query_release(q);
}

/* -1: out of descriptors; q is back at the head of its queue. */
static int
query_start(struct query *q, const struct timespec *now)
{
	struct prober	*p = q->p;
	struct timeval	 later = { 0, 200000 };
	int		 rc;

	if (q->flags & PROBE_TCP)
		return query_start_tcp_only(q);
	rc = query_add_port(q);
	if (rc == -1 && (errno == EMFILE || errno == ENFILE ||
	    errno == ENOBUFS || errno == ENOMEM)) {
		/* Our shortage, not the resolver's failure: wait. */
		if (!p->starved)
			log_warn("probe: no socket for a query; trying again "
			    "shortly");
		pacer_putback(p->pacer, &q->pq);
		/* A pause, which finishes and tokens must not cut short. */
		p->starved = true;
		event_add(p->ev_kick, &later);
		return -1;
	}
	TAILQ_INSERT_TAIL(&p->inflight, q, entry);
	p->stats.inflight++;
	/* query_send() times the query: one that fails before it has no
	 * response time. */
	q->sent_at.tv_sec = 0;
	if (rc == -1) {
		log_warn("probe: no socket for a query for %s", q->owner);
		query_finish(q, OBS_ERROR, NULL);
		return 0;
	}
	query_set_id(q, q->sq.id);
	if (query_send(q, now) == -1)
		query_finish(q, OBS_ERROR, NULL);
	return 0;
}

/* A pace has a token again. */
static void
prober_pace_ready(void *arg)
{
	struct prober	*p = arg;

	if (!p->starved)
		event_active(p->ev_kick, 0, 0);
}

static void
prober_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct prober	*p = arg;
	struct paced	*pq;
	struct timeval	 zero = { 0, 0 };
	struct timespec	 now;
	enum pace_verdict v;
	uint64_t	 errors;
	int		 n;

	p->starved = false;
	/* One reading for the burst: its sends are microseconds apart, and
	 * two readings a probe were 1% of the CPU at 10,000 x 50.  A probe
	 * reported within the burst (skipped, or failed to go) may end its
	 * round in the callback, which takes longer: the clock is read
	 * again after it, so that the sends after are timed right. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* A few at a time, so that answers already waiting are read (and
	 * timed) between bursts instead of after a thousand sends. */
	for (n = 0; n < PROBER_START_BURST; n++) {
		if (p->stats.inflight >= p->max_inflight ||
		    (v = pacer_next(p->pacer, &now, &pq)) == PACE_NONE)
			return;		/* a finish or a token kicks again */
		errors = p->stats.errors;
		if (v == PACE_SKIP)
			query_skip(query_of(pq));
		else if (query_start(query_of(pq), &now) == -1)
			return;		/* out of descriptors: kick is timed */
		if (v == PACE_SKIP || p->stats.errors != errors)
			clock_gettime(CLOCK_MONOTONIC, &now);
	}
	/* More may be ready: a zero timeout, not event_active(), as the
	 * loop polls the sockets before it runs timers, and that poll is
	 * the point. */
	if (p->stats.inflight < p->max_inflight)
		event_add(p->ev_kick, &zero);
}

static void
query_timer_ms(struct query *q, unsigned ms)
{
	struct timeval	tv;

	timeout_tv(ms, &tv);
	evtimer_add(q->ev_timer, &tv);
}

/* The try timed out, or (tcp_due, or a retry waiting for its server's
 * pace) a token may be there. */
static void
query_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct query	*q = arg;
	struct timespec	 now;
	unsigned	 wait;

	if (q->tcp_due) {
		query_tcp_when_paced(q);
		return;
	}
	if (q->bev != NULL || q->tries > q->retries) {
		query_finish(q, OBS_TIMEOUT, NULL);
		return;
	}
	/* A retry is one more datagram to the server: paced too.  Its
	 * socket stays open meanwhile, for a late answer. */
	switch (pacer_again(q->p->pacer, &q->pq, &wait)) {
	case PACE_SEND:
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (query_send(q, &now) == -1)
			query_finish(q, OBS_ERROR, NULL);
		return;
	case PACE_NONE:
		query_timer_ms(q, wait);
		return;
	default:
		query_finish(q, OBS_TIMEOUT, NULL);	/* backed off */
	}
}

/* TCP after TC=1 is one more query to the server: it waits for a
 * token, on the query's timer. */
static void
query_tcp_when_paced(struct query *q)
{
	unsigned	wait;

	switch (pacer_again(q->p->pacer, &q->pq, &wait)) {
	case PACE_SEND:
		q->tcp_due = false;
		query_start_tcp(q);
		return;
	case PACE_NONE:
		q->tcp_due = true;
		query_timer_ms(q, wait);
		return;
	default:
		query_finish(q, OBS_TIMEOUT, NULL);	/* backed off */
	}
}

/* Over TCP: after TC=1 over UDP, or from the start for a probe that
 * asks for it. */
static void
query_start_tcp(struct query *q)
{
	struct prober	*p = q->p;
	uint8_t		 len[2];
	struct timeval	 tv;

	if (!(q->flags & PROBE_TCP)) {
		sockpool_remove(p->pool, &q->sq);
		p->stats.tcp_fallbacks++;
		evtimer_del(q->ev_timer);
		/* A fresh ID: the UDP one has been seen by whoever sent
		 * TC=1. */
		query_set_id(q, (uint16_t)random_uniform(65536));
	}
	q->bev = bufferevent_socket_new(p->base, -1,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (q->bev == NULL) {
		query_finish(q, OBS_ERROR, NULL);
		return;
	}
	bufferevent_setcb(q->bev, query_tcp_read_cb, NULL, query_tcp_event_cb, q);
	/* One length and one message at most: a server that streams more
	 * is not read further, and times out. */
	bufferevent_setwatermark(q->bev, EV_READ, 0, 2 + 65535);
	len[0] = (uint8_t)(q->wirelen >> 8);
	len[1] = (uint8_t)q->wirelen;
	bufferevent_write(q->bev, len, 2);
	bufferevent_write(q->bev, q->wire, q->wirelen);
	bufferevent_enable(q->bev, EV_READ | EV_WRITE);
	clock_gettime(CLOCK_MONOTONIC, &q->sent_at);
	timeout_tv(q->timeout_ms, &tv);
	evtimer_add(q->ev_timer, &tv);
	if (bufferevent_socket_connect(q->bev, (struct sockaddr *)&q->sa,
	    (int)q->salen) == -1)
		query_finish(q, OBS_ERROR, NULL);
}

/* Returns 1 when the datagram answered the query (and finished it). */
static int
query_consider(struct query *q, const uint8_t *pkt, size_t len)
{
	struct answer		a;
	struct wire_name	qname;
	enum packet_verdict	v;
	size_t			pos = WIRE_HDRLEN;

	/* The question as the query put it, not its text again: encoding
	 * the owner for every datagram was 2% of the daemon's CPU. */
	if (wire_name_read(q->wire, q->wirelen, &pos, &qname, false) == -1)
		return 0;		/* our own encoding: cannot happen */
	v = packet_parse_answer_name(pkt, len, query_id(q), &qname, q->type,
	    &a);
	if (v != PKT_OK) {
		q->p->stats.dropped++;
		log_debug("dropped datagram for %s: %s", q->owner,
		    packet_verdict_name(v));
		return 0;
	}
	/* TC=1 over TCP would be a broken server: take what it gave. */
	if (a.tc && q->bev == NULL) {
		answer_free(&a);
		/* Over UDP it is done: a second TC=1 must not take a
		 * second token. */
		sockpool_remove(q->p->pool, &q->sq);
		query_tcp_when_paced(q);
		return 1;
	}
	query_finish(q, OBS_ANSWER, &a);
	return 1;
}

/* An answer from the query's server, to its port, with its ID. */
static void
prober_answer_cb(struct sp_query *sq, const uint8_t *pkt, size_t len,
    void *arg)
{
	struct query	*q = (struct query *)(void *)((char *)sq -
	    offsetof(struct query, sq));

	(void)query_consider(q, pkt, len);
}

/* From elsewhere, to another port or with another ID: junk, spoofing or
 * an answer after its query was given up. */
static void
prober_stray_cb(const struct sockaddr *from, void *arg)
{
	struct prober	*p = arg;

	p->stats.dropped++;		/* a flood must not flood the log */
}

static void
query_tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct query	*q = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 avail = evbuffer_get_length(in), msglen;
	uint8_t		*buf;

	/* The read watermark keeps this at one message's worth. */
	if ((buf = evbuffer_pullup(in, -1)) == NULL && avail > 0) {
		query_finish(q, OBS_ERROR, NULL);
		return;
	}
	switch (packet_tcp_frame(buf, avail, &msglen)) {
	case TCP_NEED_MORE:
		return;
	case TCP_BAD:
		query_finish(q, OBS_ERROR, NULL);
		return;
	case TCP_MESSAGE:
		break;
	}
	/* Over TCP the peer is the server we connected to; a mismatch is
	 * a broken server, not something to wait past. */
	if (!query_consider(q, buf + 2, msglen))
		query_finish(q, OBS_ERROR, NULL);
}

static void
query_tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct query	*q = arg;

	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		log_debug("%s: TCP to resolver failed for %s", __func__,
		    q->owner);
		query_finish(q, OBS_ERROR, NULL);
	}
}
