/*
 * The RDATA printer.  Each field is printed from bytes already known to
 * lie inside the RDATA; any doubt about a field sends the whole record
 * to the RFC 3597 form, which can show any bytes.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdata.h"
#include "rdtext.h"
#include "util.h"
#include "wire.h"

/* A string that grows as it is written. */
struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void
sb_need(struct sbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 64;
	b->s = xreallocarray(b->s, 1, b->cap);
}

static void
sb_putc(struct sbuf *b, char c)
{
	sb_need(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static void
sb_printf(struct sbuf *b, const char *fmt, ...) NMIG_PRINTF(2, 3);

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_need(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* One byte of a character-string.  ';' is written as \059 so that no
 * config reader takes it for a comment, ',' is safe inside quotes. */
static void
put_strbyte(struct sbuf *b, uint8_t c)
{
	if (c == '"' || c == '\\')
		sb_printf(b, "\\%c", c);
	else if (c < 0x20 || c > 0x7e || c == ';')
		sb_printf(b, "\\%03u", c);
	else
		sb_putc(b, (char)c);
}

static void
put_quoted(struct sbuf *b, const uint8_t *p, size_t n)
{
	size_t	i;

	sb_putc(b, '"');
	for (i = 0; i < n; i++)
		put_strbyte(b, p[i]);
	sb_putc(b, '"');
}

/* A name from canonical RDATA (uncompressed, known to be whole). */
static size_t
put_name(struct sbuf *b, const uint8_t *p)
{
	size_t	i, pos = 0;
	uint8_t	l, c;

	if (p[0] == 0) {
		sb_putc(b, '.');
		return 1;
	}
	while ((l = p[pos++]) != 0) {
		for (i = 0; i < l; i++) {
			c = p[pos + i];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			    c == '*')
				sb_putc(b, (char)c);
			else if (c > 0x20 && c < 0x7f && c != ';')
				sb_printf(b, "\\%c", c);
			else
				sb_printf(b, "\\%03u", c);
		}
		sb_putc(b, '.');
		pos += l;
	}
	return pos;
}

static void
put_hex(struct sbuf *b, const uint8_t *p, size_t n)
{
	size_t	i;

	sb_need(b, 2 * n);
	for (i = 0; i < n; i++)
		sb_printf(b, "%02x", p[i]);
}

static void
put_base64(struct sbuf *b, const uint8_t *p, size_t n)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		sb_printf(b, "%c%c%c%c", tab[v >> 18], tab[(v >> 12) & 63],
		    tab[(v >> 6) & 63], tab[v & 63]);
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		sb_printf(b, "%c%c==", tab[v >> 18], tab[(v >> 12) & 63]);
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		sb_printf(b, "%c%c%c=", tab[v >> 18], tab[(v >> 12) & 63],
		    tab[(v >> 6) & 63]);
	}
}

static void
put_addr(struct sbuf *b, int af, const uint8_t *p)
{
	char	buf[INET6_ADDRSTRLEN];

	if (inet_ntop(af, p, buf, sizeof(buf)) != NULL)
		sb_printf(b, "%s", buf);
}

/* SVCB parameters (RFC 9460 2.1).  Values are quoted: a comma inside
 * one must not split a config value list.  -1 on anything that is not a
 * well-formed parameter list. */
static const char *const svc_keys[] = { "mandatory", "alpn",
    "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint" };

static void
put_svc_key(struct sbuf *b, uint16_t key)
{
	if (key < sizeof(svc_keys) / sizeof(svc_keys[0]))
		sb_printf(b, "%s", svc_keys[key]);
	else
		sb_printf(b, "key%u", key);
}

static int
put_svc_list(struct sbuf *b, uint16_t key, const uint8_t *v, size_t n)
{
	size_t	i, j, l;

	switch (key) {
	case 0:		/* mandatory: keys */
		if (n == 0 || n % 2 != 0)
			return -1;
		for (i = 0; i < n; i += 2) {
			if (i > 0)
				sb_putc(b, ',');
			put_svc_key(b, wire_get16(v + i));
		}
		return 0;
	case 1:		/* alpn: character-strings */
		if (n == 0)
			return -1;
		for (i = 0; i < n; i += 1 + l) {
			l = v[i];
			if (i + 1 + l > n || l == 0)
				return -1;
			if (i > 0)
				sb_putc(b, ',');
			for (j = 0; j < l; j++) {
				if (v[i + 1 + j] == ',' || v[i + 1 + j] == '\\')
					sb_printf(b, "\\\\");
				put_strbyte(b, v[i + 1 + j]);
			}
		}
		return 0;
	case 4:		/* ipv4hint */
	case 6:		/* ipv6hint */
		l = key == 4 ? 4 : 16;
		if (n == 0 || n % l != 0)
			return -1;
		for (i = 0; i < n; i += l) {
			if (i > 0)
				sb_putc(b, ',');
			put_addr(b, key == 4 ? AF_INET : AF_INET6, v + i);
		}
		return 0;
	}
	return -1;
}

static int
put_svcparam(struct sbuf *b, uint16_t key, const uint8_t *v, size_t n)
{
	size_t	i;

	put_svc_key(b, key);
	switch (key) {
	case 2:
		return n == 0 ? 0 : -1;
	case 3:
		if (n != 2)
			return -1;
		sb_printf(b, "=%u", wire_get16(v));
		return 0;
	case 5:
		if (n == 0)
			return -1;
		sb_putc(b, '=');
		put_base64(b, v, n);
		return 0;
	case 0:
	case 1:
	case 4:
	case 6:
		sb_printf(b, "=\"");
		if (put_svc_list(b, key, v, n) == -1)
			return -1;
		sb_putc(b, '"');
		return 0;
	}
	if (n == 0)
		return 0;
	sb_printf(b, "=\"");
	for (i = 0; i < n; i++)
		put_strbyte(b, v[i]);
	sb_putc(b, '"');
	return 0;
}

static int
put_svcparams(struct sbuf *b, const uint8_t *p, size_t n)
{
	size_t		pos = 0, l;
	uint16_t	key;
	int		last = -1;

	while (pos < n) {
		if (pos + 4 > n)
			return -1;
		key = wire_get16(p + pos);
		l = wire_get16(p + pos + 2);
		/* Keys in strictly increasing order (RFC 9460 2.2). */
		if ((int)key <= last || pos + 4 + l > n)
			return -1;
		last = key;
		sb_putc(b, ' ');
		if (put_svcparam(b, key, p + pos + 4, l) == -1)
			return -1;
		pos += 4 + l;
	}
	return 0;
}

/* Length of the character-string or name field at p (n bytes left). */
static size_t
field_len(char f, const uint8_t *p, size_t n)
{
	size_t	pos = 0;

	if (f == 's' || f == 'T')
		return n > 0 && 1 + (size_t)p[0] <= n ? 1 + (size_t)p[0] : 0;
	/* 'n': canonical names are whole and uncompressed. */
	while (pos < n && p[pos] != 0) {
		if (p[pos] > WIRE_LABELMAX)
			return 0;
		pos += 1 + (size_t)p[pos];
	}
	return pos < n ? pos + 1 : 0;
}

static bool
tag_ok(const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
			return false;
	return n > 0;
}

/* Print one field at *pos; -1 when it does not fit its layout. */
static int
put_field(struct sbuf *b, char f, const uint8_t *rd, size_t len, size_t *pos)
{
	const uint8_t	*p = rd + *pos;
	size_t		 left = len - *pos, n;

	switch (f) {
	case 'b':
		if (left < 1)
			return -1;
		sb_printf(b, "%u", p[0]);
		*pos += 1;
		return 0;
	case 'w':
		if (left < 2)
			return -1;
		sb_printf(b, "%u", wire_get16(p));
		*pos += 2;
		return 0;
	case 'l':
		if (left < 4)
			return -1;
		sb_printf(b, "%lu", (unsigned long)wire_get32(p));
		*pos += 4;
		return 0;
	case '4':
	case '6':
		n = f == '4' ? 4 : 16;
		if (left < n)
			return -1;
		put_addr(b, f == '4' ? AF_INET : AF_INET6, p);
		*pos += n;
		return 0;
	case 'n':
		if ((n = field_len(f, p, left)) == 0)
			return -1;
		put_name(b, p);
		*pos += n;
		return 0;
	case 's':
	case 'T':
		if ((n = field_len(f, p, left)) == 0 ||
		    (f == 'T' && !tag_ok(p + 1, n - 1)))
			return -1;
		if (f == 'T')
			sb_printf(b, "%.*s", (int)(n - 1), (const char *)p + 1);
		else
			put_quoted(b, p + 1, n - 1);
		*pos += n;
		return 0;
	case 'S':
		if (left == 0)
			return -1;
		while (*pos < len) {
			if ((n = field_len('s', rd + *pos, len - *pos)) == 0)
				return -1;
			if (rd + *pos != p)
				sb_putc(b, ' ');
			put_quoted(b, rd + *pos + 1, n - 1);
			*pos += n;
		}
		return 0;
	case 'L':
		put_quoted(b, p, left);
		break;
	case 'X':
	case 'B':
		if (left == 0)
			return -1;
		if (f == 'X')
			put_hex(b, p, left);
		else
			put_base64(b, p, left);
		break;
	case 'v':
		/* The parameters bring their own separating spaces. */
		b->len--;
		b->s[b->len] = '\0';
		if (put_svcparams(b, p, left) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	*pos = len;
	return 0;
}

static void
put_generic(struct sbuf *b, const uint8_t *rd, size_t len)
{
	sb_printf(b, "\\# %zu", len);
	if (len > 0) {
		sb_putc(b, ' ');
		put_hex(b, rd, len);
	}
}

char *
rdtext(uint16_t type, const uint8_t *rd, size_t len)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*f = rdata_layout(type);
	size_t		 pos = 0;

	sb_need(&b, 0);
	b.s[0] = '\0';
	if (f == NULL || len == 0 || strchr(f, 'r') != NULL)
		goto generic;
	for (; *f != '\0'; f++) {
		if (pos > 0 || b.len > 0)
			sb_putc(&b, ' ');
		if (put_field(&b, *f, rd, len, &pos) == -1)
			goto generic;
	}
	if (pos == len)
		return b.s;
generic:
	b.len = 0;
	b.s[0] = '\0';
	put_generic(&b, rd, len);
	return b.s;
}

char *
rdtext_config(const char *owner, uint16_t type, const uint8_t *rd,
    size_t len)
{
	struct sbuf	 b = { NULL, 0, 0 };
	uint8_t		*back;
	char		*s, err[256];
	int		 blen;

	s = rdtext(type, rd, len);
	back = xcalloc(1, RDATA_MAX);
	blen = rdata_parse(owner, type, s, back, err, sizeof(err));
	if (blen == -1 || (size_t)blen != len ||
	    (len > 0 && memcmp(back, rd, len) != 0)) {
		free(s);
		sb_need(&b, 0);
		put_generic(&b, rd, len);
		s = b.s;
	}
	free(back);
	return s;
}
