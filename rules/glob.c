/* rules/glob.c: fnmatch(pattern, subject, 0) semantics over length-delimited bytes (`*` crosses `/`), with optional ASCII folding. */
#include <ctype.h>
#include <string.h>

#include "rules/cond_int.h"

static unsigned char glob_fold(unsigned char c, int fold)
{
	return fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int glob_class(const char *name, size_t len, unsigned char c)
{
	static const struct { const char *n; int (*fn)(int); } classes[] = {
		{"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank}, {"cntrl", iscntrl},
		{"digit", isdigit}, {"graph", isgraph}, {"lower", islower}, {"print", isprint},
		{"punct", ispunct}, {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit},
	};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strlen(classes[i].n) == len && memcmp(classes[i].n, name, len) == 0)
			return classes[i].fn(c) != 0;
	return -1;
}

/* Matches c against the bracket expression at pat[*pi] (just after '[').
 * Returns 1/0, or -1 if the bracket is not closed (then '[' is literal). */
static int glob_bracket(const char *pat, size_t plen, size_t *pi, unsigned char c, int fold)
{
	size_t i = *pi;
	int neg = 0, matched = 0;
	if (i < plen && (pat[i] == '!' || pat[i] == '^')) {
		neg = 1;
		i++;
	}
	int first = 1;
	while (i < plen && (pat[i] != ']' || first)) {
		first = 0;
		if (pat[i] == '[' && i + 1 < plen && pat[i + 1] == ':') {
			const char *end = memmem(pat + i + 2, plen - i - 2, ":]", 2);
			if (end) {
				int r = glob_class(pat + i + 2, (size_t)(end - pat - i - 2), c);
				if (r >= 0) {
					if (r || (fold && glob_class(pat + i + 2, (size_t)(end - pat - i - 2),
								     (unsigned char)toupper(c)) == 1))
						matched = 1;
					i = (size_t)(end - pat) + 2;
					continue;
				}
			}
		}
		unsigned char lo = (unsigned char)pat[i];
		if (lo == '\\' && i + 1 < plen)
			lo = (unsigned char)pat[++i];
		i++;
		unsigned char hi = lo;
		if (i + 1 < plen && pat[i] == '-' && pat[i + 1] != ']') {
			hi = (unsigned char)pat[i + 1];
			if (hi == '\\' && i + 2 < plen)
				hi = (unsigned char)pat[++i + 1];
			i += 2;
		}
		unsigned char fc = glob_fold(c, fold);
		if ((c >= lo && c <= hi) || (fold && fc >= glob_fold(lo, 1) && fc <= glob_fold(hi, 1)))
			matched = 1;
	}
	if (i >= plen)
		return -1;
	*pi = i + 1;
	return matched != neg;
}

int cond_glob_match(const char *pat, size_t plen, const char *s, size_t slen, int fold)
{
	size_t pi = 0, si = 0;
	size_t star_p = (size_t)-1, star_s = 0;
	while (si < slen || pi < plen) {
		if (pi < plen) {
			char pc = pat[pi];
			if (pc == '*') {
				while (pi < plen && pat[pi] == '*')
					pi++;
				star_p = pi;
				star_s = si;
				continue;
			}
			if (si < slen) {
				unsigned char sc = (unsigned char)s[si];
				if (pc == '?') {
					pi++;
					si++;
					continue;
				}
				if (pc == '[') {
					size_t np = pi + 1;
					int r = glob_bracket(pat, plen, &np, sc, fold);
					if (r == 1) {
						pi = np;
						si++;
						continue;
					}
					if (r == 0)
						goto backtrack;
					/* unclosed: literal '[' */
				}
				unsigned char lit = (unsigned char)pc;
				size_t adv = 1;
				if (pc == '\\' && pi + 1 < plen) {
					lit = (unsigned char)pat[pi + 1];
					adv = 2;
				}
				if (glob_fold(lit, fold) == glob_fold(sc, fold)) {
					pi += adv;
					si++;
					continue;
				}
			}
		}
backtrack:
		if (star_p != (size_t)-1 && star_s < slen) {
			star_s++;
			si = star_s;
			pi = star_p;
			continue;
		}
		return 0;
	}
	return 1;
}
