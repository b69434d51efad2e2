/*
 * A config, its resolver list and their model, made from text in a
 * temporary directory, for the unit tests of lib/carry.c and lib/apply.c.
 */
#ifndef NMIG_TESTWORLD_H
#define NMIG_TESTWORLD_H

#include <stdbool.h>

#include "config.h"
#include "model.h"
#include "resolvers.h"

struct world {
	struct config		*cfg;
	struct resolver_list	 rl;
	struct model		*m;
};

/* The directory's files go when tw_cleanup() runs; -1 on failure. */
int	tw_setup(const char *name);
int	tw_cleanup(void);
/* tmpdir/file */
void	tw_path(char *buf, const char *file);

/* resolvers: resolvers.conf's content; extra: [nmigd] keys, one a line;
 * domains: the [domain] sections.  A bare model (the new side of a
 * reload) or a full one, all pending. */
void	tw_load(struct world *, const char *resolvers, const char *extra,
	    const char *domains, bool bare);
void	tw_free(struct world *);

struct watch	*tw_watch(const struct world *, const char *name);
size_t		 tw_resolver(const struct world *, const char *name);

#endif
