/*
 * A small HTTP/1.x server for the metrics endpoint and the web view: GET
 * and HEAD of a few paths, one request per connection, every limit fixed (nmigd.conf(5),
 * under metrics).  It replaces libevent's evhttp, which has no cap on
 * connections and only idle timeouts.
 */
#ifndef NMIGD_HTTPD_H
#define NMIGD_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>

struct httpd;
struct http_conn;

struct http_route {
	const char	*path;
	/* Answer with httpd_reply() or one of its kin below, now or
	 * later: the connection waits, up to the response deadline. */
	void		(*serve)(struct http_conn *, void *arg);
	/* The connection was closed before serve's answer: forget it.
	 * NULL for a route that always answers at once. */
	void		(*gone)(struct http_conn *, void *arg);
};

/* Listen on hostport ("127.0.0.1:9553", "[::1]:9553") and answer the
 * routes (sorted by path) with arg; NULL after logging. */
struct httpd	*httpd_listen(struct event_base *, const char *hostport,
		    const struct http_route *, size_t nroutes, void *arg);
void		 httpd_free(struct httpd *);

/* The request's query parameter key, while its route's serve runs (the
 * query lives in the request's buffer: an answer given later must have
 * read what it needs before): as httpreq_query_get() (0 found, 1 absent,
 * -1 malformed or too long). */
int		 httpd_query_get(const struct http_conn *, const char *key,
		    char *out, size_t outlen);

/* Whether the request's Accept-Encoding takes gzip (httpreq.h), while the
 * connection waits for its answer. */
bool		 httpd_takes_gzip(const struct http_conn *);

/* A body made as the client drains it, a bounded piece at a time. */
struct http_stream {
	/* Append up to max bytes to out: 1 when that was the last of it,
	 * 0 when there is more, -1 when no more can be made (the client
	 * gets a short body and the connection closes). */
	int		(*fill)(void *arg, struct evbuffer *out, size_t max);
	/* Done with arg: sent, failed or closed. */
	void		(*release)(void *arg);
};

/* The answer to a request served: the body is moved out of body (for a
 * HEAD request only its length is sent), then the connection closes. */
void		 httpd_reply(struct http_conn *, int status,
		    const char *content_type, struct evbuffer *body);
/* A 200 whose representation depends on Accept-Encoding (Vary): the
 * gzip-coded body, as httpd_reply()... */
void		 httpd_reply_gzip(struct http_conn *, const char *content_type,
		    struct evbuffer *body);
/* ...or len plain bytes from a stream with arg, released when done. */
void		 httpd_reply_stream(struct http_conn *,
		    const char *content_type, size_t len,
		    const struct http_stream *, void *arg);

#endif
