/*
 * The status document (JSON, with the control protocol's "version"):
 * built by the daemon from its model, printed as-is by --json and by
 * nmigd-ctl, or as tables.
 */
#ifndef NMIG_STATUS_H
#define NMIG_STATUS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "dname.h"
#include "model.h"
#include "store.h"

struct status_columns;

/* Under a filtered list ("matched"): how many it left out, or that no
 * domain is in the state.  The list is "domains", or "rows" when the
 * document has them. */
void	 status_print_matched(FILE *, const json_t *doc);

/* The whole document; domain != NULL limits it to that domain (NULL is
 * returned if it is not watched).  A new reference. */
json_t	*status_document(const struct model *, const char *domain, time_t now);

/* A record set as a JSON array of strings, one a record (rdtext). */
json_t	*status_rdata_json(const struct rdset *, uint16_t type);

/* Parts of the document for lib/parentstatus.c: a time (null for 0), a
 * check state as a record, a string member or dflt, a state padded to
 * width (coloured). */
json_t	*status_time_json(time_t);
json_t	*status_record_json(const struct cstate *, const struct check_conf *);
const char *status_jstr(const json_t *, const char *key, const char *dflt);
void	 status_print_state(FILE *, const char *state, int width, bool colour);

/* Where a domain stands, as of now: the values of its object's members
 * up to its resolvers (but not_switched), worked out once for the
 * document and for the list's rows (lib/statusrows.c). */
struct domain_head {
	char			 domain[NMIG_NAMEBUF];
	char			 domain_unicode[NMIG_UNAMEBUF];
	const char		*state;
	time_t			 since;
	time_t			 complete_at;
	struct domain_tally	 tally;
	struct require		 require;
	time_t			 watched_since;
	time_t			 cancel_old_hosting_at;
	time_t			 cancel_announced_at;
	time_t			 expected_complete_at;
	const char		*parent_state;
};
void	 status_domain_head(const struct model *, const struct watch *,
	    time_t now, struct domain_head *);
/* A "require" as the config says it, "all", "90%" or "12". */
#define STATUS_REQUIREBUF	16
const char *status_require_text(const struct require *, char *buf);

/* One domain's object of the document, as of now. */
json_t	*status_domain_json(const struct model *, const struct watch *,
	    time_t now);

/* A domain's object without its resolvers, providers, DNSSEC and learned
 * values, and its parent without the servers' answers: what a list of
 * every domain needs, at a fraction of the size. */
json_t	*status_domain_summary_json(const struct model *,
	    const struct watch *, time_t now);

/* The whole document as compact JSON text, a domain at a time, for a
 * writer that must not build it all at once: the same text as
 * json_dumps(status_document(m, NULL, now), JSON_COMPACT), or with
 * summary every domain's summary object.  The stream keeps no pointer
 * into the model, which may change between two parts. */
struct status_stream;
/* Which domains a stream lists: those in a state, the first limit of
 * them; the document then ends with "matched", how many were in the
 * state, and "state".  Across a reload the domains already passed over
 * stay passed over, as those listed stay listed. */
struct status_filter {
	int	state;		/* enum domain_state, -1: any */
	size_t	limit;		/* 0: no limit */
};
/* filter NULL: every domain, the document as status_document()'s.
 * columns not NULL: instead of each domain's object (whole or summary),
 * a row of those of its members (lib/statusrows.h). */
struct status_stream *status_stream_new(time_t now, bool summary,
	    const struct status_filter *filter,
	    const struct status_columns *columns);
void	 status_stream_free(struct status_stream *);
/* Write the next part (the head, a domain or the tail) through fn (see
 * json_dump_callback()).  1 when a part was written, 0 once the document
 * is complete, -1 when fn failed. */
int	 status_stream_next(struct status_stream *, const struct model *,
	    json_dump_callback_t fn, void *arg);
/* The model is about to be replaced (a reload): remember the domains
 * written, so that the stream goes on with the new model's domains that
 * it has not written, in their order, and lists none twice. */
void	 status_stream_reloading(struct status_stream *, const struct model *);

/* The "history" and "events" replies' lists (nmigd-ctl(8)), from the
 * store's rows, as new references. */
json_t	*status_history_json(const struct history *);
json_t	*status_events_json(const struct event_list *);
/* The "history" reply (nmigd-ctl(8)) for domain (normalised), resolver
 * NULL for all, read from the store; also served by the web view.  0
 * with *reply the document, 1 with *reply an "unknown domain" error, -1
 * with a database error.  *reply is a new reference, NULL when memory
 * ran out. */
int	 status_history_reply(struct store *, const char *domain,
	    const char *resolver, json_t **reply);

/* Human tables, from the document (so the client can print what it got
 * from the daemon).  colour: ANSI colours for states. */
void	 status_print_text(const json_t *doc, FILE *, bool colour);
/* A domain's lines above its resolvers: its state, what it waits for,
 * the parent, the providers, DNSSEC, the learned values. */
void	 status_print_head(FILE *, const json_t *domain, time_t now,
	    bool colour);
/* Below a domain's resolvers: those flapping, and until when each that
 * has not switched holds old answers (OVERDUE past its expiry). */
void	 status_print_forecast(FILE *, const json_t *resolvers);
/* Seconds of TTL left on a record object at the document's time now; -1
 * if unknown. */
long	 status_ttl_left(const json_t *rec, time_t now);
/* "@", "pop", or the owner itself when not below domain (no dot). */
const char *status_owner_relative(const char *owner, const char *domain,
	    char *buf, size_t len);

#endif
