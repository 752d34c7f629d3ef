/* sources/pcap.c: .pcap and .pcapng files (read with libpcap) as a source of packets and no events, replayed beside a capture. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/source.h"

struct pcap_src {
	pcap_t *h;
	FILE *f;
	struct sk_meta *meta;
	sk_packet_sink_fn sink;
	void *sink_ctx;
	uint32_t linktype;
	const char *ifname;
	char name[256];
	char err[512];
	int done;
};

static int pcap_probe(const uint8_t *head, size_t len)
{
	static const uint8_t magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 }, /* pcap, microseconds */
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d }, /* pcap, nanoseconds */
		{ 0x0a, 0x0d, 0x0d, 0x0a },                             /* pcapng section header */
	};
	if (len < 4)
		return 0;
	for (size_t i = 0; i < 4; i++)
		if (!memcmp(head, magics[i], 4))
			return 1;
	if (len < 12 || memcmp(head, magics[4], 4))
		return 0;
	/* .scap files are pcapng too: tell them apart by the block after the
	 * section header (scap blocks are numbered from 0x200; a pcapng file
	 * goes on with an interface block). A long section header (with
	 * options) is a network tool's: scap writers add none. */
	uint32_t shb_len;
	memcpy(&shb_len, head + 4, 4);
	if (shb_len > len - 4)
		return shb_len > 28 && shb_len < 65536;
	uint32_t next;
	memcpy(&next, head + shb_len, 4);
	return next >= 1 && next <= 6;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct pcap_src *s = (struct pcap_src *)user;
	struct sk_packet p = {
		.ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec,
		.iface = 0,
		.caplen = h->caplen,
		.origlen = h->len < h->caplen ? h->caplen : h->len,
		.data = bytes,
		.linktype = s->linktype,
		.ifname = s->ifname,
	};
	s->sink(s->sink_ctx, &p);
}

/* The packets are the whole content: they all go to the sink at the first
 * call (replay joins them to sockets at the end), then the source ends. */
static int pcap_src_next(void *impl, struct sk_event *ev)
{
	(void)ev;
	struct pcap_src *s = impl;
	if (s->done)
		return 0;
	s->done = 1;
	if (!s->sink)
		return 0;
	if (pcap_loop(s->h, -1, on_packet, (u_char *)s) == PCAP_ERROR) {
		/* a cut file: libpcap reports it after the last whole packet */
		snprintf(s->err, sizeof(s->err), "%s: %s", s->name, pcap_geterr(s->h));
		return -EBADMSG;
	}
	return 0;
}

static const struct sk_meta *pcap_src_meta(void *impl)
{
	return ((struct pcap_src *)impl)->meta;
}

static const char *pcap_src_error(void *impl)
{
	return ((struct pcap_src *)impl)->err;
}

static void pcap_src_close(void *impl)
{
	struct pcap_src *s = impl;
	if (s->h)
		pcap_close(s->h); /* closes s->f */
	else if (s->f)
		fclose(s->f);
	sk_meta_free(s->meta);
	free(s);
}

static void *pcap_src_open(int fd, const char *name, const uint8_t *head, size_t len,
			   const struct source_opts *opts, char *err, size_t errlen)
{
	(void)head;
	struct pcap_src *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	/* libpcap reads from the start: the sniffed bytes must be read again */
	if (lseek(fd, -(off_t)len, SEEK_CUR) < 0) {
		snprintf(err, errlen, "%s: a .pcap/.pcapng input must be a regular file (not a pipe)", name);
		free(s);
		return NULL;
	}
	int dfd = dup(fd);
	s->f = dfd >= 0 ? fdopen(dfd, "rb") : NULL;
	char perr[PCAP_ERRBUF_SIZE];
	s->h = s->f ? pcap_fopen_offline_with_tstamp_precision(s->f, PCAP_TSTAMP_PRECISION_NANO, perr) : NULL;
	s->meta = sk_meta_new();
	if (!s->h || !s->meta) {
		snprintf(err, errlen, "%s: %s", name, s->f && !s->h ? perr : "cannot open");
		if (!s->f && dfd >= 0)
			close(dfd);
		pcap_src_close(s);
		return NULL;
	}
	s->linktype = (uint32_t)pcap_datalink(s->h);
#ifdef DLT_RAW
	if (s->linktype == DLT_RAW)
		s->linktype = SK_LINKTYPE_RAW;
#endif
	const char *base = strrchr(name, '/');
	struct sk_meta_capif c = { base ? base + 1 : name, s->linktype, (uint32_t)pcap_snapshot(s->h), "" };
	if (sk_meta_add_capif(s->meta, &c)) {
		snprintf(err, errlen, "%s: out of memory", name);
		pcap_src_close(s);
		return NULL;
	}
	s->ifname = s->meta->capifs[0].name;
	s->sink = opts ? opts->packet : NULL;
	s->sink_ctx = opts ? opts->packet_ctx : NULL;
	return s;
}

static const struct source_ops pcap_src_ops = {
	.next = pcap_src_next,
	.meta = pcap_src_meta,
	.error = pcap_src_error,
	.close = pcap_src_close,
};

const struct source_format source_format_pcap = {
	.name = "pcap",
	.probe_len = 64,
	.probe = pcap_probe,
	.open = pcap_src_open,
	.ops = &pcap_src_ops,
};
