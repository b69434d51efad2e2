/*
 * lib/carry.c: what a reload keeps.  Domains and resolvers that stay keep
 * their state (an unchanged domain by taking its arrays), new ones start
 * from the database or pending, a resolver that moved starts afresh, an
 * answer is judged again when its check's records changed, and a reload
 * whose database work fails leaves the old model as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <ldns/ldns.h>
#include <sqlite3.h>

#include "carry.h"
#include "config.h"
#include "model.h"
#include "rdata.h"
#include "resolvers.h"
#include "store.h"
#include "testworld.h"
#include "util.h"

#define NOW	1795737600	/* 2026-11-27T00:00:00Z */

static int
group_setup(void **state)
{
	return tw_setup("test-carry");
}

static int
group_teardown(void **state)
{
	return tw_cleanup();
}

static size_t
check_of(const struct watch *w, uint16_t type)
{
	size_t	k;

	for (k = 0; k < w->dc->nchecks; k++)
		if (w->dc->checks[k].type == type)
			return k;
	fail_msg("no check of type %u in %s", type, w->dc->name);
	return 0;
}

/* A resolver's verdict and answers for one domain, recognisable by seed. */
static void
mark(struct watch *w, size_t r, unsigned seed)
{
	struct cstate	*cs;
	size_t		 k;

	w->rv[r].state = RS_NEW;
	w->rv[r].streak = (uint8_t)seed;
	w->rv[r].switched = true;
	w->rv[r].since = NOW - seed;
	w->rv[r].last_checked = NOW;
	for (k = 0; k < w->dc->nchecks; k++) {
		cs = watch_cstate(w, r, k);
		cs->state = CS_NEW;
		cs->rcode = 0;
		cs->ttl = seed * 10 + (uint32_t)k;
		cs->rtt_ms = (uint16_t)seed;
		cs->answered_at = NOW - seed;
	}
}

static void
assert_marked(const struct watch *w, size_t r, unsigned seed)
{
	size_t	k;

	assert_int_equal(w->rv[r].streak, seed);
	assert_int_equal(w->rv[r].since, NOW - seed);
	for (k = 0; k < w->dc->nchecks; k++) {
		assert_int_equal(watch_cstate(w, r, k)->state, CS_NEW);
		assert_int_equal(watch_cstate(w, r, k)->ttl,
		    seed * 10 + (uint32_t)k);
	}
}

static void
assert_pending(const struct watch *w, size_t r)
{
	size_t	k;

	assert_int_equal(w->rv[r].state, RS_PENDING);
	assert_int_equal(w->rv[r].streak, 0);
	for (k = 0; k < w->dc->nchecks; k++)
		assert_int_equal(watch_cstate(w, r, k)->answered_at, 0);
}

/* A set of one record, parsed as the config would. */
static void
one_record(struct rdset *set, uint16_t type, const char *text)
{
	uint8_t	rd[RDATA_MAX];
	char	err[256];
	int	len;

	memset(set, 0, sizeof(*set));
	len = rdata_parse("example.", type, text, rd, err, sizeof(err));
	assert_true(len > 0);
	assert_int_equal(rdset_add(set, rd, (size_t)len), 0);
}

static const char res2[] =
    "r0 127.0.0.1 loopback\n"
    "r1 127.0.0.2 loopback\n";

static const char doms123[] =
    "[domain d1.example]\nns = ns1.new.example\nmx = 10 mx.new.example\n"
    "[domain d2.example]\nns = ns1.new.example\nmx = 10 mx.new.example\n"
    "[domain d3.example]\nns = ns1.new.example\nmx = 10 mx.new.example\n";

/* The same config again: every domain takes its arrays, nothing is
 * copied, every value is where it was. */
static void
test_unchanged_takes_arrays(void **state)
{
	struct world	 old, nw;
	struct watch	*ow, *w;
	struct cstate	*cs_before;
	struct rdset	 set;
	size_t		 i;

	tw_load(&old, res2, NULL, doms123, false);
	tw_load(&nw, res2, NULL, doms123, true);
	for (i = 0; i < old.m->nw; i++) {
		mark(&old.m->w[i], 0, 3 + (unsigned)i);
		mark(&old.m->w[i], 1, 7 + (unsigned)i);
	}
	ow = tw_watch(&old, "d2.example.");
	ow->state = DS_PROPAGATING;
	ow->since = NOW - 99;
	one_record(&set, LDNS_RR_TYPE_NS, "ns9.other.example.");
	watch_cstate(ow, 1, 0)->state = CS_OTHER;
	cstate_set_other(watch_cstate(ow, 1, 0), &set);
	cs_before = ow->cs;
	old.m->health[1].answers = 42;

	assert_int_equal(carry_over(nw.m, old.m, NULL, NULL, NOW), 0);
	for (i = 0; i < old.m->nw; i++)
		assert_true(carry_taken(&old.m->w[i]));
	w = tw_watch(&nw, "d2.example.");
	assert_ptr_equal(w->cs, cs_before);
	assert_int_equal(w->state, DS_PROPAGATING);
	assert_int_equal(w->since, NOW - 99);
	assert_marked(w, 0, 4);
	assert_int_equal(watch_cstate(w, 1, 0)->state, CS_OTHER);
	assert_true(rdset_equal(cstate_rdata(watch_cstate(w, 1, 0),
	    &w->dc->checks[0]), &set));
	assert_marked(tw_watch(&nw, "d1.example."), 1, 7);
	assert_marked(tw_watch(&nw, "d3.example."), 0, 5);
	assert_int_equal(nw.m->health[1].answers, 42);
	rdset_free(&set);
	tw_free(&old);	/* frees nothing of what nw took */
	tw_free(&nw);
}

/* Domain d4's state as an earlier run left it in the database: complete,
 * r1 switched, r1's NS answer new. */
static void
store_d4(struct store *s, const struct world *wd)
{
	struct domain_row	 drow = { DS_COMPLETE, NOW - 500, NOW - 400 };
	struct rverdict		 v;
	struct answer_row	 row;
	int64_t			 did, cid, rid;
	uint8_t			*blob;
	const struct watch	*w = tw_watch(wd, "d4.example.");

	assert_int_equal(store_begin(s), 0);
	assert_true((rid = store_resolver_id(s, &wd->rl.v[tw_resolver(wd, "r1")],
	    NULL)) > 0);
	assert_true((did = store_domain_id(s, "d4.example.")) > 0);
	assert_true((cid = store_check_id(s, did, w->dc->checks[0].owner,
	    LDNS_RR_TYPE_NS)) > 0);
	assert_int_equal(store_save_domain(s, did, &drow), 0);
	memset(&v, 0, sizeof(v));
	v.state = RS_NEW;
	v.switched = true;
	v.streak = 2;
	v.since = NOW - 450;
	v.last_checked = NOW - 10;
	assert_int_equal(store_save_rverdict(s, did, rid, &v), 0);
	memset(&row, 0, sizeof(row));
	row.state = CS_NEW;
	row.ttl = 3600;
	row.rdata = "ns1.new.example.";
	row.wirelen = rdset_blob(&w->dc->checks[0].expect, &blob);
	row.wire = blob;
	row.when = NOW - 10;
	row.rtt_ms = 12;
	assert_int_equal(store_record_answer(s, cid, rid, &row), 0);
	free(blob);
	assert_int_equal(store_commit(s), 0);
}

/* d1 leaves, d4 arrives with what the database knew about it, d2 and d3
 * keep their state. */
static void
test_domains_added_and_dropped(void **state)
{
	static const char doms234[] =
	    "[domain d2.example]\nns = ns1.new.example\n"
	    "mx = 10 mx.new.example\n"
	    "[domain d3.example]\nns = ns1.new.example\n"
	    "mx = 10 mx.new.example\n"
	    "[domain d4.example]\nns = ns1.new.example\n"
	    "mx = 10 mx.new.example\n";
	struct world	 old, nw;
	struct store	*s = tw_store_fresh();
	struct watch	*w;
	size_t		 r1;

	tw_load(&old, res2, NULL, doms123, false);
	tw_load(&nw, res2, NULL, doms234, true);
	store_d4(s, &nw);
	mark(tw_watch(&old, "d2.example."), 0, 5);
	mark(tw_watch(&old, "d3.example."), 1, 6);

	assert_int_equal(carry_over(nw.m, old.m, s, NULL, NOW), 0);
	assert_int_equal(nw.m->nw, 3);
	assert_marked(tw_watch(&nw, "d2.example."), 0, 5);
	assert_marked(tw_watch(&nw, "d3.example."), 1, 6);
	assert_false(carry_taken(tw_watch(&old, "d1.example.")));
	w = tw_watch(&nw, "d4.example.");
	r1 = tw_resolver(&nw, "r1");
	assert_int_equal(w->state, DS_COMPLETE);
	assert_int_equal(w->complete_at, NOW - 400);
	assert_int_equal(w->rv[r1].state, RS_NEW);
	assert_true(w->rv[r1].switched);
	assert_int_equal(w->rv[r1].streak, 2);
	assert_int_equal(watch_cstate(w, r1, 0)->state, CS_NEW);
	assert_int_equal(watch_cstate(w, r1, 0)->ttl, 3600);
	assert_int_equal(watch_cstate(w, r1, 0)->rtt_ms, 12);
	assert_pending(w, tw_resolver(&nw, "r0"));
	assert_true(w->db_id > 0);
	assert_true(w->check_db_id[0] > 0);
	tw_free(&old);
	tw_free(&nw);
	store_close(s);
}

/* Resolvers follow their names: reordered ones keep their state, a new
 * one the database never saw is pending, one it knew loads, one now at
 * another address is another server and starts afresh. */
static void
test_resolvers_follow_names(void **state)
{
	static const char res4[] =
	    "r3 127.0.0.4 loopback\n"	/* new, known to the database */
	    "r1 127.0.0.2 loopback\n"
	    "r0 127.0.0.9 loopback\n"	/* moved */
	    "r5 127.0.0.5 loopback\n";	/* new, never seen */
	static const char d1[] = "[domain d1.example]\n"
	    "ns = ns1.new.example\nmx = 10 mx.new.example\n";
	struct world	 old, nw;
	struct store	*s = tw_store_fresh();
	struct rverdict	 v;
	struct watch	*ow, *w;
	int64_t		 did;

	tw_load(&old, res2, NULL, d1, false);
	tw_load(&nw, res4, NULL, d1, true);
	/* What the database holds about r3 and d1 from an earlier run. */
	assert_int_equal(store_begin(s), 0);
	assert_true((did = store_domain_id(s, "d1.example.")) > 0);
	memset(&v, 0, sizeof(v));
	v.state = RS_OLD;
	v.since = NOW - 77;
	v.last_checked = NOW - 5;
	assert_int_equal(store_save_rverdict(s, did, store_resolver_id(s,
	    &nw.rl.v[tw_resolver(&nw, "r3")], NULL), &v), 0);
	assert_int_equal(store_commit(s), 0);
	ow = tw_watch(&old, "d1.example.");
	ow->db_id = did;
	mark(ow, 0, 3);
	mark(ow, 1, 4);
	old.m->health[1].timeouts = 9;

	assert_int_equal(carry_over(nw.m, old.m, s, NULL, NOW), 0);
	assert_false(carry_taken(ow));	/* the layout changed: copied */
	assert_marked(ow, 0, 3);	/* and the old model is whole */
	w = tw_watch(&nw, "d1.example.");
	assert_marked(w, tw_resolver(&nw, "r1"), 4);
	assert_int_equal(nw.m->health[tw_resolver(&nw, "r1")].timeouts, 9);
	assert_pending(w, tw_resolver(&nw, "r0"));
	assert_pending(w, tw_resolver(&nw, "r5"));
	assert_int_equal(w->rv[tw_resolver(&nw, "r3")].state, RS_OLD);
	assert_int_equal(w->rv[tw_resolver(&nw, "r3")].since, NOW - 77);
	tw_free(&old);
	tw_free(&nw);
	store_close(s);
}

/* Checks follow owner and type; a new check gets its row. */
static void
test_checks_follow_owner_and_type(void **state)
{
	static const char before[] = "[domain d1.example]\n"
	    "ns = ns1.new.example\nmx = 10 mx.new.example\n"
	    "record = www A 192.0.2.1\n";
	static const char after[] = "[domain d1.example]\n"
	    "record = www A 192.0.2.1\nns = ns1.new.example\n"
	    "mx = 10 mx.new.example\n"
	    "record = @ TXT \"v=spf1 -all\"\n";
	struct world	 old, nw;
	struct store	*s = tw_store_fresh();
	struct watch	*ow, *w;
	size_t		 k;

	tw_load(&old, res2, NULL, before, false);
	tw_load(&nw, res2, NULL, after, true);
	ow = tw_watch(&old, "d1.example.");
	assert_int_equal(store_begin(s), 0);
	assert_true((ow->db_id = store_domain_id(s, "d1.example.")) > 0);
	for (k = 0; k < ow->dc->nchecks; k++)
		ow->check_db_id[k] = store_check_id(s, ow->db_id,
		    ow->dc->checks[k].owner, ow->dc->checks[k].type);
	assert_int_equal(store_commit(s), 0);
	mark(ow, 1, 6);
	watch_cstate(ow, 1, check_of(ow, LDNS_RR_TYPE_A))->ttl = 4242;

	assert_int_equal(carry_over(nw.m, old.m, s, NULL, NOW), 0);
	w = tw_watch(&nw, "d1.example.");
	k = check_of(w, LDNS_RR_TYPE_A);
	assert_int_equal(watch_cstate(w, 1, k)->ttl, 4242);
	assert_int_equal(w->check_db_id[k],
	    ow->check_db_id[check_of(ow, LDNS_RR_TYPE_A)]);
	k = check_of(w, LDNS_RR_TYPE_TXT);
	assert_int_equal(watch_cstate(w, 1, k)->answered_at, 0);
	assert_true(w->check_db_id[k] > 0);
	/* A record more to expect: the migration starts again. */
	assert_int_equal(w->rv[1].streak, 0);
	assert_false(w->rv[1].switched);
	tw_free(&old);
	tw_free(&nw);
	store_close(s);
}

/* New expected values start the migration afresh: the completion, the
 * registry's switch and every resolver's switch are cleared (the events
 * and history keep what they said), to be stored.  New old values only
 * change how old answers read. */
static void
test_changed_expectations_restart(void **state)
{
	static const char before[] = "[domain d1.example]\n"
	    "ns = ns1.new.example\nmx = 10 mx.new.example\n"
	    "old-ns = ns1.old.example\n";
	static const char old_only[] = "[domain d1.example]\n"
	    "ns = ns1.new.example\nmx = 10 mx.new.example\n"
	    "old-ns = ns2.old.example\n";
	static const char new_mx[] = "[domain d1.example]\n"
	    "ns = ns1.new.example\nmx = 20 mx.newer.example\n"
	    "old-ns = ns2.old.example\n";
	struct world	 a, b, c;
	struct watch	*w;

	tw_load(&a, res2, NULL, before, false);
	tw_load(&b, res2, NULL, old_only, true);
	tw_load(&c, res2, NULL, new_mx, true);
	w = tw_watch(&a, "d1.example.");
	mark(w, 0, 3);
	mark(w, 1, 3);
	w->state = DS_COMPLETE;
	w->complete_at = NOW - 60;
	w->parent_switched_at = NOW - 600;
	w->parent_ttl = 86400;

	assert_int_equal(carry_over(b.m, a.m, NULL, NULL, NOW), 0);
	w = tw_watch(&b, "d1.example.");
	assert_int_equal(w->state, DS_COMPLETE);
	assert_int_equal(w->complete_at, NOW - 60);
	assert_true(w->rv[0].switched);

	assert_int_equal(carry_over(c.m, b.m, NULL, NULL, NOW + 1), 0);
	w = tw_watch(&c, "d1.example.");
	assert_int_equal(w->state, DS_PENDING);
	assert_int_equal(w->since, NOW + 1);
	assert_int_equal(w->complete_at, 0);
	assert_int_equal(w->parent_switched_at, 0);
	assert_false(w->rv[0].switched);
	assert_false(w->rv[1].switched);
	assert_int_equal(w->rv[1].streak, 0);
	assert_true(w->rv[1].dirty);
	assert_true(w->row_dirty);
	/* The answers held are judged again: new before, not now. */
	assert_int_equal(watch_cstate(w, 0, 1)->state, CS_OTHER);
	tw_free(&a);
	tw_free(&b);
	tw_free(&c);
}

/* New expected records: the answers held are judged again.  r0 answered
 * the old expected set, which is now the old set; r1 the old set, which
 * is now neither; r2 another set, which is now the expected one. */
static void
test_changed_records_judged_again(void **state)
{
	static const char res3[] = "r0 127.0.0.1 l\nr1 127.0.0.2 l\n"
	    "r2 127.0.0.3 l\n";
	static const char before[] = "[domain d1.example]\n"
	    "ns = ns1.new.example\nmx = 10 mx.new.example\n"
	    "old-ns = ns1.old.example\n";
	static const char after[] = "[domain d1.example]\n"
	    "ns = ns9.newer.example\nmx = 10 mx.new.example\n"
	    "old-ns = ns1.new.example\n";
	struct world	 old, nw;
	struct watch	*ow, *w;
	struct rdset	 old_ns, other;
	const struct cstate *cs;

	tw_load(&old, res3, NULL, before, false);
	tw_load(&nw, res3, NULL, after, true);
	ow = tw_watch(&old, "d1.example.");
	one_record(&old_ns, LDNS_RR_TYPE_NS, "ns1.old.example.");
	one_record(&other, LDNS_RR_TYPE_NS, "ns9.newer.example.");
	watch_cstate(ow, 0, 0)->state = CS_NEW;
	/* Seen 5 times since its row was written, TTL 300. */
	watch_cstate(ow, 0, 0)->unsaved = 5;
	watch_cstate(ow, 0, 0)->ttl = 300;
	watch_cstate(ow, 1, 0)->state = CS_OLD;
	watch_cstate(ow, 2, 0)->state = CS_OTHER;
	cstate_set_other(watch_cstate(ow, 2, 0), &other);

	assert_int_equal(carry_over(nw.m, old.m, NULL, NULL, NOW), 0);
	assert_true(carry_taken(ow));
	w = tw_watch(&nw, "d1.example.");
	cs = watch_cstate(w, 0, 0);
	assert_int_equal(cs->state, CS_OLD);
	/* The 5 sightings go to the row of the answer as judged before;
	 * the answer judged anew is a row to write. */
	assert_true(cs->dirty);
	assert_int_equal(cs->prev_unsaved, 5);
	assert_int_equal(cs->prev_ttl, 300);
	assert_int_equal(cs->unsaved, 0);
	cs = watch_cstate(w, 1, 0);
	assert_int_equal(cs->state, CS_OTHER);
	assert_true(rdset_equal(cstate_rdata(cs, &w->dc->checks[0]), &old_ns));
	cs = watch_cstate(w, 2, 0);
	assert_int_equal(cs->state, CS_NEW);
	assert_null(cs->other);
	rdset_free(&old_ns);
	rdset_free(&other);
	tw_free(&old);
	tw_free(&nw);
}

/* The database refuses a new check's row: -1, nothing committed, and
 * the old model keeps every array and value. */
static void
test_failed_database_keeps_old(void **state)
{
	static const char after[] =
	    "[domain d5.example]\nns = ns1.new.example\n"
	    "mx = 10 mx.new.example\n"
	    "[domain d1.example]\nns = ns1.new.example\n"
	    "mx = 10 mx.new.example\nrecord = www A 192.0.2.1\n"
	    "[domain d2.example]\nns = ns1.new.example\n"
	    "mx = 10 mx.new.example\n";
	struct world	 old, nw;
	struct store	*s = tw_store_fresh();
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 path[PATH_MAX];
	size_t		 i;

	tw_load(&old, res2, NULL, doms123, false);
	tw_load(&nw, res2, NULL, after, true);
	for (i = 0; i < old.m->nw; i++)
		mark(&old.m->w[i], 1, 2 + (unsigned)i);
	tw_path(path, "nmigd.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TRIGGER no_checks BEFORE "
	    "INSERT ON checks BEGIN SELECT RAISE(ABORT, 'refused'); END",
	    NULL, NULL, NULL), SQLITE_OK);

	assert_int_equal(carry_over(nw.m, old.m, s, NULL, NOW), -1);
	for (i = 0; i < old.m->nw; i++) {
		assert_false(carry_taken(&old.m->w[i]));
		assert_marked(&old.m->w[i], 1, 2 + (unsigned)i);
	}
	/* d5's domain row went with the rollback. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM domains "
	    "WHERE name = 'd5.example.'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	tw_free(&nw);	/* half filled: frees cleanly */
	tw_free(&old);
	store_close(s);
}

/* A changed sample count (nmigd.conf's or a resolver line's) makes new
 * arrays, so that the monitor starts the rounds under way again instead
 * of counting their samples by the new number; the states are copied. */
static void
test_samples_changed_restarts(void **state)
{
	static const char r_s3[] = "r0 127.0.0.1 samples=3 l\nr1 127.0.0.2 l\n";
	struct world	 w0, w1, w2;

	tw_load(&w0, res2, NULL, doms123, false);
	mark(&w0.m->w[0], 0, 3);
	tw_load(&w1, r_s3, NULL, doms123, true);
	assert_int_equal(carry_over(w1.m, w0.m, NULL, NULL, NOW), 0);
	assert_false(carry_taken(&w0.m->w[0]));
	assert_marked(&w1.m->w[0], 0, 3);
	tw_free(&w0);
	tw_load(&w2, r_s3, "samples = 2\n", doms123, true);
	assert_int_equal(carry_over(w2.m, w1.m, NULL, NULL, NOW), 0);
	assert_false(carry_taken(&w1.m->w[0]));	/* r1: 1 -> 2 */
	assert_int_equal(watch_target(w2.m, &w2.m->w[0], 0)->samples, 3);
	assert_int_equal(watch_target(w2.m, &w2.m->w[0], 1)->samples, 2);
	assert_marked(&w2.m->w[0], 0, 3);
	tw_free(&w1);
	tw_free(&w2);
}

/* Give w the server at ip, of kind, as its own target; its NS state new
 * with ttl. */
static size_t
own_server(struct model *m, struct watch *w, const char *host,
    const char *ip, uint32_t ttl)
{
	struct sockaddr_in	 sin;
	struct target		 t;
	struct cstate		*cs;
	size_t			 slot;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	assert_int_equal(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	target_server(&t, TK_PARENT, host, (const struct sockaddr *)&sin,
	    sizeof(sin), 0);
	slot = watch_add_target(m, w, model_intern_target(m, &t));
	target_free(&t);
	cs = watch_tstate(m, w, slot, check_of(w, LDNS_RR_TYPE_NS));
	cs->state = CS_NEW;
	cs->ttl = ttl;
	cs->answered_at = NOW;
	return slot;
}

static void
assert_own(const struct model *m, const struct watch *w, size_t slot,
    const char *host, enum check_state st, uint32_t ttl)
{
	const struct cstate	*cs;

	assert_true(slot < watch_ntargets(m, w));
	assert_string_equal(watch_target(m, w, slot)->host, host);
	assert_int_equal(watch_target(m, w, slot)->kind, TK_PARENT);
	cs = watch_tstate(m, w, slot, check_of(w, LDNS_RR_TYPE_NS));
	assert_int_equal(cs->state, st);
	assert_int_equal(cs->ttl, ttl);
}

/* A reload keeps each domain's own targets: taken with the arrays of an
 * unchanged domain, copied with the states when the resolvers changed,
 * judged again when the records changed; entered once in the new table
 * however many domains share them; gone with a dropped domain. */
static void
test_own_targets_follow(void **state)
{
	static const char res_b[] = "r1 127.0.0.2 loopback\n";
	static const char d12[] =
	    "[domain d1.example]\nns = ns1.new.example\nmx = 10 mx.new.example\n"
	    "[domain d2.example]\nns = ns1.new.example\nmx = 10 mx.new.example\n";
	static const char d1_changed[] =
	    "[domain d1.example]\nns = ns9.newer.example\n"
	    "mx = 10 mx.new.example\n";
	struct world	 w0, w1, w2, w3;
	struct watch	*w;

	/* Unchanged: the arrays and the own targets are taken. */
	tw_load(&w0, res2, NULL, d12, false);
	own_server(w0.m, tw_watch(&w0, "d1.example."), "a.dns.example.",
	    "192.0.2.1", 11);
	own_server(w0.m, tw_watch(&w0, "d1.example."), "b.dns.example.",
	    "192.0.2.2", 12);
	own_server(w0.m, tw_watch(&w0, "d2.example."), "b.dns.example.",
	    "192.0.2.2", 22);
	assert_int_equal(w0.m->ntargets, 4);
	tw_load(&w1, res2, NULL, d12, true);
	assert_int_equal(carry_over(w1.m, w0.m, NULL, NULL, NOW), 0);
	tw_free(&w0);
	w = tw_watch(&w1, "d1.example.");
	assert_int_equal(watch_ntargets(w1.m, w), 4);
	assert_own(w1.m, w, 2, "a.dns.example.", CS_NEW, 11);
	assert_own(w1.m, w, 3, "b.dns.example.", CS_NEW, 12);
	assert_own(w1.m, tw_watch(&w1, "d2.example."), 2, "b.dns.example.",
	    CS_NEW, 22);
	assert_int_equal(w1.m->ntargets, 4);

	/* A resolver gone: new arrays, the own targets copied after the
	 * one resolver left. */
	tw_load(&w2, res_b, NULL, d12, true);
	assert_int_equal(carry_over(w2.m, w1.m, NULL, NULL, NOW), 0);
	tw_free(&w1);
	w = tw_watch(&w2, "d1.example.");
	assert_int_equal(watch_ntargets(w2.m, w), 3);
	assert_own(w2.m, w, 1, "a.dns.example.", CS_NEW, 11);
	assert_own(w2.m, w, 2, "b.dns.example.", CS_NEW, 12);
	assert_int_equal(w2.m->ntargets, 3);

	/* d1's expected NS changed: its own targets' answers are judged
	 * again (ns1.new.example is now "other"); d2 is dropped. */
	tw_load(&w3, res_b, NULL, d1_changed, true);
	assert_int_equal(carry_over(w3.m, w2.m, NULL, NULL, NOW), 0);
	tw_free(&w2);
	w = tw_watch(&w3, "d1.example.");
	assert_own(w3.m, w, 1, "a.dns.example.", CS_OTHER, 11);
	assert_own(w3.m, w, 2, "b.dns.example.", CS_OTHER, 12);
	tw_free(&w3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged_takes_arrays),
		cmocka_unit_test(test_domains_added_and_dropped),
		cmocka_unit_test(test_resolvers_follow_names),
		cmocka_unit_test(test_checks_follow_owner_and_type),
		cmocka_unit_test(test_changed_records_judged_again),
		cmocka_unit_test(test_changed_expectations_restart),
		cmocka_unit_test(test_failed_database_keeps_old),
		cmocka_unit_test(test_own_targets_follow),
		cmocka_unit_test(test_samples_changed_restarts),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
