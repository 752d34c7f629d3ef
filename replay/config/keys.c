/* replay/config/keys.c: the configuration keys saker knows, their types, and validation of a loaded tree. */
#include "replay/config/config.h"
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum key_type {
	KT_BOOL,
	KT_STR,
	KT_NUM,
	KT_STRLIST,  /* a list of strings (a single string is accepted too) */
	KT_MAP,      /* children are listed as "parent.child" */
	KT_ANY,      /* a Falco key saker accepts and does not use */
};

struct key_def {
	const char *path;
	uint8_t type;
};

/* Falco's keys (rules.md §6) plus saker's own (syslog_output.socket,
 * http_output.timeout_ms, suggested_output, legacy_list_operators). */
static const struct key_def keys[] = {
	{"rules_files", KT_STRLIST},
	{"rules_file", KT_STRLIST},
	{"rules", KT_ANY},
	{"priority", KT_STR},
	{"rule_matching", KT_STR},
	{"rule_evaluation", KT_STR},
	{"json_output", KT_BOOL},
	{"json_output_layout", KT_STR},
	{"json_include_output_property", KT_BOOL},
	{"json_include_tags_property", KT_BOOL},
	{"json_include_message_property", KT_BOOL},
	{"json_include_output_fields_property", KT_BOOL},
	{"time_format_iso_8601", KT_BOOL},
	{"buffered_outputs", KT_BOOL},
	{"suggested_output", KT_BOOL},
	{"legacy_list_operators", KT_BOOL},
	{"outputs", KT_MAP},
	{"outputs.rate", KT_NUM},
	{"outputs.max_burst", KT_NUM},
	{"outputs.aggregate", KT_MAP},
	{"outputs.aggregate.window", KT_STR},
	{"outputs.aggregate.by", KT_STR},
	/* Falco's webserver and metrics (replay/service/) */
	{"webserver", KT_MAP},
	{"webserver.enabled", KT_BOOL},
	{"webserver.threadiness", KT_NUM},
	{"webserver.listen_port", KT_NUM},
	{"webserver.listen_address", KT_STR},
	{"webserver.k8s_healthz_endpoint", KT_STR},
	{"webserver.prometheus_metrics_enabled", KT_BOOL},
	{"webserver.ssl_enabled", KT_BOOL},
	{"webserver.ssl_certificate", KT_STR},
	{"metrics", KT_MAP},
	{"metrics.enabled", KT_BOOL},
	{"metrics.interval", KT_STR},
	{"metrics.output_rule", KT_BOOL},
	{"metrics.output_file", KT_STR},
	{"metrics.rules_counters_enabled", KT_BOOL},
	{"metrics.resource_utilization_enabled", KT_BOOL},
	{"metrics.state_counters_enabled", KT_BOOL},
	{"metrics.kernel_event_counters_enabled", KT_BOOL},
	{"metrics.kernel_event_counters_per_cpu_enabled", KT_BOOL},
	{"metrics.libbpf_stats_enabled", KT_BOOL},
	{"metrics.plugins_metrics_enabled", KT_BOOL},
	{"metrics.jemalloc_stats_enabled", KT_BOOL},
	{"metrics.convert_memory_to_mb", KT_BOOL},
	{"metrics.include_empty_values", KT_BOOL},
	{"stdout_output", KT_MAP},
	{"stdout_output.enabled", KT_BOOL},
	{"file_output", KT_MAP},
	{"file_output.enabled", KT_BOOL},
	{"file_output.filename", KT_STR},
	{"file_output.keep_alive", KT_BOOL},
	{"syslog_output", KT_MAP},
	{"syslog_output.enabled", KT_BOOL},
	{"syslog_output.socket", KT_STR},
	{"program_output", KT_MAP},
	{"program_output.enabled", KT_BOOL},
	{"program_output.program", KT_STR},
	{"program_output.keep_alive", KT_BOOL},
	{"http_output", KT_MAP},
	{"http_output.enabled", KT_BOOL},
	{"http_output.url", KT_STR},
	{"http_output.user_agent", KT_STR},
	{"http_output.timeout_ms", KT_NUM},
	{"http_output.insecure", KT_ANY},
	{"http_output.ca_cert", KT_ANY},
	{"http_output.ca_bundle", KT_ANY},
	{"http_output.ca_path", KT_ANY},
	{"http_output.compress_uploads", KT_ANY},
	{"http_output.keep_alive", KT_ANY},
	{"http_output.echo", KT_ANY},
	{"http_output.mtls", KT_ANY},
	{"http_output.client_cert", KT_ANY},
	{"http_output.client_key", KT_ANY},
	{"http_output.max_consecutive_timeouts", KT_ANY},
	{"log_level", KT_STR},
	{"log_stderr", KT_BOOL},
	{"log_syslog", KT_BOOL},
	/* accepted for falco.yaml compatibility; no effect in saker-replay */
	{"append_output", KT_ANY},
	{"watch_config_files", KT_ANY},
	{"engine", KT_ANY},
	{"base_syscalls", KT_ANY},
	{"syscall_event_drops", KT_ANY},
	{"syscall_event_timeouts", KT_ANY},
	{"config_files", KT_ANY},
	{"load_plugins", KT_ANY},
	{"plugins", KT_ANY},
	{"plugins_hostinfo", KT_ANY},
	{"grpc", KT_ANY},
	{"grpc_output", KT_ANY},
	{"libs_logger", KT_ANY},
	{"output_timeout", KT_ANY},
	{"outputs_queue", KT_ANY},
	{"modern_bpf", KT_ANY},
	{"falco_libs", KT_ANY},
	{"container_engines", KT_ANY},
	{"buffer_format_base64", KT_ANY},
	{"log_level_override", KT_ANY},
	{"static_fields", KT_ANY},
	{"capture", KT_ANY},
	{"syscall_buf_size_preset", KT_ANY},
	{"syscall_drop_failed_exit", KT_ANY},
	{"ebpf", KT_ANY},
	{"kmod", KT_ANY},
};

static const struct key_def *key_find(const char *path)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].path, path))
			return &keys[i];
	return NULL;
}

static int type_error(const struct config_node *n, const char *path, const char *what)
{
	fprintf(stderr, "saker-replay: %s:%d:%d: key '%s' expects %s\n", n->origin, n->line, n->col, path, what);
	return -1;
}

static int check_value(const struct config_node *n, const char *path, uint8_t type)
{
	switch (type) {
	case KT_BOOL:
		if (n->kind != CONFIG_SCALAR || config_parse_bool(n->value) < 0)
			return type_error(n, path, "a boolean");
		return 0;
	case KT_STR:
		if (n->kind != CONFIG_SCALAR)
			return type_error(n, path, "a string");
		return 0;
	case KT_NUM: {
		char *end = NULL;
		if (n->kind == CONFIG_SCALAR && *n->value)
			strtod(n->value, &end);
		if (!end || *end)
			return type_error(n, path, "a number");
		return 0;
	}
	case KT_STRLIST:
		if (n->kind == CONFIG_SCALAR)
			return 0;
		if (n->kind != CONFIG_SEQ)
			return type_error(n, path, "a list of strings");
		for (size_t i = 0; i < n->n; i++)
			if (n->kids[i]->kind != CONFIG_SCALAR)
				return type_error(n->kids[i], path, "a list of strings");
		return 0;
	case KT_MAP:
		if (n->kind != CONFIG_MAP)
			return type_error(n, path, "a mapping");
		return 0;
	default:
		return 0;
	}
}

/* Values that have a fixed vocabulary. */
static int check_word(const struct config_node *n, const char *path)
{
	static const char *const levels[] = {"emergency", "alert", "critical", "error", "warning",
					     "notice", "info", "debug", NULL};
	if (!strcmp(path, "priority") && rule_priority_parse(n->value) < 0)
		return type_error(n, path, "a priority (emergency ... debug)");
	if (!strcmp(path, "rule_matching") && strcmp(n->value, "first") && strcmp(n->value, "all"))
		return type_error(n, path, "'first' or 'all'");
	if (!strcmp(path, "rule_evaluation") && strcmp(n->value, "grouped") && strcmp(n->value, "plain"))
		return type_error(n, path, "'grouped' or 'plain'");
	if (!strcmp(path, "json_output_layout") && strcmp(n->value, "legacy") && strcmp(n->value, "modern"))
		return type_error(n, path, "'modern' or 'legacy'");
	if (!strcmp(path, "log_level")) {
		for (size_t i = 0; levels[i]; i++)
			if (!strcmp(n->value, levels[i]))
				return 0;
		return type_error(n, path, "a log level (emergency ... debug)");
	}
	if (!strcmp(path, "http_output.url") && *n->value && strncmp(n->value, "http://", 7))
		return type_error(n, path, "an http:// URL (saker has no TLS)");
	return 0;
}

static int check_node(const struct config_node *n, const char *path)
{
	const struct key_def *k = key_find(path);
	if (!k) {
		fprintf(stderr, "saker-replay: %s:%d:%d: warning: unknown configuration key '%s' ignored\n",
			n->origin, n->line, n->col, path);
		return 0;
	}
	if (check_value(n, path, k->type) < 0)
		return -1;
	if (k->type == KT_STR && check_word(n, path) < 0)
		return -1;
	if (k->type != KT_MAP)
		return 0;
	for (size_t i = 0; i < n->n; i++) {
		char sub[256];
		snprintf(sub, sizeof(sub), "%s.%s", path, n->kids[i]->key);
		if (check_node(n->kids[i], sub) < 0)
			return -1;
	}
	return 0;
}

int config_validate(const struct config *c)
{
	const struct config_node *root = config_find(c, "");
	const struct config_node *rf = config_find(c, "rules_file"), *rfs = config_find(c, "rules_files");
	if (rf && rfs) {
		fprintf(stderr, "saker-replay: %s:%d:%d: both 'rules_file' and 'rules_files' are set; use 'rules_files'\n",
			rf->origin, rf->line, rf->col);
		return -1;
	}
	for (size_t i = 0; i < root->n; i++)
		if (check_node(root->kids[i], root->kids[i]->key) < 0)
			return -1;
	return 0;
}
