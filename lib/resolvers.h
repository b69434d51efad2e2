/*
 * The resolver list: one resolver a line,
 * "NAME ADDRESS[@PORT] [samples=N] [rate=N] [LOCATION...]", '#' starts a
 * comment.
 * IPv4 and IPv6.
 */
#ifndef NMIG_RESOLVERS_H
#define NMIG_RESOLVERS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util.h"

#define RESOLVER_NAME_MAX	63
/* Samples of one check per round (nmigd.conf "samples"). */
#define MAX_SAMPLES		16
/* Queries a second to one server (nmigd.conf "rate"). */
#define MAX_RATE		1000000

struct resolver_conf {
	char			*name;
	char			*location;	/* "" when none given */
	char			 address[INET6_ADDRSTRLEN];	/* no port */
	uint16_t		 port;
	uint8_t			 samples;	/* 0: nmigd.conf's */
	uint32_t		 rate;		/* 0: nmigd.conf's */
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	int			 line;
};

struct resolver_list {
	struct resolver_conf	*v;
	size_t			 n;
};

/* Returns 0, or -1 with every problem added to errs ("FILE:LINE: ...").
 * Names must be unique; so must address and port. */
int	resolvers_load(const char *path, struct resolver_list *, struct errlist *errs);
void	resolvers_free(struct resolver_list *);

/* Letters, digits, '-', '_' and '.' only: a resolver's name (and a host
 * name) as it may be printed. */
int	resolver_name_ok(const char *);

/* The resolver's rate= or else dflt, nmigd.conf's. */
static inline unsigned
resolver_rate(const struct resolver_conf *rc, unsigned dflt)
{
	return rc != NULL && rc->rate != 0 ? rc->rate : dflt;
}

#endif
