/*
 * The head of an HTTP/1.x request (RFC 9112): the request line and the
 * header lines up to the empty line, parsed from bytes in memory.  No I/O
 * and no allocation: the results point into the caller's buffer.  Made for
 * a server that answers GET and HEAD only and reads no request bodies.
 */
#ifndef NMIG_HTTPREQ_H
#define NMIG_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

/* The whole head, request line included: more is refused with 414 (the
 * request line does not end within it) or 431.  A scrape request is about
 * 200 bytes; browsers and proxies stay well under 8 KiB. */
#define HTTPREQ_HEAD_MAX	8192
/* Header lines.  Each costs the caller a parse of the head so far when it
 * arrives (the parser keeps no state), so this also bounds that work. */
#define HTTPREQ_HEADERS_MAX	64
/* Empty lines before the request line, which RFC 9112 2.2 asks servers to
 * tolerate (a client's CRLF after a previous POST body). */
#define HTTPREQ_LEADING_MAX	2

enum httpreq_method {
	HTTPREQ_OTHER,		/* any other token: refused with 405 */
	HTTPREQ_GET,
	HTTPREQ_HEAD,
};

enum httpreq_result {
	HTTPREQ_INCOMPLETE,	/* no empty line yet: read more */
	HTTPREQ_COMPLETE,
	HTTPREQ_ERROR,		/* answer status and close */
};

struct httpreq {
	enum httpreq_method	 method;	/* known once the request line is */
	const char		*path;		/* into the buffer; no query */
	size_t			 pathlen;
	const char		*query;		/* after the '?'; NULL: none */
	size_t			 querylen;
	const char		*host;		/* Host's value; NULL: none */
	size_t			 hostlen;
	int			 minor;		/* HTTP/1.minor */
	bool			 body;		/* Content-Length > 0 or
						 * Transfer-Encoding sent */
	bool			 gzip;		/* Accept-Encoding takes
						 * gzip (q > 0) */
	size_t			 headlen;	/* bytes, the empty line included */
	int			 status;	/* HTTPREQ_ERROR: 400 405 414 431 505 */
};

/* Parse the head at the start of buf (len bytes read so far; at most
 * HTTPREQ_HEAD_MAX of them are looked at).  Stateless: call again with the
 * whole buffer when a line end arrives. */
enum httpreq_result httpreq_parse(const char *buf, size_t len, struct httpreq *);

/* The value of the parameter key in a query ("a=1&domain=x.jp"),
 * percent-decoded ('+' is a space) into out, NUL-terminated.  0 when
 * found, 1 when absent, -1 when its value is malformed (a bad escape, an
 * encoded NUL) or does not fit in outlen.  The first of repeated keys
 * counts. */
int		 httpreq_query_get(const char *query, size_t querylen,
		    const char *key, char *out, size_t outlen);

/* The weight that an Accept-Encoding value (RFC 9110 12.5.3) gives the
 * content coding named, in thousandths (q=0.5 is 500, no q is 1000), or
 * -1 where the value does not name it ("*" is a name like any other
 * here).  The first element that names it counts; one whose weight does
 * not parse weighs 0: a coding refused is always safe to answer. */
int		 httpreq_accept_weight(const char *value, size_t len,
		    const char *coding);

/* Whether a Host value names this host's loopback ("localhost",
 * 127.0.0.0/8, "[::1]", any port): a listener on loopback refuses other
 * names, which only a page whose name was rebound to 127.0.0.1 sends. */
bool		 httpreq_host_is_loopback(const char *host, size_t len);

/* "Not Found" for 404; "Error" for a status it does not know. */
const char	*httpreq_reason(int status);

#endif
