/* tests/test_rules_load.c: rules files: YAML shape, value types, lists (expansion, substitution), macros (visibility, loops, append/override), file:line:col diagnostics. */
#include "rules/loader_int.h"
#include "tests/helpers/rules_load_util.h"

/* ---- YAML shape and value types ---------------------------------------- */

static void test_yaml_shape(void **state)
{
	(void)state;
	expect_error("This is not yaml\n",
		     "t.yaml:1:1: error: rules content: Rules content is not yaml (LOAD_ERR_YAML_VALIDATE)");
	expect_error("a: b\n", "t.yaml:1:1: error: rules content: Rules content is not yaml array of objects "
			       "(LOAD_ERR_YAML_VALIDATE)");
	expect_error("- list: a\n  items: [x]\n- foo\n",
		     "t.yaml:3:3: error: rules content item: Unexpected element type. Each element should be a "
		     "yaml associative array. (LOAD_ERR_YAML_VALIDATE)");
	/* yaml-cpp's wording, as Falco (legacy and modern) reports it */
	expect_error("this : is : not : yaml\n", "t.yaml:1:11: error: rules content: yaml-cpp: error at line 1, "
						 "column 11: illegal map value (LOAD_ERR_YAML_PARSE)");
	expect_error("- list: a\n  items: [a, b\n", "t.yaml:3:1: error: rules content: yaml-cpp: error at line 3, "
						   "column 1: end of sequence flow not found (LOAD_ERR_YAML_PARSE)");
	expect_error("- list: \"abc\n", "t.yaml:2:1: error: rules content: yaml-cpp: error at line 2, column 1: "
					"illegal EOF in scalar (LOAD_ERR_YAML_PARSE)");
	/* a second document with a bad shape fails too */
	expect_error("- list: a\n  items: [x]\n---\nfoo: 1\n", "t.yaml:4:1: error: rules content: Rules content "
								 "is not yaml array of objects (LOAD_ERR_YAML_VALIDATE)");
}

static void test_yaml_docs_and_nulls(void **state)
{
	(void)state;
	struct lt t;
	/* empty documents and null elements are skipped; items of every document load */
	lt_load_ok(&t, "---\n---\n- ~\n-\n- list: a\n  items: [open]\n---\n" RULE("r") "evt.type in (a)\n");
	assert_int_equal(rule_set_count(t.rs), 1);
	assert_int_equal(rule_set_list_count(t.rs), 1);
	lt_free(&t);
	/* an empty file is fine */
	lt_load_ok(&t, "");
	assert_int_equal(rule_set_count(t.rs), 0);
	lt_free(&t);
	lt_load_ok(&t, "# only a comment\n");
	lt_free(&t);
}

static void test_unknown_item_and_key(void **state)
{
	(void)state;
	expect_warning("- foo: bar\n", "t.yaml:1:3: warning: rules content item: Unknown top level item (LOAD_UNKNOWN_ITEM)");
	expect_warning("- list: a\n  items: []\n  bogus: 1\n",
		       "t.yaml:3:3: warning: key 'bogus': Unknown key 'bogus' (LOAD_UNKNOWN_KEY)");
	expect_warning(RULE("r") "evt.type=open\n  colour: red\n",
		       "t.yaml:6:3: warning: key 'colour': Unknown key 'colour' (LOAD_UNKNOWN_KEY)");
	/* the item kind is the first known key: a "list" with a "macro" key is a list */
	struct lt t;
	lt_init(&t);
	assert_int_equal(lt_add(&t, "- macro: m\n  list: l\n  items: [x]\n  condition: evt.type=open\n"), 0);
	assert_int_equal(lt_count(&t, "list 'l': List not referred"), 1);
	assert_int_equal(lt_count(&t, "Unknown key 'macro'"), 1);
	lt_free(&t);
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_error("- list: a\n  items: x\n",
		     "t.yaml:2:10: error: list 'a': Value is not a sequence (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- list: a\n  items: [[x]]\n",
		     "t.yaml:2:11: error: list 'a': sequence value is not scalar (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- list: a\n", "t.yaml:1:3: error: list 'a': Item has no mapping for key 'items' "
				    "(LOAD_ERR_YAML_VALIDATE)");
	expect_error("- list:\n  items: []\n",
		     "t.yaml:1:3: error: list: Mapping for key 'list' is empty (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- macro: m\n",
		     "t.yaml:1:3: error: macro 'm': Item has no mapping for key 'condition' (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- macro: ~\n  condition: evt.type=open\n",
		     "t.yaml:1:3: error: macro: Mapping for key 'macro' is empty (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- macro: m\n  condition: {a: b}\n",
		     "t.yaml:2:14: error: macro 'm': Value is not a scalar value (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- macro: m\n  condition: ''\n",
		     "t.yaml:2:14: error: macro 'm': Value must be non-empty (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- rule:\n  desc: d\n",
		     "t.yaml:1:3: error: rule: Mapping for key 'rule' is empty (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- rule: no output rule\n  desc: d\n  condition: evt.type=open\n  priority: INFO\n",
		     "t.yaml:1:3: error: rule 'no output rule': Item has no mapping for key 'output' "
		     "(LOAD_ERR_YAML_VALIDATE)");
	expect_error("- rule: r\n  output: o\n  condition: evt.type=open\n  priority: INFO\n",
		     "t.yaml:1:3: error: rule 'r': Item has no mapping for key 'desc' (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- rule: r\n  desc: d\n  output: o\n  priority: nope\n  condition: evt.type=open\n",
		     "t.yaml:4:13: error: rule 'r': Invalid priority (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE("r") "evt.type=open\n  enabled: maybe\n",
		     "t.yaml:6:12: error: rule 'r': Can't decode YAML scalar value (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE("r") "evt.type=open\n  tags: web\n",
		     "t.yaml:6:9: error: rule 'r': Value is not a sequence (LOAD_ERR_YAML_VALIDATE)");
	expect_error(RULE("r") "evt.type=open\n  warn_evttypes: 3\n",
		     "t.yaml:6:18: error: rule 'r': Can't decode YAML scalar value "
		     "(LOAD_ERR_YAML_VALIDATE)");
	/* YAML scalars keep their text: 53 is the string "53", yes is a bool only where one is expected */
	struct lt t;
	lt_load_ok(&t, "- list: l\n  items: [53, yes, 'a b']\n" RULE("r") "proc.name in (l)\n  enabled: yes\n");
	struct fake_ev e;
	struct matches ms;
	ev_basic(&e, T_OPEN, "53", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPEN, "yes", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPEN, "a b", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPEN, "true", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	lt_free(&t);
}

/* ---- engine and plugin requirements ------------------------------------ */

static void test_required_engine_version(void **state)
{
	(void)state;
	struct lt t;
	lt_load_ok(&t, "- required_engine_version: 0.57.0\n- required_engine_version: 17\n"
		       "- required_engine_version: '0.26.1'\n- required_engine_version: 57\n");
	lt_free(&t);
	expect_error("- required_engine_version: 9999999\n",
		     "t.yaml:1:3: error: required_engine_version: Rules require engine version 9999999, but engine "
		     "version is 0.57.0 (LOAD_ERR_VALIDATE)");
	expect_error("- required_engine_version: 0.58.0\n",
		     "t.yaml:1:3: error: required_engine_version: Rules require engine version 0.58.0, but engine "
		     "version is 0.57.0 (LOAD_ERR_VALIDATE)");
	expect_error("- required_engine_version: 1.0.0\n",
		     "t.yaml:1:3: error: required_engine_version: Rules require engine version 1.0.0, but engine "
		     "version is 0.57.0 (LOAD_ERR_VALIDATE)");
	expect_error("- required_engine_version: 0.57.1\n",
		     "t.yaml:1:3: error: required_engine_version: Rules require engine version 0.57.1, but engine "
		     "version is 0.57.0 (LOAD_ERR_VALIDATE)");
	expect_error("- required_engine_version: abc\n",
		     "t.yaml:1:28: error: required_engine_version: Can't decode YAML scalar value "
		     "(LOAD_ERR_YAML_VALIDATE)");
	expect_error("- required_engine_version:\n",
		     "t.yaml:1:3: error: required_engine_version: Mapping for key 'required_engine_version' is empty "
		     "(LOAD_ERR_YAML_VALIDATE)");
	/* the error stops the file: the rule after it is not loaded */
	lt_init(&t);
	assert_int_equal(lt_add(&t, "- required_engine_version: 99\n" RULE("r") "evt.type=open\n"), -1);
	assert_int_equal(lt_count(&t, "rule 'r'"), 0);
	lt_free(&t);
}

/* The plugins saker stands in for, as replay passes them (fields/sources.c). */
static const struct rule_plugin test_plugins[] = {
	{"container", NULL}, {"k8saudit", "0.18.0"}, {"json", "0.7.4"},
};

static void lt_init_plugins(struct lt *t)
{
	struct rule_load_opts o = {.registry = &fake_reg, .min_priority = RULE_PRIO_DEBUG, .plugins = test_plugins,
				   .nplugins = 3};
	lt_init_opts(t, &o);
}

static void expect_plugins(const char *yaml, const char *line)
{
	struct lt t;
	lt_init_plugins(&t);
	if (lt_add(&t, yaml) != 0)
		fail_msg("load failed:\n%s", t.diags);
	if (line)
		lt_expect_line(&t, line);
	else if (t.diags[0])
		fail_msg("expected no diagnostic, got\n%s", t.diags);
	lt_free(&t);
}

static void test_required_plugin_versions(void **state)
{
	(void)state;
	/* provided plugins: any container version, k8saudit and json up to their versions */
	expect_plugins("- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n", NULL);
	expect_plugins("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.6.0\n  - name: json\n"
		       "    version: 0.7.0\n", NULL);
	expect_plugins("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.18.0\n", NULL);
	/* an alternative provided by saker satisfies the entry too */
	expect_plugins("- required_plugin_versions:\n  - name: k8smeta\n    version: 0.1.0\n    alternatives:\n"
		       "      - name: container\n        version: 0.4.0\n", NULL);
	expect_plugins("- required_plugin_versions:\n  - name: k8saudit-eks\n    version: 0.2.0\n    alternatives:\n"
		       "      - name: k8saudit\n        version: 0.6.0\n", NULL);
	/* newer than provided, or another major version: not satisfied (Falco's rule) */
	expect_plugins("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.19.0\n",
		       "t.yaml:2:5: warning: required_plugin_versions entry 'k8saudit': Plugin requirement not "
		       "satisfied, must load one of: k8saudit (>= 0.19.0) (ignored: saker loads no plugins) "
		       "(LOAD_UNKNOWN_ITEM)");
	expect_plugins("- required_plugin_versions:\n  - name: json\n    version: 1.0.0\n",
		       "t.yaml:2:5: warning: required_plugin_versions entry 'json': Plugin requirement not "
		       "satisfied, must load one of: json (>= 1.0.0) (ignored: saker loads no plugins) "
		       "(LOAD_UNKNOWN_ITEM)");
	expect_plugins("- required_plugin_versions:\n  - name: cloudtrail\n    version: 0.1.0\n    alternatives:\n"
		       "      - name: cloudtrail-x\n        version: 0.1.0\n",
		       "t.yaml:2:5: warning: required_plugin_versions entry 'cloudtrail': Plugin requirement not "
		       "satisfied, must load one of: cloudtrail (>= 0.1.0), cloudtrail-x (>= 0.1.0) (ignored: saker "
		       "loads no plugins) (LOAD_UNKNOWN_ITEM)");
	/* without provided plugins nothing is satisfied */
	expect_warning("- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n",
		       "t.yaml:2:5: warning: required_plugin_versions entry 'container': Plugin requirement not "
		       "satisfied, must load one of: container (>= 0.4.0) (ignored: saker loads no plugins) "
		       "(LOAD_UNKNOWN_ITEM)");
	expect_error("- required_plugin_versions: x\n",
		     "t.yaml:1:29: error: required_plugin_versions: Value of required_plugin_versions must be a "
		     "sequence (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- required_plugin_versions:\n  - name: json\n",
		     "t.yaml:2:5: error: required_plugin_versions entry 'json': Item has no mapping for key "
		     "'version' (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- required_plugin_versions:\n  - json\n",
		     "t.yaml:2:5: error: required_plugin_versions entry: Plugin version must be a mapping "
		     "(LOAD_ERR_YAML_VALIDATE)");
}

/* ---- event sources ----------------------------------------------------- */

/* A second source over the fake registry: only ka.user.name, proc.cmdline
 * (standing for a generic field) and the event type "socket" (9). */
static int audit_field(const struct rule_field_def *d)
{
	return d->id == F_KA_USER || d->id == F_PROC_CMDLINE;
}
static int audit_type(uint16_t t)
{
	return t == 9;
}
static int sys_field(const struct rule_field_def *d)
{
	return d->id != F_KA_USER;
}
static int sys_type(uint16_t t)
{
	return t != 9;
}
static const struct rule_field_registry audit_reg = {
	.defs = fake_defs, .ndefs = sizeof(fake_defs) / sizeof(fake_defs[0]), .n_evttypes = FAKE_NTYPES,
	.has_field = audit_field, .has_evttype = audit_type,
};
static const struct rule_field_registry sys_reg = {
	.defs = fake_defs, .ndefs = sizeof(fake_defs) / sizeof(fake_defs[0]), .validate_arg = fake_validate_arg,
	.evttype_lookup = fake_evttype_lookup, .n_evttypes = FAKE_NTYPES, .has_field = sys_field,
	.has_evttype = sys_type,
};

static void lt_init_sources(struct lt *t)
{
	char sys_extra[32], audit_extra[32];
	/* the loader copies sources and their suffixes: these buffers die first */
	snprintf(sys_extra, sizeof(sys_extra), "pid=%%proc.pid");
	snprintf(audit_extra, sizeof(audit_extra), "u=%%ka.user.name");
	const struct rule_source src[] = {
		{"syscall", &sys_reg, sys_extra},
		{"k8s_audit", &audit_reg, audit_extra},
	};
	struct rule_load_opts o = {.registry = &fake_reg, .min_priority = RULE_PRIO_DEBUG, .sources = src,
				   .nsources = 2};
	lt_init_opts(t, &o);
	memset(sys_extra, 'x', sizeof(sys_extra));
	memset(audit_extra, 'x', sizeof(audit_extra));
}

#define AUDIT_RULE(n) "- rule: " n "\n  desc: d\n  output: o\n  priority: WARNING\n  source: k8s_audit\n  condition: "

static void test_sources(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	lt_init_sources(&t);
	assert_int_equal(lt_add(&t, RULE("sys any") "proc.name=cat\n" AUDIT_RULE("audit any") "ka.user.name=bob\n"
				     RULE("sys socket") "evt.type=socket and proc.name=cat\n"), 0);
	assert_non_null(lt_build(&t));
	assert_string_equal(t.diags, "");
	/* the syscall rule without evt.type never runs on the audit source's type ... */
	ev_basic(&e, 9, "cat", NULL);
	e.str[F_KA_USER] = "bob";
	assert_string_equal(eval_ev(t.rs, &e, &ms), "audit any");
	/* ... the audit rule never on the others */
	ev_basic(&e, 0, "cat", NULL);
	e.str[F_KA_USER] = "bob";
	assert_string_equal(eval_ev(t.rs, &e, &ms), "sys any");
	assert_false(rule_set_wants(t.rs, 9) == 0);
	/* each source's output suffix, copied by the loader */
	assert_string_equal(rule_set_rule(t.rs, 0)->output, "o pid=%proc.pid");
	assert_string_equal(rule_set_rule(t.rs, 1)->output, "o u=%ka.user.name");
	assert_string_equal(rule_set_rule(t.rs, 1)->source, "k8s_audit");
	lt_free(&t);

	/* fields of another source are unknown, in conditions, outputs and exceptions */
	lt_init_sources(&t);
	assert_int_not_equal(lt_add(&t, RULE("r") "ka.user.name=bob\n"), 0);
	lt_expect_line(&t, "t.yaml:5:14: error: rule 'r': filter_check called with nonexistent field ka.user.name "
			   "(LOAD_ERR_COMPILE_CONDITION)");
	lt_free(&t);
	lt_init_sources(&t);
	assert_int_not_equal(lt_add(&t, AUDIT_RULE("r") "proc.name=cat\n"), 0);
	lt_expect_line(&t, "t.yaml:6:14: error: rule 'r': filter_check called with nonexistent field proc.name "
			   "(LOAD_ERR_COMPILE_CONDITION)");
	lt_free(&t);
	lt_init_sources(&t);
	assert_int_not_equal(lt_add(&t, "- rule: r\n  desc: d\n  output: x %proc.name\n  priority: INFO\n"
				     "  source: k8s_audit\n  condition: ka.user.name=a\n"), 0);
	assert_int_equal(lt_count(&t, "(LOAD_ERR_COMPILE_OUTPUT)"), 1);
	lt_free(&t);
	lt_init_sources(&t);
	assert_int_not_equal(lt_add(&t, AUDIT_RULE("r") "ka.user.name=a\n  exceptions:\n    - name: e\n"
				     "      fields: proc.name\n      values: [cat]\n"), 0);
	assert_int_equal(lt_count(&t, "'proc.name' is not a supported filter field"), 1);
	lt_free(&t);
	/* audit rules cannot name event types; no LOAD_NO_EVTTYPE for them */
	lt_init_sources(&t);
	assert_int_not_equal(lt_add(&t, AUDIT_RULE("r") "evt.type=socket\n"), 0);
	lt_free(&t);
	lt_init_sources(&t);
	assert_int_equal(lt_add(&t, AUDIT_RULE("r") "ka.user.name exists\n"), 0);
	assert_int_equal(lt_count(&t, "LOAD_NO_EVTTYPE"), 0);
	lt_free(&t);
	/* a source nobody provides: skipped with a warning, as in Falco */
	lt_init_sources(&t);
	assert_int_equal(lt_add(&t, "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n  source: aws_cloudtrail\n"
				     "  condition: ct.name=x\n"), 0);
	lt_expect_line(&t, "t.yaml:1:3: warning: rule 'r': Unknown source aws_cloudtrail, skipping "
			   "(LOAD_UNKNOWN_SOURCE)");
	lt_free(&t);
}

/* ---- lists ------------------------------------------------------------- */

/* Substitutes the loaded lists into text as the compile pipeline does. */
static char *subst(struct rule_loader *l, const char *text)
{
	struct ld_lists_x x;
	ld_lists_expand(l, &x);
	char *r = ld_lists_substitute(l, &x, text);
	ld_lists_x_free(l, &x);
	return r;
}

static void expect_subst(struct rule_loader *l, const char *text, const char *want)
{
	char *got = subst(l, text);
	if (strcmp(got, want))
		fail_msg("substituting '%s': got '%s', want '%s'", text, got, want);
	free(got);
}

static void test_list_substitution_text(void **state)
{
	(void)state;
	struct lt t;
	lt_init(&t);
	assert_int_equal(lt_add(&t, "- list: shells\n  items: [bash, sh]\n"
				    "- list: spaced\n  items: [my tool, '\"pre quoted\"', x]\n"
				    "- list: empty\n  items: []\n"
				    "- list: one\n  items: [cat]\n"
				    "- list: my_list\n  items: [m]\n"),
			 0);
	expect_subst(t.l, "proc.name in (shells)", "proc.name in (bash, sh)");
	expect_subst(t.l, "proc.name in (shells, zsh)", "proc.name in (bash, sh, zsh)");
	/* an item with a space is double-quoted unless it starts with a quote */
	expect_subst(t.l, "proc.name in (spaced)", "proc.name in (\"my tool\", \"pre quoted\", x)");
	/* empty lists take a neighbouring comma (left first) */
	expect_subst(t.l, "proc.name in (a, empty)", "proc.name in (a )");
	expect_subst(t.l, "proc.name in (empty, a)", "proc.name in ( a)");
	expect_subst(t.l, "proc.name in (empty)", "proc.name in ()");
	expect_subst(t.l, "proc.name in (a, empty, b)", "proc.name in (a , b)");
	/* boundaries: only ( ) , = and blanks delimit a name */
	expect_subst(t.l, "proc.name=one", "proc.name=cat");
	expect_subst(t.l, "proc.name in (file_my_list, my_list_x, my_list)", "proc.name in (file_my_list, my_list_x, m)");
	expect_subst(t.l, "proc.name in (shells.x)", "proc.name in (shells.x)");
	/* occurrences inside quoted strings are replaced too (Falco does it textually) */
	expect_subst(t.l, "proc.cmdline = \"run one now\"", "proc.cmdline = \"run cat now\"");
	lt_free(&t);
}

static void test_list_references(void **state)
{
	(void)state;
	struct lt t;
	/* one level: list_b includes list_a's items */
	lt_load_ok(&t, "- list: list_a\n  items: [open]\n- list: list_b\n  items: [list_a, openat]\n" RULE("r")
		       "evt.type in (list_b)\n");
	uint16_t types[16];
	assert_int_equal(rule_set_evttypes(t.rs, types, 16), 2);
	assert_int_equal(types[0], T_OPEN);
	assert_int_equal(types[1], T_OPENAT);
	lt_free(&t);
	/* a list referring to a list defined later keeps the name as an item, but
	 * substitution runs over the lists in definition order and is textual, so
	 * the condition text "list_a" left by list_b is then replaced by list_a */
	lt_load_ok(&t, "- list: list_b\n  items: [list_a]\n- list: list_a\n  items: [x]\n" RULE("r")
		       "proc.name in (list_b)\n");
	struct fake_ev e;
	struct matches ms;
	ev_basic(&e, T_OPEN, "list_a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_OPEN, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	lt_free(&t);
	/* the legacy list loop: list_a = [list_b] after list_b = [list_a] gives the literal "list_a" */
	expect_error("- list: list_a\n  items: [open]\n- list: list_b\n  items: [list_a]\n- list: list_a\n"
		     "  items: [list_b]\n" RULE("sample rule") "evt.type in (list_a)\n",
		     "t.yaml:11:14: error: rule 'sample rule': unknown event type list_a "
		     "(LOAD_ERR_COMPILE_CONDITION)");
}

static void test_list_behaviour(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	/* a list may be used before it is defined; empty lists match nothing; one-item list with = */
	lt_load_ok(&t, RULE("a") "evt.type=open and proc.name in (x, empty)\n" RULE("b")
		       "evt.type=open and proc.name in (empty)\n" RULE("c") "evt.type=openat and proc.name = one\n"
		       "- list: empty\n  items: []\n- list: one\n  items: [cat]\n");
	ev_basic(&e, T_OPEN, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "a");
	ev_basic(&e, T_OPEN, "y", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_OPENAT, "cat", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "c");
	assert_int_equal(lt_count(&t, "LOAD_UNUSED_LIST"), 0);
	lt_free(&t);
	/* a whole multi-item list as a condition is a parse error */
	expect_error("- list: l\n  items: [a, b]\n" RULE("r") "l\n",
		     "t.yaml:7:14: error: rule 'r': unexpected token after 'a', expecting 'or', 'and' "
		     "(LOAD_ERR_COMPILE_CONDITION)");
	/* and a one-item list becomes a macro reference */
	expect_error("- list: l\n  items: [a]\n" RULE("r") "l\n",
		     "t.yaml:3:3: error: rule 'r': Undefined macro 'a' used in filter. (LOAD_ERR_VALIDATE)");
	/* a '' item leaves "(a, )": a parse error */
	lt_init(&t);
	assert_int_equal(lt_add(&t, "- list: l\n  items: [a, '']\n" RULE("r") "proc.name in (l)\n"), -1);
	assert_int_equal(lt_count(&t, "error: rule 'r'"), 1);
	assert_int_equal(lt_count(&t, "(LOAD_ERR_COMPILE_CONDITION)"), 1);
	lt_free(&t);
	expect_warning("- list: l\n  items: [a]\n",
		       "t.yaml:1:3: warning: list 'l': List not referred to by any other rule/macro (LOAD_UNUSED_LIST)");
	expect_warning("- list: \"a b\"\n  items: [x]\n",
		       "t.yaml:1:3: warning: list 'a b': List has an invalid name. List names should match a regular "
		       "expression: ([^()\"'[:space:]=,]+) (LOAD_INVALID_LIST_NAME)");
}

static void test_list_append_override(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	lt_init(&t);
	assert_int_equal(lt_add(&t, "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  append: true\n"
				    "- list: l\n  items: [c]\n  override:\n    items: append\n"
				    "- list: r\n  items: [x]\n- list: r\n  items: [y]\n  override:\n    items: replace\n"
				    "- list: d\n  items: [x]\n- list: d\n  items: [z]\n"
				    RULE("rule") "proc.name in (l, r, d)\n"),
			 0);
	lt_expect_line(&t, "t.yaml:3:3: warning: list 'l': The 'append' key is deprecated. Add an 'append' entry "
			   "(e.g. 'condition: append') under 'override' instead. (LOAD_DEPRECATED_ITEM)");
	assert_non_null(lt_build(&t));
	const char *yes[] = {"a", "b", "c", "y", "z"}, *no[] = {"x", "d"};
	for (size_t i = 0; i < 5; i++) {
		ev_basic(&e, T_OPEN, yes[i], NULL);
		assert_string_equal(eval_ev(t.rs, &e, &ms), "rule");
	}
	for (size_t i = 0; i < 2; i++) {
		ev_basic(&e, T_OPEN, no[i], NULL);
		assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	}
	/* three list definitions count once each */
	assert_int_equal(rule_set_list_count(t.rs), 3);
	lt_free(&t);
	expect_error("- list: my_list\n  items: [a]\n  append: true\n",
		     "t.yaml:1:3: error: list 'my_list': List uses 'append' or 'override.items: append' but no list "
		     "by that name already exists (LOAD_ERR_VALIDATE)");
	expect_error("- list: my_list\n  items: [a]\n  override:\n    items: append\n",
		     "t.yaml:1:3: error: list 'my_list': List uses 'append' or 'override.items: append' but no list "
		     "by that name already exists (LOAD_ERR_VALIDATE)");
	expect_error("- list: l\n  items: [a]\n- list: l\n  items: [a]\n  append: true\n  override:\n    items: append\n",
		     "t.yaml:3:3: error: list 'l': Keys 'override' and 'append: true' cannot be used together. Add an "
		     "'append' entry (e.g. 'condition: append') under 'override' instead. (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- list: l\n  items: [a]\n  override:\n    items: prepend\n",
		     "t.yaml:4:5: error: override 'items': Invalid override operation for key 'items': 'prepend'. "
		     "Allowed values are: append replace  (LOAD_ERR_YAML_VALIDATE)");
	expect_error("- list: l\n  items: [a]\n  override:\n    condition: append\n",
		     "t.yaml:4:5: error: override 'condition': Key 'condition' cannot be appended to, use 'replace' "
		     "instead (LOAD_ERR_YAML_VALIDATE)");
}

/* ---- macros ------------------------------------------------------------ */

static void test_macro_references(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	/* macro -> macro -> macro; a rule may use a macro defined after it */
	lt_load_ok(&t, RULE("r") "m3\n- macro: m1\n  condition: evt.type=open\n- macro: m2\n  condition: m1 and "
				 "proc.name=cat\n- macro: m3\n  condition: m2 or proc.name=dog\n");
	ev_basic(&e, T_OPEN, "cat", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPEN, "dog", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPENAT, "cat", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_OPENAT, "dog", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	assert_int_equal(rule_set_macro_count(t.rs), 3);
	assert_int_equal(lt_count(&t, "LOAD_UNUSED_MACRO"), 0);
	lt_free(&t);
	/* a macro is one unit: "m or x" with m = "a and b" keeps its grouping */
	lt_load_ok(&t, "- macro: m\n  condition: proc.name=a or proc.name=b\n" RULE("r") "m and evt.type=openat\n");
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_OPENAT, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	lt_free(&t);
}

static void test_macro_visibility(void **state)
{
	(void)state;
	/* a macro sees only macros first defined before it, even when unused */
	expect_error("- macro: A\n  condition: B\n- macro: B\n  condition: evt.type=open\n",
		     "t.yaml:1:3: error: macro 'A': Undefined macro 'B' used in filter. (LOAD_ERR_VALIDATE)");
	/* redefining A after B makes B visible */
	struct lt t;
	lt_load_ok(&t, "- macro: A\n  condition: evt.type=open\n- macro: B\n  condition: evt.type=openat\n"
		       "- macro: A\n  condition: B\n" RULE("r") "A\n");
	uint16_t types[4];
	assert_int_equal(rule_set_evttypes(t.rs, types, 4), 1);
	assert_int_equal(types[0], T_OPENAT);
	lt_free(&t);
	/* so does an append */
	lt_load_ok(&t, "- macro: A\n  condition: evt.type=open\n- macro: B\n  condition: evt.type=openat\n"
		       "- macro: A\n  condition: or B\n  override:\n    condition: append\n" RULE("r") "A\n");
	assert_int_equal(rule_set_evttypes(t.rs, types, 4), 2);
	lt_free(&t);
	/* the same across files: file 2 sees file 1 */
	lt_init(&t);
	assert_int_equal(lt_add_named(&t, "a.yaml", "- macro: B\n  condition: evt.type=open\n"), 0);
	assert_int_equal(lt_add_named(&t, "b.yaml", "- macro: A\n  condition: B\n" RULE("r") "A\n"), 0);
	lt_free(&t);
	/* an unknown macro in a rule */
	expect_error(RULE("r") "evt.type=open and foo\n",
		     "t.yaml:1:3: error: rule 'r': Undefined macro 'foo' used in filter. (LOAD_ERR_VALIDATE)");
	/* a rule in file 1 using a macro only defined in file 2 fails while loading file 1 */
	lt_init(&t);
	assert_int_equal(lt_add_named(&t, "one.yaml", RULE("r") "m\n"), -1);
	lt_expect_line(&t, "one.yaml:1:3: error: rule 'r': Undefined macro 'm' used in filter. (LOAD_ERR_VALIDATE)");
	/* and the loader refuses further files */
	assert_int_equal(lt_add_named(&t, "two.yaml", "- macro: m\n  condition: evt.type=open\n"), -1);
	lt_free(&t);
}

static void test_macro_loops(void **state)
{
	(void)state;
	expect_error("- macro: a\n  condition: evt.type=open\n- macro: b\n  condition: a\n- macro: a\n  condition: b\n",
		     "t.yaml:5:3: error: macro 'a': reference loop in macro 'a' (LOAD_ERR_VALIDATE)");
	expect_error("- macro: a\n  condition: evt.type=open\n- macro: a\n  condition: a\n",
		     "t.yaml:3:3: error: macro 'a': reference loop in macro 'a' (LOAD_ERR_VALIDATE)");
}

static void test_macro_errors_and_warnings(void **state)
{
	(void)state;
	/* syntax errors are fatal even in an unused macro; the column points into the condition */
	expect_error("- macro: m\n  condition: (evt.type=open\n",
		     "t.yaml:2:28: error: macro 'm': expected a ')' token (LOAD_ERR_COMPILE_CONDITION)");
	/* "and" where a check is expected reads as a macro name */
	expect_error("- macro: m\n  condition: evt.type=open and and\n",
		     "t.yaml:1:3: error: macro 'm': Undefined macro 'and' used in filter. (LOAD_ERR_VALIDATE)");
	expect_error("- macro: some macro\n  condition: evt.type=execve xxx\n",
		     "t.yaml:2:30: error: macro 'some macro': unexpected token after 'execve', expecting 'or', "
		     "'and' (LOAD_ERR_COMPILE_CONDITION)");
	/* fields are checked only when a rule uses the macro */
	expect_warning("- macro: m\n  condition: proc.nobody=1\n",
		       "t.yaml:1:3: warning: macro 'm': Macro not referred to by any other rule/macro (LOAD_UNUSED_MACRO)");
	expect_error("- macro: m\n  condition: proc.nobody=1\n" RULE("r") "m\n",
		     "t.yaml:7:14: error: rule 'r': filter_check called with nonexistent field proc.nobody "
		     "(LOAD_ERR_COMPILE_CONDITION)");
	expect_warning("- macro: a-b\n  condition: evt.type=open\n",
		       "t.yaml:1:3: warning: macro 'a-b': Macro has an invalid name. Macro names should match a regular "
		       "expression: ([a-zA-Z]+[a-zA-Z0-9_]*) (LOAD_INVALID_MACRO_NAME)");
}

static void test_macro_append_override(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	/* append concatenates text: "a or b" + "and c" = "a or (b and c)" */
	lt_load_ok(&t, "- macro: m\n  condition: proc.name=a or proc.name=b\n- macro: m\n  condition: and "
		       "evt.type=openat\n  append: true\n" RULE("r") "m\n");
	lt_expect_line(&t, "t.yaml:3:3: warning: macro 'm': The 'append' key is deprecated. Add an 'append' entry "
			   "(e.g. 'condition: append') under 'override' instead. (LOAD_DEPRECATED_ITEM)");
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	ev_basic(&e, T_OPEN, "b", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_OPENAT, "b", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	lt_free(&t);
	/* override replace = redefinition, keeping the first position */
	lt_load_ok(&t, "- macro: m\n  condition: proc.name=a\n- macro: m2\n  condition: proc.name=z\n"
		       "- macro: m\n  condition: proc.name=b\n  override:\n    condition: replace\n" RULE("r") "m or m2\n");
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_OPEN, "b", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "r");
	assert_int_equal(rule_set_macro_count(t.rs), 2);
	lt_free(&t);
	expect_error("- macro: dangling append\n  condition: and evt.type=open\n  append: true\n",
		     "t.yaml:1:3: error: macro 'dangling append': Macro uses 'append' or 'override.condition: append' "
		     "but no macro by that name already exists (LOAD_ERR_VALIDATE)");
	expect_error("- macro: m\n  condition: x\n  override:\n    items: append\n",
		     "t.yaml:4:5: error: override 'items': Key 'items' cannot be appended to, use 'replace' instead "
		     "(LOAD_ERR_YAML_VALIDATE)");
	/* an append that breaks the condition is reported on the macro, at the
	 * condition's start (the bad text is not where it was written) */
	expect_error("- macro: some_macro\n  condition: evt.type=open\n- macro: some_macro\n  condition: xxx\n"
		     "  override:\n    condition: append\n",
		     "t.yaml:2:14: error: macro 'some_macro': unexpected token after 'open', expecting 'or', 'and' "
		     "(LOAD_ERR_COMPILE_CONDITION)");
	/* an error inside the original text still gets its column */
	expect_error("- macro: m\n  condition: evt.type=open xxx\n- macro: m\n  condition: and proc.name=a\n"
		     "  override:\n    condition: append\n",
		     "t.yaml:2:28: error: macro 'm': unexpected token after 'open', expecting 'or', 'and' "
		     "(LOAD_ERR_COMPILE_CONDITION)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml_shape),
		cmocka_unit_test(test_yaml_docs_and_nulls),
		cmocka_unit_test(test_unknown_item_and_key),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_required_engine_version),
		cmocka_unit_test(test_required_plugin_versions),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_list_substitution_text),
		cmocka_unit_test(test_list_references),
		cmocka_unit_test(test_list_behaviour),
		cmocka_unit_test(test_list_append_override),
		cmocka_unit_test(test_macro_references),
		cmocka_unit_test(test_macro_visibility),
		cmocka_unit_test(test_macro_loops),
		cmocka_unit_test(test_macro_errors_and_warnings),
		cmocka_unit_test(test_macro_append_override),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
