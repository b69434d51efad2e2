/*
 * RDATA of any type and any bytes: its canonical form (as an answer's
 * records are reduced to) and its text (as status, history and the
 * database show it).  Input: the type in two bytes, then the RDATA.
 * Whatever the bytes, the text is ASCII and NUL-free, and the canonical
 * form of a canonical form is itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdata.h"
#include "rdtext.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
text_check(uint16_t type, const uint8_t *rd, size_t len)
{
	char	*s, *p;

	s = rdtext(type, rd, len);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 out[RDATA_MAX], again[RDATA_MAX];
	uint16_t	 type;
	int		 len, len2;

	if (size < 2 || size - 2 > RDATA_MAX)
		return 0;
	type = (uint16_t)(data[0] << 8 | data[1]);
	text_check(type, data + 2, size - 2);
	len = rdata_canon(type, data + 2, size - 2, 0, size - 2, out);
	if (len < 0)
		return 0;
	text_check(type, out, (size_t)len);
	len2 = rdata_canon(type, out, (size_t)len, 0, (size_t)len, again);
	if (len2 != len || memcmp(out, again, (size_t)len) != 0)
		abort();
	return 0;
}
