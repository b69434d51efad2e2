/*
 * The DNS message walk.  Every read is checked against the message's end
 * before it happens; nothing here trusts a count, a length or a pointer
 * from the message.
 */
#include <string.h>

#include "wire.h"

static uint8_t
fold_byte(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

int
wire_name_read(const uint8_t *msg, size_t len, size_t *pos,
    struct wire_name *out, bool fold)
{
	size_t		p = *pos, run = *pos, end = 0, target, i;
	unsigned	hops = 0;
	uint8_t		c;

	out->len = 0;
	for (;;) {
		if (p >= len)
			return -1;
		c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len)
				return -1;
			target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
			/* Only ever backwards from where this run of labels
			 * began: each jump then lands strictly earlier, so a
			 * loop cannot form however the pointers are laid. */
			if (target >= run)
				return -1;
			/* Backwards alone still lets a message chain thirty
			 * thousand pointers into one name, read again for
			 * every record that owns it on every walk. */
			if (++hops > WIRE_PTRMAX)
				return -1;
			if (end == 0)
				end = p + 2;
			p = run = target;
			continue;
		}
		if ((c & 0xc0) != 0)
			return -1;	/* extended label types: none defined */
		if (p + 1 + c > len || out->len + 1 + c > WIRE_NAMEMAX)
			return -1;
		out->b[out->len++] = c;
		if (c == 0)
			break;
		for (i = 0; i < c; i++)
			out->b[out->len++] = fold ? fold_byte(msg[p + 1 + i]) :
			    msg[p + 1 + i];
		p += 1 + (size_t)c;
	}
	*pos = end != 0 ? end : p + 1;
	return 0;
}

int
wire_name_skip(const uint8_t *msg, size_t len, size_t *pos)
{
	size_t	p = *pos, total = 0;
	uint8_t	c;

	for (;;) {
		if (p >= len)
			return -1;
		c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len)
				return -1;
			*pos = p + 2;
			return 0;
		}
		if ((c & 0xc0) != 0 || p + 1 + c > len)
			return -1;
		total += 1 + (size_t)c;
		if (total > WIRE_NAMEMAX)
			return -1;
		p += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	*pos = p;
	return 0;
}

bool
wire_name_equal(const struct wire_name *a, const struct wire_name *b)
{
	size_t	i;

	if (a->len != b->len)
		return false;
	/* Length bytes are at most 63, below 'A': folding them is a no-op. */
	for (i = 0; i < a->len; i++)
		if (fold_byte(a->b[i]) != fold_byte(b->b[i]))
			return false;
	return true;
}

int
wire_name_from_text(const char *s, struct wire_name *out)
{
	const char	*dot;
	size_t		 l;

	out->len = 0;
	if (strcmp(s, ".") == 0) {
		out->b[out->len++] = 0;
		return 0;
	}
	while (*s != '\0') {
		dot = strchr(s, '.');
		l = dot != NULL ? (size_t)(dot - s) : strlen(s);
		if (l == 0 || l > WIRE_LABELMAX ||
		    out->len + 1 + l + 1 > WIRE_NAMEMAX)
			return -1;
		out->b[out->len++] = (uint8_t)l;
		memcpy(out->b + out->len, s, l);
		out->len += (uint8_t)l;
		s += l;
		if (*s == '.')
			s++;
	}
	out->b[out->len++] = 0;
	return 0;
}

int
wire_header_read(const uint8_t *msg, size_t len, struct wire_header *h)
{
	int	i;

	if (msg == NULL || len < WIRE_HDRLEN)
		return -1;
	h->id = wire_get16(msg);
	h->flags1 = msg[2];
	h->flags2 = msg[3];
	for (i = 0; i < 4; i++)
		h->count[i] = wire_get16(msg + 4 + 2 * i);
	return 0;
}

int
wire_iter_init(struct wire_iter *it, const uint8_t *msg, size_t len,
    const struct wire_header *h)
{
	size_t		pos = WIRE_HDRLEN;
	unsigned	i;

	memset(it, 0, sizeof(*it));
	for (i = 0; i < h->count[WS_QUESTION]; i++) {
		if (wire_name_skip(msg, len, &pos) == -1 || pos + 4 > len)
			return -1;
		pos += 4;
	}
	it->msg = msg;
	it->len = len;
	it->pos = pos;
	memcpy(it->count, h->count, sizeof(it->count));
	it->section = WS_ANSWER;
	it->left = it->count[WS_ANSWER];
	return 0;
}

int
wire_iter_next(struct wire_iter *it, struct wire_rr *rr)
{
	size_t	pos = it->pos;

	while (it->left == 0) {
		if (it->section >= WS_ADDITIONAL)
			return 0;
		it->section++;
		it->left = it->count[it->section];
	}
	rr->ownoff = pos;
	if (wire_name_skip(it->msg, it->len, &pos) == -1 || pos + 10 > it->len)
		return -1;
	rr->section = it->section;
	rr->type = wire_get16(it->msg + pos);
	rr->class = wire_get16(it->msg + pos + 2);
	rr->ttl = wire_get32(it->msg + pos + 4);
	rr->rdlen = wire_get16(it->msg + pos + 8);
	rr->rdoff = pos + 10;
	if (rr->rdoff + rr->rdlen > it->len)
		return -1;
	it->pos = rr->rdoff + rr->rdlen;
	it->left--;
	return 1;
}

int
wire_rr_owner(const struct wire_iter *it, const struct wire_rr *rr,
    struct wire_name *out)
{
	size_t	pos = rr->ownoff;

	return wire_name_read(it->msg, it->len, &pos, out, true);
}
