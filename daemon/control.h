/*
 * The control socket: a UNIX stream socket speaking one JSON object per
 * line each way (see nmigd-ctl(8)).
 */
#ifndef NMIGD_CONTROL_H
#define NMIGD_CONTROL_H

#include "ctlproto.h"
#include "nmigd.h"

#define CONTROL_MAX_REQUEST		CTL_MAX_REQUEST
#define CONTROL_MAX_OUTPUT		(64 * 1024 * 1024)
#define CONTROL_IDLE_SECS		60
#define CONTROL_MAX_CLIENTS		512

/* Listen on the socket systemd passed (socket activation) or create
 * path with mode 0660.  NULL after logging. */
struct control	*control_listen(struct nmigd *, const char *path);
void		 control_free(struct control *);

#endif
