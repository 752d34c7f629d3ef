/* replay/state/paths.c: path joining and normalisation for fd names and path arguments. */
#include "replay/state/paths.h"

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

/* Whether [p, p + n) is already in normal form: no empty, "." or ".."
 * component and no trailing slash, but for "/" itself. Most paths of a
 * capture are; resolving them is then a copy. */
static int is_normal(const char *p, size_t n)
{
	if (n == 1 && p[0] == '/')
		return 1;
	size_t c = p[0] == '/' ? 1 : 0; /* start of the current component */
	for (size_t i = c; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		size_t len = i - c;
		if (len == 0 || (p[c] == '.' && (len == 1 || (len == 2 && p[c + 1] == '.'))))
			return 0;
		c = i + 1;
	}
	return 1;
}

/* Fast path of state_path_resolve for a normal path on a normal base (which
 * may end in '/'): the same result without walking the components. Returns
 * 0 when it does not apply. */
static int resolve_normal(const char *base, const char *path, char *out, size_t cap, size_t *len)
{
	size_t pn = strlen(path);
	if (pn == 0 || pn >= cap || !is_normal(path, pn))
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
	size_t bn = strlen(base);
	if (bn > 1 && base[bn - 1] == '/')
		bn--;
	if (!is_normal(base, bn))
		return 0;
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
