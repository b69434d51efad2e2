/*
 * A config, its resolver list and their model, made from text in a
 * temporary directory, for the unit tests of the model's modules.
 */
#ifndef NMIG_TESTWORLD_H
#define NMIG_TESTWORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "model.h"
#include "resolvers.h"
#include "store.h"

struct world {
	struct config		*cfg;
	struct resolver_list	 rl;
	struct model		*m;
};

/* Two resolvers (r0, r1) and example.co.jp. with new and old NS and MX:
 * what most tests of the model's modules watch. */
#define TW_TWO_RESOLVERS \
    "r0 192.0.2.1 Tokyo\n" \
    "r1 192.0.2.2 Osaka\n"
#define TW_EXAMPLE_DOMAIN \
    "[domain example.co.jp]\n" \
    "ns = hns0.dns.nifcloud.com hns1.dns.nifcloud.com\n" \
    "old-ns = ns1.oldhost.ne.jp ns2.oldhost.ne.jp\n" \
    "mx = 10 mx.new.example\n" \
    "old-mx = 10 mx.oldhost.ne.jp\n"

/* The directory's files go when tw_cleanup() runs; -1 on failure. */
int	tw_setup(const char *name);
int	tw_cleanup(void);
/* tmpdir/file */
void	tw_path(char *buf, const char *file);

/* resolvers: resolvers.conf's content; extra: [nmigd] keys, one a line
 * (samples = 1 unless extra sets it);
 * domains: the [domain] sections.  A bare model (the new side of a
 * reload) or a full one, all pending. */
void	tw_load(struct world *, const char *resolvers, const char *extra,
	    const char *domains, bool bare);
void	tw_free(struct world *);

/* tmpdir/nmigd.db, new and empty. */
struct store	*tw_store_fresh(void);
struct watch	*tw_watch(const struct world *, const char *name);
size_t		 tw_resolver(const struct world *, const char *name);

/* Answers for lib/apply.c. */
enum tw_which { TW_NEW, TW_OLD, TW_OTHER, TW_EMPTY };
struct observation;
struct check_conf;
void	tw_answer_of(struct observation *, const struct check_conf *,
	    enum tw_which, uint8_t rcode);
/* Resolver r answers every check of w. */
void	tw_answer_all(struct world *, struct watch *, size_t r,
	    enum tw_which, uint32_t ttl, time_t now);
/* A server of kind found for w at ip, port 53: its slot. */
size_t	tw_server(struct world *, struct watch *, enum target_kind,
	    const char *host, const char *ip);
/* Resolver r times out on every check of w. */
void	tw_silence_all(struct world *, struct watch *, size_t r, time_t now);

#endif
