/* tests/test_rules_group.c: field groups (grouped evaluation) give the same matches as the plain walk, on random values against many checks. */
#include "tests/helpers/rules_load_util.h"

#include <stdio.h>
#include <stdlib.h>

/* Values over a small alphabet so that every kind of check both matches
 * and misses often; '/' makes pmatch components. */
static void random_value(char *buf, size_t cap, unsigned *seed)
{
	static const char alpha[] = "ab/c";
	size_t len = (size_t)(rand_r(seed) % 9);
	if (len >= cap)
		len = cap - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = alpha[rand_r(seed) % 4];
	buf[len] = '\0';
}

/* Rules making every grouped kind of check on proc.name and fd.name,
 * mixed with and/or/not so the walk short-circuits differently per rule. */
static char *gen_rules(unsigned seed)
{
	static const char *const ops[] = {"=", "contains", "startswith", "endswith", "in", "pmatch", "glob"};
	static const char *const fields[] = {"proc.name", "fd.name"};
	size_t cap = 1 << 20, n = 0;
	char *y = malloc(cap);
	for (int r = 0; r < 120; r++) {
		char a[16], b[16], c[16];
		random_value(a, sizeof(a), &seed);
		random_value(b, sizeof(b), &seed);
		random_value(c, sizeof(c), &seed);
		const char *f1 = fields[rand_r(&seed) % 2], *f2 = fields[rand_r(&seed) % 2];
		const char *o1 = ops[rand_r(&seed) % 7], *o2 = ops[rand_r(&seed) % 7];
		char c1[96], c2[96];
		if (!strcmp(o1, "in") || !strcmp(o1, "pmatch"))
			snprintf(c1, sizeof(c1), "%s %s (\"%s\", \"%s\")", f1, o1, a, c);
		else if (!strcmp(o1, "glob")) /* a literal start (grouped) or none (left to the walk) */
			snprintf(c1, sizeof(c1), "%s glob \"%s%s%s\"", f1, a, r % 2 ? "*" : "?", c);
		else
			snprintf(c1, sizeof(c1), "%s %s \"%s\"", f1, o1, a);
		if (!strcmp(o2, "in") || !strcmp(o2, "pmatch"))
			snprintf(c2, sizeof(c2), "%s %s (\"%s\")", f2, o2, b);
		else if (!strcmp(o2, "glob"))
			snprintf(c2, sizeof(c2), "%s glob \"%s*%s*\"", f2, b, a);
		else
			snprintf(c2, sizeof(c2), "%s %s \"%s\"", f2, o2, b);
		const char *join = r % 3 == 0 ? "and" : r % 3 == 1 ? "or" : "and not";
		n += (size_t)snprintf(y + n, cap - n, RULE("r%d") "evt.type in (open, execve) and (%s %s %s)\n", r,
				      c1, join, c2);
	}
	return y;
}

static void test_grouped_equals_plain(void **state)
{
	(void)state;
	int compared = 0, matched = 0;
	for (unsigned round = 1; round <= 4; round++) {
		char *yaml = gen_rules(round * 7919u);
		for (int all = 0; all <= 1; all++) {
			struct lt g, p;
			lt_load_with(&g, yaml, 0, all);
			lt_load_with(&p, yaml, 1, all);
			unsigned seed = round;
			for (int i = 0; i < 3000; i++) {
				char pn[16], fn[16];
				random_value(pn, sizeof(pn), &seed);
				random_value(fn, sizeof(fn), &seed);
				struct fake_ev e;
				struct matches mg, mp;
				ev_basic(&e, i % 2 ? T_OPEN : T_EXECVE, pn, i % 7 ? fn : NULL);
				char rg[512];
				snprintf(rg, sizeof(rg), "%s", eval_ev(g.rs, &e, &mg));
				const char *rp = eval_ev(p.rs, &e, &mp);
				if (strcmp(rg, rp))
					fail_msg("proc.name=\"%s\" fd.name=\"%s\": grouped %s, plain %s", pn, fn, rg, rp);
				compared++;
				matched += mp.n;
			}
			lt_free(&g);
			lt_free(&p);
		}
		free(yaml);
	}
	assert_int_equal(compared, 24000);
	/* the comparison covered matches, not only misses */
	print_message("%d matches over %d evaluations\n", matched, compared);
	assert_true(matched > compared && matched < compared * 60);
}

/* A group keeps its answers by value (rules/group_cache.c). Values that
 * share long prefixes and differ in their last bytes or their length,
 * values around the cache's key limit (116 bytes) and beyond it, each seen
 * many times in a shuffled order (hits, misses, evictions), still give the
 * plain walk's matches. */
static void test_cached_values_equal_plain(void **state)
{
	(void)state;
	enum { NVAL = 600 };
	static char vals[NVAL][160];
	unsigned seed = 77;
	for (int i = 0; i < NVAL; i++) {
		size_t len = 100 + (size_t)(rand_r(&seed) % 40);
		for (size_t k = 0; k < len; k++)
			vals[i][k] = i % 2 ? "ab/c"[(k * 7 + (size_t)i / 50) % 4] : "ab/c"[rand_r(&seed) % 4];
		vals[i][len] = '\0';
	}
	char *yaml = gen_rules(4242u);
	struct lt g, p;
	lt_load_with(&g, yaml, 0, 1);
	lt_load_with(&p, yaml, 1, 1);
	int matched = 0;
	for (int i = 0; i < 20000; i++) {
		const char *fn = vals[rand_r(&seed) % NVAL], *pn = vals[rand_r(&seed) % 8];
		struct fake_ev e;
		struct matches mg, mp;
		ev_basic(&e, i % 2 ? T_OPEN : T_EXECVE, pn, fn);
		char rg[512];
		snprintf(rg, sizeof(rg), "%s", eval_ev(g.rs, &e, &mg));
		const char *rp = eval_ev(p.rs, &e, &mp);
		if (strcmp(rg, rp))
			fail_msg("fd.name=\"%s\": grouped %s, plain %s", fn, rg, rp);
		matched += mp.n;
	}
	lt_free(&g);
	lt_free(&p);
	free(yaml);
	print_message("%d matches over 20000 evaluations\n", matched);
	assert_true(matched > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouped_equals_plain),
		cmocka_unit_test(test_cached_values_equal_plain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
