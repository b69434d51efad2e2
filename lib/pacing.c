/*
 * The resolvers' rates against the interval; see pacing.h.
 */
#include <string.h>

#include "pacing.h"
#include "resolvers.h"
#include "status.h"
#include "util.h"

void
pacing_plan(const struct model *m, struct pacing *p)
{
	const struct resolver_list	*rl = m->resolvers;
	uint64_t			 checks = 0, q;
	double				 secs, worst = -1;
	size_t				 i;

	memset(p, 0, sizeof(*p));
	p->interval = m->cfg->interval;
	for (i = 0; i < m->nw; i++)
		checks += m->w[i].dc->nchecks;
	for (i = 0; i < rl->n; i++) {
		q = (uint64_t)m->targets[i].samples * checks;
		secs = (double)q / resolver_rate(&rl->v[i], m->cfg->rate);
		if (secs > worst) {
			worst = secs;
			p->queries = q;
			p->rate = resolver_rate(&rl->v[i], m->cfg->rate);
			p->slowest = rl->v[i].name;
		}
	}
	if (p->rate > 0)
		p->planned_s = (unsigned)((p->queries + p->rate - 1) / p->rate);
	p->longest_s = m->rounds.longest_s;
	p->late = m->rounds.late;
	p->stretched = p->planned_s > p->interval ||
	    p->longest_s > p->interval;
}

json_t *
pacing_json(const struct model *m)
{
	struct pacing	p;

	pacing_plan(m, &p);
	return json_pack("{s:I, s:I, s:s?, s:I, s:I, s:o, s:I, s:b}",
	    "interval", (json_int_t)p.interval,
	    "planned_round_seconds", (json_int_t)p.planned_s,
	    "slowest_resolver", p.slowest,
	    "round_queries", (json_int_t)p.queries,
	    "rate", (json_int_t)p.rate,
	    "longest_round_seconds", p.longest_s > 0 ?
	    json_integer(p.longest_s) : json_null(),
	    "late_rounds", (json_int_t)p.late,
	    "stretched", p.stretched);
}

/* A resolver's name as resolvers.conf allows it, from a reply. */
static const char *
name_printable(const char *s)
{
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.")] == '\0' ? s : "?";
}

void
pacing_print(FILE *f, const json_t *doc)
{
	const json_t	*p = json_object_get(doc, "pacing");
	json_int_t	 interval, planned, longest;
	char		 ibuf[32], pbuf[32], lbuf[32];

	if (!json_is_true(json_object_get(p, "stretched")))
		return;
	interval = json_integer_value(json_object_get(p, "interval"));
	planned = json_integer_value(json_object_get(p,
	    "planned_round_seconds"));
	longest = json_integer_value(json_object_get(p,
	    "longest_round_seconds"));
	fprintf(f, "rounds are stretched beyond the interval of %s: ",
	    fmt_duration((unsigned)interval, ibuf, sizeof(ibuf)));
	if (longest > 0)
		fprintf(f, "the longest lately took %s; ", fmt_duration(
		    (unsigned)longest, lbuf, sizeof(lbuf)));
	fprintf(f, "a round asks %s %lld queries, %s at %lld a second "
	    "(rate in nmigd.conf(5))\n",
	    name_printable(status_jstr(p, "slowest_resolver", "?")),
	    (long long)json_integer_value(json_object_get(p, "round_queries")),
	    fmt_duration((unsigned)planned, pbuf, sizeof(pbuf)),
	    (long long)json_integer_value(json_object_get(p, "rate")));
}
