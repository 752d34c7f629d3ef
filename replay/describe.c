/* replay/describe.c: -L / -l RULE with json_output: the rules description in Falco's describe_rule JSON shape. */
#include "replay/replay.h"

#include <stdio.h>
#include <string.h>

#include "formats/event.h"
#include "json/json.h"
#include "rules/rules.h"

/* Keys come in sorted order: Falco prints its JSON objects that way. */

static const char *event_name(uint16_t type)
{
	const struct sk_event_info *e = sk_event_info(type);
	return e && !(e->flags & SK_EF_UNUSED) ? e->name : NULL;
}

static void put_key(FILE *f, const char *key, int first)
{
	if (!first)
		fputc(',', f);
	json_fput_string(f, key);
	fputc(':', f);
}

static void put_strs(FILE *f, const char *key, const struct rule_strs *s, int first)
{
	put_key(f, key, first);
	fputc('[', f);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			fputc(',', f);
		json_fput_string(f, s->v[i]);
	}
	fputc(']', f);
}

static void put_str(FILE *f, const char *key, const char *v, int first)
{
	put_key(f, key, first);
	json_fput_string(f, v ? v : "");
}

static void put_bool(FILE *f, const char *key, int v, int first)
{
	put_key(f, key, first);
	fputs(v ? "true" : "false", f);
}

static void put_rule(FILE *f, const struct rule_describe_rule *r, const struct rule_info *ri)
{
	fputs("{\"details\":{", f);
	put_str(f, "condition_compiled", r->condition_compiled, 1);
	put_strs(f, "condition_fields", &r->condition_fields, 0);
	put_strs(f, "condition_operators", &r->condition_operators, 0);
	put_strs(f, "events", &r->events, 0);
	put_strs(f, "exception_fields", &r->exception_fields, 0);
	put_strs(f, "exception_names", &r->exception_names, 0);
	put_strs(f, "exception_operators", &r->exception_operators, 0);
	put_strs(f, "lists", &r->lists, 0);
	put_strs(f, "macros", &r->macros, 0);
	put_str(f, "output_compiled", r->output_compiled, 0);
	put_strs(f, "output_fields", &r->output_fields, 0);
	/* saker loads no plugins: it provides their fields itself */
	fputs(",\"plugins\":[]},\"info\":{", f);
	put_bool(f, "capture", ri->capture, 1);
	put_key(f, "capture_duration", 0);
	fprintf(f, "%llu", (unsigned long long)ri->capture_duration_ms);
	put_str(f, "condition", r->condition, 0);
	put_str(f, "description", ri->desc, 0);
	put_bool(f, "enabled", r->enabled, 0);
	put_str(f, "name", ri->name, 0);
	put_str(f, "output", r->output, 0);
	put_str(f, "priority", rule_priority_name(ri->priority), 0);
	put_str(f, "source", ri->source, 0);
	put_key(f, "tags", 0);
	fputc('[', f);
	for (size_t t = 0; t < ri->ntags; t++) {
		if (t)
			fputc(',', f);
		json_fput_string(f, ri->tags[t]);
	}
	fputs("]}}", f);
}

static void put_macro(FILE *f, const struct rule_describe_macro *m)
{
	fputs("{\"details\":{", f);
	put_str(f, "condition_compiled", m->condition_compiled, 1);
	put_strs(f, "condition_fields", &m->condition_fields, 0);
	put_strs(f, "condition_operators", &m->condition_operators, 0);
	put_strs(f, "events", &m->events, 0);
	put_strs(f, "lists", &m->lists, 0);
	put_strs(f, "macros", &m->macros, 0);
	fputs(",\"plugins\":[]", f);
	put_bool(f, "used", m->used, 0);
	fputs("},\"info\":{", f);
	put_str(f, "condition", m->condition, 1);
	put_str(f, "name", m->name, 0);
	fputs("}}", f);
}

static void put_list(FILE *f, const struct rule_describe_list *l)
{
	fputs("{\"details\":{", f);
	put_strs(f, "items_compiled", &l->items_compiled, 1);
	put_strs(f, "lists", &l->lists, 0);
	fputs(",\"plugins\":[]", f);
	put_bool(f, "used", l->used, 0);
	fputs("},\"info\":{", f);
	put_strs(f, "items", &l->items, 1);
	put_str(f, "name", l->name, 0);
	fputs("}}", f);
}

static void put_plugin_reqs(FILE *f, const struct rule_description *d)
{
	put_key(f, "required_plugin_versions", 0);
	fputc('[', f);
	for (size_t i = 0; i < d->nplugin_reqs; i++) {
		const struct rule_describe_plugin_req *q = &d->plugin_reqs[i];
		fputs(i ? ",{\"alternatives\":[" : "{\"alternatives\":[", f);
		for (size_t a = 0; a < q->alt_names.n; a++) {
			fputs(a ? ",{" : "{", f);
			put_str(f, "name", q->alt_names.v[a], 1);
			put_str(f, "version", q->alt_versions.v[a], 0);
			fputc('}', f);
		}
		fputc(']', f);
		put_str(f, "name", q->name, 0);
		put_str(f, "version", q->version, 0);
		fputc('}', f);
	}
	fputc(']', f);
}

int replay_describe_json(FILE *f, struct rule_loader *l, const struct rule_set *rs, const char *only_rule)
{
	struct rule_description *d = rule_describe(l, rs, event_name);
	if (!d) {
		fprintf(stderr, "saker-replay: out of memory describing the rules\n");
		return 1;
	}
	int status = 0;
	if (only_rule) {
		const struct rule_describe_rule *r = NULL;
		for (size_t i = 0; i < d->nrules && !r; i++)
			if (!strcmp(rule_set_rule(rs, d->rules[i].index)->name, only_rule))
				r = &d->rules[i];
		if (r) {
			fputs("{\"rules\":[", f);
			put_rule(f, r, rule_set_rule(rs, r->index));
			fputs("]}\n", f);
		} else {
			/* Falco's wording for a rule it does not have (or of an unknown source) */
			fprintf(stderr, "Error: Rule \"%s\" is not loaded\n", only_rule);
			status = 1;
		}
		rule_description_free(d);
		return status;
	}
	fputs("{\"lists\":[", f);
	for (size_t i = 0; i < d->nlists; i++) {
		if (i)
			fputc(',', f);
		put_list(f, &d->lists[i]);
	}
	fputs("],\"macros\":[", f);
	for (size_t i = 0; i < d->nmacros; i++) {
		if (i)
			fputc(',', f);
		put_macro(f, &d->macros[i]);
	}
	fputs("],", f);
	put_str(f, "required_engine_version", d->required_engine_version, 1);
	put_plugin_reqs(f, d);
	fputs(",\"rules\":[", f);
	for (size_t i = 0; i < d->nrules; i++) {
		if (i)
			fputc(',', f);
		put_rule(f, &d->rules[i], rule_set_rule(rs, d->rules[i].index));
	}
	fputs("]}\n", f);
	rule_description_free(d);
	return status;
}
