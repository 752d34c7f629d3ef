/* replay/state/update.h: applying events to the state, and what the current event refers to. */
#ifndef SAKER_REPLAY_STATE_UPDATE_H
#define SAKER_REPLAY_STATE_UPDATE_H

#include "formats/meta.h"
#include "replay/state/params.h"
#include "replay/state/state.h"

/* Container records (fields.md §7.3), keyed by 12-char id. */
struct state_container {
	char id[16];
	char *json;        /* the raw record, parsed lazily by the container fields */
};

/* What the event being evaluated refers to, computed once by state_update_apply. */
struct state_cur {
	const struct sk_event *ev;
	struct state_thread *thread;     /* NULL for events with no thread (meta) */
	struct state_fd *fd;             /* the fd entry the event refers to, or NULL */
	int64_t fd_num;               /* valid when has_fd */
	uint8_t has_fd;               /* the event is an fd event (fd.* fields exist) */
	uint8_t fd_name_changed;
	uint8_t cmd_fd_created;       /* fd created by this event */
	/* fd's name is this open's path parameter as it came (absolute and in
	 * normal form, so its own resolution): fd.name and fd.directory are
	 * functions of the event alone (engine_prep) */
	uint8_t fd_name_is_param;
	uint8_t name_marked;          /* the update changed an fd's name (flush clears it through fd) */
};

struct state_updater {
	struct state *st;
	struct state_param_index *pi;
	struct state_cur cur;
	/* Deletions deferred by one event (libs: the closed fd and the exited
	 * thread stay visible while their event is evaluated). */
	struct state_fdtable *pending_close_fdt;
	int64_t pending_close_fd;
	int64_t pending_close_first, pending_close_last; /* close_range */
	int64_t pending_exit_tid;
	int64_t pending_exit_reaper;
	/* scratch for path resolution */
	char path[4096 + 64];
	struct state_flowcounts *flowcounts; /* packets per flow so far (owned by the caller), or NULL */
	struct state_container *containers;
	size_t ncontainers, containers_cap;
	uint64_t boot_ts;
	/* The thread of container events, which have none (tid -1): libs make
	 * one up named after the container (comm and exe "container:<id>"). */
	struct state_thread container_thread;
	/* Set by the caller for one state_update_apply: 1 + the length of the
	 * event's open path in normal form, known ahead (engine_prep); 0: not
	 * known, open_exit measures it. */
	size_t hint_path_len;
	/* Set by the caller for one state_update_apply: nothing reads cur's fd
	 * for this event (no rule wants its type, nothing prints it), so it is
	 * looked up only when the event changed an fd's name. */
	int quiet;
	/* Per event type, what the update does (enum state_plan in update.c). */
	uint8_t plan[SK_EV__COUNT];
	/* fcntl command values looked up once from the flag tables */
	uint64_t fcntl_dupfd, fcntl_dupfd_cloexec, fcntl_setfd;
	int have_fcntl;
};

int state_updater_init(struct state_updater *u, struct state *st);
void state_updater_fini(struct state_updater *u);

/* Seed threads, fds, users, interfaces and containers from a capture's
 * start-up metadata. Can be called again when a source reports new metadata
 * (new .scap section, container records). */
void state_updater_seed(struct state_updater *u, const struct sk_meta *m);

/* Apply ev to the state and fill u->cur. The event must stay valid until the
 * next call. */
void state_update_apply(struct state_updater *u, const struct sk_event *ev);

/* Flush deferred deletions (call at the end of a replay before reading
 * state, or to drop what the last event scheduled). */
void state_update_flush(struct state_updater *u);

void state_updater_add_container(struct state_updater *u, const char *id, const char *json);
const struct state_container *state_updater_container(const struct state_updater *u, const char *id);

/* The directory a dirfd-relative path resolves against: the cwd for
 * AT_FDCWD, the dirfd's name otherwise, "<UNKNOWN>" if the fd is unknown. */
const char *state_update_dirfd_base(struct state_updater *u, struct state_thread *t, int64_t dirfd);

/* Container id of a cgroup list (NUL-separated "subsys=path" items) into
 * out[16]; "" for the host. */
void state_container_id_from_cgroups(const char *cgroups, size_t len, char out[16]);

#endif
