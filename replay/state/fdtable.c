/* replay/state/fdtable.c: per-process fd tables indexed by fd number, with name buffers that only grow. */
#include "replay/state/state.h"

#include <stdlib.h>
#include <string.h>

/* Above this an fd number is not worth a direct slot; such fds are rare
 * (dup2 to a high number) and are simply not tracked. */
#define FDTABLE_MAX_SLOTS (1u << 20)

static const char *const fd_type_names[SK_FDT__MAX + 1] = {
	[SK_FDT_UNKNOWN] = "<NA>", [SK_FDT_FILE] = "file", [SK_FDT_DIRECTORY] = "directory",
	[SK_FDT_IPV4] = "ipv4", [SK_FDT_IPV6] = "ipv6", [SK_FDT_IPV4_SERVER] = "ipv4",
	[SK_FDT_IPV6_SERVER] = "ipv6", [SK_FDT_UNIX] = "unix", [SK_FDT_PIPE] = "pipe",
	[SK_FDT_EVENT] = "event", [SK_FDT_SIGNALFD] = "signalfd", [SK_FDT_EVENTPOLL] = "eventpoll",
	[SK_FDT_INOTIFY] = "inotify", [SK_FDT_TIMERFD] = "timerfd", [SK_FDT_NETLINK] = "netlink",
	[SK_FDT_BPF] = "bpf", [SK_FDT_USERFAULTFD] = "userfaultfd", [SK_FDT_IO_URING] = "io_uring",
	[SK_FDT_MEMFD] = "memfd", [SK_FDT_PIDFD] = "pidfd", [SK_FDT_UNSUPPORTED] = "<NA>",
};

static const char fd_type_chars[SK_FDT__MAX + 1] = {
	[SK_FDT_UNKNOWN] = 'o', [SK_FDT_FILE] = 'f', [SK_FDT_DIRECTORY] = 'd',
	[SK_FDT_IPV4] = '4', [SK_FDT_IPV6] = '6', [SK_FDT_IPV4_SERVER] = '4',
	[SK_FDT_IPV6_SERVER] = '6', [SK_FDT_UNIX] = 'u', [SK_FDT_PIPE] = 'p',
	[SK_FDT_EVENT] = 'e', [SK_FDT_SIGNALFD] = 's', [SK_FDT_EVENTPOLL] = 'l',
	[SK_FDT_INOTIFY] = 'i', [SK_FDT_TIMERFD] = 't', [SK_FDT_NETLINK] = 'n',
	[SK_FDT_BPF] = 'b', [SK_FDT_USERFAULTFD] = 'u', [SK_FDT_IO_URING] = 'r',
	[SK_FDT_MEMFD] = 'm', [SK_FDT_PIDFD] = 'P', [SK_FDT_UNSUPPORTED] = 'X',
};

const char *state_fd_type_name(uint8_t t)
{
	return t < SK_FDT__MAX + 1 ? fd_type_names[t] : "<NA>";
}

char state_fd_type_char(uint8_t t)
{
	return t < SK_FDT__MAX + 1 ? fd_type_chars[t] : 'o';
}

static int fdtable_grow(struct state_fdtable *t, uint64_t need)
{
	/* checked before doubling: a 32-bit capacity doubled past 2^31 wraps
	 * to 0, and a captured fd of 2^31 or more looped forever */
	if (need >= FDTABLE_MAX_SLOTS)
		return -1;
	uint32_t ncap = t->cap ? t->cap : 64;
	while (ncap <= need)
		ncap *= 2;
	if (ncap > FDTABLE_MAX_SLOTS)
		ncap = FDTABLE_MAX_SLOTS;
	/* line aligned: the fields an event reads share one line (state.h) */
	struct state_fd *n = aligned_alloc(64, (size_t)ncap * sizeof(*n));
	if (!n)
		return -1;
	if (t->cap)
		memcpy(n, t->fds, (size_t)t->cap * sizeof(*n));
	free(t->fds);
	memset(n + t->cap, 0, (size_t)(ncap - t->cap) * sizeof(*n));
	for (uint32_t i = t->cap; i < ncap; i++)
		n[i].num = -1;
	t->fds = n;
	t->cap = ncap;
	return 0;
}

/* Resets an entry to a fresh state but keeps its name buffers for reuse. */
static void fd_reset(struct state_fd *f, int64_t num)
{
	/* one assignment of a fixed size: stores in line, no memset call */
	*f = (struct state_fd){
		.num = num,
		.name = f->name,
		.name_cap = f->name_cap,
		.nameraw = f->nameraw,
		.nameraw_cap = f->nameraw_cap,
	};
	if (f->name)
		f->name[0] = '\0';
	if (f->nameraw)
		f->nameraw[0] = '\0';
}

struct state_fd *state_fdtable_put(struct state_fdtable *t, int64_t fd)
{
	if (fd < 0)
		return NULL;
	if ((uint64_t)fd >= t->cap && fdtable_grow(t, (uint64_t)fd) < 0)
		return NULL;
	struct state_fd *f = &t->fds[fd];
	if (f->num != fd)
		t->count++;
	fd_reset(f, fd);
	return f;
}

void state_fdtable_del(struct state_fdtable *t, int64_t fd)
{
	struct state_fd *f = state_fdtable_get(t, fd);
	if (!f)
		return;
	f->num = -1;
	t->count--;
}

static int buf_set(char **buf, uint32_t *len, uint32_t *cap, const char *s, size_t n)
{
	if (n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 32;
		while (ncap < n + 1)
			ncap *= 2;
		char *nb = realloc(*buf, ncap);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = (uint32_t)ncap;
	}
	if (n)
		memmove(*buf, s, n);
	(*buf)[n] = '\0';
	*len = (uint32_t)n;
	return 0;
}

/* A name set alone leaves nameraw as it was: its own copy from then on. */
static void raw_own(struct state_fd *f)
{
	if (!(f->state & STATE_FDF_RAW_IS_NAME))
		return;
	f->state &= ~STATE_FDF_RAW_IS_NAME;
	buf_set(&f->nameraw, &f->nameraw_len, &f->nameraw_cap, f->name ? f->name : "", f->name_len);
}

void state_fd_set_name(struct state_fd *f, const char *s, size_t len)
{
	raw_own(f);
	buf_set(&f->name, &f->name_len, &f->name_cap, s, len);
}

void state_fd_set_nameraw(struct state_fd *f, const char *s, size_t len)
{
	f->state &= ~STATE_FDF_RAW_IS_NAME;
	buf_set(&f->nameraw, &f->nameraw_len, &f->nameraw_cap, s, len);
}

void state_fd_set_name_and_raw(struct state_fd *f, const char *s, size_t len)
{
	if (buf_set(&f->name, &f->name_len, &f->name_cap, s, len) == 0)
		f->state |= STATE_FDF_RAW_IS_NAME;
}

void state_fd_copy(struct state_fd *dst, const struct state_fd *src)
{
	int64_t num = dst->num;
	char *name = dst->name, *raw = dst->nameraw;
	uint32_t ncap = dst->name_cap, rcap = dst->nameraw_cap;
	*dst = *src;
	dst->num = num;
	dst->name = name;
	dst->name_cap = ncap;
	dst->name_len = 0;
	dst->nameraw = raw;
	dst->nameraw_cap = rcap;
	dst->nameraw_len = 0;
	dst->state &= ~STATE_FDF_RAW_IS_NAME;
	if (src->state & STATE_FDF_RAW_IS_NAME) {
		state_fd_set_name_and_raw(dst, src->name ? src->name : "", src->name_len);
		return;
	}
	state_fd_set_name(dst, src->name ? src->name : "", src->name_len);
	state_fd_set_nameraw(dst, src->nameraw ? src->nameraw : "", src->nameraw_len);
}

struct state_fdtable *state_fdtable_clone(const struct state_fdtable *t)
{
	struct state_fdtable *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->refs = 1;
	if (!t)
		return n;
	for (uint32_t i = 0; i < t->cap; i++) {
		const struct state_fd *f = &t->fds[i];
		if (f->num < 0)
			continue;
		struct state_fd *d = state_fdtable_put(n, f->num);
		if (d)
			state_fd_copy(d, f);
	}
	return n;
}

void state_fdtable_free(struct state_fdtable *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->cap; i++) {
		free(t->fds[i].name);
		free(t->fds[i].nameraw);
	}
	free(t->fds);
	free(t);
}

void state_fdtable_unref(struct state_fdtable *t)
{
	if (t && --t->refs == 0)
		state_fdtable_free(t);
}
