/* replay/state/params.h: parameter lookup by role name, resolved once per event type at start-up. */
#ifndef SAKER_REPLAY_STATE_PARAMS_H
#define SAKER_REPLAY_STATE_PARAMS_H

#include <stdint.h>
#include <string.h>

#include "formats/event.h"

/* Parameter names the state and field code reads; each becomes PR_<NAME>. */
#define STATE_PARAM_ROLES(X) \
	X(res) X(fd) X(name) X(path) X(dirfd) X(flags) X(mode) X(dev) X(ino) X(tuple) \
	X(addr) X(oldfd) X(newfd) X(fd1) X(fd2) X(pathname) X(filename) X(oldpath) \
	X(newpath) X(olddirfd) X(newdirfd) X(linkpath) X(linkdirfd) X(target) X(domain) \
	X(type) X(proto) X(exe) X(args) X(tid) X(pid) X(ptid) X(cwd) X(fdlimit) \
	X(pgft_maj) X(pgft_min) X(vm_size) X(vm_rss) X(vm_swap) X(comm) X(cgroups) \
	X(env) X(tty) X(vpgid) X(loginuid) X(cap_inheritable) X(cap_permitted) \
	X(cap_effective) X(exe_ino) X(exe_ino_ctime) X(exe_ino_mtime) X(uid) X(gid) \
	X(trusted_exepath) X(pgid) X(vtid) X(vpid) X(pidns_init_start_ts) X(euid) \
	X(egid) X(cmd) X(first) X(last) X(nstype) X(option) X(arg2_int) X(data) \
	X(size) X(source) X(peer) X(pid_fd) X(target_fd) X(reaper_tid) X(status) \
	X(olddir) X(newdir) X(creat_flags) X(json) X(resource) X(newcur) X(cur) \
	X(request) X(sig) X(ID) X(nativeID) X(msgcontrol) X(queuepct) X(backlog) \
	X(out_fd) X(in_fd) X(arg) X(id) X(next) X(ret) X(core) X(resolve) X(mountfd) \
	X(uargs) X(img)

#define STATE_PARAM_ROLE_ENUM(n) PR_##n,
enum state_param_role { STATE_PARAM_ROLES(STATE_PARAM_ROLE_ENUM) PR__COUNT };
#undef STATE_PARAM_ROLE_ENUM

/* idx[type][role] = parameter index or -1. */
struct state_param_index {
	int8_t idx[SK_EV__COUNT][PR__COUNT];
	int8_t fd_idx[SK_EV__COUNT];  /* index of the param that names the event's fd, -1 = none */
};

void state_param_index_init(struct state_param_index *pi);

static inline int state_pidx(const struct state_param_index *pi, const struct sk_event *ev, int role)
{
	int i = pi->idx[ev->type][role];
	return (i >= 0 && (uint32_t)i < ev->nparams && ev->params[i].len) ? i : -1;
}

static inline int state_get_s64(const struct state_param_index *pi, const struct sk_event *ev, int role, int64_t *out)
{
	int i = state_pidx(pi, ev, role);
	return i < 0 ? -1 : sk_param_s64(ev, (uint32_t)i, out);
}

static inline int state_get_u64(const struct state_param_index *pi, const struct sk_event *ev, int role, uint64_t *out)
{
	int i = state_pidx(pi, ev, role);
	return i < 0 ? -1 : sk_param_u64(ev, (uint32_t)i, out);
}

/* Strings: NUL-terminated in the buffer; bytebufs: returned with their length. */
static inline const char *state_get_str(const struct state_param_index *pi, const struct sk_event *ev, int role)
{
	int i = state_pidx(pi, ev, role);
	if (i < 0)
		return NULL;
	const struct sk_param *p = &ev->params[i];
	return p->val[p->len - 1] == '\0' ? (const char *)p->val : NULL;
}

static inline const struct sk_param *state_get_param(const struct state_param_index *pi, const struct sk_event *ev,
						     int role)
{
	int i = state_pidx(pi, ev, role);
	return i < 0 ? NULL : &ev->params[i];
}

#endif
