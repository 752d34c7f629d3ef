/* replay/engine/setup.c: engine and rule-loader options from the falco.yaml-style configuration. */
#include "replay/engine/engine.h"
#include "fields/fields.h"
#include "replay/config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Falco's stock append_output (suggested_output: true) with the container
 * plugin: one name_with_underscores=%field per suggested field. */
#define SUGGESTED_OUTPUT                                                                            \
	"container_id=%container.id container_name=%container.name "                               \
	"container_image_repository=%container.image.repository "                                  \
	"container_image_tag=%container.image.tag k8s_pod_name=%k8s.pod.name k8s_ns_name=%k8s.ns.name"

int engine_rule_opts(const struct config *cfg, const char *append_format, struct engine_rules_setup *su)
{
	struct rule_load_opts *lo = &su->lo;
	field_load_opts(lo);
	const char *p = config_str(cfg, "priority");
	if (p) {
		lo->min_priority = rule_priority_parse(p);
		if (lo->min_priority < 0) {
			fprintf(stderr, "Error: invalid priority '%s'\n", p);
			return -1;
		}
	}
	const char *m = config_str(cfg, "rule_matching");
	if (m && strcmp(m, "all") && strcmp(m, "first")) {
		fprintf(stderr, "Error: rule_matching must be 'first' or 'all', got '%s'\n", m);
		return -1;
	}
	lo->rule_matching_all = m && !strcmp(m, "all");
	lo->legacy_list_operators = config_bool(cfg, "legacy_list_operators", 0);
	const char *ev = config_str(cfg, "rule_evaluation");
	if (ev && strcmp(ev, "grouped") && strcmp(ev, "plain")) {
		fprintf(stderr, "Error: rule_evaluation must be 'grouped' or 'plain', got '%s'\n", ev);
		return -1;
	}
	lo->plain_evaluation = ev && !strcmp(ev, "plain");
	char *extra = su->extra;
	size_t n = 0, cap = sizeof(su->extra);
	extra[0] = '\0';
	if (append_format)
		n += (size_t)snprintf(extra + n, cap - n, "%s", append_format);
	/* the suggested fields are the container plugin's: syscall rules only */
	if (config_bool(cfg, "suggested_output", 1))
		n += (size_t)snprintf(extra + n, cap - n, "%s%s", n ? " " : "", SUGGESTED_OUTPUT);
	size_t ns = lo->nsources < sizeof(su->sources) / sizeof(su->sources[0]) ? lo->nsources :
		    sizeof(su->sources) / sizeof(su->sources[0]);
	for (size_t i = 0; i < ns; i++) {
		su->sources[i] = lo->sources[i];
		su->sources[i].extra_output = !strcmp(lo->sources[i].name, "syscall") ? (n ? extra : NULL)
											: append_format;
	}
	lo->sources = su->sources;
	lo->nsources = ns;
	return 0;
}

void engine_opts_from_config(const struct config *cfg, struct engine_opts *eo)
{
	memset(eo, 0, sizeof(*eo));
	eo->out = stdout;
	eo->json_output = config_bool(cfg, "json_output", 0);
	const char *layout = config_str(cfg, "json_output_layout");
	eo->json_legacy_layout = layout && !strcmp(layout, "legacy");
	eo->json_include_output = config_bool(cfg, "json_include_output_property", 1);
	eo->json_include_tags = config_bool(cfg, "json_include_tags_property", 1);
	eo->json_include_output_fields = config_bool(cfg, "json_include_output_fields_property", 1);
	eo->json_include_message = config_bool(cfg, "json_include_message_property", 0);
	eo->time_iso8601 = config_bool(cfg, "time_format_iso_8601", 0);
	eo->unbuffered = !config_bool(cfg, "buffered_outputs", 1);
	/* Falco's JSON hostname: FALCO_HOSTNAME wins; saker also honours
	 * SAKER_HOSTNAME; otherwise the recorded host's name. */
	const char *h = getenv("SAKER_HOSTNAME");
	if (!h || !*h)
		h = getenv("FALCO_HOSTNAME");
	eo->hostname = h && *h ? h : NULL;
}
