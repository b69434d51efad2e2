/*
 * nmigd-ctl status at a glance: one line a domain, or one domain's grid
 * of resolvers by watched records.  nmigd-ctl -v status keeps every
 * answer on a line of its own (lib/status.c).
 */
#ifndef NMIG_CTL_GLANCE_H
#define NMIG_CTL_GLANCE_H

#include <stdio.h>

#include <jansson.h>

#include "output.h"

/* DOMAIN STATE NEW PARENT EXPECTED SINCE, a domain a line, from the
 * rows of the columns glance_list_columns() names (a new array, for the
 * request) or from each domain's object. */
json_t	*glance_list_columns(void);
void	glance_domains(FILE *, const json_t *doc, const struct view *);
/* Each domain's head (lib/status.c), then RESOLVER LOCATION STATE and a
 * column a record: its verdict, with the TTL left on an old answer. */
void	glance_grid(FILE *, const json_t *doc, const struct view *);

#endif
