/*
 * A small HTTP/1.x server for the metrics endpoint and the web view: GET
 * and HEAD of a few paths, one request per connection, every limit fixed (nmigd.conf(5),
 * under metrics).  It replaces libevent's evhttp, which has no cap on
 * connections and only idle timeouts.
 */
#ifndef NMIGD_HTTPD_H
#define NMIGD_HTTPD_H

#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>

struct httpd;
struct http_conn;

struct http_route {
	const char	*path;
	/* Answer with httpd_reply(), now or later: the connection waits,
	 * up to the response deadline. */
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

/* The answer to a request served: the body is moved out of body (for a
 * HEAD request only its length is sent), then the connection closes. */
void		 httpd_reply(struct http_conn *, int status,
		    const char *content_type, struct evbuffer *body);

#endif
