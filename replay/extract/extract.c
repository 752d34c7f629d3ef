/* replay/extract/extract.c: the field provider entry point, scratch buffers and value helpers. */
#include "replay/extract/extract.h"

#include <stdlib.h>
#include <string.h>

enum { CLS_NONE, CLS_EVT, CLS_PROC, CLS_USER, CLS_FD, CLS_CONTAINER, CLS_KA };

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Fields computed in a few instructions from the event or its fd entry,
 * and most often read once per event (the open macros' evt.is_open_write,
 * fd.typechar, fd.num): keeping them in the field memo costs more than
 * computing them again. */
static int memo_worth(uint16_t id)
{
	switch (id) {
	case F_EVT_NUM: case F_EVT_DIR: case F_EVT_RAWRES:
	case F_EVT_IS_OPEN_READ: case F_EVT_IS_OPEN_WRITE: case F_EVT_IS_OPEN_EXEC: case F_EVT_IS_OPEN_CREATE:
	case F_FD_NUM: case F_FD_TYPECHAR:
	case F_PROC_PID: case F_PROC_VPID: case F_THREAD_TID:
		return 0;
	default:
		return 1;
	}
}

void extract_ctx_init(struct extract_ctx *c, struct state_updater *u)
{
	memset(c, 0, sizeof(*c));
	c->u = u;
	c->hostname = "";
	for (uint16_t id = 0; id < F__COUNT; id++) {
		const struct rule_field_def *d = field_def(id);
		uint8_t k = CLS_NONE;
		if (d && d->name) {
			if (has_prefix(d->name, "evt.") || has_prefix(d->name, "syscall."))
				k = CLS_EVT;
			else if (has_prefix(d->name, "proc.") || has_prefix(d->name, "thread."))
				k = CLS_PROC;
			else if (has_prefix(d->name, "user.") || has_prefix(d->name, "group."))
				k = CLS_USER;
			else if (has_prefix(d->name, "fd.") || has_prefix(d->name, "fs.path.") || has_prefix(d->name, "fdlist."))
				k = CLS_FD;
			else if (has_prefix(d->name, "container.") || has_prefix(d->name, "k8s."))
				k = CLS_CONTAINER;
			else if (has_prefix(d->name, "ka.") || has_prefix(d->name, "json.") || has_prefix(d->name, "jevt."))
				k = CLS_KA;
		}
		c->cls[id] = k;
		c->memo_ok[id] = d && !(d->flags & (RFF_LIST | RFF_EITHER)) && memo_worth(id);
	}
}

void extract_ctx_fini(struct extract_ctx *c)
{
	for (int i = 0; i < EXTRACT_SCRATCH_SLOTS; i++)
		free(c->scratch[i].buf);
	for (int i = 0; i < F__COUNT; i++)
		free(c->memo[i].buf);
	extract_ka_free(c->ka);
	memset(c, 0, sizeof(*c));
}

char *extract_ctx_scratch(struct extract_ctx *c, size_t n)
{
	struct extract_scratch *s = &c->scratch[c->scratch_next++ % EXTRACT_SCRATCH_SLOTS];
	c->scratch_used = 1;
	if (n > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < n)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b)
			return NULL;
		s->buf = b;
		s->cap = cap;
	}
	return s->buf;
}

/* Falco 0.42/0.43 drop bytes outside printable ASCII from string values,
 * for conditions and outputs alike (decisions.md). */
int extract_val_str(struct extract_ctx *c, struct rule_value *out, uint8_t type, const char *s, size_t len)
{
	out->type = type;
	out->ipv6 = 0;
	out->nul_free = type != RF_BYTEBUF; /* printable bytes only, NUL included in the strip */
	if (type == RF_BYTEBUF) {
		out->v.s = s;
		out->len = (uint32_t)len;
		return 1;
	}
	size_t i = extract_printable_prefix(s, len);
	if (i == len) {
		out->v.s = s;
		out->len = (uint32_t)len;
		return 1;
	}
	char *b = extract_ctx_scratch(c, len + 1);
	if (!b)
		return 0;
	size_t n = 0;
	for (size_t k = 0; k < len; k++)
		if (extract_printable((unsigned char)s[k]))
			b[n++] = s[k];
	b[n] = '\0';
	out->v.s = b;
	out->len = (uint32_t)n;
	return 1;
}

int extract_val_int(struct rule_value *out, uint8_t type, int64_t v)
{
	out->type = type;
	out->ipv6 = 0;
	out->len = 0;
	if (type == RF_DOUBLE)
		out->v.d = (double)v;
	else
		out->v.i = v;
	return 1;
}

int extract_val_bool(struct rule_value *out, int v)
{
	out->type = RF_BOOL;
	out->ipv6 = 0;
	out->len = 0;
	out->v.u = v ? 1 : 0;
	return 1;
}

static int dispatch(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	switch (c->cls[ref->id]) {
	case CLS_EVT: return extract_evt(c, ref, out);
	case CLS_PROC: return extract_proc(c, ref, out);
	case CLS_USER: return extract_user(c, ref, out);
	case CLS_FD: return extract_fd(c, ref, out);
	case CLS_CONTAINER: return extract_container(c, ref, out);
	case CLS_KA: return extract_ka(c, ref, out);
	default: return 0;
	}
}

/* Member by member, in the sizes the extractors stored them: *out was
 * written a moment ago by byte, word and pointer stores, and one 16-byte
 * load across them cannot be forwarded from the store buffer (perf put
 * half of this function's time on the copy `m->v = *out` compiled to). */
static inline void memo_store(struct rule_value *d, const struct rule_value *s)
{
	d->type = s->type;
	d->ipv6 = s->ipv6;
	d->nul_free = s->nul_free;
	d->len = s->len;
	if (s->type == RF_IPADDR || s->type == RF_IPNET)
		memcpy(d->v.ip, s->v.ip, sizeof(d->v.ip));
	else
		d->v.u = s->v.u;
}

/* extract_field through the field's memo: out of line, so that the
 * fields read without it (cheap ones, those with an argument) save no
 * registers on the way. */
static __attribute__((noinline)) int extract_memo(struct extract_ctx *c, const struct rule_field_ref *ref,
						  struct rule_value *out)
{
	struct extract_memo *m = &c->memo[ref->id];
	if (m->gen == c->gen) {
		if (m->has)
			*out = m->v;
		return m->has;
	}
	c->scratch_used = 0;
	int r = dispatch(c, ref, out);
	if (r > 0 && c->scratch_used && out->v.s) {
		/* keep a private copy: the scratch ring will be reused */
		if (out->len + 1 > m->cap) {
			size_t cap = m->cap ? m->cap : 64;
			while (cap < out->len + 1u)
				cap *= 2;
			char *b = realloc(m->buf, cap);
			if (!b)
				return r;
			m->buf = b;
			m->cap = cap;
		}
		memcpy(m->buf, out->v.s, out->len);
		m->buf[out->len] = '\0';
		out->v.s = m->buf;
	}
	m->gen = c->gen;
	m->has = r > 0;
	if (r > 0)
		memo_store(&m->v, out);
	return r;
}

int extract_field(void *ctx, const struct rule_field_ref *ref, struct rule_value *out)
{
	struct extract_ctx *c = ctx;
	if (!c->ev || ref->id >= F__COUNT)
		return 0;
	if (ref->id == F_EVT_IS_OPEN_READ || ref->id == F_EVT_IS_OPEN_WRITE)
		return extract_evt_is_open_rw(c, ref->id, out);
	if (ref->has_arg || !c->memo_ok[ref->id])
		return dispatch(c, ref, out);
	return extract_memo(c, ref, out);
}
