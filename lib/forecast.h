/*
 * The completion forecast: how long each resolver may go on serving the
 * old records it has cached, and so when the domain should be complete.
 * Pure functions of the model and the time given.
 *
 * A resolver's expiry is fixed by its first old round after the parent
 * zone switched: its old answers' time + TTL, never earlier than the
 * switch + the referral's NS TTL (until then it may still hold the old
 * delegation and fetch the old records again).  An old answer with a
 * fresh TTL later (a forwarder pinned to the old servers, a serve-stale
 * cache) does not move it: such a resolver becomes overdue one interval
 * after its expiry.
 */
#ifndef NMIG_FORECAST_H
#define NMIG_FORECAST_H

#include <time.h>

#include "model.h"

/* The latest answer time + TTL among resolver r's answered checks that
 * are not new (old, other, nodata, nxdomain: all cached): how long it
 * may go on serving what it holds.  0 if none. */
time_t		forecast_cached_until(const struct watch *, size_t r);

/* After verdict_update() judged resolver r's round (round: the state of
 * that round): its cached_until (the latest seen), its expiry once the
 * parent has switched, and whether it is overdue now (returns
 * FEV_OVERDUE once).  A switched resolver holds nothing old. */
#define FEV_OVERDUE	0x01
unsigned	forecast_resolver(struct watch *, size_t r,
		    enum resolver_state round, time_t now, unsigned interval);

/* The domain's expected completion: the parent's switch + its NS TTL,
 * or the latest expiry of a resolver that has not switched if later,
 * plus confirm intervals.  0 while the parent has not switched. */
time_t		forecast_domain(const struct watch *, size_t nresolvers,
		    unsigned confirm, unsigned interval);

/* The earliest time the old hosting may be cancelled: once complete, the
 * overlap since the migration began has passed and no resolver has
 * regressed for the quiet period since the completion or its last
 * regression.  0 while not complete. */
time_t		forecast_cancel(const struct watch *, unsigned overlap,
		    unsigned quiet);

#endif
