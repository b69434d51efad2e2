/*
 * The metrics listener and its connections.  A connection lives through
 * four states, each under one deadline set when it starts (never pushed
 * back by the client's bytes): the request head, waiting for the route's
 * answer, sending it, and lingering for the client's close.  Clients over
 * a connection cap get a canned 503 and are closed at once, so that a
 * thousand of them cost a thousand accept() calls and nothing else.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "accept.h"
#include "addr.h"
#include "httpd.h"
#include "httpreq.h"
#include "log.h"
#include "util.h"

/* Connections at once.  Each may hold a reference to a metrics document
 * while its client reads it; Prometheus needs one, curl and a second
 * scraper a few more. */
#define HTTPD_MAX_CONNS		32
/* Connections from one address, so that one host cannot take every slot
 * (local users all come from 127.0.0.1 and share it). */
#define HTTPD_MAX_PER_ADDR	8
/* From accept to the end of the request head, whatever the pace of its
 * bytes: a client trickling a byte a second is closed, not kept. */
#define HTTPD_HEAD_SECS		5
/* From the request to the last byte of the response handed to the kernel:
 * six times Prometheus's default scrape timeout, and still a bound on how
 * long a client that does not read pins a document. */
#define HTTPD_RESPONSE_SECS	60
/* After the response, for the client's close: closing a socket with
 * unread input resets the connection, which can destroy the response in
 * flight (RFC 9112 9.6). */
#define HTTPD_LINGER_SECS	2
/* Accepts per wakeup: refusing a flood in batches, not one per loop pass,
 * while probes still get their turn. */
#define HTTPD_ACCEPT_BATCH	64
#define HTTPD_BACKLOG		128
/* Bytes written to one connection per loop pass.  libevent's default, 16
 * KiB, sends a 100 MB document in 6,000 passes, each behind every probe
 * event of that pass; 256 KiB is a fraction of a millisecond of copying,
 * for each of at most HTTPD_MAX_CONNS connections. */
#define HTTPD_WRITE_MAX		(256 * 1024)
/* A streamed body is made this much at a time, whenever no more than this
 * is left to write: a connection holds at most two pieces besides what
 * the kernel has, however slowly its client reads. */
#define HTTPD_STREAM_PIECE	(128 * 1024)

#define STR(x)	#x
#define XSTR(x)	STR(x)

enum conn_state {
	CONN_HEAD,	/* reading the request head */
	CONN_WAITING,	/* for the route's answer */
	CONN_SENDING,
	CONN_LINGER,	/* sent; until the client closes */
};

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct httpd		*h;
	struct bufferevent	*bev;
	struct event		*deadline;
	struct sockaddr_storage	 peer;
	enum conn_state		 state;
	const struct http_route	*route;		/* CONN_WAITING */
	enum httpreq_method	 method;
	size_t			 scanned;	/* head bytes seen without LF */
	const char		*query;		/* while the route's serve runs */
	size_t			 querylen;
	bool			 gzip;		/* the request takes gzip */
	const struct http_stream *stream;	/* a body still being made */
	void			*stream_arg;
	bool			 broken;	/* the stream failed */
};

struct httpd {
	struct event_base	*base;
	int			 fd;
	struct event		*ev_accept;
	struct event		*ev_pause;	/* accept paused on EMFILE */
	const struct http_route	*routes;
	size_t			 nroutes;
	void			*arg;
	unsigned		 nconns;
	bool			 local_is_one;	/* see same_host() */
	bool			 loopback;	/* listening on loopback */
	TAILQ_HEAD(, http_conn)	 conns;
};

static void	httpd_accept_cb(evutil_socket_t, short, void *);
static void	httpd_resume_cb(evutil_socket_t, short, void *);
static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	conn_deadline_cb(evutil_socket_t, short, void *);

/* Written straight to a socket whose output is empty: no buffers. */
#define BUSY_BODY	"too many connections\n"
#define TIMEOUT_BODY	"408 Request Timeout\n"
_Static_assert(sizeof(BUSY_BODY) - 1 == 21, "busy_reply's Content-Length");
_Static_assert(sizeof(TIMEOUT_BODY) - 1 == 20,
    "timeout_reply's Content-Length");
static const char busy_reply[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Retry-After: " XSTR(HTTPD_HEAD_SECS) "\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 21\r\n"
    "Connection: close\r\n\r\n"
    BUSY_BODY;
static const char timeout_reply[] =
    "HTTP/1.1 408 Request Timeout\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 20\r\n"
    "Connection: close\r\n\r\n"
    TIMEOUT_BODY;

static void
send_canned(int fd, const char *reply, size_t len)
{
	(void)send(fd, reply, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Connections. */

static void
conn_stream_end(struct http_conn *c)
{
	if (c->stream == NULL)
		return;
	c->stream->release(c->stream_arg);
	c->stream = NULL;
	c->stream_arg = NULL;
}

static void
conn_free(struct http_conn *c)
{
	struct httpd	*h = c->h;

	if (c->state == CONN_WAITING && c->route->gone != NULL)
		c->route->gone(c, h->arg);
	conn_stream_end(c);
	TAILQ_REMOVE(&h->conns, c, entry);
	h->nconns--;
	/* Frees the output too, and with it any document references. */
	bufferevent_free(c->bev);
	event_free(c->deadline);
	free(c);
}

static void
conn_deadline(struct http_conn *c, enum conn_state state, time_t secs)
{
	struct timeval	tv = { secs, 0 };

	c->state = state;
	evtimer_add(c->deadline, &tv);
}

/* Status line and headers: every response says its length and closes;
 * extra is more header lines, each with its CRLF. */
static void
conn_head(struct http_conn *c, int status, const char *content_type,
    size_t len, const char *extra)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 date[64];

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT",
	    gmtime_r(&now, &tm));
	/* Every answer is read-only data of this moment, for this origin
	 * only: never cached, never sniffed into another type, never framed,
	 * and the web view's page may load nothing but its own script, style
	 * and JSON (a name that slipped past its escaping could run nothing). */
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Date: %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "%s%s"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: default-src 'none'; script-src 'self';"
	    " style-src 'self'; img-src 'self' data:; connect-src 'self';"
	    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
	    "Connection: close\r\n\r\n",
	    status, httpreq_reason(status), date, content_type, len,
	    status == 405 ? "Allow: GET, HEAD\r\n" :
	    status == 503 ? "Retry-After: 1\r\n" : "", extra);
}

static void
conn_send(struct http_conn *c)
{
	bufferevent_disable(c->bev, EV_READ);
	if (c->state == CONN_HEAD)
		conn_deadline(c, CONN_SENDING, HTTPD_RESPONSE_SECS);
	else
		c->state = CONN_SENDING;	/* the response deadline runs */
	bufferevent_enable(c->bev, EV_WRITE);
}

static void
conn_refuse(struct http_conn *c, int status)
{
	char	body[64];
	int	n;

	n = snprintf(body, sizeof(body), "%d %s\n", status,
	    httpreq_reason(status));
	conn_head(c, status, "text/plain; charset=utf-8", (size_t)n, "");
	if (c->method != HTTPREQ_HEAD)
		evbuffer_add(bufferevent_get_output(c->bev), body, (size_t)n);
	conn_send(c);
}

static void
conn_reply(struct http_conn *c, int status, const char *content_type,
    struct evbuffer *body, const char *extra)
{
	size_t	len = evbuffer_get_length(body);

	conn_head(c, status, content_type, len, extra);
	if (c->method == HTTPREQ_HEAD)
		evbuffer_drain(body, len);
	else
		evbuffer_add_buffer(bufferevent_get_output(c->bev), body);
	conn_send(c);
}

void
httpd_reply(struct http_conn *c, int status, const char *content_type,
    struct evbuffer *body)
{
	conn_reply(c, status, content_type, body, "");
}

bool
httpd_takes_gzip(const struct http_conn *c)
{
	return c->gzip;
}

void
httpd_reply_gzip(struct http_conn *c, const char *content_type,
    struct evbuffer *body)
{
	conn_reply(c, 200, content_type, body,
	    "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
}

/* The next piece of a streamed body: -1 when the stream failed. */
static int
conn_fill(struct http_conn *c)
{
	int	r;

	r = c->stream->fill(c->stream_arg, bufferevent_get_output(c->bev),
	    HTTPD_STREAM_PIECE);
	if (r != 0)
		conn_stream_end(c);
	return r == -1 ? -1 : 0;
}

void
httpd_reply_stream(struct http_conn *c, const char *content_type,
    size_t len, const struct http_stream *stream, void *arg)
{
	conn_head(c, 200, content_type, len, "Vary: Accept-Encoding\r\n");
	c->stream = stream;
	c->stream_arg = arg;
	if (c->method == HTTPREQ_HEAD)
		conn_stream_end(c);
	else {
		/* Refilled by conn_write_cb() whenever it runs low. */
		bufferevent_setwatermark(c->bev, EV_WRITE,
		    HTTPD_STREAM_PIECE, 0);
		/* Not closed here: this runs in a route's serve or in a
		 * document's builder, which may be going through a list of
		 * connections. */
		if (conn_fill(c) == -1)
			c->broken = true;
	}
	conn_send(c);
}

static int
route_cmp(const void *key, const void *elem)
{
	const struct httpreq	*req = key;
	const char		*path = ((const struct http_route *)elem)->path;
	size_t			 n = strlen(path);
	int			 r;

	r = memcmp(req->path, path, req->pathlen < n ? req->pathlen : n);
	if (r != 0)
		return r;
	return req->pathlen < n ? -1 : req->pathlen > n;
}

static void
conn_request(struct http_conn *c, const struct httpreq *req)
{
	struct httpd		*h = c->h;
	const struct http_route	*route;

	c->method = req->method;
	c->gzip = req->gzip;
	bufferevent_disable(c->bev, EV_READ);
	conn_deadline(c, CONN_WAITING, HTTPD_RESPONSE_SECS);
	/* A body would have to be read before the next request; there is
	 * no next request, and nothing here takes one. */
	if (req->body) {
		conn_refuse(c, 413);
		return;
	}
	/* DNS rebinding: a page from elsewhere whose name now resolves to
	 * 127.0.0.1 would read the status through the operator's browser.
	 * It cannot choose its Host; local clients send a loopback one. */
	if (h->loopback && req->host != NULL &&
	    !httpreq_host_is_loopback(req->host, req->hostlen)) {
		conn_refuse(c, 421);
		return;
	}
	route = bsearch(req, h->routes, h->nroutes, sizeof(*h->routes),
	    route_cmp);
	if (route == NULL) {
		conn_refuse(c, 404);
		return;
	}
	c->route = route;
	c->query = req->query;
	c->querylen = req->querylen;
	route->serve(c, h->arg);
	c->query = NULL;
	c->querylen = 0;
}

int
httpd_query_get(const struct http_conn *c, const char *key, char *out,
    size_t outlen)
{
	return httpreq_query_get(c->query, c->querylen, key, out, outlen);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	size_t			 len = evbuffer_get_length(in);
	const char		*buf;
	struct httpreq		 req;

	if (c->state != CONN_HEAD) {
		evbuffer_drain(in, len);	/* lingering */
		return;
	}
	/* Parse again only once a line has ended: a head sent a byte at a
	 * time is parsed once per line, not once per byte. */
	buf = (const char *)evbuffer_pullup(in, -1);
	if (len < HTTPREQ_HEAD_MAX &&
	    memchr(buf + c->scanned, '\n', len - c->scanned) == NULL) {
		c->scanned = len;
		return;
	}
	c->scanned = len;
	switch (httpreq_parse(buf, len, &req)) {
	case HTTPREQ_INCOMPLETE:
		return;
	case HTTPREQ_ERROR:
		c->method = req.method;
		conn_refuse(c, req.status);
		return;
	case HTTPREQ_COMPLETE:
		conn_request(c, &req);
		return;
	}
}

/* The output ran low: the next piece of a streamed body, or, once
 * everything is with the kernel, say we are done and wait (briefly) for
 * the client to close first.  A body cut short closes at once, so that
 * the client sees less than Content-Length and knows it. */
static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*c = arg;

	if (c->state != CONN_SENDING)
		return;
	if (c->stream != NULL && conn_fill(c) == -1)
		c->broken = true;
	if (c->broken) {
		log_warnx("http: response cut short");
		conn_free(c);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	if (shutdown(bufferevent_getfd(bev), SHUT_WR) == -1) {
		conn_free(c);
		return;
	}
	conn_deadline(c, CONN_LINGER, HTTPD_LINGER_SECS);
	/* What the client sent and we did not read (a refused head fills
	 * the input to its watermark, where reading stops) is dropped, so
	 * that reading resumes and its close is seen at once. */
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
	bufferevent_enable(bev, EV_READ);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct http_conn	*c = arg;

	if (what & BEV_EVENT_ERROR)
		log_debug("http: connection: %s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	conn_free(c);
}

static void
conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;

	if (c->state == CONN_HEAD) {
		log_debug("http: no request within %d s", HTTPD_HEAD_SECS);
		send_canned(bufferevent_getfd(c->bev), timeout_reply,
		    sizeof(timeout_reply) - 1);
	} else if (c->state != CONN_LINGER)
		log_debug("http: response not taken within %d s",
		    HTTPD_RESPONSE_SECS);
	conn_free(c);
}

static void
conn_new(struct httpd *h, int fd, const struct sockaddr_storage *peer)
{
	struct http_conn	*c = xcalloc(1, sizeof(*c));

	c->h = h;
	c->peer = *peer;
	c->bev = bufferevent_socket_new(h->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(h->base, conn_deadline_cb, c);
	if (c->bev == NULL || c->deadline == NULL) {
		log_warnx("http: cannot set up a connection");
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->deadline != NULL)
			event_free(c->deadline);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&h->conns, c, entry);
	h->nconns++;
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	/* libevent reads no more than the head may hold. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, HTTPREQ_HEAD_MAX);
	bufferevent_set_max_single_write(c->bev, HTTPD_WRITE_MAX);
	bufferevent_enable(c->bev, EV_READ);
	conn_deadline(c, CONN_HEAD, HTTPD_HEAD_SECS);
}

/* Accepting. */

static int
is_loopback(const struct sockaddr_storage *ss)
{
	const struct in6_addr	*a6;

	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr)
		    >> 24) == 127;
	if (ss->ss_family != AF_INET6)
		return 0;
	a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) &&
	    a6->s6_addr[12] == 127);
}

/* On a listener reachable from elsewhere every loopback source is this
 * machine: a local user binding 127.0.0.2, .3, ... is one host for the
 * per-address cap, and cannot take the slots of a remote scraper.  On a
 * loopback listener every client is local and addresses are all there is
 * to tell them apart. */
static int
same_host(const struct httpd *h, const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (h->local_is_one && is_loopback(a) && is_loopback(b))
		return 1;
	return sockaddr_same_host((const struct sockaddr *)a,
	    (const struct sockaddr *)b);
}

static int
httpd_full(const struct httpd *h, const struct sockaddr_storage *peer)
{
	const struct http_conn	*c;
	unsigned		 n = 0;

	if (h->nconns >= HTTPD_MAX_CONNS)
		return 1;
	TAILQ_FOREACH(c, &h->conns, entry)
		if (same_host(h, &c->peer, peer) && ++n >= HTTPD_MAX_PER_ADDR)
			return 1;
	return 0;
}

static void
httpd_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd		*h = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 cfd, i;

	for (i = 0; i < HTTPD_ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		if ((cfd = accept_conn(fd, (struct sockaddr *)&ss, &len,
		    h->ev_accept, h->ev_pause, "http")) == -1)
			return;
		if (httpd_full(h, &ss)) {
			log_debug("http: over the connection cap, refused");
			send_canned(cfd, busy_reply, sizeof(busy_reply) - 1);
			close(cfd);
			continue;
		}
		conn_new(h, cfd, &ss);
	}
}

static void
httpd_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd	*h = arg;

	event_add(h->ev_accept, NULL);
}

static int
httpd_socket(const char *hostport, bool *loopback)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, on = 1;

	if (addr_parse_hostport(hostport, &ss, &len) == -1) {
		log_warnx("metrics: %s: not ADDRESS:PORT", hostport);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("metrics: socket");
		return -1;
	}
	/* A restart must not wait for the last run's TIME_WAITs. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, HTTPD_BACKLOG) == -1) {
		log_warn("metrics: cannot listen on %s", hostport);
		close(fd);
		return -1;
	}
	*loopback = is_loopback(&ss);
	return fd;
}

struct httpd *
httpd_listen(struct event_base *base, const char *hostport,
    const struct http_route *routes, size_t nroutes, void *arg)
{
	struct httpd	*h;
	bool		 loopback;
	int		 fd;

	if ((fd = httpd_socket(hostport, &loopback)) == -1)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->local_is_one = !loopback;
	h->loopback = loopback;
	h->base = base;
	h->fd = fd;
	h->routes = routes;
	h->nroutes = nroutes;
	h->arg = arg;
	TAILQ_INIT(&h->conns);
	h->ev_accept = event_new(base, fd, EV_READ | EV_PERSIST,
	    httpd_accept_cb, h);
	h->ev_pause = evtimer_new(base, httpd_resume_cb, h);
	if (h->ev_accept == NULL || h->ev_pause == NULL ||
	    event_add(h->ev_accept, NULL) == -1)
		fatalx("%s: cannot register events", __func__);
	return h;
}

void
httpd_free(struct httpd *h)
{
	if (h == NULL)
		return;
	while (!TAILQ_EMPTY(&h->conns))
		conn_free(TAILQ_FIRST(&h->conns));
	event_free(h->ev_accept);
	event_free(h->ev_pause);
	close(h->fd);
	free(h);
}
