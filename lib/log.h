/*
 * Diagnostics for the operator reading stderr or the journal, in the style
 * of OpenBSD's log.h.  Operator events (completion, regression, ...) are not
 * logged here: see journal.h.
 */
#ifndef NMIG_LOG_H
#define NMIG_LOG_H

#include <stdarg.h>

#include "util.h"

/* verbose: 0 info and above, 1 also debug.  Lines go to stderr with a
 * syslog priority prefix ("<4>") when stderr is the journal, so that
 * journald keeps the priority. */
void	log_init(const char *progname, int verbose);

void	log_warn(const char *, ...) NMIG_PRINTF(1, 2);	/* appends strerror */
void	log_warnx(const char *, ...) NMIG_PRINTF(1, 2);
void	log_info(const char *, ...) NMIG_PRINTF(1, 2);
void	log_debug(const char *, ...) NMIG_PRINTF(1, 2);
void	fatal(const char *, ...) NMIG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) NMIG_PRINTF(1, 2) __attribute__((noreturn));

/* True when stderr is connected to journald (JOURNAL_STREAM matches). */
int	log_stderr_is_journal(void);

#endif
