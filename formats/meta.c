/* formats/meta.c: the capture metadata model: tables, their string arena, copy helpers. */
#include "formats/meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Strings live in chunks that never move, so pointers handed out stay valid
 * while tables grow. */
struct sk_meta_arena_chunk {
	struct sk_meta_arena_chunk *next;
	size_t used, cap;
	char data[];
};

#define ARENA_CHUNK_MIN (64u * 1024u)

static const char *const kind_names[SK_META__COUNT] = {
	[SK_META_HOST] = "host", [SK_META_IFACE] = "interfaces",
	[SK_META_USER] = "users", [SK_META_GROUP] = "groups",
	[SK_META_PROC] = "processes", [SK_META_FD] = "fds",
	[SK_META_CONTAINER] = "containers", [SK_META_DROPS] = "drops",
	[SK_META_END] = "end", [SK_META_CAPIF] = "capture interfaces", [SK_META_ALERT] = "alerts",
};

const char *sk_meta_kind_name(uint32_t kind)
{
	return kind < SK_META__COUNT && kind_names[kind] ? kind_names[kind] : "unknown";
}

struct sk_meta *sk_meta_new(void)
{
	return calloc(1, sizeof(struct sk_meta));
}

static void arena_free(struct sk_meta_arena_chunk *c)
{
	while (c) {
		struct sk_meta_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
}

void sk_meta_free(struct sk_meta *m)
{
	if (!m)
		return;
	free(m->ifaces);
	free(m->users);
	free(m->groups);
	free(m->procs);
	free(m->fds);
	free(m->containers);
	free(m->drops);
	free(m->capifs);
	free(m->alerts);
	arena_free(m->arena);
	free(m);
}

void sk_meta_reset(struct sk_meta *m)
{
	m->changes++;
	m->have_host = 0;
	m->have_end = 0;
	m->n_ifaces = m->n_users = m->n_groups = m->n_procs = 0;
	m->n_fds = m->n_containers = m->n_drops = m->n_capifs = m->n_alerts = 0;
	/* Keep the newest chunk (it is the largest or the only one). */
	if (m->arena) {
		arena_free(m->arena->next);
		m->arena->next = NULL;
		m->arena->used = 0;
	}
}

char *sk_meta_strndup(struct sk_meta *m, const char *s, size_t len)
{
	struct sk_meta_arena_chunk *c = m->arena;
	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > ARENA_CHUNK_MIN ? len + 1 : ARENA_CHUNK_MIN;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = m->arena;
		m->arena = c;
	}
	char *p = c->data + c->used;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

/* Copies *slot (a NUL-terminated string or NULL) into the arena. */
static int dup_str(struct sk_meta *m, const char **slot)
{
	if (!*slot)
		return 0;
	char *p = sk_meta_strndup(m, *slot, strlen(*slot));
	if (!p)
		return -ENOMEM;
	*slot = p;
	return 0;
}

static int dup_list(struct sk_meta *m, const char **slot, uint32_t len)
{
	if (!*slot)
		return 0;
	char *p = sk_meta_strndup(m, *slot, len);
	if (!p)
		return -ENOMEM;
	*slot = p;
	return 0;
}

/* Makes room for one more element of size sz in *arr. */
static int grow(void **arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, ncap * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

#define APPEND(m, arr, n, cap, item) \
	(grow((void **)&(m)->arr, &(m)->n, &(m)->cap, sizeof(*(m)->arr)) ? NULL : \
	 ((m)->arr[(m)->n] = *(item), &(m)->arr[(m)->n]))

int sk_meta_set_host(struct sk_meta *m, const struct sk_meta_host *item)
{
	struct sk_meta_host h = *item;
	if (dup_str(m, &h.hostname) || dup_str(m, &h.kernel_release) ||
	    dup_str(m, &h.tz_name) || dup_str(m, &h.recorder_version))
		return -ENOMEM;
	m->host = h;
	m->have_host = 1;
	m->changes++;
	return 0;
}

int sk_meta_add_iface(struct sk_meta *m, const struct sk_meta_iface *item)
{
	struct sk_meta_iface *e = APPEND(m, ifaces, n_ifaces, cap_ifaces, item);
	if (!e || dup_str(m, &e->name))
		return -ENOMEM;
	m->n_ifaces++;
	m->changes++;
	return 0;
}

int sk_meta_add_user(struct sk_meta *m, const struct sk_meta_user *item)
{
	struct sk_meta_user *e = APPEND(m, users, n_users, cap_users, item);
	if (!e || dup_str(m, &e->name) || dup_str(m, &e->home) ||
	    dup_str(m, &e->shell) || dup_str(m, &e->container_id))
		return -ENOMEM;
	m->n_users++;
	m->changes++;
	return 0;
}

int sk_meta_add_group(struct sk_meta *m, const struct sk_meta_group *item)
{
	struct sk_meta_group *e = APPEND(m, groups, n_groups, cap_groups, item);
	if (!e || dup_str(m, &e->name) || dup_str(m, &e->container_id))
		return -ENOMEM;
	m->n_groups++;
	m->changes++;
	return 0;
}

int sk_meta_add_proc(struct sk_meta *m, const struct sk_meta_proc *item)
{
	struct sk_meta_proc *e = APPEND(m, procs, n_procs, cap_procs, item);
	if (!e || dup_str(m, &e->comm) || dup_str(m, &e->exe) ||
	    dup_str(m, &e->exepath) || dup_str(m, &e->cwd) || dup_str(m, &e->root) ||
	    dup_list(m, &e->args, e->args_len) || dup_list(m, &e->env, e->env_len) ||
	    dup_list(m, &e->cgroups, e->cgroups_len))
		return -ENOMEM;
	m->n_procs++;
	m->changes++;
	return 0;
}

int sk_meta_add_fd(struct sk_meta *m, const struct sk_meta_fd *item)
{
	struct sk_meta_fd *e = APPEND(m, fds, n_fds, cap_fds, item);
	if (!e || dup_str(m, &e->name))
		return -ENOMEM;
	m->n_fds++;
	m->changes++;
	return 0;
}

int sk_meta_add_container(struct sk_meta *m, const struct sk_meta_container *item)
{
	struct sk_meta_container *e = APPEND(m, containers, n_containers, cap_containers, item);
	if (!e || dup_str(m, &e->id) || dup_str(m, &e->json))
		return -ENOMEM;
	m->n_containers++;
	m->changes++;
	return 0;
}

int sk_meta_add_drops(struct sk_meta *m, const struct sk_meta_drops *item)
{
	if (!APPEND(m, drops, n_drops, cap_drops, item))
		return -ENOMEM;
	m->n_drops++;
	m->changes++;
	return 0;
}

int sk_meta_add_capif(struct sk_meta *m, const struct sk_meta_capif *item)
{
	struct sk_meta_capif *e = APPEND(m, capifs, n_capifs, cap_capifs, item);
	if (!e || dup_str(m, &e->name) || dup_str(m, &e->filter))
		return -ENOMEM;
	m->n_capifs++;
	m->changes++;
	return 0;
}

int sk_meta_add_alert(struct sk_meta *m, const struct sk_meta_alert *item)
{
	struct sk_meta_alert *a = APPEND(m, alerts, n_alerts, cap_alerts, item);
	if (!a || dup_str(m, &a->rule) || dup_str(m, &a->output))
		return -ENOMEM;
	m->n_alerts++;
	m->changes++;
	return 0;
}

int sk_meta_set_end(struct sk_meta *m, const struct sk_meta_end *item)
{
	m->end = *item;
	m->have_end = 1;
	m->changes++;
	return 0;
}

int sk_meta_add(struct sk_meta *m, uint32_t kind, const void *items, size_t n)
{
	int rc = 0;
	switch (kind) {
	case SK_META_HOST:
		return sk_meta_set_host(m, items);
	case SK_META_END:
		return sk_meta_set_end(m, items);
	case SK_META_IFACE:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_iface(m, (const struct sk_meta_iface *)items + i);
		return rc;
	case SK_META_USER:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_user(m, (const struct sk_meta_user *)items + i);
		return rc;
	case SK_META_GROUP:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_group(m, (const struct sk_meta_group *)items + i);
		return rc;
	case SK_META_PROC:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_proc(m, (const struct sk_meta_proc *)items + i);
		return rc;
	case SK_META_FD:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_fd(m, (const struct sk_meta_fd *)items + i);
		return rc;
	case SK_META_CONTAINER:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_container(m, (const struct sk_meta_container *)items + i);
		return rc;
	case SK_META_DROPS:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_drops(m, (const struct sk_meta_drops *)items + i);
		return rc;
	case SK_META_CAPIF:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_capif(m, (const struct sk_meta_capif *)items + i);
		return rc;
	case SK_META_ALERT:
		for (size_t i = 0; i < n && !rc; i++)
			rc = sk_meta_add_alert(m, (const struct sk_meta_alert *)items + i);
		return rc;
	default:
		return -EINVAL;
	}
}

int sk_meta_merge(struct sk_meta *dst, const struct sk_meta *src)
{
	int rc = 0;
	if (src->have_host)
		rc = sk_meta_set_host(dst, &src->host);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_IFACE, src->ifaces, src->n_ifaces);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_USER, src->users, src->n_users);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_GROUP, src->groups, src->n_groups);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_PROC, src->procs, src->n_procs);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_FD, src->fds, src->n_fds);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_CONTAINER, src->containers, src->n_containers);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_DROPS, src->drops, src->n_drops);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_CAPIF, src->capifs, src->n_capifs);
	if (!rc)
		rc = sk_meta_add(dst, SK_META_ALERT, src->alerts, src->n_alerts);
	if (!rc && src->have_end)
		rc = sk_meta_set_end(dst, &src->end);
	return rc;
}

int sk_meta_append_owned(struct sk_meta *m, uint32_t kind, const void *item)
{
	void *e;
	switch (kind) {
	case SK_META_HOST:
		m->host = *(const struct sk_meta_host *)item;
		m->have_host = 1;
		m->changes++;
		return 0;
	case SK_META_END:
		return sk_meta_set_end(m, item);
	case SK_META_IFACE:
		e = APPEND(m, ifaces, n_ifaces, cap_ifaces, (const struct sk_meta_iface *)item);
		if (e)
			m->n_ifaces++;
		break;
	case SK_META_USER:
		e = APPEND(m, users, n_users, cap_users, (const struct sk_meta_user *)item);
		if (e)
			m->n_users++;
		break;
	case SK_META_GROUP:
		e = APPEND(m, groups, n_groups, cap_groups, (const struct sk_meta_group *)item);
		if (e)
			m->n_groups++;
		break;
	case SK_META_PROC:
		e = APPEND(m, procs, n_procs, cap_procs, (const struct sk_meta_proc *)item);
		if (e)
			m->n_procs++;
		break;
	case SK_META_FD:
		e = APPEND(m, fds, n_fds, cap_fds, (const struct sk_meta_fd *)item);
		if (e)
			m->n_fds++;
		break;
	case SK_META_CONTAINER:
		e = APPEND(m, containers, n_containers, cap_containers,
			   (const struct sk_meta_container *)item);
		if (e)
			m->n_containers++;
		break;
	case SK_META_DROPS:
		return sk_meta_add_drops(m, item);
	case SK_META_CAPIF:
		e = APPEND(m, capifs, n_capifs, cap_capifs, (const struct sk_meta_capif *)item);
		if (e)
			m->n_capifs++;
		break;
	case SK_META_ALERT:
		e = APPEND(m, alerts, n_alerts, cap_alerts, (const struct sk_meta_alert *)item);
		if (e)
			m->n_alerts++;
		break;
	default:
		return -EINVAL;
	}
	if (!e)
		return -ENOMEM;
	m->changes++;
	return 0;
}
