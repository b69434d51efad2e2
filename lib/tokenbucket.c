/*
 * Token buckets; see tokenbucket.h.
 */
#include "tokenbucket.h"

void
tokenbucket_init(struct tokenbucket *tb, double rate, double burst,
    const struct timespec *now)
{
	tb->rate = rate;
	tb->burst = burst;
	tb->tokens = burst;
	tb->at = *now;
}

void
tokenbucket_set_rate(struct tokenbucket *tb, double rate, double burst)
{
	tb->rate = rate;
	tb->burst = burst;
	if (tb->tokens > burst)
		tb->tokens = burst;
}

bool
tokenbucket_take(struct tokenbucket *tb, const struct timespec *now)
{
	double	elapsed = (double)(now->tv_sec - tb->at.tv_sec) +
		    (double)(now->tv_nsec - tb->at.tv_nsec) / 1e9;

	if (elapsed > 0) {
		tb->tokens += elapsed * tb->rate;
		if (tb->tokens > tb->burst)
			tb->tokens = tb->burst;
		tb->at = *now;
	}
	if (tb->tokens < 1.0)
		return false;
	tb->tokens -= 1.0;
	return true;
}

double
tokenbucket_wait(const struct tokenbucket *tb)
{
	if (tb->tokens >= 1.0 || tb->rate <= 0)
		return 0;
	return (1.0 - tb->tokens) / tb->rate;
}
