/* replay/update.h: applying events to the state, and what the current event refers to. */
#ifndef SAKER_REPLAY_UPDATE_H
#define SAKER_REPLAY_UPDATE_H

#include "formats/meta.h"
#include "replay/params.h"
#include "replay/state.h"

/* Container records (fields.md §7.3), keyed by 12-char id. */
struct sk_container {
	char id[16];
	char *json;        /* the raw record, parsed lazily by the container fields */
};

/* What the event being evaluated refers to, computed once by sk_update_apply. */
struct sk_cur {
	const struct sk_event *ev;
	struct sk_thread *thread;     /* NULL for events with no thread (meta) */
	struct sk_fd *fd;             /* the fd entry the event refers to, or NULL */
	int64_t fd_num;               /* valid when has_fd */
	uint8_t has_fd;               /* the event is an fd event (fd.* fields exist) */
	uint8_t fd_name_changed;
	uint8_t cmd_fd_created;       /* fd created by this event */
};

struct sk_updater {
	struct sk_state *st;
	struct sk_param_index *pi;
	struct sk_cur cur;
	/* Deletions deferred by one event (libs: the closed fd and the exited
	 * thread stay visible while their event is evaluated). */
	struct sk_fdtable *pending_close_fdt;
	int64_t pending_close_fd;
	int64_t pending_close_first, pending_close_last; /* close_range */
	int64_t pending_exit_tid;
	int64_t pending_exit_reaper;
	/* scratch for path resolution */
	char path[4096 + 64];
	struct sk_container *containers;
	size_t ncontainers, containers_cap;
	uint64_t boot_ts;
	/* fcntl command values looked up once from the flag tables */
	uint64_t fcntl_dupfd, fcntl_dupfd_cloexec, fcntl_setfd;
	int have_fcntl;
};

int sk_updater_init(struct sk_updater *u, struct sk_state *st);
void sk_updater_fini(struct sk_updater *u);

/* Seed threads, fds, users, interfaces and containers from a capture's
 * start-up metadata. Can be called again when a source reports new metadata
 * (new .scap section, container records). */
void sk_updater_seed(struct sk_updater *u, const struct sk_meta *m);

/* Apply ev to the state and fill u->cur. The event must stay valid until the
 * next call. */
void sk_update_apply(struct sk_updater *u, const struct sk_event *ev);

/* Flush deferred deletions (call at the end of a replay before reading
 * state, or to drop what the last event scheduled). */
void sk_update_flush(struct sk_updater *u);

void sk_updater_add_container(struct sk_updater *u, const char *id, const char *json);
const struct sk_container *sk_updater_container(const struct sk_updater *u, const char *id);

/* Container id of a cgroup list (NUL-separated "subsys=path" items) into
 * out[16]; "" for the host. */
void sk_container_id_from_cgroups(const char *cgroups, size_t len, char out[16]);

#endif
