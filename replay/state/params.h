/* replay/state/params.h: parameter lookup by role name, resolved once per event type at start-up. */
#ifndef SAKER_REPLAY_STATE_PARAMS_H
#define SAKER_REPLAY_STATE_PARAMS_H

#include <errno.h>
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

/* One role of one event type: its parameter's index (-1: the type has
 * none) and the wire form of the parameter's type (sk_ptype_wire; 0: not
 * a fixed-size integer), side by side so a read touches one cache line. */
struct state_param_slot {
	int8_t idx;
	uint8_t wire;
};

struct state_param_index {
	struct state_param_slot p[SK_EV__COUNT][PR__COUNT];
	int8_t fd_idx[SK_EV__COUNT];  /* index of the param that names the event's fd, -1 = none */
	uint8_t fd_wire[SK_EV__COUNT]; /* its wire form */
	/* the wire form of parameter 0 (an exit's return value), or
	 * STATE_WIRE_BY_LEN for a type whose layout has no parameter */
	uint8_t res_wire[SK_EV__COUNT];
};
#define STATE_WIRE_BY_LEN 0xffu

void state_param_index_init(struct state_param_index *pi);

static inline int state_pidx(const struct state_param_index *pi, const struct sk_event *ev, int role)
{
	int i = pi->p[ev->type][role].idx;
	return (i >= 0 && (uint32_t)i < ev->nparams && ev->params[i].len) ? i : -1;
}

/* Integer parameter i of wire form w (from the table, so i is within the
 * type's layout): what sk_param_fixed reads, without looking the form up
 * again. -1 absent, else sk_param_fixed's codes. Inline: the state reads
 * a few of these on every event. */
static inline int state_param_wire(const struct sk_event *ev, int i, unsigned w, uint64_t *out)
{
	if ((uint32_t)i >= ev->nparams) /* i < 0 too */
		return -1;
	const struct sk_param *p = &ev->params[i];
	if (p->len != (w & SK_PW_SIZE))
		return p->len ? -EINVAL : -1;
	if (!p->val)
		return -ENOENT;
	*out = sk_wire_load(p->val, p->len);
	return 0;
}

/* The same, widened with its sign when its type has one. */
static inline int state_param_wire_s64(const struct sk_event *ev, int i, unsigned w, int64_t *out)
{
	uint64_t v;
	int rc = state_param_wire(ev, i, w, &v);
	if (rc)
		return rc;
	*out = sk_wire_signed(v, w);
	return 0;
}

static inline int state_get_s64(const struct state_param_index *pi, const struct sk_event *ev, int role, int64_t *out)
{
	const struct state_param_slot *s = &pi->p[ev->type][role];
	return state_param_wire_s64(ev, s->idx, s->wire, out);
}

static inline int state_get_u64(const struct state_param_index *pi, const struct sk_event *ev, int role, uint64_t *out)
{
	const struct state_param_slot *s = &pi->p[ev->type][role];
	return state_param_wire(ev, s->idx, s->wire, out);
}

/* An exit's return value (parameter 0, read as sk_param_s64 reads it), 0
 * when it has none, with the wire form looked up once. */
static inline int64_t state_get_res(const struct state_param_index *pi, const struct sk_event *ev)
{
	unsigned w = pi->res_wire[ev->type];
	int64_t r = 0;
	if (w == STATE_WIRE_BY_LEN)
		return ev->nparams > 0 && sk_param_s64(ev, 0, &r) == 0 ? r : 0;
	return state_param_wire_s64(ev, 0, w, &r) ? 0 : r;
}

/* The event's fd parameter (fd_idx > 0), as sk_param_s64 reads it. */
static inline int state_get_fd_param(const struct state_param_index *pi, const struct sk_event *ev, int64_t *out)
{
	return state_param_wire_s64(ev, pi->fd_idx[ev->type], pi->fd_wire[ev->type], out);
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
