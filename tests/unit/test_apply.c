/*
 * lib/apply.c: what an observation does to the model, and what judging a
 * round raises.  Each answer is classified against the config's sets and
 * counted in the resolver's health; a round of new answers switches a
 * resolver after `confirm` rounds, the last one completes the domain
 * (latched), old answers afterwards are a regression, silence past
 * unreachable-after is an unreachable resolver, and a round that could
 * not be stored is undone and raises its events again next time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "apply.h"
#include "rdata.h"
#include "testworld.h"
#include "verdict.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

static const char resolvers[] =
    "r0 192.0.2.1 Tokyo\n"
    "r1 192.0.2.2 Osaka\n";
static const char extra[] = "confirm = 2\nunreachable-after = 1h\n";
static const char domain[] =
    "[domain example.co.jp]\n"
    "ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com\n"
    "old-ns = ns1.oldhost.ne.jp ns2.oldhost.ne.jp\n"
    "mx = 10 mx.new.example\n"
    "old-mx = 10 mx.oldhost.ne.jp\n";

static int
group_setup(void **state)
{
	return tw_setup("test-apply");
}

static int
group_teardown(void **state)
{
	return tw_cleanup();
}

enum which { NEW, OLD, OTHER, EMPTY };

/* An answer of check k with the config's new or old set, another set,
 * or none, and the rcode given. */
static void
answer_of(struct observation *o, const struct check_conf *c, enum which set,
    uint8_t rcode)
{
	uint8_t	rd[RDATA_MAX];
	char	err[256];
	int	len;

	memset(o, 0, sizeof(*o));
	o->status = OBS_ANSWER;
	o->answer.rcode = rcode;
	o->answer.ttl = 300;
	o->rtt_ms = 25;
	o->tries = 1;
	switch (set) {
	case NEW:
		rdset_copy(&o->answer.rdata, &c->expect);
		break;
	case OLD:
		rdset_copy(&o->answer.rdata, &c->old);
		break;
	case OTHER:
		len = rdata_parse(c->owner, c->type, c->type ==
		    LDNS_RR_TYPE_MX ? "5 mx.elsewhere.example." :
		    "ns.elsewhere.example.", rd, err, sizeof(err));
		assert_true(len > 0);
		rdset_add(&o->answer.rdata, rd, (size_t)len);
		break;
	case EMPTY:
		break;
	}
}

/* Resolver r answers every check of w with set. */
static void
answer_all(struct world *wd, struct watch *w, size_t r, enum which set,
    time_t now)
{
	struct observation	o;
	size_t			k;

	for (k = 0; k < w->dc->nchecks; k++) {
		answer_of(&o, &w->dc->checks[k], set, LDNS_RCODE_NOERROR);
		apply_observation(wd->m, w, r, k, &o, now);
		rdset_free(&o.answer.rdata);
	}
}

static void
silence_all(struct world *wd, struct watch *w, size_t r, time_t now)
{
	struct observation	o;
	size_t			k;

	memset(&o, 0, sizeof(o));
	o.status = OBS_TIMEOUT;
	o.tries = 3;
	for (k = 0; k < w->dc->nchecks; k++)
		apply_observation(wd->m, w, r, k, &o, now);
}

/* Every kind of answer lands in the state it stands for, and the health
 * counts it. */
static void
test_observation_states(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct observation	 o;
	const struct cstate	*cs;
	const struct resolver_health *h;
	struct {
		enum which	set;
		uint8_t		rcode;
		enum check_state expect;
	} cases[] = {
		{ NEW, LDNS_RCODE_NOERROR, CS_NEW },
		{ OLD, LDNS_RCODE_NOERROR, CS_OLD },
		{ OTHER, LDNS_RCODE_NOERROR, CS_OTHER },
		{ EMPTY, LDNS_RCODE_NOERROR, CS_NODATA },
		{ EMPTY, LDNS_RCODE_NXDOMAIN, CS_NXDOMAIN },
		{ EMPTY, LDNS_RCODE_SERVFAIL, CS_ERROR },
		{ NEW, LDNS_RCODE_REFUSED, CS_ERROR },
	};
	size_t			 i;

	tw_load(&wd, resolvers, extra, domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		answer_of(&o, &w->dc->checks[1], cases[i].set, cases[i].rcode);
		apply_observation(wd.m, w, 1, 1, &o, NOW + (time_t)i);
		cs = watch_cstate(w, 1, 1);
		assert_int_equal(cs->state, cases[i].expect);
		assert_int_equal(cs->rcode, cases[i].rcode);
		assert_int_equal(cs->answered_at, NOW + (time_t)i);
		assert_int_equal(cs->rtt_ms, 25);
		if (cases[i].expect == CS_OTHER)
			assert_true(rdset_equal(cs->other, &o.answer.rdata));
		else
			assert_null(cs->other);
		rdset_free(&o.answer.rdata);
	}
	silence_all(&wd, w, 1, NOW + 100);
	cs = watch_cstate(w, 1, 0);
	assert_int_equal(cs->state, CS_ERROR);
	assert_int_equal(cs->rcode, CS_RCODE_NONE);
	h = &wd.m->health[1];
	assert_int_equal(h->queries, 7 + 2);
	assert_int_equal(h->answers, 7);
	assert_int_equal(h->timeouts, 2);
	assert_int_equal(h->consecutive_failures, 2);
	assert_int_equal(h->rtt_sum_ms, 7 * 25);
	assert_int_equal(h->last_answer, NOW + 6);
	assert_int_equal(wd.m->health[0].queries, 0);
	apply_unsent(w, 0, 0, NOW);
	assert_int_equal(watch_cstate(w, 0, 0)->state, CS_ERROR);
	tw_free(&wd);
}

static const struct nmig_event *
only_event(const struct judge *j)
{
	assert_int_equal(j->events.n, 1);
	return &j->events.v[0];
}

static struct watch *
start(struct world *wd, struct judge *j)
{
	memset(j, 0, sizeof(*j));
	tw_load(wd, resolvers, extra, domain, false);
	return tw_watch(wd, "example.co.jp.");
}

static void
finish(struct world *wd, struct judge *j)
{
	judge_free(j);
	tw_free(wd);
}

/* One round: r0 and r1 answer as given (or stay silent), then judge. */
static void
round_of(struct world *wd, struct watch *w, struct judge *j, int a0, int a1,
    time_t now)
{
	if (a0 < 0)
		silence_all(wd, w, 0, now);
	else
		answer_all(wd, w, 0, (enum which)a0, now);
	if (a1 < 0)
		silence_all(wd, w, 1, now);
	else
		answer_all(wd, w, 1, (enum which)a1, now);
	judge_round(j, wd->m, w, now, wd->cfg->confirm);
}

/* confirm = 2: a resolver switches at its second round of new answers,
 * the domain completes when the last one has, and the completion stays
 * when a resolver goes back to the old records. */
static void
test_switch_complete_regress(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	const struct nmig_event	*e;

	w = start(&wd, &j);

	round_of(&wd, w, &j, OLD, OLD, NOW);
	assert_int_equal(j.events.n, 0);
	assert_int_equal(w->rv[0].state, RS_OLD);
	assert_int_equal(w->state, DS_PENDING);
	assert_int_equal(w->since, NOW);

	round_of(&wd, w, &j, NEW, OLD, NOW + 60);
	assert_int_equal(j.events.n, 0);	/* one round is not enough */
	assert_int_equal(w->rv[0].state, RS_NEW);
	assert_false(w->rv[0].switched);

	round_of(&wd, w, &j, NEW, NEW, NOW + 120);
	e = only_event(&j);
	assert_string_equal(e->je.message_id, MSGID_SWITCHED);
	assert_int_equal(e->je.priority, 6);	/* LOG_INFO */
	assert_string_equal(e->je.domain, "example.co.jp");
	assert_string_equal(e->je.resolver, "r0");
	assert_string_equal(e->je.resolver_address, "192.0.2.1");
	assert_string_equal(e->message, "example.co.jp: resolver r0 "
	    "(192.0.2.1) now reports the new records");
	assert_int_equal(w->state, DS_PROPAGATING);
	assert_int_equal(w->since, NOW + 120);

	round_of(&wd, w, &j, NEW, NEW, NOW + 180);
	assert_int_equal(j.events.n, 2);
	assert_string_equal(j.events.v[0].je.message_id, MSGID_SWITCHED);
	assert_string_equal(j.events.v[0].je.resolver, "r1");
	e = &j.events.v[1];
	assert_string_equal(e->je.message_id, MSGID_COMPLETE);
	assert_int_equal(e->je.priority, 5);	/* LOG_NOTICE */
	assert_null(e->je.resolver);
	assert_int_equal(e->je.resolvers_new, 2);
	assert_int_equal(e->je.resolvers_total, 2);
	assert_int_equal(e->je.resolvers_unreachable, 0);
	assert_string_equal(e->message, "DNS switch complete for "
	    "example.co.jp: 2 of 2 resolvers report the new records");
	assert_int_equal(w->state, DS_COMPLETE);
	assert_int_equal(w->complete_at, NOW + 180);

	round_of(&wd, w, &j, OLD, NEW, NOW + 240);
	e = only_event(&j);
	assert_string_equal(e->je.message_id, MSGID_REGRESSED);
	assert_int_equal(e->je.priority, 4);	/* LOG_WARNING */
	assert_string_equal(e->message, "example.co.jp: resolver r0 "
	    "(192.0.2.1) answers with the old records again");
	assert_int_equal(w->state, DS_COMPLETE);	/* latched */
	assert_int_equal(w->complete_at, NOW + 180);
	assert_false(w->rv[0].switched);
	finish(&wd, &j);
}

/* Silent for more than unreachable-after: unreachable, once; the domain
 * completes without it and says so; an answer brings it back. */
static void
test_unreachable(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	const struct nmig_event	*e;

	w = start(&wd, &j);
	round_of(&wd, w, &j, NEW, -1, NOW);
	assert_int_equal(w->rv[1].state, RS_ERROR);
	assert_int_equal(w->rv[1].fail_since, NOW);
	round_of(&wd, w, &j, NEW, -1, NOW + 3600);	/* not past 1h yet */
	e = only_event(&j);
	assert_string_equal(e->je.message_id, MSGID_SWITCHED);
	round_of(&wd, w, &j, NEW, -1, NOW + 3601);
	assert_int_equal(j.events.n, 2);
	e = &j.events.v[0];
	assert_string_equal(e->je.message_id, MSGID_UNREACHABLE);
	assert_string_equal(e->je.resolver, "r1");
	assert_string_equal(e->message, "example.co.jp: resolver r1 "
	    "(192.0.2.2) unreachable: no answer since 2026-11-27T00:00:00Z");
	e = &j.events.v[1];
	assert_string_equal(e->je.message_id, MSGID_COMPLETE);
	assert_int_equal(e->je.resolvers_new, 1);
	assert_int_equal(e->je.resolvers_unreachable, 1);
	assert_string_equal(e->message, "DNS switch complete for "
	    "example.co.jp: 1 of 2 resolvers report the new records "
	    "(unreachable: r1)");
	round_of(&wd, w, &j, NEW, -1, NOW + 3700);
	assert_int_equal(j.events.n, 0);		/* said once */
	round_of(&wd, w, &j, NEW, NEW, NOW + 3800);
	assert_int_equal(w->rv[1].state, RS_NEW);
	assert_int_equal(w->rv[1].fail_since, 0);
	finish(&wd, &j);
}

/* A round that could not be stored is undone: the next one judges again
 * and raises the same events, so none is lost. */
static void
test_undo(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	struct rverdict		 before[2];

	w = start(&wd, &j);
	round_of(&wd, w, &j, NEW, NEW, NOW);
	memcpy(before, w->rv, sizeof(before));
	round_of(&wd, w, &j, NEW, NEW, NOW + 60);
	assert_int_equal(j.events.n, 3);	/* two switches, complete */
	judge_undo(&j, wd.m, w);
	assert_int_equal(j.events.n, 0);
	assert_memory_equal(w->rv, before, sizeof(before));
	assert_int_equal(w->state, DS_PENDING);
	assert_int_equal(w->since, NOW);
	assert_int_equal(w->complete_at, 0);
	judge_round(&j, wd.m, w, NOW + 120, wd.cfg->confirm);
	assert_int_equal(j.events.n, 3);
	assert_string_equal(j.events.v[2].je.message_id, MSGID_COMPLETE);
	assert_int_equal(w->complete_at, NOW + 120);
	finish(&wd, &j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observation_states),
		cmocka_unit_test(test_switch_complete_regress),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_undo),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
