/*
 * Judging the parent finder's answers (daemon/parents.c).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "rdtext.h"
#include "wire.h"
#include "zonecut.h"

const char *
zonecut_up(const char *name)
{
	const char	*dot;

	if (strcmp(name, ".") == 0)
		return NULL;
	if ((dot = strchr(name, '.')) == NULL || dot[1] == '\0')
		return ".";
	return dot + 1;
}

/* One NS RDATA (a name in canonical wire form) as a name a query may ask
 * for, or -1: a hostile resolver's name never becomes a query owner or a
 * status line that it was not checked as. */
static int
server_name(const uint8_t *rd, uint16_t len, char *out)
{
	char	*text;
	int	 rv;

	if ((text = rdtext(WIRE_T_NS, rd, len)) == NULL)
		return -1;
	rv = name_check(text, NAME_HOST, out, NMIG_NAMEBUF, NULL);
	free(text);
	return rv;
}

enum zc_answer
zonecut_judge_ns(const struct answer *a, char names[][NMIG_NAMEBUF],
    size_t *n)
{
	const uint8_t	*rd;
	size_t		 off = 0;
	uint16_t	 len;

	*n = 0;
	if (a == NULL || a->tc)
		return ZC_FAIL;
	/* No such name, or a name with a CNAME, which cannot own an NS
	 * set: no zone here. */
	if (a->rcode == WIRE_RCODE_NXDOMAIN ||
	    (a->rcode == WIRE_RCODE_NOERROR && a->cname))
		return ZC_NOT_CUT;
	if (a->rcode != WIRE_RCODE_NOERROR)
		return ZC_FAIL;
	/* No NS set: a NODATA answer carries its zone's SOA.  An empty
	 * answer without one (a referral from a resolver that did not
	 * recurse, a broken one) says nothing. */
	if (a->rdata.n == 0)
		return a->auth_soa ? ZC_NOT_CUT : ZC_FAIL;
	while ((rd = rdset_next(&a->rdata, &off, &len)) != NULL &&
	    *n < ZONECUT_SERVERS_MAX)
		if (server_name(rd, len, names[*n]) == 0)
			(*n)++;
	return *n > 0 ? ZC_CUT : ZC_FAIL;
}

static bool
v4_ok(const uint8_t *a)
{
	/* 0/8 "this network", 169.254/16 link-local, 224/4 multicast,
	 * 240/4 reserved and the broadcast address. */
	return a[0] != 0 && a[0] < 224 && !(a[0] == 169 && a[1] == 254);
}

static bool
v6_ok(const uint8_t *a)
{
	static const uint8_t	zero[16];
	static const uint8_t	mapped[12] = { [10] = 0xff, [11] = 0xff };

	/* The unspecified address, multicast, link-local (fe80::/10, which
	 * needs an interface no answer names), and v4-mapped ones, which
	 * would reach IPv4 without its checks. */
	return memcmp(a, zero, 16) != 0 && a[0] != 0xff &&
	    !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80) &&
	    memcmp(a, mapped, 12) != 0;
}

int
zonecut_address(const struct answer *a, uint16_t type,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const uint8_t		*rd;
	size_t			 off = 0;
	uint16_t		 rdlen;

	if (a == NULL || a->rcode != WIRE_RCODE_NOERROR)
		return -1;
	while ((rd = rdset_next(&a->rdata, &off, &rdlen)) != NULL) {
		memset(ss, 0, sizeof(*ss));
		if (type == WIRE_T_A && rdlen == 4 && v4_ok(rd)) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons(53);
			memcpy(&sin->sin_addr, rd, 4);
			*len = sizeof(*sin);
			return 0;
		}
		if (type == WIRE_T_AAAA && rdlen == 16 && v6_ok(rd)) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(53);
			memcpy(&sin6->sin6_addr, rd, 16);
			*len = sizeof(*sin6);
			return 0;
		}
	}
	return -1;
}
