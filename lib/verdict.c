/*
 * Judging answers.  Probing only reports what came back; everything that
 * decides "old", "new", "switched" or "complete" lives here, as pure
 * functions, so that it can be tested without a network or a clock.
 */
#include <string.h>

#include "util.h"
#include "verdict.h"
#include "wire.h"

static const char *const check_state_names[CS_MAX] = {
	"pending", "new", "old", "other", "nodata", "nxdomain", "error",
};
static const char *const resolver_state_names[RS_MAX] = {
	"pending", "new", "old", "mixed", "other", "error", "unreachable",
};
static const char *const domain_state_names[DS_MAX] = {
	"pending", "propagating", "complete",
};
static const char *const parent_state_names[PS_MAX] = {
	"pending", "old", "new", "mixed", "error",
};

const char *
check_state_name(enum check_state s)
{
	return (unsigned)s < CS_MAX ? check_state_names[s] : "?";
}

const char *
resolver_state_name(enum resolver_state s)
{
	return (unsigned)s < RS_MAX ? resolver_state_names[s] : "?";
}

const char *
domain_state_name(enum domain_state s)
{
	return (unsigned)s < DS_MAX ? domain_state_names[s] : "?";
}

int
domain_state_parse(const char *s)
{
	return names_find(domain_state_names, DS_MAX, s);
}

const char *
parent_state_name(enum parent_state s)
{
	return (unsigned)s < PS_MAX ? parent_state_names[s] : "?";
}

int
parent_state_from_name(const char *s)
{
	return names_find(parent_state_names, PS_MAX, s);
}

enum parent_state
verdict_parent_server(enum check_state cs)
{
	switch (cs) {
	case CS_PENDING:
		return PS_PENDING;
	case CS_NEW:
		return PS_NEW;
	case CS_OLD:
	case CS_OTHER:
		return PS_OLD;
	default:
		return PS_ERROR;
	}
}

/* No server answered: error if one failed, pending if none was asked. */
static enum parent_state
parent_failed(const uint8_t *check_states, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (verdict_parent_server(check_states[i]) == PS_ERROR)
			return PS_ERROR;
	return PS_PENDING;
}

enum parent_state
verdict_parent(const uint8_t *check_states, size_t n, bool *switched)
{
	enum parent_state	view = PS_PENDING, ps;
	size_t			i, nnew = 0, failed = 0;

	for (i = 0; i < n; i++) {
		ps = verdict_parent_server(check_states[i]);
		if (ps == PS_ERROR || ps == PS_PENDING) {
			failed++;
			continue;
		}
		if (ps == PS_NEW)
			nnew++;
		if (view == PS_PENDING)
			view = ps;
		else if (view != ps)
			view = PS_MIXED;
	}
	/* One server out of reach (firewalled, IPv6 only) must not hide
	 * the registry's switch for good, nor may a few that answer stand
	 * for many that do not. */
	*switched = view == PS_NEW && nnew > failed;
	return view == PS_PENDING ? parent_failed(check_states, n) : view;
}

int
check_state_from_name(const char *s)
{
	return names_find(check_state_names, CS_MAX, s);
}

int
resolver_state_from_name(const char *s)
{
	return names_find(resolver_state_names, RS_MAX, s);
}

int
domain_state_from_name(const char *s)
{
	return names_find(domain_state_names, DS_MAX, s);
}

enum check_state
verdict_classify(const struct check_conf *c, const struct answer *a)
{
	if (a == NULL)
		return CS_ERROR;
	switch (a->rcode) {
	case WIRE_RCODE_NOERROR:
		break;
	case WIRE_RCODE_NXDOMAIN:
		return CS_NXDOMAIN;
	default:
		return CS_ERROR;	/* SERVFAIL, REFUSED, FORMERR, ... */
	}
	if (a->rdata.n == 0)
		return CS_NODATA;
	if (rdset_equal(&a->rdata, &c->expect))
		return CS_NEW;
	if (c->old.n > 0 && rdset_equal(&a->rdata, &c->old))
		return CS_OLD;
	return CS_OTHER;
}

enum resolver_state
verdict_round(const uint8_t *cs, size_t n)
{
	size_t	i, nnew = 0, nold = 0, nother = 0, nerr = 0;

	if (n == 0)
		return RS_PENDING;
	for (i = 0; i < n; i++) {
		switch (cs[i]) {
		case CS_NEW:
			nnew++;
			break;
		case CS_OLD:
			nold++;
			break;
		case CS_ERROR:
		case CS_PENDING:
			nerr++;
			break;
		default:
			nother++;
			break;
		}
	}
	/* A round with a failed check tells nothing certain about the
	 * others: it never counts towards a switch. */
	if (nerr > 0)
		return RS_ERROR;
	if (nother > 0)
		return RS_OTHER;
	if (nnew == n)
		return RS_NEW;
	if (nold == n)
		return RS_OLD;
	return RS_MIXED;
}

static void
set_state(struct rverdict *v, enum resolver_state s, time_t now,
    unsigned *ev)
{
	if (v->state != s) {
		v->state = s;
		v->since = now;
		*ev |= VEV_CHANGED;
	}
}

unsigned
verdict_update(struct rverdict *v, enum resolver_state round, time_t now,
    unsigned confirm, unsigned unreachable_after)
{
	unsigned	ev = 0;
	bool		was_unreachable = v->state == RS_UNREACHABLE;

	v->last_checked = now;
	if (round == RS_ERROR) {
		if (v->fail_since == 0)
			v->fail_since = now;
		v->streak = 0;
		if (was_unreachable)
			return 0;
		if (now - v->fail_since > (time_t)unreachable_after) {
			set_state(v, RS_UNREACHABLE, now, &ev);
			return ev | VEV_UNREACHABLE;
		}
		set_state(v, RS_ERROR, now, &ev);
		return ev;
	}

	v->fail_since = 0;
	if (was_unreachable)
		ev |= VEV_RECOVERED;
	set_state(v, round, now, &ev);
	if (round == RS_NEW) {
		if (v->streak < UINT8_MAX)
			v->streak++;
		if (!v->switched && v->streak >= confirm) {
			v->switched = true;
			ev |= VEV_SWITCHED;
		}
		return ev;
	}
	v->streak = 0;
	/* Old records again after the switch: caches differ between the
	 * instances behind one anycast address, or the old provider's data
	 * came back.  Mail may reach the old server again. */
	if (v->switched && (round == RS_OLD || round == RS_MIXED)) {
		v->switched = false;
		ev |= VEV_REGRESSED;
	}
	return ev;
}

void
verdict_flap(struct rverdict *v, enum resolver_state round, bool disagree)
{
	bool	back = v->state == RS_NEW && (round == RS_OLD ||
		    round == RS_MIXED || round == RS_OTHER);

	if (round == RS_ERROR || round == RS_PENDING)
		return;		/* says nothing either way */
	if (!disagree && !back) {
		if (v->calm < UINT8_MAX)
			v->calm++;
		return;
	}
	v->calm = 0;
	if (v->flaps < UINT16_MAX)
		v->flaps++;
}

bool
verdict_flapping(const struct rverdict *v, unsigned confirm)
{
	return v->flaps > 0 && v->calm < confirm;
}

static size_t
required(const struct require *req, size_t counted)
{
	if (req == NULL)
		return counted;
	switch (req->mode) {
	case REQUIRE_PERCENT:
		return (counted * req->n + 99) / 100;
	case REQUIRE_COUNT:
		/* More than are counted: all of them. */
		return req->n < counted ? req->n : counted;
	default:
		return counted;
	}
}

enum domain_state
verdict_domain(const struct rverdict *v, size_t n, const struct require *req,
    time_t now, struct domain_tally *t)
{
	size_t	i;

	memset(t, 0, sizeof(*t));
	t->total = n;
	for (i = 0; i < n; i++) {
		if (v[i].state == RS_UNREACHABLE) {
			t->unreachable++;
			/* It may still serve its clients what it cached. */
			if (v[i].cached_until <= now)
				t->left_out++;
		} else if (v[i].switched)
			t->switched++;
		if (v[i].state == RS_NEW)
			t->now_new++;
	}
	t->required = required(req, n - t->left_out);
	if (t->switched == 0)
		return DS_PENDING;
	if (t->switched >= t->required)
		return DS_COMPLETE;
	return DS_PROPAGATING;
}
