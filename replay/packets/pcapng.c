/* replay/packets/pcapng.c: a minimal pcapng writer: section header, one interface block per link, enhanced packet blocks with a comment. */
#include "replay/packets/packets_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define OPT_END 0
#define OPT_COMMENT 1
#define IF_NAME 2
#define IF_TSRESOL 9

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int put(struct pcapng_out *o, const void *p, size_t n)
{
	if (n == 0) /* an empty option or payload may come with a NULL pointer */
		return 0;
	if (fwrite(p, 1, n, o->f) != n) {
		o->failed = 1;
		return -1;
	}
	return 0;
}

static int put_u32(struct pcapng_out *o, uint32_t v)
{
	return put(o, &v, 4);
}

static int put_opt(struct pcapng_out *o, uint16_t code, const void *v, size_t len)
{
	static const uint8_t zeros[4];
	uint16_t h[2] = { code, (uint16_t)len };
	return put(o, h, 4) || put(o, v, len) || put(o, zeros, pad4(len) - len);
}

int pcapng_open(struct pcapng_out *o, const char *path, int force, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
		snprintf(err, errlen, "--pcap-out %s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (use -f to overwrite)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	o->path = path;
	/* section header: byte-order magic, version 1.0, unknown section length */
	uint32_t body[4] = { 0x1A2B3C4Du, 0x00000001u, 0xFFFFFFFFu, 0xFFFFFFFFu };
	uint32_t len = 28;
	put_u32(o, BT_SHB);
	put_u32(o, len);
	put(o, body, sizeof(body));
	put_u32(o, len);
	return 0;
}

/* The interface id of (linktype, name), written on first use. */
static int iface_id(struct pcapng_out *o, uint32_t linktype, const char *name)
{
	for (uint32_t i = 0; i < o->nifaces; i++)
		if (o->ifaces[i].linktype == linktype && !strcmp(o->ifaces[i].name, name))
			return (int)i;
	if (o->nifaces == PCAPNG_MAX_IFACES)
		return -1;
	struct pcapng_iface *f = &o->ifaces[o->nifaces];
	f->linktype = linktype;
	snprintf(f->name, sizeof(f->name), "%s", name);
	size_t nlen = strlen(f->name);
	uint8_t tsresol = 9; /* nanoseconds */
	uint32_t len = (uint32_t)(8 + 8 + (nlen ? 4 + pad4(nlen) : 0) + 4 + 4 + 4 + 4);
	uint16_t lt[2] = { (uint16_t)linktype, 0 };
	put_u32(o, BT_IDB);
	put_u32(o, len);
	put(o, lt, 4);
	put_u32(o, 0); /* snaplen: no limit */
	if (nlen)
		put_opt(o, IF_NAME, f->name, nlen);
	put_opt(o, IF_TSRESOL, &tsresol, 1);
	put_opt(o, OPT_END, NULL, 0);
	put_u32(o, len);
	return (int)o->nifaces++;
}

int pcapng_write(struct pcapng_out *o, const struct sk_packet *p, const char *comment)
{
	int id = iface_id(o, p->linktype, p->ifname ? p->ifname : "");
	if (id < 0)
		return -1;
	size_t clen = comment ? strlen(comment) : 0;
	if (clen > 60000)
		clen = 60000;
	size_t opts = clen ? 4 + pad4(clen) + 4 : 0;
	uint32_t len = (uint32_t)(8 + 20 + pad4(p->caplen) + opts + 4);
	uint32_t hdr[5] = { (uint32_t)id, (uint32_t)(p->ts >> 32), (uint32_t)p->ts, p->caplen, p->origlen };
	static const uint8_t zeros[4];
	put_u32(o, BT_EPB);
	put_u32(o, len);
	put(o, hdr, sizeof(hdr));
	put(o, p->data, p->caplen);
	put(o, zeros, pad4(p->caplen) - p->caplen);
	if (clen) {
		put_opt(o, OPT_COMMENT, comment, clen);
		put_opt(o, OPT_END, NULL, 0);
	}
	put_u32(o, len);
	return o->failed ? -1 : 0;
}

int pcapng_close(struct pcapng_out *o, char *err, size_t errlen)
{
	if (!o->f)
		return 0;
	int rc = fclose(o->f) != 0 || o->failed ? -1 : 0;
	if (rc)
		snprintf(err, errlen, "--pcap-out %s: write failed: %s", o->path, strerror(errno));
	o->f = NULL;
	return rc;
}
