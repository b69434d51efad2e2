/*
 * Socket addresses: the numeric addresses of resolvers.conf and of
 * "metrics =", and comparing addresses (evutil_sockaddr_cmp()).
 */
#ifndef NMIG_ADDR_H
#define NMIG_ADDR_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A numeric IPv4 or IPv6 address as inet_pton() reads it (no brackets,
 * no scope id, no leading zeros) and a port (1 to 65535) into *ss.
 * Returns 0, or -1 when host is not one. */
int	addr_parse(const char *host, uint16_t port,
	    struct sockaddr_storage *ss, socklen_t *len);
/* "127.0.0.1:9553" or "[::1]:9553": IPv6 in brackets, IPv4 without, and
 * a port from 1 to 65535.  Returns 0 or -1. */
int	addr_parse_hostport(const char *, struct sockaddr_storage *,
	    socklen_t *len);

/* The address alone as text ("192.0.2.1", "2001:db8::1") into buf
 * (INET6_ADDRSTRLEN bytes is enough); "?" for another family.  Returns
 * buf. */
const char *sockaddr_host_text(const struct sockaddr *, char *buf,
	    size_t len);
/* Its port, host order; 0 for another family. */
uint16_t sockaddr_port(const struct sockaddr *);

/* Same family, address and port.  NULL is never the same. */
bool	sockaddr_same(const struct sockaddr *, const struct sockaddr *);
/* Same family and address, whatever the ports. */
bool	sockaddr_same_host(const struct sockaddr *, const struct sockaddr *);
/* A hash (FNV-1a, continuing h) of what sockaddr_same() compares. */
uint64_t sockaddr_hash(const struct sockaddr *, uint64_t h);
/* The start of an FNV-1a hash, and more bytes into one. */
#define FNV_OFFSET	14695981039346656037ULL
uint64_t fnv_add(uint64_t h, const void *, size_t);

#endif
