/*
 * lib/config.c: nmigd.conf values, defaults, names, paths, records, every
 * error with its line, and the printed config read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "config.h"
#include "printconf.h"
#include "rdtext.h"
#include "rdata.h"
#include "util.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static char	tmpdir[64];

static int
group_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nmigd-test-config.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Drop-in tests leave directories, FIFOs and symlinks behind. */
static int
rm_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int
group_teardown(void **state)
{
	return rm_tree(tmpdir);
}

/* Write text to a file in the test's directory; returns its path. */
static const char *
write_file(const char *name, const char *text, size_t len)
{
	static char	 path[PATH_MAX];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static struct config *
load_ok(const char *path)
{
	struct errlist	 e = { NULL, 0 };
	struct config	*conf;
	size_t		 i;

	conf = config_load(path, 0, &e);
	for (i = 0; i < e.n; i++)
		fprintf(stderr, "unexpected: %s\n", e.msg[i]);
	assert_int_equal(e.n, 0);
	assert_non_null(conf);
	return conf;
}

static struct config *
load_text_ok(const char *text)
{
	return load_ok(write_file("nmigd.conf", text, strlen(text)));
}

/* want[i] is what follows "PATH:" in the i-th error. */
static void
expect_errors_len(const char *text, size_t len, const char *const *want,
    size_t nwant)
{
	struct errlist	 e = { NULL, 0 };
	struct config	*conf;
	const char	*path;
	char		 buf[4096];
	size_t		 i;

	path = write_file("nmigd.conf", text, len);
	conf = config_load(path, 0, &e);
	assert_null(conf);
	if (e.n != nwant)
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "got: %s\n", e.msg[i]);
	assert_int_equal(e.n, nwant);
	for (i = 0; i < nwant; i++) {
		snprintf(buf, sizeof(buf), "%s:%s", path, want[i]);
		assert_string_equal(e.msg[i], buf);
	}
	errlist_free(&e);
}

/* What a [domain] without mx is told. */
#define MX_REQUIRED \
    "mx is required (mx = none for a domain that takes no mail)"

#define EXPECT_ERRORS(text, ...) do {					\
	const char *const want_[] = { __VA_ARGS__ };			\
	expect_errors_len(text, strlen(text), want_, nitems(want_));	\
} while (0)

/* The set's records as text, in the set's order. */
static void
assert_set(const struct rdset *set, uint16_t type, const char *const *want,
    size_t n)
{
	const uint8_t	*rd;
	size_t		 i = 0, off = 0;
	uint16_t	 len;
	char		*s;

	assert_int_equal(set->n, n);
	while ((rd = rdset_next(set, &off, &len)) != NULL) {
		s = rdtext(type, rd, len);
		assert_string_equal(s, want[i]);
		free(s);
		i++;
	}
}

/* ASSERT_SET(check, expect or old, text...) */
#define ASSERT_SET(chk, field, ...) do {				\
	const char *const want_[] = { __VA_ARGS__ };			\
	assert_set(&(chk)->field, (chk)->type, want_, nitems(want_));	\
} while (0)

static void
assert_config_equal(const struct config *a, const struct config *b)
{
	const struct domain_conf	*da, *db;
	size_t				 i, j;

	assert_string_equal(a->database, b->database);
	assert_string_equal(a->control, b->control);
	assert_string_equal(a->resolvers, b->resolvers);
	assert_int_equal(a->interval, b->interval);
	assert_int_equal(a->timeout, b->timeout);
	assert_int_equal(a->retries, b->retries);
	assert_int_equal(a->samples, b->samples);
	assert_int_equal(a->rate, b->rate);
	assert_int_equal(a->metrics_detail, b->metrics_detail);
	assert_int_equal(a->confirm, b->confirm);
	assert_int_equal(a->unreachable_after, b->unreachable_after);
	assert_int_equal(a->parent, b->parent);
	assert_int_equal(a->ndomains, b->ndomains);
	for (i = 0; i < a->ndomains; i++) {
		da = &a->domains[i];
		db = &b->domains[i];
		assert_string_equal(da->name, db->name);
		assert_int_equal(da->parent, db->parent);
		assert_int_equal(da->nchecks, db->nchecks);
		for (j = 0; j < da->nchecks; j++) {
			assert_string_equal(da->checks[j].owner,
			    db->checks[j].owner);
			assert_int_equal(da->checks[j].type,
			    db->checks[j].type);
			assert_true(rdset_equal(&da->checks[j].expect,
			    &db->checks[j].expect));
			assert_true(rdset_equal(&da->checks[j].old,
			    &db->checks[j].old));
		}
	}
}

/* config_print() writes needle somewhere. */
static void
assert_printed_contains(const struct config *conf, const char *needle)
{
	char	*text;
	size_t	 len;
	FILE	*fp;

	assert_non_null(fp = open_memstream(&text, &len));
	config_print(conf, fp);
	assert_int_equal(fclose(fp), 0);
	if (strstr(text, needle) == NULL)
		fail_msg("\"%s\" not in:\n%s", needle, text);
	free(text);
}

/* Good configs */

static void
assert_example_domain(const struct domain_conf *d)
{
	assert_string_equal(d->name, "example.co.jp.");
	assert_int_equal(d->nchecks, 4);
	assert_string_equal(d->checks[0].owner, "example.co.jp.");
	assert_int_equal(d->checks[0].type, LDNS_RR_TYPE_NS);
	ASSERT_SET(&d->checks[0], expect, "hns0.dns.nifcloud.com.",
	    "hns1.dns.nifcloud.com.");
	ASSERT_SET(&d->checks[0], old, "ns1.oldhost.ne.jp.",
	    "ns2.oldhost.ne.jp.");
	assert_string_equal(d->checks[1].owner, "example.co.jp.");
	assert_int_equal(d->checks[1].type, LDNS_RR_TYPE_MX);
	ASSERT_SET(&d->checks[1], expect, "10 mx01.example.co.jp.",
	    "10 mx02.example.co.jp.");
	ASSERT_SET(&d->checks[1], old, "10 mail.oldhost.ne.jp.");
	assert_string_equal(d->checks[2].owner, "pop.example.co.jp.");
	assert_int_equal(d->checks[2].type, LDNS_RR_TYPE_A);
	ASSERT_SET(&d->checks[2], expect, "203.0.113.10");
	assert_int_equal(d->checks[2].old.n, 0);
	assert_string_equal(d->checks[3].owner, "smtp.example.co.jp.");
	ASSERT_SET(&d->checks[3], expect, "203.0.113.11");
}

static void
test_example(void **state)
{
	struct config	*conf;
	const char	*path = TEST_DATADIR "/config_example.conf";

	conf = load_ok(path);
	assert_string_equal(conf->path, path);
	assert_string_equal(conf->database, "/var/lib/nmigd/nmigd.db");
	assert_string_equal(conf->control, "/run/nmigd/nmigd.sock");
	assert_string_equal(conf->resolvers, "/etc/nmigd/resolvers.conf");
	assert_int_equal(conf->interval, 300);
	assert_int_equal(conf->timeout, 3);
	assert_int_equal(conf->retries, 2);
	assert_int_equal(conf->samples, 3);
	assert_int_equal(conf->rate, 50);
	assert_false(conf->metrics_detail);
	assert_int_equal(conf->confirm, 2);
	assert_int_equal(conf->unreachable_after, 3600);
	assert_int_equal(conf->ndomains, 1);
	assert_example_domain(&conf->domains[0]);
	/* Lines point the operator at the definitions. */
	assert_int_equal(conf->domains[0].line, 13);
	assert_string_equal(conf->domains[0].file, path);
	assert_int_equal(conf->domains[0].checks[0].line, 14);
	assert_int_equal(conf->domains[0].checks[1].line, 15);
	assert_int_equal(conf->domains[0].checks[2].line, 18);
	assert_int_equal(conf->domains[0].checks[3].line, 19);
	config_free(conf);
}

/* The shipped file, as installed (no domain) and with its example
 * domain uncommented. */
static void
test_shipped(void **state)
{
	struct config	*conf, *example;
	char		 etc[PATH_MAX], want[PATH_MAX + 32], *text, *p;
	FILE		*fp;
	long		 len;
	const char	*path = TEST_DATADIR "/../../../etc/nmigd.conf";

	assert_non_null(realpath(TEST_DATADIR "/../../../etc", etc));
	conf = load_ok(path);
	assert_int_equal(conf->ndomains, 0);
	assert_int_equal(conf->interval, 300);
	assert_int_equal(conf->timeout, 3);
	assert_int_equal(conf->retries, 2);
	assert_int_equal(conf->confirm, 2);
	assert_int_equal(conf->unreachable_after, 3600);
	assert_string_equal(conf->database, "/var/lib/nmigd/nmigd.db");
	assert_string_equal(conf->control, "/run/nmigd/nmigd.sock");
	snprintf(want, sizeof(want), "%s/resolvers.conf", etc);
	assert_string_equal(conf->resolvers, want);
	snprintf(want, sizeof(want), "%s/conf.d", etc);
	assert_string_equal(conf->include, want);
	config_free(conf);

	assert_non_null(fp = fopen(path, "r"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_true((len = ftell(fp)) > 0);
	rewind(fp);
	text = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	assert_non_null(p = strstr(text, "\n#[domain example.co.jp]"));
	/* Uncomment from the section header to the end of the file. */
	for (p++; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (*p == '#')
			*p = ' ';
	}
	conf = load_ok(write_file("nmigd.conf", text, strlen(text)));
	free(text);
	assert_int_equal(conf->ndomains, 1);
	assert_example_domain(&conf->domains[0]);
	example = load_ok(TEST_DATADIR "/config_example.conf");
	assert_true(rdset_equal(&conf->domains[0].checks[0].expect,
	    &example->domains[0].checks[0].expect));
	config_free(example);
	config_free(conf);
}

/* The comment rules of 0.1, which were inih's: ';' or '#' first on a
 * line, and " ;" (white space before it) anywhere else; a ';' right after
 * text and a '#' after the start of a line are text, in quotes or not. */
static void
test_comments(void **state)
{
	struct config	*conf;

	conf = load_text_ok("; comment\n# comment\n  ; indented\n\t# too\n"
	    "[domain example.co.jp] ; after a header\n"
	    "ns = a.example.net ; comment\n"
	    "mx: 10 mx.example.net\t; after a tab\n"
	    "record = @ TXT \"a;b\", \"c#d\", \"e #f\" ; comment\n"
	    "record = t TXT \"#\",\";\"\n");
	ASSERT_SET(&conf->domains[0].checks[0], expect, "a.example.net.");
	ASSERT_SET(&conf->domains[0].checks[1], expect, "10 mx.example.net.");
	/* A ';' comes out as \059, which cannot start a comment. */
	ASSERT_SET(&conf->domains[0].checks[2], expect, "\"a\\059b\"",
	    "\"c#d\"", "\"e #f\"");
	ASSERT_SET(&conf->domains[0].checks[3], expect, "\"#\"", "\"\\059\"");
	assert_printed_contains(conf, "record = t TXT \"#\", \"\\059\"\n");
	config_free(conf);

	/* A '#' after a value is part of it, as it was with inih. */
	EXPECT_ERRORS("[domain example.co.jp]\nns = a.example.net # old\n"
	    "mx = 10 mx.example.net;x\n",
	    "2: ns: bad name \"#\": only letters, digits and '-' may appear "
	    "in a host name",
	    "3: mx: bad name \"mx.example.net;x\": only letters, digits and "
	    "'-' may appear in a host name");
	/* A ';' in a key, and a '#' in quotes next to a " ;" in quotes. */
	EXPECT_ERRORS("[nmigd]\nretries ;x = 1\n[domain example.co.jp]\n"
	    "ns = a.example.net\nmx = 10 mx.example.net\n"
	    "record = @ TXT \"#x ;y\"\n",
	    "2: expected KEY = VALUE",
	    "6: \" ;\" starts a comment even inside quotes: write the ';' "
	    "as \\059");
}

static void
test_semicolon_in_quotes(void **state)
{
	EXPECT_ERRORS("[domain example.co.jp]\nns = a.example.net\n"
	    "mx = 10 mx.example.net\nrecord = @ TXT \"v=a ;b\"\n",
	    "4: \" ;\" starts a comment even inside quotes: write the ';' "
	    "as \\059");
}

static void
test_metrics(void **state)
{
	struct config	*conf;

	conf = load_text_ok("[nmigd]\nmetrics = 127.0.0.1:9553\n");
	assert_string_equal(conf->metrics, "127.0.0.1:9553");
	config_free(conf);
	conf = load_text_ok("[nmigd]\nmetrics = [::1]:9553\n");
	assert_string_equal(conf->metrics, "[::1]:9553");
	config_free(conf);
	conf = load_text_ok("[nmigd]\nmetrics = none\n");
	assert_null(conf->metrics);
	config_free(conf);
	/* IPv6 without brackets would be ambiguous; a port is required. */
	EXPECT_ERRORS("[nmigd]\nmetrics = ::1:9553\n",
	    "2: metrics: \"::1:9553\" is not ADDRESS:PORT (for example "
	    "127.0.0.1:9553 or [::1]:9553)");
	EXPECT_ERRORS("[nmigd]\nmetrics = 127.0.0.1\n",
	    "2: metrics: \"127.0.0.1\" is not ADDRESS:PORT (for example "
	    "127.0.0.1:9553 or [::1]:9553)");
	EXPECT_ERRORS("[nmigd]\nmetrics = localhost:9553\n",
	    "2: metrics: \"localhost:9553\" is not ADDRESS:PORT (for example "
	    "127.0.0.1:9553 or [::1]:9553)");
	EXPECT_ERRORS("[nmigd]\nmetrics = 127.0.0.1:0\n",
	    "2: metrics: \"127.0.0.1:0\" is not ADDRESS:PORT (for example "
	    "127.0.0.1:9553 or [::1]:9553)");
}

static void
test_defaults(void **state)
{
	struct config	*conf;

	/* An empty file and an empty [nmigd] both mean every default. */
	conf = load_text_ok("");
	assert_string_equal(conf->database, NMIG_DB_DEFAULT);
	assert_string_equal(conf->control, NMIG_CONTROL_DEFAULT);
	assert_string_equal(conf->resolvers, NMIG_RESOLVERS_DEFAULT);
	assert_int_equal(conf->interval, 300);
	assert_int_equal(conf->timeout, 3);
	assert_int_equal(conf->retries, 2);
	assert_int_equal(conf->confirm, 2);
	assert_int_equal(conf->unreachable_after, 3600);
	assert_null(conf->metrics);
	assert_int_equal(conf->ndomains, 0);
	assert_null(conf->domains);
	config_free(conf);

	conf = load_text_ok("# only a comment\n[nmigd]\n; another\n");
	assert_string_equal(conf->database, NMIG_DB_DEFAULT);
	assert_int_equal(conf->interval, 300);
	assert_int_equal(conf->ndomains, 0);
	config_free(conf);
}

static void
test_values(void **state)
{
	struct config	*conf;

	conf = load_text_ok(
	    "[nmigd]\n"
	    "interval = 1h30m\n"
	    "timeout = 90\n"
	    "retries = 0\n"
	    "samples = 3\n"
	    "confirm = 100\n"
	    "unreachable-after = 2d\n");
	assert_int_equal(conf->interval, 5400);
	assert_int_equal(conf->timeout, 90);
	assert_int_equal(conf->retries, 0);
	assert_int_equal(conf->samples, 3);
	assert_int_equal(conf->confirm, 100);
	assert_int_equal(conf->unreachable_after, 172800);
	config_free(conf);

	/* The extremes of each range. */
	conf = load_text_ok(
	    "[nmigd]\ninterval = 2s\ntimeout = 1s\nretries = 10\n"
	    "samples = 16\nconfirm = 1\nunreachable-after = 1s\n"
	    "rate = 1000000\nmetrics-detail = yes\n");
	assert_int_equal(conf->rate, 1000000);
	assert_true(conf->metrics_detail);
	assert_int_equal(conf->interval, 2);
	assert_int_equal(conf->timeout, 1);
	assert_int_equal(conf->retries, 10);
	assert_int_equal(conf->samples, 16);
	assert_int_equal(conf->confirm, 1);
	assert_int_equal(conf->unreachable_after, 1);
	config_free(conf);
}

static struct config *roundtrip(const struct config *, char **);

/* require: all, a share or a number, in [nmigd] and per domain. */
static void
test_require(void **state)
{
	struct config	*conf, *again;
	char		*text;

	conf = load_text_ok("[nmigd]\nrequire = 90%\n"
	    "[domain a.example]\nns = ns.example.net\nmx = none\n"
	    "require = 12\n"
	    "[domain b.example]\nns = ns.example.net\nmx = none\n");
	assert_int_equal(conf->require.mode, REQUIRE_PERCENT);
	assert_int_equal(conf->require.n, 90);
	assert_int_equal(config_require(conf, &conf->domains[0])->mode,
	    REQUIRE_COUNT);
	assert_int_equal(config_require(conf, &conf->domains[0])->n, 12);
	assert_ptr_equal(config_require(conf, &conf->domains[1]),
	    &conf->require);
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\nrequire = 90%\n"));
	assert_non_null(strstr(text, "\nrequire = 12\n"));
	assert_int_equal(again->domains[1].require.mode, REQUIRE_DEFAULT);
	free(text);
	config_free(again);
	config_free(conf);
	conf = load_text_ok("[nmigd]\nrequire = all\n");
	assert_int_equal(conf->require.mode, REQUIRE_ALL);
	/* overlap and quiet: 28d and 7d unless said, a domain's own. */
	assert_int_equal(conf->overlap, 28 * 86400);
	assert_int_equal(conf->quiet, 7 * 86400);
	config_free(conf);
	conf = load_text_ok("[nmigd]\noverlap = 14d\nquiet = 0s\n"
	    "[domain a.example]\nns = ns.example.net\nmx = none\n"
	    "overlap = 0s\nquiet = 2d\n"
	    "[domain b.example]\nns = ns.example.net\nmx = none\n");
	assert_int_equal(config_overlap(conf, &conf->domains[0]), 0);
	assert_int_equal(config_quiet(conf, &conf->domains[0]), 2 * 86400);
	assert_int_equal(config_overlap(conf, &conf->domains[1]), 14 * 86400);
	assert_int_equal(config_quiet(conf, &conf->domains[1]), 0);
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\noverlap = 14d\nquiet = 0s\n"));
	assert_non_null(strstr(text, "\noverlap = 0s\nquiet = 2d\n"));
	assert_int_equal(again->domains[1].overlap, DURATION_DEFAULT);
	free(text);
	config_free(again);
	config_free(conf);
	EXPECT_ERRORS("[nmigd]\noverlap = 366d\n",
	    "2: overlap: must be at most 365d");
	EXPECT_ERRORS("[nmigd]\nrequire = 0%\n",
	    "2: require: 0% is out of range (1% to 100%, or 1 to 10000 "
	    "resolvers)");
	EXPECT_ERRORS("[nmigd]\nrequire = 101%\n",
	    "2: require: 101% is out of range (1% to 100%, or 1 to 10000 "
	    "resolvers)");
	EXPECT_ERRORS("[nmigd]\nrequire = most\n",
	    "2: require: \"most\" is neither all, a percentage (90%) nor a "
	    "number of resolvers");
	EXPECT_ERRORS("[nmigd]\nrequire = 9 %\n",
	    "2: require: \"9 %\" is neither all, a percentage (90%) nor a "
	    "number of resolvers");
	EXPECT_ERRORS("[nmigd]\nrequire = 99999999999999999999\n",
	    "2: require: \"99999999999999999999\" is neither all, a "
	    "percentage (90%) nor a number of resolvers");
}

/* mx = none: a domain that takes no mail has no MX check; its records
 * follow the NS check, and nothing says old-mx for it. */
static void
test_mx_none(void **state)
{
	struct config	*conf, *again;
	char		*text;

	conf = load_text_ok("[domain a.example]\nns = ns.example.net\n"
	    "mx = none\nrecord = www A 192.0.2.1\n"
	    "old-record = www A 192.0.2.2\n");
	assert_true(conf->domains[0].no_mx);
	assert_int_equal(conf->domains[0].nchecks, 2);
	assert_int_equal(domain_records(&conf->domains[0]), 1);
	assert_int_equal(conf->domains[0].checks[1].type, LDNS_RR_TYPE_A);
	assert_string_equal(conf->domains[0].checks[1].owner, "www.a.example.");
	assert_int_equal(conf->domains[0].checks[1].old.n, 1);
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\nmx = none\n"));
	assert_true(again->domains[0].no_mx);
	assert_int_equal(again->domains[0].nchecks, 2);
	free(text);
	config_free(again);
	config_free(conf);
	EXPECT_ERRORS("[domain b.example]\nns = ns.example.net\nmx = none\n"
	    "old-mx = 10 mx.example.net\n",
	    "4: old-mx: the domain has mx = none");
	EXPECT_ERRORS("[domain c.example]\nns = ns.example.net\n",
	    "1: [domain c.example.]: mx is required (mx = none for a domain "
	    "that takes no mail)");
	EXPECT_ERRORS("[domain d.example]\nns = ns.example.net\nmx = none\n"
	    "mx = 10 mx.example.net\n",
	    "4: mx given twice (first at line 3)");
}

/* vantage: a label of /metrics; printed back; nothing a label cannot
 * hold without escaping. */
static void
test_vantage(void **state)
{
	struct config	*conf, *again;
	char		*text;

	conf = load_text_ok("[nmigd]\nvantage = tokyo-1.a_b\n");
	assert_string_equal(conf->vantage, "tokyo-1.a_b");
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\nvantage = tokyo-1.a_b\n"));
	assert_string_equal(again->vantage, "tokyo-1.a_b");
	free(text);
	config_free(again);
	config_free(conf);
	conf = load_text_ok("[nmigd]\nvantage = none\n");
	assert_null(conf->vantage);
	config_free(conf);
	EXPECT_ERRORS("[nmigd]\nvantage = \"tokyo\"\n",
	    "2: vantage: \"\"tokyo\"\" is not a name of letters, digits, "
	    "'.', '_' and '-' (at most 63)");
	EXPECT_ERRORS("[nmigd]\nvantage = "
	    "a123456789012345678901234567890123456789012345678901234567890123\n",
	    "2: vantage: \"a1234567890123456789012345678901234567890123456789"
	    "01234567890123\" is not a name of letters, digits, '.', '_' and "
	    "'-' (at most 63)");
}

/* auto: learned sets (lib/learn.h), printed back as auto; which keys
 * take it, and what they need asked. */
static void
test_learn_keys(void **state)
{
	struct config	*conf, *again;
	char		*text;
	const struct domain_conf *d;

	conf = load_text_ok("[domain a.example]\nns = ns.example.net\n"
	    "mx = auto\nold-ns = auto\nold-mx = auto\n"
	    "record = www A auto\nold-record = www A 192.0.2.2\n"
	    "record = @ TXT \"v=spf1 -all\"\n");
	d = &conf->domains[0];
	assert_true(domain_learns(d));
	assert_int_equal(d->checks[0].learn, LEARN_OLD);
	assert_int_equal(d->checks[1].learn, LEARN_EXPECT | LEARN_OLD);
	assert_int_equal(d->checks[1].expect.n, 0);
	assert_int_equal(d->checks[2].learn, LEARN_EXPECT);
	assert_int_equal(d->checks[2].old.n, 1);
	assert_int_equal(d->checks[3].learn, 0);
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\nmx = auto\nold-ns = auto\n"
	    "old-mx = auto\n"));
	assert_non_null(strstr(text, "\nrecord = www A auto\n"
	    "old-record = www A 192.0.2.2\n"));
	assert_int_equal(again->domains[0].checks[2].learn, LEARN_EXPECT);
	free(text);
	config_free(again);
	config_free(conf);
	conf = load_text_ok("[domain b.example]\nns = ns.example.net\n"
	    "mx = 10 mx.example.net\n");
	assert_false(domain_learns(&conf->domains[0]));
	config_free(conf);

	EXPECT_ERRORS("[domain b.example]\nns = ns.example.net\n"
	    "mx = auto, 10 mx.example.net\nold-ns = a.example.net AUTO\n"
	    "record = www A 192.0.2.1, auto\n",
	    "3: mx: auto stands alone, without values",
	    "4: old-ns: auto stands alone, without names",
	    "5: record: auto stands alone, without values");
	conf = load_text_ok("[domain b.example]\nns = ns.example.net\n"
	    "mx = AUTO\n");
	assert_int_equal(conf->domains[0].checks[1].learn, LEARN_EXPECT);
	config_free(conf);
	EXPECT_ERRORS("[domain b.example]\nns = auto\nmx = none\n",
	    "2: ns: auto is not accepted: the new name servers define the "
	    "migration");
	EXPECT_ERRORS("[domain b.example]\nns = ns.example.net\nmx = none\n"
	    "record = www A 192.0.2.1\nold-record = www A auto\n",
	    "5: old-record: auto is not accepted here (old-ns and old-mx "
	    "take it)");
	EXPECT_ERRORS("[domain b.example]\nns = ns.example.net\nmx = auto\n"
	    "providers = none\n",
	    "3: mx: auto learns from the new name servers, which providers = "
	    "none leaves unasked");
	EXPECT_ERRORS("[nmigd]\nparent = none\n[domain b.example]\n"
	    "old-ns = auto\nns = ns.example.net\nmx = none\n",
	    "4: old-ns: auto takes the parent zone's delegation, which "
	    "parent = none leaves unasked");
	EXPECT_ERRORS("[domain b.example]\nns = ns.example.net\n"
	    "mx = 10 mx.example.net\nold-mx = auto\n",
	    "4: old-mx: auto asks the old name servers: give old-ns");
	EXPECT_ERRORS("[domain b.example]\nns = ns.example.net\n"
	    "mx = 10 mx.example.net\nold-mx = auto\nold-ns = a.example.net\n"
	    "providers = none\n",
	    "4: old-mx: auto asks the old name servers, which providers = "
	    "none leaves unasked");
}

/* parent: the [nmigd] default, a domain's own over it, and nothing else
 * than auto or none. */
static void
test_parent_key(void **state)
{
	struct config	*conf, *again;
	char		*text;

	conf = load_text_ok("[nmigd]\nparent = none\n"
	    "[domain a.example]\nns = ns.example.net\nmx = 10 mx.example.net\n"
	    "parent = auto\n"
	    "[domain b.example]\nns = ns.example.net\nmx = 10 mx.example.net\n");
	assert_int_equal(conf->parent, PARENT_NONE);
	assert_true(config_parent_auto(conf, &conf->domains[0]));
	assert_false(config_parent_auto(conf, &conf->domains[1]));
	/* `nmigd -t -v` prints both, and reads them back the same. */
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\nparent = none\n"));
	assert_non_null(strstr(text, "\nparent = auto\n"));
	assert_int_equal(again->domains[1].parent, PARENT_DEFAULT);
	free(text);
	config_free(again);
	config_free(conf);
	conf = load_text_ok("[domain c.example]\nparent = none\n"
	    "ns = ns.example.net\nmx = 10 mx.example.net\n"
	    "[domain d.example]\nns = ns.example.net\nmx = 10 mx.example.net\n");
	assert_int_equal(conf->parent, PARENT_AUTO);
	assert_false(config_parent_auto(conf, &conf->domains[0]));
	assert_true(config_parent_auto(conf, &conf->domains[1]));
	config_free(conf);
	EXPECT_ERRORS("[nmigd]\nparent = yes\n",
	    "2: parent: \"yes\" is neither auto nor none");
	EXPECT_ERRORS("[domain e.example]\nns = ns.example.net\n"
	    "mx = 10 mx.example.net\nparent = none\nparent = Auto\n",
	    "5: parent given twice (first at line 4)");
}

static void
test_normalization(void **state)
{
	struct config		*conf;
	struct domain_conf	*d;

	conf = load_text_ok(
	    "[domain Example.CO.JP.]\n"
	    "ns = HNS0.Dns.Nifcloud.com., hns1.dns.nifcloud.com\t"
	    "hns1.DNS.nifcloud.com\n"
	    "mx = 20 MX.example.co.jp ,10 mx2.Example.co.jp.\n"
	    "old-ns = NS1.OLDHOST.NE.JP\n"
	    "record = WWW a 192.0.2.1\n");
	d = &conf->domains[0];
	assert_string_equal(d->name, "example.co.jp.");
	/* Sorted, lower case, absolute, each once. */
	ASSERT_SET(&d->checks[0], expect, "hns0.dns.nifcloud.com.",
	    "hns1.dns.nifcloud.com.");
	ASSERT_SET(&d->checks[1], expect, "10 mx2.example.co.jp.",
	    "20 mx.example.co.jp.");
	ASSERT_SET(&d->checks[0], old, "ns1.oldhost.ne.jp.");
	assert_string_equal(d->checks[2].owner, "www.example.co.jp.");
	assert_int_equal(d->checks[2].type, LDNS_RR_TYPE_A);
	config_free(conf);
}

static void
test_relative_paths(void **state)
{
	struct config	*conf;
	char		 dir[PATH_MAX], want[PATH_MAX + 32], cwd[PATH_MAX];
	const char	*text =
	    "[nmigd]\n"
	    "database = db/nmigd.db\n"
	    "control = ../nmigd.sock\n"
	    "resolvers = /srv/nmigd/resolvers.conf\n";

	assert_non_null(realpath(tmpdir, dir));
	conf = load_text_ok(text);
	snprintf(want, sizeof(want), "%s/db/nmigd.db", dir);
	assert_string_equal(conf->database, want);
	snprintf(want, sizeof(want), "%s/../nmigd.sock", dir);
	assert_string_equal(conf->control, want);
	assert_string_equal(conf->resolvers, "/srv/nmigd/resolvers.conf");
	config_free(conf);

	/* A config named by a relative path still gives absolute paths, so
	 * a daemon that changes directory finds its files. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	conf = load_ok("nmigd.conf");
	assert_int_equal(chdir(cwd), 0);
	snprintf(want, sizeof(want), "%s/db/nmigd.db", dir);
	assert_string_equal(conf->database, want);
	assert_string_equal(conf->path, "nmigd.conf");
	config_free(conf);
}

static void
test_record_owners(void **state)
{
	struct config		*conf;
	struct domain_conf	*d;

	conf = load_text_ok(
	    "[domain example.co.jp]\n"
	    "ns = ns1.example.net\n"
	    "mx = 10 mx.example.net\n"
	    "record = @ A 192.0.2.1, 192.0.2.2\n"
	    "record = www AAAA 2001:DB8::1\n"
	    "record = a.b.deep CNAME Target.Example.NET.\n"
	    "record = mail.example.co.jp. A 192.0.2.3\n"
	    "record = EXAMPLE.CO.JP. TXT \"v=spf1 a, mx -all\", \"x\"\n"
	    "record = sub NS ns.sub.example.co.jp\n"
	    "record = sub MX 5 mx.sub.example.co.jp\n");
	d = &conf->domains[0];
	assert_int_equal(d->nchecks, 9);
	assert_string_equal(d->checks[2].owner, "example.co.jp.");
	assert_int_equal(d->checks[2].type, LDNS_RR_TYPE_A);
	ASSERT_SET(&d->checks[2], expect, "192.0.2.1", "192.0.2.2");
	assert_string_equal(d->checks[3].owner, "www.example.co.jp.");
	ASSERT_SET(&d->checks[3], expect, "2001:db8::1");
	assert_string_equal(d->checks[4].owner, "a.b.deep.example.co.jp.");
	assert_int_equal(d->checks[4].type, LDNS_RR_TYPE_CNAME);
	ASSERT_SET(&d->checks[4], expect, "target.example.net.");
	assert_string_equal(d->checks[5].owner, "mail.example.co.jp.");
	assert_string_equal(d->checks[6].owner, "example.co.jp.");
	assert_int_equal(d->checks[6].type, LDNS_RR_TYPE_TXT);
	/* The comma inside the quotes belongs to the value. */
	ASSERT_SET(&d->checks[6], expect, "\"x\"", "\"v=spf1 a, mx -all\"");
	/* A delegation below the domain is a record like any other. */
	assert_string_equal(d->checks[7].owner, "sub.example.co.jp.");
	assert_int_equal(d->checks[7].type, LDNS_RR_TYPE_NS);
	ASSERT_SET(&d->checks[8], expect, "5 mx.sub.example.co.jp.");
	assert_int_equal(d->checks[8].line, 10);
	config_free(conf);
}

static void
test_old_record(void **state)
{
	struct config		*conf;
	struct domain_conf	*d;

	/* old-record may come before or after its record. */
	conf = load_text_ok(
	    "[domain example.co.jp]\n"
	    "ns = ns1.example.net\n"
	    "mx = 10 mx.example.net\n"
	    "old-record = www A 198.51.100.1, 198.51.100.2\n"
	    "record = www A 192.0.2.1\n"
	    "record = pop.example.co.jp. A 192.0.2.2\n"
	    "old-record = pop A 198.51.100.3\n"
	    "record = smtp A 192.0.2.4\n");
	d = &conf->domains[0];
	assert_int_equal(d->nchecks, 5);
	ASSERT_SET(&d->checks[2], expect, "192.0.2.1");
	ASSERT_SET(&d->checks[2], old, "198.51.100.1", "198.51.100.2");
	ASSERT_SET(&d->checks[3], old, "198.51.100.3");
	assert_int_equal(d->checks[4].old.n, 0);
	/* No old values given: empty sets. */
	assert_int_equal(d->checks[0].old.n, 0);
	assert_int_equal(d->checks[1].old.n, 0);
	config_free(conf);
}

static void
test_several_domains(void **state)
{
	struct config	*conf;

	conf = load_text_ok(
	    "[domain b.example]\nns = ns.example.net\nmx = 0 .\n"
	    "[nmigd]\nretries = 3\n"
	    "[domain a.example]\nns = ns.example.net\nmx = 10 mx.a.example\n");
	assert_int_equal(conf->ndomains, 2);
	/* File order, which is also the order of status output. */
	assert_string_equal(conf->domains[0].name, "b.example.");
	ASSERT_SET(&conf->domains[0].checks[1], expect, "0 .");
	assert_string_equal(conf->domains[1].name, "a.example.");
	assert_int_equal(conf->domains[1].line, 6);
	assert_int_equal(conf->retries, 3);
	config_free(conf);
}

/* Long lines: inih alone would cut them at 200 bytes. */
static void
test_long_lines(void **state)
{
	struct config	*conf;
	char		*text, *p, name[64];
	size_t		 i;

	text = calloc(1, 8192);
	p = stpcpy(text, "[domain example.co.jp]\nns =");
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), " ns%02zu.long-name.example.net",
		    i);
		p = stpcpy(p, name);
	}
	assert_true(strlen(text) > 1000);
	p = stpcpy(p, "\nmx = 10 mx.example.net\n");
	/* A section name longer than inih's 49 bytes. */
	p = stpcpy(p, "[domain a-rather-long-label-for-a-test.and-another-"
	    "label.example.co.jp]\n"
	    "ns = ns.example.net\nmx = 10 mx.example.net\n");
	conf = load_text_ok(text);
	assert_int_equal(conf->ndomains, 2);
	assert_int_equal(conf->domains[0].checks[0].expect.n, 40);
	assert_printed_contains(conf, " ns39.long-name.example.net.");
	assert_string_equal(conf->domains[1].name, "a-rather-long-label-for-a-"
	    "test.and-another-label.example.co.jp.");
	config_free(conf);
	free(text);
}

static void
test_too_long_line(void **state)
{
	const char	*head = "[domain example.co.jp]\nmx = 10 mx.example.net\n"
	    "ns =";
	size_t		 hl = strlen(head), n = 20000;
	char		*text;

	/* An error at its line, not a silent cut, and the lines after it
	 * keep their numbers. */
	text = malloc(hl + n + 32);
	memcpy(text, head, hl);
	memset(text + hl, 'a', n);
	strcpy(text + hl + n, "\nbogus = 1\n");
	EXPECT_ERRORS(text,
	    "3: line too long (more than 16382 bytes)",
	    "4: unknown key \"bogus\" in [domain]",
	    "1: [domain example.co.jp.]: ns is required");
	free(text);
}

static void
test_crlf_bom_indent(void **state)
{
	struct config	*conf;

	conf = load_text_ok(
	    "\xef\xbb\xbf[nmigd]\r\n"
	    "  interval = 10m\r\n"
	    "\ttimeout = 5s ; inline comment\r\n"
	    "\r\n"
	    "[domain example.co.jp] ; the one we move\r\n"
	    "    ns = ns1.example.net\r\n"
	    "    mx = 10 mx.example.net\r\n"
	    "# comment\r\n"
	    "; comment\r\n");
	assert_int_equal(conf->interval, 600);
	assert_int_equal(conf->timeout, 5);
	assert_int_equal(conf->ndomains, 1);
	/* Indented keys are keys, not continuation lines. */
	ASSERT_SET(&conf->domains[0].checks[0], expect, "ns1.example.net.");
	ASSERT_SET(&conf->domains[0].checks[1], expect, "10 mx.example.net.");
	config_free(conf);
}

/* Errors: each reported as FILE:LINE: message. */

static void
test_err_open(void **state)
{
	struct errlist	 e = { NULL, 0 };
	char		 want[PATH_MAX + 64];

	assert_null(config_load(TEST_DATADIR "/config_does_not_exist.conf", 0,
	    &e));
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msg[0], TEST_DATADIR
	    "/config_does_not_exist.conf: cannot open: No such file or "
	    "directory");
	errlist_free(&e);

	assert_null(config_load(tmpdir, 0, &e));
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory",
	    tmpdir);
	assert_string_equal(e.msg[0], want);
	errlist_free(&e);
}

/* A daemon reads regular files only: a FIFO nobody writes to is refused
 * at once instead of blocking; "nmigd -t" (CONFIG_ANY_FILE) reads a
 * pipe. */
static void
test_not_regular(void **state)
{
	static const char	 text[] = "[domain example.co.jp]\n"
	    "ns = hns0.dns.nifcloud.com\nmx = 10 mx.example.co.jp\n";
	struct errlist		 e = { NULL, 0 };
	struct config		*conf;
	char			 fifo[PATH_MAX], want[PATH_MAX + 64], path[64];
	int			 fd[2];

	snprintf(fifo, sizeof(fifo), "%s/config.fifo", tmpdir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(config_load(fifo, 0, &e));
	assert_int_equal(e.n, 1);
	snprintf(want, sizeof(want), "%s: cannot open: not a regular file",
	    fifo);
	assert_string_equal(e.msg[0], want);
	errlist_free(&e);
	unlink(fifo);

	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	close(fd[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd[0]);
	assert_null(config_load(path, 0, &e));
	errlist_free(&e);
	assert_non_null(conf = config_load(path, CONFIG_ANY_FILE, &e));
	assert_int_equal(conf->ndomains, 1);
	config_free(conf);
	close(fd[0]);
}

static void
test_err_structure(void **state)
{
	EXPECT_ERRORS("interval = 5m\n[nmigd]\n",
	    "1: interval: key outside of any section (put it under [nmigd])");
	EXPECT_ERRORS("[nmigd]\n[resolver x]\nfoo = 1\n",
	    "2: unknown section [resolver x]");
	EXPECT_ERRORS("[nmigd]\nintervall = 5m\n",
	    "2: unknown key \"intervall\" in [nmigd] (did you mean interval?)");
	EXPECT_ERRORS("[nmigd]\n= 5m\n",
	    "2: missing key before '='");
	EXPECT_ERRORS("[nmigd]\ninterval 5m\n",
	    "2: expected KEY = VALUE");
	EXPECT_ERRORS("[nmigd\ninterval = 5m\n[nmigd]\nretries = 1\n",
	    "1: section header without ']'");
	EXPECT_ERRORS("[nmigd] junk\n",
	    "1: text after section header: \"junk\"");
	EXPECT_ERRORS("[nmigd]\nretries = 1\n[nmigd]\nconfirm = 3\n",
	    "3: duplicate [nmigd] section (first at line 1)");
	EXPECT_ERRORS("[nmigd]\ninterval = 5m\ninterval = 10m\n",
	    "3: interval given twice (first at line 2)");
	EXPECT_ERRORS("[nmigd]\nretries = 1\n\n[nmigd]\nretries = 2\n",
	    "4: duplicate [nmigd] section (first at line 1)",
	    "5: retries given twice (first at line 2)");
}

static void
test_err_nul(void **state)
{
	static const char	text[] = "[nmigd]\nretries = 1\0 2\nconfirm = x\n";
	const char *const	want[] = {
		"2: NUL byte in line",
		"3: confirm: \"x\" is not a number",
	};

	expect_errors_len(text, sizeof(text) - 1, want, nitems(want));
}

static void
test_err_values(void **state)
{
	EXPECT_ERRORS("[nmigd]\ninterval = 5x\n",
	    "2: interval: \"5x\" is not a duration (for example 90s, 5m, "
	    "1h30m, 2d)");
	EXPECT_ERRORS("[nmigd]\ninterval = 0\n",
	    "2: interval: must be at least 1s");
	EXPECT_ERRORS("[nmigd]\ntimeout = 0s\n",
	    "2: timeout: must be at least 1s");
	EXPECT_ERRORS("[nmigd]\nunreachable-after = 0m\n",
	    "2: unreachable-after: must be at least 1s");
	EXPECT_ERRORS("[nmigd]\nunreachable-after =\n",
	    "2: unreachable-after: \"\" is not a duration (for example 90s, "
	    "5m, 1h30m, 2d)");
	EXPECT_ERRORS("[nmigd]\nmetrics-detail = true\n",
	    "2: metrics-detail: \"true\" is neither yes nor no");
	EXPECT_ERRORS("[nmigd]\nrate = 0\n",
	    "2: rate: 0 is out of range (1 to 1000000)");
	EXPECT_ERRORS("[nmigd]\nrate = 1000001\n",
	    "2: rate: 1000001 is out of range (1 to 1000000)");
	EXPECT_ERRORS("[nmigd]\nsamples = 0\n",
	    "2: samples: 0 is out of range (1 to 16)");
	EXPECT_ERRORS("[nmigd]\nsamples = 17\n",
	    "2: samples: 17 is out of range (1 to 16)");
	EXPECT_ERRORS("[nmigd]\nretries = 11\n",
	    "2: retries: 11 is out of range (0 to 10)");
	EXPECT_ERRORS("[nmigd]\nretries = -1\n",
	    "2: retries: \"-1\" is not a number");
	EXPECT_ERRORS("[nmigd]\nretries = 2x\n",
	    "2: retries: \"2x\" is not a number");
	EXPECT_ERRORS("[nmigd]\nretries = 99999999999999999999999\n",
	    "2: retries: 99999999999999999999999 is out of range (0 to 10)");
	EXPECT_ERRORS("[nmigd]\nconfirm = 0\n",
	    "2: confirm: 0 is out of range (1 to 100)");
	EXPECT_ERRORS("[nmigd]\nconfirm = 101\n",
	    "2: confirm: 101 is out of range (1 to 100)");
	EXPECT_ERRORS("[nmigd]\ndatabase =\n",
	    "2: database: empty path");
	EXPECT_ERRORS("[nmigd]\ncontrol = ;\n",
	    "2: control: empty path");
	/* Every duration has a maximum, so that no product of them wraps
	 * (defect 6: timeout = 50d made a try of about 7 hours). */
	EXPECT_ERRORS("[nmigd]\ntimeout = 90m\n",
	    "2: timeout: must be at most 1h");
	EXPECT_ERRORS("[nmigd]\ninterval = 60d\ntimeout = 50d\n",
	    "2: interval: must be at most 7d",
	    "3: timeout: must be at most 1h");
	EXPECT_ERRORS("[nmigd]\nunreachable-after = 31d\n",
	    "2: unreachable-after: must be at most 30d");
}

static void
test_err_timeout(void **state)
{
	EXPECT_ERRORS("[nmigd]\ninterval = 1m\ntimeout = 1m\n",
	    "3: timeout (1m) must be shorter than interval (1m)");
	/* Only interval given: the default timeout is too long for it. */
	EXPECT_ERRORS("[nmigd]\n\ninterval = 2s\n",
	    "3: timeout (3s) must be shorter than interval (2s)");
	EXPECT_ERRORS("[nmigd]\ntimeout = 10m\n",
	    "2: timeout (10m) must be shorter than interval (5m)");
}

static void
test_err_domain(void **state)
{
	EXPECT_ERRORS("[domain]\nns = a.example\n",
	    "1: [domain] needs a name, as in [domain example.co.jp]");
	EXPECT_ERRORS("[domain bad..name]\nns = a.example\n",
	    "1: [domain bad..name]: bad domain name: empty label");
	EXPECT_ERRORS("[domain two words]\n",
	    "1: [domain two words]: bad domain name: one name only");
	EXPECT_ERRORS("[domain .]\n",
	    "1: [domain .]: bad domain name: the root is not a domain");
	EXPECT_ERRORS("[domain example.co.jp]\nmx = 10 mx.example.net\n",
	    "1: [domain example.co.jp.]: ns is required");
	EXPECT_ERRORS("[nmigd]\n[domain example.co.jp]\nns = a.example\n",
	    "2: [domain example.co.jp.]: " MX_REQUIRED);
	EXPECT_ERRORS("[domain example.co.jp]\n",
	    "1: [domain example.co.jp.]: ns is required",
	    "1: [domain example.co.jp.]: " MX_REQUIRED);
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a.example\nmx = 10 b.example\n"
	    "[domain EXAMPLE.co.jp.]\nns = a.example\nmx = 10 b.example\n",
	    "4: duplicate domain example.co.jp. (first at line 1)");
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a.example\nns = b.example\n"
	    "mx = 10 b.example\nold-mx = 10 c.example\nold-mx = 10 d.example\n",
	    "3: ns given twice (first at line 2)",
	    "6: old-mx given twice (first at line 5)");
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a.example\nmx = 10 b.example\n"
	    "interval = 5m\n",
	    "4: unknown key \"interval\" in [domain]");
}

static void
test_err_ns_mx(void **state)
{
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = good.example bad..example -x-.\n"
	    "mx = 10 b.example\n",
	    "2: ns: bad name \"bad..example\": empty label",
	    "2: ns: bad name \"-x-.\": a label may not start or end with "
	    "'-'");
	/* Host names are letters, digits and hyphens; a control character,
	 * a quote or a byte that is not UTF-8 can never match an answer. */
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a\001b.example a\"b.example "
	    "a_b.example\nmx = 10 b\xff.example\n",
	    "2: ns: bad name \"a\001b.example\": only letters, digits and "
	    "'-' may appear in a host name",
	    "2: ns: bad name \"a\"b.example\": only letters, digits and '-' "
	    "may appear in a host name",
	    "2: ns: bad name \"a_b.example\": only letters, digits and '-' "
	    "may appear in a host name",
	    "3: mx: bad name \"b\xff.example\": string encoding error");
	EXPECT_ERRORS("[domain example.co.jp]\nns =\nmx = 10 b.example\n",
	    "2: ns: no name server given");
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a.example\nold-ns = ,\n"
	    "mx = 10 b.example\n",
	    "3: old-ns: no name server given");
	EXPECT_ERRORS("[domain example.co.jp]\nns = a.example\nmx =\n",
	    "3: mx: no mail exchanger given");
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a.example\n"
	    "mx = 10 a.example, mx.example, 70000 b.example\n",
	    "3: mx: \"mx.example\" is not PREFERENCE NAME (preference 0 to "
	    "65535)",
	    "3: mx: \"70000 b.example\" is not PREFERENCE NAME (preference "
	    "0 to 65535)");
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a.example\n"
	    "mx = 10 a.example,, 20 b.example,\n",
	    "3: mx: empty value (stray comma?)",
	    "3: mx: empty value (stray comma?)");
	EXPECT_ERRORS(
	    "[domain example.co.jp]\nns = a.example\n"
	    "mx = 10 a.example b.example\n",
	    "3: mx: \"10 a.example b.example\" is not PREFERENCE NAME "
	    "(preference 0 to 65535)");
}

static void
test_err_record(void **state)
{
	const char	*head = "[domain example.co.jp]\nns = a.example\n"
	    "mx = 10 b.example\n";
	char		 text[1024];

#define REC(s)	(snprintf(text, sizeof(text), "%s%s", head, s), text)
	EXPECT_ERRORS(REC("record = www A\n"),
	    "4: record: expected OWNER TYPE VALUE[, VALUE...]");
	EXPECT_ERRORS(REC("record =\n"),
	    "4: record: expected OWNER TYPE VALUE[, VALUE...]");
	EXPECT_ERRORS(REC("record = www BOGUS 1\n"),
	    "4: record: unknown record type \"BOGUS\"");
	EXPECT_ERRORS(REC("record = www ANY 1\n"),
	    "4: record: unknown record type \"ANY\"");
	EXPECT_ERRORS(REC("record = www A 192.0.2.1, 1.2.3\n"),
	    "4: record: bad A value \"1.2.3\": Syntax error, could not "
	    "parse the RR's rdata");
	EXPECT_ERRORS(REC("record = www.example.net. A 192.0.2.1\n"),
	    "4: record: owner www.example.net. is not at or below "
	    "example.co.jp.");
	/* A name that only ends like the domain is not below it. */
	EXPECT_ERRORS(REC("record = notexample.co.jp. A 192.0.2.1\n"),
	    "4: record: owner notexample.co.jp. is not at or below "
	    "example.co.jp.");
	EXPECT_ERRORS(REC("record = a..b A 192.0.2.1\n"),
	    "4: record: bad owner name \"a..b\": empty label");
	EXPECT_ERRORS(REC("record = @ NS a.example\n"),
	    "4: record: use ns for the NS records of the domain itself");
	EXPECT_ERRORS(REC("old-record = example.co.jp. MX 10 a.example\n"),
	    "4: old-record: use old-mx for the MX records of the domain "
	    "itself");
	EXPECT_ERRORS(REC("record = www A 192.0.2.1\n"
	    "record = WWW a 192.0.2.2\n"),
	    "5: record for www.example.co.jp. A given twice (first at "
	    "line 4)");
	EXPECT_ERRORS(REC("record = www A 192.0.2.1\n"
	    "old-record = www AAAA ::1\n"),
	    "5: old-record for www.example.co.jp. AAAA has no record line "
	    "with that owner and type");
	EXPECT_ERRORS(REC("record = www A 192.0.2.1\nold-record = www A "
	    "192.0.2.9\nold-record = www A 192.0.2.8\n"),
	    "6: old-record for www.example.co.jp. A given twice (first at "
	    "line 5)");
	/* An old-record in another domain's section does not count. */
	EXPECT_ERRORS(REC("record = www A 192.0.2.1\n[domain example.net]\n"
	    "ns = a.example\nmx = 10 b.example\n"
	    "old-record = www.example.net. A 192.0.2.2\n"),
	    "8: old-record for www.example.net. A has no record line with "
	    "that owner and type");
#undef REC
}

/* Every error of a file, in the order of the file, not only the first. */
static void
test_err_all_reported(void **state)
{
	EXPECT_ERRORS(
	    "retries = 1\n"				/* 1 */
	    "[nmigd]\n"					/* 2 */
	    "interval = soon\n"				/* 3 */
	    "retries = 20\n"				/* 4 */
	    "colour = blue\n"				/* 5 */
	    "no equals sign here\n"			/* 6 */
	    "[domain example.co.jp]\n"			/* 7 */
	    "ns = a..b\n"				/* 8 */
	    "record = www A 999.1.1.1\n"		/* 9 */
	    "[unknown]\n"				/* 10 */
	    "anything = goes\n"				/* 11 */
	    "[domain example.net\n"			/* 12 */
	    "[domain example.org]\n"			/* 13 */
	    "ns = a.example\n"				/* 14 */
	    "mx = 10 b.example\n"			/* 15 */
	    "old-record = x A 192.0.2.1\n"		/* 16 */
	    "timeout = 1s\n",				/* 17 */
	    "1: retries: key outside of any section (put it under [nmigd])",
	    "3: interval: \"soon\" is not a duration (for example 90s, 5m, "
	    "1h30m, 2d)",
	    "4: retries: 20 is out of range (0 to 10)",
	    "5: unknown key \"colour\" in [nmigd]",
	    "6: expected KEY = VALUE",
	    "8: ns: bad name \"a..b\": empty label",
	    "9: record: bad A value \"999.1.1.1\": Syntax error, could not "
	    "parse the RR's rdata",
	    "7: [domain example.co.jp.]: " MX_REQUIRED,
	    "10: unknown section [unknown]",
	    "12: section header without ']'",
	    "17: unknown key \"timeout\" in [domain]",
	    "16: old-record for x.example.org. A has no record line with "
	    "that owner and type");
}

/* Drop-in directory.  Each test works in a directory of its own, so that
 * a conf.d it leaves behind reaches no other test. */

#define DOM(name)	"[domain " name "]\nns = ns.example.net\n"	\
			"mx = 10 mx.example.net\n"

/* buf[PATH_MAX] = dir/name */
static void
path_join(char *buf, const char *dir, const char *name)
{
	int	n;

	n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);
	assert_true(n > 0 && n < PATH_MAX);
}

/* The real path of a new directory tmpdir/name in dir[PATH_MAX]. */
static void
test_dir(const char *name, char *dir)
{
	char	path[PATH_MAX];

	path_join(path, tmpdir, name);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_non_null(realpath(path, dir));
}

static void
put(const char *dir, const char *name, const char *text)
{
	char	 path[PATH_MAX];
	FILE	*fp;

	path_join(path, dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
mk(const char *dir, const char *name)
{
	char	path[PATH_MAX];

	path_join(path, dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static const char *
in(const char *dir, const char *name)
{
	static char	path[4][PATH_MAX];
	static int	i;

	i = (i + 1) % 4;
	path_join(path[i], dir, name);
	return path[i];
}

/* tmpl with each '@' replaced by dir. */
static char *
subst(const char *tmpl, const char *dir)
{
	char	*text;
	size_t	 len;
	FILE	*fp;

	assert_non_null(fp = open_memstream(&text, &len));
	for (; *tmpl != '\0'; tmpl++)
		if (*tmpl == '@')
			fputs(dir, fp);
		else
			fputc(*tmpl, fp);
	assert_int_equal(fclose(fp), 0);
	return text;
}

/* Load path, which must fail with exactly the errors of want, one per
 * line, '@' standing for dir: all of them, in order, with their files. */
static void
expect_load_errors(const char *path, const char *dir, const char *want)
{
	struct errlist	 e = { NULL, 0 };
	char		*got, *exp;
	size_t		 i, len;
	FILE		*fp;

	assert_null(config_load(path, 0, &e));
	assert_non_null(fp = open_memstream(&got, &len));
	for (i = 0; i < e.n; i++)
		fprintf(fp, "%s\n", e.msg[i]);
	assert_int_equal(fclose(fp), 0);
	exp = subst(want, dir);
	assert_string_equal(got, exp);
	free(exp);
	free(got);
	errlist_free(&e);
}

static void
assert_domain(const struct domain_conf *d, const char *name,
    const char *file, int line)
{
	assert_string_equal(d->name, name);
	assert_string_equal(d->file, file);
	assert_int_equal(d->line, line);
}

static void
test_dropin_order(void **state)
{
	struct config	*conf;
	char		 dir[PATH_MAX];

	test_dir("order", dir);
	put(dir, "nmigd.conf", DOM("m.example") "[nmigd]\nretries = 3\n");
	put(dir, "elsewhere.conf", DOM("f.example"));
	mk(dir, "conf.d");
	put(dir, "conf.d/20-b.conf", DOM("b.example"));
	put(dir, "conf.d/10-a.conf", "# first\n\n" DOM("a.example")
	    DOM("c.example"));
	put(dir, "conf.d/a.conf", DOM("e.example"));
	put(dir, "conf.d/B.conf", DOM("d.example"));
	assert_int_equal(symlink("../elsewhere.conf",
	    in(dir, "conf.d/30-link.conf")), 0);
	/* Not drop-ins: each would be an error if it were read. */
	put(dir, "conf.d/.10-a.conf", "[nmigd]\n");
	put(dir, "conf.d/.conf", "junk\n");
	put(dir, "conf.d/10-a.conf~", "junk\n");
	put(dir, "conf.d/10-a.conf.swp", "junk\n");
	put(dir, "conf.d/10-a.CONF", "junk\n");
	put(dir, "conf.d/README", "junk\n");
	put(dir, "conf.d/conf", "junk\n");
	assert_int_equal(symlink("../elsewhere.conf",
	    in(dir, "conf.d/link")), 0);

	conf = load_ok(in(dir, "nmigd.conf"));
	assert_string_equal(conf->include, in(dir, "conf.d"));
	assert_int_equal(conf->retries, 3);
	/* The main file, then the drop-ins by strcmp() of their names
	 * (digits, upper case, lower case), each in its own order. */
	assert_int_equal(conf->ndomains, 7);
	assert_domain(&conf->domains[0], "m.example.",
	    in(dir, "nmigd.conf"), 1);
	assert_domain(&conf->domains[1], "a.example.",
	    in(dir, "conf.d/10-a.conf"), 3);
	assert_domain(&conf->domains[2], "c.example.",
	    in(dir, "conf.d/10-a.conf"), 6);
	assert_domain(&conf->domains[3], "b.example.",
	    in(dir, "conf.d/20-b.conf"), 1);
	assert_domain(&conf->domains[4], "f.example.",
	    in(dir, "conf.d/30-link.conf"), 1);
	assert_domain(&conf->domains[5], "d.example.",
	    in(dir, "conf.d/B.conf"), 1);
	assert_domain(&conf->domains[6], "e.example.",
	    in(dir, "conf.d/a.conf"), 1);
	ASSERT_SET(&conf->domains[4].checks[1], expect, "10 mx.example.net.");
	config_free(conf);
}

static void
test_dropin_sections(void **state)
{
	char	dir[PATH_MAX];

	test_dir("sections", dir);
	put(dir, "nmigd.conf", "[nmigd]\nretries = 3\n");
	mk(dir, "conf.d");
	/* One error for the [nmigd] line, none for each of its keys. */
	put(dir, "conf.d/a.conf", DOM("a.example")
	    "[nmigd]\nretries = 5\ninterval = 1m\n" DOM("b.example"));
	put(dir, "conf.d/b.conf", "\ninterval = 5m\n[nmigd]\n"
	    "[resolver x]\n");
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/conf.d/a.conf:4: [nmigd] belongs in @/nmigd.conf; a drop-in "
	    "holds only [domain] sections\n"
	    "@/conf.d/b.conf:2: interval: key outside of any section (a "
	    "drop-in holds only [domain] sections)\n"
	    "@/conf.d/b.conf:3: [nmigd] belongs in @/nmigd.conf; a drop-in "
	    "holds only [domain] sections\n"
	    "@/conf.d/b.conf:4: unknown section [resolver x]\n");
}

static void
test_dropin_duplicate(void **state)
{
	char	dir[PATH_MAX];

	test_dir("duplicate", dir);
	put(dir, "nmigd.conf", DOM("example.co.jp") "[nmigd]\n");
	mk(dir, "conf.d");
	put(dir, "conf.d/10-a.conf", "\n[domain Example.CO.JP.]\n"
	    "ns = ns.example.net\nmx = 10 mx.example.net\n");
	put(dir, "conf.d/20-b.conf", DOM("other.example"));
	put(dir, "conf.d/30-c.conf", "# again\n" DOM("other.example")
	    DOM("other.example"));
	/* Each names the first definition, not the one before it. */
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/conf.d/10-a.conf:2: duplicate domain example.co.jp. (first "
	    "defined at @/nmigd.conf:1)\n"
	    "@/conf.d/30-c.conf:2: duplicate domain other.example. (first "
	    "defined at @/conf.d/20-b.conf:1)\n"
	    "@/conf.d/30-c.conf:5: duplicate domain other.example. (first "
	    "defined at @/conf.d/20-b.conf:1)\n");
}

/* A reload that fails says everything wrong, not one file at a time. */
static void
test_dropin_errors_all(void **state)
{
	char	dir[PATH_MAX];

	test_dir("errors", dir);
	put(dir, "nmigd.conf", "[nmigd]\nretries = 99\n" DOM("m.example"));
	mk(dir, "conf.d");
	put(dir, "conf.d/a.conf", "[domain a.example]\nns = a..b\n"
	    "mx = 10 mx.example.net\n");
	put(dir, "conf.d/b.conf", "\n[domain b.example]\n"
	    "ns = ns.example.net\n[other]\n");
	put(dir, "conf.d/c.conf", DOM("c.example"));
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:2: retries: 99 is out of range (0 to 10)\n"
	    "@/conf.d/a.conf:2: ns: bad name \"a..b\": empty label\n"
	    "@/conf.d/b.conf:2: [domain b.example.]: " MX_REQUIRED "\n"
	    "@/conf.d/b.conf:4: unknown section [other]\n");
}

static void
test_include_explicit(void **state)
{
	char	dir[PATH_MAX], gone[PATH_MAX], text[PATH_MAX + 64];

	test_dir("explicit", dir);
	put(dir, "nmigd.conf", "[nmigd]\n\ninclude = nowhere\n");
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:3: include: @/nowhere: No such file or "
	    "directory\n");
	/* Naming the default makes it required too. */
	put(dir, "nmigd.conf", "[nmigd]\ninclude = conf.d\n");
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:2: include: @/conf.d: No such file or "
	    "directory\n");
	path_join(gone, dir, "gone/");
	snprintf(text, sizeof(text), "[nmigd]\ninclude = %s\n", gone);
	put(dir, "nmigd.conf", text);
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:2: include: @/gone: No such file or directory\n");
	put(dir, "nmigd.conf", "[nmigd]\ninclude = nmigd.conf\n");
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:2: include: @/nmigd.conf: Not a directory\n");
	put(dir, "nmigd.conf", "[nmigd]\ninclude =\n");
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:2: include: empty path\n");
	put(dir, "nmigd.conf", "[nmigd]\ninclude = none\ninclude = a\n");
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:3: include given twice (first at line 2)\n");
}

static void
test_include_default(void **state)
{
	struct config	*conf;
	char		 dir[PATH_MAX];

	/* A fresh install has no conf.d: fine, and so is an empty one. */
	test_dir("default", dir);
	put(dir, "nmigd.conf", DOM("m.example"));
	conf = load_ok(in(dir, "nmigd.conf"));
	assert_string_equal(conf->include, in(dir, "conf.d"));
	assert_int_equal(conf->ndomains, 1);
	config_free(conf);
	mk(dir, "conf.d");
	conf = load_ok(in(dir, "nmigd.conf"));
	assert_int_equal(conf->ndomains, 1);
	config_free(conf);

	/* Only a missing one: a conf.d that is there but unusable is. */
	test_dir("default-file", dir);
	put(dir, "nmigd.conf", DOM("m.example"));
	put(dir, "conf.d", DOM("a.example"));
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf: include: @/conf.d: Not a directory\n");
}

static void
test_include_relative(void **state)
{
	struct config	*conf;
	char		 dir[PATH_MAX], cwd[PATH_MAX];

	test_dir("relative", dir);
	mk(dir, "etc");
	mk(dir, "etc/conf.d");
	mk(dir, "drop");
	put(dir, "etc/nmigd.conf", "[nmigd]\ninclude = ../drop/\n");
	put(dir, "drop/a.conf", DOM("a.example"));
	/* Replaced by include, so never read. */
	put(dir, "etc/conf.d/z.conf", DOM("z.example"));

	/* Against the config's directory, wherever nmigd runs. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	conf = load_ok(in(dir, "etc/nmigd.conf"));
	assert_string_equal(conf->include, in(dir, "etc/../drop"));
	assert_int_equal(conf->ndomains, 1);
	assert_domain(&conf->domains[0], "a.example.",
	    in(dir, "etc/../drop/a.conf"), 1);
	config_free(conf);

	assert_int_equal(chdir(in(dir, "etc")), 0);
	conf = load_ok("nmigd.conf");
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(conf->include, in(dir, "etc/../drop"));
	assert_int_equal(conf->ndomains, 1);
	config_free(conf);
}

static void
test_include_none(void **state)
{
	struct config	*conf;
	char		 dir[PATH_MAX];

	test_dir("none", dir);
	mk(dir, "conf.d");
	put(dir, "conf.d/a.conf", DOM("a.example"));
	put(dir, "nmigd.conf", "[nmigd]\ninclude = none\n" DOM("m.example"));
	conf = load_ok(in(dir, "nmigd.conf"));
	assert_null(conf->include);
	assert_int_equal(conf->ndomains, 1);
	assert_string_equal(conf->domains[0].name, "m.example.");
	config_free(conf);

	/* A directory of that name is still reachable. */
	put(dir, "nmigd.conf", "[nmigd]\ninclude = ./none\n");
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf:2: include: @/./none: No such file or "
	    "directory\n");
}

/* Only regular files are read: a FIFO would block a reload. */
static void
test_dropin_not_regular(void **state)
{
	char	dir[PATH_MAX];

	test_dir("notreg", dir);
	put(dir, "nmigd.conf", "");
	mk(dir, "conf.d");
	put(dir, "conf.d/good.conf", "[domain a.example]\n");
	mk(dir, "conf.d/x.conf");
	put(dir, "conf.d/x.conf/inner.conf", DOM("inner.example"));
	assert_int_equal(symlink("missing.conf", in(dir, "conf.d/y.conf")),
	    0);
	assert_int_equal(mkfifo(in(dir, "conf.d/z.conf"), 0644), 0);
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/conf.d/good.conf:1: [domain a.example.]: ns is required\n"
	    "@/conf.d/good.conf:1: [domain a.example.]: " MX_REQUIRED "\n"
	    "@/conf.d/x.conf: cannot open: Is a directory\n"
	    "@/conf.d/y.conf: cannot open: No such file or directory\n"
	    "@/conf.d/z.conf: cannot open: not a regular file\n");
}

/* Root reads a mode 000 file all the same, so this needs another user. */
static void
test_dropin_unreadable(void **state)
{
	char	dir[PATH_MAX];

	if (geteuid() == 0)
		skip();
	test_dir("unreadable", dir);
	put(dir, "nmigd.conf", "");
	mk(dir, "conf.d");
	put(dir, "conf.d/a.conf", DOM("a.example"));
	put(dir, "conf.d/b.conf", "[domain b.example]\n");
	assert_int_equal(chmod(in(dir, "conf.d/a.conf"), 0), 0);
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/conf.d/a.conf: cannot open: Permission denied\n"
	    "@/conf.d/b.conf:1: [domain b.example.]: ns is required\n"
	    "@/conf.d/b.conf:1: [domain b.example.]: " MX_REQUIRED "\n");
	assert_int_equal(chmod(in(dir, "conf.d"), 0), 0);
	expect_load_errors(in(dir, "nmigd.conf"), dir,
	    "@/nmigd.conf: include: @/conf.d: Permission denied\n");
	assert_int_equal(chmod(in(dir, "conf.d"), 0755), 0);
}

/* Printing */

static struct config *
roundtrip(const struct config *conf, char **textp)
{
	struct config	*again;
	char		*text;
	size_t		 len;
	FILE		*fp;

	assert_non_null(fp = open_memstream(&text, &len));
	config_print(conf, fp);
	assert_int_equal(fclose(fp), 0);
	again = load_ok(write_file("printed.conf", text, len));
	assert_config_equal(conf, again);
	*textp = text;
	return again;
}

static void
test_print_roundtrip(void **state)
{
	struct config	*conf, *again, *third;
	char		*text, *text2;

	conf = load_ok(TEST_DATADIR "/config_example.conf");
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\ninterval = 5m\n"));
	assert_non_null(strstr(text, "\ntimeout = 3s\n"));
	assert_non_null(strstr(text, "\nunreachable-after = 1h\n"));
	assert_non_null(strstr(text, "\n[domain example.co.jp]\n"));
	assert_non_null(strstr(text,
	    "\nns = hns0.dns.nifcloud.com. hns1.dns.nifcloud.com.\n"));
	assert_non_null(strstr(text,
	    "\nmx = 10 mx01.example.co.jp., 10 mx02.example.co.jp.\n"));
	assert_non_null(strstr(text, "\nrecord = pop A 203.0.113.10\n"));
	/* Printing what was read back gives the same text. */
	third = roundtrip(again, &text2);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	config_free(third);
	config_free(again);
	config_free(conf);
}

/* Japanese IDNs are common under .jp: the config may name them in UTF-8;
 * nmigd keeps A-labels and prints them back so, with the U-label in a
 * comment. */
static void
test_idn(void **state)
{
	struct config	*conf, *again;
	char		*text;

	conf = load_text_ok(
	    "[domain \xe4\xbe\x8b\xe3\x81\x88.jp]\n"
	    "ns = ns1.\xe4\xbe\x8b\xe3\x81\x88.jp\n"
	    "mx = 10 \xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab.\xe4\xbe\x8b"
	    "\xe3\x81\x88.jp\n"
	    "record = \xe3\x82\xa6\xe3\x82\xa7\xe3\x83\x96 A 192.0.2.1\n");
	assert_string_equal(conf->domains[0].name, "xn--r8jz45g.jp.");
	ASSERT_SET(&conf->domains[0].checks[0], expect,
	    "ns1.xn--r8jz45g.jp.");
	ASSERT_SET(&conf->domains[0].checks[1], expect,
	    "10 xn--4dkua4c.xn--r8jz45g.jp.");
	assert_string_equal(conf->domains[0].checks[2].owner,
	    "xn--gckc5l.xn--r8jz45g.jp.");
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\n# \xe4\xbe\x8b\xe3\x81\x88.jp\n"
	    "[domain xn--r8jz45g.jp]\n"));
	free(text);
	config_free(again);
	config_free(conf);
}

/*
 * The printed config parses to the same thing, for configs generated at
 * random from every kind of value the parser takes: names, durations and
 * record values with every byte a character-string may hold.  `nmigd -t
 * -v` once printed configs its own parser refused (defect 6).
 */
static uint32_t
prng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
gen_label(FILE *fp, uint32_t *seed)
{
	static const char	 cs[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t			 i, n = 1 + prng(seed) % 12;

	for (i = 0; i < n; i++)
		fputc(cs[prng(seed) % (sizeof(cs) - 1 - (i == 0 ? 10 : 0))],
		    fp);
}

static void
gen_host(FILE *fp, uint32_t *seed)
{
	static const char *const idn[] = { "\xe4\xbe\x8b\xe3\x81\x88",
	    "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab", "M\xc3\xbcnchen" };
	int	i, n = 2 + (int)(prng(seed) % 3);

	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc('.', fp);
		if (prng(seed) % 8 == 0)
			fputs(idn[prng(seed) % 3], fp);
		else
			gen_label(fp, seed);
	}
}

/* A character-string, quoted, any byte but NUL as \DDD or itself. */
static void
gen_string(FILE *fp, uint32_t *seed)
{
	size_t	i, n = prng(seed) % 40;
	int	c;

	fputc('"', fp);
	for (i = 0; i < n; i++) {
		c = 1 + (int)(prng(seed) % 255);
		if ((c >= 'a' && c <= 'z') || c == ' ' || c == ',' ||
		    (c >= '0' && c <= '9'))
			fputc(c, fp);
		else
			fprintf(fp, "\\%03d", c);
	}
	fputc('"', fp);
}

/* An alpn value: 1 to 20 bytes, any but ',' and '\\', which the value
 * list of RFC 9460 would take for separators and escapes. */
static void
gen_alpn(FILE *fp, uint32_t *seed)
{
	size_t	i, n = 1 + prng(seed) % 20;
	int	c;

	fputc('"', fp);
	for (i = 0; i < n; i++) {
		do
			c = 1 + (int)(prng(seed) % 255);
		while (c == ',' || c == '\\');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			fputc(c, fp);
		else
			fprintf(fp, "\\%03d", c);
	}
	fputc('"', fp);
}

static void
gen_record(FILE *fp, uint32_t *seed)
{
	uint32_t	v = prng(seed);
	int		i;

	fputs("record = ", fp);
	gen_label(fp, seed);
	switch (v % 9) {
	case 0:
		fprintf(fp, " A %u.%u.%u.%u", v >> 24, (v >> 16) & 255,
		    (v >> 8) & 255, prng(seed) & 255);
		break;
	case 1:
		fprintf(fp, " AAAA 2001:db8::%x:%x", v & 0xffff,
		    prng(seed) & 0xffff);
		break;
	case 2:
		fputs(" TXT ", fp);
		gen_string(fp, seed);
		fputs(" ", fp);
		gen_string(fp, seed);
		fputs(", ", fp);
		gen_string(fp, seed);
		break;
	case 3:
		fprintf(fp, " SRV %u %u %u ", v & 0xffff, prng(seed) & 0xffff,
		    prng(seed) & 0xffff);
		gen_host(fp, seed);
		break;
	case 4:
		fprintf(fp, " CAA %u issue ", v & 255);
		gen_string(fp, seed);
		break;
	case 5:
		fprintf(fp, " HTTPS %u . alpn=", 1 + v % 100);
		gen_alpn(fp, seed);
		if (prng(seed) % 2)
			fprintf(fp, " port=%u", prng(seed) & 0xffff);
		if (prng(seed) % 2)
			fputs(" ipv4hint=\"192.0.2.1,192.0.2.2\"", fp);
		break;
	case 6:
		fprintf(fp, " DS %u 8 2 ", v & 0xffff);
		for (i = 0; i < 32; i++)
			fprintf(fp, "%02x", prng(seed) & 255);
		break;
	case 7:
		fprintf(fp, " TYPE65280 \\# 4 %08x", prng(seed));
		break;
	default:
		fputs(" MX 10 ", fp);
		gen_host(fp, seed);
		break;
	}
	fputc('\n', fp);
}

static char *
gen_config(uint32_t *seed)
{
	static const char *const durs[] = { "1s", "90", "5m", "1h30m", "2d",
	    "7d", "59m59s" };
	char	*text;
	size_t	 len;
	FILE	*fp;
	int	 d, j, n;

	assert_non_null(fp = open_memstream(&text, &len));
	fprintf(fp, "[nmigd]\ninterval = %s\ntimeout = 1s\nretries = %u\n"
	    "unreachable-after = %s\n", durs[3 + prng(seed) % 4],
	    prng(seed) % 11, durs[prng(seed) % 7]);
	for (d = 0, n = 1 + (int)(prng(seed) % 4); d < n; d++) {
		fprintf(fp, "[domain d%d.", d);
		gen_host(fp, seed);
		fputs("]\nns = ", fp);
		for (j = 0; j < 1 + (int)(prng(seed) % 3); j++) {
			gen_host(fp, seed);
			fputc(' ', fp);
		}
		fputs("\nmx = 0 .\nold-mx = ", fp);
		fprintf(fp, "%u ", prng(seed) & 0xffff);
		gen_host(fp, seed);
		fputc('\n', fp);
		for (j = 0; j < (int)(prng(seed) % 5); j++)
			gen_record(fp, seed);
	}
	assert_int_equal(fclose(fp), 0);
	return text;
}

static void
test_print_property(void **state)
{
	struct config	*conf, *again, *third;
	uint32_t	 seed = 0x6e6d6967;
	char		*text, *printed, *printed2;
	int		 i;

	for (i = 0; i < 300; i++) {
		text = gen_config(&seed);
		conf = load_text_ok(text);
		again = roundtrip(conf, &printed);
		third = roundtrip(again, &printed2);
		if (strcmp(printed, printed2) != 0)
			fail_msg("printed twice differently:\n%s\n%s",
			    printed, printed2);
		free(printed);
		free(printed2);
		free(text);
		config_free(third);
		config_free(again);
		config_free(conf);
	}
}

/* The values that once broke the printer: an HTTPS alpn of 100
 * non-printable bytes aborted `nmigd -t` inside ldns (defect 1). */
static void
test_print_svcb_bytes(void **state)
{
	struct config	*conf, *again;
	char		*text, rec[1024], *p;
	int		 i;

	p = rec + snprintf(rec, sizeof(rec), "[domain example.org]\n"
	    "ns = a.example\nmx = 10 b.example\n"
	    "record = @ HTTPS 1 . alpn=\"");
	for (i = 0; i < 100; i++)
		p += snprintf(p, 5, "\\%03d", 1 + i % 31);
	snprintf(p, 4, "\"\n");
	conf = load_text_ok(rec);
	again = roundtrip(conf, &text);
	free(text);
	config_free(again);
	config_free(conf);
}

static void
test_print_hard_values(void **state)
{
	struct config	*conf, *again;
	char		*text;

	conf = load_text_ok(
	    "[nmigd]\n"
	    "database = data/nmigd.db\n"
	    "interval = 61m\n"
	    "timeout = 90\n"
	    "retries = 0\n"
	    "confirm = 7\n"
	    "unreachable-after = 2d\n"
	    "[domain example.co.jp]\n"
	    "ns = b.example a.example\n"
	    "mx = 0 .\n"
	    "old-ns = c.example\n"
	    "old-mx = 5 m.example, 10 n.example\n"
	    "record = @ TXT \"v=spf1 a, mx\", \"semi \\059colon\", \"x\\059y\"\n"
	    "old-record = @ TXT \"v=spf1 -all\"\n"
	    "record = www.example.co.jp. HTTPS 1 . alpn=\"h2,h3\"\n"
	    "record = a.b CAA 0 issue \"ca.example.net\"\n"
	    "record = srv._tcp SRV 0 5 5060 sip.example.net\n"
	    "[domain example.net]\n"
	    "ns = a.example\n"
	    "mx = 10 b.example\n");
	assert_int_equal(conf->interval, 3660);
	again = roundtrip(conf, &text);
	assert_non_null(strstr(text, "\ninterval = 61m\n"));
	assert_non_null(strstr(text, "\ntimeout = 90s\n"));
	assert_non_null(strstr(text, "\nunreachable-after = 2d\n"));
	assert_non_null(strstr(text, "\nold-ns = c.example.\n"));
	assert_non_null(strstr(text, "\nrecord = a.b CAA "));
	assert_non_null(strstr(text, "\nold-record = @ TXT \"v=spf1 -all\"\n"));
	/* RFC 4034 6.3 order: the first string's length byte first. */
	ASSERT_SET(&again->domains[0].checks[2], expect, "\"x\\059y\"",
	    "\"semi \\059colon\"", "\"v=spf1 a, mx\"");
	free(text);
	config_free(again);
	config_free(conf);
}

/* The drop-ins printed inline load again to the same config even when
 * saved beside the conf.d they came from. */
static void
test_print_dropins(void **state)
{
	struct config	*conf, *again;
	char		 dir[PATH_MAX], *text, *want, *text2;
	size_t		 len, i;
	FILE		*fp;

	test_dir("print", dir);
	put(dir, "nmigd.conf", "[nmigd]\nretries = 4\n" DOM("m.example"));
	mk(dir, "conf.d");
	put(dir, "conf.d/a.conf", DOM("a.example")
	    "old-ns = old.example.net\nrecord = www A 192.0.2.1\n");
	/* A file name may hold a newline; it must not become config. */
	put(dir, "conf.d/b\n[nmigd]\nretries = 9\n.conf", DOM("b.example"));
	conf = load_ok(in(dir, "nmigd.conf"));
	assert_int_equal(conf->ndomains, 3);

	assert_non_null(fp = open_memstream(&text, &len));
	config_print(conf, fp);
	assert_int_equal(fclose(fp), 0);
	want = subst("\ninclude = none\n\n[domain m.example]\n", dir);
	assert_non_null(strstr(text, want));
	free(want);
	want = subst("\n# from @/conf.d/a.conf\n[domain a.example]\n", dir);
	assert_non_null(strstr(text, want));
	free(want);
	want = subst("\n# from @/conf.d/b?[nmigd]?retries = 9?.conf\n"
	    "[domain b.example]\n", dir);
	assert_non_null(strstr(text, want));
	free(want);

	put(dir, "printed.conf", text);
	again = load_ok(in(dir, "printed.conf"));
	assert_config_equal(conf, again);
	assert_null(again->include);
	for (i = 0; i < again->ndomains; i++)
		assert_string_equal(again->domains[i].file,
		    in(dir, "printed.conf"));
	/* All inline now: nothing left to say where a domain came from. */
	assert_non_null(fp = open_memstream(&text2, &len));
	config_print(again, fp);
	assert_int_equal(fclose(fp), 0);
	assert_null(strstr(text2, "# from"));
	free(text2);
	free(text);
	config_free(again);
	config_free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_semicolon_in_quotes),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_parent_key),
		cmocka_unit_test(test_mx_none),
		cmocka_unit_test(test_learn_keys),
		cmocka_unit_test(test_vantage),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_normalization),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_record_owners),
		cmocka_unit_test(test_old_record),
		cmocka_unit_test(test_several_domains),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_too_long_line),
		cmocka_unit_test(test_crlf_bom_indent),
		cmocka_unit_test(test_err_open),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_err_structure),
		cmocka_unit_test(test_err_nul),
		cmocka_unit_test(test_err_values),
		cmocka_unit_test(test_err_timeout),
		cmocka_unit_test(test_err_domain),
		cmocka_unit_test(test_err_ns_mx),
		cmocka_unit_test(test_err_record),
		cmocka_unit_test(test_err_all_reported),
		cmocka_unit_test(test_print_roundtrip),
		cmocka_unit_test(test_idn),
		cmocka_unit_test(test_print_property),
		cmocka_unit_test(test_print_svcb_bytes),
		cmocka_unit_test(test_dropin_order),
		cmocka_unit_test(test_dropin_sections),
		cmocka_unit_test(test_dropin_duplicate),
		cmocka_unit_test(test_dropin_errors_all),
		cmocka_unit_test(test_include_explicit),
		cmocka_unit_test(test_include_default),
		cmocka_unit_test(test_include_relative),
		cmocka_unit_test(test_include_none),
		cmocka_unit_test(test_dropin_not_regular),
		cmocka_unit_test(test_dropin_unreadable),
		cmocka_unit_test(test_print_hard_values),
		cmocka_unit_test(test_print_dropins),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
