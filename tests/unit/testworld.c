/*
 * The unit tests' world: real config and resolver files, parsed by the
 * daemon's own parsers, and answers made of the config's own sets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "apply.h"
#include "rdata.h"
#include "store.h"
#include "testworld.h"

static char	tmpdir[64];

static const char *const files[] = {
	"nmigd.conf", "resolvers.conf", "nmigd.db", "nmigd.db-wal",
	"nmigd.db-shm",
};

int
tw_setup(const char *name)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nmigd-%s.XXXXXX", name);
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

int
tw_cleanup(void)
{
	char	path[PATH_MAX];
	size_t	i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		tw_path(path, files[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

void
tw_path(char *buf, const char *file)
{
	snprintf(buf, PATH_MAX, "%s/%s", tmpdir, file);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

void
tw_load(struct world *wd, const char *resolvers, const char *extra,
    const char *domains, bool bare)
{
	struct errlist	 e = { NULL, 0 };
	char		 conf[PATH_MAX], res[PATH_MAX];
	FILE		*fp;
	size_t		 i;

	tw_path(res, "resolvers.conf");
	write_file(res, resolvers);
	tw_path(conf, "nmigd.conf");
	assert_non_null(fp = fopen(conf, "w"));
	/* One sample a round unless the test says: most tests count
	 * answers, and the samples' own tests ask for more. */
	fprintf(fp, "[nmigd]\nresolvers = %s\ninclude = none\n%s%s%s", res,
	    extra != NULL && strstr(extra, "samples") != NULL ? "" :
	    "samples = 1\n", extra != NULL ? extra : "", domains);
	assert_int_equal(fclose(fp), 0);
	memset(wd, 0, sizeof(*wd));
	wd->cfg = config_load(conf, 0, &e);
	assert_int_equal(resolvers_load(res, &wd->rl, &e), 0);
	for (i = 0; i < e.n; i++)
		fprintf(stderr, "unexpected: %s\n", e.msg[i]);
	assert_int_equal(e.n, 0);
	assert_non_null(wd->cfg);
	wd->m = bare ? model_new_bare(wd->cfg, &wd->rl) :
	    model_new(wd->cfg, &wd->rl);
}

void
tw_free(struct world *wd)
{
	model_free(wd->m);
	config_free(wd->cfg);
	resolvers_free(&wd->rl);
}

struct store *
tw_store_fresh(void)
{
	char		 path[PATH_MAX], side[PATH_MAX + 8];
	struct store	*s;

	tw_path(path, "nmigd.db");
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	assert_non_null(s = store_open(path));
	return s;
}

struct watch *
tw_watch(const struct world *wd, const char *name)
{
	struct watch	*w = model_find_watch(wd->m, name);

	assert_non_null(w);
	return w;
}

size_t
tw_resolver(const struct world *wd, const char *name)
{
	ssize_t	r = model_find_resolver(wd->m, name);

	assert_true(r >= 0);
	return (size_t)r;
}

/* An answer to check c with the config's new or old set, another set, or
 * none, and the rcode given; TTL 300, RTT 25 ms. */
void
tw_answer_of(struct observation *o, const struct check_conf *c,
    enum tw_which set, uint8_t rcode)
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
	case TW_NEW:
		rdset_copy(&o->answer.rdata, &c->expect);
		break;
	case TW_OLD:
		rdset_copy(&o->answer.rdata, &c->old);
		break;
	case TW_OTHER:
		len = rdata_parse(c->owner, c->type, c->type ==
		    LDNS_RR_TYPE_MX ? "5 mx.elsewhere.example." :
		    "ns.elsewhere.example.", rd, err, sizeof(err));
		assert_true(len > 0);
		rdset_add(&o->answer.rdata, rd, (size_t)len);
		break;
	case TW_EMPTY:
		break;
	}
}

void
tw_answer_all(struct world *wd, struct watch *w, size_t r, enum tw_which set,
    uint32_t ttl, time_t now)
{
	struct observation	o;
	size_t			k;

	for (k = 0; k < w->dc->nchecks; k++) {
		tw_answer_of(&o, watch_check(w, k), set, LDNS_RCODE_NOERROR);
		o.answer.ttl = ttl;
		apply_observation(wd->m, w, r, k, &o, now);
		rdset_free(&o.answer.rdata);
	}
}

void
tw_silence_all(struct world *wd, struct watch *w, size_t r, time_t now)
{
	struct observation	o;
	size_t			k;

	memset(&o, 0, sizeof(o));
	o.status = OBS_TIMEOUT;
	o.tries = 3;
	for (k = 0; k < w->dc->nchecks; k++)
		apply_observation(wd->m, w, r, k, &o, now);
}

size_t
tw_server(struct world *wd, struct watch *w, enum target_kind kind,
    const char *host, const char *ip)
{
	struct sockaddr_in	sin;
	struct target		t;
	size_t			i;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	assert_int_equal(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	target_server(&t, kind, host, (const struct sockaddr *)&sin,
	    sizeof(sin), 0);
	i = model_intern_target(wd->m, &t);
	target_free(&t);
	return watch_add_target(wd->m, w, i);
}
