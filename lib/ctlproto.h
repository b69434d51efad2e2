/*
 * The control protocol without the socket (nmigd-ctl(8), PROTOCOL): what
 * a request line asks for, checked against the command table, and the
 * replies as lines.  Every reply has "version" and every refusal "error",
 * whatever bytes the request held.  Nothing here does I/O, so that it can
 * be unit-tested and fuzzed.
 */
#ifndef NMIG_CTLPROTO_H
#define NMIG_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "ctlversion.h"
#include "statusrows.h"
#include "util.h"

#define CTL_MAX_REQUEST		4096	/* bytes in a request line */
/* A refused reload's reply lists this many errors, then "... and N more
 * errors" (the daemon's log has the same). */
#define CTL_RELOAD_ERRORS_MAX	100
#define CTL_ERRORBUF		512	/* an error message, NUL included */
#define CTL_STATUS_LIMIT_MAX	1000000	/* status's "limit" */
#define STRINGIFY_(x)		#x
#define STRINGIFY(x)		STRINGIFY_(x)

enum ctl_command {
	CTL_CHECK,
	CTL_EVENTS,
	CTL_FORGET,
	CTL_HISTORY,
	CTL_RELOAD,
	CTL_RESOLVERS,
	CTL_STATUS,
	CTL_NCOMMANDS
};

/* A request that passed every check: the command and its arguments. */
struct ctl_request {
	enum ctl_command	 command;
	const char		*name;		/* the command's */
	const char		*domain;	/* normalised, or NULL */
	const char		*domain_arg;	/* as the client wrote it */
	const char		*resolver;	/* or NULL */
	time_t			 since;		/* 0: from the start */
	bool			 summary;	/* status: each domain's
						 * summary only */
	struct status_columns	 columns;	/* status: n > 0, rows of
						 * these */
	int			 state;		/* status: only domains in
						 * it; -1: any */
	size_t			 limit;		/* status: at most this
						 * many; 0: all */
	json_t			*json;		/* holds the strings */
	char			 domainbuf[NMIG_NAMEBUF];
};

/* Decode one request line (without its newline).  privileged: the peer
 * may use the commands that change things.  Returns 0, or -1 with an
 * error reply in *error, or CTL_DENIED (also with *error) when the
 * request was good but the peer may not make it. */
#define CTL_DENIED	(-2)
int	 ctl_request_decode(const char *line, size_t len, bool privileged,
	    struct ctl_request *, json_t **error);
void	 ctl_request_free(struct ctl_request *);

/* {"version": CTL_PROTOCOL_VERSION}, to add the reply's data to. */
json_t	*ctl_reply_new(void);
/* {"version": CTL_PROTOCOL_VERSION} followed by the members that
 * json_pack() makes of fmt, an object ("{s:o, s:b}"), in their order.
 * NULL when they do not pack or out of memory, which ctl_reply_encode()
 * turns into an error. */
json_t	*ctl_reply_pack(const char *fmt, ...);
/* {"version": CTL_PROTOCOL_VERSION, "error": message}; the message is
 * made valid UTF-8 and cut to CTL_ERRORBUF - 1 bytes between two
 * characters.  NULL only when out of memory, which ctl_reply_encode()
 * also turns into an error. */
json_t	*ctl_reply_error(const char *fmt, ...) NMIG_PRINTF(1, 2);
/* A JSON string of any text: invalid UTF-8 becomes U+FFFD. */
json_t	*ctl_json_string(const char *);

/* The reply as one line with its newline, for free(); takes the reference.
 * A reply longer than max bytes (0: no limit) becomes "reply too large",
 * and one that cannot be encoded (NULL included) a fixed error line, so
 * that a failed request is never sent as something else. */
char	*ctl_reply_encode(json_t *reply, size_t max, size_t *len);

#endif
