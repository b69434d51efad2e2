/*
 * The in-memory picture of every watched domain: per (domain, resolver) a
 * struct rverdict, per (domain, resolver, check) a struct cstate.  These
 * are the arrays that grow with domains x resolvers x checks, so they hold
 * numbers, not strings: the record data of a new or old answer is the
 * config's set, and only an "other" answer carries its own.
 */
#ifndef NMIG_MODEL_H
#define NMIG_MODEL_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "dname.h"
#include "resolvers.h"
#include "store.h"
#include "target.h"
#include "verdict.h"

/* The latest answer of one resolver to one check. */
#define CS_RCODE_NONE	STORE_RCODE_NONE	/* no answer: timeout, network error */
struct cstate {
	uint8_t		 state;		/* enum check_state */
	uint8_t		 rcode;		/* LDNS_RCODE_* or CS_RCODE_NONE */
	uint16_t	 rtt_ms;	/* saturates at 65535 */
	uint32_t	 ttl;
	time_t		 answered_at;	/* 0: never */
	struct rdset	*other;		/* only for CS_OTHER, capped at
					 * CSTATE_OTHER_MAX bytes; else NULL */
	/* What the database has not seen yet (lib/outbox.c writes it).
	 * Ages count back from answered_at, in seconds, saturating. */
	uint32_t	 since_age;	/* the answer first seen */
	uint16_t	 unsaved;	/* sightings not counted in its row */
	uint16_t	 prev_unsaved;	/* the same, of the answer before a
					 * change, whose row is the latest */
	uint32_t	 prev_age;	/* that answer last seen */
	uint32_t	 prev_ttl;	/* its TTL then */
	/* The samples of the round under way (lib/apply.c): how many came
	 * back, whether an answered one that is not new was taken as the
	 * round's answer, and whether one was new, with its TTL and
	 * round trip, to be recorded if none holds the target back.  Bit
	 * fields, so that the whole stays 48 bytes. */
	uint8_t		 sampled : 5;	/* up to MAX_SAMPLES */
	uint8_t		 held_back : 1;
	uint8_t		 new_seen : 1;
	bool		 dirty : 1;	/* the answer has no row yet */
	/* What the round's judging counts (rverdict) and clears: an old
	 * answer's TTL grew over the last one's; the round's samples
	 * disagreed, new and not new. */
	uint8_t		 ttl_grew : 1;
	uint8_t		 disagree : 1;
	uint16_t	 new_rtt_ms;
	uint32_t	 new_ttl;
};
/* What an "other" answer keeps for display and history: a few records'
 * worth.  Its hash still tells one such answer from the next. */
#define CSTATE_OTHER_MAX	2048

struct eventlist;
struct zonecut;

/* What a server found for the domain is asked beyond the domain's checks:
 * its states follow the checks' in a watch_own (own_stride()).  OQ_DS:
 * the parent's DS set, kept as an "other" answer (CS_OTHER with the set,
 * CS_NODATA without one): there is no expected DS set to judge it by. */
enum own_question {
	OQ_DS = 0,
	OQ_SOA,		/* a provider's server: does it serve the zone?
			 * CS_OTHER (its SOA kept) when it answers with
			 * authority, CS_ERROR when not (rcode NOERROR: no
			 * AA) or not at all */
	OQ_DNSKEY,	/* a provider's server: its DNSKEY set, kept as
			 * found (CS_OTHER), CS_NODATA for an unsigned
			 * zone (lib/dnssec.c) */
	OQ_MAX
};

/* The targets of one watch beyond the shared resolvers: servers found for
 * its domain (its parent zone's, by daemon/parents.c), by their index in
 * the model's table, each with a state per check and per own question.
 * Their states live in memory only: the outbox and persist store the
 * resolvers' and the domain's parent view (struct watch), and a restart
 * asks the servers again. */
struct watch_own {
	uint32_t	 n;
	uint32_t	*target;	/* [n] */
	struct cstate	*cs;		/* [n * own_stride()] */
};

static inline size_t
own_stride(const struct domain_conf *dc)
{
	return dc->nchecks + OQ_MAX;
}

/* A set the domain learns ("auto", lib/learn.h), per check: when it was
 * learned, or why it was not (yet); a different set the new servers
 * agree on, and for how many rounds, before it replaces the learned one;
 * whether the database has it. */
struct learned {
	time_t		 at;		/* the expected set; 0: not yet */
	time_t		 old_at;	/* the old set's snapshot; 0: not yet */
	uint64_t	 cand;		/* rdset hash of the different set */
	uint8_t		 cand_rounds;
	uint8_t		 why;		/* enum learn_why, the expected set */
	uint8_t		 old_why;	/* the same, the old set */
	bool		 dirty;
};

struct watch {
	const struct domain_conf *dc;	/* owned by the config */
	/* A domain that learns a set has its checks of its own: the
	 * config's, with the learned sets in place of "auto" (both NULL
	 * for the others: watch_check()). */
	struct check_conf	 *lchecks;	/* [nchecks] */
	struct learned		 *learned;	/* [nchecks] */
	int64_t			  db_id;
	int64_t			 *check_db_id;	/* [nchecks] */
	uint8_t			  state;	/* enum domain_state */
	time_t			  since;
	time_t			  complete_at;	/* the latch; 0 if not */
	struct rverdict		 *rv;		/* [nresolvers] */
	struct cstate		 *cs;		/* [nresolvers * nchecks] */
	struct watch_own	 *own;		/* NULL: the resolvers only */
	/* The parent zone as the finder knows it (NULL: not asked yet;
	 * owned by the finder, which outlives every model). */
	const struct zonecut	 *zone;
	/* The parent's view of the delegation (verdict_parent()), stored
	 * with the domain's row. */
	uint8_t			  parent_state;	/* enum parent_state */
	uint32_t		  parent_ttl;	/* referral NS TTL at the
						 * switch */
	time_t			  parent_since;
	time_t			  parent_switched_at;	/* the latch */
	/* The providers' name servers asked directly (lib/providers.h),
	 * and when the old ones were found to have stopped serving while
	 * they were still needed (the event's latch; 0 once they serve
	 * again). */
	const char		 *new_noaddr;	/* a new name server whose
						 * address lookup failed
						 * (daemon/hosts.c owns it) */
	uint8_t			  old_state;	/* enum old_state */
	uint8_t			  new_state;	/* enum new_state */
	uint8_t			  old_down;	/* rounds stopped in a row */
	uint8_t			  old_up;	/* rounds serving in a row */
	time_t			  old_stopped_at;
	/* DNSSEC across the cutover (lib/dnssec.h): whether the parent's
	 * DS set matches the new (and the old) servers' keys, and when the
	 * parent delegated to new servers none of whose keys it has a DS
	 * for (the event's latch). */
	uint8_t			  dnssec_new;	/* enum dnssec_state */
	uint8_t			  dnssec_old;
	uint8_t			  dnssec_bad;	/* rounds of no match in a
						 * row */
	uint8_t			  dnssec_good;	/* rounds of match or
						 * unsigned in a row */
	time_t			  dnssec_failed_at;
	/* Decommission (lib/forecast.h): since when the domain's migration
	 * has been watched, its last regression, and when the old hosting
	 * was announced as no longer needed (the latch). */
	time_t			  watched_since;
	time_t			  regressed_at;
	time_t			  cancel_at;
	void			 *run;		/* the daemon's round state */
	/* What the database has not seen yet (lib/outbox.c). */
	bool			  unsaved;	/* something below, or in cs */
	bool			  queued;	/* in the outbox's queue */
	uint32_t		  qseq;		/* of its entry there */
	bool			  row_dirty;	/* state, since, complete_at */
	bool			  refresh;	/* write every row: last_seen */
	time_t			  saved_at;	/* of the last refresh */
	struct eventlist	 *events;	/* raised, not yet stored */
};

/* How a resolver has been answering, over all domains, since start. */
struct resolver_health {
	uint64_t	queries;
	uint64_t	answers;
	uint64_t	timeouts;
	uint64_t	errors;		/* socket or TCP failures */
	uint64_t	skipped;	/* not sent: backed off */
	size_t		unreachable_domains;	/* as last said (reach.h) */
	uint64_t	rtt_sum_ms;	/* over answers */
	uint32_t	consecutive_failures;
	time_t		last_answer;
};

/* How long rounds take, as the monitor sees them: with many domains the
 * resolvers' rates, not the interval, set the pace (nmigd.conf "rate"). */
struct round_stats {
	unsigned	longest_s;	/* of the rounds that ended lately */
	uint64_t	late;		/* rounds due while the last one ran */
};

struct model {
	const struct config		*cfg;
	const struct resolver_list	*resolvers;
	int64_t				*resolver_db_id;	/* [n] */
	struct resolver_health		*health;		/* [n] */
	struct round_stats		 rounds;
	/* Every target: the resolvers' first, in the list's order (a
	 * watch's slot r < resolvers->n is resolver r), then the servers
	 * found for domains, each once however many domains share it. */
	struct target			*targets;
	size_t				 ntargets;
	uint32_t			*thash;		/* found servers:
							 * index + 1, 0 free */
	size_t				 thash_cap;	/* a power of 2 */
	struct watch			*w;
	size_t				 nw;
	struct watch			**by_name;	/* [nw], sorted */
};

/* Every watch with its state, all pending. */
struct model	*model_new(const struct config *, const struct resolver_list *);
/* Every watch without its per-resolver state (rv, cs NULL): a reload
 * (lib/carry.c) gives each watch its old arrays or new ones. */
struct model	*model_new_bare(const struct config *, const struct resolver_list *);
/* The per-resolver state of one watch, all pending. */
void		 watch_alloc_state(const struct model *, struct watch *);
void		 model_free(struct model *);

/* What check k of w expects: the config's sets, or the learned ones. */
static inline const struct check_conf *
watch_check(const struct watch *w, size_t k)
{
	return w->lchecks != NULL ? &w->lchecks[k] : &w->dc->checks[k];
}

static inline struct cstate *
watch_cstate(const struct watch *w, size_t resolver, size_t check)
{
	return &w->cs[resolver * w->dc->nchecks + check];
}

/* The record data a check state stands for: the expected set for new, the
 * old set for old, the answer's own for other, an empty set otherwise. */
const struct rdset *cstate_rdata(const struct cstate *, const struct check_conf *);
void		 cstate_clear(struct cstate *);
/* Keep set (copied, capped) as an "other" answer's records. */
void		 cstate_set_other(struct cstate *, const struct rdset *);
/* Replace the latest answer; a takes no ownership. */
void		 cstate_set(struct cstate *, enum check_state, const struct answer *a,
		    time_t when, uint32_t rtt_ms);

/* The index of t in the model's table, added if it is not there yet. */
size_t		 model_intern_target(struct model *, const struct target *);

/* A watch's targets are slots: the shared resolvers, then its own. */
static inline size_t
watch_ntargets(const struct model *m, const struct watch *w)
{
	return m->resolvers->n + (w->own != NULL ? w->own->n : 0);
}

static inline const struct target *
watch_target(const struct model *m, const struct watch *w, size_t slot)
{
	size_t	n = m->resolvers->n;

	return &m->targets[slot < n ? slot : w->own->target[slot - n]];
}

static inline struct cstate *
watch_tstate(const struct model *m, const struct watch *w, size_t slot,
    size_t check)
{
	size_t	n = m->resolvers->n;

	return slot < n ? watch_cstate(w, slot, check) :
	    &w->own->cs[(slot - n) * own_stride(w->dc) + check];
}

/* Make the model's target t one of w's own, all pending; returns its
 * slot.  A target w already has keeps its slot and state. */
size_t		 watch_add_target(const struct model *, struct watch *,
		    size_t t);
/* Make w's own targets of kind exactly the model's targets t[n]: those
 * it had keep their states, the others go; other kinds stay.  Slots of
 * the targets that stay may move: no round may be under way. */
void		 watch_set_targets(const struct model *, struct watch *,
		    enum target_kind, const size_t *t, size_t n);
void		 watch_own_free(struct watch_own *, const struct domain_conf *);

/* What target t asks in a round as w's question k (a check below
 * nchecks, then enum own_question): its checks, and of the own questions
 * the DS set for a parent server, the SOA and the DNSKEY set for a
 * provider's.  false: nothing for question k. */
bool		 watch_question(const struct watch *, const struct target *,
		    size_t k, const char **owner, uint16_t *type);

/* The watch for a normalized domain name, or NULL. */
struct watch	*model_find_watch(const struct model *, const char *name);
/* The index of a resolver by name, or -1. */
ssize_t		 model_find_resolver(const struct model *, const char *name);

#endif
