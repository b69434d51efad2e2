/*
 * HTTP/1.x request heads.  Strict where leniency has been used to smuggle
 * requests past proxies (whitespace before a colon, folded lines, bare CR,
 * a missing or doubled Host), lenient where clients really differ (LF-only
 * line ends, an empty line or two before the request, absolute-form
 * targets).  Every look at the buffer is bounded by the bytes given.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "httpreq.h"

/* One line of the head, without its LF or CRLF. */
struct line {
	const char	*p;
	size_t		 len;
};

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 421, "Misdirected Request" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
	{ 505, "HTTP Version Not Supported" },
};

const char *
httpreq_reason(int status)
{
	size_t	i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Error";
}

/* RFC 9110 5.6.2 token characters. */
static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
is_token(const char *p, size_t len)
{
	size_t	i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_tchar((unsigned char)p[i]))
			return 0;
	return 1;
}

/* The line starting at *off: 1 and *off past it, 0 when its LF has not
 * come yet, -1 for a CR that does not end the line. */
static int
next_line(const char *buf, size_t n, size_t *off, struct line *l)
{
	const char	*lf;

	if ((lf = memchr(buf + *off, '\n', n - *off)) == NULL)
		return 0;
	l->p = buf + *off;
	l->len = (size_t)(lf - l->p);
	if (l->len > 0 && l->p[l->len - 1] == '\r')
		l->len--;
	if (memchr(l->p, '\r', l->len) != NULL)
		return -1;
	*off = (size_t)(lf - buf) + 1;
	return 1;
}

static int
has_prefix_nocase(const char *p, size_t len, const char *prefix)
{
	size_t	n = strlen(prefix);

	return len >= n && strncasecmp(p, prefix, n) == 0;
}

static void
set_query(const char *q, const char *end, struct httpreq *req)
{
	if (q < end && *q == '?') {
		req->query = q + 1;
		req->querylen = (size_t)(end - q - 1);
	}
}

/* origin-form "/path?query" or absolute-form "http://host/path?query";
 * the path is what is routed.  -1 for anything else. */
static int
parse_target(const char *t, size_t len, struct httpreq *req)
{
	const char	*path, *end = t + len, *q;
	size_t		 i, skip;

	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f ||
		    t[i] == '#')
			return -1;
	if (len > 0 && t[0] == '/')
		path = t;
	else {
		if (has_prefix_nocase(t, len, "http://"))
			skip = 7;
		else if (has_prefix_nocase(t, len, "https://"))
			skip = 8;
		else
			return -1;
		/* The authority runs to the path or the query. */
		for (path = t + skip; path < end && *path != '/' &&
		    *path != '?'; path++)
			;
		if (path == t + skip)
			return -1;
		if (path == end || *path == '?') {
			req->path = "/";
			req->pathlen = 1;
			set_query(path, end, req);
			return 0;
		}
	}
	q = memchr(path, '?', (size_t)(end - path));
	req->path = path;
	req->pathlen = (size_t)((q != NULL ? q : end) - path);
	if (q != NULL)
		set_query(q, end, req);
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode len bytes of a query value into out: -1 when an escape is bad,
 * decodes to NUL, or out (outlen, NUL included) is too small. */
static int
query_decode(const char *p, size_t len, char *out, size_t outlen)
{
	size_t	i, n = 0;
	int	hi, lo;
	char	c;

	for (i = 0; i < len; i++) {
		c = p[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (len - i < 3 || (hi = hexval(p[i + 1])) == -1 ||
			    (lo = hexval(p[i + 2])) == -1 || hi + lo == 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

/* "localhost", an address of 127.0.0.0/8 or "[::1]", each with or
 * without ":port". */
bool
httpreq_host_is_loopback(const char *host, size_t len)
{
	char		 name[64];
	const char	*colon;
	struct in_addr	 a4;
	size_t		 i;

	if (len > 0 && host[0] == '[') {
		if (len < 5 || memcmp(host, "[::1]", 5) != 0)
			return false;
		return len == 5 || host[5] == ':';
	}
	colon = memchr(host, ':', len);
	if (colon != NULL)
		len = (size_t)(colon - host);
	if (len == 0 || len >= sizeof(name))
		return false;
	for (i = 0; i < len; i++)
		name[i] = (char)tolower((unsigned char)host[i]);
	name[len] = '\0';
	if (strcmp(name, "localhost") == 0 || strcmp(name, "localhost.") == 0)
		return true;
	return inet_pton(AF_INET, name, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127;
}

int
httpreq_query_get(const char *query, size_t querylen, const char *key,
    char *out, size_t outlen)
{
	const char	*p = query, *end, *amp, *eq;
	size_t		 klen = strlen(key);

	if (query == NULL || outlen == 0)
		return 1;
	end = query + querylen;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if ((eq != NULL ? (size_t)(eq - p) : (size_t)(amp - p)) ==
		    klen && memcmp(p, key, klen) == 0)
			return eq == NULL ? query_decode("", 0, out, outlen) :
			    query_decode(eq + 1, (size_t)(amp - eq - 1), out,
			    outlen);
		if (amp == end)
			break;
		p = amp + 1;
	}
	return 1;
}

/* "METHOD SP TARGET SP HTTP/1.x": 0 or the status to refuse it with.
 * Syntax first, then the version, then the method, then the target, so
 * that "OPTIONS * HTTP/1.1" is a 405 and not a 400. */
static int
parse_request_line(const struct line *l, struct httpreq *req)
{
	const char	*end = l->p + l->len, *sp1, *sp2, *v;

	if ((sp1 = memchr(l->p, ' ', l->len)) == NULL)
		return 400;
	if ((sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL)
		return 400;
	if (!is_token(l->p, (size_t)(sp1 - l->p)))
		return 400;
	v = sp2 + 1;
	if (end - v != 8 || memcmp(v, "HTTP/", 5) != 0 ||
	    v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1')
		return 505;
	req->minor = v[7] - '0';
	if (sp1 - l->p == 3 && memcmp(l->p, "GET", 3) == 0)
		req->method = HTTPREQ_GET;
	else if (sp1 - l->p == 4 && memcmp(l->p, "HEAD", 4) == 0)
		req->method = HTTPREQ_HEAD;
	else
		return 405;
	if (parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req) == -1)
		return 400;
	return 0;
}

/* The value of a header line without the optional whitespace around it;
 * -1 when it holds a control character. */
static int
header_value(const char *p, const char *end, struct line *v)
{
	const char	*q;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (q = p; q < end; q++)
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
			return -1;
	v->p = p;
	v->len = (size_t)(end - p);
	return 0;
}

static const char *
skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths; -1 for anything else. */
static int
qvalue(const char *p, size_t len)
{
	int	w = 0, scale = 100;
	size_t	i;

	if (len == 0 || (p[0] != '0' && p[0] != '1') || len > 5 ||
	    (len > 1 && p[1] != '.'))
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		w += (p[i] - '0') * scale;
	}
	if (p[0] == '1')
		return w == 0 ? 1000 : -1;
	return w;
}

/* One element of the list, "coding [ OWS ; OWS q=qvalue ]" with the
 * outer whitespace gone: its weight, or -1 when it does not parse. */
static int
element_weight(const char *p, const char *end, size_t namelen)
{
	p = skip_ows(p + namelen, end);
	if (p == end)
		return 1000;
	if (*p != ';')
		return -1;
	p = skip_ows(p + 1, end);
	if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return -1;
	return qvalue(p + 2, (size_t)(end - p - 2));
}

int
httpreq_accept_weight(const char *value, size_t len, const char *coding)
{
	const char	*p = value, *end = value + len, *comma, *e, *n;
	size_t		 clen = strlen(coding);
	int		 w;

	while (p < end) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		p = skip_ows(p, comma);
		for (e = comma; e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		for (n = p; n < e && is_tchar((unsigned char)*n); n++)
			;
		if ((size_t)(n - p) == clen && strncasecmp(p, coding, clen) == 0) {
			w = element_weight(p, e, clen);
			return w < 0 ? 0 : w;
		}
		p = comma + 1;
	}
	return -1;
}

/* The weights of gzip (or its alias x-gzip, RFC 9110 8.4.1.3) and of "*"
 * over every Accept-Encoding line, which make one list together: the
 * first line that names each counts. */
struct accept_gzip {
	int	gzip, star;
};

static void
accept_encoding(const struct line *v, struct accept_gzip *a)
{
	int	w, x;

	if (a->gzip < 0) {
		w = httpreq_accept_weight(v->p, v->len, "gzip");
		x = httpreq_accept_weight(v->p, v->len, "x-gzip");
		a->gzip = w > x ? w : x;
	}
	if (a->star < 0)
		a->star = httpreq_accept_weight(v->p, v->len, "*");
}

/* Content-Length is digits only: no sign, no list. */
static int
content_length(const struct line *v, struct httpreq *req)
{
	size_t	i;

	if (v->len == 0)
		return 400;
	for (i = 0; i < v->len; i++) {
		if (v->p[i] < '0' || v->p[i] > '9')
			return 400;
		if (v->p[i] != '0')
			req->body = true;
	}
	return 0;
}

/* "name: value": 0 or the status to refuse it with. */
static int
parse_header(const struct line *l, struct httpreq *req, int *hosts,
    struct accept_gzip *a)
{
	const char	*colon;
	struct line	 v;
	size_t		 nlen;

	/* A folded line (obs-fold) or whitespace before the colon is how
	 * one header is made to mean two things to two parsers. */
	if ((colon = memchr(l->p, ':', l->len)) == NULL)
		return 400;
	nlen = (size_t)(colon - l->p);
	if (!is_token(l->p, nlen))
		return 400;
	if (header_value(colon + 1, l->p + l->len, &v) == -1)
		return 400;
	if (nlen == 4 && strncasecmp(l->p, "host", 4) == 0) {
		(*hosts)++;
		req->host = v.p;
		req->hostlen = v.len;
	}
	else if (nlen == 17 && strncasecmp(l->p, "transfer-encoding", 17) == 0)
		req->body = true;
	else if (nlen == 14 && strncasecmp(l->p, "content-length", 14) == 0)
		return content_length(&v, req);
	else if (nlen == 15 && strncasecmp(l->p, "accept-encoding", 15) == 0)
		accept_encoding(&v, a);
	return 0;
}

static enum httpreq_result
refuse(struct httpreq *req, int status)
{
	req->status = status;
	return HTTPREQ_ERROR;
}

enum httpreq_result
httpreq_parse(const char *buf, size_t len, struct httpreq *req)
{
	size_t		n = len < HTTPREQ_HEAD_MAX ? len : HTTPREQ_HEAD_MAX;
	size_t		off = 0;
	struct line	l;
	struct accept_gzip a = { -1, -1 };	/* not named yet */
	int		r, st, leading = 0, headers = 0, hosts = 0;

	memset(req, 0, sizeof(*req));
	for (;;) {
		if ((r = next_line(buf, n, &off, &l)) == -1)
			return refuse(req, 400);
		if (r == 0)
			return len >= HTTPREQ_HEAD_MAX ? refuse(req, 414) :
			    HTTPREQ_INCOMPLETE;
		if (l.len > 0)
			break;
		if (++leading > HTTPREQ_LEADING_MAX)
			return refuse(req, 400);
	}
	if ((st = parse_request_line(&l, req)) != 0)
		return refuse(req, st);
	for (;;) {
		if ((r = next_line(buf, n, &off, &l)) == -1)
			return refuse(req, 400);
		if (r == 0)
			return len >= HTTPREQ_HEAD_MAX ? refuse(req, 431) :
			    HTTPREQ_INCOMPLETE;
		if (l.len == 0)
			break;
		if (++headers > HTTPREQ_HEADERS_MAX)
			return refuse(req, 431);
		if ((st = parse_header(&l, req, &hosts, &a)) != 0)
			return refuse(req, st);
	}
	/* RFC 9112 3.2: HTTP/1.1 requires one Host, and two are an attack. */
	if (hosts > 1 || (hosts == 0 && req->minor > 0))
		return refuse(req, 400);
	/* Named, gzip is taken at its own weight; "*" stands for it only
	 * where it is not named.  No Accept-Encoding: plain. */
	req->gzip = a.gzip >= 0 ? a.gzip > 0 : a.star > 0;
	req->headlen = off;
	return HTTPREQ_COMPLETE;
}
