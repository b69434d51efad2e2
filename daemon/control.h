/*
 * The control socket: a UNIX stream socket speaking one JSON object per
 * line each way (see nmigd-ctl(8)).  It knows the commands only through
 * the handlers it is given (daemon/commands.c has nmigd's) and the
 * argument it passes them.
 */
#ifndef NMIGD_CONTROL_H
#define NMIGD_CONTROL_H

#include <sys/types.h>

#include <event2/event.h>
#include <jansson.h>

#include "ctlproto.h"

#define CONTROL_MAX_REQUEST	CTL_MAX_REQUEST
/* Client slots.  Read-only peers (any other uid) share all but
 * CONTROL_RESERVED of them, so that root's check and reload always get
 * through, and one uid may hold only CONTROL_MAX_PER_UID. */
#define CONTROL_MAX_CLIENTS	512
#define CONTROL_RESERVED	32
#define CONTROL_MAX_PER_UID	16
/* Deadlines, which bytes do not extend: a request line must be complete
 * this long after the connection or the last reply, and a reply must be
 * read within CONTROL_REPLY_SECS.  A streamed status (about 200 MB for
 * 10,000 domains of 50 resolvers) gets a second more for each
 * CONTROL_STREAM_RATE bytes it has been given: a reader slower than that
 * on average is closed. */
#define CONTROL_REQUEST_SECS	10
#define CONTROL_REPLY_SECS	60
#define CONTROL_STREAM_RATE	(1024 * 1024)
/* The status of every domain is streamed: what a client has queued is
 * refilled up to CONTROL_MAX_OUTPUT whenever it has read its way down to
 * CONTROL_STREAM_LOWAT, for at most CONTROL_STREAM_SLICE_NSEC a loop pass
 * (a few domains of 50 resolvers, or the list's rows of thousands), as
 * daemon/docserve.c builds its documents. */
#define CONTROL_MAX_OUTPUT	(1024 * 1024)
#define CONTROL_STREAM_LOWAT	(CONTROL_MAX_OUTPUT - 64 * 1024)
#define CONTROL_STREAM_SLICE_NSEC (5 * 1000 * 1000)
/* Bytes written to one client per loop pass, as daemon/httpd.c does:
 * libevent's default, 16 KiB, sent the list of 10,000 domains (a
 * megabyte) in 60 passes, each behind every probe event of its pass. */
#define CONTROL_WRITE_MAX	(256 * 1024)
/* Other replies are built whole, bounded by their command's limits
 * (history: 1000 entries; events: 1000), and refused beyond this. */
#define CONTROL_MAX_REPLY	(8 * 1024 * 1024)

/* A reply too large to build at once (the status of every domain), or
 * not known yet (a reload's, once the files are read): the handler's
 * object, written a part at a time as the client reads. */
#define CONTROL_STREAM_WAIT	2
struct control_stream_ops {
	/* Write the next part through fn: 1 when a part was written, 0
	 * once the reply is complete, -1 when fn failed,
	 * CONTROL_STREAM_WAIT when there is nothing to write until
	 * control_wake(). */
	int	(*next)(void *stream, json_dump_callback_t fn, void *fnarg);
	void	(*free)(void *stream);
};

/* The reply to a request that lib/ctlproto.c has decoded and checked, or
 * NULL with *stream set when the reply is to be streamed.  arg is
 * control_listen()'s. */
typedef json_t	*control_handler(void *arg, const struct ctl_request *,
		    void **stream);

/* lib/ctlproto.c has each command's name, permission and arguments;
 * this its handler. */
struct control_cmds {
	control_handler			*handler[CTL_NCOMMANDS];
	struct control_stream_ops	 stream;
};

/* Listen on the socket systemd passed (socket activation) or create
 * path with mode 0660.  Peers of uid 0 or owner may use every command,
 * others only the read-only ones.  NULL after logging. */
struct control	*control_listen(struct event_base *, const char *path,
		    uid_t owner, const struct control_cmds *, void *arg);
void		 control_free(struct control *);
/* Streams that were waiting (CONTROL_STREAM_WAIT) are asked again. */
void		 control_wake(struct control *);

#endif
