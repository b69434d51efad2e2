/*
 * The resolver list: "NAME ADDRESS[@PORT] [LOCATION...]" a line.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "lines.h"
#include "resolvers.h"
#include "util.h"

/* Names go into log lines and journald fields: keep them short and
 * free of anything that needs quoting there. */
/* A location is repeated in every status document and metrics series. */
#define RESOLVER_LOCATION_MAX	200

#define SEPARATORS		" \t\r\n\f\v"

struct resolver_parser {
	const char		*file;
	int			 line;
	struct resolver_list	*list;
	struct errlist		*errs;
	bool			 bad;	/* the line's options */
};

int
resolver_name_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("-_.", *s) == NULL)
			return 0;
	return 1;
}

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long	 n;
	size_t		 len = strlen(s);

	if (len == 0 || len > 5 || strspn(s, "0123456789") != len)
		return -1;
	n = strtoul(s, NULL, 10);
	if (n == 0 || n > 65535)
		return -1;
	*port = (uint16_t)n;
	return 0;
}

/* Not an address a query can go to: unspecified, broadcast, multicast. */
static bool
not_unicast(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return sin->sin_addr.s_addr == htonl(INADDR_ANY) ||
		    sin->sin_addr.s_addr == htonl(INADDR_BROADCAST) ||
		    IN_MULTICAST(ntohl(sin->sin_addr.s_addr));
	return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr);
}

/* Fill r's address from "ADDRESS[@PORT]"; returns -1 after reporting. */
static int
parse_address(struct resolver_parser *p, char *text, struct resolver_conf *r)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&r->sa;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&r->sa;
	char			*at;

	r->port = 53;
	if ((at = strrchr(text, '@')) != NULL) {
		*at++ = '\0';
		if (parse_port(at, &r->port) == -1) {
			errlist_add(p->errs, p->file, p->line,
			    "bad port \"%s\" (1 to 65535)", at);
			return -1;
		}
	}
	if (addr_parse(text, r->port, &r->sa, &r->salen) == -1) {
		/* "9.9.9.9:53" and "[::1]:53" are the likely mistakes. */
		errlist_add(p->errs, p->file, p->line,
		    "bad address \"%s\"%s", text,
		    strchr(text, '[') != NULL || (strchr(text, '.') != NULL &&
		    strchr(text, ':') != NULL) ?
		    " (a port is written ADDRESS@PORT)" : "");
		return -1;
	}
	if (not_unicast(&r->sa)) {
		errlist_add(p->errs, p->file, p->line,
		    "%s is not a unicast address", text);
		return -1;
	}
	if (r->sa.ss_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, r->address,
		    sizeof(r->address));
	else
		inet_ntop(AF_INET6, &sin6->sin6_addr, r->address,
		    sizeof(r->address));
	return 0;
}

/* Returns -1 after reporting a clash with an earlier line. */
static int
check_unique(struct resolver_parser *p, const struct resolver_conf *r)
{
	const struct resolver_conf	*o;
	size_t				 i;

	for (i = 0; i < p->list->n; i++) {
		o = &p->list->v[i];
		/* Case-blind: "Google" and "google" in one log are one. */
		if (strcasecmp(o->name, r->name) == 0) {
			errlist_add(p->errs, p->file, p->line,
			    "duplicate resolver name \"%s\" (first at line %d)",
			    r->name, o->line);
			return -1;
		}
		if (sockaddr_same((const struct sockaddr *)&o->sa,
		    (const struct sockaddr *)&r->sa)) {
			errlist_add(p->errs, p->file, p->line,
			    "duplicate address %s port %u (first at line %d, "
			    "%s)", r->address, r->port, o->line, o->name);
			return -1;
		}
	}
	return 0;
}

static bool
opt_samples(struct resolver_conf *r, unsigned long n)
{
	if (r->samples != 0)
		return false;
	r->samples = (uint8_t)n;
	return true;
}

static bool
opt_rate(struct resolver_conf *r, unsigned long n)
{
	if (r->rate != 0)
		return false;
	r->rate = (uint32_t)n;
	return true;
}

/* The options a resolver line may give right after its address; set()
 * is false when the option was given already. */
static const struct resolver_opt {
	const char	*name;		/* with its '=' */
	unsigned long	 max;
	bool		(*set)(struct resolver_conf *, unsigned long);
} resolver_opts[] = {
	{ "samples=", MAX_SAMPLES, opt_samples },
	{ "rate=", MAX_RATE, opt_rate },
};
#define NRESOLVER_OPTS	(sizeof(resolver_opts) / sizeof(resolver_opts[0]))

/* Which option w is, or -1. */
static int
resolver_opt_find(const char *w)
{
	size_t	i;

	for (i = 0; i < NRESOLVER_OPTS; i++)
		if (strncasecmp(w, resolver_opts[i].name,
		    strlen(resolver_opts[i].name)) == 0)
			return (int)i;
	return -1;
}

/* An option right after the address.  1 when w is one (good or
 * reported), 0 when it is not. */
static int
resolver_option(struct resolver_parser *p, struct resolver_conf *r,
    const char *w)
{
	const struct resolver_opt	*o;
	const char			*v;
	char				*end;
	unsigned long			 n;
	int				 i;

	if ((i = resolver_opt_find(w)) == -1)
		return 0;
	o = &resolver_opts[i];
	v = w + strlen(o->name);
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || n < 1 ||
	    n > o->max) {
		errlist_add(p->errs, p->file, p->line, "%s: \"%s\" is not a "
		    "number from 1 to %lu", r->name, w, o->max);
		p->bad = true;
	} else if (!o->set(r, n)) {
		errlist_add(p->errs, p->file, p->line, "%s: %s given twice",
		    r->name, o->name);
		p->bad = true;
	}
	return 1;
}

/* The options, then the rest of the line as the location. */
static char *
join_words(struct resolver_parser *p, struct resolver_conf *r, char **last)
{
	char	*w, *s = NULL, *t;

	while ((w = strtok_r(NULL, SEPARATORS, last)) != NULL) {
		if (s == NULL && resolver_option(p, r, w))
			continue;
		/* Not taken silently as location text. */
		if (resolver_opt_find(w) != -1) {
			errlist_add(p->errs, p->file, p->line, "%s: \"%s\" "
			    "must come right after the address", r->name, w);
			p->bad = true;
		}
		if (s == NULL)
			t = xstrdup(w);
		else if (asprintf(&t, "%s %s", s, w) == -1)
			t = NULL;
		free(s);
		if ((s = t) == NULL)
			return NULL;
	}
	return s != NULL ? s : xstrdup("");
}

/* One line, comment already cut.  Returns 1 for an entry (good or bad),
 * 0 for a blank line. */
static int
resolver_line(struct resolver_parser *p, char *s)
{
	struct resolver_conf	 r;
	char			*name, *addr, *last;
	size_t			 i;

	for (i = 0; s[i] != '\0'; i++)
		if (iscntrl((unsigned char)s[i]) &&
		    strchr(SEPARATORS, s[i]) == NULL) {
			errlist_add(p->errs, p->file, p->line,
			    "control character in line");
			return 1;
		}
	if ((name = strtok_r(s, SEPARATORS, &last)) == NULL)
		return 0;
	if (strlen(name) > RESOLVER_NAME_MAX) {
		errlist_add(p->errs, p->file, p->line,
		    "resolver name \"%.*s...\" is too long (at most %d "
		    "characters)", 20, name, RESOLVER_NAME_MAX);
		return 1;
	}
	if (!resolver_name_ok(name)) {
		errlist_add(p->errs, p->file, p->line, "bad resolver name "
		    "\"%s\" (letters, digits, '-', '_' and '.' only)", name);
		return 1;
	}
	if ((addr = strtok_r(NULL, SEPARATORS, &last)) == NULL) {
		errlist_add(p->errs, p->file, p->line,
		    "missing address after \"%s\"", name);
		return 1;
	}
	memset(&r, 0, sizeof(r));
	if (parse_address(p, addr, &r) == -1)
		return 1;
	r.name = name;
	r.line = p->line;
	if (check_unique(p, &r) == -1)
		return 1;
	p->bad = false;
	if ((r.location = join_words(p, &r, &last)) == NULL) {
		errlist_add(p->errs, p->file, p->line, "out of memory");
		return 1;
	}
	if (p->bad) {
		free(r.location);
		return 1;
	}
	if (strlen(r.location) > RESOLVER_LOCATION_MAX) {
		errlist_add(p->errs, p->file, p->line, "location of \"%s\" is "
		    "too long (at most %d bytes)", name, RESOLVER_LOCATION_MAX);
		free(r.location);
		return 1;
	}
	/* The location goes into JSON, metrics and the journal as text. */
	if (!utf8_valid(r.location, strlen(r.location))) {
		errlist_add(p->errs, p->file, p->line, "location of \"%s\" is "
		    "not UTF-8", name);
		free(r.location);
		return 1;
	}
	/* ... and to terminals: nothing in it may drive one. */
	if (!utf8_displayable(r.location)) {
		errlist_add(p->errs, p->file, p->line, "location of \"%s\" has "
		    "a control character", name);
		free(r.location);
		return 1;
	}
	r.name = xstrdup(name);
	p->list->v = xreallocarray(p->list->v, p->list->n + 1,
	    sizeof(*p->list->v));
	p->list->v[p->list->n++] = r;
	return 1;
}

int
resolvers_load(const char *path, struct resolver_list *list,
    struct errlist *errs)
{
	struct resolver_parser	 p;
	struct lines		 in;
	FILE			*fp;
	char			*s, *c;
	size_t			 nerrs = errs->n;
	enum line_status	 ls;
	int			 entries = 0;

	list->v = NULL;
	list->n = 0;
	memset(&p, 0, sizeof(p));
	p.file = path;
	p.list = list;
	p.errs = errs;
	/* A regular file: /dev/zero would be one endless line, a FIFO
	 * would hold the reader. */
	if ((fp = lines_open(path, 0, errs)) == NULL)
		return -1;
	lines_begin(&in, fp, path, errs, 0);
	while ((ls = lines_next(&in, &s)) != LINE_END) {
		p.line = in.line;
		/* A bad line was meant as an entry: no "no resolvers" too. */
		if (ls == LINE_BAD) {
			entries++;
			continue;
		}
		if ((c = strchr(s, '#')) != NULL)
			*c = '\0';
		entries += resolver_line(&p, s);
	}
	if (!ferror(fp) && entries == 0)
		errlist_add(errs, path, 0, "no resolvers");
	lines_end(&in);
	fclose(fp);
	if (errs->n > nerrs) {
		resolvers_free(list);
		return -1;
	}
	return 0;
}

void
resolvers_free(struct resolver_list *list)
{
	size_t	i;

	for (i = 0; i < list->n; i++) {
		free(list->v[i].name);
		free(list->v[i].location);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
