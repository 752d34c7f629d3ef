/* replay/update_fd.c: fd table updates: opens, sockets, pipes, dup, close and the other fd-creating calls. */
#include "replay/paths.h"
#include "replay/ppm.h"
#include "replay/sockaddr.h"
#include "replay/state_int.h"
#include "replay/update_int.h"

#include <stdio.h>
#include <string.h>

static struct sk_fdtable *fdt_of(struct sk_thread *t)
{
	return t->proc ? t->proc->fdt : NULL;
}

static struct sk_fd *new_fd(struct sk_updater *u, struct sk_thread *t, int64_t fd, uint8_t type)
{
	struct sk_fdtable *fdt = fdt_of(t);
	if (!fdt || fd < 0)
		return NULL;
	/* A pending close of this very fd must not delete the new entry. */
	if (u->pending_close_fdt == fdt && u->pending_close_fd == fd) {
		sk_fdtable_unref(u->pending_close_fdt);
		u->pending_close_fdt = NULL;
		u->pending_close_fd = -1;
	}
	struct sk_fd *f = sk_fdtable_put(fdt, fd);
	if (f) {
		f->type = type;
		u->cur.cmd_fd_created = 1;
	}
	return f;
}

static void mark_name_changed(struct sk_fd *f)
{
	if (f->name_len)
		f->state |= SK_FDF_NAME_CHANGED;
}

static void open_exit(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, struct sk_thread *t, int64_t fd)
{
	const char *name = sk_get_str(u->pi, ev, kind == SK_EK_OPEN_BY_HANDLE_AT ? PR_path : PR_name);
	uint64_t flags = 0;
	if (kind == SK_EK_CREAT)
		flags = PPM_O_CREAT | PPM_O_WRONLY | PPM_O_TRUNC;
	else
		sk_get_u64(u->pi, ev, PR_flags, &flags);
	const char *base;
	if (kind == SK_EK_OPENAT || kind == SK_EK_OPENAT2) {
		int64_t dirfd = SK_AT_FDCWD;
		sk_get_s64(u->pi, ev, PR_dirfd, &dirfd);
		base = sk_update_dirfd_base(u, t, dirfd);
	} else {
		base = sk_str_c(t->proc ? t->proc->cwd : NULL);
	}
	struct sk_fd *f = new_fd(u, t, fd, (flags & PPM_O_DIRECTORY) ? SK_FDT_DIRECTORY : SK_FDT_FILE);
	if (!f)
		return;
	f->open_flags = (uint32_t)flags;
	if (flags & PPM_O_CLOEXEC)
		f->state |= SK_FDF_CLOEXEC;
	uint64_t v;
	if (sk_get_u64(u->pi, ev, PR_dev, &v) == 0)
		f->dev = (uint32_t)v;
	if (sk_get_u64(u->pi, ev, PR_ino, &v) == 0)
		f->ino = v;
	if (!name)
		name = "";
	size_t n = sk_path_resolve(base, name, u->path, sizeof(u->path));
	if (n >= sizeof(u->path))
		n = strlen(u->path);
	sk_fd_set_name(f, u->path, n);
	sk_fd_set_nameraw(f, name, strlen(name));
	f->nameraw_len = (uint32_t)sk_path_collapse_slashes(f->nameraw);
	mark_name_changed(f);
}

static uint8_t l4_of(int64_t type, int64_t proto)
{
	if (proto == SK_IPPROTO_ICMP || proto == SK_IPPROTO_ICMPV6)
		return SK_L4_ICMP;
	switch (type & 0xf) {
	case SK_SOCK_STREAM: return SK_L4_TCP;
	case SK_SOCK_DGRAM: return SK_L4_UDP;
	case SK_SOCK_RAW: return SK_L4_RAW;
	default: return SK_L4_UNKNOWN;
	}
}

static void socket_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t fd)
{
	int64_t domain = 0, type = 0, proto = 0;
	sk_get_s64(u->pi, ev, PR_domain, &domain);
	sk_get_s64(u->pi, ev, PR_type, &type);
	sk_get_s64(u->pi, ev, PR_proto, &proto);
	uint8_t kind = SK_FDT_UNKNOWN;
	if (domain == PPM_AF_INET)
		kind = SK_FDT_IPV4;
	else if (domain == PPM_AF_INET6)
		kind = SK_FDT_IPV6;
	else if (domain == PPM_AF_UNIX)
		kind = SK_FDT_UNIX;
	else if (domain == PPM_AF_NETLINK)
		kind = SK_FDT_NETLINK;
	struct sk_fd *f = new_fd(u, t, fd, kind);
	if (!f)
		return;
	f->v6 = kind == SK_FDT_IPV6;
	f->l4proto = (kind == SK_FDT_IPV4 || kind == SK_FDT_IPV6) ? l4_of(type, proto) : SK_L4_NA;
	if (type & SK_SOCK_CLOEXEC)
		f->state |= SK_FDF_CLOEXEC;
	sk_fd_set_name(f, "", 0);
}

void sk_update_fd_ip_name(struct sk_fd *f)
{
	char buf[160];
	struct sk_tuple tt;
	memset(&tt, 0, sizeof(tt));
	tt.v6 = f->v6;
	tt.family = f->v6 ? PPM_AF_INET6 : PPM_AF_INET;
	memcpy(tt.sip, f->sip, 16);
	memcpy(tt.dip, f->dip, 16);
	tt.sport = f->sport;
	tt.dport = f->dport;
	size_t n = (f->type == SK_FDT_IPV4_SERVER || f->type == SK_FDT_IPV6_SERVER)
			   ? sk_addr_to_text(&tt, buf, sizeof(buf))
			   : sk_tuple_to_text(&tt, buf, sizeof(buf));
	sk_fd_set_name(f, buf, n);
}

/* local/remote ends -> the entry's client->server tuple by role. */
static void apply_ends(struct sk_fd *f, const struct sk_tuple *tp, int local_is_s)
{
	const uint8_t *lip = local_is_s ? tp->sip : tp->dip, *rip = local_is_s ? tp->dip : tp->sip;
	uint16_t lport = local_is_s ? tp->sport : tp->dport, rport = local_is_s ? tp->dport : tp->sport;
	f->v6 = tp->v6;
	if (f->role == SK_ROLE_SERVER) {
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

static void set_unix_name(struct sk_fd *f, const struct sk_tuple *tp)
{
	char buf[4200];
	f->unix_src = tp->usrc;
	f->unix_dst = tp->udst;
	size_t n = sk_tuple_to_text(tp, buf, sizeof(buf));
	sk_fd_set_name(f, buf, n);
}

static void connect_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t res)
{
	if (res < 0 && res != -SK_EINPROGRESS)
		return;
	int64_t fd;
	if (sk_get_s64(u->pi, ev, PR_fd, &fd) < 0)
		return;
	struct sk_fd *f = sk_fdtable_get(fdt_of(t), fd);
	const struct sk_param *p = sk_get_param(u->pi, ev, PR_tuple);
	struct sk_tuple tp;
	int is_tuple = 1;
	if (!p || sk_tuple_decode(p->val, p->len, 1, &tp) < 0) {
		p = sk_get_param(u->pi, ev, PR_addr);
		if (!p || sk_tuple_decode(p->val, p->len, 0, &tp) < 0)
			return;
		is_tuple = 0;
	}
	if (!f) {
		/* connect on an fd the state did not know: create it from the tuple */
		uint8_t kind = tp.family == PPM_AF_UNIX ? SK_FDT_UNIX : (tp.v6 ? SK_FDT_IPV6 : SK_FDT_IPV4);
		f = new_fd(u, t, fd, kind);
		if (!f)
			return;
		f->l4proto = tp.family == PPM_AF_UNIX ? SK_L4_NA : SK_L4_UNKNOWN;
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
		if (f->role == SK_ROLE_NONE)
			f->role = SK_ROLE_CLIENT;
		apply_ends(f, &tp, 1);
		sk_update_fd_ip_name(f);
	} else {
		return;
	}
	f->state |= SK_FDF_CONNECTED;
	mark_name_changed(f);
}

static void accept_exit(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, struct sk_thread *t, int64_t fd)
{
	const struct sk_param *p = sk_get_param(u->pi, ev, PR_tuple);
	struct sk_tuple tp;
	if (!p || sk_tuple_decode(p->val, p->len, 1, &tp) < 0)
		memset(&tp, 0, sizeof(tp)), tp.path = "";
	uint8_t type = tp.family == PPM_AF_UNIX ? SK_FDT_UNIX : (tp.v6 ? SK_FDT_IPV6 : SK_FDT_IPV4);
	struct sk_fd *f = new_fd(u, t, fd, type);
	if (!f)
		return;
	f->state |= SK_FDF_CONNECTED;
	if (kind == SK_EK_ACCEPT4) {
		int64_t flags = 0;
		if (sk_get_s64(u->pi, ev, PR_flags, &flags) == 0 && (flags & SK_SOCK_CLOEXEC))
			f->state |= SK_FDF_CLOEXEC;
	}
	if (type == SK_FDT_UNIX) {
		f->l4proto = SK_L4_NA;
		set_unix_name(f, &tp);
	} else if (tp.family) {
		/* accept's tuple reads remote -> local; the remote end is the client. */
		f->l4proto = SK_L4_TCP;
		f->role = SK_ROLE_SERVER;
		f->v6 = tp.v6;
		memcpy(f->sip, tp.sip, 16);
		f->sport = tp.sport;
		memcpy(f->dip, tp.dip, 16);
		f->dport = tp.dport;
		sk_update_fd_ip_name(f);
	}
	mark_name_changed(f);
}

static void bind_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t res)
{
	int64_t fd;
	if (res < 0 || sk_get_s64(u->pi, ev, PR_fd, &fd) < 0)
		return;
	struct sk_fd *f = sk_fdtable_get(fdt_of(t), fd);
	const struct sk_param *p = sk_get_param(u->pi, ev, PR_addr);
	struct sk_tuple tp;
	if (!f || !p || sk_tuple_decode(p->val, p->len, 0, &tp) < 0)
		return;
	if (tp.family == PPM_AF_UNIX) {
		sk_fd_set_name(f, tp.path, strlen(tp.path));
		mark_name_changed(f);
		return;
	}
	if ((tp.family != PPM_AF_INET && tp.family != PPM_AF_INET6) || tp.sport == 0)
		return;
	f->type = tp.v6 ? SK_FDT_IPV6_SERVER : SK_FDT_IPV4_SERVER;
	f->v6 = tp.v6;
	f->role = SK_ROLE_SERVER;
	memcpy(f->sip, tp.sip, 16);
	f->sport = tp.sport;
	sk_update_fd_ip_name(f);
	mark_name_changed(f);
}

/* A process that listens on port is a server for traffic to that port. */
static int has_listener_on(struct sk_fdtable *fdt, uint16_t port)
{
	for (uint32_t i = 0; fdt && i < fdt->cap; i++) {
		const struct sk_fd *f = &fdt->fds[i];
		if (f->num >= 0 && (f->type == SK_FDT_IPV4_SERVER || f->type == SK_FDT_IPV6_SERVER) && f->sport == port)
			return 1;
	}
	return 0;
}

static void io_exit(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, struct sk_thread *t, int64_t res)
{
	if (res < 0)
		return;
	int idx = u->pi->fd_idx[ev->type];
	int64_t fd;
	if (idx <= 0 || (uint32_t)idx >= ev->nparams || sk_param_s64(ev, (uint32_t)idx, &fd) < 0)
		return;
	struct sk_fd *f = sk_fdtable_get(fdt_of(t), fd);
	if (!f)
		return;
	int ip = f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6;
	/* Upstream marks every IP socket connected on successful I/O (quirk kept on purpose). */
	if (ip)
		f->state |= SK_FDF_CONNECTED;
	const struct sk_param *p = sk_get_param(u->pi, ev, PR_tuple);
	struct sk_tuple tp;
	if (!p || sk_tuple_decode(p->val, p->len, 1, &tp) < 0)
		return;
	if (f->name_len && f->l4proto == SK_L4_TCP)
		return;
	if (tp.family == PPM_AF_UNIX) {
		if (f->type != SK_FDT_UNIX)
			return;
		set_unix_name(f, &tp);
		mark_name_changed(f);
		return;
	}
	if (tp.family != PPM_AF_INET && tp.family != PPM_AF_INET6)
		return;
	if (!ip && f->type != SK_FDT_UNKNOWN)
		return;
	f->type = tp.v6 ? SK_FDT_IPV6 : SK_FDT_IPV4;
	if (f->l4proto == SK_L4_UNKNOWN || f->l4proto == SK_L4_NA)
		f->l4proto = SK_L4_UDP;
	int is_send = kind == SK_EK_SENDTO || kind == SK_EK_SENDMSG || kind == SK_EK_SEND ||
		      kind == SK_EK_SENDMMSG || kind == SK_EK_WRITE || kind == SK_EK_WRITEV || kind == SK_EK_PWRITE;
	/* s/d are local/remote for sends and swapped for receives. */
	uint16_t local_port = is_send ? tp.sport : tp.dport;
	if (f->role == SK_ROLE_NONE)
		f->role = has_listener_on(fdt_of(t), local_port) ? SK_ROLE_SERVER : SK_ROLE_CLIENT;
	char before[160];
	snprintf(before, sizeof(before), "%s", f->name ? f->name : "");
	apply_ends(f, &tp, is_send);
	sk_update_fd_ip_name(f);
	if (strcmp(before, f->name) != 0)
		mark_name_changed(f);
}

static void dup_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t res, int cloexec)
{
	int64_t oldfd;
	if (res < 0 || sk_get_s64(u->pi, ev, PR_oldfd, &oldfd) < 0)
		if (res < 0 || sk_get_s64(u->pi, ev, PR_fd, &oldfd) < 0)
			return;
	struct sk_fdtable *fdt = fdt_of(t);
	struct sk_fd *old = sk_fdtable_get(fdt, oldfd);
	if (!old || res == oldfd)
		return;
	struct sk_fd copy = *old; /* put() may move the table */
	char *name = old->name, *raw = old->nameraw;
	struct sk_fd *nf = new_fd(u, t, res, old->type);
	if (!nf)
		return;
	old = sk_fdtable_get(fdt, oldfd);
	if (old) {
		sk_fd_copy(nf, old);
	} else {
		copy.name = name;
		copy.nameraw = raw;
		sk_fd_copy(nf, &copy);
	}
	nf->state &= ~SK_FDF_CLOEXEC;
	if (cloexec)
		nf->state |= SK_FDF_CLOEXEC;
}

static void pipe_exit(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, struct sk_thread *t, int64_t res)
{
	int64_t fd1, fd2;
	if (res < 0 || sk_get_s64(u->pi, ev, PR_fd1, &fd1) < 0 || sk_get_s64(u->pi, ev, PR_fd2, &fd2) < 0)
		return;
	uint64_t ino = 0, src = 0, peer = 0;
	sk_get_u64(u->pi, ev, PR_ino, &ino);
	sk_get_u64(u->pi, ev, PR_source, &src);
	sk_get_u64(u->pi, ev, PR_peer, &peer);
	uint8_t type = kind == SK_EK_SOCKETPAIR ? SK_FDT_UNIX : SK_FDT_PIPE;
	int64_t fds[2] = { fd1, fd2 };
	for (int i = 0; i < 2; i++) {
		struct sk_fd *f = new_fd(u, t, fds[i], type);
		if (!f)
			continue;
		f->ino = ino;
		f->unix_src = src;
		f->unix_dst = peer;
		f->l4proto = SK_L4_NA;
		sk_fd_set_name(f, "", 0);
	}
}

static void close_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t res)
{
	int64_t fd;
	if (res < 0 || sk_get_s64(u->pi, ev, PR_fd, &fd) < 0 || !t->proc)
		return;
	u->pending_close_fdt = sk_fdtable_ref(t->proc->fdt);
	u->pending_close_fd = fd;
}

static void close_range_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t res)
{
	uint64_t first, last, flags = 0;
	if (res < 0 || sk_get_u64(u->pi, ev, PR_first, &first) < 0 || sk_get_u64(u->pi, ev, PR_last, &last) < 0 || !t->proc)
		return;
	sk_get_u64(u->pi, ev, PR_flags, &flags);
	struct sk_fdtable *fdt = t->proc->fdt;
	if (flags & SK_CLOSE_RANGE_CLOEXEC) {
		for (uint64_t fd = first; fd <= last && fd < fdt->cap; fd++)
			if (fdt->fds[fd].num >= 0)
				fdt->fds[fd].state |= SK_FDF_CLOEXEC;
		return;
	}
	u->pending_close_fdt = sk_fdtable_ref(fdt);
	u->pending_close_fd = -1;
	u->pending_close_first = (int64_t)first;
	u->pending_close_last = last > INT64_MAX ? INT64_MAX : (int64_t)last;
}

/* fcntl command values come from the event table's name list, so the PPM
 * numbering lives in one place. */
static void fcntl_lookup(struct sk_updater *u, const struct sk_event *ev)
{
	u->have_fcntl = 1;
	u->fcntl_dupfd = u->fcntl_dupfd_cloexec = u->fcntl_setfd = UINT64_MAX;
	int i = u->pi->idx[ev->type][PR_cmd];
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

static void fcntl_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t res)
{
	if (!u->have_fcntl)
		fcntl_lookup(u, ev);
	uint64_t cmd;
	if (res < 0 || sk_get_u64(u->pi, ev, PR_cmd, &cmd) < 0)
		return;
	if (cmd == u->fcntl_dupfd || cmd == u->fcntl_dupfd_cloexec) {
		dup_exit(u, ev, t, res, cmd == u->fcntl_dupfd_cloexec);
	} else if (cmd == u->fcntl_setfd) {
		int64_t fd;
		uint64_t arg = 0;
		struct sk_fd *f = sk_get_s64(u->pi, ev, PR_fd, &fd) == 0 ? sk_fdtable_get(fdt_of(t), fd) : NULL;
		if (f && sk_get_u64(u->pi, ev, PR_arg, &arg) == 0) {
			if (arg & 1)
				f->state |= SK_FDF_CLOEXEC;
			else
				f->state &= ~SK_FDF_CLOEXEC;
		}
	}
}

static void simple_fd_exit(struct sk_updater *u, struct sk_thread *t, int64_t fd, uint8_t type)
{
	struct sk_fd *f = new_fd(u, t, fd, type);
	if (f) {
		f->l4proto = SK_L4_NA;
		sk_fd_set_name(f, "", 0);
	}
}

static void memfd_exit(struct sk_updater *u, const struct sk_event *ev, struct sk_thread *t, int64_t fd)
{
	struct sk_fd *f = new_fd(u, t, fd, SK_FDT_MEMFD);
	if (!f)
		return;
	const char *name = sk_get_str(u->pi, ev, PR_name);
	sk_fd_set_name(f, name ? name : "", name ? strlen(name) : 0);
	uint64_t flags = 0;
	if (sk_get_u64(u->pi, ev, PR_flags, &flags) == 0 && (flags & 1)) /* MFD_CLOEXEC */
		f->state |= SK_FDF_CLOEXEC;
	mark_name_changed(f);
}

static void pidfd_exit(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, struct sk_thread *t, int64_t fd)
{
	int64_t pid = 0;
	if (kind == SK_EK_PIDFD_GETFD) {
		int64_t pidfd, target;
		struct sk_fd *pf = sk_get_s64(u->pi, ev, PR_pid_fd, &pidfd) == 0 ? sk_fdtable_get(fdt_of(t), pidfd) : NULL;
		struct sk_thread *other = pf && pf->type == SK_FDT_PIDFD ? sk_state_thread(u->st, pf->pidfd_pid) : NULL;
		struct sk_fd *src = other && sk_get_s64(u->pi, ev, PR_target_fd, &target) == 0
					    ? sk_fdtable_get(fdt_of(other), target) : NULL;
		if (!src)
			return;
		struct sk_fd copy = *src;
		struct sk_fd *nf = new_fd(u, t, fd, src->type);
		if (nf)
			sk_fd_copy(nf, &copy);
		return;
	}
	sk_get_s64(u->pi, ev, PR_pid, &pid);
	struct sk_fd *f = new_fd(u, t, fd, SK_FDT_PIDFD);
	if (!f)
		return;
	f->pidfd_pid = pid;
	char buf[48];
	int n = snprintf(buf, sizeof(buf), "/proc/%lld", (long long)pid);
	sk_fd_set_name(f, buf, (size_t)n);
}

void sk_update_fd_event(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res)
{
	struct sk_thread *t = u->cur.thread;
	if (!t || !t->proc)
		return;
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
	case SK_EK_SEND: case SK_EK_SENDTO: case SK_EK_SENDMSG: case SK_EK_SENDMMSG:
	case SK_EK_RECV: case SK_EK_RECVFROM: case SK_EK_RECVMSG: case SK_EK_RECVMMSG:
	case SK_EK_READ: case SK_EK_WRITE: case SK_EK_READV: case SK_EK_WRITEV:
	case SK_EK_PREAD: case SK_EK_PWRITE:
		io_exit(u, ev, kind, t, res);
		break;
	case SK_EK_DUP: case SK_EK_DUP2:
		dup_exit(u, ev, t, res, 0);
		break;
	case SK_EK_DUP3: {
		uint64_t flags = 0;
		sk_get_u64(u->pi, ev, PR_flags, &flags);
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
		break;
	}
}

void sk_update_container_event(struct sk_updater *u, const struct sk_event *ev)
{
	const char *json = sk_get_str(u->pi, ev, PR_json);
	if (!json)
		return;
	/* {"container":{"id":"<12 chars>",...}} : the id keys the record. */
	const char *p = strstr(json, "\"id\"");
	if (!p)
		return;
	p = strchr(p + 4, '"');
	if (!p)
		return;
	char id[16];
	size_t n = 0;
	for (p++; *p && *p != '"' && n < sizeof(id) - 1; p++)
		id[n++] = *p;
	id[n] = '\0';
	sk_updater_add_container(u, id, json);
}
