/* sources/k8saudit.h: the Kubernetes audit webhook: an HTTP(S) listener whose POSTed events form a live event source. */
#ifndef SAKER_SOURCES_K8SAUDIT_H
#define SAKER_SOURCES_K8SAUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "sources/source.h"

/*
 * What Falco's k8saudit plugin opens with `http://[ADDR]:PORT/PATH` (or
 * https://): the API server's webhook backend POSTs EventList bodies
 * (application/json) there. A thread of its own accepts connections
 * (HTTP/1.1, keep-alive, chunked bodies, TLS with OpenSSL), answers each
 * request and queues the events; the consumer takes them through the
 * struct source this returns, without waiting on the network. A full queue
 * holds the sender back (TCP backpressure), it loses nothing; a queue that
 * stays full for 10 s turns requests away with 503.
 *
 * Answers: 200 (events queued), 400 (not JSON, not audit data, or no
 * application/json Content-Type: the plugin's rule), 404 (another path), 405
 * (not POST), 408 (too slow), 413 (body over max_batch), 431 (head over 16
 * KiB), 501 (unknown transfer coding), 503 (queue full). Every refused
 * request is reported through warn (from the listener's thread) with the
 * peer, the request number and the reason.
 */

#define SOURCE_KA_LISTEN_PORT_DEFAULT 9765
#define SOURCE_KA_LISTEN_PATH_DEFAULT "/k8s-audit"
#define SOURCE_KA_CERT_DEFAULT "/etc/falco/falco.pem"

struct source_k8saudit_listen_opts {
	char host[256];         /* "" = every address */
	uint16_t port;          /* 0 = any free port (tests) */
	char path[256];
	int tls;
	const char *cert;       /* PEM holding the certificate chain and its key (sslCertificate) */
	size_t max_batch;       /* webhookMaxBatchSize: largest body (default 12582912) */
	size_t max_event;       /* maxEventSize (default 262144) */
	size_t queue_bytes;     /* events waiting for the consumer (default 64 MiB) */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/* Fills o from "[http://|https://][ADDR]:PORT[/PATH]" (ADDR may be [v6]);
 * other members are left as they are. 0, or -1 with a message in err. */
int source_k8saudit_parse_listen(const char *spec, struct source_k8saudit_listen_opts *o, char *err,
				 size_t errlen);

struct source_k8saudit_listen_stats {
	uint64_t connections, requests, accepted;  /* accepted: answered 200 */
	uint64_t refused;                         /* answered 4xx/5xx */
	uint64_t by_status[6];                    /* 400 404 405 413 503 other */
	uint64_t events, events_skipped, bytes, tls_failures, queue_waits;
};

struct source_k8saudit_listener;

/* Binds, loads the certificate, starts the thread. NULL with a one-line
 * reason in err (address in use, certificate unreadable...). */
struct source_k8saudit_listener *source_k8saudit_listen(const struct source_k8saudit_listen_opts *o, char *err,
							size_t errlen);
/* The port bound (the one asked for, or the one picked for 0). */
uint16_t source_k8saudit_listener_port(const struct source_k8saudit_listener *l);
void source_k8saudit_listener_stats(struct source_k8saudit_listener *l, struct source_k8saudit_listen_stats *st);
/* The listener as an event source: source_next waits for the next event;
 * source_next_timeout(s, ev, ms) returns -EAGAIN when none came in ms.
 * Closing the source stops the thread and frees the listener. */
struct source *source_k8saudit_listener_source(struct source_k8saudit_listener *l);

/* ---- the webhook's HTTP, parsed incrementally from untrusted bytes
 * (k8saudit_http.c; public for tests and fuzzing) ---- */

struct source_ka_http_req {
	char method[16];
	char path[512];             /* without the query */
	int minor;                  /* HTTP/1.minor */
	long long content_length;   /* -1: none */
	int chunked, json_type, expect_continue, close, keep_alive;
	size_t head_len;            /* bytes of the request line and headers */
};

/* The head of a request in buf[0..len). 1 when complete (r filled), 0 when
 * more bytes are needed, or -STATUS (400, 414, 431, 501, 505) with the
 * reason in why. */
/* A non-blocking listening TCP socket on host (an address; "" for every
 * address, IPv6 and IPv4) and port (0: any; the one bound in *bound_port).
 * The fd, or -1 with the reason in err. */
int source_tcp_listen(const char *host, unsigned port, int backlog, unsigned *bound_port, char *err, size_t errlen);

int source_ka_http_parse(const char *buf, size_t len, size_t max_head, struct source_ka_http_req *r,
			 const char **why);

/* A chunked body, decoded as bytes arrive. */
struct source_ka_chunked {
	int state, digits;
	uint64_t left;
	size_t trailer;
};
/* Decodes in[0..n) into out (*outn bytes already there, at most max_out).
 * *used: input consumed. 1 when the body is complete, 0 when more is
 * needed, -400 on bad framing, -413 when the body exceeds max_out. */
int source_ka_chunked_feed(struct source_ka_chunked *c, const char *in, size_t n, size_t *used, char *out,
			   size_t *outn, size_t max_out);

#endif
