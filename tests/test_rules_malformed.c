/* tests/test_rules_malformed.c: table of malformed rules files: each gets a one-line FILE:LINE:COL diagnostic, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fields/fields.h"
#include "rules/rules.h"

#define FILE_NAME "bad.yaml"

/*
 * One case: the rules text (len 0 = strlen, so NUL bytes need an explicit
 * length; gen builds huge inputs instead), the diagnostic expected (error,
 * or the warning code where Falco only warns), a substring of its message,
 * and its line:col.
 */
struct bad_case {
	const char *name;
	const char *text;
	size_t len;
	char *(*gen)(size_t *len);
	int code;           /* LOAD_* code of the expected diagnostic */
	const char *substr; /* in the message */
	int line, col;
};

/* ---- generated inputs -------------------------------------------------- */

struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_rep(struct sbuf *b, const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		sb_puts(b, s);
}

/* 100k list items, then a rule whose condition names a missing field:
 * the list must load (fast) and the error still point at line 3. */
static char *gen_huge_list(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- list: big\n  items: [");
	char item[32];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(item, sizeof(item), "%sitem%d", i ? ", " : "", i);
		sb_add(&b, item, (size_t)n);
	}
	sb_puts(&b, "]\n- rule: r\n  desc: d\n  condition: proc.name in (big) and proc.nosuch = 1\n"
		    "  output: o\n  priority: INFO\n");
	*len = b.n;
	return b.p;
}

/* 100k items in a block sequence under a macro's condition key (wrong type). */
static char *gen_huge_block_list(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- macro: m\n  condition:\n");
	sb_rep(&b, "    - x\n", 100000);
	*len = b.n;
	return b.p;
}

/* 5000 nested flow sequences: deeper than the 1000-level cap. */
static char *gen_deep_yaml(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- list: deep\n  items: ");
	sb_rep(&b, "[", 5000);
	sb_rep(&b, "]", 5000);
	sb_puts(&b, "\n");
	*len = b.n;
	return b.p;
}

/* 1500 nested block mappings. */
static char *gen_deep_block(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- rule: r\n  desc:\n");
	for (int i = 0; i < 1500; i++) {
		sb_rep(&b, " ", (size_t)i + 4);
		sb_puts(&b, "k:\n");
	}
	*len = b.n;
	return b.p;
}

/* A condition nested 5000 parentheses deep. */
static char *gen_deep_cond(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- macro: m\n  condition: ");
	sb_rep(&b, "(", 5000);
	sb_puts(&b, "proc.name = a");
	sb_rep(&b, ")", 5000);
	sb_puts(&b, "\n- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n");
	*len = b.n;
	return b.p;
}

/* A 2 MB condition line with the syntax error at its end. */
static char *gen_long_line(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- rule: r\n  desc: d\n  condition: proc.name = a");
	sb_rep(&b, " or proc.name = abcdefghijklmnopqrstuvwxyz", 50000);
	sb_puts(&b, " or\n  output: o\n  priority: INFO\n");
	*len = b.n;
	return b.p;
}

/* A 1 MB rule name that is a map key typo'd as a scalar. */
static char *gen_long_scalar(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- rule: ");
	sb_rep(&b, "n", 1 << 20);
	sb_puts(&b, "\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: NOPE\n");
	*len = b.n;
	return b.p;
}

/* "Billion laughs": aliases nested 9 levels, 10 each, would be 10^9 nodes. */
static char *gen_alias_bomb(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- list: lol\n  items: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	char line[256];
	for (int i = 1; i <= 9; i++) {
		snprintf(line, sizeof(line), "- list: l%d\n  items: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
			 i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
		sb_puts(&b, line);
	}
	*len = b.n;
	return b.p;
}

/* A rule with 100k tags (listed backwards, with duplicates) and an unknown
 * field: tag merging was quadratic (40 s). */
static char *gen_many_tags(size_t *len)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n  condition: proc.nosuch = 1\n  tags: [");
	char item[32];
	for (int i = 100000; i > 0; i--) {
		int n = snprintf(item, sizeof(item), "%st%d", i == 100000 ? "" : ", ", i / 2);
		sb_add(&b, item, (size_t)n);
	}
	sb_puts(&b, "]\n");
	*len = b.n;
	return b.p;
}

/* 2000 macros each using the next, the last using the first. */
static char *gen_macro_ring(size_t *len)
{
	struct sbuf b = { 0 };
	char line[128];
	for (int i = 0; i < 2000; i++) {
		snprintf(line, sizeof(line), "- macro: m%d\n  condition: m%d\n", i, (i + 1) % 2000);
		sb_puts(&b, line);
	}
	sb_puts(&b, "- rule: r\n  desc: d\n  condition: m0\n  output: o\n  priority: INFO\n");
	*len = b.n;
	return b.p;
}

/* ---- the table ----------------------------------------------------------- */

#define RULE_TAIL "  desc: d\n  output: o\n  priority: INFO\n"

static const struct bad_case cases[] = {
	/* YAML syntax */
	{ "unclosed double quote", "- rule: \"abc\n  desc: d\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 3, column 1", 3, 1 },
	{ "unclosed single quote", "- list: l\n  items: ['a, b]\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 3, column 1", 3, 1 },
	{ "bad indentation", "- rule: a\n  desc: b\n condition: c\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 3, column", 3, 2 },
	{ "tab indentation", "- rule: a\n\tdesc: b\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 2, column", 2, 1 },
	{ "unclosed flow sequence", "- list: a\n  items: [a, b\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 3, column 1", 3, 1 },
	{ "unclosed flow mapping", "- {rule: a, desc: b\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 2, column 1", 2, 1 },
	{ "map value in scalar", "- rule: a: b\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 1, column 10", 1, 10 },
	{ "stray block entry", "- rule: a\n  - desc: b\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 2, column 3", 2, 3 },
	{ "reserved indicator", "- rule: @a\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 1, column 9", 1, 9 },
	{ "invalid UTF-8", "- rule: a\n  desc: \xff\xfe\x80\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 2, column 9: invalid leading UTF-8 octet", 2, 9 },
	{ "truncated UTF-8 sequence", "- rule: \xe2\x82", 0, NULL, LOAD_ERR_YAML_PARSE, "line 1, column 9: incomplete UTF-8", 1, 9 },
	{ "NUL byte", "- rule: a\n  desc: b\0c\n", 22, NULL, LOAD_ERR_YAML_PARSE, "line 2, column 10: control characters", 2, 10 },
	{ "control character", "- rule: a\x01\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 1, column 10: control characters", 1, 10 },
	{ "undefined alias", "- list: a\n  items: *nope\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 2, column 10", 2, 10 },
	{ "duplicate anchor", "- list: a\n  items: &x [a]\n- list: b\n  items: &x *x\n", 0, NULL, LOAD_ERR_YAML_PARSE,
	  "line", 4, 10 },
	{ "alias bomb", NULL, 0, gen_alias_bomb, LOAD_ERR_YAML_PARSE, "aliases expand to too many nodes", 0, 0 },
	{ "deep flow nesting", NULL, 0, gen_deep_yaml, LOAD_ERR_YAML_PARSE, "nesting deeper than 1000 levels", 2, 1009 },
	{ "deep block nesting", NULL, 0, gen_deep_block, LOAD_ERR_YAML_PARSE, "nesting deeper than 1000 levels", 0, 0 },
	{ "document end marker in item", "- rule: a\n...\n  desc: b\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 3", 3, 3 },
	{ "directive after content", "- rule: a\n%YAML 1.1\n", 0, NULL, LOAD_ERR_YAML_PARSE, "line 3, column 1", 3, 1 },
	{ "error in the second document", "- list: a\n  items: [b]\n---\n- list: c\n  items: [d\n", 0, NULL,
	  LOAD_ERR_YAML_PARSE, "line 6, column 1", 6, 1 },

	/* shape and types */
	{ "top level mapping", "rule: a\ndesc: b\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "not yaml array of objects", 1, 1 },
	{ "top level scalar", "just text\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "not yaml", 1, 1 },
	{ "item is a scalar", "- a\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "", 1, 3 },
	{ "item is a sequence", "- [a, b]\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "", 1, 3 },
	{ "rule name is a sequence", "- rule: [a]\n" RULE_TAIL "  condition: evt.type = open\n", 0, NULL,
	  LOAD_ERR_YAML_VALIDATE, "", 1, 9 },
	{ "rule name is empty", "- rule:\n" RULE_TAIL "  condition: evt.type = open\n", 0, NULL, LOAD_ERR_YAML_VALIDATE,
	  "rule", 1, 3 },
	{ "condition is a mapping", "- rule: r\n" RULE_TAIL "  condition: {a: b}\n", 0, NULL, LOAD_ERR_YAML_VALIDATE,
	  "", 5, 14 },
	{ "priority is a sequence", "- rule: r\n  desc: d\n  output: o\n  priority: [INFO]\n  condition: evt.type = open\n",
	  0, NULL, LOAD_ERR_YAML_VALIDATE, "", 4, 13 },
	{ "unknown priority", "- rule: r\n  desc: d\n  output: o\n  priority: SUPER\n  condition: evt.type = open\n", 0,
	  NULL, LOAD_ERR_YAML_VALIDATE, "priority", 4, 13 },
	{ "enabled is not a boolean", "- rule: r\n" RULE_TAIL "  condition: evt.type = open\n  enabled: maybe\n", 0,
	  NULL, LOAD_ERR_YAML_VALIDATE, "", 6, 12 },
	{ "tags is a scalar", "- rule: r\n" RULE_TAIL "  condition: evt.type = open\n  tags: a\n", 0, NULL,
	  LOAD_ERR_YAML_VALIDATE, "", 6, 9 },
	{ "list items is a scalar", "- list: l\n  items: a\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "", 2, 10 },
	{ "list item is a mapping", "- list: l\n  items: [a, {b: c}]\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "", 2, 14 },
	{ "list without items", "- list: l\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "items", 1, 3 },
	{ "macro without condition", "- macro: m\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "condition", 1, 3 },
	{ "macro condition is a long block list", NULL, 0, gen_huge_block_list, LOAD_ERR_YAML_VALIDATE, "", 3, 5 },
	{ "rule without output", "- rule: r\n  desc: d\n  priority: INFO\n  condition: evt.type = open\n", 0, NULL,
	  LOAD_ERR_YAML_VALIDATE, "output", 1, 3 },
	{ "rule without priority", "- rule: r\n  desc: d\n  output: o\n  condition: evt.type = open\n", 0, NULL,
	  LOAD_ERR_YAML_VALIDATE, "priority", 1, 3 },
	{ "exceptions is a scalar", "- rule: r\n" RULE_TAIL "  condition: evt.type = open\n  exceptions: x\n", 0, NULL,
	  LOAD_ERR_YAML_VALIDATE, "", 6, 15 },
	{ "exception fields and comps differ",
	  "- rule: r\n" RULE_TAIL "  condition: evt.type = open\n  exceptions:\n    - name: e\n"
	  "      fields: [proc.name, fd.name]\n      comps: [=]\n",
	  0, NULL, LOAD_ERR_VALIDATE, "equal length", 7, 7 },
	{ "exception with an unknown field",
	  "- rule: r\n" RULE_TAIL "  condition: evt.type = open\n  exceptions:\n    - name: e\n"
	  "      fields: [proc.nosuch]\n      values: [[a]]\n",
	  0, NULL, LOAD_ERR_VALIDATE, "'proc.nosuch' is not a supported filter field", 7, 7 },
	{ "exception values are not lists",
	  "- rule: r\n" RULE_TAIL "  condition: evt.type = open\n  exceptions:\n    - name: e\n"
	  "      fields: [proc.name, fd.name]\n      values: [a]\n",
	  0, NULL, LOAD_ERR_VALIDATE, "", 0, 0 },
	{ "engine version not a version", "- required_engine_version: abc\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "Can't decode", 1, 28 },
	{ "engine version too new", "- required_engine_version: 99.0.0\n", 0, NULL, LOAD_ERR_VALIDATE, "require engine version 99.0.0", 1, 3 },
	{ "plugin versions wrong type", "- required_plugin_versions: abc\n", 0, NULL, LOAD_ERR_YAML_VALIDATE, "", 1, 29 },
	{ "append to a missing rule", "- rule: r\n  condition: and evt.type = open\n  append: true\n", 0, NULL,
	  LOAD_ERR_VALIDATE, "", 1, 3 },
	{ "override of a missing macro", "- macro: m\n  condition: evt.type = open\n  override:\n    condition: append\n",
	  0, NULL, LOAD_ERR_VALIDATE, "", 1, 3 },
	{ "override with a bad mode", "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override:\n    items: merge\n",
	  0, NULL, LOAD_ERR_YAML_VALIDATE, "Invalid override operation", 6, 5 },
	{ "unknown key in a rule", "- rule: r\n" RULE_TAIL "  condition: evt.type = open\n  colour: red\n", 0, NULL,
	  LOAD_UNKNOWN_KEY, "colour", 6, 3 },
	{ "unknown top level item", "- frobnicate: yes\n", 0, NULL, LOAD_UNKNOWN_ITEM, "", 1, 3 },

	/* conditions */
	{ "unknown field", "- rule: r\n" RULE_TAIL "  condition: proc.nosuch = 1\n", 0, NULL, LOAD_ERR_COMPILE_CONDITION,
	  "proc.nosuch", 5, 14 },
	{ "missing value", "- rule: r\n" RULE_TAIL "  condition: evt.type =\n", 0, NULL, LOAD_ERR_COMPILE_CONDITION,
	  "expected a string value", 5, 24 },
	{ "unbalanced parenthesis", "- rule: r\n" RULE_TAIL "  condition: (evt.type = open\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "expected a ')' token", 5, 30 },
	{ "bad operator", "- rule: r\n" RULE_TAIL "  condition: proc.name === a\n", 0, NULL, LOAD_ERR_COMPILE_CONDITION,
	  "expected a string value", 5, 26 },
	{ "unterminated string", "- rule: r\n" RULE_TAIL "  condition: proc.name = \"abc\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "expected a string value", 5, 26 },
	{ "unknown transformer", "- rule: r\n" RULE_TAIL "  condition: upper(proc.name) = A\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "unexpected token after 'upper'", 5, 19 },
	{ "empty list item", "- list: l\n  items: [a, '']\n- rule: r\n" RULE_TAIL "  condition: proc.name in (l)\n",
	  0, NULL, LOAD_ERR_COMPILE_CONDITION, "", 7, 14 },
	{ "unclosed field argument", "- rule: r\n" RULE_TAIL "  condition: proc.aname[2 = a\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "expected a ']' token", 5, 26 },
	{ "bad regex bracket", "- rule: r\n" RULE_TAIL "  condition: proc.name regex '[a-'\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "", 5, 14 },
	{ "bad regex group", "- rule: r\n" RULE_TAIL "  condition: proc.name regex '(('\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "", 5, 14 },
	{ "bad regex repetition", "- rule: r\n" RULE_TAIL "  condition: proc.name regex 'a{2,1}'\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "", 5, 14 },
	{ "unknown event type", "- rule: r\n" RULE_TAIL "  condition: evt.type = nosuchsyscall\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "nosuchsyscall", 5, 14 },
	{ "non-numeric comparison", "- rule: r\n" RULE_TAIL "  condition: proc.pid > abc\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "expected a number value", 5, 25 },
	{ "self-recursive macro", "- macro: m\n  condition: m\n- rule: r\n" RULE_TAIL "  condition: m\n", 0, NULL,
	  LOAD_ERR_VALIDATE, "", 0, 0 },
	{ "mutually recursive macros",
	  "- macro: a\n  condition: b\n- macro: b\n  condition: a\n- rule: r\n" RULE_TAIL "  condition: a\n", 0, NULL,
	  LOAD_ERR_VALIDATE, "", 0, 0 },
	{ "macro loop through override",
	  "- macro: a\n  condition: evt.type = open\n- macro: b\n  condition: a\n- macro: a\n  condition: b\n"
	  "  override:\n    condition: replace\n- rule: r\n" RULE_TAIL "  condition: a\n", 0, NULL,
	  LOAD_ERR_VALIDATE, "", 0, 0 },
	/* Lists expand where they are defined, so this is no loop: it loads,
	 * with only the rule's evt.type warning (and must not hang). */
	{ "list loop through override",
	  "- list: a\n  items: [x]\n- list: b\n  items: [a]\n- list: a\n  items: [b]\n"
	  "  override:\n    items: replace\n- rule: r\n" RULE_TAIL "  condition: proc.name in (a)\n", 0, NULL,
	  LOAD_NO_EVTTYPE, "too many evt.type values", 9, 3 },
	{ "2000-macro cycle", NULL, 0, gen_macro_ring, LOAD_ERR_VALIDATE, "", 0, 0 },
	{ "deep condition nesting", NULL, 0, gen_deep_cond, LOAD_ERR_COMPILE_CONDITION, "exceeded max depth limit of 1000", 2, 214 },
	{ "2 MB condition line", NULL, 0, gen_long_line, LOAD_ERR_COMPILE_CONDITION, "expected blank or '(' after 'or'", 3,
	  2100030 },
	{ "100k-item list", NULL, 0, gen_huge_list, LOAD_ERR_COMPILE_CONDITION, "proc.nosuch", 5, 14 },
	{ "100k tags", NULL, 0, gen_many_tags, LOAD_ERR_COMPILE_CONDITION, "proc.nosuch", 5, 14 },
	{ "1 MB rule name", NULL, 0, gen_long_scalar, LOAD_ERR_YAML_VALIDATE, "priority", 5, 13 },

	/* outputs */
	{ "unknown output field", "- rule: r\n  desc: d\n  priority: INFO\n  condition: evt.type = open\n"
	  "  output: \"%proc.nosuch\"\n", 0, NULL, LOAD_ERR_COMPILE_OUTPUT, "proc.nosuch", 5, 11 },
	{ "filter-only field in output", "- rule: r\n  desc: d\n  priority: INFO\n  condition: evt.type = open\n"
	  "  output: \"%fd.net\"\n", 0, NULL, LOAD_ERR_COMPILE_OUTPUT, "fd.net", 5, 11 },
	{ "bad field argument in output", "- rule: r\n  desc: d\n  priority: INFO\n  condition: evt.type = open\n"
	  "  output: \"%proc.aname[x]\"\n", 0, NULL, LOAD_ERR_COMPILE_OUTPUT, "", 5, 11 },

	/* names carrying control characters must not break the one-line form */
	{ "newline in a rule name", "- rule: \"a\\nb\"\n  desc: d\n  priority: INFO\n  output: o\n"
	  "  condition: proc.nosuch = 1\n", 0, NULL, LOAD_ERR_COMPILE_CONDITION, "proc.nosuch", 5, 14 },
	{ "newline in a field name", "- rule: r\n" RULE_TAIL "  condition: \"proc.name = a and x\\n.y = 1\"\n", 0, NULL,
	  LOAD_ERR_COMPILE_CONDITION, "", 5, 14 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* The diagnostic a case asked for, or NULL. */
static const struct rule_diag *find_diag(const struct rule_diag_list *dl, int code)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].code == code)
			return &dl->v[i];
	return NULL;
}

static int run_case(const struct bad_case *c)
{
	size_t len = c->len;
	char *owned = NULL;
	const char *text = c->text;
	if (c->gen)
		text = owned = c->gen(&len);
	else if (!len)
		len = strlen(text);
	struct rule_load_opts lo = { .registry = field_registry(), .min_priority = RULE_PRIO_DEBUG };
	struct rule_loader *l = rule_loader_new(&lo);
	assert_non_null(l);
	int rc = rule_loader_add_text(l, FILE_NAME, text, len);
	struct rule_set *rs = rc == 0 ? rule_loader_build(l) : NULL;
	const struct rule_diag_list *dl = rule_loader_diags(l);
	const struct rule_diag *d = find_diag(dl, c->code);
	int ok = d != NULL;
	/* An error code must have failed the load; a warning must not. */
	if (rule_diag_is_error(c->code) && rs)
		ok = 0;
	char *line = NULL;
	size_t linelen = 0;
	if (d) {
		FILE *f = open_memstream(&line, &linelen);
		assert_non_null(f);
		rule_diag_print(f, d);
		fclose(f);
		char where[64];
		int wn = snprintf(where, sizeof(where), FILE_NAME ":%d:%d: ", c->line, c->col);
		/* One line, led by FILE:LINE:COL (position 0:0 = any position). */
		if (!strchr(line, '\n') || strchr(line, '\n') != line + linelen - 1)
			ok = 0;
		if (c->line ? strncmp(line, where, (size_t)wn) != 0 : strncmp(line, FILE_NAME ":", 9) != 0)
			ok = 0;
		if (!strstr(d->message, c->substr))
			ok = 0;
		/* Every diagnostic names the file with a position. */
		for (size_t i = 0; i < dl->n; i++) {
			const struct rule_diag *e = &dl->v[i];
			const struct rule_diag_loc *p = e->nlocs ? &e->locs[e->nlocs - 1] : NULL;
			if (!p || !p->file || p->line <= 0 || p->col <= 0)
				ok = 0;
		}
	}
	if (ok && getenv("SAKER_TEST_VERBOSE"))
		printf("[ case     ] %-40s %.200s", c->name, line);
	if (!ok) {
		printf("[ mismatch ] %s: want %s '%s' at %d:%d, load rc %d, set %s; got:\n", c->name,
		       rule_diag_code_name(c->code), c->substr, c->line, c->col, rc, rs ? "built" : "none");
		for (size_t i = 0; i < dl->n; i++) {
			char *s = NULL;
			size_t sn = 0;
			FILE *f = open_memstream(&s, &sn);
			rule_diag_print(f, &dl->v[i]);
			fclose(f);
			printf("             %.300s%s", s, sn > 300 ? "...\n" : "");
			free(s);
		}
	}
	free(line);
	rule_set_free(rs);
	rule_loader_free(l);
	free(owned);
	return ok;
}

static void test_malformed_table(void **state)
{
	(void)state;
	int bad = 0;
	const char *only = getenv("SAKER_TEST_CASE");  /* run the cases whose name has this */
	for (size_t i = 0; i < NCASES; i++)
		if (!only || strstr(cases[i].name, only))
			bad += !run_case(&cases[i]);
	printf("[ info     ] %zu malformed inputs, %d mismatches\n", NCASES, bad);
	assert_true(NCASES >= 50);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
