/* replay/regress/case.c: running one test case in-process (load, replay from the cache, compare expectations). */
#include "replay/regress/regress_int.h"

#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay/config/config.h"
#include "replay/diff/diff.h"
#include "replay/engine/engine.h"
#include "json/json.h"
#include "replay/outputs/outputs.h"
#include "rules/rules.h"

#define CONFLICT_MSG "Error: You can not specify both disabled (-D/-T) and enabled (-t) rules"

/* Differences of one case, one per line. */
struct diffs {
	char *buf;
	size_t len;
	FILE *f;
	size_t n;
};

static void diff_add(struct diffs *d, const char *fmt, ...)
{
	if (d->n++)
		fputc('\n', d->f);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(d->f, fmt, ap);
	va_end(ap);
}

static const char *count_text(const struct regress_count *c, char *buf, size_t cap)
{
	if (c->max == c->min)
		snprintf(buf, cap, "%" PRId64, c->min);
	else if (c->max < 0)
		snprintf(buf, cap, "at least %" PRId64, c->min);
	else if (c->min == 0)
		snprintf(buf, cap, "at most %" PRId64, c->max);
	else
		snprintf(buf, cap, "%" PRId64 "..%" PRId64, c->min, c->max);
	return buf;
}

static int count_ok(const struct regress_count *c, uint64_t got)
{
	return got >= (uint64_t)c->min && (c->max < 0 || got <= (uint64_t)c->max);
}

/* ---- load ---------------------------------------------------------------- */

/* The case's options applied, as -o would, to an empty configuration. */
static struct config *case_config(const struct regress_case *tc)
{
	struct config *cfg = config_new();
	for (size_t i = 0; cfg && i < tc->options.n; i++)
		if (config_override(cfg, tc->options.v[i]) < 0) {
			config_free(cfg);
			return NULL;
		}
	return cfg;
}

static void case_load(const struct regress_case *tc, const struct config *cfg, struct load_result *lr, struct diffs *d)
{
	struct engine_rules_setup su;
	memset(lr, 0, sizeof(*lr));
	lr->file_ok = calloc(tc->rules.n + 1, 1);
	if (engine_rule_opts(cfg, NULL, &su) < 0) {
		diff_add(d, "invalid options (priority or rule_matching)");
		return;
	}
	if ((tc->disable_substr.n || tc->disable_tags.n) && tc->run_tags.n) {
		lr->cli_error = CONFLICT_MSG;
		return;
	}
	lr->l = rule_loader_new(&su.lo);
	if (!lr->l || !lr->file_ok) {
		diff_add(d, "out of memory");
		return;
	}
	/* As -V does: files load in order and loading stops at the first failure. */
	for (size_t i = 0; i < tc->rules.n; i++) {
		if (rule_loader_add_path(lr->l, tc->rules.v[i]) < 0)
			return;
		lr->file_ok[i] = 1;
	}
	for (size_t i = 0; i < tc->disable_substr.n; i++)
		rule_loader_disable_name_substr(lr->l, tc->disable_substr.v[i]);
	for (size_t i = 0; i < tc->disable_tags.n; i++)
		rule_loader_disable_tag(lr->l, tc->disable_tags.v[i]);
	for (size_t i = 0; i < tc->run_tags.n; i++)
		rule_loader_enable_only_tag(lr->l, tc->run_tags.v[i]);
	for (size_t i = 0; i < tc->disable_rules.n; i++)
		rule_loader_select(lr->l, 0, tc->disable_rules.v[i], NULL);
	for (size_t i = 0; i < tc->enable_rules.n; i++)
		rule_loader_select(lr->l, 1, tc->enable_rules.v[i], NULL);
	lr->rs = rule_loader_build(lr->l);
	lr->ok = lr->rs != NULL;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return s ? s + 1 : (p ? p : "");
}

static int text_matches(const char *re_text, const char *s)
{
	regex_t re;
	if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB))
		return 0;
	int hit = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

/* Whether message text s passes the message/contains/matches tests of want. */
static int message_matches(const struct regress_diag *want, const char *s)
{
	return (!want->message || !strcmp(want->message, s)) && (!want->contains || strstr(s, want->contains)) &&
	       (!want->matches || text_matches(want->matches, s));
}

static int diag_matches(const struct regress_diag *want, const struct rule_diag *d)
{
	if (want->code && strcmp(want->code, rule_diag_code_name(d->code)))
		return 0;
	if (!message_matches(want, d->message ? d->message : ""))
		return 0;
	if (!want->item_type && !want->item_name)
		return 1;
	for (int i = 0; i < d->nlocs; i++) {
		const struct rule_diag_loc *l = &d->locs[i];
		if (want->item_type && strcmp(want->item_type, l->item_type ? l->item_type : ""))
			continue;
		if (want->item_name && strcmp(want->item_name, l->item_name ? l->item_name : ""))
			continue;
		return 1;
	}
	return 0;
}

static void diag_text(const struct regress_diag *w, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s%s%s%s%s'%s'", w->code ? w->code : "", w->code ? " " : "",
		 w->item_type ? w->item_type : "", w->item_type ? " " : "", w->item_name ? "'" : "",
		 w->item_name ? w->item_name : "", w->item_name ? "' " : "",
		 w->message ? w->message : (w->contains ? w->contains : (w->matches ? w->matches : "")));
}

static const struct rule_diag *first_diag(const struct rule_diag_list *dl, int errors)
{
	for (size_t k = 0; dl && k < dl->n; k++)
		if (rule_diag_is_error(dl->v[k].code) == errors)
			return &dl->v[k];
	return NULL;
}

static void check_diags(const struct regress_diag *want, size_t n, const struct load_result *lr, int errors,
			struct diffs *d)
{
	const struct rule_diag_list *dl = lr->l ? rule_loader_diags(lr->l) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct regress_diag *w = &want[i];
		int found = 0;
		for (size_t k = 0; dl && k < dl->n && !found; k++)
			found = rule_diag_is_error(dl->v[k].code) == errors && diag_matches(w, &dl->v[k]);
		if (!found && errors && lr->cli_error && !w->code && !w->item_type && !w->item_name)
			found = message_matches(w, lr->cli_error);
		if (found)
			continue;
		char want_s[512];
		diag_text(w, want_s, sizeof(want_s));
		const struct rule_diag *got = first_diag(dl, errors);
		if (got)
			diff_add(d, "%s: expected %s, got %s '%s'", errors ? "error" : "warning", want_s,
				 rule_diag_code_name(got->code), got->message);
		else if (errors && lr->cli_error)
			diff_add(d, "error: expected %s, got '%s'", want_s, lr->cli_error);
		else
			diff_add(d, "%s: expected %s, got none", errors ? "error" : "warning", want_s);
	}
}

static void check_load(const struct regress_case *tc, const struct load_result *lr, struct diffs *d)
{
	const struct regress_expect *e = &tc->expect;
	int want_ok = e->load >= 0 ? e->load : e->nerrors == 0;
	const struct rule_diag_list *dl = lr->l ? rule_loader_diags(lr->l) : NULL;
	if (want_ok && !lr->ok) {
		const struct rule_diag *g = first_diag(dl, 1);
		diff_add(d, "load: expected ok, got error '%s'",
			 g ? g->message : (lr->cli_error ? lr->cli_error : "unknown"));
	} else if (!want_ok && lr->ok) {
		diff_add(d, "load: expected failure, got ok");
	}
	check_diags(e->errors, e->nerrors, lr, 1, d);
	check_diags(e->warnings, e->nwarnings, lr, 0, d);
	for (size_t i = 0; i < e->loaded_ok.n; i++) {
		const char *w = e->loaded_ok.v[i];
		int found = 0, ok = 0;
		for (size_t k = 0; k < tc->rules.n; k++) {
			const char *r = tc->rules.v[k];
			size_t rl = strlen(r), wl = strlen(w);
			if (strcmp(base_name(r), w) && !(rl >= wl && !strcmp(r + rl - wl, w)))
				continue;
			found = 1;
			ok |= lr->file_ok[k];
		}
		if (!found)
			diff_add(d, "loaded_ok: '%s' is not one of the case's rules files", w);
		else if (!ok)
			diff_add(d, "loaded_ok: expected '%s' to load, it did not", w);
	}
}

/* ---- replay and alert checks --------------------------------------------- */

int regress_cache_replay(const struct regress_cache *c, const struct regress_case *tc, struct engine *e, char *err,
			 size_t errlen);
void regress_cache_warnings(const struct regress_cache *c, const struct regress_case *tc, FILE *out);

/* Each regex of l found (want) or not found in text; what names the text in differences. */
static void check_regex(const struct regress_strlist *l, const char *text, int want, const char *what, struct diffs *d)
{
	for (size_t i = 0; i < l->n; i++) {
		regex_t re;
		int rc = regcomp(&re, l->v[i], REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
		if (rc) {
			char msg[128];
			regerror(rc, &re, msg, sizeof(msg));
			diff_add(d, "%s regex '%s': %s", what, l->v[i], msg);
			continue;
		}
		int hit = regexec(&re, text, 0, NULL, 0) == 0;
		regfree(&re);
		if (hit != want)
			diff_add(d, "%s: expected %s '%s'", what, want ? "a match of" : "no match of", l->v[i]);
	}
}

/* capture_warnings: each regex matches a line the capture readers reported. */
static void check_capture_warnings(const struct regress_case *tc, const struct regress_cache *cache, struct diffs *d)
{
	const struct regress_strlist *l = &tc->expect.capture_warnings;
	if (!l->n)
		return;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		diff_add(d, "out of memory");
		return;
	}
	regress_cache_warnings(cache, tc, f);
	fclose(f);
	check_regex(l, text ? text : "", 1, "capture warnings", d);
	free(text);
}

static uint64_t rule_count(const struct rule_set *rs, const struct engine *e, const char *name, int *exists)
{
	uint64_t n = 0;
	*exists = 0;
	for (size_t i = 0; i < rule_set_count(rs); i++)
		if (!strcmp(rule_set_rule(rs, i)->name, name)) {
			*exists = 1;
			n += e->stats.by_rule[i];
		}
	return n;
}

static void check_json_lines(const struct regress_strlist *keys, const char *out, struct diffs *d)
{
	size_t lineno = 0;
	for (const char *p = out; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (n && *p == '{') {
			char *line = strndup(p, n);
			struct json_span obj = json_from_text(line), v;
			for (size_t k = 0; line && k < keys->n; k++)
				if (json_get(obj, keys->v[k], &v) < 0) {
					diff_add(d, "output line %zu: JSON alert without key '%s'", lineno, keys->v[k]);
					break;
				}
			free(line);
		}
		p += n + (nl ? 1 : 0);
	}
}

static void check_alerts(const struct regress_case *tc, const struct rule_set *rs, const struct engine *e,
			 const char *out, struct diffs *d)
{
	const struct regress_expect *x = &tc->expect;
	char a[64];
	if (x->has_alerts && !count_ok(&x->alerts, e->stats.alerts))
		diff_add(d, "alerts: expected %s, got %" PRIu64, count_text(&x->alerts, a, sizeof(a)), e->stats.alerts);
	for (size_t i = 0; i < x->nrules; i++) {
		int exists;
		uint64_t got = rule_count(rs, e, x->rules[i].rule, &exists);
		if (!count_ok(&x->rules[i].count, got))
			diff_add(d, "rule '%s': expected %s, got %" PRIu64 "%s", x->rules[i].rule,
				 count_text(&x->rules[i].count, a, sizeof(a)), got, exists ? "" : " (no such rule)");
	}
	for (int p = 0; p < 8; p++)
		if (x->has_prio[p] && !count_ok(&x->prio[p], e->stats.by_priority[p]))
			diff_add(d, "priority %s: expected %s, got %" PRIu64, rule_priority_summary_name(p),
				 count_text(&x->prio[p], a, sizeof(a)), e->stats.by_priority[p]);
	for (size_t i = 0; i < x->contains.n; i++)
		if (!strstr(out, x->contains.v[i]))
			diff_add(d, "output: expected to contain '%s'", x->contains.v[i]);
	for (size_t i = 0; i < x->not_contains.n; i++)
		if (strstr(out, x->not_contains.v[i]))
			diff_add(d, "output: expected not to contain '%s'", x->not_contains.v[i]);
	check_regex(&x->matches, out, 1, "output", d);
	check_regex(&x->not_matches, out, 0, "output", d);
	const char *pos = out;
	for (size_t i = 0; i < x->lines_in_order.n; i++) {
		const char *hit = strstr(pos, x->lines_in_order.v[i]);
		if (!hit) {
			diff_add(d, "output: line %zu of %zu not found in order: '%s'", i + 1, x->lines_in_order.n,
				 x->lines_in_order.v[i]);
			break;
		}
		pos = hit + strlen(x->lines_in_order.v[i]);
	}
	if (x->json_keys.n)
		check_json_lines(&x->json_keys, out, d);
}

static int expects_events(const struct regress_expect *x)
{
	int prio = 0;
	for (int p = 0; p < 8; p++)
		prio |= x->has_prio[p];
	return x->has_alerts || x->nrules || prio || x->contains.n || x->not_contains.n || x->matches.n ||
	       x->not_matches.n || x->lines_in_order.n || x->json_keys.n || x->nfiles || x->capture_warnings.n;
}

/* A file the case's outputs wrote: its lines must hold the expected ones in order. */
static void check_written_file(const struct regress_file_expect *fe, struct diffs *d)
{
	size_t len;
	char *text = regress_read_file(fe->path, &len);
	if (!text) {
		if (errno == ENOENT)
			diff_add(d, "file %s: not written (%s)", fe->path, strerror(errno));
		else
			diff_add(d, "file %s: %s", fe->path, strerror(errno));
		return;
	}
	const char *pos = text;
	for (size_t i = 0; i < fe->lines.n; i++) {
		const char *hit = strstr(pos, fe->lines.v[i]);
		if (!hit) {
			diff_add(d, "file %s: line %zu of %zu not found in order: '%s'", fe->path, i + 1, fe->lines.n,
				 fe->lines.v[i]);
			break;
		}
		pos = hit + strlen(fe->lines.v[i]);
	}
	free(text);
}

/* Outputs other than stdout (file, program, http, syslog) run only when the
 * case's options enable one, so that the files they write can be checked.
 * The expected files are removed first in any case: a previous run's file
 * cannot pass for this one. */
static int case_outputs_wanted(const struct config *c)
{
	return config_bool(c, "file_output.enabled", 0) || config_bool(c, "program_output.enabled", 0) ||
	       config_bool(c, "http_output.enabled", 0) || config_bool(c, "syslog_output.enabled", 0);
}

static void cov_event(void *ctx, struct engine *e)
{
	if (engine_event_reaches_rules(e, e->ev))
		rule_coverage_event(ctx, e->ev->type, extract_field, &e->fc);
}

static void cov_alert(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len)
{
	(void)ctx, (void)e, (void)rule_index, (void)text, (void)len;
}

static void case_replay(const struct regress_case *tc, const struct regress_cache *cache, const struct config *cfg,
			const struct load_result *lr, struct regress_result *r, struct diffs *d,
			struct regress_coverage *cov)
{
	const struct rule_set *rs = lr->rs;
	struct rule_coverage *rc_cov = cov ? rule_coverage_new(lr->l, lr->rs) : NULL;
	struct engine_observer obs = {.ctx = rc_cov, .event = cov_event, .alert = cov_alert};
	struct engine_opts eo;
	engine_opts_from_config(cfg, &eo);
	eo.legacy_enter_events = tc->legacy_enter_events;
	eo.rules = rs;
	if (rc_cov)
		eo.observer = &obs;
	if (tc->hostname)
		eo.hostname = tc->hostname;
	size_t outlen = 0;
	eo.out = open_memstream(&r->output, &outlen);
	if (!eo.out) {
		diff_add(d, "out of memory");
		return;
	}
	for (size_t i = 0; i < tc->expect.nfiles; i++)
		if (unlink(tc->expect.files[i].path) < 0 && errno != ENOENT)
			diff_add(d, "file %s: cannot remove the previous one: %s", tc->expect.files[i].path,
				 strerror(errno));
	struct output_set *outs = NULL;
	if (case_outputs_wanted(cfg)) {
		outs = output_set_open(cfg, eo.out, eo.unbuffered);
		if (!outs) {
			diff_add(d, "outputs: the configured outputs cannot be opened (the reason is on stderr)");
			fclose(eo.out);
			return;
		}
		eo.outputs = outs;
	}
	struct engine e;
	if (engine_init(&e, &eo) < 0) {
		diff_add(d, "out of memory");
		output_set_close(outs);
		fclose(eo.out);
		return;
	}
	char err[512];
	int rc = regress_cache_replay(cache, tc, &e, err, sizeof(err));
	state_update_flush(&e.u);
	/* closing waits for a program output to finish writing */
	output_set_close(outs);
	fclose(eo.out);
	if (rc < 0) {
		diff_add(d, "capture: %s", err);
	} else {
		check_alerts(tc, rs, &e, r->output ? r->output : "", d);
		check_capture_warnings(tc, cache, d);
		for (size_t i = 0; i < tc->expect.nfiles; i++)
			check_written_file(&tc->expect.files[i], d);
	}
	if (cov && rc_cov) {
		pthread_mutex_lock(&cov->lock);
		diff_coverage_add(cov->sum, rc_cov);
		cov->events += e.stats.events;
		pthread_mutex_unlock(&cov->lock);
	} else if (cov) {
		diff_add(d, "coverage: out of memory");
	}
	rule_coverage_free(rc_cov);
	engine_fini(&e);
}

void regress_case_run(const struct regress_case *tc, const struct regress_cache *cache, struct regress_result *r)
{
	regress_case_run_coverage(tc, cache, r, NULL);
}

void regress_case_run_coverage(const struct regress_case *tc, const struct regress_cache *cache,
			       struct regress_result *r, struct regress_coverage *cov)
{
	regress_case_run_cached(tc, cache, NULL, r, cov);
}

void regress_case_run_cached(const struct regress_case *tc, const struct regress_cache *cache,
			     struct regress_rules_cache *rc, struct regress_result *r, struct regress_coverage *cov)
{
	memset(r, 0, sizeof(*r));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tc->skip) {
		r->status = REGRESS_SKIP;
		r->first = strdup(tc->skip);
		return;
	}
	struct diffs d = { 0 };
	d.f = open_memstream(&d.buf, &d.len);
	struct config *cfg = d.f ? case_config(tc) : NULL;
	if (!cfg) {
		r->status = REGRESS_FAIL;
		r->first = strdup("out of memory");
		if (d.f)
			fclose(d.f);
		free(d.buf);
		return;
	}
	struct load_result own;
	char *key = rc ? regress_rules_key(tc) : NULL;
	const struct load_result *lr = regress_rules_cache_get(rc, key);
	if (lr) {
		free(key);
	} else {
		case_load(tc, cfg, &own, &d);
		/* a load that ran (loaded or refused with its diagnostics) is
		 * what a later case with the same key gets; an option error or
		 * an allocation failure is the case's own */
		if (key && own.l && !d.n)
			lr = regress_rules_cache_put(rc, key, &own);
		else
			free(key);
		if (!lr)
			lr = &own;
	}
	check_load(tc, lr, &d);
	if (lr->ok && tc->captures.n)
		case_replay(tc, cache, cfg, lr, r, &d, cov);
	else if (lr->ok && expects_events(&tc->expect))
		diff_add(&d, "the case expects alerts but names no capture");
	fclose(d.f);
	r->status = d.n ? REGRESS_FAIL : REGRESS_PASS;
	r->details = d.buf;
	if (d.n) {
		const char *nl = strchr(d.buf, '\n');
		r->first = nl ? strndup(d.buf, (size_t)(nl - d.buf)) : strdup(d.buf);
	}
	if (lr == &own)
		load_result_free(&own);
	config_free(cfg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

void regress_result_free(struct regress_result *r)
{
	free(r->first);
	free(r->details);
	free(r->output);
	memset(r, 0, sizeof(*r));
}
