/* tests/test_rules_program.c: per-type jump-coded programs (rules/program.c): their layout, memoised shared subtrees, and the same matches as the tree walk on random rules sharing macros. */
#include "tests/helpers/rules_load_util.h"

#include <stdio.h>
#include <stdlib.h>

#include "rules/group_int.h"
#include "rules/program_int.h"

/* ---- layout, on hand-made trees ----------------------------------------- */

static uint8_t bits_a[4] = {1, 0, 1, 0}; /* types 0 and 2 */
static uint8_t bits_b[4] = {1, 1, 0, 0}; /* types 0 and 1 */

static void leaf(struct cc_node *n, uint8_t *bitmap, uint32_t memo)
{
	memset(n, 0, sizeof(*n));
	n->kind = CC_EVTTYPE;
	n->nbits = 4;
	n->bitmap = bitmap;
	n->memo = memo;
}

static void junction(struct cc_node *n, uint8_t kind, struct cc_node **kids, uint32_t nkids, uint32_t memo)
{
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->kids = kids;
	n->nkids = nkids;
	n->memo = memo;
}

static void test_layout(void **state)
{
	(void)state;
	/* shared = (a or b), memo slot 1; r1 = shared and not a; r2 = shared; r3 = not shared */
	struct cc_node a, b, shared, na, r1, r2, r3;
	leaf(&a, bits_a, 0);
	leaf(&b, bits_b, 0);
	struct cc_node *sk[] = {&a, &b};
	junction(&shared, CC_OR, sk, 2, 1);
	struct cc_node *nak[] = {&a};
	junction(&na, CC_NOT, nak, 1, 0);
	struct cc_node *r1k[] = {&shared, &na};
	junction(&r1, CC_AND, r1k, 2, 0);
	struct cc_node *r2k[] = {&shared};
	junction(&r2, CC_AND, r2k, 1, 0);
	struct cc_node *r3k[] = {&shared};
	junction(&r3, CC_NOT, r3k, 1, 0);
	/* type 0: r1 r2 r3; type 1: r2 r3; types 2, 3: nothing */
	const struct cc_node *roots[] = {&r1, &r2, &r3, &r2, &r3};
	uint32_t off[] = {0, 3, 5, 5, 5};
	struct rule_program *p = rule_program_build(roots, off, 4, 1, 1);
	assert_non_null(p);
	/* ops 0, 1: REJECT, ACCEPT. Type 0, built back to front: r1's "not a"
	 * (2), the shared body's RETs (3, 4) and tests b (5), a (6), r1's MEMO
	 * (7, its entry); r2: a MEMO (8); r3: a MEMO with swapped ends (9). */
	const struct rp_op *o = p->ops;
	assert_int_equal(p->nops, 16);
	assert_int_equal(o[0].kind, RP_REJECT);
	assert_int_equal(o[1].kind, RP_ACCEPT);
	assert_int_equal(p->type_op0[0], 2);
	assert_int_equal(o[2].kind, RP_EVTTYPE);
	assert_ptr_equal(o[2].u.bitmap, bits_a);
	assert_int_equal(o[2].t, RP_OP_REJECT);
	assert_int_equal(o[2].f, RP_OP_ACCEPT);
	assert_int_equal(o[3].kind, RP_RET);
	assert_int_equal(o[3].arg, 1);
	assert_int_equal(o[4].kind, RP_RET);
	assert_int_equal(o[4].arg, 0);
	assert_int_equal(o[5].t, 3);
	assert_int_equal(o[5].f, 4);
	assert_int_equal(o[6].t, 3); /* a true: the OR is true */
	assert_int_equal(o[6].f, 5); /* else b */
	assert_int_equal(p->entry[0], 7);
	assert_int_equal(o[7].kind, RP_MEMO);
	assert_int_equal(o[7].slot, 1);
	assert_int_equal(o[7].arg, 6);
	assert_int_equal(o[7].t, 2);
	assert_int_equal(o[7].f, RP_OP_REJECT);
	assert_int_equal(p->entry[1], 8);
	assert_int_equal(o[8].arg, 6);
	assert_int_equal(o[8].t, RP_OP_ACCEPT);
	assert_int_equal(p->entry[2], 9);
	assert_int_equal(o[9].t, RP_OP_REJECT);
	assert_int_equal(o[9].f, RP_OP_ACCEPT);
	/* the guards: r1 and r2 start with the shared macro, r3 has none */
	assert_int_equal(p->guard[0].kind, RP_MEMO);
	assert_int_equal(p->guard[0].op, 6);
	assert_int_equal(p->guard[1].kind, RP_MEMO);
	assert_int_equal(p->guard[2].kind, RP_REJECT);
	/* type 1 lays the shared body out again */
	assert_int_equal(p->type_op0[1], 10);
	assert_int_equal(p->entry[3], 14);
	assert_int_equal(o[14].arg, 13);
	assert_int_equal(o[15].arg, 13);
	assert_int_equal(p->type_op0[2], 16);
	assert_int_equal(p->type_op0[4], 16);
	assert_int_equal(p->nslots[0], 1);
	assert_int_equal(p->nslots[1], 1);
	assert_int_equal(p->nslots[2], 0);
	assert_int_equal(p->maxslots, 1);
	/* type 0: shared true, a true: r1 false, r2 true, r3 false */
	rule_program_begin(p, 0);
	assert_int_equal(rule_program_eval(p, 0, 0, NULL, NULL), 0);
	assert_int_equal(p->memo[0], 2);
	assert_int_equal(rule_program_eval(p, 1, 0, NULL, NULL), 1);
	assert_int_equal(rule_program_eval(p, 2, 0, NULL, NULL), 0);
	/* type 1, second rule first: the reference evaluates the body */
	rule_program_begin(p, 1);
	assert_int_equal(p->memo[0], 0);
	assert_int_equal(rule_program_eval(p, 4, 1, NULL, NULL), 0);
	assert_int_equal(p->memo[0], 2);
	assert_int_equal(rule_program_eval(p, 3, 1, NULL, NULL), 1);
	/* a memoised answer is taken as is: the memo is per event */
	p->memo[0] = 1;
	assert_int_equal(rule_program_eval(p, 3, 1, NULL, NULL), 0);
	rule_program_free(p);
}

/* ---- differential, through the loader ----------------------------------- */

static void random_value(char *buf, size_t cap, unsigned *seed)
{
	static const char alpha[] = "ab/";
	size_t len = 1 + (size_t)(rand_r(seed) % 4);
	if (len >= cap)
		len = cap - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = alpha[rand_r(seed) % 3];
	buf[len] = '\0';
}

static void random_check(char *out, size_t cap, unsigned *seed)
{
	static const char *const fields[] = {"proc.name", "fd.name", "proc.pname", "proc.cmdline"};
	static const char *const ops[] = {"=", "contains", "startswith", "endswith", "!=", "exists"};
	char v[8];
	random_value(v, sizeof(v), seed);
	const char *f = fields[rand_r(seed) % 4], *op = ops[rand_r(seed) % 6];
	if (!strcmp(op, "exists"))
		snprintf(out, cap, "%s exists", f);
	else
		snprintf(out, cap, "%s %s \"%s\"", f, op, v);
}

/* Macros over checks and event types, used by many rules in and/or/not
 * mixes, so that shared subtrees (memo slots, references) abound. */
static char *gen_rules(unsigned seed)
{
	static const char *const types[] = {"open", "openat", "execve", "connect"};
	size_t cap = 1 << 20, n = 0;
	char *y = malloc(cap);
	for (int m = 0; m < 12; m++) {
		char c1[64], c2[64];
		random_check(c1, sizeof(c1), &seed);
		random_check(c2, sizeof(c2), &seed);
		const char *t = types[rand_r(&seed) % 4];
		if (m >= 6) /* macros of macros */
			n += (size_t)snprintf(y + n, cap - n, "- macro: m%d\n  condition: (m%d %s (%s))\n", m,
					      rand_r(&seed) % 6, rand_r(&seed) % 2 ? "and" : "or", c1);
		else
			n += (size_t)snprintf(y + n, cap - n,
					      "- macro: m%d\n  condition: (evt.type = %s or %s) and (%s or not %s)\n", m,
					      t, c1, c2, c1);
	}
	for (int r = 0; r < 60; r++) {
		char c1[64];
		random_check(c1, sizeof(c1), &seed);
		int a = rand_r(&seed) % 12, b = rand_r(&seed) % 12;
		const char *j = r % 3 == 0 ? "and" : r % 3 == 1 ? "or" : "and not";
		/* every fourth nests its first conjuncts, as exceptions do */
		n += (size_t)snprintf(y + n, cap - n, RULE("r%d") "%sevt.type in (open, openat, execve) and (m%d %s m%d)%s and "
				      "(%s or m%d)\n", r, r % 4 == 3 ? "(" : "", a, j, b, r % 4 == 3 ? ")" : "", c1,
				      (a + b) % 12);
	}
	return y;
}

static void test_program_equals_tree(void **state)
{
	(void)state;
	static const uint16_t evtypes[] = {T_OPEN, T_OPENAT, T_EXECVE, T_CONNECT};
	int compared = 0, matched = 0;
	for (unsigned round = 1; round <= 4; round++) {
		char *yaml = gen_rules(round * 104729u);
		for (int all = 0; all <= 1; all++) {
			struct lt g, p;
			lt_load_with(&g, yaml, 0, all);
			lt_load_with(&p, yaml, 1, all);
			unsigned seed = round;
			for (int i = 0; i < 2000; i++) {
				char pn[8], fn[8], pp[8], cl[8];
				random_value(pn, sizeof(pn), &seed);
				random_value(fn, sizeof(fn), &seed);
				random_value(pp, sizeof(pp), &seed);
				random_value(cl, sizeof(cl), &seed);
				struct fake_ev e;
				struct matches mg, mp;
				ev_basic(&e, evtypes[i % 4], pn, i % 5 ? fn : NULL);
				e.str[F_PROC_PNAME] = i % 3 ? pp : NULL;
				e.str[F_PROC_CMDLINE] = cl;
				char rg[512];
				snprintf(rg, sizeof(rg), "%s", eval_ev(g.rs, &e, &mg));
				const char *rp = eval_ev(p.rs, &e, &mp);
				if (strcmp(rg, rp))
					fail_msg("event %d: program %s, tree %s", i, rg, rp);
				compared++;
				matched += mp.n;
			}
			lt_free(&g);
			lt_free(&p);
		}
		free(yaml);
	}
	assert_int_equal(compared, 16000);
	print_message("%d matches over %d evaluations\n", matched, compared);
	assert_true(matched > compared / 4 && matched < compared * 60);
}

/* A check shared by several rules is extracted once per event by the
 * program (memo), as by the tree walk. */
static void test_shared_check_once(void **state)
{
	(void)state;
	static const char yaml[] = "- macro: m\n  condition: proc.name = x\n"
		RULE("a") "evt.type = open and m and fd.name = nomatch\n"
		RULE("b") "evt.type = open and m and fd.name = other\n"
		RULE("c") "evt.type = open and not m\n";
	struct lt t;
	lt_load_with(&t, yaml, 0, 1);
	struct fake_ev e;
	struct matches ms;
	ev_basic(&e, T_OPEN, "x", "f");
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	/* proc.name once, fd.name once per rule (unshared checks) */
	assert_int_equal(e.calls, 3);
	ev_basic(&e, T_OPEN, "y", "f");
	assert_string_equal(eval_ev(t.rs, &e, &ms), "c");
	assert_int_equal(e.calls, 1);
	lt_free(&t);
}

/* A conjunct already known false this event decides a root before its
 * first conjunct is evaluated (b's fd.name is not read), and the result
 * is the tree walk's. */
static void test_known_false_skips(void **state)
{
	(void)state;
	static const char yaml[] = "- macro: m\n  condition: proc.name = x\n"
		RULE("a") "evt.type = open and m\n"
		RULE("b") "evt.type = open and fd.name = q and m\n"
		RULE("c") "evt.type = open and not m\n";
	for (int plain = 0; plain <= 1; plain++) {
		struct lt t;
		lt_load_with(&t, yaml, plain, 1);
		struct fake_ev e;
		struct matches ms;
		ev_basic(&e, T_OPEN, "y", "q");
		assert_string_equal(eval_ev(t.rs, &e, &ms), "c");
		assert_int_equal(e.calls, plain ? 2 : 1);
		ev_basic(&e, T_OPEN, "x", "q");
		assert_string_equal(eval_ev(t.rs, &e, &ms), "a,b");
		lt_free(&t);
	}
}

/* ---- groups per event type --------------------------------------------- */

static struct cond_compiled *compile(const char *text)
{
	struct cond_error err;
	struct cond_warnings warn = {0};
	int unknown = 0;
	struct cond_node *n = cond_parse(text, 1000, &err);
	assert_non_null(n);
	struct cond_compiled *c = cond_compile(n, &fake_reg, &warn, &unknown, &err);
	cond_free(n);
	if (!c)
		fail_msg("%s: %s", text, err.msg);
	return c;
}

static int count_kind(const struct rule_program *p, uint32_t lo, uint32_t hi, int kind)
{
	int n = 0;
	for (uint32_t i = lo; i < hi; i++)
		n += p->ops[i].kind == kind;
	return n;
}

static int tagged(const struct cc_node *n)
{
	int t = n->grp != 0;
	for (uint32_t i = 0; i < n->nkids; i++)
		t += tagged(n->kids[i]);
	return t;
}

/* Every entry of types open to execve against the tree walk of its
 * condition (c[rule_of[k]], or c[k] without rule_of), for proc.name and
 * fd.name values that hit and miss the groups; returns the matches. */
static int matches_tree(struct rule_program *p, const uint32_t *off, struct cond_compiled *const *c,
			const int *rule_of)
{
	static const char *const names[] = {"a", "bb", "cx", "xd", "e", "f", "g", NULL};
	static const char *const files[] = {"x", "y", "az", "aw", "q", NULL};
	int hits = 0;
	for (int ni = 0; ni < 8; ni++)
		for (int fi = 0; fi < 6; fi++)
			for (uint16_t t = T_OPEN; t <= T_EXECVE; t++) {
				struct fake_ev e;
				ev_basic(&e, t, names[ni], files[fi]);
				rule_program_begin(p, t);
				for (uint32_t k = off[t]; k < off[t + 1]; k++) {
					int want = cond_eval(c[rule_of ? (uint32_t)rule_of[k] : k], t, fake_extract, &e);
					int got = rule_program_eval(p, k, t, fake_extract, &e);
					if (want != got)
						fail_msg("type %u entry %u, proc.name %s, fd.name %s: program %d, tree %d", t,
							 k, names[ni] ? names[ni] : "(none)",
							 files[fi] ? files[fi] : "(none)", got, want);
					hits += got;
				}
			}
	return hits;
}

/* The rules of the two group tests: five proc.name checks and four fd.name
 * checks in the first four, one more proc.name check in the fifth. */
static const char *const text[] = {
	"proc.name = a or proc.name contains b",
	"proc.name startswith c or proc.name endswith d",
	"proc.name in (e, f) and fd.name = x",
	"fd.name = x or fd.name = y or fd.name contains z or fd.name endswith w",
	"proc.name = a",
};

/* Five proc.name checks on open, one on execve: proc.name is grouped for
 * open only; fd.name's four checks on execve make execve's group. Results
 * are those of the tree walk, and the nodes are left untagged. */
static void test_groups_per_type(void **state)
{
	(void)state;
	struct cond_compiled *c[5];
	const struct cc_node *roots[5];
	for (int i = 0; i < 5; i++) {
		c[i] = compile(text[i]);
		roots[i] = c[i]->root;
	}
	uint32_t off[FAKE_NTYPES + 1];
	for (int t = 0; t <= FAKE_NTYPES; t++)
		off[t] = t == 0 ? 0 : t <= T_EXECVE ? 3 : 5;
	struct rule_program *p = rule_program_build(roots, off, FAKE_NTYPES, 0, 1);
	assert_non_null(p);
	assert_non_null(p->groups[T_OPEN]);
	assert_int_equal(rule_groups_count(p->groups[T_OPEN]), 1);
	assert_non_null(p->groups[T_EXECVE]);
	assert_int_equal(rule_groups_count(p->groups[T_EXECVE]), 1);
	assert_null(p->groups[T_OPENAT]);
	/* open: five grouped proc.name checks, fd.name = x alone; execve: four
	 * grouped fd.name checks, proc.name = a alone */
	const uint32_t *t0 = p->type_op0;
	assert_int_equal(count_kind(p, t0[T_OPEN], t0[T_OPEN + 1], RP_GROUP), 5);
	assert_int_equal(count_kind(p, t0[T_OPEN], t0[T_OPEN + 1], RP_CHECK), 1);
	assert_int_equal(count_kind(p, t0[T_EXECVE], t0[T_EXECVE + 1], RP_GROUP), 4);
	assert_int_equal(count_kind(p, t0[T_EXECVE], t0[T_EXECVE + 1], RP_CHECK), 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(tagged(roots[i]), 0);
	assert_true(matches_tree(p, off, c, NULL) > 20);
	rule_program_free(p);
	for (int i = 0; i < 5; i++)
		cond_compiled_free(c[i]);
}

/* open and openat run the same three rules: they share one set of groups
 * (one owner per type), execve has its own; results stay the tree walk's. */
static void test_groups_shared_between_types(void **state)
{
	(void)state;
	struct cond_compiled *c[4];
	for (int i = 0; i < 4; i++)
		c[i] = compile(text[i]);
	/* open: 0 1 2; openat: 0 1 2 again; execve: 3 */
	const struct cc_node *roots[7] = {c[0]->root, c[1]->root, c[2]->root, c[0]->root,
					  c[1]->root, c[2]->root, c[3]->root};
	static const int rule_of[7] = {0, 1, 2, 0, 1, 2, 3};
	uint32_t off[FAKE_NTYPES + 1];
	for (int t = 0; t <= FAKE_NTYPES; t++)
		off[t] = t == 0 ? 0 : t == 1 ? 3 : t == 2 ? 6 : 7;
	struct rule_program *p = rule_program_build(roots, off, FAKE_NTYPES, 0, 1);
	assert_non_null(p);
	assert_non_null(p->groups[T_OPEN]);
	assert_ptr_equal(p->groups[T_OPEN], p->groups[T_OPENAT]);
	assert_non_null(p->groups[T_EXECVE]);
	assert_ptr_not_equal(p->groups[T_OPEN], p->groups[T_EXECVE]);
	/* both types' layouts read the shared group with the same bits, and
	 * go to the same places (relative to their start, or a rule's end) */
	const uint32_t *t0 = p->type_op0;
	uint32_t n = t0[T_OPEN + 1] - t0[T_OPEN];
	assert_int_equal(t0[T_OPENAT + 1] - t0[T_OPENAT], n);
	assert_int_equal(count_kind(p, t0[T_OPEN], t0[T_OPEN + 1], RP_GROUP), 5);
	assert_int_equal(count_kind(p, t0[T_OPENAT], t0[T_OPENAT + 1], RP_GROUP), 5);
	for (uint32_t i = 0; i < n; i++) {
		const struct rp_op *a = &p->ops[t0[T_OPEN] + i], *b = &p->ops[t0[T_OPENAT] + i];
		assert_int_equal(a->kind, b->kind);
		if (a->kind == RP_GROUP) {
			assert_int_equal(a->slot, b->slot);
			assert_int_equal(a->arg, b->arg);
		}
		uint32_t d = t0[T_OPENAT] - t0[T_OPEN];
		assert_int_equal(a->t <= RP_OP_ACCEPT ? a->t : a->t + d, b->t);
		assert_int_equal(a->f <= RP_OP_ACCEPT ? a->f : a->f + d, b->f);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(tagged(c[i]->root), 0);
	assert_true(matches_tree(p, off, c, rule_of) > 20);
	/* one owner per type: freeing the program frees the shared group once */
	rule_program_free(p);
	for (int i = 0; i < 4; i++)
		cond_compiled_free(c[i]);
}

/* Enough rules on one type for an index (RP_INDEX_MIN), of five shapes:
 * an OR root of grouped checks, an OR conjunct, a grouped guard, a
 * clause after an ungrouped check, and rules with no clause (free). */
static void index_rule(char *out, size_t cap, int i)
{
	char a = "ab"[i % 2], c = "ab"[(i / 2) % 2], d = "ab/"[(i / 4) % 3];
	switch (i % 5) {
	case 0:
		snprintf(out, cap, "fd.name startswith /%c%c or fd.name endswith %c%c or proc.name = %c", a, c, d, a, d);
		break;
	case 1:
		snprintf(out, cap, "(fd.name = /%c or fd.name contains %c%c) and proc.pid > %d", a, c, d, i % 4);
		break;
	case 2:
		snprintf(out, cap, "proc.name startswith %c and fd.name endswith %c%c and not proc.name = %c%c", a, c,
			 d, a, c);
		break;
	case 3:
		snprintf(out, cap, "proc.pid > %d and (proc.name = %c%c or fd.name startswith /%c)", i % 3, a, c, d);
		break;
	default:
		snprintf(out, cap, "proc.pid < %d or fd.name contains %c%c", i % 3, a, d);
	}
}

/* An indexed type tries only the rules whose index clause has a set bit
 * (and the free ones): rule_program_next finds every match the tree walk
 * finds, in order, and no other. */
static void test_index_equals_tree(void **state)
{
	(void)state;
	enum { N = 150 };
	struct cond_compiled *c[N];
	const struct cc_node *roots[N];
	char text[160];
	for (int i = 0; i < N; i++) {
		index_rule(text, sizeof(text), i);
		c[i] = compile(text);
		roots[i] = c[i]->root;
	}
	uint32_t off[FAKE_NTYPES + 1];
	for (int t = 0; t <= FAKE_NTYPES; t++)
		off[t] = t == 0 ? 0 : N;
	struct rule_program *p = rule_program_build(roots, off, FAKE_NTYPES, 0, 1);
	assert_non_null(p);
	const struct rp_index *x = p->index[T_OPEN];
	assert_non_null(x);
	uint32_t nfree = 0;
	for (uint32_t i = 0; i < N; i++)
		nfree += (uint32_t)(x->free[i / 64] >> (i % 64) & 1);
	assert_int_equal(nfree, N / 5); /* the fifth shape */
	unsigned seed = 7;
	int hits = 0;
	for (int it = 0; it < 3000; it++) {
		char pn[8], fn[8];
		random_value(pn, sizeof(pn), &seed);
		random_value(fn, sizeof(fn), &seed);
		struct fake_ev e;
		ev_basic(&e, T_OPEN, it % 7 ? pn : NULL, it % 11 ? fn : NULL);
		e.has_num[F_PROC_PID] = it % 13 != 0;
		e.num[F_PROC_PID] = it % 5;
		rule_program_begin(p, T_OPEN);
		uint32_t k = rule_program_next(p, 0, N, T_OPEN, fake_extract, &e);
		for (uint32_t i = 0; i < N; i++) {
			int want = cond_eval(c[i], T_OPEN, fake_extract, &e);
			if (want != (k == i))
				fail_msg("event %d (proc.name %s, fd.name %s): rule %u: tree %d, next match %u", it,
					 e.str[F_PROC_NAME] ? pn : "-", e.str[F_FD_NAME] ? fn : "-", i, want, k);
			if (k == i) {
				hits++;
				k = rule_program_next(p, k + 1, N, T_OPEN, fake_extract, &e);
			}
		}
		assert_int_equal(k, N);
	}
	print_message("%d matches over 3000 events\n", hits);
	assert_true(hits > 3000 && hits < 3000 * N / 2);
	rule_program_free(p);
	for (int i = 0; i < N; i++)
		cond_compiled_free(c[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_groups_shared_between_types),
		cmocka_unit_test(test_program_equals_tree),
		cmocka_unit_test(test_shared_check_once),
		cmocka_unit_test(test_known_false_skips),
		cmocka_unit_test(test_groups_per_type),
		cmocka_unit_test(test_index_equals_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
