/* probe/decode_int.h: what the decoder's files share: a record's chunk view, the parameter writer, the per-family builders. */
#ifndef SAKER_PROBE_DECODE_INT_H
#define SAKER_PROBE_DECODE_INT_H

#include <string.h>

#include "probe/decode.h"

#define SKP_NCHUNK 24

/* A record's chunks by id. */
struct skp_view {
	const struct skp_hdr *h;
	/* aligned copies: chunks are only 4-byte aligned */
	struct skp_proc proc;
	struct skp_file file;
	const uint8_t *data[SKP_NCHUNK];
	uint16_t len[SKP_NCHUNK];
	uint8_t flags[SKP_NCHUNK];
	uint8_t have[SKP_NCHUNK];
};

/* Parameter writer into the decoder buffer. */
struct skp_pw {
	struct sk_event *ev;
	uint8_t *buf;
	size_t off, cap;
};

/* One parameter each, in event-table encoding (inline: several per event). */
static inline uint8_t *skp_pw_reserve(struct skp_pw *w, size_t n)
{
	struct sk_event *ev = w->ev;
	uint8_t *p;

	if (ev->nparams >= SK_MAX_PARAMS || w->off + n > w->cap) {
		if (ev->nparams < SK_MAX_PARAMS) {
			ev->params[ev->nparams].val = NULL;
			ev->params[ev->nparams].len = 0;
			ev->nparams++;
		}
		return NULL;
	}
	p = w->buf + w->off;
	ev->params[ev->nparams].val = p;
	ev->params[ev->nparams].len = (uint32_t)n;
	ev->nparams++;
	w->off += n;
	return p;
}

static inline void skp_pw_bytes(struct skp_pw *w, const void *src, size_t n)
{
	uint8_t *p = skp_pw_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

static inline void skp_pw_u64(struct skp_pw *w, uint64_t v) { skp_pw_bytes(w, &v, 8); }
static inline void skp_pw_i64(struct skp_pw *w, int64_t v) { skp_pw_bytes(w, &v, 8); }
static inline void skp_pw_u32(struct skp_pw *w, uint32_t v) { skp_pw_bytes(w, &v, 4); }
static inline void skp_pw_u16(struct skp_pw *w, uint16_t v) { skp_pw_bytes(w, &v, 2); }
static inline void skp_pw_u8(struct skp_pw *w, uint8_t v) { skp_pw_bytes(w, &v, 1); }
static inline void skp_pw_absent(struct skp_pw *w) { skp_pw_reserve(w, 0); }

/* decode_write.c: variable-size parameters. */
void skp_pw_strn(struct skp_pw *w, const void *s, size_t n);
void skp_pw_str(struct skp_pw *w, const char *s);
void skp_pw_chunk_str(struct skp_pw *w, const struct skp_view *v, int id);
void skp_pw_chunk_buf(struct skp_pw *w, const struct skp_view *v, int id);
void skp_pw_path_components(struct skp_pw *w, const struct skp_view *v, int id, const char *suffix);
void skp_pw_cgroups(struct skp_pw *w, const struct skp_view *v);
void skp_pw_sockaddr(struct skp_pw *w, const uint8_t *sa, size_t n);
void skp_pw_tuple(struct skp_pw *w, const struct skp_view *v, int inbound, const uint8_t *sa, size_t salen);

/* A chunk of exactly n bytes copied into out (left untouched otherwise). */
int skp_view_copy(const struct skp_view *v, int id, void *out, size_t n);
const struct skp_file *skp_view_file(const struct skp_view *v);
const struct skp_proc *skp_view_proc(const struct skp_view *v);

/* Per-family exit layouts: each returns 1 when it built type's layout, 0
 * when type is not of its family. */
int skp_build_fs(struct skp_pw *w, const struct skp_view *v, uint16_t type);
int skp_build_net(struct skp_pw *w, const struct skp_view *v, uint16_t type);
int skp_build_proc(struct skp_pw *w, const struct skp_view *v, uint16_t type);
int skp_build_misc(struct skp_pw *w, const struct skp_view *v, uint16_t type);

/* decode_proc.c: records of the process tracepoints. */
void skp_build_exec(struct skp_pw *w, const struct skp_view *v, int64_t res, int with_filename, int filename_chunk);
void skp_build_clone(struct skp_pw *w, const struct skp_view *v, int64_t res);
void skp_build_procexit(struct skp_pw *w, const struct skp_view *v);

#endif
