/* replay/service/service_int.h: what the service's files share: the metric table both renderings read, the process's own resource figures, the webserver (private to replay/service/). */
#ifndef SAKER_REPLAY_SERVICE_SERVICE_INT_H
#define SAKER_REPLAY_SERVICE_SERVICE_INT_H

#include "replay/service/service.h"

#include <stddef.h>
#include <stdint.h>

/* The process as ps sees it (/proc/self/stat). */
struct service_proc {
	double cpu_ratio;          /* CPU time over wall time since start (ps %cpu / 100) */
	uint64_t rss_bytes, vsz_bytes;
	uint64_t boot_ns;          /* host boot time, ns since the epoch */
	int ok;
};
void service_proc_read(struct service_proc *p);

/* A bounded text buffer (truncation is flagged, never overrun). */
struct service_buf {
	char *p;
	size_t cap, len;
	int full;
};
void service_buf_printf(struct service_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The snapshot of metrics.output_rule / output_file: one JSON object (no
 * newline) in Falco's layout, into b. */
void service_metrics_json(const struct engine *e, const struct service_counters *c, const struct service_versions *v,
			  uint64_t start_ns, uint64_t now_ns, struct service_buf *b);
/* The same as Falco's text alert line: "TIME: Informational Falco metrics snapshot k=v ...". */
void service_metrics_text(const struct engine *e, const struct service_counters *c, const struct service_versions *v,
			  uint64_t start_ns, uint64_t now_ns, struct service_buf *b);

/* The webserver (http.c). */
struct service_http_opts {
	char address[256];         /* listen_address; "" = every address */
	uint16_t port;             /* listen_port; 0 = any (tests) */
	unsigned threads;          /* threadiness; 0 = one per CPU */
	int tls;                   /* ssl_enabled */
	const char *cert;          /* ssl_certificate: PEM with the key and the chain */
	const char *healthz;       /* k8s_healthz_endpoint */
	int metrics;               /* /metrics served */
	const char *versions_json; /* the /versions body */
};
struct service_http;
struct service_http *service_http_start(const struct service_http_opts *o, char *err, size_t errlen);
/* Replaces the /metrics body (copied under the server's lock). */
void service_http_set_metrics(struct service_http *h, const char *text, size_t len);
uint16_t service_http_port(const struct service_http *h);
void service_http_stop(struct service_http *h);

#endif
