/*
 * nmigd-ctl: asks a running nmigd over its control socket and prints the
 * answer.  One connection per request, one JSON line each way (the
 * control protocol of lib/ctlversion.h).  The daemon returns data;
 * output.c formats it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <pwd.h>
#include <getopt.h>
#include <locale.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "ctlproto.h"
#include "ctlversion.h"
#include "log.h"
#include "dname.h"
#include "glance.h"
#include "output.h"
#include "util.h"
#include "verdict.h"

#define CTL_TIMEOUT_MS		30000	/* connect, request and reply */
#define CTL_REPLY_MAX		(64 * 1024 * 1024)
#define CTL_POLL_MS		2000	/* wait: between status requests */

/* Exit status; documented in usage() and the man page. */
#define CTL_EXIT_OK		0
#define CTL_EXIT_REFUSED	1	/* error reply, or wait timed out */
#define CTL_EXIT_USAGE		2
#define CTL_EXIT_UNREACHABLE	3	/* no usable reply from nmigd */

#define CMD_MAXOPTS	2	/* options a command takes */

struct ctl {
	const char		*socket;	/* NULL until first needed */
	char			*socket_buf;
	const char		*config;
	bool			 config_given;
	const struct output	*out;
	bool			 json;		/* --json */
	struct view		 view;
	int			 timeout_ms;
	int			 poll_ms;
	const struct ctl_cmd	*cmd;
	char			**args;		/* positional arguments */
	int			 nargs;
	const char		*optval[CMD_MAXOPTS];	/* its options' values,
							 * NULL: not given */
};

struct ctl_cmd {
	const char	*name;
	int		 minargs;
	int		 maxargs;
	const char	*options[CMD_MAXOPTS];	/* taking a value, "--since" */
	int		 (*handler)(struct ctl *);
	const char	*usage;
	const char	*help;
};

static int	ctl_status(struct ctl *);
static int	ctl_resolvers(struct ctl *);
static int	ctl_history(struct ctl *);
static int	ctl_events(struct ctl *);
static int	ctl_check(struct ctl *);
static int	ctl_reload(struct ctl *);
static int	ctl_wait(struct ctl *);
static int	ctl_watch(struct ctl *);
static int	ctl_forget(struct ctl *);
static int	view_option(struct view *, int, char **);

/* Set by SIGINT or SIGTERM during watch. */
static volatile sig_atomic_t	watch_stop;

static const struct ctl_cmd ctl_cmds[] = {
	{ "status", 0, 1, { "--state", "--limit" }, ctl_status,
	    "status [DOMAIN | [--state STATE] [--limit N]]",
	    "progress and every resolver's answers" },
	{ "resolvers", 0, 0, { NULL }, ctl_resolvers, "resolvers",
	    "query statistics per resolver" },
	{ "history", 1, 2, { NULL }, ctl_history, "history DOMAIN [RESOLVER]",
	    "answer changes and events, oldest first" },
	{ "events", 0, 0, { "--since" }, ctl_events, "events [--since TIME]",
	    "events since TIME (RFC 3339, or 1h ago)" },
	{ "check", 0, 1, { NULL }, ctl_check, "check [DOMAIN]",
	    "start a probe round now (*)" },
	{ "reload", 0, 0, { NULL }, ctl_reload, "reload",
	    "reload the configuration (*)" },
	{ "forget", 1, 1, { NULL }, ctl_forget, "forget DOMAIN",
	    "delete an unwatched domain's history (*)" },
	{ "wait", 1, 1, { "--timeout" }, ctl_wait,
	    "wait DOMAIN [--timeout DURATION]",
	    "wait until the switch is complete" },
	{ "watch", 0, 1, { "--interval" }, ctl_watch,
	    "watch [DOMAIN] [--interval DURATION]",
	    "redraw the status every 2s until interrupted" },
};
#define NCMDS	(sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: nmigd-ctl [-hnrvV] [--json] [-c CONFIG] [-o COLUMNS] "
	    "[-s SOCKET] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		if (strlen(ctl_cmds[i].usage) <= 32)
			fprintf(f, "  %-32s  %s\n", ctl_cmds[i].usage,
			    ctl_cmds[i].help);
		else
			fprintf(f, "  %s\n  %-32s  %s\n", ctl_cmds[i].usage, "",
			    ctl_cmds[i].help);
}

static void
help(void)
{
	usage(stdout);
	printf("  (*) root or the nmigd user only\n\n"
	    "  -s SOCKET  control socket (default: \"control\" of the config,\n"
	    "             else %s)\n"
	    "  -c CONFIG  config file (default %s)\n"
	    "  --json     print the daemon's reply unchanged, one JSON line\n"
	    "  -v         status: every answer on a line of its own\n"
	    "  -o COLUMNS the tables' columns, e.g. RESOLVER,STATE\n"
	    "  -r         raw tables: one space between cells\n"
	    "  -n         tables without headings\n"
	    "\n"
	    "exit status: 0 success; 1 nmigd refused the request (its error,\n"
	    "permission denied included, goes to stderr) or wait timed out;\n"
	    "2 usage error; 3 nmigd not reachable or its reply unusable.\n"
	    "\n"
	    "testing aids: NMIGD_CTL_POLL_MS (wait's interval, default %d),\n"
	    "NMIGD_CTL_TIMEOUT_MS (reply timeout, default %d).\n",
	    NMIG_CONTROL_DEFAULT, NMIG_CONF_DEFAULT, CTL_POLL_MS,
	    CTL_TIMEOUT_MS);
}

/* A typo gets the command it was meant to be; anything else the list. */
static void
unknown_command(const char *name)
{
	size_t	i, n = sizeof(ctl_cmds) / sizeof(ctl_cmds[0]);

	for (i = 0; i < n && !near_miss(name, ctl_cmds[i].name); i++)
		;
	if (i < n) {
		fprintf(stderr, "nmigd-ctl: unknown command: %s (did you mean "
		    "%s?)\n", name, ctl_cmds[i].name);
		return;
	}
	fprintf(stderr, "nmigd-ctl: unknown command: %s\n", name);
	usage(stderr);
}

static int
cmd_usage(const struct ctl_cmd *cmd)
{
	fprintf(stderr, "usage: nmigd-ctl %s\n", cmd->usage);
	return CTL_EXIT_USAGE;
}

/* Time. */

static long long
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* RFC 3339 with "Z" (what the daemon writes) or a numeric offset such as
 * "+09:00", which is what someone outside UTC types. */
static time_t
parse_rfc3339(const char *s)
{
	struct tm	 tm;
	const char	*o;
	char		 buf[NMIG_TIMEBUF], want[NMIG_TIMEBUF];
	time_t		 t;
	int		 i, off;

	if ((t = parse_time(s)) != (time_t)-1)
		return t;
	memset(&tm, 0, sizeof(tm));
	if ((o = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL ||
	    (o[0] != '+' && o[0] != '-') || strlen(o) != 6 || o[3] != ':')
		return (time_t)-1;
	for (i = 1; i < 6; i++)
		if (i != 3 && (o[i] < '0' || o[i] > '9'))
			return (time_t)-1;
	off = ((o[1] - '0') * 10 + o[2] - '0') * 3600 +
	    ((o[4] - '0') * 10 + o[5] - '0') * 60;
	if (off >= 24 * 3600 || o[4] > '5' || (t = timegm(&tm)) == (time_t)-1)
		return (time_t)-1;
	/* The same wall-clock time in the "Z" form must come back, which
	 * rejects 31 February and unpadded fields as parse_time does. */
	snprintf(want, sizeof(want), "%.*sZ", (int)(o - s), s);
	if (strcmp(fmt_time(t, buf), want) != 0)
		return (time_t)-1;
	return o[0] == '+' ? t - off : t + off;
}

/* --since: a time, or a duration before now. */
static int
parse_since(const char *s, time_t now, time_t *since)
{
	unsigned	secs;

	if ((*since = parse_rfc3339(s)) != (time_t)-1)
		return 0;
	if (parse_duration(s, &secs) == 0 && (time_t)secs <= now) {
		*since = now - (time_t)secs;
		return 0;
	}
	return -1;
}

/* A positive number of milliseconds from the environment, or dflt. */
static int
env_ms(const char *name, int dflt, int *ms)
{
	const char	*s = getenv(name);
	char		*end;
	long		 v;

	*ms = dflt;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > INT_MAX) {
		fprintf(stderr, "nmigd-ctl: %s: not a number of milliseconds: "
		    "%s\n", name, s);
		return -1;
	}
	*ms = (int)v;
	return 0;
}

/* The socket: -s, else "control" of the config.  A missing or broken
 * config must not stop the client: whoever runs it may not be allowed to
 * read the config, and the daemon may well be running with the default. */
static const char *
ctl_socket(struct ctl *c)
{
	struct errlist	 errs = { NULL, 0 };
	struct config	*conf;

	if (c->socket != NULL)
		return c->socket;
	c->socket = NMIG_CONTROL_DEFAULT;
	if (!c->config_given && access(c->config, F_OK) == -1 &&
	    errno == ENOENT)
		return c->socket;
	if ((conf = config_load(c->config, 0, &errs)) == NULL) {
		fprintf(stderr, "nmigd-ctl: warning: %s; using %s\n",
		    errs.n > 0 ? errs.msg[0] : c->config, c->socket);
		errlist_free(&errs);
		return c->socket;
	}
	c->socket_buf = xstrdup(conf->control);
	c->socket = c->socket_buf;
	config_free(conf);
	errlist_free(&errs);
	return c->socket;
}

/* Transport. */

/* What to do about a failed connect(), for the operator. */
static const char *
connect_hint(const char *path, int err)
{
	static char	 hint[160];
	struct passwd	*pw;
	struct stat	 st;

	switch (err) {
	case ENOENT:
		return " (is nmigd running?)";
	case ECONNREFUSED:
		/* A leftover file, or a socket nobody listens on. */
		if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
			return " (it is not a socket: is this the control "
			    "path of nmigd.conf?)";
		return " (is nmigd running?)";
	case EACCES:
	case EPERM:
		pw = getpwuid(getuid());
		snprintf(hint, sizeof(hint), " (only root and group nmigd may "
		    "use it: usermod -aG nmigd %s, then log in again)",
		    pw != NULL ? pw->pw_name : "USER");
		return hint;
	default:
		return "";
	}
}

static int
ctl_connect(struct ctl *c)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv;
	const char		*path = ctl_socket(c);
	int			 fd = -1, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	/* On Linux a UNIX connect() to a full backlog sleeps for up to the
	 * send timeout. */
	tv.tv_sec = c->timeout_ms / 1000;
	tv.tv_usec = (c->timeout_ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	fprintf(stderr, "nmigd-ctl: cannot connect to %s: %s%s\n", path,
	    strerror(saved), connect_hint(path, saved));
	return -1;
}

/* 0 when sent, 1 when the daemon has closed the connection (its reply
 * may still be read), -1 after saying why on stderr. */
static int
ctl_send(struct ctl *c, int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = send(fd, buf, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			/* The daemon closed: a full daemon says why in a
			 * reply waiting to be read. */
			if (errno == EPIPE || errno == ECONNRESET)
				return 1;
			fprintf(stderr, "nmigd-ctl: %s: cannot send request: "
			    "%s\n", c->socket, errno == EAGAIN ?
			    "timed out" : strerror(errno));
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The whole document of every domain asked for (--json or -v status),
 * some 20 KB a domain of 50 resolvers: at thousands of domains beyond
 * what we read. */
static bool
whole_status(const struct ctl *c)
{
	return c->cmd != NULL && (strcmp(c->cmd->name, "status") == 0 ||
	    strcmp(c->cmd->name, "watch") == 0) && c->nargs == 0 &&
	    (c->json || c->view.verbose);
}

/* A reply line as it arrives, bounded in time and size: a daemon that
 * hangs or sends without end must not hang or exhaust the client. */
struct reader {
	struct ctl	*c;
	int		 fd;
	long long	 deadline;
	char		*buf;		/* the line so far */
	size_t		 len, size;
	size_t		 fed;		/* bytes given to the parser */
	long long	 back;		/* mono_ms() when reader_more()
					 * last returned */
	bool		 complete;	/* buf[len] was the newline */
	bool		 failed;	/* said why */
};

/* Room for more of the line, up to the longest and its newline.  -1
 * after saying why. */
static int
reader_room(struct reader *r)
{
	char	*nbuf;

	if (r->len < r->size)
		return 0;
	if (r->size == CTL_REPLY_MAX + 1) {
		fprintf(stderr, "nmigd-ctl: %s: reply larger than %d MiB%s\n",
		    r->c->socket, CTL_REPLY_MAX >> 20, whole_status(r->c) ?
		    " (the whole status of every domain: --state and --limit "
		    "ask for a page, status DOMAIN for one)" : "");
		return -1;
	}
	r->size = r->size == 0 ? 65536 : r->size * 2;
	if (r->size > CTL_REPLY_MAX + 1)
		r->size = CTL_REPLY_MAX + 1;
	if ((nbuf = realloc(r->buf, r->size + 1)) == NULL) {
		fprintf(stderr, "nmigd-ctl: %s\n", strerror(errno));
		return -1;
	}
	r->buf = nbuf;
	return 0;
}

/* Wait until the daemon has sent something, within its time.  -1 after
 * saying why. */
static int
reader_wait(struct reader *r)
{
	struct pollfd	 pfd = { .fd = r->fd, .events = POLLIN };
	long long	 left;
	int		 rv;

	for (;;) {
		if ((left = r->deadline - mono_ms()) <= 0) {
			fprintf(stderr, "nmigd-ctl: %s: no reply within %d ms\n",
			    r->c->socket, r->c->timeout_ms);
			return -1;
		}
		if ((rv = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR) {
			fprintf(stderr, "nmigd-ctl: poll: %s\n", strerror(errno));
			return -1;
		}
		/* watch was interrupted: no waiting out the timeout. */
		if (rv == -1 && watch_stop)
			return -1;
		if (rv > 0)
			return 0;
	}
}

/* Add the next bytes of the line.  -1 after saying why. */
static int
reader_recv(struct reader *r)
{
	char	*nl;
	ssize_t	 n;

	if (reader_wait(r) == -1 || reader_room(r) == -1)
		return -1;
	if ((n = recv(r->fd, r->buf + r->len, r->size - r->len, 0)) == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		fprintf(stderr, "nmigd-ctl: %s: cannot read reply: %s\n",
		    r->c->socket, strerror(errno));
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "nmigd-ctl: %s: connection closed without a "
		    "reply\n", r->c->socket);
		return -1;
	}
	if ((nl = memchr(r->buf + r->len, '\n', (size_t)n)) != NULL) {
		r->complete = true;
		n = nl - (r->buf + r->len);
	}
	r->len += (size_t)n;
	r->buf[r->len] = '\0';
	return 0;
}

/* reader_recv(), the timeout being the daemon's to keep: the time we
 * spent parsing what it sent since the last call is not counted. */
static int
reader_more(struct reader *r)
{
	int	rv;

	if (r->back != 0)
		r->deadline += mono_ms() - r->back;
	rv = reader_recv(r);
	r->back = mono_ms();
	return rv;
}

/* jansson's reader: the line's bytes as they come, then its end.  The
 * reply is parsed while the daemon is still writing it (the list of
 * 10,000 domains is a megabyte, written over several passes of its
 * loop). */
static size_t
reader_feed_cb(void *buffer, size_t buflen, void *arg)
{
	struct reader	*r = arg;
	size_t		 n;

	while (r->fed == r->len) {
		if (r->complete)
			return 0;
		if (reader_more(r) == -1) {
			r->failed = true;
			return (size_t)-1;
		}
	}
	n = r->len - r->fed < buflen ? r->len - r->fed : buflen;
	memcpy(buffer, r->buf + r->fed, n);
	r->fed += n;
	return n;
}

/* Read and parse one reply line.  A line that is too long, late or cut
 * short says so even when what came of it is no JSON. */
static int
ctl_recv(struct ctl *c, int fd, long long deadline, struct reply *rep)
{
	struct reader	r = { c, fd, deadline, NULL, 0, 0, 0, 0, false, false };
	json_error_t	err;

	rep->doc = json_load_callback(reader_feed_cb, &r, 0, &err);
	while (!r.failed && !r.complete)
		r.failed = reader_more(&r) == -1;
	if (r.failed) {
		json_decref(rep->doc);
		rep->doc = NULL;
		free(r.buf);
		return -1;
	}
	if (rep->doc == NULL) {
		fprintf(stderr, "nmigd-ctl: %s: malformed reply: %s\n",
		    c->socket, err.text);
		free(r.buf);
		return -1;
	}
	rep->line = r.buf;
	rep->len = r.len;
	return 0;
}

static int
ctl_parse(struct ctl *c, struct reply *rep)
{
	json_int_t	 version;

	if (json_unpack(rep->doc, "{s:I}", "version", &version) == -1) {
		fprintf(stderr, "nmigd-ctl: %s: malformed reply: not an object "
		    "with a version\n", c->socket);
		return -1;
	}
	if (version != CTL_PROTOCOL_VERSION) {
		fprintf(stderr, "nmigd-ctl: %s: control protocol version %lld, "
		    "this nmigd-ctl speaks %d\n", c->socket,
		    (long long)version, CTL_PROTOCOL_VERSION);
		return -1;
	}
	return 0;
}

static void
reply_free(struct reply *rep)
{
	free(rep->line);
	json_decref(rep->doc);
	memset(rep, 0, sizeof(*rep));
}

/* Send one request and read its reply.  Returns 0, or -1 with the reason
 * on stderr. */
static int
ctl_request(struct ctl *c, json_t *req, struct reply *rep)
{
	long long	 deadline = mono_ms() + c->timeout_ms;
	char		*line = NULL;
	int		 fd, sent, r = -1;

	memset(rep, 0, sizeof(*rep));
	if ((fd = ctl_connect(c)) == -1)
		return -1;
	if ((line = json_dumps(req, JSON_COMPACT)) == NULL) {
		fprintf(stderr, "nmigd-ctl: cannot encode the request\n");
		goto done;
	}
	if ((sent = ctl_send(c, fd, line, strlen(line))) == 0)
		sent = ctl_send(c, fd, "\n", 1);
	if (sent == -1)
		goto done;
	if (ctl_recv(c, fd, deadline, rep) == -1)
		goto done;
	if (ctl_parse(c, rep) == -1) {
		reply_free(rep);
		goto done;
	}
	r = 0;
done:
	free(line);
	close(fd);
	return r;
}

/* Ask, then print the reply with fmt or, for an error reply, the error. */
/* A daemon before --state and --limit ignores them and lists every
 * domain: say so rather than show that as the page. */
static bool
filter_ignored(const json_t *req, const json_t *reply)
{
	return (json_object_get(req, "state") != NULL ||
	    json_object_get(req, "limit") != NULL) &&
	    json_object_get(reply, "error") == NULL &&
	    json_object_get(reply, "matched") == NULL;
}

static int
ctl_run(struct ctl *c, json_t *req,
    void (*fmt)(FILE *, const struct reply *, const struct view *))
{
	struct reply	rep;
	int		rc = CTL_EXIT_OK;

	if (ctl_request(c, req, &rep) == -1) {
		json_decref(req);
		return CTL_EXIT_UNREACHABLE;
	}
	if (filter_ignored(req, rep.doc)) {
		fprintf(stderr, "nmigd-ctl: this nmigd is older and ignores "
		    "--state and --limit\n");
		rc = CTL_EXIT_REFUSED;
	} else if (json_object_get(rep.doc, "error") != NULL) {
		fflush(stdout);
		c->out->error(stdout, stderr, &rep);
		rc = CTL_EXIT_REFUSED;
	} else
		fmt(stdout, &rep, &c->view);
	json_decref(req);
	reply_free(&rep);
	return rc;
}

static json_t *
request(const char *command)
{
	json_t	*req = json_object();

	json_object_set_new(req, "command", json_string(command));
	return req;
}

/* The daemon normalises names; checking here turns a typo into a usage
 * error before anything is sent. */
static int
domain_arg(json_t *req, const char *name)
{
	char	buf[NMIG_NAMEBUF];

	if (name_normalize(name, buf, sizeof(buf)) == -1) {
		fprintf(stderr, "nmigd-ctl: not a domain name: %s\n", name);
		json_decref(req);
		return -1;
	}
	json_object_set_new(req, "domain", json_string(name));
	return 0;
}

/* Commands. */

/* The one-line list needs a few members of each domain: the rows of
 * those columns, their times as numbers ("epoch"), 730 KB at 10,000
 * domains (--json and -v print the whole document).  A daemon that does
 * not know "columns" answers the summaries, a few times that; one that
 * does not know "epoch", the times as text. */
static void
status_summary(const struct ctl *c, json_t *req)
{
	if (!c->view.one_domain && !c->view.verbose && !c->json) {
		json_object_set_new(req, "summary", json_true());
		json_object_set_new(req, "columns", glance_list_columns());
		json_object_set_new(req, "epoch", json_true());
	}
}

/* --state STATE and --limit N: a page of the list.  -1 after saying
 * why (a usage error). */
static int
status_filter(const struct ctl *c, json_t *req)
{
	const char	*state = c->optval[0], *limit = c->optval[1];
	char		*end;
	unsigned long	 n;

	if ((state != NULL || limit != NULL) && c->nargs > 0) {
		fprintf(stderr, "nmigd-ctl: status: --state and --limit are "
		    "for the list of every domain, not with a domain\n");
		return -1;
	}
	if (state != NULL) {
		if (domain_state_parse(state) == -1) {
			fprintf(stderr, "nmigd-ctl: --state: pending, "
			    "propagating or complete, not %s\n", state);
			return -1;
		}
		json_object_set_new(req, "state", json_string(state));
	}
	if (limit != NULL) {
		errno = 0;
		n = strtoul(limit, &end, 10);
		if (*limit < '1' || *limit > '9' || *end != '\0' ||
		    errno != 0 || n > CTL_STATUS_LIMIT_MAX) {
			fprintf(stderr, "nmigd-ctl: --limit: a number from 1 "
			    "to %d, not %s\n", CTL_STATUS_LIMIT_MAX, limit);
			return -1;
		}
		json_object_set_new(req, "limit", json_integer((json_int_t)n));
	}
	return 0;
}

static int
ctl_status(struct ctl *c)
{
	json_t	*req = request("status");

	if (c->nargs == 1 && domain_arg(req, c->args[0]) == -1)
		return cmd_usage(c->cmd);
	if (status_filter(c, req) == -1) {
		json_decref(req);
		return CTL_EXIT_USAGE;
	}
	c->view.one_domain = c->nargs == 1;
	status_summary(c, req);
	return ctl_run(c, req, c->out->status);
}


static int
ctl_forget(struct ctl *c)
{
	json_t	*req = request("forget");

	if (domain_arg(req, c->args[0]) == -1)
		return cmd_usage(c->cmd);
	return ctl_run(c, req, c->out->forget);
}

static int
ctl_resolvers(struct ctl *c)
{
	return ctl_run(c, request("resolvers"), c->out->resolvers);
}

static int
ctl_history(struct ctl *c)
{
	json_t	*req = request("history");

	if (domain_arg(req, c->args[0]) == -1)
		return cmd_usage(c->cmd);
	if (c->nargs == 2)
		json_object_set_new(req, "resolver", json_string(c->args[1]));
	return ctl_run(c, req, c->out->history);
}

static int
ctl_events(struct ctl *c)
{
	json_t	*req = request("events");
	time_t	 since;
	char	 buf[NMIG_TIMEBUF];

	if (c->optval[0] != NULL) {
		if (parse_since(c->optval[0], time(NULL), &since) == -1) {
			fprintf(stderr, "nmigd-ctl: --since: not a time "
			    "(2026-11-27T00:00:00Z) or a duration (1h): %s\n",
			    c->optval[0]);
			json_decref(req);
			return cmd_usage(c->cmd);
		}
		json_object_set_new(req, "since",
		    json_string(fmt_time(since, buf)));
	}
	return ctl_run(c, req, c->out->events);
}

static int
ctl_check(struct ctl *c)
{
	json_t	*req = request("check");

	if (c->nargs == 1 && domain_arg(req, c->args[0]) == -1)
		return cmd_usage(c->cmd);
	return ctl_run(c, req, c->out->check);
}

static int
ctl_reload(struct ctl *c)
{
	return ctl_run(c, request("reload"), c->out->reload);
}

/* What wait compares between polls. */
struct progress {
	char		*state;
	long long	 new, total, unreachable;
};

/* Returns 1 when the domain's progress differs from *p (and updates it),
 * 0 when not, -1 when the reply holds no domain. */
static int
progress_update(struct progress *p, const json_t *doc)
{
	const json_t	*d = json_array_get(json_object_get(doc, "domains"), 0);
	const char	*state = json_string_value(json_object_get(d, "state"));
	struct progress	 now;

	if (state == NULL)
		return -1;
	now.new = json_integer_value(json_object_get(d, "resolvers_new"));
	now.total = json_integer_value(json_object_get(d, "resolvers_total"));
	now.unreachable = json_integer_value(json_object_get(d,
	    "resolvers_unreachable"));
	if (p->state != NULL && strcmp(p->state, state) == 0 &&
	    p->new == now.new && p->total == now.total &&
	    p->unreachable == now.unreachable)
		return 0;
	free(p->state);
	p->state = xstrdup(state);
	p->new = now.new;
	p->total = now.total;
	p->unreachable = now.unreachable;
	return 1;
}

/* One poll, printing progress when it changed: 0 complete, 1 not yet,
 * or minus the exit status when wait must stop. */
static int
wait_poll(struct ctl *c, struct progress *p)
{
	struct reply	 rep;
	json_t		*req = request("status");
	int		 r;

	json_object_set_new(req, "domain", json_string(c->args[0]));
	r = ctl_request(c, req, &rep);
	json_decref(req);
	if (r == -1)
		return -CTL_EXIT_UNREACHABLE;
	if (json_object_get(rep.doc, "error") != NULL) {
		fflush(stdout);
		c->out->error(stdout, stderr, &rep);
		reply_free(&rep);
		return -CTL_EXIT_REFUSED;
	}
	if ((r = progress_update(p, rep.doc)) == -1) {
		fprintf(stderr, "nmigd-ctl: %s: malformed reply: no state for "
		    "%s\n", c->socket, c->args[0]);
		reply_free(&rep);
		return -CTL_EXIT_UNREACHABLE;
	}
	if (r == 1) {
		c->out->progress(stdout, &rep, &c->view);
		fflush(stdout);
	}
	reply_free(&rep);
	return strcmp(p->state, "complete") == 0 ? 0 : 1;
}

static int
ctl_wait(struct ctl *c)
{
	struct progress	 p = { NULL, 0, 0, 0 };
	char		 name[NMIG_NAMEBUF];
	unsigned	 secs = 0;
	long long	 deadline = 0, left = 0;
	int		 r;

	if (name_normalize(c->args[0], name, sizeof(name)) == -1) {
		fprintf(stderr, "nmigd-ctl: not a domain name: %s\n",
		    c->args[0]);
		return cmd_usage(c->cmd);
	}
	if (c->optval[0] != NULL) {
		if (parse_duration(c->optval[0], &secs) == -1) {
			fprintf(stderr, "nmigd-ctl: --timeout: not a duration "
			    "(90s, 30m, 2d): %s\n", c->optval[0]);
			return cmd_usage(c->cmd);
		}
		deadline = mono_ms() + (long long)secs * 1000;
	}
	for (;;) {
		if ((r = wait_poll(c, &p)) != 1)
			break;
		if (c->optval[0] != NULL && (left = deadline - mono_ms()) <= 0) {
			fprintf(stderr, "nmigd-ctl: %s: not complete after %s "
			    "(%s, %lld/%lld resolvers new)\n", c->args[0],
			    c->optval[0], p.state, p.new, p.total);
			break;
		}
		sleep_ms(c->optval[0] != NULL && left < c->poll_ms ?
		    left : c->poll_ms);
	}
	free(p.state);
	return r < 0 ? -r : r;
}

/* watch: the status redrawn in place (cursor home, each line cleared
 * to its end, the rest of the screen cleared), not the screen cleared
 * and written again, which flickers.  Until SIGINT or SIGTERM. */


static void
watch_signal(int sig)
{
	watch_stop = 1;
}

/* One frame into a buffer: the status, or the error in its place. */
static char *
watch_frame(struct ctl *c)
{
	json_t		*req = request("status");
	struct reply	 rep;
	FILE		*f;
	char		*buf = NULL;
	size_t		 len;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		perror("nmigd-ctl");
		exit(1);
	}
	if (c->nargs == 1)
		json_object_set_new(req, "domain", json_string(c->args[0]));
	c->view.one_domain = c->nargs == 1;
	status_summary(c, req);
	if (ctl_request(c, req, &rep) == -1)
		fprintf(f, "(nmigd does not answer)\n");
	else {
		if (json_object_get(rep.doc, "error") != NULL)
			fprintf(f, "%s\n", json_string_value(json_object_get(
			    rep.doc, "error")));
		else
			c->out->status(f, &rep, &c->view);
		reply_free(&rep);
	}
	json_decref(req);
	if (fclose(f) != 0) {
		perror("nmigd-ctl");
		exit(1);
	}
	return buf;
}

static void
watch_draw(const char *frame, const char *head, bool tty, bool first)
{
	const char	*nl;

	if (!tty) {
		printf("%s\n%s\n", head, frame);
		fflush(stdout);
		return;
	}
	fputs(first ? "\033[H\033[2J" : "\033[H", stdout);
	printf("%s\033[K\n\033[K\n", head);
	for (; (nl = strchr(frame, '\n')) != NULL; frame = nl + 1) {
		fwrite(frame, 1, (size_t)(nl - frame), stdout);
		fputs("\033[K\n", stdout);
	}
	fputs("\033[J", stdout);
	fflush(stdout);
}

static int
ctl_watch(struct ctl *c)
{
	struct sigaction sa;
	unsigned	 secs = 2;
	char		*frame, head[NMIG_NAMEBUF + 96], tbuf[NMIG_TIMEBUF];
	bool		 tty = isatty(STDOUT_FILENO), first = true;
	long long	 until;

	if (c->nargs == 1 && name_normalize(c->args[0], head,
	    sizeof(head)) == -1) {
		fprintf(stderr, "nmigd-ctl: not a domain name: %s\n",
		    c->args[0]);
		return cmd_usage(c->cmd);
	}
	if (c->optval[0] != NULL && (parse_duration(c->optval[0], &secs) == -1 ||
	    secs == 0)) {
		fprintf(stderr, "nmigd-ctl: --interval: not a duration of a "
		    "second or more (2s, 1m): %s\n", c->optval[0]);
		return cmd_usage(c->cmd);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!watch_stop) {
		frame = watch_frame(c);
		snprintf(head, sizeof(head), "every %us: nmigd-ctl status%s%s"
		    "    %s", secs, c->nargs == 1 ? " " : "",
		    c->nargs == 1 ? c->args[0] : "", fmt_time(time(NULL),
		    tbuf));
		watch_draw(frame, head, tty, first);
		free(frame);
		first = false;
		/* Nobody reads any more (a pipe's reader gone while SIGPIPE
		 * is ignored, as systemd has it): stop asking. */
		if (ferror(stdout))
			break;
		for (until = mono_ms() + (long long)secs * 1000;
		    !watch_stop && mono_ms() < until; )
			sleep_ms(until - mono_ms() < 100 ? until - mono_ms() :
			    100);
	}
	return CTL_EXIT_OK;
}

/* Arguments. */

static const struct ctl_cmd *
cmd_lookup(const char *name)
{
	size_t	i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* nmigd-ctl's options, before the command; those of the view and --json
 * are taken after it too. */
static const struct option ctl_longopts[] = {
	{ "config",	required_argument,	NULL, 'c' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "noheadings",	no_argument,		NULL, 'n' },
	{ "output",	required_argument,	NULL, 'o' },
	{ "raw",	no_argument,		NULL, 'r' },
	{ "socket",	required_argument,	NULL, 's' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

static void
unknown_cmd_option(const struct ctl_cmd *cmd, const char *arg)
{
	struct option	 own[CMD_MAXOPTS + 1];
	const char	*near;
	size_t		 i;

	/* The command's own options ("--since"), then the common ones. */
	memset(own, 0, sizeof(own));
	for (i = 0; i < CMD_MAXOPTS && cmd->options[i] != NULL; i++) {
		own[i].name = cmd->options[i] + 2;
		own[i].has_arg = required_argument;
	}
	near = option_near_miss(arg, own);
	if (near == NULL)
		near = option_near_miss(arg, ctl_longopts);
	if (near != NULL)
		fprintf(stderr, "nmigd-ctl: %s: unknown option: %s (did you "
		    "mean --%s?)\n", cmd->name, arg, near);
	else
		fprintf(stderr, "nmigd-ctl: %s: unknown option: %s\n",
		    cmd->name, arg);
}

/* Whether argv[0] is one of the command's options ("--since X" or
 * "--since=X"): how many words it takes, with its value in c->optval;
 * 0 when it is not one, -1 when its value is missing. */
static int
cmd_option(struct ctl *c, int argc, char **argv)
{
	const char	*o;
	size_t		 i, ol;

	for (i = 0; i < CMD_MAXOPTS && (o = c->cmd->options[i]) != NULL;
	    i++) {
		ol = strlen(o);
		if (strncmp(argv[0], o, ol) == 0 && argv[0][ol] == '=') {
			c->optval[i] = argv[0] + ol + 1;
			return 1;
		}
		if (strcmp(argv[0], o) != 0)
			continue;
		if (argc < 2) {
			fprintf(stderr, "nmigd-ctl: %s needs a value\n", o);
			return -1;
		}
		c->optval[i] = argv[1];
		return 2;
	}
	return 0;
}

/* The command's own arguments: positional ones, its options and --json,
 * which people also type after the command. */
static int
cmd_args(struct ctl *c, int argc, char **argv, bool *json)
{
	const struct ctl_cmd	*cmd = c->cmd;
	int			 i, n;

	c->args = xcalloc((size_t)argc + 1, sizeof(*c->args));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = true;
		else if ((n = view_option(&c->view, argc - i, argv + i)) > 0)
			i += n - 1;
		else if (n == -1)
			return -1;
		else if ((n = cmd_option(c, argc - i, argv + i)) > 0)
			i += n - 1;
		else if (n == -1)
			return -1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			unknown_cmd_option(cmd, argv[i]);
			return -1;
		} else
			c->args[c->nargs++] = argv[i];
	}
	if (c->nargs < cmd->minargs || c->nargs > cmd->maxargs)
		return -1;
	return 0;
}

/* The options of the text's layout, before or after the command: how
 * many words argv[0] and its value take (0: not one of them), or -1 with
 * a value missing. */
static int
view_option(struct view *v, int argc, char **argv)
{
	const char	*a = argv[0];

	if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
		v->verbose = true;
	else if (strcmp(a, "--raw") == 0 || strcmp(a, "-r") == 0)
		v->table.raw = true;
	else if (strcmp(a, "--noheadings") == 0 || strcmp(a, "-n") == 0)
		v->table.noheadings = true;
	else if (strncmp(a, "--output=", 9) == 0)
		v->table.columns = a + 9;
	else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
		if (argc < 2) {
			fprintf(stderr, "nmigd-ctl: %s needs a list of "
			    "columns\n", a);
			return -1;
		}
		v->table.columns = argv[1];
		return 2;
	} else
		return 0;
	return 1;
}

static bool
use_colour(bool json)
{
	const char	*nc = getenv("NO_COLOR");

	/* no-color.org: set and not empty */
	return !json && isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

/* getopt has said what it refused; a near name is worth a line more. */
static void
suggest_option(const char *arg, const struct option *longopts)
{
	const char	*near = option_near_miss(arg, longopts);

	if (near != NULL)
		fprintf(stderr, "nmigd-ctl: did you mean --%s?\n", near);
}

int
main(int argc, char *argv[])
{
	struct ctl	 c;
	bool		 json = false;
	int		 ch, rc;

	memset(&c, 0, sizeof(c));
	c.config = NMIG_CONF_DEFAULT;
	log_init("nmigd-ctl", 0);
	/* Display widths of UTF-8 text (libsmartcols); numbers stay in the
	 * C locale's form. */
	setlocale(LC_CTYPE, "");
	/* "+": options end at the command, whose own come after it. */
	while ((ch = getopt_long(argc, argv, "+c:hno:rs:vV", ctl_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'n':
			c.view.table.noheadings = true;
			break;
		case 'o':
			c.view.table.columns = optarg;
			break;
		case 'r':
			c.view.table.raw = true;
			break;
		case 'v':
			c.view.verbose = true;
			break;
		case 'c':
			c.config = optarg;
			c.config_given = true;
			break;
		case 'h':
			help();
			return CTL_EXIT_OK;
		case 'j':
			json = true;
			break;
		case 's':
			c.socket = optarg;
			break;
		case 'V':
			printf("nmigd-ctl %s\n", NMIG_VERSION);
			return CTL_EXIT_OK;
		default:
			/* optopt 0: an unknown long option, which
			 * getopt has just passed. */
			if (optopt == 0)
				suggest_option(argv[optind - 1], ctl_longopts);
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if ((c.cmd = cmd_lookup(argv[0])) == NULL) {
		unknown_command(argv[0]);
		return CTL_EXIT_USAGE;
	}
	if (cmd_args(&c, argc - 1, argv + 1, &json) == -1) {
		rc = cmd_usage(c.cmd);
		goto done;
	}
	if (env_ms("NMIGD_CTL_POLL_MS", CTL_POLL_MS, &c.poll_ms) == -1 ||
	    env_ms("NMIGD_CTL_TIMEOUT_MS", CTL_TIMEOUT_MS, &c.timeout_ms) == -1) {
		rc = CTL_EXIT_USAGE;
		goto done;
	}
	c.out = json ? &json_output : &text_output;
	c.json = json;
	c.view.table.colour = use_colour(json);
	rc = c.cmd->handler(&c);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "nmigd-ctl: stdout: %s\n", strerror(errno));
		if (rc == CTL_EXIT_OK)
			rc = CTL_EXIT_REFUSED;
	}
done:
	free(c.args);
	free(c.socket_buf);
	return rc;
}
