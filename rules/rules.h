/* rules/rules.h: public API of the rules language: field registry, loading, compiled rule sets, evaluation, outputs. */
#ifndef SAKER_RULES_RULES_H
#define SAKER_RULES_RULES_H

/*
 * rules/ owns Falco's rules language: loading rules files, conditions,
 * compiled rule sets indexed by event type, and output formats. It may call
 * json/ and yaml/. Names of this header start with rule_ (RULE_, RF_, RFF_),
 * except the diagnostic codes, which keep Falco's names (LOAD_*); cond.h,
 * lex.h, strset.h and the *_int.h headers are private to rules/.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* The length a string value compares with: up to a NUL unless the
 * provider vouches there is none (the plain and grouped evaluators, and
 * whoever answers a group for them, must agree on it). */
static inline size_t rule_value_str_len(const struct rule_value *v)
{
	if (!v->v.s)
		return 0;
	if (v->nul_free)
		return v->len;
	const char *nul = memchr(v->v.s, 0, v->len);
	return nul ? (size_t)(nul - v->v.s) : v->len;
}

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
	/* The registry of one event source (struct rule_source) sees only part
	 * of defs and of the event types; NULL = all of them. */
	int (*has_field)(const struct rule_field_def *def);
	int (*has_evttype)(uint16_t type);
};

/* Whether def is visible through reg (has_field). */
static inline int rule_registry_has(const struct rule_field_registry *reg, const struct rule_field_def *def)
{
	return !reg->has_field || reg->has_field(def);
}

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

/* An event source, as rules name it with `source:` (Falco's syscall,
 * k8s_audit...). Rules of a source compile against its registry, whose
 * has_evttype keeps them off the other sources' events. A rule naming a
 * source that is not listed gets LOAD_UNKNOWN_SOURCE and is skipped. */
struct rule_source {
	const char *name;
	const struct rule_field_registry *registry;
	const char *extra_output; /* appended as " " + text to its rules' outputs (append_output/-p), or NULL */
};

/* A plugin the caller provides the fields of itself: it satisfies
 * `required_plugin_versions` entries of that name asking for a version it
 * is compatible with (same major, not older: Falco's rule). version NULL:
 * every version. Other requirements are warnings (LOAD_UNKNOWN_ITEM). */
struct rule_plugin {
	const char *name;
	const char *version;
};

struct rule_load_opts {
	const struct rule_field_registry *registry; /* conditions without sources: filters, tests */
	int min_priority;        /* default RULE_PRIO_DEBUG */
	int rule_matching_all;   /* 0 = first (default), 1 = all */
	const char *extra_output;/* without sources: appended as " " + text to every rule output, or NULL */
	int legacy_container_info; /* replace %container.info like Falco <= 0.40 (1) or drop it (0) */
	/* Accept string operators on list fields (ka.req.role.rules.resources
	 * contains x), as Falco before 0.38 loaded them; such a check holds when
	 * an element passes it (!=: when every element does). Falco 0.38+
	 * refuses them, as saker does by default. */
	int legacy_list_operators;
	/* 1: evaluate every check on its own (`-o rule_evaluation=plain`);
	 * 0 (default): the string checks many rules make on one field are
	 * answered together per event (hash map + Aho-Corasick, rules/group.c).
	 * Both give the same alerts; plain is the reference for the
	 * differential test. */
	int plain_evaluation;
	/* The sources rules may name; NULL: one, "syscall", with registry and
	 * extra_output above. */
	const struct rule_source *sources;
	size_t nsources;
	const struct rule_plugin *plugins;
	size_t nplugins;
};

/* The loader copies the sources and plugins of opts with their strings;
 * the registries must outlive it. */
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
	int capture;                  /* capture: true (the flight recorder saves its alerts' windows) */
	uint64_t capture_duration_ms; /* capture_duration; 0 = capture.default_duration */
};

size_t rule_set_count(const struct rule_set *rs);   /* all loaded rules, in definition order */
const struct rule_info *rule_set_rule(const struct rule_set *rs, size_t i);
size_t rule_set_macro_count(const struct rule_set *rs);
size_t rule_set_list_count(const struct rule_set *rs);

/* ---- Description (-L / -l with json_output, Falco's describe_rule) ---- */

/*
 * What Falco's `falco -L -o json_output=true` prints about each loaded rule,
 * macro and list, computed from the loader's items: the macros and lists a
 * condition names directly, the fields, operators and event names of the
 * condition once macros, lists and exceptions are resolved, the exception
 * fields, names and operators, and the output's fields. String sets are
 * sorted and unique (Falco's are unordered sets); output_fields and list
 * items keep their order.
 */
struct rule_strs {
	char **v;
	size_t n;
};

struct rule_describe_rule {
	size_t index;              /* into rule_set_rule() */
	const char *condition;     /* as written, after appends, without exceptions */
	const char *output;        /* as written, after appends */
	int enabled;               /* as written: Falco prints the file's value, not -D/-T/-t's */
	char *condition_compiled;  /* the resolved condition printed back */
	const char *output_compiled;
	struct rule_strs macros, lists, condition_operators, condition_fields;
	struct rule_strs exception_fields, exception_names, exception_operators;
	struct rule_strs events, output_fields;
};

struct rule_describe_macro {
	const char *name, *condition;
	int used;
	char *condition_compiled;
	struct rule_strs macros, lists, condition_operators, condition_fields, events;
};

struct rule_describe_list {
	const char *name;
	int used;
	struct rule_strs items, lists, items_compiled;
};

struct rule_describe_plugin_req {
	char *name, *version;
	struct rule_strs alt_names, alt_versions;
};

struct rule_description {
	const char *required_engine_version;     /* highest required, "0.0.0" if none */
	const struct rule_describe_plugin_req *plugin_reqs;
	size_t nplugin_reqs;
	struct rule_describe_rule *rules;        /* rules of a known source, definition order */
	size_t nrules;
	struct rule_describe_macro *macros;
	size_t nmacros;
	struct rule_describe_list *lists;
	size_t nlists;
};

/* l: the loader rs was built from. evttype_name maps the registry's event
 * type ids to the names Falco prints (NULL: not describable). NULL on ENOMEM. */
struct rule_description *rule_describe(struct rule_loader *l, const struct rule_set *rs,
				       const char *(*evttype_name)(uint16_t type));
void rule_description_free(struct rule_description *d);

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
/*
 * Groups answered ahead (docs/performance.md). The string checks an event
 * type's rules make on one field are answered together, from the field's
 * value alone: a group. A caller that knows an event's value of such a
 * field before the event is evaluated (a decode worker reading fd.name off
 * an open's path) may work out the group's answer on its own thread and
 * hand it to rule_set_eval_given, which then does not read the field for
 * that group. Offered are the groups an indexed type fills before its
 * rules run, which every event of the type reads.
 */
/* The hash the rules' string sets and value caches use, eight bytes a
 * step, never 0; for callers keeping answers by value. */
uint64_t rule_str_hash(const void *key, size_t len);
struct rule_group_cache; /* one thread's answers by value */
struct rule_group_cache *rule_group_cache_new(void);
void rule_group_cache_free(struct rule_group_cache *c);
/* Type t's group read ahead on field field_id (the provider's id, a field
 * without argument): 0 with *group and its answer's size in 64-bit words;
 * -1 when there is none. */
int rule_set_ahead_group(const struct rule_set *rs, uint16_t t, uint16_t field_id, uint32_t *group,
			 uint32_t *nwords);
/* That group's answer for value s (the bytes the provider would extract)
 * into words. Safe while another thread evaluates rs; c is this thread's
 * (NULL: no cache). */
void rule_set_group_answer(const struct rule_set *rs, uint16_t t, uint32_t group, const char *s, size_t len,
			   uint64_t *words, struct rule_group_cache *c);
struct rule_given {
	uint32_t group;
	const uint64_t *words;
};
/* rule_set_eval with the answers of some of evttype's ahead groups given. */
size_t rule_set_eval_given(const struct rule_set *rs, uint16_t evttype, const struct rule_given *given,
			   size_t ngiven, rule_extract_fn extract, void *ectx, rule_match_fn on_match, void *mctx);
/* Whether any enabled rule wants this event type (cheap pre-check). */
int rule_set_wants(const struct rule_set *rs, uint16_t evttype);
/* Event types some enabled rule can match (for the recorder's syscall set). */
size_t rule_set_evttypes(const struct rule_set *rs, uint16_t *out, size_t cap);

/* ---- Coverage (docs/coverage.md) ---------------------------------------- */

/*
 * What a corpus exercises of a rule set, rule by rule and independently of
 * rule_matching: events that reached the rule (one of its event types),
 * events that passed its whole condition, events that passed the condition
 * without the exceptions, and per exception value how many of those it
 * suppressed. A macro "made a difference" on an event when the rule's
 * result changes with the macro negated; a list item when it changes with
 * the item taken out of the list (tried only when emptying the whole list
 * changes it). Probes are compiled from the loader's items when coverage
 * starts; an item's probe on the first event its list made a difference.
 * Costs several evaluations per rule and event: an opt-in mode.
 */
struct rule_coverage_exception_item {
	const char *exception;   /* the exception's name */
	char *values;            /* the value as written: "[cat, sh]" */
	uint64_t suppressed;     /* events the condition passed and this value excepted */
};

struct rule_coverage_rule {
	const char *name;
	int enabled;             /* loaded, enabled and runnable */
	uint64_t reached, passed, base_passed;
	struct rule_coverage_exception_item *exc;
	size_t nexc;
};

struct rule_coverage_list_item {
	const char *item;
	uint64_t made_difference;
};

struct rule_coverage_item {     /* a macro or a list */
	const char *name;
	int used;                /* by an enabled rule */
	uint64_t made_difference;
	struct rule_coverage_list_item *items; /* lists: the items after expansion */
	size_t nitems;
};

struct rule_coverage_view {
	const struct rule_coverage_rule *rules;   /* definition order */
	size_t nrules;
	const struct rule_coverage_item *macros, *lists;
	size_t nmacros, nlists;
};

struct rule_coverage;
/* l: the loader rs was built from (alive while the coverage is). NULL on ENOMEM. */
struct rule_coverage *rule_coverage_new(struct rule_loader *l, const struct rule_set *rs);
void rule_coverage_free(struct rule_coverage *c);
/* Counts one event that reaches the rules. Not thread-safe (one per thread). */
void rule_coverage_event(struct rule_coverage *c, uint16_t evttype, rule_extract_fn extract, void *ectx);
void rule_coverage_get(const struct rule_coverage *c, struct rule_coverage_view *v);

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
/* The same, counting in *missing the field tokens that had no value ("<NA>"). */
size_t rule_format_render_counted(const struct rule_format *f, rule_extract_fn extract, void *ectx,
				  char *buf, size_t cap, size_t *missing);
/* 1 when the text began with '*' (sysdig -p: print events with missing
 * values too; without it sysdig skips them). Rule outputs ignore it. */
int rule_format_partial(const struct rule_format *f);
/* JSON object of the field tokens ("output_fields"): sorted keys, typed values. */
size_t rule_format_render_json_fields(const struct rule_format *f, rule_extract_fn extract, void *ectx,
				      char *buf, size_t cap);
/* Same, with one extra pre-rendered entry merged in key order (the time
 * token of the alert prefix: key "evt.time", value "1700000000123456789"). */
size_t rule_format_render_json_fields_with(const struct rule_format *f, rule_extract_fn extract, void *ectx,
					   const char *extra_key, const char *extra_json, char *buf, size_t cap);
/* The field tokens of a format, as written ("proc.aname[2]"), in order. */
size_t rule_format_field_count(const struct rule_format *f);
const char *rule_format_field_name(const struct rule_format *f, size_t i);
/* The compiled output of rule i of a set. */
const struct rule_format *rule_set_output(const struct rule_set *rs, size_t i);

/* Text of a value as Falco prints it (numbers decimal, IPs dotted, bools true/false). */
size_t rule_value_to_text(const struct rule_value *v, char *buf, size_t cap);

#endif
