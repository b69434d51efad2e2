/*
 * The addresses of the servers nmigd asks directly: the parent zone's
 * (daemon/parents.c) and the old and new providers' name servers.  Each
 * name is looked up once through the resolvers (daemon/ask.h), for
 * every domain that names it, and again after HOSTS_REFRESH; a server is
 * asked at its first IPv4 address, else its first IPv6 one (lib/zonecut.c
 * refuses addresses no server can have).
 */
#ifndef NMIGD_HOSTS_H
#define NMIGD_HOSTS_H

#include <sys/socket.h>

#include <time.h>

#include "ask.h"
#include "zonecut.h"

#define HOSTS_REFRESH	3600
#define HOSTS_RETRY	60

struct host {
	char			*name;		/* absolute, lower case */
	uint8_t			 find;		/* enum zone_find */
	time_t			 found_at;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;		/* 0: no address (yet) */
	char			 error[96];	/* the last lookup's failure */
};

struct hosts;

struct hosts	*hosts_new(struct asker *);
/* The caller has cancelled every probe first (prober_cancel_all()). */
void		 hosts_free(struct hosts *);
/* The prober dropped every probe: lookups under way start again when
 * next asked for. */
void		 hosts_cancelled(struct hosts *);
/* What is known of name (a host name, normalized); a lookup starts if
 * none runs and it is unknown or stale.  The host lives as long as the
 * table. */
const struct host *hosts_get(struct hosts *, const char *name, time_t now);

#endif
