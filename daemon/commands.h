/*
 * The control commands: what each answers (nmigd-ctl(8)).
 */
#ifndef NMIGD_COMMANDS_H
#define NMIGD_COMMANDS_H

#include "control.h"
#include "nmigd.h"

/* nmigd's handlers for control_listen(), whose argument is a struct
 * commands. */
extern const struct control_cmds	command_handlers;

struct commands;
struct commands	*commands_new(struct nmigd *);
/* After control_free(), which ends the streams. */
void		 commands_free(struct commands *);
/* The monitor's model is about to be replaced by a reload: status
 * replies being streamed go on with the new one
 * (status_stream_reloading). */
void		 commands_reloading(struct commands *);
/* The read numbered seq (reload_request()) is over and applied, or
 * refused with errs: the reload requests it answers get their reply. */
void		 commands_reloaded(struct commands *, unsigned seq,
		    const struct errlist *errs);

#endif
