/*
 * The control socket and nothing else: accept, read bounded request lines,
 * hand them to the command handlers, queue the replies.  A client's
 * next request is read only once its last reply is out: one that never
 * reads costs one reply and stops being served, and no client can make
 * the loop build replies in bulk.  Slots are limited per uid, with some
 * kept for root, and every step has a deadline (control.h).
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "accept.h"
#include "control.h"
#include "ctlproto.h"
#include "log.h"
#include "loop.h"
#include "util.h"

struct control {
	struct event_base		*base;
	const struct control_cmds	*cmds;
	void				*arg;	/* the handlers' */
	uid_t				 owner;	/* may change things */
	int				 fd;
	char				*path;	/* NULL: systemd's socket */
	struct event			*ev_accept;
	struct event			*ev_pause; /* EMFILE: accept paused */
	unsigned			 nclients;
	unsigned			 nunprivileged;
	time_t				 refused_logged;
	TAILQ_HEAD(, client)		 clients;
};

enum client_state {
	CL_REQUEST,	/* reading the next request */
	CL_REPLY,	/* sending a reply, not reading */
};

struct client {
	TAILQ_ENTRY(client)	 entry;
	struct control		*c;
	struct bufferevent	*bev;
	struct event		*ev_deadline;	/* for the state's step */
	struct event		*ev_fill;	/* builds the stream's next
						 * parts (client_stream_more) */
	enum client_state	 state;
	uid_t			 uid;
	bool			 privileged;	/* root or our own user */
	bool			 closing;	/* flush, then close */
	void			*stream;	/* a reply being streamed */
	bool			 waiting;	/* for control_wake() */
	time_t			 reply_start;	/* monotonic seconds */
	size_t			 streamed;	/* bytes of the stream so far */
};

static void	control_accept_cb(evutil_socket_t, short, void *);
static void	control_resume_cb(evutil_socket_t, short, void *);
static void	client_read_cb(struct bufferevent *, void *);
static void	client_write_cb(struct bufferevent *, void *);
static void	client_event_cb(struct bufferevent *, short, void *);
static void	client_deadline_cb(evutil_socket_t, short, void *);
static void	client_fill_cb(evutil_socket_t, short, void *);

/* Clients. */

/* Say why on a connection that is being closed, if its socket takes the
 * line at once: a client that does not read gets nothing more. */
static void
client_say(int fd, json_t *reply)
{
	char	*line;
	size_t	 len;

	line = ctl_reply_encode(reply, 0, &len);
	(void)send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	free(line);
}

static void
client_stream_free(struct client *cl)
{
	if (cl->stream != NULL)
		cl->c->cmds->stream.free(cl->stream);
	cl->stream = NULL;
}

static void
client_free(struct client *cl)
{
	struct control	*c = cl->c;

	TAILQ_REMOVE(&c->clients, cl, entry);
	client_stream_free(cl);
	event_free(cl->ev_deadline);
	event_free(cl->ev_fill);
	bufferevent_free(cl->bev);
	c->nclients--;
	if (!cl->privileged)
		c->nunprivileged--;
	free(cl);
	/* A slot is free again: accept if we had stopped. */
	if (c->nclients == CONTROL_MAX_CLIENTS - 1)
		event_add(c->ev_accept, NULL);
}

static void
client_deadline(struct client *cl, enum client_state state, time_t secs)
{
	struct timeval	tv = { secs, 0 };

	cl->state = state;
	evtimer_add(cl->ev_deadline, &tv);
}

static void
line_free_cb(const void *data, size_t len, void *arg)
{
	free((void *)data);
}

static time_t
mono_secs(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int64_t
mono_nsec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The next request is read once this reply is out. */
static void
client_replying(struct client *cl)
{
	bufferevent_disable(cl->bev, EV_READ);
	cl->reply_start = mono_secs();
	cl->streamed = 0;
	client_deadline(cl, CL_REPLY, CONTROL_REPLY_SECS);
}

/* A streamed reply may take longer, but only as long as the client reads
 * at CONTROL_STREAM_RATE on average: the deadline moves with what it has
 * been given, never with how it trickles. */
static void
client_stream_deadline(struct client *cl, size_t added)
{
	time_t	end, now = mono_secs();

	cl->streamed += added;
	end = cl->reply_start + CONTROL_REPLY_SECS +
	    (time_t)(cl->streamed / CONTROL_STREAM_RATE);
	client_deadline(cl, CL_REPLY, end > now ? end - now : 0);
}

static void
client_send(struct client *cl, json_t *reply)
{
	char	*line;
	size_t	 len;

	/* Built whole, so bounded by its command's limits (history,
	 * events) or by the configuration (check); the status of every
	 * domain is streamed instead. */
	line = ctl_reply_encode(reply, CONTROL_MAX_REPLY, &len);
	if (evbuffer_add_reference(bufferevent_get_output(cl->bev), line, len,
	    line_free_cb, NULL) == -1) {
		free(line);
		cl->closing = true;
	}
	client_replying(cl);
}

static int
stream_write_cb(const char *buf, size_t len, void *arg)
{
	return evbuffer_add(arg, buf, len);
}

/* Queue the stream's next parts, for a slice of the loop's time and up
 * to CONTROL_MAX_OUTPUT; the write watermark brings us back when the
 * client has read its way down to CONTROL_STREAM_LOWAT. */
static void
client_stream_fill(struct client *cl)
{
	const struct control_stream_ops	*ops = &cl->c->cmds->stream;
	struct evbuffer			*out = bufferevent_get_output(cl->bev);
	int64_t				 end = mono_nsec() +
					    CONTROL_STREAM_SLICE_NSEC;
	size_t				 before;
	int				 rv = 1;

	before = evbuffer_get_length(out);
	while (evbuffer_get_length(out) < CONTROL_MAX_OUTPUT &&
	    (rv = ops->next(cl->stream, stream_write_cb, out)) == 1 &&
	    mono_nsec() < end)
		;
	if (cl->state == CL_REPLY)
		client_stream_deadline(cl, evbuffer_get_length(out) - before);
	cl->waiting = rv == CONTROL_STREAM_WAIT;
	if (rv == 1 || rv == CONTROL_STREAM_WAIT)
		return;
	client_stream_free(cl);
	bufferevent_setwatermark(cl->bev, EV_WRITE, 0, 0);
	if (rv == 0)
		evbuffer_add(out, "\n", 1);
	else {
		/* Half a document cannot be taken back: the client sees
		 * the connection close before the line ends. */
		log_warnx("control: cannot write the status");
		cl->closing = true;
	}
}

/* The stream's next parts: at once for root and our own user; for the
 * peers that only look, by ev_fill at LOOP_PRIO_BULK, in the loop's
 * spare time (loop.h).  A swarm of them asking for the status at once
 * then delays no probe and holds the loop for no more than a pass of
 * bulk work.  Their connections' reads, writes and closes are not bulk:
 * a client that goes is freed at once. */
static void
client_stream_more(struct client *cl)
{
	if (cl->privileged)
		client_stream_fill(cl);
	else
		event_active(cl->ev_fill, 0, 0);
}

static void
client_fill_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*cl = arg;

	if (cl->stream != NULL)
		client_stream_fill(cl);
}

void
control_wake(struct control *c)
{
	struct client	*cl;

	if (c == NULL)
		return;
	TAILQ_FOREACH(cl, &c->clients, entry)
		if (cl->waiting)
			client_stream_more(cl);
}

static void
client_stream_start(struct client *cl)
{
	bufferevent_setwatermark(cl->bev, EV_WRITE, CONTROL_STREAM_LOWAT, 0);
	client_stream_more(cl);
	client_replying(cl);
}

static void
client_request(struct client *cl, const char *line, size_t len)
{
	struct ctl_request	 req;
	json_t			*error, *reply;
	void			*stream = NULL;
	int			 rv;

	rv = ctl_request_decode(line, len, cl->privileged, &req, &error);
	if (rv == CTL_DENIED)
		log_info("control: uid %u refused %s", (unsigned)cl->uid,
		    req.name);
	if (rv != 0) {
		client_send(cl, error);
		return;
	}
	reply = cl->c->cmds->handler[req.command](cl->c->arg, &req, &stream);
	if ((cl->stream = stream) != NULL)
		client_stream_start(cl);
	else
		client_send(cl, reply);
	ctl_request_free(&req);
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client	*cl = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	/* One reply queued at a time: a client that does not read is not
	 * read either, instead of having us build replies for it. */
	while (cl->state == CL_REQUEST &&
	    (line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) != NULL) {
		if (len > CONTROL_MAX_REQUEST) {
			free(line);
			client_send(cl, ctl_reply_error("request too large"));
			cl->closing = true;
			break;
		}
		if (len > 0)
			client_request(cl, line, len);
		free(line);
	}
	if (cl->state == CL_REQUEST &&
	    evbuffer_get_length(in) > CONTROL_MAX_REQUEST) {
		client_send(cl, ctl_reply_error("request too large"));
		cl->closing = true;
	}
	if (cl->closing)
		evbuffer_drain(in, evbuffer_get_length(in));
}

/* The reply is out, or down to the low-water mark of a stream. */
static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct client	*cl = arg;

	if (cl->stream != NULL) {
		client_stream_more(cl);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;		/* the end of a stream, not yet out */
	if (cl->closing) {
		client_free(cl);
		return;
	}
	client_deadline(cl, CL_REQUEST, CONTROL_REQUEST_SECS);
	bufferevent_enable(bev, EV_READ);
	client_read_cb(bev, cl);	/* requests already buffered */
}

/* The bytes left when the client shut down its side, taken as one more
 * request line.  True when a reply is on its way. */
static bool
client_last_request(struct client *cl)
{
	struct evbuffer	*in = bufferevent_get_input(cl->bev);
	size_t		 len = evbuffer_get_length(in);
	char		*line;

	if (len == 0 || len > CONTROL_MAX_REQUEST)
		return false;
	line = xcalloc(1, len + 1);
	evbuffer_remove(in, line, len);
	cl->closing = true;
	bufferevent_disable(cl->bev, EV_READ);
	client_request(cl, line, len);
	free(line);
	return true;
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*cl = arg;

	/* A client that only shut down its sending side still gets its
	 * replies; client_write_cb() closes once they are out.  A last
	 * request without its newline is a request all the same. */
	if (what == (BEV_EVENT_READING | BEV_EVENT_EOF) &&
	    cl->state == CL_REQUEST && client_last_request(cl))
		return;
	if (what == (BEV_EVENT_READING | BEV_EVENT_EOF) &&
	    cl->state == CL_REPLY) {
		cl->closing = true;
		bufferevent_disable(bev, EV_READ);
		return;
	}
	client_free(cl);
}

/* Deadlines, not idle timers: a client that trickles a byte at a time
 * or reads its reply a byte at a time keeps its slot no longer. */
static void
client_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*cl = arg;

	if (cl->state == CL_REQUEST) {
		log_debug("control: uid %u sent no request in %d s",
		    (unsigned)cl->uid, CONTROL_REQUEST_SECS);
		client_say(bufferevent_getfd(cl->bev), ctl_reply_error("no "
		    "request within %d seconds", CONTROL_REQUEST_SECS));
	} else
		log_debug("control: uid %u did not read its reply in %d s",
		    (unsigned)cl->uid, CONTROL_REPLY_SECS);
	client_free(cl);
}

/* Why a new client of uid may not have a slot, or NULL.  Root and our
 * own user are not counted: the slots kept for them let check and
 * reload through however many read-only clients there are. */
static json_t *
control_full(struct control *c, uid_t uid)
{
	struct client	*cl;
	unsigned	 n = 0;

	if (c->nunprivileged >= CONTROL_MAX_CLIENTS - CONTROL_RESERVED)
		return ctl_reply_error("too many connections; try again later");
	TAILQ_FOREACH(cl, &c->clients, entry)
		if (cl->uid == uid)
			n++;
	if (n >= CONTROL_MAX_PER_UID)
		return ctl_reply_error("too many connections from uid %u "
		    "(at most %d)", (unsigned)uid, CONTROL_MAX_PER_UID);
	return NULL;
}

static void
control_refuse(struct control *c, int fd, uid_t uid, json_t *why)
{
	time_t	now = time(NULL);

	/* Once a minute at most: refusing is what a flood gets. */
	if (now - c->refused_logged >= 60) {
		c->refused_logged = now;
		log_warnx("control: refusing connections from uid %u: "
		    "%u clients, %u of them unprivileged", (unsigned)uid,
		    c->nclients, c->nunprivileged);
	}
	client_say(fd, why);
	close(fd);
}

static void
client_new(struct control *c, int fd)
{
	struct client	*cl;
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);
	json_t		*why;
	bool		 privileged;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control: SO_PEERCRED");
		close(fd);
		return;
	}
	/* Root and our own user may change things; the rest may only look. */
	privileged = cred.uid == 0 || cred.uid == c->owner;
	if (!privileged && (why = control_full(c, cred.uid)) != NULL) {
		control_refuse(c, fd, cred.uid, why);
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->c = c;
	cl->uid = cred.uid;
	cl->privileged = privileged;
	cl->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	cl->ev_deadline = evtimer_new(c->base, client_deadline_cb, cl);
	cl->ev_fill = event_new(c->base, -1, 0, client_fill_cb, cl);
	if (cl->bev == NULL || cl->ev_deadline == NULL || cl->ev_fill == NULL ||
	    (!privileged && event_priority_set(cl->ev_fill,
	    LOOP_PRIO_BULK) == -1)) {
		log_warnx("control: cannot set up a client");
		if (cl->bev != NULL)
			bufferevent_free(cl->bev);
		else
			close(fd);
		if (cl->ev_deadline != NULL)
			event_free(cl->ev_deadline);
		if (cl->ev_fill != NULL)
			event_free(cl->ev_fill);
		free(cl);
		return;
	}
	c->nclients++;
	if (!privileged)
		c->nunprivileged++;
	TAILQ_INSERT_TAIL(&c->clients, cl, entry);
	bufferevent_setcb(cl->bev, client_read_cb, client_write_cb,
	    client_event_cb, cl);
	/* Read no more than one request over the limit at a time. */
	bufferevent_setwatermark(cl->bev, EV_READ, 0, CONTROL_MAX_REQUEST + 2);
	bufferevent_set_max_single_write(cl->bev, CONTROL_WRITE_MAX);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
	client_deadline(cl, CL_REQUEST, CONTROL_REQUEST_SECS);
}

static void
control_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control	*c = arg;
	int		 cfd;

	if ((cfd = accept_conn(fd, NULL, NULL, c->ev_accept, c->ev_pause,
	    "control")) == -1)
		return;
	client_new(c, cfd);
	if (c->nclients >= CONTROL_MAX_CLIENTS)
		event_del(c->ev_accept);
}

static void
control_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control	*c = arg;

	if (c->nclients < CONTROL_MAX_CLIENTS)
		event_add(c->ev_accept, NULL);
}

/* Listening. */

/* A socket file that nobody answers on is a leftover of a crash. */
static int
control_unlink_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat	st;
	int		fd, rv;

	/* connect() to a regular file also says ECONNREFUSED: never take
	 * a file that is not a socket for a leftover. */
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		log_warnx("control: %s exists and is not a socket", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rv = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rv == 0) {
		log_warnx("control: %s: another nmigd is listening there", path);
		return -1;
	}
	if (errno == ENOENT)
		return 0;
	if (errno != ECONNREFUSED) {
		log_warn("control: %s", path);
		return -1;
	}
	if (unlink(path) == -1) {
		log_warn("control: unlink %s", path);
		return -1;
	}
	return 0;
}

static int
control_create(const char *path)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    sizeof(sun.sun_path)) {
		log_warnx("control: %s: path too long", path);
		return -1;
	}
	if (control_unlink_stale(path, &sun) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control: socket");
		return -1;
	}
	old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("control: bind %s", path);
		umask(old);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0660) == -1) {
		log_warn("control: chmod %s", path);
		goto fail;
	}
	if (listen(fd, 128) == -1) {
		log_warn("control: listen %s", path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	unlink(path);
	return -1;
}

/* systemd's nmigd.socket, when we were started through it. */
static int
control_inherited(void)
{
	int	n;

	if ((n = sd_listen_fds(1)) <= 0)
		return -1;
	if (n > 1)
		log_warnx("control: %d sockets passed, using the first", n);
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
		log_warnx("control: the passed socket is not a UNIX stream "
		    "socket");
		return -1;
	}
	evutil_make_socket_nonblocking(SD_LISTEN_FDS_START);
	return SD_LISTEN_FDS_START;
}

struct control *
control_listen(struct event_base *base, const char *path, uid_t owner,
    const struct control_cmds *cmds, void *arg)
{
	struct control	*c;
	int		 fd, i;

	for (i = 0; i < CTL_NCOMMANDS; i++)
		if (cmds->handler[i] == NULL)
			fatalx("%s: command %d has no handler", __func__, i);
	if ((fd = control_inherited()) != -1)
		log_info("control: using the socket passed by systemd");
	else if ((fd = control_create(path)) == -1)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->base = base;
	c->cmds = cmds;
	c->arg = arg;
	c->owner = owner;
	c->fd = fd;
	TAILQ_INIT(&c->clients);
	c->path = fd == SD_LISTEN_FDS_START ? NULL : xstrdup(path);
	c->ev_accept = event_new(base, fd, EV_READ | EV_PERSIST,
	    control_accept_cb, c);
	c->ev_pause = evtimer_new(base, control_resume_cb, c);
	if (c->ev_accept == NULL || c->ev_pause == NULL ||
	    event_add(c->ev_accept, NULL) == -1)
		fatalx("%s: cannot register events", __func__);
	return c;
}

void
control_free(struct control *c)
{
	if (c == NULL)
		return;
	while (!TAILQ_EMPTY(&c->clients))
		client_free(TAILQ_FIRST(&c->clients));
	event_free(c->ev_accept);
	event_free(c->ev_pause);
	close(c->fd);
	if (c->path != NULL) {
		unlink(c->path);
		free(c->path);
	}
	free(c);
}
