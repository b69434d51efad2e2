/*
 * Operator events to journald.  sd_journal_send() returns success even when
 * no journald listens, so the stderr echo is decided by what stderr is, not
 * by the send's result.
 */
#include <sys/uio.h>

#include <stdio.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "journal.h"
#include "log.h"
#include "util.h"

static void
iov_set(struct iovec *v, const char *s)
{
	v->iov_base = (void *)s;
	v->iov_len = strlen(s);
}

static int
journal_send(const struct journal_event *ev)
{
	struct iovec	 iov[5 + JOURNAL_FIELDS_MAX];
	char		 msg[600], id[48], prio[16], dom[NMIG_NAMEBUF + 16];
	size_t		 i, n = 0;

	/* The fields are built here, not by sd_journal_send()'s format:
	 * how many there are depends on the event. */
	snprintf(msg, sizeof(msg), "MESSAGE=%s", ev->message);
	snprintf(id, sizeof(id), "MESSAGE_ID=%s", ev->message_id);
	snprintf(prio, sizeof(prio), "PRIORITY=%d", ev->priority);
	snprintf(dom, sizeof(dom), "NMIGD_DOMAIN=%s", ev->domain != NULL ?
	    ev->domain : "");
	iov_set(&iov[n++], msg);
	iov_set(&iov[n++], id);
	iov_set(&iov[n++], prio);
	iov_set(&iov[n++], "SYSLOG_IDENTIFIER=nmigd");
	if (ev->domain != NULL)
		iov_set(&iov[n++], dom);
	for (i = 0; i < ev->nfields && i < JOURNAL_FIELDS_MAX; i++)
		iov_set(&iov[n++], ev->fields[i]);
	return sd_journal_sendv(iov, (int)n);
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
		log_warnx("cannot send an event to the journal: %s",
		    strerror(-r));
		return -1;
	}
	return 0;
}
