/* rules/cond.h: internal API of the condition language (parse, macro expansion, compile, evaluate) used by the loader. */
#ifndef SAKER_RULES_COND_H
#define SAKER_RULES_COND_H

#include "rules/rules.h"

/*
 * Pipeline used by the loader (rules/loader*.c):
 *   text (lists already substituted) --cond_parse--> AST with macro references
 *   AST --cond_expand_macros (resolver supplied by the loader)--> AST without macros
 *   AST --cond_compile (field registry)--> compiled filter, plus warnings
 *   AST --cond_evttypes--> set of event type ids for the rule index
 * The AST owns copies of all its strings; compiled filters do not point into it.
 */

struct cond_node;      /* AST node (opaque to the loader) */
struct cond_compiled;  /* compiled, evaluable condition */

struct cond_error {
	int offset;        /* byte offset in the parsed text, -1 if unknown */
	char msg[512];     /* Falco wording, e.g. "unexpected token after 'x', expecting 'or', 'and'" */
};

/* Parse a condition. Returns NULL and fills err on a syntax error.
 * max_depth: nesting cap (1000 for rules). */
struct cond_node *cond_parse(const char *text, int max_depth, struct cond_error *err);
void cond_free(struct cond_node *n);

/* Calls fn for each distinct macro name referenced by n (in order of first
 * appearance), for visibility checks and "used" bookkeeping. */
void cond_for_each_macro(const struct cond_node *n, void (*fn)(void *ctx, const char *name), void *ctx);

/* Returns a new tree where every macro reference is replaced by a copy of the
 * resolver's tree (recursively: the resolver's trees may themselves contain
 * macro references; cycles are the loader's job to detect, the resolver
 * returns NULL with a message to stop). NULL + err on failure. */
typedef const struct cond_node *(*cond_macro_resolver)(void *ctx, const char *name, struct cond_error *err);
struct cond_node *cond_expand_macros(const struct cond_node *n, cond_macro_resolver resolve, void *ctx,
				     struct cond_error *err);

/* Warnings found while compiling (LOAD_COMPILE_CONDITION, LOAD_DEPRECATED_ITEM,
 * LOAD_UNSAFE_NA_CHECK): the loader turns them into diagnostics. */
#define COND_MAX_WARNINGS 8
struct cond_warnings {
	int n;
	int code[COND_MAX_WARNINGS];
	char msg[COND_MAX_WARNINGS][256];
};

/* Compile against the registry. Unknown fields give an error whose message is
 * "filter_check called with nonexistent field X"; *unknown_field is set to 1 in
 * that case (and for unknown event types) so skip-if-unknown-filter can apply. */
struct cond_compiled *cond_compile(const struct cond_node *n, const struct rule_field_registry *reg,
				   struct cond_warnings *warn, int *unknown_field, struct cond_error *err);
/* The same, accepting string operators on list fields when legacy_list_ops
 * (rule_load_opts.legacy_list_operators), with a LOAD_COMPILE_CONDITION warning. */
struct cond_compiled *cond_compile_legacy(const struct cond_node *n, const struct rule_field_registry *reg,
					  int legacy_list_ops, struct cond_warnings *warn, int *unknown_field,
					  struct cond_error *err);
void cond_compiled_free(struct cond_compiled *c);

/* Evaluate for the current event. No allocation. */
int cond_eval(const struct cond_compiled *c, uint16_t evttype, rule_extract_fn extract, void *ectx);

/* Event types the condition can match (Falco's algorithm, rules.md 3.9), as a
 * byte map of reg->n_evttypes entries (1 = may match). Returns the count. */
size_t cond_evttypes(const struct cond_node *n, const struct rule_field_registry *reg, uint8_t *map);

#endif
