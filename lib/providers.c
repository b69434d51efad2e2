/*
 * Judging the providers' name servers.
 */
#include <string.h>

#include "dname.h"
#include "providers.h"
#include "util.h"
#include "wire.h"

static const char *const old_names[OP_MAX] = {
	"pending", "serving", "partly", "stopped",
};
static const char *const new_names[NP_MAX] = {
	"pending", "ok", "lame", "mismatch", "inconsistent",
};

const char *
old_state_name(enum old_state s)
{
	return (unsigned)s < OP_MAX ? old_names[s] : "?";
}

const char *
new_state_name(enum new_state s)
{
	return (unsigned)s < NP_MAX ? new_names[s] : "?";
}

int
old_state_from_name(const char *s)
{
	return names_find(old_names, OP_MAX, s);
}

int
new_state_from_name(const char *s)
{
	return names_find(new_names, NP_MAX, s);
}

static int64_t	soa_serial(const struct rdset *);

/* An SOA that does not read as one (no serial) serves nothing. */
enum serving
provider_serving(const struct cstate *soa)
{
	if (soa->answered_at == 0 || (soa->state == CS_ERROR &&
	    soa->rcode == CS_RCODE_NONE))
		return SV_UNKNOWN;
	return soa->state == CS_OTHER && soa_serial(soa->other) >= 0 ?
	    SV_YES : SV_NO;
}

enum old_state
verdict_old_provider(const struct model *m, const struct watch *w)
{
	const struct cstate	*soa;
	size_t			 i, nt = watch_ntargets(m, w), yes = 0, no = 0;

	for (i = m->resolvers->n; i < nt; i++) {
		if (watch_target(m, w, i)->kind != TK_OLD_AUTH)
			continue;
		soa = watch_tstate(m, w, i, w->dc->nchecks + OQ_SOA);
		/* A server that stopped answering at all has stopped too. */
		if (provider_serving(soa) == SV_YES)
			yes++;
		else if (soa->answered_at != 0)
			no++;
	}
	if (yes + no == 0)
		return OP_PENDING;
	return no == 0 ? OP_SERVING : yes == 0 ? OP_STOPPED : OP_PARTLY;
}

/* The serial of an SOA RDATA in canonical form (two uncompressed names,
 * then the serial); -1 when it is not one. */
static int64_t
soa_serial(const struct rdset *set)
{
	const uint8_t	*rd;
	size_t		 off = 0, pos = 0;
	uint16_t	 len;
	int		 names = 0;

	if (set == NULL || (rd = rdset_next(set, &off, &len)) == NULL)
		return -1;
	while (names < 2 && pos < len) {
		if (rd[pos] == 0)
			names++;
		pos += 1 + (size_t)rd[pos];
	}
	if (names < 2 || pos + 4 > len)
		return -1;
	return (int64_t)rd[pos] << 24 | rd[pos + 1] << 16 | rd[pos + 2] << 8 |
	    rd[pos + 3];
}

/* One new server: lame, records not the expected, or serving them. */
static enum new_state
new_server(const struct watch *w, const struct model *m, size_t slot,
    int64_t *serial)
{
	const struct cstate	*cs;
	size_t			 k;

	cs = watch_tstate(m, w, slot, w->dc->nchecks + OQ_SOA);
	switch (provider_serving(cs)) {
	case SV_UNKNOWN:
		return NP_PENDING;
	case SV_NO:
		return NP_LAME;
	case SV_YES:
		break;
	}
	*serial = soa_serial(cs->other);
	for (k = 0; k < w->dc->nchecks; k++) {
		cs = watch_tstate(m, w, slot, k);
		if (cs->answered_at != 0 && cs->state != CS_NEW &&
		    !(cs->state == CS_ERROR && cs->rcode == CS_RCODE_NONE))
			return NP_MISMATCH;
	}
	return NP_OK;
}

/* The worst server makes the provider's state. */
static int
rank(enum new_state s)
{
	switch (s) {
	case NP_OK:
		return 1;
	case NP_INCONSISTENT:
		return 2;
	case NP_MISMATCH:
		return 3;
	case NP_LAME:
		return 4;
	default:
		return 0;
	}
}

enum new_state
verdict_new_provider(const struct model *m, const struct watch *w,
    char *why, size_t len)
{
	const struct target	*t;
	enum new_state		 st, worst = NP_PENDING;
	int64_t			 serial, first = -1;
	size_t			 i, nt = watch_ntargets(m, w);
	char			 name[NMIG_NAMEBUF];

	snprintf(why, len, "%s", "");
	/* A name server of the delegation that no resolver can find is as
	 * broken as one that refuses the zone. */
	if (w->new_noaddr != NULL) {
		worst = NP_LAME;
		snprintf(why, len, "%s has no address",
		    domain_display(w->new_noaddr, name));
	}
	for (i = m->resolvers->n; i < nt; i++) {
		t = watch_target(m, w, i);
		if (t->kind != TK_NEW_AUTH)
			continue;
		serial = -1;
		st = new_server(w, m, i, &serial);
		if (st == NP_OK && serial >= 0 && first >= 0 &&
		    serial != first)
			st = NP_INCONSISTENT;
		if (st == NP_OK && serial >= 0 && first < 0)
			first = serial;
		if (rank(st) <= rank(worst))
			continue;
		worst = st;
		domain_display(t->host, name);
		if (st == NP_LAME)
			snprintf(why, len, "%s does not serve the zone", name);
		else if (st == NP_MISMATCH)
			snprintf(why, len, "%s serves other records than "
			    "expected", name);
		else if (st == NP_INCONSISTENT)
			snprintf(why, len, "%s has another serial than the "
			    "others", name);
	}
	return worst;
}

size_t
providers_resolvers_old(const struct model *m, const struct watch *w)
{
	size_t	r, n = 0;

	for (r = 0; r < m->resolvers->n; r++)
		if (!w->rv[r].switched && (w->rv[r].state == RS_OLD ||
		    w->rv[r].state == RS_MIXED))
			n++;
	return n;
}

bool
new_state_blocks(enum new_state s)
{
	return s == NP_LAME || s == NP_MISMATCH || s == NP_INCONSISTENT;
}

/* The parent's DS set as its servers gave it: the first server's that
 * has one.  NULL: none has one; *asked then says whether any answered
 * (no DS: the delegation is unsigned) or none did (not known yet). */
static const struct rdset *
parent_ds(const struct model *m, const struct watch *w, bool *answered)
{
	const struct cstate	*cs;
	size_t			 i, nt = watch_ntargets(m, w);

	*answered = false;
	for (i = m->resolvers->n; i < nt; i++) {
		if (watch_target(m, w, i)->kind != TK_PARENT)
			continue;
		cs = watch_tstate(m, w, i, w->dc->nchecks + OQ_DS);
		/* A set too big to keep whole (CSTATE_OTHER_MAX) may have
		 * lost the DS that matters: nothing known. */
		if (cs->state == CS_OTHER && cs->other != NULL &&
		    cs->other->dropped == 0)
			return cs->other;
		if (cs->state == CS_NODATA)
			*answered = true;
	}
	return NULL;
}

/* Whether a validator would use any DS of the set. */
static bool
ds_usable(const struct rdset *ds)
{
	const uint8_t	*rd;
	size_t		 off = 0;
	uint16_t	 len;

	while ((rd = rdset_next(ds, &off, &len)) != NULL)
		if (dnssec_ds_usable(rd, len))
			return true;
	return false;
}

enum dnssec_state
verdict_dnssec(const struct model *m, const struct watch *w,
    enum target_kind kind, char *tags, size_t len)
{
	const struct rdset	*ds;
	const struct cstate	*keys;
	enum dnssec_state	 st = DN_UNKNOWN;
	size_t			 i, nt = watch_ntargets(m, w);
	bool			 answered;

	tags[0] = '\0';
	if ((ds = parent_ds(m, w, &answered)) == NULL)
		return answered ? DN_UNSIGNED : DN_UNKNOWN;
	/* Only DS records no validator uses: insecure, as if unsigned. */
	if (!ds_usable(ds))
		return DN_UNSIGNED;
	for (i = m->resolvers->n; i < nt; i++) {
		if (watch_target(m, w, i)->kind != kind)
			continue;
		keys = watch_tstate(m, w, i, w->dc->nchecks + OQ_DNSKEY);
		/* A key set too big to keep whole cannot be judged. */
		if (keys->state == CS_OTHER && keys->other != NULL &&
		    keys->other->dropped == 0) {
			if (dnssec_match(w->dc->name, ds, keys->other)) {
				if (st == DN_UNKNOWN)
					st = DN_MATCH;
				continue;
			}
			/* The first server that fails names its keys. */
			if (st != DN_NO_MATCH)
				dnssec_tags(keys->other, WIRE_T_DNSKEY, tags,
				    len);
		} else if (keys->state != CS_NODATA)
			continue;	/* no answer: nothing known */
		/* No key a DS stands for, or no keys at all: validating
		 * resolvers will fail the domain through this server. */
		st = DN_NO_MATCH;
	}
	return st;
}
