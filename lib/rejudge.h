/*
 * When what a domain expects changes (a reload, a learned set): its
 * answers judged again against the new sets, and its migration started
 * afresh when the expected values are new.
 */
#ifndef NMIG_REJUDGE_H
#define NMIG_REJUDGE_H

#include <stdbool.h>
#include <time.h>

#include "model.h"

/* Answers were judged against oc's sets; judge cs again against nc's.
 * saved: its row is in the database, and the answer judged anew gets a
 * row of its own. */
void		 cstate_rejudge(struct watch *, struct cstate *, bool saved,
		    const struct check_conf *oc, const struct check_conf *nc);
/* New expected values, a new migration: the latches go (the completion,
 * the registry's switch, each resolver's switch and forecast); what they
 * said stays in the events and the history.  why is logged. */
void		 watch_restart(const struct model *, struct watch *,
		    const char *why, time_t now);

#endif
