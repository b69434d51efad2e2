/*
 * Domain names as text: what an operator may write in the config or on
 * the command line, and how nmigd shows names back.  nmigd keeps every
 * name absolute, lower case and in ASCII (IDNs as A-labels, converted
 * with libidn2, IDNA2008 with UTS #46 mapping), with a trailing dot.
 */
#ifndef NMIG_DNAME_H
#define NMIG_DNAME_H

#include <stddef.h>

#include "util.h"	/* NMIG_NAMEBUF */

enum name_kind {
	NAME_HOST,	/* a domain or a server: letters, digits, '-' */
	NAME_OWNER,	/* a record's owner: '_' too (_dmarc, _443._tcp) */
};

/*
 * "例え.jp", "Example.CO.JP" or "example.co.jp." into "xn--r8jz45g.jp.",
 * "example.co.jp.".  Labels of 1 to 63 characters, at most 253 in all;
 * a hyphen neither starts nor ends a host label.  Returns 0, or -1 with
 * *why set to a reason (static text) when why is not NULL.
 */
int		 name_check(const char *in, enum name_kind, char *out,
		    size_t outlen, const char **why);
/* name_check() for any name a query may ask about (NAME_OWNER). */
int		 name_normalize(const char *in, char *out, size_t outlen);
/* The name as people write it: "example.co.jp", the root as ".".  buf
 * holds NMIG_NAMEBUF bytes. */
const char	*domain_display(const char *name, char *buf);
/* The same with A-labels shown as U-labels ("例え.jp"), when they are
 * valid IDNA; otherwise as domain_display().  buf holds NMIG_NAMEBUF * 4
 * bytes (NMIG_UNAMEBUF). */
#define NMIG_UNAMEBUF	(NMIG_NAMEBUF * 4)
const char	*domain_unicode(const char *name, char *buf);

#endif
