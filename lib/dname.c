/*
 * Checking and showing domain names.  A name that passes name_check() is
 * plain ASCII with only the characters its kind allows, so it can go into
 * JSON, metrics labels, journald fields and the config printer as it is.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "dname.h"
#include "util.h"

#define NAME_TEXTMAX	253	/* 255 wire bytes less the first length and
				 * the root */

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool
label_char_ok(char c, enum name_kind kind)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	    (kind == NAME_OWNER && c == '_');
}

/* s is lower case ASCII without the trailing dot. */
static int
labels_check(const char *s, enum name_kind kind, const char **why)
{
	const char	*label = s, *p;
	size_t		 len;

	for (p = s;; p++) {
		if (*p != '.' && *p != '\0') {
			if (!label_char_ok(*p, kind)) {
				*why = kind == NAME_HOST ? "only letters, "
				    "digits and '-' may appear in a host name" :
				    "only letters, digits, '-' and '_' may "
				    "appear in a name";
				return -1;
			}
			continue;
		}
		len = (size_t)(p - label);
		if (len == 0) {
			*why = "empty label";
			return -1;
		}
		if (len > 63) {
			*why = "label longer than 63 characters";
			return -1;
		}
		if (kind == NAME_HOST && (label[0] == '-' || p[-1] == '-')) {
			*why = "a label may not start or end with '-'";
			return -1;
		}
		if (*p == '\0')
			return 0;
		label = p + 1;
	}
}

/* UTF-8 to A-labels: malloc'd, or NULL with *why set. */
static char *
to_alabels(const char *in, const char **why)
{
	char	*out = NULL;
	int	 rc;

	rc = idn2_to_ascii_8z(in, &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		*why = idn2_strerror(rc);
		return NULL;
	}
	return out;
}

int
name_check(const char *in, enum name_kind kind, char *out, size_t outlen,
    const char **why)
{
	const char	*dummy, *s = in;
	char		*ascii = NULL;
	size_t		 len, i;
	int		 rv = -1;

	if (why == NULL)
		why = &dummy;
	*why = "empty name";
	if (*in == '\0')
		return -1;
	if (strcmp(in, ".") == 0) {
		*why = "the root is not a domain";
		return -1;
	}
	if (!is_ascii(in)) {
		if ((ascii = to_alabels(in, why)) == NULL)
			return -1;
		s = ascii;
	}
	len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len > NAME_TEXTMAX || len + 2 > outlen) {
		*why = "name longer than 253 characters";
		goto done;
	}
	for (i = 0; i < len; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[len] = '\0';
	if (len == 0) {
		*why = "empty label";
		goto done;
	}
	if (labels_check(out, kind, why) == -1)
		goto done;
	out[len] = '.';
	out[len + 1] = '\0';
	rv = 0;
done:
	free(ascii);
	return rv;
}

int
name_normalize(const char *in, char *out, size_t outlen)
{
	return name_check(in, NAME_OWNER, out, outlen, NULL);
}

const char *
domain_display(const char *name, char *buf)
{
	size_t	len = strlen(name);

	if (len > 1 && name[len - 1] == '.')
		len--;
	if (len >= NMIG_NAMEBUF)
		len = NMIG_NAMEBUF - 1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return buf;
}

const char *
domain_unicode(const char *name, char *buf)
{
	char	ascii[NMIG_NAMEBUF], *u = NULL;

	domain_display(name, ascii);
	/* Only names with an A-label need the library at all. */
	if (strncmp(ascii, "xn--", 4) != 0 && strstr(ascii, ".xn--") == NULL)
		return strcpy(buf, ascii);
	if (idn2_to_unicode_8z8z(ascii, &u, 0) != IDN2_OK || u == NULL ||
	    strlen(u) >= NMIG_UNAMEBUF || !utf8_valid(u, strlen(u)) ||
	    !utf8_displayable(u)) {
		free(u);
		return strcpy(buf, ascii);
	}
	strcpy(buf, u);
	free(u);
	return buf;
}
