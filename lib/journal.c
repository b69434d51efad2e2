/*
 * Operator events to journald.  sd_journal_send() returns success even when
 * no journald listens, so the stderr echo is decided by what stderr is, not
 * by the send's result.
 */
#include <stdio.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "journal.h"
#include "log.h"

static int
journal_send(const struct journal_event *ev)
{
	if (ev->resolver != NULL)
		return sd_journal_send("MESSAGE=%s", ev->message,
		    "MESSAGE_ID=%s", ev->message_id,
		    "PRIORITY=%d", ev->priority,
		    "SYSLOG_IDENTIFIER=nmigd",
		    "NMIGD_DOMAIN=%s", ev->domain,
		    "NMIGD_RESOLVER=%s", ev->resolver,
		    "NMIGD_RESOLVER_ADDRESS=%s", ev->resolver_address,
		    NULL);
	return sd_journal_send("MESSAGE=%s", ev->message,
	    "MESSAGE_ID=%s", ev->message_id,
	    "PRIORITY=%d", ev->priority,
	    "SYSLOG_IDENTIFIER=nmigd",
	    "NMIGD_DOMAIN=%s", ev->domain,
	    "NMIGD_RESOLVERS_NEW=%zu", ev->resolvers_new,
	    "NMIGD_RESOLVERS_TOTAL=%zu", ev->resolvers_total,
	    "NMIGD_RESOLVERS_UNREACHABLE=%zu", ev->resolvers_unreachable,
	    NULL);
}

int
journal_emit(const struct journal_event *ev)
{
	int	r;

	if (!log_stderr_is_journal()) {
		fprintf(stderr, "nmigd: %s\n", ev->message);
		fflush(stderr);
	}
	if ((r = journal_send(ev)) < 0) {
		log_warnx("%s: sd_journal_send: %s", __func__, strerror(-r));
		return -1;
	}
	return 0;
}
