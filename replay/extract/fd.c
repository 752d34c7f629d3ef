/* replay/extract/fd.c: fd.*, fs.path.* and fdlist.* fields (fields.md §5-§6). */
#include "replay/extract/extract.h"
#include "replay/state/paths.h"
#include "replay/state/ppm.h"
#include "replay/extract/render_int.h"
#include "replay/state/flowcount.h"
#include "replay/state/sockaddr.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int s_out(struct extract_ctx *c, struct rule_value *out, const char *s, size_t n)
{
	return extract_val_str(c, out, RF_STRING, s, n);
}

static int cs_out(struct extract_ctx *c, struct rule_value *out, const char *s)
{
	return extract_val_str(c, out, RF_STRING, s, strlen(s));
}

static int ip_out(struct rule_value *out, uint8_t type, const uint8_t *ip, int v6)
{
	out->type = type;
	out->ipv6 = (uint8_t)(v6 != 0);
	out->len = v6 ? 16 : 4;
	memset(out->v.ip, 0, sizeof(out->v.ip));
	memcpy(out->v.ip, ip, v6 ? 16 : 4);
	return 1;
}

static int is_open_kind(uint16_t k)
{
	return k == SK_EK_OPEN || k == SK_EK_OPENAT || k == SK_EK_OPENAT2 || k == SK_EK_CREAT || k == SK_EK_OPEN_BY_HANDLE_AT;
}

/* typechar guessed from the event when the fd has no entry (libs quirk:
 * plain open guesses 'o'). */
/* Each ASCII character as a one-character string. */
#define ASCII_STR4(n) {(n), 0}, {(n) + 1, 0}, {(n) + 2, 0}, {(n) + 3, 0}
#define ASCII_STR16(n) ASCII_STR4(n), ASCII_STR4((n) + 4), ASCII_STR4((n) + 8), ASCII_STR4((n) + 12)
#define ASCII_STR64(n) ASCII_STR16(n), ASCII_STR16((n) + 16), ASCII_STR16((n) + 32), ASCII_STR16((n) + 48)
static const char ascii_str[128][2] = {ASCII_STR64(0), ASCII_STR64(64)};

static char guess_typechar(uint16_t k)
{
	switch (k) {
	case SK_EK_OPENAT: case SK_EK_OPENAT2: case SK_EK_CREAT: return 'f';
	case SK_EK_SOCKET: case SK_EK_ACCEPT: case SK_EK_ACCEPT4: return '4';
	case SK_EK_PIPE: case SK_EK_PIPE2: return 'p';
	case SK_EK_EVENTFD: case SK_EK_EVENTFD2: return 'e';
	case SK_EK_SIGNALFD: case SK_EK_SIGNALFD4: return 's';
	case SK_EK_TIMERFD_CREATE: return 't';
	case SK_EK_INOTIFY_INIT: case SK_EK_INOTIFY_INIT1: return 'i';
	default: return 'o';
	}
}

/* The name an fd event without a table entry shows (failed open, connect
 * on an unknown fd...). */
static int name_without_entry(struct extract_ctx *c, struct rule_value *out, int raw)
{
	const struct sk_event *ev = c->ev;
	uint16_t k = sk_event_kind(ev->type);
	struct state_thread *t = c->u->cur.thread;
	if (is_open_kind(k)) {
		const char *name = state_get_str(c->u->pi, ev, k == SK_EK_OPEN_BY_HANDLE_AT ? PR_path : PR_name);
		if (!name)
			return cs_out(c, out, "");
		char *b = extract_ctx_scratch(c, 8400);
		if (raw) {
			size_t n = strnlen(name, 8399);
			memcpy(b, name, n);
			b[n] = '\0';
			n = state_path_collapse_slashes(b);
			return s_out(c, out, b, n);
		}
		const char *base = state_str_c(t && t->proc ? t->proc->cwd : NULL);
		if ((k == SK_EK_OPENAT || k == SK_EK_OPENAT2) && t) {
			int64_t dirfd = STATE_AT_FDCWD;
			state_get_s64(c->u->pi, ev, PR_dirfd, &dirfd);
			base = state_update_dirfd_base(c->u, t, dirfd);
		}
		size_t n = state_path_resolve(base, name, b, 8400);
		return s_out(c, out, b, n < 8400 ? n : strlen(b));
	}
	if (!raw && (k == SK_EK_CONNECT || k == SK_EK_ACCEPT || k == SK_EK_ACCEPT4)) {
		const struct sk_param *p = state_get_param(c->u->pi, ev, PR_tuple);
		int is_tuple = 1;
		if (!p) {
			p = state_get_param(c->u->pi, ev, PR_addr);
			is_tuple = 0;
		}
		struct state_tuple tp;
		if (p && state_tuple_decode(p->val, p->len, is_tuple, &tp) == 0 && tp.family) {
			char *b = extract_ctx_scratch(c, 4200);
			size_t n = is_tuple ? state_tuple_to_text(&tp, b, 4200) : state_addr_to_text(&tp, b, 4200);
			return s_out(c, out, b, n);
		}
	}
	return cs_out(c, out, "");
}

static int file_like(const struct state_fd *f)
{
	return f->type == SK_FDT_FILE || f->type == SK_FDT_DIRECTORY;
}

static int directory_of(struct extract_ctx *c, struct rule_value *out, const char *name, size_t n)
{
	const char *slash = NULL;
	for (size_t i = n; i-- > 0;)
		if (name[i] == '/') {
			slash = name + i;
			break;
		}
	if (!slash || slash == name)
		return cs_out(c, out, "/");
	return s_out(c, out, name, (size_t)(slash - name));
}

static int is_ip_socket(const struct state_fd *f)
{
	return f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6;
}

static int is_server_socket(const struct state_fd *f)
{
	return f->type == SK_FDT_IPV4_SERVER || f->type == SK_FDT_IPV6_SERVER;
}

/* Which end is local: the process's own role says it (client -> client end). */
static int client_is_local(struct extract_ctx *c, const struct state_fd *f)
{
	if (state_ip_is_local(c->u->st, f->sip, f->v6) && !state_ip_is_local(c->u->st, f->dip, f->v6))
		return 1;
	if (state_ip_is_local(c->u->st, f->dip, f->v6) && !state_ip_is_local(c->u->st, f->sip, f->v6))
		return 0;
	return f->role != STATE_ROLE_SERVER;
}

static int port_out(struct rule_value *out, uint8_t type, uint16_t port)
{
	return extract_val_int(out, type, port);
}

static int proto_text(struct extract_ctx *c, struct rule_value *out, uint16_t port)
{
	char *b = extract_ctx_scratch(c, 8);
	int n = snprintf(b, 8, "%u", port);
	return s_out(c, out, b, (size_t)n);
}

/* fd.bytes.* / fd.packets.*: the socket's flow seen from its local end. */
static int flow_counts(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out,
		       const struct state_fd *f)
{
	/* a socket whose creation was not recorded has no l4proto: try both */
	uint8_t proto = f->l4proto == STATE_L4_TCP ? 6 : f->l4proto == STATE_L4_UDP ? 17 : 0;
	if (!(f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6) || !f->dport)
		return 0;
	int local_is_d = f->role == STATE_ROLE_SERVER;
	uint8_t l[16] = { 0 }, r[16] = { 0 };
	size_t alen = f->v6 ? 16 : 4;
	memcpy(l, local_is_d ? f->dip : f->sip, alen);
	memcpy(r, local_is_d ? f->sip : f->dip, alen);
	struct state_flowcount fc;
	uint16_t lport = local_is_d ? f->dport : f->sport, rport = local_is_d ? f->sport : f->dport;
	if (!state_flowcounts_get(c->u->flowcounts, proto ? proto : 6, l, lport, r, rport, &fc) && !proto)
		state_flowcounts_get(c->u->flowcounts, 17, l, lport, r, rport, &fc);
	uint64_t v = ref->id == F_FD_BYTES_IN ? fc.bytes_in : ref->id == F_FD_BYTES_OUT ? fc.bytes_out
		   : ref->id == F_FD_PACKETS_IN ? fc.pkts_in : fc.pkts_out;
	return extract_val_int(out, ref->type, (int64_t)v);
}

static int fd_types_list(struct extract_ctx *c, struct rule_value *out)
{
	struct state_thread *t = c->u->cur.thread;
	struct state_fdtable *fdt = t && t->proc ? t->proc->fdt : NULL;
	if (!fdt)
		return 0;
	int n = 0;
	for (uint32_t i = 0; i < fdt->cap && n < RULE_LIST_MAX; i++) {
		const struct state_fd *f = &fdt->fds[i];
		if (f->num < 0)
			continue;
		const char *tn = state_fd_type_name(f->type);
		int dup = 0;
		for (int k = 0; k < n; k++)
			if (strcmp(out[k].v.s, tn) == 0)
				dup = 1;
		if (!dup)
			extract_val_str(c, &out[n++], RF_STRING, tn, strlen(tn));
	}
	return n;
}

static int net_field(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out,
		     const struct state_fd *f)
{
	int ip = is_ip_socket(f) && f->role != STATE_ROLE_NONE;
	int srv = is_server_socket(f);
	switch (ref->id) {
	case F_FD_CIP:
		return ip ? ip_out(out, ref->type, f->sip, f->v6) : 0;
	case F_FD_SIP:
		if (srv)
			return ip_out(out, ref->type, f->sip, f->v6);
		return ip ? ip_out(out, ref->type, f->dip, f->v6) : 0;
	case F_FD_CPORT:
		return ip ? port_out(out, ref->type, f->sport) : 0;
	case F_FD_SPORT:
		if (srv)
			return port_out(out, ref->type, f->sport);
		return ip ? port_out(out, ref->type, f->dport) : 0;
	case F_FD_LIP: case F_FD_RIP: case F_FD_LPORT: case F_FD_RPORT: {
		if (srv) {
			if (ref->id == F_FD_LIP)
				return ip_out(out, ref->type, f->sip, f->v6);
			if (ref->id == F_FD_LPORT)
				return port_out(out, ref->type, f->sport);
			return 0;
		}
		if (!ip)
			return 0;
		int cl = client_is_local(c, f);
		int want_local = ref->id == F_FD_LIP || ref->id == F_FD_LPORT;
		int client_end = want_local ? cl : !cl;
		if (ref->id == F_FD_LIP || ref->id == F_FD_RIP)
			return ip_out(out, ref->type, client_end ? f->sip : f->dip, f->v6);
		return port_out(out, ref->type, client_end ? f->sport : f->dport);
	}
	case F_FD_CNET:
		return ip ? ip_out(out, ref->type, f->sip, f->v6) : 0;
	case F_FD_SNET:
		if (srv)
			return ip_out(out, ref->type, f->sip, f->v6);
		return ip ? ip_out(out, ref->type, f->dip, f->v6) : 0;
	case F_FD_LNET: case F_FD_RNET: {
		if (srv)
			return ref->id == F_FD_LNET ? ip_out(out, ref->type, f->sip, f->v6) : 0;
		if (!ip)
			return 0;
		int cl = client_is_local(c, f);
		int client_end = ref->id == F_FD_LNET ? cl : !cl;
		return ip_out(out, ref->type, client_end ? f->sip : f->dip, f->v6);
	}
	/* Either-side fields: both ends are returned; the evaluator matches
	 * '=' / in on either and '!=' on both (libs semantics). */
	case F_FD_IP: case F_FD_NET:
		if (srv)
			return ip_out(out, ref->type, f->sip, f->v6);
		if (!ip)
			return 0;
		ip_out(&out[0], ref->type, f->sip, f->v6);
		ip_out(&out[1], ref->type, f->dip, f->v6);
		return 2;
	case F_FD_PORT: case F_FD_PROTO:
		if (srv)
			return port_out(out, ref->type, f->sport);
		if (!ip)
			return 0;
		port_out(&out[0], ref->type, f->sport);
		port_out(&out[1], ref->type, f->dport);
		return 2;
	case F_FD_CPROTO:
		return ip ? proto_text(c, out, f->sport) : 0;
	case F_FD_SPROTO:
		if (srv)
			return proto_text(c, out, f->sport);
		return ip ? proto_text(c, out, f->dport) : 0;
	case F_FD_LPROTO: case F_FD_RPROTO: {
		if (srv)
			return ref->id == F_FD_LPROTO ? proto_text(c, out, f->sport) : 0;
		if (!ip)
			return 0;
		int cl = client_is_local(c, f);
		int client_end = ref->id == F_FD_LPROTO ? cl : !cl;
		return proto_text(c, out, client_end ? f->sport : f->dport);
	}
	case F_FD_L4PROTO: {
		static const char *const names[] = { "<NA>", "<NA>", "tcp", "udp", "icmp", "raw" };
		if ((!ip && !srv) || f->l4proto > STATE_L4_RAW)
			return cs_out(c, out, "<NA>");
		return cs_out(c, out, names[f->l4proto]);
	}
	case F_FD_SOCKFAMILY:
		if (is_ip_socket(f) || srv)
			return cs_out(c, out, "ip");
		if (f->type == SK_FDT_UNIX)
			return cs_out(c, out, "unix");
		return 0;
	case F_FD_IS_SERVER:
		return extract_val_bool(out, srv || f->role == STATE_ROLE_SERVER);
	default:
		/* fd.*ip.name: no DNS on the event path (decisions.md) */
		return 0;
	}
}

static int fs_path(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	const struct sk_event *ev = c->ev;
	const struct state_param_index *pi = c->u->pi;
	uint16_t k = sk_event_kind(ev->type);
	if (!sk_event_is_exit(ev->type))
		return 0;
	int64_t res = state_get_res(pi, ev);
	/* upstream's success test: res == 0, or fd != -1 for opens */
	if (is_open_kind(k) ? res == -1 : res != 0)
		return 0;
	int which = (ref->id == F_FS_PATH_NAME || ref->id == F_FS_PATH_NAMERAW) ? 0
		    : (ref->id == F_FS_PATH_SOURCE || ref->id == F_FS_PATH_SOURCERAW) ? 1 : 2;
	int raw = ref->id == F_FS_PATH_NAMERAW || ref->id == F_FS_PATH_SOURCERAW || ref->id == F_FS_PATH_TARGETRAW;
	int path_role = -1, dir_role = -1;
	switch (k) {
	case SK_EK_MKDIR: case SK_EK_RMDIR: case SK_EK_UNLINK: case SK_EK_CHOWN: case SK_EK_LCHOWN:
		if (which == 0) path_role = PR_path;
		break;
	case SK_EK_MKDIRAT:
		if (which == 0) { path_role = PR_path; dir_role = PR_dirfd; }
		break;
	case SK_EK_UNLINKAT: case SK_EK_OPENAT: case SK_EK_OPENAT2:
		if (which == 0) { path_role = PR_name; dir_role = PR_dirfd; }
		break;
	case SK_EK_OPEN: case SK_EK_UMOUNT: case SK_EK_UMOUNT2: case SK_EK_CREAT:
		if (which == 0) path_role = PR_name;
		break;
	case SK_EK_CHMOD:
		if (which == 0) path_role = PR_filename;
		break;
	case SK_EK_FCHMODAT:
		if (which == 0) { path_role = PR_filename; dir_role = PR_dirfd; }
		break;
	case SK_EK_FCHOWNAT:
		if (which == 0) { path_role = PR_pathname; dir_role = PR_dirfd; }
		break;
	case SK_EK_FCHMOD: case SK_EK_FCHOWN:
		if (which == 0 && c->u->cur.fd && c->u->cur.fd->name)
			return s_out(c, out, c->u->cur.fd->name, c->u->cur.fd->name_len);
		return 0;
	case SK_EK_RENAME: case SK_EK_RENAMEAT: case SK_EK_RENAMEAT2:
		if (which == 1) { path_role = PR_oldpath; dir_role = PR_olddirfd; }
		if (which == 2) { path_role = PR_newpath; dir_role = PR_newdirfd; }
		break;
	case SK_EK_LINK: case SK_EK_LINKAT:
		if (which == 1) { path_role = PR_newpath; dir_role = PR_newdir; }
		if (which == 2) { path_role = PR_oldpath; dir_role = PR_olddir; }
		break;
	case SK_EK_SYMLINK: case SK_EK_SYMLINKAT:
		if (which == 1) { path_role = PR_linkpath; dir_role = PR_linkdirfd; }
		if (which == 2) { path_role = PR_target; raw = 1; }
		break;
	case SK_EK_MOUNT:
		if (which == 1) { path_role = PR_source; raw = 1; }
		if (which == 2) { path_role = PR_target; }
		break;
	default:
		return 0;
	}
	if (path_role < 0)
		return 0;
	const char *p = state_get_str(pi, ev, path_role);
	if (!p)
		return 0;
	if (raw)
		return cs_out(c, out, p);
	struct state_thread *t = c->u->cur.thread;
	const char *base = state_str_c(t && t->proc ? t->proc->cwd : NULL);
	int64_t dirfd = STATE_AT_FDCWD;
	if (dir_role >= 0 && t && state_get_s64(pi, ev, dir_role, &dirfd) == 0)
		base = state_update_dirfd_base(c->u, t, dirfd);
	char *b = extract_ctx_scratch(c, 8400);
	size_t n = state_path_resolve(base, p, b, 8400);
	return s_out(c, out, b, n < 8400 ? n : strlen(b));
}

int extract_fd(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	switch (ref->id) {
	case F_FS_PATH_NAME: case F_FS_PATH_NAMERAW: case F_FS_PATH_SOURCE:
	case F_FS_PATH_SOURCERAW: case F_FS_PATH_TARGET: case F_FS_PATH_TARGETRAW:
		return fs_path(c, ref, out);
	case F_FDLIST_NUMS: case F_FDLIST_NAMES: case F_FDLIST_CIPS: case F_FDLIST_SIPS:
	case F_FDLIST_CPORTS: case F_FDLIST_SPORTS:
		return 0;
	default:
		break;
	}
	const struct state_cur *cur = &c->u->cur;
	if (!cur->has_fd)
		return 0;
	const struct state_fd *f = cur->fd;
	uint16_t k = sk_event_kind(c->ev->type);
	/* enter events (legacy mode) without an fd entry: only fd.num, as 0.29 */
	if (!f && !sk_event_is_exit(c->ev->type) && ref->id != F_FD_NUM)
		return 0;
	switch (ref->id) {
	case F_FD_NUM:
		return extract_val_int(out, ref->type, cur->fd_num < 0 ? -1 : cur->fd_num);
	case F_FD_TYPE:
		return f ? cs_out(c, out, state_fd_type_name(f->type)) : 0;
	case F_FD_TYPECHAR: {
		/* every open reads it (fd.typechar='f' in open_read...): a constant
		 * string, not a scratch copy the field memo then copies again */
		unsigned char ch = (unsigned char)(f ? state_fd_type_char(f->type) : guess_typechar(k));
		return s_out(c, out, ascii_str[ch & 0x7f], 1);
	}
	case F_FD_NAME:
		return f ? s_out(c, out, f->name ? f->name : "", f->name_len) : name_without_entry(c, out, 0);
	case F_FD_NAMERAW:
		if (!f)
			return name_without_entry(c, out, 1);
		if (!file_like(f))
			return cs_out(c, out, "");
		{
			uint32_t rlen;
			const char *raw = state_fd_nameraw(f, &rlen);
			return s_out(c, out, raw, rlen);
		}
	case F_FD_DIRECTORY:
		if (!f) {
			if (!is_open_kind(k))
				return cs_out(c, out, "/"); /* upstream quirk: fd events without an entry */
			/* through the field memo: rules read fd.name of a failed
			 * open too, and resolving its path is the costly part */
			static const struct rule_field_ref name_ref = {.id = F_FD_NAME, .type = RF_STRING};
			struct rule_value tmp;
			if (extract_field(c, &name_ref, &tmp) <= 0)
				return 0;
			return directory_of(c, out, tmp.v.s, tmp.len);
		}
		if (f->type == SK_FDT_DIRECTORY)
			return s_out(c, out, f->name ? f->name : "", f->name_len);
		if (f->type == SK_FDT_FILE)
			return directory_of(c, out, f->name ? f->name : "", f->name_len);
		return 0;
	case F_FD_FILENAME: {
		if (!f || f->type != SK_FDT_FILE || !f->name)
			return 0;
		const char *s = strrchr(f->name, '/');
		return cs_out(c, out, s ? s + 1 : f->name);
	}
	case F_FD_INO:
		return f ? extract_val_int(out, ref->type, (int64_t)f->ino) : 0;
	case F_FD_DEV:
		return f ? extract_val_int(out, ref->type, f->dev) : 0;
	case F_FD_DEV_MAJOR:
		return f ? extract_val_int(out, ref->type, (f->dev & 0xfff00) >> 8) : 0;
	case F_FD_DEV_MINOR:
		return f ? extract_val_int(out, ref->type, (f->dev & 0xff) | ((f->dev >> 12) & 0xfff00)) : 0;
	case F_FD_IS_UPPER_LAYER:
		return f ? extract_val_bool(out, f->open_flags & PPM_FD_UPPER_LAYER) : 0;
	case F_FD_IS_LOWER_LAYER:
		return f ? extract_val_bool(out, f->open_flags & PPM_FD_LOWER_LAYER) : 0;
	case F_FD_UID: {
		char *b = extract_ctx_scratch(c, 48);
		int n = snprintf(b, 48, "%" PRId64 "%" PRId64, c->ev->tid, cur->fd_num);
		return s_out(c, out, b, (size_t)n);
	}
	case F_FD_CONTAINERNAME:
	case F_FD_CONTAINERDIRECTORY: {
		struct rule_value tmp;
		struct rule_field_ref r2 = *ref;
		r2.id = ref->id == F_FD_CONTAINERNAME ? F_FD_NAME : F_FD_DIRECTORY;
		if (!extract_fd(c, &r2, &tmp))
			return 0;
		const char *cid = cur->thread ? cur->thread->container_id : "";
		size_t cl = strlen(cid);
		char *b = extract_ctx_scratch(c, cl + tmp.len + 2);
		memcpy(b, cid, cl);
		b[cl] = ':';
		memcpy(b + cl + 1, tmp.v.s, tmp.len);
		b[cl + 1 + tmp.len] = '\0';
		return s_out(c, out, b, cl + 1 + tmp.len);
	}
	case F_FD_TYPES:
		if (ref->has_arg && ref->arg) {
			struct state_thread *t = cur->thread;
			struct state_fd *g = t && t->proc ? state_fdtable_get(t->proc->fdt, ref->arg_index) : NULL;
			return g ? cs_out(c, out, state_fd_type_name(g->type)) : 0;
		}
		return fd_types_list(c, out);
	case F_FD_CONNECTED:
		return f ? extract_val_bool(out, f->state & STATE_FDF_CONNECTED) : 0;
	case F_FD_BYTES_IN: case F_FD_BYTES_OUT: case F_FD_PACKETS_IN: case F_FD_PACKETS_OUT:
		return f ? flow_counts(c, ref, out, f) : 0;
	case F_FD_NAME_CHANGED:
		return f ? extract_val_bool(out, cur->fd_name_changed) : 0;
	default:
		return f ? net_field(c, ref, out, f) : 0;
	}
}
