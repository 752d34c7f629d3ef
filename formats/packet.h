/* formats/packet.h: captured network packets (the packet stream of a capture) and their flows. */
#ifndef SAKER_FORMATS_PACKET_H
#define SAKER_FORMATS_PACKET_H

#include <stddef.h>
#include <stdint.h>

/*
 * A packet as libpcap captured it: the capture interface (an index into the
 * capture's SK_META_CAPIF records), the time (ns since the epoch, the same
 * clock as events), the bytes kept (caplen) and the length on the wire.
 * data points into the buffer it was decoded from: valid during the call
 * that hands the packet over.
 */
struct sk_packet {
	uint64_t ts;
	uint32_t iface;
	uint32_t caplen, origlen;
	const uint8_t *data;
	/* Filled by readers from the interface's record (writers ignore them):
	 * its link type (pcap LINKTYPE_*) and name ("" when unknown). */
	uint32_t linktype;
	const char *ifname;
};

/* Receives each packet of a capture as the reader meets it. */
typedef void (*sk_packet_sink_fn)(void *ctx, const struct sk_packet *p);

/* Link types (pcap LINKTYPE_* values) whose IP header sk_packet_flow finds. */
#define SK_LINKTYPE_NULL 0
#define SK_LINKTYPE_ETHERNET 1
#define SK_LINKTYPE_RAW 101
#define SK_LINKTYPE_LINUX_SLL 113
#define SK_LINKTYPE_LINUX_SLL2 276

/* The 5-tuple of a TCP or UDP packet, as it travels: src -> dst.
 * Addresses are network order (IPv4 in the first 4 bytes), ports host order. */
struct sk_flow {
	uint8_t family;      /* 2 = AF_INET, 10 = AF_INET6 */
	uint8_t l4proto;     /* 6 = TCP, 17 = UDP */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t payload;    /* transport payload bytes (from the IP lengths, not caplen) */
};

/* Parses the link, IP and TCP/UDP headers of p (link type linktype) into
 * *f. 0, or -1 when the packet is not TCP/UDP over IPv4/IPv6 or is cut
 * before its ports. */
int sk_packet_flow(uint32_t linktype, const uint8_t *data, uint32_t caplen, struct sk_flow *f);

#endif
