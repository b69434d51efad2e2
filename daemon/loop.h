/*
 * The event loop and its priorities.  Everything runs at LOOP_PRIO_DEFAULT
 * (libevent's default with LOOP_NPRIO priorities) except work done for
 * peers that only look: the status documents of read-only control
 * clients are built at LOOP_PRIO_BULK (daemon/control.c).  The loop takes
 * bulk work only when nothing else is ready, and after LOOP_BULK_MS of it
 * looks for new events again: a thousand clients asking for the status
 * at once delay no probe, timer or root's command.
 */
#ifndef NMIGD_LOOP_H
#define NMIGD_LOOP_H

#include <event2/event.h>

#define LOOP_NPRIO		3
#define LOOP_PRIO_DEFAULT	(LOOP_NPRIO / 2)
#define LOOP_PRIO_BULK		(LOOP_NPRIO - 1)
#define LOOP_BULK_MS		10

/* The one event base; fatal when it cannot be made. */
struct event_base	*loop_new(void);

#endif
