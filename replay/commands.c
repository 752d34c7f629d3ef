/* replay/commands.c: what saker-replay runs once its options are parsed: the rules commands (-V, -L, -l, --list, --list-events, --version) and the dispatch to replay, live detection or conversion. */
#include "replay/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields/fields.h"
#include "formats/event.h"
#include "replay/config/config.h"
#include "replay/convert.h"
#include "replay/engine/engine.h"
#include "json/json.h"
#include "rules/rules.h"


static void json_diag(FILE *f, const struct rule_diag *d)
{
	fputs("{\"code\":", f);
	json_fput_string(f, rule_diag_code_name(d->code));
	fputs(",\"codedesc\":", f);
	json_fput_string(f, rule_diag_code_desc(d->code));
	fputs(",\"message\":", f);
	json_fput_string(f, d->message);
	fputs(",\"context\":{\"locations\":[", f);
	for (int i = 0; i < d->nlocs; i++) {
		const struct rule_diag_loc *l = &d->locs[i];
		fprintf(f, "%s{\"item_type\":", i ? "," : "");
		json_fput_string(f, l->item_type);
		fputs(",\"item_name\":", f);
		json_fput_string(f, l->item_name);
		fputs(",\"position\":{\"name\":", f);
		json_fput_string(f, l->file);
		fprintf(f, ",\"line\":%d,\"column\":%d,\"offset\":0}}", l->line, l->col);
	}
	fputs("],\"snippet\":", f);
	json_fput_string(f, d->snippet ? d->snippet : "");
	fputs("}}", f);
}

static struct rule_loader *new_loader(const struct replay_opts *o)
{
	struct engine_rules_setup su;
	if (engine_rule_opts(o->config.cfg, o->append_format, &su) < 0)
		return NULL;
	return rule_loader_new(&su.lo);
}

/* A loader with the -r files loaded in order (loading stops at the first
 * failing file, as Falco does); *status is 1 after a failure. NULL on bad options. */
static struct rule_loader *load_rules_files(const struct replay_opts *o, int *status)
{
	struct rule_loader *l = new_loader(o);
	*status = l ? 0 : 1;
	for (size_t i = 0; l && i < o->nrules && *status == 0; i++)
		if (rule_loader_add_path(l, o->rules[i]) < 0)
			*status = 1;
	return l;
}

static int run_validate(const struct replay_opts *o)
{
	int json = replay_config_bool(&o->config, "json_output", 0);
	int status;
	/* -r files load first; -V files are validated in order on top of them */
	struct rule_loader *l = load_rules_files(o, &status);
	if (!l)
		return 1;
	if (json)
		fputs("{\"falco_load_results\":[", stdout);
	size_t done = 0;
	for (size_t i = 0; i < o->nvalidate; i++) {
		size_t before = rule_loader_diags(l)->n;
		int rc = status == 0 ? rule_loader_add_path(l, o->validate[i]) : -1;
		const struct rule_diag_list *dl = rule_loader_diags(l);
		int nerr = 0, nwarn = 0;
		for (size_t k = before; k < dl->n; k++)
			rule_diag_is_error(dl->v[k].code) ? nerr++ : nwarn++;
		if (rc < 0)
			status = 1;
		if (json) {
			fprintf(stdout, "%s{\"name\":", i ? "," : "");
			json_fput_string(stdout, o->validate[i]);
			fprintf(stdout, ",\"successful\":%s,\"errors\":[", rc == 0 ? "true" : "false");
			int first = 1;
			for (size_t k = before; k < dl->n; k++) {
				if (!rule_diag_is_error(dl->v[k].code))
					continue;
				if (!first)
					fputc(',', stdout);
				first = 0;
				json_diag(stdout, &dl->v[k]);
			}
			fputs("],\"warnings\":[", stdout);
			first = 1;
			for (size_t k = before; k < dl->n; k++) {
				if (rule_diag_is_error(dl->v[k].code))
					continue;
				if (!first)
					fputc(',', stdout);
				first = 0;
				json_diag(stdout, &dl->v[k]);
			}
			fputs("]}", stdout);
		} else {
			for (size_t k = before; k < dl->n; k++)
				rule_diag_print(rule_diag_is_error(dl->v[k].code) ? stdout : stderr, &dl->v[k]);
			printf("%s: %s\n", o->validate[i],
			       rc < 0 ? "Invalid" : (nwarn ? "Ok, with warnings" : "Ok"));
		}
		done++;
	}
	if (json)
		fputs("]}\n", stdout);
	rule_loader_free(l);
	return status;
}

static void print_wrapped(const char *name, const char *desc)
{
	printf("%-50s ", name);
	size_t len = strlen(desc), pos = 0;
	int first = 1;
	while (pos < len || first) {
		size_t n = len - pos > 59 ? 59 : len - pos;
		if (len - pos > 59) {
			size_t cut = n;
			while (cut > 0 && desc[pos + cut] != ' ')
				cut--;
			if (cut > 0)
				n = cut;
		}
		if (!first)
			printf("%-51s", "");
		printf("%.*s\n", (int)n, desc + pos);
		pos += n;
		while (pos < len && desc[pos] == ' ')
			pos++;
		first = 0;
	}
}

/* -L / -l RULE: names and descriptions as text; with json_output, Falco's
 * rules description (replay/describe.c). */
static int run_list_rules(const struct replay_opts *o, struct rule_loader *l, const struct rule_set *rs)
{
	if (replay_config_bool(&o->config, "json_output", 0))
		return replay_describe_json(stdout, l, rs, o->describe_rule);
	int found = 0;
	printf("%-50s %s\n%-50s %s\n", "Rule", "Description", "----", "-----------");
	for (size_t i = 0; i < rule_set_count(rs); i++) {
		const struct rule_info *ri = rule_set_rule(rs, i);
		if (o->describe_rule && strcmp(o->describe_rule, ri->name))
			continue;
		print_wrapped(ri->name, ri->desc ? ri->desc : "");
		found++;
	}
	if (o->describe_rule && !found) {
		fprintf(stderr, "Error: rule '%s' not found\n", o->describe_rule);
		return 1;
	}
	return 0;
}

static const char *type_name(uint8_t t)
{
	static const char *const n[] = {"", "CHARBUF", "FSPATH", "INT64", "INT32", "INT16", "UINT64", "UINT32",
					"UINT16", "PORT", "RELTIME", "ABSTIME", "BOOL", "DOUBLE", "IPADDR", "IPNET",
					"BYTEBUF", "CHARBUF"};
	return t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}

static int run_list_fields(const struct replay_opts *o)
{
	const struct rule_field_registry *reg = field_registry();
	if (o->list_source && !field_source_registry(o->list_source)) {
		fprintf(stderr, "saker-replay: --list: unknown event source '%s' (known: syscall, k8s_audit)\n",
			o->list_source);
		return 1;
	}
	for (size_t i = 0; i < reg->ndefs; i++) {
		const struct rule_field_def *d = &reg->defs[i];
		if (d->flags & RFF_HIDDEN)
			continue;
		if (o->list_source && !field_in_source(d, o->list_source))
			continue;
		if (o->names_only) {
			printf("%s\n", d->name);
			continue;
		}
		const char *suffix = (d->flags & RFF_ARG_DOTTED) ? ".<name>" :
				     (d->flags & RFF_ARG_REQUIRED) ? "[arg]" : "";
		printf("%s%s (Type: %s%s) %s\n", d->name, suffix, type_name(d->type),
		       (d->flags & RFF_LIST) ? ", List" : "", d->desc);
	}
	return 0;
}

static int run_list_events(void)
{
	for (uint16_t t = 0; t < SK_EV__COUNT; t++) {
		const struct sk_event_info *e = sk_event_info(t);
		if (!e || !e->name || (e->flags & SK_EF_UNUSED))
			continue;
		printf("%c %s(", e->dir == SK_DIR_EXIT ? '<' : '>', e->name);
		for (uint8_t p = 0; p < e->nparams; p++)
			printf("%s%s %s", p ? ", " : "", sk_ptype_name(e->params[p].type), e->params[p].name);
		printf(")\n");
	}
	return 0;
}

/* The config's `rules:` list: `- disable: {rule: "glob*"}`, `- enable: {tag: x}`,
 * applied in order after loading (rules.md §6). */
static void apply_rules_selection(const struct replay_opts *o, struct rule_loader *l)
{
	const struct config_node *sel = o->config.cfg ? config_find(o->config.cfg, "rules") : NULL;
	for (size_t i = 0; sel && sel->kind == CONFIG_SEQ && i < sel->n; i++) {
		const struct config_node *item = sel->kids[i];
		for (size_t k = 0; item->kind == CONFIG_MAP && k < item->n; k++) {
			const struct config_node *what = item->kids[k];
			int enable = !strcmp(what->key, "enable");
			if (!enable && strcmp(what->key, "disable"))
				continue;
			for (size_t j = 0; what->kind == CONFIG_MAP && j < what->n; j++) {
				const struct config_node *v = what->kids[j];
				if (v->kind != CONFIG_SCALAR)
					continue;
				if (!strcmp(v->key, "rule"))
					rule_loader_select(l, enable, v->value, NULL);
				else if (!strcmp(v->key, "tag"))
					rule_loader_select(l, enable, NULL, v->value);
			}
		}
	}
}

struct rule_set *replay_rules_build(const struct replay_opts *o, struct rule_loader **lp, char *why, size_t whylen)
{
	int status;
	struct rule_loader *l = load_rules_files(o, &status);
	*lp = l;
	if (!l) {
		if (why)
			snprintf(why, whylen, "the configuration's rule options are invalid");
		return NULL;
	}
	const struct rule_diag_list *dl = rule_loader_diags(l);
	int told = 0;
	for (size_t k = 0; k < dl->n; k++) {
		const struct rule_diag *d = &dl->v[k];
		if (!rule_diag_is_error(d->code))
			continue;
		if (!why) {
			rule_diag_print(stderr, d);
		} else if (!told++) {
			/* the innermost location names the position */
			const struct rule_diag_loc *loc = d->nlocs ? &d->locs[d->nlocs - 1] : NULL;
			snprintf(why, whylen, "%s:%d:%d: %s", loc && loc->file ? loc->file : "rules", loc ? loc->line : 0,
				 loc ? loc->col : 0, d->message ? d->message : rule_diag_code_desc(d->code));
		}
	}
	apply_rules_selection(o, l);
	for (size_t i = 0; i < o->ndisable_substr; i++)
		rule_loader_disable_name_substr(l, o->disable_substr[i]);
	for (size_t i = 0; i < o->ndisable_tag; i++)
		rule_loader_disable_tag(l, o->disable_tag[i]);
	for (size_t i = 0; i < o->nenable_tag; i++)
		rule_loader_enable_only_tag(l, o->enable_tag[i]);
	struct rule_set *rs = status == 0 ? rule_loader_build(l) : NULL;
	if (!rs && why && !told)
		snprintf(why, whylen, "the rules could not be built");
	return rs;
}

int replay_dispatch(const struct replay_opts *o)
{
	if (o->help) {
		replay_cli_usage(stdout);
		return 0;
	}
	if (o->version) {
		printf("Falco version: %s (saker-replay)\nLibs version: none\nPlugin API: none\nEngine: %s\n"
		       "Driver: saker eBPF\n", SAKER_VERSION, SAKER_ENGINE_VERSION);
		return 0;
	}
	if (o->list_fields)
		return run_list_fields(o);
	if (o->list_events)
		return run_list_events();
	if (o->nvalidate)
		return run_validate(o);
	if (!o->nrules && o->print_format && o->live)
		return replay_live(o, NULL);
	if (!o->nrules && o->print_format && o->k8s_audit_listen)
		return replay_listen(o, NULL);
	if (o->write_path && !o->live && !o->k8s_audit_listen)
		return replay_convert(o);
	if (o->report && (!o->nrules || (!o->ncaptures && !o->live && !o->k8s_audit_listen))) {
		fprintf(stderr, "saker-replay: --report needs rules (-r or rules_files) and a capture (-e), --live "
				"or --k8s-audit-listen\n");
		return 1;
	}
	if (!o->nrules && o->ncaptures && (o->print_format || (o->pcap_out && !o->pcap_out_alerts)))
		return replay_run(o, NULL);
	if (!o->nrules) {
		replay_cli_usage(stderr);
		return 1;
	}
	struct rule_loader *l = NULL;
	struct rule_set *rs = replay_rules_build(o, &l, NULL, 0);
	if (!l)
		return 1;
	int status = 0;
	if (!rs)
		status = 1;
	else if (o->list_rules || o->describe_rule)
		status = run_list_rules(o, l, rs);
	else if (o->live)
		status = replay_live(o, rs);
	else if (o->k8s_audit_listen)
		status = replay_listen(o, rs);
	else if (o->ncaptures)
		status = replay_run(o, rs);
	rule_set_free(rs);
	rule_loader_free(l);
	return status;
}
