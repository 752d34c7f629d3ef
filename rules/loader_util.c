/* rules/loader_util.c: small allocation and string helpers for the loader (abort on out of memory). */
#include "rules/loader_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *ld_xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n ? n : 1);
	if (!r) {
		fprintf(stderr, "saker: out of memory\n");
		abort();
	}
	return r;
}

char *ld_strndup(const char *s, size_t n)
{
	char *r = ld_xrealloc(NULL, n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

char *ld_strdup(const char *s)
{
	return s ? ld_strndup(s, strlen(s)) : NULL;
}

char *ld_sprintf(const char *fmt, ...)
{
	va_list ap;
	char *r = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&r, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "saker: out of memory\n");
		abort();
	}
	return r;
}

void ld_str_append(char **dst, const char *sep, const char *text)
{
	if (!*dst || !**dst) {
		free(*dst);
		*dst = ld_strdup(text ? text : "");
		return;
	}
	if (!text || !*text)
		return;
	char *r = ld_sprintf("%s%s%s", *dst, sep, text);
	free(*dst);
	*dst = r;
}

void ld_buf_add(struct ld_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = ld_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

void ld_buf_adds(struct ld_buf *b, const char *s)
{
	ld_buf_add(b, s, strlen(s));
}

void ld_buf_addc(struct ld_buf *b, char c)
{
	ld_buf_add(b, &c, 1);
}

/* '*' is the only wildcard (rules: selection patterns). */
int ld_glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == 0;
}

void ld_strs_push(struct rule_strs *s, const char *v)
{
	s->v = ld_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = ld_strdup(v);
}

void ld_strs_free(struct rule_strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
