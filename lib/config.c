/*
 * nmigd.conf: "[section]" and "key = value" lines as inih read them in
 * 0.1 (lib/lines.c says why inih went), the meaning of the sections and
 * keys, and every check.
 *
 * After the main file come the drop-ins: every *.conf file of the
 * "include" directory (conf.d beside the main file unless given), in
 * strcmp() order, each parsed like the main file but holding only
 * [domain] sections, so that an operator adds a migration by dropping in
 * a file and reloading.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "addr.h"
#include "config.h"
#include "dname.h"
#include "lines.h"
#include "log.h"
#include "rdata.h"
#include "util.h"
#include "wire.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Room for an ns or mx line naming many servers; a longer line is an
 * error, not cut.  (16384 bytes of inih's buffer in 0.1, less the line
 * end and the NUL.) */
#define CONF_LINE_MAX		16382

#define DEFAULT_INTERVAL	300
#define DEFAULT_TIMEOUT		3
#define DEFAULT_RETRIES		2
#define DEFAULT_CONFIRM		2
#define DEFAULT_SAMPLES		3
#define DEFAULT_RATE		50	/* queries a second to one server */
/* overlap and quiet: the provider's four weeks and one week; a year at
 * most. */
#define DEFAULT_OVERLAP		(28 * 86400)
#define DEFAULT_HISTORY_DAYS	400
#define DEFAULT_QUIET		(7 * 86400)
#define MAX_OVERLAP		(365 * 86400)
/* "require = N": a resolver count. */
#define MAX_REQUIRE		10000
#define DEFAULT_UNREACHABLE	3600

/* Upper bounds: beyond them a value is a typo, and below them every sum
 * and product of durations (timeout x tries in milliseconds, interval x
 * confirm) fits its type with room to spare. */
#define MAX_INTERVAL		(7 * 86400)
#define MAX_TIMEOUT		3600
#define MAX_UNREACHABLE		(30 * 86400)

struct conf_parser;

struct keyword {
	const char	*name;
	void		(*parse)(struct conf_parser *,
			    const struct keyword *, const char *);
	size_t		 offset;	/* into struct config */
	unsigned	 min, max;
	int		 flags;
};
#define KW_REPEAT	0x01	/* may be given more than once */
#define KW_OLD		0x02	/* sets the old values, not the new */
#define KW_DOMAIN	0x04	/* sets the current domain's, not the config's */

static void	kw_path(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_include(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_duration(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_hostport(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_number(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_auto(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_require(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_ns(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_mx(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_record(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_vantage(struct conf_parser *, const struct keyword *,
		    const char *);
static void	kw_yesno(struct conf_parser *, const struct keyword *,
		    const char *);

/* Both tables are searched with bsearch(): keep them sorted by name.  A
 * new key also needs its default in config_new(), a line in
 * config_print() (printconf.c), etc/nmigd.conf, the man page and a test. */
static const struct keyword nmigd_keywords[] = {
	{ "confirm", kw_number, offsetof(struct config, confirm), 1, 100, 0 },
	{ "control", kw_path, offsetof(struct config, control), 0, 0, 0 },
	{ "database", kw_path, offsetof(struct config, database), 0, 0, 0 },
	{ "history-days", kw_number, offsetof(struct config, history_days),
	    0, 36500, 0 },
	{ "include", kw_include, offsetof(struct config, include), 0, 0, 0 },
	{ "interval", kw_duration, offsetof(struct config, interval),
	    1, MAX_INTERVAL, 0 },
	{ "metrics", kw_hostport, offsetof(struct config, metrics), 0, 0, 0 },
	{ "metrics-detail", kw_yesno, offsetof(struct config, metrics_detail),
	    0, 0, 0 },
	{ "overlap", kw_duration, offsetof(struct config, overlap), 0,
	    MAX_OVERLAP, 0 },
	{ "parent", kw_auto, offsetof(struct config, parent), 0, 0, 0 },
	{ "providers", kw_auto, offsetof(struct config, providers), 0, 0,
	    0 },
	{ "quiet", kw_duration, offsetof(struct config, quiet), 0,
	    MAX_OVERLAP, 0 },
	{ "rate", kw_number, offsetof(struct config, rate), 1, MAX_RATE, 0 },
	{ "require", kw_require, offsetof(struct config, require), 1,
	    MAX_REQUIRE, 0 },
	{ "resolvers", kw_path, offsetof(struct config, resolvers), 0, 0, 0 },
	{ "retries", kw_number, offsetof(struct config, retries), 0, 10, 0 },
	{ "samples", kw_number, offsetof(struct config, samples), 1,
	    MAX_SAMPLES, 0 },
	{ "timeout", kw_duration, offsetof(struct config, timeout),
	    1, MAX_TIMEOUT, 0 },
	{ "unreachable-after", kw_duration,
	    offsetof(struct config, unreachable_after), 1, MAX_UNREACHABLE,
	    0 },
	{ "vantage", kw_vantage, offsetof(struct config, vantage), 0, 0, 0 },
};

static const struct keyword domain_keywords[] = {
	{ "mx", kw_mx, 0, 0, 0, 0 },
	{ "ns", kw_ns, 0, 0, 0, 0 },
	{ "old-mx", kw_mx, 0, 0, 0, KW_OLD },
	{ "old-ns", kw_ns, 0, 0, 0, KW_OLD },
	{ "old-record", kw_record, 0, 0, 0, KW_REPEAT | KW_OLD },
	{ "overlap", kw_duration, offsetof(struct domain_conf, overlap), 0,
	    MAX_OVERLAP, KW_DOMAIN },
	{ "parent", kw_auto, offsetof(struct domain_conf, parent), 0, 0,
	    KW_DOMAIN },
	{ "providers", kw_auto, offsetof(struct domain_conf, providers), 0,
	    0, KW_DOMAIN },
	{ "quiet", kw_duration, offsetof(struct domain_conf, quiet), 0,
	    MAX_OVERLAP, KW_DOMAIN },
	{ "record", kw_record, 0, 0, 0, KW_REPEAT },
	{ "require", kw_require, offsetof(struct domain_conf, require), 1,
	    MAX_REQUIRE, KW_DOMAIN },
};

enum section {
	SEC_NONE,	/* before the first section header */
	SEC_NMIGD,
	SEC_DOMAIN,
	SEC_SKIP,	/* a section already reported as bad */
};

/* An old-record line waits for the end of its section, so that it may
 * come before or after the record line it belongs to. */
struct pending_old {
	char		*owner;
	uint16_t	 type;
	struct rdset	 set;
	int		 line;
};

/* The domains seen so far, by name: a duplicate is found in one probe, not
 * by comparing with every earlier domain (10,000 domains took 0.2 s). */
struct name_index {
	size_t		*slot;		/* domain index + 1, 0 for none */
	size_t		 cap;		/* a power of two */
};

struct conf_parser {
	struct config		*conf;
	struct name_index	*names;	/* shared with the drop-ins */
	struct errlist		*errs;
	const char		*file;
	char			*dir;	/* for relative paths */
	bool			 dropin;	/* [domain] sections only */
	FILE			*fp;
	int			 line;		/* being parsed */
	enum section		 sec;
	int			 nmigd_line;
	int			 nmigd_seen[nitems(nmigd_keywords)];
	int			 domain_seen[nitems(domain_keywords)];
	struct pending_old	*pend;
	size_t			 npend;
};

static void conf_err(struct conf_parser *, int, const char *, ...)
    NMIG_PRINTF(3, 4);

static size_t
name_hash(const char *s)
{
	size_t	h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static size_t *
index_slot(const struct name_index *ix, const struct config *conf,
    const char *name)
{
	size_t	i = name_hash(name) & (ix->cap - 1);

	while (ix->slot[i] != 0 &&
	    strcmp(conf->domains[ix->slot[i] - 1].name, name) != 0)
		i = (i + 1) & (ix->cap - 1);
	return &ix->slot[i];
}

/* The index of the domain named so, or -1. */
static ssize_t
index_find(const struct name_index *ix, const struct config *conf,
    const char *name)
{
	size_t	*slot;

	if (ix->cap == 0)
		return -1;
	slot = index_slot(ix, conf, name);
	return *slot == 0 ? -1 : (ssize_t)(*slot - 1);
}

/* Add conf->domains[i], growing the table at half full. */
static void
index_add(struct name_index *ix, const struct config *conf, size_t i)
{
	struct name_index	 big;
	size_t			 j;

	if (2 * (conf->ndomains + 1) > ix->cap) {
		big.cap = ix->cap ? ix->cap * 2 : 64;
		big.slot = xcalloc(big.cap, sizeof(*big.slot));
		for (j = 0; j < ix->cap; j++)
			if (ix->slot[j] != 0)
				*index_slot(&big, conf,
				    conf->domains[ix->slot[j] - 1].name) =
				    ix->slot[j];
		free(ix->slot);
		*ix = big;
	}
	*index_slot(ix, conf, conf->domains[i].name) = i + 1;
}

static void
conf_err(struct conf_parser *p, int line, const char *fmt, ...)
{
	va_list	ap;
	char	msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(p->errs, p->file, line, "%s", msg);
}

static char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("%s", __func__);
	return p;
}

static char *
skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return (char *)s;
}

static char *
trim(char *s)
{
	char	*e;

	s = skip_space(s);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* The next whitespace-separated word of *sp, or NULL when none is left. */
static char *
next_word(char **sp)
{
	char	*s, *e;

	s = skip_space(*sp);
	if (*s == '\0') {
		*sp = s;
		return NULL;
	}
	for (e = s; *e != '\0' && !isspace((unsigned char)*e); e++)
		;
	if (*e != '\0')
		*e++ = '\0';
	*sp = e;
	return s;
}

/* The next comma-separated item of *sp, trimmed, or NULL at the end.
 * Commas inside double quotes or after a backslash do not separate, so a
 * TXT value may hold one. */
static char *
next_item(char **sp)
{
	char	*s = *sp, *p;
	bool	 quoted = false;

	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			break;
	}
	*sp = *p == ',' ? p + 1 : NULL;
	*p = '\0';
	return trim(s);
}

/* Stop at one of chars, or at a ';' after white space: the comment rule
 * of inih, which 0.1 used. */
static const char *
find_chars_or_comment(const char *s, const char *chars)
{
	bool	was_space = false;

	while (*s != '\0' && strchr(chars, *s) == NULL &&
	    !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

static int
keyword_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyword *)elem)->name);
}

static size_t
keyword_index(const struct keyword *tab, size_t n, const char *name)
{
	const struct keyword	*kw;

	kw = bsearch(name, tab, n, sizeof(*tab), keyword_cmp);
	if (kw == NULL)
		fatalx("%s: %s not in table", __func__, name);
	return (size_t)(kw - tab);
}

static struct domain_conf *
cur_domain(struct conf_parser *p)
{
	return &p->conf->domains[p->conf->ndomains - 1];
}

static void
check_free(struct check_conf *c)
{
	free(c->owner);
	rdset_free(&c->expect);
	rdset_free(&c->old);
}

/* [nmigd] keys */

/* The member a keyword sets: of struct config, or with KW_DOMAIN of the
 * current struct domain_conf. */
static void *
kw_field(struct conf_parser *p, const struct keyword *kw)
{
	if (kw->flags & KW_DOMAIN)
		return (char *)cur_domain(p) + kw->offset;
	return (char *)p->conf + kw->offset;
}

static void
kw_path(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	char	**dst = kw_field(p, kw);

	if (*v == '\0') {
		conf_err(p, p->line, "%s: empty path", kw->name);
		return;
	}
	free(*dst);
	/* Relative to the config file, not to wherever nmigd was started. */
	if (v[0] == '/') {
		*dst = xstrdup(v);
		return;
	}
	if (asprintf(dst, "%s/%s", p->dir, v) == -1)
		fatal("%s", __func__);
}

/* An HTTP listener: "127.0.0.1:9553", "[::1]:9553"; "none" turns it off. */
static void
kw_hostport(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	char			**dst = kw_field(p, kw);
	struct sockaddr_storage	  ss;
	socklen_t		  len;

	if (strcmp(v, "none") != 0 &&
	    addr_parse_hostport(v, &ss, &len) == -1) {
		conf_err(p, p->line, "%s: \"%s\" is not ADDRESS:PORT (for "
		    "example 127.0.0.1:9553 or [::1]:9553)", kw->name, v);
		return;
	}
	free(*dst);
	*dst = strcmp(v, "none") == 0 ? NULL : xstrdup(v);
}

/* Where this nmigd looks from ("tokyo-1"): a label of every series of
 * /metrics, so letters, digits and "._-", at most 63; "none" for none. */
static void
kw_vantage(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	char	**dst = kw_field(p, kw);
	size_t	  n = strspn(v, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	if (*v == '\0' || v[n] != '\0' || n > 63) {
		conf_err(p, p->line, "%s: \"%s\" is not a name of letters, "
		    "digits, '.', '_' and '-' (at most 63)", kw->name, v);
		return;
	}
	free(*dst);
	*dst = strcmp(v, "none") == 0 ? NULL : xstrdup(v);
}

/* "none" reads no drop-in directory.  config_print() writes it, as it
 * prints the domains of the drop-ins inline; a directory of that name is
 * still "./none". */
static void
kw_include(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	char	**dst = kw_field(p, kw);
	size_t	  len;

	if (strcmp(v, "none") == 0) {
		free(*dst);
		*dst = NULL;
		return;
	}
	kw_path(p, kw, v);
	/* "conf.d/" is the same directory; no "//" in drop-in names. */
	if (*dst != NULL)
		for (len = strlen(*dst); len > 1 && (*dst)[len - 1] == '/';
		    len--)
			(*dst)[len - 1] = '\0';
}

static void
kw_duration(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	unsigned	*dst = kw_field(p, kw);
	unsigned	 secs;
	char		 buf[32];

	if (parse_duration(v, &secs) == -1) {
		conf_err(p, p->line, "%s: \"%s\" is not a duration "
		    "(for example 90s, 5m, 1h30m, 2d)", kw->name, v);
		return;
	}
	if (secs < kw->min) {
		conf_err(p, p->line, "%s: must be at least %s", kw->name,
		    fmt_duration(kw->min, buf, sizeof(buf)));
		return;
	}
	if (secs > kw->max) {
		conf_err(p, p->line, "%s: must be at most %s", kw->name,
		    fmt_duration(kw->max, buf, sizeof(buf)));
		return;
	}
	*dst = secs;
}

static void
kw_number(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	unsigned	*dst = kw_field(p, kw);
	unsigned long	 n;
	char		*end;

	errno = 0;
	n = strtoul(v, &end, 10);
	/* strtoul() would take "-1" and " 1" too. */
	if (!isdigit((unsigned char)*v) || *end != '\0') {
		conf_err(p, p->line, "%s: \"%s\" is not a number", kw->name, v);
		return;
	}
	if (errno == ERANGE || n < kw->min || n > kw->max) {
		conf_err(p, p->line, "%s: %s is out of range (%u to %u)",
		    kw->name, v, kw->min, kw->max);
		return;
	}
	*dst = (unsigned)n;
}

/* "auto" or "none" (parent, providers), the [nmigd] default or a
 * domain's own. */
static void
kw_auto(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	int	*dst, mode;

	if (strcmp(v, "auto") == 0)
		mode = PARENT_AUTO;
	else if (strcmp(v, "none") == 0)
		mode = PARENT_NONE;
	else {
		conf_err(p, p->line, "%s: \"%s\" is neither auto nor none",
		    kw->name, v);
		return;
	}
	dst = kw_field(p, kw);
	*dst = mode;
}

/* "yes" or "no". */
static void
kw_yesno(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	bool	*dst = kw_field(p, kw);

	if (strcmp(v, "yes") == 0)
		*dst = true;
	else if (strcmp(v, "no") == 0)
		*dst = false;
	else
		conf_err(p, p->line, "%s: \"%s\" is neither yes nor no",
		    kw->name, v);
}

/* "all", "90%" or "12": how many resolvers make a domain complete. */
static void
kw_require(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	struct require	 r, *dst;
	unsigned long	 n;
	char		*end;

	memset(&r, 0, sizeof(r));
	errno = 0;
	if (strcmp(v, "all") == 0)
		r.mode = REQUIRE_ALL;
	else if (isdigit((unsigned char)*v) &&
	    (n = strtoul(v, &end, 10), errno == 0) &&
	    (*end == '\0' || strcmp(end, "%") == 0)) {
		r.mode = *end == '%' ? REQUIRE_PERCENT : REQUIRE_COUNT;
		if (n < 1 || n > (r.mode == REQUIRE_PERCENT ? 100 : kw->max)) {
			conf_err(p, p->line, "%s: %s is out of range (1%% to "
			    "100%%, or 1 to %u resolvers)", kw->name, v,
			    kw->max);
			return;
		}
		r.n = (unsigned)n;
	} else {
		conf_err(p, p->line, "%s: \"%s\" is neither all, a "
		    "percentage (90%%) nor a number of resolvers", kw->name, v);
		return;
	}
	dst = kw_field(p, kw);
	*dst = r;
}

/* [domain] keys */

static struct rdset *
kw_set(struct conf_parser *p, const struct keyword *kw, size_t check)
{
	struct check_conf	*c = &cur_domain(p)->checks[check];

	if (kw->flags & KW_OLD) {
		c->old_line = p->line;
		return &c->old;
	}
	c->line = p->line;
	return &c->expect;
}

/* "auto": the set is learned at run time (lib/learn.h); which keys take
 * it and what they need is checked once every section is read
 * (learn_check()). */
static bool
kw_learn(struct conf_parser *p, const struct keyword *kw, size_t check,
    const char *v)
{
	struct check_conf	*c = &cur_domain(p)->checks[check];

	if (strcasecmp(v, "auto") != 0)
		return false;
	(void)kw_set(p, kw, check);
	c->learn |= kw->flags & KW_OLD ? LEARN_OLD : LEARN_EXPECT;
	return true;
}

/* A host name from the config as the RDATA of an NS record: the name
 * alone, in wire form. */
static int
host_rdata(struct conf_parser *p, const char *key, const char *text,
    struct rdset *set, const uint8_t *prefix, size_t plen)
{
	struct wire_name	 wn;
	uint8_t			 rd[2 + WIRE_NAMEMAX];
	char			 name[NMIG_NAMEBUF];
	const char		*why;

	if (name_check(text, NAME_HOST, name, sizeof(name), &why) == -1) {
		conf_err(p, p->line, "%s: bad name \"%s\": %s", key, text,
		    why);
		return -1;
	}
	if (wire_name_from_text(name, &wn) == -1) {
		conf_err(p, p->line, "%s: bad name \"%s\"", key, text);
		return -1;
	}
	if (plen > 0)
		memcpy(rd, prefix, plen);
	memcpy(rd + plen, wn.b, wn.len);
	rdset_add(set, rd, plen + wn.len);
	return 0;
}

static void
kw_ns(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	struct rdset	*set;
	char		*copy, *s, *w;
	int		 n = 0;

	/* The new name servers are what the migration is about: they are
	 * never learned. */
	if (kw->flags & KW_OLD && kw_learn(p, kw, 0, v))
		return;
	if (strcasecmp(v, "auto") == 0) {
		conf_err(p, p->line, "%s: auto is not accepted: the new name "
		    "servers define the migration", kw->name);
		return;
	}
	set = kw_set(p, kw, 0);
	s = copy = xstrdup(v);
	/* Commas too: "a, b" is how an mx line reads. */
	for (w = s; *w != '\0'; w++)
		if (*w == ',')
			*w = ' ';
	while ((w = next_word(&s)) != NULL) {
		n++;
		if (strcasecmp(w, "auto") == 0)
			conf_err(p, p->line, "%s: auto stands alone, without "
			    "names", kw->name);
		else
			host_rdata(p, kw->name, w, set, NULL, 0);
	}
	if (n == 0)
		conf_err(p, p->line, "%s: no name server given", kw->name);
	free(copy);
}

/* "PREFERENCE NAME"; -1 after reporting. */
static int
mx_rdata(struct conf_parser *p, const char *key, char *item,
    struct rdset *set)
{
	unsigned long	 pref;
	uint8_t		 pb[3];
	char		*end, *name;

	errno = 0;
	pref = strtoul(item, &end, 10);
	name = skip_space(end);
	if (!isdigit((unsigned char)*item) || errno != 0 || pref > 65535 ||
	    end == name || *name == '\0' || strpbrk(name, " \t") != NULL) {
		conf_err(p, p->line, "%s: \"%s\" is not PREFERENCE NAME "
		    "(preference 0 to 65535)", key, item);
		return -1;
	}
	wire_put16(pb, (uint16_t)pref);
	/* "0 ." is the null MX of RFC 7505: no mail for this domain. */
	if (strcmp(name, ".") == 0) {
		pb[2] = 0;
		rdset_add(set, pb, 3);
		return 0;
	}
	return host_rdata(p, key, name, set, pb, 2);
}

/* A TXT value with a space outside quotes is several strings ("v=spf1"
 * "-all"), which a published SPF record never is: valid, and never
 * matched.  Said, not refused: a record may really hold several. */
static void
txt_warn(struct conf_parser *p, const char *key, uint16_t type,
    const char *item)
{
	const char	*s;
	bool		 quoted = false;

	if (type != LDNS_RR_TYPE_TXT && type != LDNS_RR_TYPE_SPF)
		return;
	for (s = item; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && (*s == ' ' || *s == '\t'))
			break;
	}
	if (*s == '\0')
		return;
	log_warnx("%s:%d: warning: %s: %s is several strings, split at the "
	    "spaces outside double quotes; to watch one string, write it "
	    "all in double quotes", p->file, p->line, key, item);
}

/* Parse a comma-separated RDATA list into set; returns the number of
 * values given (good or bad). */
static int
rdata_list(struct conf_parser *p, const char *key, const char *owner,
    uint16_t type, char *list, struct rdset *set)
{
	char	*item, err[256];
	uint8_t	*rd;
	int	 n = 0, len;

	/* Not zeroed: 20,000 lists would clear a gigabyte. */
	rd = xreallocarray(NULL, 1, RDATA_MAX);
	while ((item = next_item(&list)) != NULL) {
		n++;
		if (*item == '\0') {
			conf_err(p, p->line, "%s: empty value (stray comma?)",
			    key);
			continue;
		}
		if (strcasecmp(item, "auto") == 0) {
			conf_err(p, p->line, "%s: auto stands alone, without "
			    "values", key);
			continue;
		}
		if (type == LDNS_RR_TYPE_MX) {
			mx_rdata(p, key, item, set);
			continue;
		}
		if ((len = rdata_parse(owner, type, item, rd, err,
		    sizeof(err))) == -1) {
			conf_err(p, p->line, "%s: %s", key, err);
			continue;
		}
		txt_warn(p, key, type, item);
		rdset_add(set, rd, (size_t)len);
	}
	free(rd);
	return n;
}

static void
kw_mx(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	struct domain_conf	*d = cur_domain(p);
	struct rdset		*set;
	char			*copy;

	/* A domain that takes no mail: its MX check is left out
	 * (domain_end()). */
	if (!(kw->flags & KW_OLD) && strcmp(v, "none") == 0) {
		d->no_mx = true;
		return;
	}
	if (kw_learn(p, kw, 1, v))
		return;
	set = kw_set(p, kw, 1);
	copy = xstrdup(v);
	if (*copy == '\0')
		conf_err(p, p->line, "%s: no mail exchanger given", kw->name);
	else
		rdata_list(p, kw->name, d->name, LDNS_RR_TYPE_MX, copy, set);
	free(copy);
}

/* Both names come from the config and have passed name_check(), so
 * ldns may parse them; no name from a resolver ever gets here. */
static bool
name_at_or_below(const char *name, const char *zone)
{
	ldns_rdf	*n, *z;
	bool		 below;

	if (strcmp(name, zone) == 0)
		return true;
	if ((n = ldns_dname_new_frm_str(name)) == NULL)
		fatalx("%s: %s", __func__, name);
	if ((z = ldns_dname_new_frm_str(zone)) == NULL)
		fatalx("%s: %s", __func__, zone);
	below = ldns_dname_is_subdomain(n, z);
	ldns_rdf_deep_free(n);
	ldns_rdf_deep_free(z);
	return below;
}

/* "@", a name relative to the domain, or an absolute one at or below it. */
static int
record_owner(struct conf_parser *p, const char *key, const char *word,
    char *out, size_t outlen)
{
	const char	*dom = cur_domain(p)->name, *why;
	char		 full[NMIG_NAMEBUF * 2];

	if (strcmp(word, "@") == 0) {
		snprintf(out, outlen, "%s", dom);
		return 0;
	}
	if (word[strlen(word) - 1] == '.')
		snprintf(full, sizeof(full), "%s", word);
	else if ((size_t)snprintf(full, sizeof(full), "%s.%s", word, dom) >=
	    sizeof(full))
		full[0] = '\0';
	if (full[0] == '\0') {
		conf_err(p, p->line, "%s: bad owner name \"%s\": name longer "
		    "than 253 characters", key, word);
		return -1;
	}
	if (name_check(full, NAME_OWNER, out, outlen, &why) == -1) {
		conf_err(p, p->line, "%s: bad owner name \"%s\": %s", key,
		    word, why);
		return -1;
	}
	if (!name_at_or_below(out, dom)) {
		conf_err(p, p->line, "%s: owner %s is not at or below %s",
		    key, out, dom);
		return -1;
	}
	return 0;
}

static void
record_add(struct conf_parser *p, char *owner, uint16_t type,
    struct rdset *set, uint8_t learn)
{
	struct domain_conf	*d = cur_domain(p);
	struct check_conf	*c;
	char			 tbuf[16];
	size_t			 i;

	for (i = 2; i < d->nchecks; i++) {
		c = &d->checks[i];
		if (c->type == type && strcmp(c->owner, owner) == 0) {
			conf_err(p, p->line, "record for %s %s given twice "
			    "(first at line %d)", owner,
			    rrtype_name(type, tbuf), c->line);
			rdset_free(set);
			return;
		}
	}
	d->checks = xreallocarray(d->checks, d->nchecks + 1,
	    sizeof(*d->checks));
	c = &d->checks[d->nchecks++];
	memset(c, 0, sizeof(*c));
	c->owner = xstrdup(owner);
	c->type = type;
	c->expect = *set;
	c->learn = learn;
	c->line = p->line;
}

static void
pending_add(struct conf_parser *p, char *owner, uint16_t type,
    struct rdset *set)
{
	struct pending_old	*o;
	char			 tbuf[16];
	size_t			 i;

	for (i = 0; i < p->npend; i++) {
		o = &p->pend[i];
		if (o->type == type && strcmp(o->owner, owner) == 0) {
			conf_err(p, p->line, "old-record for %s %s given "
			    "twice (first at line %d)", owner,
			    rrtype_name(type, tbuf), o->line);
			rdset_free(set);
			return;
		}
	}
	p->pend = xreallocarray(p->pend, p->npend + 1, sizeof(*p->pend));
	o = &p->pend[p->npend++];
	o->owner = xstrdup(owner);
	o->type = type;
	o->set = *set;
	o->line = p->line;
}

static void
kw_record(struct conf_parser *p, const struct keyword *kw, const char *v)
{
	struct domain_conf	*d = cur_domain(p);
	struct rdset		 set;
	char			*copy, *s, *ow, *tw, owner[NMIG_NAMEBUF];
	uint16_t		 type;
	uint8_t			 learn = 0;

	memset(&set, 0, sizeof(set));
	s = copy = xstrdup(v);
	if ((ow = next_word(&s)) == NULL || (tw = next_word(&s)) == NULL ||
	    *(s = skip_space(s)) == '\0') {
		conf_err(p, p->line,
		    "%s: expected OWNER TYPE VALUE[, VALUE...]", kw->name);
		goto done;
	}
	if (record_owner(p, kw->name, ow, owner, sizeof(owner)) == -1)
		goto done;
	if ((type = rrtype_from_name(tw)) == 0) {
		conf_err(p, p->line, "%s: unknown record type \"%s\"",
		    kw->name, tw);
		goto done;
	}
	/* The apex NS and MX are checks[0] and [1]; a second check of the
	 * same records would only disagree with them. */
	if (strcmp(owner, d->name) == 0 &&
	    (type == LDNS_RR_TYPE_NS || type == LDNS_RR_TYPE_MX)) {
		conf_err(p, p->line, "%s: use %s%s for the %s records of the "
		    "domain itself", kw->name, kw->flags & KW_OLD ? "old-" : "",
		    type == LDNS_RR_TYPE_NS ? "ns" : "mx",
		    type == LDNS_RR_TYPE_NS ? "NS" : "MX");
		goto done;
	}
	if (strcasecmp(s, "auto") == 0) {
		if (kw->flags & KW_OLD) {
			conf_err(p, p->line, "%s: auto is not accepted here "
			    "(old-ns and old-mx take it)", kw->name);
			goto done;
		}
		learn = LEARN_EXPECT;
	} else
		rdata_list(p, kw->name, owner, type, s, &set);
	/* Kept even when a value was bad, so that a matching old-record
	 * does not report a second, misleading error. */
	if (kw->flags & KW_OLD)
		pending_add(p, owner, type, &set);
	else
		record_add(p, owner, type, &set, learn);
done:
	free(copy);
}

/* Sections */

/* mx = none: the apex MX, checks[1], goes; the records move up. */
static void
drop_mx(struct domain_conf *d)
{
	check_free(&d->checks[1]);
	memmove(&d->checks[1], &d->checks[2],
	    (d->nchecks - 2) * sizeof(*d->checks));
	d->nchecks--;
}

static void
domain_end(struct conf_parser *p)
{
	struct domain_conf	*d = cur_domain(p);
	struct pending_old	*o;
	struct check_conf	*c;
	char			 tbuf[16];
	size_t			 i, j;
	int			 line;

	if (!p->domain_seen[keyword_index(domain_keywords,
	    nitems(domain_keywords), "ns")])
		conf_err(p, d->line, "[domain %s]: ns is required", d->name);
	if (!p->domain_seen[keyword_index(domain_keywords,
	    nitems(domain_keywords), "mx")])
		conf_err(p, d->line, "[domain %s]: mx is required (mx = none "
		    "for a domain that takes no mail)", d->name);
	if (d->no_mx && (line = p->domain_seen[keyword_index(domain_keywords,
	    nitems(domain_keywords), "old-mx")]) != 0)
		conf_err(p, line, "old-mx: the domain has mx = none");
	for (i = 0; i < p->npend; i++) {
		o = &p->pend[i];
		for (j = 2; j < d->nchecks; j++) {
			c = &d->checks[j];
			if (c->type == o->type &&
			    strcmp(c->owner, o->owner) == 0)
				break;
		}
		if (j < d->nchecks) {
			c->old = o->set;
			c->old_line = o->line;
			memset(&o->set, 0, sizeof(o->set));
		} else
			conf_err(p, o->line, "old-record for %s %s has no "
			    "record line with that owner and type",
			    o->owner, rrtype_name(o->type, tbuf));
		free(o->owner);
		rdset_free(&o->set);
	}
	free(p->pend);
	p->pend = NULL;
	p->npend = 0;
	if (d->no_mx)
		drop_mx(d);
}

static void
section_end(struct conf_parser *p)
{
	if (p->sec == SEC_DOMAIN)
		domain_end(p);
	p->sec = SEC_SKIP;
}

static void
domain_begin(struct conf_parser *p, const char *name)
{
	struct config		*conf = p->conf;
	struct domain_conf	*d, *first;
	char			 norm[NMIG_NAMEBUF];
	const char		*why;
	ssize_t			 dup;

	if (*name == '\0') {
		conf_err(p, p->line, "[domain] needs a name, as in "
		    "[domain example.co.jp]");
		return;
	}
	if (strpbrk(name, " \t") != NULL) {
		conf_err(p, p->line, "[domain %s]: bad domain name: one name "
		    "only", name);
		return;
	}
	if (name_check(name, NAME_HOST, norm, sizeof(norm), &why) == -1) {
		conf_err(p, p->line, "[domain %s]: bad domain name: %s", name,
		    why);
		return;
	}
	/* Reported, but parsed all the same to find its other errors. */
	if ((dup = index_find(p->names, conf, norm)) != -1) {
		first = &conf->domains[dup];
		if (strcmp(first->file, p->file) == 0)
			conf_err(p, p->line, "duplicate domain %s (first at "
			    "line %d)", norm, first->line);
		else
			conf_err(p, p->line, "duplicate domain %s (first "
			    "defined at %s:%d)", norm, first->file,
			    first->line);
	}
	conf->domains = xreallocarray(conf->domains, conf->ndomains + 1,
	    sizeof(*conf->domains));
	d = &conf->domains[conf->ndomains++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(norm);
	if (dup == -1)
		index_add(p->names, conf, conf->ndomains - 1);
	d->file = xstrdup(p->file);
	d->line = p->line;
	d->overlap = d->quiet = DURATION_DEFAULT;
	d->nchecks = 2;
	d->checks = xcalloc(2, sizeof(*d->checks));
	d->checks[0].owner = xstrdup(norm);
	d->checks[0].type = LDNS_RR_TYPE_NS;
	d->checks[0].line = p->line;
	d->checks[1].owner = xstrdup(norm);
	d->checks[1].type = LDNS_RR_TYPE_MX;
	d->checks[1].line = p->line;
	memset(p->domain_seen, 0, sizeof(p->domain_seen));
	p->sec = SEC_DOMAIN;
}

static void
section_begin(struct conf_parser *p, const char *name)
{
	section_end(p);
	if (strcmp(name, "nmigd") == 0 && p->dropin)
		conf_err(p, p->line, "[nmigd] belongs in %s; a drop-in holds "
		    "only [domain] sections", p->conf->path);
	else if (strcmp(name, "nmigd") == 0) {
		if (p->nmigd_line != 0)
			conf_err(p, p->line, "duplicate [nmigd] section "
			    "(first at line %d)", p->nmigd_line);
		else
			p->nmigd_line = p->line;
		p->sec = SEC_NMIGD;
	} else if (strncmp(name, "domain", 6) == 0 &&
	    (name[6] == '\0' || isspace((unsigned char)name[6])))
		domain_begin(p, skip_space(name + 6));
	else
		conf_err(p, p->line, "unknown section [%s]", name);
}

/* A "[...]" line; s points past the '['. */
static void
section_line(struct conf_parser *p, const char *s)
{
	const char	*end, *rest;
	char		*name;

	end = find_chars_or_comment(s, "]");
	if (*end != ']') {
		section_end(p);
		conf_err(p, p->line, "section header without ']'");
		return;
	}
	rest = skip_space(end + 1);
	if (*rest != '\0' && *rest != ';' && *rest != '#')
		conf_err(p, p->line, "text after section header: \"%s\"",
		    rest);
	name = xstrndup(s, (size_t)(end - s));
	section_begin(p, trim(name));
	free(name);
}

/* " ;" ends a value wherever it stands, quotes or not, as it did with
 * inih: a TXT value "a ;b" would silently become "a.  Refused instead. */
static bool
comment_in_quotes(const char *s)
{
	bool	quoted = false;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (quoted && *s == ';' && isspace((unsigned char)s[-1]))
			return true;
	}
	return false;
}

static void
conf_keyword(struct conf_parser *p, const struct keyword *tab, size_t n,
    int *seen, const char *section, const char *name, const char *value)
{
	const struct keyword	*kw;
	size_t			 i;

	if (*name == '\0') {
		conf_err(p, p->line, "missing key before '='");
		return;
	}
	if ((kw = bsearch(name, tab, n, sizeof(*tab), keyword_cmp)) == NULL) {
		for (i = 0; i < n && !near_miss(name, tab[i].name); i++)
			;
		if (i < n)
			conf_err(p, p->line, "unknown key \"%s\" in %s (did "
			    "you mean %s?)", name, section, tab[i].name);
		else
			conf_err(p, p->line, "unknown key \"%s\" in %s", name,
			    section);
		return;
	}
	i = (size_t)(kw - tab);
	if (!(kw->flags & KW_REPEAT)) {
		if (seen[i] != 0) {
			conf_err(p, p->line, "%s given twice (first at line "
			    "%d)", name, seen[i]);
			return;
		}
	}
	if (seen[i] == 0)
		seen[i] = p->line;
	kw->parse(p, kw, value);
}

static void
conf_key(struct conf_parser *p, const char *name, const char *value)
{
	switch (p->sec) {
	case SEC_NONE:
		if (p->dropin)
			conf_err(p, p->line, "%s: key outside of any section "
			    "(a drop-in holds only [domain] sections)", name);
		else
			conf_err(p, p->line, "%s: key outside of any section "
			    "(put it under [nmigd])", name);
		break;
	case SEC_NMIGD:
		conf_keyword(p, nmigd_keywords, nitems(nmigd_keywords),
		    p->nmigd_seen, "[nmigd]", name, value);
		break;
	case SEC_DOMAIN:
		conf_keyword(p, domain_keywords, nitems(domain_keywords),
		    p->domain_seen, "[domain]", name, value);
		break;
	case SEC_SKIP:
		break;
	}
}

/* One line: blank, a comment (';' or '#' first), a section header, or
 * "KEY = VALUE" (or "KEY: VALUE") with an optional " ; comment".  A '#'
 * later in the line is part of the value. */
static void
conf_line(struct conf_parser *p, char *s)
{
	char	*end, *name, *value;

	s = skip_space(s);
	if (*s == '\0' || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		section_line(p, s + 1);
		return;
	}
	end = (char *)find_chars_or_comment(s, "=:");
	if (*end != '=' && *end != ':') {
		conf_err(p, p->line, "expected KEY = VALUE");
		return;
	}
	if (comment_in_quotes(end + 1)) {
		conf_err(p, p->line, "\" ;\" starts a comment even inside "
		    "quotes: write the ';' as \\059");
		return;
	}
	*end = '\0';
	name = trim(s);
	value = end + 1;
	*(char *)find_chars_or_comment(value, "") = '\0';
	conf_key(p, name, trim(value));
}

static void
conf_check_limits(struct conf_parser *p)
{
	struct config	*conf = p->conf;
	char		 b1[32], b2[32];
	int		 line;

	if (conf->timeout < conf->interval)
		return;
	line = p->nmigd_seen[keyword_index(nmigd_keywords,
	    nitems(nmigd_keywords), "timeout")];
	if (line == 0)
		line = p->nmigd_seen[keyword_index(nmigd_keywords,
		    nitems(nmigd_keywords), "interval")];
	conf_err(p, line, "timeout (%s) must be shorter than interval (%s)",
	    fmt_duration(conf->timeout, b1, sizeof(b1)),
	    fmt_duration(conf->interval, b2, sizeof(b2)));
}

bool
domain_learns(const struct domain_conf *d)
{
	size_t	i;

	for (i = 0; i < d->nchecks; i++)
		if (d->checks[i].learn != 0)
			return true;
	return false;
}

/* A set learned at run time comes from servers that must be asked: the
 * new and the old name servers ("providers"), the parent ("parent").
 * Checked when every section is read, since [nmigd] may say either. */
static void
learn_check_domain(struct conf_parser *p, const struct domain_conf *d)
{
	const struct check_conf	*c;
	const char		*key;
	size_t			 i;

	for (i = 0; i < d->nchecks; i++) {
		c = &d->checks[i];
		key = i == 0 ? "old-ns" : i == 1 && !d->no_mx ? "mx" :
		    "record";
		if (c->learn & LEARN_EXPECT &&
		    !config_providers_auto(p->conf, d))
			errlist_add(p->errs, d->file, c->line, "%s: auto "
			    "learns from the new name servers, which "
			    "providers = none leaves unasked", key);
		if (!(c->learn & LEARN_OLD))
			continue;
		if (i == 0 && !config_parent_auto(p->conf, d))
			errlist_add(p->errs, d->file, c->old_line, "old-ns: "
			    "auto takes the parent zone's delegation, which "
			    "parent = none leaves unasked");
		if (i == 1 && !config_providers_auto(p->conf, d))
			errlist_add(p->errs, d->file, c->old_line, "old-mx: "
			    "auto asks the old name servers, which "
			    "providers = none leaves unasked");
		if (i == 1 && d->checks[0].old.n == 0 &&
		    !(d->checks[0].learn & LEARN_OLD))
			errlist_add(p->errs, d->file, c->old_line, "old-mx: "
			    "auto asks the old name servers: give old-ns");
	}
}

static void
learn_check(struct conf_parser *p)
{
	size_t	i;

	for (i = 0; i < p->conf->ndomains; i++)
		learn_check_domain(p, &p->conf->domains[i]);
}

static char *
conf_dir(const char *path)
{
	char	*copy, *dir, *abs;

	copy = xstrdup(path);
	dir = dirname(copy);
	/* Absolute, so that the paths stay right after a chdir(). */
	if ((abs = realpath(dir, NULL)) == NULL)
		abs = xstrdup(dir);
	free(copy);
	return abs;
}

static struct config *
config_new(const char *path)
{
	struct config	*conf;

	conf = xcalloc(1, sizeof(*conf));
	conf->path = xstrdup(path);
	conf->database = xstrdup(NMIG_DB_DEFAULT);
	conf->control = xstrdup(NMIG_CONTROL_DEFAULT);
	conf->resolvers = xstrdup(NMIG_RESOLVERS_DEFAULT);
	conf->interval = DEFAULT_INTERVAL;
	conf->timeout = DEFAULT_TIMEOUT;
	conf->retries = DEFAULT_RETRIES;
	conf->confirm = DEFAULT_CONFIRM;
	conf->samples = DEFAULT_SAMPLES;
	conf->rate = DEFAULT_RATE;
	conf->unreachable_after = DEFAULT_UNREACHABLE;
	conf->parent = PARENT_AUTO;
	conf->providers = PARENT_AUTO;
	conf->require.mode = REQUIRE_ALL;
	conf->overlap = DEFAULT_OVERLAP;
	conf->history_days = DEFAULT_HISTORY_DAYS;
	conf->quiet = DEFAULT_QUIET;
	return conf;
}

/* Parse p->fp to its end, the section left open included. */
static void
conf_parse(struct conf_parser *p)
{
	struct lines	 in;
	char		*s;
	int		 st;

	lines_begin(&in, p->fp, p->file, p->errs, CONF_LINE_MAX);
	while ((st = lines_next(&in, &s)) != LINE_END) {
		p->line = in.line;
		if (st == LINE_OK)
			conf_line(p, s);
	}
	lines_end(&in);
	section_end(p);
}

static void
dropin_load(struct conf_parser *mp, const char *path)
{
	struct conf_parser	p;

	memset(&p, 0, sizeof(p));
	p.conf = mp->conf;
	p.names = mp->names;
	p.errs = mp->errs;
	p.file = path;
	p.dir = mp->dir;	/* unused: a [domain] holds no paths */
	p.dropin = true;
	/* Anything may lie in a drop-in directory: a FIFO named x.conf
	 * must not hang a reload (lines_open). */
	/* A drop-in removed since the directory was listed is not there:
	 * a reload racing an operator's rm is no error. */
	if ((p.fp = lines_open(path, LINES_MISSING_OK, mp->errs)) == NULL)
		return;
	conf_parse(&p);
	fclose(p.fp);
}

/* Editors leave "x.conf~", "x.conf.swp" and, while saving, ".x.conf". */
static int
dropin_name(const struct dirent *de)
{
	size_t	len = strlen(de->d_name);

	return de->d_name[0] != '.' && len > 5 &&
	    strcmp(de->d_name + len - 5, ".conf") == 0;
}

/* strcmp(), not alphasort()'s strcoll(): the order of the domains must
 * not depend on the locale nmigd runs in. */
static int
dropin_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Without an include line the directory is conf.d beside the main file,
 * and a fresh install need not have one; a directory the operator named
 * must exist. */
static void
include_load(struct conf_parser *mp)
{
	struct config	 *conf = mp->conf;
	struct dirent	**ents;
	char		 *path;
	int		  line, n, i;

	line = mp->nmigd_seen[keyword_index(nmigd_keywords,
	    nitems(nmigd_keywords), "include")];
	if (line == 0 && asprintf(&conf->include, "%s/conf.d",
	    mp->dir) == -1)
		fatal("%s", __func__);
	if (conf->include == NULL)
		return;
	if ((n = scandir(conf->include, &ents, dropin_name,
	    dropin_cmp)) == -1) {
		if (errno != ENOENT || line != 0)
			conf_err(mp, line, "include: %s: %s", conf->include,
			    strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&path, "%s/%s", conf->include,
		    ents[i]->d_name) == -1)
			fatal("%s", __func__);
		dropin_load(mp, path);
		free(path);
		free(ents[i]);
	}
	free(ents);
}

struct config *
config_load(const char *path, unsigned flags, struct errlist *errs)
{
	struct conf_parser	 p;
	struct name_index	 names = { NULL, 0 };
	size_t			 nerrs = errs->n;

	memset(&p, 0, sizeof(p));
	p.file = path;
	p.errs = errs;
	p.names = &names;
	if ((p.fp = lines_open(path, flags & CONFIG_ANY_FILE ? LINES_ANY_FILE :
	    0, errs)) == NULL)
		return NULL;
	p.conf = config_new(path);
	p.dir = conf_dir(path);
	conf_parse(&p);
	fclose(p.fp);
	conf_check_limits(&p);
	include_load(&p);
	learn_check(&p);
	free(p.dir);
	free(names.slot);
	if (errs->n > nerrs) {
		config_free(p.conf);
		return NULL;
	}
	return p.conf;
}

void
config_free(struct config *conf)
{
	struct domain_conf	*d;
	size_t			 i, j;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->ndomains; i++) {
		d = &conf->domains[i];
		for (j = 0; j < d->nchecks; j++)
			check_free(&d->checks[j]);
		free(d->checks);
		free(d->name);
		free(d->file);
	}
	free(conf->domains);
	free(conf->path);
	free(conf->database);
	free(conf->control);
	free(conf->resolvers);
	free(conf->include);
	free(conf->metrics);
	free(conf->vantage);
	free(conf);
}
