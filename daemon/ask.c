/*
 * Our own questions to the configured resolvers.
 */
#include <string.h>

#include "log.h"
#include "ask.h"

void
ask_init(struct asker *st, struct prober *prober, const struct config *cfg,
    const struct resolver_list *rl)
{
	memset(st, 0, sizeof(*st));
	st->prober = prober;
	ask_reload(st, cfg, rl);
}

void
ask_reload(struct asker *st, const struct config *cfg,
    const struct resolver_list *rl)
{
	st->cfg = cfg;
	st->rl = rl;
	if (st->good >= rl->n)
		st->good = 0;
}

bool
ask_next(struct asker *st, struct ask_pick *pk)
{
	size_t	n = st->rl->n;

	if (n == 0 || pk->tried >= n)
		return false;
	if (pk->tried++ > 0)
		pk->resolver = (pk->resolver + 1) % n;
	else
		pk->resolver = st->good < n ? st->good : 0;
	memcpy(&pk->sa, &st->rl->v[pk->resolver].sa,
	    st->rl->v[pk->resolver].salen);
	pk->salen = st->rl->v[pk->resolver].salen;
	return true;
}

int
ask_send(struct asker *st, const struct ask_pick *pk, const char *owner,
    uint16_t type, probe_done_cb done, void *arg, uint64_t tag)
{
	struct probe	pr;

	memset(&pr, 0, sizeof(pr));
	pr.sa = (const struct sockaddr *)&pk->sa;
	pr.salen = pk->salen;
	pr.owner = owner;
	pr.type = type;
	/* Rounds wait for these: not behind their probes. */
	pr.flags = PROBE_RD | PROBE_FIRST;
	pr.rate = resolver_rate(pk->resolver < st->rl->n ?
	    &st->rl->v[pk->resolver] : NULL, st->cfg->rate);
	pr.label = pk->resolver < st->rl->n ? st->rl->v[pk->resolver].name :
	    NULL;
	pr.timeout_ms = st->cfg->timeout * 1000;
	pr.retries = st->cfg->retries;
	pr.done = done;
	pr.arg = arg;
	pr.tag = tag;
	if (prober_query(st->prober, &pr) == -1) {
		log_warnx("%s type %u cannot be asked", owner, type);
		return -1;
	}
	return 0;
}

void
ask_good(struct asker *st, const struct ask_pick *pk)
{
	if (pk->resolver < st->rl->n)
		st->good = pk->resolver;
}
