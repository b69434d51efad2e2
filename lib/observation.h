/*
 * What one probe saw: one observation per (target, check, sample).  The
 * prober (daemon/prober.c) makes them; lib/apply.c applies them to the
 * model.
 */
#ifndef NMIG_OBSERVATION_H
#define NMIG_OBSERVATION_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

enum obs_status {
	OBS_ANSWER = 0,		/* answer is valid */
	OBS_TIMEOUT,		/* no acceptable answer after all tries */
	OBS_ERROR,		/* socket or TCP failure, malformed TCP answer */
	OBS_SKIPPED,		/* not sent: the server is backed off */
};

struct observation {
	enum obs_status		 status;
	struct answer		 answer;	/* OBS_ANSWER only */
	uint32_t		 rtt_ms;	/* from the last try sent */
	unsigned		 tries;
	bool			 via_tcp;
	uint64_t		 tag;		/* the probe's */
};

#endif
