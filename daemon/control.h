/*
 * The control socket: a UNIX stream socket speaking one JSON object per
 * line each way (see nmigd-ctl(8)).
 */
#ifndef NMIGD_CONTROL_H
#define NMIGD_CONTROL_H

#include "ctlproto.h"
#include "nmigd.h"

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
 * CONTROL_STREAM_LOWAT, CONTROL_STREAM_SLICE at a time, which is what
 * the loop builds at once (3 domains of 50 resolvers, a few ms). */
#define CONTROL_MAX_OUTPUT	(1024 * 1024)
#define CONTROL_STREAM_SLICE	(64 * 1024)
#define CONTROL_STREAM_LOWAT	(CONTROL_MAX_OUTPUT - CONTROL_STREAM_SLICE)
/* Other replies are built whole, bounded by their command's limits
 * (history: 1000 entries; events: 1000), and refused beyond this. */
#define CONTROL_MAX_REPLY	(8 * 1024 * 1024)

/* Listen on the socket systemd passed (socket activation) or create
 * path with mode 0660.  NULL after logging. */
struct control	*control_listen(struct nmigd *, const char *path);
void		 control_free(struct control *);
/* The monitor's model is about to be replaced by a reload: status
 * replies being written go on with the new one (status_stream_reloading). */
void		 control_reloading(struct control *);

#endif
