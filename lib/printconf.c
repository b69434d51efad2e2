/*
 * Printing the effective config (nmigd -t -v), apart from the parser as
 * unwind keeps printconf.c beside parse.y.  What it writes must parse back
 * to the same config: tests/unit/test_config.c checks that for generated
 * configs and tests/fuzz/fuzz_config.c for arbitrary ones.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dname.h"
#include "printconf.h"
#include "rdata.h"
#include "rdtext.h"
#include "util.h"

/* The set's values as the parser reads them back (rdtext_config). */
static void
print_values(FILE *fp, const char *owner, uint16_t type,
    const struct rdset *set, const char *sep)
{
	const uint8_t	*rd;
	size_t		 off = 0;
	uint16_t	 len;
	char		*s;
	bool		 first = true;

	while ((rd = rdset_next(set, &off, &len)) != NULL) {
		s = rdtext_config(owner, type, rd, len);
		fprintf(fp, "%s%s", first ? "" : sep, s);
		free(s);
		first = false;
	}
	fputc('\n', fp);
}

static void
print_set(FILE *fp, const char *key, const struct domain_conf *d,
    const struct check_conf *c, const struct rdset *set, const char *sep)
{
	fprintf(fp, "%s = ", key);
	print_values(fp, d->name, c->type, set, sep);
}

/* The owner relative to the domain where it can be, as an operator
 * writes it. */
static void
print_record(FILE *fp, const char *key, const struct domain_conf *d,
    const struct check_conf *c, const struct rdset *set)
{
	size_t	ln = strlen(c->owner), ld = strlen(d->name);
	char	tbuf[16], owner[NMIG_NAMEBUF];

	if (ln == ld)
		snprintf(owner, sizeof(owner), "@");
	else
		snprintf(owner, sizeof(owner), "%.*s", (int)(ln - ld - 1),
		    c->owner);
	fprintf(fp, "%s = %s %s ", key, owner, rrtype_name(c->type, tbuf));
	if (set == &c->expect && c->learn & LEARN_EXPECT)
		fprintf(fp, "auto\n");
	else
		print_values(fp, c->owner, c->type, set, ", ");
}

/* A file name may hold any byte but '/' and NUL: a newline in it must
 * not end the comment and start a line of config. */
static void
print_origin(FILE *fp, const char *file)
{
	fputs("# from ", fp);
	for (; *file != '\0'; file++)
		fputc(iscntrl((unsigned char)*file) ? '?' : *file, fp);
	fputc('\n', fp);
}

static void
print_require(FILE *fp, const struct require *r)
{
	if (r->mode == REQUIRE_PERCENT)
		fprintf(fp, "require = %u%%\n", r->n);
	else if (r->mode == REQUIRE_COUNT)
		fprintf(fp, "require = %u\n", r->n);
	else
		fprintf(fp, "require = all\n");
}

void
config_print(const struct config *conf, FILE *fp)
{
	const struct domain_conf	*d;
	const struct check_conf		*c;
	char				 buf[32], aname[NMIG_NAMEBUF];
	char				 uname[NMIG_UNAMEBUF];
	size_t				 i, j;

	fprintf(fp, "[nmigd]\n");
	fprintf(fp, "database = %s\n", conf->database);
	fprintf(fp, "control = %s\n", conf->control);
	fprintf(fp, "resolvers = %s\n", conf->resolvers);
	fprintf(fp, "interval = %s\n",
	    fmt_duration(conf->interval, buf, sizeof(buf)));
	fprintf(fp, "timeout = %s\n",
	    fmt_duration(conf->timeout, buf, sizeof(buf)));
	fprintf(fp, "retries = %u\n", conf->retries);
	fprintf(fp, "samples = %u\n", conf->samples);
	fprintf(fp, "rate = %u\n", conf->rate);
	fprintf(fp, "confirm = %u\n", conf->confirm);
	fprintf(fp, "unreachable-after = %s\n",
	    fmt_duration(conf->unreachable_after, buf, sizeof(buf)));
	fprintf(fp, "parent = %s\n", conf->parent == PARENT_NONE ? "none" :
	    "auto");
	fprintf(fp, "providers = %s\n", conf->providers == PARENT_NONE ?
	    "none" : "auto");
	print_require(fp, &conf->require);
	fprintf(fp, "overlap = %s\n", fmt_duration(conf->overlap, buf,
	    sizeof(buf)));
	fprintf(fp, "quiet = %s\n", fmt_duration(conf->quiet, buf,
	    sizeof(buf)));
	fprintf(fp, "history-days = %u\n", conf->history_days);
	fprintf(fp, "metrics = %s\n", conf->metrics != NULL ? conf->metrics :
	    "none");
	fprintf(fp, "metrics-detail = %s\n", conf->metrics_detail ? "yes" :
	    "no");
	fprintf(fp, "vantage = %s\n", conf->vantage != NULL ? conf->vantage :
	    "none");
	/* The domains of the drop-ins are printed below with the others:
	 * reading a directory as well would define them twice, and the
	 * conf.d beside wherever this output is saved is no better. */
	fprintf(fp, "# domains of drop-in files are inline below\n");
	fprintf(fp, "include = none\n");
	for (i = 0; i < conf->ndomains; i++) {
		d = &conf->domains[i];
		fputc('\n', fp);
		if (strcmp(d->file, conf->path) != 0)
			print_origin(fp, d->file);
		if (strcmp(domain_unicode(d->name, uname),
		    domain_display(d->name, aname)) != 0)
			fprintf(fp, "# %s\n", uname);
		fprintf(fp, "[domain %s]\n", domain_display(d->name, aname));
		print_set(fp, "ns", d, &d->checks[0], &d->checks[0].expect,
		    " ");
		if (d->no_mx)
			fprintf(fp, "mx = none\n");
		else if (d->checks[1].learn & LEARN_EXPECT)
			fprintf(fp, "mx = auto\n");
		else
			print_set(fp, "mx", d, &d->checks[1],
			    &d->checks[1].expect, ", ");
		if (d->checks[0].learn & LEARN_OLD)
			fprintf(fp, "old-ns = auto\n");
		else if (d->checks[0].old.n > 0)
			print_set(fp, "old-ns", d, &d->checks[0],
			    &d->checks[0].old, " ");
		if (!d->no_mx && d->checks[1].learn & LEARN_OLD)
			fprintf(fp, "old-mx = auto\n");
		else if (!d->no_mx && d->checks[1].old.n > 0)
			print_set(fp, "old-mx", d, &d->checks[1],
			    &d->checks[1].old, ", ");
		if (d->require.mode != REQUIRE_DEFAULT)
			print_require(fp, &d->require);
		if (d->overlap != DURATION_DEFAULT)
			fprintf(fp, "overlap = %s\n", fmt_duration(d->overlap,
			    buf, sizeof(buf)));
		if (d->quiet != DURATION_DEFAULT)
			fprintf(fp, "quiet = %s\n", fmt_duration(d->quiet, buf,
			    sizeof(buf)));
		if (d->parent != PARENT_DEFAULT)
			fprintf(fp, "parent = %s\n", d->parent == PARENT_NONE ?
			    "none" : "auto");
		if (d->providers != PARENT_DEFAULT)
			fprintf(fp, "providers = %s\n", d->providers ==
			    PARENT_NONE ? "none" : "auto");
		for (j = domain_records(d); j < d->nchecks; j++) {
			c = &d->checks[j];
			print_record(fp, "record", d, c, &c->expect);
			if (c->old.n > 0)
				print_record(fp, "old-record", d, c, &c->old);
		}
	}
}
