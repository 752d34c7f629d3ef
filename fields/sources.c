/* fields/sources.c: the event sources rules can name (syscall, k8s_audit), each a view of the catalog, and the plugins saker stands in for. */
#include "fields/catalog_int.h"

#include <string.h>

#include "formats/event.h"

static int is_audit_class(const struct rule_field_def *def)
{
	return !strncmp(def->name, "ka.", 3) || !strncmp(def->name, "json.", 5) || !strncmp(def->name, "jevt.", 5);
}

/* The evt.* fields libs offers for every event source (its gen_event class),
 * the only ones a k8s_audit rule can use besides ka.*, json.* and jevt.*. */
static int is_generic(const struct rule_field_def *def)
{
	switch (def->id) {
	case F_EVT_NUM: case F_EVT_TIME: case F_EVT_TIME_S: case F_EVT_TIME_ISO8601: case F_EVT_DATETIME:
	case F_EVT_DATETIME_S: case F_EVT_RAWTIME: case F_EVT_RAWTIME_S: case F_EVT_RAWTIME_NS:
	case F_EVT_RELTIME: case F_EVT_RELTIME_S: case F_EVT_RELTIME_NS: case F_EVT_PLUGINNAME:
	case F_EVT_PLUGININFO: case F_EVT_SOURCE: case F_EVT_IS_ASYNC: case F_EVT_ASYNCTYPE: case F_EVT_HOSTNAME:
		return 1;
	default:
		return 0;
	}
}

static int syscall_has_field(const struct rule_field_def *def)
{
	return !is_audit_class(def);
}

static int syscall_has_evttype(uint16_t type)
{
	return type != SK_EV_PLUGINEVENT_E;
}

static int audit_has_field(const struct rule_field_def *def)
{
	return is_audit_class(def) || is_generic(def);
}

static int audit_has_evttype(uint16_t type)
{
	return type == SK_EV_PLUGINEVENT_E;
}

static const struct rule_field_registry syscall_registry = {
	FIELD_REGISTRY_CATALOG,
	FIELD_REGISTRY_EVTTYPES,
	.has_field = syscall_has_field,
	.has_evttype = syscall_has_evttype,
};

/* No evt.type lookup: audit rules cannot name event types (Falco has no
 * evt.type for plugin sources). */
static const struct rule_field_registry audit_registry = {
	FIELD_REGISTRY_CATALOG,
	.has_field = audit_has_field,
	.has_evttype = audit_has_evttype,
};

static const struct rule_source sources[] = {
	{ "syscall", &syscall_registry, NULL },
	{ "k8s_audit", &audit_registry, NULL },
};

const struct rule_source *field_sources(size_t *n)
{
	*n = sizeof(sources) / sizeof(sources[0]);
	return sources;
}

const struct rule_field_registry *field_source_registry(const char *source)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (!strcmp(sources[i].name, source))
			return sources[i].registry;
	return NULL;
}

int field_in_source(const struct rule_field_def *def, const char *source)
{
	const struct rule_field_registry *r = field_source_registry(source);
	return r && rule_registry_has(r, def);
}

/* Versions of the plugins whose field tables saker implements: k8saudit
 * 0.18.0 (../shared/peers/plugins/k8saudit/README.md) and json 0.7.4. Every
 * container requirement is taken as met (decisions.md). */
static const struct rule_plugin plugins[] = {
	{ "container", NULL },
	{ "k8saudit", "0.18.0" },
	{ "json", "0.7.4" },
};

const struct rule_plugin *field_plugins(size_t *n)
{
	*n = sizeof(plugins) / sizeof(plugins[0]);
	return plugins;
}

void field_load_opts(struct rule_load_opts *lo)
{
	memset(lo, 0, sizeof(*lo));
	lo->registry = field_registry();
	lo->min_priority = RULE_PRIO_DEBUG;
	lo->sources = field_sources(&lo->nsources);
	lo->plugins = field_plugins(&lo->nplugins);
}
