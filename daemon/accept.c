/*
 * Accepting connections without spinning when descriptors run out, as
 * OpenBSD's daemons pause accept() on EMFILE.
 */
#include <sys/socket.h>

#include <errno.h>

#include "accept.h"
#include "log.h"

#define ACCEPT_PAUSE_SECS	1

int
accept_conn(int fd, struct sockaddr *sa, socklen_t *salen,
    struct event *ev_accept, struct event *ev_pause, const char *who)
{
	struct timeval	pause = { ACCEPT_PAUSE_SECS, 0 };
	int		cfd;

	if ((cfd = accept4(fd, sa, salen, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1)
		return cfd;
	if (errno == EMFILE || errno == ENFILE) {
		log_warn("%s: accept", who);
		event_del(ev_accept);
		evtimer_add(ev_pause, &pause);
	} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		log_warn("%s: accept", who);
	return -1;
}
