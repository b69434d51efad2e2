/*
 * lib/httpreq.c: HTTP/1.x request heads, complete, incomplete and refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpreq.h"

static enum httpreq_result
parse(const char *s, struct httpreq *req)
{
	return httpreq_parse(s, strlen(s), req);
}

static void
assert_path(const struct httpreq *req, const char *want)
{
	assert_int_equal(req->pathlen, strlen(want));
	assert_memory_equal(req->path, want, req->pathlen);
}

/* What a refusal of s says. */
static int
refused(const char *s)
{
	struct httpreq	req;

	if (parse(s, &req) != HTTPREQ_ERROR)
		return 0;
	return req.status;
}

/* Prometheus's own scrape request, as it sends it. */
static void
test_scrape(void **state)
{
	const char	*s = "GET /metrics HTTP/1.1\r\n"
	    "Host: 127.0.0.1:9553\r\n"
	    "User-Agent: Prometheus/2.45.0\r\n"
	    "Accept: application/openmetrics-text;version=1.0.0,"
	    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
	    "Accept-Encoding: gzip\r\n"
	    "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n";
	struct httpreq	 req;

	assert_int_equal(parse(s, &req), HTTPREQ_COMPLETE);
	assert_int_equal(req.method, HTTPREQ_GET);
	assert_path(&req, "/metrics");
	assert_int_equal(req.minor, 1);
	assert_false(req.body);
	assert_true(req.gzip);
	assert_int_equal(req.headlen, strlen(s));
}

static void
test_head_query_lf(void **state)
{
	struct httpreq	req;

	assert_int_equal(parse("HEAD /metrics?x=1&y HTTP/1.0\n\n", &req),
	    HTTPREQ_COMPLETE);
	assert_int_equal(req.method, HTTPREQ_HEAD);
	assert_path(&req, "/metrics");
	assert_int_equal(req.minor, 0);
	/* Mixed line ends, and an empty line or two before the request. */
	assert_int_equal(parse("\r\n\nGET / HTTP/1.1\nHost: a\r\n\n", &req),
	    HTTPREQ_COMPLETE);
	assert_path(&req, "/");
	assert_int_equal(refused("\n\n\nGET / HTTP/1.1\nHost: a\n\n"), 400);
}

/* A proxy sends the absolute form; only the path is routed. */
static void
test_absolute_form(void **state)
{
	struct httpreq	req;

	assert_int_equal(parse("GET http://h:9553/metrics?q HTTP/1.1\r\n"
	    "Host: h:9553\r\n\r\n", &req), HTTPREQ_COMPLETE);
	assert_path(&req, "/metrics");
	assert_int_equal(parse("GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n",
	    &req), HTTPREQ_COMPLETE);
	assert_path(&req, "/");
	assert_int_equal(parse("GET http://h?x HTTP/1.1\r\nHost: h\r\n\r\n",
	    &req), HTTPREQ_COMPLETE);
	assert_path(&req, "/");
	assert_int_equal(refused("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n"),
	    400);
	assert_int_equal(refused("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n"),
	    400);
}

/* Every prefix of a good head is incomplete, never an error. */
static void
test_incomplete(void **state)
{
	const char	*s = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	struct httpreq	 req;
	size_t		 i;

	for (i = 0; i < strlen(s); i++)
		assert_int_equal(httpreq_parse(s, i, &req), HTTPREQ_INCOMPLETE);
	assert_int_equal(httpreq_parse(s, strlen(s), &req), HTTPREQ_COMPLETE);
}

/* Bytes after the head (pipelined requests) are not the parser's. */
static void
test_after_head(void **state)
{
	const char	*s = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n";
	struct httpreq	 req;

	assert_int_equal(parse(s, &req), HTTPREQ_COMPLETE);
	assert_path(&req, "/a");
	assert_int_equal(req.headlen, strlen(s) - strlen("GET /b HTTP/1.1\r\n"));
}

static void
test_bodies(void **state)
{
	struct httpreq	req;

	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "\r\n", &req), HTTPREQ_COMPLETE);
	assert_false(req.body);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\ncontent-length: 007"
	    "\r\n\r\n", &req), HTTPREQ_COMPLETE);
	assert_true(req.body);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", &req), HTTPREQ_COMPLETE);
	assert_true(req.body);
	/* Digits only: what a smuggler would disagree about is refused. */
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: -1\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 1, 1\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length:\r\n\r\n"), 400);
	/* A huge length is only "a body", never a number to overflow. */
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: "
	    "99999999999999999999999999\r\n\r\n", &req), HTTPREQ_COMPLETE);
	assert_true(req.body);
}

static void
test_methods(void **state)
{
	struct httpreq	req;

	assert_int_equal(refused("POST /metrics HTTP/1.1\r\n"), 405);
	assert_int_equal(refused("get /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
	    405);
	assert_int_equal(refused("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
	assert_int_equal(refused("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);
	assert_int_equal(refused("G(T / HTTP/1.1\r\n"), 400);
	assert_int_equal(refused(" GET / HTTP/1.1\r\n"), 400);
	/* 405 is said as soon as the request line is in. */
	assert_int_equal(parse("DELETE / HTTP/1.1\r\nHo", &req), HTTPREQ_ERROR);
	assert_int_equal(req.status, 405);
}

static void
test_request_line(void **state)
{
	assert_int_equal(refused("GET /metrics\r\n\r\n"), 400);	/* HTTP/0.9 */
	assert_int_equal(refused("GET  /metrics HTTP/1.1\r\n"), 400);
	assert_int_equal(refused("GET /metrics  HTTP/1.1\r\n"), 400);
	assert_int_equal(refused("GET /metrics HTTP/1.1 \r\n"), 400);
	assert_int_equal(refused("GET /metrics http/1.1\r\n"), 400);
	assert_int_equal(refused("GET /metrics HTTP/1.10\r\n"), 400);
	assert_int_equal(refused("GET /metrics HTTP/1\r\n"), 400);
	assert_int_equal(refused("GET /metrics HTTP/2.0\r\n"), 505);
	assert_int_equal(refused("GET /metrics HTTP/0.9\r\n"), 505);
	assert_int_equal(refused("GET metrics HTTP/1.1\r\n"), 400);
	assert_int_equal(refused("GET /a#b HTTP/1.1\r\n"), 400);
	assert_int_equal(refused("GET /a\tb HTTP/1.1\r\n"), 400);
	assert_int_equal(refused("GET /\x7f HTTP/1.1\r\n"), 400);
	assert_int_equal(refused("GET /\xc3\xa9 HTTP/1.1\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\rX\r\n"), 400);
}

static void
test_headers(void **state)
{
	struct httpreq	req;

	assert_int_equal(refused("GET / HTTP/1.1\r\n\r\n"), 400);	/* no Host */
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &req),
	    HTTPREQ_COMPLETE);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"),
	    400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: a\r\n X: b\r\n\r\n"),
	    400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), 400);
	/* Whitespace around a value is not part of it; tabs inside and
	 * bytes above 0x7f are allowed, other control characters not. */
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: \t a \t\r\n"
	    "X: a\tb \xff\r\n\r\n", &req), HTTPREQ_COMPLETE);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n"), 400);
}

/* A NUL anywhere is refused, and does not end the parse early. */
static void
test_nul(void **state)
{
	static const char	line[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char	hdr[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	struct httpreq		req;

	assert_int_equal(httpreq_parse(line, sizeof(line) - 1, &req),
	    HTTPREQ_ERROR);
	assert_int_equal(req.status, 400);
	assert_int_equal(httpreq_parse(hdr, sizeof(hdr) - 1, &req),
	    HTTPREQ_ERROR);
	assert_int_equal(req.status, 400);
}

/* The head cap: 414 while the request line has not ended, 431 after. */
static void
test_limits(void **state)
{
	char		*s;
	struct httpreq	 req;
	size_t		 i, n;

	s = malloc(3 * HTTPREQ_HEAD_MAX);
	assert_non_null(s);
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', 3 * HTTPREQ_HEAD_MAX - 5);
	assert_int_equal(httpreq_parse(s, HTTPREQ_HEAD_MAX - 1, &req),
	    HTTPREQ_INCOMPLETE);
	assert_int_equal(httpreq_parse(s, HTTPREQ_HEAD_MAX, &req),
	    HTTPREQ_ERROR);
	assert_int_equal(req.status, 414);
	/* A line end past the cap does not count. */
	memcpy(s + HTTPREQ_HEAD_MAX + 10, " HTTP/1.1\r\n\r\n", 13);
	assert_int_equal(httpreq_parse(s, 3 * HTTPREQ_HEAD_MAX, &req),
	    HTTPREQ_ERROR);
	assert_int_equal(req.status, 414);

	n = (size_t)snprintf(s, 3 * HTTPREQ_HEAD_MAX,
	    "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(s + n, 'b', 3 * HTTPREQ_HEAD_MAX - n);
	assert_int_equal(httpreq_parse(s, 3 * HTTPREQ_HEAD_MAX, &req),
	    HTTPREQ_ERROR);
	assert_int_equal(req.status, 431);

	/* A head of exactly the cap is fine. */
	n = (size_t)snprintf(s, 3 * HTTPREQ_HEAD_MAX,
	    "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(s + n, 'b', HTTPREQ_HEAD_MAX - n - 4);
	memcpy(s + HTTPREQ_HEAD_MAX - 4, "\r\n\r\n", 4);
	assert_int_equal(httpreq_parse(s, 3 * HTTPREQ_HEAD_MAX, &req),
	    HTTPREQ_COMPLETE);
	assert_int_equal(req.headlen, HTTPREQ_HEAD_MAX);

	/* Header lines are counted. */
	n = (size_t)snprintf(s, 3 * HTTPREQ_HEAD_MAX, "GET / HTTP/1.1\r\n");
	for (i = 0; i < HTTPREQ_HEADERS_MAX; i++)
		n += (size_t)snprintf(s + n, 3 * HTTPREQ_HEAD_MAX - n,
		    "Host%zu: a\r\n", i);
	memcpy(s + n, "Host: a\r\n\r\n", 12);
	assert_int_equal(parse(s, &req), HTTPREQ_ERROR);
	assert_int_equal(req.status, 431);
	free(s);
}

static void
test_reasons(void **state)
{
	assert_string_equal(httpreq_reason(404), "Not Found");
	assert_string_equal(httpreq_reason(431),
	    "Request Header Fields Too Large");
	assert_string_equal(httpreq_reason(299), "Error");
}

/* The web view's links: a domain in the query, found among others,
 * decoded, and refused when its escapes are bad or it is too long. */
static void
test_query(void **state)
{
	struct httpreq	 req;
	char		 v[16];
	const char	*q;
	size_t		 n;

	assert_int_equal(parse("GET /history.json?a=1&domain=%E6%97%A5.jp"
	    "&domain=x HTTP/1.0\r\n\r\n", &req), HTTPREQ_COMPLETE);
	assert_path(&req, "/history.json");
	assert_int_equal(httpreq_query_get(req.query, req.querylen, "domain",
	    v, sizeof(v)), 0);
	assert_string_equal(v, "\xe6\x97\xa5.jp");
	assert_int_equal(httpreq_query_get(req.query, req.querylen, "a", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_int_equal(httpreq_query_get(req.query, req.querylen, "dom", v,
	    sizeof(v)), 1);
	assert_int_equal(parse("GET http://h?domain=a+b HTTP/1.0\r\n\r\n",
	    &req), HTTPREQ_COMPLETE);
	assert_path(&req, "/");
	assert_int_equal(httpreq_query_get(req.query, req.querylen, "domain",
	    v, sizeof(v)), 0);
	assert_string_equal(v, "a b");
	assert_int_equal(parse("GET /x HTTP/1.0\r\n\r\n", &req),
	    HTTPREQ_COMPLETE);
	assert_null(req.query);
	assert_int_equal(httpreq_query_get(req.query, req.querylen, "domain",
	    v, sizeof(v)), 1);
	/* Bad escapes, an encoded NUL, a value too long, a bare key. */
	q = "a=%4&b=%zz&c=%00&d=0123456789abcdef&e";
	n = strlen(q);
	assert_int_equal(httpreq_query_get(q, n, "a", v, sizeof(v)), -1);
	assert_int_equal(httpreq_query_get(q, n, "b", v, sizeof(v)), -1);
	assert_int_equal(httpreq_query_get(q, n, "c", v, sizeof(v)), -1);
	assert_int_equal(httpreq_query_get(q, n, "d", v, sizeof(v)), -1);
	assert_int_equal(httpreq_query_get(q, n, "e", v, sizeof(v)), 0);
	assert_string_equal(v, "");
}

/* The Host of a request: kept for the listener's DNS-rebinding check,
 * which takes only this host's loopback names. */
static void
test_host(void **state)
{
	struct httpreq	req;

	assert_int_equal(parse("GET / HTTP/1.1\r\nHost:  localhost:9553 \r\n"
	    "\r\n", &req), HTTPREQ_COMPLETE);
	assert_int_equal(req.hostlen, 14);
	assert_memory_equal(req.host, "localhost:9553", 14);
	assert_true(httpreq_host_is_loopback(req.host, req.hostlen));
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &req),
	    HTTPREQ_COMPLETE);
	assert_null(req.host);
	assert_null(req.query);
	assert_int_equal(httpreq_query_get(req.query, req.querylen, "x",
	    (char[4]){ 0 }, 4), 1);
#define LOOP(s)	httpreq_host_is_loopback(s, strlen(s))
	assert_true(LOOP("127.0.0.1"));
	assert_true(LOOP("127.1.2.3:80"));
	assert_true(LOOP("LocalHost"));
	assert_true(LOOP("localhost."));
	assert_true(LOOP("[::1]"));
	assert_true(LOOP("[::1]:9553"));
	assert_false(LOOP("rebind.attacker.example"));
	assert_false(LOOP("rebind.attacker.example:9553"));
	assert_false(LOOP("localhost.attacker.example"));
	assert_false(LOOP("128.0.0.1"));
	assert_false(LOOP("127.0.0.1.evil"));
	assert_false(LOOP("[::1]x"));
	assert_false(LOOP("[::2]"));
	assert_false(LOOP(""));
	assert_false(LOOP(":80"));
#undef LOOP
}

static int
weight(const char *value, const char *coding)
{
	return httpreq_accept_weight(value, strlen(value), coding);
}

/* RFC 9110 12.5.3: codings with weights, case-insensitive, whitespace
 * around the separators, first mention counts, bad weights weigh 0. */
static void
test_accept_weight(void **state)
{
	assert_int_equal(weight("gzip", "gzip"), 1000);
	assert_int_equal(weight("GZip", "gzip"), 1000);
	assert_int_equal(weight("", "gzip"), -1);
	assert_int_equal(weight("deflate, br", "gzip"), -1);
	assert_int_equal(weight("gzip, deflate, br", "br"), 1000);
	assert_int_equal(weight("  gzip  ,deflate", "gzip"), 1000);
	assert_int_equal(weight("gzip;q=0", "gzip"), 0);
	assert_int_equal(weight("gzip ; Q=0.5", "gzip"), 500);
	assert_int_equal(weight("gzip;q=0.001", "gzip"), 1);
	assert_int_equal(weight("gzip;q=0.", "gzip"), 0);
	assert_int_equal(weight("gzip;q=1", "gzip"), 1000);
	assert_int_equal(weight("gzip;q=1.000", "gzip"), 1000);
	assert_int_equal(weight("br;q=0.8, gzip;q=0.25", "gzip"), 250);
	assert_int_equal(weight("gzip;q=0.5, gzip;q=0", "gzip"), 500);
	assert_int_equal(weight("*;q=0.1", "*"), 100);
	assert_int_equal(weight("*;q=0.1", "gzip"), -1);
	assert_int_equal(weight(",, ,gzip,", "gzip"), 1000);
	/* Not a coding of that name. */
	assert_int_equal(weight("gzipx", "gzip"), -1);
	assert_int_equal(weight("x-gzip", "gzip"), -1);
	/* Named with a weight that does not parse: refused. */
	assert_int_equal(weight("gzip;q=1.5", "gzip"), 0);
	assert_int_equal(weight("gzip;q=1.001", "gzip"), 0);
	assert_int_equal(weight("gzip;q=0.0001", "gzip"), 0);
	assert_int_equal(weight("gzip;q=-1", "gzip"), 0);
	assert_int_equal(weight("gzip;q=", "gzip"), 0);
	assert_int_equal(weight("gzip;level=9", "gzip"), 0);
	assert_int_equal(weight("gzip x", "gzip"), 0);
	assert_int_equal(weight("gzip;", "gzip"), 0);
}

/* Whether a request with these header lines gets gzip. */
static int
takes_gzip(const char *headers)
{
	char		buf[1024];
	struct httpreq	req;

	snprintf(buf, sizeof(buf), "GET /metrics HTTP/1.1\r\n"
	    "Host: localhost\r\n%s\r\n", headers);
	assert_int_equal(parse(buf, &req), HTTPREQ_COMPLETE);
	return req.gzip;
}

static void
test_accept_gzip(void **state)
{
	assert_false(takes_gzip(""));
	assert_true(takes_gzip("Accept-Encoding: gzip\r\n"));
	assert_true(takes_gzip("accept-encoding: deflate, GZIP;q=0.1\r\n"));
	assert_true(takes_gzip("Accept-Encoding: x-gzip\r\n"));
	assert_false(takes_gzip("Accept-Encoding: gzip;q=0\r\n"));
	assert_false(takes_gzip("Accept-Encoding: gzip;q=0.000\r\n"));
	assert_false(takes_gzip("Accept-Encoding: identity\r\n"));
	assert_false(takes_gzip("Accept-Encoding:\r\n"));
	assert_true(takes_gzip("Accept-Encoding: *\r\n"));
	assert_false(takes_gzip("Accept-Encoding: *;q=0\r\n"));
	/* Named, gzip's own weight wins over "*", whichever comes first. */
	assert_false(takes_gzip("Accept-Encoding: *, gzip;q=0\r\n"));
	assert_true(takes_gzip("Accept-Encoding: gzip, *;q=0\r\n"));
	/* Two lines are one list. */
	assert_true(takes_gzip("Accept-Encoding: br\r\n"
	    "Accept-Encoding: gzip\r\n"));
	assert_false(takes_gzip("Accept-Encoding: gzip;q=0\r\n"
	    "Accept-Encoding: gzip\r\n"));
	assert_false(takes_gzip("Accept-Encoding: *\r\n"
	    "Accept-Encoding: gzip;q=0\r\n"));
	assert_false(takes_gzip("Accept-Encoding: gzip;q=2\r\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrape),
		cmocka_unit_test(test_head_query_lf),
		cmocka_unit_test(test_absolute_form),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_after_head),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_accept_weight),
		cmocka_unit_test(test_accept_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
