/* formats/packet.c: the 5-tuple of a captured packet (link, IPv4/IPv6, TCP/UDP headers). */
#include "formats/packet.h"

#include <string.h>

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Offset of the IP header and the ethertype in front of it; -1 if unknown. */
static int link_header(uint32_t linktype, const uint8_t *d, uint32_t caplen, uint32_t *off, uint16_t *etype)
{
	switch (linktype) {
	case SK_LINKTYPE_ETHERNET: {
		uint32_t o = 12;
		if (caplen < 14)
			return -1;
		uint16_t t = be16(d + o);
		/* 802.1Q / 802.1ad tags, up to two */
		for (int i = 0; i < 2 && (t == 0x8100 || t == 0x88a8); i++) {
			o += 4;
			if (caplen < o + 2)
				return -1;
			t = be16(d + o);
		}
		*off = o + 2;
		*etype = t;
		return 0;
	}
	case SK_LINKTYPE_RAW:
		if (caplen < 1)
			return -1;
		*off = 0;
		*etype = (d[0] >> 4) == 6 ? 0x86dd : 0x0800;
		return 0;
	case SK_LINKTYPE_NULL: {
		if (caplen < 4)
			return -1;
		uint32_t af;
		memcpy(&af, d, 4);
		*off = 4;
		*etype = af == 2 ? 0x0800 : 0x86dd;
		return 0;
	}
	case SK_LINKTYPE_LINUX_SLL:
		if (caplen < 16)
			return -1;
		*off = 16;
		*etype = be16(d + 14);
		return 0;
	case SK_LINKTYPE_LINUX_SLL2:
		if (caplen < 20)
			return -1;
		*off = 20;
		*etype = be16(d);
		return 0;
	default:
		return -1;
	}
}

int sk_packet_flow(uint32_t linktype, const uint8_t *d, uint32_t caplen, struct sk_flow *f)
{
	uint32_t off;
	uint16_t etype;
	if (link_header(linktype, d, caplen, &off, &etype) < 0)
		return -1;
	memset(f, 0, sizeof(*f));
	uint32_t l4off, iplen_payload;
	if (etype == 0x0800) {
		if (caplen < off + 20 || (d[off] >> 4) != 4)
			return -1;
		uint32_t ihl = (uint32_t)(d[off] & 0x0f) * 4;
		/* later fragments carry no ports */
		if (ihl < 20 || (be16(d + off + 6) & 0x1fff))
			return -1;
		f->family = 2;
		f->l4proto = d[off + 9];
		memcpy(f->src, d + off + 12, 4);
		memcpy(f->dst, d + off + 16, 4);
		uint32_t tot = be16(d + off + 2);
		iplen_payload = tot > ihl ? tot - ihl : 0;
		l4off = off + ihl;
	} else if (etype == 0x86dd) {
		if (caplen < off + 40 || (d[off] >> 4) != 6)
			return -1;
		f->family = 10;
		f->l4proto = d[off + 6]; /* extension headers are not followed */
		memcpy(f->src, d + off + 8, 16);
		memcpy(f->dst, d + off + 24, 16);
		iplen_payload = be16(d + off + 4);
		l4off = off + 40;
	} else {
		return -1;
	}
	if (f->l4proto == 6) {
		if (caplen < l4off + 13)
			return -1;
		uint32_t thl = (uint32_t)(d[l4off + 12] >> 4) * 4;
		f->payload = iplen_payload > thl ? iplen_payload - thl : 0;
	} else if (f->l4proto == 17) {
		if (caplen < l4off + 4)
			return -1;
		f->payload = iplen_payload > 8 ? iplen_payload - 8 : 0;
	} else {
		return -1;
	}
	f->sport = be16(d + l4off);
	f->dport = be16(d + l4off + 2);
	return 0;
}
