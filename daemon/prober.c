/*
 * Probing: nmigd's own non-blocking sockets on the libevent loop, with
 * queries built and answers walked by lib/packet.c.  A library resolver
 * would block and accept the first datagram that arrives, which is
 * exactly what a monitor must not do.
 *
 * Each query gets its own UDP socket bound to a random port and a random
 * ID.  A datagram is accepted only from the address and port asked, with
 * the ID and the question asked; anything else is dropped and counted.  TC=1
 * moves the query to TCP.  No acceptable answer within the timeout: the
 * query is sent again on the same socket with the same ID, so that a late
 * answer to an earlier try still counts, up to `retries` times.
 *
 * Queries wait for their server's pace (daemon/pace.c): its rate, and
 * its back-off when it stops answering, which skips them.  Besides,
 * max_inflight bounds the sockets open at once.
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
#include "wire.h"
#include "util.h"

#define PROBER_RECVBUF		65535
#define PROBER_READ_BURST	16	/* datagrams per read callback */
#define PROBER_BIND_TRIES	10
#define PROBER_START_BURST	32	/* queries started per loop pass */

struct query {
	TAILQ_ENTRY(query)	 entry;		/* inflight */
	struct paced		 pq;		/* its pace's */
	struct prober		*p;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	char			 owner[NMIG_NAMEBUF];
	uint16_t		 type;
	uint16_t		 id;
	unsigned		 flags;		/* PROBE_* */
	unsigned		 timeout_ms;
	unsigned		 retries;
	unsigned		 tries;
	bool			 tcp_due;	/* TC=1: TCP when paced */
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_timer;
	struct bufferevent	*bev;		/* TCP fallback */
	uint8_t			 wire[PACKET_QUERY_MAX];
	size_t			 wirelen;
	struct timespec		 sent_at;
	probe_done_cb		 done;
	void			*arg;
	uint64_t		 tag;
};
TAILQ_HEAD(queryq, query);

struct prober {
	struct event_base	*base;
	unsigned		 max_inflight;
	struct queryq		 inflight;
	struct pacer		*pacer;		/* the queries waiting */
	struct event		*ev_kick;
	bool			 starved;	/* out of descriptors: the
						 * kick is timed */
	struct prober_stats	 stats;
	uint8_t			 buf[PROBER_RECVBUF];
};

static void	prober_kick_cb(evutil_socket_t, short, void *);
static void	prober_pace_ready(void *);
static void	query_read_cb(evutil_socket_t, short, void *);
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
	if ((p->ev_kick = event_new(base, -1, 0, prober_kick_cb, p)) == NULL)
		fatalx("%s: event_new", __func__);
	p->pacer = pacer_new(base, prober_pace_ready, p);
	return p;
}

static void
query_release(struct query *q)
{
	if (q->ev_read != NULL)
		event_free(q->ev_read);
	if (q->ev_timer != NULL)
		event_free(q->ev_timer);
	if (q->bev != NULL)
		bufferevent_free(q->bev);
	if (q->fd != -1)
		close(q->fd);
	free(q);
}

void
prober_free(struct prober *p)
{
	if (p == NULL)
		return;
	prober_cancel_all(p);
	pacer_free(p->pacer);
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

static int
query_encode(struct query *q)
{
	int	len;

	q->id = (uint16_t)arc4random_uniform(65536);
	if ((len = packet_query(q->owner, q->type, q->id,
	    q->flags & (PQ_RD | PQ_DO), q->wire)) == -1)
		return -1;
	q->wirelen = (size_t)len;
	return 0;
}

int
prober_query(struct prober *p, const struct probe *pr)
{
	struct query	*q;

	if (pr->salen > sizeof(q->sa) ||
	    strlen(pr->owner) >= sizeof(q->owner))
		return -1;
	q = xcalloc(1, sizeof(*q));
	q->p = p;
	q->fd = -1;
	memcpy(&q->sa, pr->sa, pr->salen);
	q->salen = pr->salen;
	strcpy(q->owner, pr->owner);
	q->type = pr->type;
	q->flags = pr->flags;
	q->timeout_ms = pr->timeout_ms;
	q->retries = pr->retries;
	q->done = pr->done;
	q->arg = pr->arg;
	q->tag = pr->tag;
	if (query_encode(q) == -1) {
		free(q);
		return -1;
	}
	/* Always through the queue: the callback is never called from
	 * within prober_query(), so a caller can count its probes first. */
	q->pq.key = (uint32_t)fnv_add(FNV_OFFSET, q->owner, strlen(q->owner));
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
	res.rtt_ms = elapsed_ms(&q->sent_at);
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

/* A random source port as unbound does, rather than trusting the kernel's
 * choice; fall back to the kernel after a few ports in use. */
static void
bind_random_port(int fd, int family)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	uint16_t		 port;
	int			 i;

	for (i = 0; i < PROBER_BIND_TRIES; i++) {
		memset(&ss, 0, sizeof(ss));
		port = (uint16_t)(1024 + arc4random_uniform(65536 - 1024));
		if (family == AF_INET6) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(port);
			len = sizeof(*sin6);
		} else {
			sin->sin_family = AF_INET;
			sin->sin_port = htons(port);
			len = sizeof(*sin);
		}
		if (bind(fd, (struct sockaddr *)&ss, len) == 0)
			return;
		if (errno != EADDRINUSE && errno != EACCES)
			return;
	}
}

static int
query_send(struct query *q)
{
	struct timeval	tv;

	q->tries++;
	q->p->stats.sent++;
	clock_gettime(CLOCK_MONOTONIC, &q->sent_at);
	if (sendto(q->fd, q->wire, q->wirelen, 0, (struct sockaddr *)&q->sa,
	    q->salen) == -1 && errno != EAGAIN && errno != ENOBUFS) {
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
	if ((q->ev_timer = evtimer_new(p->base, query_timeout_cb, q)) ==
	    NULL) {
		query_finish(q, OBS_ERROR, NULL);
		return 0;
	}
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
query_start(struct query *q)
{
	struct prober	*p = q->p;
	int		 family = q->sa.ss_family;
	struct timeval	 later = { 0, 200000 };

	if (q->flags & PROBE_TCP)
		return query_start_tcp_only(q);
	q->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd == -1 && (errno == EMFILE || errno == ENFILE ||
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
	clock_gettime(CLOCK_MONOTONIC, &q->sent_at);
	if (q->fd == -1) {
		log_warn("probe: no socket for a query for %s", q->owner);
		query_finish(q, OBS_ERROR, NULL);
		return 0;
	}
	bind_random_port(q->fd, family);
	q->ev_read = event_new(p->base, q->fd, EV_READ | EV_PERSIST,
	    query_read_cb, q);
	q->ev_timer = evtimer_new(p->base, query_timeout_cb, q);
	if (q->ev_read == NULL || q->ev_timer == NULL ||
	    event_add(q->ev_read, NULL) == -1) {
		log_warnx("probe: cannot register the events of a query "
		    "for %s", q->owner);
		query_finish(q, OBS_ERROR, NULL);
		return 0;
	}
	if (query_send(q) == -1)
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
	struct timeval	 now = { 0, 0 };
	enum pace_verdict v;
	int		 n;

	p->starved = false;
	/* A few at a time, so that answers already waiting are read (and
	 * timed) between bursts instead of after a thousand sends. */
	for (n = 0; n < PROBER_START_BURST; n++) {
		if (p->stats.inflight >= p->max_inflight ||
		    (v = pacer_next(p->pacer, &pq)) == PACE_NONE)
			return;		/* a finish or a token kicks again */
		if (v == PACE_SKIP)
			query_skip(query_of(pq));
		else if (query_start(query_of(pq)) == -1)
			return;		/* out of descriptors: kick is timed */
	}
	/* More may be ready: a zero timeout, not event_active(), as the
	 * loop polls the sockets before it runs timers, and that poll is
	 * the point. */
	if (p->stats.inflight < p->max_inflight)
		event_add(p->ev_kick, &now);
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
		if (query_send(q) == -1)
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

	if (q->fd != -1) {
		p->stats.tcp_fallbacks++;
		event_del(q->ev_read);
		evtimer_del(q->ev_timer);
		close(q->fd);
		q->fd = -1;
		/* A fresh ID: the UDP one has been seen by whoever sent
		 * TC=1. */
		if (query_encode(q) == -1) {
			query_finish(q, OBS_ERROR, NULL);
			return;
		}
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
	enum packet_verdict	v;

	v = packet_parse_answer(pkt, len, q->id, q->owner, q->type, &a);
	if (v != PKT_OK) {
		q->p->stats.dropped++;
		log_debug("dropped datagram for %s: %s", q->owner,
		    packet_verdict_name(v));
		return 0;
	}
	/* TC=1 over TCP would be a broken server: take what it gave. */
	if (a.tc && q->bev == NULL) {
		answer_free(&a);
		query_tcp_when_paced(q);
		return 1;
	}
	query_finish(q, OBS_ANSWER, &a);
	return 1;
}

static void
query_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct query		*q = arg;
	struct prober		*p = q->p;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < PROBER_READ_BURST; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, p->buf, sizeof(p->buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_debug("%s: recvfrom: %s", __func__,
				    strerror(errno));
			return;
		}
		if (!sockaddr_same((struct sockaddr *)&from,
		    (struct sockaddr *)&q->sa)) {
			p->stats.dropped++;
			log_debug("dropped datagram for %s: wrong source",
			    q->owner);
			continue;
		}
		if (query_consider(q, p->buf, (size_t)n))
			return;
	}
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
