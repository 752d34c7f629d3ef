/* bench/bench_rules_cond.c: evaluations per second of representative compiled conditions with a fake provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/cond.h"
#include "tests/helpers/rules_fake.h"
#include "bench/bench_util.h"

static int bench(const char *label, const char *cond, struct fake_ev *e)
{
	struct cond_error err;
	struct cond_node *n = cond_parse(cond, 1000, &err);
	if (!n) {
		fprintf(stderr, "bench_rules_cond: %s: parse error at %d: %s\n", label, err.offset, err.msg);
		return -1;
	}
	int unknown;
	struct cond_compiled *c = cond_compile(n, &fake_reg, NULL, &unknown, &err);
	cond_free(n);
	if (!c) {
		fprintf(stderr, "bench_rules_cond: %s: %s\n", label, err.msg);
		return -1;
	}
	long iters = 2000000, hits = 0;
	double t0 = bench_now();
	for (long i = 0; i < iters; i++)
		hits += cond_eval(c, e->type, fake_extract, e);
	double dt = bench_now() - t0;
	printf("%-28s %10.2f M evals/s  (%ld matches)\n", label, (double)iters / dt / 1e6, hits);
	cond_compiled_free(c);
	return 0;
}

int main(void)
{
	struct fake_ev e;
	memset(&e, 0, sizeof(e));
	e.type = 2;
	e.str[F_PROC_NAME] = "bin731";
	e.str[F_PROC_PNAME] = "bash";
	e.str[F_FD_NAME] = "/usr/local/lib/python3/site-packages/x.py";
	e.str[F_PROC_CMDLINE] = "python3 -c import os; os.system('id')";
	e.anc[0] = "bash";
	e.anc[1] = "sshd";
	e.anc[2] = "systemd";

	size_t cap = 64 * 1024, o = 0;
	char *big = malloc(cap);
	o += (size_t)snprintf(big + o, cap - o, "proc.name in (");
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(big + o, cap - o, "%sbin%d", i ? ", " : "", i);
	snprintf(big + o, cap - o, ")");

	char *pm = malloc(cap);
	o = (size_t)snprintf(pm, cap, "fd.name pmatch (");
	for (int i = 0; i < 300; i++)
		o += (size_t)snprintf(pm + o, cap - o, "%s/opt/dir%d/sub", i ? ", " : "", i);
	snprintf(pm + o, cap - o, ", /usr/local/lib)");

	int rc = 0;
	rc |= bench("evt.type only", "evt.type in (execve, openat)", &e);
	rc |= bench("in, 1000 items", big, &e);
	rc |= bench("pmatch, 301 items", pm, &e);
	rc |= bench("glob", "fd.name glob '/usr/*/site-packages/*.py'", &e);
	rc |= bench("and/or chain",
		    "evt.type = execve and (proc.name = a or proc.name = b or proc.pname = bash) and "
		    "not proc.cmdline contains sudo and proc.aname in (sshd, containerd)", &e);
	rc |= bench("wrong evt.type short-circuit", "evt.type = open and proc.name contains x", &e);
	free(big);
	free(pm);
	return rc ? 1 : 0;
}
