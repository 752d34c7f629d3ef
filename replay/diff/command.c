/* replay/diff/command.c: `saker-replay diff`: options, loading both rule sets, one engine pass per capture, the report and the exit status. */
#include "replay/diff/diff.h"
#include "replay/config/config.h"
#include "replay/engine/engine.h"
#include "sources/source.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum diff_format { FMT_TEXT, FMT_JSON, FMT_MARKDOWN };

struct strv {
	char **v;
	size_t n;
};

struct diff_opts {
	struct strv old_rules, new_rules, captures, overrides;
	const char *config_file;
	const char *coverage;      /* --coverage FILE */
	int coverage_json;
	enum diff_format format;
	int fail_on_diff;
	int legacy_enter_events;
};

static int strv_add(struct strv *s, const char *v)
{
	char **n = realloc(s->v, (s->n + 1) * sizeof(*n));
	if (!n)
		return -1;
	s->v = n;
	s->v[s->n] = strdup(v);
	if (!s->v[s->n])
		return -1;
	s->n++;
	return 0;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: saker-replay diff -r OLD.yaml... --against -r NEW.yaml... -e CAPTURE|DIR... [options]\n"
		"Replays each capture once and evaluates both rule sets on the same events; prints\n"
		"the alerts only one side raised (+ only new, - only old: time, rule, priority,\n"
		"process, capture, output), then every rule's alert count old -> new.\n"
		"-r files before --against are the old rules, after it the new ones; a DIR given\n"
		"to -e stands for its files (sorted), each replayed on its own.\n\n"
		"  --json             the result as one JSON object (docs/ci.md)\n"
		"  --markdown         the result as Markdown, for a pull-request comment\n"
		"  --fail-on-diff     exit 1 when an alert differs\n"
		"  --coverage FILE    also write the new rules' coverage (docs/coverage.md); text,\n"
		"                     or JSON when FILE ends in .json\n"
		"  -c FILE            configuration file (default: none)\n"
		"  -o KEY=VALUE       configuration override (priority, rule_matching, ...)\n"
		"  --legacy-enter-events  evaluate the enter events of .scap captures too\n\n"
		"Exit status: 0, 1 with --fail-on-diff when the sides differ, 2 on unreadable\n"
		"rules or captures.\n\n"
		"Example:\n"
		"  saker-replay diff -r rules-main.yaml --against -r rules-pr.yaml -e captures/ --markdown\n");
}

/* -e DIR: its regular files, sorted, hidden ones left out. */
static int add_captures(struct strv *out, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return strv_add(out, path);
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "saker-replay diff: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char full[4096];
		snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && rc == 0 && stat(full, &st) == 0 && S_ISREG(st.st_mode))
			rc = strv_add(out, full);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* 0, 1 on a usage error (message printed), -1 for --help. */
static int parse(int argc, char **argv, struct diff_opts *o)
{
	int against = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = !strcmp(a, "-r") || !strcmp(a, "-e") || !strcmp(a, "-o") || !strcmp(a, "-c") ||
			    !strcmp(a, "--coverage");
		if (takes && !val) {
			fprintf(stderr, "saker-replay diff: %s needs a value\n", a);
			return 1;
		}
		int rc = 0;
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return -1;
		else if (!strcmp(a, "--against"))
			against++;
		else if (!strcmp(a, "-r"))
			rc = strv_add(against ? &o->new_rules : &o->old_rules, val);
		else if (!strcmp(a, "-e"))
			rc = add_captures(&o->captures, val);
		else if (!strcmp(a, "-o"))
			rc = strv_add(&o->overrides, val);
		else if (!strcmp(a, "-c"))
			o->config_file = val;
		else if (!strcmp(a, "--coverage"))
			o->coverage = val;
		else if (!strcmp(a, "--json"))
			o->format = FMT_JSON;
		else if (!strcmp(a, "--markdown"))
			o->format = FMT_MARKDOWN;
		else if (!strcmp(a, "--fail-on-diff"))
			o->fail_on_diff = 1;
		else if (!strcmp(a, "--legacy-enter-events"))
			o->legacy_enter_events = 1;
		else {
			fprintf(stderr, "saker-replay diff: unknown option '%s' (see saker-replay diff --help)\n", a);
			return 1;
		}
		if (rc < 0) {
			fprintf(stderr, "saker-replay diff: out of memory\n");
			return 1;
		}
		if (takes)
			i++;
	}
	if (against != 1 || !o->old_rules.n || !o->new_rules.n || !o->captures.n) {
		fprintf(stderr, "saker-replay diff: needs -r OLD... --against -r NEW... and -e CAPTURE...\n");
		usage(stderr);
		return 1;
	}
	o->coverage_json = o->coverage && diff_coverage_is_json(o->coverage);
	return 0;
}

/* One side's rules: loaded like saker-replay -r (files in order, the first
 * failing one stops), diagnostics of errors on stderr. NULL on failure. */
static struct rule_set *load_side(const struct config *cfg, const struct strv *files, struct rule_loader **lp)
{
	struct engine_rules_setup su;
	*lp = NULL;
	if (engine_rule_opts(cfg, NULL, &su) < 0)
		return NULL;
	struct rule_loader *l = rule_loader_new(&su.lo);
	if (!l)
		return NULL;
	*lp = l;
	int ok = 1;
	for (size_t i = 0; i < files->n && ok; i++)
		ok = rule_loader_add_path(l, files->v[i]) == 0;
	const struct rule_diag_list *dl = rule_loader_diags(l);
	for (size_t k = 0; k < dl->n; k++)
		if (rule_diag_is_error(dl->v[k].code))
			rule_diag_print(stderr, &dl->v[k]);
	return ok ? rule_loader_build(l) : NULL;
}

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "saker-replay diff: %s\n", msg);
}

/* One capture through a fresh engine (its own recorded host), both sets on
 * every event. 0, or -1 after printing why. */
static int replay_capture(const struct diff_opts *o, const struct config *cfg, const char *path,
			  struct diff_pass *p)
{
	char err[512];
	struct source_opts so = {.deliver_enter = o->legacy_enter_events, .warn = print_warning};
	struct source *src = source_open_opts(path, &so, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "saker-replay diff: %s\n", err);
		return -1;
	}
	struct engine_observer obs = {.ctx = p, .event = diff_pass_event, .alert = diff_pass_alert};
	struct engine_opts eo;
	engine_opts_from_config(cfg, &eo);
	eo.legacy_enter_events = o->legacy_enter_events;
	eo.rules = NULL; /* the pass evaluates both sets itself */
	eo.observer = &obs;
	struct engine e;
	if (engine_init(&e, &eo) < 0) {
		fprintf(stderr, "saker-replay diff: out of memory\n");
		engine_fini(&e);
		source_close(src);
		return -1;
	}
	p->capture = path;
	struct engine_meta_seen seen = {0};
	const struct sk_meta *m = source_meta(src);
	engine_seed_new(&e, m, &seen);
	uint64_t changes = m->changes;
	struct sk_event ev;
	int rc;
	while ((rc = source_next(src, &ev)) > 0) {
		engine_process(&e, &ev);
		if (m->changes != changes) {
			engine_seed_new(&e, m, &seen);
			changes = m->changes;
		}
	}
	if (rc < 0)
		fprintf(stderr, "saker-replay diff: %s\n", source_error(src));
	engine_fini(&e);
	source_close(src);
	return rc < 0 ? -1 : 0;
}

static struct config *make_config(const struct diff_opts *o)
{
	struct config *cfg = config_new();
	if (!cfg)
		return NULL;
	if (o->config_file && config_load_file(cfg, o->config_file) < 0) {
		config_free(cfg);
		return NULL;
	}
	for (size_t i = 0; i < o->overrides.n; i++)
		if (config_override(cfg, o->overrides.v[i]) < 0) {
			config_free(cfg);
			return NULL;
		}
	return cfg;
}

static int run(const struct diff_opts *o)
{
	int status = 2;
	struct rule_loader *lo = NULL, *ln = NULL;
	struct rule_set *old_rs = NULL, *new_rs = NULL;
	struct rule_coverage *cov = NULL;
	struct diff_result res;
	struct diff_pass pass;
	int have_res = 0, have_pass = 0;
	struct config *cfg = make_config(o);
	if (!cfg)
		return 2; /* the configuration reader printed why */
	old_rs = load_side(cfg, &o->old_rules, &lo);
	new_rs = old_rs ? load_side(cfg, &o->new_rules, &ln) : NULL;
	if (!old_rs || !new_rs) {
		fprintf(stderr, "saker-replay diff: the %s rules do not load\n", old_rs ? "new" : "old");
		goto out;
	}
	if (diff_result_init(&res, old_rs, new_rs) < 0)
		goto oom;
	have_res = 1;
	if (diff_pass_init(&pass, old_rs, new_rs, &res) < 0)
		goto oom;
	have_pass = 1;
	if (o->coverage) {
		cov = rule_coverage_new(ln, new_rs);
		if (!cov)
			goto oom;
		pass.cov = cov;
	}
	res.captures = (const char *const *)o->captures.v;
	res.ncaptures = o->captures.n;
	for (size_t i = 0; i < o->captures.n; i++)
		if (replay_capture(o, cfg, o->captures.v[i], &pass) < 0)
			goto out;
	if (pass.failed || diff_result_finish(&res, old_rs, new_rs) < 0)
		goto oom;
	if (o->format == FMT_JSON)
		diff_render_json(stdout, &res);
	else if (o->format == FMT_MARKDOWN)
		diff_render_markdown(stdout, &res);
	else
		diff_render_text(stdout, &res);
	fflush(stdout);
	status = o->fail_on_diff && diff_result_differs(&res) ? 1 : 0;
	if (cov) {
		struct diff_coverage *sum = diff_coverage_new();
		if (!sum || diff_coverage_add(sum, cov) < 0 ||
		    diff_coverage_write(o->coverage, sum, o->coverage_json, res.events, o->captures.n) < 0)
			status = 2;
		diff_coverage_free(sum);
	}
	goto out;
oom:
	fprintf(stderr, "saker-replay diff: out of memory\n");
	status = 2;
out:
	rule_coverage_free(cov);
	if (have_pass)
		diff_pass_fini(&pass);
	if (have_res)
		diff_result_free(&res);
	rule_set_free(old_rs);
	rule_set_free(new_rs);
	rule_loader_free(lo);
	rule_loader_free(ln);
	config_free(cfg);
	return status;
}

int diff_main(int argc, char **argv)
{
	struct diff_opts o;
	memset(&o, 0, sizeof(o));
	int rc = parse(argc, argv, &o);
	if (rc < 0) {
		usage(stdout);
		rc = 0;
	} else if (rc == 0) {
		rc = run(&o);
	} else {
		rc = 2;
	}
	strv_free(&o.old_rules);
	strv_free(&o.new_rules);
	strv_free(&o.captures);
	strv_free(&o.overrides);
	return rc;
}
