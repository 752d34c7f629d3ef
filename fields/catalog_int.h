/* fields/catalog_int.h: the catalog table shared by fields/catalog.c and fields/registry.c (not a public header). */
#ifndef SAKER_FIELDS_CATALOG_INT_H
#define SAKER_FIELDS_CATALOG_INT_H

#include "fields/fields.h"

/* Every field, entry i having id i + 1. */
#define FIELD_CATALOG_SIZE (F__COUNT - 1)
extern const struct rule_field_def field_catalog[FIELD_CATALOG_SIZE];

/* The registry callbacks (fields/registry.c), shared by the per-source
 * registries of fields/sources.c. */
int field_validate_arg(const struct rule_field_def *def, struct rule_field_ref *ref, char *err, size_t errlen);
size_t field_evttype_lookup(const char *name, uint16_t *out, size_t cap);
int field_evttype_generic(const char *name);

/* The members every registry of the catalog shares (all fields, per source). */
#define FIELD_REGISTRY_CATALOG                                                             \
	.defs = field_catalog, .ndefs = FIELD_CATALOG_SIZE, .validate_arg = field_validate_arg, \
	.n_evttypes = SK_EV__COUNT
/* ... and the evt.type lookups, for the sources that have event types to name. */
#define FIELD_REGISTRY_EVTTYPES .evttype_lookup = field_evttype_lookup, .evttype_generic = field_evttype_generic

#endif
