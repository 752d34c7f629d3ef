/* replay/containers.c: --live's container metadata: the lookup from the configuration, ids asked for as new containers appear, records applied and recorded. */
#include "replay/containers_int.h"
#include "replay/config/config.h"
#include "host/containers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASKED_SLOTS 4096 /* open addressing; ids past it are asked for again (harmless) */

struct replay_ctr {
	struct host_ctr *lookup;
	struct sk_meta *got;
	char last[16];
	char asked[ASKED_SLOTS][13];
};

static void on_notice(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "saker-replay: %s\n", line);
}

/* container_engines.<engine>.enabled / .sockets (the container plugin's
 * init_config engines keys, under Falco's container_engines). */
static int apply_config(const struct replay_opts *o, struct host_ctr_opts *ho)
{
	const struct config *cfg = o->config.cfg;
	if (!cfg)
		return 0;
	for (int e = 0; e < HOST_CTR__ENGINES; e++) {
		char key[96];
		snprintf(key, sizeof(key), "container_engines.%s.enabled", host_ctr_engine_name(e));
		ho->engine[e].enabled = config_bool(cfg, key, ho->engine[e].enabled);
		snprintf(key, sizeof(key), "container_engines.%s.sockets", host_ctr_engine_name(e));
		const struct config_node *n = config_find(cfg, key);
		if (!n)
			continue;
		const char *paths[HOST_CTR_MAX_SOCKETS];
		size_t np = 0;
		if (n->kind == CONFIG_SCALAR) {
			paths[np++] = n->value;
		} else if (n->kind == CONFIG_SEQ && n->n <= HOST_CTR_MAX_SOCKETS) {
			for (size_t i = 0; i < n->n; i++)
				if (n->kids[i]->kind == CONFIG_SCALAR)
					paths[np++] = n->kids[i]->value;
		}
		if (host_ctr_set_sockets(ho, e, paths, np) < 0 || (n->kind == CONFIG_SEQ && n->n > HOST_CTR_MAX_SOCKETS)) {
			fprintf(stderr, "saker-replay: %s:%d: %s: at most %d sockets of at most %d bytes each\n", n->origin,
				n->line, key, HOST_CTR_MAX_SOCKETS, HOST_CTR_PATH_MAX - 1);
			return -1;
		}
	}
	ho->timeout_ms = (unsigned)config_num(cfg, "container_engines.timeout_ms", ho->timeout_ms);
	ho->label_max_len = (unsigned)config_num(cfg, "container_engines.label_max_len", ho->label_max_len);
	return 0;
}

struct replay_ctr *replay_ctr_open(const struct replay_opts *o)
{
	struct host_ctr_opts ho;
	host_ctr_opts_default(&ho);
	if (apply_config(o, &ho) < 0)
		return NULL;
	int any = 0;
	for (int e = 0; e < HOST_CTR__ENGINES; e++)
		any |= ho.engine[e].enabled;
	if (!any) {
		fprintf(stderr, "saker-replay: containers: every engine is disabled (container_engines); container.* "
				"fields other than container.id stay empty\n");
		return NULL;
	}
	ho.notice = on_notice;
	struct replay_ctr *c = calloc(1, sizeof(*c));
	char err[256];
	if (!c || !(c->got = sk_meta_new())) {
		free(c);
		fprintf(stderr, "saker-replay: containers: out of memory\n");
		return NULL;
	}
	c->lookup = host_ctr_start(&ho, err, sizeof(err));
	if (!c->lookup) {
		fprintf(stderr, "saker-replay: %s; container.* fields other than container.id stay empty\n", err);
		sk_meta_free(c->got);
		free(c);
		return NULL;
	}
	return c;
}

static uint32_t slot_of(const char *id)
{
	uint32_t h = 2166136261u;
	for (const char *p = id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h % ASKED_SLOTS;
}

void replay_ctr_event(struct replay_ctr *c, struct engine *e)
{
	const struct state_thread *t = e->u.cur.thread;
	if (!c || !t || !t->container_id[0] || strcmp(t->container_id, c->last) == 0)
		return;
	const char *id = t->container_id;
	uint32_t s = slot_of(id);
	for (uint32_t k = 0; k < 16; k++) {
		char *slot = c->asked[(s + k) % ASKED_SLOTS];
		if (strcmp(slot, id) == 0)
			goto asked;
		if (!slot[0]) {
			if (host_ctr_request(c->lookup, id) < 0)
				return; /* the thread holds the queue: ask on a later event */
			snprintf(slot, 13, "%.12s", id);
			goto asked;
		}
	}
	if (host_ctr_request(c->lookup, id) < 0)
		return;
asked:
	snprintf(c->last, sizeof(c->last), "%s", id);
}

int replay_ctr_poll(struct replay_ctr *c, struct engine *e, struct rec_out *out)
{
	if (!c)
		return 0;
	sk_meta_reset(c->got);
	if (!host_ctr_take(c->lookup, c->got))
		return 0;
	engine_seed(e, c->got);
	return out ? rec_out_containers(out, c->got->containers, c->got->n_containers) : 0;
}

void replay_ctr_close(struct replay_ctr *c)
{
	if (!c)
		return;
	host_ctr_stop(c->lookup);
	sk_meta_free(c->got);
	free(c);
}
