/* rules/rules.h: public API of the rules language: field registry, loading, compiled rule sets, evaluation, outputs. */
#ifndef SAKER_RULES_RULES_H
#define SAKER_RULES_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * rules/ knows nothing about syscalls or state. It compiles conditions and
 * output formats against a field registry supplied by the caller (the
 * replayer registers the real fields, tests register fakes) and evaluates them
 * through a provider callback: "give me field F (with argument A) for the
 * current event". Event types are opaque small integers; the registry maps
 * evt.type names to them.
 */

/* ---- Field registry ---------------------------------------------------- */

enum rule_ftype {
	RF_STRING = 1,  /* CHARBUF */
	RF_PATH,        /* FSPATH: a string for every operator */
	RF_INT64, RF_INT32, RF_INT16, RF_UINT64, RF_UINT32, RF_UINT16,
	RF_PORT,        /* uint16; RHS may be a service name */
	RF_RELTIME, RF_ABSTIME,
	RF_BOOL,
	RF_DOUBLE,
	RF_IPADDR,      /* v4 or v6 */
	RF_IPNET,       /* filter only: RHS is CIDR */
	RF_BYTEBUF,
	RF_EVTTYPE,     /* evt.type / syscall.type: string whose RHS names are event types */
};

enum rule_field_flag {
	RFF_NONE = 0,
	RFF_ARG_REQUIRED = 1u << 0,  /* field[arg] must have an argument */
	RFF_ARG_ALLOWED = 1u << 1,   /* field[arg] may have an argument */
	RFF_ARG_INDEX = 1u << 2,     /* the argument is a non-negative integer */
	RFF_ARG_DOTTED = 1u << 3,    /* evt.arg.NAME form: name is a prefix, the rest is the arg */
	RFF_LIST = 1u << 4,          /* list-valued (fd.types, ka.* lists) */
	RFF_NO_RHS = 1u << 5,        /* cannot be used as val(...) or with a transformer */
	RFF_FILTER_ONLY = 1u << 6,   /* not allowed in outputs */
	RFF_ANY_ANCESTOR = 1u << 7,  /* proc.a*: without an argument, true if any ancestor (arg 1..) matches */
	RFF_DEPRECATED = 1u << 8,    /* evt.dir, evt.latency*: LOAD_DEPRECATED_ITEM warning */
	RFF_HIDDEN = 1u << 9,        /* not listed by --list */
	RFF_EITHER = 1u << 10,       /* fd.ip/fd.port/fd.net: the provider returns both ends (like a
				      * list); '!=' holds when every end differs, any other
				      * check when one end matches (libs semantics) */
};

struct rule_field_def {
	const char *name;   /* "proc.aname", "evt.arg" (dotted prefix without the dot) */
	uint16_t id;        /* caller's id, passed back to the provider */
	uint8_t type;       /* enum rule_ftype */
	uint16_t flags;     /* enum rule_field_flag */
	const char *desc;
};

/* A resolved field reference as the provider sees it. */
struct rule_field_ref {
	uint16_t id;          /* rule_field_def.id */
	uint8_t type;         /* rule_field_def.type */
	uint8_t has_arg;
	int64_t arg_index;    /* RFF_ARG_INDEX arguments, and the ancestor level of RFF_ANY_ANCESTOR walks */
	const char *arg;      /* argument text (NUL-terminated), or NULL */
	int32_t arg_param;    /* free for the registry's validate_arg to resolve (e.g. evt.arg.NAME -> index) */
	const char *text;     /* the field as written, e.g. "proc.aname[2]" (JSON output key) */
};

/* A value produced by the provider. Strings point into memory the provider
 * owns and that stays valid until the next extract call for the same event. */
struct rule_value {
	uint8_t type;          /* enum rule_ftype of the value */
	uint8_t ipv6;          /* RF_IPADDR: 1 if 16-byte address */
	uint8_t nul_free;      /* strings: the provider guarantees no NUL byte in len (saves a scan) */
	uint32_t len;          /* strings/bytebufs: length in bytes (no NUL) */
	union {
		int64_t i;
		uint64_t u;
		double d;
		const char *s;     /* RF_STRING/RF_PATH/RF_BYTEBUF/RF_EVTTYPE */
		uint8_t ip[16];    /* RF_IPADDR: network order; v4 in ip[0..3] */
	} v;
};

/* List-valued fields: the provider returns items one at a time. */
#define RULE_LIST_MAX 64

struct rule_field_registry {
	const struct rule_field_def *defs;
	size_t ndefs;
	/* Validates an argument for a field (e.g. evt.arg.NAME must be a known
	 * parameter name); may set ref->arg_param. Returns 0 or -1 with a message
	 * in err. May be NULL. */
	int (*validate_arg)(const struct rule_field_def *def, struct rule_field_ref *ref,
			    char *err, size_t errlen);
	/* Maps an evt.type name to event type ids. Returns how many (0 = unknown). */
	size_t (*evttype_lookup)(const char *name, uint16_t *out, size_t cap);
	uint16_t n_evttypes;   /* event type ids are 0 .. n_evttypes-1 */
	/* 1 when name is a syscall without an event type of its own (it arrives
	 * as the generic event, whose evt.type is the syscall name): the lookup
	 * returns the generic event's ids and evt.type=name compares the
	 * extracted name instead of a type bitmap. May be NULL. */
	int (*evttype_generic)(const char *name);
};

/*
 * The provider: extract field ref for the current event into *out. Returns 1
 * if there is a value, 0 if the field has no value (NA). For RFF_LIST fields,
 * out points to an array of RULE_LIST_MAX values and the return value is the
 * item count (0 = NA).
 */
typedef int (*rule_extract_fn)(void *ctx, const struct rule_field_ref *ref, struct rule_value *out);

/* ---- Diagnostics ------------------------------------------------------- */

enum rule_diag_code {
	LOAD_ERR_FILE_READ = 1,
	LOAD_ERR_YAML_PARSE,
	LOAD_ERR_YAML_VALIDATE,
	LOAD_ERR_COMPILE_CONDITION,
	LOAD_ERR_COMPILE_OUTPUT,
	LOAD_ERR_VALIDATE,
	LOAD_ERR_EXTENSION,
	/* warnings */
	LOAD_UNKNOWN_SOURCE = 100,
	LOAD_UNSAFE_NA_CHECK,
	LOAD_NO_EVTTYPE,
	LOAD_UNKNOWN_FILTER,
	LOAD_UNUSED_MACRO,
	LOAD_UNUSED_LIST,
	LOAD_UNKNOWN_ITEM,
	LOAD_DEPRECATED_ITEM,
	LOAD_WARNING_EXTENSION,
	LOAD_APPEND_NO_VALUES,
	LOAD_EXCEPTION_NAME_NOT_UNIQUE,
	LOAD_INVALID_MACRO_NAME,
	LOAD_INVALID_LIST_NAME,
	LOAD_COMPILE_CONDITION,
	LOAD_UNKNOWN_KEY,
};

const char *rule_diag_code_name(int code);   /* "LOAD_NO_EVTTYPE" */
const char *rule_diag_code_desc(int code);   /* Falco's codedesc text */
static inline int rule_diag_is_error(int code) { return code < 100; }

#define RULE_DIAG_MAX_LOCS 6

struct rule_diag_loc {
	const char *item_type;   /* "rule", "macro", "list", "rules content", "rules content item", "exception", ... */
	char *item_name;
	char *file;
	int line, col;           /* 1-based; 0 = unknown */
};

struct rule_diag {
	int code;
	char *message;
	char *snippet;           /* the offending source lines, may be NULL */
	int nlocs;
	struct rule_diag_loc locs[RULE_DIAG_MAX_LOCS]; /* outermost first */
};

struct rule_diag_list {
	struct rule_diag *v;
	size_t n, cap;
};

/* One line: "FILE:LINE:COL: error|warning: ITEM_TYPE 'NAME': MESSAGE (CODE)". */
void rule_diag_print(FILE *f, const struct rule_diag *d);

/* ---- Loading ----------------------------------------------------------- */

enum rule_priority {
	RULE_PRIO_EMERGENCY = 0, RULE_PRIO_ALERT, RULE_PRIO_CRITICAL, RULE_PRIO_ERROR,
	RULE_PRIO_WARNING, RULE_PRIO_NOTICE, RULE_PRIO_INFORMATIONAL, RULE_PRIO_DEBUG,
};
/* "Warning" etc. (alerts) / "WARNING", "INFO" (summary). */
const char *rule_priority_name(int prio);
const char *rule_priority_summary_name(int prio);
/* Case-insensitive parse, "info" alias; -1 if invalid. */
int rule_priority_parse(const char *s);

struct rule_loader;  /* accumulates files in order (one namespace) */
struct rule_set;     /* compiled, ready to evaluate */

struct rule_load_opts {
	const struct rule_field_registry *registry;
	int min_priority;        /* default RULE_PRIO_DEBUG */
	int rule_matching_all;   /* 0 = first (default), 1 = all */
	const char *extra_output;/* appended as " " + text to every syscall rule output (append_output/-p), or NULL */
	int legacy_container_info; /* replace %container.info like Falco <= 0.40 (1) or drop it (0) */
};

struct rule_loader *rule_loader_new(const struct rule_load_opts *opts);
void rule_loader_free(struct rule_loader *l);
/* Load one file or directory (sorted *.yaml and *.yml files). Returns 0, or -1 after an
 * error (diagnostics in rule_loader_diags). Text variant for tests. */
int rule_loader_add_path(struct rule_loader *l, const char *path);
int rule_loader_add_text(struct rule_loader *l, const char *name, const char *text, size_t len);
const struct rule_diag_list *rule_loader_diags(const struct rule_loader *l);

/* Rule selection, applied in call order after loading (Falco -D/-T/-t and
 * the `rules:` config). Patterns allow only '*' wildcards. */
int rule_loader_disable_name_substr(struct rule_loader *l, const char *substr); /* -D */
int rule_loader_disable_tag(struct rule_loader *l, const char *tag);            /* -T */
int rule_loader_enable_only_tag(struct rule_loader *l, const char *tag);        /* -t */
int rule_loader_select(struct rule_loader *l, int enable, const char *rule_glob, const char *tag);

/* Build the evaluable rule set (NULL on error, diagnostics in the loader). */
struct rule_set *rule_loader_build(struct rule_loader *l);
void rule_set_free(struct rule_set *rs);

/* ---- Rule introspection ------------------------------------------------ */

struct rule_info {
	const char *name;
	const char *desc;
	const char *condition;   /* as written, after appends */
	const char *output;      /* after appends/extra output */
	const char *source;
	int priority;
	int enabled;
	const char *const *tags; /* sorted, unique */
	size_t ntags;
	const char *file;
	int line;
};

size_t rule_set_count(const struct rule_set *rs);   /* all loaded rules, in definition order */
const struct rule_info *rule_set_rule(const struct rule_set *rs, size_t i);
size_t rule_set_macro_count(const struct rule_set *rs);
size_t rule_set_list_count(const struct rule_set *rs);

/* ---- Evaluation -------------------------------------------------------- */

struct rule_match {
	size_t rule_index;             /* into rule_set_rule() */
	const struct rule_info *rule;
};

/*
 * Evaluate every enabled rule indexed under evttype (in definition order) for
 * the current event. on_match is called for the first match (or every match
 * with rule_matching_all). Returns the number of matches. Allocates nothing.
 */
typedef void (*rule_match_fn)(void *ctx, const struct rule_match *m);
size_t rule_set_eval(const struct rule_set *rs, uint16_t evttype,
		     rule_extract_fn extract, void *ectx, rule_match_fn on_match, void *mctx);
/* Whether any enabled rule wants this event type (cheap pre-check). */
int rule_set_wants(const struct rule_set *rs, uint16_t evttype);
/* Event types some enabled rule can match (for the recorder's syscall set). */
size_t rule_set_evttypes(const struct rule_set *rs, uint16_t *out, size_t cap);

/* ---- Standalone filters (--print FILTER, -w filtering) ----------------- */

struct rule_filter;
struct rule_filter *rule_filter_compile(const struct rule_field_registry *reg, const char *condition,
					struct rule_diag_list *diags);
int rule_filter_eval(const struct rule_filter *f, uint16_t evttype, rule_extract_fn extract, void *ectx);
void rule_filter_free(struct rule_filter *f);

/* ---- Output formats ---------------------------------------------------- */

struct rule_format;
/* Parse "%field", "%NNfield", "%field[arg]" tokens against the registry. */
struct rule_format *rule_format_compile(const struct rule_field_registry *reg, const char *fmt,
					char *err, size_t errlen);
void rule_format_free(struct rule_format *f);
/* Render into buf (always NUL-terminated, truncated to cap). Returns the length. */
size_t rule_format_render(const struct rule_format *f, rule_extract_fn extract, void *ectx,
			  char *buf, size_t cap);
/* JSON object of the field tokens ("output_fields"): sorted keys, typed values. */
size_t rule_format_render_json_fields(const struct rule_format *f, rule_extract_fn extract, void *ectx,
				      char *buf, size_t cap);
/* Same, with one extra pre-rendered entry merged in key order (the time
 * token of the alert prefix: key "evt.time", value "1700000000123456789"). */
size_t rule_format_render_json_fields_with(const struct rule_format *f, rule_extract_fn extract, void *ectx,
					   const char *extra_key, const char *extra_json, char *buf, size_t cap);
/* The compiled output of rule i of a set. */
const struct rule_format *rule_set_output(const struct rule_set *rs, size_t i);

/* Text of a value as Falco prints it (numbers decimal, IPs dotted, bools true/false). */
size_t rule_value_to_text(const struct rule_value *v, char *buf, size_t cap);

#endif
