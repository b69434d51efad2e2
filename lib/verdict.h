/*
 * Judging: a check's answer against the expected and old sets, a resolver's
 * state from its checks, the per-(domain, resolver) state machine (confirm,
 * unreachable, regression) and the domain's latched completion.  Pure
 * functions of their inputs and the time given: no I/O, no clock.
 */
#ifndef NMIG_VERDICT_H
#define NMIG_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "packet.h"

enum check_state {
	CS_PENDING = 0,		/* no answer yet */
	CS_NEW,
	CS_OLD,
	CS_OTHER,
	CS_NODATA,
	CS_NXDOMAIN,
	CS_ERROR,		/* SERVFAIL, REFUSED, timeout, malformed */
	CS_MAX
};

enum resolver_state {
	RS_PENDING = 0,
	RS_NEW,
	RS_OLD,
	RS_MIXED,
	RS_OTHER,
	RS_ERROR,
	RS_UNREACHABLE,
	RS_MAX
};

enum domain_state {
	DS_PENDING = 0,
	DS_PROPAGATING,
	DS_COMPLETE,
	DS_MAX
};

/* The parent zone's view of the delegation, over its servers. */
enum parent_state {
	PS_PENDING = 0,		/* no server has answered yet */
	PS_OLD,			/* every answering server: not the new NS */
	PS_NEW,			/* every answering server: the new NS */
	PS_MIXED,		/* the servers disagree */
	PS_ERROR,		/* no server gave a delegation */
	PS_MAX
};

const char	*check_state_name(enum check_state);
const char	*parent_state_name(enum parent_state);
int		 parent_state_from_name(const char *);
const char	*resolver_state_name(enum resolver_state);
const char	*domain_state_name(enum domain_state);
/* The state a name says ("propagating"), or -1. */
int		 domain_state_parse(const char *);
/* Inverses, for states read back from the database; -1 if unknown. */
int		 check_state_from_name(const char *);
int		 resolver_state_from_name(const char *);
int		 domain_state_from_name(const char *);

/* a == NULL means no usable answer (timeout, network error). */
enum check_state verdict_classify(const struct check_conf *,
		    const struct answer *a);

/* What one parent server's delegation (the apex NS check's state, judged
 * on its referral) says: new, old (the old set, or any set that is not
 * the new one: the delegation before the switch), error (none, an
 * error) or pending. */
enum parent_state verdict_parent_server(enum check_state);
/* The parent's view from each server's: the answering servers' common
 * view, mixed if they differ, error if none answered, pending if none
 * was asked.  *switched: the view is new, from more servers than failed
 * or have not answered. */
enum parent_state verdict_parent(const uint8_t *check_states, size_t n,
		    bool *switched);

/* The state one round leaves a resolver in, from its checks' states. */
enum resolver_state verdict_round(const uint8_t *check_states, size_t n);

/* Per (domain, resolver): kept small, there are domains x resolvers. */
struct rverdict {
	uint8_t		state;		/* enum resolver_state */
	uint8_t		streak;		/* consecutive new rounds, saturating */
	bool		switched : 1;	/* confirmed new */
	bool		dirty : 1;	/* not in the database yet: kept
					 * here, where it costs no space,
					 * for lib/outbox.c; verdict_update
					 * leaves it alone */
	/* The forecast's (lib/forecast.c): past expires_at plus an
	 * interval and still old (raised once). */
	bool		overdue : 1;
	/* Rounds since the last flap, saturating: a resolver is flapping
	 * while fewer than confirm. */
	uint8_t		calm;
	/* How often an old answer's TTL grew from one round to the next
	 * (caches behind one address, or one that fetched the old data
	 * again), and how often it flapped: its samples disagreed within a
	 * round, or it answered new and then old again. */
	uint16_t	ttl_grew;
	uint16_t	flaps;
	time_t		since;		/* state last changed */
	time_t		fail_since;	/* first failed round of the current
					 * failure streak, or 0 */
	time_t		last_checked;	/* end of the last round, or 0 */
	time_t		cached_until;	/* the old answers of its last round
					 * that had any, answer time + TTL */
	time_t		expires_at;	/* fixed by the first old round after
					 * the parent switched; 0 before */
};

/* What verdict_update saw happen; the caller emits the events. */
#define VEV_SWITCHED	0x01	/* confirmed new */
#define VEV_REGRESSED	0x02	/* was switched, answers old again */
#define VEV_UNREACHABLE	0x04	/* failed every round for unreachable_after */
#define VEV_RECOVERED	0x08	/* answered again after being unreachable */
#define VEV_CHANGED	0x10	/* state differs from before */

unsigned	verdict_update(struct rverdict *, enum resolver_state round,
		    time_t now, unsigned confirm, unsigned unreachable_after);

/* Whether the round flapped (disagree: its samples did; else whether it
 * went back from new), counted in v; call before verdict_update(). */
void		verdict_flap(struct rverdict *, enum resolver_state round,
		    bool disagree);
/* A flap within the last confirm rounds. */
bool		verdict_flapping(const struct rverdict *, unsigned confirm);

struct domain_tally {
	size_t	total;
	size_t	switched;	/* confirmed new */
	size_t	now_new;	/* state new in the latest round */
	size_t	unreachable;
	size_t	left_out;	/* unreachable, their cached old answers
				 * run out: not counted */
	size_t	required;	/* switched ones that make it complete */
};

/* The domain state from its resolvers; complete needs at least one
 * resolver switched and as many as req says (NULL: all) of those
 * counted.  An unreachable resolver is counted, as not switched, until
 * the old answers it cached have run out at now.  The caller latches
 * DS_COMPLETE. */
enum domain_state verdict_domain(const struct rverdict *, size_t n,
		    const struct require *req, time_t now,
		    struct domain_tally *);

#endif
