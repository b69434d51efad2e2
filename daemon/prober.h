/*
 * The prober asks one resolver one question and reports what came back
 * as an observation (lib/observation.h).  It owns the sockets, the
 * timers, retries and the TCP fallback; it knows nothing of domains,
 * expected values or verdicts.
 */
#ifndef NMIGD_PROBER_H
#define NMIGD_PROBER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "observation.h"
#include "target.h"

/* Called once per probe; the result is valid during the call only. */
typedef void (*probe_done_cb)(const struct observation *, void *arg);

/* What a probe asks for, as its target says (lib/target.h): a resolver
 * is asked with PROBE_RD, an authoritative server without. */
#define PROBE_RD	TARGET_RD	/* recursion desired */
#define PROBE_DO	TARGET_DO	/* DNSSEC OK: RRSIGs too */
#define PROBE_TCP	TARGET_TCP	/* over TCP from the first try */
#define PROBE_FIRST	0x200		/* before the rounds' probes: the
					 * daemon's own lookups */
#define PROBE_APART	0x400		/* another sample of the check the
					 * probe before asked: on a port
					 * none of its samples is on */
#define PROBE_SAMPLES_MAX 16		/* ports kept apart, at most */
_Static_assert(((PROBE_FIRST | PROBE_APART) &
    (TARGET_RD | TARGET_DO | TARGET_TCP)) == 0,
    "PROBE_FIRST or PROBE_APART is one of the TARGET_ bits");

struct probe {
	const struct sockaddr	*sa;		/* copied */
	socklen_t		 salen;
	const char		*owner;		/* copied */
	uint16_t		 type;
	unsigned		 flags;		/* PROBE_* */
	unsigned		 timeout_ms;	/* per try */
	unsigned		 retries;	/* tries after the first */
	unsigned		 rate;		/* the server's, queries a
						 * second (daemon/pace.h) */
	const char		*label;		/* the server in the log */
	probe_done_cb		 done;
	void			*arg;
	uint64_t		 tag;		/* returned in the result */
};

struct prober_stats {
	uint64_t	queries;	/* probes asked for */
	uint64_t	sent;		/* datagrams sent, retries included */
	uint64_t	answers;
	uint64_t	timeouts;
	uint64_t	errors;
	uint64_t	tcp_fallbacks;
	uint64_t	dropped;	/* datagrams that did not match */
	uint64_t	queued;		/* waiting for their pace now */
	uint64_t	inflight;	/* on the wire now */
	uint64_t	skipped;	/* not sent: server backed off */
	uint64_t	backing_off;	/* servers, now */
	uint64_t	sockets;	/* UDP sockets open, now */
	uint64_t	private_ports;	/* 1: a port per query, after
					 * strays (daemon/sockpool.h) */
};

struct prober;

/* max_inflight bounds open sockets; further probes wait in their
 * server's queue. */
struct prober	*prober_new(struct event_base *, unsigned max_inflight);
/* Aborts what is in flight without calling back. */
void		 prober_free(struct prober *);
/* Returns 0, or -1 if the probe cannot be built (bad owner). */
int		 prober_query(struct prober *, const struct probe *);
/* Forgets every probe without calling back, in one pass (a reload
 * replaces every round). */
void		 prober_cancel_all(struct prober *);
void		 prober_get_stats(const struct prober *, struct prober_stats *);
/* The pace of one server: false when nothing was asked of it lately. */
struct pace_info;
bool		 prober_pace_info(const struct prober *, const struct sockaddr *,
		    struct pace_info *);
/* A reload gives every target's rate afresh, so that the queries already
 * waiting go at the new one: prober_rates_begin(), then prober_rate()
 * for each (an address given twice gets the lower). */
void		 prober_rates_begin(struct prober *);
void		 prober_rate(struct prober *, const struct sockaddr *,
		    socklen_t, unsigned rate, const char *label);

#endif
