/*
 * Fuzz target for control request lines (lib/ctlproto.c): each input is
 * decoded as from a privileged and from an unprivileged peer, and quoted
 * in an error message as the daemon quotes a request's argument.  Every
 * refusal must encode to one line of JSON with "version" and "error":
 * anything else would read as success to a client.
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *	    tests/fuzz/fuzz_ctlproto.c lib/ctlproto.c lib/util.c lib/log.c \
 *	    $(pkg-config --cflags --libs jansson ldns)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_error_reply(json_t *reply)
{
	json_error_t	 jerr;
	json_t		*o;
	char		*line;
	size_t		 len;

	line = ctl_reply_encode(reply, 0, &len);
	if (line == NULL || len < 2 || len != strlen(line) ||
	    line[len - 1] != '\n' || memchr(line, '\n', len - 1) != NULL)
		abort();
	o = json_loadb(line, len - 1, 0, &jerr);
	if (!json_is_object(o) ||
	    json_integer_value(json_object_get(o, "version")) !=
	    CTL_PROTOCOL_VERSION ||
	    !json_is_string(json_object_get(o, "error")))
		abort();
	json_decref(o);
	free(line);
}

static void
check_decode(const uint8_t *data, size_t size, bool privileged)
{
	struct ctl_request	 req;
	json_t			*error;
	int			 rv;

	rv = ctl_request_decode((const char *)data, size, privileged, &req,
	    &error);
	if (rv != 0) {
		if (error == NULL || req.json != NULL ||
		    (rv == CTL_DENIED && (privileged || req.name == NULL)))
			abort();
		check_error_reply(error);
		return;
	}
	if (error != NULL || req.json == NULL || req.name == NULL ||
	    (unsigned)req.command >= CTL_NCOMMANDS ||
	    (req.domain != NULL && req.domain_arg == NULL) ||
	    (req.command == CTL_HISTORY && req.domain == NULL))
		abort();
	ctl_request_free(&req);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	json_t	*j;

	check_decode(data, size, true);
	check_decode(data, size, false);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_error_reply(ctl_reply_error("unknown domain: %s", s));
	if ((j = ctl_json_string(s)) == NULL)
		abort();
	json_decref(j);
	free(s);
	return 0;
}
