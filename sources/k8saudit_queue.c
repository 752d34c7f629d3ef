/* sources/k8saudit_queue.c: the audit webhook's event queue: a byte ring one thread fills and the consumer reads in place, without waiting on the network. */
#include "sources/k8saudit_listen_int.h"

#include <errno.h>
#include <string.h>

/*
 * Records (struct rec, then the event JSON, 8-byte aligned) lie whole in the
 * ring; one that does not fit before the end starts over at 0 behind a wrap
 * record. The consumer's current event stays in the ring, and counted as
 * used, until it asks for the next one: no copy on either side but the one
 * into the ring, and that one runs outside the lock (the consumer never
 * reads past head, which moves only once the record is whole). The lock
 * guards a few words; a consumer asking without waiting (timeout 0, the
 * syscall path of --live) only tries it.
 */

/* Queues one event, waiting while the queue is full. 0, -EBUSY after
 * QUEUE_WAIT_NS, -ESHUTDOWN when stopping. */
int source_ka_enqueue(struct source_k8saudit_listener *l, uint64_t ts, const char *data, size_t len)
{
	size_t need = sizeof(struct rec) + ((len + 7) & ~(size_t)7);
	if (need > l->cap)
		return -EBUSY;
	pthread_mutex_lock(&l->mu);
	uint64_t until = 0;
	for (;;) {
		if (l->stopping) {
			pthread_mutex_unlock(&l->mu);
			return -ESHUTDOWN;
		}
		if (l->used == 0)
			l->head = l->tail = 0;
		if (l->head >= l->tail && l->used < l->cap) {
			if (l->cap - l->head >= need)
				break;
			if (l->tail >= need && l->used + (l->cap - l->head) + need <= l->cap) {
				/* wrap: the end of the ring counts as used until read past */
				if (l->cap - l->head >= sizeof(struct rec)) {
					struct rec w = {0, UINT32_MAX, 0};
					memcpy(l->ring + l->head, &w, sizeof(w));
				}
				l->used += l->cap - l->head;
				l->head = 0;
				continue;
			}
		} else if (l->head < l->tail && l->tail - l->head >= need) {
			break;
		}
		if (!until) {
			until = source_ka_now_ns() + QUEUE_WAIT_NS;
			l->st.queue_waits++;
		} else if (source_ka_now_ns() >= until) {
			pthread_mutex_unlock(&l->mu);
			return -EBUSY;
		}
		struct timespec ts;
		source_ka_deadline_in(&ts, 100000000ull);
		pthread_cond_timedwait(&l->space, &l->mu, &ts);
	}
	size_t pos = l->head;
	pthread_mutex_unlock(&l->mu);
	struct rec r = {ts, (uint32_t)len, 0};
	memcpy(l->ring + pos, &r, sizeof(r));
	memcpy(l->ring + pos + sizeof(r), data, len);
	pthread_mutex_lock(&l->mu);
	l->head = pos + need == l->cap ? 0 : pos + need;
	l->used += need;
	l->st.events++;
	pthread_cond_signal(&l->data);
	pthread_mutex_unlock(&l->mu);
	return 0;
}

int source_ka_dequeue(void *impl, struct sk_event *ev, int timeout_ms)
{
	struct source_k8saudit_listener *l = impl;
	if (timeout_ms == 0) {
		if (pthread_mutex_trylock(&l->mu) != 0)
			return -EAGAIN;
	} else {
		pthread_mutex_lock(&l->mu);
	}
	if (l->pending) {
		/* the previous event is consumed: its bytes are free again */
		l->tail += l->pending;
		if (l->tail == l->cap)
			l->tail = 0;
		l->used -= l->pending;
		l->pending = 0;
		pthread_cond_signal(&l->space);
	}
	struct timespec until;
	if (timeout_ms > 0)
		source_ka_deadline_in(&until, (uint64_t)timeout_ms * 1000000ull);
	for (;;) {
		if (l->used) {
			struct rec r;
			if (l->cap - l->tail < sizeof(r)) {
				l->used -= l->cap - l->tail;
				l->tail = 0;
				continue;
			}
			memcpy(&r, l->ring + l->tail, sizeof(r));
			if (r.len == UINT32_MAX) {
				l->used -= l->cap - l->tail;
				l->tail = 0;
				continue;
			}
			l->pending = sizeof(r) + ((r.len + 7) & ~(size_t)7);
			ev->ts = r.ts;
			ev->num = ++l->num;
			ev->tid = -1;
			ev->type = SK_EV_PLUGINEVENT_E;
			ev->cpu = 0;
			ev->flags = 0;
			ev->nparams = 2;
			ev->params[SK_PLUGINEVENT_ID].val = l->id;
			ev->params[SK_PLUGINEVENT_ID].len = 4;
			ev->params[SK_PLUGINEVENT_DATA].val = l->ring + l->tail + sizeof(r);
			ev->params[SK_PLUGINEVENT_DATA].len = r.len;
			pthread_mutex_unlock(&l->mu);
			return 1;
		}
		if (l->thread_done) {
			pthread_mutex_unlock(&l->mu);
			return l->err[0] ? -EIO : 0;
		}
		if (timeout_ms == 0) {
			pthread_mutex_unlock(&l->mu);
			return -EAGAIN;
		}
		int rc = timeout_ms < 0 ? pthread_cond_wait(&l->data, &l->mu)
					: pthread_cond_timedwait(&l->data, &l->mu, &until);
		if (rc == ETIMEDOUT && !l->used) {
			pthread_mutex_unlock(&l->mu);
			return -EAGAIN;
		}
	}
}

