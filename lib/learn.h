/*
 * Learned values: a domain's sets given as "auto" take what the servers
 * answer.  The expected set of "mx = auto" and "record = OWNER TYPE auto"
 * is what the new name servers agree on, authoritatively; a different set
 * they agree on for confirm rounds (two at least) replaces it, and the
 * migration starts afresh.  The old set is a snapshot taken once: "old-ns
 * = auto" what the parent delegates to, "old-mx = auto" what the old name
 * servers answer, nothing if that is the new set.  Answers judged before
 * a set was learned are judged again.  Works on the model alone; what it
 * learns is logged.
 */
#ifndef NMIG_LEARN_H
#define NMIG_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "model.h"

/* Why a set is not (or no longer) what the servers say. */
enum learn_why {
	LW_OK = 0,	/* learned, and the servers still agree */
	LW_WAITING,	/* no server has answered with authority yet */
	LW_DISAGREE,	/* the servers answer with different sets */
	LW_EMPTY,	/* the servers have no such records */
	LW_TOO_LARGE,	/* the set is larger than nmigd keeps */
	LW_NO_SERVERS,	/* old-mx: old-ns learned no old name servers */
	LW_SAME,	/* an old set: the new set, so nothing is old */
	LW_CHANGING,	/* the servers agree on another set, not yet for
			 * long enough */
	LW_MAX
};

/* "ok", "waiting", "disagree", ...: the status document's words. */
const char	*learn_why_name(enum learn_why);
int		 learn_why_from_name(const char *);
/* For people: "the new name servers disagree". */
const char	*learn_why_text(enum learn_why, bool old);

/* One round's learning, before its answers are judged.  Logs what it
 * learned; a learned set that changed restarts the migration. */
void		 learn_round(const struct model *, struct watch *, time_t now,
		    unsigned confirm);
/* A reload: the learned sets of the checks that still learn them, from
 * the watch of the old model; an old set the operator gave before is
 * the snapshot of one now learned.  Whether the database lacks any. */
bool		 learn_carry(struct watch *w, const struct watch *ow,
		    time_t now);
/* Set check k's learned expected or old set, read back from the
 * database (lib/persist.c). */
void		 learn_set(struct watch *, size_t k, bool old,
		    const struct rdset *, time_t at, enum learn_why);

#endif
