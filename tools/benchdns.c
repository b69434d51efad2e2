/*
 * benchdns: a fast, fixed-answer DNS responder for the fault tests under
 * load (tests/faults).
 *
 *	benchdns [--port N] [--max-seconds N] [--pidfile FILE]
 *	    [--rate-file FILE] [--switch-at MS [--stagger-ms N]] ADDRESS...
 *	benchdns --domains N
 *
 * Listens on UDP port N (5300) of every ADDRESS, which must be in
 * 127.0.0.0/8, and answers any question of class IN: NS with
 * ns1.bench.test. and ns2.bench.test., MX with 10 mx1.bench.test. and
 * 10 mx2.bench.test., A with 127.0.0.1, anything else with NOERROR and no
 * records.  TTL 300, AA and RA set, no EDNS in the reply.
 *
 * tests/tools/fakedns answers one domain, parses and builds every packet
 * with ldns and logs each query, which is right for a hostile-resolver
 * test and wrong for a benchmark: this one is a single thread on epoll,
 * reads and writes in batches (recvmmsg/sendmmsg) and edits the query in
 * place, so that the responder is never what limits the measurement.
 * On exit (SIGTERM, SIGINT, --max-seconds) it prints what it answered;
 * --rate-file gets "UNIXTIME QUERIES-SO-FAR" once a second, which shows
 * how bursty the load is without asking the daemon under test.
 * --domains prints the [domain] sections of N domains (d00001.example
 * ...) whose expected NS and MX are what it answers, for nmigd.conf.
 *
 * --switch-at stands for a migration: domain dNNNNN.example is answered
 * the old NS and MX (ns1.old.test., 10 mx1.old.test.) until MS (Unix
 * time in milliseconds) plus NNNNN - 1 times --stagger-ms, the new ones
 * from then on; other names always get the new ones.
 */
#ifndef _GNU_SOURCE		/* configure defines it for make check */
#define _GNU_SOURCE
#endif
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS	1024
#define BATCH		64
#define BUFSZ		512	/* our replies to nmigd's queries fit */
#define HDRLEN		12
#define TTL		300
#define POLL_MS		200	/* bounds a signal lost before epoll_wait */

#define T_A		1
#define T_NS		2
#define T_MX		15
#define C_IN		1

struct stats {
	unsigned long long	 queries, answered, dropped;
	unsigned long long	 ns, mx, a, other;
};

static volatile sig_atomic_t	 quit;
static struct stats		 st;

/* The records' data in wire form; the owner is always a pointer to the
 * question (0xc00c). */
static const uint8_t	ns1[] = "\3ns1\5bench\4test";
static const uint8_t	ns2[] = "\3ns2\5bench\4test";
static const uint8_t	mx1[] = "\0\12\3mx1\5bench\4test";
static const uint8_t	mx2[] = "\0\12\3mx2\5bench\4test";
static const uint8_t	a1[] = { 127, 0, 0, 1 };
static const uint8_t	old_ns1[] = "\3ns1\3old\4test";
static const uint8_t	old_mx1[] = "\0\12\3mx1\3old\4test";

/* --switch-at, --stagger-ms; 0: no migration. */
static long long	 switch_at_ms, stagger_ms;
static long long	 now_ms;		/* of the batch being served */

static void
usage(void)
{
	fprintf(stderr, "usage: benchdns [--port N] [--max-seconds N] "
	    "[--pidfile FILE]\n\t[--rate-file FILE] [--switch-at MS "
	    "[--stagger-ms N]] ADDRESS...\n"
	    "       benchdns --domains N\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "benchdns: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static unsigned
number(const char *s, unsigned max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		usage();
	return (unsigned)v;
}

/* A time in milliseconds since the epoch. */
static long long
milliseconds(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0)
		usage();
	return v;
}

/* Next to the records above, so that the two cannot drift apart: every
 * resolver asked becomes "new" for every domain. */
static void
print_domains(unsigned n)
{
	unsigned	i;

	for (i = 1; i <= n; i++)
		printf("\n[domain d%05u.example]\n"
		    "ns = ns1.bench.test ns2.bench.test\n"
		    "mx = 10 mx1.bench.test, 10 mx2.bench.test\n", i);
	exit(fflush(stdout) == 0 ? 0 : 1);
}

/* Loopback only: a benchmark must never send to anyone else. */
static int
udp_listen(const char *addr, uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd, sz = 4 << 20;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    (ntohl(sin.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "benchdns: %s: not an IPv4 loopback address\n",
		    addr);
		exit(2);
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		die("socket");
	/* Bursts of a whole round arrive at once: room for them. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die(addr);
	return fd;
}

static size_t
put_rr(uint8_t *p, uint16_t type, const uint8_t *rd, size_t rdlen)
{
	p[0] = 0xc0;
	p[1] = HDRLEN;
	p[2] = type >> 8;
	p[3] = type & 0xff;
	p[4] = 0;
	p[5] = C_IN;
	p[6] = 0;
	p[7] = 0;
	p[8] = TTL >> 8;
	p[9] = TTL & 0xff;
	p[10] = (uint8_t)(rdlen >> 8);
	p[11] = (uint8_t)rdlen;
	memcpy(p + 12, rd, rdlen);
	return 12 + rdlen;
}

/* Whether the question's name, at buf + HDRLEN, is a dNNNNN.example that
 * has not switched yet. */
static int
still_old(const uint8_t *q)
{
	long long	n = 0;
	int		i;

	if (switch_at_ms == 0 || q[0] != 6 || q[1] != 'd')
		return 0;
	for (i = 2; i < 7; i++) {
		if (q[i] < '0' || q[i] > '9')
			return 0;
		n = n * 10 + (q[i] - '0');
	}
	return n > 0 && now_ms < switch_at_ms + (n - 1) * stagger_ms;
}

/*
 * Turns the query in buf into its reply; returns the reply's length, or
 * 0 to drop it (a response, not one plain question, or truncated).  The
 * question is kept as sent and everything after it replaced.
 */
static size_t
answer(uint8_t *buf, size_t len)
{
	size_t		 off = HDRLEN, n = 0, ancount = 0;
	uint16_t	 qtype, qclass;

	if (len < HDRLEN || (buf[2] & 0x80) || (buf[2] & 0x78) != 0 ||
	    buf[4] != 0 || buf[5] != 1)
		return 0;
	while (off < len && buf[off] != 0) {
		if (buf[off] > 63)
			return 0;	/* no compression in a question */
		off += buf[off] + 1;
	}
	if (off + 5 > len)
		return 0;
	off++;
	qtype = (uint16_t)(buf[off] << 8 | buf[off + 1]);
	qclass = (uint16_t)(buf[off + 2] << 8 | buf[off + 3]);
	off += 4;
	if (qclass != C_IN)
		return 0;
	switch (qtype) {
	case T_NS:
		st.ns++;
		if (still_old(buf + HDRLEN)) {
			n += put_rr(buf + off + n, T_NS, old_ns1,
			    sizeof(old_ns1));
			ancount = 1;
			break;
		}
		n += put_rr(buf + off + n, T_NS, ns1, sizeof(ns1));
		n += put_rr(buf + off + n, T_NS, ns2, sizeof(ns2));
		ancount = 2;
		break;
	case T_MX:
		st.mx++;
		if (still_old(buf + HDRLEN)) {
			n += put_rr(buf + off + n, T_MX, old_mx1,
			    sizeof(old_mx1));
			ancount = 1;
			break;
		}
		n += put_rr(buf + off + n, T_MX, mx1, sizeof(mx1));
		n += put_rr(buf + off + n, T_MX, mx2, sizeof(mx2));
		ancount = 2;
		break;
	case T_A:
		st.a++;
		n += put_rr(buf + off + n, T_A, a1, sizeof(a1));
		ancount = 1;
		break;
	default:
		st.other++;
		break;
	}
	buf[2] = 0x80 | 0x04 | (buf[2] & 0x01);	/* QR, AA, RD as asked */
	buf[3] = 0x80;				/* RA, NOERROR */
	buf[6] = 0;
	buf[7] = (uint8_t)ancount;
	memset(buf + 8, 0, 4);			/* no NS, no OPT */
	return off + n;
}

/* Everything waiting on one socket, a batch at a time. */
static void
serve(int fd)
{
	static uint8_t		 bufs[BATCH][BUFSZ];
	struct mmsghdr		 in[BATCH], out[BATCH];
	struct iovec		 iov[BATCH];
	struct sockaddr_in	 from[BATCH];
	size_t			 len;
	int			 i, n, nout, sent;

	for (;;) {
		memset(in, 0, sizeof(in));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = BUFSZ - 64;	/* room for records */
			in[i].msg_hdr.msg_iov = &iov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_name = &from[i];
			in[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		if ((n = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL)) <= 0)
			return;
		st.queries += (unsigned long long)n;
		if (switch_at_ms != 0) {
			struct timespec	ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			now_ms = (long long)ts.tv_sec * 1000 +
			    ts.tv_nsec / 1000000;
		}
		nout = 0;
		for (i = 0; i < n; i++) {
			if ((in[i].msg_hdr.msg_flags & MSG_TRUNC) ||
			    (len = answer(bufs[i], in[i].msg_len)) == 0) {
				st.dropped++;
				continue;
			}
			iov[i].iov_len = len;
			out[nout] = in[i];
			out[nout].msg_len = 0;
			nout++;
		}
		for (i = 0; i < nout; i += sent) {
			if ((sent = sendmmsg(fd, out + i, (unsigned)(nout - i),
			    MSG_DONTWAIT)) <= 0) {
				st.dropped += (unsigned long long)(nout - i);
				break;
			}
			st.answered += (unsigned long long)sent;
		}
		if (n < BATCH)
			return;
	}
}

static void
write_pidfile(const char *path)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL)
		die(path);
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF)
		die(path);
}

static void
rate_tick(FILE *fp, time_t *last)
{
	time_t	now = time(NULL);

	if (fp == NULL || now == *last)
		return;
	*last = now;
	fprintf(fp, "%lld %llu\n", (long long)now, st.queries);
	fflush(fp);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "port",	 required_argument, NULL, 'p' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "pidfile",	 required_argument, NULL, 'P' },
		{ "rate-file",	 required_argument, NULL, 'r' },
		{ "domains",	 required_argument, NULL, 'd' },
		{ "switch-at",	 required_argument, NULL, 's' },
		{ "stagger-ms",	 required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct epoll_event	 ev, evs[BATCH];
	struct sigaction	 sa;
	const char		*pidfile = NULL;
	FILE			*rate = NULL;
	unsigned		 port = 5300, maxsecs = 600;
	time_t			 end, last = 0;
	int			 ep, fd, ch, i, n;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			port = number(optarg, 65535);
			break;
		case 'm':
			maxsecs = number(optarg, 86400);
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'r':
			if ((rate = fopen(optarg, "w")) == NULL)
				die(optarg);
			break;
		case 'd':
			print_domains(number(optarg, 99999));
			break;
		case 's':
			switch_at_ms = milliseconds(optarg);
			break;
		case 'S':
			stagger_ms = number(optarg, 86400000);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > MAX_ADDRS || port == 0 || maxsecs == 0)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	/* The backstop if the loop below were ever stuck. */
	alarm(maxsecs + 5);
	end = time(NULL) + (time_t)maxsecs;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");
	for (i = 0; i < argc; i++) {
		fd = udp_listen(argv[i], (uint16_t)port);
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
			die("epoll_ctl");
	}
	if (pidfile != NULL)
		write_pidfile(pidfile);

	while (!quit && time(NULL) < end) {
		if ((n = epoll_wait(ep, evs, BATCH, POLL_MS)) == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++)
			serve(evs[i].data.fd);
		rate_tick(rate, &last);
	}
	fprintf(stderr, "benchdns: %llu queries, %llu answered, %llu dropped "
	    "(NS %llu, MX %llu, A %llu, other %llu)\n", st.queries,
	    st.answered, st.dropped, st.ns, st.mx, st.a, st.other);
	if (rate != NULL)
		fclose(rate);
	return 0;
}
