/* replay/extract/user.c: user.* and group.* fields (fields.md §4), named from the recorded host's tables. */
#include "replay/extract/extract.h"

#include <string.h>

static int cs_out(struct extract_ctx *c, struct rule_value *out, const char *s)
{
	return extract_val_str(c, out, RF_STRING, s, strlen(s));
}

int extract_user(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	const struct state_thread *t = c->u->cur.thread;
	if (!t)
		return 0;
	const struct state_user *u;
	const struct state_group *g;
	switch (ref->id) {
	case F_USER_UID:
		return extract_val_int(out, ref->type, t->uid);
	case F_USER_NAME:
		u = state_user_get(c->u->st, t->uid, t->container_id);
		return cs_out(c, out, u ? u->name : (t->uid == 0 ? "root" : "<NA>"));
	case F_USER_HOMEDIR:
		u = state_user_get(c->u->st, t->uid, t->container_id);
		return cs_out(c, out, u ? u->home : (t->uid == 0 ? "/root" : "<NA>"));
	case F_USER_SHELL:
		u = state_user_get(c->u->st, t->uid, t->container_id);
		return cs_out(c, out, u ? u->shell : "<NA>");
	case F_USER_LOGINUID:
		return extract_val_int(out, ref->type, t->loginuid == UINT32_MAX ? -1 : (int64_t)t->loginuid);
	case F_USER_LOGINNAME:
		u = t->loginuid == UINT32_MAX ? NULL : state_user_get(c->u->st, t->loginuid, t->container_id);
		return cs_out(c, out, u ? u->name : (t->loginuid == 0 ? "root" : "<NA>"));
	case F_GROUP_GID:
		return extract_val_int(out, ref->type, t->gid);
	case F_GROUP_NAME:
		g = state_group_get(c->u->st, t->gid, t->container_id);
		return cs_out(c, out, g ? g->name : (t->gid == 0 ? "root" : "<NA>"));
	default:
		return 0;
	}
}
