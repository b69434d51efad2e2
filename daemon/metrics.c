/*
 * /metrics in the Prometheus text format, 0.0.4.  Built on request from the
 * monitor's model and the prober's counters; nothing is kept for it.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "log.h"
#include "metrics.h"
#include "util.h"

#define METRICS_TIMEOUT_SECS	10
#define METRICS_MAX_HEADERS	8192

struct metrics {
	struct nmigd	*d;
	struct evhttp	*http;
	struct evconnlistener *lev;
	struct event	*ev_pause;
};

/* EMFILE: libevent only warns and retries at once; pause as control.c. */
static struct metrics *metrics_self;	/* the listener's arg is evhttp's */

static void
metrics_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct metrics	*mt = metrics_self;
	struct timeval	 tv = { 1, 0 };

	log_warn("metrics: accept");
	evconnlistener_disable(lev);
	evtimer_add(mt->ev_pause, &tv);
}

static void
metrics_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics	*mt = arg;

	evconnlistener_enable(mt->lev);
}

/* Label values escape backslash, double quote and newline. */
static void
put_label(struct evbuffer *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

static void
put_help(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
put_prober(struct evbuffer *b, const struct prober_stats *st)
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
		evbuffer_add_printf(b, "%s %llu\n", counters[i].name,
		    (unsigned long long)*(const uint64_t *)(const void *)
		    ((const char *)st + counters[i].off));
	}
	put_help(b, "nmigd_queries_in_flight", "gauge", "Queries on the wire.");
	evbuffer_add_printf(b, "nmigd_queries_in_flight %llu\n",
	    (unsigned long long)st->inflight);
	put_help(b, "nmigd_queries_queued", "gauge",
	    "Queries waiting for a free socket.");
	evbuffer_add_printf(b, "nmigd_queries_queued %llu\n",
	    (unsigned long long)st->queued);
}

static void
put_domains(struct evbuffer *b, const struct model *m)
{
	struct domain_tally	 t;
	const struct watch	*w;
	char			 name[NMIG_NAMEBUF];
	size_t			 i;
	int			 s;

	put_help(b, "nmigd_domain_state", "gauge", "1 for the domain's "
	    "current state (pending, propagating, complete).");
	for (i = 0; i < m->nw; i++)
		for (s = 0; s < DS_MAX; s++) {
			evbuffer_add_printf(b, "nmigd_domain_state{domain=\"");
			put_label(b, domain_display(m->w[i].dc->name, name));
			evbuffer_add_printf(b, "\",state=\"%s\"} %d\n",
			    domain_state_name(s), m->w[i].state == s);
		}
	put_help(b, "nmigd_domain_resolvers_new", "gauge",
	    "Resolvers confirmed to report the new records.");
	put_help(b, "nmigd_domain_resolvers_total", "gauge",
	    "Resolvers watched for the domain.");
	put_help(b, "nmigd_domain_resolvers_unreachable", "gauge",
	    "Resolvers left out as unreachable.");
	for (i = 0; i < m->nw; i++) {
		w = &m->w[i];
		verdict_domain(w->rv, m->resolvers->n, &t);
		domain_display(w->dc->name, name);
		evbuffer_add_printf(b, "nmigd_domain_resolvers_new{domain=\"");
		put_label(b, name);
		evbuffer_add_printf(b, "\"} %zu\n", t.switched);
		evbuffer_add_printf(b, "nmigd_domain_resolvers_total{domain=\"");
		put_label(b, name);
		evbuffer_add_printf(b, "\"} %zu\n", t.total);
		evbuffer_add_printf(b,
		    "nmigd_domain_resolvers_unreachable{domain=\"");
		put_label(b, name);
		evbuffer_add_printf(b, "\"} %zu\n", t.unreachable);
	}
}

static void
put_pair_labels(struct evbuffer *b, const char *metric, const char *domain,
    const char *resolver)
{
	evbuffer_add_printf(b, "%s{domain=\"", metric);
	put_label(b, domain);
	evbuffer_add_printf(b, "\",resolver=\"");
	put_label(b, resolver);
	evbuffer_add_printf(b, "\"");
}

/* Per (domain, resolver): its state, and when and how fast it last
 * answered any of the domain's checks. */
static void
put_pair(struct evbuffer *b, const struct watch *w, size_t r,
    const char *resolver, time_t now)
{
	const struct cstate	*cs;
	char			 name[NMIG_NAMEBUF];
	time_t			 last = 0;
	uint64_t		 rtt = 0, n = 0;
	size_t			 k;

	domain_display(w->dc->name, name);
	for (k = 0; k < w->dc->nchecks; k++) {
		cs = watch_cstate(w, r, k);
		if (cs->answered_at == 0 || cs->rcode == CS_RCODE_NONE)
			continue;
		if (cs->answered_at > last)
			last = cs->answered_at;
		rtt += cs->rtt_ms;
		n++;
	}
	put_pair_labels(b, "nmigd_resolver_state", name, resolver);
	evbuffer_add_printf(b, ",state=\"%s\"} 1\n",
	    resolver_state_name(w->rv[r].state));
	if (n == 0)
		return;
	put_pair_labels(b, "nmigd_resolver_last_answer_age_seconds", name,
	    resolver);
	evbuffer_add_printf(b, "} %lld\n", (long long)(now - last));
	put_pair_labels(b, "nmigd_resolver_rtt_seconds", name, resolver);
	evbuffer_add_printf(b, "} %.3f\n", (double)rtt / (double)n / 1000.0);
}

static void
put_resolvers(struct evbuffer *b, const struct model *m, time_t now)
{
	size_t	i, r;

	put_help(b, "nmigd_resolver_state", "gauge", "1 for the resolver's "
	    "current state for the domain.");
	put_help(b, "nmigd_resolver_last_answer_age_seconds", "gauge",
	    "Seconds since the resolver last answered for the domain.");
	put_help(b, "nmigd_resolver_rtt_seconds", "gauge",
	    "Mean response time of the resolver's latest answers for the "
	    "domain.");
	for (i = 0; i < m->nw; i++)
		for (r = 0; r < m->resolvers->n; r++)
			put_pair(b, &m->w[i], r, m->resolvers->v[r].name, now);
}

static void
metrics_request_cb(struct evhttp_request *req, void *arg)
{
	struct metrics		*mt = arg;
	const struct model	*m = monitor_model(mt->d->monitor);
	struct prober_stats	 st;
	struct evbuffer		*b;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, 405, NULL);
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	prober_get_stats(mt->d->prober, &st);
	put_prober(b, &st);
	put_domains(b, m);
	put_resolvers(b, m, time(NULL));
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
metrics_other_cb(struct evhttp_request *req, void *arg)
{
	evhttp_send_error(req, 404, "see /metrics");
}

struct metrics *
metrics_listen(struct nmigd *d, const char *hostport)
{
	struct sockaddr_storage	 ss;
	unsigned		 len;
	struct metrics		*mt;
	char			 host[INET6_ADDRSTRLEN];
	uint16_t		 port;

	if (parse_hostport(hostport, &ss, &len) == -1) {
		log_warnx("metrics: %s: not ADDRESS:PORT", hostport);
		return NULL;
	}
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    host, sizeof(host));
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    host, sizeof(host));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	mt = xcalloc(1, sizeof(*mt));
	mt->d = d;
	if ((mt->http = evhttp_new(d->base)) == NULL)
		fatalx("%s: evhttp_new", __func__);
	evhttp_set_allowed_methods(mt->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(mt->http, METRICS_TIMEOUT_SECS);
	evhttp_set_max_headers_size(mt->http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(mt->http, 0);
	evhttp_set_cb(mt->http, "/metrics", metrics_request_cb, mt);
	evhttp_set_gencb(mt->http, metrics_other_cb, mt);
	struct evhttp_bound_socket *bs;
	if ((bs = evhttp_bind_socket_with_handle(mt->http, host, port)) == NULL) {
		log_warn("metrics: cannot listen on %s", hostport);
		metrics_free(mt);
		return NULL;
	}
	mt->lev = evhttp_bound_socket_get_listener(bs);
	mt->ev_pause = evtimer_new(d->base, metrics_resume_cb, mt);
	metrics_self = mt;
	evconnlistener_set_error_cb(mt->lev, metrics_accept_error_cb);
	log_info("metrics on http://%s/metrics", hostport);
	return mt;
}

void
metrics_free(struct metrics *mt)
{
	if (mt == NULL)
		return;
	evhttp_free(mt->http);
	if (mt->ev_pause != NULL)
		event_free(mt->ev_pause);
	free(mt);
}
