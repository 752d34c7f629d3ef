/* rules/loader_int.h: internal data model shared by the YAML reader, the item readers, the compile pipeline and the rule set. */
#ifndef SAKER_RULES_LOADER_INT_H
#define SAKER_RULES_LOADER_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"
#include "yaml/yaml.h"

struct cond_compiled;

/* Where something was written. file points into the loader's file table. */
struct ld_pos {
	const char *file;
	int line, col;
};

/* A context chain (rules.md 3.10): outermost first. */
struct ld_ctx {
	int n;
	struct {
		const char *type;
		const char *name;
		struct ld_pos pos;
	} loc[RULE_DIAG_MAX_LOCS];
};

/* Exception field/comp/value entry: a scalar or a (nested) list. */
struct ld_exc_entry {
	int is_list;
	char *item;
	struct ld_exc_entry *v;
	size_t n;
};

struct ld_exception {
	char *name;
	struct ld_pos pos;
	int has_fields, has_comps;
	struct ld_exc_entry fields, comps;
	struct ld_exc_entry *values;
	size_t nvalues;
};

struct ld_list {
	char *name;
	struct ld_pos pos;
	char **items;
	size_t n, cap;
	uint32_t first_seq, vis_seq;
};

struct ld_macro {
	char *name;
	struct ld_pos pos, cond_pos;
	char *cond;
	size_t cond_len0;          /* length of the text written at cond_pos (cond may have appends after it) */
	uint32_t first_seq, vis_seq;
};

struct ld_rule {
	char *name;
	struct ld_pos pos, cond_pos, out_pos;
	char *cond, *output, *desc, *source;
	size_t cond_len0;          /* as for ld_macro */
	int priority, enabled, warn_evttypes, skip_unknown;
	int capture;               /* capture: true */
	uint64_t capture_duration_ms; /* capture_duration; 0 = the configured default */
	char **tags;
	size_t ntags;
	struct ld_exception *exc;
	size_t nexc;
};

struct ld_file {
	char *name;
	char *text;
	size_t len;
};

enum ld_select_kind { LD_SEL_DISABLE_SUBSTR, LD_SEL_DISABLE_TAG, LD_SEL_ENABLE_ONLY_TAG, LD_SEL_GLOB };

struct ld_select {
	int kind, enable;
	char *pattern, *tag;
};

struct rule_loader {
	struct rule_load_opts opts;
	/* Owned copies of opts.sources (or the one "syscall" source) and of
	 * opts.plugins with their strings: the caller's may be gone. */
	struct rule_source *sources;
	struct rule_plugin *plugins;
	struct ld_file **files;
	size_t nfiles;
	struct ld_list *lists;
	size_t nlists, caplists;
	struct ld_macro *macros;
	size_t nmacros, capmacros;
	struct ld_rule *rules;
	size_t nrules, caprules;
	struct ld_select *sel;
	size_t nsel;
	uint32_t seq;              /* bumped by every list/macro definition or append (visibility) */
	int failed;                /* a fatal error happened: build refuses */
	/* What the files required, for the description (-L json): the
	 * highest required_engine_version as written, and each plugin
	 * requirement (the latest entry per plugin name). */
	char *engine_version;
	unsigned long engine_version_key[3];
	struct rule_describe_plugin_req *plugin_reqs;
	size_t nplugin_reqs;
	struct rule_diag_list diags;
	const char *cur_text;      /* text of the file being read (snippets) */
};

/* ---- helpers (loader_util.c) ---- */
void *ld_xrealloc(void *p, size_t n);
char *ld_strdup(const char *s);
char *ld_strndup(const char *s, size_t n);
char *ld_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Append text to *dst (which may be NULL), with sep between if both non-empty. */
void ld_str_append(char **dst, const char *sep, const char *text);

/* Growable string buffer. */
struct ld_buf {
	char *s;
	size_t len, cap;
};
void ld_buf_add(struct ld_buf *b, const char *s, size_t n);
void ld_buf_adds(struct ld_buf *b, const char *s);
void ld_buf_addc(struct ld_buf *b, char c);

/* Contexts. */
void ld_ctx_push(struct ld_ctx *c, const char *type, const char *name, struct ld_pos pos);
struct ld_pos ld_node_pos(const struct ld_file *f, const struct yaml_node *n);

/* Diagnostics (diag.c). */
void ld_diag(struct rule_loader *l, int code, const struct ld_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ld_diag_v(struct rule_diag_list *dl, const char *text, int code, const struct ld_ctx *ctx,
	       const char *fmt, va_list ap);
void rule_diag_list_free(struct rule_diag_list *dl);

/* ---- YAML node access (loader_items.c) ---- */
/* Decoding helpers: return 0 or -1 after reporting LOAD_ERR_YAML_VALIDATE. */
struct ld_reader {
	struct rule_loader *l;
	const struct ld_file *f;
};
const struct yaml_node *ld_map_get(const struct yaml_node *map, const char *key);
int ld_decode_str(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		  const struct ld_ctx *ctx, char **out);
int ld_decode_bool(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		   const struct ld_ctx *ctx, int *out);
int ld_decode_u64(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		  const struct ld_ctx *ctx, uint64_t *out);
int ld_decode_seq(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		  const struct ld_ctx *ctx, char ***out, size_t *n);
int ld_is_null(const struct yaml_node *n);

int ld_read_overrides(struct ld_reader *r, const struct yaml_node *item, const char *const *keys, unsigned appendable,
		      unsigned replaceable, const struct ld_ctx *ctx, unsigned *app, unsigned *rep);

/* Item readers. */
int ld_read_list(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent);
int ld_read_macro(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent);
int ld_read_rule(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent);
int ld_read_exceptions(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *ctx, int append,
		       struct ld_exception **out, size_t *n);
void ld_exception_free(struct ld_exception *e);
void ld_exc_entry_free(struct ld_exc_entry *e);
int ld_exc_entry_copy(struct ld_exc_entry *dst, const struct ld_exc_entry *src);

struct ld_list *ld_find_list(struct rule_loader *l, const char *name);
struct ld_macro *ld_find_macro(struct rule_loader *l, const char *name);
struct ld_rule *ld_find_rule(struct rule_loader *l, const char *name);
void ld_rule_free(struct ld_rule *r);
void ld_tags_add(char ***tags, size_t *n, char *const *add, size_t nadd);

/* Exceptions to condition text (loader_exceptions.c): validates and appends
 * " and not (...)" clauses. Returns 0, or -1 after an error diagnostic. */
int ld_exceptions_apply(struct rule_loader *l, const struct ld_rule *r, const struct rule_field_registry *reg,
			const struct ld_ctx *rctx, struct ld_buf *cond);
/* The "(...)" clause of one exception (its values or'ed), empty when it
 * has no values; 0, or -1 after an error diagnostic. */
int ld_exception_clause(struct rule_loader *l, const struct rule_field_registry *reg, const struct ld_exception *e,
			const struct ld_ctx *ectx, struct ld_buf *clause);
int ld_op_known(const char *op);
int ld_field_known(const struct rule_field_registry *reg, const char *field);

/* Lists (loader_lists.c). expanded: per list, the items after one-level expansion. */
struct ld_lists_x {
	char ***items;
	size_t *n;
	uint8_t *used;
};
void ld_lists_expand(struct rule_loader *l, struct ld_lists_x *x);
void ld_lists_x_free(struct rule_loader *l, struct ld_lists_x *x);
char *ld_lists_substitute(struct rule_loader *l, struct ld_lists_x *x, const char *text);

void ld_strs_free(struct rule_strs *s);
void ld_strs_push(struct rule_strs *s, const char *v);

/* The source called name, or NULL (loader.c). */
const struct rule_source *ld_source(const struct rule_loader *l, const char *name);

/* Compile (loader_compile.c). Compiles everything collected; with out != NULL
 * returns the rule set. Diagnostics go to l->diags when emit is set. */
int ld_compile(struct rule_loader *l, int emit, struct rule_set **out);

/* Rule set construction (ruleset.c). */
struct rule_set *rs_new(size_t nrules, uint16_t n_evttypes);
void rs_set_rule(struct rule_set *rs, size_t i, const struct ld_rule *r, struct cond_compiled *cc,
		 struct rule_format *fmt, const char *output, const uint8_t *typemap, int runnable);
void rs_finish(struct rule_set *rs, struct rule_loader *l, size_t nmacros, size_t nlists);
/* Rule i's compiled condition and event-type map (NULL when it does not
 * run), for rule coverage (coverage.c). */
const struct cond_compiled *rs_rule_cond(const struct rule_set *rs, size_t i);
const uint8_t *rs_rule_typemap(const struct rule_set *rs, size_t i);
uint16_t rs_ntypes(const struct rule_set *rs);

int ld_glob_match(const char *pat, const char *s);

#endif
