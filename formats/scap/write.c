/* formats/scap/write.c: .scap writer that sysdig 0.29 reads (scap.md §18): metadata blocks and EV_V2 events. */
#include "formats/scap/scap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/scap/codes_int.h"
#include "formats/syscalls.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
	int oom;
};

struct scap_writer {
	FILE *f;
	char *path;
	struct scap_write_opts opts;
	struct scap_write_stats stats;
	struct buf body;   /* one block body, reused */
	int err;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}
static void put8(struct buf *b, uint8_t v) { put(b, &v, 1); }
static void put16(struct buf *b, uint16_t v) { uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) }; put(b, x, 2); }
static void put32(struct buf *b, uint32_t v) { put16(b, (uint16_t)v); put16(b, (uint16_t)(v >> 16)); }
static void put64(struct buf *b, uint64_t v) { put32(b, (uint32_t)v); put32(b, (uint32_t)(v >> 32)); }
static void set32(struct buf *b, size_t at, uint32_t v)
{
	if (b->oom)
		return;
	b->p[at] = (uint8_t)v; b->p[at + 1] = (uint8_t)(v >> 8);
	b->p[at + 2] = (uint8_t)(v >> 16); b->p[at + 3] = (uint8_t)(v >> 24);
}
/*
 * libscap (0.29) refuses a whole capture when one metadata string is longer
 * than its fixed buffers, so strings are cut to what it accepts, the way its
 * own /proc scan cuts them.  A live host easily has a 25 KB command line.
 */
enum {
	SCAP_CRED_MAX = 255,    /* user and group names: < MAX_CREDENTIALS_STR_LEN */
	SCAP_PATH_MAX = 1023,   /* comm, exe, cwd, root, home, shell, fd names */
	SCAP_LIST_MAX = 4095,   /* args, env, cgroups: NUL-separated lists */
};

/* u16 length + bytes, no NUL (scap.md §8-§10), at most max bytes. */
static void putstr(struct buf *b, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n > max)
		n = max;
	put16(b, (uint16_t)n);
	put(b, s ? s : "", n);
}
/* A NUL-separated list cut to max bytes still ends with a NUL. */
static void putlist(struct buf *b, const char *s, uint32_t len, size_t max)
{
	if (!s)
		len = 0;
	if (len <= max) {
		put16(b, (uint16_t)len);
		put(b, s ? s : "", len);
		return;
	}
	put16(b, (uint16_t)max);
	put(b, s, max - 1);
	put8(b, 0);
}

static int emit_block(struct scap_writer *w, uint32_t type)
{
	static const uint8_t pad[4];
	struct buf *b = &w->body;
	if (b->oom)
		return w->err = -ENOMEM;
	size_t padn = (4 - (b->len & 3)) & 3;
	uint32_t total = (uint32_t)(8 + b->len + padn + 4);
	uint8_t hdr[8] = { (uint8_t)type, (uint8_t)(type >> 8), (uint8_t)(type >> 16), (uint8_t)(type >> 24),
			   (uint8_t)total, (uint8_t)(total >> 8), (uint8_t)(total >> 16), (uint8_t)(total >> 24) };
	if (fwrite(hdr, 1, 8, w->f) != 8 || fwrite(b->p, 1, b->len, w->f) != b->len ||
	    fwrite(pad, 1, padn, w->f) != padn || fwrite(hdr + 4, 1, 4, w->f) != 4)
		return w->err = -EIO;
	b->len = 0;
	return 0;
}

static int write_meta(struct scap_writer *w, const struct sk_meta *m)
{
	struct buf *b = &w->body;
	int rc;

	/* SHB: exactly 28 bytes, 1.2 (0.29 does not skip options). */
	put32(b, 0x1A2B3C4Du); put16(b, 1); put16(b, 2); put64(b, UINT64_MAX);
	if ((rc = emit_block(w, 0x0A0D0D0Au)) < 0)
		return rc;
	if (!m)
		return 0;
	char host[128];
	memset(host, 0, sizeof(host));
	if (m->have_host && m->host.hostname)
		strncpy(host, m->host.hostname, sizeof(host) - 1);
	put32(b, m->have_host ? m->host.num_cpus : 0);
	put64(b, m->have_host ? m->host.memory_bytes : 0);
	put64(b, 0);
	put(b, host, 128);
	put64(b, m->have_host ? m->host.boot_ts : 0);
	put64(b, 0); put64(b, 0); put64(b, 0);
	if ((rc = emit_block(w, 0x201)) < 0)
		return rc;
	if (m->n_ifaces) {
		for (size_t i = 0; i < m->n_ifaces; i++) {
			const struct sk_meta_iface *f = &m->ifaces[i];
			size_t al = f->family == 10 ? 16 : 4;
			size_t nl = f->name ? strlen(f->name) : 0;
			put16(b, f->family == 10 ? 2 : 1);
			put16(b, (uint16_t)nl);
			put(b, f->addr, al); put(b, f->netmask, al); put(b, f->bcast, al);
			put64(b, f->linkspeed);
			put(b, f->name ? f->name : "", nl);
		}
		if ((rc = emit_block(w, 0x205)) < 0)
			return rc;
	}
	for (size_t i = 0; i < m->n_users; i++) {
		const struct sk_meta_user *u = &m->users[i];
		if (u->container_id && u->container_id[0])
			continue;
		size_t at = b->len;
		put32(b, 0); put8(b, 0); put32(b, u->uid); put32(b, u->gid);
		putstr(b, u->name, SCAP_CRED_MAX); putstr(b, u->home, SCAP_CRED_MAX);
		putstr(b, u->shell, SCAP_CRED_MAX);
		set32(b, at, (uint32_t)(b->len - at));
	}
	for (size_t i = 0; i < m->n_groups; i++) {
		const struct sk_meta_group *g = &m->groups[i];
		if (g->container_id && g->container_id[0])
			continue;
		size_t at = b->len;
		put32(b, 0); put8(b, 1); put32(b, g->gid); putstr(b, g->name, SCAP_CRED_MAX);
		set32(b, at, (uint32_t)(b->len - at));
	}
	if (b->len && (rc = emit_block(w, 0x220)) < 0)
		return rc;
	for (size_t i = 0; i < m->n_procs; i++) {
		const struct sk_meta_proc *p = &m->procs[i];
		size_t at = b->len;
		put32(b, 0);
		put64(b, (uint64_t)p->tid); put64(b, (uint64_t)p->pid); put64(b, (uint64_t)p->ptid);
		put64(b, (uint64_t)p->sid); put64(b, (uint64_t)p->vpgid);
		putstr(b, p->comm, SCAP_PATH_MAX); putstr(b, p->exe, SCAP_PATH_MAX);
		putstr(b, p->exepath, SCAP_PATH_MAX);
		putlist(b, p->args, p->args_len, SCAP_LIST_MAX); putstr(b, p->cwd, SCAP_PATH_MAX);
		put64(b, (uint64_t)p->fdlimit); put32(b, p->flags); put32(b, p->uid); put32(b, p->gid);
		put32(b, p->vmsize_kb); put32(b, p->vmrss_kb); put32(b, p->vmswap_kb);
		put64(b, p->pfmajor); put64(b, p->pfminor);
		putlist(b, p->env, p->env_len, SCAP_LIST_MAX);
		put64(b, (uint64_t)p->vtid); put64(b, (uint64_t)p->vpid);
		putlist(b, p->cgroups, p->cgroups_len, SCAP_LIST_MAX);
		putstr(b, p->root, SCAP_PATH_MAX);
		/* Old v9 tail: the only one 0.29 understands. */
		put32(b, p->loginuid); put8(b, (p->exe_flags & SK_EXE_WRITABLE) ? 1 : 0);
		set32(b, at, (uint32_t)(b->len - at));
	}
	if (b->len && (rc = emit_block(w, 0x215)) < 0)
		return rc;
	/* One FDL per process leader in the PL (0.29 rejects unknown tids). */
	for (size_t i = 0; i < m->n_procs; i++) {
		const struct sk_meta_proc *p = &m->procs[i];
		if (p->tid != p->pid)
			continue;
		put64(b, (uint64_t)p->tid);
		for (size_t k = 0; k < m->n_fds; k++) {
			const struct sk_meta_fd *f = &m->fds[k];
			if (f->pid != p->pid)
				continue;
			size_t at = b->len;
			uint8_t t = f->type == SK_FDT_FILE ? 16 : (f->type > 15 || f->type == 0 ? 10 : f->type);
			put32(b, 0); put64(b, (uint64_t)f->fd); put64(b, f->ino); put8(b, t);
			switch (t) {
			case 3: put(b, f->sip, 4); put(b, f->dip, 4); put16(b, f->sport); put16(b, f->dport); put8(b, f->l4proto); break;
			case 4: put(b, f->sip, 16); put(b, f->dip, 16); put16(b, f->sport); put16(b, f->dport); put8(b, f->l4proto); break;
			case 5: put(b, f->sip, 4); put16(b, f->sport); put8(b, f->l4proto); break;
			case 6: put(b, f->sip, 16); put16(b, f->sport); put8(b, f->l4proto); break;
			case 8: put64(b, f->unix_source); put64(b, f->unix_dest); putstr(b, f->name, SCAP_PATH_MAX); break;
			case 16: put32(b, f->open_flags); putstr(b, f->name, SCAP_PATH_MAX); put32(b, f->dev); break;
			default: putstr(b, f->name, SCAP_PATH_MAX); break;
			}
			set32(b, at, (uint32_t)(b->len - at));
		}
		if ((rc = emit_block(w, 0x218)) < 0)
			return rc;
	}
	return 0;
}

/* Takes ownership of f (closed by scap_writer_close, even on error). */
static int writer_open_file(FILE *f, const char *name, const struct sk_meta *meta,
			    const struct scap_write_opts *opts, struct scap_writer **out, char *err,
			    size_t errlen)
{
	struct scap_writer *w = calloc(1, sizeof(*w));
	*out = NULL;
	if (!w || !(w->path = strdup(name))) {
		free(w);
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	if (opts)
		w->opts = *opts;
	w->f = f;
	int rc = write_meta(w, meta);
	if (rc < 0) {
		snprintf(err, errlen, "%s: writing metadata: %s", name, strerror(-rc));
		scap_writer_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

int scap_writer_open(const char *path, const struct sk_meta *meta, const struct scap_write_opts *opts,
		     struct scap_writer **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "wb");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	return writer_open_file(f, path, meta, opts, out, err, errlen);
}

int scap_writer_open_fd(int fd, const char *name, const struct sk_meta *meta,
			const struct scap_write_opts *opts, struct scap_writer **out, char *err,
			size_t errlen)
{
	*out = NULL;
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", name, strerror(e));
		return -e;
	}
	return writer_open_file(f, name, meta, opts, out, err, errlen);
}

/* One event block: header, nparams length words, values. */
static int emit_event(struct scap_writer *w, const struct sk_event *ev, uint16_t code,
		      const struct sk_param *params, uint32_t n)
{
	struct buf *b = &w->body;
	uint32_t lsz = scap_code_is_large(code) ? 4 : 2;
	uint64_t len = 26 + (uint64_t)n * lsz;
	for (uint32_t i = 0; i < n; i++)
		len += params[i].len;
	int large = len + 2 > 65536;
	int evf = ev->flags & SK_EVF_STATE_ONLY;
	if (len > UINT32_MAX)
		return w->err = -E2BIG;
	put16(b, ev->cpu);
	if (evf)
		put32(b, 1);
	put64(b, ev->ts); put64(b, (uint64_t)ev->tid); put32(b, (uint32_t)len); put16(b, code); put32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		if (lsz == 4)
			put32(b, params[i].len);
		else
			put16(b, (uint16_t)params[i].len);
	}
	for (uint32_t i = 0; i < n; i++)
		put(b, params[i].val, params[i].len);
	w->stats.events++;
	return emit_block(w, large ? (evf ? 0x222 : 0x221) : (evf ? 0x217 : 0x216));
}

/* Values for absent fixed-size parameters (libs' defaults, scap.md §16.2). */
static const uint8_t zero_val[16];
static const uint8_t none_id[4] = { 0xff, 0xff, 0xff, 0xff };

/*
 * Absent parameters. sysdig 0.29 prints a zero-length integer as garbage,
 * so trailing absent ones are left out, as old captures do (a zero-length
 * BYTEBUF is a real value, a 0-byte read, and stays). Process-creating
 * exits keep the whole 0.29 layout, with libs' defaults for absent values
 * (0.29 reads them by position: a 16-parameter 293 execve exit crashes it), as
 * do synthesised enters (fill).
 */
static uint32_t fix_absent(const struct sk_event_info *info, uint16_t code, struct sk_param *p, uint32_t n,
			   int fill)
{
	/* 19: run_as_user_0_container.scap's execve exits (no flags) are fine */
	uint32_t keep = code == 293 ? 19 : (code == 223 || code == 225 || code == 227 || code == 335) ? n : 0;
	int whole = keep > 0;
	while (n > keep && p[n - 1].len == 0 &&
	       !(info && n - 1 < info->nparams && info->params[n - 1].type == SK_PT_BYTEBUF))
		n--;
	for (uint32_t i = 0; (whole || fill) && info && i < n && i < info->nparams; i++) {
		uint8_t t = info->params[i].type;
		uint32_t sz = sk_ptype_size(t);
		if (p[i].len || !sz || sz > sizeof(zero_val))
			continue;
		p[i].val = (t == SK_PT_UID || t == SK_PT_GID) ? none_id : zero_val;
		p[i].len = sz;
	}
	return n;
}

/* An execve from an old capture (exit with 16 or 17 parameters, enter
 * without any) goes out under the old code with that layout, so 0.29 shows
 * it as the original did. */
static int execve_code_for(const struct sk_event *ev, int code)
{
	if (code == 292) /* old enters have no filename: their code is 230 */
		return ev->nparams == 0 || ev->params[0].len == 0 ? 230 : code;
	if (code != 293)
		return code;
	uint32_t n = ev->nparams < 20 ? ev->nparams : 20;
	while (n > 0 && ev->params[n - 1].len == 0)
		n--;
	return n == 16 ? 231 : n == 17 ? 283 : code;
}

static int param_by_name(const struct sk_event *ev, const char *name)
{
	int i = sk_event_param_index(ev->type, name);
	return (i >= 0 && (uint32_t)i < ev->nparams) ? i : -1;
}

/* A synthesised execveat enter (dirfd, pathname, flags): the exit carries
 * none of them (its "flags" are exe flags), and sysdig 0.29 resolves the pathname against the dirfd
 * when it parses the exit (an empty pathname crashes it). AT_FDCWD and the
 * exit's absolute trusted_exepath name the same file. */
static void execveat_enter(const struct sk_event *ev, struct sk_param *p, uint32_t n)
{
	static const int64_t at_fdcwd = -100;
	int k = param_by_name(ev, "trusted_exepath");

	if (n < 2 || k < 0 || ev->params[k].len < 2 || ev->params[k].val[0] != '/')
		return;
	p[0] = (struct sk_param){ (const uint8_t *)&at_fdcwd, sizeof(at_fdcwd) };
	p[1] = ev->params[k];
	/* the exit's "flags" are exe flags, not execveat's AT_* flags */
	if (n > 2)
		p[2] = (struct sk_param){ NULL, 0 };
}

/* The child's return from clone/fork/vfork/clone3 (res 0): the kernel
 * enters the syscall only in the parent. An enter written for it would make
 * sysdig 0.29 create a placeholder thread for the child, so the child's exit
 * no longer marks the clone as seen from the child first, and the parent's
 * exit, which a vfork parent reaches only after the child's execve,
 * replaces the child's thread with a copy of the parent. */
int scap_exit_gets_enter(const struct sk_event *ev)
{
	uint16_t kind = sk_event_kind(ev->type);
	if (!sk_event_is_exit(ev->type))
		return 0;
	if (kind != SK_EK_CLONE && kind != SK_EK_CLONE3 && kind != SK_EK_FORK && kind != SK_EK_VFORK)
		return 1;
	static const uint8_t zero_res[8];
	return ev->nparams < 1 || ev->params[0].len != 8 ||
	       memcmp(ev->params[0].val, zero_res, sizeof(zero_res)) != 0;
}

int scap_writer_write(struct scap_writer *w, const struct sk_event *ev)
{
	const struct sk_event_info *info = sk_event_info(ev->type);
	struct sk_param p[SK_MAX_PARAMS] = { { NULL, 0 } };
	uint16_t scid = 0, native = 0;
	int code;

	if (w->err)
		return w->err;
	if (!info || (info->flags & SK_EF_UNUSED)) {
		w->stats.skipped++;
		return 0;
	}
	if (ev->type == SK_EV_SCAP_UNKNOWN_E) {
		if (ev->nparams < 1 || ev->params[0].len != 2) {
			w->stats.skipped++;
			return 0;
		}
		code = ev->params[0].val[0] | ev->params[0].val[1] << 8;
		if (code >= SCAP_CODE_LIMIT_029) {
			w->stats.skipped++;
			return 0;
		}
		return emit_event(w, ev, (uint16_t)code, ev->params + 1, ev->nparams - 1);
	}
	int is_exit = sk_event_is_exit(ev->type);
	int meta = (info->flags & SK_EF_META) != 0;
	code = scap_code_export_029(ev->type);
	int generic = sk_event_kind(ev->type) == SK_EK_GENERIC;
	if (code < 0) {
		if (meta) {
			w->stats.skipped++;
			return 0;
		}
		/* A syscall 0.29 has no event for: the generic "syscall" event. */
		int id = sk_syscall_by_name(info->name);
		int ppm = id >= 0 ? sk_syscall_to_ppm_sc((uint16_t)id) : -1;
		scid = (uint16_t)(ppm >= 0 ? ppm : 0);
		native = (uint16_t)(id >= 0 && sk_syscall_to_native((uint16_t)id) >= 0 ? sk_syscall_to_native((uint16_t)id) : 0);
		code = is_exit;
		generic = 2;
	} else if (generic && ev->nparams >= 1 && ev->params[0].len == 2) {
		uint16_t id = (uint16_t)(ev->params[0].val[0] | ev->params[0].val[1] << 8);
		int ppm = sk_syscall_to_ppm_sc(id);
		scid = (uint16_t)(ppm >= 0 ? ppm : 0);
		int nr = sk_syscall_to_native(id);
		native = (uint16_t)(nr >= 0 ? nr : 0);
	}
	code = execve_code_for(ev, code);
	uint8_t scid_b[2] = { (uint8_t)scid, (uint8_t)(scid >> 8) };
	uint8_t nat_b[2] = { (uint8_t)native, (uint8_t)(native >> 8) };
	int rc;

	if (is_exit && w->opts.synth_enter && scap_exit_gets_enter(ev)) {
		struct sk_event en = *ev;
		uint32_t n;
		en.flags = ev->flags;
		if (generic) {
			p[0] = (struct sk_param){ scid_b, 2 };
			p[1] = (struct sk_param){ nat_b, 2 };
			n = 2;
		} else {
			const struct sk_event_info *ei = sk_event_info(ev->type - 1);
			int ne = scap_code_nparams_029((uint16_t)(code - 1));
			n = ne < 0 ? 0 : (uint32_t)ne;
			for (uint32_t i = 0; i < n; i++) {
				int k = i < ei->nparams ? param_by_name(ev, ei->params[i].name) : -1;
				p[i] = k >= 0 ? ev->params[k] : (struct sk_param){ NULL, 0 };
			}
			if (sk_event_kind(ev->type) == SK_EK_EXECVEAT)
				execveat_enter(ev, p, n);
			n = fix_absent(ei, (uint16_t)(code - 1), p, n, 1);
		}
		if ((rc = emit_event(w, &en, (uint16_t)(code - 1), p, n)) < 0)
			return rc;
	}
	uint32_t n;
	if (generic == 2) {
		p[0] = (struct sk_param){ scid_b, 2 };
		p[1] = (struct sk_param){ nat_b, 2 };
		n = is_exit ? 1 : 2;
	} else {
		int n029 = code == 231 ? 16 : code == 283 ? 17 : scap_code_nparams_029((uint16_t)code);
		n = n029 < 0 ? 0 : (uint32_t)n029;
		for (uint32_t i = 0; i < n; i++)
			p[i] = i < ev->nparams ? ev->params[i] : (struct sk_param){ NULL, 0 };
		if (generic && n >= 1)
			p[0] = (struct sk_param){ scid_b, 2 };
		n = fix_absent(info, (uint16_t)code, p, n, 0);
	}
	return emit_event(w, ev, (uint16_t)code, p, n);
}

const struct scap_write_stats *scap_writer_stats(const struct scap_writer *w)
{
	return &w->stats;
}

int scap_writer_close(struct scap_writer *w)
{
	if (!w)
		return 0;
	int rc = w->err;
	if (w->f && fclose(w->f) != 0 && rc == 0)
		rc = -EIO;
	free(w->body.p);
	free(w->path);
	free(w);
	return rc;
}
