/* replay/config/config.c: the configuration tree: YAML loading, -o overrides, dotted-path lookup, key validation. */
#include "replay/config/config.h"
#include "yaml/yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct config {
	struct config_node *root;  /* always a map */
	char **origins;            /* file names and -o texts the nodes point to */
	size_t norigins;
};

static void node_free(struct config_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->value);
	free(n);
}

static struct config_node *node_new(uint8_t kind, const char *origin, int line, int col)
{
	struct config_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->origin = origin;
	n->line = line;
	n->col = col;
	return n;
}

static int node_push(struct config_node *parent, struct config_node *kid)
{
	struct config_node **k = realloc(parent->kids, (parent->n + 1) * sizeof(*k));
	if (!k)
		return -1;
	parent->kids = k;
	parent->kids[parent->n++] = kid;
	return 0;
}

static const char *origin_add(struct config *c, const char *s)
{
	char **o = realloc(c->origins, (c->norigins + 1) * sizeof(*o));
	if (!o)
		return NULL;
	c->origins = o;
	o[c->norigins] = strdup(s);
	return o[c->norigins] ? o[c->norigins++] : NULL;
}

struct config *config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->root = node_new(CONFIG_MAP, "", 0, 0);
	if (!c->root) {
		free(c);
		return NULL;
	}
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	node_free(c->root);
	for (size_t i = 0; i < c->norigins; i++)
		free(c->origins[i]);
	free(c->origins);
	free(c);
}

/* Copies a parsed YAML node into a config node; line numbers are shifted by
 * line0/col0 for -o values, which are parsed on their own. */
static struct config_node *node_from_yaml(const struct yaml_node *y, const char *origin, int line0, int col0)
{
	static const uint8_t kinds[] = {
		[YAML_SCALAR] = CONFIG_SCALAR, [YAML_SEQ] = CONFIG_SEQ, [YAML_MAP] = CONFIG_MAP,
	};
	struct config_node *n = node_new(kinds[y->kind], origin, y->line + line0, y->col + col0);
	if (!n)
		return NULL;
	if (y->kind == YAML_SCALAR) {
		n->quoted = !y->plain;
		n->value = strdup(y->text ? y->text : "");
		if (!n->value)
			goto fail;
		return n;
	}
	size_t step = y->kind == YAML_MAP ? 2 : 1;
	for (size_t i = 0; i + step - 1 < y->n; i += step) {
		const struct yaml_node *v = y->kids[i + step - 1];
		struct config_node *k;
		if (!v) {
			k = node_new(CONFIG_SCALAR, origin, y->line + line0, y->col + col0);
			if (k)
				k->value = strdup("");
		} else {
			k = node_from_yaml(v, origin, line0, col0);
		}
		if (!k || (k->kind == CONFIG_SCALAR && !k->value)) {
			node_free(k);
			goto fail;
		}
		if (step == 2) {
			const struct yaml_node *key = y->kids[i];
			k->key = strdup(key && key->text ? key->text : "");
			if (!k->key) {
				node_free(k);
				goto fail;
			}
		}
		if (node_push(n, k) < 0) {
			node_free(k);
			goto fail;
		}
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct config_node *map_get(const struct config_node *m, const char *key, size_t klen, size_t *idx)
{
	if (!m || m->kind != CONFIG_MAP)
		return NULL;
	/* the last duplicate wins, as in yaml-cpp */
	for (size_t i = m->n; i-- > 0;)
		if (m->kids[i]->key && strlen(m->kids[i]->key) == klen && !memcmp(m->kids[i]->key, key, klen)) {
			if (idx)
				*idx = i;
			return m->kids[i];
		}
	return NULL;
}

/* Puts kid (which has its key set) into map m, replacing an entry with the same key. */
static int map_put(struct config_node *m, struct config_node *kid)
{
	size_t i;
	if (map_get(m, kid->key, strlen(kid->key), &i)) {
		node_free(m->kids[i]);
		m->kids[i] = kid;
		return 0;
	}
	return node_push(m, kid);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

int config_load_file(struct config *c, const char *path)
{
	size_t len = 0;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "saker-replay: %s: cannot read configuration: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = config_load_text(c, path, text, len);
	free(text);
	return rc;
}

int config_load_text(struct config *c, const char *path, const char *text, size_t len)
{
	struct yaml_docs docs = {0};
	struct yaml_error yerr = {0};
	int rc = yaml_docs_load(text, len, &docs, &yerr);
	if (rc < 0) {
		fprintf(stderr, "saker-replay: %s:%d:%d: invalid YAML: %s\n", path, yerr.line, yerr.col, yerr.msg);
		return -1;
	}
	const char *origin = origin_add(c, path);
	rc = origin ? 0 : -1;
	for (size_t d = 0; d < docs.n && rc == 0; d++) {
		const struct yaml_node *y = docs.docs[d];
		if (!y)
			continue;
		if (y->kind != YAML_MAP) {
			fprintf(stderr, "saker-replay: %s:%d:%d: the configuration must be a YAML mapping\n", path,
				y->line, y->col);
			rc = -1;
			break;
		}
		struct config_node *n = node_from_yaml(y, origin, 0, 0);
		if (!n) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < n->n && rc == 0; i++) {
			rc = map_put(c->root, n->kids[i]);
			if (rc == 0)
				n->kids[i] = NULL;
		}
		n->n = 0;
		node_free(n);
	}
	yaml_docs_free(&docs);
	return rc;
}

/* One step of a dotted path: a key (unescaped into buf) or an [index]. */
struct path_step {
	int is_index;
	long index;
	char key[256];
};

/* Parses the next step at *p; returns 1, 0 at the end, -1 on a syntax error. */
static int path_next(const char **p, struct path_step *st)
{
	const char *s = *p;
	if (!*s)
		return 0;
	if (*s == '.')
		s++;
	if (*s == '[') {
		char *end;
		st->is_index = 1;
		st->index = strtol(s + 1, &end, 10);
		if (end == s + 1 || *end != ']' || st->index < 0)
			return -1;
		*p = end + 1;
		return 1;
	}
	st->is_index = 0;
	size_t n = 0;
	while (*s && *s != '.' && *s != '[') {
		if (*s == '\\' && s[1] == '.')
			s++;
		if (n + 1 >= sizeof(st->key))
			return -1;
		st->key[n++] = *s++;
	}
	st->key[n] = '\0';
	*p = s;
	return n ? 1 : -1;
}

const struct config_node *config_find(const struct config *c, const char *path)
{
	const struct config_node *n = c ? c->root : NULL;
	struct path_step st;
	int rc = 0;
	while (n && (rc = path_next(&path, &st)) > 0) {
		if (st.is_index)
			n = n->kind == CONFIG_SEQ && (size_t)st.index < n->n ? n->kids[st.index] : NULL;
		else
			n = map_get(n, st.key, strlen(st.key), NULL);
	}
	return rc == 0 ? n : NULL;
}

int config_override(struct config *c, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment) {
		fprintf(stderr, "saker-replay: -o expects KEY=VALUE, got '%s'\n", assignment);
		return -1;
	}
	char label[512];
	snprintf(label, sizeof(label), "-o %s", assignment);
	const char *origin = origin_add(c, label);
	if (!origin)
		return -1;
	/* the value: YAML (flow collections, quoted strings) or, if that fails, raw text */
	const char *val = eq + 1;
	struct yaml_docs docs = {0};
	struct yaml_error yerr = {0};
	struct config_node *v = NULL;
	if (*val && yaml_docs_load(val, strlen(val), &docs, &yerr) == 0 && docs.n == 1 && docs.docs[0])
		v = node_from_yaml(docs.docs[0], origin, 0, (int)(val - assignment) + 3);
	yaml_docs_free(&docs);
	if (!v) {
		v = node_new(CONFIG_SCALAR, origin, 1, (int)(val - assignment) + 4);
		if (v)
			v->value = strdup(val);
		if (!v || !v->value) {
			node_free(v);
			return -1;
		}
	}
	char keypath[512];
	snprintf(keypath, sizeof(keypath), "%.*s", (int)(eq - assignment), assignment);
	const char *p = keypath;
	struct config_node *cur = c->root;
	struct path_step st, next;
	int rc = path_next(&p, &st);
	while (rc > 0) {
		int more = path_next(&p, &next);
		if (more < 0)
			break;
		uint8_t want = more == 0 ? 0 : next.is_index ? CONFIG_SEQ : CONFIG_MAP;
		struct config_node *child = NULL;
		if (st.is_index) {
			if (cur->kind != CONFIG_SEQ || (size_t)st.index > cur->n) {
				fprintf(stderr, "saker-replay: -o %s: index [%ld] is out of range\n", assignment, st.index);
				node_free(v);
				return -1;
			}
			if ((size_t)st.index == cur->n) {
				struct config_node *fresh = want ? node_new(want, origin, 1, 1) : v;
				if (!fresh || node_push(cur, fresh) < 0)
					goto oom;
				if (!want)
					return 0;
				child = fresh;
			} else if (!want) {
				node_free(cur->kids[st.index]);
				cur->kids[st.index] = v;
				return 0;
			} else {
				child = cur->kids[st.index];
			}
		} else {
			if (!want) {
				v->key = strdup(st.key);
				if (!v->key || map_put(cur, v) < 0)
					goto oom;
				return 0;
			}
			child = map_get(cur, st.key, strlen(st.key), NULL);
			if (!child) {
				child = node_new(want, origin, 1, 1);
				if (!child || !(child->key = strdup(st.key)) || map_put(cur, child) < 0)
					goto oom;
			}
		}
		if (child->kind != want) {
			/* a scalar where a map or list is needed is replaced */
			for (size_t i = 0; i < child->n; i++)
				node_free(child->kids[i]);
			child->n = 0;
			free(child->value);
			child->value = NULL;
			child->kind = want;
		}
		cur = child;
		st = next;
	}
	fprintf(stderr, "saker-replay: -o %s: invalid key path\n", assignment);
	node_free(v);
	return -1;
oom:
	node_free(v);
	fprintf(stderr, "saker-replay: out of memory\n");
	return -1;
}

int config_parse_bool(const char *s)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "y"};
	static const char *const no[] = {"false", "no", "off", "0", "n"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

const char *config_str(const struct config *c, const char *path)
{
	const struct config_node *n = config_find(c, path);
	return n && n->kind == CONFIG_SCALAR ? n->value : NULL;
}

int config_bool(const struct config *c, const char *path, int dflt)
{
	const char *s = config_str(c, path);
	int b = s ? config_parse_bool(s) : -1;
	return b < 0 ? dflt : b;
}

double config_num(const struct config *c, const char *path, double dflt)
{
	const char *s = config_str(c, path);
	if (!s || !*s)
		return dflt;
	char *end;
	double d = strtod(s, &end);
	return *end ? dflt : d;
}
