/* rules/macro.c: AST copying, macro reference listing and macro expansion. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "rules/cond_int.h"

static char *dup_bytes(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}

/* Copies n; macro references are replaced through resolve when it is set. */
static struct cond_node *copy_node(const struct cond_node *n, cond_macro_resolver resolve, void *ctx,
				   struct cond_error *err, int depth)
{
	if (depth > 10000) {
		snprintf(err->msg, sizeof(err->msg), "macro expansion too deep");
		return NULL;
	}
	if (n->kind == CN_MACRO && resolve) {
		const struct cond_node *m = resolve(ctx, n->str, err);
		if (!m) {
			if (!err->msg[0])
				snprintf(err->msg, sizeof(err->msg), "Undefined macro '%s' used in filter.", n->str);
			if (err->offset < 0)
				err->offset = n->pos;
			return NULL;
		}
		return copy_node(m, resolve, ctx, err, depth + 1);
	}
	struct cond_node *c = cond_node_new(n->kind, n->pos);
	if (!c)
		goto oom;
	c->op = n->op;
	c->mod = n->mod;
	c->len = n->len;
	if ((n->str && !(c->str = dup_bytes(n->str, n->len ? n->len : strlen(n->str)))) ||
	    (n->arg && !(c->arg = strdup(n->arg))))
		goto oom_free;
	if (n->nitems) {
		c->items = calloc(n->nitems, sizeof(*c->items));
		c->itemlens = calloc(n->nitems, sizeof(*c->itemlens));
		if (!c->items || !c->itemlens)
			goto oom_free;
		for (size_t i = 0; i < n->nitems; i++) {
			c->items[i] = dup_bytes(n->items[i], n->itemlens[i]);
			if (!c->items[i])
				goto oom_free;
			c->itemlens[i] = n->itemlens[i];
			c->nitems = i + 1;
		}
	}
	for (size_t i = 0; i < n->nkids; i++) {
		struct cond_node *k = copy_node(n->kids[i], resolve, ctx, err, depth + 1);
		if (!k) {
			cond_free(c);
			return NULL;
		}
		if (cond_node_add_kid(c, k) < 0) {
			cond_free(k);
			goto oom_free;
		}
	}
	return c;
oom_free:
	cond_free(c);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return NULL;
}

struct cond_node *cond_expand_macros(const struct cond_node *n, cond_macro_resolver resolve, void *ctx,
				     struct cond_error *err)
{
	struct cond_error local;
	if (!err)
		err = &local;
	err->offset = -1;
	err->msg[0] = 0;
	return copy_node(n, resolve, ctx, err, 0);
}

struct macro_seen {
	const char **names;
	size_t n, cap;
};

static void walk_macros(const struct cond_node *n, struct macro_seen *seen,
			void (*fn)(void *ctx, const char *name), void *ctx)
{
	if (n->kind == CN_MACRO) {
		for (size_t i = 0; i < seen->n; i++)
			if (strcmp(seen->names[i], n->str) == 0)
				return;
		if (seen->n == seen->cap) {
			size_t nc = seen->cap ? seen->cap * 2 : 16;
			const char **nn = realloc(seen->names, nc * sizeof(*nn));
			if (!nn)
				return;
			seen->names = nn;
			seen->cap = nc;
		}
		seen->names[seen->n++] = n->str;
		fn(ctx, n->str);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		walk_macros(n->kids[i], seen, fn, ctx);
}

void cond_for_each_macro(const struct cond_node *n, void (*fn)(void *ctx, const char *name), void *ctx)
{
	struct macro_seen seen = {0};
	if (n)
		walk_macros(n, &seen, fn, ctx);
	free(seen.names);
}
