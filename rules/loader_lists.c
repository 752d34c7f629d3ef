/* rules/loader_lists.c: lists: one-level expansion of list references and textual substitution into conditions (rules.md 3.4). */
#include "rules/loader_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void ld_lists_expand(struct rule_loader *l, struct ld_lists_x *x)
{
	size_t n = l->nlists;
	x->items = ld_xrealloc(NULL, (n ? n : 1) * sizeof(*x->items));
	x->n = ld_xrealloc(NULL, (n ? n : 1) * sizeof(*x->n));
	x->used = calloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		const struct ld_list *li = &l->lists[i];
		size_t cnt = 0, cap = li->n + 1;
		char **v = ld_xrealloc(NULL, cap * sizeof(*v));
		for (size_t j = 0; j < li->n; j++) {
			const struct ld_list *ref = NULL;
			/* Only lists first defined before this list's last definition, one level. */
			for (size_t k = 0; k < n && !ref; k++)
				if (!strcmp(l->lists[k].name, li->items[j]) && l->lists[k].first_seq < li->vis_seq)
					ref = &l->lists[k];
			if (ref) {
				x->used[ref - l->lists] = 1;
				cap += ref->n;
				v = ld_xrealloc(v, cap * sizeof(*v));
				for (size_t k = 0; k < ref->n; k++)
					v[cnt++] = ld_strdup(ref->items[k]);
			} else {
				v[cnt++] = ld_strdup(li->items[j]);
			}
		}
		x->items[i] = v;
		x->n[i] = cnt;
	}
}

void ld_lists_x_free(struct rule_loader *l, struct ld_lists_x *x)
{
	for (size_t i = 0; i < l->nlists; i++) {
		for (size_t j = 0; j < x->n[i]; j++)
			free(x->items[i][j]);
		free(x->items[i]);
	}
	free(x->items);
	free(x->n);
	free(x->used);
	memset(x, 0, sizeof(*x));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_boundary(char c)
{
	return c == 0 || is_blank(c) || c == '(' || c == ')' || c == ',' || c == '=';
}

static void add_items(struct ld_buf *b, char **items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			ld_buf_adds(b, ", ");
		const char *s = items[i];
		int quote = strchr(s, ' ') && s[0] != '"' && s[0] != '\'';
		if (quote)
			ld_buf_addc(b, '"');
		ld_buf_adds(b, s);
		if (quote)
			ld_buf_addc(b, '"');
	}
}

/* Replaces one list's name everywhere in text. Returns the new text or NULL if unchanged. */
static char *substitute_one(const char *text, const char *name, char **items, size_t n)
{
	size_t nlen = strlen(name), tlen = strlen(text);
	struct ld_buf out = {0};
	size_t copied = 0;
	int changed = 0;
	for (size_t i = 0; i + nlen <= tlen;) {
		if (memcmp(text + i, name, nlen) || (i > 0 && !is_boundary(text[i - 1])) || !is_boundary(text[i + nlen])) {
			i++;
			continue;
		}
		size_t start = i, end = i + nlen;
		int lb = 0, rb = 0;
		while (start > copied && is_blank(text[start - 1])) {
			start--;
			lb = 1;
		}
		while (end < tlen && is_blank(text[end])) {
			end++;
			rb = 1;
		}
		if (n == 0) {
			/* an empty list also takes one neighbouring comma, the left one first */
			if (start > copied && text[start - 1] == ',')
				start--;
			else if (end < tlen && text[end] == ',')
				end++;
		}
		ld_buf_add(&out, text + copied, start - copied);
		if (lb)
			ld_buf_addc(&out, ' ');
		add_items(&out, items, n);
		if (rb)
			ld_buf_addc(&out, ' ');
		copied = end;
		i = end;
		changed = 1;
	}
	if (!changed)
		return NULL;
	ld_buf_add(&out, text + copied, tlen - copied);
	return out.s ? out.s : ld_strdup("");
}

char *ld_lists_substitute(struct rule_loader *l, struct ld_lists_x *x, const char *text)
{
	char *cur = ld_strdup(text);
	for (size_t i = 0; i < l->nlists; i++) {
		if (!strstr(cur, l->lists[i].name))
			continue;
		char *r = substitute_one(cur, l->lists[i].name, x->items[i], x->n[i]);
		if (r) {
			x->used[i] = 1;
			free(cur);
			cur = r;
		}
	}
	return cur;
}
