/* tests/test_rules_items.c: rule items: redefinition, enable toggles, append/override of every key, sources, skip-if-unknown-filter, exceptions. */
#include "rules/loader_int.h"
#include "tests/helpers/rules_load_util.h"

#define RULE_R RULE("r") "evt.type=open\n"

/* ---- definitions and toggles ------------------------------------------- */

static void test_redefinition_keeps_position(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	lt_load_ok(&t, RULE("a") "evt.type=open and proc.name=x\n" RULE("b") "evt.type=open\n"
		       "- rule: a\n  desc: new\n  output: o2\n  priority: ERROR\n  condition: evt.type=open and "
		       "proc.name=y\n");
	assert_int_equal(rule_set_count(t.rs), 2);
	const struct rule_info *ri = rule_set_rule(t.rs, 0);
	assert_string_equal(ri->name, "a");
	assert_string_equal(ri->desc, "new");
	assert_string_equal(ri->output, "o2");
	assert_int_equal(ri->priority, RULE_PRIO_ERROR);
	assert_int_equal(ri->line, 11); /* where its text now comes from */
	/* a still comes first, with the new condition */
	ev_basic(&e, T_OPEN, "y", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "a");
	ev_basic(&e, T_OPEN, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "b");
	lt_free(&t);
	/* across files too */
	lt_init(&t);
	assert_int_equal(lt_add_named(&t, "1.yaml", RULE("a") "evt.type=open\n" RULE("b") "evt.type=open\n"), 0);
	assert_int_equal(lt_add_named(&t, "2.yaml", RULE("a") "evt.type=openat\n"), 0);
	assert_non_null(lt_build(&t));
	assert_string_equal(rule_set_rule(t.rs, 0)->name, "a");
	assert_string_equal(rule_set_rule(t.rs, 0)->condition, "evt.type=openat");
	lt_free(&t);
	/* the source cannot change */
	expect_error(RULE_R RULE("r") "evt.type=open\n  source: k8s_audit\n",
		     "t.yaml:6:3: error: rule 'r': Rule has been re-defined with a different source (LOAD_ERR_VALIDATE)");
}

static void test_enabled(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	/* enabled: false rules are still compiled and listed, but never run */
	lt_load_ok(&t, RULE("off") "evt.type=open\n  enabled: false\n" RULE("on") "evt.type=open\n");
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 0);
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "on");
	lt_free(&t);
	expect_error(RULE("off") "proc.nobody=1\n  enabled: false\n",
		     "t.yaml:5:14: error: rule 'off': filter_check called with nonexistent field proc.nobody "
		     "(LOAD_ERR_COMPILE_CONDITION)");
	/* a standalone toggle flips an existing rule, with a deprecation warning */
	lt_load_ok(&t, RULE("a") "evt.type=open\n  enabled: false\n" RULE("b") "evt.type=open\n"
		       "- rule: a\n  enabled: true\n- rule: b\n  enabled: false\n");
	lt_expect_line(&t, "t.yaml:12:3: warning: rule 'a': The standalone 'enabled' key usage is deprecated. The "
			   "correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: "
			   "replace'). (LOAD_DEPRECATED_ITEM)");
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 1);
	assert_int_equal(rule_set_rule(t.rs, 1)->enabled, 0);
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "a");
	lt_free(&t);
	expect_error("- rule: x\n  enabled: false\n",
		     "t.yaml:1:3: error: rule 'x': Rule has 'enabled' key but no rule by that name already exists "
		     "(LOAD_ERR_VALIDATE)");
	/* override replace of enabled: no deprecation */
	lt_load_ok(&t, RULE_R "- rule: r\n  enabled: false\n  override:\n    enabled: replace\n");
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 0);
	assert_int_equal(lt_count(&t, "LOAD_DEPRECATED_ITEM"), 0);
	lt_free(&t);
}

/* ---- append / override --------------------------------------------------- */

static void test_override_append(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	lt_load_ok(&t, RULE("r") "evt.type=open\n  tags: [b, a]\n"
		       "- rule: r\n  condition: and proc.name=cat\n  output: more\n  desc: and more\n  tags: [c, a]\n"
		       "  override:\n    condition: append\n    output: append\n    desc: append\n    tags: append\n");
	const struct rule_info *ri = rule_set_rule(t.rs, 0);
	assert_string_equal(ri->condition, "evt.type=open and proc.name=cat");
	assert_string_equal(ri->output, "o more");
	assert_string_equal(ri->desc, "d and more");
	assert_int_equal(ri->ntags, 3);
	assert_string_equal(ri->tags[0], "a");
	assert_string_equal(ri->tags[1], "b");
	assert_string_equal(ri->tags[2], "c");
	ev_basic(&e, T_OPEN, "cat", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPEN, "dog", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	lt_free(&t);
	/* legacy append: condition (and exceptions) only, enabled ignored */
	lt_load_ok(&t, RULE_R "- rule: r\n  append: true\n  condition: and proc.name=cat\n  enabled: false\n");
	lt_expect_line(&t, "t.yaml:6:3: warning: rule 'r': The 'append' key is deprecated. Add an 'append' entry (e.g. "
			   "'condition: append') under 'override' instead. (LOAD_DEPRECATED_ITEM)");
	assert_string_equal(rule_set_rule(t.rs, 0)->condition, "evt.type=open and proc.name=cat");
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 1);
	lt_free(&t);
}

static void test_override_replace(void **state)
{
	(void)state;
	struct lt t;
	lt_load_ok(&t, RULE("r") "evt.type=open\n  tags: [a]\n"
		       "- rule: r\n  condition: evt.type=openat\n  output: new out\n  desc: nd\n  priority: info\n"
		       "  tags: [z]\n  enabled: false\n  warn_evttypes: false\n  skip-if-unknown-filter: true\n"
		       "  override:\n    condition: replace\n    output: replace\n    desc: replace\n"
		       "    priority: replace\n    tags: replace\n    enabled: replace\n    warn_evttypes: replace\n"
		       "    skip-if-unknown-filter: replace\n");
	const struct rule_info *ri = rule_set_rule(t.rs, 0);
	assert_string_equal(ri->condition, "evt.type=openat");
	assert_string_equal(ri->output, "new out");
	assert_string_equal(ri->desc, "nd");
	assert_int_equal(ri->priority, RULE_PRIO_INFORMATIONAL);
	assert_int_equal(ri->ntags, 1);
	assert_string_equal(ri->tags[0], "z");
	assert_int_equal(ri->enabled, 0);
	lt_free(&t);
	/* the replaced skip flag takes effect */
	lt_load_ok(&t, RULE_R "- rule: r\n  skip-if-unknown-filter: true\n  condition: proc.nobody=1\n"
		       "  override:\n    skip-if-unknown-filter: replace\n    condition: replace\n");
	assert_int_equal(lt_count(&t, "(LOAD_UNKNOWN_FILTER)"), 1);
	lt_free(&t);
}

static void test_override_errors(void **state)
{
	(void)state;
	expect_error(RULE_R "- rule: r\n  priority: ERROR\n  override:\n    priority: append\n",
		     "t.yaml:9:5: error: override 'priority': Key 'priority' cannot be appended to, use 'replace' "
		     "instead (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE_R "- rule: r\n  enabled: false\n  override:\n    enabled: append\n",
		     "t.yaml:9:5: error: override 'enabled': Key 'enabled' cannot be appended to, use 'replace' "
		     "instead (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE_R "- rule: r\n  priority: ERROR\n  desc: x\n  override:\n    priority: replace\n",
		     "t.yaml:8:9: error: override 'desc': Unexpected key 'desc': no corresponding entry under 'override' is "
		     "defined. (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE_R "- rule: r\n  override:\n    desc: append\n",
		     "t.yaml:6:3: error: rule 'r': An append override for 'desc' was specified but 'desc' is not "
		     "defined (LOAD_ERR_YAML_VALIDATE)");
	/* "An replace" is Falco's text, verbatim */
	expect_error(RULE_R "- rule: r\n  override:\n    output: replace\n",
		     "t.yaml:6:3: error: rule 'r': An replace override for 'output' was specified but 'output' is not "
		     "defined (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE_R "- rule: r\n  append: true\n  override:\n    desc: append\n  desc: x\n",
		     "t.yaml:6:3: error: rule 'r': Keys 'override' and 'append: true' cannot be used together. Add an "
		     "'append' entry (e.g. 'condition: append') under 'override' instead. (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE_R "- rule: r\n  append: true\n  enabled: false\n",
		     "t.yaml:6:3: error: rule 'r': Appended rule must have exceptions or condition property "
		     "(LOAD_ERR_VALIDATE)");
	expect_error("- rule: my_rule\n  append: true\n  condition: and proc.name=x\n",
		     "t.yaml:1:3: error: rule 'my_rule': Rule uses 'append' or 'override.<key>: append' but no rule by "
		     "that name already exists (LOAD_ERR_VALIDATE)");
	expect_error("- rule: my_rule\n  condition: and proc.name=x\n  override:\n    condition: append\n",
		     "t.yaml:1:3: error: rule 'my_rule': Rule uses 'append' or 'override.<key>: append' but no rule by "
		     "that name already exists (LOAD_ERR_VALIDATE)");
	expect_error("- rule: my_rule\n  condition: proc.name=x\n  override:\n    condition: replace\n",
		     "t.yaml:1:3: error: rule 'my_rule': Rule uses 'override.<key>: replace' but no rule by that name "
		     "already exists (LOAD_ERR_VALIDATE)");
	/* an append that breaks the condition fails at compile time, on the rule */
	expect_error(RULE("some rule") "evt.type=open\n- rule: some rule\n  condition: xxx\n  append: true\n",
		     "t.yaml:5:14: error: rule 'some rule': unexpected token after 'open', expecting 'or', 'and' "
		     "(LOAD_ERR_COMPILE_CONDITION)");
}

/* ---- sources, unknown fields, outputs ---------------------------------- */

static void test_sources(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	/* an unknown source is skipped with a warning, even with bad fields */
	lt_load_ok(&t, RULE("Cloudtrail Create Instance") "ct.name=RunInstances\n  source: aws_cloudtrail\n"
		       RULE("r") "evt.type=open\n");
	lt_expect_line(&t, "t.yaml:1:3: warning: rule 'Cloudtrail Create Instance': Unknown source aws_cloudtrail, "
			   "skipping (LOAD_UNKNOWN_SOURCE)");
	assert_int_equal(rule_set_count(t.rs), 2);
	assert_string_equal(rule_set_rule(t.rs, 0)->source, "aws_cloudtrail");
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 0);
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	lt_free(&t);
	lt_load_ok(&t, RULE("r") "evt.type=open\n  source: syscall\n");
	assert_string_equal(t.diags, "");
	lt_free(&t);
}

static void test_skip_if_unknown_filter(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	lt_load_ok(&t, RULE("Contains Unknown Event And Skipping") "evt.type=open and proc.nobody=1\n"
		       "  skip-if-unknown-filter: true\n"
		       "- rule: r2\n  desc: d\n  output: o %proc.nobody\n  priority: WARNING\n  condition: evt.type=open\n"
		       "  skip-if-unknown-filter: true\n" RULE("r3") "evt.type=nosuch\n  skip-if-unknown-filter: true\n"
		       RULE("ok") "evt.type=open\n  skip-if-unknown-filter: true\n");
	lt_expect_line(&t, "t.yaml:1:3: warning: rule 'Contains Unknown Event And Skipping': filter_check called with "
			   "nonexistent field proc.nobody (LOAD_UNKNOWN_FILTER)");
	lt_expect_line(&t, "t.yaml:7:3: warning: rule 'r2': unknown filter: invalid formatting token %proc.nobody "
			   "(LOAD_UNKNOWN_FILTER)");
	lt_expect_line(&t, "t.yaml:13:3: warning: rule 'r3': unknown event type nosuch (LOAD_UNKNOWN_FILTER)");
	/* skipped rules never run */
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "ok");
	lt_free(&t);
	/* without the flag (or false) the same problems are errors */
	expect_error(RULE("Contains Unknown Event And Not Skipping") "evt.type=open and proc.nobody=1\n"
		     "  skip-if-unknown-filter: false\n",
		     "t.yaml:5:14: error: rule 'Contains Unknown Event And Not Skipping': filter_check called with "
		     "nonexistent field proc.nobody (LOAD_ERR_COMPILE_CONDITION)");
	expect_error(RULE("r") "evt.type=nosuch\n",
		     "t.yaml:5:14: error: rule 'r': unknown event type nosuch (LOAD_ERR_COMPILE_CONDITION)");
	expect_error("- rule: rule_with_invalid_output\n  desc: d\n  condition: evt.type=open\n"
		     "  output: \"An open was seen %not_a_real_field\"\n  priority: WARNING\n",
		     "t.yaml:4:11: error: rule 'rule_with_invalid_output': unknown filter: invalid formatting token "
		     "%not_a_real_field (LOAD_ERR_COMPILE_OUTPUT)");
	/* syntax errors are never skipped */
	expect_error(RULE("r") "evt.type=open and (\n  skip-if-unknown-filter: true\n",
		     "t.yaml:5:33: error: rule 'r': expected a '(' token, a field check, or an identifier "
		     "(LOAD_ERR_COMPILE_CONDITION)");
}

/* ---- exceptions -------------------------------------------------------- */

/* The condition text of rule name after its exceptions are added. */
static char *exc_text(struct lt *t, const char *name)
{
	struct ld_rule *r = ld_find_rule(t->l, name);
	assert_non_null(r);
	struct ld_buf b = {0};
	ld_buf_adds(&b, r->cond);
	struct ld_ctx ctx = {0};
	assert_int_equal(ld_exceptions_apply(t->l, r, t->l->opts.registry, &ctx, &b), 0);
	return b.s;
}

static void expect_exc_text(struct lt *t, const char *name, const char *want)
{
	char *got = exc_text(t, name);
	if (strcmp(got, want))
		fail_msg("rule %s: got\n  %s\nwant\n  %s", name, got, want);
	free(got);
}

static void test_exceptions_text(void **state)
{
	(void)state;
	struct lt t;
	lt_load_ok(&t, RULE("multi") "evt.type=open\n  exceptions:\n    - name: known_pair\n"
		       "      fields: [proc.name, fd.name]\n      comps: [=, in]\n      values:\n"
		       "        - [runc, /var/lib/x]\n        - [cat, [/etc/a, \"/etc/b c\"]]\n"
		       RULE("single") "evt.type=open\n  exceptions:\n    - name: procs\n      fields: proc.name\n"
		       "      values: [a, b c, [d, e]]\n    - name: novalues\n      fields: proc.name\n"
		       RULE("defaults") "evt.type=open\n  exceptions:\n    - name: eq\n      fields: [proc.name, fd.name]\n"
		       "      values: [[x, \"y z\"]]\n    - name: lists\n      fields: [proc.name, fd.name]\n"
		       "      comps: [in, pmatch]\n      values: [[shells, (/tmp)]]\n"
		       "- list: shells\n  items: [bash, sh]\n");
	expect_exc_text(&t, "multi", "(evt.type=open) and not ((proc.name = runc and fd.name in (/var/lib/x)) or "
				     "(proc.name = cat and fd.name in (/etc/a, \"/etc/b c\")))");
	expect_exc_text(&t, "single", "(evt.type=open) and not (proc.name in (a, \"b c\", d, e))");
	expect_exc_text(&t, "defaults", "(evt.type=open) and not ((proc.name = x and fd.name = \"y z\")) and not "
					"((proc.name in (shells) and fd.name pmatch (/tmp)))");
	lt_free(&t);
}

static void test_exceptions_behaviour(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	lt_load_ok(&t, RULE("r") "evt.type in (open, openat)\n  exceptions:\n    - name: pair\n"
		       "      fields: [proc.name, fd.name]\n      comps: [=, startswith]\n      values:\n"
		       "        - [runc, /var/lib]\n    - name: shells\n      fields: proc.name\n"
		       "      values: [[shells]]\n"
		       "- list: shells\n  items: [bash, sh]\n"
		       "- rule: r\n  exceptions:\n    - name: pair\n      values: [[cat, /etc/sh]]\n"
		       "    - name: new_one\n      fields: [fd.name]\n      values: [[/dev/null]]\n"
		       "  override:\n    exceptions: append\n");
	struct {
		const char *proc, *fd, *want;
	} cases[] = {
		{"runc", "/var/lib/docker", ""}, {"runc", "/etc/x", "r"},     {"cat", "/etc/shadow", ""},
		{"cat", "/etc/passwd", "r"},     {"bash", "/etc/passwd", ""}, {"sh", "/x", ""},
		{"zsh", "/dev/null", ""},        {"zsh", "/dev/zero", "r"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev_basic(&e, T_OPENAT, cases[i].proc, cases[i].fd);
		if (strcmp(eval_ev(t.rs, &e, &ms), cases[i].want))
			fail_msg("%s %s: got '%s' want '%s'", cases[i].proc, cases[i].fd, ms.names, cases[i].want);
	}
	lt_free(&t);
	/* legacy append: true adds values too; an exception without values does nothing */
	lt_load_ok(&t, RULE("r") "evt.type=open\n  exceptions:\n    - name: p\n      fields: proc.name\n"
		       "- rule: r\n  append: true\n  exceptions:\n    - name: p\n      values: [cat]\n");
	ev_basic(&e, T_OPEN, "cat", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_OPEN, "dog", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	lt_free(&t);
	/* replace drops the old exceptions */
	lt_load_ok(&t, RULE("r") "evt.type=open\n  exceptions:\n    - name: p\n      fields: proc.name\n      values: [cat]\n"
		       "- rule: r\n  exceptions:\n    - name: q\n      fields: proc.name\n      values: [dog]\n"
		       "  override:\n    exceptions: replace\n");
	ev_basic(&e, T_OPEN, "cat", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPEN, "dog", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	lt_free(&t);
}

#define EXC_RULE RULE("r") "evt.type=open\n  exceptions:\n"

static void test_exceptions_errors(void **state)
{
	(void)state;
	expect_error(EXC_RULE "    - name: ex1\n      values: [[a]]\n",
		     "t.yaml:7:7: error: exception 'ex1': Item has no mapping for key 'fields' (LOAD_ERR_YAML_VALIDATE)");
	expect_error(EXC_RULE "    - fields: [proc.name]\n",
		     "t.yaml:7:7: error: rule 'r': Item has no mapping for key 'name' (LOAD_ERR_YAML_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name, not.exist]\n",
		     "t.yaml:7:7: error: exception 'ex1': 'not.exist' is not a supported filter field (LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: not.exist\n",
		     "t.yaml:7:7: error: exception 'ex1': 'not.exist' is not a supported filter field (LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name, fd.name]\n      comps: [=]\n",
		     "t.yaml:7:7: error: exception 'ex1': Fields and comps lists must have equal length "
		     "(LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name]\n      comps: [no-comp]\n",
		     "t.yaml:7:7: error: exception 'ex1': 'no-comp' is not a supported comparison operator "
		     "(LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name, fd.name]\n      values: [[a]]\n",
		     "t.yaml:7:7: error: exception 'ex1': Fields and values lists must have equal length "
		     "(LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: proc.name\n      comps: =\n      values: [a]\n",
		     "t.yaml:7:7: error: exception 'ex1': When fields is a single value, comps must be one of (in, "
		     "pmatch, intersects) (LOAD_ERR_VALIDATE)");
	/* appending: values only for an existing name, fields+values for a new one */
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name]\n"
			      "- rule: r\n  exceptions:\n    - name: ex1\n      fields: [fd.name]\n      values: [[a]]\n"
			      "  override:\n    exceptions: append\n",
		     "t.yaml:11:7: error: exception 'ex1': Can not append exception fields to existing exception, only "
		     "values (LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name]\n"
			      "- rule: r\n  exceptions:\n    - name: ex2\n      values: [[a]]\n  append: true\n",
		     "t.yaml:11:7: error: exception 'ex2': Rule exception must have fields property with a list of "
		     "fields (LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name]\n"
			      "- rule: r\n  exceptions:\n    - name: ex1\n      values: [[a, b]]\n  append: true\n",
		     "t.yaml:7:7: error: exception 'ex1': Fields and values lists must have equal length "
		     "(LOAD_ERR_VALIDATE)");
	expect_error(EXC_RULE "    - name: ex1\n      fields: [proc.name]\n"
			      "- rule: r\n  exceptions:\n    - values: [[a]]\n  append: true\n",
		     "t.yaml:11:7: error: rule 'r': Item has no mapping for key 'name' (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE("r") "evt.type=open\n  exceptions: x\n",
		     "t.yaml:6:15: error: rule 'r': Rule exceptions must be a sequence (LOAD_ERR_YAML_VALIDATE)");
	expect_warning(EXC_RULE "    - name: ex1\n      fields: [proc.name]\n    - name: ex1\n      fields: [fd.name]\n",
		       "t.yaml:9:7: warning: exception 'ex1': Multiple definitions of exception 'ex1' in the same rule "
		       "(LOAD_EXCEPTION_NAME_NOT_UNIQUE)");
	expect_warning(EXC_RULE "    - name: ex1\n      fields: [proc.name]\n"
				"- rule: r\n  exceptions:\n    - name: ex1\n  append: true\n",
		       "t.yaml:11:7: warning: exception 'ex1': Overriding/appending exception with no values "
		       "(LOAD_APPEND_NO_VALUES)");
	/* a list value under a scalar comparison is a parse error of the rule */
	struct lt t;
	lt_init(&t);
	assert_int_equal(lt_add(&t, EXC_RULE "    - name: ex1\n      fields: [proc.name]\n      comps: [startswith]\n"
					     "      values: [[[a, b]]]\n"),
			 -1);
	assert_int_equal(lt_count(&t, "(LOAD_ERR_COMPILE_CONDITION)"), 1);
	lt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redefinition_keeps_position),
		cmocka_unit_test(test_enabled),
		cmocka_unit_test(test_override_append),
		cmocka_unit_test(test_override_replace),
		cmocka_unit_test(test_override_errors),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_skip_if_unknown_filter),
		cmocka_unit_test(test_exceptions_text),
		cmocka_unit_test(test_exceptions_behaviour),
		cmocka_unit_test(test_exceptions_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
