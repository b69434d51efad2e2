/*
 * The status document (JSON, "version" 1): built by the daemon from its
 * model, printed as-is by --json and by nmigd-ctl, or as tables.
 */
#ifndef NMIG_STATUS_H
#define NMIG_STATUS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "model.h"

#define NMIG_STATUS_VERSION	1

/* The whole document; domain != NULL limits it to that domain (NULL is
 * returned if it is not watched).  A new reference. */
json_t	*status_document(const struct model *, const char *domain, time_t now);

/* A record set as a JSON array of strings, one a record (rdtext). */
json_t	*status_rdata_json(const struct rdset *, uint16_t type);

/* Human tables, from the document (so the client can print what it got
 * from the daemon).  colour: ANSI colours for states. */
void	 status_print_text(const json_t *doc, FILE *, bool colour);

#endif
