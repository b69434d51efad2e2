/*
 * nmigd-ctl formatters: text tables for people, the daemon's own JSON line
 * for programs.  Only data from the reply is shown; ages and remaining TTLs
 * are computed against the reply's "generated_at", so the same reply always
 * prints the same text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "glance.h"
#include "output.h"
#include "status.h"
#include "util.h"

#define COLOUR_RED	"\033[31m"
#define COLOUR_GREEN	"\033[32m"
#define COLOUR_YELLOW	"\033[33m"
#define COLOUR_MAGENTA	"\033[35m"
#define COLOUR_RESET	"\033[0m"

/*
 * A table with columns as wide as their widest cell, so that long resolver
 * names or locations do not break the layout.
 */
/* Reading the reply: a daemon of a later minor version may leave out or
 * add fields, so a missing one prints as "-" rather than failing. */

static const char *
jstr(const json_t *o, const char *key, const char *dflt)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

static long long
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The reply's own time, so that ages do not depend on when we print. */
static time_t
reply_now(const json_t *doc)
{
	time_t	t = parse_time(jstr(doc, "generated_at", ""));

	return t == (time_t)-1 ? time(NULL) : t;
}

const char *
fmt_age(long long secs, char *buf)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, AGEBUF, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, AGEBUF, "%lldm%02llds", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(buf, AGEBUF, "%lldh%02lldm", secs / 3600,
		    secs % 3600 / 60);
	else
		snprintf(buf, AGEBUF, "%lldd%02lldh", secs / 86400,
		    secs % 86400 / 3600);
	return buf;
}

const char *
state_colour(const char *state)
{
	static const struct {
		const char	*state;
		const char	*colour;
	} colours[] = {
		{ "complete", COLOUR_GREEN }, { "new", COLOUR_GREEN },
		{ "ok", COLOUR_GREEN },
		{ "mixed", COLOUR_YELLOW }, { "old", COLOUR_YELLOW },
		{ "propagating", COLOUR_YELLOW },
		{ "nodata", COLOUR_MAGENTA }, { "nxdomain", COLOUR_MAGENTA },
		{ "other", COLOUR_MAGENTA },
		{ "error", COLOUR_RED }, { "unreachable", COLOUR_RED },
	};
	size_t	i;

	for (i = 0; i < sizeof(colours) / sizeof(colours[0]); i++)
		if (strcmp(colours[i].state, state) == 0)
			return colours[i].colour;
	return NULL;
}

/* syslog priorities: 4 warning (regression, unreachable), 5 notice
 * (complete). */
static const char *
priority_colour(long long pri)
{
	if (pri <= 4)
		return pri <= 3 ? COLOUR_RED : COLOUR_YELLOW;
	return pri == 5 ? COLOUR_GREEN : NULL;
}

/* "a, b, c", or "(NXDOMAIN)" for an answer without records. */
static char *
rdata_join(const json_t *item)
{
	const json_t	*rd = json_object_get(item, "rdata");
	const char	*s;
	char		*out = NULL, *prev;
	size_t		 i;

	for (i = 0; i < json_array_size(rd); i++) {
		if ((s = json_string_value(json_array_get(rd, i))) == NULL)
			continue;
		prev = out;
		if (asprintf(&out, "%s%s%s", prev ? prev : "",
		    prev ? ", " : "", s) == -1) {
			perror("nmigd-ctl");
			exit(1);
		}
		free(prev);
	}
	if (out == NULL && asprintf(&out, "(%s)",
	    jstr(item, "rcode", "no answer")) == -1) {
		perror("nmigd-ctl");
		exit(1);
	}
	return out;
}

/* Text output. */

static void
text_status(FILE *f, const struct reply *r, const struct view *v)
{
	if (v->verbose)
		status_print_text(r->doc, f, v->table.colour);
	else if (v->one_domain)
		glance_grid(f, r->doc, v);
	else
		glance_domains(f, r->doc, v);
}

/* "50/s", or "25/50/s" while a back-off has lowered it; "-" from a
 * daemon before rates. */
static void
rate_cell(struct table *t, size_t col, const json_t *x)
{
	const json_t	*now = json_object_get(x, "rate_now");

	if (!json_is_integer(json_object_get(x, "rate")))
		table_set(t, col, NULL, "-");
	else if (json_is_integer(now) && jint(x, "rate_now") < jint(x, "rate"))
		table_set(t, col, COLOUR_YELLOW, "%lld/%lld/s",
		    jint(x, "rate_now"), jint(x, "rate"));
	else
		table_set(t, col, NULL, "%lld/s", jint(x, "rate"));
}

/* "no", or when the backed-off resolver is tried again; "-" from a
 * daemon that does not say (before rates). */
static void
resolver_backoff(struct table *t, size_t col, const json_t *x, time_t now)
{
	const json_t	*b = json_object_get(x, "backing_off");
	time_t		 at = parse_time(jstr(x, "retry_at", ""));
	char		 age[AGEBUF];

	if (!json_is_boolean(b))
		table_set(t, col, NULL, "-");
	else if (!json_is_true(b))
		table_set(t, col, NULL, "no");
	else if (json_is_true(json_object_get(x, "trying")))
		table_set(t, col, COLOUR_YELLOW, "yes, trying now");
	else if (at == (time_t)-1 || at <= now)
		table_set(t, col, COLOUR_YELLOW, "yes, retry now");
	else
		table_set(t, col, COLOUR_YELLOW, "yes, retry in %s",
		    fmt_age((long long)(at - now), age));
}

static void
text_resolvers(FILE *f, const struct reply *r, const struct view *v)
{
	static const char *const head[] = { "NAME", "ADDRESS", "LOCATION",
	    "QUERIES", "ANSWERS", "TIMEOUTS", "ERRORS", "FAILS", "RTT",
	    "LAST ANSWER", "UNREACHABLE", "RATE", "BACKOFF" };
	const json_t	*rs = json_object_get(r->doc, "resolvers"), *x, *rtt;
	struct table	*t;
	time_t		 now = reply_now(r->doc), at;
	char		 age[AGEBUF];
	long long	 port, nunr;
	size_t		 i;

	if (json_array_size(rs) == 0) {
		fprintf(f, "no resolvers\n");
		return;
	}
	t = table_new(head, "lllrrrrrrllrl", 13);
	for (i = 0; i < json_array_size(rs); i++) {
		x = json_array_get(rs, i);
		table_row(t);
		table_set(t, 0, NULL, "%s", jstr(x, "name", "-"));
		port = jint(x, "port");
		if (port != 0 && port != 53)
			table_set(t, 1, NULL, "%s@%lld",
			    jstr(x, "address", "-"), port);
		else
			table_set(t, 1, NULL, "%s", jstr(x, "address", "-"));
		table_set(t, 2, NULL, "%s", jstr(x, "location", ""));
		table_set(t, 3, NULL, "%lld", jint(x, "queries"));
		table_set(t, 4, NULL, "%lld", jint(x, "answers"));
		table_set(t, 5, NULL, "%lld", jint(x, "timeouts"));
		table_set(t, 6, NULL, "%lld", jint(x, "errors"));
		table_set(t, 7, jint(x, "consecutive_failures") > 0 ?
		    COLOUR_YELLOW : NULL, "%lld",
		    jint(x, "consecutive_failures"));
		rtt = json_object_get(x, "mean_rtt_ms");
		if (json_is_number(rtt))
			table_set(t, 8, NULL, "%.1f ms", json_number_value(rtt));
		else
			table_set(t, 8, NULL, "-");
		at = parse_time(jstr(x, "last_answer", ""));
		if (at == (time_t)-1)
			table_set(t, 9, NULL, "never");
		else
			table_set(t, 9, NULL, "%s ago",
			    fmt_age((long long)(now - at), age));
		nunr = jint(x, "unreachable_domains");
		if (json_is_true(json_object_get(x, "unreachable")))
			table_set(t, 10, COLOUR_RED, "yes");
		else if (nunr > 0)
			table_set(t, 10, COLOUR_YELLOW, "for %lld domain%s",
			    nunr, nunr == 1 ? "" : "s");
		else
			table_set(t, 10, NULL, "no");
		rate_cell(t, 11, x);
		resolver_backoff(t, 12, x, now);
	}
	table_print(f, t, &v->table);
	table_free(t);
}

static void
history_answer(struct table *t, const json_t *x, const char *domain)
{
	const char	*state = jstr(x, "state", "-");
	char		 own[NMIG_NAMEBUF], *rd;

	status_owner_relative(jstr(x, "owner", "-"), domain, own,
	    sizeof(own));
	table_set(t, 2, NULL, "%s %s", own, jstr(x, "type", "-"));
	table_set(t, 3, state_colour(state), "%s", state);
	table_set(t, 4, NULL, "%s", jstr(x, "last_seen", "-"));
	table_set(t, 5, NULL, "%lld", jint(x, "count"));
	rd = rdata_join(x);
	table_set(t, 6, NULL, "%s", rd);
	free(rd);
}

static void
text_history(FILE *f, const struct reply *r, const struct view *v)
{
	static const char *const head[] = { "TIME", "RESOLVER", "RECORD",
	    "STATE", "LAST SEEN", "COUNT", "ANSWER OR EVENT" };
	const json_t	*h = json_object_get(r->doc, "history"), *x;
	const char	*domain = jstr(r->doc, "domain", "");
	struct table	*t;
	size_t		 i;

	if (json_array_size(h) == 0) {
		fprintf(f, "no history for %s\n", domain);
		return;
	}
	t = table_new(head, "lllllrl", 7);
	for (i = 0; i < json_array_size(h); i++) {
		x = json_array_get(h, i);
		table_row(t);
		table_set(t, 0, NULL, "%s", jstr(x, "time", "-"));
		table_set(t, 1, NULL, "%s", jstr(x, "resolver", "-"));
		if (strcmp(jstr(x, "kind", ""), "answer") == 0) {
			history_answer(t, x, domain);
			continue;
		}
		table_set(t, 2, NULL, "-");
		table_set(t, 3, priority_colour(jint(x, "priority")), "event");
		table_set(t, 4, NULL, "-");
		table_set(t, 5, NULL, "-");
		table_set(t, 6, NULL, "%s", jstr(x, "message", ""));
	}
	table_print(f, t, &v->table);
	table_free(t);
	if (json_is_true(json_object_get(r->doc, "truncated")))
		fprintf(f, "(older entries left out: these are the newest "
		    "%zu)\n", json_array_size(h));
}

static void
text_events(FILE *f, const struct reply *r, const struct view *v)
{
	static const char *const head[] = { "TIME", "DOMAIN", "RESOLVER",
	    "MESSAGE" };
	const json_t	*ev = json_object_get(r->doc, "events"), *x;
	struct table	*t;
	size_t		 i;

	if (json_array_size(ev) == 0) {
		fprintf(f, "no events\n");
		return;
	}
	t = table_new(head, "llll", 4);
	for (i = 0; i < json_array_size(ev); i++) {
		x = json_array_get(ev, i);
		table_row(t);
		table_set(t, 0, NULL, "%s", jstr(x, "time", "-"));
		table_set(t, 1, NULL, "%s", jstr(x, "domain", "-"));
		table_set(t, 2, NULL, "%s", jstr(x, "resolver", "-"));
		table_set(t, 3, priority_colour(jint(x, "priority")), "%s",
		    jstr(x, "message", ""));
	}
	table_print(f, t, &v->table);
	table_free(t);
}

/* For text outside tables, with table_set's reason. */
static void
print_clean(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static size_t
print_names(FILE *f, const json_t *names, const char *what)
{
	const char	*s;
	size_t		 i, n = 0;

	for (i = 0; i < json_array_size(names); i++) {
		if ((s = json_string_value(json_array_get(names, i))) == NULL)
			continue;
		print_clean(f, s);
		fprintf(f, ": %s\n", what);
		n++;
	}
	return n;
}

static void
text_check(FILE *f, const struct reply *r, const struct view *v)
{
	size_t	n;

	n = print_names(f, json_object_get(r->doc, "started"),
	    "probe round started");
	n += print_names(f, json_object_get(r->doc, "running"),
	    "probe round already running");
	if (n == 0)
		fprintf(f, "no domains are watched\n");
}

static void
text_forget(FILE *f, const struct reply *r, const struct view *v)
{
	fprintf(f, "%s forgotten: %lld %s deleted\n", jstr(r->doc,
	    "forgotten", "-"), jint(r->doc, "rows"), jint(r->doc, "rows") == 1 ?
	    "row" : "rows");
}

static void
text_reload(FILE *f, const struct reply *r, const struct view *v)
{
	fprintf(f, "configuration reloaded: %lld domain%s, %lld resolver%s\n",
	    jint(r->doc, "domains"), jint(r->doc, "domains") == 1 ? "" : "s",
	    jint(r->doc, "resolvers"),
	    jint(r->doc, "resolvers") == 1 ? "" : "s");
}

static void
text_progress(FILE *f, const struct reply *r, const struct view *v)
{
	const json_t	*d = json_array_get(json_object_get(r->doc, "domains"), 0);
	const char	*state = jstr(d, "state", "-");
	const char	*c = v->table.colour ? state_colour(state) : NULL;

	fprintf(f, "%s %s: %s%s%s, %lld/%lld resolvers new",
	    jstr(r->doc, "generated_at", "-"), jstr(d, "domain", "-"),
	    c ? c : "", state, c ? COLOUR_RESET : "",
	    jint(d, "resolvers_new"), jint(d, "resolvers_total"));
	if (jint(d, "resolvers_unreachable") > 0)
		fprintf(f, ", %lld unreachable", jint(d, "resolvers_unreachable"));
	if (json_is_string(json_object_get(d, "complete_at")))
		fprintf(f, ", complete at %s", jstr(d, "complete_at", ""));
	fprintf(f, "\n");
}

/* Errors are for people, on stderr, with each "FILE:LINE: message" of a
 * refused reload on a line of its own so that editors can jump to it. */
static void
text_error(FILE *out, FILE *err, const struct reply *r)
{
	const json_t	*errs = json_object_get(r->doc, "errors");
	const char	*s;
	size_t		 i;

	fprintf(err, "nmigd-ctl: ");
	print_clean(err, jstr(r->doc, "error", "error"));
	fputc('\n', err);
	for (i = 0; i < json_array_size(errs); i++)
		if ((s = json_string_value(json_array_get(errs, i))) != NULL) {
			print_clean(err, s);
			fputc('\n', err);
		}
}

const struct output text_output = {
	.status = text_status,
	.resolvers = text_resolvers,
	.history = text_history,
	.events = text_events,
	.check = text_check,
	.reload = text_reload,
	.forget = text_forget,
	.progress = text_progress,
	.error = text_error,
};

/* JSON output: the reply exactly as the daemon sent it, one line. */

static void
json_line(FILE *f, const struct reply *r, const struct view *v)
{
	fwrite(r->line, 1, r->len, f);
	fputc('\n', f);
}

static void
json_error(FILE *out, FILE *err, const struct reply *r)
{
	json_line(out, r, false);
	fprintf(err, "nmigd-ctl: ");
	print_clean(err, jstr(r->doc, "error", "error"));
	fputc('\n', err);
}

const struct output json_output = {
	.status = json_line,
	.resolvers = json_line,
	.history = json_line,
	.events = json_line,
	.check = json_line,
	.reload = json_line,
	.forget = json_line,
	.progress = json_line,
	.error = json_error,
};
