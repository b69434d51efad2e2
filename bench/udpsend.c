/*
 * bench/udpsend.c - what a UDP send costs the sender on loopback, from one
 * unconnected socket to 50 addresses (as nmigd's pool sends to its
 * resolvers) against one connected socket per address (a send without a
 * route lookup).  The receivers never read: their queues fill and drop,
 * so that only the sender's side is timed.  Traffic stays on 127.0.0.0/8.
 *
 *	cc -O2 -o /tmp/udpsend bench/udpsend.c
 *	taskset -c 0 /tmp/udpsend 0; taskset -c 0 /tmp/udpsend 1
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NDEST	50
#define NSEND	200000

static double
cpu_seconds(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A receiver on 127.0.0.(1 + i), a port the kernel picks, a small queue. */
static void
receiver(int i, struct sockaddr_in *sin)
{
	socklen_t	len = sizeof(*sin);
	int		fd, small = 4096;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		exit(1);
	}
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)i);
	if (bind(fd, (struct sockaddr *)sin, len) == -1 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) == -1) {
		perror("bind");
		exit(1);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	dst[NDEST];
	int			conn[NDEST], fd, connected, i;
	char			query[40] = { 0 };	/* a query's size */
	double			t0;

	connected = argc > 1 && atoi(argv[1]) != 0;
	for (i = 0; i < NDEST; i++) {
		receiver(i, &dst[i]);
		conn[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (conn[i] == -1 || connect(conn[i],
		    (struct sockaddr *)&dst[i], sizeof(dst[i])) == -1) {
			perror("connect");
			return 1;
		}
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 1;
	}
	t0 = cpu_seconds();
	for (i = 0; i < NSEND; i++)
		if (connected)
			(void)send(conn[i % NDEST], query, sizeof(query), 0);
		else
			(void)sendto(fd, query, sizeof(query), 0,
			    (struct sockaddr *)&dst[i % NDEST], sizeof(dst[0]));
	printf("%s: %.3f us of CPU per datagram\n",
	    connected ? "connected, a socket per address" :
	    "unconnected, one socket", (cpu_seconds() - t0) / NSEND * 1e6);
	return 0;
}
