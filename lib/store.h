/*
 * The SQLite store; the only file that includes sqlite3.h.  WAL mode, schema
 * versioned with PRAGMA user_version, one transaction per probe round.
 * Answers are kept by change: one row per distinct answer of a resolver to
 * a check, with first_seen, last_seen and a count.
 */
#ifndef NMIG_STORE_H
#define NMIG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "resolvers.h"
#include "verdict.h"

struct store;

/* Opens or creates the database and its schema; NULL after logging. */
struct store	*store_open(const char *path);
void		 store_close(struct store *);

int		 store_begin(struct store *);
int		 store_commit(struct store *);
int		 store_rollback(struct store *);

/* Ids for the rows that name things, created on first use.  -1 on error.
 * *created (when not NULL) tells whether the resolver's row is new: then
 * the database holds nothing about it yet. */
int64_t	store_resolver_id(struct store *, const struct resolver_conf *,
	    bool *created);
int64_t	store_domain_id(struct store *, const char *domain);
int64_t	store_check_id(struct store *, int64_t domain_id, const char *owner,
	    uint16_t type);

/* One resolver's answer to one check at the end of a round. */
#define STORE_RCODE_NONE	0xff	/* no answer: timeout, network error */
struct answer_row {
	uint8_t		 state;		/* enum check_state */
	uint8_t		 rcode;		/* or STORE_RCODE_NONE */
	uint32_t	 ttl;
	const char	*rdata;		/* for people: one record a line */
	const uint8_t	*wire;		/* rdset_blob(): what is compared */
	size_t		 wirelen;
	time_t		 when;		/* last seen */
	uint32_t	 rtt_ms;
	time_t		 first_seen;	/* of a new row; 0: when */
	uint32_t	 count;		/* sightings it stands for; 0: 1 */
};
/* A row that did not read was logged with its table and row, and was
 * skipped or repaired as the function says. */
#define STORE_BAD_ROW	2

/* Same state, rcode and records as the latest row for (check, resolver):
 * bump last_seen, count, ttl.  Otherwise a new row, with the text of
 * rdata; with rdata NULL, 1 says that one is needed: most writes only
 * bump, and need no text made. */
int	store_record_answer(struct store *, int64_t check_id,
	    int64_t resolver_id, const struct answer_row *);
/* The latest row for (check, resolver) was seen count more times, the
 * last at last_seen with that TTL. */
int	store_answer_seen(struct store *, int64_t check_id,
	    int64_t resolver_id, time_t last_seen, uint32_t count,
	    uint32_t ttl);
/* The latest row for (check, resolver); 1 if there is none, -1 on error,
 * STORE_BAD_ROW when it does not read (skipped).  *text and *wire are
 * malloc'd; *wire is NULL for a row written by schema version 1. */
int	store_latest_answer(struct store *, int64_t check_id,
	    int64_t resolver_id, struct answer_row *, char **text,
	    uint8_t **wire);

int	store_save_rverdict(struct store *, int64_t domain_id,
	    int64_t resolver_id, const struct rverdict *);
/* 1 if there is none, -1 on error, STORE_BAD_ROW when the row does not
 * read (*rv is then zeroed: pending). */
int	store_load_rverdict(struct store *, int64_t domain_id,
	    int64_t resolver_id, struct rverdict *);

/* A check's learned sets (lib/learn.h), each with when it was learned
 * (0: not yet, and nothing of it is stored); the text is for people, the
 * wire form (rdset_blob) is what is read back.  old_note says why an old
 * set is empty. */
struct learned_row {
	const char	*text;
	const uint8_t	*wire;
	size_t		 wirelen;
	time_t		 at;
	const char	*old_text;
	const uint8_t	*old_wire;
	size_t		 old_wirelen;
	time_t		 old_at;
	const char	*old_note;
};
int	store_save_learned(struct store *, int64_t check_id,
	    const struct learned_row *);
/* The same read back; the blobs are malloc'd.  1 if the check has no
 * row, -1 on error.  A set that does not read was logged and loads as
 * not learned. */
struct learned_load {
	uint8_t		*wire;
	size_t		 wirelen;
	time_t		 at;
	uint8_t		*old_wire;
	size_t		 old_wirelen;
	time_t		 old_at;
	char		 old_note[16];
};
int	store_load_learned(struct store *, int64_t check_id,
	    struct learned_load *);
/* A set no longer learned ("auto" gone from the config): what was
 * learned of it goes, so that a later "auto" learns afresh. */
int	store_forget_learned(struct store *, int64_t check_id, bool expect,
	    bool old);

/* Retention: events before cutoff, at most limit of them; then the next
 * domain after *domain_id (0: the first; set to the one pruned, 0 when
 * none is left, for a new sweep): its answer changes last seen before
 * cutoff, at most limit, never the latest of a (check, resolver).  The
 * rows deleted, or -1. */
int	store_prune_events(struct store *, time_t cutoff, int limit);
int	store_prune_answers(struct store *, int64_t *domain_id, time_t cutoff,
	    int limit);
/* Every row of a domain (normalised name): 1 if the database has none,
 * -1 on error; *rows deleted. */
int	store_forget_domain(struct store *, const char *domain,
	    int64_t *rows);

struct domain_row {
	uint8_t	state;		/* enum domain_state */
	time_t	since;
	time_t	complete_at;	/* the latch; 0 while not complete */
	uint8_t	parent_state;	/* enum parent_state */
	time_t	parent_since;
	time_t	parent_switched_at;	/* the latch; 0 while not */
	uint32_t parent_ttl;
	time_t	watched_since;
	time_t	regressed_at;
	time_t	cancel_at;	/* the latch: the old hosting may go */
	uint8_t	old_state;	/* enum old_state */
	uint8_t	new_state;	/* enum new_state */
	time_t	old_stopped_at;	/* the latch of its event */
	uint8_t	dnssec_new;	/* enum dnssec_state */
	uint8_t	dnssec_old;
	time_t	dnssec_failed_at;	/* the latch of its event */
};
int	store_save_domain(struct store *, int64_t domain_id,
	    const struct domain_row *);
/* 0, 1 if there is no such domain, -1 on error, STORE_BAD_ROW when a
 * column did not read and was replaced (see store.c). */
int	store_load_domain(struct store *, int64_t domain_id, struct domain_row *);

struct event_row {
	time_t		 when;
	const char	*message_id;	/* 32 hex digits */
	int		 priority;
	const char	*domain;	/* for display */
	int64_t		 domain_id;
	const char	*resolver;	/* NULL for domain events */
	const char	*message;
};
int	store_add_event(struct store *, const struct event_row *);

/* For the control socket; not on the probe path, so these prepare their
 * statements each time.  What they return is the text of the rows as
 * stored (times in RFC 3339, states and rcodes by name), NULL where a
 * column is NULL; lib/status.c makes the replies' documents of it. */

/* An answer change: one row of answers. */
struct answer_change {
	char	*resolver;
	char	*owner;
	char	*type;
	char	*state;
	bool	 answered;	/* false: no answer, rcode and ttl mean nothing */
	char	*rcode;
	int64_t	 ttl;
	char	*rdata;		/* one record a line */
	char	*first_seen;
	char	*last_seen;
	int64_t	 count;
};

/* An event as stored. */
struct stored_event {
	char	*time;
	char	*message_id;
	int64_t	 priority;
	char	*domain;	/* as people write it, without the dot */
	char	*resolver;	/* NULL for domain events */
	char	*message;
};

enum history_kind {
	HISTORY_ANSWER,
	HISTORY_EVENT,
};

struct history_entry {
	enum history_kind		 kind;
	union {
		struct answer_change	 answer;
		struct stored_event	 event;
	};
};

struct history {
	struct history_entry	*v;	/* oldest first */
	size_t			 n;
	bool			 truncated;	/* older ones left out */
};

struct event_list {
	struct stored_event	*v;	/* oldest first */
	size_t			 n;
};

/* The domain's newest STORE_HISTORY_MAX answer changes and events,
 * oldest first (see the "history" command of nmigd-ctl(8)).  resolver
 * NULL: all.  Returns 0, 1 when the database has never seen the domain,
 * -1 on error; *out is empty unless 0.  Its cost is that of the rows it
 * returns: a request on the control socket must not hold the loop. */
#define STORE_HISTORY_MAX	1000
int	store_history(struct store *, const char *domain, const char *resolver,
	    struct history *out);
void	history_free(struct history *);
/* The newest `limit` events at or after since (0: any), oldest first.
 * Returns 0 or -1; *out is empty unless 0. */
int	store_events(struct store *, time_t since, int limit,
	    struct event_list *out);
void	event_list_free(struct event_list *);

#endif
