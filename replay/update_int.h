/* replay/update_int.h: helpers shared by the state update modules (not a public header). */
#ifndef SAKER_REPLAY_UPDATE_INT_H
#define SAKER_REPLAY_UPDATE_INT_H

#include "replay/update.h"

void sk_update_proc_event(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res);
void sk_update_fd_event(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res);
void sk_update_container_event(struct sk_updater *u, const struct sk_event *ev);

/* Returns the return value of an exit event (param 0), or 0 if absent. */
int64_t sk_update_res(const struct sk_event *ev);

/* Copy a (possibly NUL-separated) param into a refcounted string, dropping a
 * single trailing NUL of CHARBUFs so the length is the text length. */
struct sk_str *sk_str_from_param(const struct sk_param *p);

/* Names an IP socket entry from its addresses: "sip:sport->dip:dport", or
 * "ip:port" for a listening socket. */
void sk_update_fd_ip_name(struct sk_fd *f);

/* Recompute the container id of t from its cgroups. */
void sk_thread_update_container(struct sk_thread *t);

/* The directory a dirfd-relative path resolves against: the cwd for
 * AT_FDCWD, the dirfd's name otherwise, "<UNKNOWN>" if the fd is unknown. */
const char *sk_update_dirfd_base(struct sk_updater *u, struct sk_thread *t, int64_t dirfd);

#endif
