/*
 * Targets: whom a probe asks, and how.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "target.h"
#include "util.h"

static const char *const kind_names[TK_MAX] = {
	[TK_RESOLVER] =	"resolver",
	[TK_PARENT] =	"parent",
	[TK_OLD_AUTH] =	"old-auth",
	[TK_NEW_AUTH] =	"new-auth",
};

const char *
target_kind_name(enum target_kind k)
{
	return k < TK_MAX ? kind_names[k] : "?";
}

void
target_resolver(struct target *t, const struct resolver_conf *rc,
    unsigned samples)
{
	memset(t, 0, sizeof(*t));
	memcpy(&t->sa, &rc->sa, rc->salen);
	t->salen = rc->salen;
	t->flags = TARGET_RD;
	t->kind = TK_RESOLVER;
	t->samples = (uint8_t)(rc->samples != 0 ? rc->samples : samples);
	t->rc = rc;
}

void
target_server(struct target *t, enum target_kind kind, const char *host,
    const struct sockaddr *sa, socklen_t salen, uint16_t flags)
{
	memset(t, 0, sizeof(*t));
	if (salen > sizeof(t->sa))
		salen = sizeof(t->sa);
	memcpy(&t->sa, sa, salen);
	t->salen = salen;
	t->flags = flags & ~TARGET_RD;
	t->kind = (uint8_t)kind;
	t->samples = 1;
	t->host = xstrdup(host);
}

bool
target_same(const struct target *a, const struct target *b)
{
	return a->kind == b->kind && a->flags == b->flags &&
	    sockaddr_same((const struct sockaddr *)&a->sa,
	    (const struct sockaddr *)&b->sa);
}

uint64_t
target_hash(const struct target *t)
{
	uint64_t	h = FNV_OFFSET;

	h = fnv_add(h, &t->kind, sizeof(t->kind));
	h = fnv_add(h, &t->flags, sizeof(t->flags));
	return sockaddr_hash((const struct sockaddr *)&t->sa, h);
}

void
target_copy(struct target *to, const struct target *from)
{
	*to = *from;
	if (from->host != NULL)
		to->host = xstrdup(from->host);
}

void
target_free(struct target *t)
{
	free(t->host);
	t->host = NULL;
}
