/* rules/loader.c: the rule loader: files and directories in order, YAML documents, item dispatch, engine/plugin requirements. */
#include "rules/loader_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The engine version saker implements (Falco 0.42 baseline). */
#define ENGINE_MAJOR 0
#define ENGINE_MINOR 57
#define ENGINE_PATCH 0

struct rule_loader *rule_loader_new(const struct rule_load_opts *opts)
{
	struct rule_loader *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->opts = *opts;
	static const char syscall_name[] = "syscall";
	struct rule_source one = { syscall_name, opts->registry, opts->extra_output };
	const struct rule_source *src = opts->sources ? opts->sources : &one;
	size_t nsrc = opts->sources ? opts->nsources : 1;
	l->sources = ld_xrealloc(NULL, (nsrc ? nsrc : 1) * sizeof(*l->sources));
	for (size_t i = 0; i < nsrc; i++) {
		l->sources[i].name = ld_strdup(src[i].name);
		l->sources[i].registry = src[i].registry;
		l->sources[i].extra_output = src[i].extra_output ? ld_strdup(src[i].extra_output) : NULL;
	}
	l->plugins = ld_xrealloc(NULL, (opts->nplugins ? opts->nplugins : 1) * sizeof(*l->plugins));
	for (size_t i = 0; i < opts->nplugins; i++) {
		l->plugins[i].name = ld_strdup(opts->plugins[i].name);
		l->plugins[i].version = opts->plugins[i].version ? ld_strdup(opts->plugins[i].version) : NULL;
	}
	l->opts.sources = l->sources;
	l->opts.nsources = nsrc;
	l->opts.plugins = l->plugins;
	l->opts.extra_output = NULL;
	return l;
}

const struct rule_source *ld_source(const struct rule_loader *l, const char *name)
{
	for (size_t i = 0; i < l->opts.nsources; i++)
		if (!strcmp(l->opts.sources[i].name, name))
			return &l->opts.sources[i];
	return NULL;
}

void rule_loader_free(struct rule_loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nlists; i++) {
		for (size_t j = 0; j < l->lists[i].n; j++)
			free(l->lists[i].items[j]);
		free(l->lists[i].items);
		free(l->lists[i].name);
	}
	free(l->lists);
	for (size_t i = 0; i < l->nmacros; i++) {
		free(l->macros[i].name);
		free(l->macros[i].cond);
	}
	free(l->macros);
	for (size_t i = 0; i < l->nrules; i++)
		ld_rule_free(&l->rules[i]);
	free(l->rules);
	for (size_t i = 0; i < l->nsel; i++) {
		free(l->sel[i].pattern);
		free(l->sel[i].tag);
	}
	free(l->sel);
	free(l->engine_version);
	for (size_t i = 0; i < l->nplugin_reqs; i++) {
		free(l->plugin_reqs[i].name);
		free(l->plugin_reqs[i].version);
		ld_strs_free(&l->plugin_reqs[i].alt_names);
		ld_strs_free(&l->plugin_reqs[i].alt_versions);
	}
	free(l->plugin_reqs);
	for (size_t i = 0; i < l->nfiles; i++) {
		free(l->files[i]->name);
		free(l->files[i]->text);
		free(l->files[i]);
	}
	free(l->files);
	for (size_t i = 0; i < l->opts.nsources; i++) {
		free((char *)l->sources[i].name);
		free((char *)l->sources[i].extra_output);
	}
	free(l->sources);
	for (size_t i = 0; i < l->opts.nplugins; i++) {
		free((char *)l->plugins[i].name);
		free((char *)l->plugins[i].version);
	}
	free(l->plugins);
	rule_diag_list_free(&l->diags);
	free(l);
}

const struct rule_diag_list *rule_loader_diags(const struct rule_loader *l)
{
	return &l->diags;
}

struct ld_pos ld_node_pos(const struct ld_file *f, const struct yaml_node *n)
{
	struct ld_pos p = {f ? f->name : NULL, n ? n->line : 0, n ? n->col : 0};
	return p;
}

/* Compares a "x.y.z" or integer requirement with the engine version. Returns
 * 1 if satisfied, 0 if not, -1 if the text is not a version. */
static int engine_version_ok(const char *v)
{
	char *end;
	unsigned long a = strtoul(v, &end, 10), b = 0, c = 0;
	if (end == v)
		return -1;
	if (*end == 0) /* integer N means 0.N.0 */
		return a <= ENGINE_MINOR;
	if (*end != '.')
		return -1;
	const char *p = end + 1;
	b = strtoul(p, &end, 10);
	if (end == p || *end != '.')
		return -1;
	p = end + 1;
	c = strtoul(p, &end, 10);
	if (end == p || *end)
		return -1;
	if (a != ENGINE_MAJOR)
		return 0;
	if (b != ENGINE_MINOR)
		return b < ENGINE_MINOR;
	return c <= ENGINE_PATCH;
}

/* Keeps the highest requirement (Falco's describe prints it); an integer N
 * means 0.N.0. */
static void remember_engine_version(struct rule_loader *l, const char *v)
{
	unsigned long k[3] = {0, 0, 0};
	if (sscanf(v, "%lu.%lu.%lu", &k[0], &k[1], &k[2]) == 1) {
		k[1] = k[0];
		k[0] = 0;
	}
	for (int i = 0; l->engine_version && i < 3; i++) {
		if (k[i] < l->engine_version_key[i])
			return;
		if (k[i] > l->engine_version_key[i])
			break;
		if (i == 2)
			return; /* equal */
	}
	free(l->engine_version);
	l->engine_version = ld_sprintf("%lu.%lu.%lu", k[0], k[1], k[2]);
	memcpy(l->engine_version_key, k, sizeof(k));
}

static int read_engine_version(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent)
{
	struct ld_ctx ctx = *parent;
	ld_ctx_push(&ctx, "required_engine_version", "", ld_node_pos(r->f, item));
	char *v = NULL;
	if (ld_decode_str(r, item, "required_engine_version", 0, &ctx, &v) < 0)
		return -1;
	int ok = engine_version_ok(v);
	if (ok < 0) {
		const struct yaml_node *val = ld_map_get(item, "required_engine_version");
		ld_ctx_push(&ctx, "value for", "required_engine_version", ld_node_pos(r->f, val));
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &ctx, "Can't decode YAML scalar value");
	} else if (!ok) {
		ld_diag(r->l, LOAD_ERR_VALIDATE, &ctx, "Rules require engine version %s, but engine version is %d.%d.%d",
			v, ENGINE_MAJOR, ENGINE_MINOR, ENGINE_PATCH);
	} else {
		remember_engine_version(r->l, v);
	}
	free(v);
	return ok > 0 ? 0 : -1;
}

/* major.minor.patch; -1 if v is not such a version. */
static int parse_semver(const char *v, unsigned long out[3])
{
	for (int i = 0; i < 3; i++) {
		char *end;
		if (*v < '0' || *v > '9')
			return -1;
		out[i] = strtoul(v, &end, 10);
		v = end;
		if (i < 2 && *v++ != '.')
			return -1;
	}
	return 0;
}

/* Whether a provided plugin satisfies `name >= version` (Falco: same major,
 * not older). An unparsable required version is satisfied by the name alone. */
static int plugin_satisfies(const struct rule_loader *l, const char *name, const char *version)
{
	for (size_t i = 0; i < l->opts.nplugins; i++) {
		const struct rule_plugin *p = &l->opts.plugins[i];
		if (strcmp(p->name, name))
			continue;
		unsigned long have[3], want[3];
		if (!p->version || !version || parse_semver(version, want) < 0 || parse_semver(p->version, have) < 0)
			return 1;
		return have[0] == want[0] &&
		       (have[1] > want[1] || (have[1] == want[1] && have[2] >= want[2]));
	}
	return 0;
}

/* One requirement for the description; a later one for the same plugin
 * replaces the earlier. */
static void remember_plugin_req(struct rule_loader *l, const char *name, const char *ver,
				const struct yaml_node *alternatives)
{
	struct rule_describe_plugin_req *q = NULL;
	for (size_t i = 0; i < l->nplugin_reqs && !q; i++)
		if (!strcmp(l->plugin_reqs[i].name, name))
			q = &l->plugin_reqs[i];
	if (q) {
		free(q->name);
		free(q->version);
		ld_strs_free(&q->alt_names);
		ld_strs_free(&q->alt_versions);
	} else {
		l->plugin_reqs = ld_xrealloc(l->plugin_reqs, (l->nplugin_reqs + 1) * sizeof(*l->plugin_reqs));
		q = &l->plugin_reqs[l->nplugin_reqs++];
	}
	memset(q, 0, sizeof(*q));
	q->name = ld_strdup(name);
	q->version = ld_strdup(ver);
	for (size_t j = 0; alternatives && alternatives->kind == YAML_SEQ && j < alternatives->n; j++) {
		const struct yaml_node *a = alternatives->kids[j];
		const struct yaml_node *nn = a->kind == YAML_MAP ? ld_map_get(a, "name") : NULL;
		const struct yaml_node *vv = a->kind == YAML_MAP ? ld_map_get(a, "version") : NULL;
		if (!nn || nn->kind != YAML_SCALAR)
			continue;
		ld_strs_push(&q->alt_names, nn->text);
		ld_strs_push(&q->alt_versions, vv && vv->kind == YAML_SCALAR ? vv->text : "");
	}
}

/* saker loads no plugins: the ones it stands in for (opts.plugins: container,
 * k8saudit, json) satisfy their requirements, anything else is a warning. */
static int read_plugin_versions(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent)
{
	const struct yaml_node *seq = ld_map_get(item, "required_plugin_versions");
	struct ld_ctx ctx = *parent;
	ld_ctx_push(&ctx, "required_plugin_versions", "", ld_node_pos(r->f, seq));
	if (!seq || seq->kind != YAML_SEQ) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &ctx, "Value of required_plugin_versions must be a sequence");
		return -1;
	}
	for (size_t i = 0; i < seq->n; i++) {
		const struct yaml_node *p = seq->kids[i];
		struct ld_ctx pctx = ctx;
		ld_ctx_push(&pctx, "required_plugin_versions entry", "", ld_node_pos(r->f, p));
		if (p->kind != YAML_MAP) {
			ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &pctx, "Plugin version must be a mapping");
			return -1;
		}
		char *name = NULL, *ver = NULL;
		if (ld_decode_str(r, p, "name", 0, &pctx, &name) < 0)
			return -1;
		pctx.loc[pctx.n - 1].name = name;
		if (ld_decode_str(r, p, "version", 0, &pctx, &ver) < 0) {
			free(name);
			return -1;
		}
		int satisfied = plugin_satisfies(r->l, name, ver);
		struct ld_buf alts = {0};
		ld_buf_adds(&alts, name);
		ld_buf_adds(&alts, " (>= ");
		ld_buf_adds(&alts, ver);
		ld_buf_adds(&alts, ")");
		const struct yaml_node *an = ld_map_get(p, "alternatives");
		if (an && an->kind == YAML_SEQ) {
			for (size_t j = 0; j < an->n; j++) {
				const struct yaml_node *a = an->kids[j];
				const struct yaml_node *nn = a->kind == YAML_MAP ? ld_map_get(a, "name") : NULL;
				const struct yaml_node *vv = a->kind == YAML_MAP ? ld_map_get(a, "version") : NULL;
				if (!nn || nn->kind != YAML_SCALAR)
					continue;
				satisfied |= plugin_satisfies(r->l, nn->text,
							      vv && vv->kind == YAML_SCALAR ? vv->text : NULL);
				ld_buf_adds(&alts, ", ");
				ld_buf_adds(&alts, nn->text);
				if (vv && vv->kind == YAML_SCALAR) {
					ld_buf_adds(&alts, " (>= ");
					ld_buf_adds(&alts, vv->text);
					ld_buf_adds(&alts, ")");
				}
			}
		}
		remember_plugin_req(r->l, name, ver, an);
		if (!satisfied)
			ld_diag(r->l, LOAD_UNKNOWN_ITEM, &pctx,
				"Plugin requirement not satisfied, must load one of: %s (ignored: saker loads no plugins)",
				alts.s);
		free(alts.s);
		pctx.loc[pctx.n - 1].name = "";
		free(name);
		free(ver);
	}
	return 0;
}

static int read_item(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent)
{
	if (item->kind != YAML_MAP) {
		struct ld_ctx ctx = *parent;
		ld_ctx_push(&ctx, "rules content item", "", ld_node_pos(r->f, item));
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &ctx,
			"Unexpected element type. Each element should be a yaml associative array.");
		return -1;
	}
	if (ld_map_get(item, "required_engine_version"))
		return read_engine_version(r, item, parent);
	if (ld_map_get(item, "required_plugin_versions"))
		return read_plugin_versions(r, item, parent);
	if (ld_map_get(item, "list"))
		return ld_read_list(r, item, parent);
	if (ld_map_get(item, "macro"))
		return ld_read_macro(r, item, parent);
	if (ld_map_get(item, "rule"))
		return ld_read_rule(r, item, parent);
	struct ld_ctx ctx = *parent;
	ld_ctx_push(&ctx, "rules content item", "", ld_node_pos(r->f, item));
	ld_diag(r->l, LOAD_UNKNOWN_ITEM, &ctx, "Unknown top level item");
	return 0;
}

static int read_docs(struct rule_loader *l, struct ld_file *f)
{
	struct yaml_docs docs;
	struct yaml_error yerr;
	struct ld_reader r = {l, f};
	struct ld_ctx ctx = {0};
	if (yaml_docs_load(f->text, f->len, &docs, &yerr) < 0) {
		struct ld_pos p = {f->name, yerr.line, yerr.col};
		ld_ctx_push(&ctx, "rules content", "", p);
		ld_diag(l, LOAD_ERR_YAML_PARSE, &ctx, "%s", yerr.msg);
		return -1;
	}
	int rc = 0;
	for (size_t d = 0; d < docs.n && rc == 0; d++) {
		const struct yaml_node *doc = docs.docs[d];
		if (!doc || ld_is_null(doc))
			continue;
		ctx.n = 0;
		ld_ctx_push(&ctx, "rules content", "", ld_node_pos(f, doc));
		if (doc->kind == YAML_SCALAR) {
			ld_diag(l, LOAD_ERR_YAML_VALIDATE, &ctx, "Rules content is not yaml");
			rc = -1;
		} else if (doc->kind != YAML_SEQ) {
			ld_diag(l, LOAD_ERR_YAML_VALIDATE, &ctx, "Rules content is not yaml array of objects");
			rc = -1;
		}
		for (size_t i = 0; rc == 0 && doc->kind == YAML_SEQ && i < doc->n; i++) {
			if (ld_is_null(doc->kids[i]))
				continue;
			rc = read_item(&r, doc->kids[i], &ctx);
		}
	}
	yaml_docs_free(&docs);
	return rc;
}

int rule_loader_add_text(struct rule_loader *l, const char *name, const char *text, size_t len)
{
	if (l->failed)
		return -1;
	struct ld_file *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->name = ld_strdup(name);
	f->text = ld_strndup(text, len);
	f->len = len;
	l->files = ld_xrealloc(l->files, (l->nfiles + 1) * sizeof(*l->files));
	l->files[l->nfiles++] = f;
	l->cur_text = f->text;
	int rc = read_docs(l, f);
	if (rc == 0)
		rc = ld_compile(l, 1, NULL);
	l->cur_text = NULL;
	if (rc < 0)
		l->failed = 1;
	return rc;
}

static int add_file(struct rule_loader *l, const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		struct ld_ctx ctx = {0};
		struct ld_pos p = {path, 0, 0};
		ld_ctx_push(&ctx, "rules content", "", p);
		ld_diag(l, LOAD_ERR_FILE_READ, &ctx, "Could not open file %s for reading: %s", path, strerror(errno));
		return -1;
	}
	struct ld_buf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ld_buf_add(&b, chunk, n);
	int err = ferror(fp);
	fclose(fp);
	if (err) {
		free(b.s);
		struct ld_ctx ctx = {0};
		struct ld_pos p = {path, 0, 0};
		ld_ctx_push(&ctx, "rules content", "", p);
		ld_diag(l, LOAD_ERR_FILE_READ, &ctx, "Could not read file %s", path);
		return -1;
	}
	int rc = rule_loader_add_text(l, path, b.s ? b.s : "", b.len);
	free(b.s);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_yaml_ext(const char *n)
{
	size_t len = strlen(n);
	return (len > 5 && !strcmp(n + len - 5, ".yaml")) || (len > 4 && !strcmp(n + len - 4, ".yml"));
}

int rule_loader_add_path(struct rule_loader *l, const char *path)
{
	struct stat st;
	if (l->failed)
		return -1;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return add_file(l, path);
	DIR *d = opendir(path);
	if (!d)
		return add_file(l, path);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *full = ld_sprintf("%s/%s", path, de->d_name);
		if (has_yaml_ext(de->d_name) && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			names = ld_xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = full;
		} else {
			free(full);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = add_file(l, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* ---- selection (applied at build time, in call order) ---- */

static int add_sel(struct rule_loader *l, int kind, int enable, const char *pattern, const char *tag)
{
	l->sel = ld_xrealloc(l->sel, (l->nsel + 1) * sizeof(*l->sel));
	struct ld_select *s = &l->sel[l->nsel++];
	s->kind = kind;
	s->enable = enable;
	s->pattern = ld_strdup(pattern);
	s->tag = ld_strdup(tag);
	return 0;
}

int rule_loader_disable_name_substr(struct rule_loader *l, const char *substr)
{
	return add_sel(l, LD_SEL_DISABLE_SUBSTR, 0, substr, NULL);
}

int rule_loader_disable_tag(struct rule_loader *l, const char *tag)
{
	return add_sel(l, LD_SEL_DISABLE_TAG, 0, NULL, tag);
}

int rule_loader_enable_only_tag(struct rule_loader *l, const char *tag)
{
	return add_sel(l, LD_SEL_ENABLE_ONLY_TAG, 1, NULL, tag);
}

int rule_loader_select(struct rule_loader *l, int enable, const char *rule_glob, const char *tag)
{
	if (!rule_glob && !tag)
		return -1;
	return add_sel(l, LD_SEL_GLOB, enable, rule_glob, tag);
}

struct rule_set *rule_loader_build(struct rule_loader *l)
{
	if (l->failed)
		return NULL;
	struct rule_set *rs = NULL;
	if (ld_compile(l, 0, &rs) < 0)
		return NULL;
	return rs;
}
