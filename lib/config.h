/*
 * nmigd.conf: INI lines parsed into plain structs.  Every error is
 * collected as "FILE:LINE: message"; a config with any error is never used.
 */
#ifndef NMIG_CONFIG_H
#define NMIG_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rdata.h"
#include "resolvers.h"
#include "util.h"

/* The config where make install put it (--sysconfdir; /etc for the
 * Debian package).  The database and the socket are where the systemd
 * unit's StateDirectory= and RuntimeDirectory= make them. */
#ifndef SYSCONFDIR
#define SYSCONFDIR		"/etc"
#endif
#define NMIG_CONF_DEFAULT	SYSCONFDIR "/nmigd/nmigd.conf"
#define NMIG_DB_DEFAULT		"/var/lib/nmigd/nmigd.db"
#define NMIG_CONTROL_DEFAULT	"/run/nmigd/nmigd.sock"
#define NMIG_RESOLVERS_DEFAULT	SYSCONFDIR "/nmigd/resolvers.conf"

/* One record nmigd watches for a domain: the apex NS and MX, and every
 * "record =" line.  The old set is empty when the operator gave none.  A
 * set given as "auto" is empty here and learned per domain at run time
 * (lib/learn.h): the expected one from the new name servers ("mx = auto",
 * "record = OWNER TYPE auto"), the old one from the parent's delegation
 * ("old-ns = auto") or the old name servers ("old-mx = auto"). */
#define LEARN_EXPECT	0x01
#define LEARN_OLD	0x02
struct check_conf {
	char		*owner;		/* absolute, lower case, trailing dot */
	uint16_t	 type;		/* LDNS_RR_TYPE_* */
	uint8_t		 learn;		/* LEARN_* */
	struct rdset	 expect;
	struct rdset	 old;
	int		 line;		/* where it was defined */
	int		 old_line;	/* the same for the old set, or 0 */
};

/* Whether the parent zone is searched for and asked (daemon/parents.c),
 * and the same for the providers' name servers ("providers"). */
enum parent_mode {
	PARENT_DEFAULT = 0,	/* a domain: as [nmigd] says */
	PARENT_AUTO,
	PARENT_NONE,
};

/* How many resolvers must have switched for "complete" ("require"): all
 * those counted, a share of them (rounded up), or a number. */
enum require_mode {
	REQUIRE_DEFAULT = 0,	/* a domain: as [nmigd] says */
	REQUIRE_ALL,
	REQUIRE_PERCENT,
	REQUIRE_COUNT,
};

struct require {
	uint8_t		mode;	/* enum require_mode */
	unsigned	n;	/* percent or count */
};

/* checks[0] is the apex NS, checks[1] the apex MX unless "mx = none", then
 * each "record" in the order of the file. */
struct domain_conf {
	char			*name;	/* absolute, lower case, trailing dot */
	int			 parent;	/* enum parent_mode */
	int			 providers;	/* enum parent_mode */
	bool			 no_mx;		/* mx = none: no MX check */
	struct require		 require;
	unsigned		 overlap;	/* seconds, or */
	unsigned		 quiet;		/* DURATION_DEFAULT */
	struct check_conf	*checks;
	size_t			 nchecks;
	char			*file;	/* main file or drop-in */
	int			 line;
};

struct config {
	char			*path;
	char			*database;	/* relative paths are taken */
	char			*control;	/* relative to the directory */
	char			*resolvers;	/* of the config file */
	char			*metrics;	/* "ADDRESS:PORT" or NULL */
	bool			 metrics_detail;	/* per (domain,
						 * resolver) series too */
	char			*vantage;	/* a label of /metrics, or
						 * NULL */
	char			*include;	/* drop-in directory, absolute;
						 * NULL for "include = none" */
	unsigned		 interval;	/* seconds */
	unsigned		 timeout;	/* seconds */
	unsigned		 retries;
	unsigned		 samples;	/* queries per check and
						 * resolver in a round */
	unsigned		 rate;		/* queries a second to one
						 * resolver or server */
	unsigned		 confirm;
	unsigned		 unreachable_after;	/* seconds */
	int			 parent;	/* PARENT_AUTO or _NONE */
	int			 providers;	/* the same */
	struct require		 require;	/* never REQUIRE_DEFAULT */
	unsigned		 overlap;	/* seconds: both services kept */
	unsigned		 quiet;		/* seconds without regression */
	unsigned		 history_days;	/* answer changes and events
						 * kept; 0: for ever */
	struct domain_conf	*domains;
	size_t			 ndomains;
};

/* Reads path, then every *.conf file of the drop-in directory in strcmp()
 * order.  Returns the config, or NULL with every problem of every file
 * added to errs.  path must be a regular file unless flags has
 * CONFIG_ANY_FILE ("nmigd -t -c /dev/stdin"): a daemon reading a FIFO or
 * a device could wait on it for ever (lib/lines.c lines_open). */
#define CONFIG_ANY_FILE	0x01
struct config	*config_load(const char *path, unsigned flags,
		    struct errlist *errs);
void		 config_free(struct config *);
/* A domain's duration not given: the [nmigd] section's. */
#define DURATION_DEFAULT	UINT_MAX

static inline unsigned
config_overlap(const struct config *c, const struct domain_conf *d)
{
	return d->overlap != DURATION_DEFAULT ? d->overlap : c->overlap;
}

static inline unsigned
config_quiet(const struct config *c, const struct domain_conf *d)
{
	return d->quiet != DURATION_DEFAULT ? d->quiet : c->quiet;
}

/* Whether the domain's old and new name servers are asked directly. */
static inline bool
config_providers_auto(const struct config *c, const struct domain_conf *d)
{
	return (d->providers != PARENT_DEFAULT ? d->providers : c->providers)
	    == PARENT_AUTO;
}

/* The domain's "require", else the [nmigd] section's. */
static inline const struct require *
config_require(const struct config *c, const struct domain_conf *d)
{
	return d->require.mode != REQUIRE_DEFAULT ? &d->require : &c->require;
}

/* Whether any of the domain's sets is learned ("auto"). */
bool		 domain_learns(const struct domain_conf *);

/* The index of the first "record" check. */
static inline size_t
domain_records(const struct domain_conf *d)
{
	return d->no_mx ? 1 : 2;
}

/* Whether the domain's parent zone is asked: its own "parent", else the
 * [nmigd] section's. */
static inline bool
config_parent_auto(const struct config *c, const struct domain_conf *d)
{
	return (d->parent != PARENT_DEFAULT ? d->parent : c->parent) ==
	    PARENT_AUTO;
}
/* config_print() is in printconf.h. */

#endif
