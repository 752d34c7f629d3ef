/* tests/test_rules_select.c: priorities and the minimum priority, first/all matching, -D/-T/-t and glob selection, the evt.type index, LOAD_NO_EVTTYPE. */
#include "tests/helpers/rules_load_util.h"

/* From fields/fields.h, whose field ids clash with the fake registry's names. */
const struct rule_field_registry *field_registry(void);

static void load_opts(struct lt *t, int min_prio, int all, const char *yaml)
{
	struct rule_load_opts o = {.registry = &fake_reg, .min_priority = min_prio, .rule_matching_all = all};
	lt_init_opts(t, &o);
	if (lt_add(t, yaml) != 0)
		fail_msg("load failed:\n%s", t->diags);
}

#define PRULE(n, prio, cond) "- rule: " n "\n  desc: d\n  output: o\n  priority: " prio "\n  condition: " cond "\n"

static const char prio_rules[] = PRULE("dbg", "debug", "evt.type=open")
	PRULE("inf", "INFO", "evt.type=open") PRULE("warn", "Warning", "evt.type=open")
	PRULE("crit", "CRITICAL", "evt.type=open") PRULE("emerg", "emergency", "evt.type=openat");

static void test_priorities(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	load_opts(&t, RULE_PRIO_DEBUG, 1, prio_rules);
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_rule(t.rs, 0)->priority, RULE_PRIO_DEBUG);
	assert_int_equal(rule_set_rule(t.rs, 1)->priority, RULE_PRIO_INFORMATIONAL);
	assert_string_equal(rule_priority_name(rule_set_rule(t.rs, 1)->priority), "Informational");
	assert_string_equal(rule_priority_summary_name(rule_set_rule(t.rs, 1)->priority), "INFO");
	assert_int_equal(rule_set_rule(t.rs, 2)->priority, RULE_PRIO_WARNING);
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "dbg,inf,warn,crit");
	lt_free(&t);
	/* minimum WARNING: less severe rules never run and never take an event */
	load_opts(&t, RULE_PRIO_WARNING, 0, prio_rules);
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_count(t.rs), 5);
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 0);
	assert_int_equal(rule_set_rule(t.rs, 1)->enabled, 0);
	assert_int_equal(rule_set_rule(t.rs, 2)->enabled, 1);
	ev_basic(&e, T_OPEN, "a", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "warn");
	lt_free(&t);
	/* a low-priority rule is still compiled: its errors are fatal */
	struct rule_load_opts o = {.registry = &fake_reg, .min_priority = RULE_PRIO_EMERGENCY};
	lt_init_opts(&t, &o);
	assert_int_equal(lt_add(&t, PRULE("dbg", "debug", "proc.nobody=1")), -1);
	lt_free(&t);
	assert_int_equal(rule_priority_parse("iNfO"), RULE_PRIO_INFORMATIONAL);
	assert_int_equal(rule_priority_parse("informational"), RULE_PRIO_INFORMATIONAL);
	assert_int_equal(rule_priority_parse("ALERT"), RULE_PRIO_ALERT);
	assert_int_equal(rule_priority_parse("warn"), -1);
}

static void test_first_vs_all(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	struct matches ms;
	const char *yaml = RULE("a") "evt.type=open and proc.name=x\n" RULE("b") "evt.type in (open, openat)\n"
		RULE("c") "proc.name in (x, z)\n" RULE("d") "evt.type=open\n";
	load_opts(&t, RULE_PRIO_DEBUG, 0, yaml);
	assert_non_null(lt_build(&t));
	ev_basic(&e, T_OPEN, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "a");
	ev_basic(&e, T_OPEN, "y", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "b");
	ev_basic(&e, T_EXECVE, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "c");
	/* first match stops evaluation: later rules' fields are never extracted
	 * (c's check differs from a's: identical checks are memoised per event) */
	ev_basic(&e, T_OPEN, "x", NULL);
	e.calls = 0;
	eval_ev(t.rs, &e, &ms);
	int first_calls = e.calls;
	lt_free(&t);
	load_opts(&t, RULE_PRIO_DEBUG, 1, yaml);
	assert_non_null(lt_build(&t));
	ev_basic(&e, T_OPEN, "x", NULL);
	e.calls = 0;
	assert_string_equal(eval_ev(t.rs, &e, &ms), "a,b,c,d");
	assert_true(e.calls > first_calls);
	ev_basic(&e, T_OPENAT, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "b,c");
	/* a NULL callback still counts */
	e.type = T_OPEN;
	assert_int_equal(rule_set_eval(t.rs, T_OPEN, fake_extract, &e, NULL, NULL), 4);
	/* out-of-range event types match nothing */
	assert_int_equal(rule_set_eval(t.rs, 999, fake_extract, &e, NULL, NULL), 0);
	lt_free(&t);
}

static const char sel_rules[] = RULE("Write below etc") "evt.type=open\n  tags: [filesystem, mitre]\n"
	RULE("Read sensitive file") "evt.type=open\n  tags: [filesystem]\n" RULE("Net tool") "evt.type=open\n"
	"  tags: [network]\n" RULE("untagged") "evt.type=open\n";

/* Builds with selections applied by fn and returns the enabled rules "a,b". */
static void sel_check(void (*fn)(struct rule_loader *), const char *want)
{
	struct lt t;
	load_opts(&t, RULE_PRIO_DEBUG, 1, sel_rules);
	fn(t.l);
	assert_non_null(lt_build(&t));
	struct fake_ev e;
	struct matches ms;
	ev_basic(&e, T_OPEN, "a", NULL);
	if (strcmp(eval_ev(t.rs, &e, &ms), want))
		fail_msg("selection: got '%s' want '%s'", ms.names, want);
	/* the enabled flags agree with what runs */
	char names[512] = "";
	for (size_t i = 0; i < rule_set_count(t.rs); i++)
		if (rule_set_rule(t.rs, i)->enabled)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", names[0] ? "," : "",
				 rule_set_rule(t.rs, i)->name);
	assert_string_equal(names, want);
	lt_free(&t);
}

static void sel_none(struct rule_loader *l) { (void)l; }
static void sel_D(struct rule_loader *l) { rule_loader_disable_name_substr(l, "e fi"); }
static void sel_D_regex(struct rule_loader *l) { rule_loader_disable_name_substr(l, "W.*"); }
static void sel_T(struct rule_loader *l) { rule_loader_disable_tag(l, "filesystem"); }
static void sel_t(struct rule_loader *l) { rule_loader_enable_only_tag(l, "filesystem"); }
static void sel_tt(struct rule_loader *l)
{
	rule_loader_enable_only_tag(l, "mitre");
	rule_loader_enable_only_tag(l, "network");
}
static void sel_glob(struct rule_loader *l)
{
	rule_loader_select(l, 0, "*", NULL);
	rule_loader_select(l, 1, "*sensitive*", NULL);
	rule_loader_select(l, 1, NULL, "network");
}
static void sel_glob_both(struct rule_loader *l) { rule_loader_select(l, 0, "*e*", "filesystem"); }

static void test_selection(void **state)
{
	(void)state;
	sel_check(sel_none, "Write below etc,Read sensitive file,Net tool,untagged");
	sel_check(sel_D, "Write below etc,Net tool,untagged");           /* substring, not a regex */
	sel_check(sel_D_regex, "Write below etc,Read sensitive file,Net tool,untagged");
	sel_check(sel_T, "Net tool,untagged");
	sel_check(sel_t, "Write below etc,Read sensitive file");          /* untagged rules never run */
	sel_check(sel_tt, "Write below etc,Net tool");
	sel_check(sel_glob, "Read sensitive file,Net tool");
	sel_check(sel_glob_both, "Net tool,untagged");
	assert_int_equal(rule_loader_select(NULL, 1, NULL, NULL), -1);
	/* a rule disabled in the file is re-enabled by -t */
	struct lt t;
	load_opts(&t, RULE_PRIO_DEBUG, 1, RULE("off") "evt.type=open\n  enabled: false\n  tags: [x]\n");
	rule_loader_enable_only_tag(t.l, "x");
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 1);
	lt_free(&t);
	/* but selection never enables a rule below the minimum priority */
	load_opts(&t, RULE_PRIO_ERROR, 1, RULE("low") "evt.type=open\n  tags: [x]\n");
	rule_loader_enable_only_tag(t.l, "x");
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_rule(t.rs, 0)->enabled, 0);
	lt_free(&t);
}

static void test_evttype_index(void **state)
{
	(void)state;
	struct lt t;
	uint16_t types[16];
	load_opts(&t, RULE_PRIO_DEBUG, 1, RULE("oo") "evt.type in (open, openat)\n");
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_evttypes(t.rs, types, 16), 2);
	assert_int_equal(types[0], T_OPEN);
	assert_int_equal(types[1], T_OPENAT);
	for (uint16_t ty = 0; ty < FAKE_NTYPES; ty++)
		assert_int_equal(rule_set_wants(t.rs, ty), ty == T_OPEN || ty == T_OPENAT);
	/* a rule indexed under open is not even evaluated for execve events */
	struct fake_ev e;
	ev_basic(&e, T_EXECVE, "x", NULL);
	e.calls = 0;
	assert_int_equal(rule_set_eval(t.rs, T_EXECVE, fake_extract, &e, NULL, NULL), 0);
	assert_int_equal(e.calls, 0);
	lt_free(&t);
	/* and / or / not over evt.type, macros included */
	load_opts(&t, RULE_PRIO_DEBUG, 1, "- macro: m\n  condition: evt.type in (open, openat, execve)\n"
					  RULE("and") "m and evt.type != openat\n" RULE("or") "evt.type=close or "
					  "(evt.type=read and proc.name=x)\n" RULE("not") "not evt.type in (open, openat, "
					  "execve, connect, close, read, write, procexit)\n"
					  "  warn_evttypes: false\n");
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_evttypes(t.rs, types, 16), 6); /* open execve | close read | openat2 socket */
	struct {
		uint16_t type;
		const char *want;
	} cases[] = {{T_OPEN, "and"}, {T_OPENAT, ""}, {T_EXECVE, "and"}, {T_CLOSE, "or"}, {T_WRITE, ""},
		     {T_OPENAT2, "not"}, {T_SOCKET, "not"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct matches ms;
		ev_basic(&e, cases[i].type, "x", NULL);
		if (strcmp(eval_ev(t.rs, &e, &ms), cases[i].want))
			fail_msg("type %u: got '%s' want '%s'", cases[i].type, ms.names, cases[i].want);
	}
	lt_free(&t);
	/* disabled rules are not indexed */
	load_opts(&t, RULE_PRIO_DEBUG, 1, RULE("oo") "evt.type=open\n  enabled: false\n");
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_evttypes(t.rs, types, 16), 0);
	assert_int_equal(rule_set_wants(t.rs, T_OPEN), 0);
	lt_free(&t);
}

/* Each rule is evaluated with its evt.type tests already decided for the
 * event's type: branches for other types vanish, a rule that cannot match a
 * type leaves its index, and a rule decided true needs no field at all. */
static void test_evttype_folding(void **state)
{
	(void)state;
	struct lt t;
	struct fake_ev e;
	uint16_t types[16];
	load_opts(&t, RULE_PRIO_DEBUG, 1,
		  "- macro: m\n  condition: evt.type in (open, execve) and proc.name in (a, b)\n"
		  RULE("split") "(evt.type=open and proc.name=a) or (evt.type=execve and proc.name=b)\n"
		  RULE("shared1") "m and evt.type=open\n" RULE("shared2") "m and not proc.name=b\n");
	assert_non_null(lt_build(&t));
	struct {
		uint16_t type;
		const char *proc, *want;
	} cases[] = {{T_OPEN, "a", "split,shared1,shared2"}, {T_OPEN, "b", "shared1"},
		     {T_EXECVE, "a", "shared2"}, {T_EXECVE, "b", "split"}, {T_EXECVE, "c", ""}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct matches ms;
		ev_basic(&e, cases[i].type, cases[i].proc, NULL);
		if (strcmp(eval_ev(t.rs, &e, &ms), cases[i].want))
			fail_msg("type %u proc %s: got '%s' want '%s'", cases[i].type, cases[i].proc, ms.names,
				 cases[i].want);
	}
	lt_free(&t);

	/* decided by the type alone: no field is extracted */
	load_opts(&t, RULE_PRIO_DEBUG, 1, RULE("decided") "evt.type in (open, execve) and (evt.type=open or proc.name=z)\n");
	assert_non_null(lt_build(&t));
	struct matches ms;
	ev_basic(&e, T_OPEN, "x", NULL);
	e.calls = 0;
	assert_string_equal(eval_ev(t.rs, &e, &ms), "decided");
	assert_int_equal(e.calls, 0);
	ev_basic(&e, T_EXECVE, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "");
	ev_basic(&e, T_EXECVE, "z", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "decided");
	lt_free(&t);

	/* false for open once folded: only execve stays in the index */
	load_opts(&t, RULE_PRIO_DEBUG, 1, RULE("never_open") "evt.type in (open, execve) and not evt.type=open and proc.name=x\n");
	assert_non_null(lt_build(&t));
	assert_int_equal(rule_set_evttypes(t.rs, types, 16), 1);
	assert_int_equal(types[0], T_EXECVE);
	assert_int_equal(rule_set_wants(t.rs, T_OPEN), 0);
	ev_basic(&e, T_EXECVE, "x", NULL);
	assert_string_equal(eval_ev(t.rs, &e, &ms), "never_open");
	lt_free(&t);
}

/* LOAD_NO_EVTTYPE needs more than 100 event types: the real registry. */
static void test_no_evttype_warning(void **state)
{
	(void)state;
	struct rule_load_opts o = {.registry = field_registry(), .min_priority = RULE_PRIO_DEBUG};
	struct lt t;
	lt_init_opts(&t, &o);
	assert_int_equal(lt_add(&t, RULE("no_evttype") "proc.name=cat\n" RULE("evttype_not_equals")
				    "evt.type!=execve\n" RULE("leading_not") "not evt.type=open\n" RULE("quiet")
				    "proc.name=cat\n  warn_evttypes: false\n" RULE("ok") "evt.type in (open, openat)\n"
				    RULE("ok2") "evt.type=open or evt.type=execve\n"),
			 0);
	lt_expect_line(&t, "t.yaml:1:3: warning: rule 'no_evttype': Rule matches too many evt.type values. This has a "
			   "significant performance penalty. (LOAD_NO_EVTTYPE)");
	lt_expect_line(&t, "t.yaml:6:3: warning: rule 'evttype_not_equals': Rule matches too many evt.type values. This "
			   "has a significant performance penalty. (LOAD_NO_EVTTYPE)");
	lt_expect_line(&t, "t.yaml:11:3: warning: rule 'leading_not': Rule matches too many evt.type values. This has a "
			   "significant performance penalty. (LOAD_NO_EVTTYPE)");
	assert_int_equal(lt_count(&t, "(LOAD_NO_EVTTYPE)"), 3);
	assert_non_null(lt_build(&t));
	/* open and openat each map to every event code of that name */
	size_t n = rule_set_evttypes(t.rs, NULL, 0);
	assert_true(n > 100);
	lt_free(&t);
	lt_init_opts(&t, &o);
	assert_int_equal(lt_add(&t, RULE("ok") "evt.type in (open, openat)\n"), 0);
	assert_non_null(lt_build(&t));
	uint16_t types[64];
	size_t k = rule_set_evttypes(t.rs, types, 64);
	assert_true(k >= 2 && k <= 8);
	uint16_t ids[8];
	size_t nopen = field_registry()->evttype_lookup("open", ids, 8);
	size_t nopenat = field_registry()->evttype_lookup("openat", ids, 8);
	assert_int_equal(k, nopen + nopenat);
	lt_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_first_vs_all),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_evttype_index),
		cmocka_unit_test(test_evttype_folding),
		cmocka_unit_test(test_no_evttype_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
