/*
 * nmigd: watches resolvers worldwide until they all report a domain's new
 * NS and MX records.  This file owns startup order, options and signals;
 * the event base is created here and nowhere else.
 */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "log.h"
#include "monitor.h"
#include "prober.h"
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
usage(void)
{
	fprintf(stderr,
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
	exit(EXIT_TROUBLE);
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
	int	ch;

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
		default:
			usage();
		}
	}
	if (optind != argc || (o->json && !o->once))
		usage();
}

static void
print_errors(const struct errlist *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
}

/* Config and resolver list together, so that -t reports both files'
 * errors in one run. */
static int
load_config(const char *path, struct config **cfg, struct resolver_list *rl)
{
	struct errlist	errs = { NULL, 0 };

	memset(rl, 0, sizeof(*rl));
	*cfg = config_load(path, &errs);
	if (*cfg != NULL)
		resolvers_load((*cfg)->resolvers, rl, &errs);
	if (errs.n == 0)
		return 0;
	print_errors(&errs);
	errlist_free(&errs);
	config_free(*cfg);
	resolvers_free(rl);
	*cfg = NULL;
	return -1;
}

/* One socket per query in flight: size the window to the fd limit. */
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
	if (rl.rlim_cur - NMIGD_FD_RESERVE > NMIGD_MAX_INFLIGHT)
		return NMIGD_MAX_INFLIGHT;
	return (unsigned)(rl.rlim_cur - NMIGD_FD_RESERVE);
}

static void
signal_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct event_base	*base = arg;

	log_info("received %s, exiting", strsignal((int)sig));
	event_base_loopexit(base, NULL);
}

static int
run_once(const struct config *cfg, const struct resolver_list *rl, bool json)
{
	struct event_base	*base;
	struct prober		*prober;
	struct monitor		*mon;
	json_t			*doc;
	int			 rc;

	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	prober = prober_new(base, max_inflight());
	mon = monitor_new(base, cfg, rl, NULL, prober, true);
	if (monitor_start(mon) == -1)
		fatalx("cannot start probing");
	event_base_dispatch(base);
	doc = status_document(monitor_model(mon), NULL, time(NULL));
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

static int
run_daemon(const struct config *cfg, const struct resolver_list *rl)
{
	struct event_base	*base;
	struct event		*ev_term, *ev_int;
	struct store		*store;
	struct prober		*prober;
	struct monitor		*mon;

	if ((store = store_open(cfg->database)) == NULL)
		return EXIT_TROUBLE;
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ev_term = evsignal_new(base, SIGTERM, signal_stop_cb, base);
	ev_int = evsignal_new(base, SIGINT, signal_stop_cb, base);
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	signal(SIGPIPE, SIG_IGN);

	prober = prober_new(base, max_inflight());
	mon = monitor_new(base, cfg, rl, store, prober, false);
	if (monitor_start(mon) == -1) {
		log_warnx("cannot load the saved state from %s", cfg->database);
		return EXIT_TROUBLE;
	}
	log_info("watching %zu domains with %zu resolvers", cfg->ndomains,
	    rl->n);
	sd_notify(0, "READY=1");
	event_base_dispatch(base);
	sd_notify(0, "STOPPING=1");

	monitor_free(mon);
	prober_free(prober);
	event_free(ev_term);
	event_free(ev_int);
	event_base_free(base);
	store_close(store);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts		 o;
	struct config		*cfg;
	struct resolver_list	 rl;
	int			 rc;

	parse_options(argc, argv, &o);
	log_init("nmigd", o.verbose > 1);
	if (load_config(o.conffile, &cfg, &rl) == -1)
		return o.once ? EXIT_TROUBLE : 1;
	if (o.check) {
		if (o.verbose)
			config_print(cfg, stdout);
		fprintf(stderr, "configuration OK\n");
		rc = 0;
	} else if (o.once)
		rc = run_once(cfg, &rl, o.json);
	else
		rc = run_daemon(cfg, &rl);
	config_free(cfg);
	resolvers_free(&rl);
	return rc;
}
