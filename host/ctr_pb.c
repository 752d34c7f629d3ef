/* host/ctr_pb.c: the protobuf wire format, just enough for the CRI messages: a field walker and a bounded writer. */
#include "host/containers.h"

#include <string.h>

/* A varint at m[*cur..n): 0, or -1 when cut short or longer than 10 bytes. */
static int get_varint(const uint8_t *m, size_t n, size_t *cur, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (*cur >= n)
			return -1;
		uint8_t b = m[(*cur)++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

int host_pb_next(const uint8_t *m, size_t n, size_t *cur, struct host_pb_field *f)
{
	if (*cur >= n)
		return 0;
	uint64_t key, v;
	if (get_varint(m, n, cur, &key) < 0 || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
		return -1;
	memset(f, 0, sizeof(*f));
	f->num = (uint32_t)(key >> 3);
	f->wire = (int)(key & 7);
	switch (f->wire) {
	case HOST_PB_VARINT:
		if (get_varint(m, n, cur, &v) < 0)
			return -1;
		f->v = v;
		return 1;
	case HOST_PB_I64:
	case HOST_PB_I32: {
		size_t w = f->wire == HOST_PB_I64 ? 8 : 4;
		if (n - *cur < w)
			return -1;
		for (size_t i = 0; i < w; i++)
			f->v |= (uint64_t)m[*cur + i] << (8 * i);
		*cur += w;
		return 1;
	}
	case HOST_PB_LEN:
		if (get_varint(m, n, cur, &v) < 0 || v > n - *cur)
			return -1;
		f->p = m + *cur;
		f->n = (size_t)v;
		*cur += (size_t)v;
		return 1;
	default:
		return -1; /* groups (3, 4) are not in proto3 */
	}
}

int host_pb_find(const uint8_t *m, size_t n, uint32_t num, struct host_pb_field *f)
{
	size_t cur = 0;
	int rc, found = 0;
	struct host_pb_field g;
	/* the last occurrence wins, as protobuf parsers merge scalars */
	while ((rc = host_pb_next(m, n, &cur, &g)) > 0)
		if (g.num == num) {
			*f = g;
			found = 1;
		}
	return rc < 0 ? -1 : found;
}

void host_pb_init(struct host_pb_buf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->overflow = 0;
}

static void put_raw_varint(struct host_pb_buf *b, uint64_t v)
{
	do {
		uint8_t byte = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			byte |= 0x80;
		if (b->len < b->cap)
			b->p[b->len++] = byte;
		else
			b->overflow = 1;
	} while (v);
}

void host_pb_put_varint(struct host_pb_buf *b, uint32_t num, uint64_t v)
{
	put_raw_varint(b, (uint64_t)num << 3 | HOST_PB_VARINT);
	put_raw_varint(b, v);
}

void host_pb_put_bytes(struct host_pb_buf *b, uint32_t num, const void *p, size_t n)
{
	put_raw_varint(b, (uint64_t)num << 3 | HOST_PB_LEN);
	put_raw_varint(b, n);
	if (n > b->cap - b->len) {
		b->overflow = 1;
		return;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void host_pb_put_str(struct host_pb_buf *b, uint32_t num, const char *s)
{
	host_pb_put_bytes(b, num, s, strlen(s));
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void host_pb_put_map_entry(struct host_pb_buf *b, uint32_t num, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val);
	put_raw_varint(b, (uint64_t)num << 3 | HOST_PB_LEN);
	put_raw_varint(b, 1 + varint_len(kl) + kl + 1 + varint_len(vl) + vl);
	host_pb_put_bytes(b, 1, key, kl);
	host_pb_put_bytes(b, 2, val, vl);
}
