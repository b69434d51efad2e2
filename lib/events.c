/*
 * Operator events.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "dname.h"
#include "dnssec.h"
#include "events.h"
#include "log.h"
#include "reach.h"
#include "verdict.h"
#include "wire.h"

struct nmig_event *
events_add(struct eventlist *l)
{
	struct nmig_event	*e;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void
event_field(struct nmig_event *e, const char *fmt, ...) NMIG_PRINTF(2, 3);

/* One NMIGD_* field, "NAME=value". */
static void
event_field(struct nmig_event *e, const char *fmt, ...)
{
	va_list	ap;

	if (e->nfields == JOURNAL_FIELDS_MAX)
		fatalx("%s: too many fields", __func__);
	va_start(ap, fmt);
	vsnprintf(e->fields[e->nfields++], sizeof(e->fields[0]), fmt, ap);
	va_end(ap);
}

static struct nmig_event *
event_add(struct eventlist *l, const struct watch *w, const char *message_id,
    int priority)
{
	struct nmig_event	*e = events_add(l);

	domain_display(w->dc->name, e->domain);
	e->je.message_id = message_id;
	e->je.priority = priority;
	return e;
}

/* Who the event is about: for the database and the journal. */
static void
resolver_fields(struct nmig_event *e, const struct resolver_conf *rc)
{
	snprintf(e->resolver, sizeof(e->resolver), "%s", rc->name);
	snprintf(e->resolver_address, sizeof(e->resolver_address), "%s",
	    rc->address);
	event_field(e, "NMIGD_RESOLVER=%s", rc->name);
	event_field(e, "NMIGD_RESOLVER_ADDRESS=%s", rc->address);
}

void
events_resolver(struct eventlist *l, const struct model *m,
    const struct watch *w, size_t r, unsigned vev)
{
	const struct resolver_conf	*rc = &m->resolvers->v[r];
	struct nmig_event		*e;
	char				 tbuf[NMIG_TIMEBUF];

	if (vev & VEV_SWITCHED) {
		e = event_add(l, w, MSGID_SWITCHED, LOG_INFO);
		snprintf(e->message, sizeof(e->message),
		    "%s: resolver %s (%s) now reports the new records",
		    e->domain, rc->name, rc->address);
	} else if (vev & VEV_REGRESSED) {
		e = event_add(l, w, MSGID_REGRESSED, LOG_WARNING);
		snprintf(e->message, sizeof(e->message),
		    "%s: resolver %s (%s) answers with the old records again",
		    e->domain, rc->name, rc->address);
	} else if (vev & VEV_UNREACHABLE) {
		e = event_add(l, w, MSGID_UNREACHABLE, LOG_WARNING);
		/* The journal hears of it once for the resolver
		 * (events_reach()), however many domains it serves. */
		e->stored_only = true;
		snprintf(e->message, sizeof(e->message),
		    "%s: resolver %s (%s) unreachable: no answer since %s",
		    e->domain, rc->name, rc->address,
		    fmt_time(w->rv[r].fail_since, tbuf));
	} else {
		/* Said once for the resolver (events_reach()). */
		if (vev & VEV_RECOVERED)
			log_debug("%s: resolver %s (%s) answers again",
			    w->dc->name, rc->name, rc->address);
		return;
	}
	resolver_fields(e, rc);
}

void
events_reach(const struct model *m, const struct reach_change *c)
{
	const struct resolver_conf	*rc = &m->resolvers->v[c->resolver];
	struct journal_event		 je;
	char				 msg[512], f[3][128], tbuf[NMIG_TIMEBUF];

	memset(&je, 0, sizeof(je));
	if (c->unreachable) {
		je.message_id = MSGID_RESOLVER_UNREACHABLE;
		je.priority = LOG_WARNING;
		snprintf(msg, sizeof(msg), "resolver %s (%s) unreachable for "
		    "%zu of %zu %s: no answer since %s", rc->name, rc->address,
		    c->domains, c->total, plural(c->total, "domain", "domains"),
		    c->since != 0 ? fmt_time(c->since, tbuf) : "long");
	} else {
		je.message_id = MSGID_RESOLVER_REACHABLE;
		je.priority = LOG_NOTICE;
		snprintf(msg, sizeof(msg), "resolver %s (%s) answers again "
		    "for every domain (it was unreachable for %zu %s)", rc->name,
		    rc->address, c->domains, plural(c->domains, "domain",
		    "domains"));
	}
	snprintf(f[0], sizeof(f[0]), "NMIGD_RESOLVER=%s", rc->name);
	snprintf(f[1], sizeof(f[1]), "NMIGD_RESOLVER_ADDRESS=%s", rc->address);
	snprintf(f[2], sizeof(f[2]), "NMIGD_DOMAINS_AFFECTED=%zu", c->domains);
	je.message = msg;
	je.fields[0] = f[0];
	je.fields[1] = f[1];
	je.fields[2] = f[2];
	je.nfields = 3;
	journal_emit(&je);
}

void
events_overdue(struct eventlist *l, const struct model *m,
    const struct watch *w, size_t r, time_t now)
{
	const struct resolver_conf	*rc = &m->resolvers->v[r];
	struct nmig_event		*e;
	char				 tbuf[NMIG_TIMEBUF];
	long long			 late = (long long)(now -
					    w->rv[r].expires_at);

	e = event_add(l, w, MSGID_OVERDUE, LOG_WARNING);
	snprintf(e->message, sizeof(e->message),
	    "%s: resolver %s (%s) still answers with the old records %llds "
	    "after they should have expired at %s", e->domain, rc->name,
	    rc->address, late, fmt_time(w->rv[r].expires_at, tbuf));
	resolver_fields(e, rc);
	event_field(e, "NMIGD_OVERDUE_SEC=%lld", late);
}

void
events_old_stopped(struct eventlist *l, const struct watch *w, size_t nold)
{
	struct nmig_event	*e;

	e = event_add(l, w, MSGID_OLD_STOPPED, LOG_ERR);
	snprintf(e->message, sizeof(e->message), "old nameservers for %s "
	    "stopped serving while %zu %s still point%s at them: mail may "
	    "bounce", e->domain, nold, nold == 1 ? "resolver" : "resolvers",
	    nold == 1 ? "s" : "");
	event_field(e, "NMIGD_RESOLVERS_OLD=%zu", nold);
}

void
events_dnssec(struct eventlist *l, const struct model *m,
    const struct watch *w, const char *keytags)
{
	struct nmig_event	*e;
	const struct cstate	*cs;
	char			 ds[128] = "";
	size_t			 i, nt = watch_ntargets(m, w);

	for (i = m->resolvers->n; i < nt && ds[0] == '\0'; i++) {
		cs = watch_tstate(m, w, i, w->dc->nchecks + OQ_DS);
		if (watch_target(m, w, i)->kind == TK_PARENT &&
		    cs->state == CS_OTHER && cs->other != NULL)
			dnssec_tags(cs->other, WIRE_T_DS, ds, sizeof(ds));
	}
	e = event_add(l, w, MSGID_DNSSEC, LOG_CRIT);
	snprintf(e->message, sizeof(e->message), "DNSSEC for %s will fail: no "
	    "DS at the parent matches a DNSKEY of the new nameservers",
	    e->domain);
	event_field(e, "NMIGD_DS_KEYTAGS=%s", ds);
	event_field(e, "NMIGD_DNSKEY_KEYTAGS=%s", keytags);
}

void
events_cancel(struct eventlist *l, const struct watch *w)
{
	struct nmig_event	*e;

	e = event_add(l, w, MSGID_CANCEL, LOG_NOTICE);
	snprintf(e->message, sizeof(e->message), "old hosting for %s can now "
	    "be cancelled", e->domain);
}

void
events_parent(struct eventlist *l, const struct watch *w)
{
	struct nmig_event	*e;

	e = event_add(l, w, MSGID_PARENT_SWITCHED, LOG_NOTICE);
	snprintf(e->message, sizeof(e->message), "registry delegation for %s "
	    "now points at the new nameservers", e->domain);
	event_field(e, "NMIGD_PARENT_TTL=%" PRIu32, w->parent_ttl);
}

/* " (unreachable: r1, r2)": the resolvers of one kind, appended to the
 * message as far as it has room. */
static void
append_names(struct nmig_event *e, const struct model *m,
    const struct watch *w, const char *what, bool unreachable)
{
	size_t		 r, len = strlen(e->message);
	const char	*sep = what;
	bool		 un;

	for (r = 0; r < m->resolvers->n && len < sizeof(e->message); r++) {
		un = w->rv[r].state == RS_UNREACHABLE;
		if (un != unreachable || (!un && w->rv[r].switched))
			continue;
		len += (size_t)snprintf(e->message + len,
		    sizeof(e->message) - len, "%s%s", sep,
		    m->resolvers->v[r].name);
		sep = ", ";
	}
	if (sep != what && len < sizeof(e->message))
		snprintf(e->message + len, sizeof(e->message) - len, ")");
}

void
events_complete(struct eventlist *l, const struct model *m,
    const struct watch *w, const struct domain_tally *t)
{
	struct nmig_event	*e;

	e = event_add(l, w, MSGID_COMPLETE, LOG_NOTICE);
	snprintf(e->message, sizeof(e->message), "DNS switch complete for %s: "
	    "%zu of %zu resolvers report the new records", e->domain,
	    t->switched, t->total);
	/* With "require" below all, the ones that have not switched. */
	append_names(e, m, w, " (not yet: ", false);
	append_names(e, m, w, " (unreachable: ", true);
	event_field(e, "NMIGD_RESOLVERS_NEW=%zu", t->switched);
	event_field(e, "NMIGD_RESOLVERS_TOTAL=%zu", t->total);
	event_field(e, "NMIGD_RESOLVERS_UNREACHABLE=%zu", t->unreachable);
}

void
events_emit(const struct eventlist *l)
{
	struct journal_event	je;
	size_t			i, f;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].stored_only)
			continue;
		je = l->v[i].je;
		je.message = l->v[i].message;
		je.domain = l->v[i].domain;
		for (f = 0; f < l->v[i].nfields; f++)
			je.fields[f] = l->v[i].fields[f];
		je.nfields = l->v[i].nfields;
		journal_emit(&je);
	}
}

void
events_clear(struct eventlist *l)
{
	l->n = 0;
}

void
events_free(struct eventlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
