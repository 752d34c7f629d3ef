/* replay/state/update_int.h: helpers shared by the state update modules (not a public header). */
#ifndef SAKER_REPLAY_STATE_UPDATE_INT_H
#define SAKER_REPLAY_STATE_UPDATE_INT_H

#include "replay/state/update.h"

/* The update of an exit by its kind: the fd kinds' (opens, sockets, dups,
 * close...) and the process kinds' (clones, execve, chdir, credentials...)
 * are disjoint. state_update_fd_event returns 1 for an fd kind, 0 for the
 * others, which go to state_update_proc_event. */
void state_update_proc_event(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res);
int state_update_fd_event(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res);
/* The I/O exits (read, write, send, recv... : state_update_is_io) change
 * only the socket they use, named by its first I/O, and nothing of the
 * process: state_update_io_event is all their update, in place of the two
 * above. */
int state_update_is_io(uint16_t kind);
void state_update_io_event(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res);
/* Records the container of a container event; its id into id[16] ("" if none). */
void state_update_container_event(struct state_updater *u, const struct sk_event *ev, char id[16]);

/* Copy a (possibly NUL-separated) param into a refcounted string, dropping a
 * single trailing NUL of CHARBUFs so the length is the text length. */
struct state_str *state_str_from_param(const struct sk_param *p);

/* Names an IP socket entry from its addresses: "sip:sport->dip:dport", or
 * "ip:port" for a listening socket. */
void state_update_fd_ip_name(struct state_fd *f);

/* Recompute the container id of t from its cgroups. */
void state_thread_update_container(struct state_thread *t);

#endif
