/*
 * The pool of UDP sockets and the table of queries outstanding on them
 * (see sockpool.h for why).  Slots are opened when a query first picks
 * them and closed when retired, so a daemon watching a few domains holds
 * a few sockets; the table is keyed by (slot, ID, server), so that an
 * answer finds its query in O(1) whatever the number of domains.  A
 * query's own socket (after strays) is a slot outside the array, with
 * that query alone on it.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "random.h"
#include "sockpool.h"
#include "util.h"

#define SOCKPOOL_BATCH		16	/* datagrams per read */
#define SOCKPOOL_DGRAM		65535
#define SOCKPOOL_BIND_TRIES	10
#define SOCKPOOL_PICK_TRIES	8
#define SOCKPOOL_ID_TRIES	16

struct slot {
	struct sockpool	*sp;
	int		 index;		/* in sp->slots, -1: a query's own */
	struct sp_query	*only;		/* that query */
	int		 family;
	int		 fd;		/* -1: closed */
	struct event	*ev;
	unsigned	 uses;
	unsigned	 outstanding;
	time_t		 opened;	/* monotonic seconds */
	bool		 retiring;	/* no new queries; closes when the
					 * last is done */
};


struct sockpool {
	struct event_base	*base;
	unsigned		 nslots;	/* per family */
	struct slot		*slots;		/* AF_INET's, then AF_INET6's */
	unsigned		 open;
	struct slot		*reading;	/* the slot being read */
	unsigned		 strays;	/* in the window */
	time_t			 window_start;	/* monotonic seconds */
	bool			 private_on;	/* a port per query */
	time_t			 private_until;
	struct sp_query		**buckets;
	size_t			 mask;
	struct event		*ev_sweep;
	sockpool_answer_cb	 answer;
	sockpool_stray_cb	 stray;
	void			*arg;
	/* One read's worth of datagrams. */
	struct mmsghdr		 msgs[SOCKPOOL_BATCH];
	struct iovec		 iov[SOCKPOOL_BATCH];
	struct sockaddr_storage	 from[SOCKPOOL_BATCH];
	uint8_t			*bufs;
};

static void	slot_read_cb(evutil_socket_t, short, void *);
static void	sockpool_sweep_cb(evutil_socket_t, short, void *);

/* Whole seconds, for ages and windows: the coarse clock is enough, and
 * cheaper for a check made for every query. */
static time_t
mono_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

struct sockpool *
sockpool_new(struct event_base *base, unsigned nslots,
    unsigned max_outstanding, sockpool_answer_cb answer,
    sockpool_stray_cb stray, void *arg)
{
	struct sockpool	*sp;
	struct timeval	 every = { SOCKPOOL_AGE_S, 0 };
	size_t		 nb = 64, i;

	sp = xcalloc(1, sizeof(*sp));
	sp->base = base;
	sp->nslots = nslots < 1 ? 1 : nslots > SOCKPOOL_SLOTS ?
	    SOCKPOOL_SLOTS : nslots;
	sp->slots = xcalloc(2 * (size_t)sp->nslots, sizeof(*sp->slots));
	for (i = 0; i < 2 * (size_t)sp->nslots; i++) {
		sp->slots[i].sp = sp;
		sp->slots[i].index = (int)i;
		sp->slots[i].family = i < sp->nslots ? AF_INET : AF_INET6;
		sp->slots[i].fd = -1;
	}
	/* Chains of about half a query at the most outstanding. */
	while (nb < 2 * (size_t)max_outstanding && nb < (1u << 20))
		nb *= 2;
	sp->buckets = xcalloc(nb, sizeof(*sp->buckets));
	sp->mask = nb - 1;
	sp->answer = answer;
	sp->stray = stray;
	sp->arg = arg;
	sp->bufs = xreallocarray(NULL, SOCKPOOL_BATCH, SOCKPOOL_DGRAM);
	for (i = 0; i < SOCKPOOL_BATCH; i++) {
		sp->iov[i].iov_base = sp->bufs + i * SOCKPOOL_DGRAM;
		sp->iov[i].iov_len = SOCKPOOL_DGRAM;
	}
	if ((sp->ev_sweep = event_new(base, -1, EV_PERSIST,
	    sockpool_sweep_cb, sp)) == NULL || event_add(sp->ev_sweep,
	    &every) == -1)
		fatalx("%s: event_new", __func__);
	return sp;
}

static void
slot_close(struct slot *s)
{
	event_free(s->ev);
	s->ev = NULL;
	close(s->fd);
	s->fd = -1;
	s->uses = 0;
	s->retiring = false;
	s->sp->open--;
	if (s->index == -1)
		free(s);
}

void
sockpool_free(struct sockpool *sp)
{
	size_t	i;

	if (sp == NULL)
		return;
	for (i = 0; i < 2 * (size_t)sp->nslots; i++)
		if (sp->slots[i].fd != -1)
			slot_close(&sp->slots[i]);
	event_free(sp->ev_sweep);
	free(sp->bufs);
	free(sp->buckets);
	free(sp->slots);
	free(sp);
}

unsigned
sockpool_open(const struct sockpool *sp)
{
	return sp->open;
}

/* Strays in the window, counted whoever they claim to come from (a
 * source address can be forged): past SOCKPOOL_STRAYS, every query gets
 * a port of its own until SOCKPOOL_PRIVATE_S pass without as many. */
static void
stray_note(struct sockpool *sp, const struct sockaddr *from)
{
	time_t	now = mono_seconds();
	char	text[INET6_ADDRSTRLEN];

	if (now - sp->window_start >= SOCKPOOL_STRAY_WINDOW_S) {
		sp->window_start = now;
		sp->strays = 0;
	}
	if (++sp->strays < SOCKPOOL_STRAYS)
		return;
	if (!sp->private_on)
		log_warnx("%u datagrams no query waits for in %d s, the last "
		    "from %s: each query gets a port of its own until %d min "
		    "pass without as many", sp->strays,
		    SOCKPOOL_STRAY_WINDOW_S, sockaddr_host_text(from, text,
		    sizeof(text)), SOCKPOOL_PRIVATE_S / 60);
	sp->private_on = true;
	sp->private_until = now + SOCKPOOL_PRIVATE_S;
}

/* Whether queries get ports of their own now. */
static bool
private_ports(struct sockpool *sp)
{
	if (sp->private_on && mono_seconds() >= sp->private_until) {
		sp->private_on = false;
		log_info("no more datagrams that no query waits for: queries "
		    "share ports again");
	}
	return sp->private_on;
}

bool
sockpool_private(struct sockpool *sp)
{
	return private_ports(sp);
}

/* A random port as unbound does, rather than trusting the kernel's
 * choice; the kernel's after a few ports in use. */
static void
bind_random_port(int fd, int family)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	uint16_t		 port;
	int			 i;

	for (i = 0; i < SOCKPOOL_BIND_TRIES; i++) {
		memset(&ss, 0, sizeof(ss));
		port = (uint16_t)(1024 + random_uniform(65536 - 1024));
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

/* 0, or -1 with errno. */
static int
slot_open(struct slot *s)
{
	int	fd, saved;

	fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	bind_random_port(fd, s->family);
	s->ev = event_new(s->sp->base, fd, EV_READ | EV_PERSIST,
	    slot_read_cb, s);
	if (s->ev == NULL || event_add(s->ev, NULL) == -1) {
		saved = errno != 0 ? errno : ENOMEM;
		if (s->ev != NULL)
			event_free(s->ev);
		s->ev = NULL;
		close(fd);
		errno = saved;
		return -1;
	}
	s->fd = fd;
	s->uses = 0;
	s->outstanding = 0;
	s->retiring = false;
	s->opened = mono_seconds();
	s->sp->open++;
	return 0;
}

static bool
slot_avoided(const struct slot *s, const int *avoid, size_t navoid)
{
	size_t	i;

	for (i = 0; i < navoid; i++)
		if (avoid[i] == s->index)
			return true;
	return false;
}

/* A random slot of the family but those avoided, opened if need be; any
 * open one when no more can be opened.  NULL with errno when none is. */
static struct slot *
slot_pick(struct sockpool *sp, int family, const int *avoid, size_t navoid)
{
	struct slot	*fam, *s;
	unsigned	 i, start;
	int		 saved = 0;

	fam = sp->slots + (family == AF_INET6 ? sp->nslots : 0);
	for (i = 0; i < SOCKPOOL_PICK_TRIES; i++) {
		s = &fam[random_uniform(sp->nslots)];
		if (s->retiring || slot_avoided(s, avoid, navoid))
			continue;
		if (s->fd != -1 || slot_open(s) == 0)
			return s;
		saved = errno;
		break;
	}
	start = random_uniform(sp->nslots);
	for (i = 0; i < sp->nslots; i++) {
		s = &fam[(start + i) % sp->nslots];
		if (s->fd != -1 && !s->retiring &&
		    !slot_avoided(s, avoid, navoid))
			return s;
	}
	for (i = 0; i < sp->nslots; i++) {
		s = &fam[(start + i) % sp->nslots];
		if (s->fd != -1 && !slot_avoided(s, avoid, navoid))
			return s;	/* retiring, but open */
	}
	errno = saved != 0 ? saved : EMFILE;
	return NULL;
}

static size_t
bucket_of(const struct sockpool *sp, int slot, uint16_t id,
    const struct sockaddr *sa)
{
	uint64_t	h;
	uint32_t	k = (uint32_t)slot << 16 | id;

	h = fnv_add(FNV_OFFSET, &k, sizeof(k));
	return (size_t)sockaddr_hash(sa, h) & sp->mask;
}

static struct sp_query *
pending_find(const struct sockpool *sp, int slot, uint16_t id,
    const struct sockaddr *sa)
{
	struct sp_query	*q;

	for (q = sp->buckets[bucket_of(sp, slot, id, sa)]; q != NULL;
	    q = q->next)
		if (q->slot == slot && q->id == id && sockaddr_same(q->sa, sa))
			return q;
	return NULL;
}

/* A socket for q alone, as every query had before the pool. */
int
sockpool_add_own(struct sockpool *sp, struct sp_query *q)
{
	struct slot	*s = xcalloc(1, sizeof(*s));
	int		 saved;

	s->sp = sp;
	s->index = -1;
	s->family = q->sa->sa_family;
	s->fd = -1;
	if (slot_open(s) == -1) {
		saved = errno;
		free(s);
		errno = saved;
		return -1;
	}
	s->only = q;
	s->outstanding = 1;
	q->own = s;
	q->id = (uint16_t)random_uniform(65536);
	return 0;
}

int
sockpool_add(struct sockpool *sp, struct sp_query *q)
{
	return sockpool_add_apart(sp, q, NULL, 0);
}

int
sockpool_add_apart(struct sockpool *sp, struct sp_query *q, const int *avoid,
    size_t navoid)
{
	struct slot	*s;
	size_t		 b;
	uint16_t	 id;
	int		 i;

	if (private_ports(sp))
		return sockpool_add_own(sp, q);
	if ((s = slot_pick(sp, q->sa->sa_family, avoid, navoid)) == NULL) {
		/* Every open port is avoided, and no other can open here:
		 * a socket of its own may still. */
		if (navoid > 0)
			return sockpool_add_own(sp, q);
		return -1;
	}
	for (i = 0; i < SOCKPOOL_ID_TRIES; i++) {
		id = (uint16_t)random_uniform(65536);
		if (pending_find(sp, s->index, id, q->sa) == NULL)
			break;
	}
	if (i == SOCKPOOL_ID_TRIES) {
		errno = EBUSY;		/* 65536 to one server on one port */
		return -1;
	}
	q->slot = s->index;
	q->id = id;
	b = bucket_of(sp, q->slot, id, q->sa);
	q->next = sp->buckets[b];
	sp->buckets[b] = q;
	s->outstanding++;
	if (++s->uses >= SOCKPOOL_USES)
		s->retiring = true;
	return 0;
}

void
sockpool_remove(struct sockpool *sp, struct sp_query *q)
{
	struct sp_query	**pp;
	struct slot	 *s;

	if ((s = q->own) != NULL) {
		q->own = NULL;
		s->only = NULL;
		s->outstanding = 0;
		if (s != sp->reading)
			slot_close(s);
		return;
	}
	if (q->slot == -1)
		return;
	for (pp = &sp->buckets[bucket_of(sp, q->slot, q->id, q->sa)];
	    *pp != NULL; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	s = &sp->slots[q->slot];
	q->slot = -1;
	q->next = NULL;
	s->outstanding--;
	/* Not under slot_read_cb's feet: it closes the slot itself. */
	if (s->retiring && s->outstanding == 0 && s != sp->reading)
		slot_close(s);
}

int
sockpool_send(struct sockpool *sp, const struct sp_query *q,
    const void *buf, size_t len)
{
	int	fd;

	if (q->own != NULL)
		fd = q->own->fd;
	else if (q->slot != -1)
		fd = sp->slots[q->slot].fd;
	else {
		errno = EBADF;
		return -1;
	}
	if (sendto(fd, buf, len, 0, q->sa, q->salen) ==
	    -1 && errno != EAGAIN && errno != ENOBUFS)
		return -1;
	return 0;
}

static void
sockpool_deliver(struct sockpool *sp, struct slot *s, unsigned i)
{
	const uint8_t		*pkt = sp->iov[i].iov_base;
	const struct sockaddr	*from = (struct sockaddr *)&sp->from[i];
	size_t			 len = sp->msgs[i].msg_len;
	struct sp_query		*q = NULL;
	uint16_t		 id;

	if (len >= 2) {
		id = (uint16_t)(pkt[0] << 8 | pkt[1]);
		if (s->index != -1)
			q = pending_find(sp, s->index, id, from);
		else if (s->only != NULL && s->only->id == id &&
		    sockaddr_same(s->only->sa, from))
			q = s->only;
	}
	if (q == NULL) {
		stray_note(sp, from);
		sp->stray(from, sp->arg);
		return;
	}
	sp->answer(q, pkt, len, sp->arg);
}

/* One batch: more waiting makes the socket readable again, after the
 * loop has seen to the others. */
static void
slot_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct slot	*s = arg;
	struct sockpool	*sp = s->sp;
	int		 i, n;

	for (i = 0; i < SOCKPOOL_BATCH; i++) {
		memset(&sp->msgs[i].msg_hdr, 0, sizeof(sp->msgs[i].msg_hdr));
		sp->msgs[i].msg_hdr.msg_name = &sp->from[i];
		sp->msgs[i].msg_hdr.msg_namelen = sizeof(sp->from[i]);
		sp->msgs[i].msg_hdr.msg_iov = &sp->iov[i];
		sp->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(fd, sp->msgs, SOCKPOOL_BATCH, MSG_DONTWAIT, NULL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_debug("%s: recvmmsg: %s", __func__,
			    strerror(errno));
		return;
	}
	sp->reading = s;
	for (i = 0; i < n; i++)
		sockpool_deliver(sp, s, (unsigned)i);
	sp->reading = NULL;
	/* Done with while it was read: a query's own, or worn out. */
	if (s->fd != -1 && s->outstanding == 0 &&
	    (s->retiring || s->index == -1))
		slot_close(s);
}

/* Sockets held SOCKPOOL_AGE_S seconds go: at once when idle, after
 * their last query otherwise. */
static void
sockpool_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sockpool	*sp = arg;
	struct slot	*s;
	time_t		 now = mono_seconds();
	size_t		 i;

	for (i = 0; i < 2 * (size_t)sp->nslots; i++) {
		s = &sp->slots[i];
		if (s->fd == -1 || now - s->opened < SOCKPOOL_AGE_S)
			continue;
		if (s->outstanding == 0)
			slot_close(s);
		else
			s->retiring = true;
	}
}
