/* replay/state/paths.c: path joining and normalisation for fd names and path arguments. */
#include "replay/state/paths.h"

#include <stdint.h>
#include <string.h>

/* Appends component [c, c+n) to out (which holds an absolute path of length
 * *len), handling "." and "..". */
static void push_component(char *out, size_t cap, size_t *len, const char *c, size_t n)
{
	if (n == 0 || (n == 1 && c[0] == '.'))
		return;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		while (*len > 1 && out[*len - 1] != '/')
			(*len)--;
		if (*len > 1)
			(*len)--; /* drop the slash too, unless it is the root */
		out[*len] = '\0';
		return;
	}
	size_t need = *len + (*len > 1 ? 1 : 0) + n;
	if (need + 1 > cap) {
		*len = cap; /* signal overflow */
		return;
	}
	if (*len > 1)
		out[(*len)++] = '/';
	memcpy(out + *len, c, n);
	*len += n;
	out[*len] = '\0';
}

static void push_path(char *out, size_t cap, size_t *len, const char *p)
{
	while (*p && *len < cap) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		push_component(out, cap, len, p, (size_t)(e - p));
		p = e;
	}
}

size_t state_path_normal_len(const char *p, int dir)
{
	const char *s = p;
	if (*s == '/' && *++s == '\0')
		return 1;
	for (;;) {
		/* at the start of a component: empty ("//", trailing '/'), "." and ".." are not normal */
		if (*s == '/' || *s == '\0') {
			if (*s == '\0' && dir && s - p > 1)
				return (size_t)(s - p);
			return SIZE_MAX;
		}
		if (s[0] == '.' && (s[1] == '/' || s[1] == '\0' || (s[1] == '.' && (s[2] == '/' || s[2] == '\0'))))
			return SIZE_MAX;
		while (*s && *s != '/')
			s++;
		if (*s == '\0')
			return (size_t)(s - p);
		s++;
	}
}

/* Fast path of state_path_resolve for a normal path on a normal base (which
 * may end in '/'): the same result without walking the components. Returns
 * 0 when it does not apply. */
static int resolve_normal(const char *base, const char *path, char *out, size_t cap, size_t *len)
{
	size_t pn = state_path_normal_len(path, 0);
	if (pn == SIZE_MAX || pn >= cap)
		return 0;
	if (path[0] == '/') {
		memcpy(out, path, pn + 1);
		*len = pn;
		return 1;
	}
	if (!base || !base[0])
		base = "/";
	if (base[0] != '/')
		return 0;
	size_t bn = state_path_normal_len(base, 1);
	if (bn == SIZE_MAX)
		return 0;
	if (bn > 1 && base[bn - 1] == '/')
		bn--;
	size_t sep = bn > 1 ? 1 : 0, total = bn + sep + pn;
	if (total >= cap)
		return 0;
	memcpy(out, base, bn);
	if (sep)
		out[bn] = '/';
	memcpy(out + bn + sep, path, pn + 1);
	*len = total;
	return 1;
}

size_t state_path_resolve(const char *base, const char *path, char *out, size_t cap)
{
	if (cap < 2) {
		if (cap)
			out[0] = '\0';
		return cap;
	}
	size_t fast;
	if (resolve_normal(base, path, out, cap, &fast))
		return fast;
	size_t len = 1;
	out[0] = '/';
	out[1] = '\0';
	if (path[0] != '/' && base)
		push_path(out, cap, &len, base);
	if (len < cap)
		push_path(out, cap, &len, path);
	if (len >= cap) {
		out[cap - 1] = '\0';
		return cap;
	}
	return len;
}

size_t state_path_collapse_slashes(char *path)
{
	/* most paths have no "//": find the first one before copying */
	const char *d = strstr(path, "//");
	if (!d)
		return strlen(path);
	size_t w = (size_t)(d - path) + 1;
	for (size_t r = w; path[r]; r++) {
		if (path[r] == '/' && w > 0 && path[w - 1] == '/')
			continue;
		path[w++] = path[r];
	}
	path[w] = '\0';
	return w;
}
