/*
 * libFuzzer target for lib/httpreq.c, the parser of the request heads the
 * /metrics listener reads from any local client.  Besides memory safety it
 * checks what the listener relies on: the path lies within the head, a
 * complete head is no longer than the cap, an error carries a 4xx or 5xx
 * status, a parse of a longer buffer never takes back a result, and an
 * Accept-Encoding weight is a weight.
 *
 *	clang -fsanitize=fuzzer,address,undefined -Ilib \
 *	    tests/fuzz/fuzz_httpreq.c lib/httpreq.c
 *	./a.out -max_total_time=60 CORPUS_COPY tests/fuzz/corpus/httpreq
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpreq.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The query and the Host lie within the head, and a parameter decodes
 * to a string that fits, with no NUL inside, or is refused. */
static void
check_query(const char *buf, const struct httpreq *req)
{
	char	out[64];
	size_t	n;
	int	r;

	if (req->host != NULL) {
		if (req->host < buf || req->host + req->hostlen >
		    buf + req->headlen)
			abort();
		(void)httpreq_host_is_loopback(req->host, req->hostlen);
	}
	if (req->query == NULL) {
		if (httpreq_query_get(NULL, 0, "domain", out, sizeof(out)) != 1)
			abort();
		return;
	}
	if (req->query < buf || req->query + req->querylen >
	    buf + req->headlen)
		abort();
	r = httpreq_query_get(req->query, req->querylen, "domain", out,
	    sizeof(out));
	if (r < -1 || r > 1)
		abort();
	if (r == 0) {
		n = strnlen(out, sizeof(out));
		if (n == sizeof(out))
			abort();
	}
}

static void
check(const char *buf, size_t len, enum httpreq_result r,
    const struct httpreq *req)
{
	switch (r) {
	case HTTPREQ_INCOMPLETE:
		if (len >= HTTPREQ_HEAD_MAX)
			abort();
		break;
	case HTTPREQ_COMPLETE:
		if (req->headlen == 0 || req->headlen > len ||
		    req->headlen > HTTPREQ_HEAD_MAX)
			abort();
		if (req->method != HTTPREQ_GET && req->method != HTTPREQ_HEAD)
			abort();
		if (req->pathlen == 0 || req->path[0] != '/')
			abort();
		/* Within the head, or the static "/" of an absolute form. */
		if ((req->path < buf || req->path + req->pathlen >
		    buf + req->headlen) && strcmp(req->path, "/") != 0)
			abort();
		if (memchr(req->path, '?', req->pathlen) != NULL)
			abort();
		check_query(buf, req);
		break;
	case HTTPREQ_ERROR:
		if (req->status < 400 || req->status > 599)
			abort();
		break;
	default:
		abort();
	}
}

/* The whole input as an Accept-Encoding value, and the weights the
 * request's head gave. */
static void
check_accept(const char *buf, size_t len)
{
	static const char *const codings[] = { "gzip", "x-gzip", "*", "br" };
	size_t	i;
	int	w;

	for (i = 0; i < sizeof(codings) / sizeof(codings[0]); i++) {
		w = httpreq_accept_weight(buf, len, codings[i]);
		if (w < -1 || w > 1000)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpreq		 req, more;
	enum httpreq_result	 r, r2;
	char			*buf;

	/* A copy of exactly size bytes, so that ASan sees any read past. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	r = httpreq_parse(buf, size, &req);
	check(buf, size, r, &req);
	check_accept(buf, size);
	/* The listener parses again as bytes arrive: every prefix must agree
	 * with the whole, or be incomplete. */
	if (size > 0) {
		r2 = httpreq_parse(buf, size - 1, &more);
		check(buf, size - 1, r2, &more);
		if (r2 == HTTPREQ_COMPLETE && (r != HTTPREQ_COMPLETE ||
		    more.headlen != req.headlen || more.gzip != req.gzip))
			abort();
		if (r2 == HTTPREQ_ERROR && size - 1 < HTTPREQ_HEAD_MAX &&
		    (r != HTTPREQ_ERROR || more.status != req.status))
			abort();
	}
	free(buf);
	return 0;
}
