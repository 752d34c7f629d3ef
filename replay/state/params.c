/* replay/state/params.c: builds the role -> parameter index table from the event table. */
#include "replay/state/params.h"

static const char *const role_names[PR__COUNT] = {
#define SK_PARAM_ROLE_NAME(n) #n,
	STATE_PARAM_ROLES(SK_PARAM_ROLE_NAME)
#undef SK_PARAM_ROLE_NAME
};

/* The fd an fd-using event refers to is its first FD-typed parameter after
 * the return value (libs get_exit_event_fd_location gives the same indexes:
 * close/fcntl/dup/mkdirat... 1, read/write/connect/symlinkat... 2, recvfrom 3,
 * recvmsg 5, mmap 8). fd-creating events refer to their return value. */
static int8_t event_fd_index(const struct sk_event_info *info)
{
	if (info->flags & SK_EF_CREATES_FD)
		return 0;
	if (!(info->flags & (SK_EF_USES_FD | SK_EF_DESTROYS_FD)))
		return -1;
	for (int i = 1; i < info->nparams; i++) {
		uint8_t t = info->params[i].type;
		if (t == SK_PT_FD || t == SK_PT_FD32)
			return (int8_t)i;
	}
	return -1;
}

static uint8_t param_wire(const struct sk_event_info *info, int i)
{
	uint8_t t = info->params[i].type;
	return t < SK_PT__COUNT ? sk_ptype_wire[t] : 0;
}

void state_param_index_init(struct state_param_index *pi)
{
	for (int t = 0; t < SK_EV__COUNT; t++) {
		const struct sk_event_info *info = sk_event_info((uint16_t)t);
		for (int r = 0; r < PR__COUNT; r++)
			pi->p[t][r] = (struct state_param_slot){-1, 0};
		pi->fd_idx[t] = -1;
		pi->fd_wire[t] = 0;
		pi->res_wire[t] = STATE_WIRE_BY_LEN;
		if (!info || !info->name)
			continue;
		if (info->nparams > 0)
			pi->res_wire[t] = param_wire(info, 0);
		for (int i = 0; i < info->nparams; i++)
			for (int r = 0; r < PR__COUNT; r++)
				if (pi->p[t][r].idx < 0 && info->params[i].name &&
				    strcmp(info->params[i].name, role_names[r]) == 0)
					pi->p[t][r] = (struct state_param_slot){(int8_t)i, param_wire(info, i)};
		pi->fd_idx[t] = event_fd_index(info);
		if (pi->fd_idx[t] >= 0 && pi->fd_idx[t] < info->nparams)
			pi->fd_wire[t] = param_wire(info, pi->fd_idx[t]);
	}
}
