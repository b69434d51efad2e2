/*
 * A reload's new model takes over the old one's state: domains and
 * resolvers that stay keep what they knew, new ones start from what the
 * database has, and a check whose expected or old records changed is
 * judged again from the answer it holds.
 */
#ifndef NMIG_CARRY_H
#define NMIG_CARRY_H

#include <stdbool.h>
#include <time.h>

#include "model.h"
#include "store.h"

struct outbox;

/* nm comes from model_new_bare().  With a store, ids and the state of new
 * domains and resolvers come from it, in one transaction, which also
 * takes what the domains that leave still owe it (with an outbox, which
 * then holds nm's domains).  0: nm is complete and holds what it took
 * from old, which is left to be freed.  -1 (the database failed): old is
 * untouched, nm is to be freed. */
int	carry_over(struct model *nm, struct model *old, struct store *,
	    struct outbox *, time_t now);

/* An old watch whose arrays nm took (its domain's resolvers and checks,
 * in order, are the same) has rv and cs NULL afterwards: an answer to a
 * probe it sent still fits the new watch. */
static inline bool
carry_taken(const struct watch *old)
{
	return old->cs == NULL;
}

#endif
