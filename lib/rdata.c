/*
 * Canonical RDATA strings, so that a record set from the config and one
 * from an answer compare as sorted string arrays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "log.h"
#include "rdata.h"
#include "util.h"

char *
rdata_canon(const ldns_rr *rr)
{
	ldns_rr		*copy;
	ldns_buffer	*buf;
	char		*s = NULL;
	size_t		 i;

	if ((copy = ldns_rr_clone(rr)) == NULL)
		return NULL;
	/* Lower-cases the names inside RDATA for the types RFC 4034 6.2
	 * lists (NS, MX, CNAME, SOA, ...), so case never makes a change. */
	ldns_rr2canonical(copy);
	if ((buf = ldns_buffer_new(256)) == NULL)
		goto done;
	for (i = 0; i < ldns_rr_rd_count(copy); i++) {
		if (i > 0)
			ldns_buffer_printf(buf, " ");
		if (ldns_rdf2buffer_str(buf, ldns_rr_rdf(copy, i)) !=
		    LDNS_STATUS_OK)
			goto done;
	}
	s = ldns_buffer_export2str(buf);
done:
	if (buf != NULL)
		ldns_buffer_free(buf);
	ldns_rr_free(copy);
	return s;
}

/* ldns stores "70000" in a 16-bit field as 4464 without a word.  Check the
 * leading integer fields (MX preference, SRV priority/weight/port, CAA
 * flags, ...) against their text, which is one token each. */
static bool
int_fields_fit(const ldns_rr *rr, const char *text)
{
	unsigned long	 v, max;
	size_t		 i;
	const char	*p = text;
	char		*end;

	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		switch (ldns_rdf_get_type(ldns_rr_rdf(rr, i))) {
		case LDNS_RDF_TYPE_INT8:
			max = UINT8_MAX;
			break;
		case LDNS_RDF_TYPE_INT16:
			max = UINT16_MAX;
			break;
		default:
			return true;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		v = strtoul(p, &end, 10);
		if (end == p)
			return true;	/* a mnemonic, ldns checked it */
		if (v > max)
			return false;
		p = end;
	}
	return true;
}

/* ldns takes an unquoted ';' as the start of a comment and drops the rest:
 * "TXT a;b" would silently watch for "a". */
static bool
has_bare_semicolon(const char *text)
{
	bool	quoted = false;

	for (; *text != '\0'; text++) {
		if (*text == '\\' && text[1] != '\0')
			text++;
		else if (*text == '"')
			quoted = !quoted;
		else if (*text == ';' && !quoted)
			return true;
	}
	return false;
}

char *
rdata_parse(const char *owner, uint16_t type, const char *text, char *err,
    size_t errlen)
{
	ldns_rr		*rr = NULL;
	ldns_status	 st;
	char		*line, *s, tbuf[16];
	const char	*tname = rrtype_name(type, tbuf);

	if (text[0] == '\0') {
		snprintf(err, errlen, "empty %s value", tname);
		return NULL;
	}
	if (has_bare_semicolon(text)) {
		snprintf(err, errlen, "bad %s value \"%s\": quote a ';' or "
		    "write it as \\059", tname, text);
		return NULL;
	}
	if (asprintf(&line, "%s 0 IN %s %s", owner, tname, text) == -1) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st = ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL);
	free(line);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "bad %s value \"%s\": %s", tname, text,
		    ldns_get_errorstr_by_id(st));
		return NULL;
	}
	if (!int_fields_fit(rr, text)) {
		snprintf(err, errlen, "bad %s value \"%s\": number out of range",
		    tname, text);
		ldns_rr_free(rr);
		return NULL;
	}
	/* Relative names in RDATA would silently get the root appended by
	 * ldns; an operator writing "mx01.example.co.jp" means the absolute
	 * name, which is what that gives, so accept it. */
	if ((s = rdata_canon(rr)) == NULL)
		snprintf(err, errlen, "bad %s value \"%s\"", tname, text);
	ldns_rr_free(rr);
	return s;
}

static int
rdset_find(const struct rdset *set, const char *s, size_t *pos)
{
	size_t	lo = 0, hi = set->n, mid;
	int	c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(s, set->rr[mid]);
		if (c == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*pos = lo;
	return 0;
}

void
rdset_add(struct rdset *set, char *s)
{
	size_t	pos;

	if (rdset_find(set, s, &pos)) {
		free(s);
		return;
	}
	set->rr = xreallocarray(set->rr, set->n + 1, sizeof(*set->rr));
	memmove(&set->rr[pos + 1], &set->rr[pos],
	    (set->n - pos) * sizeof(*set->rr));
	set->rr[pos] = s;
	set->n++;
}

bool
rdset_equal(const struct rdset *a, const struct rdset *b)
{
	size_t	i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->rr[i], b->rr[i]) != 0)
			return false;
	return true;
}

void
rdset_free(struct rdset *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		free(set->rr[i]);
	free(set->rr);
	set->rr = NULL;
	set->n = 0;
}

void
rdset_copy(struct rdset *dst, const struct rdset *src)
{
	size_t	i;

	dst->rr = src->n ? xcalloc(src->n, sizeof(*dst->rr)) : NULL;
	for (i = 0; i < src->n; i++)
		dst->rr[i] = xstrdup(src->rr[i]);
	dst->n = src->n;
}

char *
rdset_join(const struct rdset *set)
{
	size_t	 i, len = 1;
	char	*s, *p;

	for (i = 0; i < set->n; i++)
		len += strlen(set->rr[i]) + 1;
	p = s = xcalloc(1, len);
	for (i = 0; i < set->n; i++) {
		if (i > 0)
			*p++ = '\n';
		p = stpcpy(p, set->rr[i]);
	}
	return s;
}

void
rdset_split(struct rdset *set, const char *joined)
{
	const char	*p = joined, *nl;
	char		*s;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (nl > p) {
			if ((s = strndup(p, (size_t)(nl - p))) == NULL)
				fatal("%s", __func__);
			rdset_add(set, s);
		}
		p = *nl ? nl + 1 : nl;
	}
}

uint16_t
rrtype_from_name(const char *name)
{
	ldns_rr_type	t;

	t = ldns_get_rr_type_by_name(name);
	/* Meta and query types are not records a resolver can hold. */
	switch (t) {
	case LDNS_RR_TYPE_OPT:
	case LDNS_RR_TYPE_TSIG:
	case LDNS_RR_TYPE_TKEY:
	case LDNS_RR_TYPE_IXFR:
	case LDNS_RR_TYPE_AXFR:
	case LDNS_RR_TYPE_MAILA:
	case LDNS_RR_TYPE_MAILB:
	case LDNS_RR_TYPE_ANY:
		return 0;
	default:
		return (uint16_t)t;
	}
}

const char *
rrtype_name(uint16_t type, char *buf)
{
	const ldns_rr_descriptor	*d;

	d = ldns_rr_descript(type);
	if (d != NULL && d->_name != NULL)
		return d->_name;
	snprintf(buf, 16, "TYPE%u", type);
	return buf;
}
