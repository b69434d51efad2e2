/*
 * The DNS-over-TCP reader: a stream cut into reads of any size, framed by
 * packet_tcp_frame() as daemon/prober.c does, each message walked by
 * packet_parse_answer().  The first input byte chooses the read sizes;
 * each message is matched against the ID it carries itself, so that the
 * fuzzer reaches the answer paths and not only the ID check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "rdtext.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
consider(const uint8_t *msg, size_t len)
{
	static const uint16_t	 types[] = { 2, 15, 1, 16, 65, 11, 5 };
	struct answer		 a;
	const uint8_t		*rd;
	size_t			 off = 0;
	uint16_t		 rdlen, type;
	char			*s;

	type = types[len % (sizeof(types) / sizeof(types[0]))];
	if (packet_parse_answer(msg, len, (uint16_t)(msg[0] << 8 | msg[1]),
	    "example.co.jp.", type, &a) != PKT_OK)
		return;
	/* What is kept is shown to people: the printer must take it. */
	while ((rd = rdset_next(&a.rdata, &off, &rdlen)) != NULL) {
		s = rdtext(type, rd, rdlen);
		free(s);
	}
	answer_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*buf;
	size_t		 have = 0, pos = 1, chunk, msglen;
	unsigned	 step;

	if (size < 1)
		return 0;
	step = 1 + data[0];
	if ((buf = malloc(size)) == NULL)
		return 0;
	while (pos < size) {
		chunk = size - pos < step ? size - pos : step;
		memcpy(buf + have, data + pos, chunk);
		have += chunk;
		pos += chunk;
		for (;;) {
			enum tcp_frame f = packet_tcp_frame(buf, have, &msglen);

			if (f == TCP_BAD) {
				free(buf);
				return 0;
			}
			if (f == TCP_NEED_MORE)
				break;
			consider(buf + 2, msglen);
			memmove(buf, buf + 2 + msglen, have - 2 - msglen);
			have -= 2 + msglen;
		}
	}
	free(buf);
	return 0;
}
