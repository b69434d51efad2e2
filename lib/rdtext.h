/*
 * Canonical RDATA as text, for people: the status tables, the history,
 * the database's readable column and `nmigd -t -v`.  nmigd's own printer,
 * driven by the layouts of rdata.h, never ldns's: ldns's printers have
 * overrun their buffer on SVCB parameters and called getservbyport() per
 * WKS bit.  What the printer does not know, or RDATA that does not have
 * its type's layout, is shown in RFC 3597 form, "\# LEN HEX".  The text
 * is always ASCII: anything else is escaped as \DDD.
 */
#ifndef NMIG_RDTEXT_H
#define NMIG_RDTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Malloc'd text of one RDATA. */
char	*rdtext(uint16_t type, const uint8_t *rd, size_t len);

/* The same for a config file: a form that rdata_parse() reads back to
 * the very same bytes for OWNER/TYPE, the RFC 3597 form when the
 * readable one would not. */
char	*rdtext_config(const char *owner, uint16_t type, const uint8_t *rd,
	    size_t len);

#endif
