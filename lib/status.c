/*
 * The status document and its text rendering.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "ctlproto.h"
#include "ctlversion.h"
#include "serverstatus.h"
#include "dname.h"
#include "forecast.h"
#include "learnstatus.h"
#include "pacing.h"
#include "packet.h"
#include "rdtext.h"
#include "status.h"
#include "statusrows.h"
#include "util.h"

json_t *
status_time_json(time_t t)
{
	char	buf[NMIG_TIMEBUF];

	return t == 0 ? json_null() : json_string(fmt_time(t, buf));
}

/* The set as text, one string a record; rdtext() writes only ASCII. */
json_t *
status_rdata_json(const struct rdset *set, uint16_t type)
{
	const uint8_t	*rd;
	json_t		*a = json_array();
	size_t		 off = 0;
	uint16_t	 len;
	char		*s;

	while ((rd = rdset_next(set, &off, &len)) != NULL) {
		s = rdtext(type, rd, len);
		json_array_append_new(a, json_string(s));
		free(s);
	}
	return a;
}

json_t *
status_record_json(const struct cstate *cs, const struct check_conf *c)
{
	const struct rdset	*rd = cstate_rdata(cs, c);
	json_t			*o, *a;
	char			 tbuf[16], rbuf[16];

	a = status_rdata_json(rd, c->type);
	o = json_object();
	json_object_set_new(o, "owner", json_string(c->owner));
	json_object_set_new(o, "type", json_string(rrtype_name(c->type, tbuf)));
	json_object_set_new(o, "state", json_string(check_state_name(cs->state)));
	json_object_set_new(o, "rcode", cs->answered_at == 0 ||
	    cs->rcode == CS_RCODE_NONE ? json_null() :
	    json_string(rcode_name(cs->rcode, rbuf)));
	json_object_set_new(o, "ttl", cs->answered_at == 0 ||
	    cs->rcode == CS_RCODE_NONE ? json_null() : json_integer(cs->ttl));
	json_object_set_new(o, "answered_at", status_time_json(cs->answered_at));
	json_object_set_new(o, "rtt_ms", cs->answered_at == 0 ||
	    cs->rcode == CS_RCODE_NONE ? json_null() : json_integer(cs->rtt_ms));
	json_object_set_new(o, "rdata", a);
	/* An "other" answer too big to keep whole. */
	if (rd->dropped > 0)
		json_object_set_new(o, "rdata_omitted",
		    json_integer(rd->dropped));
	return o;
}

static json_t *
resolver_json(const struct watch *w, const struct resolver_conf *r, size_t ri,
    unsigned confirm)
{
	const struct rverdict	*v = &w->rv[ri];
	json_t			*o, *recs;
	size_t			 c;

	recs = json_array();
	for (c = 0; c < w->dc->nchecks; c++)
		json_array_append_new(recs,
		    status_record_json(watch_cstate(w, ri, c), watch_check(w, c)));
	o = json_object();
	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "address", json_string(r->address));
	json_object_set_new(o, "port", json_integer(r->port));
	json_object_set_new(o, "location", json_string(r->location));
	json_object_set_new(o, "state", json_string(resolver_state_name(v->state)));
	json_object_set_new(o, "switched", json_boolean(v->switched));
	json_object_set_new(o, "since", status_time_json(v->since));
	json_object_set_new(o, "last_checked", status_time_json(v->last_checked));
	/* The forecast (lib/forecast.h). */
	json_object_set_new(o, "cached_until", status_time_json(
	    v->cached_until));
	json_object_set_new(o, "expires_at", status_time_json(v->expires_at));
	json_object_set_new(o, "overdue", json_boolean(v->overdue));
	json_object_set_new(o, "ttl_grew", json_integer(v->ttl_grew));
	json_object_set_new(o, "flapping", json_boolean(verdict_flapping(v,
	    confirm)));
	json_object_set_new(o, "flaps", json_integer(v->flaps));
	json_object_set_new(o, "records", recs);
	return o;
}

/* "all", "90%" or "12", as the config says it. */
static json_t *
require_json(const struct require *r)
{
	char	buf[STATUS_REQUIREBUF];

	return json_string(status_require_text(r, buf));
}

const char *
status_require_text(const struct require *r, char *buf)
{
	switch (r->mode) {
	case REQUIRE_PERCENT:
		snprintf(buf, STATUS_REQUIREBUF, "%u%%", r->n);
		break;
	case REQUIRE_COUNT:
		snprintf(buf, STATUS_REQUIREBUF, "%u", r->n);
		break;
	default:
		snprintf(buf, STATUS_REQUIREBUF, "all");
		break;
	}
	return buf;
}

/* The resolvers the domain still waits for, by name: those counted that
 * have not switched, unreachable ones too until the old answers they
 * cached run out (verdict_domain()). */
static json_t *
not_switched_json(const struct model *m, const struct watch *w, time_t now)
{
	const struct rverdict	*v;
	json_t			*a = json_array();
	size_t			 r;

	for (r = 0; r < m->resolvers->n; r++) {
		v = &w->rv[r];
		if (v->state == RS_UNREACHABLE ? v->cached_until > now :
		    !v->switched)
			json_array_append_new(a,
			    json_string(m->resolvers->v[r].name));
	}
	return a;
}

void
status_domain_head(const struct model *m, const struct watch *w, time_t now,
    struct domain_head *h)
{
	h->require = *config_require(m->cfg, w->dc);
	verdict_domain(w->rv, m->resolvers->n, &h->require, now, &h->tally);
	domain_display(w->dc->name, h->domain);
	domain_unicode(w->dc->name, h->domain_unicode);
	h->state = domain_state_name(w->state);
	h->since = w->since;
	h->complete_at = w->complete_at;
	h->watched_since = w->watched_since;
	h->cancel_old_hosting_at = forecast_cancel(w, config_overlap(m->cfg,
	    w->dc), config_quiet(m->cfg, w->dc));
	h->cancel_announced_at = w->cancel_at;
	h->expected_complete_at = w->complete_at != 0 ? 0 :
	    forecast_domain(w, m->resolvers->n, m->cfg->confirm,
	    m->cfg->interval);
	h->parent_state = parent_state_name(w->parent_state);
}

/* The members of a domain's object that say where it stands, in the
 * order of the document, up to its resolvers. */
static json_t *
domain_head_json(const struct model *m, const struct watch *w, time_t now)
{
	struct domain_head	 h;
	json_t			*o;

	status_domain_head(m, w, now, &h);
	o = json_object();
	json_object_set_new(o, "domain", json_string(h.domain));
	json_object_set_new(o, "domain_unicode", json_string(h.domain_unicode));
	json_object_set_new(o, "state", json_string(h.state));
	json_object_set_new(o, "since", status_time_json(h.since));
	json_object_set_new(o, "complete_at", status_time_json(h.complete_at));
	json_object_set_new(o, "resolvers_total", json_integer(h.tally.total));
	json_object_set_new(o, "resolvers_new", json_integer(h.tally.switched));
	json_object_set_new(o, "resolvers_answering_new",
	    json_integer(h.tally.now_new));
	json_object_set_new(o, "resolvers_unreachable",
	    json_integer(h.tally.unreachable));
	json_object_set_new(o, "require", require_json(&h.require));
	json_object_set_new(o, "resolvers_required",
	    json_integer(h.tally.required));
	json_object_set_new(o, "not_switched", not_switched_json(m, w, now));
	json_object_set_new(o, "watched_since", status_time_json(
	    h.watched_since));
	json_object_set_new(o, "cancel_old_hosting_at", status_time_json(
	    h.cancel_old_hosting_at));
	json_object_set_new(o, "cancel_announced_at", status_time_json(
	    h.cancel_announced_at));
	json_object_set_new(o, "expected_complete_at", status_time_json(
	    h.expected_complete_at));
	return o;
}

json_t *
status_domain_json(const struct model *m, const struct watch *w, time_t now)
{
	json_t	*o = domain_head_json(m, w, now), *rs = json_array();
	size_t	 i;

	for (i = 0; i < m->resolvers->n; i++)
		json_array_append_new(rs, resolver_json(w, &m->resolvers->v[i], i,
		    m->cfg->confirm));
	json_object_set_new(o, "resolvers", rs);
	json_object_set_new(o, "parent", status_parent_json(m, w));
	json_object_set_new(o, "old_provider", status_provider_json(m, w,
	    TK_OLD_AUTH));
	json_object_set_new(o, "new_provider", status_provider_json(m, w,
	    TK_NEW_AUTH));
	json_object_set_new(o, "dnssec", status_dnssec_json(m, w));
	json_object_set_new(o, "learned", status_learned_json(w));
	return o;
}

json_t *
status_document(const struct model *m, const char *domain, time_t now)
{
	json_t	*doc, *doms;
	char	 want[NMIG_NAMEBUF];
	size_t	 i;

	if (domain != NULL && name_normalize(domain, want, sizeof(want)) == -1)
		return NULL;
	doms = json_array();
	for (i = 0; i < m->nw; i++) {
		if (domain != NULL && strcmp(m->w[i].dc->name, want) != 0)
			continue;
		json_array_append_new(doms, status_domain_json(m, &m->w[i],
		    now));
	}
	if (domain != NULL && json_array_size(doms) == 0) {
		json_decref(doms);
		return NULL;
	}
	doc = json_object();
	json_object_set_new(doc, "version", json_integer(CTL_PROTOCOL_VERSION));
	json_object_set_new(doc, "generated_at", status_time_json(now));
	json_object_set_new(doc, "pacing", pacing_json(m));
	json_object_set_new(doc, "domains", doms);
	return doc;
}

json_t *
status_domain_summary_json(const struct model *m, const struct watch *w,
    time_t now)
{
	json_t	*o = domain_head_json(m, w, now);
	json_t	*parent = status_parent_json(m, w);

	/* The parent's state and times without its servers' answers. */
	json_object_del(parent, "servers");
	json_object_set_new(o, "parent", parent);
	return o;
}

/* The document in parts. */

struct status_stream {
	time_t	  now;
	bool	  summary;
	bool	  filtered;
	struct status_filter filter;
	struct status_columns columns;	/* n > 0: rows of them */
	size_t	  matched;	/* domains in the state, listed or not */
	bool	  head;		/* written */
	bool	  tail;		/* written */
	size_t	  next;		/* the next domain, in the current model */
	size_t	  ndomains;	/* written */
	char	**sent;		/* names written before a reload, sorted */
	size_t	  nsent;	/* sorted */
};

struct status_stream *
status_stream_new(time_t now, bool summary,
    const struct status_filter *filter, const struct status_columns *columns)
{
	struct status_stream	*st = xcalloc(1, sizeof(*st));

	st->now = now;
	st->summary = summary;
	st->filter.state = -1;
	if (filter != NULL) {
		st->filtered = true;
		st->filter = *filter;
	}
	if (columns != NULL)
		st->columns = *columns;
	return st;
}

void
status_stream_free(struct status_stream *st)
{
	size_t	i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nsent; i++)
		free(st->sent[i]);
	free(st->sent);
	free(st);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
stream_sent(const struct status_stream *st, const char *name)
{
	return st->nsent > 0 && bsearch(&name, st->sent, st->nsent,
	    sizeof(*st->sent), name_cmp) != NULL;
}

/* What json_dumps() writes before the first domain of the document. */
static int
stream_head(const struct status_stream *st, const struct model *m,
    json_dump_callback_t fn, void *arg)
{
	static const char	domains[] = ",\"domains\":[";
	char			buf[128], tbuf[NMIG_TIMEBUF];
	json_t			*pacing;
	int			len, rv;

	len = snprintf(buf, sizeof(buf), "{\"version\":%d,\"generated_at\":"
	    "%s%s%s,\"pacing\":", CTL_PROTOCOL_VERSION,
	    st->now == 0 ? "" : "\"", st->now == 0 ? "null" :
	    fmt_time(st->now, tbuf), st->now == 0 ? "" : "\"");
	if (fn(buf, (size_t)len, arg) != 0)
		return -1;
	pacing = pacing_json(m);
	rv = json_dump_callback(pacing, fn, arg, JSON_COMPACT);
	json_decref(pacing);
	if (rv != 0)
		return -1;
	if (st->columns.n > 0)
		return status_rows_head(&st->columns, fn, arg);
	return fn(domains, sizeof(domains) - 1, arg);
}

/* The next domain to write: not written before a reload, in the state
 * asked for, within the limit; those past the limit are only counted. */
static void
stream_seek(struct status_stream *st, const struct model *m)
{
	const struct watch	*w;

	for (; st->next < m->nw; st->next++) {
		w = &m->w[st->next];
		if (stream_sent(st, w->dc->name) || (st->filter.state != -1 &&
		    w->state != st->filter.state))
			continue;
		if (st->filtered)
			st->matched++;
		if (st->filter.limit == 0 || st->ndomains < st->filter.limit)
			return;
	}
}

static int
stream_tail(const struct status_stream *st, json_dump_callback_t fn,
    void *arg)
{
	char	buf[96];
	int	len;

	if (!st->filtered)
		return fn("]}", 2, arg) == 0 ? 1 : -1;
	if (st->filter.state != -1)
		len = snprintf(buf, sizeof(buf), "],\"matched\":%zu,"
		    "\"state\":\"%s\"}", st->matched,
		    domain_state_name(st->filter.state));
	else
		len = snprintf(buf, sizeof(buf), "],\"matched\":%zu}",
		    st->matched);
	return fn(buf, (size_t)len, arg) == 0 ? 1 : -1;
}

static int
stream_row(struct status_stream *st, const struct model *m,
    json_dump_callback_t fn, void *arg)
{
	struct domain_head	h;

	status_domain_head(m, &m->w[st->next++], st->now, &h);
	return status_row_write(&st->columns, &h, fn, arg) == 0 ? 1 : -1;
}

int
status_stream_next(struct status_stream *st, const struct model *m,
    json_dump_callback_t fn, void *arg)
{
	json_t	*d;
	int	 rv;

	if (!st->head) {
		st->head = true;
		return stream_head(st, m, fn, arg) == 0 ? 1 : -1;
	}
	stream_seek(st, m);
	if (st->next == m->nw) {
		if (st->tail)
			return 0;
		st->tail = true;
		return stream_tail(st, fn, arg);
	}
	if (st->ndomains++ > 0 && fn(",", 1, arg) != 0)
		return -1;
	if (st->columns.n > 0)
		return stream_row(st, m, fn, arg);
	d = st->summary ?
	    status_domain_summary_json(m, &m->w[st->next++], st->now) :
	    status_domain_json(m, &m->w[st->next++], st->now);
	rv = json_dump_callback(d, fn, arg, JSON_COMPACT);
	json_decref(d);
	return rv == 0 ? 1 : -1;
}

void
status_stream_reloading(struct status_stream *st, const struct model *m)
{
	const char	*name;
	size_t		 i, n = st->nsent;

	/* Every domain before next was written now or skipped as written
	 * before an earlier reload; only the sorted part is searched. */
	for (i = 0; i < st->next && i < m->nw; i++) {
		name = m->w[i].dc->name;
		if (n > 0 && bsearch(&name, st->sent, n, sizeof(*st->sent),
		    name_cmp) != NULL)
			continue;
		st->sent = xreallocarray(st->sent, st->nsent + 1,
		    sizeof(*st->sent));
		st->sent[st->nsent++] = xstrdup(name);
	}
	if (st->nsent > 0)
		qsort(st->sent, st->nsent, sizeof(*st->sent), name_cmp);
	st->next = 0;
}

/* The history and events replies' lists, from the store's rows.  A row
 * that is not UTF-8 (nmigd writes none; the sqlite3 CLI could) makes no
 * entry rather than a document that does not encode. */

/* Records stored one a line, as strings. */
static json_t *
rdata_lines_json(const char *joined)
{
	json_t		*a = json_array();
	const char	*p = joined, *nl;

	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		json_array_append_new(a, json_stringn(p, (size_t)(nl - p)));
		p = *nl != '\0' ? nl + 1 : nl;
	}
	return a;
}

static json_t *
answer_change_json(const struct answer_change *a)
{
	return json_pack("{s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:o,"
	    " s:o, s:s?, s:s?, s:I}",
	    "time", a->first_seen,
	    "kind", "answer",
	    "resolver", a->resolver,
	    "owner", a->owner,
	    "type", a->type,
	    "state", a->state,
	    "rcode", a->answered ? a->rcode : NULL,
	    "ttl", a->answered ? json_integer(a->ttl) : json_null(),
	    "rdata", rdata_lines_json(a->rdata),
	    "first_seen", a->first_seen,
	    "last_seen", a->last_seen,
	    "count", (json_int_t)a->count);
}

json_t *
status_history_json(const struct history *h)
{
	const struct stored_event	*e;
	json_t				*a = json_array();
	size_t				 i;

	for (i = 0; i < h->n; i++) {
		e = &h->v[i].event;
		json_array_append_new(a, h->v[i].kind == HISTORY_ANSWER ?
		    answer_change_json(&h->v[i].answer) :
		    json_pack("{s:s?, s:s, s:s?, s:s?, s:I, s:s?}",
		    "time", e->time,
		    "kind", "event",
		    "resolver", e->resolver,
		    "message_id", e->message_id,
		    "priority", (json_int_t)e->priority,
		    "message", e->message));
	}
	return a;
}

int
status_history_reply(struct store *store, const char *domain,
    const char *resolver, json_t **reply)
{
	struct history	 h;
	char		 disp[NMIG_NAMEBUF];
	int		 rv;

	*reply = NULL;
	rv = store_history(store, domain, resolver, &h);
	if (rv == 1)
		*reply = ctl_reply_error("unknown domain: %s",
		    domain_display(domain, disp));
	else if (rv == -1)
		*reply = ctl_reply_error("cannot read the database");
	else {
		*reply = ctl_reply_pack("{s:s, s:o, s:b}",
		    "domain", domain_display(domain, disp),
		    "history", status_history_json(&h),
		    "truncated", h.truncated);
		history_free(&h);
	}
	return rv;
}

json_t *
status_events_json(const struct event_list *l)
{
	const struct stored_event	*e;
	json_t				*a = json_array();
	size_t				 i;

	for (i = 0; i < l->n; i++) {
		e = &l->v[i];
		json_array_append_new(a, json_pack("{s:s?, s:s?, s:I, s:s?,"
		    " s:s?, s:s?}",
		    "time", e->time,
		    "message_id", e->message_id,
		    "priority", (json_int_t)e->priority,
		    "domain", e->domain,
		    "resolver", e->resolver,
		    "message", e->message));
	}
	return a;
}

/* Text rendering. */

static const char *
state_colour(const char *state)
{
	static const struct { const char *s, *c; } colours[] = {
		{ "new", "\033[32m" }, { "complete", "\033[32m" },
		{ "old", "\033[33m" }, { "mixed", "\033[33m" },
		{ "propagating", "\033[33m" },
		{ "other", "\033[35m" }, { "nodata", "\033[35m" },
		{ "nxdomain", "\033[35m" },
		{ "error", "\033[31m" }, { "unreachable", "\033[31m" },
		{ "serving", "\033[32m" }, { "ok", "\033[32m" },
		{ "partly", "\033[33m" }, { "stopped", "\033[31m" },
		{ "lame", "\033[31m" }, { "mismatch", "\033[31m" },
		{ "inconsistent", "\033[31m" }, { "match", "\033[32m" },
		{ "no match", "\033[31m" },
	};
	size_t	i;

	for (i = 0; i < sizeof(colours) / sizeof(colours[0]); i++)
		if (strcmp(colours[i].s, state) == 0)
			return colours[i].c;
	return "";
}

const char *
status_jstr(const json_t *o, const char *key, const char *dflt)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

void
status_print_state(FILE *f, const char *state, int width, bool colour)
{
	const char	*c = colour ? state_colour(state) : "";

	fprintf(f, "%s%-*s%s", c, width, state, *c ? "\033[0m" : "");
}

long
status_ttl_left(const json_t *rec, time_t now)
{
	const json_t	*ttl = json_object_get(rec, "ttl");
	time_t		 at = parse_time(status_jstr(rec, "answered_at", ""));
	long		 left;

	if (!json_is_integer(ttl) || at == (time_t)-1 || now == (time_t)-1)
		return -1;
	left = (long)json_integer_value(ttl) - (long)(now - at);
	return left < 0 ? 0 : left;
}

/* Owners relative to the domain, as in the config; a trailing dot on
 * either does not count. */
const char *
status_owner_relative(const char *owner, const char *domain, char *buf,
    size_t len)
{
	size_t	ol = strlen(owner), dl = strlen(domain);

	if (ol > 0 && owner[ol - 1] == '.')
		ol--;
	if (dl > 0 && domain[dl - 1] == '.')
		dl--;
	if (dl > 0 && ol == dl && strncasecmp(owner, domain, dl) == 0)
		snprintf(buf, len, "@");
	else if (dl > 0 && ol > dl + 1 && owner[ol - dl - 1] == '.' &&
	    strncasecmp(owner + ol - dl, domain, dl) == 0)
		snprintf(buf, len, "%.*s", (int)(ol - dl - 1), owner);
	else
		snprintf(buf, len, "%s", owner);
	return buf;
}

static void
print_record(FILE *f, const json_t *rec, const char *domain, time_t now,
    bool colour)
{
	const json_t	*rd = json_object_get(rec, "rdata");
	const char	*owner = status_jstr(rec, "owner", "?");
	char		 own[NMIG_NAMEBUF], ttl[24];
	size_t		 i;
	long		 left = status_ttl_left(rec, now);

	status_owner_relative(owner, domain, own, sizeof(own));
	if (left >= 0)
		snprintf(ttl, sizeof(ttl), "%ld", left);
	else
		snprintf(ttl, sizeof(ttl), "-");
	fprintf(f, "%-10s %-5s ", own, status_jstr(rec, "type", "?"));
	status_print_state(f, status_jstr(rec, "state", "?"), 9, colour);
	fprintf(f, " %6s  ", ttl);
	if (json_array_size(rd) == 0)
		fprintf(f, "(%s)", json_is_string(json_object_get(rec, "rcode")) ?
		    status_jstr(rec, "rcode", "") : "no answer");
	for (i = 0; i < json_array_size(rd); i++)
		fprintf(f, "%s%s", i ? ", " : "",
		    json_string_value(json_array_get(rd, i)));
	if (json_is_integer(json_object_get(rec, "rdata_omitted")))
		fprintf(f, " (+%lld more)", (long long)json_integer_value(
		    json_object_get(rec, "rdata_omitted")));
	fprintf(f, "\n");
}

/* s in width terminal columns, cut or padded: a Japanese character takes
 * two (wcwidth, in the caller's locale; a byte that is no character in it
 * takes one). */
static void
print_padded(FILE *f, const char *s, int width)
{
	mbstate_t	st;
	wchar_t		wc;
	size_t		n;
	int		w, used = 0;

	memset(&st, 0, sizeof(st));
	while (*s != '\0') {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			n = 1;
			w = 1;
		} else if ((w = wcwidth(wc)) < 0) {
			/* Not printable here (a C1 control, say): shown as
			 * '?', never sent to the terminal. */
			if (used + 1 > width)
				break;
			fputc('?', f);
			used++;
			s += n;
			continue;
		}
		if (used + w > width)
			break;
		fwrite(s, 1, n, f);
		used += w;
		s += n;
	}
	fprintf(f, "%*s", width - used, "");
}

static void
print_resolver(FILE *f, const json_t *r, const char *domain, time_t now,
    bool colour)
{
	const json_t	*recs = json_object_get(r, "records");
	size_t		 i;

	for (i = 0; i < json_array_size(recs); i++) {
		if (i == 0) {
			fprintf(f, "  ");
			print_padded(f, status_jstr(r, "name", "?"), 14);
			fprintf(f, " ");
			print_padded(f, status_jstr(r, "location", ""), 22);
			fprintf(f, " ");
			status_print_state(f, status_jstr(r, "state", "?"), 12, colour);
		} else
			fprintf(f, "  %-14s %-22s %-12s", "", "", "");
		fprintf(f, " ");
		print_record(f, json_array_get(recs, i), domain, now, colour);
	}
}

/* When the old hosting may go, once the domain is complete. */
static void
print_cancel(FILE *f, const json_t *d)
{
	if (json_is_string(json_object_get(d, "cancel_announced_at")))
		fprintf(f, "  the old hosting can be cancelled (since %s)\n",
		    status_jstr(d, "cancel_announced_at", ""));
	else if (json_is_string(json_object_get(d, "cancel_old_hosting_at")))
		fprintf(f, "  the old hosting may be cancelled from %s\n",
		    status_jstr(d, "cancel_old_hosting_at", ""));
}

/* "  not switched yet: r2, r3", while the domain is not complete. */
static void
print_waiting(FILE *f, const json_t *d)
{
	const json_t	*ns = json_object_get(d, "not_switched");
	size_t		 i;

	if (json_array_size(ns) == 0 ||
	    strcmp(status_jstr(d, "state", ""), "complete") == 0)
		return;
	fprintf(f, "  not switched yet:");
	for (i = 0; i < json_array_size(ns); i++)
		fprintf(f, "%s %s", i ? "," : "",
		    json_string_value(json_array_get(ns, i)));
	fprintf(f, "\n");
}

/* ", expected complete by TIME (in 3h12m)", or "(overdue by 5m)". */
static void
print_expected(FILE *f, const char *when, time_t now)
{
	time_t	t;
	char	buf[32];

	if (when == NULL || (t = parse_time(when)) == (time_t)-1)
		return;
	fprintf(f, ", expected complete by %s", when);
	if (now == (time_t)-1)
		return;
	if (t >= now)
		fprintf(f, " (in %s)", fmt_span((unsigned)(t - now), buf,
		    sizeof(buf)));
	else
		fprintf(f, " (overdue by %s)", fmt_span((unsigned)(now - t),
		    buf, sizeof(buf)));
}

/* The resolvers still holding old answers: until when (their expiry
 * once the parent switched), the ones past it, and those whose caches
 * disagree. */
void
status_print_forecast(FILE *f, const json_t *rs)
{
	const json_t	*r;
	const char	*until;
	size_t		 i;

	for (i = 0; i < json_array_size(rs); i++) {
		r = json_array_get(rs, i);
		if (json_is_true(json_object_get(r, "switched")))
			continue;
		if (json_is_true(json_object_get(r, "flapping")))
			fprintf(f, "  flapping: %s, %lld times: its caches "
			    "disagree\n", status_jstr(r, "name", "?"),
			    (long long)json_integer_value(json_object_get(r,
			    "flaps")));
		until = status_jstr(r, "expires_at", NULL);
		if (until == NULL)
			until = status_jstr(r, "cached_until", NULL);
		if (until == NULL)
			continue;
		fprintf(f, "  cached: %s until %s", status_jstr(r, "name",
		    "?"), until);
		if (json_is_true(json_object_get(r, "overdue")))
			fprintf(f, ", OVERDUE");
		if (json_integer_value(json_object_get(r, "ttl_grew")) > 0)
			fprintf(f, ", TTL grew %lld times", (long long)
			    json_integer_value(json_object_get(r, "ttl_grew")));
		fprintf(f, "\n");
	}
}

void
status_print_head(FILE *f, const json_t *d, time_t now, bool colour)
{
	const char	*name = status_jstr(d, "domain", "?");
	const char	*uname = status_jstr(d, "domain_unicode", name);

	if (strcmp(uname, name) != 0)
		fprintf(f, "%s (%s): ", uname, name);
	else
		fprintf(f, "%s: ", name);
	status_print_state(f, status_jstr(d, "state", "?"), 0, colour);
	fprintf(f, ", %lld/%lld resolvers new",
	    (long long)json_integer_value(json_object_get(d, "resolvers_new")),
	    (long long)json_integer_value(json_object_get(d, "resolvers_total")));
	if (strcmp(status_jstr(d, "require", "all"), "all") != 0)
		fprintf(f, " (require %s: %lld)", status_jstr(d, "require", ""),
		    (long long)json_integer_value(json_object_get(d,
		    "resolvers_required")));
	if (json_integer_value(json_object_get(d, "resolvers_unreachable")) > 0)
		fprintf(f, ", %lld unreachable", (long long)json_integer_value(
		    json_object_get(d, "resolvers_unreachable")));
	if (json_is_string(json_object_get(d, "since")))
		fprintf(f, ", since %s", status_jstr(d, "since", ""));
	if (json_is_string(json_object_get(d, "complete_at")))
		fprintf(f, ", complete at %s", status_jstr(d, "complete_at", ""));
	print_expected(f, status_jstr(d, "expected_complete_at", NULL), now);
	fprintf(f, "\n");
	print_waiting(f, d);
	print_cancel(f, d);
	status_print_parent(f, json_object_get(d, "parent"), colour);
	status_print_provider(f, "old", json_object_get(d, "old_provider"),
	    colour);
	status_print_provider(f, "new", json_object_get(d, "new_provider"),
	    colour);
	status_print_dnssec(f, json_object_get(d, "dnssec"), colour);
	status_print_learned(f, json_object_get(d, "learned"));
}

static void
print_domain(FILE *f, const json_t *d, time_t now, bool colour)
{
	const json_t	*rs = json_object_get(d, "resolvers");
	const char	*name = status_jstr(d, "domain", "?");
	size_t		 i;

	status_print_head(f, d, now, colour);
	fprintf(f, "  %-14s %-22s %-12s %-10s %-5s %-9s %6s  %s\n", "RESOLVER",
	    "LOCATION", "STATE", "RECORD", "TYPE", "CHECK", "TTL", "ANSWER");
	for (i = 0; i < json_array_size(rs); i++)
		print_resolver(f, json_array_get(rs, i), name, now, colour);
	status_print_forecast(f, rs);
}

void
status_print_text(const json_t *doc, FILE *f, bool colour)
{
	const json_t	*doms = json_object_get(doc, "domains");
	time_t		 now = parse_time(status_jstr(doc, "generated_at", ""));
	size_t		 i;

	pacing_print(f, doc);
	if (json_array_size(doms) == 0 && json_object_get(doc, "matched") ==
	    NULL)
		fprintf(f, "no domains are watched\n");
	for (i = 0; i < json_array_size(doms); i++) {
		if (i > 0)
			fprintf(f, "\n");
		print_domain(f, json_array_get(doms, i), now, colour);
	}
	status_print_matched(f, doc);
}

void
status_print_matched(FILE *f, const json_t *doc)
{
	const json_t	*m = json_object_get(doc, "matched");
	const json_t	*rows = json_object_get(doc, "rows");
	size_t		 shown = json_array_size(json_is_array(rows) ? rows :
			    json_object_get(doc, "domains"));

	if (!json_is_integer(m))
		return;
	if (json_integer_value(m) == 0 && json_is_string(json_object_get(doc,
	    "state")))
		fprintf(f, "no domain is %s\n", status_jstr(doc, "state", "?"));
	else if (json_integer_value(m) == 0)
		fprintf(f, "no domains are watched\n");
	else if ((size_t)json_integer_value(m) > shown)
		fprintf(f, "%zu of %lld domains shown (--limit)\n", shown,
		    (long long)json_integer_value(m));
}
