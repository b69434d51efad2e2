/*
 * A domain's learned sets ("auto", lib/learn.h) in the status document
 * and the text status.
 */
#ifndef NMIG_LEARNSTATUS_H
#define NMIG_LEARNSTATUS_H

#include <stdio.h>

#include <jansson.h>

#include "model.h"

/* One object a set: owner, type, which set ("expected" or "old"), its
 * values (null until learned), when it was learned, and its state
 * (learn_why_name()).  An empty array for a domain that learns nothing.
 * A new reference. */
json_t	*status_learned_json(const struct watch *);
/* "  learned example.jp. MX: 10 mx.example. (at T)", a line each. */
void	 status_print_learned(FILE *, const json_t *learned);

#endif
