/* rules/lex.h: token matchers of the condition language (Falco's lexer rules, tried at the cursor). */
#ifndef SAKER_RULES_LEX_H
#define SAKER_RULES_LEX_H

#include <stddef.h>

#include "rules/cond.h"

struct lexer {
	const char *s;
	size_t n;
	size_t pos;
	char *last;           /* last token (NUL-terminated; may contain NULs via \x00) */
	size_t lastlen, lastcap;
	int depth, max_depth;
	struct cond_error *err;
	int failed;
};

void lex_init(struct lexer *lx, const char *s, int max_depth, struct cond_error *err);
void lex_fini(struct lexer *lx);
/* Records the first error at the current position; always returns NULL-ish 0. */
int lex_fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int lex_blank(struct lexer *lx);                 /* does not touch last */
int lex_str(struct lexer *lx, const char *lit);  /* literal prefix */
int lex_not_blank(struct lexer *lx);             /* "not" + blanks */
int lex_identifier(struct lexer *lx);
int lex_field_name(struct lexer *lx);
int lex_field_arg_bare(struct lexer *lx);
int lex_hex_num(struct lexer *lx);
int lex_num(struct lexer *lx);
int lex_bare_str(struct lexer *lx);
/* 1 = lexed, 0 = not a (terminated) quoted string, -1 = bad escape (error set). */
int lex_quoted(struct lexer *lx);
/* Unescapes a quoted token (with its quotes) into out; -1 + msg on a bad escape. */
int lex_unescape(const char *q, size_t qlen, char *out, size_t *outlen, char *msg, size_t msglen);

#endif
