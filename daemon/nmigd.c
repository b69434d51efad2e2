/*
 * nmigd: watches resolvers worldwide until they all report a domain's new
 * NS and MX records.  This file owns startup order, options and signals;
 * the event base is created here and nowhere else.
 */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <systemd/sd-daemon.h>

#include "commands.h"
#include "config.h"
#include "control.h"
#include "ctlproto.h"
#include "log.h"
#include "loop.h"
#include "looplag.h"
#include "http.h"
#include "monitor.h"
#include "nmigd.h"
#include "printconf.h"
#include "prober.h"
#include "reload.h"
#include "retention.h"
#include "resolvers.h"
#include "status.h"
#include "store.h"

#define NMIGD_MAX_INFLIGHT	1024
#define NMIGD_FD_RESERVE	64	/* store, control clients, logs */

/* Exit codes of --once; also used for startup failures. */
#define EXIT_COMPLETE		0
#define EXIT_NOT_COMPLETE	1
#define EXIT_TROUBLE		2

struct opts {
	const char	*conffile;
	bool		 check;		/* -t */
	int		 verbose;
	bool		 once;
	bool		 json;
};

static __attribute__((noreturn)) void
usage(FILE *f, int status)
{
	fprintf(f,
	    "usage: nmigd [-dhtvV] [-c file] [--once [--json]]\n"
	    "  -c file   configuration (default %s)\n"
	    "  -d        debug logging\n"
	    "  -t        check the configuration and resolver list, then exit;\n"
	    "            with -v also print the effective configuration\n"
	    "  -v        verbose\n"
	    "  -V        print the version and exit\n"
	    "  --once    probe every domain once, print the status, exit 0 if\n"
	    "            every domain is complete, 1 if not, 2 on error\n"
	    "  --json    with --once: print the status document as JSON\n",
	    NMIG_CONF_DEFAULT);
	exit(status);
}

static void
parse_options(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "once",	no_argument,	NULL, 'O' },
		{ "json",	no_argument,	NULL, 'J' },
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*near;
	int		 ch;

	memset(o, 0, sizeof(*o));
	o->conffile = NMIG_CONF_DEFAULT;
	while ((ch = getopt_long(argc, argv, "c:dhtvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conffile = optarg;
			break;
		case 'd':
			o->verbose = 2;
			break;
		case 't':
			o->check = true;
			break;
		case 'v':
			if (o->verbose < 1)
				o->verbose = 1;
			break;
		case 'V':
			printf("nmigd %s\n", NMIG_VERSION);
			exit(0);
		case 'O':
			o->once = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'h':
			/* Asked for: the answer, not an error. */
			usage(stdout, 0);
			break;
		default:
			/* getopt has said what it refused; optopt 0:
			 * an unknown long option, which it has just
			 * passed. */
			if (optopt == 0 && (near = option_near_miss(
			    argv[optind - 1], longopts)) != NULL)
				fprintf(stderr, "nmigd: did you mean --%s?\n",
				    near);
			usage(stderr, EXIT_TROUBLE);
		}
	}
	if (optind != argc || (o->json && !o->once))
		usage(stderr, EXIT_TROUBLE);
}

static void
print_errors(const struct errlist *errs)
{
	char	buf[4096];
	size_t	i;

	/* They quote the file's bytes, which may be anything. */
	for (i = 0; i < errs->n; i++) {
		str_escape(errs->msg[i], buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
	}
}

/* Config and resolver list together, so that -t reports both files'
 * errors in one run.  The list is on the heap: the monitor keeps a
 * pointer to it across a reload.  flags: config_load()'s. */
static int
load_config(const char *path, unsigned flags, struct config **cfg,
    struct resolver_list **rl, struct errlist *errs)
{
	*rl = xcalloc(1, sizeof(**rl));
	if ((*cfg = config_load(path, flags, errs)) != NULL)
		resolvers_load((*cfg)->resolvers, *rl, errs);
	if (errs->n == 0)
		return 0;
	config_free(*cfg);
	resolvers_free(*rl);
	free(*rl);
	*cfg = NULL;
	*rl = NULL;
	return -1;
}

static void
free_config(struct config *cfg, struct resolver_list *rl)
{
	config_free(cfg);
	if (rl != NULL) {
		resolvers_free(rl);
		free(rl);
	}
}

/* The queries in flight, sized to the fd limit: each may hold a socket of
 * its own (TCP, or after strays) besides the pool's, which takes up to
 * half the window's number (daemon/sockpool.h). */
static unsigned
max_inflight(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 256;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur <= NMIGD_FD_RESERVE * 2)
		return 16;
	if ((rl.rlim_cur - NMIGD_FD_RESERVE) * 2 / 3 > NMIGD_MAX_INFLIGHT)
		return NMIGD_MAX_INFLIGHT;
	return (unsigned)((rl.rlim_cur - NMIGD_FD_RESERVE) * 2 / 3);
}

static int
run_once(const struct config *cfg, const struct resolver_list *rl, bool json)
{
	struct event_base	*base;
	struct prober		*prober;
	struct monitor		*mon;
	json_t			*doc;
	size_t			 i;
	int			 rc;

	base = loop_new();
	/* One round of the resolvers asks no name server to learn from. */
	for (i = 0; i < cfg->ndomains; i++)
		if (domain_learns(&cfg->domains[i]))
			log_warnx("%s: values given as auto are learned by the "
			    "daemon, not with --once", cfg->domains[i].name);
	prober = prober_new(base, max_inflight());
	mon = monitor_new(base, cfg, rl, NULL, prober, true);
	if (monitor_start(mon) == -1)
		fatalx("cannot start probing");
	event_base_dispatch(base);
	doc = status_document(monitor_model(mon), NULL, time(NULL));
	/* Wide locations line up by display width on the terminal. */
	setlocale(LC_CTYPE, "");
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	} else
		status_print_text(doc, stdout, isatty(STDOUT_FILENO));
	json_decref(doc);
	rc = monitor_all_complete(mon) ? EXIT_COMPLETE : EXIT_NOT_COMPLETE;
	monitor_free(mon);
	prober_free(prober);
	event_base_free(base);
	return rc;
}

/* nmigd -t: what was read, and a config that watches nothing (a fresh
 * install's) said to be one. */
static void
check_report(const struct nmigd *d)
{
	if (d->cfg->ndomains == 0)
		fprintf(stderr, "nmigd: warning: no domain is watched: add a "
		    "[domain NAME] section to %s%s%s\n", d->conffile,
		    d->cfg->include != NULL ? " or a file to " : "",
		    d->cfg->include != NULL ? d->cfg->include : "");
	fprintf(stderr, "configuration OK: %zu %s, %zu %s\n",
	    d->cfg->ndomains, plural(d->cfg->ndomains, "domain", "domains"),
	    d->rl->n, plural(d->rl->n, "resolver", "resolvers"));
}

static void
signal_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct nmigd	*d = arg;

	log_info("received %s, exiting", strsignal((int)sig));
	event_base_loopexit(d->base, NULL);
}

static void
signal_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)nmigd_reload(arg);
}

/* systemd wants RELOADING=1 with the monotonic time it started. */
static void
notify_reloading(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
}

/* Settings that live as long as the process: changing them needs a
 * restart, which is said rather than silently ignored. */
static void
warn_fixed_settings(const struct config *old, const struct config *new)
{
	if (strcmp(old->database, new->database) != 0)
		log_warnx("reload: database changed to %s; restart nmigd to "
		    "use it", new->database);
	if (strcmp(old->control, new->control) != 0)
		log_warnx("reload: control changed to %s; restart nmigd to "
		    "use it", new->control);
	if ((old->metrics == NULL) != (new->metrics == NULL) ||
	    (old->metrics != NULL && strcmp(old->metrics, new->metrics) != 0))
		log_warnx("reload: metrics changed; restart nmigd to use it");
}

/* systemd hears RELOADING=1 once for reloads that overlap, and READY=1
 * when the last read they wait for is applied. */
unsigned
nmigd_reload(struct nmigd *d)
{
	log_info("reloading %s", d->conffile);
	if (!d->reloading) {
		d->reloading = true;
		notify_reloading();
	}
	return reload_request(d->reload);
}

static void
reload_ready(struct nmigd *d)
{
	if (reload_busy(d->reload))
		return;
	d->reloading = false;
	sd_notify(0, "READY=1");
}

/* On the reader's thread: regular files only, so that a FIFO cannot
 * hold the reader (and, at exit, the daemon) for as long as it likes. */
static int
reload_read(const char *path, struct config **cfg, struct resolver_list **rl,
    struct errlist *errs)
{
	return load_config(path, 0, cfg, rl, errs);
}

/* The errors of a refused reload in the log: the first RELOAD_LOG_MAX
 * of them, as a reply has (lib/ctlproto.h). */
#define RELOAD_LOG_MAX	CTL_RELOAD_ERRORS_MAX

static void
reload_refused(struct nmigd *d, struct reload_result *res)
{
	size_t	i;

	if (res->errs.n == 0)
		errlist_add(&res->errs, d->conffile, 0, "cannot be read");
	for (i = 0; i < res->errs.n && i < RELOAD_LOG_MAX; i++)
		log_warnx("%s", res->errs.msg[i]);
	if (res->errs.n > RELOAD_LOG_MAX)
		log_warnx("reload: %zu more errors", res->errs.n -
		    RELOAD_LOG_MAX);
	log_warnx("reload: configuration not reloaded, the old one stays in "
	    "use");
	commands_reloaded(d->commands, res->seq, &res->errs);
	reload_ready(d);
}

/* The files are read (daemon/reload.c): switch to them.  Only this part
 * holds the loop, and the log says for how long. */
static void
reload_apply(void *arg, struct reload_result *res)
{
	struct nmigd	*d = arg;
	struct timespec	 t0, t1;

	if (res->rc == -1 || res->errs.n > 0) {
		reload_refused(d, res);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	commands_reloading(d->commands);
	http_reloading(d->http);
	if (monitor_reload(d->monitor, res->cfg, res->rl) == -1) {
		log_warnx("reload: the database failed; the old configuration "
		    "stays in use");
		errlist_add(&res->errs, NULL, 0, "the database failed; see the "
		    "daemon's log");
		commands_reloaded(d->commands, res->seq, &res->errs);
		reload_ready(d);
		return;
	}
	warn_fixed_settings(d->cfg, res->cfg);
	free_config(d->cfg, d->rl);
	d->cfg = res->cfg;
	d->rl = res->rl;
	res->cfg = NULL;
	res->rl = NULL;
	d->status_dirty = true;
	d->status_next = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("reloaded: watching %zu %s with %zu %s (read in %lld ms, "
	    "switched in %lld ms)", d->cfg->ndomains, plural(d->cfg->ndomains,
	    "domain", "domains"), d->rl->n, plural(d->rl->n, "resolver",
	    "resolvers"), res->read_ms, (long long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000);
	commands_reloaded(d->commands, res->seq, NULL);
	reload_ready(d);
}

static void
round_done(void *arg)
{
	struct nmigd	*d = arg;

	d->status_dirty = true;
}

/* (domain, resolver) pairs the STATUS= line may walk a second: the walk
 * of 10,000 x 50 every second was 2.9% of the daemon's samples at that
 * load (`bench/run.sh -p perf W2`, monitor_summary). */
#define STATUS_PAIRS_PER_SEC	50000

/* STATUS= at most once a tick, so that 10,000 domains' rounds do not
 * each walk every domain, and less often the more pairs there are;
 * WATCHDOG=1 from the loop, so a stalled loop is what systemd notices. */
static void
tick_timo(evutil_socket_t fd, short what, void *arg)
{
	struct nmigd	*d = arg;
	char		 summary[256];
	struct timespec	 now;
	size_t		 pairs;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (d->status_dirty && now.tv_sec >= d->status_next) {
		d->status_dirty = false;
		pairs = monitor_summary(d->monitor, summary, sizeof(summary));
		/* Every second up to the budget, then a second more for
		 * each budget's worth. */
		d->status_next = now.tv_sec + (time_t)((pairs +
		    STATUS_PAIRS_PER_SEC - 1) / STATUS_PAIRS_PER_SEC);
		sd_notifyf(0, "STATUS=%s", summary);
	}
	sd_notify(0, "WATCHDOG=1");
}

static struct event *
tick_start(struct nmigd *d)
{
	struct event	*ev;
	struct timeval	 tv = { 1, 0 };
	uint64_t	 usec;

	/* Twice per watchdog period, and at least every second for STATUS=. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec / 2 < 1000000) {
		tv.tv_sec = usec / 2 / 1000000;
		tv.tv_usec = usec / 2 % 1000000;
	}
	if ((ev = event_new(d->base, -1, EV_PERSIST, tick_timo, d)) == NULL ||
	    event_add(ev, &tv) == -1)
		fatalx("%s: cannot register the tick", __func__);
	return ev;
}

static int
run_daemon(struct nmigd *d)
{
	struct event	*ev_term, *ev_int, *ev_hup, *ev_tick;
	int		 rc = 0;

	if ((d->store = store_open(d->cfg->database)) == NULL)
		return EXIT_TROUBLE;
	d->base = loop_new();
	ev_term = evsignal_new(d->base, SIGTERM, signal_stop_cb, d);
	ev_int = evsignal_new(d->base, SIGINT, signal_stop_cb, d);
	ev_hup = evsignal_new(d->base, SIGHUP, signal_hup_cb, d);
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evsignal_add(ev_hup, NULL);
	signal(SIGPIPE, SIG_IGN);

	d->uid = geteuid();
	d->started = time(NULL);
	d->prober = prober_new(d->base, max_inflight());
	d->monitor = monitor_new(d->base, d->cfg, d->rl, d->store, d->prober,
	    false);
	monitor_on_round(d->monitor, round_done, d);
	if (monitor_start(d->monitor) == -1) {
		log_warnx("cannot load the saved state from %s",
		    d->cfg->database);
		rc = EXIT_TROUBLE;
		goto done;
	}
	d->commands = commands_new(d);
	d->reload = reload_new(d->base, d->conffile, reload_read, reload_apply,
	    d);
	if ((d->control = control_listen(d->base, d->cfg->control, d->uid,
	    &command_handlers, d->commands)) == NULL) {
		rc = EXIT_TROUBLE;
		goto done;
	}
	if (d->cfg->metrics != NULL &&
	    (d->http = http_listen(d, d->cfg->metrics)) == NULL) {
		rc = EXIT_TROUBLE;
		goto done;
	}
	ev_tick = tick_start(d);
	d->looplag = looplag_start(d->base);
	d->retention = retention_start(d);
	d->status_dirty = true;
	log_info("watching %zu %s with %zu %s", d->cfg->ndomains,
	    plural(d->cfg->ndomains, "domain", "domains"), d->rl->n,
	    plural(d->rl->n, "resolver", "resolvers"));
	sd_notify(0, "READY=1");
	event_base_dispatch(d->base);
	sd_notify(0, "STOPPING=1");
	event_free(ev_tick);
	retention_free(d->retention);
	looplag_free(d->looplag);
done:
	reload_free(d->reload);
	http_free(d->http);
	control_free(d->control);
	commands_free(d->commands);
	monitor_free(d->monitor);
	prober_free(d->prober);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_base_free(d->base);
	store_close(d->store);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts	o;
	struct nmigd	d;
	struct errlist	errs = { NULL, 0 };
	int		rc;

	parse_options(argc, argv, &o);
	log_init("nmigd", o.verbose > 1);
	memset(&d, 0, sizeof(d));
	d.conffile = o.conffile;
	if (load_config(o.conffile, o.check ? CONFIG_ANY_FILE : 0, &d.cfg,
	    &d.rl, &errs) == -1) {
		print_errors(&errs);
		errlist_free(&errs);
		return o.once ? EXIT_TROUBLE : 1;
	}
	if (o.check) {
		if (o.verbose)
			config_print(d.cfg, stdout);
		check_report(&d);
		rc = 0;
	} else if (o.once)
		rc = run_once(d.cfg, d.rl, o.json);
	else
		rc = run_daemon(&d);
	free_config(d.cfg, d.rl);
	return rc;
}
