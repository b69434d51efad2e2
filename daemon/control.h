/*
 * The control socket: a UNIX stream socket speaking one JSON object per
 * line each way (see nmigd-ctl(8)).
 */
#ifndef NMIGD_CONTROL_H
#define NMIGD_CONTROL_H

#include "nmigd.h"

#define CONTROL_PROTOCOL_VERSION	1	/* bump if any reply changes */
#define CONTROL_MAX_REQUEST		4096
#define CONTROL_MAX_OUTPUT		(64 * 1024 * 1024)
#define CONTROL_IDLE_SECS		60
#define CONTROL_MAX_CLIENTS		512

/* Listen on the socket systemd passed (socket activation) or create
 * path with mode 0660.  NULL after logging. */
struct control	*control_listen(struct nmigd *, const char *path);
void		 control_free(struct control *);

#endif
