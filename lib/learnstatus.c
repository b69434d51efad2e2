/*
 * Learned sets, for people and scripts.
 */
#include <string.h>

#include "learn.h"
#include "learnstatus.h"
#include "status.h"
#include "util.h"

static json_t *
learned_json(const struct watch *w, size_t k, bool old)
{
	const struct check_conf	*c = watch_check(w, k);
	const struct learned	*l = &w->learned[k];
	time_t			 at = old ? l->old_at : l->at;
	json_t			*o = json_object();
	char			 tbuf[16];

	json_object_set_new(o, "owner", json_string(c->owner));
	json_object_set_new(o, "type", json_string(rrtype_name(c->type,
	    tbuf)));
	json_object_set_new(o, "set", json_string(old ? "old" : "expected"));
	json_object_set_new(o, "values", at == 0 ? json_null() :
	    status_rdata_json(old ? &c->old : &c->expect, c->type));
	json_object_set_new(o, "learned_at", status_time_json(at));
	json_object_set_new(o, "state", json_string(learn_why_name(old ?
	    l->old_why : l->why)));
	return o;
}

json_t *
status_learned_json(const struct watch *w)
{
	const struct check_conf	*c;
	json_t			*a = json_array();
	size_t			 k;

	for (k = 0; w->learned != NULL && k < w->dc->nchecks; k++) {
		c = &w->dc->checks[k];
		if (c->learn & LEARN_EXPECT)
			json_array_append_new(a, learned_json(w, k, false));
		if (c->learn & LEARN_OLD)
			json_array_append_new(a, learned_json(w, k, true));
	}
	return a;
}

static void
print_learned_values(FILE *f, const json_t *values)
{
	size_t	i;

	if (json_array_size(values) == 0)
		fprintf(f, "none");
	for (i = 0; i < json_array_size(values); i++)
		fprintf(f, "%s%s", i > 0 ? ", " : "",
		    json_string_value(json_array_get(values, i)) != NULL ?
		    json_string_value(json_array_get(values, i)) : "?");
}

void
status_print_learned(FILE *f, const json_t *learned)
{
	const json_t	*l;
	const char	*state;
	size_t		 i;
	int		 why;
	bool		 old;

	for (i = 0; i < json_array_size(learned); i++) {
		l = json_array_get(learned, i);
		old = strcmp(status_jstr(l, "set", ""), "old") == 0;
		state = status_jstr(l, "state", "?");
		why = learn_why_from_name(state);
		fprintf(f, "  %s %s%s %s: ", json_is_array(json_object_get(l,
		    "values")) ? "learned" : "learning", old ? "old " : "",
		    status_jstr(l, "owner", "?"), status_jstr(l, "type", "?"));
		if (json_is_array(json_object_get(l, "values"))) {
			print_learned_values(f, json_object_get(l, "values"));
			fprintf(f, " (at %s)", status_jstr(l, "learned_at", "?"));
			/* An old set is a snapshot: its note says why it
			 * is empty; an expected one follows the servers. */
			if (why > 0)
				fprintf(f, "; %s%s", old ? "" : "now ",
				    learn_why_text((enum learn_why)why, old));
		} else
			fprintf(f, "%s", why >= 0 ? learn_why_text(
			    (enum learn_why)why, old) : state);
		fprintf(f, "\n");
	}
}
