/* replay/state/update_fd.c: fd table updates: opens, sockets, pipes, dup, close and the other fd-creating calls. */
#include "replay/state/paths.h"
#include "replay/state/ppm.h"
#include "replay/state/sockaddr.h"
#include "replay/state/state_int.h"
#include "replay/state/update_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static struct state_fdtable *fdt_of(struct state_thread *t)
{
	return t->proc ? t->proc->fdt : NULL;
}

static struct state_fd *new_fd(struct state_updater *u, struct state_thread *t, int64_t fd, uint8_t type)
{
	struct state_fdtable *fdt = fdt_of(t);
	if (!fdt || fd < 0)
		return NULL;
	/* A pending close of this very fd must not delete the new entry. */
	if (u->pending_close_fdt == fdt && u->pending_close_fd == fd) {
		state_fdtable_unref(u->pending_close_fdt);
		u->pending_close_fdt = NULL;
		u->pending_close_fd = -1;
	}
	struct state_fd *f = state_fdtable_put(fdt, fd);
	if (f) {
		f->type = type;
		u->cur.cmd_fd_created = 1;
	}
	return f;
}

static void mark_name_changed(struct state_updater *u, struct state_fd *f)
{
	if (f->name_len) {
		f->state |= STATE_FDF_NAME_CHANGED;
		u->cur.name_marked = 1;
	}
}

static void open_exit(struct state_updater *u, const struct sk_event *ev, uint16_t kind, struct state_thread *t,
		      int64_t fd)
{
	const char *name = state_get_str(u->pi, ev, kind == SK_EK_OPEN_BY_HANDLE_AT ? PR_path : PR_name);
	uint64_t flags = 0;
	if (kind == SK_EK_CREAT)
		flags = PPM_O_CREAT | PPM_O_WRONLY | PPM_O_TRUNC;
	else
		state_get_u64(u->pi, ev, PR_flags, &flags);
	if (!name)
		name = "";
	/* An absolute path in normal form is its own resolution and has no
	 * "//" to collapse: copied as it is (most opens). */
	size_t n = name[0] != '/' ? SIZE_MAX : u->hint_path_len ? u->hint_path_len - 1 : state_path_normal_len(name, 0);
	/* the others resolve against a directory, taken before the new entry
	 * may reuse the dirfd's number */
	const char *base = NULL;
	if (n >= sizeof(u->path)) {
		if (kind == SK_EK_OPENAT || kind == SK_EK_OPENAT2) {
			int64_t dirfd = STATE_AT_FDCWD;
			state_get_s64(u->pi, ev, PR_dirfd, &dirfd);
			base = state_update_dirfd_base(u, t, dirfd);
		} else {
			base = state_str_c(t->proc ? t->proc->cwd : NULL);
		}
	}
	struct state_fd *f = new_fd(u, t, fd, (flags & PPM_O_DIRECTORY) ? SK_FDT_DIRECTORY : SK_FDT_FILE);
	if (!f)
		return;
	f->open_flags = (uint32_t)flags;
	if (flags & PPM_O_CLOEXEC)
		f->state |= STATE_FDF_CLOEXEC;
	uint64_t v;
	if (state_get_u64(u->pi, ev, PR_dev, &v) == 0)
		f->dev = (uint32_t)v;
	if (state_get_u64(u->pi, ev, PR_ino, &v) == 0)
		f->ino = v;
	if (n < sizeof(u->path)) {
		state_fd_set_name_and_raw(f, name, n);
		u->cur.fd_name_is_param = 1;
	} else {
		n = state_path_resolve(base, name, u->path, sizeof(u->path));
		if (n >= sizeof(u->path))
			n = strlen(u->path);
		state_fd_set_name(f, u->path, n);
		state_fd_set_nameraw(f, name, strlen(name));
		f->nameraw_len = (uint32_t)state_path_collapse_slashes(f->nameraw);
	}
	mark_name_changed(u, f);
}

static uint8_t l4_of(int64_t type, int64_t proto)
{
	if (proto == STATE_IPPROTO_ICMP || proto == STATE_IPPROTO_ICMPV6)
		return STATE_L4_ICMP;
	switch (type & 0xf) {
	case STATE_SOCK_STREAM: return STATE_L4_TCP;
	case STATE_SOCK_DGRAM: return STATE_L4_UDP;
	case STATE_SOCK_RAW: return STATE_L4_RAW;
	default: return STATE_L4_UNKNOWN;
	}
}

static void socket_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t fd)
{
	int64_t domain = 0, type = 0, proto = 0;
	state_get_s64(u->pi, ev, PR_domain, &domain);
	state_get_s64(u->pi, ev, PR_type, &type);
	state_get_s64(u->pi, ev, PR_proto, &proto);
	uint8_t kind = SK_FDT_UNKNOWN;
	if (domain == PPM_AF_INET)
		kind = SK_FDT_IPV4;
	else if (domain == PPM_AF_INET6)
		kind = SK_FDT_IPV6;
	else if (domain == PPM_AF_UNIX)
		kind = SK_FDT_UNIX;
	else if (domain == PPM_AF_NETLINK)
		kind = SK_FDT_NETLINK;
	struct state_fd *f = new_fd(u, t, fd, kind);
	if (!f)
		return;
	f->v6 = kind == SK_FDT_IPV6;
	f->l4proto = (kind == SK_FDT_IPV4 || kind == SK_FDT_IPV6) ? l4_of(type, proto) : STATE_L4_NA;
	if (type & STATE_SOCK_CLOEXEC)
		f->state |= STATE_FDF_CLOEXEC;
	state_fd_set_name(f, "", 0);
}

void state_update_fd_ip_name(struct state_fd *f)
{
	char buf[160];
	struct state_tuple tt;
	memset(&tt, 0, sizeof(tt));
	tt.v6 = f->v6;
	tt.family = f->v6 ? PPM_AF_INET6 : PPM_AF_INET;
	memcpy(tt.sip, f->sip, 16);
	memcpy(tt.dip, f->dip, 16);
	tt.sport = f->sport;
	tt.dport = f->dport;
	size_t n = (f->type == SK_FDT_IPV4_SERVER || f->type == SK_FDT_IPV6_SERVER)
			   ? state_addr_to_text(&tt, buf, sizeof(buf))
			   : state_tuple_to_text(&tt, buf, sizeof(buf));
	state_fd_set_name(f, buf, n);
}

/* local/remote ends -> the entry's client->server tuple by role. */
static void apply_ends(struct state_fd *f, const struct state_tuple *tp, int local_is_s)
{
	const uint8_t *lip = local_is_s ? tp->sip : tp->dip, *rip = local_is_s ? tp->dip : tp->sip;
	uint16_t lport = local_is_s ? tp->sport : tp->dport, rport = local_is_s ? tp->dport : tp->sport;
	f->v6 = tp->v6;
	if (f->role == STATE_ROLE_SERVER) {
		/* stored client -> server: the remote end is the client */
		memcpy(f->sip, rip, 16);
		f->sport = rport;
		memcpy(f->dip, lip, 16);
		f->dport = lport;
	} else {
		memcpy(f->sip, lip, 16);
		f->sport = lport;
		memcpy(f->dip, rip, 16);
		f->dport = rport;
	}
}

static void set_unix_name(struct state_fd *f, const struct state_tuple *tp)
{
	char buf[4200];
	f->unix_src = tp->usrc;
	f->unix_dst = tp->udst;
	size_t n = state_tuple_to_text(tp, buf, sizeof(buf));
	state_fd_set_name(f, buf, n);
}

static void connect_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t res)
{
	if (res < 0 && res != -STATE_EINPROGRESS)
		return;
	int64_t fd;
	if (state_get_s64(u->pi, ev, PR_fd, &fd) < 0)
		return;
	struct state_fd *f = state_fdtable_get(fdt_of(t), fd);
	const struct sk_param *p = state_get_param(u->pi, ev, PR_tuple);
	struct state_tuple tp;
	int is_tuple = 1;
	if (!p || state_tuple_decode(p->val, p->len, 1, &tp) < 0) {
		p = state_get_param(u->pi, ev, PR_addr);
		if (!p || state_tuple_decode(p->val, p->len, 0, &tp) < 0)
			return;
		is_tuple = 0;
	}
	if (!f) {
		/* connect on an fd the state did not know: create it from the tuple */
		uint8_t kind = tp.family == PPM_AF_UNIX ? SK_FDT_UNIX : (tp.v6 ? SK_FDT_IPV6 : SK_FDT_IPV4);
		f = new_fd(u, t, fd, kind);
		if (!f)
			return;
		f->l4proto = tp.family == PPM_AF_UNIX ? STATE_L4_NA : STATE_L4_UNKNOWN;
		u->cur.cmd_fd_created = 0;
	}
	if (tp.family == PPM_AF_UNIX) {
		set_unix_name(f, &tp);
	} else if (tp.family == PPM_AF_INET || tp.family == PPM_AF_INET6) {
		if (!is_tuple) {
			/* only the remote address is known */
			memcpy(tp.dip, tp.sip, 16);
			tp.dport = tp.sport;
			memset(tp.sip, 0, 16);
			tp.sport = 0;
		}
		if (f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6 || f->type == SK_FDT_UNKNOWN) {
			f->type = tp.v6 ? SK_FDT_IPV6 : SK_FDT_IPV4;
		}
		if (f->role == STATE_ROLE_NONE)
			f->role = STATE_ROLE_CLIENT;
		apply_ends(f, &tp, 1);
		state_update_fd_ip_name(f);
	} else {
		return;
	}
	f->state |= STATE_FDF_CONNECTED;
	mark_name_changed(u, f);
}

static void accept_exit(struct state_updater *u, const struct sk_event *ev, uint16_t kind, struct state_thread *t,
			int64_t fd)
{
	const struct sk_param *p = state_get_param(u->pi, ev, PR_tuple);
	struct state_tuple tp;
	if (!p || state_tuple_decode(p->val, p->len, 1, &tp) < 0)
		memset(&tp, 0, sizeof(tp)), tp.path = "";
	uint8_t type = tp.family == PPM_AF_UNIX ? SK_FDT_UNIX : (tp.v6 ? SK_FDT_IPV6 : SK_FDT_IPV4);
	struct state_fd *f = new_fd(u, t, fd, type);
	if (!f)
		return;
	f->state |= STATE_FDF_CONNECTED;
	if (kind == SK_EK_ACCEPT4) {
		int64_t flags = 0;
		if (state_get_s64(u->pi, ev, PR_flags, &flags) == 0 && (flags & STATE_SOCK_CLOEXEC))
			f->state |= STATE_FDF_CLOEXEC;
	}
	if (type == SK_FDT_UNIX) {
		f->l4proto = STATE_L4_NA;
		set_unix_name(f, &tp);
	} else if (tp.family) {
		/* accept's tuple reads remote -> local; the remote end is the client. */
		f->l4proto = STATE_L4_TCP;
		f->role = STATE_ROLE_SERVER;
		f->v6 = tp.v6;
		memcpy(f->sip, tp.sip, 16);
		f->sport = tp.sport;
		memcpy(f->dip, tp.dip, 16);
		f->dport = tp.dport;
		state_update_fd_ip_name(f);
	}
	mark_name_changed(u, f);
}

static void bind_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t res)
{
	int64_t fd;
	if (res < 0 || state_get_s64(u->pi, ev, PR_fd, &fd) < 0)
		return;
	struct state_fd *f = state_fdtable_get(fdt_of(t), fd);
	const struct sk_param *p = state_get_param(u->pi, ev, PR_addr);
	struct state_tuple tp;
	if (!f || !p || state_tuple_decode(p->val, p->len, 0, &tp) < 0)
		return;
	if (tp.family == PPM_AF_UNIX) {
		state_fd_set_name(f, tp.path, strlen(tp.path));
		mark_name_changed(u, f);
		return;
	}
	if ((tp.family != PPM_AF_INET && tp.family != PPM_AF_INET6) || tp.sport == 0)
		return;
	f->type = tp.v6 ? SK_FDT_IPV6_SERVER : SK_FDT_IPV4_SERVER;
	f->v6 = tp.v6;
	f->role = STATE_ROLE_SERVER;
	memcpy(f->sip, tp.sip, 16);
	f->sport = tp.sport;
	state_update_fd_ip_name(f);
	mark_name_changed(u, f);
}

/* A process that listens on port is a server for traffic to that port. */
static int has_listener_on(struct state_fdtable *fdt, uint16_t port)
{
	for (uint32_t i = 0; fdt && i < fdt->cap; i++) {
		const struct state_fd *f = &fdt->fds[i];
		if (f->num >= 0 && (f->type == SK_FDT_IPV4_SERVER || f->type == SK_FDT_IPV6_SERVER) && f->sport == port)
			return 1;
	}
	return 0;
}

static void io_exit(struct state_updater *u, const struct sk_event *ev, uint16_t kind, struct state_thread *t,
		    int64_t res)
{
	if (res < 0)
		return;
	int64_t fd;
	if (u->pi->fd_idx[ev->type] <= 0 || state_get_fd_param(u->pi, ev, &fd) < 0)
		return;
	struct state_fd *f = state_fdtable_get(fdt_of(t), fd);
	if (!f)
		return;
	int ip = f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6;
	/* Upstream marks every IP socket connected on successful I/O (quirk kept on purpose). */
	if (ip)
		f->state |= STATE_FDF_CONNECTED;
	else if (f->type != SK_FDT_UNIX && f->type != SK_FDT_UNKNOWN)
		return; /* a file, a pipe...: its I/O names nothing (the tests below) */
	const struct sk_param *p = state_get_param(u->pi, ev, PR_tuple);
	struct state_tuple tp;
	if (!p || state_tuple_decode(p->val, p->len, 1, &tp) < 0)
		return;
	if (f->name_len && f->l4proto == STATE_L4_TCP)
		return;
	if (tp.family == PPM_AF_UNIX) {
		if (f->type != SK_FDT_UNIX)
			return;
		set_unix_name(f, &tp);
		mark_name_changed(u, f);
		return;
	}
	if (tp.family != PPM_AF_INET && tp.family != PPM_AF_INET6)
		return;
	if (!ip && f->type != SK_FDT_UNKNOWN)
		return;
	f->type = tp.v6 ? SK_FDT_IPV6 : SK_FDT_IPV4;
	if (f->l4proto == STATE_L4_UNKNOWN || f->l4proto == STATE_L4_NA)
		f->l4proto = STATE_L4_UDP;
	int is_send = kind == SK_EK_SENDTO || kind == SK_EK_SENDMSG || kind == SK_EK_SEND ||
		      kind == SK_EK_SENDMMSG || kind == SK_EK_WRITE || kind == SK_EK_WRITEV || kind == SK_EK_PWRITE;
	/* s/d are local/remote for sends and swapped for receives. */
	uint16_t local_port = is_send ? tp.sport : tp.dport;
	if (f->role == STATE_ROLE_NONE)
		f->role = has_listener_on(fdt_of(t), local_port) ? STATE_ROLE_SERVER : STATE_ROLE_CLIENT;
	char before[160];
	snprintf(before, sizeof(before), "%s", f->name ? f->name : "");
	apply_ends(f, &tp, is_send);
	state_update_fd_ip_name(f);
	if (strcmp(before, f->name) != 0)
		mark_name_changed(u, f);
}

static void dup_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t res,
		     int cloexec)
{
	int64_t oldfd;
	if (res < 0 || state_get_s64(u->pi, ev, PR_oldfd, &oldfd) < 0)
		if (res < 0 || state_get_s64(u->pi, ev, PR_fd, &oldfd) < 0)
			return;
	struct state_fdtable *fdt = fdt_of(t);
	struct state_fd *old = state_fdtable_get(fdt, oldfd);
	if (!old || res == oldfd)
		return;
	struct state_fd copy = *old; /* put() may move the table */
	char *name = old->name, *raw = old->nameraw;
	struct state_fd *nf = new_fd(u, t, res, old->type);
	if (!nf)
		return;
	old = state_fdtable_get(fdt, oldfd);
	if (old) {
		state_fd_copy(nf, old);
	} else {
		copy.name = name;
		copy.nameraw = raw;
		state_fd_copy(nf, &copy);
	}
	nf->state &= ~STATE_FDF_CLOEXEC;
	if (cloexec)
		nf->state |= STATE_FDF_CLOEXEC;
}

static void pipe_exit(struct state_updater *u, const struct sk_event *ev, uint16_t kind, struct state_thread *t,
		      int64_t res)
{
	int64_t fd1, fd2;
	if (res < 0 || state_get_s64(u->pi, ev, PR_fd1, &fd1) < 0 || state_get_s64(u->pi, ev, PR_fd2, &fd2) < 0)
		return;
	uint64_t ino = 0, src = 0, peer = 0;
	state_get_u64(u->pi, ev, PR_ino, &ino);
	state_get_u64(u->pi, ev, PR_source, &src);
	state_get_u64(u->pi, ev, PR_peer, &peer);
	uint8_t type = kind == SK_EK_SOCKETPAIR ? SK_FDT_UNIX : SK_FDT_PIPE;
	int64_t fds[2] = { fd1, fd2 };
	for (int i = 0; i < 2; i++) {
		struct state_fd *f = new_fd(u, t, fds[i], type);
		if (!f)
			continue;
		f->ino = ino;
		f->unix_src = src;
		f->unix_dst = peer;
		f->l4proto = STATE_L4_NA;
		state_fd_set_name(f, "", 0);
	}
}

static void close_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t res)
{
	int64_t fd;
	if (res < 0 || state_get_s64(u->pi, ev, PR_fd, &fd) < 0 || !t->proc)
		return;
	u->pending_close_fdt = state_fdtable_ref(t->proc->fdt);
	u->pending_close_fd = fd;
}

static void close_range_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t res)
{
	uint64_t first, last, flags = 0;
	if (res < 0 || state_get_u64(u->pi, ev, PR_first, &first) < 0 || state_get_u64(u->pi, ev, PR_last, &last) < 0 || !t->proc)
		return;
	state_get_u64(u->pi, ev, PR_flags, &flags);
	struct state_fdtable *fdt = t->proc->fdt;
	if (flags & STATE_CLOSE_RANGE_CLOEXEC) {
		for (uint64_t fd = first; fd <= last && fd < fdt->cap; fd++)
			if (fdt->fds[fd].num >= 0)
				fdt->fds[fd].state |= STATE_FDF_CLOEXEC;
		return;
	}
	u->pending_close_fdt = state_fdtable_ref(fdt);
	u->pending_close_fd = -1;
	u->pending_close_first = (int64_t)first;
	u->pending_close_last = last > INT64_MAX ? INT64_MAX : (int64_t)last;
}

/* fcntl command values come from the event table's name list, so the PPM
 * numbering lives in one place. */
static void fcntl_lookup(struct state_updater *u, const struct sk_event *ev)
{
	u->have_fcntl = 1;
	u->fcntl_dupfd = u->fcntl_dupfd_cloexec = u->fcntl_setfd = UINT64_MAX;
	int i = u->pi->p[ev->type][PR_cmd].idx;
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (i < 0 || !info->params[i].names)
		return;
	for (const struct sk_name_value *nv = info->params[i].names; nv->name; nv++) {
		if (strcmp(nv->name, "F_DUPFD") == 0)
			u->fcntl_dupfd = nv->value;
		else if (strcmp(nv->name, "F_DUPFD_CLOEXEC") == 0)
			u->fcntl_dupfd_cloexec = nv->value;
		else if (strcmp(nv->name, "F_SETFD") == 0)
			u->fcntl_setfd = nv->value;
	}
}

static void fcntl_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t res)
{
	if (!u->have_fcntl)
		fcntl_lookup(u, ev);
	uint64_t cmd;
	if (res < 0 || state_get_u64(u->pi, ev, PR_cmd, &cmd) < 0)
		return;
	if (cmd == u->fcntl_dupfd || cmd == u->fcntl_dupfd_cloexec) {
		dup_exit(u, ev, t, res, cmd == u->fcntl_dupfd_cloexec);
	} else if (cmd == u->fcntl_setfd) {
		int64_t fd;
		uint64_t arg = 0;
		struct state_fd *f = state_get_s64(u->pi, ev, PR_fd, &fd) == 0 ? state_fdtable_get(fdt_of(t),
												   fd) : NULL;
		if (f && state_get_u64(u->pi, ev, PR_arg, &arg) == 0) {
			if (arg & 1)
				f->state |= STATE_FDF_CLOEXEC;
			else
				f->state &= ~STATE_FDF_CLOEXEC;
		}
	}
}

static void simple_fd_exit(struct state_updater *u, struct state_thread *t, int64_t fd, uint8_t type)
{
	struct state_fd *f = new_fd(u, t, fd, type);
	if (f) {
		f->l4proto = STATE_L4_NA;
		state_fd_set_name(f, "", 0);
	}
}

static void memfd_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t, int64_t fd)
{
	struct state_fd *f = new_fd(u, t, fd, SK_FDT_MEMFD);
	if (!f)
		return;
	const char *name = state_get_str(u->pi, ev, PR_name);
	state_fd_set_name(f, name ? name : "", name ? strlen(name) : 0);
	uint64_t flags = 0;
	if (state_get_u64(u->pi, ev, PR_flags, &flags) == 0 && (flags & 1)) /* MFD_CLOEXEC */
		f->state |= STATE_FDF_CLOEXEC;
	mark_name_changed(u, f);
}

static void pidfd_exit(struct state_updater *u, const struct sk_event *ev, uint16_t kind, struct state_thread *t,
		       int64_t fd)
{
	int64_t pid = 0;
	if (kind == SK_EK_PIDFD_GETFD) {
		int64_t pidfd, target;
		struct state_fd *pf = state_get_s64(u->pi, ev, PR_pid_fd, &pidfd) == 0 ? state_fdtable_get(fdt_of(t), pidfd) : NULL;
		struct state_thread *other = pf && pf->type == SK_FDT_PIDFD ? state_thread_get(u->st,
											       pf->pidfd_pid) : NULL;
		struct state_fd *src = other && state_get_s64(u->pi, ev, PR_target_fd, &target) == 0
					    ? state_fdtable_get(fdt_of(other), target) : NULL;
		if (!src)
			return;
		struct state_fd copy = *src;
		struct state_fd *nf = new_fd(u, t, fd, src->type);
		if (nf)
			state_fd_copy(nf, &copy);
		return;
	}
	state_get_s64(u->pi, ev, PR_pid, &pid);
	struct state_fd *f = new_fd(u, t, fd, SK_FDT_PIDFD);
	if (!f)
		return;
	f->pidfd_pid = pid;
	char buf[48];
	int n = snprintf(buf, sizeof(buf), "/proc/%lld", (long long)pid);
	state_fd_set_name(f, buf, (size_t)n);
}

int state_update_is_io(uint16_t kind)
{
	switch (kind) {
	case SK_EK_SEND: case SK_EK_SENDTO: case SK_EK_SENDMSG: case SK_EK_SENDMMSG:
	case SK_EK_RECV: case SK_EK_RECVFROM: case SK_EK_RECVMSG: case SK_EK_RECVMMSG:
	case SK_EK_READ: case SK_EK_WRITE: case SK_EK_READV: case SK_EK_WRITEV:
	case SK_EK_PREAD: case SK_EK_PWRITE:
		return 1;
	default:
		return 0;
	}
}

void state_update_io_event(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res)
{
	struct state_thread *t = u->cur.thread;
	if (t && t->proc)
		io_exit(u, ev, kind, t, res);
}

int state_update_fd_event(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res)
{
	struct state_thread *t = u->cur.thread;
	if (!t || !t->proc)
		return 0;
	switch (kind) {
	case SK_EK_OPEN: case SK_EK_OPENAT: case SK_EK_OPENAT2: case SK_EK_CREAT: case SK_EK_OPEN_BY_HANDLE_AT:
		if (res >= 0)
			open_exit(u, ev, kind, t, res);
		break;
	case SK_EK_SOCKET:
		if (res >= 0)
			socket_exit(u, ev, t, res);
		break;
	case SK_EK_CONNECT:
		connect_exit(u, ev, t, res);
		break;
	case SK_EK_ACCEPT: case SK_EK_ACCEPT4:
		if (res >= 0)
			accept_exit(u, ev, kind, t, res);
		break;
	case SK_EK_BIND:
		bind_exit(u, ev, t, res);
		break;
	case SK_EK_DUP: case SK_EK_DUP2:
		dup_exit(u, ev, t, res, 0);
		break;
	case SK_EK_DUP3: {
		uint64_t flags = 0;
		state_get_u64(u->pi, ev, PR_flags, &flags);
		dup_exit(u, ev, t, res, (flags & PPM_O_CLOEXEC) != 0);
		break;
	}
	case SK_EK_FCNTL:
		fcntl_exit(u, ev, t, res);
		break;
	case SK_EK_PIPE: case SK_EK_PIPE2: case SK_EK_SOCKETPAIR:
		pipe_exit(u, ev, kind, t, res);
		break;
	case SK_EK_CLOSE:
		close_exit(u, ev, t, res);
		break;
	case SK_EK_CLOSE_RANGE:
		close_range_exit(u, ev, t, res);
		break;
	case SK_EK_EVENTFD: case SK_EK_EVENTFD2:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_EVENT);
		break;
	case SK_EK_SIGNALFD: case SK_EK_SIGNALFD4:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_SIGNALFD);
		break;
	case SK_EK_TIMERFD_CREATE:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_TIMERFD);
		break;
	case SK_EK_INOTIFY_INIT: case SK_EK_INOTIFY_INIT1:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_INOTIFY);
		break;
	case SK_EK_EPOLL_CREATE: case SK_EK_EPOLL_CREATE1:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_EVENTPOLL);
		break;
	case SK_EK_BPF:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_BPF);
		break;
	case SK_EK_USERFAULTFD:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_USERFAULTFD);
		break;
	case SK_EK_IO_URING_SETUP:
		if (res >= 0) simple_fd_exit(u, t, res, SK_FDT_IO_URING);
		break;
	case SK_EK_MEMFD_CREATE:
		if (res >= 0) memfd_exit(u, ev, t, res);
		break;
	case SK_EK_PIDFD_OPEN: case SK_EK_PIDFD_GETFD:
		if (res >= 0) pidfd_exit(u, ev, kind, t, res);
		break;
	default:
		return 0;
	}
	return 1;
}

void state_update_container_event(struct state_updater *u, const struct sk_event *ev, char id[16])
{
	id[0] = '\0';
	const char *json = state_get_str(u->pi, ev, PR_json);
	if (!json)
		return;
	/* {"container":{"id":"<12 chars>",...}} : the id keys the record. */
	const char *p = strstr(json, "\"id\"");
	if (!p)
		return;
	p = strchr(p + 4, '"');
	if (!p)
		return;
	size_t n = 0;
	for (p++; *p && *p != '"' && n < 15; p++)
		id[n++] = *p;
	id[n] = '\0';
	state_updater_add_container(u, id, json);
}
