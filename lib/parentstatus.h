/*
 * The parent zone's part of the status document ("parent" in each
 * domain) and its lines in the text status.
 */
#ifndef NMIG_PARENTSTATUS_H
#define NMIG_PARENTSTATUS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "model.h"

/* The domain's parent: the zone and its search, the view with its
 * switch, and each server's delegation and DS set.  A new reference. */
json_t	*status_parent_json(const struct model *, const struct watch *);
/* Its lines under the domain's line; nothing for a document without it. */
void	 status_print_parent(FILE *, const json_t *parent, bool colour);

#endif
