/*
 * /metrics in the Prometheus text format, 0.0.4, from the monitor's model
 * and the prober's counters.  The document is built in slices of a few
 * milliseconds across loop passes, so that probes are sent and answers
 * read while 10,000 domains are written out; requests that come during a
 * build wait for it, and a finished document is served to every request
 * for a second (longer if it took longer to build), shared by reference.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "docbuf.h"
#include "forecast.h"
#include "httpd.h"
#include "log.h"
#include "looplag.h"
#include "metrics.h"
#include "outbox.h"
#include "providers.h"
#include "util.h"

/* Work per loop pass: well under the time a probe's answer can wait
 * unread without its RTT being skewed. */
#define METRICS_SLICE_NSEC	(5 * 1000 * 1000)
/* A finished document is served as is for this long, or for as long as
 * it took to build if that is longer: scrapes cost at most one build a
 * second, and never more than half of the loop's time. */
#define METRICS_FRESH_NSEC	(1000 * 1000 * 1000)
/* Documents alive at once: the one being built, the latest, and one held
 * by clients still reading.  At the cap a stale document is served rather
 * than a new one built: clients that connect a second apart and never
 * read would otherwise each pin a document of their own. */
#define METRICS_MAX_DOCS	3

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* A string literal, without its NUL. */
#define PUT(b, lit)	docbuf_add((b), (lit), sizeof(lit) - 1)

/* Where a build is: the sections of the document in order, each walking
 * the domains. */
enum build_step {
	STEP_DOMAIN_STATE,
	STEP_DOMAIN_TALLY,
	STEP_PARENT,
	STEP_OUTLOOK,
	STEP_PAIRS,
	STEP_DONE,
};

struct build {
	struct docbuf		*doc;		/* NULL: no build running */
	const struct model	*m;
	unsigned		 generation;	/* of m: a reload frees it */
	enum build_step		 step;
	size_t			 next;		/* domain */
	int64_t			 started;	/* mono_nsec() */
	unsigned		 slices;
};

struct metrics {
	struct nmigd		*d;
	struct httpd		*httpd;
	struct docbuf		*doc;		/* latest finished, or NULL */
	int64_t			 fresh_until;	/* mono_nsec() */
	struct build		 b;
	struct event		*ev_slice;
	struct http_conn	**waiting;	/* for the build */
	size_t			 nwaiting, waitcap;
};

static void	metrics_serve(struct http_conn *, void *);
static void	metrics_gone(struct http_conn *, void *);
static void	build_slice_cb(evutil_socket_t, short, void *);

static const struct http_route metrics_routes[] = {
	{ "/metrics", metrics_serve, metrics_gone },
};

/* Monotonic nanoseconds, for slices and freshness. */
static int64_t
mono_nsec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Writing the document. */

/* Label values escape backslash, double quote and newline. */
static void
put_label(struct docbuf *b, const char *v)
{
	size_t	n;

	for (;;) {
		n = strcspn(v, "\\\"\n");
		docbuf_add(b, v, n);
		v += n;
		if (*v == '\0')
			return;
		if (*v == '\n')
			PUT(b, "\\n");
		else if (*v == '\\')
			PUT(b, "\\\\");
		else
			PUT(b, "\\\"");
		v++;
	}
}

static void
put_help(struct docbuf *b, const char *name, const char *type,
    const char *help)
{
	docbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

static void
put_prober(struct docbuf *b, const struct prober_stats *st)
{
	static const struct {
		const char	*name, *help;
		size_t		 off;
	} counters[] = {
		{ "nmigd_probes_total", "Queries asked of resolvers.",
		    offsetof(struct prober_stats, queries) },
		{ "nmigd_datagrams_sent_total", "Query datagrams sent, "
		    "retries included.", offsetof(struct prober_stats, sent) },
		{ "nmigd_answers_total", "Queries answered.",
		    offsetof(struct prober_stats, answers) },
		{ "nmigd_timeouts_total", "Queries unanswered after all tries.",
		    offsetof(struct prober_stats, timeouts) },
		{ "nmigd_probe_errors_total", "Queries failed on a socket or "
		    "TCP error.", offsetof(struct prober_stats, errors) },
		{ "nmigd_tcp_fallbacks_total", "Queries retried over TCP after "
		    "TC=1.", offsetof(struct prober_stats, tcp_fallbacks) },
		{ "nmigd_dropped_answers_total", "Datagrams dropped: wrong "
		    "source, ID or question, or malformed.",
		    offsetof(struct prober_stats, dropped) },
	};
	size_t	i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		put_help(b, counters[i].name, "counter", counters[i].help);
		docbuf_printf(b, "%s %llu\n", counters[i].name,
		    (unsigned long long)*(const uint64_t *)(const void *)
		    ((const char *)st + counters[i].off));
	}
	put_help(b, "nmigd_queries_in_flight", "gauge", "Queries on the wire.");
	docbuf_printf(b, "nmigd_queries_in_flight %llu\n",
	    (unsigned long long)st->inflight);
	put_help(b, "nmigd_queries_queued", "gauge",
	    "Queries waiting for a free socket.");
	docbuf_printf(b, "nmigd_queries_queued %llu\n",
	    (unsigned long long)st->queued);
}

/* How long the event loop has been held: what every probe's timing and
 * the watchdog depend on. */
static void
put_looplag(struct docbuf *b, const struct looplag *l)
{
	struct looplag_stats	st;

	if (l == NULL)
		return;
	looplag_get(l, &st);
	put_help(b, "nmigd_event_loop_lag_max_seconds", "gauge",
	    "The longest the event loop was held since nmigd started.");
	docbuf_printf(b, "nmigd_event_loop_lag_max_seconds %.3f\n",
	    (double)st.max_us / 1e6);
	put_help(b, "nmigd_event_loop_held_max_seconds", "gauge",
	    "The longest the event loop was held by nmigd's own work (its "
	    "CPU time), since it started.");
	docbuf_printf(b, "nmigd_event_loop_held_max_seconds %.3f\n",
	    (double)st.held_max_us / 1e6);
	put_help(b, "nmigd_event_loop_lag_recent_seconds", "gauge",
	    "The longest the event loop was held in the last minute or so.");
	docbuf_printf(b, "nmigd_event_loop_lag_recent_seconds %.3f\n",
	    (double)st.recent_us / 1e6);
	put_help(b, "nmigd_event_loop_stalls_total", "counter",
	    "Times the event loop was held for a second or more.");
	docbuf_printf(b, "nmigd_event_loop_stalls_total %llu\n",
	    (unsigned long long)st.stalls);
}

/* The database as the outbox sees it (lib/outbox.c). */
static void
put_database(struct docbuf *b, const struct monitor *mon)
{
	struct outbox_stats	st;

	if (!monitor_outbox_stats(mon, &st))
		return;
	put_help(b, "nmigd_database_commits_total", "counter",
	    "Transactions that stored what rounds changed.");
	docbuf_printf(b, "nmigd_database_commits_total %llu\n",
	    (unsigned long long)st.commits);
	put_help(b, "nmigd_database_commit_failures_total", "counter",
	    "Transactions that failed; their changes were kept.");
	docbuf_printf(b, "nmigd_database_commit_failures_total %llu\n",
	    (unsigned long long)st.failures);
	put_help(b, "nmigd_database_rows_written_total", "counter",
	    "Rows written and committed: answers that changed, verdicts, "
	    "domain rows, events, refreshes.");
	docbuf_printf(b, "nmigd_database_rows_written_total %llu\n",
	    (unsigned long long)st.rows);
	put_help(b, "nmigd_database_unsaved_domains", "gauge",
	    "Domains with changes not stored yet.");
	docbuf_printf(b, "nmigd_database_unsaved_domains %zu\n", st.queued);
	put_help(b, "nmigd_database_failing", "gauge",
	    "1 while the database refuses writes.");
	docbuf_printf(b, "nmigd_database_failing %d\n",
	    st.failing_since != 0);
}

/* A state set: one series per state, 1 for the current one, so that no
 * series vanishes when the state changes. */
static void
put_state_set(struct docbuf *b, const char *metric, const char *domain,
    const char *const *states, int n, int current)
{
	int	s;

	for (s = 0; s < n; s++) {
		docbuf_printf(b, "%s{domain=\"", metric);
		put_label(b, domain);
		docbuf_printf(b, "\",state=\"%s\"} %d\n", states[s],
		    s == current);
	}
}

static void
put_domain_state(struct docbuf *b, const struct watch *w)
{
	const char	*states[DS_MAX];
	char		 name[NMIG_NAMEBUF];
	int		 s;

	for (s = 0; s < DS_MAX; s++)
		states[s] = domain_state_name(s);
	put_state_set(b, "nmigd_domain_state", domain_display(w->dc->name,
	    name), states, DS_MAX, w->state);
}

static void
put_domain_tally(struct docbuf *b, const struct model *m,
    const struct watch *w, time_t now)
{
	static const char *const names[] = {
		"nmigd_domain_resolvers_new",
		"nmigd_domain_resolvers_total",
		"nmigd_domain_resolvers_unreachable",
	};
	struct domain_tally	 t;
	char			 name[NMIG_NAMEBUF];
	size_t			 i, v[3];

	verdict_domain(w->rv, m->resolvers->n, config_require(m->cfg, w->dc),
	    now, &t);
	v[0] = t.switched;
	v[1] = t.total;
	v[2] = t.unreachable;
	domain_display(w->dc->name, name);
	for (i = 0; i < 3; i++) {
		docbuf_printf(b, "%s{domain=\"", names[i]);
		put_label(b, name);
		docbuf_printf(b, "\"} %zu\n", v[i]);
	}
}

/* The parent zone's view, every state present (0 or 1), and when it
 * switched to the new nameservers (0: not yet). */
static void
put_parent(struct docbuf *b, const struct watch *w)
{
	const char	*states[PS_MAX];
	char		 name[NMIG_NAMEBUF];
	int		 s;

	for (s = 0; s < PS_MAX; s++)
		states[s] = parent_state_name(s);
	put_state_set(b, "nmigd_domain_parent_state", domain_display(
	    w->dc->name, name), states, PS_MAX, w->parent_state);
	PUT(b, "nmigd_domain_parent_switched_timestamp_seconds{domain=\"");
	put_label(b, name);
	docbuf_printf(b, "\"} %lld\n", (long long)w->parent_switched_at);
}

static void
put_domain_value(struct docbuf *b, const char *metric, const char *domain,
    long long v)
{
	docbuf_printf(b, "%s{domain=\"", metric);
	put_label(b, domain);
	docbuf_printf(b, "\"} %lld\n", v);
}

/* What is ahead: the forecast, the resolvers overdue or flapping, the
 * providers' servers, when the old hosting may go. */
static void
put_outlook(struct docbuf *b, const struct model *m, const struct watch *w)
{
	const char	*olds[OP_MAX], *news[NP_MAX];
	char		 name[NMIG_NAMEBUF], why[160];
	size_t		 r, overdue = 0, flapping = 0;
	int		 s;

	domain_display(w->dc->name, name);
	for (r = 0; r < m->resolvers->n; r++) {
		overdue += w->rv[r].overdue;
		flapping += verdict_flapping(&w->rv[r], m->cfg->confirm);
	}
	put_domain_value(b, "nmigd_domain_expected_complete_timestamp_seconds",
	    name, w->complete_at != 0 ? 0 : (long long)forecast_domain(w,
	    m->resolvers->n, m->cfg->confirm, m->cfg->interval));
	put_domain_value(b, "nmigd_domain_resolvers_overdue", name,
	    (long long)overdue);
	put_domain_value(b, "nmigd_domain_resolvers_flapping", name,
	    (long long)flapping);
	put_domain_value(b, "nmigd_domain_cancel_old_hosting_timestamp_seconds",
	    name, (long long)forecast_cancel(w, config_overlap(m->cfg, w->dc),
	    config_quiet(m->cfg, w->dc)));
	for (s = 0; s < OP_MAX; s++)
		olds[s] = old_state_name(s);
	for (s = 0; s < NP_MAX; s++)
		news[s] = new_state_name(s);
	put_state_set(b, "nmigd_domain_old_provider_state", name, olds, OP_MAX,
	    w->old_state);
	put_state_set(b, "nmigd_domain_new_provider_state", name, news, NP_MAX,
	    verdict_new_provider(m, w, why, sizeof(why)));
}

static void
put_pair_labels(struct docbuf *b, const char *metric, const char *domain,
    const char *resolver)
{
	docbuf_printf(b, "%s{domain=\"", metric);
	put_label(b, domain);
	PUT(b, "\",resolver=\"");
	put_label(b, resolver);
	PUT(b, "\"");
}

/* Per (domain, resolver): its state, and when and how fast it last
 * answered any of the domain's checks. */
static void
put_pair(struct docbuf *b, const struct watch *w, size_t r,
    const char *domain, const char *resolver, time_t now)
{
	const struct cstate	*cs;
	time_t			 last = 0;
	uint64_t		 rtt = 0, n = 0;
	size_t			 k;

	for (k = 0; k < w->dc->nchecks; k++) {
		cs = watch_cstate(w, r, k);
		if (cs->answered_at == 0 || cs->rcode == CS_RCODE_NONE)
			continue;
		if (cs->answered_at > last)
			last = cs->answered_at;
		rtt += cs->rtt_ms;
		n++;
	}
	put_pair_labels(b, "nmigd_resolver_state", domain, resolver);
	docbuf_printf(b, ",state=\"%s\"} 1\n",
	    resolver_state_name(w->rv[r].state));
	if (n == 0)
		return;
	put_pair_labels(b, "nmigd_resolver_last_answer_age_seconds", domain,
	    resolver);
	docbuf_printf(b, "} %lld\n", (long long)(now - last));
	put_pair_labels(b, "nmigd_resolver_rtt_seconds", domain, resolver);
	docbuf_printf(b, "} %.3f\n", (double)rtt / (double)n / 1000.0);
}

static void
put_pairs(struct docbuf *b, const struct model *m, const struct watch *w,
    time_t now)
{
	char	name[NMIG_NAMEBUF];
	size_t	r;

	domain_display(w->dc->name, name);
	for (r = 0; r < m->resolvers->n; r++)
		put_pair(b, w, r, name, m->resolvers->v[r].name, now);
}

/* The HELP and TYPE lines that open each section. */
static void
put_section(struct docbuf *b, enum build_step step)
{
	switch (step) {
	case STEP_DOMAIN_STATE:
		put_help(b, "nmigd_domain_state", "gauge", "1 for the domain's "
		    "current state (pending, propagating, complete).");
		break;
	case STEP_DOMAIN_TALLY:
		put_help(b, "nmigd_domain_resolvers_new", "gauge",
		    "Resolvers confirmed to report the new records.");
		put_help(b, "nmigd_domain_resolvers_total", "gauge",
		    "Resolvers watched for the domain.");
		put_help(b, "nmigd_domain_resolvers_unreachable", "gauge",
		    "Resolvers left out as unreachable.");
		break;
	case STEP_PARENT:
		put_help(b, "nmigd_domain_parent_state", "gauge", "1 for the "
		    "parent zone's view of the delegation (pending, old, new, "
		    "mixed, error).");
		put_help(b, "nmigd_domain_parent_switched_timestamp_seconds",
		    "gauge", "When every parent server first delegated to the "
		    "new nameservers; 0 until then.");
		break;
	case STEP_OUTLOOK:
		put_help(b, "nmigd_domain_expected_complete_timestamp_seconds",
		    "gauge", "When the domain should be complete (the "
		    "forecast); 0 while unknown or once complete.");
		put_help(b, "nmigd_domain_resolvers_overdue", "gauge",
		    "Resolvers still answering old past their expiry.");
		put_help(b, "nmigd_domain_resolvers_flapping", "gauge",
		    "Resolvers whose caches disagree.");
		put_help(b, "nmigd_domain_cancel_old_hosting_timestamp_seconds",
		    "gauge", "The earliest time the old hosting may be "
		    "cancelled; 0 until complete.");
		put_help(b, "nmigd_domain_old_provider_state", "gauge",
		    "1 for the old name servers' state (pending, serving, "
		    "partly, stopped).");
		put_help(b, "nmigd_domain_new_provider_state", "gauge",
		    "1 for the new name servers' state (pending, ok, lame, "
		    "mismatch, inconsistent).");
		break;
	case STEP_PAIRS:
		put_help(b, "nmigd_resolver_state", "gauge", "1 for the "
		    "resolver's current state for the domain.");
		put_help(b, "nmigd_resolver_last_answer_age_seconds", "gauge",
		    "Seconds since the resolver last answered for the domain.");
		put_help(b, "nmigd_resolver_rtt_seconds", "gauge",
		    "Mean response time of the resolver's latest answers for "
		    "the domain.");
		break;
	case STEP_DONE:
		break;
	}
}

/* Building it in slices. */

static void
build_begin(struct metrics *mt)
{
	struct build		*b = &mt->b;
	struct prober_stats	 st;

	b->doc = docbuf_new();
	b->m = monitor_model(mt->d->monitor);
	b->generation = monitor_generation(mt->d->monitor);
	b->step = STEP_DOMAIN_STATE;
	b->next = 0;
	prober_get_stats(mt->d->prober, &st);
	put_prober(b->doc, &st);
	put_looplag(b->doc, mt->d->looplag);
	put_database(b->doc, mt->d->monitor);
	put_section(b->doc, b->step);
}

/* One domain of the current section, or on to the next section. */
static void
build_step(struct build *b, time_t now)
{
	const struct model	*m = b->m;

	if (b->next == m->nw) {
		b->step++;
		b->next = 0;
		put_section(b->doc, b->step);
		return;
	}
	switch (b->step) {
	case STEP_DOMAIN_STATE:
		put_domain_state(b->doc, &m->w[b->next]);
		break;
	case STEP_DOMAIN_TALLY:
		put_domain_tally(b->doc, m, &m->w[b->next], now);
		break;
	case STEP_PARENT:
		put_parent(b->doc, &m->w[b->next]);
		break;
	case STEP_OUTLOOK:
		put_outlook(b->doc, m, &m->w[b->next]);
		break;
	case STEP_PAIRS:
		put_pairs(b->doc, m, &m->w[b->next], now);
		break;
	case STEP_DONE:
		return;
	}
	b->next++;
}

static void
metrics_reply(struct http_conn *hc, struct docbuf *doc)
{
	struct evbuffer	*body;

	if ((body = evbuffer_new()) == NULL)
		fatalx("%s: evbuffer_new", __func__);
	if (docbuf_share(doc, body) == 0)
		httpd_reply(hc, 200, METRICS_CONTENT_TYPE, body);
	else {
		log_warnx("metrics: out of memory for a response");
		evbuffer_drain(body, evbuffer_get_length(body));
		httpd_reply(hc, 500, "text/plain; charset=utf-8", body);
	}
	evbuffer_free(body);
}

static void
build_finish(struct metrics *mt)
{
	int64_t	now = mono_nsec(), took = now - mt->b.started;
	size_t	i;

	mt->fresh_until = now +
	    (took > METRICS_FRESH_NSEC ? took : METRICS_FRESH_NSEC);
	docbuf_unref(mt->doc);
	mt->doc = mt->b.doc;
	mt->b.doc = NULL;
	log_debug("metrics: %zu bytes built in %lld ms, %u slices",
	    docbuf_length(mt->doc), (long long)(took / 1000000), mt->b.slices);
	for (i = 0; i < mt->nwaiting; i++)
		metrics_reply(mt->waiting[i], mt->doc);
	mt->nwaiting = 0;
}

static void
build_slice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics	*mt = arg;
	struct timeval	 now_tv = { 0, 0 };
	int64_t		 end = mono_nsec() + METRICS_SLICE_NSEC;
	time_t		 now = time(NULL);

	/* A reload freed the model the build was walking: start over on
	 * the new one, so that the document is of one configuration. */
	if (mt->b.generation != monitor_generation(mt->d->monitor)) {
		log_debug("metrics: configuration reloaded; build restarted");
		docbuf_unref(mt->b.doc);
		build_begin(mt);
	}
	mt->b.slices++;
	while (mt->b.step != STEP_DONE && mono_nsec() < end)
		build_step(&mt->b, now);
	if (mt->b.step == STEP_DONE)
		build_finish(mt);
	else
		evtimer_add(mt->ev_slice, &now_tv);	/* after pending I/O */
}

static void
build_start(struct metrics *mt)
{
	struct timeval	now_tv = { 0, 0 };

	mt->b.started = mono_nsec();
	mt->b.slices = 0;
	build_begin(mt);
	evtimer_add(mt->ev_slice, &now_tv);
}

/* Serving. */

static int
doc_fresh(const struct metrics *mt)
{
	return mono_nsec() < mt->fresh_until;
}

static void
metrics_serve(struct http_conn *hc, void *arg)
{
	struct metrics	*mt = arg;

	if (mt->b.doc == NULL && mt->doc != NULL &&
	    (doc_fresh(mt) || docbuf_alive() >= METRICS_MAX_DOCS)) {
		metrics_reply(hc, mt->doc);
		return;
	}
	if (mt->nwaiting == mt->waitcap) {
		mt->waitcap = mt->waitcap ? mt->waitcap * 2 : 8;
		mt->waiting = xreallocarray(mt->waiting, mt->waitcap,
		    sizeof(*mt->waiting));
	}
	mt->waiting[mt->nwaiting++] = hc;
	if (mt->b.doc == NULL)
		build_start(mt);
}

static void
metrics_gone(struct http_conn *hc, void *arg)
{
	struct metrics	*mt = arg;
	size_t		 i;

	for (i = 0; i < mt->nwaiting; i++)
		if (mt->waiting[i] == hc) {
			mt->waiting[i] = mt->waiting[--mt->nwaiting];
			return;
		}
}

struct metrics *
metrics_listen(struct nmigd *d, const char *hostport)
{
	struct metrics	*mt;

	mt = xcalloc(1, sizeof(*mt));
	mt->d = d;
	if ((mt->ev_slice = evtimer_new(d->base, build_slice_cb, mt)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	mt->httpd = httpd_listen(d->base, hostport, metrics_routes,
	    sizeof(metrics_routes) / sizeof(metrics_routes[0]), mt);
	if (mt->httpd == NULL) {
		metrics_free(mt);
		return NULL;
	}
	log_info("metrics on http://%s/metrics", hostport);
	return mt;
}

void
metrics_free(struct metrics *mt)
{
	if (mt == NULL)
		return;
	/* The connections first: those waiting leave the list. */
	httpd_free(mt->httpd);
	event_free(mt->ev_slice);
	docbuf_unref(mt->b.doc);
	docbuf_unref(mt->doc);
	free(mt->waiting);
	free(mt);
}
