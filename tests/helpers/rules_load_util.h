/* tests/helpers/rules_load_util.h: helpers for the loader tests: load inline YAML, capture printed diagnostics, evaluate fake events. */
#ifndef SAKER_TESTS_HELPERS_RULES_LOAD_UTIL_H
#define SAKER_TESTS_HELPERS_RULES_LOAD_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules/rules.h"
#include "tests/helpers/rules_fake.h"

/* Header of a complete rule named N (priority WARNING) whose condition follows. */
#define RULE(n) "- rule: " n "\n  desc: d\n  output: o\n  priority: WARNING\n  condition: "

struct lt {
	struct rule_loader *l;
	struct rule_set *rs;
	int rc;       /* of the last rule_loader_add_text */
	char *diags;  /* every diagnostic as rule_diag_print prints it */
};

static inline void lt_collect(struct lt *t)
{
	free(t->diags);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	const struct rule_diag_list *d = rule_loader_diags(t->l);
	for (size_t i = 0; i < d->n; i++)
		rule_diag_print(f, &d->v[i]);
	fclose(f);
	t->diags = buf;
}

static inline void lt_init_opts(struct lt *t, const struct rule_load_opts *o)
{
	memset(t, 0, sizeof(*t));
	t->l = rule_loader_new(o);
	assert_non_null(t->l);
}

static inline void lt_init(struct lt *t)
{
	struct rule_load_opts o = {.registry = &fake_reg, .min_priority = RULE_PRIO_DEBUG};
	lt_init_opts(t, &o);
}

/* Adds one file (named "t.yaml" unless name is given) and collects diagnostics. */
static inline int lt_add_named(struct lt *t, const char *name, const char *yaml)
{
	t->rc = rule_loader_add_text(t->l, name, yaml, strlen(yaml));
	lt_collect(t);
	return t->rc;
}

static inline int lt_add(struct lt *t, const char *yaml)
{
	return lt_add_named(t, "t.yaml", yaml);
}

static inline struct rule_set *lt_build(struct lt *t)
{
	t->rs = rule_loader_build(t->l);
	lt_collect(t);
	return t->rs;
}

/* Loads yaml with the fake registry, the tree walk (plain) or the default
 * evaluator, first or all matching; fails the test on any load error. */
static inline void lt_load_with(struct lt *t, const char *yaml, int plain, int all)
{
	struct rule_load_opts o = {.registry = &fake_reg, .min_priority = RULE_PRIO_DEBUG,
				   .rule_matching_all = all, .plain_evaluation = plain};
	lt_init_opts(t, &o);
	if (lt_add(t, yaml) != 0)
		fail_msg("load failed:\n%s", t->diags);
	if (!lt_build(t))
		fail_msg("build failed:\n%s", t->diags);
}

static inline void lt_free(struct lt *t)
{
	rule_set_free(t->rs);
	rule_loader_free(t->l);
	free(t->diags);
	memset(t, 0, sizeof(*t));
}

/* Counts diagnostic lines containing s. */
static inline int lt_count(const struct lt *t, const char *s)
{
	int n = 0;
	for (const char *p = t->diags; p && (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

/* The printed diagnostics must contain this exact line. */
static inline void lt_expect_line(const struct lt *t, const char *line)
{
	const char *p = t->diags ? t->diags : "";
	size_t n = strlen(line);
	for (;;) {
		const char *q = strstr(p, line);
		if (!q)
			break;
		if ((q == t->diags || q[-1] == '\n') && q[n] == '\n')
			return;
		p = q + 1;
	}
	fail_msg("expected diagnostic line\n  %s\ngot\n%s", line, t->diags ? t->diags : "(none)");
}

/* Loading yaml alone fails, and the printed error is exactly line. */
static inline void expect_error(const char *yaml, const char *line)
{
	struct lt t;
	lt_init(&t);
	if (lt_add(&t, yaml) == 0)
		fail_msg("loaded without error, expected\n  %s\nYAML:\n%s", line, yaml);
	lt_expect_line(&t, line);
	assert_null(rule_loader_build(t.l));
	lt_free(&t);
}

/* Loading yaml alone succeeds and prints exactly line (a warning). */
static inline void expect_warning(const char *yaml, const char *line)
{
	struct lt t;
	lt_init(&t);
	if (lt_add(&t, yaml) != 0)
		fail_msg("load failed:\n%s", t.diags);
	lt_expect_line(&t, line);
	lt_free(&t);
}

/* Loads yaml (must succeed) and builds the set. */
static inline void lt_load_ok(struct lt *t, const char *yaml)
{
	lt_init(t);
	if (lt_add(t, yaml) != 0)
		fail_msg("load failed:\n%s\nYAML:\n%s", t->diags, yaml);
	if (!lt_build(t))
		fail_msg("build failed:\n%s", t->diags);
}

static inline size_t rule_index(const struct rule_set *rs, const char *name)
{
	for (size_t i = 0; i < rule_set_count(rs); i++)
		if (!strcmp(rule_set_rule(rs, i)->name, name))
			return i;
	fail_msg("rule '%s' not in the set", name);
	return (size_t)-1;
}

/* Records matches: names joined with ",". */
struct matches {
	char names[512];
	int n;
};

static inline void on_match(void *ctx, const struct rule_match *m)
{
	struct matches *ms = ctx;
	size_t len = strlen(ms->names);
	snprintf(ms->names + len, sizeof(ms->names) - len, "%s%s", ms->n ? "," : "", m->rule->name);
	ms->n++;
}

/* Evaluates one event; returns the matched rule names ("" if none). */
static inline const char *eval_ev(const struct rule_set *rs, struct fake_ev *e, struct matches *ms)
{
	memset(ms, 0, sizeof(*ms));
	size_t n = rule_set_eval(rs, e->type, fake_extract, e, on_match, ms);
	assert_int_equal(n, (size_t)ms->n);
	return ms->names;
}

static inline void ev_basic(struct fake_ev *e, uint16_t type, const char *proc, const char *fd)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->str[F_PROC_NAME] = proc;
	e->str[F_FD_NAME] = fd;
}

/* Fake event type ids (tests/helpers/rules_fake.h order). */
enum { T_OPEN, T_OPENAT, T_EXECVE, T_CONNECT, T_CLOSE, T_READ, T_WRITE, T_PROCEXIT, T_OPENAT2, T_SOCKET };

#endif
