/*
 * Logging to stderr.  Under systemd stderr is the journal; a "<N>" prefix
 * (sd-daemon(3)) carries the priority there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static const char	*log_progname = "nmigd";
static int		 log_verbose;
static int		 log_journal = -1;

void
log_init(const char *progname, int verbose)
{
	log_progname = progname;
	log_verbose = verbose;
	log_journal = -1;
}

int
log_stderr_is_journal(void)
{
	const char		*e;
	struct stat		 st;
	unsigned long long	 dev, ino;

	if (log_journal != -1)
		return log_journal;
	log_journal = 0;
	/* JOURNAL_STREAM is inherited by children, so compare it with what
	 * stderr really is (systemd.exec(5)). */
	if ((e = getenv("JOURNAL_STREAM")) != NULL &&
	    sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		log_journal = 1;
	return log_journal;
}

/* Messages quote names, file contents and database text: control bytes
 * and broken UTF-8 in them are escaped, so that nothing read from outside
 * can forge a log line or garble a terminal. */
static void
vlog(int pri, const char *fmt, va_list ap, const char *err)
{
	char	raw[2048], buf[4096];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	str_escape(raw, buf, sizeof(buf));
	if (log_stderr_is_journal())
		fprintf(stderr, "<%d>", pri);
	else
		fprintf(stderr, "%s: ", log_progname);
	if (err != NULL)
		fprintf(stderr, "%s: %s\n", buf, err);
	else
		fprintf(stderr, "%s\n", buf);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[256];

	snprintf(err, sizeof(err), "%s", strerror(errno));
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[256];

	snprintf(err, sizeof(err), "%s", strerror(errno));
	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, err);
	va_end(ap);
	exit(2);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(2);
}
