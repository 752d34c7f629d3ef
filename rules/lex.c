/* rules/lex.c: the condition lexer: blanks, identifiers, field names, numbers, bare and quoted strings with Falco's escapes. */
#include "json/json.h"
#include "rules/lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lex_init(struct lexer *lx, const char *s, int max_depth, struct cond_error *err)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = s;
	lx->n = strlen(s);
	lx->max_depth = max_depth;
	lx->err = err;
	if (err) {
		err->offset = -1;
		err->msg[0] = 0;
	}
}

void lex_fini(struct lexer *lx)
{
	free(lx->last);
	lx->last = NULL;
}

int lex_fail(struct lexer *lx, const char *fmt, ...)
{
	if (lx->failed)
		return 0;
	lx->failed = 1;
	if (lx->err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lx->err->msg, sizeof(lx->err->msg), fmt, ap);
		va_end(ap);
		lx->err->offset = (int)lx->pos;
	}
	return 0;
}

static int lex_set_last(struct lexer *lx, const char *p, size_t len)
{
	if (len + 1 > lx->lastcap) {
		size_t nc = len + 64;
		char *nl = realloc(lx->last, nc);
		if (!nl)
			return lex_fail(lx, "out of memory");
		lx->last = nl;
		lx->lastcap = nc;
	}
	memcpy(lx->last, p, len);
	lx->last[len] = 0;
	lx->lastlen = len;
	return 1;
}

/* Consumes len bytes as the last token. */
static int lex_take(struct lexer *lx, size_t len)
{
	if (!lex_set_last(lx, lx->s + lx->pos, len))
		return 0;
	lx->pos += len;
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ident(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

int lex_blank(struct lexer *lx)
{
	int found = 0;
	while (lx->pos < lx->n && is_blank(lx->s[lx->pos])) {
		lx->pos++;
		found = 1;
	}
	return found;
}

int lex_str(struct lexer *lx, const char *lit)
{
	size_t l = strlen(lit);
	if (lx->n - lx->pos < l || memcmp(lx->s + lx->pos, lit, l) != 0)
		return 0;
	return lex_take(lx, l);
}

int lex_not_blank(struct lexer *lx)
{
	const char *p = lx->s + lx->pos;
	size_t rem = lx->n - lx->pos;
	if (rem < 4 || memcmp(p, "not", 3) != 0 || !is_blank(p[3]))
		return 0;
	size_t l = 3;
	while (l < rem && is_blank(p[l]))
		l++;
	return lex_take(lx, l);
}

/* Length of [A-Za-z][A-Za-z0-9_]* at p, 0 if none. */
static size_t ident_len(const char *p, size_t rem)
{
	if (!rem || !is_alpha(p[0]))
		return 0;
	size_t l = 1;
	while (l < rem && is_ident(p[l]))
		l++;
	return l;
}

int lex_identifier(struct lexer *lx)
{
	size_t l = ident_len(lx->s + lx->pos, lx->n - lx->pos);
	return l ? lex_take(lx, l) : 0;
}

int lex_field_name(struct lexer *lx)
{
	const char *p = lx->s + lx->pos;
	size_t rem = lx->n - lx->pos;
	size_t l = ident_len(p, rem);
	if (!l)
		return 0;
	int segs = 0;
	while (l < rem && p[l] == '.') {
		size_t s = ident_len(p + l + 1, rem - l - 1);
		if (!s)
			break;
		l += 1 + s;
		segs++;
	}
	return segs ? lex_take(lx, l) : 0;
}

int lex_field_arg_bare(struct lexer *lx)
{
	const char *p = lx->s + lx->pos;
	size_t l = 0, rem = lx->n - lx->pos;
	while (l < rem && p[l] != '[' && p[l] != ']' && p[l] != '"' && p[l] != '\'' && !is_blank(p[l]) &&
	       p[l] != '\f' && p[l] != '\v')
		l++;
	return l ? lex_take(lx, l) : 0;
}

int lex_hex_num(struct lexer *lx)
{
	const char *p = lx->s + lx->pos;
	size_t rem = lx->n - lx->pos;
	if (rem < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || !(is_alpha(p[2]) || is_digit(p[2])))
		return 0;
	size_t l = 3;
	while (l < rem && (is_alpha(p[l]) || is_digit(p[l])))
		l++;
	return lex_take(lx, l);
}

int lex_num(struct lexer *lx)
{
	const char *p = lx->s + lx->pos;
	size_t rem = lx->n - lx->pos, l = 0;
	if (l < rem && (p[l] == '+' || p[l] == '-'))
		l++;
	size_t d = l;
	while (l < rem && is_digit(p[l]))
		l++;
	if (l == d)
		return 0;
	if (l < rem && p[l] == '.')
		l++;
	while (l < rem && is_digit(p[l]))
		l++;
	if (l + 2 < rem && (p[l] == 'e' || p[l] == 'E') && (p[l + 1] == '+' || p[l + 1] == '-') &&
	    is_digit(p[l + 2])) {
		l += 3;
		while (l < rem && is_digit(p[l]))
			l++;
	}
	return lex_take(lx, l);
}

int lex_bare_str(struct lexer *lx)
{
	const char *p = lx->s + lx->pos;
	size_t l = 0, rem = lx->n - lx->pos;
	while (l < rem && !strchr("()\"'=, \t\n\r\f\v", p[l]) && p[l] != '\b' && p[l])
		l++;
	return l ? lex_take(lx, l) : 0;
}

int lex_unescape(const char *q, size_t qlen, char *out, size_t *outlen, char *msg, size_t msglen)
{
	size_t o = 0;
	char quote = q[0];
	for (size_t i = 1; i + 1 < qlen; i++) {
		if (q[i] != '\\') {
			out[o++] = q[i];
			continue;
		}
		char c = q[++i];
		switch (c) {
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case ' ':  /* old rules wrote "\ " for one backslash */
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case '"':
			if (quote != '"') {
				snprintf(msg, msglen, "invalid \\\" escape in '-quoted string");
				return -1;
			}
			out[o++] = '"';
			break;
		case '\'':
			if (quote != '\'') {
				snprintf(msg, msglen, "invalid \\' escape in \"-quoted string");
				return -1;
			}
			out[o++] = '\'';
			break;
		case 'x':
			if (i + 2 < qlen - 1 && json_hex_digit(q[i + 1]) >= 0 && json_hex_digit(q[i + 2]) >= 0) {
				out[o++] = (char)(json_hex_digit(q[i + 1]) * 16 + json_hex_digit(q[i + 2]));
				i += 2;
				break;
			}
			/* fall through */
		default:
			snprintf(msg, msglen, "unsupported string escape sequence: \\%c", c);
			return -1;
		}
	}
	out[o] = 0;
	*outlen = o;
	return 0;
}

int lex_quoted(struct lexer *lx)
{
	const char *p = lx->s + lx->pos;
	size_t rem = lx->n - lx->pos;
	if (!rem || (p[0] != '"' && p[0] != '\''))
		return 0;
	char prev = '\\';
	size_t l;
	for (l = 0; l < rem; l++) {
		if (p[l] == p[0] && prev != '\\')
			break;
		prev = p[l];
	}
	if (l >= rem)
		return 0;
	size_t qlen = l + 1;
	char *buf = malloc(qlen);
	if (!buf)
		return lex_fail(lx, "out of memory"), -1;
	size_t olen;
	char msg[128];
	lx->pos += qlen;
	if (lex_unescape(p, qlen, buf, &olen, msg, sizeof(msg)) < 0) {
		free(buf);
		lex_fail(lx, "%s", msg);
		return -1;
	}
	int ok = lex_set_last(lx, buf, olen);
	free(buf);
	return ok ? 1 : -1;
}
