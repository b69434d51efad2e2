/*
 * The servers nmigd asks directly, in the status document and the text
 * status: the parent zone's ("parent" in each domain) and the old and
 * new providers' name servers ("old_provider", "new_provider").
 */
#ifndef NMIG_SERVERSTATUS_H
#define NMIG_SERVERSTATUS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "model.h"

/* The domain's parent: the zone and its search, the view with its
 * switch, and each server's delegation and DS set.  A new reference. */
json_t	*status_parent_json(const struct model *, const struct watch *);
/* Its lines under the domain's line; nothing for a document without it. */
void	 status_print_parent(FILE *, const json_t *parent, bool colour);

/* A provider's name servers: its state (lib/providers.h), what is wrong
 * (new) or when it stopped serving (old), and each server's SOA and
 * records.  kind: TK_OLD_AUTH or TK_NEW_AUTH. */
json_t	*status_provider_json(const struct model *, const struct watch *,
	    enum target_kind);
/* "  old provider: serving", with a line per server that is not. */
void	 status_print_provider(FILE *, const char *which,
	    const json_t *provider, bool colour);

/* DNSSEC across the cutover: the parent's DS key tags, how the new and
 * old servers' keys stand against them, the new servers' key tags when
 * none matches, the warning, and how many resolvers answer SERVFAIL. */
json_t	*status_dnssec_json(const struct model *, const struct watch *);
/* Its line, when the parent has a DS set or something is wrong. */
void	 status_print_dnssec(FILE *, const json_t *dnssec, bool colour);

#endif
