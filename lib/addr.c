/*
 * Numeric socket addresses from config text, and comparisons.
 *
 * Why not evutil_parse_sockaddr_port().  Its syntax is looser than
 * nmigd's, and a resolver or a listener must not be taken from text that
 * 0.1 refused: libevent parses IPv4 itself with sscanf("%u"), so
 * "1.2.3.04", "01.2.3.4" and "+1.2.3.4:80" pass; it reads the port with
 * atoi() ("53x" is 53), takes a missing port as 0, ignores text after
 * "[::1]", takes IPv6 without brackets, and (2.1.12) a scope id such as
 * "fe80::1%eth0", whose meaning depends on the host.  So the syntax is
 * checked here, the address converted with inet_pton() as in 0.1, and
 * only the comparisons are libevent's (evutil_sockaddr_cmp()).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/util.h>

#include "addr.h"

/* Longer than any address in text (INET6_ADDRSTRLEN, 46). */
#define ADDR_TEXT_MAX	64

int
addr_parse(const char *host, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	if (port == 0)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int
addr_parse_hostport(const char *s, struct sockaddr_storage *ss,
    socklen_t *len)
{
	char		 host[ADDR_TEXT_MAX];
	const char	*colon, *h = s;
	size_t		 hlen;
	unsigned long	 port;
	char		*end;
	bool		 bracketed = false;

	/* The last colon separates the port; IPv6 needs its brackets. */
	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		h = s + 1;
		hlen -= 2;
		bracketed = true;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	/* strtoul() as in 0.1, white space and a '+' included. */
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port == 0 ||
	    port > 65535)
		return -1;
	if (bracketed != (strchr(host, ':') != NULL))
		return -1;
	return addr_parse(host, (uint16_t)port, ss, len);
}

bool
sockaddr_same(const struct sockaddr *a, const struct sockaddr *b)
{
	return a != NULL && b != NULL && evutil_sockaddr_cmp(a, b, 1) == 0;
}

bool
sockaddr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	return a != NULL && b != NULL && evutil_sockaddr_cmp(a, b, 0) == 0;
}

uint64_t
fnv_add(uint64_t h, const void *p, size_t len)
{
	const uint8_t	*b = p;

	while (len-- > 0)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

uint64_t
sockaddr_hash(const struct sockaddr *sa, uint64_t h)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		h = fnv_add(h, &sin->sin_addr, sizeof(sin->sin_addr));
		h = fnv_add(h, &sin->sin_port, sizeof(sin->sin_port));
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		h = fnv_add(h, &sin6->sin6_addr, sizeof(sin6->sin6_addr));
		h = fnv_add(h, &sin6->sin6_port, sizeof(sin6->sin6_port));
		break;
	}
	return h;
}

const char *
sockaddr_host_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;
	const char			*ok = NULL;

	if (sa->sa_family == AF_INET6)
		ok = inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len);
	else if (sa->sa_family == AF_INET)
		ok = inet_ntop(AF_INET, &sin->sin_addr, buf, len);
	if (ok == NULL)
		snprintf(buf, len, "?");
	return buf;
}

uint16_t
sockaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_port);
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->
		    sin_port);
	return 0;
}
