/*
 * The rates against the interval; see pacing.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "pacing.h"
#include "resolvers.h"
#include "target.h"
#include "util.h"

struct plan {
	uint64_t		 queries;	/* of the slowest target */
	unsigned		 rate;
	unsigned		 seconds;	/* queries / rate, rounded up */
	const struct target	*slowest;
	const char		*name;
};

/* What a round of every domain asks each target: [m->ntargets]. */
static uint64_t *
round_queries(const struct model *m)
{
	const struct watch	*w;
	const struct target	*tg;
	const char		*owner;
	uint64_t		*q = xcalloc(m->ntargets + 1, sizeof(*q));
	uint64_t		 checks = 0;
	uint16_t		 type;
	size_t			 i, j, k, t;

	for (i = 0; i < m->nw; i++)
		checks += m->w[i].dc->nchecks;
	for (i = 0; i < m->resolvers->n; i++)
		q[i] = m->targets[i].samples * checks;
	for (i = 0; i < m->nw; i++) {
		w = &m->w[i];
		for (j = 0; w->own != NULL && j < w->own->n; j++) {
			t = w->own->target[j];
			tg = &m->targets[t];
			for (k = 0; k < own_stride(w->dc); k++)
				if (watch_question(w, tg, k, &owner, &type))
					q[t] += tg->samples;
		}
	}
	return q;
}

static void
plan_round(const struct model *m, struct plan *p)
{
	const struct resolver_conf	*rc;
	uint64_t			*q = round_queries(m);
	double				 secs, worst = -1;
	unsigned			 rate;
	size_t				 t;

	memset(p, 0, sizeof(*p));
	for (t = 0; t < m->ntargets; t++) {
		rc = t < m->resolvers->n ? &m->resolvers->v[t] : NULL;
		rate = resolver_rate(rc, m->cfg->rate);
		if ((secs = (double)q[t] / rate) <= worst)
			continue;
		worst = secs;
		p->queries = q[t];
		p->rate = rate;
		p->slowest = &m->targets[t];
		p->name = rc != NULL ? rc->name : m->targets[t].host;
	}
	if (p->rate > 0)
		p->seconds = (unsigned)((p->queries + p->rate - 1) / p->rate);
	free(q);
}

unsigned
pacing_round_seconds(const struct model *m)
{
	struct plan	p;

	plan_round(m, &p);
	return p.seconds;
}

json_t *
pacing_json(const struct model *m)
{
	struct plan	p;
	unsigned	interval = m->cfg->interval;

	plan_round(m, &p);
	return json_pack("{s:I, s:I, s:s?, s:s?, s:I, s:I, s:o, s:I, s:b}",
	    "interval", (json_int_t)interval,
	    "planned_round_seconds", (json_int_t)p.seconds,
	    "slowest", p.name,
	    "slowest_kind", p.slowest != NULL ?
	    target_kind_name(p.slowest->kind) : NULL,
	    "round_queries", (json_int_t)p.queries,
	    "rate", (json_int_t)p.rate,
	    "longest_round_seconds", m->rounds.longest_s > 0 ?
	    json_integer(m->rounds.longest_s) : json_null(),
	    "late_rounds", (json_int_t)m->rounds.late,
	    "stretched", p.seconds > interval ||
	    m->rounds.longest_s > interval);
}

static long long
member_int(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
pacing_print(FILE *f, const json_t *doc)
{
	const json_t	*p = json_object_get(doc, "pacing");
	const char	*name = json_string_value(json_object_get(p, "slowest"));
	const char	*kind = json_string_value(json_object_get(p,
			    "slowest_kind"));
	long long	 longest = member_int(p, "longest_round_seconds");
	char		 ibuf[32], pbuf[32], lbuf[32];

	if (!json_is_true(json_object_get(p, "stretched")))
		return;
	/* From the daemon, but still bytes for a terminal. */
	if (name == NULL || !resolver_name_ok(name))
		name = "?";
	if (kind == NULL || !resolver_name_ok(kind))
		kind = "server";
	fprintf(f, "rounds are stretched beyond the interval of %s: ",
	    fmt_duration((unsigned)member_int(p, "interval"), ibuf,
	    sizeof(ibuf)));
	if (longest > 0)
		fprintf(f, "the longest lately took %s; ",
		    fmt_duration((unsigned)longest, lbuf, sizeof(lbuf)));
	fprintf(f, "a round asks %s %s %lld queries, %s at %lld a second "
	    "(rate in nmigd.conf(5))\n", kind, name,
	    member_int(p, "round_queries"), fmt_duration((unsigned)member_int(p,
	    "planned_round_seconds"), pbuf, sizeof(pbuf)),
	    member_int(p, "rate"));
}
