/*
 * Learning a domain's "auto" sets from the servers it watches.
 */
#include <string.h>

#include "learn.h"
#include "log.h"
#include "rejudge.h"
#include "util.h"

static const char *const why_names[LW_MAX] = {
	"ok", "waiting", "disagree", "empty", "too-large", "no-servers",
	"same-as-new", "changing",
};

const char *
learn_why_name(enum learn_why w)
{
	return (unsigned)w < LW_MAX ? why_names[w] : "?";
}

int
learn_why_from_name(const char *s)
{
	return names_find(why_names, LW_MAX, s);
}

const char *
learn_why_text(enum learn_why w, bool old)
{
	switch (w) {
	case LW_OK:
		return "";
	case LW_WAITING:
		return old ? "waiting for the parent or the old name servers" :
		    "waiting for the new name servers";
	case LW_DISAGREE:
		return old ? "the servers asked disagree" :
		    "the new name servers disagree";
	case LW_EMPTY:
		return old ? "the old name servers have no such records" :
		    "the new name servers have no such records";
	case LW_TOO_LARGE:
		return "the records are too large to learn";
	case LW_NO_SERVERS:
		return "there are no old name servers to ask";
	case LW_SAME:
		return "nothing old: the old records are the new ones";
	case LW_CHANGING:
		return "the new name servers agree on other records, not "
		    "yet for confirm rounds";
	default:
		return "?";
	}
}

/* The set kind's servers agree on for check k, in *set; or why not.  A
 * server that fails says nothing of the records (the providers' check
 * reports it); one with no records disagrees with one that has some. */
static enum learn_why
servers_agree(const struct model *m, const struct watch *w,
    enum target_kind kind, size_t k, const struct rdset **set)
{
	const struct check_conf	*c = watch_check(w, k);
	const struct cstate	*cs;
	const struct rdset	*s, *found = NULL;
	size_t			 i, nt = watch_ntargets(m, w);
	bool			 empty = false;

	for (i = m->resolvers->n; i < nt; i++) {
		if (watch_target(m, w, i)->kind != kind)
			continue;
		cs = watch_tstate(m, w, i, k);
		if (cs->state == CS_NODATA || cs->state == CS_NXDOMAIN) {
			empty = true;
			continue;
		}
		if (cs->state != CS_NEW && cs->state != CS_OLD &&
		    cs->state != CS_OTHER)
			continue;
		s = cstate_rdata(cs, c);
		if (s->dropped > 0)
			return LW_TOO_LARGE;
		if (found != NULL && !rdset_equal(found, s))
			return LW_DISAGREE;
		found = s;
	}
	if (found != NULL && empty)
		return LW_DISAGREE;
	if (found == NULL)
		return empty ? LW_EMPTY : LW_WAITING;
	*set = found;
	return LW_OK;
}

/* What the parent delegates to, if it is not the new name servers: the
 * servers that delegate elsewhere must agree among themselves. */
static enum learn_why
parent_delegates(const struct model *m, const struct watch *w,
    const struct rdset **set)
{
	const struct cstate	*cs;
	const struct rdset	*s, *found = NULL;
	size_t			 i, nt = watch_ntargets(m, w);
	bool			 tonew = false;

	for (i = m->resolvers->n; i < nt; i++) {
		if (watch_target(m, w, i)->kind != TK_PARENT)
			continue;
		cs = watch_tstate(m, w, i, 0);
		if (cs->state == CS_NEW) {
			tonew = true;
			continue;
		}
		if (cs->state != CS_OLD && cs->state != CS_OTHER)
			continue;
		s = cstate_rdata(cs, watch_check(w, 0));
		if (s->dropped > 0)
			return LW_TOO_LARGE;
		if (found != NULL && !rdset_equal(found, s))
			return LW_DISAGREE;
		found = s;
	}
	if (found != NULL) {
		*set = found;
		return LW_OK;
	}
	return tonew ? LW_SAME : LW_WAITING;
}

/* Replace one of check k's sets and judge every answer to k again.  set
 * may be an answer's, which judging again may free: it is copied first.
 * It is never the set it replaces (the callers replace a set only by
 * another), which rdset_copy() could not copy onto itself. */
static void
replace_set(const struct model *m, struct watch *w, size_t k, bool old,
    const struct rdset *set)
{
	struct check_conf	 before = w->lchecks[k], *c = &w->lchecks[k];
	struct rdset		*dst = old ? &c->old : &c->expect;
	size_t			 t, nt = watch_ntargets(m, w);

	rdset_copy(dst, set);
	for (t = 0; t < nt; t++)
		cstate_rejudge(w, watch_tstate(m, w, t, k),
		    t < m->resolvers->n, &before, c);
	rdset_free(old ? &before.old : &before.expect);
	w->learned[k].dirty = true;
	w->unsaved = true;
}

static const char *
check_label(const struct watch *w, size_t k, char *buf, size_t len)
{
	const struct check_conf	*c = watch_check(w, k);
	char			 tbuf[16];

	snprintf(buf, len, "%s %s", c->owner, rrtype_name(c->type, tbuf));
	return buf;
}

static void
learn_expect(const struct model *m, struct watch *w, size_t k, time_t now,
    unsigned confirm)
{
	struct learned		*l = &w->learned[k];
	const struct rdset	*set = NULL;
	char			 label[NMIG_NAMEBUF + 24], why[NMIG_NAMEBUF + 64];

	l->why = servers_agree(m, w, TK_NEW_AUTH, k, &set);
	if (l->why != LW_OK) {
		l->cand_rounds = 0;
		return;
	}
	check_label(w, k, label, sizeof(label));
	if (l->at == 0) {
		replace_set(m, w, k, false, set);
		l->at = now;
		log_info("%s: learned %s from the new name servers (%u "
		    "records)", w->dc->name, label,
		    (unsigned)w->lchecks[k].expect.n);
		return;
	}
	if (rdset_equal(set, &w->lchecks[k].expect)) {
		l->cand_rounds = 0;
		return;
	}
	/* A zone being edited may show a set for a round; only one the
	 * servers keep to is the provider's. */
	if (l->cand != set->hash || l->cand_rounds == 0) {
		l->cand = set->hash;
		l->cand_rounds = 0;
	}
	if (l->cand_rounds < UINT8_MAX)
		l->cand_rounds++;
	if (l->cand_rounds < (confirm < 2 ? 2 : confirm)) {
		l->why = LW_CHANGING;
		return;
	}
	replace_set(m, w, k, false, set);
	l->at = now;
	l->cand_rounds = 0;
	snprintf(why, sizeof(why), "%s learned anew from the new name "
	    "servers", label);
	watch_restart(m, w, why, now);
}

/* The old set: a snapshot, taken once. */
static void
learn_old(const struct model *m, struct watch *w, size_t k, time_t now)
{
	struct learned		*l = &w->learned[k];
	const struct rdset	*set = NULL;
	static const struct rdset none;
	char			 label[NMIG_NAMEBUF + 24];

	if (k == 0)
		l->old_why = parent_delegates(m, w, &set);
	else if (w->dc->checks[k].learn & LEARN_EXPECT && l->at == 0)
		l->old_why = LW_WAITING;	/* "same as new" needs the new */
	else if (w->learned[0].old_at != 0 && watch_check(w, 0)->old.n == 0)
		l->old_why = LW_NO_SERVERS;
	else {
		l->old_why = servers_agree(m, w, TK_OLD_AUTH, k, &set);
		if (l->old_why == LW_OK &&
		    rdset_equal(set, &watch_check(w, k)->expect))
			l->old_why = LW_SAME;
	}
	/* Old servers without the records may be a zone being edited:
	 * they are asked again, and meanwhile nothing is old anyway. */
	switch (l->old_why) {
	case LW_OK:
		break;
	case LW_SAME:
	case LW_NO_SERVERS:
		set = &none;	/* final: nothing is old */
		break;
	default:
		return;		/* asked again next round */
	}
	replace_set(m, w, k, true, set);
	l->old_at = now;
	log_info("%s: took the old %s from the %s: %s", w->dc->name,
	    check_label(w, k, label, sizeof(label)),
	    k == 0 ? "parent's delegation" : "old name servers",
	    l->old_why == LW_OK ? "kept as old" :
	    learn_why_text(l->old_why, true));
}

void
learn_round(const struct model *m, struct watch *w, time_t now,
    unsigned confirm)
{
	const struct check_conf	*c;
	size_t			 k;

	if (w->learned == NULL)
		return;
	for (k = 0; k < w->dc->nchecks; k++) {
		c = &w->dc->checks[k];
		if (c->learn & LEARN_EXPECT)
			learn_expect(m, w, k, now, confirm);
		if (c->learn & LEARN_OLD && w->learned[k].old_at == 0)
			learn_old(m, w, k, now);
	}
}

void
learn_set(struct watch *w, size_t k, bool old, const struct rdset *set,
    time_t at, enum learn_why why)
{
	struct check_conf	*c = &w->lchecks[k];
	struct learned		*l = &w->learned[k];

	if (old) {
		rdset_free(&c->old);
		rdset_copy(&c->old, set);
		l->old_at = at;
		l->old_why = (uint8_t)why;
	} else {
		rdset_free(&c->expect);
		rdset_copy(&c->expect, set);
		l->at = at;
		l->why = (uint8_t)why;
	}
}

/* The check of ow with k's owner and type, or -1. */
static ssize_t
same_check(const struct watch *ow, const struct check_conf *c)
{
	size_t	j;

	for (j = 0; j < ow->dc->nchecks; j++)
		if (ow->dc->checks[j].type == c->type &&
		    strcmp(ow->dc->checks[j].owner, c->owner) == 0)
			return (ssize_t)j;
	return -1;
}

bool
learn_carry(struct watch *w, const struct watch *ow, time_t now)
{
	bool			 dirty = false;
	const struct check_conf	*c, *oc;
	const struct learned	*ol;
	ssize_t			 j;
	size_t			 k;

	for (k = 0; w->learned != NULL && k < w->dc->nchecks; k++) {
		c = &w->dc->checks[k];
		if (c->learn == 0 || (j = same_check(ow, c)) == -1)
			continue;
		oc = watch_check(ow, (size_t)j);
		ol = ow->learned != NULL ? &ow->learned[j] : NULL;
		if (c->learn & LEARN_EXPECT && ol != NULL && ol->at != 0 &&
		    ow->dc->checks[j].learn & LEARN_EXPECT) {
			learn_set(w, k, false, &oc->expect, ol->at, ol->why);
			w->learned[k].dirty = ol->dirty;
		} else if (c->learn & LEARN_EXPECT &&
		    !(ow->dc->checks[j].learn & LEARN_EXPECT)) {
			/* The values the operator gave stand until the new
			 * servers agree on others for confirm rounds: a key
			 * that becomes "auto" restarts nothing by itself. */
			learn_set(w, k, false, &oc->expect, now, LW_OK);
			w->learned[k].dirty = true;
		}
		if (!(c->learn & LEARN_OLD))
			continue;
		if (ol != NULL && ol->old_at != 0) {
			learn_set(w, k, true, &oc->old, ol->old_at,
			    ol->old_why);
			w->learned[k].dirty |= ol->dirty;
		} else if (!(ow->dc->checks[j].learn & LEARN_OLD) &&
		    oc->old.n > 0) {
			/* The operator's old set was right then: it is
			 * the snapshot, the parent may have switched. */
			learn_set(w, k, true, &oc->old, now, LW_OK);
			w->learned[k].dirty = true;
		}
		dirty |= w->learned[k].dirty;
	}
	return dirty;
}
