/* formats/scap/read_meta.c: .scap metadata blocks (machine, interfaces, users, processes, fds, every version) into sk_meta. */
#include "formats/scap/read_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static const char *cstr_dup(struct scap_reader *r, struct cur *c, uint32_t *lenout)
{
	uint32_t l;
	const char *s = cstr(c, &l);
	if (lenout)
		*lenout = l;
	return sk_meta_strndup(r->meta, s, l);
}
/* NUL-separated lists: the length counts a final NUL, added if missing. */
static const char *clist_dup(struct scap_reader *r, struct cur *c, uint32_t *lenout)
{
	uint32_t l;
	const char *s = cstr(c, &l);
	*lenout = l;
	if (l > 0 && s[l - 1] != '\0')
		(*lenout)++;
	return sk_meta_strndup(r->meta, s, l);
}

static int parse_mi(struct scap_reader *r, struct cur *c, size_t off)
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
		return scap_read_fail(r, -EINVAL, off, "machine info block too short");
	if (c->n >= 8)
		h.boot_ts = c64(c);
	h.hostname = host;
	return sk_meta_set_host(r->meta, &h);
}

static int parse_il(struct scap_reader *r, struct cur *c, size_t off, int v2)
{
	while (c->n >= 4) {
		struct cur e = *c;
		if (v2) {
			uint32_t elen = c32(c);
			if (elen > c->n)
				return scap_read_fail(r, -EINVAL, off, "interface entry length %u overruns the block", elen);
			e.p = c->p; e.n = elen; e.bad = 0;
			c->p += elen; c->n -= elen;
		}
		struct cur *x = v2 ? &e : c;
		struct sk_meta_iface ifc;
		memset(&ifc, 0, sizeof(ifc));
		uint16_t type = c16(x), nlen = c16(x);
		size_t alen = (type == 1 || type == 3) ? 4 : 16;
		if (type < 1 || type > 4)
			return scap_read_fail(r, -EINVAL, off, "unknown interface type %u", type);
		ifc.family = alen == 4 ? 2 : 10;
		cbytes(x, ifc.addr, alen);
		cbytes(x, ifc.netmask, alen);
		cbytes(x, ifc.bcast, alen);
		if (type <= 2)
			ifc.linkspeed = c64(x);
		if (x->bad || x->n < nlen)
			return scap_read_fail(r, -EINVAL, off, "interface list entry truncated");
		ifc.name = sk_meta_strndup(r->meta, (const char *)x->p, nlen);
		x->p += nlen; x->n -= nlen;
		if (!ifc.name || sk_meta_add_iface(r->meta, &ifc))
			return -ENOMEM;
		r->stats.il_ifaces++;
	}
	return 0;
}

static int parse_ul(struct scap_reader *r, struct cur *c, size_t off, int v2)
{
	while (c->n >= 4) {
		struct cur e = *c;
		if (v2) {
			uint32_t elen = c32(c);
			if (elen < 4 || elen - 4 > c->n)
				return scap_read_fail(r, -EINVAL, off, "user entry length %u overruns the block", elen);
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
				return scap_read_fail(r, -EINVAL, off, "user list entry truncated");
			if (sk_meta_add_user(r->meta, &u))
				return -ENOMEM;
			r->stats.ul_users++;
		} else if (kind == 1) {
			struct sk_meta_group g = { .container_id = "" };
			g.gid = c32(x);
			g.name = cstr_dup(r, x, NULL);
			if (x->bad)
				return scap_read_fail(r, -EINVAL, off, "group list entry truncated");
			if (sk_meta_add_group(r->meta, &g))
				return -ENOMEM;
			r->stats.ul_groups++;
		} else {
			return scap_read_fail(r, -EINVAL, off, "unknown user list entry kind %u", kind);
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

static int parse_pl(struct scap_reader *r, struct cur *c, size_t off, int ver)
{
	while (c->n >= 4) {
		struct cur e = *c;
		if (ver == 9) {
			uint32_t elen = c32(c);
			if (elen < 4 || elen - 4 > c->n)
				return scap_read_fail(r, -EINVAL, off, "process entry length %u overruns the block", elen);
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
			return scap_read_fail(r, -EINVAL, off, "process list entry truncated");
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

static int parse_fdl(struct scap_reader *r, struct cur *c, size_t off, int v2)
{
	int64_t tid = (int64_t)c64(c);
	if (c->bad)
		return scap_read_fail(r, -EINVAL, off, "fd list block too short");
	int64_t pid = pid_of_tid(r->meta, tid);
	r->stats.fdl_blocks++;
	while (c->n >= 4) {
		struct cur e = *c;
		if (v2) {
			uint32_t elen = c32(c);
			if (elen < 4 || elen - 4 > c->n)
				return scap_read_fail(r, -EINVAL, off, "fd entry length %u overruns the block", elen);
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
				return scap_read_fail(r, -EINVAL, off, "unknown fd type %u", t);
			f.name = cstr_dup(r, x, NULL);
			break;
		}
		f.type = (t == 16) ? SK_FDT_FILE : t;
		if (x->bad)
			return scap_read_fail(r, -EINVAL, off, "fd list entry truncated");
		if (sk_meta_add_fd(r->meta, &f))
			return -ENOMEM;
	}
	return 0;
}

int scap_read_meta_block(struct scap_reader *r, uint32_t bt, const uint8_t *body, size_t blen, size_t off)
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
