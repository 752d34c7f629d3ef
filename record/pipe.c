/* record/pipe.c: fixed pool of batch buffers, a queue, and the writer thread that drains it. */
#include "record/record.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Serialised event: this header, nparams u32 lengths, then the bytes. */
struct rec_hdr {
	uint32_t len;
	uint16_t type;
	uint16_t cpu;
	uint32_t nparams;
	uint32_t flags;
	uint64_t ts;
	int64_t tid;
	uint64_t num;
};

struct batch {
	uint8_t *buf;
	size_t used;
};

struct rec_pipe {
	const struct rec_pipe_ops *ops;
	void *ctx;
	size_t batch_bytes;
	unsigned nbatches;
	struct batch *all;
	struct batch **free_list, **queue;
	unsigned nfree, qhead, qlen;
	struct batch *cur;           /* consumer-owned */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int stop;
	int error;
	struct rec_pipe_stats st;
	struct sk_event ev;          /* writer-owned decode target */
};

static void decode_batch(struct rec_pipe *p, const struct batch *b)
{
	size_t off = 0;

	while (off + sizeof(struct rec_hdr) <= b->used) {
		struct rec_hdr h;
		const uint8_t *lens, *data;

		memcpy(&h, b->buf + off, sizeof(h));
		lens = b->buf + off + sizeof(h);
		data = lens + 4u * h.nparams;
		p->ev.ts = h.ts;
		p->ev.tid = h.tid;
		p->ev.num = h.num;
		p->ev.type = h.type;
		p->ev.cpu = h.cpu;
		p->ev.flags = h.flags;
		p->ev.nparams = h.nparams;
		for (uint32_t i = 0; i < h.nparams; i++) {
			uint32_t l;
			memcpy(&l, lens + 4u * i, 4);
			p->ev.params[i].val = l ? data : NULL;
			p->ev.params[i].len = l;
			data += l;
		}
		if (!p->error) {
			int rc = p->ops->event(p->ctx, &p->ev);
			if (rc < 0) {
				pthread_mutex_lock(&p->mu);
				p->error = rc;
				pthread_mutex_unlock(&p->mu);
			}
		}
		off += h.len;
	}
}

static void *writer_main(void *arg)
{
	struct rec_pipe *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct batch *b;
		int rc;

		while (!p->qlen && !p->stop) {
			struct timespec dl;

			clock_gettime(CLOCK_REALTIME, &dl);
			dl.tv_nsec += 200 * 1000000L;
			if (dl.tv_nsec >= 1000000000L) {
				dl.tv_sec++;
				dl.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&p->cv, &p->mu, &dl) == ETIMEDOUT && !p->qlen) {
				pthread_mutex_unlock(&p->mu);
				rc = p->error ? 0 : p->ops->tick(p->ctx);
				pthread_mutex_lock(&p->mu);
				if (rc < 0 && !p->error)
					p->error = rc;
			}
		}
		if (!p->qlen && p->stop)
			break;
		b = p->queue[p->qhead];
		p->qhead = (p->qhead + 1) % p->nbatches;
		p->qlen--;
		pthread_mutex_unlock(&p->mu);
		decode_batch(p, b);
		rc = p->error ? 0 : p->ops->tick(p->ctx);
		pthread_mutex_lock(&p->mu);
		if (rc < 0 && !p->error)
			p->error = rc;
		b->used = 0;
		p->free_list[p->nfree++] = b;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct rec_pipe *rec_pipe_start(const struct rec_pipe_ops *ops, void *ctx, size_t batch_bytes, unsigned nbatches)
{
	struct rec_pipe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (nbatches < 2)
		nbatches = 2;
	p->ops = ops;
	p->ctx = ctx;
	p->batch_bytes = batch_bytes;
	p->nbatches = nbatches;
	p->all = calloc(nbatches, sizeof(*p->all));
	p->free_list = calloc(nbatches, sizeof(*p->free_list));
	p->queue = calloc(nbatches, sizeof(*p->queue));
	if (!p->all || !p->free_list || !p->queue)
		goto fail;
	for (unsigned i = 0; i < nbatches; i++) {
		p->all[i].buf = malloc(batch_bytes);
		if (!p->all[i].buf)
			goto fail;
		if (i)
			p->free_list[p->nfree++] = &p->all[i];
	}
	p->cur = &p->all[0];
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, writer_main, p) != 0) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		goto fail;
	}
	return p;
fail:
	for (unsigned i = 0; p->all && i < nbatches; i++)
		free(p->all[i].buf);
	free(p->all);
	free(p->free_list);
	free(p->queue);
	free(p);
	errno = ENOMEM;
	return NULL;
}

/* Queues the current batch and takes a free one; 0 or -ENOBUFS. Caller holds mu. */
static int hand_over_locked(struct rec_pipe *p)
{
	if (!p->cur->used)
		return 0;
	if (!p->nfree)
		return -ENOBUFS;
	p->queue[(p->qhead + p->qlen) % p->nbatches] = p->cur;
	p->qlen++;
	p->cur = p->free_list[--p->nfree];
	p->st.batches++;
	pthread_cond_signal(&p->cv);
	return 0;
}

int rec_pipe_push(struct rec_pipe *p, const struct sk_event *ev)
{
	size_t need = sizeof(struct rec_hdr) + 4u * ev->nparams;
	struct rec_hdr h;
	uint8_t *o;

	for (uint32_t i = 0; i < ev->nparams; i++)
		need += ev->params[i].len;
	need = (need + 7) & ~(size_t)7;
	if (need > p->batch_bytes) {
		p->st.dropped++;
		return -ENOBUFS;
	}
	if (p->cur->used + need > p->batch_bytes) {
		int rc;

		pthread_mutex_lock(&p->mu);
		rc = p->error ? p->error : hand_over_locked(p);
		pthread_mutex_unlock(&p->mu);
		if (rc) {
			p->st.dropped++;
			return rc;
		}
	}
	h.len = (uint32_t)need;
	h.type = ev->type;
	h.cpu = ev->cpu;
	h.nparams = ev->nparams;
	h.flags = ev->flags;
	h.ts = ev->ts;
	h.tid = ev->tid;
	h.num = ev->num;
	o = p->cur->buf + p->cur->used;
	memcpy(o, &h, sizeof(h));
	o += sizeof(h);
	for (uint32_t i = 0; i < ev->nparams; i++) {
		memcpy(o, &ev->params[i].len, 4);
		o += 4;
	}
	for (uint32_t i = 0; i < ev->nparams; i++) {
		if (ev->params[i].len)
			memcpy(o, ev->params[i].val, ev->params[i].len);
		o += ev->params[i].len;
	}
	p->cur->used += need;
	p->st.pushed++;
	return 0;
}

void rec_pipe_flush(struct rec_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	/* if nothing is free the batch stays and goes with the next flush */
	hand_over_locked(p);
	pthread_mutex_unlock(&p->mu);
}

int rec_pipe_error(struct rec_pipe *p)
{
	int e;

	pthread_mutex_lock(&p->mu);
	e = p->error;
	pthread_mutex_unlock(&p->mu);
	return e;
}

void rec_pipe_stats(struct rec_pipe *p, struct rec_pipe_stats *out)
{
	*out = p->st;
}

int rec_pipe_stop(struct rec_pipe *p, struct rec_pipe_stats *out)
{
	int err;

	pthread_mutex_lock(&p->mu);
	/* wait for a free buffer so the last partial batch is not lost */
	while (p->cur->used && hand_over_locked(p) == -ENOBUFS) {
		pthread_mutex_unlock(&p->mu);
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		pthread_mutex_lock(&p->mu);
	}
	p->stop = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	err = p->error;
	if (out)
		*out = p->st;
	for (unsigned i = 0; i < p->nbatches; i++)
		free(p->all[i].buf);
	free(p->all);
	free(p->free_list);
	free(p->queue);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
	return err;
}
