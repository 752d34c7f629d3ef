/* probe/decode_write.c: the decoder's parameter writer: fixed-size values, strings, paths, cgroups, sockaddrs, tuples. */
#include "probe/decode_int.h"

#include <string.h>

/* A NUL-terminated string from (s, n) where s may or may not carry the NUL. */
void skp_pw_strn(struct skp_pw *w, const void *s, size_t n)
{
	const uint8_t *c = s;
	uint8_t *p;

	if (c) {
		const uint8_t *z = memchr(c, 0, n);
		if (z)
			n = (size_t)(z - c);
	} else {
		n = 0;
	}
	p = skp_pw_reserve(w, n + 1);
	if (!p)
		return;
	if (n)
		memcpy(p, c, n);
	p[n] = 0;
}

void skp_pw_str(struct skp_pw *w, const char *s) { skp_pw_strn(w, s, strlen(s)); }

/* A copied user string; absent when it could not be read. */
void skp_pw_chunk_str(struct skp_pw *w, const struct skp_view *v, int id)
{
	if (!v->have[id] || (v->flags[id] & SKP_CF_FAULT))
		skp_pw_absent(w);
	else
		skp_pw_strn(w, v->data[id], v->len[id]);
}

void skp_pw_chunk_buf(struct skp_pw *w, const struct skp_view *v, int id)
{
	if (!v->have[id])
		skp_pw_absent(w);
	else
		skp_pw_bytes(w, v->data[id], v->len[id]);
}

/* Leaf-first components to an absolute path. */
/* suffix: appended text (d_path's " (deleted)"), or NULL. */
void skp_pw_path_components(struct skp_pw *w, const struct skp_view *v, int id, const char *suffix)
{
	const uint8_t *d = v->data[id];
	size_t n = v->len[id], total = 0, ends[SKP_PATH_DEPTH + 1], k = 0;
	size_t sl = suffix ? strlen(suffix) : 0;
	uint8_t *p;

	if (!v->have[id]) {
		skp_pw_absent(w);
		return;
	}
	for (size_t i = 0; i < n && k < SKP_PATH_DEPTH; i++)
		if (d[i] == 0)
			ends[k++] = i;
	for (size_t j = 0; j < k; j++) {
		size_t start = j ? ends[j - 1] + 1 : 0;
		total += 1 + (ends[j] - start);
	}
	p = skp_pw_reserve(w, (total ? total : 1) + sl + 1);
	if (!p)
		return;
	if (!k) {
		*p++ = '/';
	}
	for (size_t j = k; j-- > 0;) {
		size_t start = j ? ends[j - 1] + 1 : 0, l = ends[j] - start;
		*p++ = '/';
		memcpy(p, d + start, l);
		p += l;
	}
	memcpy(p, suffix ? suffix : "", sl);
	p[sl] = 0;
}

/* "controller=/path" items, NUL-separated, from the per-controller chunk. */
void skp_pw_cgroups(struct skp_pw *w, const struct skp_view *v)
{
	const uint8_t *c = v->data[SKP_C_CGROUP];
	size_t n = v->len[SKP_C_CGROUP], i = 0, o = 0;
	uint8_t *p;

	if (!v->have[SKP_C_CGROUP]) {
		skp_pw_absent(w);
		return;
	}
	/* the rendering is never longer than the chunk plus one '/' and '=' per string */
	p = skp_pw_reserve(w, 2 * n + 2);
	if (!p)
		return;
	while (i < n) {
		const uint8_t *name = c + i;
		size_t nl = strnlen((const char *)name, n - i), ends[17], k = 0, start;

		i += nl + 1;
		if (!nl)
			break;
		start = i;
		while (i < n && c[i] && k < 16) {
			size_t l = strnlen((const char *)c + i, n - i);
			ends[k++] = i + l;
			i += l + 1;
		}
		while (i < n && c[i])
			i += strnlen((const char *)c + i, n - i) + 1; /* deeper than we keep */
		i++; /* the empty terminator */
		memcpy(p + o, name, nl);
		o += nl;
		p[o++] = '=';
		if (!k)
			p[o++] = '/';
		for (size_t j = k; j-- > 0;) {
			size_t s = j ? ends[j - 1] + 1 : start;
			p[o++] = '/';
			memcpy(p + o, c + s, ends[j] - s);
			o += ends[j] - s;
		}
		p[o++] = 0;
	}
	w->ev->params[w->ev->nparams - 1].len = (uint32_t)o;
	w->off -= (2 * n + 2) - o;
}

/* User sockaddr -> event-table SOCKADDR. */
void skp_pw_sockaddr(struct skp_pw *w, const uint8_t *sa, size_t n)
{
	uint8_t out[128];
	uint16_t fam;

	if (!sa || n < 2) {
		skp_pw_absent(w);
		return;
	}
	memcpy(&fam, sa, 2);
	if (fam == 2 && n >= 8) {
		out[0] = 2;
		memcpy(out + 1, sa + 4, 4);
		out[5] = sa[3];
		out[6] = sa[2];
		skp_pw_bytes(w, out, 7);
	} else if (fam == 10 && n >= 24) {
		out[0] = 10;
		memcpy(out + 1, sa + 8, 16);
		out[17] = sa[3];
		out[18] = sa[2];
		skp_pw_bytes(w, out, 19);
	} else if (fam == 1) {
		const uint8_t *path = sa + 2;
		size_t pl = n - 2;
		uint8_t *p;

		if (pl && path[0] == 0) {
			path++;
			pl--;
		}
		const uint8_t *z = memchr(path, 0, pl);
		if (z)
			pl = (size_t)(z - path);
		p = skp_pw_reserve(w, 1 + pl + 1);
		if (p) {
			p[0] = 1;
			memcpy(p + 1, path, pl);
			p[1 + pl] = 0;
		}
	} else {
		skp_pw_u8(w, (uint8_t)fam);
	}
}

/* One family's tuple t (family byte, then two ends of alen address bytes
 * and a port each): an unset remote end comes from the user sockaddr (its
 * address at sa_addr, port at 2, at least sa_min bytes); inbound swaps the
 * ends. */
static void tuple_fix(uint8_t *t, size_t end, size_t alen, int inbound, const uint8_t *sa, size_t salen,
		      size_t sa_min, size_t sa_addr)
{
	static const uint8_t zero[18];
	uint8_t *local = t + 1, *remote = t + 1 + end, tmp[18];

	if (sa && salen >= sa_min && !memcmp(remote, zero, end)) {
		memcpy(remote, sa + sa_addr, alen);
		remote[alen] = sa[3];
		remote[alen + 1] = sa[2];
	}
	if (inbound) {
		memcpy(tmp, local, end);
		memcpy(local, remote, end);
		memcpy(remote, tmp, end);
	}
}

/* Kernel tuple (local first); inbound calls put the peer first. An
 * unconnected datagram socket takes the remote end from the user address. */
void skp_pw_tuple(struct skp_pw *w, const struct skp_view *v, int inbound, const uint8_t *sa, size_t salen)
{
	uint8_t t[160];
	size_t n = v->len[SKP_C_TUPLE];

	if (!v->have[SKP_C_TUPLE] || n > sizeof(t) || n < 1) {
		skp_pw_absent(w);
		return;
	}
	memcpy(t, v->data[SKP_C_TUPLE], n);
	if (t[0] == 2 && n == 13)
		tuple_fix(t, 6, 4, inbound, sa, salen, 8, 4);
	else if (t[0] == 10 && n == 37)
		tuple_fix(t, 18, 16, inbound, sa, salen, 24, 8);
	skp_pw_bytes(w, t, n);
}

int skp_view_copy(const struct skp_view *v, int id, void *out, size_t n)
{
	if (!v->have[id] || v->len[id] != n)
		return 0;
	memcpy(out, v->data[id], n);
	return 1;
}

const struct skp_file *skp_view_file(const struct skp_view *v)
{
	return v->have[SKP_C_FILE] && v->len[SKP_C_FILE] == sizeof(struct skp_file) ? &v->file : NULL;
}

const struct skp_proc *skp_view_proc(const struct skp_view *v)
{
	return v->have[SKP_C_PROC] && v->len[SKP_C_PROC] == sizeof(struct skp_proc) ? &v->proc : NULL;
}
