/*
 * lib/learn.c through lib/apply.c's judging: "mx = auto" and "record =
 * ... auto" learned from the new name servers when they agree, the
 * resolvers' answers of that round judged against it; a different set
 * taken only after confirm rounds, with the migration started afresh;
 * "old-ns = auto" and "old-mx = auto" snapshotted once from the parent
 * and the old servers; a reload keeping what was learned.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include <ldns/ldns.h>

#include "apply.h"
#include "carry.h"
#include "learn.h"
#include "outbox.h"
#include "persist.h"
#include "rdata.h"
#include "status.h"
#include "testworld.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

static const char resolvers[] = TW_TWO_RESOLVERS;
static const char domain[] =
    "[domain example.co.jp]\n"
    "ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com\n"
    "old-ns = auto\n"
    "mx = auto\n"
    "old-mx = auto\n"
    "record = pop A auto\n";

static int
group_setup(void **state)
{
	return tw_setup("test-learn");
}

static int
group_teardown(void **state)
{
	return tw_cleanup();
}

/* slot answers check k with the records of text ("a|b"; "" for none),
 * with authority unless it is a parent's referral. */
static void
answer(struct world *wd, struct watch *w, size_t slot, size_t k,
    const char *text)
{
	const struct check_conf	*c = watch_check(w, k);
	struct observation	 o;
	uint8_t			 rd[RDATA_MAX];
	char			 copy[256], err[128], *item, *last;
	int			 len;

	memset(&o, 0, sizeof(o));
	o.status = OBS_ANSWER;
	o.answer.aa = watch_target(wd->m, w, slot)->kind != TK_PARENT &&
	    slot >= wd->m->resolvers->n;
	o.answer.ttl = 300;
	snprintf(copy, sizeof(copy), "%s", text);
	for (item = strtok_r(copy, "|", &last); item != NULL;
	    item = strtok_r(NULL, "|", &last)) {
		len = rdata_parse(c->owner, c->type, item, rd, err,
		    sizeof(err));
		assert_true(len > 0);
		rdset_add(&o.answer.rdata, rd, (size_t)len);
	}
	if (watch_target(wd->m, w, slot)->kind == TK_PARENT) {
		/* A referral: the NS set in the authority section. */
		o.answer.auth_ns = o.answer.rdata;
		memset(&o.answer.rdata, 0, sizeof(o.answer.rdata));
		o.answer.auth_ns_ttl = 300;
	}
	apply_observation(wd->m, w, slot, k, &o, NOW);
	rdset_free(&o.answer.rdata);
	rdset_free(&o.answer.auth_ns);
}

static const char *
values(const struct rdset *set, uint16_t type, char *buf, size_t len)
{
	json_t	*a = status_rdata_json(set, type);
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; i < json_array_size(a); i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i > 0 ? "|" : "", json_string_value(json_array_get(a, i)));
	json_decref(a);
	return buf;
}

#define MX_NEW	"10 mx01.example.co.jp.|10 mx02.example.co.jp."
#define MX_OLD	"10 mail.oldhost.ne.jp."

static void
test_learn_expected(void **state)
{
	struct world	 wd;
	struct watch	*w;
	struct judge	 j;
	size_t		 a, b;
	char		 buf[256];

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 2\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	a = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns0.dns.nifcloud.com.", "192.0.2.5");
	b = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns1.dns.nifcloud.com.", "192.0.2.6");

	/* Nothing answered yet: waiting, nothing learned, nothing new. */
	judge_round(&j, wd.m, w, NOW, 2);
	assert_int_equal(w->learned[1].why, LW_WAITING);
	assert_int_equal(w->learned[1].at, 0);

	/* The servers disagree: nothing is learned. */
	answer(&wd, w, a, 1, MX_NEW);
	answer(&wd, w, b, 1, "10 mx01.example.co.jp.");
	judge_round(&j, wd.m, w, NOW + 60, 2);
	assert_int_equal(w->learned[1].why, LW_DISAGREE);
	assert_int_equal(w->learned[1].at, 0);
	/* One has none: as much a disagreement. */
	answer(&wd, w, b, 1, "");
	judge_round(&j, wd.m, w, NOW + 120, 2);
	assert_int_equal(w->learned[1].why, LW_DISAGREE);
	answer(&wd, w, a, 1, "");
	judge_round(&j, wd.m, w, NOW + 180, 2);
	assert_int_equal(w->learned[1].why, LW_EMPTY);

	/* They agree: learned at once, and a resolver that gave the same
	 * records in that round is new, not "other". */
	answer(&wd, w, a, 1, MX_NEW);
	answer(&wd, w, b, 1, MX_NEW);
	answer(&wd, w, 0, 1, MX_NEW);
	answer(&wd, w, 1, 1, MX_OLD);
	judge_round(&j, wd.m, w, NOW + 240, 2);
	assert_int_equal(w->learned[1].why, LW_OK);
	assert_int_equal(w->learned[1].at, NOW + 240);
	assert_string_equal(values(&watch_check(w, 1)->expect, 15, buf,
	    sizeof(buf)), MX_NEW);
	assert_int_equal(watch_cstate(w, 0, 1)->state, CS_NEW);
	assert_int_equal(watch_cstate(w, 1, 1)->state, CS_OTHER);
	/* The config's set is untouched: another domain may share it. */
	assert_int_equal(w->dc->checks[1].expect.n, 0);
	judge_free(&j);
	tw_free(&wd);
}

/* Every check of every resolver and new server answers the new records. */
static void
all_new(struct world *wd, struct watch *w, size_t a, size_t b)
{
	size_t	r;

	for (r = 0; r < 2; r++) {
		answer(wd, w, r, 0, "hns0.dns.nifcloud.com.|"
		    "hns1.dns.nifcloud.com.");
		answer(wd, w, r, 2, "203.0.113.110");
	}
	answer(wd, w, a, 2, "203.0.113.110");
	answer(wd, w, b, 2, "203.0.113.110");
}

static void
test_relearn(void **state)
{
	struct world	 wd;
	struct watch	*w;
	struct judge	 j;
	size_t		 a, b, r;
	time_t		 t = NOW;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 2\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	a = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns0.dns.nifcloud.com.", "192.0.2.5");
	b = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns1.dns.nifcloud.com.", "192.0.2.6");
	for (; w->state != DS_COMPLETE && t < NOW + 600; t += 60) {
		all_new(&wd, w, a, b);
		answer(&wd, w, a, 1, MX_NEW);
		answer(&wd, w, b, 1, MX_NEW);
		for (r = 0; r < 2; r++)
			answer(&wd, w, r, 1, MX_NEW);
		judge_round(&j, wd.m, w, t, 2);
	}
	assert_int_equal(w->state, DS_COMPLETE);
	assert_int_not_equal(w->complete_at, 0);

	/* One round of another MX set: a zone being edited, not taken. */
	answer(&wd, w, a, 1, MX_NEW "|20 mx03.example.co.jp.");
	answer(&wd, w, b, 1, MX_NEW "|20 mx03.example.co.jp.");
	judge_round(&j, wd.m, w, t, 2);
	assert_int_equal(w->learned[1].why, LW_CHANGING);
	assert_int_equal(watch_check(w, 1)->expect.n, 2);
	assert_int_equal(w->state, DS_COMPLETE);
	/* Back to the set learned: the count starts again. */
	answer(&wd, w, a, 1, MX_NEW);
	answer(&wd, w, b, 1, MX_NEW);
	judge_round(&j, wd.m, w, t += 60, 2);
	assert_int_equal(w->learned[1].why, LW_OK);
	answer(&wd, w, a, 1, MX_NEW "|20 mx03.example.co.jp.");
	answer(&wd, w, b, 1, MX_NEW "|20 mx03.example.co.jp.");
	judge_round(&j, wd.m, w, t += 60, 2);
	assert_int_equal(w->learned[1].why, LW_CHANGING);
	/* Kept to for confirm rounds: learned, and the migration starts
	 * afresh, the resolvers with the two records now "other". */
	judge_round(&j, wd.m, w, t += 60, 2);
	assert_int_equal(w->learned[1].why, LW_OK);
	assert_int_equal(w->learned[1].at, t);
	assert_int_equal(watch_check(w, 1)->expect.n, 3);
	assert_int_equal(w->complete_at, 0);
	assert_int_not_equal(w->state, DS_COMPLETE);
	assert_false(w->rv[0].switched);
	assert_int_equal(watch_cstate(w, 0, 1)->state, CS_OTHER);
	assert_true(w->learned[1].dirty);
	judge_free(&j);
	tw_free(&wd);
}

static void
test_learn_old(void **state)
{
	struct world	 wd;
	struct watch	*w;
	struct judge	 j;
	size_t		 p, o1, o2, a;
	char		 buf[256];

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 2\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	p = tw_server(&wd, w, TK_PARENT, "a.dns.jp.", "192.0.2.2");
	a = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns0.dns.nifcloud.com.", "192.0.2.5");
	/* The resolvers give the old NS before the snapshot: "other". */
	answer(&wd, w, 0, 0, "ns1.oldhost.ne.jp.|ns2.oldhost.ne.jp.");
	assert_int_equal(watch_cstate(w, 0, 0)->state, CS_OTHER);
	answer(&wd, w, p, 0, "ns1.oldhost.ne.jp.|ns2.oldhost.ne.jp.");
	judge_round(&j, wd.m, w, NOW, 2);
	assert_int_equal(w->learned[0].old_at, NOW);
	assert_string_equal(values(&watch_check(w, 0)->old, 2, buf,
	    sizeof(buf)), "ns1.oldhost.ne.jp.|ns2.oldhost.ne.jp.");
	/* ... then "old", as if the operator had written it. */
	assert_int_equal(watch_cstate(w, 0, 0)->state, CS_OLD);

	/* old-mx waits for the new MX, to tell "the same" from "old". */
	o1 = tw_server(&wd, w, TK_OLD_AUTH, "ns1.oldhost.ne.jp.", "192.0.2.3");
	o2 = tw_server(&wd, w, TK_OLD_AUTH, "ns2.oldhost.ne.jp.", "192.0.2.4");
	answer(&wd, w, o1, 1, MX_OLD);
	answer(&wd, w, o2, 1, MX_OLD);
	judge_round(&j, wd.m, w, NOW + 60, 2);
	assert_int_equal(w->learned[1].old_why, LW_WAITING);
	assert_int_equal(w->learned[1].old_at, 0);
	answer(&wd, w, a, 1, MX_NEW);
	judge_round(&j, wd.m, w, NOW + 120, 2);
	assert_int_equal(w->learned[1].old_at, NOW + 120);
	assert_string_equal(values(&watch_check(w, 1)->old, 15, buf,
	    sizeof(buf)), MX_OLD);

	/* A snapshot: the parent's switch later changes nothing. */
	answer(&wd, w, p, 0, "hns0.dns.nifcloud.com.|hns1.dns.nifcloud.com.");
	judge_round(&j, wd.m, w, NOW + 180, 2);
	assert_int_equal(w->learned[0].old_at, NOW);
	assert_int_equal(watch_check(w, 0)->old.n, 2);
	judge_free(&j);
	tw_free(&wd);
}

/* A domain first watched after the parent switched: nothing is old, and
 * the old MX then has no servers to come from. */
static void
test_old_already_new(void **state)
{
	struct world	 wd;
	struct watch	*w;
	struct judge	 j;
	size_t		 p, a;

	memset(&j, 0, sizeof(j));
	tw_load(&wd, resolvers, "confirm = 2\n", domain, false);
	w = tw_watch(&wd, "example.co.jp.");
	p = tw_server(&wd, w, TK_PARENT, "a.dns.jp.", "192.0.2.2");
	a = tw_server(&wd, w, TK_NEW_AUTH,
	    "hns0.dns.nifcloud.com.", "192.0.2.5");
	answer(&wd, w, p, 0, "hns0.dns.nifcloud.com.|hns1.dns.nifcloud.com.");
	answer(&wd, w, a, 1, MX_NEW);
	judge_round(&j, wd.m, w, NOW, 2);
	assert_int_equal(w->learned[0].old_why, LW_SAME);
	assert_int_equal(w->learned[0].old_at, NOW);
	assert_int_equal(watch_check(w, 0)->old.n, 0);
	assert_int_equal(w->learned[1].old_why, LW_NO_SERVERS);
	assert_int_equal(w->learned[1].old_at, NOW);
	judge_free(&j);
	tw_free(&wd);
}

/* A reload keeps what was learned; an old set the operator gave before
 * "auto" is the snapshot; a set now given is the config's. */
static void
test_carry(void **state)
{
	static const char given[] =
	    "[domain example.co.jp]\n"
	    "ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com\n"
	    "old-ns = ns1.oldhost.ne.jp\n"
	    "mx = auto\n"
	    "record = pop A 203.0.113.110\n";
	static const char learning[] =
	    "[domain example.co.jp]\n"
	    "ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com\n"
	    "old-ns = auto\n"
	    "mx = auto\n"
	    "record = pop A auto\n";
	struct world	 o, n;
	struct watch	*w, *ow;
	struct judge	 j;
	size_t		 a;

	memset(&j, 0, sizeof(j));
	tw_load(&o, resolvers, "confirm = 2\n", given, false);
	ow = tw_watch(&o, "example.co.jp.");
	a = tw_server(&o, ow, TK_NEW_AUTH,
	    "hns0.dns.nifcloud.com.", "192.0.2.5");
	answer(&o, ow, a, 1, MX_NEW);
	judge_round(&j, o.m, ow, NOW, 2);
	assert_int_equal(ow->learned[1].at, NOW);

	tw_load(&n, resolvers, "confirm = 2\n", learning, true);
	assert_int_equal(carry_over(n.m, o.m, NULL, NULL, NOW + 60), 0);
	w = tw_watch(&n, "example.co.jp.");
	assert_int_equal(w->learned[1].at, NOW);
	assert_int_equal(watch_check(w, 1)->expect.n, 2);
	assert_int_equal(w->learned[0].old_at, NOW + 60);
	assert_int_equal(watch_check(w, 0)->old.n, 1);
	/* pop was given and is now learned: what was given stands until
	 * the new servers agree on something else. */
	assert_int_equal(w->learned[2].at, NOW + 60);
	assert_int_equal(watch_check(w, 2)->expect.n, 1);
	assert_true(w->learned[2].dirty);
	assert_int_equal(w->state, ow->state);
	judge_free(&j);
	tw_free(&o);
	tw_free(&n);
}

/* Learned sets through the database: written when learned, read back
 * into a new model; a set the config now gives is forgotten there, so
 * that "auto" again learns afresh. */
static void
test_persist(void **state)
{
	static const char given[] =
	    "[domain example.co.jp]\n"
	    "ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com\n"
	    "old-ns = auto\n"
	    "mx = 10 mx01.example.co.jp\n";
	struct world	 wd, again;
	struct store	*st;
	struct outbox	*ob;
	struct watch	*w;
	struct judge	 j;
	size_t		 a, p;

	memset(&j, 0, sizeof(j));
	st = tw_store_fresh();
	tw_load(&wd, resolvers, "confirm = 2\n", domain, false);
	assert_int_equal(persist_load(wd.m, st, NOW), 0);
	ob = outbox_new(st);
	w = tw_watch(&wd, "example.co.jp.");
	a = tw_server(&wd, w, TK_NEW_AUTH, "hns0.dns.nifcloud.com.",
	    "192.0.2.5");
	p = tw_server(&wd, w, TK_PARENT, "a.dns.jp.", "192.0.2.2");
	answer(&wd, w, a, 1, MX_NEW);
	answer(&wd, w, p, 0, "ns1.oldhost.ne.jp.");
	judge_round(&j, wd.m, w, NOW, 2);
	outbox_round(ob, w, wd.m, &j, NOW);
	assert_int_equal(outbox_flush(ob, wd.m, 0, NOW), 0);
	assert_false(w->learned[1].dirty);
	outbox_free(ob);

	tw_load(&again, resolvers, "confirm = 2\n", domain, false);
	assert_int_equal(persist_load(again.m, st, NOW + 60), 0);
	w = tw_watch(&again, "example.co.jp.");
	assert_int_equal(w->learned[1].at, NOW);
	assert_int_equal(watch_check(w, 1)->expect.n, 2);
	assert_int_equal(w->learned[0].old_at, NOW);
	assert_int_equal(watch_check(w, 0)->old.n, 1);
	assert_int_equal(w->learned[1].old_at, 0);	/* not yet */
	tw_free(&again);

	/* mx given: forgotten; auto again learns afresh. */
	tw_load(&again, resolvers, "confirm = 2\n", given, false);
	assert_int_equal(persist_load(again.m, st, NOW + 120), 0);
	tw_free(&again);
	tw_load(&again, resolvers, "confirm = 2\n", domain, false);
	assert_int_equal(persist_load(again.m, st, NOW + 180), 0);
	w = tw_watch(&again, "example.co.jp.");
	assert_int_equal(w->learned[1].at, 0);
	assert_int_equal(watch_check(w, 1)->expect.n, 0);
	assert_int_equal(w->learned[0].old_at, NOW);
	tw_free(&again);
	judge_free(&j);
	tw_free(&wd);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_expected),
		cmocka_unit_test(test_relearn),
		cmocka_unit_test(test_learn_old),
		cmocka_unit_test(test_old_already_new),
		cmocka_unit_test(test_carry),
		cmocka_unit_test(test_persist),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
