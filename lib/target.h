/*
 * Whom a probe asks.  A resolver from resolvers.conf is a target every
 * watch shares; the servers found for one domain (its parent zone's, the
 * old and the new provider's) are targets of that watch alone, asked
 * directly.  A target also says how it is asked: resolvers with RD,
 * authoritative servers without, DO for DNSSEC data, TCP from the first
 * try where UDP will not do, and how many samples a round.
 */
#ifndef NMIG_TARGET_H
#define NMIG_TARGET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "packet.h"
#include "resolvers.h"

enum target_kind {
	TK_RESOLVER = 0,	/* a resolver of the list, asked with RD */
	TK_PARENT,		/* a server of the parent zone */
	TK_OLD_AUTH,		/* the old provider's nameserver */
	TK_NEW_AUTH,		/* the new provider's nameserver */
	TK_MAX
};

/* How a target is asked; the prober's PROBE_* are the same bits. */
#define TARGET_RD	PQ_RD		/* recursion desired */
#define TARGET_DO	PQ_DO		/* DNSSEC OK */
#define TARGET_TCP	0x100		/* TCP from the first try */

struct target {
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	uint16_t		 flags;		/* TARGET_* */
	uint8_t			 kind;		/* enum target_kind */
	uint8_t			 samples;	/* per check and round, >= 1 */
	const struct resolver_conf *rc;		/* TK_RESOLVER: its entry */
	char			*host;		/* the others: the server's
						 * name, owned */
};

/* "resolver", "parent", "old-auth", "new-auth": the database's
 * resolvers.kind. */
const char	*target_kind_name(enum target_kind);

/* A resolver of the list, with samples from its line or the config's. */
void		 target_resolver(struct target *, const struct resolver_conf *,
		    unsigned samples);
/* A server found for a domain: asked without RD, one sample. */
void		 target_server(struct target *, enum target_kind,
		    const char *host, const struct sockaddr *, socklen_t,
		    uint16_t flags);
/* Same kind, address, port and flags: one target, however many domains
 * found it. */
bool		 target_same(const struct target *, const struct target *);
/* A hash of what target_same() compares. */
uint64_t	 target_hash(const struct target *);
/* A copy that owns its own host name. */
void		 target_copy(struct target *, const struct target *);
void		 target_free(struct target *);

#endif
