/*
 * The event loop: one event base with priorities (loop.h).
 */
#include <event2/event.h>

#include "log.h"
#include "loop.h"

struct event_base *
loop_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;
	struct timeval		 bulk = { 0, LOOP_BULK_MS * 1000 };

	if ((cfg = event_config_new()) == NULL)
		fatalx("%s: event_config_new", __func__);
	/* libevent runs every ready callback of a priority before it looks
	 * at the clock again: without a limit, hundreds of status slices
	 * in one pass would hold the loop for seconds. */
	if (event_config_set_max_dispatch_interval(cfg, &bulk, -1,
	    LOOP_PRIO_BULK) == -1)
		fatalx("%s: cannot limit a dispatch", __func__);
	if ((base = event_base_new_with_config(cfg)) == NULL)
		fatalx("%s: event_base_new_with_config", __func__);
	event_config_free(cfg);
	if (event_base_priority_init(base, LOOP_NPRIO) == -1)
		fatalx("%s: cannot set the priorities", __func__);
	return base;
}
