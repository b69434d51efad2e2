/*
 * Asking the configured resolvers (RD=1) ourselves, one after another
 * until one gives a usable answer: what the parent finder (parents.c)
 * and the server lookups (hosts.c) share.  The resolver that last gave
 * one is asked first.
 */
#ifndef NMIGD_ASK_H
#define NMIGD_ASK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "prober.h"
#include "resolvers.h"

struct asker {
	struct prober			*prober;
	const struct config		*cfg;	/* timeout, retries */
	const struct resolver_list	*rl;
	size_t				 good;	/* last gave an answer */
};

/* Which resolver one question is at: kept by the question, so that a
 * reload that changes the list changes where it goes next, not what it
 * asked. */
struct ask_pick {
	size_t			 resolver;
	size_t			 tried;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
};

void	ask_init(struct asker *, struct prober *, const struct config *,
	    const struct resolver_list *);
/* A reload: the next questions go by the new list and timeouts. */
void	ask_reload(struct asker *, const struct config *,
	    const struct resolver_list *);
/* The next resolver for a question (pick zeroed before the first):
 * false when every one has been asked. */
bool	ask_next(struct asker *, struct ask_pick *);
/* Ask pick's resolver; done gets the observation with tag.  -1 if the
 * question cannot be sent (logged). */
int	ask_send(struct asker *, const struct ask_pick *, const char *owner,
	    uint16_t type, probe_done_cb done, void *arg, uint64_t tag);
/* pick's resolver gave a usable answer: ask it first next time. */
void	ask_good(struct asker *, const struct ask_pick *);

#endif
