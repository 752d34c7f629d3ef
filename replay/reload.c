/* replay/reload.c: SIGHUP: the configuration and rules files read again and swapped into the running engine; a broken file keeps what runs. */
#include "replay/replay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/engine/engine.h"
#include "replay/outputs/outputs.h"
#include "rules/rules.h"

int replay_reload(const struct replay_opts *o, struct replay_reload *r, struct engine *e, struct replay_sinks *k)
{
	const struct rule_set *cur = replay_reload_rules(r, e->o.rules);
	size_t ncur = cur ? rule_set_count(cur) : 0;
	char why[768];
	r->failures++;
	if (!e->o.rules) {
		fprintf(stderr, "saker-replay: SIGHUP: no rules loaded (--print only): nothing to reload\n");
		return -1;
	}
	if (k->report) {
		/* the report names rules by their index in the set it started with */
		fprintf(stderr, "saker-replay: SIGHUP: not reloaded while writing --report; the %zu rules stay\n", ncur);
		return -1;
	}
	struct replay_opts n;
	if (replay_config_reload(o, &n) < 0) {
		/* the configuration printed its own line naming the file and position */
		replay_config_reload_free(&n);
		fprintf(stderr, "saker-replay: SIGHUP: configuration not reloaded; the %zu rules loaded before stay\n",
			ncur);
		return -1;
	}
	struct rule_loader *loader = NULL;
	why[0] = '\0';
	struct rule_set *rs = replay_rules_build(&n, &loader, why, sizeof(why));
	if (!rs) {
		fprintf(stderr, "saker-replay: SIGHUP: %s; the %zu rules loaded before stay\n", why, ncur);
		rule_loader_free(loader);
		replay_config_reload_free(&n);
		return -1;
	}
	struct engine_opts eo;
	replay_engine_opts(&n, &eo);
	eo.rules = rs;
	eo.print = k->print;
	eo.filter = k->filter;
	eo.observer = e->o.observer;
	struct output_set *outs = NULL;
	if (k->outs) {
		outs = output_set_open(n.config.cfg, stdout, eo.unbuffered);
		if (!outs) {
			fprintf(stderr, "saker-replay: SIGHUP: outputs not reopened; the %zu rules loaded before stay\n",
				ncur);
			rule_set_free(rs);
			rule_loader_free(loader);
			replay_config_reload_free(&n);
			return -1;
		}
	}
	eo.outputs = outs;
	if (engine_reload(e, &eo) < 0) {
		fprintf(stderr, "saker-replay: SIGHUP: out of memory; the %zu rules loaded before stay\n", ncur);
		output_set_close(outs);
		rule_set_free(rs);
		rule_loader_free(loader);
		replay_config_reload_free(&n);
		return -1;
	}
	if (k->outs) {
		/* what the old channels hold is written before they close; their
		 * counts of suppressed alerts go on in the new set */
		output_set_drain(k->outs);
		output_set_flush(k->outs);
		output_set_carry(outs, k->outs);
		output_set_close(k->outs);
		k->outs = outs;
	}
	/* the engine no longer points into the previous reloaded set */
	rule_set_free(r->rs);
	rule_loader_free(r->loader);
	replay_config_reload_free(&r->opts);
	r->opts = n;
	r->loader = loader;
	r->rs = rs;
	r->failures--;
	r->reloads++;
	fprintf(stderr, "saker-replay: SIGHUP: reloaded the configuration and %zu rules from %zu rules files\n",
		rule_set_count(rs), n.nrules);
	return 0;
}

const struct rule_set *replay_reload_rules(const struct replay_reload *r, const struct rule_set *initial)
{
	return r->rs ? r->rs : initial;
}

void replay_reload_free(struct replay_reload *r)
{
	rule_set_free(r->rs);
	rule_loader_free(r->loader);
	replay_config_reload_free(&r->opts);
	memset(r, 0, sizeof(*r));
}
