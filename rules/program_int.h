/* rules/program_int.h: per-event-type flat programs: the folded conditions of a type's candidate rules laid out in one array. */
#ifndef SAKER_RULES_PROGRAM_INT_H
#define SAKER_RULES_PROGRAM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/cond_int.h"

/*
 * The tree walk of rules/eval.c chases pointers through nodes allocated one
 * by one and recurses at every operator. A program holds, for each event
 * type, every candidate rule's folded condition as jump code in one
 * contiguous array: each test (a grouped check's bit, a check, an event
 * type set, a memoised subtree) names the op to go to when it is true and
 * when it is false, and a rule ends at ACCEPT or REJECT, so an AND, an OR
 * or a NOT costs nothing at run time but the choice of successor. A
 * subtree shared between rules (a memo slot) is laid out once per type as a
 * body ending in two RET ops that store its result, in a byte per slot
 * numbered per type (0 unknown, 1 false, 2 true), cleared when the event
 * starts; its uses are MEMO ops that take the byte or run the body (the
 * only recursion). A memoised check is tested in place. A rule's guard
 * (the leftmost memoised or grouped conjunct of its root) is kept in a
 * dense array beside the others of its type, so the many rules whose
 * leading macro is false this event are skipped without loading their
 * code; its other necessary conditions (struct rp_known: memo slots, and
 * clauses of group bits) skip it when false. A type with many rules has an
 * index from group bits to rules (struct rp_index), so that an event tries
 * only the rules one of whose necessary bits is set. Which rules match, in
 * which order, is the tree walk's: every skipped rule is false, and memo
 * slots and groups are pure (which rule fills them first changes nothing).
 */

enum rp_kind {
	RP_REJECT = 0,    /* a rule's end: no match (ops[RP_OP_REJECT]) */
	RP_ACCEPT,        /* a rule's end: match (ops[RP_OP_ACCEPT]) */
	RP_RET,           /* a memoised body's end: its result `arg` (0/1) */
	RP_CHECK,         /* chk; slot: a memoised check */
	RP_EVTTYPE,       /* bitmap, nbits, negate */
	RP_GROUP,         /* a grouped check: group `slot`, result bit `arg` */
	RP_MEMO,          /* memo `slot`, else the body at op `arg` */
};
#define RP_OP_REJECT 0u
#define RP_OP_ACCEPT 1u

struct rp_op {
	uint8_t kind;
	uint8_t negate;
	uint16_t nbits;
	uint32_t slot;    /* 1-based per-type memo slot (0 none); RP_GROUP: the group */
	uint32_t t, f;    /* the next op when the test is true, false */
	uint32_t arg;     /* RP_GROUP: result bit; RP_MEMO: body; RP_RET: result */
	union {
		const struct cc_check *chk;
		const uint8_t *bitmap;
	} u;
};

/* A rule's first necessary condition, answered before its root is
 * touched: kind RP_GROUP (group `slot`, bit `op`), or RP_MEMO (memo
 * `slot`, its body at `op`); RP_REJECT: none. */
struct rp_guard {
	uint8_t kind;
	uint8_t nknown;   /* terms in known[x0 ..] */
	uint8_t nmemo;    /* the first nmemo of them are single memo slots, the rest clauses */
	uint32_t slot;
	uint32_t op;
	uint32_t x0;
};

/* Other necessary conditions of a rule, tested before its root: a false
 * one decides the rule, whatever its place. A term is a memo slot (false
 * when its byte says so, computed for an earlier rule; never evaluated
 * here) or group `slot`'s bit `bit` (the group filled if it is not yet:
 * a fill is one read of a field that most rules of the type read anyway,
 * and a false clause spares the rule's root; on a recorded compile, 2.4%
 * fewer instructions than waiting for a rule to fill it). The first nmemo terms of a rule stand
 * alone; the rest form clauses of n terms (n set on a clause's first),
 * each an OR that holds whenever the rule does: a conjunct of its root, or
 * one term per alternative of an OR conjunct (down through ANDs), so that
 * `(open_read or open_directory) and (fd.name startswith /a or ...)`
 * gives two clauses. A clause is false when all its terms are. */
struct rp_known {
	uint8_t n;
	uint8_t memo;
	uint32_t slot;
	uint32_t bit;
};
#define RP_MAX_KNOWN 16

/* Event types with at least RP_INDEX_MIN rules that have an index clause
 * (below) get an index. Tuned with cachegrind on 200k-event replays of the
 * three upstream files (the synthetic capture and a recorded compile) and
 * of 100 and 1,000 generated rules: from 8 rules up, with the groups read
 * by a fifth of a type's rules, the upstream replays ran 7% (synthetic)
 * and 4% (compile) fewer instructions, 26% and 20% fewer mispredicted
 * branches, than with the index from 32 rules on any group; filling every group a clause reads made the
 * compile 5% costlier (proc.env and proc.cmdline filled on every execve). */
#define RP_INDEX_MIN 8

/* A type's rules by the group bits that can make them true. A rule's
 * index clause is its first clause (its guard when that is a group bit,
 * then its known clauses) of bits of the type's common groups, those read
 * by the clauses of a fifth of its rules or more: when none of its bits is
 * set, the rule is false. An event of the type fills those groups, and
 * only the rules with a set bit, or with no index clause (free), are
 * tried, in order. */
struct rp_index {
	uint32_t base;        /* the type's first entry */
	uint32_t nent;        /* its entries */
	uint32_t *groups;     /* the groups the clauses read */
	uint32_t ngroups;
	uint64_t *relevant;   /* per word: the bits some clause holds */
	uint32_t *rwords;     /* the words with such bits, in order (most of a type's group words have none) */
	uint32_t nrwords;
	uint32_t *bit_off;    /* per bit + 1: its rules are ent[bit_off[b] .. bit_off[b + 1]) */
	uint32_t *ent;        /* entries, as offsets from base */
	uint64_t *free;       /* bitmap of the entries without an index clause */
};

struct rule_groups;
struct rule_program {
	struct rp_op *ops;
	size_t nops, cap;
	/* Field groups per event type (rules/group.c), of the checks that
	 * type's rules make only: an openat fills automata that hold the
	 * constants of the open rules, not every rule's. gm is their per-event
	 * state; gm.groups is the current type's. */
	struct rule_groups **groups;
	struct cond_memo gm;
	uint16_t ntypes;
	uint32_t *entry;      /* per index entry: the first op of its root */
	uint32_t *type_op0;   /* per event type + 1: its ops are [type_op0[t], type_op0[t + 1]) */
	struct rp_guard *guard; /* per index entry, next to each other: a miss costs no root */
	struct rp_known *known;
	size_t nknown, capknown;
	struct rp_index **index; /* per event type, NULL when it has none */
	uint64_t *cand;       /* per event: the indexed type's entries to try */
	int cand_ok;          /* cand is the current event's */
	uint32_t *nslots;     /* per event type: memo slots used */
	uint8_t *memo;        /* per-event results, max(nslots) bytes */
	size_t maxslots;
};

/* Lays out roots[off[t] .. off[t + 1]) for every type t < ntypes. Nodes'
 * memo slots (< nglobal) are honoured; with use_groups, the string checks of
 * each type's rules are grouped for that type (the nodes' group tags are
 * set while a type is laid out, then cleared: the roots must carry none).
 * NULL when out of memory. */
struct rule_program *rule_program_build(const struct cc_node *const *roots, const uint32_t *off, uint16_t ntypes,
					size_t nglobal, int use_groups);
void rule_program_free(struct rule_program *p);

/* Starts an event of type t < ntypes (clears its memo). */
static inline void rule_program_begin(struct rule_program *p, uint16_t t)
{
	if (p->nslots[t])
		memset(p->memo, 0, p->nslots[t]);
	p->gm.gen++;
	p->gm.groups = p->groups ? p->groups[t] : NULL;
	p->cand_ok = 0;
}

/* Type t's group that its index fills before its rules run and that reads
 * field field_id (bare): 0 with *group and *nwords; -1 when none. */
int rule_program_ahead_group(const struct rule_program *p, uint16_t t, uint16_t field_id, uint32_t *group,
			     uint32_t *nwords);

/* Result of index entry k (of the type begun) for the current event. */
int rule_program_eval(struct rule_program *p, uint32_t k, uint16_t evttype, rule_extract_fn ex, void *ectx);
/* The first entry in [k, end) (of the type begun) that matches the
 * current event, or end: entries are tried in order, as rule_set_eval
 * would one by one (in an indexed type, only the candidates). */
uint32_t rule_program_next(struct rule_program *p, uint32_t k, uint32_t end, uint16_t evttype, rule_extract_fn ex,
			   void *ectx);

#endif
