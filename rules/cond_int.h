/* rules/cond_int.h: private structures shared by the condition lexer, parser, compiler, evaluator and formats. */
#ifndef SAKER_RULES_COND_INT_H
#define SAKER_RULES_COND_INT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/cond.h"
#include "rules/strset.h"

/* ---- AST ---------------------------------------------------------------- */

enum cn_kind {
	CN_AND = 1, CN_OR, CN_NOT,
	CN_MACRO,      /* str = identifier */
	CN_UNARY,      /* op = OP_EXISTS, kids[0] = operand */
	CN_BINARY,     /* op, mod, kids[0] = operand, kids[1] = value/list/operand */
	CN_FIELD,      /* str = name, arg = argument or NULL */
	CN_TRANSFORM,  /* str = transformer name ("val" included), kids[0] */
	CN_VALUE,      /* str/len = constant text (unescaped) */
	CN_LIST,       /* items/itemlens */
};

enum cond_op {
	OP_EXISTS = 1, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_CONTAINS, OP_ICONTAINS, OP_BCONTAINS, OP_STARTSWITH, OP_BSTARTSWITH,
	OP_ENDSWITH, OP_GLOB, OP_IGLOB, OP_REGEX, OP_IN, OP_INTERSECTS, OP_PMATCH,
};

enum cond_mod { MOD_NONE = 0, MOD_ANYOF, MOD_ALLOF, MOD_ONEOF };

struct cond_node {
	uint8_t kind;
	uint8_t op;
	uint8_t mod;
	int pos;                   /* byte offset in the source text */
	char *str;
	size_t len;                /* CN_VALUE: length of str (may hold NUL via \x00) */
	char *arg;
	struct cond_node **kids;
	size_t nkids;
	char **items;              /* CN_LIST */
	size_t *itemlens;
	size_t nitems;
};

const char *cond_op_name(int op);
struct cond_node *cond_node_new(int kind, int pos);
int cond_node_add_kid(struct cond_node *n, struct cond_node *kid);

/* ---- Transformers -------------------------------------------------------- */

enum cond_tr { TR_VAL = 1, TR_TOLOWER, TR_TOUPPER, TR_B64, TR_BASENAME, TR_LEN };
int cond_transformer_lookup(const char *name, size_t len); /* 0 if unknown */

/* ---- Compiled operands --------------------------------------------------- */

#define COND_MAX_TRANSFORMS 8
#define COND_TRANSFORM_BUF 16384

/* A field reference plus the transformers applied to it (innermost first). */
struct cc_operand {
	struct rule_field_ref ref;        /* arg/text owned */
	const struct rule_field_def *def;
	uint8_t type;                     /* result type after transformers */
	uint8_t is_list;                  /* list-valued after transformers */
	uint8_t ntr;
	uint8_t tr[COND_MAX_TRANSFORMS];
	char *scratch[COND_MAX_TRANSFORMS]; /* per-stage output buffers, preallocated */
	struct rule_value *listbuf;       /* RULE_LIST_MAX values for list fields */
};

/* Resolves a field name as written (with optional [arg]) against the registry
 * and fills op (not its transformers). Returns 0, or -1 with err filled and
 * *unknown set when the field does not exist. */
int cc_operand_resolve(struct cc_operand *op, const struct rule_field_registry *reg, const char *name,
		       const char *arg, int pos, int *unknown, struct cond_error *err);
/* Builds an operand from a CN_FIELD/CN_TRANSFORM node (val() skipped). */
int cc_operand_from_node(struct cc_operand *op, const struct cond_node *n, const struct rule_field_registry *reg,
			 int *unknown, struct cond_error *err);
void cc_operand_fini(struct cc_operand *op);
/* Extracts one value (applying transformers). Returns 1 on value, 0 if missing.
 * For list operands, *out receives listbuf and the return is the count. */
int cc_operand_get(const struct cc_operand *op, const struct rule_field_ref *ref, rule_extract_fn ex, void *ectx,
		   struct rule_value *out, const struct rule_value **list);

/* ---- Compiled checks ----------------------------------------------------- */

enum cc_kind { CC_AND = 1, CC_OR, CC_NOT, CC_CHECK, CC_EVTTYPE };

/* A check whose LHS is one field as extracted (no transformers, no list,
 * no ancestor walk) against constants needs none of the operand and list
 * layers: it extracts once and compares. Set by the compiler. */
enum cc_fast {
	CCF_NONE = 0,
	CCF_VALUE,    /* one value, then the general comparison with the RHS constants */
	CCF_STR_EQ,   /* string = constant */
	CCF_STR_NE,   /* string != constant */
	CCF_SIGNED,   /* integer comparison (=, !=, <, <=, >, >=) with a constant, by fast_mask */
	CCF_UNSIGNED,
	CCF_BOOL,     /* bool = or != constant, by fast_mask */
};

struct cc_cidr {
	uint8_t ip[16];
	uint8_t ipv6;
	uint8_t prefix;
};

struct cc_check {
	uint8_t op;
	uint8_t mod;
	uint8_t cls;                 /* enum cc_class of the LHS */
	uint8_t any_ancestor;        /* walk arg_index 1.. */
	uint8_t per_element;         /* a scalar operator on a list field (legacy_list_operators) */
	uint8_t fast;                /* enum cc_fast: how cc_check_eval may shortcut */
	uint8_t fast_mask;           /* CCF_SIGNED..CCF_BOOL: bit 0/1/2 = the result when LHS <, =, > RHS */
	struct cc_operand lhs;
	struct cc_operand *rhs;      /* field-to-field */
	struct rule_value k;         /* single constant (k.v.s owned) */
	struct cc_cidr net;          /* RF_IPNET single constant */
	struct strset *set;          /* in/intersects */
	struct cc_cidr *nets;        /* RF_IPNET lists */
	size_t nnets;
	struct pmatch_trie *trie;    /* pmatch */
	struct rule_value *items;    /* anyof/allof/oneof items (v.s owned) */
	size_t nitems;
	regex_t re;
	uint8_t has_re;
};

/* What evaluation reads comes first, in one cache line. */
struct cc_node {
	uint8_t kind;
	uint8_t negate;              /* CC_EVTTYPE with != */
	uint16_t nbits;
	uint32_t memo;               /* 1-based memo slot shared by identical subtrees of a rule set, 0 = none */
	uint32_t nkids;
	uint32_t grp;                /* CC_CHECK answered by a field group (rules/group.c): 1-based, 0 = none */
	struct cc_node **kids;
	struct cc_check *chk;
	uint8_t *bitmap;             /* CC_EVTTYPE: one byte per event type */
	uint32_t gbit;               /* grp: the check's result bit in cond_memo.gwords */
	uint64_t h1, h2;             /* structural hash (two seeds): equal subtrees, equal hashes */
};

struct cond_compiled {
	struct cc_node *root;
};

/* Value classes for operator checks. */
enum cc_class { CLS_STRING = 1, CLS_BYTES, CLS_SIGNED, CLS_UNSIGNED, CLS_DOUBLE, CLS_BOOL, CLS_IP, CLS_IPNET };
int cc_class_of(int ftype);

int cc_check_eval(const struct cc_check *c, rule_extract_fn ex, void *ectx);
/* Sets a finished check's fast and fast_mask (enum cc_fast). */
void cc_check_set_fast(struct cc_check *c);

/* Per-event results of shared subtrees (see rules/ruleset.c). */
struct cond_memo_slot {
	uint64_t gen;
	uint8_t val;
};
struct rule_groups;
struct cond_memo {
	struct cond_memo_slot *slots;
	uint64_t gen;                /* bumped once per event */
	/* Field groups (rules/group.c): a group is filled on the first use of
	 * one of its checks in an event (ggen[g] == gen), then its checks are
	 * bits of gwords. groups NULL: plain evaluation. */
	const struct rule_groups *groups;
	uint64_t *ggen;
	uint64_t *gwords;
};
int cond_eval_memo(const struct cond_compiled *c, uint16_t evttype, rule_extract_fn extract, void *ectx,
		   struct cond_memo *memo);
int cc_node_eval_memo(const struct cc_node *n, uint16_t evttype, rule_extract_fn extract, void *ectx,
		      struct cond_memo *memo);

/* Per-event-type folding (specialize.c). The pool owns the copied nodes
 * only; their kids may be nodes of the original tree. */
struct cc_spec_pool {
	struct cc_node **v;
	size_t n, cap;
};
/* 1 or 0 when n is decided for every event of type t; otherwise -1 and *out
 * is the node to evaluate instead (n itself when nothing folds, or when out
 * of memory: the original is always a correct answer). */
int cc_specialize(struct cc_node *n, uint16_t t, struct cc_spec_pool *p, struct cc_node **out);
void cc_spec_pool_free(struct cc_spec_pool *p);
/* A node that is always true (an AND of nothing), owned by p; NULL on ENOMEM. */
struct cc_node *cc_spec_true(struct cc_spec_pool *p);
void cc_node_free(struct cc_node *n);

/* Key under which a value is stored in an in/intersects set (eval.c). */
size_t cc_set_key(int cls, const struct rule_value *v, uint8_t key[24], const char **ptr);

/* ---- Value helpers (value.c) -------------------------------------------- */

int cond_parse_decimal(const char *s, int64_t *out);
int cond_parse_ip(const char *s, uint8_t ip[16], uint8_t *ipv6);
int cond_parse_cidr(const char *s, struct cc_cidr *out);
int cond_parse_hex(const char *s, size_t len, uint8_t **out, size_t *outlen);
int cond_port_lookup(const char *name, uint16_t *port);
int cond_cidr_match(const struct cc_cidr *net, const struct rule_value *v);

/* ---- Glob (glob.c) -------------------------------------------------------- */

/* fnmatch(pat, s, 0) over a length-delimited subject, optional ASCII folding. */
int cond_glob_match(const char *pat, size_t plen, const char *s, size_t slen, int fold);

#endif
