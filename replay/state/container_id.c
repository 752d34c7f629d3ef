/* replay/state/container_id.c: a thread's container id from its cgroups (the matchers are host/'s, shared with the recorder). */
#include "replay/state/update_int.h"
#include "host/containers.h"

void state_container_id_from_cgroups(const char *cgroups, size_t len, char out[16])
{
	host_container_id_from_cgroups(cgroups, len, out);
}

void state_thread_update_container(struct state_thread *t)
{
	host_container_id_from_cgroups(state_str_c(t->cgroups), state_str_len(t->cgroups), t->container_id);
}
