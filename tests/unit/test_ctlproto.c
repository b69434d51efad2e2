/*
 * lib/ctlproto.c: request decoding, permissions, arguments, and replies
 * that are errors whatever bytes the request held.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "util.h"

/* The reply encoded as the daemon sends it, parsed back: one line, an
 * object with exactly "version": 1 and "error", whose text is returned
 * (for free()). */
static char *
error_text(json_t *reply)
{
	json_error_t	 jerr;
	json_t		*o;
	char		*line, *text;
	size_t		 len;

	line = ctl_reply_encode(reply, 0, &len);
	assert_non_null(line);
	assert_int_equal(len, strlen(line));
	assert_true(len > 1 && line[len - 1] == '\n');
	assert_null(memchr(line, '\n', len - 1));
	o = json_loadb(line, len, 0, &jerr);
	if (o == NULL)
		fail_msg("reply not JSON: %s: %s", jerr.text, line);
	assert_int_equal(json_object_size(o), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "version")),
	    CTL_PROTOCOL_VERSION);
	assert_true(json_is_string(json_object_get(o, "error")));
	text = strdup(json_string_value(json_object_get(o, "error")));
	json_decref(o);
	free(line);
	return text;
}

/* Decode s; expect a refusal whose text is want. */
static void
expect_error(const char *s, size_t len, bool privileged, int want_rv,
    const char *want)
{
	struct ctl_request	 req;
	json_t			*error;
	char			*text;
	int			 rv;

	rv = ctl_request_decode(s, len, privileged, &req, &error);
	if (rv != want_rv)
		fail_msg("%s: returned %d, want %d", s, rv, want_rv);
	assert_non_null(error);
	assert_null(req.json);
	text = error_text(error);
	if (strcmp(text, want) != 0)
		fail_msg("%s: error \"%s\", want \"%s\"", s, text, want);
	free(text);
}

static void
decode(const char *s, bool privileged, struct ctl_request *req)
{
	json_t	*error;
	int	 rv;

	rv = ctl_request_decode(s, strlen(s), privileged, req, &error);
	if (rv != 0)
		fail_msg("%s: refused: %s", s, error_text(error));
	assert_null(error);
}

static void
test_decode_commands(void **state)
{
	struct ctl_request	req;

	decode("{\"command\":\"status\"}", false, &req);
	assert_int_equal(req.command, CTL_STATUS);
	assert_string_equal(req.name, "status");
	assert_null(req.domain);
	ctl_request_free(&req);

	decode("{\"command\":\"status\",\"domain\":\"Example.CO.jp\"}", false,
	    &req);
	assert_string_equal(req.domain, "example.co.jp.");
	assert_string_equal(req.domain_arg, "Example.CO.jp");
	ctl_request_free(&req);

	decode("{\"command\":\"status\",\"domain\":null}", false, &req);
	assert_null(req.domain);
	ctl_request_free(&req);

	decode("{\"command\":\"history\",\"domain\":\"a.example\","
	    "\"resolver\":\"r1\"}", false, &req);
	assert_int_equal(req.command, CTL_HISTORY);
	assert_string_equal(req.domain, "a.example.");
	assert_string_equal(req.resolver, "r1");
	ctl_request_free(&req);

	decode("{\"command\":\"events\",\"since\":\"2026-11-27T00:00:00Z\"}",
	    false, &req);
	assert_int_equal(req.command, CTL_EVENTS);
	assert_int_equal(req.since, parse_time("2026-11-27T00:00:00Z"));
	ctl_request_free(&req);

	decode("{\"command\":\"events\"}", false, &req);
	assert_int_equal(req.since, 0);
	ctl_request_free(&req);

	decode("{\"command\":\"resolvers\",\"extra\":[1,2]}", false, &req);
	assert_int_equal(req.command, CTL_RESOLVERS);
	ctl_request_free(&req);

	decode("{\"command\":\"status\",\"summary\":true,\"columns\":"
	    "[\"domain\",\"parent.state\",\"domain\"],\"limit\":3}", false,
	    &req);
	assert_int_equal(req.columns.n, 3);
	assert_string_equal(status_column_name(req.columns.v[0]), "domain");
	assert_string_equal(status_column_name(req.columns.v[1]),
	    "parent.state");
	assert_string_equal(status_column_name(req.columns.v[2]), "domain");
	assert_true(req.summary);
	assert_int_equal(req.limit, 3);
	assert_false(req.columns.epoch);
	ctl_request_free(&req);

	decode("{\"command\":\"status\",\"columns\":[\"since\"],"
	    "\"epoch\":true}", false, &req);
	assert_int_equal(req.columns.n, 1);
	assert_true(req.columns.epoch);
	ctl_request_free(&req);

	decode("{\"command\":\"status\",\"columns\":[\"since\"],"
	    "\"epoch\":false}", false, &req);
	assert_false(req.columns.epoch);
	ctl_request_free(&req);

	decode("{\"command\":\"status\",\"columns\":null}", false, &req);
	assert_int_equal(req.columns.n, 0);
	ctl_request_free(&req);

	decode("{\"command\":\"status\",\"epoch\":null}", false, &req);
	assert_false(req.columns.epoch);
	ctl_request_free(&req);

	decode("{\"command\":\"check\"}", true, &req);
	assert_int_equal(req.command, CTL_CHECK);
	ctl_request_free(&req);

	decode("{\"command\":\"reload\"}", true, &req);
	assert_int_equal(req.command, CTL_RELOAD);
	ctl_request_free(&req);
}

#define E(s, want)	expect_error(s, strlen(s), true, -1, want)
#define DENIED(s, cmd)	expect_error(s, strlen(s), false, CTL_DENIED, \
			    "permission denied: " cmd " needs root or the nmigd user")

static void
test_decode_errors(void **state)
{
	E("{}", "request has no \"command\"");
	E("{\"command\":5}", "request has no \"command\"");
	E("{\"command\":null}", "request has no \"command\"");
	E("[1,2,3]", "request is not a JSON object");
	E("\"status\"", "not JSON: '[' or '{' expected near '\"status\"'");
	E("{\"command\":\"frobnicate\"}", "unknown command: frobnicate");
	E("{\"command\":\"Status\"}", "unknown command: Status");
	E("{\"command\":\"status\",\"domain\":5}", "bad domain argument");
	E("{\"command\":\"status\",\"domain\":\"bad..name\"}",
	    "bad domain argument");
	E("{\"command\":\"check\",\"domain\":\"\"}", "bad domain argument");
	E("{\"command\":\"history\"}", "history needs a domain");
	E("{\"command\":\"history\",\"domain\":7}", "history needs a domain");
	E("{\"command\":\"history\",\"domain\":\"a.example\",\"resolver\":7}",
	    "bad resolver argument");
	E("{\"command\":\"events\",\"since\":\"yesterday\"}",
	    "since must be a time like 2026-11-27T00:00:00Z");
	E("{\"command\":\"events\",\"since\":5}",
	    "since must be a time like 2026-11-27T00:00:00Z");
	E("{\"command\":\"status\",\"columns\":[]}",
	    "bad columns argument (an array of 1 to 32 member names)");
	E("{\"command\":\"status\",\"columns\":\"state\"}",
	    "bad columns argument (an array of 1 to 32 member names)");
	E("{\"command\":\"status\",\"columns\":[\"state\",1]}",
	    "bad columns argument (an array of 1 to 32 member names)");
	E("{\"command\":\"status\",\"columns\":[\"state\",\"resolvers\"]}",
	    "unknown column: resolvers (the columns are: cancel_announced_at, "
	    "cancel_old_hosting_at, complete_at, domain, domain_unicode, "
	    "expected_complete_at, parent.state, require, "
	    "resolvers_answering_new, resolvers_new, resolvers_required, "
	    "resolvers_total, resolvers_unreachable, since, state, "
	    "watched_since)");
	E("{\"command\":\"status\",\"domain\":\"a.example\",\"columns\":"
	    "[\"state\"]}", "columns are for the list of every domain, not "
	    "with a domain");
	E("{\"command\":\"status\",\"columns\":[\"since\"],\"epoch\":1}",
	    "bad epoch argument (true or false)");
	E("{\"command\":\"status\",\"summary\":true,\"epoch\":true}",
	    "epoch is for the rows of columns");
	E("{\"command\":\"status\",\"columns\":[\"state\",\"state\","
	    "\"state\",\"state\",\"state\",\"state\",\"state\",\"state\","
	    "\"state\",\"state\",\"state\",\"state\",\"state\",\"state\","
	    "\"state\",\"state\",\"state\",\"state\",\"state\",\"state\","
	    "\"state\",\"state\",\"state\",\"state\",\"state\",\"state\","
	    "\"state\",\"state\",\"state\",\"state\",\"state\",\"state\","
	    "\"state\"]}",
	    "bad columns argument (an array of 1 to 32 member names)");
}

static void
test_decode_not_json(void **state)
{
	struct ctl_request	 req;
	json_t			*error;
	char			*text;
	static const char *const bad[] = {
		"this is not json", "{\"command\":\"status\"",
		"{\"command\":\"status\",\"command\":\"status\"}",
		"\xff\xfe{}", "", "{\"a\":\"\\u0000\"}",
	};
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctl_request_decode(bad[i], strlen(bad[i]),
		    true, &req, &error), -1);
		text = error_text(error);
		if (strncmp(text, "not JSON: ", 10) != 0)
			fail_msg("%s: error \"%s\"", bad[i], text);
		free(text);
	}
}

/* Reproducer: jansson's message quotes a partial escape and the first
 * byte of a two-byte character: "invalid escape near '"x\u0\xd0'". */
static void
test_decode_partial_escape(void **state)
{
	static const char	 s[] = "{\"command\":\"x\\u0\xd0\x9a\"}";
	struct ctl_request	 req;
	json_t			*error;
	char			*text;

	assert_int_equal(ctl_request_decode(s, sizeof(s) - 1, false, &req,
	    &error), -1);
	text = error_text(error);
	assert_string_equal(text, "not JSON: invalid escape near "
	    "'\"x\\u0\xef\xbf\xbd'");
	free(text);
}

/* Reproducer: "unknown command: " and a name of two-byte characters,
 * whose 512-byte cut falls inside one. */
static void
test_decode_cut_in_character(void **state)
{
	char			 s[4096], *p, *text;
	struct ctl_request	 req;
	json_t			*error;
	size_t			 i;

	p = s + snprintf(s, sizeof(s), "{\"command\":\"a");
	for (i = 0; i < 600; i++) {
		*p++ = '\xd0';
		*p++ = '\x9a';
	}
	p += snprintf(p, sizeof(s) - (size_t)(p - s), "\"}");
	assert_int_equal(ctl_request_decode(s, (size_t)(p - s), false, &req,
	    &error), -1);
	text = error_text(error);
	/* 17 + 1 bytes, then whole characters up to 511 bytes. */
	assert_int_equal(strlen(text), 510);
	assert_memory_equal(text, "unknown command: a\xd0\x9a", 20);
	assert_true(utf8_valid(text, strlen(text)));
	free(text);
}

static void
test_decode_permissions(void **state)
{
	static const char *const readonly[] = {
		"{\"command\":\"status\"}", "{\"command\":\"resolvers\"}",
		"{\"command\":\"events\"}",
		"{\"command\":\"history\",\"domain\":\"a.example\"}",
	};
	struct ctl_request	 req;
	json_t			*error;
	char			*text;
	size_t			 i;

	for (i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
		decode(readonly[i], false, &req);
		ctl_request_free(&req);
	}
	assert_int_equal(ctl_request_decode("{\"command\":\"check\"}",
	    strlen("{\"command\":\"check\"}"), false, &req, &error), CTL_DENIED);
	assert_string_equal(req.name, "check");
	assert_null(req.json);
	text = error_text(error);
	assert_string_equal(text,
	    "permission denied: check needs root or the nmigd user");
	free(text);
	/* Refused before its arguments are looked at. */
	DENIED("{\"command\":\"reload\",\"x\":1}", "reload");
	DENIED("{\"command\":\"check\",\"domain\":5}", "check");
}

static void
test_reply_encode(void **state)
{
	json_t	*o;
	char	*line, *text;
	size_t	 len;

	o = ctl_reply_new();
	json_object_set_new(o, "reloaded", json_true());
	line = ctl_reply_encode(o, 0, &len);
	assert_string_equal(line, "{\"version\":1,\"reloaded\":true}\n");
	assert_int_equal(len, strlen(line));
	free(line);

	/* Nothing to encode is an error, not silence. */
	text = error_text(NULL);
	assert_string_equal(text, "cannot encode the reply");
	free(text);

	o = ctl_reply_new();
	json_object_set_new(o, "data", json_string("0123456789"));
	line = ctl_reply_encode(o, 20, &len);
	assert_string_equal(line,
	    "{\"version\":1,\"error\":\"reply too large\"}\n");
	free(line);
}

/* A packed reply is the version, then the members in the order given;
 * one that does not pack is sent as an error, never as something else. */
static void
test_reply_pack(void **state)
{
	char	*line, *text;
	size_t	 len;

	line = ctl_reply_encode(ctl_reply_pack("{s:b, s:I, s:o, s:s?}",
	    "reloaded", 1, "domains", (json_int_t)10000, "errors",
	    json_array(), "last", NULL), 0, &len);
	assert_string_equal(line, "{\"version\":1,\"reloaded\":true,"
	    "\"domains\":10000,\"errors\":[],\"last\":null}\n");
	free(line);
	assert_null(ctl_reply_pack("{s:s}", "name", "\xff"));
	assert_null(ctl_reply_pack("[i]", 1));
	text = error_text(ctl_reply_pack("{s:s}", "name", "\xff"));
	assert_string_equal(text, "cannot encode the reply");
	free(text);
}

static void
test_reply_error_text(void **state)
{
	char	*text;
	json_t	*s;

	text = error_text(ctl_reply_error("unknown domain: %s", "x\xff.y"));
	assert_string_equal(text, "unknown domain: x\xef\xbf\xbd.y");
	free(text);
	text = error_text(ctl_reply_error("%s", ""));
	assert_string_equal(text, "");
	free(text);
	s = ctl_json_string("a\xc3(\xed\xa0\x80z");
	assert_non_null(s);
	assert_string_equal(json_string_value(s),
	    "a\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	json_decref(s);
	s = ctl_json_string("\xff");
	assert_string_equal(json_string_value(s), "\xef\xbf\xbd");
	json_decref(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_commands),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_decode_not_json),
		cmocka_unit_test(test_decode_partial_escape),
		cmocka_unit_test(test_decode_cut_in_character),
		cmocka_unit_test(test_decode_permissions),
		cmocka_unit_test(test_reply_encode),
		cmocka_unit_test(test_reply_pack),
		cmocka_unit_test(test_reply_error_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
