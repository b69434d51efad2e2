/*
 * lib/apply.c: what an observation does to the model, and what judging a
 * round raises.  Each answer is classified against the config's sets and
 * counted in the resolver's health; a round of new answers switches a
 * resolver after `confirm` rounds, the last one completes the domain
 * (latched), old answers afterwards are a regression, silence past
 * unreachable-after is an unreachable resolver.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <ldns/ldns.h>

#include "apply.h"
#include "reach.h"
#include "rdata.h"
#include "testworld.h"
#include "verdict.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

static const char resolvers[] = TW_TWO_RESOLVERS;
static const char extra[] = "confirm = 2\nunreachable-after = 1h\n";
static const char domain[] = TW_EXAMPLE_DOMAIN;

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
		enum tw_which	set;
		uint8_t		rcode;
		enum check_state expect;
	} cases[] = {
		{ TW_NEW, LDNS_RCODE_NOERROR, CS_NEW },
		{ TW_OLD, LDNS_RCODE_NOERROR, CS_OLD },
		{ TW_OTHER, LDNS_RCODE_NOERROR, CS_OTHER },
		{ TW_EMPTY, LDNS_RCODE_NOERROR, CS_NODATA },
		{ TW_EMPTY, LDNS_RCODE_NXDOMAIN, CS_NXDOMAIN },
		{ TW_EMPTY, LDNS_RCODE_SERVFAIL, CS_ERROR },
		{ TW_NEW, LDNS_RCODE_REFUSED, CS_ERROR },
	};
	size_t			 i;

	tw_load(&wd, resolvers, extra, domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tw_answer_of(&o, &w->dc->checks[1], cases[i].set, cases[i].rcode);
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
	tw_silence_all(&wd, w, 1, NOW + 100);
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
	apply_unsent(wd.m, w, 0, 0, NOW);
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
		tw_silence_all(wd, w, 0, now);
	else
		tw_answer_all(wd, w, 0, (enum tw_which)a0, 300, now);
	if (a1 < 0)
		tw_silence_all(wd, w, 1, now);
	else
		tw_answer_all(wd, w, 1, (enum tw_which)a1, 300, now);
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

	round_of(&wd, w, &j, TW_OLD, TW_OLD, NOW);
	assert_int_equal(j.events.n, 0);
	assert_int_equal(w->rv[0].state, RS_OLD);
	assert_int_equal(w->state, DS_PENDING);
	assert_int_equal(w->since, NOW);

	round_of(&wd, w, &j, TW_NEW, TW_OLD, NOW + 60);
	assert_int_equal(j.events.n, 0);	/* one round is not enough */
	assert_int_equal(w->rv[0].state, RS_NEW);
	assert_false(w->rv[0].switched);

	round_of(&wd, w, &j, TW_NEW, TW_NEW, NOW + 120);
	e = only_event(&j);
	assert_string_equal(e->je.message_id, MSGID_SWITCHED);
	assert_int_equal(e->je.priority, 6);	/* LOG_INFO */
	assert_string_equal(e->domain, "example.co.jp");
	assert_string_equal(e->resolver, "r0");
	assert_string_equal(e->resolver_address, "192.0.2.1");
	assert_string_equal(e->message, "example.co.jp: resolver r0 "
	    "(192.0.2.1) now reports the new records");
	assert_int_equal(w->state, DS_PROPAGATING);
	assert_int_equal(w->since, NOW + 120);

	round_of(&wd, w, &j, TW_NEW, TW_NEW, NOW + 180);
	assert_int_equal(j.events.n, 2);
	assert_string_equal(j.events.v[0].je.message_id, MSGID_SWITCHED);
	assert_string_equal(j.events.v[0].resolver, "r1");
	e = &j.events.v[1];
	assert_string_equal(e->je.message_id, MSGID_COMPLETE);
	assert_int_equal(e->je.priority, 5);	/* LOG_NOTICE */
	assert_string_equal(e->resolver, "");
	assert_int_equal(e->nfields, 3);
	assert_string_equal(e->fields[0], "NMIGD_RESOLVERS_NEW=2");
	assert_string_equal(e->fields[1], "NMIGD_RESOLVERS_TOTAL=2");
	assert_string_equal(e->fields[2], "NMIGD_RESOLVERS_UNREACHABLE=0");
	assert_string_equal(e->message, "DNS switch complete for "
	    "example.co.jp: 2 of 2 resolvers report the new records");
	assert_int_equal(w->state, DS_COMPLETE);
	assert_int_equal(w->complete_at, NOW + 180);

	round_of(&wd, w, &j, TW_OLD, TW_NEW, NOW + 240);
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
	round_of(&wd, w, &j, TW_NEW, -1, NOW);
	assert_int_equal(w->rv[1].state, RS_ERROR);
	assert_int_equal(w->rv[1].fail_since, NOW);
	round_of(&wd, w, &j, TW_NEW, -1, NOW + 3600);	/* not past 1h yet */
	e = only_event(&j);
	assert_string_equal(e->je.message_id, MSGID_SWITCHED);
	round_of(&wd, w, &j, TW_NEW, -1, NOW + 3601);
	assert_int_equal(j.events.n, 2);
	e = &j.events.v[0];
	assert_string_equal(e->je.message_id, MSGID_UNREACHABLE);
	assert_string_equal(e->resolver, "r1");
	assert_string_equal(e->message, "example.co.jp: resolver r1 "
	    "(192.0.2.2) unreachable: no answer since 2026-11-27T00:00:00Z");
	e = &j.events.v[1];
	assert_string_equal(e->je.message_id, MSGID_COMPLETE);
	assert_string_equal(e->fields[0], "NMIGD_RESOLVERS_NEW=1");
	assert_string_equal(e->fields[2], "NMIGD_RESOLVERS_UNREACHABLE=1");
	assert_string_equal(e->message, "DNS switch complete for "
	    "example.co.jp: 1 of 2 resolvers report the new records "
	    "(unreachable: r1)");
	round_of(&wd, w, &j, TW_NEW, -1, NOW + 3700);
	assert_int_equal(j.events.n, 0);		/* said once */
	round_of(&wd, w, &j, TW_NEW, TW_NEW, NOW + 3800);
	assert_int_equal(w->rv[1].state, RS_NEW);
	assert_int_equal(w->rv[1].fail_since, 0);
	finish(&wd, &j);
}

/* Twenty resolvers switching in one round: more events than the list
 * first holds, each with its own texts when emitted. */
static void
test_many_events(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	char			 res[2048], want[256];
	size_t			 r, len = 0;

	for (r = 0; r < 20; r++)
		len += (size_t)snprintf(res + len, sizeof(res) - len,
		    "r%zu 192.0.2.%zu\n", r, r + 1);
	memset(&j, 0, sizeof(j));
	tw_load(&wd, res, "confirm = 1\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	for (r = 0; r < 20; r++)
		tw_answer_all(&wd, w, r, TW_NEW, 300, NOW);
	judge_round(&j, wd.m, w, NOW, 1);
	assert_int_equal(j.events.n, 21);
	for (r = 0; r < 20; r++) {
		snprintf(want, sizeof(want), "example.co.jp: resolver r%zu "
		    "(192.0.2.%zu) now reports the new records", r, r + 1);
		assert_string_equal(j.events.v[r].message, want);
		assert_int_equal(j.events.v[r].when, NOW);
	}
	events_emit(&j.events);
	finish(&wd, &j);
}

/* One sample: resolver r answers check k with the set given, or times
 * out (which < 0). */
static void
sample_of(struct world *wd, struct watch *w, size_t r, size_t k, int which,
    time_t now)
{
	struct observation	o;

	if (which < 0) {
		memset(&o, 0, sizeof(o));
		o.status = OBS_TIMEOUT;
	} else
		tw_answer_of(&o, &w->dc->checks[k], (enum tw_which)which,
		    LDNS_RCODE_NOERROR);
	apply_observation(wd->m, w, r, k, &o, now);
	rdset_free(&o.answer.rdata);
}

/* Several samples of a check per round (anycast): the round's answer is
 * the first sample that is not new, recorded once; a round of all-new
 * samples is recorded at its last sample; samples that differ are
 * noted; an interrupted round does not leak into the next; a resolver
 * line's samples=N beats nmigd.conf's. */
static void
test_samples(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	struct cstate		*cs, *cs1;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, "r0 192.0.2.1 samples=3 Tokyo\nr1 192.0.2.2 Osaka\n",
	    "samples = 2\nconfirm = 1\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	assert_int_equal(watch_target(wd.m, w, 0)->samples, 3);
	assert_int_equal(watch_target(wd.m, w, 1)->samples, 2);
	cs = watch_cstate(w, 0, 0);
	cs1 = watch_cstate(w, 1, 0);

	/* Round 1: new, old, new from three caches: old counts, once. */
	apply_round_begin(wd.m, w);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW);
	assert_int_equal(cs->state, CS_PENDING);	/* new waits */
	sample_of(&wd, w, 0, 0, TW_OLD, NOW + 1);
	assert_int_equal(cs->state, CS_OLD);
	assert_int_equal(cs->answered_at, NOW + 1);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 2);
	assert_int_equal(cs->state, CS_OLD);
	assert_int_equal(cs->answered_at, NOW + 1);
	assert_int_equal(cs->unsaved, 1);		/* one sighting */
	assert_int_equal(wd.m->health[0].queries, 3);
	/* r1: old, then a timeout; the old answer stands. */
	sample_of(&wd, w, 1, 0, TW_OLD, NOW);
	sample_of(&wd, w, 1, 0, -1, NOW + 3);
	assert_int_equal(cs1->state, CS_OLD);
	/* MX all new for both. */
	sample_of(&wd, w, 0, 1, TW_NEW, NOW);
	sample_of(&wd, w, 0, 1, TW_NEW, NOW);
	assert_int_equal(watch_cstate(w, 0, 1)->state, CS_PENDING);
	sample_of(&wd, w, 0, 1, TW_NEW, NOW + 4);
	assert_int_equal(watch_cstate(w, 0, 1)->state, CS_NEW);
	assert_int_equal(watch_cstate(w, 0, 1)->answered_at, NOW + 4);
	judge_round(&j, wd.m, w, NOW + 5, 1);
	/* NS held back by one cache, MX new: not new.  The caches
	 * disagreed: a flap; a timeout beside an old answer is none. */
	assert_int_equal(w->rv[0].state, RS_MIXED);
	assert_int_equal(w->rv[0].flaps, 1);
	assert_true(verdict_flapping(&w->rv[0], 1));
	assert_int_equal(w->rv[1].flaps, 0);

	/* Round 2: every sample new; the answer changes once. */
	apply_round_begin(wd.m, w);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 60);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 61);
	assert_int_equal(cs->state, CS_OLD);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 62);
	assert_int_equal(cs->state, CS_NEW);
	assert_true(cs->dirty);
	assert_int_equal(cs->unsaved, 1);
	sample_of(&wd, w, 0, 1, TW_NEW, NOW + 60);
	sample_of(&wd, w, 0, 1, TW_NEW, NOW + 60);
	sample_of(&wd, w, 0, 1, TW_NEW, NOW + 60);
	judge_round(&j, wd.m, w, NOW + 63, 1);
	assert_int_equal(w->rv[0].state, RS_NEW);
	/* A calm round: no longer flapping with confirm = 1, but it did. */
	assert_false(verdict_flapping(&w->rv[0], 1));
	assert_true(verdict_flapping(&w->rv[0], 2));
	assert_int_equal(w->rv[0].flaps, 1);

	/* Round 3 is cut short after one sample (a reload restarted it);
	 * round 4 counts its own three. */
	apply_round_begin(wd.m, w);
	sample_of(&wd, w, 0, 0, TW_OLD, NOW + 120);
	assert_int_equal(cs->state, CS_OLD);
	apply_round_begin(wd.m, w);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 180);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 181);
	assert_int_equal(cs->state, CS_OLD);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 182);
	assert_int_equal(cs->state, CS_NEW);
	/* Without apply_round_begin, the last sample still closes the
	 * count: the next three are a round of their own. */
	sample_of(&wd, w, 0, 0, TW_OTHER, NOW + 240);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 241);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 242);
	assert_int_equal(cs->state, CS_OTHER);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 300);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 301);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 302);
	assert_int_equal(cs->state, CS_NEW);
	assert_int_equal(cs->answered_at, NOW + 302);
	finish(&wd, &j);
}

/* A server found for one domain, on 192.0.2.53 port 53. */
/* A failed sample (timeout, SERVFAIL, not sent) is not a cache holding
 * the resolver back: it is the round's answer only when every sample
 * failed.  A lost datagram next to new answers leaves the round new, with
 * the new sample's TTL; an old answer after a timeout still counts. */
static void
test_samples_failed(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct observation	 o;
	struct cstate		*cs;
	struct judge		 j;
	int			 round, k;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, "r0 192.0.2.1 samples=4\nr1 192.0.2.2 samples=1\n",
	    "confirm = 1\nunreachable-after = 1h\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	cs = watch_cstate(w, 0, 0);

	/* new, new, new and a lost NS sample, round after round for 70
	 * minutes: r0 stays new, never unreachable. */
	for (round = 0; round < 14; round++) {
		time_t	t = NOW + round * 300;

		apply_round_begin(wd.m, w);
		sample_of(&wd, w, 0, 0, TW_NEW, t);
		sample_of(&wd, w, 0, 0, -1, t + 2);
		sample_of(&wd, w, 0, 0, TW_NEW, t);
		sample_of(&wd, w, 0, 0, TW_NEW, t);
		for (k = 0; k < 4; k++)
			sample_of(&wd, w, 0, 1, TW_NEW, t);
		tw_answer_all(&wd, w, 1, TW_NEW, 300, t);
		judge_round(&j, wd.m, w, t + 3, 1);
		assert_int_equal(cs->state, CS_NEW);
		assert_int_equal(w->rv[0].state, RS_NEW);
	}

	/* Three new and, last, a SERVFAIL: new, with the new TTL. */
	apply_round_begin(wd.m, w);
	tw_answer_of(&o, &w->dc->checks[0], TW_NEW, LDNS_RCODE_NOERROR);
	o.answer.ttl = 77;
	o.rtt_ms = 12;
	apply_observation(wd.m, w, 0, 0, &o, NOW + 9000);
	rdset_free(&o.answer.rdata);
	sample_of(&wd, w, 0, 0, -1, NOW + 9001);
	sample_of(&wd, w, 0, 0, -1, NOW + 9001);
	tw_answer_of(&o, &w->dc->checks[0], TW_EMPTY, LDNS_RCODE_SERVFAIL);
	apply_observation(wd.m, w, 0, 0, &o, NOW + 9002);
	rdset_free(&o.answer.rdata);
	assert_int_equal(cs->state, CS_NEW);
	assert_int_equal(cs->ttl, 77);
	assert_int_equal(cs->rtt_ms, 12);
	assert_int_equal(cs->rcode, LDNS_RCODE_NOERROR);

	/* A timeout, then an old answer: old. */
	apply_round_begin(wd.m, w);
	sample_of(&wd, w, 0, 0, -1, NOW + 9300);
	sample_of(&wd, w, 0, 0, TW_OLD, NOW + 9301);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 9302);
	sample_of(&wd, w, 0, 0, TW_NEW, NOW + 9303);
	assert_int_equal(cs->state, CS_OLD);

	/* Every sample failed: error, recorded at the last. */
	apply_round_begin(wd.m, w);
	sample_of(&wd, w, 0, 0, -1, NOW + 9600);
	apply_unsent(wd.m, w, 0, 0, NOW + 9600);
	sample_of(&wd, w, 0, 0, -1, NOW + 9601);
	assert_int_equal(cs->state, CS_OLD);
	sample_of(&wd, w, 0, 0, -1, NOW + 9602);
	assert_int_equal(cs->state, CS_ERROR);
	assert_int_equal(cs->answered_at, NOW + 9602);
	finish(&wd, &j);
}

static void
server_at(struct target *t, enum target_kind kind, const char *host,
    const char *ip, uint16_t flags)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	assert_int_equal(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	target_server(t, kind, host, (const struct sockaddr *)&sin,
	    sizeof(sin), flags);
}

/* A watch's own targets: the servers found for its domain sit in the
 * model's table once however many domains found them, after the
 * resolvers, asked without RD; their answers go to their own states,
 * not to any resolver's health or verdict. */
static void
test_own_targets(void **state)
{
	struct world		 wd;
	struct watch		*w, *w2;
	struct judge		 j;
	struct target		 t;
	struct observation	 o;
	size_t			 ta, tb, slot, slot2;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, extra, "[domain example.co.jp]\n"
	    "ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com\n"
	    "mx = 10 mx.new.example\n"
	    "[domain example.jp]\n"
	    "ns = hns0.dns.nifcloud.com\n"
	    "mx = 10 mx.new.example\n", false);
	w = tw_watch(&wd, "example.co.jp.");
	w2 = tw_watch(&wd, "example.jp.");
	assert_int_equal(wd.m->ntargets, 2);
	assert_int_equal(watch_ntargets(wd.m, w), 2);
	assert_int_equal(watch_target(wd.m, w, 1)->kind, TK_RESOLVER);
	assert_true(watch_target(wd.m, w, 1)->flags & TARGET_RD);

	/* a.dns.jp serves both domains' parent: one entry, two watches. */
	server_at(&t, TK_PARENT, "a.dns.jp.", "192.0.2.53", TARGET_RD);
	ta = model_intern_target(wd.m, &t);
	assert_int_equal(ta, 2);
	assert_int_equal(model_intern_target(wd.m, &t), ta);
	target_free(&t);
	/* The same address asked as the new provider's server, with DO, is
	 * another target. */
	server_at(&t, TK_NEW_AUTH, "hns0.dns.nifcloud.com.", "192.0.2.53",
	    TARGET_DO);
	tb = model_intern_target(wd.m, &t);
	assert_int_equal(tb, 3);
	target_free(&t);
	assert_int_equal(wd.m->ntargets, 4);
	assert_false(wd.m->targets[ta].flags & TARGET_RD);
	assert_string_equal(wd.m->targets[ta].host, "a.dns.jp.");
	assert_string_equal(target_kind_name(wd.m->targets[tb].kind),
	    "new-auth");

	slot = watch_add_target(wd.m, w, ta);
	assert_int_equal(slot, 2);
	assert_int_equal(watch_add_target(wd.m, w, ta), slot);
	assert_int_equal(watch_add_target(wd.m, w, tb), 3);
	slot2 = watch_add_target(wd.m, w2, ta);
	assert_int_equal(slot2, 2);
	assert_int_equal(watch_ntargets(wd.m, w), 4);
	assert_ptr_equal(watch_target(wd.m, w, 2), &wd.m->targets[ta]);
	assert_ptr_equal(watch_target(wd.m, w2, 2), &wd.m->targets[ta]);
	assert_int_equal(watch_tstate(wd.m, w, 3, 1)->state, CS_PENDING);

	/* The parent server answers other NS: its state, nothing else. */
	apply_round_begin(wd.m, w);
	tw_answer_all(&wd, w, 0, TW_NEW, 300, NOW);
	tw_answer_all(&wd, w, 1, TW_NEW, 300, NOW);
	tw_answer_of(&o, &w->dc->checks[0], TW_OTHER, LDNS_RCODE_NOERROR);
	apply_observation(wd.m, w, slot, 0, &o, NOW);
	rdset_free(&o.answer.rdata);
	apply_unsent(wd.m, w, 3, 1, NOW);
	assert_int_equal(watch_tstate(wd.m, w, slot, 0)->state, CS_OTHER);
	assert_int_equal(watch_tstate(wd.m, w, 3, 1)->state, CS_ERROR);
	assert_int_equal(watch_tstate(wd.m, w2, 2, 0)->state, CS_PENDING);
	assert_int_equal(wd.m->health[0].queries, 2);
	assert_int_equal(wd.m->health[1].queries, 2);
	judge_round(&j, wd.m, w, NOW, 1);
	assert_int_equal(w->rv[0].state, RS_NEW);
	assert_int_equal(w->rv[1].state, RS_NEW);
	assert_int_equal(w->state, DS_COMPLETE);
	/* A new round starts their samples afresh too. */
	watch_tstate(wd.m, w, slot, 0)->sampled = 1;
	apply_round_begin(wd.m, w);
	assert_int_equal(watch_tstate(wd.m, w, slot, 0)->sampled, 0);
	finish(&wd, &j);
}

/* A parent server's referral: no answer records, the delegation in the
 * authority section with its own TTL. */
static void
referral(struct world *wd, struct watch *w, size_t slot, enum tw_which set,
    uint8_t rcode, time_t now)
{
	struct observation	o;

	tw_answer_of(&o, &w->dc->checks[0], set, rcode);
	o.answer.auth_ns = o.answer.rdata;
	memset(&o.answer.rdata, 0, sizeof(o.answer.rdata));
	o.answer.auth_ns_ttl = 86400;
	apply_observation(wd->m, w, slot, 0, &o, now);
	rdset_free(&o.answer.auth_ns);
}

static size_t
parent_at(struct world *wd, const char *host, const char *ip)
{
	struct target	t;
	size_t		i;

	server_at(&t, TK_PARENT, host, ip, 0);
	i = model_intern_target(wd->m, &t);
	target_free(&t);
	return i;
}

/* The parent's view comes from its servers' referrals: old, mixed while
 * they disagree, new when every one delegates to the new nameservers,
 * which raises the registry event once, with the referral's TTL.  A
 * server that fails is shown but does not hide the others' view. */
static void
test_parent_view(void **state)
{
	struct world		 wd;
	struct watch		*w;
	struct judge		 j;
	struct observation	 o;
	struct nmig_event	*e;
	struct target		 tg;
	size_t			 t[3], pa, pb, tn;
	uint8_t			 ds[] = { 0x30, 0x39, 8, 2, 0xaa, 0xbb };

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, extra, domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	t[0] = parent_at(&wd, "a.dns.jp.", "192.0.2.53");
	t[1] = parent_at(&wd, "b.dns.jp.", "192.0.2.54");
	watch_set_targets(wd.m, w, TK_PARENT, t, 2);
	pa = 2;
	pb = 3;
	assert_int_equal(watch_ntargets(wd.m, w), 4);
	assert_int_equal(w->parent_state, PS_PENDING);

	referral(&wd, w, pa, TW_OLD, LDNS_RCODE_NOERROR, NOW);
	referral(&wd, w, pb, TW_OLD, LDNS_RCODE_NOERROR, NOW);
	judge_round(&j, wd.m, w, NOW, 2);
	assert_int_equal(watch_tstate(wd.m, w, pa, 0)->state, CS_OLD);
	assert_int_equal(watch_tstate(wd.m, w, pa, 0)->ttl, 86400);
	assert_int_equal(w->parent_state, PS_OLD);
	assert_int_equal(w->parent_since, NOW);
	assert_int_equal(j.events.n, 0);

	referral(&wd, w, pa, TW_NEW, LDNS_RCODE_NOERROR, NOW + 60);
	judge_round(&j, wd.m, w, NOW + 60, 2);
	assert_int_equal(w->parent_state, PS_MIXED);
	assert_int_equal(w->parent_switched_at, 0);
	assert_int_equal(j.events.n, 0);

	/* One server fails: the other's view stands, but not the switch. */
	referral(&wd, w, pb, TW_EMPTY, LDNS_RCODE_SERVFAIL, NOW + 120);
	judge_round(&j, wd.m, w, NOW + 120, 2);
	assert_int_equal(w->parent_state, PS_NEW);
	assert_int_equal(w->parent_switched_at, 0);

	referral(&wd, w, pb, TW_NEW, LDNS_RCODE_NOERROR, NOW + 180);
	judge_round(&j, wd.m, w, NOW + 180, 2);
	assert_int_equal(w->parent_state, PS_NEW);
	assert_int_equal(w->parent_since, NOW + 120);
	assert_int_equal(w->parent_switched_at, NOW + 180);
	assert_int_equal(w->parent_ttl, 86400);
	assert_int_equal(j.events.n, 1);
	e = &j.events.v[0];
	assert_string_equal(e->je.message_id, MSGID_PARENT_SWITCHED);
	assert_int_equal(e->je.priority, 5);
	assert_string_equal(e->message, "registry delegation for "
	    "example.co.jp now points at the new nameservers");
	assert_int_equal(e->nfields, 1);
	assert_string_equal(e->fields[0], "NMIGD_PARENT_TTL=86400");
	/* Once: the switch latches, a rollback shows only in the view. */
	judge_round(&j, wd.m, w, NOW + 240, 2);
	assert_int_equal(j.events.n, 0);
	referral(&wd, w, pa, TW_OLD, LDNS_RCODE_NOERROR, NOW + 300);
	referral(&wd, w, pb, TW_OLD, LDNS_RCODE_NOERROR, NOW + 300);
	judge_round(&j, wd.m, w, NOW + 300, 2);
	assert_int_equal(w->parent_state, PS_OLD);
	assert_int_equal(w->parent_switched_at, NOW + 180);
	assert_int_equal(j.events.n, 0);
	/* Nothing of this reaches the resolvers. */
	assert_int_equal(watch_cstate(w, 0, 0)->state, CS_PENDING);
	assert_int_equal(wd.m->health[0].queries, 0);

	/* The DS set is kept as found; none is NODATA. */
	tw_answer_of(&o, &w->dc->checks[0], TW_EMPTY, LDNS_RCODE_NOERROR);
	rdset_add(&o.answer.rdata, ds, sizeof(ds));
	apply_observation(wd.m, w, pa, w->dc->nchecks + OQ_DS, &o, NOW);
	rdset_free(&o.answer.rdata);
	assert_int_equal(watch_tstate(wd.m, w, pa, w->dc->nchecks +
	    OQ_DS)->state, CS_OTHER);
	assert_int_equal(watch_tstate(wd.m, w, pa, w->dc->nchecks +
	    OQ_DS)->other->n, 1);
	tw_answer_of(&o, &w->dc->checks[0], TW_EMPTY, LDNS_RCODE_NOERROR);
	apply_observation(wd.m, w, pb, w->dc->nchecks + OQ_DS, &o, NOW);
	assert_int_equal(watch_tstate(wd.m, w, pb, w->dc->nchecks +
	    OQ_DS)->state, CS_NODATA);

	/* New servers for the zone: b stays with its states, a goes, c
	 * comes pending; other kinds of target stay where they were. */
	server_at(&tg, TK_NEW_AUTH, "hns0.dns.nifcloud.com.", "192.0.2.80",
	    0);
	tn = model_intern_target(wd.m, &tg);
	target_free(&tg);
	assert_int_equal(watch_add_target(wd.m, w, tn), 4);
	t[0] = t[1];
	t[1] = parent_at(&wd, "c.dns.jp.", "192.0.2.55");
	watch_set_targets(wd.m, w, TK_PARENT, t, 2);
	assert_int_equal(watch_ntargets(wd.m, w), 5);
	assert_string_equal(watch_target(wd.m, w, 2)->host, "b.dns.jp.");
	assert_int_equal(watch_tstate(wd.m, w, 2, 0)->state, CS_OLD);
	assert_int_equal(watch_tstate(wd.m, w, 2, w->dc->nchecks +
	    OQ_DS)->state, CS_NODATA);
	assert_int_equal(watch_target(wd.m, w, 3)->kind, TK_NEW_AUTH);
	assert_string_equal(watch_target(wd.m, w, 4)->host, "c.dns.jp.");
	assert_int_equal(watch_tstate(wd.m, w, 4, 0)->state, CS_PENDING);
	/* A zone with no servers left takes them all away. */
	watch_set_targets(wd.m, w, TK_PARENT, NULL, 0);
	assert_int_equal(watch_ntargets(wd.m, w), 3);
	assert_int_equal(watch_target(wd.m, w, 2)->kind, TK_NEW_AUTH);
	finish(&wd, &j);
}

/* A resolver unreachable for domains is said once for the resolver,
 * with how many, and once when it answers for every one again. */
static void
test_reach(void **state)
{
	struct world		 wd;
	struct reach_change	 c[2];
	size_t			 r, i;

	tw_load(&wd, TW_TWO_RESOLVERS, "", TW_EXAMPLE_DOMAIN
	    "[domain b.example]\nns = ns1.b.example\nmx = none\n"
	    "[domain c.example]\nns = ns1.c.example\nmx = none\n", false);
	r = tw_resolver(&wd, "r1");
	assert_int_equal(reach_changes(wd.m, c), 0);
	wd.m->w[0].rv[r].state = RS_UNREACHABLE;
	wd.m->w[0].rv[r].fail_since = 2000;
	wd.m->w[2].rv[r].state = RS_UNREACHABLE;
	wd.m->w[2].rv[r].fail_since = 1000;
	assert_int_equal(reach_changes(wd.m, c), 1);
	assert_int_equal(c[0].resolver, r);
	assert_true(c[0].unreachable);
	assert_int_equal(c[0].domains, 2);
	assert_int_equal(c[0].total, 3);
	assert_int_equal(c[0].since, 1000);
	/* Said: not again, however many more domains follow. */
	assert_int_equal(reach_changes(wd.m, c), 0);
	wd.m->w[1].rv[r].state = RS_UNREACHABLE;
	assert_int_equal(reach_changes(wd.m, c), 0);
	/* One domain back is not the resolver back. */
	wd.m->w[1].rv[r].state = RS_NEW;
	assert_int_equal(reach_changes(wd.m, c), 0);
	for (i = 0; i < 3; i++)
		wd.m->w[i].rv[r].state = RS_NEW;
	assert_int_equal(reach_changes(wd.m, c), 1);
	assert_false(c[0].unreachable);
	assert_int_equal(c[0].domains, 2);
	assert_int_equal(reach_changes(wd.m, c), 0);
	tw_free(&wd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observation_states),
		cmocka_unit_test(test_switch_complete_regress),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_reach),
		cmocka_unit_test(test_many_events),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_samples_failed),
		cmocka_unit_test(test_own_targets),
		cmocka_unit_test(test_parent_view),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
