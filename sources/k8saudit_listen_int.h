/* sources/k8saudit_listen_int.h: the webhook listener's state, shared by its loop, its connections and its queue (private to sources/). */
#ifndef SAKER_SOURCES_K8SAUDIT_LISTEN_INT_H
#define SAKER_SOURCES_K8SAUDIT_LISTEN_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/ssl.h>

#include "sources/k8saudit.h"
#include "sources/k8saudit_int.h"

#define MAX_CONNS 256
#define HEAD_MAX (16 * 1024)
#define HEAD_TIMEOUT_NS (10ull * 1000000000ull)      /* a whole request head */
#define BODY_IDLE_NS (30ull * 1000000000ull)         /* between body reads */
#define KEEPALIVE_NS (60ull * 1000000000ull)         /* idle between requests */
#define DRAIN_NS (2ull * 1000000000ull)              /* reading what follows a refused request */
#define QUEUE_WAIT_NS (10ull * 1000000000ull)        /* full queue: then 503 */
#define WARN_MAX 20
#define QUEUE_DEFAULT (64u << 20)

struct rec {
	uint64_t ts;
	uint32_t len;   /* UINT32_MAX: wrap to the start */
	uint32_t pad;
};

enum cstate { C_HEAD, C_BODY, C_WRITE, C_DRAIN };

struct conn {
	int fd;
	SSL *ssl;
	int handshaken;
	short want;                 /* poll events the TLS layer waits for */
	char peer[64];
	enum cstate st;
	char *in;                   /* head bytes and anything after them */
	size_t in_len;
	struct source_ka_http_req req;
	struct source_ka_chunked ch;
	char *body;
	size_t body_len, body_cap;
	char out[512];
	size_t out_len, out_off;
	int continue_sent;
	int close_after, next_body;  /* after the write: close / go on reading the body */
	uint64_t deadline, nreq;
};

struct source_k8saudit_listener {
	struct source_k8saudit_listen_opts o;
	char cert[4096];
	uint16_t port;
	int lfd;
	int wake[2];
	pthread_t th;
	int started;
	SSL_CTX *ctx;
	struct conn *conns[MAX_CONNS];
	int nconns;
	struct source_ka_split split;
	/* queue */
	pthread_mutex_t mu;
	pthread_cond_t data, space;
	uint8_t *ring;
	size_t cap, head, tail, used, pending;
	int stopping, thread_done;
	/* the consumer's view */
	uint8_t id[4];
	uint64_t num;
	struct sk_meta *meta;
	char err[256];
	/* stats: written by the thread under mu, read by anyone under mu */
	struct source_k8saudit_listen_stats st;
	uint64_t warned;
};

/* Monotonic ns; a CLOCK_REALTIME deadline ns from now (condition waits). */
uint64_t source_ka_now_ns(void);
void source_ka_deadline_in(struct timespec *ts, uint64_t ns);
/* A refused request, reported through opts.warn (the first WARN_MAX). */
void source_ka_warnf(struct source_k8saudit_listener *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The queue (k8saudit_queue.c). */
/* Queues one event, waiting while the queue is full: 0, -EBUSY after
 * QUEUE_WAIT_NS, -ESHUTDOWN when stopping. Listener thread only. */
int source_ka_enqueue(struct source_k8saudit_listener *l, uint64_t ts, const char *data, size_t len);
/* The consumer's side: source_ops.next_timeout. */
int source_ka_dequeue(void *impl, struct sk_event *ev, int timeout_ms);

/* Connections (k8saudit_conn.c). */
void source_ka_conn_free(struct conn *c);
/* Prepares an answer (an error closes the connection once sent). */
void source_ka_respond(struct source_k8saudit_listener *l, struct conn *c, int status, const char *msg);
/* Advances a connection as far as it goes without blocking; -1: close it. */
int source_ka_conn_step(struct source_k8saudit_listener *l, struct conn *c);

#endif
