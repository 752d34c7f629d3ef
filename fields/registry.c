/* fields/registry.c: the registry rules compile against: the catalog, argument validation and evt.type lookup. */
#include "fields/catalog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/event.h"
#include "formats/syscalls.h"

static int parse_index(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int param_name_known(const char *name)
{
	for (uint16_t t = 0; t < SK_EV__COUNT; t++)
		if (sk_event_param_index(t, name) >= 0)
			return 1;
	return 0;
}

int field_validate_arg(const struct rule_field_def *def, struct rule_field_ref *ref, char *err, size_t errlen)
{
	const char *text = ref->text ? ref->text : def->name;
	size_t nlen = strlen(def->name);
	int dotted = !strncmp(text, def->name, nlen) && text[nlen] == '.';
	ref->arg_param = -1;
	if (!ref->has_arg || !ref->arg)
		return 0;
	if (def->id == F_EVT_ARG || def->id == F_EVT_RAWARG) {
		if (!dotted) {
			if (parse_index(ref->arg, &ref->arg_index) < 0) {
				snprintf(err, errlen, "%s: the argument index '%s' is not a number", text, ref->arg);
				return -1;
			}
			ref->arg_param = (int32_t)ref->arg_index;
			return 0;
		}
		if (!param_name_known(ref->arg)) {
			snprintf(err, errlen, "filter_check called with nonexistent field %s", text);
			return -1;
		}
		return 0;
	}
	if (def->id == F_EVT_TYPE_IS) {
		uint16_t ids[8];
		if (!sk_event_types_by_name(ref->arg, ids, 8)) {
			snprintf(err, errlen, "unknown event type %s", ref->arg);
			return -1;
		}
		return 0;
	}
	if ((def->flags & (RFF_ARG_INDEX | RFF_ANY_ANCESTOR)) && def->id != F_PROC_AENV &&
	    parse_index(ref->arg, &ref->arg_index) < 0) {
		snprintf(err, errlen, "%s: the argument '%s' must be a non-negative number", text, ref->arg);
		return -1;
	}
	if (def->id == F_PROC_AENV || def->id == F_PROC_ARGS || def->id == F_FD_TYPES) {
		if (parse_index(ref->arg, &ref->arg_index) < 0)
			ref->arg_index = -1;
	}
	return 0;
}

/* A syscall name without an event type of its own, like madvise: the
 * capture carries it as the generic event (fields.md: evt.type). */
int field_evttype_generic(const char *name)
{
	uint16_t ids[4];
	return sk_event_types_by_name(name, ids, 4) == 0 && sk_syscall_by_name(name) > 0;
}

size_t field_evttype_lookup(const char *name, uint16_t *out, size_t cap)
{
	size_t n = sk_event_types_by_name(name, out, cap);
	if (n == 0 && field_evttype_generic(name) && cap >= 2) {
		out[0] = SK_EV_GENERIC_E;
		out[1] = SK_EV_GENERIC_X;
		n = 2;
	}
	return n;
}

static const struct rule_field_registry registry = {
	FIELD_REGISTRY_CATALOG,
	FIELD_REGISTRY_EVTTYPES,
};

const struct rule_field_registry *field_registry(void)
{
	return &registry;
}

const struct rule_field_def *field_def(uint16_t id)
{
	/* ids follow the table order (generated together) */
	return id >= 1 && id <= FIELD_CATALOG_SIZE && field_catalog[id - 1].id == id ? &field_catalog[id - 1] : NULL;
}

