/* tests/test_rules_describe.c: the rules description (-L json): macros and lists named, resolved fields, operators and events, exceptions, output fields, used flags. */
#include "tests/helpers/rules_load_util.h"

static const char *fake_name(uint16_t t)
{
	return t < FAKE_NTYPES ? fake_types[t] : NULL;
}

/* s as "a,b,c" for one comparison per field. */
static const char *joined(const struct rule_strs *s)
{
	static char buf[1024];
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < s->n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "", s->v[i]);
	return buf;
}

static const char *YAML =
	"- required_engine_version: 0.26.0\n"
	"- required_engine_version: 0.31.0\n"
	"- required_plugin_versions:\n"
	"  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n      - name: k8saudit-eks\n        version: 0.4.0\n"
	"- list: shells\n  items: [sh, bash]\n"
	"- list: more_shells\n  items: [shells, zsh]\n"
	"- list: lonely\n  items: [x]\n"
	"- macro: spawned_shell\n  condition: evt.type in (execve, open) and proc.name in (more_shells)\n"
	"- macro: unused_macro\n  condition: proc.name = y\n"
	"- macro: wrapper\n  condition: spawned_shell or fd.name startswith /tmp\n"
	"- rule: Shell\n  desc: a shell\n  output: shell %proc.name under %proc.aname[2] (%proc.name)\n"
	"  priority: WARNING\n  tags: [b, a]\n"
	"  condition: wrapper and not proc.cmdline contains x and fd.name exists\n"
	"  exceptions:\n"
	"    - name: known\n      fields: [proc.cwd, fd.nameraw]\n      comps: [=, startswith]\n"
	"      values:\n        - [/root, /var]\n"
	"    - name: by_parent\n      fields: proc.pname\n      values: [cron]\n"
	"    - name: defaults\n      fields: [user.uid]\n      values: [[0]]\n"
	"- rule: Other source\n  desc: d\n  output: o\n  priority: WARNING\n  source: nowhere\n"
	"  condition: ka.user.name = x\n";

static void test_describe_rule(void **state)
{
	(void)state;
	struct lt t;
	lt_load_ok(&t, YAML);
	struct rule_description *d = rule_describe(t.l, t.rs, fake_name);
	assert_non_null(d);
	/* the rule of an unknown source is left out, as Falco does */
	assert_int_equal(d->nrules, 1);
	const struct rule_describe_rule *r = &d->rules[0];
	assert_string_equal(rule_set_rule(t.rs, r->index)->name, "Shell");
	/* named directly in the condition, not through wrapper */
	assert_string_equal(joined(&r->macros), "wrapper");
	assert_string_equal(joined(&r->lists), "");
	/* resolved: macros expanded, exceptions included */
	assert_string_equal(joined(&r->condition_fields),
			    "evt.type,fd.name,fd.nameraw,proc.cmdline,proc.cwd,proc.name,proc.pname,user.uid");
	assert_string_equal(joined(&r->condition_operators), "=,contains,exists,in,startswith");
	/* the or with fd.name startswith /tmp lets every event type through */
	assert_string_equal(joined(&r->events),
			    "asyncevent,close,connect,execve,open,openat,openat2,procexit,read,socket,write");
	assert_string_equal(joined(&r->exception_names), "by_parent,defaults,known");
	assert_string_equal(joined(&r->exception_fields), "fd.nameraw,proc.cwd,proc.pname,user.uid");
	assert_string_equal(joined(&r->exception_operators), "=,in,startswith");
	/* in order, once each */
	assert_string_equal(joined(&r->output_fields), "proc.name,proc.aname[2]");
	assert_string_equal(r->condition, "wrapper and not proc.cmdline contains x and fd.name exists");
	assert_non_null(strstr(r->condition_compiled, "proc.name in (sh, bash, zsh)"));
	assert_non_null(strstr(r->condition_compiled, "not proc.cmdline contains x"));
	assert_string_equal(r->output_compiled, "shell %proc.name under %proc.aname[2] (%proc.name)");
	rule_description_free(d);
	/* enabled is the file's value, as Falco prints it, whatever -D selected */
	assert_int_equal(rule_loader_disable_name_substr(t.l, "Shell"), 0);
	rule_set_free(t.rs);
	assert_non_null(t.rs = rule_loader_build(t.l));
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 0);
	d = rule_describe(t.l, t.rs, fake_name);
	assert_non_null(d);
	assert_int_equal(d->rules[0].enabled, 1);
	rule_description_free(d);
	lt_free(&t);
}

static void test_describe_macros_lists(void **state)
{
	(void)state;
	struct lt t;
	lt_load_ok(&t, YAML);
	struct rule_description *d = rule_describe(t.l, t.rs, fake_name);
	assert_non_null(d);
	assert_string_equal(d->required_engine_version, "0.31.0");
	assert_int_equal(d->nplugin_reqs, 1);
	assert_string_equal(d->plugin_reqs[0].name, "k8saudit");
	assert_string_equal(d->plugin_reqs[0].version, "0.7.0");
	assert_string_equal(joined(&d->plugin_reqs[0].alt_names), "k8saudit-eks");
	assert_string_equal(joined(&d->plugin_reqs[0].alt_versions), "0.4.0");

	assert_int_equal(d->nmacros, 3);
	const struct rule_describe_macro *m = &d->macros[0];
	assert_string_equal(m->name, "spawned_shell");
	assert_int_equal(m->used, 1);
	assert_string_equal(joined(&m->lists), "more_shells");
	assert_string_equal(joined(&m->macros), "");
	assert_string_equal(joined(&m->condition_fields), "evt.type,proc.name");
	assert_string_equal(joined(&m->condition_operators), "in");
	assert_string_equal(joined(&m->events), "asyncevent,execve,open");
	assert_string_equal(m->condition_compiled, "(evt.type in (execve, open) and proc.name in (sh, bash, zsh))");
	assert_string_equal(d->macros[1].name, "unused_macro");
	assert_int_equal(d->macros[1].used, 0);
	assert_string_equal(d->macros[2].name, "wrapper");
	assert_int_equal(d->macros[2].used, 1);
	assert_string_equal(joined(&d->macros[2].macros), "spawned_shell");

	assert_int_equal(d->nlists, 3);
	const struct rule_describe_list *li = &d->lists[1];
	assert_string_equal(li->name, "more_shells");
	assert_int_equal(li->used, 1);
	assert_string_equal(joined(&li->items), "zsh");
	assert_string_equal(joined(&li->lists), "shells");
	assert_string_equal(joined(&li->items_compiled), "sh,bash,zsh");
	assert_int_equal(d->lists[0].used, 1); /* through more_shells */
	assert_string_equal(d->lists[2].name, "lonely");
	assert_int_equal(d->lists[2].used, 0);
	assert_string_equal(joined(&d->lists[2].items_compiled), "x");
	rule_description_free(d);
	lt_free(&t);
}

/* A rule of another source sees its plugin events, not the syscalls. */
static void test_describe_other_source(void **state)
{
	(void)state;
	struct rule_source src[] = {{"syscall", &fake_reg, NULL}, {"k8s_audit", &fake_reg, NULL}};
	struct rule_load_opts o = {.min_priority = RULE_PRIO_DEBUG, .sources = src, .nsources = 2};
	struct lt t;
	lt_init_opts(&t, &o);
	assert_int_equal(lt_add(&t, RULE("audit") "ka.user.name = x\n  source: k8s_audit\n"), 0);
	assert_non_null(lt_build(&t));
	struct rule_description *d = rule_describe(t.l, t.rs, fake_name);
	assert_non_null(d);
	assert_int_equal(d->nrules, 1);
	assert_string_equal(joined(&d->rules[0].events), "asyncevent,pluginevent");
	assert_string_equal(joined(&d->rules[0].condition_fields), "ka.user.name");
	assert_string_equal(d->required_engine_version, "0.0.0");
	rule_description_free(d);
	lt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe_rule),
		cmocka_unit_test(test_describe_macros_lists),
		cmocka_unit_test(test_describe_other_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
