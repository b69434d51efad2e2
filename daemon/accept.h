/*
 * Accepting on a listening socket that the event loop watches, for the
 * control socket and the HTTP listener alike.
 */
#ifndef NMIGD_ACCEPT_H
#define NMIGD_ACCEPT_H

#include <sys/socket.h>

#include <event2/event.h>

/* accept4() a non-blocking, close-on-exec connection.  Out of file
 * descriptors, ev_accept is taken off the loop and ev_pause (a timer that
 * puts it back) armed for a second: the socket stays readable, and
 * retrying at once would spin.  Returns the descriptor, or -1 when there
 * is none to take now (logged as who when it is worth a line). */
int	accept_conn(int fd, struct sockaddr *sa, socklen_t *salen,
	    struct event *ev_accept, struct event *ev_pause, const char *who);

#endif
