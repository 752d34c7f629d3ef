/* formats/scap_read.c: .scap reader: gzip, block walk, metadata into sk_meta, event decode, enter/exit merging. */
#include "formats/scap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/scap_codes.h"
#include "formats/syscalls.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_MI 0x201u
#define BT_PL_V1 0x202u
#define BT_FDL 0x203u
#define BT_EV 0x204u
#define BT_IL 0x205u
#define BT_UL 0x206u
#define BT_PL_V2 0x207u
#define BT_EVF 0x208u
#define BT_PL_V3 0x209u
#define BT_PL_V4 0x210u
#define BT_PL_V9 0x215u
#define BT_EV_V2 0x216u
#define BT_EVF_V2 0x217u
#define BT_FDL_V2 0x218u
#define BT_IL_V2 0x219u
#define BT_UL_V2 0x220u
#define BT_EV_V2_LARGE 0x221u
#define BT_EVF_V2_LARGE 0x222u

/* The last enter event of one thread, kept to complete its exit. */
struct enter_slot {
	int64_t tid;
	uint8_t used;         /* hash entry occupied */
	uint16_t type;        /* saker type of the enter, SK_EV__COUNT if none */
	uint16_t code;
	uint8_t n;
	const char *const *names; /* old layout names, or NULL: the table's */
	uint16_t scid;        /* converted generic syscall id */
	struct sk_param p[SK_MAX_PARAMS];
};

struct sk_scap_reader {
	char *name;
	uint8_t *buf;
	size_t len;
	size_t pos;
	size_t data_end;      /* bytes of valid decompressed data */
	int gz_trunc;         /* the gzip stream itself was cut or corrupt */
	int done;
	int in_events;        /* event blocks have started in this section */
	struct sk_scap_read_opts opts;
	struct sk_meta *meta;
	struct sk_scap_stats stats;
	uint16_t code_type[SCAP_CODE_LIMIT];  /* sk type + 1; 0 = no kind */
	struct enter_slot *slots;
	size_t nslots;        /* power of two */
	size_t used_slots;
	uint16_t scid_scratch;
	char err[320];
};

static int fail(struct sk_scap_reader *r, int rc, size_t off, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "%s: byte %zu: %s", r->name, off, msg);
	r->done = 1;
	return rc;
}

/* off: where the incomplete block starts; the input itself ended at r->len
 * (of the decompressed data for gzip input). */
static int fail_trunc(struct sk_scap_reader *r, size_t off)
{
	const char *gz = r->gz_trunc ? " of the decompressed data (the gzip stream is cut or corrupt)" : "";
	if (off < r->len)
		snprintf(r->err, sizeof(r->err), "%s: truncated at byte %zu%s: the block at byte %zu is incomplete",
			 r->name, r->len, gz, off);
	else
		snprintf(r->err, sizeof(r->err), "%s: truncated at byte %zu%s", r->name, r->len, gz);
	r->done = 1;
	return -EIO;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

int sk_scap_probe(const uint8_t *head, size_t len)
{
	if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return 1;
	return len >= 4 && rd32(head) == BT_SHB;
}

/* Inflates every concatenated gzip member; a cut stream keeps what was
 * decoded and sets gz_trunc so the block walk reports where it stopped. */
static int inflate_all(struct sk_scap_reader *r, const uint8_t *in, size_t inlen)
{
	size_t cap = inlen * 8 + 4096, used = 0;
	uint8_t *out = malloc(cap);
	z_stream zs;
	if (!out)
		return -ENOMEM;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		free(out);
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)inlen;
	for (;;) {
		if (cap - used < 65536) {
			uint8_t *n = realloc(out, cap * 2);
			if (!n) {
				inflateEnd(&zs);
				free(out);
				return -ENOMEM;
			}
			out = n;
			cap *= 2;
		}
		zs.next_out = out + used;
		zs.avail_out = (uInt)(cap - used);
		int rc = inflate(&zs, Z_NO_FLUSH);
		used = cap - zs.avail_out;
		if (rc == Z_STREAM_END) {
			if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			break;
		}
		if (rc == Z_OK)
			continue;
		if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
			r->gz_trunc = 1;
			break;
		}
		r->gz_trunc = 1; /* corrupt: keep what decoded */
		break;
	}
	inflateEnd(&zs);
	r->buf = out;
	r->len = used;
	return 0;
}

/* ---- metadata blocks ---- */

struct cur {
	const uint8_t *p;
	size_t n;
	int bad;
};

static uint8_t c8(struct cur *c) { if (c->n < 1) { c->bad = 1; return 0; } c->n--; return *c->p++; }
static uint16_t c16(struct cur *c) { if (c->n < 2) { c->bad = 1; c->n = 0; return 0; } uint16_t v = rd16(c->p); c->p += 2; c->n -= 2; return v; }
static uint32_t c32(struct cur *c) { if (c->n < 4) { c->bad = 1; c->n = 0; return 0; } uint32_t v = rd32(c->p); c->p += 4; c->n -= 4; return v; }
static uint64_t c64(struct cur *c) { if (c->n < 8) { c->bad = 1; c->n = 0; return 0; } uint64_t v = rd64(c->p); c->p += 8; c->n -= 8; return v; }
static void cbytes(struct cur *c, void *dst, size_t len)
{
	if (c->n < len) { c->bad = 1; c->n = 0; return; }
	memcpy(dst, c->p, len); c->p += len; c->n -= len;
}
/* u16-length string: returns pointer and length (not NUL-terminated). */
static const char *cstr(struct cur *c, uint32_t *len)
{
	uint16_t l = c16(c);
	if (c->bad || c->n < l) { c->bad = 1; c->n = 0; *len = 0; return ""; }
	const char *s = (const char *)c->p;
	c->p += l; c->n -= l; *len = l;
	return s;
}
static const char *cstr_dup(struct sk_scap_reader *r, struct cur *c, uint32_t *lenout)
{
	uint32_t l;
	const char *s = cstr(c, &l);
	if (lenout)
		*lenout = l;
	return sk_meta_strndup(r->meta, s, l);
}
/* NUL-separated lists: the length counts a final NUL, added if missing. */
static const char *clist_dup(struct sk_scap_reader *r, struct cur *c, uint32_t *lenout)
{
	uint32_t l;
	const char *s = cstr(c, &l);
	*lenout = l;
	if (l > 0 && s[l - 1] != '\0')
		(*lenout)++;
	return sk_meta_strndup(r->meta, s, l);
}

static int parse_mi(struct sk_scap_reader *r, struct cur *c, size_t off)
{
	struct sk_meta_host h;
	char host[129];
	memset(&h, 0, sizeof(h));
	h.num_cpus = c32(c);
	h.memory_bytes = c64(c);
	(void)c64(c); /* max_pid */
	cbytes(c, host, 128);
	host[128] = '\0';
	if (c->bad)
		return fail(r, -EINVAL, off, "machine info block too short");
	if (c->n >= 8)
		h.boot_ts = c64(c);
	h.hostname = host;
	return sk_meta_set_host(r->meta, &h);
}

static int parse_il(struct sk_scap_reader *r, struct cur *c, size_t off, int v2)
{
	while (c->n >= 4) {
		struct cur e = *c;
		if (v2) {
			uint32_t elen = c32(c);
			if (elen > c->n)
				return fail(r, -EINVAL, off, "interface entry length %u overruns the block", elen);
			e.p = c->p; e.n = elen; e.bad = 0;
			c->p += elen; c->n -= elen;
		}
		struct cur *x = v2 ? &e : c;
		struct sk_meta_iface ifc;
		memset(&ifc, 0, sizeof(ifc));
		uint16_t type = c16(x), nlen = c16(x);
		size_t alen = (type == 1 || type == 3) ? 4 : 16;
		if (type < 1 || type > 4)
			return fail(r, -EINVAL, off, "unknown interface type %u", type);
		ifc.family = alen == 4 ? 2 : 10;
		cbytes(x, ifc.addr, alen);
		cbytes(x, ifc.netmask, alen);
		cbytes(x, ifc.bcast, alen);
		if (type <= 2)
			ifc.linkspeed = c64(x);
		if (x->bad || x->n < nlen)
			return fail(r, -EINVAL, off, "interface list entry truncated");
		ifc.name = sk_meta_strndup(r->meta, (const char *)x->p, nlen);
		x->p += nlen; x->n -= nlen;
		if (!ifc.name || sk_meta_add_iface(r->meta, &ifc))
			return -ENOMEM;
		r->stats.il_ifaces++;
	}
	return 0;
}

static int parse_ul(struct sk_scap_reader *r, struct cur *c, size_t off, int v2)
{
	while (c->n >= 4) {
		struct cur e = *c;
		if (v2) {
			uint32_t elen = c32(c);
			if (elen < 4 || elen - 4 > c->n)
				return fail(r, -EINVAL, off, "user entry length %u overruns the block", elen);
			e.p = c->p; e.n = elen - 4; e.bad = 0;
			c->p += elen - 4; c->n -= elen - 4;
		}
		struct cur *x = v2 ? &e : c;
		uint8_t kind = c8(x);
		if (kind == 0) {
			struct sk_meta_user u = { .container_id = "" };
			u.uid = c32(x);
			u.gid = c32(x);
			u.name = cstr_dup(r, x, NULL);
			u.home = cstr_dup(r, x, NULL);
			u.shell = cstr_dup(r, x, NULL);
			if (x->bad)
				return fail(r, -EINVAL, off, "user list entry truncated");
			if (sk_meta_add_user(r->meta, &u))
				return -ENOMEM;
			r->stats.ul_users++;
		} else if (kind == 1) {
			struct sk_meta_group g = { .container_id = "" };
			g.gid = c32(x);
			g.name = cstr_dup(r, x, NULL);
			if (x->bad)
				return fail(r, -EINVAL, off, "group list entry truncated");
			if (sk_meta_add_group(r->meta, &g))
				return -ENOMEM;
			r->stats.ul_groups++;
		} else {
			return fail(r, -EINVAL, off, "unknown user list entry kind %u", kind);
		}
	}
	return 0;
}

/* PL version from the block type: v1 0x202, v2 0x207, v3 0x209, v4..v9 0x210..0x215. */
static int pl_version(uint32_t bt)
{
	if (bt == BT_PL_V1 || bt == 0x8000ABCDu) return 1;
	if (bt == BT_PL_V2 || bt == 0x8013ABCDu) return 2;
	if (bt == BT_PL_V3 || bt == 0x8014ABCDu) return 3;
	if (bt >= BT_PL_V4 && bt <= BT_PL_V9) return 4 + (int)(bt - BT_PL_V4);
	return 0;
}

static int parse_pl(struct sk_scap_reader *r, struct cur *c, size_t off, int ver)
{
	while (c->n >= 4) {
		struct cur e = *c;
		if (ver == 9) {
			uint32_t elen = c32(c);
			if (elen < 4 || elen - 4 > c->n)
				return fail(r, -EINVAL, off, "process entry length %u overruns the block", elen);
			e.p = c->p; e.n = elen - 4; e.bad = 0;
			c->p += elen - 4; c->n -= elen - 4;
		}
		struct cur *x = ver == 9 ? &e : c;
		struct sk_meta_proc p;
		memset(&p, 0, sizeof(p));
		p.tid = (int64_t)c64(x);
		p.pid = (int64_t)c64(x);
		p.ptid = (int64_t)c64(x);
		if (ver >= 6)
			p.sid = (int64_t)c64(x);
		if (ver >= 8)
			p.vpgid = (int64_t)c64(x);
		p.comm = cstr_dup(r, x, NULL);
		p.exe = cstr_dup(r, x, NULL);
		if (ver >= 7)
			p.exepath = cstr_dup(r, x, NULL);
		p.args = clist_dup(r, x, &p.args_len);
		p.cwd = cstr_dup(r, x, NULL);
		p.fdlimit = (int64_t)c64(x);
		p.flags = c32(x);
		p.uid = c32(x);
		p.gid = c32(x);
		if (ver >= 2) {
			p.vmsize_kb = c32(x);
			p.vmrss_kb = c32(x);
			p.vmswap_kb = c32(x);
			p.pfmajor = c64(x);
			p.pfminor = c64(x);
		}
		if (ver >= 3)
			p.env = clist_dup(r, x, &p.env_len);
		p.vtid = p.tid;
		p.vpid = p.pid;
		if (ver >= 4) {
			p.vtid = (int64_t)c64(x);
			p.vpid = (int64_t)c64(x);
			p.cgroups = clist_dup(r, x, &p.cgroups_len);
		}
		if (ver >= 5)
			p.root = cstr_dup(r, x, NULL);
		p.loginuid = 0xffffffffu;
		if (ver == 9 && x->n > 0) {
			/* Old tail (<= 29 bytes: loginuid, exe_writable) or the new one. */
			if (x->n <= 29) {
				if (x->n >= 4)
					p.loginuid = c32(x);
				if (x->n >= 1 && c8(x))
					p.exe_flags |= SK_EXE_WRITABLE;
			} else {
				p.pidns_init_start_ts = c64(x);
				p.tty = c32(x);
				p.loginuid = c32(x);
				if (c8(x)) p.exe_flags |= SK_EXE_WRITABLE;
				if (x->n >= 24) {
					p.cap_inheritable = c64(x);
					p.cap_permitted = c64(x);
					p.cap_effective = c64(x);
				}
				if (x->n >= 1 && c8(x)) p.exe_flags |= SK_EXE_UPPER_LAYER;
				if (x->n >= 24) {
					p.exe_ino = c64(x);
					p.exe_ino_ctime = c64(x);
					p.exe_ino_mtime = c64(x);
				}
				if (x->n >= 1 && c8(x)) p.exe_flags |= SK_EXE_FROM_MEMFD;
				if (x->n >= 1 && c8(x)) p.exe_flags |= SK_EXE_LOWER_LAYER;
				if (x->n >= 8) p.pgid = (int64_t)c64(x);
			}
		}
		if (x->bad)
			return fail(r, -EINVAL, off, "process list entry truncated");
		if (!p.comm || !p.exe || !p.args || !p.cwd)
			return -ENOMEM;
		if (sk_meta_add_proc(r->meta, &p))
			return -ENOMEM;
		r->stats.pl_threads++;
	}
	return 0;
}

static int64_t pid_of_tid(const struct sk_meta *m, int64_t tid)
{
	/* Threads usually arrive in PL order, so scan backwards from the end
	 * of the most recent section. */
	for (size_t i = m->n_procs; i-- > 0;)
		if (m->procs[i].tid == tid)
			return m->procs[i].pid;
	return tid;
}

static int parse_fdl(struct sk_scap_reader *r, struct cur *c, size_t off, int v2)
{
	int64_t tid = (int64_t)c64(c);
	if (c->bad)
		return fail(r, -EINVAL, off, "fd list block too short");
	int64_t pid = pid_of_tid(r->meta, tid);
	r->stats.fdl_blocks++;
	while (c->n >= 4) {
		struct cur e = *c;
		if (v2) {
			uint32_t elen = c32(c);
			if (elen < 4 || elen - 4 > c->n)
				return fail(r, -EINVAL, off, "fd entry length %u overruns the block", elen);
			e.p = c->p; e.n = elen - 4; e.bad = 0;
			c->p += elen - 4; c->n -= elen - 4;
		}
		struct cur *x = v2 ? &e : c;
		struct sk_meta_fd f;
		memset(&f, 0, sizeof(f));
		f.pid = pid;
		f.fd = (int64_t)c64(x);
		f.ino = c64(x);
		uint8_t t = c8(x);
		switch (t) {
		case 3: cbytes(x, f.sip, 4); cbytes(x, f.dip, 4); f.sport = c16(x); f.dport = c16(x); f.l4proto = c8(x); break;
		case 4: cbytes(x, f.sip, 16); cbytes(x, f.dip, 16); f.sport = c16(x); f.dport = c16(x); f.l4proto = c8(x); break;
		case 5: cbytes(x, f.sip, 4); f.sport = c16(x); f.l4proto = c8(x); break;
		case 6: cbytes(x, f.sip, 16); f.sport = c16(x); f.l4proto = c8(x); break;
		case 8: f.unix_source = c64(x); f.unix_dest = c64(x); f.name = cstr_dup(r, x, NULL); break;
		case 16:
			f.open_flags = c32(x);
			f.name = cstr_dup(r, x, NULL);
			if (v2 && x->n >= 4)
				f.dev = c32(x);
			break;
		default:
			if (t == 0 || t > 21)
				return fail(r, -EINVAL, off, "unknown fd type %u", t);
			f.name = cstr_dup(r, x, NULL);
			break;
		}
		f.type = (t == 16) ? SK_FDT_FILE : t;
		if (x->bad)
			return fail(r, -EINVAL, off, "fd list entry truncated");
		if (sk_meta_add_fd(r->meta, &f))
			return -ENOMEM;
	}
	return 0;
}

/* ---- block walk ---- */

static int is_event_block(uint32_t bt)
{
	return bt == BT_EV || bt == 0x8010ABCDu || bt == BT_EVF || bt == BT_EV_V2 || bt == BT_EVF_V2 ||
	       bt == BT_EV_V2_LARGE || bt == BT_EVF_V2_LARGE;
}

static int parse_shb(struct sk_scap_reader *r, const uint8_t *body, size_t blen, size_t off)
{
	if (blen < 16)
		return fail(r, -EINVAL, off, "section header too short");
	if (rd32(body) != 0x1A2B3C4Du)
		return fail(r, -EINVAL, off, "invalid byte-order magic 0x%08x", rd32(body));
	if (rd16(body + 4) > 1)
		return fail(r, -EINVAL, off, "unsupported major version %u", rd16(body + 4));
	r->stats.sections++;
	r->in_events = 0;
	return 0;
}

static int parse_meta_block(struct sk_scap_reader *r, uint32_t bt, const uint8_t *body, size_t blen, size_t off)
{
	struct cur c = { body, blen, 0 };
	int ver;

	if (bt == BT_MI || bt == 0x8002ABCDu)
		return parse_mi(r, &c, off);
	if (bt == BT_IL || bt == 0x8011ABCDu)
		return parse_il(r, &c, off, 0);
	if (bt == BT_IL_V2)
		return parse_il(r, &c, off, 1);
	if (bt == BT_UL || bt == 0x8012ABCDu)
		return parse_ul(r, &c, off, 0);
	if (bt == BT_UL_V2)
		return parse_ul(r, &c, off, 1);
	if (bt == BT_FDL || bt == 0x8001ABCDu)
		return parse_fdl(r, &c, off, 0);
	if (bt == BT_FDL_V2)
		return parse_fdl(r, &c, off, 1);
	if ((ver = pl_version(bt)) != 0)
		return parse_pl(r, &c, off, ver);
	return 0; /* unknown block: skipped */
}

/* Walks blocks until an event block is found (body and blen set, returns 1),
 * the clean end (0) or an error (<0). */
static int next_block(struct sk_scap_reader *r, uint32_t *bt_out, const uint8_t **body, size_t *blen, size_t *off)
{
	for (;;) {
		size_t pos = r->pos;
		if (pos == r->len) {
			if (r->gz_trunc)
				return fail_trunc(r, pos);
			return 0;
		}
		if (r->len - pos < 12)
			return fail_trunc(r, pos);
		uint32_t bt = rd32(r->buf + pos);
		uint32_t total = rd32(r->buf + pos + 4);
		if (total < 12 || (total & 3))
			return fail(r, -EINVAL, pos, "bad block length %u (type 0x%x)", total, bt);
		if (total > r->len - pos)
			return fail_trunc(r, pos);
		if (rd32(r->buf + pos + total - 4) != total)
			return fail(r, -EINVAL, pos, "block trailer length %u differs from header %u",
				    rd32(r->buf + pos + total - 4), total);
		r->pos = pos + total;
		r->stats.blocks++;
		const uint8_t *b = r->buf + pos + 8;
		size_t bl = total - 12;
		int rc;
		if (bt == BT_SHB) {
			if ((rc = parse_shb(r, b, bl, pos)) < 0)
				return rc;
			continue;
		}
		if (is_event_block(bt)) {
			r->in_events = 1;
			*bt_out = bt; *body = b; *blen = bl; *off = pos;
			return 1;
		}
		/* Metadata between events without a new section header: libscap
		 * would stop; saker skips it. */
		if (r->in_events)
			continue;
		if ((rc = parse_meta_block(r, bt, b, bl, pos)) < 0)
			return rc;
	}
}

/* ---- events ---- */

static size_t slot_hash(int64_t tid, size_t n)
{
	return (size_t)(((uint64_t)tid * 0x9E3779B97F4A7C15ull) >> 20) & (n - 1);
}

static int slots_grow(struct sk_scap_reader *r)
{
	size_t n = r->nslots ? r->nslots * 2 : 256;
	struct enter_slot *s = calloc(n, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < r->nslots; i++) {
		const struct enter_slot *o = &r->slots[i];
		if (!o->used)
			continue;
		size_t h = slot_hash(o->tid, n);
		while (s[h].used)
			h = (h + 1) & (n - 1);
		s[h] = *o;
		/* A converted generic id lives in the slot itself: follow it. */
		for (int k = 0; k < s[h].n; k++)
			if (o->p[k].val == (const uint8_t *)&o->scid)
				s[h].p[k].val = (const uint8_t *)&s[h].scid;
	}
	free(r->slots);
	r->slots = s;
	r->nslots = n;
	return 0;
}

static struct enter_slot *slot_find(struct sk_scap_reader *r, int64_t tid, int create)
{
	if (create && (r->used_slots + 1) * 2 > r->nslots && slots_grow(r) < 0)
		return NULL;
	if (!r->nslots)
		return NULL;
	size_t h = slot_hash(tid, r->nslots);
	while (r->slots[h].used) {
		if (r->slots[h].tid == tid)
			return &r->slots[h];
		h = (h + 1) & (r->nslots - 1);
	}
	if (!create)
		return NULL;
	r->used_slots++;
	r->slots[h].used = 1;
	r->slots[h].tid = tid;
	r->slots[h].type = SK_EV__COUNT;
	r->slots[h].n = 0;
	return &r->slots[h];
}

static const char *slot_param_name(const struct enter_slot *s, int i)
{
	if (s->names)
		return s->names[i];
	const struct sk_event_info *info = sk_event_info(s->type);
	return (info && i < info->nparams) ? info->params[i].name : NULL;
}

/* v1 blocks lack nparams: find n whose lengths add up to the record. */
static int infer_nparams(const uint8_t *rec, uint32_t len, uint32_t maxn, uint32_t lsz)
{
	for (int64_t n = maxn; n >= 0; n--) {
		uint64_t hdr = 22 + (uint64_t)n * lsz;
		if (hdr > len)
			continue;
		uint64_t sum = hdr;
		for (int64_t i = 0; i < n; i++)
			sum += lsz == 4 ? rd32(rec + 22 + i * 4) : rd16(rec + 22 + i * 2);
		if (sum == len)
			return (int)n;
	}
	return -1;
}

static int decode_event(struct sk_scap_reader *r, uint32_t bt, const uint8_t *b, size_t bl, size_t off,
			struct sk_event *ev, int *deliver)
{
	int has_flags = bt == BT_EVF || bt == BT_EVF_V2 || bt == BT_EVF_V2_LARGE;
	int v1 = bt == BT_EV || bt == BT_EVF || bt == 0x8010ABCDu;
	size_t pre = 2 + (has_flags ? 4 : 0);
	uint32_t hlen = v1 ? 22 : 26;

	*deliver = 0;
	if (bl < pre + hlen)
		return fail(r, -EINVAL, off, "event block too short (%zu bytes)", bl);
	if (!(bt == BT_EV_V2_LARGE || bt == BT_EVF_V2_LARGE) && bl + 12 - 8 > 65536 + 12)
		return fail(r, -EINVAL, off, "event block of %zu bytes exceeds 64 KiB", bl);
	uint16_t cpu = rd16(b);
	uint32_t dflags = has_flags ? rd32(b + 2) : 0;
	const uint8_t *rec = b + pre;
	size_t avail = bl - pre;
	uint64_t ts = rd64(rec);
	int64_t tid = (int64_t)rd64(rec + 8);
	uint32_t len = rd32(rec + 16);
	uint16_t code = rd16(rec + 20);
	r->stats.event_blocks++;
	if (code >= SCAP_CODE_LIMIT) {
		r->stats.skipped_unknown++;
		return 0;
	}
	if (v1 && (code == 280 || code == 286) && len >= hlen + 3)
		len -= 3; /* libscap quirk: these old records claim 3 extra bytes */
	if (len < hlen || len > avail)
		return fail(r, -EINVAL, off, "event length %u outside 26..%zu", len, avail);
	uint32_t lsz = scap_code_is_large(code) ? 4 : 2;
	struct scap_code_info ci;
	int known = scap_code_lookup(code, &ci) == 0;
	int64_t np;
	if (v1) {
		np = infer_nparams(rec, len, known ? ci.nparams : SK_MAX_PARAMS, lsz);
		if (np < 0)
			return fail(r, -EINVAL, off, "cannot infer the parameters of event code %u", code);
	} else {
		np = rd32(rec + 22);
		if ((uint64_t)np * lsz > len - hlen)
			return fail(r, -EINVAL, off, "%lld parameter lengths overrun the event", (long long)np);
	}
	r->stats.numbered++;
	ev->num = r->stats.numbered;
	ev->ts = ts;
	ev->tid = tid;
	ev->cpu = cpu;
	ev->flags = (dflags & 1) ? SK_EVF_STATE_ONLY : 0;
	if (ts) {
		if (!r->stats.first_ts || ts < r->stats.first_ts)
			r->stats.first_ts = ts;
		if (ts > r->stats.last_ts)
			r->stats.last_ts = ts;
	}
	const uint8_t *lens = rec + hlen;
	uint64_t vpos = hlen + (uint64_t)np * lsz;
	struct sk_param raw[SK_MAX_PARAMS];
	uint32_t nraw = 0;
	for (int64_t i = 0; i < np; i++) {
		uint32_t l = lsz == 4 ? rd32(lens + i * 4) : rd16(lens + i * 2);
		if (vpos + l > len)
			return fail(r, -EINVAL, off, "parameter %lld of event code %u overruns the event",
				    (long long)i, code);
		if (nraw < SK_MAX_PARAMS) {
			raw[nraw].val = l ? rec + vpos : NULL;
			raw[nraw].len = l;
			nraw++;
		}
		vpos += l;
	}
	if (!known) {
		/* Lossless carrier: code first, then the raw parameters. */
		ev->type = SK_EV_SCAP_UNKNOWN_E;
		ev->params[0].val = rec + 20; /* the u16 code inside the header */
		ev->params[0].len = 2;
		uint32_t n = nraw < SK_MAX_PARAMS - 1 ? nraw : SK_MAX_PARAMS - 1;
		memcpy(&ev->params[1], raw, n * sizeof(raw[0]));
		ev->nparams = n + 1;
		*deliver = 1;
		return 0;
	}
	ev->type = ci.sk_type;
	const struct sk_event_info *info = &sk_event_table[ci.sk_type];
	uint32_t n = 0;
	memset(ev->params, 0, sizeof(ev->params[0]) * (info->nparams > nraw ? info->nparams : nraw));
	for (uint32_t i = 0; i < nraw; i++) {
		int dst = ci.remap ? (i < ci.nparams ? ci.remap[i] : -1) : (int)i;
		if (dst < 0 || dst >= SK_MAX_PARAMS)
			continue;
		ev->params[dst] = raw[i];
		if ((uint32_t)dst + 1 > n)
			n = dst + 1;
	}
	if (ci.dyn_fd && ev->params[0].len == 9) {
		ev->params[0].val++;
		ev->params[0].len = 8;
	}
	if (ci.sk_type == SK_EV_GENERIC_E || ci.sk_type == SK_EV_GENERIC_X) {
		if (ev->params[0].len == 2) {
			uint16_t id = sk_syscall_from_ppm_sc(rd16(ev->params[0].val));
			if (id != rd16(ev->params[0].val)) {
				r->scid_scratch = id;
				ev->params[0].val = (const uint8_t *)&r->scid_scratch;
			}
		}
	}
	ev->nparams = n;

	int is_exit = sk_event_is_exit(ci.sk_type);
	int meta = (info->flags & SK_EF_META) != 0;
	if (meta) {
		*deliver = 1;
		if (ci.sk_type == SK_EV_CONTAINER_E && ev->params[0].len > 1) {
			struct sk_meta_container mc = { .id = "", .ts = ts };
			mc.json = sk_meta_strndup(r->meta, (const char *)ev->params[0].val,
						  strnlen((const char *)ev->params[0].val, ev->params[0].len));
			if (!mc.json || sk_meta_add_container(r->meta, &mc))
				return fail(r, -ENOMEM, off, "out of memory");
		}
		return 0;
	}
	if (!is_exit) {
		struct enter_slot *s = slot_find(r, tid, 1);
		if (!s)
			return fail(r, -ENOMEM, off, "out of memory");
		s->type = ci.sk_type;
		s->code = code;
		s->names = ci.names;
		s->n = (uint8_t)(nraw < SK_MAX_PARAMS ? nraw : SK_MAX_PARAMS);
		memcpy(s->p, raw, s->n * sizeof(raw[0]));
		if (ev->type == SK_EV_GENERIC_E && ev->params[0].val == (const uint8_t *)&r->scid_scratch) {
			s->scid = r->scid_scratch;
			s->p[0].val = (const uint8_t *)&s->scid;
		}
		*deliver = r->opts.deliver_enter;
		return 0;
	}
	/* Exit: complete missing tail parameters by name from this thread's
	 * last enter of the same kind (scap.md §16.1). */
	*deliver = 1;
	if (n < info->nparams) {
		struct enter_slot *s = slot_find(r, tid, 0);
		int match = s && s->type < SK_EV__COUNT && sk_event_kind(s->type) == sk_event_kind(ci.sk_type);
		for (uint32_t i = n; i < info->nparams; i++) {
			ev->params[i].val = NULL;
			ev->params[i].len = 0;
			if (!match)
				continue;
			for (int k = 0; k < s->n; k++) {
				const char *nm = slot_param_name(s, k);
				if (nm && strcmp(nm, info->params[i].name) == 0) {
					ev->params[i] = s->p[k];
					break;
				}
			}
		}
		ev->nparams = info->nparams;
	}
	return 0;
}

int sk_scap_next(struct sk_scap_reader *r, struct sk_event *ev)
{
	while (!r->done) {
		uint32_t bt;
		const uint8_t *b;
		size_t bl, off;
		int rc = next_block(r, &bt, &b, &bl, &off);
		if (rc <= 0) {
			r->done = 1;
			return rc;
		}
		int deliver;
		if ((rc = decode_event(r, bt, b, bl, off, ev, &deliver)) < 0)
			return rc;
		if (deliver) {
			r->stats.delivered++;
			return 1;
		}
	}
	return r->err[0] ? -EIO : 0;
}

const char *sk_scap_error(const struct sk_scap_reader *r)
{
	return r->err;
}

const struct sk_meta *sk_scap_meta(const struct sk_scap_reader *r)
{
	return r->meta;
}

const struct sk_scap_stats *sk_scap_get_stats(const struct sk_scap_reader *r)
{
	return &r->stats;
}

void sk_scap_close(struct sk_scap_reader *r)
{
	if (!r)
		return;
	sk_meta_free(r->meta);
	free(r->slots);
	free(r->buf);
	free(r->name);
	free(r);
}

static int open_common(struct sk_scap_reader *r, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	int rc;
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if ((rc = inflate_all(r, data, len)) < 0)
			goto out;
	} else {
		r->buf = malloc(len ? len : 1);
		if (!r->buf) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(r->buf, data, len);
		r->len = len;
	}
	if (r->len < 4 || rd32(r->buf) != BT_SHB) {
		rc = r->len < 4 && r->gz_trunc ? fail_trunc(r, r->len)
					      : fail(r, -EINVAL, 0, "not a .scap file (no section header)");
		goto out;
	}
	/* Read the metadata of the first section now, so sk_scap_meta() is
	 * complete before the first event; the first event block is left
	 * for sk_scap_next(). */
	for (;;) {
		uint32_t bt;
		const uint8_t *b;
		size_t bl, off;
		rc = next_block(r, &bt, &b, &bl, &off);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			r->pos = off;
			r->stats.blocks--;
		}
		r->done = 0;
		rc = 0;
		break;
	}
	if (r->stats.sections == 0)
		rc = fail(r, -EINVAL, 0, "not a .scap file (no section header)");
out:
	if (rc < 0) {
		if (!r->err[0])
			snprintf(r->err, sizeof(r->err), "%s: %s", r->name, strerror(-rc));
		snprintf(err, errlen, "%s", r->err);
	}
	return rc;
}

int sk_scap_open_mem(const void *data, size_t len, const char *name, const struct sk_scap_read_opts *opts,
		     struct sk_scap_reader **out, char *err, size_t errlen)
{
	struct sk_scap_reader *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r || !(r->name = strdup(name ? name : "<memory>")) || !(r->meta = sk_meta_new())) {
		sk_scap_close(r);
		snprintf(err, errlen, "%s: out of memory", name ? name : "<memory>");
		return -ENOMEM;
	}
	if (opts)
		r->opts = *opts;
	int rc = open_common(r, data, len, err, errlen);
	if (rc < 0) {
		sk_scap_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int sk_scap_open(const char *path, const struct sk_scap_read_opts *opts, struct sk_scap_reader **out,
		 char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	*out = NULL;
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	for (;;) {
		if (cap - len < 65536) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			uint8_t *n = realloc(data, ncap);
			if (!n) {
				free(data);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			data = n;
			cap = ncap;
		}
		size_t got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		free(data);
		snprintf(err, errlen, "%s: read error", path);
		return -EIO;
	}
	int rc = sk_scap_open_mem(data, len, path, opts, out, err, errlen);
	free(data);
	return rc;
}
