/*
 * lib/verdict.c: classification of answers, the state a round leaves a
 * resolver in, the per-resolver state machine over simulated time and the
 * domain state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "verdict.h"

#define T0		((time_t)1795816800)	/* 2026-11-27T22:00:00Z */
#define CONFIRM		3
#define UNREACH		600

/* Helpers: sets built through rdata_parse, so the forms are real. */

static void
add_rdata(struct rdset *set, const char *owner, uint16_t type,
    const char *text)
{
	static uint8_t	 rd[RDATA_MAX];
	char		 err[256];
	int		 len;

	len = rdata_parse(owner, type, text, rd, err, sizeof(err));
	if (len == -1)
		fail_msg("rdata_parse \"%s\": %s", text, err);
	assert_int_equal(rdset_add(set, rd, (size_t)len), 0);
}

/* texts: NULL-terminated */
static void
fill_set(struct rdset *set, const char *owner, uint16_t type,
    const char *const *texts)
{
	for (; *texts != NULL; texts++)
		add_rdata(set, owner, type, *texts);
}

static void
check_init(struct check_conf *c, const char *owner, uint16_t type,
    const char *const *expect, const char *const *old)
{
	memset(c, 0, sizeof(*c));
	c->owner = strdup(owner);
	c->type = type;
	fill_set(&c->expect, owner, type, expect);
	if (old != NULL)
		fill_set(&c->old, owner, type, old);
}

static void
check_clear(struct check_conf *c)
{
	free(c->owner);
	rdset_free(&c->expect);
	rdset_free(&c->old);
}

static void
answer_init(struct answer *a, uint8_t rcode, uint32_t ttl, const char *owner,
    uint16_t type, const char *const *texts)
{
	memset(a, 0, sizeof(*a));
	a->rcode = rcode;
	a->ttl = ttl;
	if (texts != NULL)
		fill_set(&a->rdata, owner, type, texts);
}

static enum check_state
classify(const struct check_conf *c, uint8_t rcode, uint32_t ttl,
    const char *const *texts)
{
	struct answer		a;
	enum check_state	cs;

	answer_init(&a, rcode, ttl, c->owner, c->type, texts);
	cs = verdict_classify(c, &a);
	rdset_free(&a.rdata);
	return cs;
}

#define OWNER	"example.co.jp."

static const char *const mx_new[] = {
	"10 mx01.example.co.jp.", "10 mx02.example.co.jp.", NULL };
static const char *const mx_old[] = {
	"10 mx.old-provider.example.", NULL };

/* Names */

static void
test_names_roundtrip(void **state)
{
	int	i;

	for (i = 0; i < CS_MAX; i++)
		assert_int_equal(check_state_from_name(check_state_name(i)), i);
	for (i = 0; i < RS_MAX; i++)
		assert_int_equal(
		    resolver_state_from_name(resolver_state_name(i)), i);
	for (i = 0; i < DS_MAX; i++)
		assert_int_equal(domain_state_from_name(domain_state_name(i)),
		    i);

	/* The names are what the database and the status output hold. */
	assert_string_equal(check_state_name(CS_NXDOMAIN), "nxdomain");
	assert_string_equal(resolver_state_name(RS_UNREACHABLE),
	    "unreachable");
	assert_string_equal(resolver_state_name(RS_MIXED), "mixed");
	assert_string_equal(domain_state_name(DS_PROPAGATING), "propagating");
	assert_string_equal(domain_state_name(DS_COMPLETE), "complete");

	assert_int_equal(check_state_from_name("bogus"), -1);
	assert_int_equal(check_state_from_name(""), -1);
	assert_int_equal(check_state_from_name("NEW"), -1);
	assert_int_equal(check_state_from_name("mixed"), -1);
	assert_int_equal(resolver_state_from_name("nxdomain"), -1);
	assert_int_equal(resolver_state_from_name("?"), -1);
	assert_int_equal(domain_state_from_name("new"), -1);
	assert_int_equal(domain_state_from_name("completed"), -1);

	/* Out of range values never index past the tables. */
	assert_non_null(check_state_name(CS_MAX));
	assert_non_null(resolver_state_name(RS_MAX));
	assert_non_null(domain_state_name(DS_MAX));
	assert_int_equal(check_state_from_name(check_state_name(CS_MAX)), -1);
	for (i = 0; i < PS_MAX; i++)
		assert_int_equal(parent_state_from_name(parent_state_name(i)),
		    i);
	assert_string_equal(parent_state_name(PS_MIXED), "mixed");
	assert_int_equal(parent_state_from_name("complete"), -1);
	assert_non_null(parent_state_name(PS_MAX));
}

/* verdict_parent: the parent's view over its servers' delegations. */
static enum parent_state
parent_of(bool *all_new, size_t n, ...)
{
	uint8_t	cs[8];
	va_list	ap;
	size_t	i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		cs[i] = (uint8_t)va_arg(ap, int);
	va_end(ap);
	return verdict_parent(cs, n, all_new);
}

/* verdict_flap: samples that disagree, or new and then old again; not
 * the one switch from old to new, and not an error round. */
static void
test_flap(void **state)
{
	struct rverdict	v;

	memset(&v, 0, sizeof(v));
	v.state = RS_OLD;
	verdict_flap(&v, RS_NEW, false);
	v.state = RS_NEW;
	assert_int_equal(v.flaps, 0);
	assert_false(verdict_flapping(&v, 2));
	verdict_flap(&v, RS_OLD, false);
	v.state = RS_OLD;
	assert_int_equal(v.flaps, 1);
	assert_true(verdict_flapping(&v, 2));
	verdict_flap(&v, RS_ERROR, false);
	assert_int_equal(v.calm, 0);
	verdict_flap(&v, RS_MIXED, true);
	assert_int_equal(v.flaps, 2);
	verdict_flap(&v, RS_NEW, false);
	assert_true(verdict_flapping(&v, 2));
	verdict_flap(&v, RS_NEW, false);
	assert_false(verdict_flapping(&v, 2));
	assert_int_equal(v.flaps, 2);
	v.flaps = UINT16_MAX;
	verdict_flap(&v, RS_OLD, true);
	assert_int_equal(v.flaps, UINT16_MAX);
}

static void
test_parent(void **state)
{
	bool	all;

	assert_int_equal(parent_of(&all, 0), PS_PENDING);
	assert_false(all);
	assert_int_equal(parent_of(&all, 2, CS_PENDING, CS_PENDING),
	    PS_PENDING);
	assert_int_equal(parent_of(&all, 2, CS_OLD, CS_OLD), PS_OLD);
	/* Without old-ns the old delegation is "other": still old. */
	assert_int_equal(parent_of(&all, 2, CS_OTHER, CS_OLD), PS_OLD);
	assert_int_equal(parent_of(&all, 3, CS_OLD, CS_NEW, CS_NEW),
	    PS_MIXED);
	assert_false(all);
	assert_int_equal(parent_of(&all, 2, CS_NEW, CS_NEW), PS_NEW);
	assert_true(all);
	/* A failing server leaves the others' view; the switch needs more
	 * servers saying new than failing. */
	assert_int_equal(parent_of(&all, 2, CS_NEW, CS_ERROR), PS_NEW);
	assert_false(all);
	assert_int_equal(parent_of(&all, 2, CS_NEW, CS_PENDING), PS_NEW);
	assert_false(all);
	assert_int_equal(parent_of(&all, 3, CS_NEW, CS_ERROR, CS_NEW),
	    PS_NEW);
	assert_true(all);
	assert_int_equal(parent_of(&all, 4, CS_NEW, CS_ERROR, CS_NEW,
	    CS_ERROR), PS_NEW);
	assert_false(all);
	assert_int_equal(parent_of(&all, 2, CS_NXDOMAIN, CS_NODATA),
	    PS_ERROR);
	assert_int_equal(parent_of(&all, 2, CS_ERROR, CS_PENDING), PS_ERROR);
}

/* verdict_classify */

static void
test_classify_new(void **state)
{
	struct check_conf	c;
	const char *const	same[] = { "10 mx01.example.co.jp.",
				    "10 mx02.example.co.jp.", NULL };
	const char *const	swapped_case[] = { "10 MX02.Example.CO.JP",
				    "10 mx01.EXAMPLE.co.jp.", NULL };

	check_init(&c, OWNER, LDNS_RR_TYPE_MX, mx_new, mx_old);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 300, same), CS_NEW);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 300, swapped_case),
	    CS_NEW);
	/* The TTL says nothing about which records they are. */
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 0, swapped_case),
	    CS_NEW);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 86400, same),
	    CS_NEW);
	check_clear(&c);
}

static void
test_classify_old_other(void **state)
{
	struct check_conf	c;
	const char *const	old_case[] = { "10 MX.Old-Provider.Example",
				    NULL };
	const char *const	subset[] = { "10 mx02.example.co.jp", NULL };
	const char *const	superset[] = { "10 mx01.example.co.jp.",
				    "10 mx02.example.co.jp.",
				    "20 mx03.example.co.jp.", NULL };
	const char *const	both[] = { "10 mx01.example.co.jp.",
				    "10 mx02.example.co.jp.",
				    "10 mx.old-provider.example.", NULL };
	const char *const	pref[] = { "10 mx01.example.co.jp.",
				    "20 mx02.example.co.jp.", NULL };
	const char *const	third[] = { "10 mail.elsewhere.example.",
				    NULL };

	check_init(&c, OWNER, LDNS_RR_TYPE_MX, mx_new, mx_old);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, mx_old), CS_OLD);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, old_case),
	    CS_OLD);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, subset),
	    CS_OTHER);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, superset),
	    CS_OTHER);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, both), CS_OTHER);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, pref), CS_OTHER);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, third),
	    CS_OTHER);
	check_clear(&c);
}

static void
test_classify_no_old_set(void **state)
{
	struct check_conf	c;
	const char *const	other[] = { "10 mx.old-provider.example.",
				    NULL };

	check_init(&c, OWNER, LDNS_RR_TYPE_MX, mx_new, NULL);
	assert_int_equal(c.old.n, 0);
	/* Without an old set nothing is "old", not even an empty answer. */
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, other),
	    CS_OTHER);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, NULL),
	    CS_NODATA);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, mx_new), CS_NEW);
	check_clear(&c);
}

static void
test_classify_negative_and_errors(void **state)
{
	struct check_conf	c;

	check_init(&c, OWNER, LDNS_RR_TYPE_MX, mx_new, mx_old);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 300, NULL),
	    CS_NODATA);
	assert_int_equal(classify(&c, LDNS_RCODE_NXDOMAIN, 300, NULL),
	    CS_NXDOMAIN);
	assert_int_equal(classify(&c, LDNS_RCODE_SERVFAIL, 0, NULL),
	    CS_ERROR);
	assert_int_equal(classify(&c, LDNS_RCODE_REFUSED, 0, NULL), CS_ERROR);
	assert_int_equal(classify(&c, LDNS_RCODE_FORMERR, 0, NULL), CS_ERROR);
	assert_int_equal(classify(&c, LDNS_RCODE_NOTIMPL, 0, NULL), CS_ERROR);
	/* A failing rcode never counts as new, whatever came with it. */
	assert_int_equal(classify(&c, LDNS_RCODE_SERVFAIL, 0, mx_new),
	    CS_ERROR);
	assert_int_equal(classify(&c, LDNS_RCODE_REFUSED, 0, mx_new),
	    CS_ERROR);
	/* Timeout: no answer at all. */
	assert_int_equal(verdict_classify(&c, NULL), CS_ERROR);
	check_clear(&c);
}

static void
test_classify_other_types(void **state)
{
	struct check_conf	c;
	const char *const	ns_new[] = { "ns1.new-dns.example.",
				    "ns2.new-dns.example.", NULL };
	const char *const	ns_ans[] = { "NS2.NEW-DNS.EXAMPLE.",
				    "Ns1.New-Dns.Example.", NULL };
	const char *const	aaaa_new[] = { "2001:db8::1", NULL };
	const char *const	aaaa_ans[] = { "2001:0DB8:0:0:0:0:0:1", NULL };
	const char *const	txt_new[] = { "\"v=spf1 mx -all\"", NULL };
	const char *const	txt_ans[] = { "\"V=SPF1 MX -ALL\"", NULL };

	check_init(&c, OWNER, LDNS_RR_TYPE_NS, ns_new, NULL);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, ns_ans), CS_NEW);
	check_clear(&c);

	check_init(&c, OWNER, LDNS_RR_TYPE_AAAA, aaaa_new, NULL);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, aaaa_ans),
	    CS_NEW);
	check_clear(&c);

	/* TXT is data, not a name: case differences are a different value. */
	check_init(&c, OWNER, LDNS_RR_TYPE_TXT, txt_new, NULL);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, txt_new),
	    CS_NEW);
	assert_int_equal(classify(&c, LDNS_RCODE_NOERROR, 60, txt_ans),
	    CS_OTHER);
	check_clear(&c);
}

/* verdict_round */

static enum resolver_state
round_of(const char *states)
{
	uint8_t	cs[16];
	size_t	n;

	/* One letter a check: N new, O old, T other, D nodata,
	 * X nxdomain, E error. */
	for (n = 0; states[n] != '\0'; n++) {
		assert_true(n < sizeof(cs));
		switch (states[n]) {
		case 'N': cs[n] = CS_NEW; break;
		case 'O': cs[n] = CS_OLD; break;
		case 'T': cs[n] = CS_OTHER; break;
		case 'D': cs[n] = CS_NODATA; break;
		case 'X': cs[n] = CS_NXDOMAIN; break;
		case 'E': cs[n] = CS_ERROR; break;
		default: fail_msg("bad letter %c", states[n]);
		}
	}
	return verdict_round(cs, n);
}

static void
test_round(void **state)
{
	assert_int_equal(round_of("N"), RS_NEW);
	assert_int_equal(round_of("NNN"), RS_NEW);
	assert_int_equal(round_of("O"), RS_OLD);
	assert_int_equal(round_of("OOO"), RS_OLD);
	assert_int_equal(round_of("NO"), RS_MIXED);
	assert_int_equal(round_of("ONN"), RS_MIXED);
	assert_int_equal(round_of("T"), RS_OTHER);
	assert_int_equal(round_of("NNT"), RS_OTHER);
	assert_int_equal(round_of("NOD"), RS_OTHER);
	assert_int_equal(round_of("OX"), RS_OTHER);
	assert_int_equal(round_of("NND"), RS_OTHER);
	assert_int_equal(round_of("E"), RS_ERROR);
	assert_int_equal(round_of("NNE"), RS_ERROR);
	assert_int_equal(round_of("ENN"), RS_ERROR);
	assert_int_equal(round_of("OE"), RS_ERROR);
	/* A failed round tells nothing, even with "other" in it. */
	assert_int_equal(round_of("TE"), RS_ERROR);
	assert_int_equal(round_of("XE"), RS_ERROR);
}

/* verdict_update */

struct sim {
	struct rverdict	v;
	time_t		now;
	unsigned	confirm;
	unsigned	unreach;
	unsigned	nswitched;	/* VEV_SWITCHED seen */
	unsigned	nunreachable;	/* VEV_UNREACHABLE seen */
};

static void
sim_init(struct sim *s, unsigned confirm, unsigned unreach)
{
	memset(s, 0, sizeof(*s));
	s->now = T0;
	s->confirm = confirm;
	s->unreach = unreach;
}

/* One round that ends at s->now + dt. */
static unsigned
step(struct sim *s, time_t dt, enum resolver_state r)
{
	unsigned	ev;

	s->now += dt;
	ev = verdict_update(&s->v, r, s->now, s->confirm, s->unreach);
	if (ev & VEV_SWITCHED)
		s->nswitched++;
	if (ev & VEV_UNREACHABLE)
		s->nunreachable++;
	assert_int_equal(s->v.last_checked, s->now);
	/* VEV_CHANGED means exactly that the state moved, now. */
	if (ev & VEV_CHANGED)
		assert_int_equal(s->v.since, s->now);
	return ev;
}

static void
test_update_confirm_1(void **state)
{
	struct sim	s;

	sim_init(&s, 1, UNREACH);
	assert_int_equal(step(&s, 0, RS_OLD), VEV_CHANGED);
	assert_int_equal(s.v.state, RS_OLD);
	assert_false(s.v.switched);
	assert_int_equal(step(&s, 60, RS_NEW), VEV_CHANGED | VEV_SWITCHED);
	assert_true(s.v.switched);
	assert_int_equal(s.v.state, RS_NEW);
	/* Switched once; further new rounds are quiet. */
	assert_int_equal(step(&s, 60, RS_NEW), 0);
	assert_int_equal(step(&s, 60, RS_NEW), 0);
	assert_int_equal(s.nswitched, 1);
	assert_true(s.v.switched);
}

static void
test_update_confirm_3(void **state)
{
	struct sim	s;

	sim_init(&s, 3, UNREACH);
	assert_int_equal(step(&s, 0, RS_NEW), VEV_CHANGED);
	assert_false(s.v.switched);
	assert_int_equal(step(&s, 60, RS_NEW), 0);
	assert_false(s.v.switched);
	assert_int_equal(step(&s, 60, RS_NEW), VEV_SWITCHED);
	assert_true(s.v.switched);
	assert_int_equal(step(&s, 60, RS_NEW), 0);
	assert_int_equal(s.nswitched, 1);
}

static void
test_update_streak_reset(void **state)
{
	const enum resolver_state breakers[] = {
		RS_ERROR, RS_OLD, RS_MIXED, RS_OTHER };
	struct sim	s;
	size_t		i;

	for (i = 0; i < sizeof(breakers) / sizeof(breakers[0]); i++) {
		sim_init(&s, 3, UNREACH);
		step(&s, 0, RS_NEW);
		step(&s, 60, RS_NEW);
		/* Two new, then a round that is not new: start over. */
		step(&s, 60, breakers[i]);
		assert_int_equal(s.v.streak, 0);
		assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);
		assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);
		assert_false(s.v.switched);
		assert_true(step(&s, 60, RS_NEW) & VEV_SWITCHED);
		assert_true(s.v.switched);
		assert_int_equal(s.nswitched, 1);
	}
}

static void
test_update_since(void **state)
{
	struct sim	s;
	time_t		t;

	sim_init(&s, 3, UNREACH);
	step(&s, 0, RS_OLD);
	t = s.now;
	assert_int_equal(s.v.since, t);
	assert_int_equal(step(&s, 60, RS_OLD), 0);
	assert_int_equal(step(&s, 60, RS_OLD), 0);
	assert_int_equal(s.v.since, t);		/* unchanged state */

	assert_int_equal(step(&s, 60, RS_MIXED), VEV_CHANGED);
	t = s.now;
	step(&s, 60, RS_MIXED);
	assert_int_equal(s.v.since, t);

	/* The switch is an event, not a state change: since stays put. */
	step(&s, 60, RS_NEW);
	t = s.now;
	step(&s, 60, RS_NEW);
	assert_true(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	assert_int_equal(s.v.since, t);

	/* Repeated errors: since is the first failed round. */
	assert_int_equal(step(&s, 60, RS_ERROR), VEV_CHANGED);
	t = s.now;
	assert_int_equal(step(&s, 60, RS_ERROR), 0);
	assert_int_equal(s.v.since, t);
	assert_int_equal(s.v.fail_since, t);
}

static void
test_update_unreachable_boundary(void **state)
{
	struct sim	s;
	time_t		first;

	sim_init(&s, 3, UNREACH);
	step(&s, 0, RS_NEW);
	assert_int_equal(step(&s, 60, RS_ERROR), VEV_CHANGED);
	first = s.now;
	assert_int_equal(s.v.state, RS_ERROR);
	assert_int_equal(s.v.fail_since, first);

	/* Exactly at the limit: still only failing ("longer than"). */
	assert_int_equal(step(&s, UNREACH, RS_ERROR), 0);
	assert_int_equal(s.v.state, RS_ERROR);
	assert_int_equal(s.nunreachable, 0);

	/* One second past it. */
	assert_int_equal(step(&s, 1, RS_ERROR),
	    VEV_CHANGED | VEV_UNREACHABLE);
	assert_int_equal(s.now - first, UNREACH + 1);
	assert_int_equal(s.v.state, RS_UNREACHABLE);

	/* Reported once, however long it stays away. */
	assert_int_equal(step(&s, 60, RS_ERROR), 0);
	assert_int_equal(step(&s, 3600, RS_ERROR), 0);
	assert_int_equal(s.v.state, RS_UNREACHABLE);
	assert_int_equal(s.v.since, first + UNREACH + 1);
	assert_int_equal(s.nunreachable, 1);

	/* Answers again. */
	assert_int_equal(step(&s, 60, RS_OLD), VEV_RECOVERED | VEV_CHANGED);
	assert_int_equal(s.v.state, RS_OLD);
	assert_int_equal(s.v.fail_since, 0);

	/* A fresh failure starts a fresh count: not unreachable at once. */
	assert_int_equal(step(&s, 60, RS_ERROR), VEV_CHANGED);
	first = s.now;
	assert_int_equal(s.v.state, RS_ERROR);
	assert_int_equal(step(&s, UNREACH, RS_ERROR), 0);
	assert_int_equal(step(&s, 1, RS_ERROR),
	    VEV_CHANGED | VEV_UNREACHABLE);
	assert_int_equal(s.nunreachable, 2);
}

static void
test_update_unreachable_needs_every_round(void **state)
{
	struct sim	s;

	sim_init(&s, 3, UNREACH);
	step(&s, 0, RS_ERROR);
	step(&s, 300, RS_ERROR);
	/* One answer in between: the failures are not continuous. */
	step(&s, 200, RS_OTHER);
	assert_int_equal(s.v.fail_since, 0);
	step(&s, 100, RS_ERROR);		/* T0 + 600 */
	assert_int_equal(s.v.state, RS_ERROR);
	step(&s, UNREACH, RS_ERROR);
	assert_int_equal(s.v.state, RS_ERROR);
	assert_int_equal(s.nunreachable, 0);
	assert_true(step(&s, 1, RS_ERROR) & VEV_UNREACHABLE);

	/* Recovering straight into new counts towards a switch. */
	sim_init(&s, 1, 1);
	step(&s, 0, RS_ERROR);
	assert_true(step(&s, 2, RS_ERROR) & VEV_UNREACHABLE);
	assert_int_equal(step(&s, 60, RS_NEW),
	    VEV_RECOVERED | VEV_CHANGED | VEV_SWITCHED);
}

static void
test_update_regression(void **state)
{
	struct sim	s;
	unsigned	ev;

	sim_init(&s, 2, UNREACH);
	step(&s, 0, RS_NEW);
	assert_true(step(&s, 60, RS_NEW) & VEV_SWITCHED);

	/* Errors and other answers do not undo a switch. */
	assert_false(step(&s, 60, RS_ERROR) & VEV_REGRESSED);
	assert_true(s.v.switched);
	assert_false(step(&s, 60, RS_OTHER) & VEV_REGRESSED);
	assert_true(s.v.switched);
	assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);

	/* Old again: regressed, no longer switched. */
	ev = step(&s, 60, RS_OLD);
	assert_int_equal(ev, VEV_REGRESSED | VEV_CHANGED);
	assert_false(s.v.switched);
	/* Reported once. */
	assert_int_equal(step(&s, 60, RS_OLD), 0);

	/* It may switch again, with a new confirmation. */
	assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	assert_true(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	assert_true(s.v.switched);
	assert_int_equal(s.nswitched, 2);

	/* A mixed round is a regression too. */
	ev = step(&s, 60, RS_MIXED);
	assert_int_equal(ev, VEV_REGRESSED | VEV_CHANGED);
	assert_false(s.v.switched);
	assert_int_equal(step(&s, 60, RS_OLD), VEV_CHANGED);

	/* Never switched: old is not a regression. */
	sim_init(&s, 2, UNREACH);
	step(&s, 0, RS_NEW);
	assert_false(step(&s, 60, RS_OLD) & VEV_REGRESSED);
}

static void
test_update_switched_through_outage(void **state)
{
	struct sim	s;

	sim_init(&s, 1, UNREACH);
	assert_true(step(&s, 0, RS_NEW) & VEV_SWITCHED);
	step(&s, 60, RS_ERROR);
	assert_true(step(&s, UNREACH + 1, RS_ERROR) & VEV_UNREACHABLE);
	/* Back with the same new answer: no second switch event. */
	assert_int_equal(step(&s, 60, RS_NEW), VEV_RECOVERED | VEV_CHANGED);
	assert_true(s.v.switched);
	assert_int_equal(s.nswitched, 1);
	/* Back with old data: a regression. */
	step(&s, 60, RS_ERROR);
	assert_true(step(&s, UNREACH + 1, RS_ERROR) & VEV_UNREACHABLE);
	assert_int_equal(step(&s, 60, RS_OLD),
	    VEV_RECOVERED | VEV_CHANGED | VEV_REGRESSED);
	assert_false(s.v.switched);
}

static void
test_update_streak_saturates(void **state)
{
	struct sim	s;
	int		i;

	sim_init(&s, 3, UNREACH);
	for (i = 0; i < 300; i++) {
		step(&s, 60, RS_NEW);
		if (i >= 2)
			assert_true(s.v.switched);
		/* Once past confirm, it never drops below it again. */
		if (i >= 2)
			assert_true(s.v.streak >= 3);
	}
	assert_int_equal(s.v.streak, UINT8_MAX);
	assert_int_equal(s.nswitched, 1);
	assert_true(s.v.switched);

	/* The largest confirm the streak can count is still reachable. */
	sim_init(&s, UINT8_MAX, UNREACH);
	for (i = 0; i < UINT8_MAX - 1; i++)
		assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	assert_true(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	for (i = 0; i < 10; i++)
		assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	assert_int_equal(s.nswitched, 1);

	/* After a regression the full confirm is needed again. */
	sim_init(&s, 3, UNREACH);
	for (i = 0; i < 300; i++)
		step(&s, 60, RS_NEW);
	assert_true(step(&s, 60, RS_OLD) & VEV_REGRESSED);
	assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	assert_false(step(&s, 60, RS_NEW) & VEV_SWITCHED);
	assert_true(step(&s, 60, RS_NEW) & VEV_SWITCHED);
}

/* verdict_domain */

static struct rverdict
rv(enum resolver_state st, bool switched)
{
	struct rverdict	v;

	memset(&v, 0, sizeof(v));
	v.state = st;
	v.switched = switched;
	return v;
}

static void
test_domain(void **state)
{
	struct rverdict		v[4];
	struct domain_tally	t;

	memset(v, 0, sizeof(v));
	memset(&t, 0xff, sizeof(t));
	assert_int_equal(verdict_domain(v, 0, NULL, 0, &t), DS_PENDING);
	assert_int_equal(t.total, 0);
	assert_int_equal(t.switched, 0);

	v[0] = rv(RS_PENDING, false);
	v[1] = rv(RS_OLD, false);
	v[2] = rv(RS_NEW, false);		/* new, not yet confirmed */
	assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_PENDING);
	assert_int_equal(t.total, 3);
	assert_int_equal(t.switched, 0);
	assert_int_equal(t.now_new, 1);

	v[2] = rv(RS_NEW, true);
	assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_PROPAGATING);
	assert_int_equal(t.switched, 1);

	v[0] = rv(RS_NEW, true);
	v[1] = rv(RS_OTHER, true);		/* switched, odd answer now */
	assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_COMPLETE);
	assert_int_equal(t.switched, 3);
	assert_int_equal(t.now_new, 2);
	assert_int_equal(t.unreachable, 0);

	/* A failing, not switched resolver holds completion back ... */
	v[3] = rv(RS_ERROR, false);
	assert_int_equal(verdict_domain(v, 4, NULL, 0, &t), DS_PROPAGATING);
	/* ... until it is declared unreachable. */
	v[3] = rv(RS_UNREACHABLE, false);
	assert_int_equal(verdict_domain(v, 4, NULL, 0, &t), DS_COMPLETE);
	assert_int_equal(t.total, 4);
	assert_int_equal(t.switched, 3);
	assert_int_equal(t.unreachable, 1);

	/* A switched resolver that failed for a while still counts. */
	v[3] = rv(RS_ERROR, true);
	assert_int_equal(verdict_domain(v, 4, NULL, 0, &t), DS_COMPLETE);
}

static void
test_domain_unreachable(void **state)
{
	struct rverdict		v[3];
	struct domain_tally	t;

	/* Nobody to judge by: not complete. */
	v[0] = rv(RS_UNREACHABLE, false);
	v[1] = rv(RS_UNREACHABLE, false);
	v[2] = rv(RS_UNREACHABLE, false);
	assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_PENDING);
	assert_int_equal(t.unreachable, 3);

	/* Switched before it went away, but nobody reachable is. */
	v[0] = rv(RS_UNREACHABLE, true);
	assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_PENDING);
	assert_int_equal(t.switched, 0);
	assert_int_equal(t.unreachable, 3);

	/* One reachable and switched: complete. */
	v[1] = rv(RS_NEW, true);
	assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_COMPLETE);
	assert_int_equal(t.switched, 1);
	assert_int_equal(t.unreachable, 2);

	/* One reachable, not switched: propagating at most. */
	v[2] = rv(RS_OLD, false);
	assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_PROPAGATING);
}

/* From answers to the domain state, for three resolvers over time. */
static void
test_end_to_end(void **state)
{
	struct check_conf	chk[2];
	const char *const	ns_new[] = { "ns1.new-dns.example.", NULL };
	const char *const	ns_old[] = { "ns1.old-dns.example.", NULL };
	const char *const	mx_ans[] = { "10 MX02.Example.CO.JP",
				    "10 mx01.example.co.jp", NULL };
	struct rverdict		v[3];
	struct domain_tally	t;
	struct answer		a;
	uint8_t			cs[2];
	time_t			now = T0;
	unsigned		ev;
	int			round, r;

	check_init(&chk[0], OWNER, LDNS_RR_TYPE_NS, ns_new, ns_old);
	check_init(&chk[1], OWNER, LDNS_RR_TYPE_MX, mx_new, mx_old);
	memset(v, 0, sizeof(v));

	for (round = 0; round < 6; round++, now += 300) {
		for (r = 0; r < 3; r++) {
			/* r0 new from round 0, r1 from round 2 (old NS
			 * before), r2 never answers. */
			if (r == 2) {
				cs[0] = verdict_classify(&chk[0], NULL);
				cs[1] = verdict_classify(&chk[1], NULL);
			} else {
				answer_init(&a, LDNS_RCODE_NOERROR, 3600,
				    OWNER, LDNS_RR_TYPE_NS,
				    r == 1 && round < 2 ? ns_old : ns_new);
				cs[0] = verdict_classify(&chk[0], &a);
				rdset_free(&a.rdata);
				answer_init(&a, LDNS_RCODE_NOERROR, 300,
				    OWNER, LDNS_RR_TYPE_MX, mx_ans);
				cs[1] = verdict_classify(&chk[1], &a);
				rdset_free(&a.rdata);
			}
			ev = verdict_update(&v[r], verdict_round(cs, 2), now,
			    2, 899);
			if (r == 0)
				assert_int_equal(!!(ev & VEV_SWITCHED),
				    round == 1);
			if (r == 1)
				assert_int_equal(!!(ev & VEV_SWITCHED),
				    round == 3);
			if (r == 2)
				assert_int_equal(!!(ev & VEV_UNREACHABLE),
				    round == 3);
		}
		switch (round) {
		case 0:
			assert_int_equal(v[1].state, RS_MIXED);
			assert_int_equal(verdict_domain(v, 3, NULL, 0, &t), DS_PENDING);
			break;
		case 1:
		case 2:
			assert_int_equal(verdict_domain(v, 3, NULL, 0, &t),
			    DS_PROPAGATING);
			break;
		case 3:
		case 4:
		case 5:
			/* r2 gone for 900 s; r0 and r1 switched. */
			assert_int_equal(verdict_domain(v, 3, NULL, 0, &t),
			    DS_COMPLETE);
			assert_int_equal(t.switched, 2);
			assert_int_equal(t.unreachable, 1);
			break;
		}
	}
	check_clear(&chk[0]);
	check_clear(&chk[1]);
}

/* require: a share (rounded up) or a number of the resolvers counted; an
 * unreachable resolver counts, as not switched, until what it cached has
 * run out. */
static void
test_require(void **state)
{
	struct rverdict		v[4];
	struct domain_tally	t;
	struct require		all = { REQUIRE_ALL, 0 };
	struct require		p75 = { REQUIRE_PERCENT, 75 };
	struct require		p76 = { REQUIRE_PERCENT, 76 };
	struct require		n3 = { REQUIRE_COUNT, 3 };
	struct require		n5 = { REQUIRE_COUNT, 5 };

	v[0] = rv(RS_NEW, true);
	v[1] = rv(RS_NEW, true);
	v[2] = rv(RS_NEW, true);
	v[3] = rv(RS_OLD, false);
	assert_int_equal(verdict_domain(v, 4, &all, 0, &t), DS_PROPAGATING);
	assert_int_equal(t.required, 4);
	assert_int_equal(verdict_domain(v, 4, &p75, 0, &t), DS_COMPLETE);
	assert_int_equal(t.required, 3);
	assert_int_equal(verdict_domain(v, 4, &p76, 0, &t), DS_PROPAGATING);
	assert_int_equal(t.required, 4);
	assert_int_equal(verdict_domain(v, 4, &n3, 0, &t), DS_COMPLETE);
	/* More than are counted means all of them. */
	assert_int_equal(verdict_domain(v, 4, &n5, 0, &t), DS_PROPAGATING);
	assert_int_equal(t.required, 4);

	/* Unreachable, its old answers cached until 1000. */
	v[3] = rv(RS_UNREACHABLE, false);
	v[3].cached_until = 1000;
	assert_int_equal(verdict_domain(v, 4, &all, 999, &t), DS_PROPAGATING);
	assert_int_equal(t.unreachable, 1);
	assert_int_equal(t.left_out, 0);
	assert_int_equal(verdict_domain(v, 4, &all, 1000, &t), DS_COMPLETE);
	assert_int_equal(t.left_out, 1);
	assert_int_equal(t.required, 3);
	/* Nothing switched is never complete, whatever is required. */
	v[0].switched = v[1].switched = v[2].switched = false;
	assert_int_equal(verdict_domain(v, 4, &p75, 1000, &t), DS_PENDING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_roundtrip),
		cmocka_unit_test(test_classify_new),
		cmocka_unit_test(test_classify_old_other),
		cmocka_unit_test(test_classify_no_old_set),
		cmocka_unit_test(test_classify_negative_and_errors),
		cmocka_unit_test(test_classify_other_types),
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_update_confirm_1),
		cmocka_unit_test(test_update_confirm_3),
		cmocka_unit_test(test_update_streak_reset),
		cmocka_unit_test(test_update_since),
		cmocka_unit_test(test_update_unreachable_boundary),
		cmocka_unit_test(test_update_unreachable_needs_every_round),
		cmocka_unit_test(test_update_regression),
		cmocka_unit_test(test_update_switched_through_outage),
		cmocka_unit_test(test_update_streak_saturates),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_domain_unreachable),
		cmocka_unit_test(test_parent),
		cmocka_unit_test(test_flap),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_end_to_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
