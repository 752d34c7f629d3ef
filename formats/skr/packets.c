/* formats/skr/packets.c: .skr packet frames (docs/skr-format.md section 12): the encoder the capture thread owns and the reader's decoder. */
#include "formats/skr/read_int.h"

#include <stdio.h>

#define PKT_FIXED 32 /* packet frame body before the payload */

struct skr_packet_encoder {
	ZSTD_CCtx *cctx;
	struct skr_buf hdr, data, raw, frame;
	uint32_t npackets;
	uint64_t min_ts, max_ts, prev_ts;
};

struct skr_packet_encoder *skr_packet_encoder_new(int level)
{
	struct skr_packet_encoder *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cctx = ZSTD_createCCtx();
	if (!e->cctx) {
		free(e);
		return NULL;
	}
	ZSTD_CCtx_setParameter(e->cctx, ZSTD_c_compressionLevel, level ? level : 3);
	ZSTD_CCtx_setParameter(e->cctx, ZSTD_c_checksumFlag, 1);
	return e;
}

void skr_packet_encoder_free(struct skr_packet_encoder *e)
{
	if (!e)
		return;
	ZSTD_freeCCtx(e->cctx);
	skr_buf_free(&e->hdr);
	skr_buf_free(&e->data);
	skr_buf_free(&e->raw);
	skr_buf_free(&e->frame);
	free(e);
}

int skr_packet_encoder_add(struct skr_packet_encoder *e, const struct sk_packet *p)
{
	if (p->origlen < p->caplen)
		return -EINVAL;
	if (!e->npackets)
		e->min_ts = e->max_ts = e->prev_ts = p->ts;
	if (skr_buf_reserve(&e->hdr, 40) || skr_buf_put(&e->data, p->data, p->caplen))
		return -ENOMEM;
	uint8_t *h = e->hdr.p + e->hdr.len;
	size_t n = skr_put_varint(h, p->iface);
	n += skr_put_varint(h + n, skr_zigzag((int64_t)(p->ts - e->prev_ts)));
	n += skr_put_varint(h + n, p->caplen);
	n += skr_put_varint(h + n, p->origlen - p->caplen);
	e->hdr.len += n;
	e->prev_ts = p->ts;
	if (p->ts < e->min_ts)
		e->min_ts = p->ts;
	if (p->ts > e->max_ts)
		e->max_ts = p->ts;
	e->npackets++;
	return 0;
}

uint32_t skr_packet_encoder_count(const struct skr_packet_encoder *e)
{
	return e->npackets;
}

size_t skr_packet_encoder_bytes(const struct skr_packet_encoder *e)
{
	return e->hdr.len + e->data.len;
}

int skr_packet_encoder_finish(struct skr_packet_encoder *e, const uint8_t **frame, size_t *len)
{
	*frame = NULL;
	*len = 0;
	if (!e->npackets)
		return 0;
	size_t raw_len = e->hdr.len + e->data.len;
	if (raw_len > SKR_MAX_RAW)
		return -EFBIG;
	e->raw.len = 0;
	if (skr_buf_put(&e->raw, e->hdr.p, e->hdr.len) || skr_buf_put(&e->raw, e->data.p, e->data.len))
		return -ENOMEM;
	size_t bound = ZSTD_compressBound(raw_len);
	e->frame.len = 0;
	if (skr_buf_reserve(&e->frame, 16 + PKT_FIXED + bound))
		return -ENOMEM;
	uint8_t *f = e->frame.p;
	size_t z = ZSTD_compress2(e->cctx, f + 16 + PKT_FIXED, bound, e->raw.p, raw_len);
	if (ZSTD_isError(z))
		return -EIO;
	int compressed = z < raw_len;
	if (!compressed)
		memcpy(f + 16 + PKT_FIXED, e->raw.p, raw_len);
	size_t content = 8 + PKT_FIXED + (compressed ? z : raw_len);
	if (content > SKR_MAX_FRAME)
		return -EFBIG;
	skr_put_u32(f, SKR_SKIPPABLE_MAGIC);
	skr_put_u32(f + 4, (uint32_t)content);
	skr_put_u32(f + 8, SKR_TAG_PACKETS);
	uint8_t *b = f + 16;
	skr_put_u32(b, e->npackets);
	skr_put_u32(b + 4, (uint32_t)raw_len);
	skr_put_u32(b + 8, (uint32_t)e->hdr.len);
	skr_put_u32(b + 12, compressed ? 1 : 0);
	skr_put_u64(b + 16, e->min_ts);
	skr_put_u64(b + 24, e->max_ts);
	skr_put_u32(f + 12, skr_frame_crc(f + 8, content));
	e->frame.len = 8 + content;
	*frame = e->frame.p;
	*len = e->frame.len;
	e->npackets = 0;
	e->hdr.len = e->data.len = 0;
	return 0;
}

void skr_reader_set_packet_sink(struct skr_reader *r, sk_packet_sink_fn fn, void *ctx)
{
	r->psink = fn;
	r->psink_ctx = ctx;
}

uint64_t skr_reader_packets(const struct skr_reader *r)
{
	return r->npackets;
}

int skr_read_packet_frame(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen)
{
	if (blen < PKT_FIXED)
		return skr_read_corrupt(r, off, "packet frame too short");
	uint32_t npk = skr_get_u32(b), raw_len = skr_get_u32(b + 4), hdr_len = skr_get_u32(b + 8);
	uint8_t comp = b[12];
	uint64_t min_ts = skr_get_u64(b + 16), max_ts = skr_get_u64(b + 24);
	const uint8_t *pay = b + PKT_FIXED;
	size_t plen = blen - PKT_FIXED;
	if (!npk || raw_len > SKR_MAX_RAW || hdr_len > raw_len || min_ts > max_ts)
		return skr_read_corrupt(r, off, "bad packet frame header");
	if (comp == 1) {
		r->praw.len = 0;
		if (skr_buf_reserve(&r->praw, raw_len + 1))
			return skr_read_fail(r, -ENOMEM, "out of memory");
		size_t got = ZSTD_decompressDCtx(r->dctx, r->praw.p, raw_len, pay, plen);
		if (ZSTD_isError(got) || got != raw_len)
			return skr_read_corrupt(r, off, "packet payload does not decompress to its size");
		pay = r->praw.p;
	} else if (comp != 0 || plen != raw_len) {
		return skr_read_corrupt(r, off, "bad packet compression or size");
	}
	const uint8_t *h = pay, *hend = pay + hdr_len;
	const uint8_t *d = hend, *dend = pay + raw_len;
	uint64_t prev = min_ts;
	for (uint32_t i = 0; i < npk; i++) {
		uint64_t iface, dts, caplen, extra;
		if (skr_get_varint(&h, hend, &iface) || skr_get_varint(&h, hend, &dts) ||
		    skr_get_varint(&h, hend, &caplen) || skr_get_varint(&h, hend, &extra))
			return skr_read_corrupt(r, off, "packet record runs past its stream");
		if (iface > UINT32_MAX || caplen > (uint64_t)(dend - d) || extra > UINT32_MAX - caplen)
			return skr_read_corrupt(r, off, "packet length out of range");
		struct sk_packet p = {
			.ts = prev + (uint64_t)skr_unzigzag(dts),
			.iface = (uint32_t)iface,
			.caplen = (uint32_t)caplen,
			.origlen = (uint32_t)(caplen + extra),
			.data = d,
		};
		const struct sk_meta *m = r->meta;
		p.linktype = p.iface < m->n_capifs ? m->capifs[p.iface].linktype : SK_LINKTYPE_ETHERNET;
		p.ifname = p.iface < m->n_capifs && m->capifs[p.iface].name ? m->capifs[p.iface].name : "";
		if (p.ts < min_ts || p.ts > max_ts)
			return skr_read_corrupt(r, off, "packet time outside the frame's range");
		prev = p.ts;
		d += caplen;
		r->npackets++;
		if (r->psink)
			r->psink(r->psink_ctx, &p);
	}
	if (h != hend || d != dend)
		return skr_read_corrupt(r, off, "packet streams not consumed exactly");
	return 0;
}
