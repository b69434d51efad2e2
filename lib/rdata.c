/*
 * Canonical RDATA and sets of it.  The layout table is the one place that
 * knows where a type keeps its names; both the answers' RDATA and the
 * config's go through rdata_canon() with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "log.h"
#include "rdata.h"
#include "util.h"
#include "wire.h"

struct layout {
	uint16_t	 type;
	const char	*fields;
};

/* Sorted by type for bsearch.  The types whose names RFC 4034 6.2 and
 * RFC 3597 4 ask to lower-case or decompress are here, with SVCB and
 * HTTPS; others that hold names (IPSECKEY, HIP, AMTRELAY, ...) are
 * compared byte for byte, as RFC 3597 treats types it does not know. */
static const struct layout layouts[] = {
	{ 1, "4" },		/* A */
	{ 2, "n" },		/* NS */
	{ 3, "n" },		/* MD */
	{ 4, "n" },		/* MF */
	{ 5, "n" },		/* CNAME */
	{ 6, "nnlllll" },	/* SOA */
	{ 7, "n" },		/* MB */
	{ 8, "n" },		/* MG */
	{ 9, "n" },		/* MR */
	{ 12, "n" },		/* PTR */
	{ 13, "ss" },		/* HINFO */
	{ 14, "nn" },		/* MINFO */
	{ 15, "wn" },		/* MX */
	{ 16, "S" },		/* TXT */
	{ 17, "nn" },		/* RP */
	{ 18, "wn" },		/* AFSDB */
	{ 21, "wn" },		/* RT */
	{ 24, "wbblllwnr" },	/* SIG */
	{ 26, "wnn" },		/* PX */
	{ 28, "6" },		/* AAAA */
	{ 30, "nr" },		/* NXT */
	{ 33, "wwwn" },		/* SRV */
	{ 35, "wwsssn" },	/* NAPTR */
	{ 36, "wn" },		/* KX */
	{ 39, "n" },		/* DNAME */
	{ 43, "wbbX" },		/* DS */
	{ 44, "bbX" },		/* SSHFP */
	{ 46, "wbblllwnr" },	/* RRSIG */
	{ 47, "nr" },		/* NSEC */
	{ 48, "wbbB" },		/* DNSKEY */
	{ 52, "bbbX" },		/* TLSA */
	{ 53, "bbbX" },		/* SMIMEA */
	{ 59, "wbbX" },		/* CDS */
	{ 60, "wbbB" },		/* CDNSKEY */
	{ 64, "wnv" },		/* SVCB */
	{ 65, "wnv" },		/* HTTPS */
	{ 99, "S" },		/* SPF */
	{ 257, "bTL" },		/* CAA */
};

static int
layout_cmp(const void *key, const void *elem)
{
	uint16_t	t = *(const uint16_t *)key;

	return (int)t - (int)((const struct layout *)elem)->type;
}

const char *
rdata_layout(uint16_t type)
{
	const struct layout	*l;

	l = bsearch(&type, layouts, sizeof(layouts) / sizeof(layouts[0]),
	    sizeof(layouts[0]), layout_cmp);
	return l != NULL ? l->fields : NULL;
}

/* Size of a fixed-size field, 0 for the others. */
static size_t
field_fixed(char f)
{
	switch (f) {
	case 'b':
		return 1;
	case 'w':
		return 2;
	case 'l':
	case '4':
		return 4;
	case '6':
		return 16;
	}
	return 0;
}

/* Copy one field at *pos (below end) to out + *olen.  -1 if it does
 * not fit the RDATA or the output. */
static int
canon_field(char f, const uint8_t *msg, size_t msglen, size_t *pos,
    size_t end, uint8_t *out, size_t *olen)
{
	struct wire_name	name;
	size_t			n;

	switch (f) {
	case 'n':
		if (wire_name_read(msg, msglen, pos, &name, true) == -1 ||
		    *pos > end)
			return -1;
		if (*olen + name.len > RDATA_MAX)
			return -1;
		memcpy(out + *olen, name.b, name.len);
		*olen += name.len;
		return 0;
	case 's':
	case 'T':
		if (*pos >= end)
			return -1;
		n = 1 + (size_t)msg[*pos];
		break;
	case 'S':
		/* One string at least, then whole strings to the end. */
		if (*pos >= end)
			return -1;
		for (n = 0; *pos + n < end; n += 1 + (size_t)msg[*pos + n])
			;
		break;
	case 'X':
	case 'B':
		if (*pos >= end)
			return -1;
		n = end - *pos;
		break;
	case 'L':
	case 'v':
	case 'r':
		n = end - *pos;
		break;
	default:
		if ((n = field_fixed(f)) == 0)
			return -1;
		break;
	}
	if (*pos + n > end || *olen + n > RDATA_MAX)
		return -1;
	memcpy(out + *olen, msg + *pos, n);
	*olen += n;
	*pos += n;
	return 0;
}

int
rdata_canon(uint16_t type, const uint8_t *msg, size_t msglen, size_t rdoff,
    size_t rdlen, uint8_t *out)
{
	const char	*f = rdata_layout(type);
	size_t		 pos = rdoff, end = rdoff + rdlen, olen = 0;

	if (end > msglen || rdlen > RDATA_MAX)
		return -1;
	if (rdlen == 0)
		return 0;
	if (f == NULL) {
		memcpy(out, msg + rdoff, rdlen);
		return (int)rdlen;
	}
	for (; *f != '\0'; f++)
		if (canon_field(*f, msg, msglen, &pos, end, out, &olen) == -1)
			return -1;
	/* Bytes after the last field: not this type's RDATA. */
	if (pos != end)
		return -1;
	return (int)olen;
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

/* The RDATA ldns made, as wire bytes; -1 if it does not fit. */
static int
rr_rdata_wire(const ldns_rr *rr, uint8_t *out)
{
	const ldns_rdf	*rdf;
	size_t		 i, len = 0;

	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		rdf = ldns_rr_rdf(rr, i);
		if (len + ldns_rdf_size(rdf) > RDATA_MAX)
			return -1;
		if (ldns_rdf_size(rdf) == 0)
			continue;
		memcpy(out + len, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
		len += ldns_rdf_size(rdf);
	}
	return (int)len;
}

/* Text to an ldns record; NULL with err set. */
static ldns_rr *
text_to_rr(const char *owner, const char *tname, const char *text,
    char *err, size_t errlen)
{
	ldns_rr		*rr = NULL;
	ldns_status	 st;
	char		*line;

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
	return rr;
}

int
rdata_parse(const char *owner, uint16_t type, const char *text, uint8_t *out,
    char *err, size_t errlen)
{
	ldns_rr		*rr;
	uint8_t		*raw;
	char		 tbuf[16];
	const char	*tname = rrtype_name(type, tbuf);
	int		 len = -1, rawlen;

	if (text[0] == '\0') {
		snprintf(err, errlen, "empty %s value", tname);
		return -1;
	}
	/* WKS is obsolete (RFC 1123 2.2) and ldns's parser looks every
	 * service name up through NSS: only the generic form. */
	if (type == LDNS_RR_TYPE_WKS && strncmp(text, "\\#", 2) != 0) {
		snprintf(err, errlen, "bad WKS value \"%s\": write it in RFC "
		    "3597 form, \\# LENGTH HEX", text);
		return -1;
	}
	if (has_bare_semicolon(text)) {
		snprintf(err, errlen, "bad %s value \"%s\": quote a ';' or "
		    "write it as \\059", tname, text);
		return -1;
	}
	if ((rr = text_to_rr(owner, tname, text, err, errlen)) == NULL)
		return -1;
	raw = xcalloc(1, RDATA_MAX);
	if (!int_fields_fit(rr, text))
		snprintf(err, errlen, "bad %s value \"%s\": number out of range",
		    tname, text);
	else if ((rawlen = rr_rdata_wire(rr, raw)) == -1 ||
	    (len = rdata_canon(type, raw, (size_t)rawlen, 0, (size_t)rawlen,
	    out)) == -1)
		snprintf(err, errlen, "bad %s value \"%s\"", tname, text);
	free(raw);
	ldns_rr_free(rr);
	return len;
}

/* Sets. */

/* An item's hash, mixed so that a sum over the set stays well spread:
 * the sum does not depend on the order items are added in. */
static uint64_t
item_hash(const uint8_t *rd, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++)
		h = (h ^ rd[i]) * 0x100000001b3ULL;
	h ^= len;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return (h ^ (h >> 31)) | 1;
}

/* RFC 4034 6.3: left-justified octet strings, a shorter one first when it
 * is a prefix of the other. */
static int
item_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t	n = alen < blen ? alen : blen;
	int	c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

const uint8_t *
rdset_next(const struct rdset *set, size_t *off, uint16_t *len)
{
	const uint8_t	*p;

	if (*off + 2 > set->len)
		return NULL;
	p = set->buf + *off;
	*len = wire_get16(p);
	*off += 2 + (size_t)*len;
	return p + 2;
}

int
rdset_add(struct rdset *set, const uint8_t *rd, size_t len)
{
	const uint8_t	*it;
	size_t		 off = 0, at;
	uint16_t	 ilen;
	int		 c;

	if (len > RDATA_MAX || set->n == UINT16_MAX)
		return -1;
	at = set->len;
	while ((it = rdset_next(set, &off, &ilen)) != NULL) {
		if ((c = item_cmp(rd, len, it, ilen)) == 0)
			return 0;
		if (c < 0) {
			at = (size_t)(it - set->buf) - 2;
			break;
		}
	}
	set->buf = xreallocarray(set->buf, 1, set->len + 2 + len);
	memmove(set->buf + at + 2 + len, set->buf + at, set->len - at);
	wire_put16(set->buf + at, (uint16_t)len);
	if (len > 0)
		memcpy(set->buf + at + 2, rd, len);
	set->len += 2 + (uint32_t)len;
	set->n++;
	set->hash += item_hash(rd, len);
	return 0;
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct rdata_ref	*x = a, *y = b;

	return item_cmp(x->rd, x->len, y->rd, y->len);
}

int
rdset_build(struct rdset *set, struct rdata_ref *items, size_t n)
{
	size_t	i, total = 0, kept = 0;

	if (n > UINT16_MAX)
		return -1;
	qsort(items, n, sizeof(*items), ref_cmp);
	for (i = 0; i < n; i++)
		total += 2 + items[i].len;
	memset(set, 0, sizeof(*set));
	if (total == 0)
		return 0;
	set->buf = xreallocarray(NULL, 1, total);
	for (i = 0; i < n; i++) {
		if (kept > 0 && ref_cmp(&items[i], &items[i - 1]) == 0)
			continue;
		wire_put16(set->buf + set->len, items[i].len);
		if (items[i].len > 0)
			memcpy(set->buf + set->len + 2, items[i].rd,
			    items[i].len);
		set->len += 2 + (uint32_t)items[i].len;
		set->n++;
		set->hash += item_hash(items[i].rd, items[i].len);
		kept++;
	}
	return 0;
}

bool
rdset_equal(const struct rdset *a, const struct rdset *b)
{
	return a->n == b->n && a->dropped == b->dropped &&
	    a->hash == b->hash && a->len == b->len &&
	    (a->len == 0 || memcmp(a->buf, b->buf, a->len) == 0);
}

void
rdset_free(struct rdset *set)
{
	free(set->buf);
	memset(set, 0, sizeof(*set));
}

void
rdset_copy(struct rdset *dst, const struct rdset *src)
{
	*dst = *src;
	dst->buf = NULL;
	if (src->len > 0) {
		dst->buf = xreallocarray(NULL, 1, src->len);
		memcpy(dst->buf, src->buf, src->len);
	}
}

void
rdset_copy_capped(struct rdset *dst, const struct rdset *src, size_t max)
{
	size_t		off = 0, keep = 0;
	uint16_t	len, n = 0;

	while (rdset_next(src, &off, &len) != NULL && off <= max) {
		keep = off;
		n++;
	}
	*dst = *src;
	dst->buf = NULL;
	dst->len = (uint32_t)keep;
	dst->n = n;
	dst->dropped = (uint16_t)(src->dropped + (src->n - n));
	if (keep > 0) {
		dst->buf = xreallocarray(NULL, 1, keep);
		memcpy(dst->buf, src->buf, keep);
	}
}

#define BLOB_HDRLEN	12	/* n, dropped, hash */

size_t
rdset_blob(const struct rdset *set, uint8_t **out)
{
	uint8_t		*b;
	unsigned	 i;

	b = xcalloc(1, BLOB_HDRLEN + set->len);
	wire_put16(b, set->n);
	wire_put16(b + 2, set->dropped);
	for (i = 0; i < 8; i++)
		b[4 + i] = (uint8_t)(set->hash >> (56 - 8 * i));
	if (set->len > 0)
		memcpy(b + BLOB_HDRLEN, set->buf, set->len);
	*out = b;
	return BLOB_HDRLEN + set->len;
}

int
rdset_from_blob(struct rdset *set, const uint8_t *blob, size_t len)
{
	struct rdset	 s;
	size_t		 pos = BLOB_HDRLEN, l;
	uint64_t	 hash = 0;
	unsigned	 i;

	memset(set, 0, sizeof(*set));
	if (blob == NULL || len < BLOB_HDRLEN)
		return -1;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 8; i++)
		hash = hash << 8 | blob[4 + i];
	while (pos < len) {
		if (pos + 2 > len ||
		    pos + 2 + (l = wire_get16(blob + pos)) > len ||
		    rdset_add(&s, blob + pos + 2, l) == -1) {
			rdset_free(&s);
			return -1;
		}
		pos += 2 + l;
	}
	/* The items must be a set as written: sorted, no duplicates. */
	if (s.n != wire_get16(blob) || s.len != len - BLOB_HDRLEN ||
	    (s.len > 0 && memcmp(s.buf, blob + BLOB_HDRLEN, s.len) != 0)) {
		rdset_free(&s);
		return -1;
	}
	s.dropped = wire_get16(blob + 2);
	/* A set cut short keeps the hash of the whole one. */
	if (s.dropped > 0)
		s.hash = hash;
	*set = s;
	return 0;
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
