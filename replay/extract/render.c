/* replay/extract/render.c: parameter rendering for evt.arg / evt.rawarg / evt.args (fields.md §2.4). */
#include "replay/extract/render_int.h"
#include "replay/state/paths.h"
#include "replay/state/ppm.h"
#include "replay/state/sockaddr.h"
#include "json/json.h"
#include "formats/flags.h"
#include "formats/syscalls.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void out_printf(struct json_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct json_buf *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		json_buf_put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

size_t extract_render_flags(const struct sk_name_value *names, uint64_t v, int is_enum, char *buf, size_t cap)
{
	struct json_buf o;
	json_buf_init(&o, buf, cap);
	if (!names)
		return 0;
	int first = 1;
	if (is_enum) {
		for (const struct sk_name_value *nv = names; nv->name; nv++) {
			if (nv->value != v)
				continue;
			if (!first)
				json_buf_puts(&o, "|");
			json_buf_puts(&o, nv->name);
			first = 0;
		}
		return o.len;
	}
	uint64_t rest = v;
	for (const struct sk_name_value *nv = names; nv->name; nv++) {
		int match = nv->value == 0 ? v == 0 : (rest & nv->value) == nv->value;
		if (!match)
			continue;
		if (!first)
			json_buf_puts(&o, "|");
		json_buf_puts(&o, nv->name);
		first = 0;
		rest &= ~nv->value;
	}
	return o.len;
}

size_t extract_render_fd_entry(const struct state_fd *f, char *buf, size_t cap)
{
	struct json_buf o;
	json_buf_init(&o, buf, cap);
	char tc[3] = { state_fd_type_char(f->type), 0, 0 };
	if (f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6 || f->type == SK_FDT_IPV4_SERVER ||
	    f->type == SK_FDT_IPV6_SERVER) {
		static const char l4c[] = { [STATE_L4_TCP] = 't', [STATE_L4_UDP] = 'u', [STATE_L4_ICMP] = 'i', [STATE_L4_RAW] = 'r' };
		if (f->l4proto >= STATE_L4_TCP && f->l4proto <= STATE_L4_RAW)
			tc[1] = l4c[f->l4proto];
	}
	json_buf_puts(&o, "<");
	json_buf_puts(&o, tc);
	json_buf_puts(&o, ">");
	json_buf_put(&o, f->name ? f->name : "", f->name_len);
	return o.len;
}

size_t extract_render_bytes(const unsigned char *p, size_t len, char *buf, size_t cap)
{
	if (cap == 0)
		return 0;
	size_t n = len < cap - 1 ? len : cap - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
	buf[n] = '\0';
	return n;
}

static uint64_t zext(const struct sk_param *p)
{
	uint64_t v = 0;
	for (uint32_t i = p->len; i-- > 0;)
		v = (v << 8) | p->val[i];
	return v;
}

static const struct state_thread *event_thread(const struct state_updater *u, const struct sk_event *ev)
{
	if (u->cur.ev == ev && u->cur.thread)
		return u->cur.thread;
	return NULL;
}

static void render_fd(const struct state_updater *u, const struct sk_event *ev, int64_t fd, int mode,
		      struct json_buf *o)
{
	char tmp[4200];
	const char *resolved = NULL;
	if (fd == STATE_AT_FDCWD) {
		resolved = "AT_FDCWD";
	} else if (fd < 0) {
		resolved = sk_errno_name(fd);
	} else {
		const struct state_thread *t = event_thread(u, ev);
		struct state_fd *f = t && t->proc ? state_fdtable_get(t->proc->fdt, fd) : NULL;
		if (f) {
			extract_render_fd_entry(f, tmp, sizeof(tmp));
			resolved = tmp;
		}
	}
	if (mode == EXTRACT_RENDER_RESOLVED && resolved) {
		json_buf_puts(o, resolved);
		return;
	}
	out_printf(o, "%" PRId64, fd);
	if (mode == EXTRACT_RENDER_ARGS && resolved) {
		json_buf_puts(o, "(");
		json_buf_puts(o, resolved);
		json_buf_puts(o, ")");
	}
}

static void render_with_resolved(struct json_buf *o, int mode, const char *raw, const char *resolved)
{
	if (mode == EXTRACT_RENDER_RESOLVED && resolved && resolved[0]) {
		json_buf_puts(o, resolved);
		return;
	}
	json_buf_puts(o, raw);
	if (mode == EXTRACT_RENDER_ARGS && resolved && resolved[0]) {
		json_buf_puts(o, "(");
		json_buf_puts(o, resolved);
		json_buf_puts(o, ")");
	}
}

static void render_path(const struct state_updater *u, const struct sk_event *ev, uint32_t i,
			const struct sk_param_info *pinfo, int mode, struct json_buf *o)
{
	const struct sk_param *p = &ev->params[i];
	const char *path = (const char *)p->val;
	if (p->val[p->len - 1] != '\0') {
		json_buf_puts(o, "<NA>");
		return;
	}
	const struct state_thread *t = event_thread(u, ev);
	if (path[0] == '/' || !t || mode == EXTRACT_RENDER_RAW) {
		json_buf_puts(o, path);
		return;
	}
	const char *base = state_str_c(t->proc ? t->proc->cwd : NULL);
	char fdname[4200];
	if (pinfo->type == SK_PT_FSRELPATH && pinfo->dirfd >= 0 && (uint32_t)pinfo->dirfd < ev->nparams) {
		int64_t dirfd;
		if (sk_param_s64(ev, (uint32_t)pinfo->dirfd, &dirfd) == 0 && dirfd != STATE_AT_FDCWD) {
			struct state_fd *f = t->proc ? state_fdtable_get(t->proc->fdt, dirfd) : NULL;
			snprintf(fdname, sizeof(fdname), "%s", f && f->name && f->name[0] ? f->name : "<UNKNOWN>");
			base = fdname;
		}
	}
	char full[4200];
	state_path_resolve(base, path, full, sizeof(full));
	render_with_resolved(o, mode, path, full);
}

static void render_ids(const struct state_updater *u, uint8_t type, uint64_t v, int mode, struct json_buf *o)
{
	char raw[32];
	snprintf(raw, sizeof(raw), "%" PRId64, (int64_t)(int32_t)(uint32_t)v);
	if ((uint32_t)v == UINT32_MAX) {
		render_with_resolved(o, mode, raw, "<NONE>");
		return;
	}
	snprintf(raw, sizeof(raw), "%" PRIu64, v);
	const char *container = u->cur.thread ? u->cur.thread->container_id : "";
	const char *name = NULL;
	if (type == SK_PT_UID) {
		const struct state_user *us = state_user_get(u->st, (uint32_t)v, container);
		name = us ? us->name : ((uint32_t)v == 0 ? "root" : "<NA>");
	} else {
		const struct state_group *g = state_group_get(u->st, (uint32_t)v, container);
		name = g ? g->name : ((uint32_t)v == 0 ? "root" : "<NA>");
	}
	render_with_resolved(o, mode, raw, name);
}

static void render_number(const struct sk_param_info *pinfo, const struct sk_param *p, struct json_buf *o)
{
	uint64_t v = zext(p);
	int is_signed = pinfo->type == SK_PT_INT8 || pinfo->type == SK_PT_INT16 || pinfo->type == SK_PT_INT32 ||
			pinfo->type == SK_PT_INT64;
	switch (pinfo->fmt) {
	case SK_PF_HEX:
		out_printf(o, "%" PRIX64, v);
		return;
	case SK_PF_OCT:
		out_printf(o, v ? "0%" PRIo64 : "0", v);
		return;
	default:
		break;
	}
	if (is_signed) {
		int64_t s = (int64_t)v;
		if (p->len < 8) {
			unsigned shift = 64 - 8 * p->len;
			s = (int64_t)(v << shift) >> shift;
		}
		out_printf(o, "%" PRId64, s);
	} else {
		out_printf(o, "%" PRIu64, v);
	}
}

static void render_one(const struct state_updater *u, const struct sk_event *ev, uint32_t i, int mode,
		       struct json_buf *o)
{
	const struct sk_event_info *info = sk_event_info(ev->type);
	const struct sk_param_info *pinfo = &info->params[i];
	const struct sk_param *p = &ev->params[i];
	char tmp[4200];
	if (p->len == 0) {
		int nullish = pinfo->type == SK_PT_BYTEBUF || pinfo->type == SK_PT_SOCKTUPLE || pinfo->type == SK_PT_FDLIST ||
			      pinfo->type == SK_PT_SOCKADDR;
		json_buf_puts(o, nullish ? "NULL" : "<NA>");
		return;
	}
	switch (pinfo->type) {
	case SK_PT_CHARBUF:
		json_buf_put(o, (const char *)p->val, p->val[p->len - 1] == '\0' ? p->len - 1 : p->len);
		return;
	case SK_PT_FSPATH:
	case SK_PT_FSRELPATH:
		render_path(u, ev, i, pinfo, mode, o);
		return;
	case SK_PT_BYTEBUF:
	case SK_PT_CHARBUFARRAY:
		extract_render_bytes(p->val, p->len, tmp, sizeof(tmp));
		json_buf_puts(o, tmp);
		return;
	case SK_PT_FD:
	case SK_PT_FD32: {
		int64_t fd;
		if (sk_param_s64(ev, i, &fd) == 0)
			render_fd(u, ev, fd, mode, o);
		return;
	}
	case SK_PT_ERRNO: {
		int64_t r;
		if (sk_param_s64(ev, i, &r) < 0)
			return;
		char raw[32];
		snprintf(raw, sizeof(raw), "%" PRId64, r);
		render_with_resolved(o, mode, raw, r < 0 ? sk_errno_name(r) : NULL);
		return;
	}
	case SK_PT_PID:
	case SK_PT_PID32: {
		int64_t pid;
		if (sk_param_s64(ev, i, &pid) < 0)
			return;
		char raw[32];
		snprintf(raw, sizeof(raw), "%" PRId64, pid);
		struct state_thread *t = pid > 0 ? state_thread_get(u->st, pid) : NULL;
		render_with_resolved(o, mode == EXTRACT_RENDER_RESOLVED ? EXTRACT_RENDER_RAW : mode, raw,
				     t ? t->comm : NULL);
		return;
	}
	case SK_PT_UID:
	case SK_PT_GID:
		render_ids(u, pinfo->type, zext(p), mode, o);
		return;
	case SK_PT_FLAGS8:
	case SK_PT_FLAGS16:
	case SK_PT_FLAGS32:
	case SK_PT_ENUMFLAGS8:
	case SK_PT_ENUMFLAGS16:
	case SK_PT_ENUMFLAGS32:
	case SK_PT_MODE: {
		uint64_t v = zext(p);
		int is_enum = pinfo->type >= SK_PT_ENUMFLAGS8 && pinfo->type <= SK_PT_ENUMFLAGS32;
		const struct sk_name_value *names = pinfo->type == SK_PT_MODE && !pinfo->names ? sk_mode_names : pinfo->names;
		extract_render_flags(names, v, is_enum, tmp, sizeof(tmp));
		if (mode == EXTRACT_RENDER_RESOLVED && tmp[0]) {
			/* filters on evt.arg.flags land here on every open: no printf */
			json_buf_puts(o, tmp);
			return;
		}
		char raw[32];
		if (pinfo->type == SK_PT_MODE)
			snprintf(raw, sizeof(raw), v ? "0%" PRIo64 : "%" PRIo64, v);
		else
			snprintf(raw, sizeof(raw), "%" PRIu64, v);
		render_with_resolved(o, mode, raw, tmp);
		return;
	}
	case SK_PT_SIGTYPE: {
		uint64_t v = zext(p);
		char raw[16];
		snprintf(raw, sizeof(raw), "%" PRIu64, v);
		render_with_resolved(o, mode, raw, sk_name_lookup(sk_signal_names, v));
		return;
	}
	case SK_PT_RELTIME: {
		/* libs: ns, with seconds as the resolved form; -1 is "none" */
		uint64_t v = zext(p);
		char raw[24], secs[32];
		if (v == UINT64_MAX) {
			json_buf_puts(o, "none");
			return;
		}
		snprintf(raw, sizeof(raw), "%" PRIu64, v);
		snprintf(secs, sizeof(secs), "%gs", (double)v / 1e9);
		render_with_resolved(o, mode, raw, secs);
		return;
	}
	case SK_PT_SYSCALLID: {
		uint64_t v = zext(p);
		char raw[16];
		snprintf(raw, sizeof(raw), "%" PRIu64, v);
		render_with_resolved(o, mode, raw, sk_syscall_name((uint16_t)v));
		return;
	}
	case SK_PT_SOCKADDR:
	case SK_PT_SOCKTUPLE: {
		struct state_tuple t;
		if (state_tuple_decode(p->val, p->len, pinfo->type == SK_PT_SOCKTUPLE, &t) < 0) {
			json_buf_puts(o, "NULL");
			return;
		}
		if (t.family != PPM_AF_INET && t.family != PPM_AF_INET6 && t.family != PPM_AF_UNIX) {
			json_buf_puts(o, "NULL");
			return;
		}
		if (pinfo->type == SK_PT_SOCKTUPLE)
			state_tuple_to_text(&t, tmp, sizeof(tmp));
		else
			state_addr_to_text(&t, tmp, sizeof(tmp));
		json_buf_puts(o, tmp);
		return;
	}
	case SK_PT_IPV4ADDR:
		if (p->len == 4) {
			state_ip_to_text(p->val, 0, tmp, sizeof(tmp));
			json_buf_puts(o, tmp);
		}
		return;
	case SK_PT_IPV6ADDR:
		if (p->len == 16) {
			state_ip_to_text(p->val, 1, tmp, sizeof(tmp));
			json_buf_puts(o, tmp);
		}
		return;
	case SK_PT_DYN: {
		/* u8 sub-type then the value; print the value as a number. */
		struct sk_param inner = { p->val + 1, p->len - 1 };
		uint64_t v = zext(&inner);
		out_printf(o, "%" PRIu64, v);
		return;
	}
	case SK_PT_FDLIST: {
		if (p->len < 2)
			return;
		/* libs: "fd:<typechar><poll flags hex>" per entry, '?' for an
		 * unknown fd; nothing without a thread */
		const struct state_thread *t = event_thread(u, ev);
		if (!t)
			return;
		uint32_t n = (uint32_t)(p->val[0] | (p->val[1] << 8));
		for (uint32_t k = 0; k < n && 2 + (k + 1) * 10 <= p->len; k++) {
			struct sk_param fdp = { p->val + 2 + k * 10, 8 };
			struct sk_param flp = { p->val + 2 + k * 10 + 8, 2 };
			int64_t fd = (int64_t)zext(&fdp);
			const struct state_fd *f = t->proc ? state_fdtable_get(t->proc->fdt, fd) : NULL;
			out_printf(o, "%s%" PRId64 ":%c%x", k ? " " : "", fd, f ? state_fd_type_char(f->type) : '?',
				   (unsigned)zext(&flp));
		}
		return;
	}
	default:
		render_number(pinfo, p, o);
		return;
	}
}

size_t extract_render_param(const struct state_updater *u, const struct sk_event *ev, uint32_t i, int mode,
			    char *buf, size_t cap)
{
	struct json_buf o;
	json_buf_init(&o, buf, cap);
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (!info || i >= info->nparams || i >= ev->nparams) {
		json_buf_puts(&o, "<NA>");
		return o.len;
	}
	render_one(u, ev, i, mode, &o);
	return o.len;
}

size_t extract_render_args(const struct state_updater *u, const struct sk_event *ev, char *buf, size_t cap)
{
	struct json_buf o;
	json_buf_init(&o, buf, cap);
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (!info || sk_event_kind(ev->type) == SK_EK_GENERIC)
		return 0;
	uint32_t n = ev->nparams < info->nparams ? ev->nparams : info->nparams;
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			json_buf_puts(&o, " ");
		json_buf_puts(&o, info->params[i].name);
		json_buf_puts(&o, "=");
		render_one(u, ev, i, EXTRACT_RENDER_ARGS, &o);
	}
	return o.len;
}
