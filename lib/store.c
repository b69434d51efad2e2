/*
 * The SQLite store.  Times are RFC 3339 text in UTC and states are their
 * names, so that an operator can read the database with the sqlite3 CLI;
 * NULL stands for an unknown time (0).  WAL lets such readers, and the
 * control client, read while the daemon writes.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "packet.h"
#include "dnssec.h"
#include "providers.h"
#include "rdata.h"
#include "store.h"
#include "util.h"
#include "verdict.h"

/* A CLI writer holding the lock stalls the loop this long at most; a
 * reader never blocks us in WAL mode. */
#define STORE_BUSY_MS	1000

/*
 * store_migrations[v] takes a database from user_version v to v + 1, in the
 * same transaction as the user_version update.  Add a step for a new
 * version; never edit an old one, databases on disk were made by it.
 */
static const char *const store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE resolvers ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT UNIQUE NOT NULL,"
	"  address TEXT NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  location TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE domains ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT UNIQUE NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  since TEXT,"
	"  complete_at TEXT);"
	"CREATE TABLE checks ("
	"  id INTEGER PRIMARY KEY,"
	"  domain_id INTEGER NOT NULL REFERENCES domains(id),"
	"  owner TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  UNIQUE(domain_id, owner, type));"
	/* rcode is for people, rcode_num for reading back unnamed codes. */
	"CREATE TABLE answers ("
	"  id INTEGER PRIMARY KEY,"
	"  check_id INTEGER NOT NULL REFERENCES checks(id),"
	"  resolver_id INTEGER NOT NULL REFERENCES resolvers(id),"
	"  state TEXT NOT NULL,"
	"  rcode TEXT NOT NULL,"
	"  rcode_num INTEGER NOT NULL,"
	"  rdata TEXT NOT NULL,"
	"  ttl INTEGER NOT NULL,"
	"  rtt_ms INTEGER,"
	"  first_seen TEXT NOT NULL,"
	"  last_seen TEXT NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX answers_latest ON answers(check_id, resolver_id, id);"
	"CREATE TABLE rverdicts ("
	"  domain_id INTEGER NOT NULL REFERENCES domains(id),"
	"  resolver_id INTEGER NOT NULL REFERENCES resolvers(id),"
	"  state TEXT NOT NULL,"
	"  streak INTEGER NOT NULL,"
	"  switched INTEGER NOT NULL,"
	"  since TEXT,"
	"  fail_since TEXT,"
	"  last_checked TEXT,"
	"  PRIMARY KEY(domain_id, resolver_id));"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  time TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  priority INTEGER NOT NULL,"
	"  domain TEXT NOT NULL,"
	"  resolver TEXT,"
	"  message TEXT NOT NULL);"
	"CREATE INDEX events_time ON events(time);",
	/* 1 -> 2: the answer's records in canonical wire form (rdset_blob),
	 * which is what is compared; rdata stays as text for people.  Rows
	 * of version 1 have NULL there.  The domain on every answer, and
	 * indexes that let a domain's history be read newest first without
	 * sorting all of it: a resolver that flaps adds rows every round. */
	"ALTER TABLE answers ADD COLUMN rdata_wire BLOB;"
	"ALTER TABLE answers ADD COLUMN domain_id INTEGER"
	"  REFERENCES domains(id);"
	"UPDATE answers SET domain_id ="
	"  (SELECT domain_id FROM checks WHERE checks.id = answers.check_id);"
	"CREATE INDEX answers_domain ON answers(domain_id, first_seen, id);"
	"CREATE INDEX answers_domain_resolver"
	"  ON answers(domain_id, resolver_id, first_seen, id);"
	"CREATE INDEX events_domain ON events(domain, time, id);",
	/* 2 -> 3: what a row of resolvers stands for: a target of the
	 * probes, of a kind (every row so far is a 'resolver'; the parent
	 * zone's and the providers' authoritative servers come next).
	 * Events keyed by the domain's row rather than its display name,
	 * which is only for people; an event whose name matches no domain
	 * keeps domain_id NULL and its text. */
	"ALTER TABLE resolvers ADD COLUMN kind TEXT NOT NULL"
	"  DEFAULT 'resolver';"
	"ALTER TABLE events ADD COLUMN domain_id INTEGER"
	"  REFERENCES domains(id);"
	"UPDATE events SET domain_id ="
	"  (SELECT id FROM domains WHERE domains.name ="
	"   lower(events.domain) || '.');"
	"CREATE INDEX events_domain_id ON events(domain_id, time, id);",
	/* 3 -> 4: the parent zone's view of the domain's delegation, and
	 * when it switched to the new nameservers (a latch, like
	 * complete_at), with the referral's NS TTL then. */
	"ALTER TABLE domains ADD COLUMN parent_state TEXT NOT NULL"
	"  DEFAULT 'pending';"
	"ALTER TABLE domains ADD COLUMN parent_since TEXT;"
	"ALTER TABLE domains ADD COLUMN parent_switched_at TEXT;"
	"ALTER TABLE domains ADD COLUMN parent_ttl INTEGER;",
	/* 4 -> 5: the completion forecast per (domain, resolver): until
	 * when its cached old answers live, its expiry fixed after the
	 * parent's switch, whether it is overdue, and how often an old
	 * answer's TTL grew (lib/forecast.h). */
	"ALTER TABLE rverdicts ADD COLUMN cached_until TEXT;"
	"ALTER TABLE rverdicts ADD COLUMN expires_at TEXT;"
	"ALTER TABLE rverdicts ADD COLUMN overdue INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE rverdicts ADD COLUMN ttl_grew INTEGER NOT NULL"
	"  DEFAULT 0;",
	/* 5 -> 6: how often a resolver flapped (its samples disagreed, or
	 * it went back from new), and the rounds since. */
	"ALTER TABLE rverdicts ADD COLUMN flaps INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE rverdicts ADD COLUMN calm INTEGER NOT NULL DEFAULT 255;",
	/* 6 -> 7: decommission: since when the domain has been watched (a
	 * domain of an older database from its upgrade on), its last
	 * regression, and when its old hosting was announced as no longer
	 * needed (a latch). */
	"ALTER TABLE domains ADD COLUMN watched_since TEXT;"
	"ALTER TABLE domains ADD COLUMN regressed_at TEXT;"
	"ALTER TABLE domains ADD COLUMN cancel_at TEXT;",
	/* 7 -> 8: the providers' name servers asked directly: the old
	 * one's state and when it stopped serving while still needed, the
	 * new one's state (lib/providers.h). */
	"ALTER TABLE domains ADD COLUMN old_state TEXT NOT NULL"
	"  DEFAULT 'pending';"
	"ALTER TABLE domains ADD COLUMN new_state TEXT NOT NULL"
	"  DEFAULT 'pending';"
	"ALTER TABLE domains ADD COLUMN old_stopped_at TEXT;",
	/* 8 -> 9: DNSSEC across the cutover: how the new and the old
	 * servers' keys stand against the parent's DS set, and when the
	 * parent delegated to new servers no DS stands for (a latch). */
	"ALTER TABLE domains ADD COLUMN dnssec_new TEXT NOT NULL"
	"  DEFAULT 'unknown';"
	"ALTER TABLE domains ADD COLUMN dnssec_old TEXT NOT NULL"
	"  DEFAULT 'unknown';"
	"ALTER TABLE domains ADD COLUMN dnssec_failed_at TEXT;",
	/* 9 -> 10: learned values ("auto", lib/learn.h): each check's
	 * learned expected set and its old snapshot, as text for people and
	 * in canonical wire form (rdset_blob), with when they were learned
	 * and, for the old one, why it is empty. */
	"ALTER TABLE checks ADD COLUMN learned_rdata TEXT;"
	"ALTER TABLE checks ADD COLUMN learned_wire BLOB;"
	"ALTER TABLE checks ADD COLUMN learned_at TEXT;"
	"ALTER TABLE checks ADD COLUMN old_learned_rdata TEXT;"
	"ALTER TABLE checks ADD COLUMN old_learned_wire BLOB;"
	"ALTER TABLE checks ADD COLUMN old_learned_at TEXT;"
	"ALTER TABLE checks ADD COLUMN old_learned_note TEXT;",
};
#define STORE_VERSION \
	((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

enum store_stmt {
	SS_BEGIN,
	SS_COMMIT,
	SS_ROLLBACK,
	SS_RESOLVER_GET,
	SS_RESOLVER_ADD,
	SS_RESOLVER_SET,
	SS_DOMAIN_ADD,
	SS_DOMAIN_GET,
	SS_CHECK_ADD,
	SS_CHECK_GET,
	SS_ANSWER_BUMP,
	SS_ANSWER_ADD,
	SS_ANSWER_SEEN,
	SS_ANSWER_LATEST,
	SS_RVERDICT_SAVE,
	SS_RVERDICT_LOAD,
	SS_DOMAIN_SAVE,
	SS_DOMAIN_LOAD,
	SS_EVENT_ADD,
	SS_LEARNED_SAVE,
	SS_LEARNED_LOAD,
	SS_LEARNED_FORGET,
	SS_PRUNE_EVENTS,
	SS_PRUNE_NEXT_DOMAIN,
	SS_PRUNE_ANSWERS,
	SS_FORGET_ANSWERS,
	SS_FORGET_RVERDICTS,
	SS_FORGET_EVENTS,
	SS_FORGET_CHECKS,
	SS_FORGET_DOMAIN,
	SS_MAX
};

/* Parameters are numbered in the order stmt_bind() binds them. */
static const char *const store_sql[SS_MAX] = {
	[SS_BEGIN] = "BEGIN IMMEDIATE",
	[SS_COMMIT] = "COMMIT",
	[SS_ROLLBACK] = "ROLLBACK",
	[SS_RESOLVER_GET] =
	    "SELECT id, address, port, location FROM resolvers"
	    " WHERE name = ?1",
	[SS_RESOLVER_ADD] =
	    "INSERT INTO resolvers(name, address, port, location)"
	    " VALUES(?1, ?2, ?3, ?4)",
	[SS_RESOLVER_SET] =
	    "UPDATE resolvers SET address = ?1, port = ?2, location = ?3"
	    " WHERE id = ?4",
	[SS_DOMAIN_ADD] = "INSERT OR IGNORE INTO domains(name) VALUES(?1)",
	[SS_DOMAIN_GET] = "SELECT id FROM domains WHERE name = ?1",
	[SS_CHECK_ADD] =
	    "INSERT OR IGNORE INTO checks(domain_id, owner, type)"
	    " VALUES(?1, ?2, ?3)",
	[SS_CHECK_GET] =
	    "SELECT id FROM checks"
	    " WHERE domain_id = ?1 AND owner = ?2 AND type = ?3",
	/* Only the latest row may absorb the answer: a change back to an
	 * earlier answer is a change, and gets a row of its own. */
	[SS_ANSWER_BUMP] =
	    "UPDATE answers SET last_seen = ?1, count = count + ?9,"
	    " ttl = ?2, rtt_ms = ?3"
	    " WHERE id = (SELECT max(id) FROM answers"
	    "   WHERE check_id = ?4 AND resolver_id = ?5)"
	    " AND state = ?6 AND rcode_num = ?7 AND rdata_wire = ?8",
	[SS_ANSWER_ADD] =
	    "INSERT INTO answers(check_id, resolver_id, state, rcode,"
	    " rcode_num, rdata, ttl, rtt_ms, first_seen, last_seen, rdata_wire,"
	    " domain_id, count)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " (SELECT domain_id FROM checks WHERE id = ?1), ?12)",
	/* Sightings of the answer before a change that were not counted
	 * yet (lib/outbox.c): that answer's row is the latest. */
	[SS_ANSWER_SEEN] =
	    "UPDATE answers SET last_seen = ?1, count = count + ?2, ttl = ?5"
	    " WHERE id = (SELECT max(id) FROM answers"
	    "   WHERE check_id = ?3 AND resolver_id = ?4)",
	[SS_ANSWER_LATEST] =
	    "SELECT state, rcode_num, ttl, rtt_ms, last_seen, rdata,"
	    " rdata_wire, id"
	    " FROM answers WHERE check_id = ?1 AND resolver_id = ?2"
	    " ORDER BY id DESC LIMIT 1",
	[SS_RVERDICT_SAVE] =
	    "INSERT OR REPLACE INTO rverdicts(domain_id, resolver_id, state,"
	    " streak, switched, since, fail_since, last_checked,"
	    " cached_until, expires_at, overdue, ttl_grew, flaps, calm)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14)",
	[SS_RVERDICT_LOAD] =
	    "SELECT state, streak, switched, since, fail_since, last_checked,"
	    " cached_until, expires_at, overdue, ttl_grew, flaps, calm"
	    " FROM rverdicts WHERE domain_id = ?1 AND resolver_id = ?2",
	[SS_DOMAIN_SAVE] =
	    "UPDATE domains SET state = ?1, since = ?2, complete_at = ?3,"
	    " parent_state = ?4, parent_since = ?5, parent_switched_at = ?6,"
	    " parent_ttl = ?7, watched_since = ?8, regressed_at = ?9,"
	    " cancel_at = ?10, old_state = ?11, new_state = ?12,"
	    " old_stopped_at = ?13, dnssec_new = ?14, dnssec_old = ?15,"
	    " dnssec_failed_at = ?16 WHERE id = ?17",
	[SS_DOMAIN_LOAD] =
	    "SELECT state, since, complete_at, parent_state, parent_since,"
	    " parent_switched_at, parent_ttl, watched_since, regressed_at,"
	    " cancel_at, old_state, new_state, old_stopped_at, dnssec_new,"
	    " dnssec_old, dnssec_failed_at FROM domains WHERE id = ?1",
	[SS_EVENT_ADD] =
	    "INSERT INTO events(time, message_id, priority, domain, resolver,"
	    " message, domain_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SS_LEARNED_SAVE] =
	    "UPDATE checks SET learned_rdata = ?1, learned_wire = ?2,"
	    " learned_at = ?3, old_learned_rdata = ?4, old_learned_wire = ?5,"
	    " old_learned_at = ?6, old_learned_note = ?7 WHERE id = ?8",
	[SS_LEARNED_LOAD] =
	    "SELECT learned_wire, learned_at, old_learned_wire,"
	    " old_learned_at, old_learned_note FROM checks WHERE id = ?1",
	/* Only a row that holds what is forgotten is written. */
	[SS_LEARNED_FORGET] =
	    "UPDATE checks SET"
	    " learned_rdata = CASE WHEN ?2 THEN NULL ELSE learned_rdata END,"
	    " learned_wire = CASE WHEN ?2 THEN NULL ELSE learned_wire END,"
	    " learned_at = CASE WHEN ?2 THEN NULL ELSE learned_at END,"
	    " old_learned_rdata = CASE WHEN ?3 THEN NULL"
	    "  ELSE old_learned_rdata END,"
	    " old_learned_wire = CASE WHEN ?3 THEN NULL"
	    "  ELSE old_learned_wire END,"
	    " old_learned_at = CASE WHEN ?3 THEN NULL ELSE old_learned_at END,"
	    " old_learned_note = CASE WHEN ?3 THEN NULL"
	    "  ELSE old_learned_note END"
	    " WHERE id = ?1 AND ((?2 AND learned_at IS NOT NULL) OR"
	    "  (?3 AND old_learned_at IS NOT NULL))",
	/* Retention ("history-days"): old events by their time index; a
	 * domain's answer changes seen last before the cutoff, through the
	 * domain's index, but never the latest of a (check, resolver): it
	 * is the state read back at start. */
	[SS_PRUNE_EVENTS] =
	    "DELETE FROM events WHERE id IN (SELECT id FROM events"
	    " WHERE time < ?1 ORDER BY time LIMIT ?2)",
	[SS_PRUNE_NEXT_DOMAIN] =
	    "SELECT id FROM domains WHERE id > ?1 ORDER BY id LIMIT 1",
	[SS_PRUNE_ANSWERS] =
	    "DELETE FROM answers WHERE id IN (SELECT a.id FROM answers a"
	    " WHERE a.domain_id = ?1 AND a.first_seen < ?2"
	    " AND a.last_seen < ?2 AND a.id < (SELECT max(b.id) FROM answers b"
	    "  WHERE b.check_id = a.check_id AND b.resolver_id = a.resolver_id)"
	    " LIMIT ?3)",
	/* nmigd-ctl forget: every row of a domain no longer watched. */
	[SS_FORGET_ANSWERS] = "DELETE FROM answers WHERE check_id IN"
	    " (SELECT id FROM checks WHERE domain_id = ?1)",
	[SS_FORGET_RVERDICTS] = "DELETE FROM rverdicts WHERE domain_id = ?1",
	[SS_FORGET_EVENTS] = "DELETE FROM events WHERE domain_id = ?1",
	[SS_FORGET_CHECKS] = "DELETE FROM checks WHERE domain_id = ?1",
	[SS_FORGET_DOMAIN] = "DELETE FROM domains WHERE id = ?1",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[SS_MAX];
	time_t		 warned_at;	/* the last statement error logged */
	unsigned	 unwarned;	/* errors since, not logged */
};

/* A database that fails (a full disk, a lock held by another process)
 * fails every statement of every batch, a few times a second: one line
 * a minute says so, with the count left out; lib/outbox.c says what is
 * kept meanwhile. */
#define STORE_WARN_EVERY	60

static void
warn_statement(struct store *s, const char *fn, const char *what)
{
	time_t	now = time(NULL);

	if (s->warned_at != 0 && now - s->warned_at < STORE_WARN_EVERY &&
	    now >= s->warned_at) {
		s->unwarned++;
		return;
	}
	if (s->unwarned > 0)
		log_warnx("database: %s: %s (and %u more database errors in "
		    "the last %lld s)", fn, what, s->unwarned,
		    (long long)(now - s->warned_at));
	else
		log_warnx("database: %s: %s", fn, what);
	s->warned_at = now;
	s->unwarned = 0;
}

/*
 * SQLite's message for the last error, with the system's reason when the
 * file system failed: "disk I/O error" alone does not tell a file system
 * turned read-only from a failing disk.  SQLite keeps no reliable errno
 * for a failed commit (sqlite3_system_errno() says 0), so the caller
 * clears errno before the step and passes what the step left; buf holds
 * the message, if needed.
 */
static const char *
db_errmsg(sqlite3 *db, int os_errno, char *buf, size_t len)
{
	int	code = sqlite3_extended_errcode(db) & 0xff;

	if ((code != SQLITE_IOERR && code != SQLITE_CANTOPEN &&
	    code != SQLITE_READONLY) || os_errno == 0)
		return sqlite3_errmsg(db);
	snprintf(buf, len, "%s (%s)", sqlite3_errmsg(db), strerror(os_errno));
	return buf;
}

/* Statements at open time, before struct store has its statements. */
static int
db_exec(sqlite3 *db, const char *path, const char *fn, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", path, fn, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The single integer a PRAGMA or count(*) returns. */
static int
db_int(sqlite3 *db, const char *path, const char *fn, const char *sql,
    int64_t *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", path, fn, sqlite3_errmsg(db));
		return -1;
	}
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			log_warnx("%s: %s: no result from \"%s\"", path, fn,
			    sql);
		else
			log_warnx("%s: %s: %s", path, fn, sqlite3_errmsg(db));
		(void)sqlite3_finalize(st);
		return -1;
	}
	*v = sqlite3_column_int64(st, 0);
	(void)sqlite3_finalize(st);
	return 0;
}

static int
db_journal_wal(sqlite3 *db, const char *path)
{
	static const char	action[] = "setting the journal mode";
	sqlite3_stmt		*st;
	const unsigned char	*mode;
	int			 ok;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", path, action, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		log_warnx("%s: %s: %s", path, action, sqlite3_errmsg(db));
		(void)sqlite3_finalize(st);
		return -1;
	}
	/* SQLite answers with the mode in force, which is not WAL on a
	 * file system without shared memory or for an in-memory database. */
	mode = sqlite3_column_text(st, 0);
	ok = mode != NULL && strcmp((const char *)mode, "wal") == 0;
	if (!ok)
		log_warnx("%s: %s: cannot use WAL, journal mode is %s",
		    path, action, mode != NULL ? (const char *)mode : "?");
	(void)sqlite3_finalize(st);
	return ok ? 0 : -1;
}

/* Refuse what this code cannot have made or cannot read. */
static int
db_check_version(sqlite3 *db, const char *path, int64_t version)
{
	static const char	action[] = "checking the schema version";
	int64_t	objects;

	if (version > STORE_VERSION) {
		log_warnx("%s: %s: schema version %" PRId64 " is newer than "
		    "this nmigd knows (%d); refusing to touch it", path,
		    action, version, STORE_VERSION);
		return -1;
	}
	if (version < 0) {
		log_warnx("%s: %s: bad schema version %" PRId64, path,
		    action, version);
		return -1;
	}
	if (version > 0)
		return 0;
	if (db_int(db, path, action, "SELECT count(*) FROM sqlite_master",
	    &objects) == -1)
		return -1;
	if (objects != 0) {
		log_warnx("%s: %s: not an nmigd database (tables but no "
		    "schema version)", path, action);
		return -1;
	}
	return 0;
}

static int
db_migrate(sqlite3 *db, const char *path)
{
	static const char	action[] = "upgrading the schema";
	char	sql[64];
	int64_t	v, version;

	if (db_exec(db, path, action, "BEGIN IMMEDIATE") == -1)
		return -1;
	/* Again under the write lock: another process may have got here
	 * first. */
	if (db_int(db, path, action, "PRAGMA user_version", &version) == -1 ||
	    db_check_version(db, path, version) == -1)
		goto fail;
	for (v = version; v < STORE_VERSION; v++) {
		if (db_exec(db, path, action, store_migrations[v]) == -1)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_VERSION);
	if (db_exec(db, path, action, sql) == -1 ||
	    db_exec(db, path, action, "COMMIT") == -1)
		goto fail;
	if (version == 0)
		log_info("%s: created schema version %d", path, STORE_VERSION);
	else if (version < STORE_VERSION)
		log_info("%s: schema version %" PRId64 " upgraded to %d", path,
		    version, STORE_VERSION);
	return 0;
fail:
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Why the database cannot be opened, for the operator: most often its
 * directory, which the systemd unit makes (StateDirectory=) and a hand
 * start may not have. */
static void
db_open_failed(const char *path, const char *why)
{
	char	*copy = xstrdup(path), *dir = dirname(copy);

	if (access(dir, F_OK) == -1 && errno == ENOENT)
		log_warnx("database %s: the directory %s does not exist (the "
		    "systemd service creates %s; otherwise create it, "
		    "writable by the user nmigd runs as)", path, dir,
		    "/var/lib/nmigd");
	else if (access(dir, W_OK | X_OK) == -1)
		log_warnx("database %s: cannot write in %s: %s (it must be "
		    "writable by the user nmigd runs as)", path, dir,
		    strerror(errno));
	else
		log_warnx("database %s: %s", path, why);
	free(copy);
}

struct store *
store_open(const char *path)
{
	static const char	action[] = "opening";
	struct store	*s;
	int64_t		 version;
	int		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("database %s", path);
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		db_open_failed(path, s->db != NULL ? sqlite3_errmsg(s->db) :
		    "out of memory");
		goto fail;
	}
	if (sqlite3_busy_timeout(s->db, STORE_BUSY_MS) != SQLITE_OK) {
		log_warnx("%s: %s: %s", path, action, sqlite3_errmsg(s->db));
		goto fail;
	}
#ifdef SQLITE_DBCONFIG_DEFENSIVE
	/* No writable_schema tricks through this connection. */
	if (sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", path, action, sqlite3_errmsg(s->db));
		goto fail;
	}
#endif
	/* The first read: a file that is not a database fails here, and a
	 * newer database is refused before anything below writes to it. */
	if (db_int(s->db, path, action, "PRAGMA user_version",
	    &version) == -1 ||
	    db_check_version(s->db, path, version) == -1)
		goto fail;
	if (db_journal_wal(s->db, path) == -1 ||
	    db_exec(s->db, path, action, "PRAGMA synchronous = NORMAL") ==
	    -1 ||
	    db_exec(s->db, path, action, "PRAGMA foreign_keys = ON") == -1)
		goto fail;
	if (version < STORE_VERSION && db_migrate(s->db, path) == -1)
		goto fail;
	for (i = 0; i < SS_MAX; i++) {
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			log_warnx("%s: %s: %s", path, action,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	static const char	action[] = "closing";
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < SS_MAX; i++)
		(void)sqlite3_finalize(s->st[i]);
	/* Closing rolls back an open transaction; BUSY would mean a
	 * statement left unfinalized, a bug here. */
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("database: %s: %s", action, sqlite3_errmsg(s->db));
	free(s);
}

/*
 * Bind parameters 1, 2, ... from fmt: 's' text (NULL binds NULL), 'i' int,
 * 'I' int64_t, 'R' a row id as int64_t (0 or less, none, binds NULL), 't'
 * time_t as RFC 3339 (0, unknown, binds NULL), 'b' a blob as a pointer
 * and a size_t length.
 */
static int
stmt_vbind(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	char		 tbuf[NMIG_TIMEBUF];
	const char	*str;
	const void	*blob;
	size_t		 blen;
	time_t		 t;
	int64_t		 id;
	int		 i, rc = SQLITE_OK;

	for (i = 0; fmt[i] != '\0' && rc == SQLITE_OK; i++) {
		switch (fmt[i]) {
		case 's':
			str = va_arg(ap, const char *);
			rc = sqlite3_bind_text(st, i + 1, str, -1,
			    SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, i + 1,
			    va_arg(ap, int64_t));
			break;
		case 'R':
			id = va_arg(ap, int64_t);
			rc = id > 0 ? sqlite3_bind_int64(st, i + 1, id) :
			    sqlite3_bind_null(st, i + 1);
			break;
		case 'b':
			blob = va_arg(ap, const void *);
			blen = va_arg(ap, size_t);
			rc = blen > INT_MAX ? SQLITE_TOOBIG :
			    sqlite3_bind_blob(st, i + 1, blob, (int)blen,
			    SQLITE_STATIC);
			break;
		case 't':
			t = va_arg(ap, time_t);
			if (t == 0)
				rc = sqlite3_bind_null(st, i + 1);
			/* Only a time that reads back is worth storing. */
			else if ((str = fmt_time(t, tbuf)) == NULL ||
			    parse_time(str) != t)
				rc = SQLITE_RANGE;
			else
				rc = sqlite3_bind_text(st, i + 1, str, -1,
				    SQLITE_TRANSIENT);
			break;
		default:
			rc = SQLITE_MISUSE;
			break;
		}
	}
	return rc;
}

static void
stmt_done(struct store *s, enum store_stmt which)
{
	/* reset repeats the error of the last step, already reported. */
	(void)sqlite3_reset(s->st[which]);
	(void)sqlite3_clear_bindings(s->st[which]);
}

static int
stmt_vrun(struct store *s, const char *fn, enum store_stmt which,
    const char *fmt, va_list ap)
{
	sqlite3_stmt	*st = s->st[which];
	char		 ebuf[256];
	int		 rc;

	if ((rc = stmt_vbind(st, fmt, ap)) != SQLITE_OK) {
		warn_statement(s, fn, rc == SQLITE_RANGE ?
		    "binding: value out of range" : sqlite3_errstr(rc));
		stmt_done(s, which);
		return -1;
	}
	errno = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		return rc;
	if (rc != SQLITE_DONE)
		warn_statement(s, fn, db_errmsg(s->db, errno, ebuf,
		    sizeof(ebuf)));
	stmt_done(s, which);
	return rc == SQLITE_DONE ? rc : -1;
}

/*
 * Bind and step once.  SQLITE_ROW: read the columns, then stmt_done().
 * SQLITE_DONE: the statement is already reset.  -1 after logging as fn.
 */
static int
stmt_run(struct store *s, const char *fn, enum store_stmt which,
    const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = stmt_vrun(s, fn, which, fmt, ap);
	va_end(ap);
	return rc;
}

/* The id a one-column SELECT finds; -1 when there is none. */
static int64_t
stmt_id(struct store *s, const char *fn, enum store_stmt which,
    const char *fmt, ...)
{
	va_list	ap;
	int64_t	id;
	int	rc;

	va_start(ap, fmt);
	rc = stmt_vrun(s, fn, which, fmt, ap);
	va_end(ap);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			log_warnx("database: %s: row vanished", fn);
		return -1;
	}
	id = sqlite3_column_int64(s->st[which], 0);
	stmt_done(s, which);
	return id;
}

/* NOT NULL columns can still read as NULL when memory runs out. */
static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*t;

	t = sqlite3_column_text(st, i);
	return t != NULL ? (const char *)t : "";
}

static int
col_time(sqlite3_stmt *st, int i, time_t *t)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		*t = 0;
		return 0;
	}
	if ((*t = parse_time(col_text(st, i))) == (time_t)-1)
		return -1;
	return 0;
}

/* An integer column that must lie in [min, max]. */
static int
col_range(sqlite3_stmt *st, int i, int64_t min, int64_t max, int64_t *v)
{
	if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return -1;
	*v = sqlite3_column_int64(st, i);
	return *v >= min && *v <= max ? 0 : -1;
}

int
store_begin(struct store *s)
{
	static const char	action[] = "starting a transaction";

	return stmt_run(s, action, SS_BEGIN, "") == -1 ? -1 : 0;
}

/* When COMMIT fails the transaction may still be open: the caller rolls
 * back. */
int
store_commit(struct store *s)
{
	static const char	action[] = "committing";

	return stmt_run(s, action, SS_COMMIT, "") == -1 ? -1 : 0;
}

int
store_rollback(struct store *s)
{
	static const char	action[] = "rolling back";

	/* Some errors (SQLITE_FULL, ...) end the transaction themselves;
	 * there is nothing left to undo then. */
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return stmt_run(s, action, SS_ROLLBACK, "") == -1 ? -1 : 0;
}

int64_t
store_resolver_id(struct store *s, const struct resolver_conf *r,
    bool *created)
{
	static const char	action[] = "saving a resolver";
	sqlite3_stmt	*st = s->st[SS_RESOLVER_GET];
	const char	*location;
	int64_t		 id, port;
	int		 rc, same;

	if (r->name == NULL) {
		log_warnx("database: %s: resolver without a name", action);
		return -1;
	}
	location = r->location != NULL ? r->location : "";
	if ((rc = stmt_run(s, action, SS_RESOLVER_GET, "s", r->name)) == -1)
		return -1;
	if (created != NULL)
		*created = rc == SQLITE_DONE;
	if (rc == SQLITE_DONE) {
		if (stmt_run(s, action, SS_RESOLVER_ADD, "ssis", r->name,
		    r->address, (int)r->port, location) == -1)
			return -1;
		return sqlite3_last_insert_rowid(s->db);
	}
	id = sqlite3_column_int64(st, 0);
	port = sqlite3_column_int64(st, 2);
	same = strcmp(col_text(st, 1), r->address) == 0 &&
	    port == r->port && strcmp(col_text(st, 3), location) == 0;
	stmt_done(s, SS_RESOLVER_GET);
	/* Keep the id, so that the history stays with the name. */
	if (!same && stmt_run(s, action, SS_RESOLVER_SET, "sisI",
	    r->address, (int)r->port, location, id) == -1)
		return -1;
	return id;
}

int64_t
store_domain_id(struct store *s, const char *domain)
{
	static const char	action[] = "saving a domain";

	/* OR IGNORE would swallow the NOT NULL violation. */
	if (domain == NULL) {
		log_warnx("database: %s: no domain name", action);
		return -1;
	}
	if (stmt_run(s, action, SS_DOMAIN_ADD, "s", domain) == -1)
		return -1;
	return stmt_id(s, action, SS_DOMAIN_GET, "s", domain);
}

int64_t
store_check_id(struct store *s, int64_t domain_id, const char *owner,
    uint16_t type)
{
	static const char	action[] = "saving a watched record";
	char		 buf[16];
	const char	*tname;

	if (owner == NULL) {
		log_warnx("database: %s: no owner name", action);
		return -1;
	}
	tname = rrtype_name(type, buf);
	if (stmt_run(s, action, SS_CHECK_ADD, "Iss", domain_id, owner,
	    tname) == -1)
		return -1;
	return stmt_id(s, action, SS_CHECK_GET, "Iss", domain_id, owner,
	    tname);
}

int
store_record_answer(struct store *s, int64_t check_id, int64_t resolver_id,
    const struct answer_row *a)
{
	static const char	action[] = "saving an answer";
	char		 rbuf[16];
	const char	*state, *rdata;
	int64_t		 count;

	if (a->state >= CS_MAX) {
		log_warnx("database: %s: bad check state %u", action, a->state);
		return -1;
	}
	state = check_state_name(a->state);
	count = a->count > 0 ? a->count : 1;
	if (stmt_run(s, action, SS_ANSWER_BUMP, "tIIIIsibI", a->when,
	    (int64_t)a->ttl, (int64_t)a->rtt_ms, check_id, resolver_id,
	    state, (int)a->rcode, a->wire, a->wirelen, count) == -1)
		return -1;
	if (sqlite3_changes(s->db) > 0)
		return 0;
	if ((rdata = a->rdata) == NULL)
		return 1;
	if (stmt_run(s, action, SS_ANSWER_ADD, "IIssisIIttbI", check_id,
	    resolver_id, state, a->rcode == STORE_RCODE_NONE ? "NONE" :
	    rcode_name(a->rcode, rbuf), (int)a->rcode,
	    rdata, (int64_t)a->ttl, (int64_t)a->rtt_ms,
	    a->first_seen != 0 ? a->first_seen : a->when,
	    a->when, a->wire, a->wirelen, count) == -1)
		return -1;
	return 0;
}

int
store_answer_seen(struct store *s, int64_t check_id, int64_t resolver_id,
    time_t last_seen, uint32_t count, uint32_t ttl)
{
	static const char	action[] = "updating an answer";

	return stmt_run(s, action, SS_ANSWER_SEEN, "tIIII", last_seen,
	    (int64_t)count, check_id, resolver_id, (int64_t)ttl) == -1 ?
	    -1 : 0;
}

/* A copy of a column's blob, or NULL for NULL. */
static int
col_blob(sqlite3_stmt *st, int i, uint8_t **out, size_t *len)
{
	const void	*b;
	int		 n;

	*out = NULL;
	*len = 0;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	b = sqlite3_column_blob(st, i);
	n = sqlite3_column_bytes(st, i);
	if (n < 0 || (n > 0 && b == NULL))
		return -1;
	*out = xcalloc(1, (size_t)n + 1);
	if (n > 0)
		memcpy(*out, b, (size_t)n);
	*len = (size_t)n;
	return 0;
}

/* out->when is the row's last_seen; out->rdata and out->wire point to
 * *text and *wire, which the caller frees. */
int
store_latest_answer(struct store *s, int64_t check_id, int64_t resolver_id,
    struct answer_row *out, char **text, uint8_t **wire)
{
	static const char	action[] = "reading the latest answer";
	sqlite3_stmt	*st = s->st[SS_ANSWER_LATEST];
	const char	*what;
	uint8_t		*blob = NULL;
	size_t		 blen;
	int64_t		 rcode, ttl, rtt, id;
	time_t		 when;
	int		 rc, state;

	*text = NULL;
	*wire = NULL;
	if ((rc = stmt_run(s, action, SS_ANSWER_LATEST, "II", check_id,
	    resolver_id)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	id = sqlite3_column_int64(st, 7);
	what = "state";
	if ((state = check_state_from_name(col_text(st, 0))) < 0)
		goto bad;
	what = "rcode";
	if (col_range(st, 1, 0, UINT8_MAX, &rcode) == -1)
		goto bad;
	what = "ttl";
	if (col_range(st, 2, 0, UINT32_MAX, &ttl) == -1)
		goto bad;
	what = "rtt_ms";
	if (sqlite3_column_type(st, 3) == SQLITE_NULL)
		rtt = 0;
	else if (col_range(st, 3, 0, UINT32_MAX, &rtt) == -1)
		goto bad;
	what = "last_seen";
	if (col_time(st, 4, &when) == -1)
		goto bad;
	what = "rdata_wire";
	if (col_blob(st, 6, &blob, &blen) == -1)
		goto bad;
	*text = xstrdup(col_text(st, 5));
	*wire = blob;
	stmt_done(s, SS_ANSWER_LATEST);
	memset(out, 0, sizeof(*out));
	out->state = state;
	out->rcode = rcode;
	out->ttl = ttl;
	out->rtt_ms = rtt;
	out->when = when;
	out->rdata = *text;
	out->wire = blob;
	out->wirelen = blen;
	return 0;
bad:
	log_warnx("answers row %" PRId64 ": bad %s; the row is skipped", id,
	    what);
	stmt_done(s, SS_ANSWER_LATEST);
	return STORE_BAD_ROW;
}

int
store_save_rverdict(struct store *s, int64_t domain_id, int64_t resolver_id,
    const struct rverdict *rv)
{
	static const char	action[] = "saving a resolver's verdict";

	if (rv->state >= RS_MAX) {
		log_warnx("database: %s: bad resolver state %u", action, rv->state);
		return -1;
	}
	if (stmt_run(s, action, SS_RVERDICT_SAVE, "IIsiitttttiiii", domain_id,
	    resolver_id, resolver_state_name(rv->state), (int)rv->streak,
	    (int)rv->switched, rv->since, rv->fail_since,
	    rv->last_checked, rv->cached_until, rv->expires_at,
	    (int)rv->overdue, (int)rv->ttl_grew, (int)rv->flaps,
	    (int)rv->calm) == -1)
		return -1;
	return 0;
}

/* Without a row *rv is zeroed: a resolver never judged is pending.  A
 * row that does not read is reported and loads as none: the resolver is
 * judged afresh from its next round. */
int
store_load_rverdict(struct store *s, int64_t domain_id, int64_t resolver_id,
    struct rverdict *rv)
{
	static const char	action[] = "loading a resolver's verdict";
	sqlite3_stmt	*st = s->st[SS_RVERDICT_LOAD];
	struct rverdict	 v;
	const char	*what;
	int64_t		 streak, switched, overdue, grew, flaps, calm;
	int		 rc, state;

	memset(&v, 0, sizeof(v));
	*rv = v;
	if ((rc = stmt_run(s, action, SS_RVERDICT_LOAD, "II", domain_id,
	    resolver_id)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	what = "state";
	if ((state = resolver_state_from_name(col_text(st, 0))) < 0)
		goto bad;
	what = "streak";
	if (col_range(st, 1, 0, UINT8_MAX, &streak) == -1)
		goto bad;
	what = "switched";
	if (col_range(st, 2, 0, 1, &switched) == -1)
		goto bad;
	what = "since";
	if (col_time(st, 3, &v.since) == -1)
		goto bad;
	what = "fail_since";
	if (col_time(st, 4, &v.fail_since) == -1)
		goto bad;
	what = "last_checked";
	if (col_time(st, 5, &v.last_checked) == -1)
		goto bad;
	what = "cached_until";
	if (col_time(st, 6, &v.cached_until) == -1)
		goto bad;
	what = "expires_at";
	if (col_time(st, 7, &v.expires_at) == -1)
		goto bad;
	what = "overdue";
	if (col_range(st, 8, 0, 1, &overdue) == -1)
		goto bad;
	what = "ttl_grew";
	if (col_range(st, 9, 0, UINT16_MAX, &grew) == -1)
		goto bad;
	what = "flaps";
	if (col_range(st, 10, 0, UINT16_MAX, &flaps) == -1)
		goto bad;
	what = "calm";
	if (col_range(st, 11, 0, UINT8_MAX, &calm) == -1)
		goto bad;
	stmt_done(s, SS_RVERDICT_LOAD);
	v.state = state;
	v.streak = streak;
	v.switched = switched;
	v.overdue = overdue;
	v.ttl_grew = (uint16_t)grew;
	v.flaps = (uint16_t)flaps;
	v.calm = (uint8_t)calm;
	*rv = v;
	return 0;
bad:
	log_warnx("rverdicts row (domain_id %" PRId64 ", resolver_id %" PRId64
	    "): bad %s; the resolver starts again as pending", domain_id,
	    resolver_id, what);
	stmt_done(s, SS_RVERDICT_LOAD);
	return STORE_BAD_ROW;
}

static void
domain_bad(int64_t domain_id, const char *col, const char *now)
{
	log_warnx("domains row %" PRId64 ": bad %s; taken as %s", domain_id,
	    col, now);
}

int
store_save_domain(struct store *s, int64_t domain_id,
    const struct domain_row *d)
{
	static const char	action[] = "saving a domain's state";

	if (d->state >= DS_MAX || d->parent_state >= PS_MAX ||
	    d->old_state >= OP_MAX || d->new_state >= NP_MAX ||
	    d->dnssec_new >= DN_MAX || d->dnssec_old >= DN_MAX) {
		log_warnx("database: %s: bad domain state %u/%u/%u/%u", action,
		    d->state, d->parent_state, d->old_state, d->new_state);
		return -1;
	}
	if (stmt_run(s, action, SS_DOMAIN_SAVE, "sttsttRtttsstsstI",
	    domain_state_name(d->state), d->since, d->complete_at,
	    parent_state_name(d->parent_state), d->parent_since,
	    d->parent_switched_at, (int64_t)d->parent_ttl, d->watched_since,
	    d->regressed_at, d->cancel_at, old_state_name(d->old_state),
	    new_state_name(d->new_state), d->old_stopped_at,
	    dnssec_state_name(d->dnssec_new), dnssec_state_name(d->dnssec_old),
	    d->dnssec_failed_at, domain_id) == -1)
		return -1;
	if (sqlite3_changes(s->db) == 0) {
		log_warnx("database: %s: no domain %" PRId64, action, domain_id);
		return -1;
	}
	return 0;
}

/* The parent's view, columns 3 to 6, each replaced when it does not
 * read: the view by pending (the servers are asked again), the times by
 * unknown, the TTL by 0.  Returns 1 if one was. */
static int
load_parent(sqlite3_stmt *st, int64_t domain_id, struct domain_row *v)
{
	int64_t	ttl;
	int	ps, bad = 0;

	if ((ps = parent_state_from_name(col_text(st, 3))) < 0) {
		domain_bad(domain_id, "parent_state", "pending");
		ps = PS_PENDING;
		bad = 1;
	}
	v->parent_state = (uint8_t)ps;
	if (col_time(st, 4, &v->parent_since) == -1) {
		domain_bad(domain_id, "parent_since", "unknown");
		v->parent_since = 0;
		bad = 1;
	}
	if (col_time(st, 5, &v->parent_switched_at) == -1) {
		domain_bad(domain_id, "parent_switched_at", "unknown");
		v->parent_switched_at = 0;
		bad = 1;
	}
	ttl = 0;
	if (sqlite3_column_type(st, 6) != SQLITE_NULL &&
	    col_range(st, 6, 0, UINT32_MAX, &ttl) == -1) {
		domain_bad(domain_id, "parent_ttl", "0");
		ttl = 0;
		bad = 1;
	}
	v->parent_ttl = (uint32_t)ttl;
	return bad;
}

/* The decommission times, columns 7 to 9: one that does not read is
 * unknown (watched_since then starts again from the next round). */
static int
load_decommission(sqlite3_stmt *st, int64_t domain_id, struct domain_row *v)
{
	static const char *const cols[] = { "watched_since", "regressed_at",
	    "cancel_at" };
	time_t	*dst[] = { &v->watched_since, &v->regressed_at, &v->cancel_at };
	size_t	 i;
	int	 bad = 0;

	for (i = 0; i < 3; i++) {
		if (col_time(st, 7 + (int)i, dst[i]) == -1) {
			domain_bad(domain_id, cols[i], "unknown");
			*dst[i] = 0;
			bad = 1;
		}
	}
	return bad;
}

/* A state column by its names; dflt (named dname) when it does not read,
 * which is reported (*bad set). */
static uint8_t
col_state(sqlite3_stmt *st, int i, int (*from_name)(const char *),
    int64_t domain_id, const char *col, int dflt, const char *dname,
    int *bad)
{
	int	v;

	if ((v = from_name(col_text(st, i))) >= 0)
		return (uint8_t)v;
	domain_bad(domain_id, col, dname);
	*bad = 1;
	return (uint8_t)dflt;
}

/* A time column; unknown (0) when it does not read, which is reported:
 * returns 1 then. */
static int
col_time_or_unknown(sqlite3_stmt *st, int i, int64_t domain_id,
    const char *col, time_t *t)
{
	if (col_time(st, i, t) == 0)
		return 0;
	domain_bad(domain_id, col, "unknown");
	*t = 0;
	return 1;
}

/* The providers' states and DNSSEC, columns 10 to 15: asked again,
 * pending or unknown, when they do not read. */
static int
load_providers(sqlite3_stmt *st, int64_t domain_id, struct domain_row *v)
{
	int	bad = 0;

	v->old_state = col_state(st, 10, old_state_from_name, domain_id,
	    "old_state", OP_PENDING, "pending", &bad);
	v->new_state = col_state(st, 11, new_state_from_name, domain_id,
	    "new_state", NP_PENDING, "pending", &bad);
	v->dnssec_new = col_state(st, 13, dnssec_state_from_name, domain_id,
	    "dnssec_new", DN_UNKNOWN, "unknown", &bad);
	v->dnssec_old = col_state(st, 14, dnssec_state_from_name, domain_id,
	    "dnssec_old", DN_UNKNOWN, "unknown", &bad);
	bad |= col_time_or_unknown(st, 12, domain_id, "old_stopped_at",
	    &v->old_stopped_at);
	bad |= col_time_or_unknown(st, 15, domain_id, "dnssec_failed_at",
	    &v->dnssec_failed_at);
	return bad;
}

/*
 * store_domain_id() creates the row as pending with unknown times, so a
 * domain never saved loads as that, returning 0.  1 means there is no
 * domain with this id at all.  A column that does not read is reported
 * and replaced by what can be trusted: an unreadable time by unknown, an
 * unreadable state by complete when the completion time reads, else
 * pending; STORE_BAD_ROW then says so.
 */
int
store_load_domain(struct store *s, int64_t domain_id, struct domain_row *d)
{
	static const char	action[] = "loading a domain's state";
	sqlite3_stmt		*st = s->st[SS_DOMAIN_LOAD];
	struct domain_row	 v;
	int			 rc, state, bad = 0;

	memset(&v, 0, sizeof(v));
	if ((rc = stmt_run(s, action, SS_DOMAIN_LOAD, "I",
	    domain_id)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	if (col_time(st, 1, &v.since) == -1) {
		domain_bad(domain_id, "since", "unknown");
		v.since = 0;
		bad = 1;
	}
	if (col_time(st, 2, &v.complete_at) == -1) {
		domain_bad(domain_id, "complete_at", "unknown");
		v.complete_at = 0;
		bad = 1;
	}
	if ((state = domain_state_from_name(col_text(st, 0))) < 0) {
		state = v.complete_at != 0 ? DS_COMPLETE : DS_PENDING;
		domain_bad(domain_id, "state", domain_state_name(state));
		bad = 1;
	}
	v.state = state;
	bad |= load_parent(st, domain_id, &v);
	bad |= load_decommission(st, domain_id, &v);
	bad |= load_providers(st, domain_id, &v);
	stmt_done(s, SS_DOMAIN_LOAD);
	*d = v;
	return bad ? STORE_BAD_ROW : 0;
}

int
store_add_event(struct store *s, const struct event_row *e)
{
	static const char	action[] = "saving an event";

	if (stmt_run(s, action, SS_EVENT_ADD, "tsisssR", e->when,
	    e->message_id, e->priority, e->domain, e->resolver,
	    e->message, e->domain_id) == -1)
		return -1;
	return 0;
}

/* Reading history for the control socket. */

static sqlite3_stmt *
query_prepare(struct store *s, const char *fn, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("database: %s: %s", fn, sqlite3_errmsg(s->db));
		return NULL;
	}
	return st;
}

/* The text of a column as stored, NULL for NULL. */
static char *
col_strdup(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return xstrdup(col_text(st, i));
}

static void
answer_change_read(sqlite3_stmt *st, struct answer_change *a)
{
	a->first_seen = col_strdup(st, 0);
	a->resolver = col_strdup(st, 1);
	a->owner = col_strdup(st, 2);
	a->type = col_strdup(st, 3);
	a->state = col_strdup(st, 4);
	a->answered = sqlite3_column_int(st, 10) != STORE_RCODE_NONE;
	a->rcode = col_strdup(st, 5);
	a->rdata = xstrdup(col_text(st, 6));
	a->ttl = sqlite3_column_int64(st, 7);
	a->last_seen = col_strdup(st, 8);
	a->count = sqlite3_column_int64(st, 9);
}

static void
answer_change_free(struct answer_change *a)
{
	free(a->resolver);
	free(a->owner);
	free(a->type);
	free(a->state);
	free(a->rcode);
	free(a->rdata);
	free(a->first_seen);
	free(a->last_seen);
}

/* The columns of HISTORY_EVENTS and STORE_EVENTS, in this order. */
static void
stored_event_read(sqlite3_stmt *st, struct stored_event *e)
{
	e->time = col_strdup(st, 0);
	e->message_id = col_strdup(st, 1);
	e->priority = sqlite3_column_int64(st, 2);
	e->domain = col_strdup(st, 3);
	e->resolver = col_strdup(st, 4);
	e->message = col_strdup(st, 5);
}

static void
stored_event_free(struct stored_event *e)
{
	free(e->time);
	free(e->message_id);
	free(e->domain);
	free(e->resolver);
	free(e->message);
}

void
history_free(struct history *h)
{
	size_t	i;

	for (i = 0; i < h->n; i++) {
		if (h->v[i].kind == HISTORY_ANSWER)
			answer_change_free(&h->v[i].answer);
		else
			stored_event_free(&h->v[i].event);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

void
event_list_free(struct event_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		stored_event_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Both statements give the newest rows first; merge the newest
 * STORE_HISTORY_MAX of them into out, oldest first. */
static int
history_merge(struct store *s, sqlite3_stmt *ans, sqlite3_stmt *ev,
    struct history *out)
{
	static const char	action[] = "reading the history";
	struct history_entry	*e;
	int			 ra, re;

	out->v = xreallocarray(NULL, STORE_HISTORY_MAX, sizeof(*out->v));
	ra = sqlite3_step(ans);
	re = sqlite3_step(ev);
	while (ra == SQLITE_ROW || re == SQLITE_ROW) {
		if (out->n == STORE_HISTORY_MAX) {
			out->truncated = true;
			ra = re = SQLITE_DONE;
			break;
		}
		/* Filled from the end, newest last.  On a tie the event is
		 * the later entry: it follows the answer that caused it. */
		e = &out->v[STORE_HISTORY_MAX - ++out->n];
		if (ra == SQLITE_ROW && (re != SQLITE_ROW ||
		    strcmp(col_text(ans, 0), col_text(ev, 0)) > 0)) {
			e->kind = HISTORY_ANSWER;
			answer_change_read(ans, &e->answer);
			ra = sqlite3_step(ans);
		} else {
			e->kind = HISTORY_EVENT;
			stored_event_read(ev, &e->event);
			re = sqlite3_step(ev);
		}
	}
	memmove(out->v, out->v + STORE_HISTORY_MAX - out->n,
	    out->n * sizeof(*out->v));
	if (ra != SQLITE_DONE || re != SQLITE_DONE) {
		log_warnx("database: %s: %s", action, sqlite3_errmsg(s->db));
		history_free(out);
		return -1;
	}
	return 0;
}

/* The SQL of a domain's answers, newest first, through the indexes of
 * schema 2: the cost is that of the rows read, not of all the domain's. */
#define HISTORY_ANSWERS							\
	"SELECT a.first_seen, r.name, c.owner, c.type, a.state, a.rcode,"	\
	" a.rdata, a.ttl, a.last_seen, a.count, a.rcode_num"		\
	" FROM answers a JOIN checks c ON c.id = a.check_id"		\
	" JOIN resolvers r ON r.id = a.resolver_id"			\
	" WHERE a.domain_id = ?1"
#define HISTORY_ORDER							\
	" ORDER BY a.first_seen DESC, a.id DESC LIMIT ?3"

int
store_history(struct store *s, const char *domain, const char *resolver,
    struct history *out)
{
	static const char	action[] = "reading the history";
	sqlite3_stmt	*ans = NULL, *ev = NULL;
	int64_t		 did;
	int		 rv = -1, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = stmt_run(s, action, SS_DOMAIN_GET, "s", domain)) !=
	    SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	did = sqlite3_column_int64(s->st[SS_DOMAIN_GET], 0);
	stmt_done(s, SS_DOMAIN_GET);
	ans = query_prepare(s, action, resolver == NULL ?
	    HISTORY_ANSWERS " AND ?2 IS NULL" HISTORY_ORDER :
	    HISTORY_ANSWERS " AND a.resolver_id = (SELECT id FROM resolvers"
	    " WHERE name = ?2 COLLATE NOCASE)" HISTORY_ORDER);
	ev = query_prepare(s, action,
	    "SELECT time, message_id, priority, domain, resolver, message"
	    " FROM events"
	    " WHERE domain_id = ?1"
	    " AND (?2 IS NULL OR resolver = ?2 COLLATE NOCASE)"
	    " ORDER BY time DESC, id DESC LIMIT ?3");
	if (ans == NULL || ev == NULL)
		goto done;
	if (sqlite3_bind_int64(ans, 1, did) != SQLITE_OK ||
	    sqlite3_bind_text(ans, 2, resolver, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(ans, 3, STORE_HISTORY_MAX + 1) != SQLITE_OK ||
	    sqlite3_bind_int64(ev, 1, did) != SQLITE_OK ||
	    sqlite3_bind_text(ev, 2, resolver, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(ev, 3, STORE_HISTORY_MAX + 1) != SQLITE_OK) {
		log_warnx("database: %s: %s", action, sqlite3_errmsg(s->db));
		goto done;
	}
	rv = history_merge(s, ans, ev, out);
done:
	sqlite3_finalize(ans);
	sqlite3_finalize(ev);
	return rv;
}

int
store_events(struct store *s, time_t since, int limit,
    struct event_list *out)
{
	static const char	action[] = "reading events";
	sqlite3_stmt	*st;
	char		 tbuf[NMIG_TIMEBUF];
	size_t		 cap = 0;
	int		 rc;

	memset(out, 0, sizeof(*out));
	st = query_prepare(s, action,
	    "SELECT time, message_id, priority, domain, resolver, message"
	    " FROM (SELECT * FROM events WHERE ?1 IS NULL OR time >= ?1"
	    "  ORDER BY id DESC LIMIT ?2) ORDER BY id");
	if (st == NULL)
		return -1;
	if ((since != 0 && sqlite3_bind_text(st, 1, fmt_time(since, tbuf), -1,
	    SQLITE_TRANSIENT) != SQLITE_OK) ||
	    sqlite3_bind_int(st, 2, limit) != SQLITE_OK) {
		log_warnx("database: %s: %s", action, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			out->v = xreallocarray(out->v, cap, sizeof(*out->v));
		}
		stored_event_read(st, &out->v[out->n++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_warnx("database: %s: %s", action, sqlite3_errmsg(s->db));
		event_list_free(out);
		return -1;
	}
	return 0;
}

int
store_save_learned(struct store *s, int64_t check_id,
    const struct learned_row *l)
{
	static const char	action[] = "saving a learned set";

	return stmt_run(s, action, SS_LEARNED_SAVE, "sbtsbtsI",
	    l->at != 0 ? l->text : NULL, l->at != 0 ? l->wire : NULL,
	    l->at != 0 ? l->wirelen : (size_t)0, l->at,
	    l->old_at != 0 ? l->old_text : NULL,
	    l->old_at != 0 ? l->old_wire : NULL,
	    l->old_at != 0 ? l->old_wirelen : (size_t)0, l->old_at,
	    l->old_at != 0 ? l->old_note : NULL, check_id) == -1 ? -1 : 0;
}

/* A learned set whose blob or time does not read is not learned: it is
 * learned again. */
static void
col_learned(sqlite3_stmt *st, int i, int64_t check_id, const char *what,
    uint8_t **wire, size_t *len, time_t *at)
{
	if (col_time(st, i + 1, at) == 0 && col_blob(st, i, wire, len) == 0 &&
	    (*at == 0 || *wire != NULL))
		return;
	log_warnx("checks row %" PRId64 ": bad %s; it is learned again",
	    check_id, what);
	free(*wire);
	*wire = NULL;
	*len = 0;
	*at = 0;
}

int
store_load_learned(struct store *s, int64_t check_id,
    struct learned_load *l)
{
	static const char	action[] = "loading a learned set";
	sqlite3_stmt	*st = s->st[SS_LEARNED_LOAD];
	int		 rc;

	memset(l, 0, sizeof(*l));
	if ((rc = stmt_run(s, action, SS_LEARNED_LOAD, "I", check_id)) !=
	    SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	col_learned(st, 0, check_id, "learned value", &l->wire, &l->wirelen,
	    &l->at);
	col_learned(st, 2, check_id, "learned old value", &l->old_wire,
	    &l->old_wirelen, &l->old_at);
	if (l->old_at != 0)
		snprintf(l->old_note, sizeof(l->old_note), "%s",
		    col_text(st, 4));
	stmt_done(s, SS_LEARNED_LOAD);
	return 0;
}

int
store_forget_learned(struct store *s, int64_t check_id, bool expect,
    bool old)
{
	static const char	action[] = "forgetting a learned set";

	if (!expect && !old)
		return 0;
	return stmt_run(s, action, SS_LEARNED_FORGET, "Iii", check_id,
	    (int)expect, (int)old) == -1 ? -1 : 0;
}

int
store_prune_events(struct store *s, time_t cutoff, int limit)
{
	static const char	action[] = "pruning old events";

	if (stmt_run(s, action, SS_PRUNE_EVENTS, "ti", cutoff, limit) == -1)
		return -1;
	return sqlite3_changes(s->db);
}

int
store_prune_answers(struct store *s, int64_t *domain_id, time_t cutoff,
    int limit)
{
	static const char	action[] = "pruning old answers";
	int	rc;

	rc = stmt_run(s, action, SS_PRUNE_NEXT_DOMAIN, "I", *domain_id);
	if (rc == -1)
		return -1;
	if (rc == SQLITE_DONE) {
		*domain_id = 0;		/* the sweep starts again */
		return 0;
	}
	*domain_id = sqlite3_column_int64(s->st[SS_PRUNE_NEXT_DOMAIN], 0);
	stmt_done(s, SS_PRUNE_NEXT_DOMAIN);
	if (stmt_run(s, action, SS_PRUNE_ANSWERS, "Iti", *domain_id, cutoff,
	    limit) == -1)
		return -1;
	return sqlite3_changes(s->db);
}

int
store_forget_domain(struct store *s, const char *domain, int64_t *rows)
{
	static const char	action[] = "forgetting a domain";
	static const enum store_stmt steps[] = {
		SS_FORGET_ANSWERS, SS_FORGET_RVERDICTS, SS_FORGET_EVENTS,
		SS_FORGET_CHECKS, SS_FORGET_DOMAIN,
	};
	int64_t	id;
	size_t	i;
	int	rc;

	*rows = 0;
	if ((rc = stmt_run(s, action, SS_DOMAIN_GET, "s", domain)) == -1)
		return -1;
	if (rc == SQLITE_DONE)
		return 1;
	id = sqlite3_column_int64(s->st[SS_DOMAIN_GET], 0);
	stmt_done(s, SS_DOMAIN_GET);
	if (store_begin(s) == -1)
		return -1;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (stmt_run(s, action, steps[i], "I", id) == -1) {
			store_rollback(s);
			return -1;
		}
		*rows += sqlite3_changes(s->db);
	}
	return store_commit(s) == -1 ? -1 : 0;
}
