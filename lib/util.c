/*
 * Helpers shared by every module.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

void
errlist_add(struct errlist *e, const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024], *s;
	int	 r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file == NULL)
		r = asprintf(&s, "%s", msg);
	else if (line > 0)
		r = asprintf(&s, "%s:%d: %s", file, line, msg);
	else
		r = asprintf(&s, "%s: %s", file, msg);
	if (r == -1)
		fatal("%s", __func__);
	e->msg = xreallocarray(e->msg, e->n + 1, sizeof(*e->msg));
	e->msg[e->n++] = s;
}

void
errlist_free(struct errlist *e)
{
	size_t	i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = 0;
}

static int
unit_seconds(char c, unsigned *mult)
{
	switch (c) {
	case 's': *mult = 1; return 0;
	case 'm': *mult = 60; return 0;
	case 'h': *mult = 3600; return 0;
	case 'd': *mult = 86400; return 0;
	}
	return -1;
}

int
parse_duration(const char *s, unsigned *secs)
{
	unsigned long long	 total = 0, v;
	unsigned		 mult;
	const char		*start = s;
	char			*end;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno != 0 || v > UINT_MAX)
			return -1;
		if (*end == '\0') {
			/* A bare number is seconds, but only as the last part:
			 * "1h30" is more likely a typo than 1h30s. */
			if (s != start)
				return -1;
			mult = 1;
		} else if (unit_seconds(*end, &mult) == -1)
			return -1;
		else
			end++;
		total += v * mult;
		if (total > UINT_MAX)
			return -1;
		s = end;
	}
	*secs = (unsigned)total;
	return 0;
}

const char *
fmt_duration(unsigned secs, char *buf, size_t len)
{
	if (secs != 0 && secs % 86400 == 0)
		snprintf(buf, len, "%ud", secs / 86400);
	else if (secs != 0 && secs % 3600 == 0)
		snprintf(buf, len, "%uh", secs / 3600);
	else if (secs != 0 && secs % 60 == 0)
		snprintf(buf, len, "%um", secs / 60);
	else
		snprintf(buf, len, "%us", secs);
	return buf;
}

int
names_find(const char *const *names, int n, const char *s)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *
fmt_span(unsigned secs, char *buf, size_t len)
{
	if (secs >= 86400)
		snprintf(buf, len, "%ud%uh", secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600)
		snprintf(buf, len, "%uh%um", secs / 3600, secs % 3600 / 60);
	else if (secs >= 60)
		snprintf(buf, len, "%um%us", secs / 60, secs % 60);
	else
		snprintf(buf, len, "%us", secs);
	return buf;
}

const char *
fmt_time(time_t t, char *buf)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, NMIG_TIMEBUF, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, NMIG_TIMEBUF, "invalid");
	return buf;
}

time_t
parse_time(const char *s)
{
	struct tm	 tm;
	const char	*end;
	char		 buf[NMIG_TIMEBUF];
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return (time_t)-1;
	t = timegm(&tm);
	/* strptime takes 31 February and unpadded fields; only the exact
	 * form fmt_time writes is a time. */
	if (t == (time_t)-1 || strcmp(fmt_time(t, buf), s) != 0)
		return (time_t)-1;
	return t;
}

/* The length of the UTF-8 character at s, or 0 when the bytes there are
 * not one. */
static size_t
utf8_char(const unsigned char *s, size_t left)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)		/* a continuation, or overlong */
		return 0;
	if (s[0] < 0xe0)
		n = 2;
	else if (s[0] < 0xf0) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] < 0xf5) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	while (len > 0) {
		if ((n = utf8_char(p, len)) == 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/*
 * Copy in to out as text that is safe anywhere: each byte that does not
 * begin a UTF-8 character, and with escape each control character too,
 * becomes \xNN (escape) or U+FFFD; the copy ends before anything that
 * would not fit whole.
 */
static size_t
text_clean(const char *in, char *out, size_t outlen, bool escape)
{
	static const char	 fffd[] = "\xef\xbf\xbd";
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 left = strlen(in), len = 0, n, adv;
	char			 hex[5];
	const char		*from;

	if (outlen == 0)
		return 0;
	while (left > 0) {
		from = (const char *)p;
		adv = n = utf8_char(p, left);
		if (n == 0 || (escape && n == 1 && (*p < 0x20 || *p == 0x7f))) {
			if (escape) {
				snprintf(hex, sizeof(hex), "\\x%02x", *p);
				from = hex;
			} else
				from = fffd;
			n = strlen(from);
			adv = 1;
		}
		if (len + n >= outlen)
			break;
		memcpy(out + len, from, n);
		len += n;
		p += adv;
		left -= adv;
	}
	out[len] = '\0';
	return len;
}

size_t
utf8_sanitize(const char *in, char *out, size_t outlen)
{
	return text_clean(in, out, outlen, false);
}

size_t
str_escape(const char *s, char *out, size_t outlen)
{
	return text_clean(s, out, outlen, true);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("%s", __func__);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		fatal("%s", __func__);
	return p;
}

void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		fatal("%s", __func__);
	}
	if ((p = realloc(ptr, n * size)) == NULL && n * size != 0)
		fatal("%s", __func__);
	return p;
}

/* Optimal string alignment distance (Levenshtein with adjacent
 * transpositions), ignoring case; names longer than 64 are never near. */
static unsigned
edit_distance(const char *a, const char *b)
{
	unsigned	d[65][65], i, j, la = strlen(a), lb = strlen(b), c, v;

	if (la > 64 || lb > 64)
		return UINT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			v = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

bool
near_miss(const char *typo, const char *name)
{
	size_t		len = strlen(name);
	unsigned	max = len <= 3 ? 1 : len <= 8 ? 2 : 3;

	return edit_distance(typo, name) <= max;
}

const char *
option_near_miss(const char *arg, const struct option *longopts)
{
	char		 name[64];
	const char	*best = NULL;
	unsigned	 best_distance = 0;
	size_t		 len;

	if (arg == NULL || strncmp(arg, "--", 2) != 0)
		return NULL;
	len = strcspn(arg + 2, "=");
	if (len == 0 || len >= sizeof(name))
		return NULL;
	memcpy(name, arg + 2, len);
	name[len] = '\0';
	for (; longopts->name != NULL; longopts++) {
		if (strcmp(longopts->name, name) == 0)
			return NULL;
		if (near_miss(name, longopts->name) && (best == NULL ||
		    edit_distance(name, longopts->name) < best_distance)) {
			best = longopts->name;
			best_distance = edit_distance(name, best);
		}
	}
	return best;
}

const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

bool
utf8_displayable(const char *u)
{
	const unsigned char	*p = (const unsigned char *)u;
	uint32_t		 c;
	int			 n;

	for (; *p != '\0'; p += n) {
		if (*p < 0x80) {
			c = *p;
			n = 1;
		} else if (*p < 0xe0) {
			c = (uint32_t)(*p & 0x1f) << 6 | (p[1] & 0x3f);
			n = 2;
		} else if (*p < 0xf0) {
			c = (uint32_t)(*p & 0x0f) << 12 |
			    (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			n = 3;
		} else {
			c = (uint32_t)(*p & 0x07) << 18 |
			    (uint32_t)(p[1] & 0x3f) << 12 |
			    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			n = 4;
		}
		if (c < 0x20 || (c >= 0x7f && c < 0xa0) ||
		    (c >= 0x200e && c <= 0x200f) ||
		    (c >= 0x2028 && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069) ||
		    (c >= 0xfff9 && c <= 0xfffb))
			return false;
	}
	return true;
}
