/*
 * The UDP sockets queries go out on: a pool of long-lived sockets, each
 * bound to a random port, and the queries outstanding on them.
 *
 * A socket per query cost a socket(), a bind(), two epoll_ctl()s and a
 * close() for each of thousands of queries a second.  Now a query takes
 * one of the pool's ports at random and a random ID that no other query
 * to the same server has outstanding on that port, which keeps what RFC
 * 5452 asks for: port and ID random per query, and an answer taken only
 * from the address and port asked, on the port and with the ID the query
 * went out with (the caller checks the question).  A socket is closed
 * after SOCKPOOL_USES queries or 30 to 60 s (SOCKPOOL_AGE_S and the
 * sweep's period), once its last query is done, and its slot opens again on a new random port: a port
 * learnt is soon worth nothing, and an idle daemon holds few sockets.
 *
 * The price of sharing: a server learns the ports it is asked from, which
 * queries to others share, so an answer it forges in another server's
 * name needs only the ID (1 in 65,536 a try) where a port of the query's
 * own would need the port too; and a server that floods a shared port
 * can fill its buffer and crowd out others' answers.  Either shows as
 * datagrams no query waits for (strays): SOCKPOOL_STRAYS of them within
 * SOCKPOOL_STRAY_WINDOW_S seconds, whatever source they claim (a source
 * can be forged, so nothing is counted per sender), and every query gets
 * a socket of its own, as before the pool, until SOCKPOOL_PRIVATE_S
 * seconds pass without as many.  A forger gets SOCKPOOL_STRAYS tries
 * per SOCKPOOL_PRIVATE_S; a server that answers late or twice costs
 * speed, not safety.
 */
#ifndef NMIGD_SOCKPOOL_H
#define NMIGD_SOCKPOOL_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#define SOCKPOOL_SLOTS	256	/* ports per address family, at most */
#define SOCKPOOL_USES	1000
#define SOCKPOOL_AGE_S	30
#define SOCKPOOL_STRAYS		16
#define SOCKPOOL_STRAY_WINDOW_S	60
#define SOCKPOOL_PRIVATE_S	600

struct slot;

/* Embedded in the caller's query. */
struct sp_query {
	struct sp_query		*next;		/* its hash chain */
	const struct sockaddr	*sa;		/* the server: the caller's */
	socklen_t		 salen;
	int			 slot;		/* -1: not outstanding */
	struct slot		*own;		/* its own socket, or NULL */
	uint16_t		 id;
};

/* A datagram from q's server to q's port with q's ID.  The callback
 * may remove q and others, and add queries. */
typedef void (*sockpool_answer_cb)(struct sp_query *q, const uint8_t *,
	    size_t, void *arg);
/* A datagram no outstanding query is waiting for, from. */
typedef void (*sockpool_stray_cb)(const struct sockaddr *from, void *arg);

struct sockpool;

/* At most nslots sockets per family (SOCKPOOL_SLOTS at most);
 * max_outstanding sizes the table of outstanding queries. */
struct sockpool	*sockpool_new(struct event_base *, unsigned nslots,
		    unsigned max_outstanding, sockpool_answer_cb,
		    sockpool_stray_cb, void *arg);
void		 sockpool_free(struct sockpool *);

/* Outstanding from now on, on a random port with a random ID (q->slot,
 * q->id), or on a port of its own (q->own) after strays.  -1 with errno
 * when no socket is open and none can be. */
int		 sockpool_add(struct sockpool *, struct sp_query *q);
/* The same on a port none of avoid[0..navoid) is on (the q->slot of
 * earlier queries): samples of one check, which must not share a port.
 * On a port of q's own when every port of the pool is avoided. */
int		 sockpool_add_apart(struct sockpool *, struct sp_query *q,
		    const int *avoid, size_t navoid);
/* The same on a socket and port of q's own, whatever the pool's mode. */
int		 sockpool_add_own(struct sockpool *, struct sp_query *q);
/* No longer waited for; a no-op when q is not outstanding. */
void		 sockpool_remove(struct sockpool *, struct sp_query *q);
/* Sent on q's socket to q's server: 0, or -1 with errno.  EAGAIN and
 * ENOBUFS count as sent (a datagram lost on the way). */
int		 sockpool_send(struct sockpool *, const struct sp_query *q,
		    const void *, size_t);
/* Sockets open now, shared and a query's own. */
unsigned	 sockpool_open(const struct sockpool *);
/* Whether each query gets a port of its own now, after strays. */
bool		 sockpool_private(struct sockpool *);

#endif
