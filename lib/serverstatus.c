/*
 * The servers asked directly, in the status document and the text
 * status.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "addr.h"
#include "dname.h"
#include "dnssec.h"
#include "providers.h"
#include "serverstatus.h"
#include "status.h"
#include "wire.h"
#include "zonecut.h"

static const char *const find_names[] = {
	[ZF_FINDING] = "searching",
	[ZF_FOUND] = "found",
	[ZF_FAILED] = "failed",
};

static const char *
address_text(const struct target *t, char *buf, size_t len)
{
	return sockaddr_host_text((const struct sockaddr *)&t->sa, buf, len);
}

/* A server's place in the lists: by name, then address. */
static int
server_cmp(const struct target *a, const struct target *b)
{
	int	c;

	if ((c = strcmp(a->host, b->host)) != 0)
		return c;
	if (a->salen != b->salen)
		return a->salen < b->salen ? -1 : 1;
	return memcmp(&a->sa, &b->sa, a->salen);
}

/* The slots of w's servers of kind (ZONECUT_SERVERS_MAX at most, as the
 * lookups give them), sorted: not in the order in which their address
 * lookups happened to finish. */
static size_t
servers_sorted(const struct model *m, const struct watch *w,
    enum target_kind kind, size_t *slot)
{
	size_t	i, j, n = 0, nt = watch_ntargets(m, w);

	for (i = m->resolvers->n; i < nt && n < ZONECUT_SERVERS_MAX; i++) {
		if (watch_target(m, w, i)->kind != kind)
			continue;
		for (j = n++; j > 0 && server_cmp(watch_target(m, w, i),
		    watch_target(m, w, slot[j - 1])) < 0; j--)
			slot[j] = slot[j - 1];
		slot[j] = i;
	}
	return n;
}

/* One server: its delegation as a record of the apex NS check (judged on
 * the referral) and the DS set the parent holds. */
static json_t *
server_json(const struct model *m, const struct watch *w, size_t slot)
{
	const struct target	*t = watch_target(m, w, slot);
	const struct cstate	*ns = watch_tstate(m, w, slot, 0);
	struct check_conf	 ds;
	char			 addr[INET6_ADDRSTRLEN], name[NMIG_NAMEBUF];
	json_t			*o;

	memset(&ds, 0, sizeof(ds));
	ds.owner = w->dc->name;
	ds.type = WIRE_T_DS;
	o = json_object();
	json_object_set_new(o, "name", json_string(domain_display(t->host,
	    name)));
	json_object_set_new(o, "address", json_string(address_text(t, addr,
	    sizeof(addr))));
	json_object_set_new(o, "state", json_string(parent_state_name(
	    verdict_parent_server(ns->state))));
	json_object_set_new(o, "delegation", status_record_json(ns,
	    watch_check(w, 0)));
	json_object_set_new(o, "ds", status_record_json(watch_tstate(m, w,
	    slot, w->dc->nchecks + OQ_DS), &ds));
	return o;
}

json_t *
status_parent_json(const struct model *m, const struct watch *w)
{
	const struct zonecut	*zc = w->zone;
	json_t			*o, *sv;
	size_t			 slot[ZONECUT_SERVERS_MAX], i, n;
	char			 name[NMIG_NAMEBUF];

	sv = json_array();
	n = servers_sorted(m, w, TK_PARENT, slot);
	for (i = 0; i < n; i++)
		json_array_append_new(sv, server_json(m, w, slot[i]));
	o = json_object();
	json_object_set_new(o, "zone", zc != NULL && zc->find == ZF_FOUND ?
	    json_string(domain_display(zc->name, name)) : json_null());
	json_object_set_new(o, "search", !config_parent_auto(m->cfg, w->dc) ?
	    json_string("off") : zc != NULL ?
	    json_string(find_names[zc->find]) : json_null());
	json_object_set_new(o, "search_error", zc != NULL &&
	    zc->error[0] != '\0' ? json_string(zc->error) : json_null());
	json_object_set_new(o, "found_at", status_time_json(zc != NULL ?
	    zc->found_at : 0));
	json_object_set_new(o, "state", json_string(parent_state_name(
	    w->parent_state)));
	json_object_set_new(o, "since", status_time_json(w->parent_since));
	json_object_set_new(o, "switched_at",
	    status_time_json(w->parent_switched_at));
	json_object_set_new(o, "ttl", w->parent_switched_at != 0 ?
	    json_integer(w->parent_ttl) : json_null());
	json_object_set_new(o, "servers", sv);
	return o;
}

/* "ns1.example., ns2.example." or "(NXDOMAIN)". */
static void
print_set(FILE *f, const json_t *rec)
{
	const json_t	*rd = json_object_get(rec, "rdata");
	size_t		 i;

	if (json_array_size(rd) == 0) {
		fprintf(f, "(%s)", status_jstr(rec, "rcode", "no answer"));
		return;
	}
	for (i = 0; i < json_array_size(rd); i++)
		fprintf(f, "%s%s", i ? ", " : "",
		    json_string_value(json_array_get(rd, i)));
}

static void
print_server(FILE *f, const json_t *s, bool colour)
{
	const json_t	*ds = json_object_get(s, "ds");

	fprintf(f, "    %-22s ", status_jstr(s, "name", "?"));
	status_print_state(f, status_jstr(s, "state", "?"), 8, colour);
	fprintf(f, " NS ");
	print_set(f, json_object_get(s, "delegation"));
	if (strcmp(status_jstr(ds, "state", ""), "other") == 0) {
		fprintf(f, "; DS ");
		print_set(f, ds);
	}
	/* Last, where its width moves nothing. */
	fprintf(f, " (at %s)\n", status_jstr(s, "address", "?"));
}

void
status_print_parent(FILE *f, const json_t *p, bool colour)
{
	const json_t	*sv = json_object_get(p, "servers");
	size_t		 i;

	if (!json_is_object(p))
		return;
	if (strcmp(status_jstr(p, "search", ""), "off") == 0) {
		fprintf(f, "  parent: not asked (parent = none)\n");
		return;
	}
	fprintf(f, "  parent %s: ", status_jstr(p, "zone", "(not found)"));
	status_print_state(f, status_jstr(p, "state", "?"), 0, colour);
	if (json_is_string(json_object_get(p, "since")))
		fprintf(f, " since %s", status_jstr(p, "since", ""));
	if (json_is_string(json_object_get(p, "switched_at")))
		fprintf(f, ", switched at %s (NS TTL %lld)",
		    status_jstr(p, "switched_at", ""), (long long)
		    json_integer_value(json_object_get(p, "ttl")));
	if (json_is_string(json_object_get(p, "search_error")))
		fprintf(f, " [%s: %s]", json_is_string(json_object_get(p,
		    "zone")) ? "refresh failed" : "search failed",
		    status_jstr(p, "search_error", ""));
	else if (!json_is_string(json_object_get(p, "zone")))
		fprintf(f, " [%s]", status_jstr(p, "search", "not searched"));
	fprintf(f, "\n");
	for (i = 0; i < json_array_size(sv); i++)
		print_server(f, json_array_get(sv, i), colour);
}

/* One provider's server: whether it serves the zone (its SOA) and what
 * it answers for each check it is asked. */
static json_t *
provider_server_json(const struct model *m, const struct watch *w,
    size_t slot)
{
	const struct target	*t = watch_target(m, w, slot);
	const struct cstate	*soa;
	struct check_conf	 c;
	char			 addr[INET6_ADDRSTRLEN], name[NMIG_NAMEBUF];
	json_t			*o, *recs;
	size_t			 k, nk;
	static const char *const serving[] = {
		[SV_UNKNOWN] = "unknown", [SV_YES] = "serving",
		[SV_NO] = "not serving",
	};

	memset(&c, 0, sizeof(c));
	c.owner = w->dc->name;
	c.type = WIRE_T_SOA;
	soa = watch_tstate(m, w, slot, w->dc->nchecks + OQ_SOA);
	/* The old provider's servers are asked the apex NS and MX only. */
	nk = t->kind == TK_OLD_AUTH ? domain_records(w->dc) : w->dc->nchecks;
	recs = json_array();
	for (k = 0; k < nk; k++)
		json_array_append_new(recs, status_record_json(
		    watch_tstate(m, w, slot, k), watch_check(w, k)));
	o = json_object();
	json_object_set_new(o, "name", json_string(domain_display(t->host,
	    name)));
	json_object_set_new(o, "address", json_string(address_text(t, addr,
	    sizeof(addr))));
	json_object_set_new(o, "state", json_string(
	    serving[provider_serving(soa)]));
	json_object_set_new(o, "soa", status_record_json(soa, &c));
	json_object_set_new(o, "records", recs);
	return o;
}

json_t *
status_provider_json(const struct model *m, const struct watch *w,
    enum target_kind kind)
{
	json_t	*o, *sv;
	size_t	 slot[ZONECUT_SERVERS_MAX], i, n;
	char	 why[160];

	sv = json_array();
	n = servers_sorted(m, w, kind, slot);
	for (i = 0; i < n; i++)
		json_array_append_new(sv, provider_server_json(m, w,
		    slot[i]));
	o = json_object();
	if (kind == TK_OLD_AUTH) {
		json_object_set_new(o, "state", json_string(old_state_name(
		    w->old_state)));
		json_object_set_new(o, "stopped_at", status_time_json(
		    w->old_stopped_at));
	} else {
		/* The state and its reason as the answers stand now. */
		json_object_set_new(o, "state", json_string(new_state_name(
		    verdict_new_provider(m, w, why, sizeof(why)))));
		json_object_set_new(o, "problem", why[0] != '\0' ?
		    json_string(why) : json_null());
	}
	json_object_set_new(o, "servers", sv);
	return o;
}

void
status_print_provider(FILE *f, const char *which, const json_t *p,
    bool colour)
{
	const json_t	*sv = json_object_get(p, "servers"), *s;
	size_t		 i;

	if (json_array_size(sv) == 0)
		return;
	fprintf(f, "  %s provider: ", which);
	status_print_state(f, status_jstr(p, "state", "?"), 0, colour);
	if (json_is_string(json_object_get(p, "problem")))
		fprintf(f, " (%s)", status_jstr(p, "problem", ""));
	fprintf(f, "\n");
	for (i = 0; i < json_array_size(sv); i++) {
		s = json_array_get(sv, i);
		if (strcmp(status_jstr(s, "state", ""), "serving") == 0)
			continue;
		fprintf(f, "    %-22s %s (%s) (at %s)\n",
		    status_jstr(s, "name", "?"), status_jstr(s, "state", "?"),
		    status_jstr(json_object_get(s, "soa"), "rcode",
		    "no answer"), status_jstr(s, "address", "?"));
	}
}

/* Resolvers whose latest answer to some check was SERVFAIL: what a
 * validating resolver says of a domain whose DNSSEC fails. */
static size_t
servfail_resolvers(const struct model *m, const struct watch *w)
{
	size_t	r, k, n = 0;

	for (r = 0; r < m->resolvers->n; r++)
		for (k = 0; k < w->dc->nchecks; k++)
			if (watch_cstate(w, r, k)->rcode == 2) {
				n++;
				break;
			}
	return n;
}

static const char *
dnssec_warning(const struct watch *w)
{
	if (w->dnssec_new != DN_NO_MATCH)
		return NULL;
	return w->parent_state == PS_NEW ? "DNSSEC fails: no DS at the "
	    "parent matches a DNSKEY of the new nameservers" : "DNSSEC will "
	    "fail at the switch: no DS at the parent matches a DNSKEY of the "
	    "new nameservers";
}

json_t *
status_dnssec_json(const struct model *m, const struct watch *w)
{
	const struct cstate	*cs;
	const char		*warn = dnssec_warning(w);
	char			 ds[128] = "", keys[128];
	size_t			 i, nt = watch_ntargets(m, w);
	json_t			*o;

	for (i = m->resolvers->n; i < nt && ds[0] == '\0'; i++) {
		cs = watch_tstate(m, w, i, w->dc->nchecks + OQ_DS);
		if (watch_target(m, w, i)->kind == TK_PARENT &&
		    cs->state == CS_OTHER && cs->other != NULL)
			dnssec_tags(cs->other, WIRE_T_DS, ds, sizeof(ds));
	}
	(void)verdict_dnssec(m, w, TK_NEW_AUTH, keys, sizeof(keys));
	o = json_object();
	json_object_set_new(o, "ds_keytags", json_string(ds));
	json_object_set_new(o, "new", json_string(dnssec_state_name(
	    w->dnssec_new)));
	json_object_set_new(o, "old", json_string(dnssec_state_name(
	    w->dnssec_old)));
	json_object_set_new(o, "new_dnskey_keytags", keys[0] != '\0' ?
	    json_string(keys) : json_null());
	json_object_set_new(o, "warning", warn != NULL ? json_string(warn) :
	    json_null());
	json_object_set_new(o, "failed_at", status_time_json(
	    w->dnssec_failed_at));
	json_object_set_new(o, "servfail_resolvers",
	    json_integer((json_int_t)servfail_resolvers(m, w)));
	return o;
}

void
status_print_dnssec(FILE *f, const json_t *d, bool colour)
{
	const char	*ds = status_jstr(d, "ds_keytags", "");

	if (!json_is_object(d) || (ds[0] == '\0' &&
	    !json_is_string(json_object_get(d, "warning"))))
		return;
	fprintf(f, "  dnssec: DS %s; new servers ", ds);
	status_print_state(f, status_jstr(d, "new", "?"), 0, colour);
	fprintf(f, ", old servers ");
	status_print_state(f, status_jstr(d, "old", "?"), 0, colour);
	if (json_is_string(json_object_get(d, "warning")))
		fprintf(f, "; %s (their keys: %s; %lld resolvers answer "
		    "SERVFAIL)", status_jstr(d, "warning", ""),
		    status_jstr(d, "new_dnskey_keytags", "none"),
		    (long long)json_integer_value(json_object_get(d,
		    "servfail_resolvers")));
	fprintf(f, "\n");
}
