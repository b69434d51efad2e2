/*
 * The kernel's CSPRNG (getrandom(2)), fetched a buffer at a time.
 * glibc 2.36's arc4random() makes one getrandom system call per call:
 * at thousands of queries a second that was a measurable share of
 * nmigd's CPU.  Bytes are handed out once and wiped as they go, so the
 * buffer only ever holds numbers not yet used; a forked child fetches
 * its own rather than repeat its parent's.
 */
#include <sys/random.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "log.h"
#include "random.h"

#define RANDOM_BUF	4096

static uint8_t	buf[RANDOM_BUF];
static size_t	left;		/* unused bytes, at the end of buf */
static bool	registered;

/* getpid() is a system call too: forget the parent's bytes at fork. */
static void
random_forget(void)
{
	memset(buf, 0, sizeof(buf));
	left = 0;
}

static void
random_fill(void)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < sizeof(buf)) {
		n = getrandom(buf + got, sizeof(buf) - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		/* Without the kernel's randomness an ID would be
		 * guessable: never go on with less. */
		if (n <= 0)
			fatal("getrandom");
		got += (size_t)n;
	}
	left = sizeof(buf);
	if (!registered && pthread_atfork(NULL, NULL, random_forget) == 0)
		registered = true;
}

uint32_t
random_u32(void)
{
	uint32_t	r;
	uint8_t		*p;

	if (left < sizeof(r))
		random_fill();
	p = buf + sizeof(buf) - left;
	memcpy(&r, p, sizeof(r));
	memset(p, 0, sizeof(r));
	left -= sizeof(r);
	return r;
}

/* Rejection sampling, as arc4random_uniform(3): the values below
 * 2^32 mod upper would make the low results likelier. */
uint32_t
random_uniform(uint32_t upper)
{
	uint32_t	r, min;

	if (upper < 2)
		return 0;
	min = -upper % upper;
	do
		r = random_u32();
	while (r < min);
	return r % upper;
}
