/* tests/test_report_incidents.c: grouping alerts into incidents (lineage and time) and the ATT&CK tag helpers of the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replay/report/report.h"

/*
 * The tree (record index: name, parent):
 *   0 systemd
 *   1 sshd (0)           2 nginx (0)
 *   3 sshd-session (1)   4 worker (2)     5 worker (2)
 *   6 bash (3)           7 sh (4)         8 sh (5)
 *   9 cat (6)           10 curl (6)      11 id (7)
 */
static const int64_t parents[] = { -1, 0, 0, 1, 2, 2, 3, 4, 5, 6, 6, 7 };
#define NPROCS (sizeof(parents) / sizeof(parents[0]))
static const uint64_t S = 1000000000ull;

struct fx {
	struct report_proc procs[NPROCS];
	struct report_alert alerts[16];
	struct report_model m;
};

static void setup_model(struct fx *f, const int64_t *procs, const uint64_t *secs, size_t n, uint64_t gap)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < NPROCS; i++) {
		f->procs[i].parent = parents[i];
		f->procs[i].pid = 100 + (int64_t)i;
	}
	for (size_t i = 0; i < n; i++)
		f->alerts[i] = (struct report_alert){ .ts = secs[i] * S, .priority = 4 + (int)(i % 2),
						      .rule_index = i % 3, .proc = procs[i], .incident = -1 };
	f->m.procs = f->procs;
	f->m.nprocs = NPROCS;
	f->m.alerts = f->alerts;
	f->m.nalerts = n;
	f->m.gap_ns = gap * S;
}

static void test_lineage_and_time(void **state)
{
	(void)state;
	struct fx f;
	/* cat and curl share the ssh session's bash: one incident rooted there;
	 * the two nginx workers' shells share only nginx (depth 1): apart;
	 * id under the first worker's sh joins it; cat again after the gap: new */
	const int64_t procs[] = { 9, 10, 7, 8, 11, 9 };
	const uint64_t secs[] = { 10, 20, 30, 40, 50, 2000 };
	setup_model(&f, procs, secs, 6, 600);
	assert_int_equal(report_group_incidents(&f.m), 0);
	assert_int_equal(f.m.nincidents, 4);
	assert_int_equal(f.alerts[0].incident, 0);
	assert_int_equal(f.alerts[1].incident, 0);
	assert_int_equal(f.m.incidents[0].root, 6);          /* bash: the session's entry point */
	assert_int_equal(f.m.incidents[0].nalerts, 2);
	assert_int_equal(f.alerts[2].incident, 1);
	assert_int_equal(f.alerts[3].incident, 2);
	assert_int_equal(f.alerts[4].incident, 1);            /* id descends from sh (7) */
	assert_int_equal(f.m.incidents[1].root, 7);
	assert_int_equal(f.alerts[5].incident, 3);            /* past the gap */
	assert_int_equal(f.m.incidents[3].first_ts, 2000 * S);
	assert_int_equal(f.m.incidents[0].priority, 4);       /* the more severe of 4 and 5 */
	assert_int_equal(f.m.incidents[0].nrules, 2);
	assert_int_equal(f.m.incidents[0].rules[0], 0);
	assert_int_equal(f.m.incidents[0].rules[1], 1);
	report_free_incidents(&f.m);
}

static void test_ancestor_and_no_process(void **state)
{
	(void)state;
	struct fx f;
	/* sshd-session (depth 2) then its grandchild cat: one incident; an
	 * alert of sshd (depth 1) itself and its descendant bash: one incident,
	 * as one process descends from the other; alerts without a process
	 * group by time */
	const int64_t procs[] = { 3, 9, -1, -1, 1 };
	const uint64_t secs[] = { 1, 2, 3, 4, 5 };
	setup_model(&f, procs, secs, 5, 600);
	assert_int_equal(report_group_incidents(&f.m), 0);
	assert_int_equal(f.alerts[0].incident, f.alerts[1].incident);
	assert_int_equal(f.alerts[2].incident, f.alerts[3].incident);
	assert_true(f.alerts[2].incident != f.alerts[0].incident);
	assert_int_equal(f.alerts[4].incident, f.alerts[0].incident); /* sshd is sshd-session's parent */
	assert_int_equal(f.m.incidents[f.alerts[0].incident].root, 1);
	assert_int_equal(f.m.incidents[f.alerts[2].incident].root, -1);
	report_free_incidents(&f.m);
}

static void test_mitre_tags(void **state)
{
	(void)state;
	const char *id = NULL;
	assert_string_equal(report_mitre_tactic("mitre_credential_access", &id), "Credential Access");
	assert_string_equal(id, "TA0006");
	assert_null(report_mitre_tactic("mitre_nothing", &id));
	assert_true(report_mitre_is_technique("T1059"));
	assert_true(report_mitre_is_technique("T1059.004"));
	assert_false(report_mitre_is_technique("T105"));
	assert_false(report_mitre_is_technique("T1059.04"));
	assert_false(report_mitre_is_technique("T1059x"));
	assert_false(report_mitre_is_technique("container"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lineage_and_time),
		cmocka_unit_test(test_ancestor_and_no_process),
		cmocka_unit_test(test_mitre_tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
