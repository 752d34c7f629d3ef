/* rules/ruleset.c: the compiled rule set: selection, the event-type index, evaluation order and introspection. */
#include "rules/cond.h"
#include "rules/loader_int.h"

#include <stdlib.h>
#include <string.h>

struct rs_rule {
	struct rule_info info;
	char **tags;
	struct cond_compiled *cc;
	struct rule_format *fmt;
	uint8_t *typemap;
	int runnable;
	int prio_ok;
};

struct rule_set {
	struct rs_rule *rules;
	size_t n;
	size_t nmacros, nlists;
	uint16_t ntypes;
	int match_all;
	uint32_t *off;  /* ntypes + 1 offsets into idx */
	uint32_t *idx;  /* rule indices, definition order per type */
};

struct rule_set *rs_new(size_t nrules, uint16_t n_evttypes)
{
	struct rule_set *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->rules = calloc(nrules ? nrules : 1, sizeof(*rs->rules));
	rs->n = nrules;
	rs->ntypes = n_evttypes;
	return rs;
}

void rs_set_rule(struct rule_set *rs, size_t i, const struct ld_rule *r, struct cond_compiled *cc,
		 struct rule_format *fmt, const char *output, const uint8_t *typemap, int runnable)
{
	struct rs_rule *x = &rs->rules[i];
	x->info.name = ld_strdup(r->name);
	x->info.desc = ld_strdup(r->desc);
	x->info.condition = ld_strdup(r->cond);
	x->info.output = ld_strdup(output ? output : "");
	x->info.source = ld_strdup(r->source);
	x->info.priority = r->priority;
	x->info.enabled = r->enabled;
	x->info.file = ld_strdup(r->pos.file ? r->pos.file : "");
	x->info.line = r->pos.line;
	x->tags = ld_xrealloc(NULL, (r->ntags ? r->ntags : 1) * sizeof(*x->tags));
	for (size_t k = 0; k < r->ntags; k++)
		x->tags[k] = ld_strdup(r->tags[k]);
	x->info.tags = (const char *const *)x->tags;
	x->info.ntags = r->ntags;
	x->cc = cc;
	x->fmt = fmt;
	if (typemap && rs->ntypes) {
		x->typemap = ld_xrealloc(NULL, rs->ntypes);
		memcpy(x->typemap, typemap, rs->ntypes);
	}
	x->runnable = runnable && cc != NULL;
}

void rule_set_free(struct rule_set *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		struct rs_rule *x = &rs->rules[i];
		free((char *)x->info.name);
		free((char *)x->info.desc);
		free((char *)x->info.condition);
		free((char *)x->info.output);
		free((char *)x->info.source);
		free((char *)x->info.file);
		for (size_t k = 0; k < x->info.ntags; k++)
			free(x->tags[k]);
		free(x->tags);
		if (x->cc)
			cond_compiled_free(x->cc);
		if (x->fmt)
			rule_format_free(x->fmt);
		free(x->typemap);
	}
	free(rs->rules);
	free(rs->off);
	free(rs->idx);
	free(rs);
}

static int has_tag(const struct rs_rule *x, const char *tag)
{
	for (size_t k = 0; k < x->info.ntags; k++)
		if (!strcmp(x->tags[k], tag))
			return 1;
	return 0;
}

static void apply_selection(struct rule_set *rs, const struct rule_loader *l)
{
	int only_seen = 0;
	for (size_t s = 0; s < l->nsel; s++) {
		const struct ld_select *sel = &l->sel[s];
		if (sel->kind == LD_SEL_ENABLE_ONLY_TAG && !only_seen) {
			only_seen = 1;
			for (size_t i = 0; i < rs->n; i++)
				rs->rules[i].info.enabled = 0;
		}
		for (size_t i = 0; i < rs->n; i++) {
			struct rs_rule *x = &rs->rules[i];
			int match = 0;
			switch (sel->kind) {
			case LD_SEL_DISABLE_SUBSTR:
				match = strstr(x->info.name, sel->pattern) != NULL;
				break;
			case LD_SEL_DISABLE_TAG:
			case LD_SEL_ENABLE_ONLY_TAG:
				match = has_tag(x, sel->tag);
				break;
			case LD_SEL_GLOB:
				match = (!sel->pattern || ld_glob_match(sel->pattern, x->info.name)) &&
					(!sel->tag || has_tag(x, sel->tag));
				break;
			}
			if (match)
				x->info.enabled = sel->enable;
		}
	}
}

void rs_finish(struct rule_set *rs, struct rule_loader *l, size_t nmacros, size_t nlists)
{
	rs->nmacros = nmacros;
	rs->nlists = nlists;
	rs->match_all = l->opts.rule_matching_all;
	for (size_t i = 0; i < rs->n; i++)
		rs->rules[i].prio_ok = rs->rules[i].info.priority <= l->opts.min_priority;
	apply_selection(rs, l);
	for (size_t i = 0; i < rs->n; i++)
		if (!rs->rules[i].prio_ok || !rs->rules[i].runnable)
			rs->rules[i].info.enabled = 0;
	rs->off = calloc((size_t)rs->ntypes + 1, sizeof(*rs->off));
	size_t total = 0;
	for (uint16_t t = 0; t < rs->ntypes; t++) {
		rs->off[t] = (uint32_t)total;
		for (size_t i = 0; i < rs->n; i++)
			if (rs->rules[i].info.enabled && rs->rules[i].typemap && rs->rules[i].typemap[t])
				total++;
	}
	rs->off[rs->ntypes] = (uint32_t)total;
	rs->idx = calloc(total ? total : 1, sizeof(*rs->idx));
	size_t k = 0;
	for (uint16_t t = 0; t < rs->ntypes; t++)
		for (size_t i = 0; i < rs->n; i++)
			if (rs->rules[i].info.enabled && rs->rules[i].typemap && rs->rules[i].typemap[t])
				rs->idx[k++] = (uint32_t)i;
}

size_t rule_set_count(const struct rule_set *rs)
{
	return rs->n;
}

const struct rule_info *rule_set_rule(const struct rule_set *rs, size_t i)
{
	return i < rs->n ? &rs->rules[i].info : NULL;
}

size_t rule_set_macro_count(const struct rule_set *rs)
{
	return rs->nmacros;
}

size_t rule_set_list_count(const struct rule_set *rs)
{
	return rs->nlists;
}

const struct rule_format *rule_set_output(const struct rule_set *rs, size_t i)
{
	return i < rs->n ? rs->rules[i].fmt : NULL;
}

size_t rule_set_eval(const struct rule_set *rs, uint16_t evttype, rule_extract_fn extract, void *ectx,
		     rule_match_fn on_match, void *mctx)
{
	if (evttype >= rs->ntypes)
		return 0;
	size_t matches = 0;
	for (uint32_t k = rs->off[evttype]; k < rs->off[evttype + 1]; k++) {
		uint32_t i = rs->idx[k];
		if (!cond_eval(rs->rules[i].cc, evttype, extract, ectx))
			continue;
		matches++;
		if (on_match) {
			struct rule_match m = {i, &rs->rules[i].info};
			on_match(mctx, &m);
		}
		if (!rs->match_all)
			break;
	}
	return matches;
}

int rule_set_wants(const struct rule_set *rs, uint16_t evttype)
{
	return evttype < rs->ntypes && rs->off[evttype] != rs->off[evttype + 1];
}

size_t rule_set_evttypes(const struct rule_set *rs, uint16_t *out, size_t cap)
{
	size_t n = 0;
	for (uint16_t t = 0; t < rs->ntypes; t++) {
		if (!rule_set_wants(rs, t))
			continue;
		if (n < cap)
			out[n] = t;
		n++;
	}
	return n;
}
