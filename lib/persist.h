/*
 * The model's state in the database: what a start (or a reload, for the
 * domains and resolvers it adds) reads back.  lib/outbox.c writes it.
 */
#ifndef NMIG_PERSIST_H
#define NMIG_PERSIST_H

#include <time.h>

#include "model.h"
#include "store.h"

/* Reading, inside the caller's store transaction. */

/* The resolver rows' ids, created on first use; fresh[r] (when not NULL)
 * tells which resolvers the database has never seen.  -1 on error. */
int	persist_resolver_ids(struct model *, struct store *, bool *fresh);
/* One watch: its ids, its domain row and every resolver's state.  A bad
 * row is logged and loads as pending; -1 only when the database fails. */
int	persist_load_watch(struct model *, struct store *, struct watch *,
	    time_t now);
/* One resolver's verdict and answers for one watch. */
int	persist_load_resolver(struct model *, struct store *, struct watch *,
	    size_t resolver, time_t now);
/* The whole model at start-up, in one transaction. */
int	persist_load(struct model *, struct store *, time_t now);

#endif
