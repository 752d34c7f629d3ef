/* replay/service/http.c: Falco's webserver: GET /healthz, /versions and /metrics over HTTP or HTTPS, threadiness threads accepting on one socket; requests parsed by the audit webhook's parser. */
#include "replay/service/service_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "sources/k8saudit.h"

#define HTTP_MAX_THREADS 16
#define HTTP_HEAD_MAX 8192
#define HTTP_IO_TIMEOUT_S 5

struct service_http {
	struct service_http_opts o;
	char healthz[256];
	char *versions;
	int lfd;
	int wake[2];
	SSL_CTX *ctx;
	pthread_t th[HTTP_MAX_THREADS];
	unsigned nth;
	uint16_t port;
	pthread_mutex_t mu;
	char *metrics;              /* the last rendered /metrics body */
	size_t metrics_len;
};

struct conn_io {
	int fd;
	SSL *ssl;
};

static ssize_t io_read(struct conn_io *c, char *buf, size_t n)
{
	if (c->ssl) {
		int r = SSL_read(c->ssl, buf, (int)n);
		return r > 0 ? r : -1;
	}
	return read(c->fd, buf, n);
}

static int io_write(struct conn_io *c, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = c->ssl ? SSL_write(c->ssl, buf, (int)n) : send(c->fd, buf, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static void respond(struct conn_io *c, int status, const char *reason, const char *type, const char *body, size_t len,
		    int head_only)
{
	char head[512];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
			 status, reason, type, len, status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (io_write(c, head, (size_t)n) == 0 && !head_only && len)
		io_write(c, body, len);
}

static void serve(struct service_http *h, struct conn_io *c)
{
	char buf[HTTP_HEAD_MAX];
	size_t len = 0;
	struct source_ka_http_req req;
	const char *why = NULL;
	int rc = 0;
	while (rc == 0 && len < sizeof(buf)) {
		ssize_t r = io_read(c, buf + len, sizeof(buf) - len);
		if (r <= 0)
			return;
		len += (size_t)r;
		rc = source_ka_http_parse(buf, len, sizeof(buf), &req, &why);
	}
	if (rc <= 0) {
		const char *msg = why ? why : "request head too large";
		respond(c, rc < 0 ? -rc : 431, "Bad Request", "text/plain; charset=utf-8", msg, strlen(msg), 0);
		return;
	}
	int head_only = !strcmp(req.method, "HEAD");
	if (strcmp(req.method, "GET") && !head_only) {
		respond(c, 405, "Method Not Allowed", "text/plain; charset=utf-8", "", 0, 0);
		return;
	}
	if (!strcmp(req.path, h->healthz)) {
		static const char ok[] = "{\"status\": \"ok\"}";
		respond(c, 200, "OK", "application/json", ok, sizeof(ok) - 1, head_only);
	} else if (!strcmp(req.path, "/versions")) {
		respond(c, 200, "OK", "application/json", h->versions, strlen(h->versions), head_only);
	} else if (!strcmp(req.path, "/metrics") && h->o.metrics) {
		pthread_mutex_lock(&h->mu);
		char *copy = h->metrics_len ? malloc(h->metrics_len) : NULL;
		size_t n = copy ? h->metrics_len : 0;
		if (copy)
			memcpy(copy, h->metrics, n);
		pthread_mutex_unlock(&h->mu);
		respond(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", copy ? copy : "", n, head_only);
		free(copy);
	} else {
		static const char nf[] = "not found\n";
		respond(c, 404, "Not Found", "text/plain; charset=utf-8", nf, sizeof(nf) - 1, head_only);
	}
}

static void *http_thread(void *arg)
{
	struct service_http *h = arg;
	sigset_t set;
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		struct pollfd pf[2] = { { .fd = h->wake[0], .events = POLLIN }, { .fd = h->lfd, .events = POLLIN } };
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents)
			break;
		if (!pf[1].revents)
			continue;
		/* every thread polls the one socket: the losers get EAGAIN */
		int fd = accept4(h->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		struct timeval tv = { .tv_sec = HTTP_IO_TIMEOUT_S };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		struct conn_io c = { .fd = fd };
		if (h->ctx) {
			c.ssl = SSL_new(h->ctx);
			if (!c.ssl || SSL_set_fd(c.ssl, fd) != 1 || SSL_accept(c.ssl) != 1) {
				if (c.ssl)
					SSL_free(c.ssl);
				ERR_clear_error();
				close(fd);
				continue;
			}
		}
		serve(h, &c);
		if (c.ssl) {
			SSL_shutdown(c.ssl);
			SSL_free(c.ssl);
		}
		close(fd);
	}
	return NULL;
}

static int bind_listen(struct service_http *h, char *err, size_t errlen)
{
	char why[300];
	unsigned port = 0;
	h->lfd = source_tcp_listen(h->o.address, h->o.port, 64, &port, why, sizeof(why));
	if (h->lfd < 0) {
		snprintf(err, errlen, "webserver: %s", why);
		return -1;
	}
	h->port = port;
	return 0;
}

struct service_http *service_http_start(const struct service_http_opts *o, char *err, size_t errlen)
{
	struct service_http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->o = *o;
	h->lfd = h->wake[0] = h->wake[1] = -1;
	pthread_mutex_init(&h->mu, NULL);
	snprintf(h->healthz, sizeof(h->healthz), "%s", o->healthz && *o->healthz ? o->healthz : "/healthz");
	h->versions = strdup(o->versions_json ? o->versions_json : "{}");
	if (!h->versions) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (o->tls) {
		h->ctx = SSL_CTX_new(TLS_server_method());
		if (!h->ctx) {
			snprintf(err, errlen, "webserver: cannot create a TLS context");
			goto fail;
		}
		SSL_CTX_set_min_proto_version(h->ctx, TLS1_2_VERSION);
		/* Falco's ssl_certificate: one PEM file with the key and the certificate chain */
		if (SSL_CTX_use_certificate_chain_file(h->ctx, o->cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(h->ctx, o->cert, SSL_FILETYPE_PEM) != 1) {
			char why[200];
			ERR_error_string_n(ERR_get_error(), why, sizeof(why));
			snprintf(err, errlen, "webserver: ssl_certificate %s: cannot load the certificate and its key: %s",
				 o->cert, why);
			goto fail;
		}
	}
	if (bind_listen(h, err, errlen) < 0)
		goto fail;
	if (pipe2(h->wake, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "webserver: %s", strerror(errno));
		goto fail;
	}
	unsigned n = o->threads;
	if (!n) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (n > HTTP_MAX_THREADS)
		n = HTTP_MAX_THREADS;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&h->th[i], NULL, http_thread, h) != 0) {
			snprintf(err, errlen, "webserver: cannot start a thread: %s", strerror(errno));
			goto fail;
		}
		h->nth++;
	}
	return h;
fail:
	service_http_stop(h);
	return NULL;
}

void service_http_set_metrics(struct service_http *h, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return;  /* the previous text stays */
	memcpy(copy, text, len);
	pthread_mutex_lock(&h->mu);
	char *old = h->metrics;
	h->metrics = copy;
	h->metrics_len = len;
	pthread_mutex_unlock(&h->mu);
	free(old);
}

uint16_t service_http_port(const struct service_http *h)
{
	return h->port;
}

void service_http_stop(struct service_http *h)
{
	if (!h)
		return;
	if (h->nth) {
		char b = 1;
		if (write(h->wake[1], &b, 1) < 0) {
			/* the pipe is empty: it cannot fail but for a closed fd */
		}
		for (unsigned i = 0; i < h->nth; i++)
			pthread_join(h->th[i], NULL);
	}
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->wake[0] >= 0)
		close(h->wake[0]);
	if (h->wake[1] >= 0)
		close(h->wake[1]);
	if (h->ctx)
		SSL_CTX_free(h->ctx);
	pthread_mutex_destroy(&h->mu);
	free(h->metrics);
	free(h->versions);
	free(h);
}
