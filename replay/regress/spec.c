/* replay/regress/spec.c: parsing test spec files (docs/test-spec.md) into cases, paths resolved against the spec. */
#include "replay/regress/regress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/rules.h"
#include "yaml/yaml.h"

struct pctx {
	const char *path;
	char *dir;          /* directory of the spec file */
	char *err;
	size_t errlen;
};

static int perr(struct pctx *p, const struct yaml_node *n, const char *fmt, ...)
{
	int k = snprintf(p->err, p->errlen, "%s:%d:%d: ", p->path, n ? n->line : 0, n ? n->col : 0);
	if (k < 0 || (size_t)k >= p->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static void strlist_free(struct regress_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int strlist_push(struct regress_strlist *l, char *s)
{
	char **v = s ? realloc(l->v, (l->n + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = s;
	return 0;
}

static char *resolve(const struct pctx *p, const char *rel)
{
	if (rel[0] == '/' || !strcmp(rel, "-"))
		return strdup(rel);
	size_t n = strlen(p->dir) + strlen(rel) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", p->dir, rel);
	return s;
}

/* A scalar or a sequence of scalars, into l (replacing it). */
static int get_strlist(struct pctx *p, const struct yaml_node *v, struct regress_strlist *l, int paths)
{
	strlist_free(l);
	if (v->kind == YAML_SCALAR) {
		if (!v->len && v->plain)
			return 0; /* empty value: empty list */
		return strlist_push(l, paths ? resolve(p, v->text) : strdup(v->text));
	}
	if (v->kind != YAML_SEQ)
		return perr(p, v, "expected a string or a list of strings");
	for (size_t i = 0; i < v->n; i++) {
		if (v->kids[i]->kind != YAML_SCALAR)
			return perr(p, v->kids[i], "expected a string");
		if (strlist_push(l, paths ? resolve(p, v->kids[i]->text) : strdup(v->kids[i]->text)) < 0)
			return perr(p, v, "out of memory");
	}
	return 0;
}

static int get_scalar(struct pctx *p, const struct yaml_node *v, char **out)
{
	if (v->kind != YAML_SCALAR)
		return perr(p, v, "expected a string");
	free(*out);
	*out = strdup(v->text);
	return 0;
}

static int parse_bool(struct pctx *p, const struct yaml_node *v, int *out)
{
	if (v->kind == YAML_SCALAR) {
		const char *t = v->text;
		if (!strcasecmp(t, "true") || !strcasecmp(t, "yes") || !strcmp(t, "1") || !strcasecmp(t, "on")) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(t, "false") || !strcasecmp(t, "no") || !strcmp(t, "0") || !strcasecmp(t, "off")) {
			*out = 0;
			return 0;
		}
	}
	return perr(p, v, "expected true or false");
}

static int parse_int(struct pctx *p, const struct yaml_node *v, int64_t *out)
{
	char *end;
	if (v->kind != YAML_SCALAR || !v->len)
		return perr(p, v, "expected a number");
	long long x = strtoll(v->text, &end, 10);
	if (*end || x < 0)
		return perr(p, v, "expected a non-negative number, got '%s'", v->text);
	*out = x;
	return 0;
}

/* N (exact) or {min: N, max: M}. */
static int parse_count(struct pctx *p, const struct yaml_node *v, struct regress_count *c)
{
	c->min = 0;
	c->max = -1;
	if (v->kind == YAML_SCALAR) {
		if (parse_int(p, v, &c->min) < 0)
			return -1;
		c->max = c->min;
		return 0;
	}
	if (v->kind != YAML_MAP)
		return perr(p, v, "expected a count: N or {min: N, max: M}");
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const char *k = v->kids[i]->text;
		if (!strcmp(k, "min")) {
			if (parse_int(p, v->kids[i + 1], &c->min) < 0)
				return -1;
		} else if (!strcmp(k, "max")) {
			if (parse_int(p, v->kids[i + 1], &c->max) < 0)
				return -1;
		} else {
			return perr(p, v->kids[i], "unknown count key '%s' (min, max)", k);
		}
	}
	if (c->max >= 0 && c->max < c->min)
		return perr(p, v, "count range has max < min");
	return 0;
}

static int add_rule_count(struct regress_expect *e, const char *rule, struct regress_count c)
{
	struct regress_rule_count *v = realloc(e->rules, (e->nrules + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	e->rules = v;
	v[e->nrules].rule = strdup(rule);
	v[e->nrules].count = c;
	e->nrules++;
	return 0;
}

static int parse_rules_counts(struct pctx *p, const struct yaml_node *v, struct regress_expect *e, int mode)
{
	/* mode 0: mapping rule -> count; 1: list that must fire (>= 1); 2: list that must not fire */
	if (mode == 0) {
		if (v->kind != YAML_MAP)
			return perr(p, v, "expected a mapping: rule name -> count");
		for (size_t i = 0; i + 1 < v->n; i += 2) {
			struct regress_count c;
			if (parse_count(p, v->kids[i + 1], &c) < 0 || add_rule_count(e, v->kids[i]->text, c) < 0)
				return -1;
		}
		return 0;
	}
	struct regress_strlist l = { 0 };
	if (get_strlist(p, v, &l, 0) < 0)
		return -1;
	struct regress_count c = mode == 1 ? (struct regress_count){ 1, -1 } : (struct regress_count){ 0, 0 };
	int rc = 0;
	for (size_t i = 0; i < l.n && !rc; i++)
		rc = add_rule_count(e, l.v[i], c);
	strlist_free(&l);
	return rc;
}

static int parse_priorities(struct pctx *p, const struct yaml_node *v, struct regress_expect *e)
{
	if (v->kind == YAML_MAP) {
		for (size_t i = 0; i + 1 < v->n; i += 2) {
			int pr = rule_priority_parse(v->kids[i]->text);
			if (pr < 0)
				return perr(p, v->kids[i], "unknown priority '%s'", v->kids[i]->text);
			if (parse_count(p, v->kids[i + 1], &e->prio[pr]) < 0)
				return -1;
			e->has_prio[pr] = 1;
		}
		return 0;
	}
	const struct yaml_node *items[64];
	size_t n = 0;
	if (v->kind == YAML_SCALAR)
		items[n++] = v;
	else if (v->kind == YAML_SEQ)
		for (size_t i = 0; i < v->n && n < 64; i++)
			items[n++] = v->kids[i];
	else
		return perr(p, v, "expected priority names or a mapping priority -> count");
	for (size_t i = 0; i < n; i++) {
		int pr = items[i]->kind == YAML_SCALAR ? rule_priority_parse(items[i]->text) : -1;
		if (pr < 0)
			return perr(p, items[i], "unknown priority '%s'", items[i]->text ? items[i]->text : "");
		e->has_prio[pr] = 1;
		e->prio[pr] = (struct regress_count){ 1, -1 };
	}
	return 0;
}

static int parse_diag(struct pctx *p, const struct yaml_node *v, struct regress_diag *d)
{
	memset(d, 0, sizeof(*d));
	if (v->kind == YAML_SCALAR) {
		d->contains = strdup(v->text);
		return 0;
	}
	if (v->kind != YAML_MAP)
		return perr(p, v, "expected a text or a mapping (code, item_type, item_name, message, contains, matches)");
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const char *k = v->kids[i]->text;
		char **dst = !strcmp(k, "code")        ? &d->code :
			     !strcmp(k, "item_type")   ? &d->item_type :
			     !strcmp(k, "item_name")   ? &d->item_name :
			     !strcmp(k, "message")     ? &d->message :
			     !strcmp(k, "contains")    ? &d->contains :
			     !strcmp(k, "matches")     ? &d->matches :
			     !strcmp(k, "message_contains") ? &d->contains : NULL;
		if (!dst)
			return perr(p, v->kids[i], "unknown diagnostic key '%s'", k);
		if (get_scalar(p, v->kids[i + 1], dst) < 0)
			return -1;
	}
	return 0;
}

static int parse_diags(struct pctx *p, const struct yaml_node *v, struct regress_diag **out, size_t *n)
{
	size_t cnt = v->kind == YAML_SEQ ? v->n : 1;
	struct regress_diag *d = calloc(cnt ? cnt : 1, sizeof(*d));
	if (!d)
		return perr(p, v, "out of memory");
	*out = d;
	*n = 0;
	for (size_t i = 0; i < cnt; i++) {
		if (parse_diag(p, v->kind == YAML_SEQ ? v->kids[i] : v, &d[i]) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

/* Lines of a text file (trailing newline dropped), appended to l. */
static int read_lines(struct pctx *p, const struct yaml_node *v, const char *path, struct regress_strlist *l)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return perr(p, v, "cannot read %s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (!rc && (n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n)
			rc = strlist_push(l, strdup(line));
	}
	free(line);
	fclose(f);
	return rc;
}

static void expect_free(struct regress_expect *e);

/* output_file_lines_in_order: {PATH: GOLDEN_FILE or [line, ...]}. PATH is
 * the file the case's outputs write (file_output.filename, or what its
 * program_output appends to), taken as written; GOLDEN_FILE is relative to
 * the spec like the other paths. */
static int parse_file_expects(struct pctx *p, const struct yaml_node *v, struct regress_expect *e)
{
	if (v->kind != YAML_MAP)
		return perr(p, v, "'output_file_lines_in_order' must map written files to golden files or lines");
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct yaml_node *kn = v->kids[i], *vn = v->kids[i + 1];
		if (kn->kind != YAML_SCALAR || !kn->text[0])
			return perr(p, kn, "expected the path of a written file");
		struct regress_file_expect *n = realloc(e->files, (e->nfiles + 1) * sizeof(*n));
		if (!n)
			return perr(p, kn, "out of memory");
		e->files = n;
		struct regress_file_expect *fe = &e->files[e->nfiles++];
		memset(fe, 0, sizeof(*fe));
		if (!(fe->path = strdup(kn->text)))
			return perr(p, kn, "out of memory");
		if (vn->kind == YAML_SCALAR) {
			char *golden = resolve(p, vn->text);
			if (!golden)
				return perr(p, vn, "expected a golden file name");
			int rc = read_lines(p, vn, golden, &fe->lines);
			free(golden);
			if (rc < 0)
				return -1;
		} else if (get_strlist(p, vn, &fe->lines, 0) < 0) {
			return -1;
		}
	}
	return 0;
}

static int parse_expect(struct pctx *p, const struct yaml_node *v, struct regress_expect *e)
{
	if (v->kind != YAML_MAP)
		return perr(p, v, "'expect' must be a mapping");
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct yaml_node *kn = v->kids[i], *vn = v->kids[i + 1];
		const char *k = kn->text;
		int rc;
		if (!strcmp(k, "load")) {
			if (vn->kind == YAML_SCALAR && !strcmp(vn->text, "ok"))
				e->load = 1;
			else if (vn->kind == YAML_SCALAR && (!strcmp(vn->text, "fail") || !strcmp(vn->text, "error")))
				e->load = 0;
			else
				return perr(p, vn, "'load' must be ok or fail");
			rc = 0;
		} else if (!strcmp(k, "errors") || !strcmp(k, "error")) {
			rc = parse_diags(p, vn, &e->errors, &e->nerrors);
		} else if (!strcmp(k, "warnings") || !strcmp(k, "warning")) {
			rc = parse_diags(p, vn, &e->warnings, &e->nwarnings);
		} else if (!strcmp(k, "loaded_ok")) {
			rc = get_strlist(p, vn, &e->loaded_ok, 0);
		} else if (!strcmp(k, "alerts")) {
			e->has_alerts = 1;
			rc = parse_count(p, vn, &e->alerts);
		} else if (!strcmp(k, "rules")) {
			rc = parse_rules_counts(p, vn, e, 0);
		} else if (!strcmp(k, "fire")) {
			rc = parse_rules_counts(p, vn, e, 1);
		} else if (!strcmp(k, "not_fire")) {
			rc = parse_rules_counts(p, vn, e, 2);
		} else if (!strcmp(k, "priorities")) {
			rc = parse_priorities(p, vn, e);
		} else if (!strcmp(k, "output_contains")) {
			rc = get_strlist(p, vn, &e->contains, 0);
		} else if (!strcmp(k, "output_not_contains")) {
			rc = get_strlist(p, vn, &e->not_contains, 0);
		} else if (!strcmp(k, "output_matches")) {
			rc = get_strlist(p, vn, &e->matches, 0);
		} else if (!strcmp(k, "output_not_matches")) {
			rc = get_strlist(p, vn, &e->not_matches, 0);
		} else if (!strcmp(k, "output_lines_in_order")) {
			rc = get_strlist(p, vn, &e->lines_in_order, 0);
		} else if (!strcmp(k, "output_lines_in_order_file")) {
			char *path = vn->kind == YAML_SCALAR ? resolve(p, vn->text) : NULL;
			if (!path)
				return perr(p, vn, "expected a file name");
			rc = read_lines(p, vn, path, &e->lines_in_order);
			free(path);
		} else if (!strcmp(k, "json_keys")) {
			rc = get_strlist(p, vn, &e->json_keys, 0);
		} else if (!strcmp(k, "capture_warnings")) {
			rc = get_strlist(p, vn, &e->capture_warnings, 0);
		} else if (!strcmp(k, "output_file_lines_in_order")) {
			rc = parse_file_expects(p, vn, e);
		} else {
			return perr(p, kn, "unknown expectation '%s'", k);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int parse_options(struct pctx *p, const struct yaml_node *v, struct regress_strlist *l)
{
	if (v->kind == YAML_MAP) {
		for (size_t i = 0; i + 1 < v->n; i += 2) {
			const struct yaml_node *val = v->kids[i + 1];
			if (val->kind != YAML_SCALAR)
				return perr(p, val, "option values must be scalars");
			size_t n = v->kids[i]->len + val->len + 2;
			char *s = malloc(n);
			if (!s)
				return perr(p, v, "out of memory");
			snprintf(s, n, "%s=%s", v->kids[i]->text, val->text);
			if (strlist_push(l, s) < 0)
				return perr(p, v, "out of memory");
		}
		return 0;
	}
	struct regress_strlist tmp = { 0 };
	if (get_strlist(p, v, &tmp, 0) < 0)
		return -1;
	for (size_t i = 0; i < tmp.n; i++) {
		if (!strchr(tmp.v[i], '=') || tmp.v[i][0] == '=') {
			strlist_free(&tmp);
			return perr(p, v, "options must be key=value");
		}
		strlist_push(l, tmp.v[i]);
		tmp.v[i] = NULL;
	}
	strlist_free(&tmp);
	return 0;
}

/* Applies the keys of mapping m to tc (defaults first, then the case's own keys). */
static int parse_case_keys(struct pctx *p, const struct yaml_node *m, struct regress_case *tc)
{
	if (m->kind != YAML_MAP)
		return perr(p, m, "a case must be a mapping");
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const struct yaml_node *kn = m->kids[i], *vn = m->kids[i + 1];
		const char *k = kn->text ? kn->text : "";
		int rc;
		if (!strcmp(k, "name"))
			rc = get_scalar(p, vn, &tc->name);
		else if (!strcmp(k, "skip"))
			rc = get_scalar(p, vn, &tc->skip);
		else if (!strcmp(k, "rules"))
			rc = get_strlist(p, vn, &tc->rules, 1);
		else if (!strcmp(k, "captures") || !strcmp(k, "capture"))
			rc = get_strlist(p, vn, &tc->captures, 1);
		else if (!strcmp(k, "options"))
			rc = parse_options(p, vn, &tc->options);
		else if (!strcmp(k, "min_priority")) {
			char *s = NULL;
			rc = get_scalar(p, vn, &s);
			if (!rc && rule_priority_parse(s) < 0)
				rc = perr(p, vn, "unknown priority '%s'", s);
			if (!rc) {
				size_t n = strlen(s) + 10;
				char *o = malloc(n);
				snprintf(o, n, "priority=%s", s);
				rc = strlist_push(&tc->options, o);
			}
			free(s);
		} else if (!strcmp(k, "disable_substrings"))
			rc = get_strlist(p, vn, &tc->disable_substr, 0);
		else if (!strcmp(k, "disable_tags"))
			rc = get_strlist(p, vn, &tc->disable_tags, 0);
		else if (!strcmp(k, "run_tags"))
			rc = get_strlist(p, vn, &tc->run_tags, 0);
		else if (!strcmp(k, "enable_rules"))
			rc = get_strlist(p, vn, &tc->enable_rules, 0);
		else if (!strcmp(k, "disable_rules"))
			rc = get_strlist(p, vn, &tc->disable_rules, 0);
		else if (!strcmp(k, "legacy_enter_events"))
			rc = parse_bool(p, vn, &tc->legacy_enter_events);
		else if (!strcmp(k, "hostname"))
			rc = get_scalar(p, vn, &tc->hostname);
		else if (!strcmp(k, "expect")) {
			expect_free(&tc->expect);
			memset(&tc->expect, 0, sizeof(tc->expect));
			tc->expect.load = -1;
			rc = parse_expect(p, vn, &tc->expect);
		} else
			return perr(p, kn, "unknown case key '%s'", k);
		if (rc < 0)
			return p->err[0] ? -1 : perr(p, vn, "out of memory");
	}
	return 0;
}

static int add_case(struct pctx *p, struct regress_suite *s, const struct yaml_node *defaults,
		    const struct yaml_node *node, size_t index)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct regress_case *v = realloc(s->cases, cap * sizeof(*v));
		if (!v)
			return perr(p, node, "out of memory");
		s->cases = v;
		s->cap = cap;
	}
	struct regress_case *tc = &s->cases[s->n];
	memset(tc, 0, sizeof(*tc));
	tc->expect.load = -1;
	tc->spec_file = strdup(p->path);
	tc->line = node->line;
	s->n++;
	if (defaults && parse_case_keys(p, defaults, tc) < 0)
		return -1;
	if (parse_case_keys(p, node, tc) < 0)
		return -1;
	if (!tc->name) {
		char buf[64];
		snprintf(buf, sizeof(buf), "case%zu", index + 1);
		tc->name = strdup(buf);
	}
	if (!tc->skip && !tc->rules.n)
		return perr(p, node, "case '%s' names no rules files", tc->name);
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

char *regress_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	*len = 0;
	FILE *m = open_memstream(&text, len);
	char buf[65536];
	size_t n;
	while (m && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	int rerr = ferror(f);
	fclose(f);
	if (!m || fclose(m) || rerr) {
		free(text);
		errno = rerr ? EIO : ENOMEM;
		return NULL;
	}
	return text;
}

int regress_suite_load(struct regress_suite *s, const char *path, char *err, size_t errlen)
{
	struct pctx p = { .path = path, .err = err, .errlen = errlen };
	err[0] = '\0';
	size_t len = 0;
	char *text = regress_read_file(path, &len);
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct yaml_docs docs = { 0 };
	struct yaml_error ye;
	int rc = 0;
	p.dir = dir_of(path);
	if (yaml_docs_load(text, len, &docs, &ye) < 0) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, ye.line, ye.col, ye.msg);
		rc = -1;
		goto out;
	}
	for (size_t d = 0; d < docs.n && !rc; d++) {
		const struct yaml_node *root = docs.docs[d], *cases = NULL, *defaults = NULL;
		if (!root)
			continue;
		if (root->kind == YAML_SEQ) {
			cases = root;
		} else if (root->kind == YAML_MAP) {
			for (size_t i = 0; i + 1 < root->n; i += 2) {
				const char *k = root->kids[i]->text ? root->kids[i]->text : "";
				if (!strcmp(k, "cases"))
					cases = root->kids[i + 1];
				else if (!strcmp(k, "defaults"))
					defaults = root->kids[i + 1];
				else
					rc = perr(&p, root->kids[i], "unknown top-level key '%s' (cases, defaults)", k);
			}
		}
		if (!rc && (!cases || cases->kind != YAML_SEQ))
			rc = perr(&p, cases ? cases : root, "expected a list of cases ('cases:')");
		for (size_t i = 0; !rc && i < cases->n; i++)
			rc = add_case(&p, s, defaults, cases->kids[i], i);
	}
out:
	yaml_docs_free(&docs);
	free(text);
	free(p.dir);
	return rc;
}

static void diag_free(struct regress_diag *d)
{
	free(d->code);
	free(d->item_type);
	free(d->item_name);
	free(d->message);
	free(d->contains);
	free(d->matches);
}

static void expect_free(struct regress_expect *e)
{
	for (size_t i = 0; i < e->nerrors; i++)
		diag_free(&e->errors[i]);
	for (size_t i = 0; i < e->nwarnings; i++)
		diag_free(&e->warnings[i]);
	free(e->errors);
	free(e->warnings);
	for (size_t i = 0; i < e->nrules; i++)
		free(e->rules[i].rule);
	free(e->rules);
	strlist_free(&e->loaded_ok);
	strlist_free(&e->contains);
	strlist_free(&e->not_contains);
	strlist_free(&e->matches);
	strlist_free(&e->not_matches);
	strlist_free(&e->lines_in_order);
	strlist_free(&e->json_keys);
	strlist_free(&e->capture_warnings);
	for (size_t i = 0; i < e->nfiles; i++) {
		free(e->files[i].path);
		strlist_free(&e->files[i].lines);
	}
	free(e->files);
}

void regress_suite_free(struct regress_suite *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct regress_case *tc = &s->cases[i];
		free(tc->name);
		free(tc->spec_file);
		free(tc->skip);
		free(tc->hostname);
		strlist_free(&tc->rules);
		strlist_free(&tc->captures);
		strlist_free(&tc->options);
		strlist_free(&tc->disable_substr);
		strlist_free(&tc->disable_tags);
		strlist_free(&tc->run_tags);
		strlist_free(&tc->enable_rules);
		strlist_free(&tc->disable_rules);
		expect_free(&tc->expect);
	}
	free(s->cases);
	memset(s, 0, sizeof(*s));
}
