/*
 * The unit tests' world: real config and resolver files, parsed by the
 * daemon's own parsers.
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
	fprintf(fp, "[nmigd]\nresolvers = %s\ninclude = none\n%s%s", res,
	    extra != NULL ? extra : "", domains);
	assert_int_equal(fclose(fp), 0);
	memset(wd, 0, sizeof(*wd));
	wd->cfg = config_load(conf, &e);
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
