/*
 * Operator events: journald entries with a MESSAGE_ID and NMIGD_* fields
 * (see systemd/nmigd.catalog), echoed to stderr when stderr is not the
 * journal so a person in a terminal sees them.
 */
#ifndef NMIG_JOURNAL_H
#define NMIG_JOURNAL_H

#include <stddef.h>

#define MSGID_COMPLETE		"6869b19448b743bab7616d7a79b9c627"
#define MSGID_SWITCHED		"e9df83999fd24289a5c3555f27a3633c"
#define MSGID_REGRESSED		"e02b123b73e54a8ab3871547185b88ef"
/* For one domain, in its history only; the journal gets the resolver's
 * (lib/reach.h). */
#define MSGID_UNREACHABLE	"d883d5dfdbce4a35a576d374e4aeb74e"
#define MSGID_RESOLVER_UNREACHABLE "f21495211c814942a9fbe07b11614c6d"
#define MSGID_RESOLVER_REACHABLE "945f41cf78e5472ca0a36d6c191a534e"
#define MSGID_PARENT_SWITCHED	"4e68dd1dd5be4958a843136434ae6311"
#define MSGID_OVERDUE		"1d3caf3baa884f40ab1964e4c6e81911"
#define MSGID_CANCEL		"473c717427f34b7ab7ba3b8f71177202"
#define MSGID_OLD_STOPPED	"323bfee71c694412a9b5574ab87285dd"
#define MSGID_DNSSEC		"d2cd7464e5d8424aa4548f818cdb61a2"

/* The NMIGD_* fields an event has beyond NMIGD_DOMAIN. */
#define JOURNAL_FIELDS_MAX	4

struct journal_event {
	const char	*message_id;
	int		 priority;	/* syslog priority */
	const char	*message;
	const char	*domain;	/* without the trailing dot; NULL:
					 * about a resolver */
	/* "NMIGD_RESOLVER=dns.google", ... */
	const char	*fields[JOURNAL_FIELDS_MAX];
	size_t		 nfields;
};

/* Returns 0, or -1 if journald refused the entry (logged). */
int	journal_emit(const struct journal_event *);

#endif
