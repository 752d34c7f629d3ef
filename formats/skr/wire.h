/* formats/skr/wire.h: internal .skr wire constants, varints, byte buffers and the metadata record codec. */
#ifndef SAKER_FORMATS_SKR_WIRE_H
#define SAKER_FORMATS_SKR_WIRE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/meta.h"

/* Constants of docs/skr-format.md. */
/* 2.0 stores chunks as shapes and columns; 1.0 chunks (rows, 7 streams) are
 * still read (docs/skr-format.md appendix A). 2.2 codes the TS stream and the
 * FIXED columns (section 6.1), announced by a must-understand header flag so
 * that 2.0 and 2.1 readers refuse such files with an upgrade message. */
#define SKR_VERSION_MAJOR 2
#define SKR_V1_NSTREAMS 7
#define SKR_VERSION_MINOR 2
#define SKR_FLAG_CODED 0x1u /* header flag: 2.2 coded chunks (10 streams) */
#define SKR_SKIPPABLE_MAGIC 0x184D2A55u
#define SKR_ZSTD_MAGIC 0xFD2FB528u
#define SKR_TAG(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define SKR_TAG_HEADER SKR_TAG('S', 'K', 'R', 'H')
#define SKR_TAG_META SKR_TAG('S', 'K', 'R', 'M')
#define SKR_TAG_BATCH SKR_TAG('S', 'K', 'R', 'B')
#define SKR_TAG_FOOTER SKR_TAG('S', 'K', 'R', 'X')
#define SKR_TAG_PACKETS SKR_TAG('S', 'K', 'R', 'P')
#define SKR_TAG_END SKR_TAG('S', 'K', 'R', 'T')
#define SKR_MAX_FRAME (256u << 20)    /* saker frame content */
#define SKR_MAX_RAW (64u << 20)       /* decompressed event chunk */
#define SKR_MAX_META_RAW (256u << 20) /* decompressed metadata payload */
#define SKR_NSTREAMS 9          /* streams of a 2.0 chunk */
#define SKR_NSTREAMS_CODED 10   /* streams of a 2.2 coded chunk (the most this reader uses) */
#define SKR_MAX_SHAPES 4096u            /* distinct event shapes per chunk */
#define SKR_FIXED_MAX 16                /* params up to this size are columns */
#define SKR_BATCH_FIXED 48              /* batch body before stream_len[] */
#define SKR_BATCH_CODED_TAIL 12         /* 2.2: u32 chunk flags, u64 dict_off after stream_len[] */
#define SKR_CHUNK_KEY 0x1u              /* chunk flag: later chunks may use this one as their dictionary */
#define SKR_FOOTER_ENTRY 40
#define SKR_FLAGS_MUST_UNDERSTAND 0xffffu

/* Streams of a 1.0 chunk. */
enum skr_v1_stream { SKR_V1_TYPE, SKR_V1_TID, SKR_V1_TS, SKR_V1_CPU, SKR_V1_FLAGS, SKR_V1_LEN, SKR_V1_DATA };

enum skr_stream {
	SKR_S_SHAPE, SKR_S_SHAPEDEF, SKR_S_TID, SKR_S_TS, SKR_S_CPU, SKR_S_FLAGS,
	SKR_S_FIXED, SKR_S_BIGREF, SKR_S_BIG, SKR_S_COLMODE
};

/* How a FIXED column of a coded chunk is stored (one COLMODE byte each). */
enum skr_colmode {
	SKR_COL_RAW = 0,   /* the values as they are */
	SKR_COL_DELTA = 1, /* widths 2, 4, 8: zigzag of value - previous value, modulo 2^(8 * width) */
};

/* Values i0 .. i0 + 7 of a byte-planar column (below) of n values of w
 * bytes, 1 to 8, with i0 + 8 <= n: each in the low w bytes of y[k], the
 * rest zero. The planes' 8-byte runs are the rows of an 8x8 byte matrix,
 * transposed in registers (three rounds of swapping 1-, 2- and 4-byte
 * blocks between row pairs) instead of moved a byte at a time. */
static inline __attribute__((always_inline)) void skr_planar_block8(const uint8_t *in, size_t n, size_t i0, unsigned w, uint64_t y[8])
{
	for (unsigned j = 0; j < 8; j++) {
		y[j] = 0;
		if (j < w)
			memcpy(&y[j], in + j * n + i0, 8);
	}
	uint64_t t;
#define SKR_SWAP(a, b, s, m) (t = ((y[a] >> (s)) ^ y[b]) & (m), y[b] ^= t, y[a] ^= t << (s))
	SKR_SWAP(0, 1, 8, 0x00ff00ff00ff00ffull);
	SKR_SWAP(2, 3, 8, 0x00ff00ff00ff00ffull);
	SKR_SWAP(4, 5, 8, 0x00ff00ff00ff00ffull);
	SKR_SWAP(6, 7, 8, 0x00ff00ff00ff00ffull);
	SKR_SWAP(0, 2, 16, 0x0000ffff0000ffffull);
	SKR_SWAP(1, 3, 16, 0x0000ffff0000ffffull);
	SKR_SWAP(4, 6, 16, 0x0000ffff0000ffffull);
	SKR_SWAP(5, 7, 16, 0x0000ffff0000ffffull);
	SKR_SWAP(0, 4, 32, 0x00000000ffffffffull);
	SKR_SWAP(1, 5, 32, 0x00000000ffffffffull);
	SKR_SWAP(2, 6, 32, 0x00000000ffffffffull);
	SKR_SWAP(3, 7, 32, 0x00000000ffffffffull);
#undef SKR_SWAP
}

/* Whether values i .. i + 7 of a column of n values of w bytes go as one
 * block whose values are each stored as 8 bytes: the bytes past a value's
 * w are overwritten by the next values', and the last store's must stay
 * inside the column. */
static inline int skr_planar_block_fits(size_t i, size_t n, unsigned w)
{
	return w <= 8 && i + 8 <= n && (n - i - 7) * w >= 8;
}

#if defined(__SSE2__)
#include <emmintrin.h>
#define SKR_PLANAR_BLOCK16 1
/* Values i .. i + 15 of a byte-planar column of n values of w = 1, 2, 4 or 8
 * bytes (i + 16 <= n), joined into out (16 * w bytes). The transpose of
 * skr_planar_block8, 16 values wide: interleaving the planes' bytes, then
 * their 2-byte and 4-byte pairs, takes 3 instructions per 16-byte row where
 * the 8-byte rows take 4 per swap. Call with a constant w. */
static inline __attribute__((always_inline)) void skr_planar_block16(uint8_t *out, const uint8_t *in, size_t n,
								       size_t i, unsigned w)
{
#define SKR_LD(j) _mm_loadu_si128((const __m128i *)(const void *)(in + (j) * n + i))
#define SKR_ST(k, v) _mm_storeu_si128((__m128i *)(void *)(out + 16 * (k)), (v))
	if (w == 1) {
		SKR_ST(0, SKR_LD(0));
		return;
	}
	__m128i a0 = SKR_LD(0), a1 = SKR_LD(1);
	__m128i b0 = _mm_unpacklo_epi8(a0, a1), b1 = _mm_unpackhi_epi8(a0, a1);
	if (w == 2) {
		SKR_ST(0, b0);
		SKR_ST(1, b1);
		return;
	}
	__m128i a2 = SKR_LD(2), a3 = SKR_LD(3);
	__m128i b2 = _mm_unpacklo_epi8(a2, a3), b3 = _mm_unpackhi_epi8(a2, a3);
	/* c0: bytes 0-3 of values 0-3, c1: of 4-7, c4: of 8-11, c5: of 12-15 */
	__m128i c0 = _mm_unpacklo_epi16(b0, b2), c1 = _mm_unpackhi_epi16(b0, b2);
	__m128i c4 = _mm_unpacklo_epi16(b1, b3), c5 = _mm_unpackhi_epi16(b1, b3);
	if (w == 4) {
		SKR_ST(0, c0);
		SKR_ST(1, c1);
		SKR_ST(2, c4);
		SKR_ST(3, c5);
		return;
	}
	__m128i a4 = SKR_LD(4), a5 = SKR_LD(5), a6 = SKR_LD(6), a7 = SKR_LD(7);
	__m128i b4 = _mm_unpacklo_epi8(a4, a5), b5 = _mm_unpackhi_epi8(a4, a5);
	__m128i b6 = _mm_unpacklo_epi8(a6, a7), b7 = _mm_unpackhi_epi8(a6, a7);
	/* the same for bytes 4-7 */
	__m128i c2 = _mm_unpacklo_epi16(b4, b6), c3 = _mm_unpackhi_epi16(b4, b6);
	__m128i c6 = _mm_unpacklo_epi16(b5, b7), c7 = _mm_unpackhi_epi16(b5, b7);
	SKR_ST(0, _mm_unpacklo_epi32(c0, c2));
	SKR_ST(1, _mm_unpackhi_epi32(c0, c2));
	SKR_ST(2, _mm_unpacklo_epi32(c1, c3));
	SKR_ST(3, _mm_unpackhi_epi32(c1, c3));
	SKR_ST(4, _mm_unpacklo_epi32(c4, c6));
	SKR_ST(5, _mm_unpackhi_epi32(c4, c6));
	SKR_ST(6, _mm_unpacklo_epi32(c5, c7));
	SKR_ST(7, _mm_unpackhi_epi32(c5, c7));
#undef SKR_LD
#undef SKR_ST
}

/* The values of a column in blocks of 16 while they last (w = 1, 2, 4, 8);
 * returns where the rest starts. */
static inline size_t skr_planar_join16(uint8_t *out, const uint8_t *in, size_t n, unsigned w)
{
	size_t i = 0;
	/* a loop per width, so that each has its constant */
	if (w == 8)
		for (; i + 16 <= n; i += 16)
			skr_planar_block16(out + i * 8, in, n, i, 8);
	else if (w == 4)
		for (; i + 16 <= n; i += 16)
			skr_planar_block16(out + i * 4, in, n, i, 4);
	else if (w == 2)
		for (; i + 16 <= n; i += 16)
			skr_planar_block16(out + i * 2, in, n, i, 2);
	else if (w == 1)
		for (; i + 16 <= n; i += 16)
			skr_planar_block16(out + i, in, n, i, 1);
	return i;
}
#else
static inline size_t skr_planar_join16(uint8_t *out, const uint8_t *in, size_t n, unsigned w)
{
	(void)out, (void)in, (void)n, (void)w;
	return 0;
}
#endif

/* Byte-planar layout of a column of n values of w bytes: plane j holds byte
 * j of every value (in[j * n + i]), so the mostly-zero high bytes of integers
 * end up together. This joins the planes back into values. */
static inline void skr_planar_join(uint8_t *out, const uint8_t *in, size_t n, unsigned w)
{
	size_t i = skr_planar_join16(out, in, n, w);
	for (; skr_planar_block_fits(i, n, w); i += 8) {
		uint64_t y[8];
		skr_planar_block8(in, n, i, w, y);
		for (unsigned k = 0; k < 8; k++)
			memcpy(out + (i + k) * w, &y[k], 8);
	}
	for (unsigned j = 0; j < w; j++)
		for (size_t k = i; k < n; k++)
			out[k * w + j] = in[j * n + k];
}

static inline void skr_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void skr_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void skr_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t skr_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t skr_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t skr_get_u64(const uint8_t *p)
{
	return (uint64_t)skr_get_u32(p) | (uint64_t)skr_get_u32(p + 4) << 32;
}

static inline uint64_t skr_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t skr_unzigzag(uint64_t u)
{
	return (int64_t)((u >> 1) ^ (0 - (u & 1)));
}

static inline uint64_t skr_width_mask(unsigned w)
{
	return w >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * w)) - 1;
}

/* SKR_COL_DELTA: the zigzag of v - prev for w-byte (1 to 8) values, modulo
 * 2^(8w) with the sign taken from bit 8w-1, so a small step either way gives
 * a small code; it fits in w bytes. */
static inline uint64_t skr_delta_code(uint64_t v, uint64_t prev, unsigned w)
{
	unsigned sh = 64 - 8 * w;
	int64_t d = (int64_t)((v - prev) << sh) >> sh;
	return skr_zigzag(d) & skr_width_mask(w);
}

/* The inverse of skr_delta_code. */
static inline uint64_t skr_delta_decode(uint64_t code, uint64_t prev, unsigned w)
{
	return (prev + (uint64_t)skr_unzigzag(code)) & skr_width_mask(w);
}

/* Coded chunks keep the FIXED values of one (event type, parameter index,
 * length) in one column whatever the rest of their events' shapes: events
 * of a type differ in their string lengths far more than in anything else,
 * and per-shape columns cut every integer column into short pieces. This
 * map numbers the keys in order of first use. */
struct skr_colmap {
	uint64_t *slots; /* key << 32 | (column + 1); 0: free */
	size_t cap, mask;
};

static inline uint32_t skr_colmap_key(uint16_t type, uint32_t index, uint32_t len)
{
	return (uint32_t)type << 16 | index << 8 | len;
}

/* Empties the map, with room for nkeys keys; 0 or -ENOMEM. */
static inline int skr_colmap_reset(struct skr_colmap *m, size_t nkeys)
{
	size_t n = 64;
	while (n < 2 * nkeys)
		n *= 2;
	if (n > m->cap) {
		void *p = realloc(m->slots, n * sizeof(*m->slots));
		if (!p)
			return -ENOMEM;
		m->slots = p;
		m->cap = n;
	}
	m->mask = n - 1;
	memset(m->slots, 0, n * sizeof(*m->slots));
	return 0;
}

/* The column of key; a new key gets number *ncols, which then grows. The
 * map must have room (skr_colmap_reset with at least the keys to come). */
static inline uint32_t skr_colmap_get(struct skr_colmap *m, uint32_t key, uint32_t *ncols)
{
	for (size_t s = (key * 2654435761u) & m->mask;; s = (s + 1) & m->mask) {
		uint64_t e = m->slots[s];
		if (!e) {
			m->slots[s] = (uint64_t)key << 32 | (*ncols + 1);
			return (*ncols)++;
		}
		if ((uint32_t)(e >> 32) == key)
			return (uint32_t)e - 1;
	}
}

static inline void skr_colmap_free(struct skr_colmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->mask = 0;
}

/* Bit length of v: 0 for 0, else the position of its top bit plus one. */
static inline unsigned skr_bit_length(uint64_t v)
{
	return v ? 64u - (unsigned)__builtin_clzll(v) : 0u;
}

/* Value i of a planar column of n values of w (<= 8) bytes. */
static inline uint64_t skr_planar_get(const uint8_t *col, size_t n, size_t i, unsigned w)
{
	uint64_t v = 0;
	for (unsigned j = 0; j < w; j++)
		v |= (uint64_t)col[j * n + i] << (8 * j);
	return v;
}

static inline void skr_planar_set(uint8_t *col, size_t n, size_t i, unsigned w, uint64_t v)
{
	for (unsigned j = 0; j < w; j++)
		col[j * n + i] = (uint8_t)(v >> (8 * j));
}

/* Writes v at p (which has room for 10 bytes); returns the bytes written. */
static inline size_t skr_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Reads a varint from [*pp, end); 0 or -1 if it runs past end or overflows. */
static inline int skr_get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	if (p < end && *p < 0x80) {
		*out = *p;
		*pp = p + 1;
		return 0;
	}
	/* 2 and 3 bytes (thread ids) without the loop */
	if (end - p >= 3) {
		if (p[1] < 0x80) {
			*out = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			*pp = p + 2;
			return 0;
		}
		if (p[2] < 0x80) {
			*out = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7 | (uint64_t)p[2] << 14;
			*pp = p + 3;
			return 0;
		}
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < 10; i++) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		if (i == 9 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

/* A growable byte buffer. */
struct skr_buf {
	uint8_t *p;
	size_t len, cap;
};

int skr_buf_grow(struct skr_buf *b, size_t need);

/* Makes room for n more bytes; 0 or -ENOMEM. */
static inline int skr_buf_reserve(struct skr_buf *b, size_t n)
{
	return b->cap - b->len >= n ? 0 : skr_buf_grow(b, n);
}

static inline void skr_buf_free(struct skr_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int skr_buf_put(struct skr_buf *b, const void *data, size_t n);
int skr_buf_put_varint(struct skr_buf *b, uint64_t v);

/* CRC-32 (zlib) of p continuing from crc (0 to start). */
uint32_t skr_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* The CRC of a saker frame: its tag, then its body (content minus tag and crc). */
static inline uint32_t skr_frame_crc(const uint8_t *content, size_t size)
{
	return skr_crc32(skr_crc32(0, content, 4), content + 8, size - 8);
}

/* Appends one record (varint length + fields) of kind for item. */
int skr_meta_encode_record(struct skr_buf *out, uint32_t kind, const void *item);
/* Decodes one record's fields (without its length prefix) into m. Returns 0,
 * -EBADMSG with a reason in err, or -ENOMEM. Unknown kinds are ignored. */
int skr_meta_decode_record(struct sk_meta *m, uint32_t kind, const uint8_t *p, size_t len,
			   char *err, size_t errlen);
/* Decodes count length-prefixed records covering exactly [p, p+len). */
int skr_meta_decode_records(struct sk_meta *m, uint32_t kind, const uint8_t *p, size_t len,
			    uint32_t count, char *err, size_t errlen);
/* Size of one item of kind's struct, 0 for unknown kinds. */
size_t skr_meta_item_size(uint32_t kind);

#endif
