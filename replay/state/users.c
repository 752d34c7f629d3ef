/* replay/state/users.c: user, group and network interface tables of the recorded host. */
#include "replay/state/state_int.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *nv = realloc(*v, ncap * elem);
	if (!nv)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

static void set_container(char dst[16], const char *c)
{
	dst[0] = '\0';
	if (c)
		strncat(dst, c, 15);
}

void state_add_user(struct state *st, uint32_t uid, uint32_t gid, const char *name,
		    const char *home, const char *shell, const char *container)
{
	if (grow((void **)&st->users, &st->users_cap, st->nusers, sizeof(*st->users)) < 0)
		return;
	struct state_user *u = &st->users[st->nusers++];
	u->uid = uid;
	u->gid = gid;
	u->name = dup_or_empty(name);
	u->home = dup_or_empty(home);
	u->shell = dup_or_empty(shell);
	set_container(u->container, container);
}

void state_add_group(struct state *st, uint32_t gid, const char *name, const char *container)
{
	if (grow((void **)&st->groups, &st->groups_cap, st->ngroups, sizeof(*st->groups)) < 0)
		return;
	struct state_group *g = &st->groups[st->ngroups++];
	g->gid = gid;
	g->name = dup_or_empty(name);
	set_container(g->container, container);
}

static int same_container(const char *a, const char *b)
{
	return strcmp(a, b ? b : "") == 0;
}

static int container_has_users(const struct state *st, const char *container)
{
	for (size_t i = 0; i < st->nusers; i++)
		if (same_container(st->users[i].container, container))
			return 1;
	return 0;
}

/* Latest definition wins, as when a capture re-announces a user. A container
 * whose own user database was not recorded uses the host's (docs/compat.md):
 * cgroup-matched "containers" often share the host's root file system. */
const struct state_user *state_user_get(const struct state *st, uint32_t uid, const char *container)
{
	if (container && container[0] && !container_has_users(st, container))
		container = "";
	for (size_t i = st->nusers; i-- > 0;)
		if (st->users[i].uid == uid && same_container(st->users[i].container, container))
			return &st->users[i];
	return NULL;
}

const struct state_group *state_group_get(const struct state *st, uint32_t gid, const char *container)
{
	int own = 0;
	for (size_t i = 0; container && container[0] && i < st->ngroups && !own; i++)
		own = same_container(st->groups[i].container, container);
	if (!own)
		container = "";
	for (size_t i = st->ngroups; i-- > 0;)
		if (st->groups[i].gid == gid && same_container(st->groups[i].container, container))
			return &st->groups[i];
	return NULL;
}

void state_add_iface(struct state *st, const struct state_iface *ifc)
{
	if (grow((void **)&st->ifaces, &st->ifaces_cap, st->nifaces, sizeof(*st->ifaces)) < 0)
		return;
	st->ifaces[st->nifaces++] = *ifc;
}

int state_ip_is_local(const struct state *st, const uint8_t *ip, int v6)
{
	size_t n = v6 ? 16 : 4;
	for (size_t i = 0; i < st->nifaces; i++)
		if (st->ifaces[i].v6 == (v6 != 0) && memcmp(st->ifaces[i].addr, ip, n) == 0)
			return 1;
	return 0;
}

void state_users_free(struct state *st)
{
	for (size_t i = 0; i < st->nusers; i++) {
		free(st->users[i].name);
		free(st->users[i].home);
		free(st->users[i].shell);
	}
	for (size_t i = 0; i < st->ngroups; i++)
		free(st->groups[i].name);
	free(st->users);
	free(st->groups);
	free(st->ifaces);
}
