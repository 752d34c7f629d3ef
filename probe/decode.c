/* probe/decode.c: a probe record into an sk_event: chunk view, header fields, dispatch to the per-family exit layouts. */
#include "probe/decode_int.h"

#include <errno.h>
#include <sys/syscall.h>
#include <time.h>

void skp_decoder_init(struct skp_decoder *d)
{
	struct timespec rt, bt;

	memset(d, 0, offsetof(struct skp_decoder, buf));
	for (size_t i = 0; i < skp_nsyscalls; i++)
		if (skp_syscalls[i].nr < SKP_MAX_SYSCALLS)
			d->type_by_nr[skp_syscalls[i].nr] = skp_syscalls[i].type;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	d->boot_to_epoch = ((uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec) -
			   ((uint64_t)bt.tv_sec * 1000000000ull + (uint64_t)bt.tv_nsec);
}

static void build_syscall(struct skp_pw *w, const struct skp_view *v, uint16_t type)
{
	if (skp_build_fs(w, v, type) || skp_build_net(w, v, type) || skp_build_proc(w, v, type) ||
	    skp_build_misc(w, v, type))
		return;
	skp_pw_i64(w, v->h->ret);
}

/* Indexes the record's chunks; -EINVAL when one runs past the record. */
static int view_init(struct skp_view *v, const struct skp_hdr *h)
{
	size_t off = sizeof(*h);

	memset(v, 0, sizeof(*v));
	v->h = h;
	for (unsigned i = 0; i < h->nchunks; i++) {
		const struct skp_chunk *c = (const void *)((const uint8_t *)h + off);

		if (off + sizeof(*c) > h->len || off + sizeof(*c) + c->len > h->len)
			return -EINVAL;
		if (c->id < SKP_NCHUNK) {
			v->data[c->id] = (const uint8_t *)(c + 1);
			v->len[c->id] = c->len;
			v->flags[c->id] = c->flags;
			v->have[c->id] = 1;
			if (c->id == SKP_C_PROC && c->len == sizeof(v->proc))
				memcpy(&v->proc, c + 1, sizeof(v->proc));
			else if (c->id == SKP_C_FILE && c->len == sizeof(v->file))
				memcpy(&v->file, c + 1, sizeof(v->file));
		}
		off += sizeof(*c) + ((c->len + 3u) & ~3u);
	}
	return 0;
}

int skp_decode(struct skp_decoder *d, const void *rec, size_t len, struct sk_event *ev)
{
	const struct skp_hdr *h = rec;
	struct skp_view v;
	struct skp_pw w = { .ev = ev, .buf = d->buf, .off = 0, .cap = sizeof(d->buf) };
	uint16_t type;

	if (len < sizeof(*h) || h->len > len || view_init(&v, h) < 0)
		return -EINVAL;
	ev->ts = h->ts + d->boot_to_epoch;
	ev->tid = h->tid;
	ev->cpu = h->cpu;
	ev->flags = 0;
	ev->nparams = 0;
	switch (h->kind) {
	case SKP_REC_SYSCALL:
		type = h->nr < SKP_MAX_SYSCALLS ? d->type_by_nr[h->nr] : 0;
		if (!type)
			return 1;
		ev->type = type;
		build_syscall(&w, &v, type);
		break;
	case SKP_REC_EXEC:
		type = h->nr == SYS_execveat ? SK_EV_EXECVEAT_X : SK_EV_EXECVE_X;
		ev->type = type;
		/* the filename as the kernel saw it: SKP_C_FILENAME */
		skp_build_exec(&w, &v, 0, type == SK_EV_EXECVE_X, SKP_C_FILENAME);
		break;
	case SKP_REC_FORK:
		type = h->nr < SKP_MAX_SYSCALLS ? d->type_by_nr[h->nr] : 0;
		if (!type)
			return 1;
		ev->type = type;
		skp_build_clone(&w, &v, 0);
		break;
	case SKP_REC_EXIT:
		ev->type = SK_EV_PROCEXIT_E;
		skp_build_procexit(&w, &v);
		break;
	default:
		return -EINVAL;
	}
	ev->num = ++d->num;
	return 0;
}
