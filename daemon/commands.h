/*
 * The control commands: what each answers (nmigd-ctl(8)).
 */
#ifndef NMIGD_COMMANDS_H
#define NMIGD_COMMANDS_H

#include <jansson.h>

#include "ctlproto.h"
#include "nmigd.h"
#include "status.h"

/* The reply to a decoded request, or NULL with *stream set when the
 * reply is the status of every domain, to be written in parts. */
json_t	*command_run(struct nmigd *, const struct ctl_request *,
	    struct status_stream **stream);

#endif
