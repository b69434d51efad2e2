/*
 * The old and the new provider's name servers, asked directly (RD=0) for
 * the domain's SOA and records: does the old provider still serve the
 * zone that caches still point at, and does the new one serve what the
 * configuration expects, the same on every server?  Pure functions of the
 * model.
 */
#ifndef NMIG_PROVIDERS_H
#define NMIG_PROVIDERS_H

#include <stddef.h>

#include "dnssec.h"
#include "model.h"

enum old_state {
	OP_PENDING = 0,		/* not asked, or no answer yet */
	OP_SERVING,		/* every server answers with authority */
	OP_PARTLY,		/* some do */
	OP_STOPPED,		/* none does */
	OP_MAX
};

enum new_state {
	NP_PENDING = 0,
	NP_OK,			/* every server that answered serves the
				 * expected records, with one serial */
	NP_LAME,		/* a server does not serve the zone
				 * (REFUSED, no authority, NXDOMAIN) */
	NP_MISMATCH,		/* a server's records are not the expected */
	NP_INCONSISTENT,	/* the servers' serials differ */
	NP_MAX
};

const char	*old_state_name(enum old_state);
const char	*new_state_name(enum new_state);
int		 old_state_from_name(const char *);
int		 new_state_from_name(const char *);

/* How a provider's server answered its SOA question: serving, not
 * serving (failing, lame), or not known (no answer at all: a timeout
 * says nothing of the zone for a new server). */
enum serving {
	SV_UNKNOWN,
	SV_YES,
	SV_NO,
};
enum serving	 provider_serving(const struct cstate *soa);

enum old_state	 verdict_old_provider(const struct model *,
		    const struct watch *);
/* why: what is wrong, for people ("a.example refuses the zone"). */
enum new_state	 verdict_new_provider(const struct model *,
		    const struct watch *, char *why, size_t len);
/* Resolvers that still hold old answers (old or mixed, not switched). */
size_t		 providers_resolvers_old(const struct model *,
		    const struct watch *);
/* How kind's servers' (TK_NEW_AUTH or TK_OLD_AUTH) keys stand against
 * the parent's DS set; for a server with none a DS stands for, its key
 * tags into tags. */
enum dnssec_state verdict_dnssec(const struct model *, const struct watch *,
		    enum target_kind, char *tags, size_t len);
/* Whether the new provider's state keeps the domain from completing. */
bool		 new_state_blocks(enum new_state);

#endif
