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

size_t state_path_resolve(const char *base, const char *path, char *out, size_t cap)
{
	if (cap < 2) {
		if (cap)
			out[0] = '\0';
		return cap;
	}
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
	size_t w = 0;
	for (size_t r = 0; path[r]; r++) {
		if (path[r] == '/' && w > 0 && path[w - 1] == '/')
			continue;
		path[w++] = path[r];
	}
	path[w] = '\0';
	return w;
}
