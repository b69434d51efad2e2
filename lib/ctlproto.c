/*
 * Control requests and replies as text: decoding a request line against
 * the command table, and encoding replies so that a refusal always reads
 * as one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "dname.h"
#include "util.h"
#include "verdict.h"

#define CTL_READONLY	0x01	/* anyone who may connect may ask */

struct ctl_cmd {
	const char		*name;
	enum ctl_command	 command;
	int			 flags;
	json_t			*(*args)(const json_t *, struct ctl_request *);
};

static json_t	*args_none(const json_t *, struct ctl_request *);
static json_t	*args_domain(const json_t *, struct ctl_request *);
static json_t	*args_history(const json_t *, struct ctl_request *);
static json_t	*args_status(const json_t *, struct ctl_request *);
static json_t	*args_since(const json_t *, struct ctl_request *);
static json_t	*args_forget(const json_t *, struct ctl_request *);

/* Sorted by name, for bsearch. */
static const struct ctl_cmd ctl_cmds[] = {
	{ "check",	CTL_CHECK,	0,		args_domain },
	{ "events",	CTL_EVENTS,	CTL_READONLY,	args_since },
	{ "forget",	CTL_FORGET,	0,		args_forget },
	{ "history",	CTL_HISTORY,	CTL_READONLY,	args_history },
	{ "reload",	CTL_RELOAD,	0,		args_none },
	{ "resolvers",	CTL_RESOLVERS,	CTL_READONLY,	args_none },
	{ "status",	CTL_STATUS,	CTL_READONLY,	args_status },
};

/* What is sent when even an error reply cannot be encoded. */
static const char ctl_unencodable[] =
    "{\"version\":" CTL_VERSION_STR
    ",\"error\":\"cannot encode the reply\"}\n";

/* Replies. */

json_t *
ctl_reply_new(void)
{
	json_t	*o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "version",
	    json_integer(CTL_PROTOCOL_VERSION)) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
ctl_reply_pack(const char *fmt, ...)
{
	va_list	 ap;
	json_t	*data, *o = NULL;

	va_start(ap, fmt);
	data = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	if (data != NULL && (o = ctl_reply_new()) != NULL &&
	    json_object_update(o, data) == -1) {
		json_decref(o);
		o = NULL;
	}
	json_decref(data);
	return o;
}

/* s made valid UTF-8 in at most outlen - 1 bytes, as a JSON string. */
static json_t *
json_string_cut(const char *s, size_t outlen)
{
	char	*buf;
	json_t	*j;

	if ((buf = malloc(outlen)) == NULL)
		return NULL;
	utf8_sanitize(s, buf, outlen);
	j = json_string(buf);
	free(buf);
	return j;
}

json_t *
ctl_json_string(const char *s)
{
	size_t	len = strlen(s);

	/* Each bad byte grows to the three of U+FFFD. */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	return json_string_cut(s, len * 3 + 1);
}

json_t *
ctl_reply_error(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	json_t	*o, *s;
	int	 r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r == -1)
		return NULL;
	/* The message may quote the request: any bytes, any length. */
	s = json_string_cut(msg, CTL_ERRORBUF);
	free(msg);
	if (s == NULL || (o = ctl_reply_new()) == NULL) {
		json_decref(s);
		return NULL;
	}
	if (json_object_set_new(o, "error", s) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static char *
error_dumps(const char *msg)
{
	json_t	*o = ctl_reply_error("%s", msg);
	char	*s = NULL;

	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

char *
ctl_reply_encode(json_t *reply, size_t max, size_t *lenp)
{
	char	*s = NULL, *line;
	size_t	 len;

	if (reply != NULL)
		s = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (s != NULL && max > 0 && strlen(s) > max) {
		free(s);
		s = error_dumps("reply too large");
	}
	if (s == NULL || (line = realloc(s, (len = strlen(s)) + 2)) == NULL) {
		free(s);
		*lenp = sizeof(ctl_unencodable) - 1;
		return xstrdup(ctl_unencodable);
	}
	line[len++] = '\n';
	line[len] = '\0';
	*lenp = len;
	return line;
}

/* Arguments. */

/* An optional string argument; -1 when present but not a string. */
static int
arg_string(const json_t *req, const char *key, const char **out)
{
	const json_t	*v = json_object_get(req, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static json_t *
args_none(const json_t *j, struct ctl_request *req)
{
	return NULL;
}

/* An optional domain, normalised. */
static json_t *
args_domain(const json_t *j, struct ctl_request *req)
{
	if (arg_string(j, "domain", &req->domain_arg) == -1 ||
	    (req->domain_arg != NULL && name_normalize(req->domain_arg,
	    req->domainbuf, sizeof(req->domainbuf)) == -1))
		return ctl_reply_error("bad domain argument");
	if (req->domain_arg != NULL)
		req->domain = req->domainbuf;
	return NULL;
}

/* The list's "state" and "limit": a page of thousands of domains. */
static json_t *
args_status_filter(const json_t *j, struct ctl_request *req)
{
	const json_t	*state = json_object_get(j, "state");
	const json_t	*limit = json_object_get(j, "limit");

	req->state = -1;
	if (state != NULL && !json_is_null(state) &&
	    (!json_is_string(state) || (req->state =
	    domain_state_parse(json_string_value(state))) == -1))
		return ctl_reply_error("bad state argument (pending, "
		    "propagating or complete)");
	if (limit != NULL && !json_is_null(limit)) {
		if (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
		    json_integer_value(limit) > CTL_STATUS_LIMIT_MAX)
			return ctl_reply_error("bad limit argument (1 to "
			    STRINGIFY(CTL_STATUS_LIMIT_MAX) ")");
		req->limit = (size_t)json_integer_value(limit);
	}
	if (req->domain != NULL && (req->state != -1 || req->limit != 0))
		return ctl_reply_error("state and limit are for the list of "
		    "every domain, not with a domain");
	return NULL;
}

/* The list's "columns": rows of those members of each domain's object
 * instead of the objects (lib/statusrows.h), their times as text or,
 * with "epoch", as numbers. */
static json_t *
args_status_columns(const json_t *j, struct ctl_request *req)
{
	const json_t	*a = json_object_get(j, "columns");
	const json_t	*epoch = json_object_get(j, "epoch");
	const char	*name;
	size_t		 i;
	int		 c;

	if (epoch != NULL && !json_is_null(epoch) && !json_is_boolean(epoch))
		return ctl_reply_error("bad epoch argument (true or false)");
	req->columns.epoch = json_is_true(epoch);
	if (a == NULL || json_is_null(a))
		return req->columns.epoch ? ctl_reply_error("epoch is for the "
		    "rows of columns") : NULL;
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > STATUS_COLUMNS_MAX)
		return ctl_reply_error("bad columns argument (an array of 1 to "
		    STRINGIFY(STATUS_COLUMNS_MAX) " member names)");
	for (i = 0; i < json_array_size(a); i++) {
		if ((name = json_string_value(json_array_get(a, i))) == NULL)
			return ctl_reply_error("bad columns argument (an array "
			    "of 1 to " STRINGIFY(STATUS_COLUMNS_MAX) " member "
			    "names)");
		if ((c = status_column_find(name)) == -1)
			return ctl_reply_error("unknown column: %s (the columns "
			    "are: %s)", name, status_column_names());
		req->columns.v[req->columns.n++] = (unsigned char)c;
	}
	if (req->domain != NULL)
		return ctl_reply_error("columns are for the list of every "
		    "domain, not with a domain");
	return NULL;
}

/* An optional domain, "summary": true for each domain without its
 * resolvers, providers, DNSSEC and learned values (status_stream_new()):
 * the one-line list of thousands of domains at a fraction of the size,
 * and its filter; or its columns. */
static json_t *
args_status(const json_t *j, struct ctl_request *req)
{
	const json_t	*v = json_object_get(j, "summary");
	json_t		*error;

	if ((error = args_domain(j, req)) != NULL)
		return error;
	if (v != NULL && !json_is_null(v) && !json_is_boolean(v))
		return ctl_reply_error("bad summary argument (true or false)");
	req->summary = json_is_true(v);
	if ((error = args_status_columns(j, req)) != NULL)
		return error;
	return args_status_filter(j, req);
}

static json_t *
args_history(const json_t *j, struct ctl_request *req)
{
	json_t	*error;

	if ((error = args_domain(j, req)) != NULL || req->domain == NULL) {
		json_decref(error);
		return ctl_reply_error("history needs a domain");
	}
	if (arg_string(j, "resolver", &req->resolver) == -1)
		return ctl_reply_error("bad resolver argument");
	return NULL;
}

static json_t *
args_forget(const json_t *j, struct ctl_request *req)
{
	json_t	*error;

	if ((error = args_domain(j, req)) != NULL || req->domain == NULL) {
		json_decref(error);
		return ctl_reply_error("forget needs a domain");
	}
	return NULL;
}

static json_t *
args_since(const json_t *j, struct ctl_request *req)
{
	const char	*since;

	if (arg_string(j, "since", &since) == -1 || (since != NULL &&
	    (req->since = parse_time(since)) == (time_t)-1))
		return ctl_reply_error("since must be a time like "
		    "2026-11-27T00:00:00Z");
	return NULL;
}

/* Requests. */

static int
ctl_cmd_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ctl_cmd *)elem)->name);
}

static const struct ctl_cmd *
ctl_cmd_find(const json_t *j, json_t **error)
{
	const struct ctl_cmd	*cmd;
	const char		*name;

	if (!json_is_object(j)) {
		*error = ctl_reply_error("request is not a JSON object");
		return NULL;
	}
	if (arg_string(j, "command", &name) == -1 || name == NULL) {
		*error = ctl_reply_error("request has no \"command\"");
		return NULL;
	}
	cmd = bsearch(name, ctl_cmds, sizeof(ctl_cmds) / sizeof(ctl_cmds[0]),
	    sizeof(ctl_cmds[0]), ctl_cmd_cmp);
	if (cmd == NULL)
		*error = ctl_reply_error("unknown command: %s", name);
	return cmd;
}

int
ctl_request_decode(const char *line, size_t len, bool privileged,
    struct ctl_request *req, json_t **error)
{
	const struct ctl_cmd	*cmd;
	json_error_t		 jerr;

	memset(req, 0, sizeof(*req));
	*error = NULL;
	req->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->json == NULL) {
		/* jansson quotes the bad token, which may be any bytes. */
		*error = ctl_reply_error("not JSON: %s", jerr.text);
		return -1;
	}
	if ((cmd = ctl_cmd_find(req->json, error)) == NULL)
		goto fail;
	req->command = cmd->command;
	req->name = cmd->name;
	if (!(cmd->flags & CTL_READONLY) && !privileged) {
		*error = ctl_reply_error("permission denied: %s needs root or "
		    "the nmigd user", cmd->name);
		json_decref(req->json);
		req->json = NULL;	/* the name stays, for the log */
		return CTL_DENIED;
	}
	if ((*error = cmd->args(req->json, req)) != NULL)
		goto fail;
	return 0;
fail:
	ctl_request_free(req);
	return -1;
}

void
ctl_request_free(struct ctl_request *req)
{
	json_decref(req->json);
	memset(req, 0, sizeof(*req));
}
