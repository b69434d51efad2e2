/*
 * The parent zone of a watched domain: the closest enclosing zone, whose
 * servers hold the domain's delegation (jp. for example.co.jp., com. for
 * example.com.).  daemon/parents.c asks a resolver for it; what the
 * answers mean is judged here, without I/O.  Every byte judged here came
 * from a resolver: names are checked as a query owner would be, and
 * addresses no DNS server can have are refused.
 */
#ifndef NMIG_ZONECUT_H
#define NMIG_ZONECUT_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "packet.h"
#include "util.h"

/* What the finder knows of one zone; a watch points at its parent zone's
 * (struct watch's zone), which outlives the model. */
enum zone_find {
	ZF_FINDING = 0,		/* asked, no answer yet */
	ZF_FOUND,		/* servers known */
	ZF_FAILED,		/* no resolver gave a usable answer */
};

struct zonecut {
	char		*name;		/* absolute, lower case */
	uint8_t		 find;		/* enum zone_find */
	time_t		 found_at;	/* servers last learned, or 0 */
	char		 error[128];	/* ZF_FAILED: why */
};

/* Servers of a zone asked for a domain's delegation: a public TLD has 13
 * or fewer; more from a resolver are not followed. */
#define ZONECUT_SERVERS_MAX	16

/* The name one label up: "example.co.jp." -> "co.jp." -> "jp." -> ".";
 * NULL above the root.  A pointer into name. */
const char	*zonecut_up(const char *name);

enum zc_answer {
	ZC_CUT,			/* the name has an NS set: a zone */
	ZC_NOT_CUT,		/* NODATA (with its zone's SOA), NXDOMAIN or
				 * a CNAME: look one label up */
	ZC_FAIL,		/* no answer, an error, an empty answer
				 * without an SOA: ask another resolver */
};

/* The answer (NULL: none) of a resolver to "NAME NS": a zone, not one, or
 * no verdict.  For a zone, its servers' names, normalized, into names
 * (up to ZONECUT_SERVERS_MAX; *n set); names that are not host names are
 * left out, and a zone with none left is ZC_FAIL. */
enum zc_answer	 zonecut_judge_ns(const struct answer *,
		    char names[][NMIG_NAMEBUF], size_t *n);

/* The first address of an A or AAAA answer that a DNS server may have
 * (not unspecified, link-local, multicast or broadcast), with port 53,
 * into *ss.
 * Returns 0, or -1 when there is none. */
int		 zonecut_address(const struct answer *, uint16_t type,
		    struct sockaddr_storage *ss, socklen_t *len);

#endif
