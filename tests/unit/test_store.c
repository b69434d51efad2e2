/*
 * The store against real SQLite files in a private directory.  The tests
 * read the database with their own connection, as an operator with the
 * sqlite3 CLI would, so that what they check is what is on disk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <sqlite3.h>

#include "providers.h"
#include "store.h"
#include "util.h"

struct fx {
	char		 dir[64];
	char		 path[128];
	struct store	*s;
};

static int
fx_setup(void **state)
{
	struct fx	*fx;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/nmigd.db", fx->dir);
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx	*fx = *state;
	char		 p[160];

	store_close(fx->s);
	unlink(fx->path);
	snprintf(p, sizeof(p), "%s-wal", fx->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", fx->path);
	unlink(p);
	assert_int_equal(rmdir(fx->dir), 0);
	free(fx);
	return 0;
}

static struct store *
fx_open(struct fx *fx)
{
	fx->s = store_open(fx->path);
	assert_non_null(fx->s);
	return fx->s;
}

static void
fx_close(struct fx *fx)
{
	store_close(fx->s);
	fx->s = NULL;
}

/* A connection of our own, as the sqlite3 CLI would have. */
static sqlite3 *
db_open(const char *path)
{
	sqlite3	*db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_busy_timeout(db, 5000), SQLITE_OK);
	return db;
}

static int64_t
db_int(const char *path, const char *sql)
{
	sqlite3		*db = db_open(path);
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The first column of the first row as text, "NULL" for NULL. */
static void
db_text(const char *path, const char *sql, char *buf, size_t len)
{
	sqlite3			*db = db_open(path);
	sqlite3_stmt		*st;
	const unsigned char	*t;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	t = sqlite3_column_text(st, 0);
	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "NULL");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
db_exec(const char *path, const char *sql)
{
	sqlite3	*db = db_open(path);

	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static char *
file_read(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	assert_non_null(buf = malloc(n));
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/* Overwrite [off, off + len) of a file with a pattern that is no SQLite
 * structure. */
static void
file_scribble(const char *path, long off, size_t len)
{
	FILE	*f;
	size_t	 i;

	assert_non_null(f = fopen(path, "r+b"));
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	for (i = 0; i < len; i++)
		assert_int_not_equal(fputc("not a database! "[i % 16], f),
		    EOF);
	assert_int_equal(fclose(f), 0);
}

/* The counts of a (check, resolver)'s rows, oldest first: "100,2,1". */
static void
answer_counts(const char *path, int64_t cid, int64_t rid, char *buf,
    size_t len)
{
	char	sql[256];

	snprintf(sql, sizeof(sql), "SELECT group_concat(count, ',') FROM"
	    " (SELECT count FROM answers WHERE check_id = %lld AND"
	    " resolver_id = %lld ORDER BY id)", (long long)cid,
	    (long long)rid);
	db_text(path, sql, buf, len);
}

static struct resolver_conf
resolver(const char *name, const char *address, uint16_t port,
    const char *location)
{
	struct resolver_conf	r;

	memset(&r, 0, sizeof(r));
	r.name = (char *)name;
	r.location = (char *)location;
	snprintf(r.address, sizeof(r.address), "%s", address);
	r.port = port;
	return r;
}

static struct answer_row
answer(uint8_t state, uint8_t rcode, const char *rdata, uint32_t ttl,
    time_t when)
{
	struct answer_row	a;

	memset(&a, 0, sizeof(a));
	a.state = state;
	a.rcode = rcode;
	a.rdata = rdata;
	/* The store compares the blob and keeps it; any bytes will do. */
	a.wire = (const uint8_t *)rdata;
	a.wirelen = strlen(rdata);
	a.ttl = ttl;
	a.when = when;
	a.rtt_ms = 12;
	return a;
}

#define T0	((time_t)1795816800)	/* 2026-11-27T22:00:00Z */

static void
test_open_creates_schema(void **state)
{
	struct fx	*fx = *state;
	char		 buf[64];

	fx_open(fx);
	db_text(fx->path, "PRAGMA journal_mode", buf, sizeof(buf));
	assert_string_equal(buf, "wal");
	assert_int_equal(db_int(fx->path, "PRAGMA user_version"), 10);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name IN ('resolvers', 'domains',"
	    " 'checks', 'answers', 'rverdicts', 'events')"), 6);
	/* The columns other tools query by name. */
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM (SELECT"
	    " message_id, domain, resolver, message, time, priority FROM"
	    " events)"), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM (SELECT"
	    " domain_id FROM events)"), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM (SELECT"
	    " kind FROM resolvers)"), 0);
	fx_close(fx);

	/* A second open finds the schema and leaves it as it is. */
	fx_open(fx);
	assert_int_equal(db_int(fx->path, "PRAGMA user_version"), 10);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fx		*fx = *state;
	struct resolver_conf	 r1, r2;
	struct rverdict		 rv, back;
	struct domain_row	 d, dback;
	struct answer_row	 a;
	struct store		*s;
	int64_t			 rid1, rid2, did, did2, cid;
	char			 buf[64], *rdata;
	uint8_t			*wire;

	s = fx_open(fx);
	r1 = resolver("google", "8.8.8.8", 53, "US");
	r2 = resolver("local", "::1", 5353, "");
	assert_true((rid1 = store_resolver_id(s, &r1, NULL)) > 0);
	assert_true((rid2 = store_resolver_id(s, &r2, NULL)) > 0);
	assert_int_not_equal(rid1, rid2);
	assert_true((did = store_domain_id(s, "example.co.jp.")) > 0);
	assert_true((did2 = store_domain_id(s, "example.org.")) > 0);
	assert_int_not_equal(did, did2);
	assert_true((cid = store_check_id(s, did, "example.co.jp.",
	    LDNS_RR_TYPE_NS)) > 0);
	/* Asking again is no new row. */
	assert_int_equal(store_resolver_id(s, &r1, NULL), rid1);
	assert_int_equal(store_domain_id(s, "example.co.jp."), did);
	assert_int_equal(store_check_id(s, did, "example.co.jp.",
	    LDNS_RR_TYPE_NS), cid);
	assert_int_not_equal(store_check_id(s, did, "example.co.jp.",
	    LDNS_RR_TYPE_MX), cid);
	assert_int_not_equal(store_check_id(s, did, "www.example.co.jp.",
	    LDNS_RR_TYPE_NS), cid);

	memset(&rv, 0, sizeof(rv));
	rv.state = RS_NEW;
	rv.streak = 3;
	rv.switched = true;
	rv.since = T0 + 60;
	rv.fail_since = 0;
	rv.last_checked = T0 + 300;
	rv.cached_until = T0 + 400;
	rv.expires_at = T0 + 500;
	rv.overdue = true;
	rv.ttl_grew = 7;
	rv.flaps = 300;
	rv.calm = 2;
	assert_int_equal(store_save_rverdict(s, did, rid1, &rv), 0);
	memset(&d, 0, sizeof(d));
	d.state = DS_COMPLETE;
	d.since = T0 + 120;
	d.complete_at = T0 + 301;
	d.parent_state = PS_NEW;
	d.parent_since = T0 + 30;
	d.parent_switched_at = T0 + 31;
	d.parent_ttl = 86400;
	d.watched_since = T0 - 86400;
	d.regressed_at = T0 + 200;
	d.cancel_at = T0 + 302;
	d.old_state = OP_STOPPED;
	d.new_state = NP_LAME;
	d.old_stopped_at = T0 + 303;
	d.dnssec_new = DN_NO_MATCH;
	d.dnssec_old = DN_MATCH;
	d.dnssec_failed_at = T0 + 304;
	assert_int_equal(store_save_domain(s, did, &d), 0);
	a = answer(CS_NEW, LDNS_RCODE_NOERROR, "ns1.new.example.", 300, T0);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	fx_close(fx);

	s = fx_open(fx);
	assert_int_equal(store_resolver_id(s, &r1, NULL), rid1);
	assert_int_equal(store_resolver_id(s, &r2, NULL), rid2);
	assert_int_equal(store_domain_id(s, "example.co.jp."), did);
	assert_int_equal(store_domain_id(s, "example.org."), did2);
	assert_int_equal(store_check_id(s, did, "example.co.jp.",
	    LDNS_RR_TYPE_NS), cid);

	/* The answer history continues where it was. */
	a.when = T0 + 60;
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count FROM answers"), 2);
	assert_int_equal(store_latest_answer(s, cid, rid1, &a, &rdata, &wire),
	    0);
	assert_string_equal(rdata, "ns1.new.example.");
	assert_int_equal(a.wirelen, strlen("ns1.new.example."));
	assert_memory_equal(wire, "ns1.new.example.", a.wirelen);
	assert_int_equal(a.when, T0 + 60);
	free(rdata);
	free(wire);

	memset(&back, 0xff, sizeof(back));
	assert_int_equal(store_load_rverdict(s, did, rid1, &back), 0);
	assert_int_equal(back.state, RS_NEW);
	assert_int_equal(back.streak, 3);
	assert_true(back.switched);
	assert_int_equal(back.since, T0 + 60);
	assert_int_equal(back.fail_since, 0);
	assert_int_equal(back.last_checked, T0 + 300);
	assert_int_equal(back.cached_until, T0 + 400);
	assert_int_equal(back.expires_at, T0 + 500);
	assert_true(back.overdue);
	assert_int_equal(back.ttl_grew, 7);
	assert_int_equal(back.flaps, 300);
	assert_int_equal(back.calm, 2);
	memset(&dback, 0xff, sizeof(dback));
	assert_int_equal(store_load_domain(s, did, &dback), 0);
	assert_int_equal(dback.state, DS_COMPLETE);
	assert_int_equal(dback.since, T0 + 120);
	assert_int_equal(dback.complete_at, T0 + 301);
	assert_int_equal(dback.parent_state, PS_NEW);
	assert_int_equal(dback.parent_since, T0 + 30);
	assert_int_equal(dback.parent_switched_at, T0 + 31);
	assert_int_equal(dback.parent_ttl, 86400);
	assert_int_equal(dback.watched_since, T0 - 86400);
	assert_int_equal(dback.regressed_at, T0 + 200);
	assert_int_equal(dback.cancel_at, T0 + 302);
	assert_int_equal(dback.old_state, OP_STOPPED);
	assert_int_equal(dback.new_state, NP_LAME);
	assert_int_equal(dback.old_stopped_at, T0 + 303);
	assert_int_equal(dback.dnssec_new, DN_NO_MATCH);
	assert_int_equal(dback.dnssec_old, DN_MATCH);
	assert_int_equal(dback.dnssec_failed_at, T0 + 304);

	/* Times are readable text for the operator. */
	db_text(fx->path, "SELECT complete_at FROM domains WHERE name = "
	    "'example.co.jp.'", buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-27T22:05:01Z");
	db_text(fx->path, "SELECT state FROM domains WHERE name = "
	    "'example.co.jp.'", buf, sizeof(buf));
	assert_string_equal(buf, "complete");
	db_text(fx->path, "SELECT type FROM checks ORDER BY id LIMIT 1", buf,
	    sizeof(buf));
	assert_string_equal(buf, "NS");

	/* A resolver that moved keeps its id, with the new address. */
	r1 = resolver("google", "8.8.4.4", 5300, "US-west");
	assert_int_equal(store_resolver_id(s, &r1, NULL), rid1);
	db_text(fx->path, "SELECT address || '@' || port || ' ' || location"
	    " FROM resolvers WHERE name = 'google'", buf, sizeof(buf));
	assert_string_equal(buf, "8.8.4.4@5300 US-west");
}

static void
test_unsaved_rows(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct resolver_conf	 r = resolver("q9", "9.9.9.9", 53, NULL);
	struct rverdict		 rv;
	struct domain_row	 d;
	int64_t			 did, rid;
	char			 buf[64];

	assert_true((did = store_domain_id(s, "example.net.")) > 0);
	assert_true((rid = store_resolver_id(s, &r, NULL)) > 0);
	db_text(fx->path, "SELECT location FROM resolvers", buf, sizeof(buf));
	assert_string_equal(buf, "");

	/* A domain never saved is pending with unknown times. */
	memset(&d, 0xff, sizeof(d));
	assert_int_equal(store_load_domain(s, did, &d), 0);
	assert_int_equal(d.state, DS_PENDING);
	assert_int_equal(d.since, 0);
	assert_int_equal(d.complete_at, 0);
	assert_int_equal(store_load_domain(s, did + 100, &d), 1);
	d.state = DS_PROPAGATING;
	assert_int_equal(store_save_domain(s, did + 100, &d), -1);

	memset(&rv, 0xff, sizeof(rv));
	assert_int_equal(store_load_rverdict(s, did, rid, &rv), 1);
	assert_int_equal(rv.state, RS_PENDING);
	assert_int_equal(rv.streak, 0);
	assert_false(rv.switched);
	assert_int_equal(rv.since, 0);

	/* Upsert: a second save replaces the first. */
	rv.state = RS_OLD;
	rv.since = T0;
	rv.last_checked = T0;
	assert_int_equal(store_save_rverdict(s, did, rid, &rv), 0);
	rv.state = RS_UNREACHABLE;
	rv.fail_since = T0 + 10;
	rv.last_checked = T0 + 20;
	assert_int_equal(store_save_rverdict(s, did, rid, &rv), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM rverdicts"),
	    1);
	memset(&rv, 0, sizeof(rv));
	assert_int_equal(store_load_rverdict(s, did, rid, &rv), 0);
	assert_int_equal(rv.state, RS_UNREACHABLE);
	assert_int_equal(rv.since, T0);
	assert_int_equal(rv.fail_since, T0 + 10);
	assert_int_equal(rv.last_checked, T0 + 20);
}

static void
test_bad_input(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct resolver_conf	 r = resolver("q9", "9.9.9.9", 53, "");
	struct answer_row	 a;
	struct rverdict		 rv;
	struct domain_row	 d;
	int64_t			 did, rid, cid;
	char			 sql[256];

	assert_true((did = store_domain_id(s, "example.net.")) > 0);
	assert_true((rid = store_resolver_id(s, &r, NULL)) > 0);
	assert_true((cid = store_check_id(s, did, "example.net.",
	    LDNS_RR_TYPE_A)) > 0);

	assert_int_equal(store_domain_id(s, NULL), -1);
	assert_int_equal(store_check_id(s, did, NULL, LDNS_RR_TYPE_A), -1);
	/* Foreign keys are enforced. */
	assert_int_equal(store_check_id(s, did + 100, "example.net.",
	    LDNS_RR_TYPE_A), -1);
	a = answer(CS_NEW, LDNS_RCODE_NOERROR, "192.0.2.1", 300, T0);
	assert_int_equal(store_record_answer(s, cid + 100, rid, &a), -1);
	assert_int_equal(store_record_answer(s, cid, rid + 100, &a), -1);
	a.state = CS_MAX;
	assert_int_equal(store_record_answer(s, cid, rid, &a), -1);
	memset(&rv, 0, sizeof(rv));
	rv.state = RS_MAX;
	assert_int_equal(store_save_rverdict(s, did, rid, &rv), -1);
	rv.state = RS_NEW;
	assert_int_equal(store_save_rverdict(s, did + 100, rid, &rv), -1);
	memset(&d, 0, sizeof(d));
	d.state = DS_MAX;
	assert_int_equal(store_save_domain(s, did, &d), -1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM rverdicts"),
	    0);

	/* Values nmigd did not write are reported, never garbage structs:
	 * a bad row loads as none, so that one bad row cannot keep the
	 * daemon from starting (defect 10). */
	snprintf(sql, sizeof(sql), "INSERT INTO rverdicts(domain_id, resolver_id,"
	    " state, streak, switched, since, fail_since, last_checked)"
	    " VALUES(%lld, %lld,"
	    " 'bogus', 0, 0, NULL, NULL, NULL)", (long long)did,
	    (long long)rid);
	db_exec(fx->path, sql);
	memset(&rv, 0xff, sizeof(rv));
	assert_int_equal(store_load_rverdict(s, did, rid, &rv), STORE_BAD_ROW);
	assert_int_equal(rv.state, RS_PENDING);
	assert_int_equal(rv.since, 0);
	db_exec(fx->path, "UPDATE domains SET since = 'yesterday',"
	    " complete_at = '2026-11-27T22:00:00Z', state = 'x\x01'");
	memset(&d, 0xff, sizeof(d));
	assert_int_equal(store_load_domain(s, did, &d), STORE_BAD_ROW);
	assert_int_equal(d.since, 0);
	/* The completion latch is kept when its time still reads. */
	assert_int_equal(d.complete_at, T0);
	assert_int_equal(d.state, DS_COMPLETE);
	db_exec(fx->path, "UPDATE domains SET complete_at = 'never'");
	assert_int_equal(store_load_domain(s, did, &d), STORE_BAD_ROW);
	assert_int_equal(d.state, DS_PENDING);
	assert_int_equal(d.complete_at, 0);
	/* The parent's view: a bad one is asked again, pending. */
	db_exec(fx->path, "UPDATE domains SET complete_at = NULL,"
	    " parent_state = 'sideways', parent_ttl = -1,"
	    " parent_switched_at = '2026-11-27T22:00:00Z'");
	assert_int_equal(store_load_domain(s, did, &d), STORE_BAD_ROW);
	assert_int_equal(d.parent_state, PS_PENDING);
	assert_int_equal(d.parent_ttl, 0);
	assert_int_equal(d.parent_switched_at, T0);
	a.state = CS_NEW;
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	db_exec(fx->path, "UPDATE answers SET ttl = -5");
	{
		struct answer_row	 out;
		char			*rdata = NULL;
		uint8_t			*wire = NULL;

		assert_int_equal(store_latest_answer(s, cid, rid, &out,
		    &rdata, &wire), STORE_BAD_ROW);
		assert_null(rdata);
		assert_null(wire);
	}
}

static void
test_change_only_growth(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct resolver_conf	 r1 = resolver("r1", "127.0.0.1", 53, "");
	struct resolver_conf	 r2 = resolver("r2", "127.0.0.2", 53, "");
	struct answer_row	 a;
	int64_t			 did, cid, cid2, rid1, rid2;
	char			 buf[64];
	int			 i;

	did = store_domain_id(s, "example.co.jp.");
	cid = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_NS);
	cid2 = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_MX);
	rid1 = store_resolver_id(s, &r1, NULL);
	rid2 = store_resolver_id(s, &r2, NULL);
	assert_true(did > 0 && cid > 0 && cid2 > 0 && rid1 > 0 && rid2 > 0);

	for (i = 0; i < 100; i++) {
		a = answer(CS_OLD, LDNS_RCODE_NOERROR,
		    "ns1.old.example.\nns2.old.example.", 3600 - i,
		    T0 + 60 * i);
		assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	}
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 1);
	assert_int_equal(db_int(fx->path, "SELECT count FROM answers"), 100);
	assert_int_equal(db_int(fx->path, "SELECT ttl FROM answers"), 3501);
	db_text(fx->path, "SELECT first_seen FROM answers", buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-27T22:00:00Z");
	db_text(fx->path, "SELECT last_seen FROM answers", buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-27T23:39:00Z");
	db_text(fx->path, "SELECT state || ' ' || rcode FROM answers", buf,
	    sizeof(buf));
	assert_string_equal(buf, "old NOERROR");

	/* Different rdata: a change. */
	a = answer(CS_NEW, LDNS_RCODE_NOERROR, "ns1.new.example.", 300,
	    T0 + 6000);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 2);
	/* Back to the first answer is a change too, not a bump of row 1. */
	a = answer(CS_OLD, LDNS_RCODE_NOERROR,
	    "ns1.old.example.\nns2.old.example.", 3600, T0 + 6060);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 3);
	assert_int_equal(db_int(fx->path, "SELECT count FROM answers"
	    " ORDER BY id LIMIT 1"), 100);
	assert_int_equal(db_int(fx->path, "SELECT count FROM answers"
	    " ORDER BY id LIMIT 1 OFFSET 1"), 2);

	/* Same rdata, other rcode or state: a change as well. */
	a = answer(CS_ERROR, LDNS_RCODE_SERVFAIL, "", 0, T0 + 6120);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	a = answer(CS_ERROR, LDNS_RCODE_REFUSED, "", 0, T0 + 6180);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	a = answer(CS_PENDING, LDNS_RCODE_REFUSED, "", 0, T0 + 6240);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 6);

	/* Other (check, resolver) pairs have rows of their own, and do not
	 * absorb or split each other's. */
	a = answer(CS_ERROR, LDNS_RCODE_SERVFAIL, "", 0, T0 + 6300);
	assert_int_equal(store_record_answer(s, cid, rid2, &a), 0);
	assert_int_equal(store_record_answer(s, cid2, rid1, &a), 0);
	assert_int_equal(store_record_answer(s, cid, rid2, &a), 0);
	a = answer(CS_PENDING, LDNS_RCODE_REFUSED, "", 0, T0 + 6360);
	assert_int_equal(store_record_answer(s, cid, rid1, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 8);
	answer_counts(fx->path, cid, rid1, buf, sizeof(buf));
	assert_string_equal(buf, "100,2,1,1,1,2");
	answer_counts(fx->path, cid, rid2, buf, sizeof(buf));
	assert_string_equal(buf, "2");
	answer_counts(fx->path, cid2, rid1, buf, sizeof(buf));
	assert_string_equal(buf, "1");
}

static void
test_latest_answer(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct resolver_conf	 r = resolver("r1", "127.0.0.1", 53, "");
	struct answer_row	 a, out;
	char			*rdata = NULL;
	uint8_t			*wire = NULL;
	int64_t			 did, cid, rid;

	did = store_domain_id(s, "example.co.jp.");
	cid = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_MX);
	rid = store_resolver_id(s, &r, NULL);
	assert_true(did > 0 && cid > 0 && rid > 0);

	assert_int_equal(store_latest_answer(s, cid, rid, &out, &rdata,
	    &wire), 1);
	assert_null(rdata);

	a = answer(CS_NEW, LDNS_RCODE_NOERROR, "10 mx01.example.co.jp.", 300,
	    T0);
	a.rtt_ms = 0;
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	a.ttl = 250;
	a.rtt_ms = 7;
	a.when = T0 + 50;
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(store_latest_answer(s, cid, rid, &out, &rdata,
	    &wire), 0);
	assert_int_equal(out.state, CS_NEW);
	assert_int_equal(out.rcode, LDNS_RCODE_NOERROR);
	assert_int_equal(out.ttl, 250);
	assert_int_equal(out.rtt_ms, 7);
	assert_int_equal(out.when, T0 + 50);
	assert_string_equal(rdata, "10 mx01.example.co.jp.");
	assert_ptr_equal(out.rdata, rdata);
	assert_ptr_equal(out.wire, wire);
	free(rdata);
	free(wire);

	/* An rcode without a name survives the round trip. */
	a = answer(CS_ERROR, 30, "", 0, T0 + 100);
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	assert_int_equal(store_latest_answer(s, cid, rid, &out, &rdata,
	    &wire), 0);
	assert_int_equal(out.state, CS_ERROR);
	assert_int_equal(out.rcode, 30);
	assert_int_equal(out.when, T0 + 100);
	assert_string_equal(rdata, "");
	/* An empty blob is a blob, not NULL. */
	assert_non_null(wire);
	assert_int_equal(out.wirelen, 0);
	free(rdata);
	free(wire);

	/* Without its text, a change is not written: 1 asks for the text;
	 * the same answer again is bumped without it. */
	a = answer(CS_OTHER, LDNS_RCODE_NOERROR, "10 other.example.", 60,
	    T0 + 200);
	a.rdata = NULL;
	assert_int_equal(store_record_answer(s, cid, rid, &a), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"
	    " WHERE state = 'other'"), 0);
	a.rdata = "10 other.example.";
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	a.rdata = NULL;
	a.when = T0 + 260;
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count FROM answers"
	    " WHERE state = 'other'"), 2);

	/* The latest is per resolver. */
	assert_int_equal(store_latest_answer(s, cid, rid + 1, &out, &rdata,
	    &wire),
	    1);
}

/* A database of schema version 1 is upgraded in place: its answers keep
 * their text and read back without the wire form, which the daemon then
 * rebuilds from the text (monitor.c). */
/* Retention: answer changes and events before the cutoff go, a domain a
 * step, but never a (check, resolver)'s latest answer; then the sweep
 * starts again.  forget: every row of one domain, nothing of another. */
static void
test_prune_forget(void **state)
{
	struct fx		*fx = *state;
	struct store		*s;
	struct resolver_conf	 r = resolver("r1", "127.0.0.1", 53, "");
	struct answer_row	 a;
	struct event_row	 e;
	int64_t			 d1, d2, c1, c2, rid, cur = 0, rows;
	const time_t		 old = T0 - 500 * 86400, cutoff = T0 - 400 * 86400;

	s = fx_open(fx);
	d1 = store_domain_id(s, "a.example.");
	d2 = store_domain_id(s, "b.example.");
	c1 = store_check_id(s, d1, "a.example.", LDNS_RR_TYPE_MX);
	c2 = store_check_id(s, d2, "b.example.", LDNS_RR_TYPE_MX);
	rid = store_resolver_id(s, &r, NULL);
	/* a: three old changes, the last one still the answer; b: one. */
	a = answer(CS_OLD, 0, "10 old.", 300, old);
	assert_int_equal(store_record_answer(s, c1, rid, &a), 0);
	a = answer(CS_OTHER, 0, "10 other.", 300, old + 60);
	assert_int_equal(store_record_answer(s, c1, rid, &a), 0);
	a = answer(CS_NEW, 0, "10 new.", 300, old + 120);
	assert_int_equal(store_record_answer(s, c1, rid, &a), 0);
	a = answer(CS_OLD, 0, "10 b.", 300, old);
	assert_int_equal(store_record_answer(s, c2, rid, &a), 0);
	memset(&e, 0, sizeof(e));
	e.when = old;
	e.message_id = "e9df83999fd24289a5c3555f27a3633c";
	e.priority = 6;
	e.domain = "a.example";
	e.domain_id = d1;
	e.message = "an old event";
	assert_int_equal(store_add_event(s, &e), 0);
	e.when = T0;
	e.message = "a new event";
	assert_int_equal(store_add_event(s, &e), 0);

	assert_int_equal(store_prune_events(s, cutoff, 500), 1);
	assert_int_equal(store_prune_answers(s, &cur, cutoff, 500), 2);
	assert_int_equal(cur, d1);
	assert_int_equal(store_prune_answers(s, &cur, cutoff, 500), 0);
	assert_int_equal(cur, d2);
	assert_int_equal(store_prune_answers(s, &cur, cutoff, 500), 0);
	assert_int_equal(cur, 0);	/* swept: again from the start */
	fx_close(fx);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 2);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"
	    " WHERE state = 'new'"), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"), 1);

	s = fx_open(fx);
	assert_int_equal(store_forget_domain(s, "a.example.", &rows), 0);
	assert_true(rows >= 3);
	assert_int_equal(store_forget_domain(s, "a.example.", &rows), 1);
	fx_close(fx);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM domains"), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM checks"), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"), 0);
}

/* A check's learned sets: written whole, read back; one not learned is
 * NULL; a blob that does not read is not learned (learned again). */
static void
test_learned(void **state)
{
	struct fx		*fx = *state;
	struct store		*s;
	struct learned_row	 l;
	struct learned_load	 back;
	struct rdset		 set;
	uint8_t			 rd[] = { 0, 10, 2, 'm', 'x', 0 }, *blob;
	size_t			 len;
	int64_t			 did, cid;
	char			 buf[64];

	memset(&set, 0, sizeof(set));
	assert_int_equal(rdset_add(&set, rd, sizeof(rd)), 0);
	len = rdset_blob(&set, &blob);
	s = fx_open(fx);
	did = store_domain_id(s, "example.co.jp.");
	cid = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_MX);
	assert_int_equal(store_load_learned(s, cid, &back), 0);
	assert_int_equal(back.at, 0);
	assert_null(back.wire);
	memset(&l, 0, sizeof(l));
	l.text = "10 mx.";
	l.wire = blob;
	l.wirelen = len;
	l.at = T0;
	l.old_text = "";
	l.old_wire = blob;
	l.old_wirelen = len;
	l.old_note = "same-as-new";
	assert_int_equal(store_save_learned(s, cid, &l), 0);
	assert_int_equal(store_load_learned(s, cid, &back), 0);
	assert_int_equal(back.at, T0);
	assert_int_equal(back.wirelen, len);
	assert_memory_equal(back.wire, blob, len);
	/* The old set was not learned: nothing of it is stored. */
	assert_int_equal(back.old_at, 0);
	assert_null(back.old_wire);
	assert_string_equal(back.old_note, "");
	free(back.wire);
	db_text(fx->path, "SELECT learned_rdata || ' ' || learned_at FROM "
	    "checks", buf, sizeof(buf));
	assert_string_equal(buf, "10 mx. 2026-11-27T22:00:00Z");
	l.old_at = T0 + 60;
	assert_int_equal(store_save_learned(s, cid, &l), 0);
	assert_int_equal(store_load_learned(s, cid, &back), 0);
	assert_int_equal(back.old_at, T0 + 60);
	assert_string_equal(back.old_note, "same-as-new");
	free(back.wire);
	free(back.old_wire);
	fx_close(fx);
	/* Damaged on disk: a time that does not read, a blob missing. */
	db_exec(fx->path, "UPDATE checks SET learned_at = 'yesterday',"
	    " old_learned_wire = NULL");
	s = fx_open(fx);
	assert_int_equal(store_load_learned(s, cid, &back), 0);
	assert_int_equal(back.at, 0);
	assert_null(back.wire);
	assert_int_equal(back.old_at, 0);
	assert_null(back.old_wire);
	assert_int_equal(store_load_learned(s, cid + 100, &back), 1);
	fx_close(fx);
	free(blob);
	rdset_free(&set);
}

static void
test_upgrade_from_1(void **state)
{
	struct fx		*fx = *state;
	struct store		*s;
	struct resolver_conf	 r = resolver("r1", "127.0.0.1", 53, "");
	struct answer_row	 a, out;
	struct event_row	 e;
	int64_t			 did, cid, rid;
	char			*rdata;
	uint8_t			*wire;

	s = fx_open(fx);
	did = store_domain_id(s, "example.co.jp.");
	cid = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_MX);
	rid = store_resolver_id(s, &r, NULL);
	a = answer(CS_OTHER, LDNS_RCODE_NOERROR, "10 other.example.", 300, T0);
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	memset(&e, 0, sizeof(e));
	e.when = T0;
	e.message_id = "e9df83999fd24289a5c3555f27a3633c";
	e.priority = 6;
	e.domain = "Example.co.jp";
	e.message = "an event of schema 1";
	assert_int_equal(store_add_event(s, &e), 0);
	e.domain = "gone.example";
	assert_int_equal(store_add_event(s, &e), 0);
	fx_close(fx);
	db_exec(fx->path, "DROP INDEX answers_domain;"
	    " DROP INDEX answers_domain_resolver; DROP INDEX events_domain;"
	    " DROP INDEX events_domain_id;"
	    " ALTER TABLE answers DROP COLUMN rdata_wire;"
	    " ALTER TABLE answers DROP COLUMN domain_id;"
	    " ALTER TABLE events DROP COLUMN domain_id;"
	    " ALTER TABLE resolvers DROP COLUMN kind;"
	    " ALTER TABLE domains DROP COLUMN parent_state;"
	    " ALTER TABLE domains DROP COLUMN parent_since;"
	    " ALTER TABLE domains DROP COLUMN parent_switched_at;"
	    " ALTER TABLE domains DROP COLUMN parent_ttl;"
	    " ALTER TABLE rverdicts DROP COLUMN cached_until;"
	    " ALTER TABLE rverdicts DROP COLUMN expires_at;"
	    " ALTER TABLE rverdicts DROP COLUMN overdue;"
	    " ALTER TABLE rverdicts DROP COLUMN ttl_grew;"
	    " ALTER TABLE rverdicts DROP COLUMN flaps;"
	    " ALTER TABLE rverdicts DROP COLUMN calm;"
	    " ALTER TABLE domains DROP COLUMN watched_since;"
	    " ALTER TABLE domains DROP COLUMN regressed_at;"
	    " ALTER TABLE domains DROP COLUMN cancel_at;"
	    " ALTER TABLE domains DROP COLUMN old_state;"
	    " ALTER TABLE domains DROP COLUMN new_state;"
	    " ALTER TABLE domains DROP COLUMN old_stopped_at;"
	    " ALTER TABLE domains DROP COLUMN dnssec_new;"
	    " ALTER TABLE domains DROP COLUMN dnssec_old;"
	    " ALTER TABLE domains DROP COLUMN dnssec_failed_at;"
	    " ALTER TABLE checks DROP COLUMN learned_rdata;"
	    " ALTER TABLE checks DROP COLUMN learned_wire;"
	    " ALTER TABLE checks DROP COLUMN learned_at;"
	    " ALTER TABLE checks DROP COLUMN old_learned_rdata;"
	    " ALTER TABLE checks DROP COLUMN old_learned_wire;"
	    " ALTER TABLE checks DROP COLUMN old_learned_at;"
	    " ALTER TABLE checks DROP COLUMN old_learned_note;"
	    " PRAGMA user_version = 1");
	s = fx_open(fx);
	assert_int_equal(db_int(fx->path, "PRAGMA user_version"), 10);
	/* Every resolver row is a resolver; events find their domain row by
	 * name, or keep NULL when none has it. */
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM resolvers"
	    " WHERE kind = 'resolver'"), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"
	    " WHERE domain_id IS NULL"), 1);
	assert_int_equal(db_int(fx->path, "SELECT domain_id FROM events"
	    " WHERE domain = 'Example.co.jp'"), did);
	/* The old rows get their domain. */
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"
	    " WHERE domain_id IS NULL"), 0);
	assert_int_equal(store_latest_answer(s, cid, rid, &out, &rdata, &wire),
	    0);
	assert_int_equal(out.state, CS_OTHER);
	assert_string_equal(rdata, "10 other.example.");
	assert_null(wire);
	free(rdata);
	/* The same answer again is a new row: it now has its wire form. */
	a.when = T0 + 60;
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 2);
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 2);
}

/* A domain's history is its newest entries, oldest first, however many
 * rows a flapping resolver has written: the read costs what it returns. */
static void
test_history_newest(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct resolver_conf	 r1 = resolver("r1", "127.0.0.1", 53, "");
	struct resolver_conf	 r2 = resolver("r2", "127.0.0.2", 53, "");
	struct answer_row	 a;
	struct event_row	 e;
	struct history		 h;
	int64_t			 did, cid, rid1, rid2;
	char			 txt[32];
	int			 i;

	did = store_domain_id(s, "example.co.jp.");
	cid = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_NS);
	rid1 = store_resolver_id(s, &r1, NULL);
	rid2 = store_resolver_id(s, &r2, NULL);
	assert_int_equal(store_begin(s), 0);
	for (i = 0; i < 1500; i++) {
		snprintf(txt, sizeof(txt), "ns%d.example.", i);
		a = answer(CS_OTHER, LDNS_RCODE_NOERROR, txt, 60, T0 + 60 * i);
		assert_int_equal(store_record_answer(s, cid,
		    i % 3 ? rid1 : rid2, &a), 0);
	}
	memset(&e, 0, sizeof(e));
	e.when = T0 + 60 * 1499;
	e.message_id = "e9df83999fd24289a5c3555f27a3633c";
	e.priority = 6;
	e.domain = "example.co.jp";
	e.domain_id = did;
	e.resolver = "r1";
	e.message = "the last";
	assert_int_equal(store_add_event(s, &e), 0);
	assert_int_equal(store_commit(s), 0);

	assert_int_equal(store_history(s, "example.co.jp.", NULL, &h), 0);
	assert_true(h.truncated);
	assert_int_equal(h.n, STORE_HISTORY_MAX);
	/* Oldest first, ending with the newest answer and its event. */
	assert_int_equal(h.v[STORE_HISTORY_MAX - 1].kind, HISTORY_EVENT);
	assert_int_equal(h.v[STORE_HISTORY_MAX - 2].kind, HISTORY_ANSWER);
	assert_string_equal(h.v[STORE_HISTORY_MAX - 2].answer.rdata,
	    "ns1499.example.");
	assert_int_equal(h.v[0].kind, HISTORY_ANSWER);
	assert_string_equal(h.v[0].answer.first_seen, "2026-11-28T06:21:00Z");
	history_free(&h);

	/* One resolver: its own rows, still capped. */
	assert_int_equal(store_history(s, "example.co.jp.", "R2", &h), 0);
	assert_false(h.truncated);
	assert_int_equal(h.n, 500);
	history_free(&h);
	assert_int_equal(store_history(s, "example.org.", NULL, &h), 1);
	assert_int_equal(h.n, 0);
	history_free(&h);
}

/* Every column of an answer change and an event comes back as stored;
 * an answer that is no answer has no rcode or TTL to speak of. */
static void
test_history_rows(void **state)
{
	struct fx			*fx = *state;
	struct store			*s = fx_open(fx);
	struct resolver_conf		 r1 = resolver("r1", "127.0.0.1", 53,
					    "Tokyo");
	struct answer_row		 a;
	struct event_row		 e;
	struct history			 h;
	const struct answer_change	*ac;
	const struct stored_event	*ev;
	int64_t				 did, cid, rid;

	did = store_domain_id(s, "example.co.jp.");
	cid = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_MX);
	rid = store_resolver_id(s, &r1, NULL);
	a = answer(CS_NEW, LDNS_RCODE_NOERROR,
	    "10 mx01.example.co.jp.\n10 mx02.example.co.jp.", 300, T0);
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	a.when = T0 + 60;
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	a = answer(CS_ERROR, STORE_RCODE_NONE, "", 0, T0 + 120);
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	memset(&e, 0, sizeof(e));
	e.when = T0 + 120;
	e.message_id = "4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b";
	e.priority = 4;
	e.domain = "example.co.jp";
	e.domain_id = did;
	e.message = "example.co.jp: something";
	assert_int_equal(store_add_event(s, &e), 0);
	/* Another domain's event is not in this one's history. */
	e.domain = "example.org";
	e.domain_id = store_domain_id(s, "example.org.");
	assert_int_equal(store_add_event(s, &e), 0);

	assert_int_equal(store_history(s, "example.co.jp.", NULL, &h), 0);
	assert_false(h.truncated);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.v[0].kind, HISTORY_ANSWER);
	ac = &h.v[0].answer;
	assert_string_equal(ac->resolver, "r1");
	assert_string_equal(ac->owner, "example.co.jp.");
	assert_string_equal(ac->type, "MX");
	assert_string_equal(ac->state, "new");
	assert_true(ac->answered);
	assert_string_equal(ac->rcode, "NOERROR");
	assert_int_equal(ac->ttl, 300);
	assert_string_equal(ac->rdata,
	    "10 mx01.example.co.jp.\n10 mx02.example.co.jp.");
	assert_string_equal(ac->first_seen, "2026-11-27T22:00:00Z");
	assert_string_equal(ac->last_seen, "2026-11-27T22:01:00Z");
	assert_int_equal(ac->count, 2);
	/* The answer before the event it caused. */
	assert_int_equal(h.v[1].kind, HISTORY_ANSWER);
	ac = &h.v[1].answer;
	assert_false(ac->answered);
	assert_string_equal(ac->state, "error");
	assert_string_equal(ac->rdata, "");
	assert_int_equal(h.v[2].kind, HISTORY_EVENT);
	ev = &h.v[2].event;
	assert_string_equal(ev->time, "2026-11-27T22:02:00Z");
	assert_string_equal(ev->message_id,
	    "4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b");
	assert_int_equal(ev->priority, 4);
	assert_string_equal(ev->domain, "example.co.jp");
	assert_null(ev->resolver);
	assert_string_equal(ev->message, "example.co.jp: something");
	history_free(&h);
	assert_int_equal(h.n, 0);
	assert_null(h.v);
}

static void
test_newer_version_refused(void **state)
{
	struct fx	*fx = *state;
	char		*before, *after;
	size_t		 blen, alen;

	fx_open(fx);
	fx_close(fx);
	db_exec(fx->path, "PRAGMA user_version = 11");
	before = file_read(fx->path, &blen);
	assert_null(store_open(fx->path));
	after = file_read(fx->path, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	assert_int_equal(db_int(fx->path, "PRAGMA user_version"), 11);
	free(before);
	free(after);
}

static void
test_foreign_database_refused(void **state)
{
	struct fx	*fx = *state;

	/* Somebody else's database, without a version. */
	db_exec(fx->path, "CREATE TABLE t(x)");
	assert_null(store_open(fx->path));
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM sqlite_master"),
	    1);
}

static void
test_garbage_refused(void **state)
{
	struct fx	*fx = *state;
	int		 fd;

	assert_true((fd = open(fx->path, O_WRONLY | O_CREAT | O_EXCL,
	    0600)) >= 0);
	close(fd);
	file_scribble(fx->path, 0, 8192);
	assert_null(store_open(fx->path));
}

static void
test_corrupt_refused(void **state)
{
	struct fx		*fx = *state;
	struct resolver_conf	 r = resolver("r1", "127.0.0.1", 53, "");
	struct store		*s;
	char			 p[160];

	/* Page 1 holds the schema: a good header, then rubbish. */
	fx_open(fx);
	fx_close(fx);
	snprintf(p, sizeof(p), "%s-wal", fx->path);
	assert_int_equal(access(p, F_OK), -1);
	file_scribble(fx->path, 100, 4000);
	assert_null(store_open(fx->path));

	/* The tables' pages: the open can succeed, the use fails. */
	unlink(fx->path);
	fx_open(fx);
	fx_close(fx);
	file_scribble(fx->path, 4096, 6 * 4096);
	if ((s = store_open(fx->path)) != NULL) {
		assert_int_equal(store_resolver_id(s, &r, NULL), -1);
		assert_int_equal(store_domain_id(s, "example.net."), -1);
		store_close(s);
	}
}

static void
test_unusable_path(void **state)
{
	struct fx	*fx = *state;
	char		 p[160];

	snprintf(p, sizeof(p), "%s/missing/nmigd.db", fx->dir);
	assert_null(store_open(p));
	/* A directory is not a database file. */
	assert_null(store_open(fx->dir));
}

static void
test_rollback(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct resolver_conf	 r = resolver("r1", "127.0.0.1", 53, "");
	struct answer_row	 a;
	struct event_row	 e;
	struct rverdict		 rv;
	int64_t			 did, cid, rid;

	did = store_domain_id(s, "example.co.jp.");
	cid = store_check_id(s, did, "example.co.jp.", LDNS_RR_TYPE_NS);
	rid = store_resolver_id(s, &r, NULL);
	assert_true(did > 0 && cid > 0 && rid > 0);
	memset(&e, 0, sizeof(e));
	e.when = T0;
	e.message_id = "0123456789abcdef0123456789abcdef";
	e.priority = 5;
	e.domain = "example.co.jp.";
	e.message = "round";
	memset(&rv, 0, sizeof(rv));
	rv.state = RS_NEW;

	/* Outside a transaction there is nothing to roll back. */
	assert_int_equal(store_rollback(s), 0);

	assert_int_equal(store_begin(s), 0);
	a = answer(CS_NEW, LDNS_RCODE_NOERROR, "ns1.new.example.", 300, T0);
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	assert_int_equal(store_save_rverdict(s, did, rid, &rv), 0);
	assert_int_equal(store_add_event(s, &e), 0);
	assert_true(store_domain_id(s, "rolled.example.") > 0);
	assert_int_equal(store_rollback(s), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM rverdicts"),
	    0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM domains"), 1);
	assert_int_equal(store_load_rverdict(s, did, rid, &rv), 1);

	/* Until the commit other connections see nothing. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_record_answer(s, cid, rid, &a), 0);
	assert_int_equal(store_add_event(s, &e), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM answers"), 1);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"), 1);
	/* A commit without a transaction is an error, not a crash. */
	assert_int_equal(store_commit(s), -1);
}

static void
test_reader_does_not_block(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct event_row	 e;
	sqlite3			*db;
	sqlite3_stmt		*st;

	memset(&e, 0, sizeof(e));
	e.when = T0;
	e.message_id = "0123456789abcdef0123456789abcdef";
	e.domain = "example.co.jp.";
	e.message = "first";
	assert_int_equal(store_add_event(s, &e), 0);

	/* A CLI user in the middle of a long SELECT. */
	db = db_open(fx->path);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT message FROM events",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);

	assert_int_equal(store_begin(s), 0);
	e.message = "second";
	assert_int_equal(store_add_event(s, &e), 0);
	assert_int_equal(store_commit(s), 0);
	/* The reader keeps its snapshot. */
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);

	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"), 2);
}

static void
test_events(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct event_row	 e;
	sqlite3			*db;
	sqlite3_stmt		*st;
	const unsigned char	*res;

	memset(&e, 0, sizeof(e));
	e.when = T0;
	e.message_id = "4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b";
	e.priority = 4;
	e.domain = "example.co.jp.";
	e.resolver = "google";
	e.message = "example.co.jp.: google answers old again";
	assert_int_equal(store_add_event(s, &e), 0);
	e.when = T0 + 60;
	e.message_id = "9a8b7c6d5e4f40312233445566778899";
	e.priority = 5;
	e.resolver = NULL;
	e.message = "example.co.jp.: propagation complete";
	assert_int_equal(store_add_event(s, &e), 0);

	/* Mandatory fields stay mandatory. */
	e.message = NULL;
	assert_int_equal(store_add_event(s, &e), -1);
	e.message = "x";
	e.when = 0;
	assert_int_equal(store_add_event(s, &e), -1);

	db = db_open(fx->path);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT message_id, domain, "
	    "resolver, message, time, priority FROM events ORDER BY id", -1,
	    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0),
	    "4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b");
	assert_string_equal(sqlite3_column_text(st, 1), "example.co.jp.");
	assert_string_equal(sqlite3_column_text(st, 2), "google");
	assert_string_equal(sqlite3_column_text(st, 3),
	    "example.co.jp.: google answers old again");
	assert_string_equal(sqlite3_column_text(st, 4),
	    "2026-11-27T22:00:00Z");
	assert_int_equal(sqlite3_column_int(st, 5), 4);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0),
	    "9a8b7c6d5e4f40312233445566778899");
	assert_int_equal(sqlite3_column_type(st, 2), SQLITE_NULL);
	res = sqlite3_column_text(st, 3);
	assert_string_equal(res, "example.co.jp.: propagation complete");
	assert_string_equal(sqlite3_column_text(st, 4),
	    "2026-11-27T22:01:00Z");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The newest events at or after a time, oldest first, as stored. */
static void
test_events_read(void **state)
{
	struct fx		*fx = *state;
	struct store		*s = fx_open(fx);
	struct event_row	 e;
	struct event_list	 l;
	char			 msg[32];
	int			 i;

	memset(&e, 0, sizeof(e));
	e.message_id = "4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b";
	e.priority = 5;
	e.domain = "example.co.jp";
	assert_int_equal(store_begin(s), 0);
	for (i = 0; i < 200; i++) {
		e.when = T0 + 60 * i;
		e.resolver = i % 2 ? "r1" : NULL;
		snprintf(msg, sizeof(msg), "event %d", i);
		e.message = msg;
		assert_int_equal(store_add_event(s, &e), 0);
	}
	assert_int_equal(store_commit(s), 0);

	/* More than one growth of the list. */
	assert_int_equal(store_events(s, 0, 1000, &l), 0);
	assert_int_equal(l.n, 200);
	assert_string_equal(l.v[0].message, "event 0");
	assert_null(l.v[0].resolver);
	assert_string_equal(l.v[199].message, "event 199");
	assert_string_equal(l.v[199].resolver, "r1");
	assert_string_equal(l.v[199].time, "2026-11-28T01:19:00Z");
	assert_string_equal(l.v[199].domain, "example.co.jp");
	assert_string_equal(l.v[199].message_id,
	    "4f0c7c3a2b9e4d5f8a6b1c2d3e4f5a6b");
	assert_int_equal(l.v[199].priority, 5);
	event_list_free(&l);
	assert_int_equal(l.n, 0);

	/* The newest of them, still oldest first. */
	assert_int_equal(store_events(s, 0, 10, &l), 0);
	assert_int_equal(l.n, 10);
	assert_string_equal(l.v[0].message, "event 190");
	assert_string_equal(l.v[9].message, "event 199");
	event_list_free(&l);

	/* Since a time: that one and later. */
	assert_int_equal(store_events(s, T0 + 60 * 195, 1000, &l), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].message, "event 195");
	event_list_free(&l);
	assert_int_equal(store_events(s, T0 + 60 * 200, 1000, &l), 0);
	assert_int_equal(l.n, 0);
	event_list_free(&l);
}

/*
 * The file system turned read-only under the open database, as an ext4
 * after an error or a network file system's server does: SQLite's unix
 * VFS lets a test replace the system calls it makes, and these writes
 * fail with EROFS.
 */
static bool	ro_fail;

static ssize_t
ro_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (ro_fail) {
		errno = EROFS;
		return -1;
	}
	return pwrite(fd, buf, n, off);
}

static ssize_t
ro_write(int fd, const void *buf, size_t n)
{
	if (ro_fail) {
		errno = EROFS;
		return -1;
	}
	return write(fd, buf, n);
}

static void
ro_install(bool on)
{
	sqlite3_vfs	*vfs = sqlite3_vfs_find("unix");

	assert_non_null(vfs);
	assert_true(vfs->iVersion >= 3);
	/* Whichever of them this SQLite was built to use. */
	vfs->xSetSystemCall(vfs, "pwrite", on ?
	    (sqlite3_syscall_ptr)ro_pwrite : NULL);
	vfs->xSetSystemCall(vfs, "pwrite64", on ?
	    (sqlite3_syscall_ptr)ro_pwrite : NULL);
	vfs->xSetSystemCall(vfs, "write", on ?
	    (sqlite3_syscall_ptr)ro_write : NULL);
}

/* A commit that fails because the file system is read-only says so:
 * "disk I/O error" alone would not tell it from a failing disk.  Once
 * writable, the next transaction commits. */
static void
test_readonly_says_why(void **state)
{
	struct fx	*fx = *state;
	struct store	*s;
	struct event_row e;
	char		 log[] = "/tmp/test_store.log.XXXXXX", text[1024];
	int		 fd, saved;
	ssize_t		 n;

	ro_install(true);
	s = fx_open(fx);
	memset(&e, 0, sizeof(e));
	e.when = T0;
	e.message_id = "0123456789abcdef0123456789abcdef";
	e.priority = 5;
	e.domain = "example.co.jp.";
	e.message = "round";
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_add_event(s, &e), 0);
	assert_true((fd = mkstemp(log)) != -1);
	fflush(stderr);
	assert_true((saved = dup(STDERR_FILENO)) != -1);
	assert_true(dup2(fd, STDERR_FILENO) != -1);
	ro_fail = true;
	assert_int_equal(store_commit(s), -1);
	ro_fail = false;
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	assert_int_equal(store_rollback(s), 0);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(log);
	assert_true(n > 0);
	text[n] = '\0';
	if (strstr(text, "committing: disk I/O error (Read-only file "
	    "system)") == NULL)
		fail_msg("the reason is not in: %s", text);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"), 0);

	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_add_event(s, &e), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(db_int(fx->path, "SELECT count(*) FROM events"), 1);
	ro_install(false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
		T(test_open_creates_schema),
		T(test_reopen_keeps_data),
		T(test_unsaved_rows),
		T(test_bad_input),
		T(test_change_only_growth),
		T(test_latest_answer),
		T(test_learned),
		T(test_prune_forget),
		T(test_upgrade_from_1),
		T(test_history_newest),
		T(test_history_rows),
		T(test_newer_version_refused),
		T(test_foreign_database_refused),
		T(test_garbage_refused),
		T(test_corrupt_refused),
		T(test_unusable_path),
		T(test_rollback),
		T(test_reader_does_not_block),
		T(test_events),
		T(test_events_read),
		T(test_readonly_says_why),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
