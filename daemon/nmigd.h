/*
 * The daemon's parts, owned by nmigd.c and lent to the modules that answer
 * for them (the control commands, the metrics endpoint and web view).
 */
#ifndef NMIGD_NMIGD_H
#define NMIGD_NMIGD_H

#include <stdbool.h>
#include <sys/types.h>

#include <event2/event.h>
#include <jansson.h>

#include "config.h"
#include "monitor.h"
#include "prober.h"
#include "resolvers.h"
#include "store.h"

struct commands;
struct control;
struct looplag;
struct http;
struct reload;

struct nmigd {
	struct event_base	*base;
	const char		*conffile;
	struct config		*cfg;
	struct resolver_list	*rl;
	struct store		*store;
	struct prober		*prober;
	struct monitor		*monitor;
	struct commands		*commands;	/* the control handlers' */
	struct control		*control;
	struct http		*http;
	struct looplag		*looplag;	/* how late the loop runs */
	struct reload		*reload;	/* the config reader */
	struct retention	*retention;	/* history-days */
	uid_t			 uid;		/* ours, for the control socket */
	bool			 status_dirty;	/* STATUS= is out of date */
	time_t			 status_next;	/* STATUS= not before this,
						 * monotonic seconds */
	bool			 reloading;	/* RELOADING=1 said, no READY=1 */
	time_t			 started;
};

/* Re-read the config and the resolver list, on the reader's thread
 * (daemon/reload.c), and switch to them.  On a bad config the old one
 * stays and the errors are logged.  Returns the read's seq, which
 * commands_reloaded() is told with the outcome. */
unsigned	nmigd_reload(struct nmigd *);

#endif
