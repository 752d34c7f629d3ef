/* formats/skr/meta.c: .skr metadata record encoding and decoding (docs/skr-format.md section 7), byte buffers, CRC. */
#include "formats/skr/wire.h"

#include <stdio.h>
#include <zlib.h>

int skr_buf_grow(struct skr_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < need) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int skr_buf_put(struct skr_buf *b, const void *data, size_t n)
{
	if (skr_buf_reserve(b, n))
		return -ENOMEM;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

int skr_buf_put_varint(struct skr_buf *b, uint64_t v)
{
	if (skr_buf_reserve(b, 10))
		return -ENOMEM;
	b->len += skr_put_varint(b->p + b->len, v);
	return 0;
}

uint32_t skr_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	uLong c = crc;
	while (n) {
		uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, chunk);
		p += chunk;
		n -= chunk;
	}
	return (uint32_t)c;
}

/* Field codes of section 7.1. U/S carry the width of the struct member. */
enum { F_U, F_S, F_STR, F_LIST, F_ADDR };

struct mfield {
	uint8_t code;
	uint8_t width;     /* bytes of the struct member (U, S) */
	uint16_t off;      /* member offset */
	uint16_t len_off;  /* F_LIST: offset of the uint32_t length */
	int64_t def;       /* default when absent */
};

#define FU(T, m) { F_U, sizeof(((T *)0)->m), offsetof(T, m), 0, 0 }
#define FUD(T, m, d) { F_U, sizeof(((T *)0)->m), offsetof(T, m), 0, d }
#define FS(T, m) { F_S, sizeof(((T *)0)->m), offsetof(T, m), 0, 0 }
#define FSD(T, m, d) { F_S, sizeof(((T *)0)->m), offsetof(T, m), 0, d }
#define FSTR(T, m) { F_STR, 0, offsetof(T, m), 0, 0 }
#define FLIST(T, m) { F_LIST, 0, offsetof(T, m), offsetof(T, m##_len), 0 }
#define FADDR(T, m) { F_ADDR, 0, offsetof(T, m), 0, 0 }

#define H struct sk_meta_host
static const struct mfield host_fields[] = {
	FSTR(H, hostname), FSTR(H, kernel_release), FSTR(H, tz_name), FSTR(H, recorder_version),
	FU(H, boot_ts), FU(H, start_ts), FU(H, memory_bytes), FU(H, num_cpus), FS(H, tz_offset_s),
	FS(H, realtime_minus_monotonic_ns), FS(H, realtime_minus_boottime_ns), FU(H, snaplen),
	FU(H, argv_limit),
};
#undef H
#define I struct sk_meta_iface
static const struct mfield iface_fields[] = {
	FSTR(I, name), FU(I, family), FADDR(I, addr), FADDR(I, netmask), FADDR(I, bcast),
	FU(I, linkspeed),
};
#undef I
#define U struct sk_meta_user
static const struct mfield user_fields[] = {
	FU(U, uid), FU(U, gid), FSTR(U, name), FSTR(U, home), FSTR(U, shell), FSTR(U, container_id),
};
#undef U
#define G struct sk_meta_group
static const struct mfield group_fields[] = {
	FU(G, gid), FSTR(G, name), FSTR(G, container_id),
};
#undef G
#define P struct sk_meta_proc
static const struct mfield proc_fields[] = {
	FS(P, tid), FS(P, pid), FS(P, ptid), FS(P, sid), FS(P, vpgid), FS(P, pgid), FS(P, vtid),
	FS(P, vpid), FSTR(P, comm), FSTR(P, exe), FSTR(P, exepath), FSTR(P, cwd), FSTR(P, root),
	FLIST(P, args), FLIST(P, env), FLIST(P, cgroups), FSD(P, fdlimit, -1), FU(P, flags),
	FU(P, uid), FU(P, gid), FUD(P, loginuid, 0xffffffff), FU(P, tty), FU(P, cap_inheritable),
	FU(P, cap_permitted), FU(P, cap_effective), FU(P, vmsize_kb), FU(P, vmrss_kb),
	FU(P, vmswap_kb), FU(P, pfmajor), FU(P, pfminor), FU(P, clone_ts),
	FU(P, pidns_init_start_ts), FU(P, exe_ino), FU(P, exe_ino_ctime), FU(P, exe_ino_mtime),
	FU(P, exe_flags),
};
#undef P
#define D struct sk_meta_fd
static const struct mfield fd_fields[] = {
	FS(D, pid), FS(D, fd), FU(D, ino), FU(D, type), FU(D, l4proto), FU(D, open_flags),
	FU(D, dev), FS(D, mnt_id), FSTR(D, name), FADDR(D, sip), FADDR(D, dip), FU(D, sport),
	FU(D, dport), FU(D, unix_source), FU(D, unix_dest),
};
#undef D
#define C struct sk_meta_container
static const struct mfield container_fields[] = {
	FSTR(C, id), FSTR(C, json), FU(C, ts),
};
#undef C
#define R struct sk_meta_drops
static const struct mfield drops_fields[] = {
	FU(R, ts), FU(R, cpu), FU(R, events), FU(R, ring_full), FU(R, copy_fail),
};
#undef R
#define K struct sk_meta_capif
static const struct mfield capif_fields[] = {
	FSTR(K, name), FU(K, linktype), FU(K, snaplen), FSTR(K, filter),
};
#undef K
#define E struct sk_meta_end
static const struct mfield end_fields[] = {
	FU(E, ts), FU(E, nevents), FU(E, ndrops),
};
#undef E
#define A struct sk_meta_alert
static const struct mfield alert_fields[] = {
	FU(A, ts), FU(A, evt_num), FU(A, priority), FSTR(A, rule), FSTR(A, output),
};
#undef A

struct mkind {
	const struct mfield *fields;
	size_t nfields;
	size_t size;
};

#define KIND(k, f, T) [k] = { f, sizeof(f) / sizeof(f[0]), sizeof(T) }
static const struct mkind kinds[SK_META__COUNT] = {
	KIND(SK_META_HOST, host_fields, struct sk_meta_host),
	KIND(SK_META_IFACE, iface_fields, struct sk_meta_iface),
	KIND(SK_META_USER, user_fields, struct sk_meta_user),
	KIND(SK_META_GROUP, group_fields, struct sk_meta_group),
	KIND(SK_META_PROC, proc_fields, struct sk_meta_proc),
	KIND(SK_META_FD, fd_fields, struct sk_meta_fd),
	KIND(SK_META_CONTAINER, container_fields, struct sk_meta_container),
	KIND(SK_META_DROPS, drops_fields, struct sk_meta_drops),
	KIND(SK_META_END, end_fields, struct sk_meta_end),
	KIND(SK_META_CAPIF, capif_fields, struct sk_meta_capif),
	KIND(SK_META_ALERT, alert_fields, struct sk_meta_alert),
};

size_t skr_meta_item_size(uint32_t kind)
{
	return kind < SK_META__COUNT ? kinds[kind].size : 0;
}

static uint64_t load_uint(const uint8_t *p, unsigned width)
{
	switch (width) {
	case 1: return *p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static int64_t load_int(const uint8_t *p, unsigned width)
{
	switch (width) {
	case 1: return (int8_t)*p;
	case 2: { int16_t v; memcpy(&v, p, 2); return v; }
	case 4: { int32_t v; memcpy(&v, p, 4); return v; }
	default: { int64_t v; memcpy(&v, p, 8); return v; }
	}
}

static void store_uint(uint8_t *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: *p = (uint8_t)v; break;
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static int put_bytes(struct skr_buf *b, const void *p, size_t n)
{
	return skr_buf_put_varint(b, n) || skr_buf_put(b, p, n) ? -ENOMEM : 0;
}

static int encode_field(struct skr_buf *b, const struct mfield *f, const uint8_t *item)
{
	const char *s;
	switch (f->code) {
	case F_U:
		return skr_buf_put_varint(b, load_uint(item + f->off, f->width));
	case F_S:
		return skr_buf_put_varint(b, skr_zigzag(load_int(item + f->off, f->width)));
	case F_STR:
		memcpy(&s, item + f->off, sizeof(s));
		return put_bytes(b, s ? s : "", s ? strlen(s) : 0);
	case F_LIST: {
		uint32_t len;
		memcpy(&s, item + f->off, sizeof(s));
		memcpy(&len, item + f->len_off, sizeof(len));
		return put_bytes(b, s ? s : "", s ? len : 0);
	}
	default: {
		/* IPv4 addresses are stored in the first 4 bytes: trim the zero tail. */
		const uint8_t *a = item + f->off;
		size_t n = 16;
		while (n > 0 && a[n - 1] == 0)
			n--;
		n = n == 0 ? 0 : n <= 4 ? 4 : 16;
		return put_bytes(b, a, n);
	}
	}
}

int skr_meta_encode_record(struct skr_buf *out, uint32_t kind, const void *item)
{
	if (kind >= SK_META__COUNT || !kinds[kind].fields)
		return -EINVAL;
	struct skr_buf rec = { 0 };
	int rc = 0;
	for (size_t i = 0; i < kinds[kind].nfields && !rc; i++)
		rc = encode_field(&rec, &kinds[kind].fields[i], item);
	if (!rc)
		rc = skr_buf_put_varint(out, rec.len) || skr_buf_put(out, rec.p, rec.len) ? -ENOMEM : 0;
	skr_buf_free(&rec);
	return rc;
}

/* The largest value an unsigned / signed member of width bytes holds. */
static int uint_fits(uint64_t v, unsigned width)
{
	return width >= 8 || v < (UINT64_C(1) << (8 * width));
}

static int int_fits(int64_t v, unsigned width)
{
	if (width >= 8)
		return 1;
	int64_t lim = INT64_C(1) << (8 * width - 1);
	return v >= -lim && v < lim;
}

static int decode_field(struct sk_meta *m, const struct mfield *f, uint8_t *item,
			const uint8_t **pp, const uint8_t *end)
{
	uint64_t v;
	if (skr_get_varint(pp, end, &v))
		return -EBADMSG;
	switch (f->code) {
	case F_U:
		if (!uint_fits(v, f->width))
			return -EBADMSG;
		store_uint(item + f->off, f->width, v);
		return 0;
	case F_S: {
		int64_t s = skr_unzigzag(v);
		if (!int_fits(s, f->width))
			return -EBADMSG;
		store_uint(item + f->off, f->width, (uint64_t)s);
		return 0;
	}
	case F_ADDR:
		if (v > 16 || v > (uint64_t)(end - *pp))
			return -EBADMSG;
		memset(item + f->off, 0, 16);
		memcpy(item + f->off, *pp, v);
		*pp += v;
		return 0;
	default: {
		if (v > (uint64_t)(end - *pp) || v > UINT32_MAX)
			return -EBADMSG;
		char *s = sk_meta_strndup(m, (const char *)*pp, v);
		if (!s)
			return -ENOMEM;
		*pp += v;
		memcpy(item + f->off, &s, sizeof(s));
		if (f->code == F_LIST) {
			uint32_t len = (uint32_t)v;
			memcpy(item + f->len_off, &len, sizeof(len));
		}
		return 0;
	}
	}
}

static void set_default(const struct mfield *f, uint8_t *item)
{
	if (f->code == F_U || f->code == F_S)
		store_uint(item + f->off, f->width, (uint64_t)f->def);
	else if (f->code == F_STR || f->code == F_LIST) {
		const char *empty = "";
		memcpy(item + f->off, &empty, sizeof(empty));
	}
}

int skr_meta_decode_record(struct sk_meta *m, uint32_t kind, const uint8_t *p, size_t len,
			   char *err, size_t errlen)
{
	if (kind >= SK_META__COUNT || !kinds[kind].fields)
		return 0;
	/* Big enough for any metadata struct. */
	union {
		struct sk_meta_host h;
		struct sk_meta_proc pr;
		struct sk_meta_fd fd;
		uint64_t align;
	} u;
	uint8_t *item = (uint8_t *)&u;
	memset(&u, 0, sizeof(u));
	const uint8_t *end = p + len;
	const struct mkind *k = &kinds[kind];
	for (size_t i = 0; i < k->nfields; i++) {
		if (p == end) {
			set_default(&k->fields[i], item);
			continue;
		}
		int rc = decode_field(m, &k->fields[i], item, &p, end);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			snprintf(err, errlen, "%s record: field %zu is malformed",
				 sk_meta_kind_name(kind), i + 1);
			return rc;
		}
	}
	return sk_meta_append_owned(m, kind, item);
}

int skr_meta_decode_records(struct sk_meta *m, uint32_t kind, const uint8_t *p, size_t len,
			    uint32_t count, char *err, size_t errlen)
{
	const uint8_t *end = p + len;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t rlen;
		if (skr_get_varint(&p, end, &rlen) || rlen > (uint64_t)(end - p)) {
			snprintf(err, errlen, "%s record %u: length does not fit",
				 sk_meta_kind_name(kind), i + 1);
			return -EBADMSG;
		}
		int rc = skr_meta_decode_record(m, kind, p, rlen, err, errlen);
		if (rc)
			return rc;
		p += rlen;
	}
	if (p != end) {
		snprintf(err, errlen, "%s: %zu bytes left after %u records",
			 sk_meta_kind_name(kind), (size_t)(end - p), count);
		return -EBADMSG;
	}
	return 0;
}
