/*
 * What /metrics says: the Prometheus text format 0.0.4, one family after
 * another (promtool check metrics: a family's lines together, every
 * state of a state set present as 0 or 1, no _total on a gauge).  The
 * process-wide families come first, whole; then each per-domain family,
 * which daemon/metrics.c writes a domain at a time between loop passes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "forecast.h"
#include "metricsdoc.h"
#include "outbox.h"
#include "providers.h"
#include "util.h"

/* A string literal, without its NUL. */
#define PUT(b, lit)	docbuf_add((b), (lit), sizeof(lit) - 1)

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

/* A series' name and the opening of its labels: the vantage first, when
 * there is one (NAME{vantage="tokyo"...), so that every series of
 * one nmigd carries it.  open: whether more labels follow (no "}"). */
static void
put_name(struct docbuf *b, const char *vantage, const char *name, bool open)
{
	docbuf_add(b, name, strlen(name));
	if (vantage == NULL) {
		if (open)
			PUT(b, "{");
		return;
	}
	PUT(b, "{vantage=\"");
	put_label(b, vantage);
	if (open)
		PUT(b, "\",");
	else
		PUT(b, "\"}");
}

/* A family of one series without labels of its own. */
static void
put_one(struct docbuf *b, const char *vantage, const char *name,
    const char *type, const char *help, const char *fmt, ...)
{
	va_list	ap;
	char	value[64];

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	put_help(b, name, type, help);
	put_name(b, vantage, name, false);
	docbuf_printf(b, " %s\n", value);
}

static void
put_prober(struct docbuf *b, const char *vantage,
    const struct prober_stats *st)
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
		{ "nmigd_probes_skipped_total", "Queries not sent: their "
		    "server was backed off.",
		    offsetof(struct prober_stats, skipped) },
	};
	size_t	i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		put_one(b, vantage, counters[i].name, "counter",
		    counters[i].help, "%llu", (unsigned long long)
		    *(const uint64_t *)(const void *)((const char *)st +
		    counters[i].off));
	put_one(b, vantage, "nmigd_queries_in_flight", "gauge",
	    "Queries on the wire.", "%llu", (unsigned long long)st->inflight);
	put_one(b, vantage, "nmigd_queries_queued", "gauge",
	    "Queries waiting for their server's rate or a free socket.",
	    "%llu", (unsigned long long)st->queued);
	put_one(b, vantage, "nmigd_servers_backed_off", "gauge",
	    "Resolvers and servers backed off: not answering or refusing.",
	    "%llu", (unsigned long long)st->backing_off);
	put_one(b, vantage, "nmigd_udp_sockets", "gauge",
	    "UDP sockets open for queries.", "%llu",
	    (unsigned long long)st->sockets);
	put_one(b, vantage, "nmigd_private_ports", "gauge",
	    "1 while each query gets a port of its own, after datagrams no "
	    "query waited for.", "%llu",
	    (unsigned long long)st->private_ports);
}

/* How long the event loop has been held: what every probe's timing and
 * the watchdog depend on. */
static void
put_looplag(struct docbuf *b, const char *vantage, const struct looplag *l)
{
	struct looplag_stats	st;

	if (l == NULL)
		return;
	looplag_get(l, &st);
	put_one(b, vantage, "nmigd_event_loop_lag_max_seconds", "gauge",
	    "The longest the event loop was held since nmigd started.",
	    "%.3f", (double)st.max_us / 1e6);
	put_one(b, vantage, "nmigd_event_loop_held_max_seconds", "gauge",
	    "The longest the event loop was held by nmigd's own work (its "
	    "CPU time), since it started.", "%.3f",
	    (double)st.held_max_us / 1e6);
	put_one(b, vantage, "nmigd_event_loop_lag_recent_seconds", "gauge",
	    "The longest the event loop was held in the last minute or so.",
	    "%.3f", (double)st.recent_us / 1e6);
	put_one(b, vantage, "nmigd_event_loop_stalls_total", "counter",
	    "Times the event loop was held for a second or more.", "%llu",
	    (unsigned long long)st.stalls);
}

/* The database as the outbox sees it (lib/outbox.c). */
static void
put_database(struct docbuf *b, const char *vantage,
    const struct monitor *mon)
{
	struct outbox_stats	st;

	if (!monitor_outbox_stats(mon, &st))
		return;
	put_one(b, vantage, "nmigd_database_commits_total", "counter",
	    "Transactions that stored what rounds changed.", "%llu",
	    (unsigned long long)st.commits);
	put_one(b, vantage, "nmigd_database_commit_failures_total",
	    "counter", "Transactions that failed; their changes were kept.",
	    "%llu", (unsigned long long)st.failures);
	put_one(b, vantage, "nmigd_database_rows_written_total", "counter",
	    "Rows written and committed: answers that changed, verdicts, "
	    "domain rows, events, refreshes.", "%llu",
	    (unsigned long long)st.rows);
	put_one(b, vantage, "nmigd_database_unsaved_domains", "gauge",
	    "Domains with changes not stored yet.", "%zu", st.queued);
	put_one(b, vantage, "nmigd_database_failing", "gauge",
	    "1 while the database refuses writes.", "%d",
	    st.failing_since != 0);
}

/* Which nmigd this is: a constant 1 with the version as a label. */
static void
put_build_info(struct docbuf *b, const char *vantage)
{
	put_help(b, "nmigd_build_info", "gauge",
	    "Always 1; the version of nmigd as a label.");
	put_name(b, vantage, "nmigd_build_info", true);
	docbuf_printf(b, "version=\"%s\"} 1\n", NMIG_VERSION);
}

void
metricsdoc_head(struct docbuf *b, const char *vantage,
    const struct prober_stats *st, const struct looplag *l,
    const struct monitor *mon)
{
	put_build_info(b, vantage);
	put_prober(b, vantage, st);
	put_looplag(b, vantage, l);
	put_database(b, vantage, mon);
}

/* The per-domain families. */

static void
put_domain_label(struct docbuf *b, const struct model *m, const char *metric,
    const struct watch *w)
{
	char	name[NMIG_NAMEBUF];

	put_name(b, m->cfg->vantage, metric, true);
	PUT(b, "domain=\"");
	put_label(b, domain_display(w->dc->name, name));
	PUT(b, "\"");
}

/* A family with one value a domain. */
typedef long long	domain_value_fn(const struct model *,
			    const struct watch *, time_t);

static struct domain_tally
tally(const struct model *m, const struct watch *w, time_t now)
{
	struct domain_tally	t;

	verdict_domain(w->rv, m->resolvers->n, config_require(m->cfg, w->dc),
	    now, &t);
	return t;
}

static long long
v_resolvers_new(const struct model *m, const struct watch *w, time_t now)
{
	return (long long)tally(m, w, now).switched;
}

static long long
v_resolvers(const struct model *m, const struct watch *w, time_t now)
{
	return (long long)tally(m, w, now).total;
}

static long long
v_unreachable(const struct model *m, const struct watch *w, time_t now)
{
	return (long long)tally(m, w, now).unreachable;
}

static long long
v_parent_switched(const struct model *m, const struct watch *w, time_t now)
{
	return (long long)w->parent_switched_at;
}

static long long
v_watched_since(const struct model *m, const struct watch *w, time_t now)
{
	return (long long)w->watched_since;
}

static long long
v_complete(const struct model *m, const struct watch *w, time_t now)
{
	return (long long)w->complete_at;
}

/* The end of the domain's last round: its resolvers' latest check. */
static long long
v_last_round(const struct model *m, const struct watch *w, time_t now)
{
	time_t	last = 0;
	size_t	r;

	for (r = 0; r < m->resolvers->n; r++)
		if (w->rv[r].last_checked > last)
			last = w->rv[r].last_checked;
	return (long long)last;
}

static long long
v_expected(const struct model *m, const struct watch *w, time_t now)
{
	return w->complete_at != 0 ? 0 : (long long)forecast_domain(w,
	    m->resolvers->n, m->cfg->confirm, m->cfg->interval);
}

static long long
v_overdue(const struct model *m, const struct watch *w, time_t now)
{
	size_t	r, n = 0;

	for (r = 0; r < m->resolvers->n; r++)
		n += w->rv[r].overdue;
	return (long long)n;
}

static long long
v_flapping(const struct model *m, const struct watch *w, time_t now)
{
	size_t	r, n = 0;

	for (r = 0; r < m->resolvers->n; r++)
		n += verdict_flapping(&w->rv[r], m->cfg->confirm);
	return (long long)n;
}

static long long
v_cancel(const struct model *m, const struct watch *w, time_t now)
{
	return (long long)forecast_cancel(w, config_overlap(m->cfg, w->dc),
	    config_quiet(m->cfg, w->dc));
}

/* A state set: one series a state, 1 for the current one, so that no
 * series vanishes when the state changes. */
typedef int		domain_state_fn(const struct model *,
			    const struct watch *);
typedef const char	*state_name_fn(int);

static int
s_domain(const struct model *m, const struct watch *w)
{
	return w->state;
}

static int
s_parent(const struct model *m, const struct watch *w)
{
	return w->parent_state;
}

static int
s_old_provider(const struct model *m, const struct watch *w)
{
	return w->old_state;
}

/* Judged now, as status shows it: the stored state is the last round's. */
static int
s_new_provider(const struct model *m, const struct watch *w)
{
	char	why[160];

	return verdict_new_provider(m, w, why, sizeof(why));
}

static const char *
n_domain(int s)
{
	return domain_state_name(s);
}

static const char *
n_parent(int s)
{
	return parent_state_name(s);
}

static const char *
n_old(int s)
{
	return old_state_name(s);
}

static const char *
n_new(int s)
{
	return new_state_name(s);
}

static const char *
n_resolver(int s)
{
	return resolver_state_name(s);
}

/* Per (domain, resolver): the resolver's latest answers to the domain's
 * checks, when the last came and how fast they came on average. */
static bool
pair_answers(const struct watch *w, size_t r, time_t *last, double *rtt)
{
	const struct cstate	*cs;
	uint64_t		 sum = 0, n = 0;
	size_t			 k;

	*last = 0;
	for (k = 0; k < w->dc->nchecks; k++) {
		cs = watch_cstate(w, r, k);
		if (cs->answered_at == 0 || cs->rcode == CS_RCODE_NONE)
			continue;
		if (cs->answered_at > *last)
			*last = cs->answered_at;
		sum += cs->rtt_ms;
		n++;
	}
	if (n == 0)
		return false;
	*rtt = (double)sum / (double)n / 1000.0;
	return true;
}

enum family_kind {
	FAM_VALUE,	/* value(): one series a domain */
	FAM_STATES,	/* state(): nstates series a domain */
	FAM_COUNTS,	/* the resolvers in each state, nstates a domain */
	FAM_PAIR_STATE,	/* the resolver's state, nstates series a pair */
	FAM_PAIR_AGE,	/* seconds since the resolver last answered */
	FAM_PAIR_RTT,	/* its mean response time */
};

struct family {
	const char		*name;
	const char		*help;
	enum family_kind	 kind;	/* FAM_PAIR_*: with metrics-detail
					 * only, and last in families[] */
	domain_value_fn		*value;
	domain_state_fn		*state;
	state_name_fn		*state_name;
	int			 nstates;
};

static const struct family families[] = {
	{ "nmigd_domain_state", "1 for the domain's current state (pending, "
	    "propagating, complete).", FAM_STATES, NULL, s_domain, n_domain,
	    DS_MAX },
	{ "nmigd_domain_resolvers_new", "Resolvers confirmed to report the "
	    "new records.", FAM_VALUE, v_resolvers_new, NULL, NULL, 0 },
	{ "nmigd_domain_resolvers", "Resolvers counted for the domain.",
	    FAM_VALUE, v_resolvers, NULL, NULL, 0 },
	{ "nmigd_domain_resolvers_unreachable", "Resolvers left out as "
	    "unreachable.", FAM_VALUE, v_unreachable, NULL, NULL, 0 },
	{ "nmigd_domain_last_round_timestamp_seconds", "When the domain's "
	    "last round ended; 0 before the first.", FAM_VALUE, v_last_round,
	    NULL, NULL, 0 },
	{ "nmigd_domain_complete_timestamp_seconds", "When the domain "
	    "became complete; 0 until then.", FAM_VALUE, v_complete, NULL,
	    NULL, 0 },
	{ "nmigd_domain_watched_since_timestamp_seconds", "Since when the "
	    "domain's migration has been watched (its expected values last "
	    "set); 0 before its first round.", FAM_VALUE, v_watched_since,
	    NULL, NULL, 0 },
	{ "nmigd_domain_parent_state", "1 for the parent zone's view of the "
	    "delegation (pending, old, new, mixed, error).", FAM_STATES, NULL,
	    s_parent, n_parent, PS_MAX },
	{ "nmigd_domain_parent_switched_timestamp_seconds", "When every "
	    "parent server first delegated to the new nameservers; 0 until "
	    "then.", FAM_VALUE, v_parent_switched, NULL, NULL, 0 },
	{ "nmigd_domain_expected_complete_timestamp_seconds", "When the "
	    "domain should be complete (the forecast); 0 while unknown or "
	    "once complete.", FAM_VALUE, v_expected, NULL, NULL, 0 },
	{ "nmigd_domain_resolvers_overdue", "Resolvers still answering old "
	    "past their expiry.", FAM_VALUE, v_overdue, NULL, NULL, 0 },
	{ "nmigd_domain_resolvers_flapping", "Resolvers whose caches "
	    "disagree.", FAM_VALUE, v_flapping, NULL, NULL, 0 },
	{ "nmigd_domain_cancel_old_hosting_timestamp_seconds", "The earliest "
	    "time the old hosting may be cancelled; 0 until complete.",
	    FAM_VALUE, v_cancel, NULL, NULL, 0 },
	{ "nmigd_domain_old_provider_state", "1 for the old name servers' "
	    "state (pending, serving, partly, stopped).", FAM_STATES, NULL,
	    s_old_provider, n_old, OP_MAX },
	{ "nmigd_domain_new_provider_state", "1 for the new name servers' "
	    "state (pending, ok, lame, mismatch, inconsistent).", FAM_STATES,
	    NULL, s_new_provider, n_new, NP_MAX },
	{ "nmigd_domain_resolvers_by_state", "The domain's resolvers in each "
	    "state (pending, new, old, mixed, other, error, unreachable).",
	    FAM_COUNTS, NULL, NULL, n_resolver, RS_MAX },
	/* The pairs', with metrics-detail only: last. */
	{ "nmigd_resolver_state", "1 for the resolver's current state for "
	    "the domain (pending, new, old, mixed, other, error, "
	    "unreachable).", FAM_PAIR_STATE, NULL, NULL, n_resolver, RS_MAX },
	{ "nmigd_resolver_last_answer_age_seconds", "Seconds since the "
	    "resolver last answered for the domain.", FAM_PAIR_AGE, NULL, NULL,
	    NULL, 0 },
	{ "nmigd_resolver_rtt_seconds", "Mean response time of the "
	    "resolver's latest answers for the domain.", FAM_PAIR_RTT, NULL,
	    NULL, NULL, 0 },
};

#define NFAMILIES	(sizeof(families) / sizeof(families[0]))

static bool
family_detail(const struct family *f)
{
	return f->kind == FAM_PAIR_STATE || f->kind == FAM_PAIR_AGE ||
	    f->kind == FAM_PAIR_RTT;
}

size_t
metricsdoc_nfamilies(bool detail)
{
	size_t	n = 0;

	/* The per-(domain, resolver) families come last. */
	while (n < NFAMILIES && (detail || !family_detail(&families[n])))
		n++;
	return n;
}

void
metricsdoc_family_head(struct docbuf *b, size_t fam)
{
	put_help(b, families[fam].name, "gauge", families[fam].help);
}

static void
put_states(struct docbuf *b, const struct family *f, const struct model *m,
    const struct watch *w, const char *resolver, int current)
{
	int	s;

	for (s = 0; s < f->nstates; s++) {
		put_domain_label(b, m, f->name, w);
		if (resolver != NULL) {
			PUT(b, ",resolver=\"");
			put_label(b, resolver);
			PUT(b, "\"");
		}
		docbuf_printf(b, ",state=\"%s\"} %d\n", f->state_name(s),
		    s == current);
	}
}

/* How many of the domain's resolvers are in each state: what a list of
 * thousands of domains needs, without a series a resolver. */
static void
put_counts(struct docbuf *b, const struct family *f, const struct model *m,
    const struct watch *w)
{
	size_t	n[RS_MAX] = { 0 }, r;
	int	s;

	for (r = 0; r < m->resolvers->n; r++)
		if (w->rv[r].state < RS_MAX)
			n[w->rv[r].state]++;
	for (s = 0; s < f->nstates; s++) {
		put_domain_label(b, m, f->name, w);
		docbuf_printf(b, ",state=\"%s\"} %zu\n", f->state_name(s),
		    n[s]);
	}
}

static void
put_pair(struct docbuf *b, const struct family *f, const struct model *m,
    const struct watch *w, size_t r, time_t now)
{
	const char	*resolver = m->resolvers->v[r].name;
	time_t		 last;
	double		 rtt;

	if (f->kind == FAM_PAIR_STATE) {
		put_states(b, f, m, w, resolver, w->rv[r].state);
		return;
	}
	if (!pair_answers(w, r, &last, &rtt))
		return;
	put_domain_label(b, m, f->name, w);
	PUT(b, ",resolver=\"");
	put_label(b, resolver);
	if (f->kind == FAM_PAIR_AGE)
		docbuf_printf(b, "\"} %lld\n", (long long)(now - last));
	else
		docbuf_printf(b, "\"} %.3f\n", rtt);
}

void
metricsdoc_family_domain(struct docbuf *b, size_t fam,
    const struct model *m, const struct watch *w, time_t now)
{
	const struct family	*f = &families[fam];
	size_t			 r;

	switch (f->kind) {
	case FAM_VALUE:
		put_domain_label(b, m, f->name, w);
		docbuf_printf(b, "} %lld\n", f->value(m, w, now));
		break;
	case FAM_STATES:
		put_states(b, f, m, w, NULL, f->state(m, w));
		break;
	case FAM_COUNTS:
		put_counts(b, f, m, w);
		break;
	default:
		for (r = 0; r < m->resolvers->n; r++)
			put_pair(b, f, m, w, r, now);
		break;
	}
}
