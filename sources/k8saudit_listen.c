/* sources/k8saudit_listen.c: the audit webhook listener: address and certificate, the poll loop on its own thread, and the listener as an event source. */
#include "sources/k8saudit_listen_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

uint64_t source_ka_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void source_ka_deadline_in(struct timespec *ts, uint64_t ns)
{
	clock_gettime(CLOCK_REALTIME, ts);
	uint64_t t = (uint64_t)ts->tv_nsec + ns % 1000000000ull;
	ts->tv_sec += (time_t)(ns / 1000000000ull + t / 1000000000ull);
	ts->tv_nsec = (long)(t % 1000000000ull);
}

void source_ka_warnf(struct source_k8saudit_listener *l, const char *fmt, ...)
{
	if (!l->o.warn || l->warned++ >= WARN_MAX)
		return;
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "k8s audit webhook: ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	l->o.warn(l->o.warn_ctx, msg);
	if (l->warned == WARN_MAX)
		l->o.warn(l->o.warn_ctx, "k8s audit webhook: further refused requests are only counted");
}

static void accept_all(struct source_k8saudit_listener *l)
{
	while (l->nconns < MAX_CONNS) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		int fd = accept4(l->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct conn *c = calloc(1, sizeof(*c));
		char *in = malloc(HEAD_MAX + 64 * 1024);
		if (!c || !in) {
			free(c);
			free(in);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->in = in;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		char host[INET6_ADDRSTRLEN] = "?";
		uint16_t port = 0;
		if (sa.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&sa;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (sa.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
		snprintf(c->peer, sizeof(c->peer), "%s:%u", host, port);
		if (l->ctx) {
			c->ssl = SSL_new(l->ctx);
			if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
				source_ka_conn_free(c);
				continue;
			}
			SSL_set_accept_state(c->ssl);
		}
		c->st = C_HEAD;
		c->deadline = source_ka_now_ns() + HEAD_TIMEOUT_NS;
		l->conns[l->nconns++] = c;
		pthread_mutex_lock(&l->mu);
		l->st.connections++;
		pthread_mutex_unlock(&l->mu);
	}
}

static void drop_conn(struct source_k8saudit_listener *l, int i)
{
	source_ka_conn_free(l->conns[i]);
	l->conns[i] = l->conns[--l->nconns];
}

static void *listen_thread(void *arg)
{
	struct source_k8saudit_listener *l = arg;
	/* signals are the main thread's business; SIGPIPE must not kill anyone */
	sigset_t set;
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	struct pollfd pf[MAX_CONNS + 2];
	for (;;) {
		int n = 0;
		pf[n++] = (struct pollfd){ .fd = l->wake[0], .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = l->nconns < MAX_CONNS ? l->lfd : -1, .events = POLLIN };
		uint64_t now = source_ka_now_ns(), next = now + 1000000000ull;
		for (int i = 0; i < l->nconns; i++) {
			struct conn *c = l->conns[i];
			short ev = c->want ? c->want : (c->st == C_WRITE ? POLLOUT : POLLIN);
			pf[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
			if (c->deadline && c->deadline < next)
				next = c->deadline;
		}
		int ms = next > now ? (int)((next - now) / 1000000ull) + 1 : 0;
		int rc = poll(pf, (nfds_t)n, ms);
		if (rc < 0 && errno != EINTR)
			break;
		if (pf[0].revents)
			break;
		now = source_ka_now_ns();
		/* connections first (their slots in pf), then new ones */
		for (int i = l->nconns - 1; i >= 0; i--) {
			struct conn *c = l->conns[i];
			/* TLS may hold decrypted bytes the socket no longer signals */
			short re = pf[2 + i].revents || (c->ssl && SSL_pending(c->ssl) > 0);
			int st = 0;
			if (re) {
				st = source_ka_conn_step(l, c);
			} else if (c->deadline && now >= c->deadline) {
				if ((c->st == C_HEAD && c->in_len) || c->st == C_BODY) {
					/* too slow: answered, then closed */
					c->nreq++;
					source_ka_respond(l, c, 408, "request not received in time");
					st = source_ka_conn_step(l, c);
					st = st < 0 ? st : -1;
				} else {
					st = -1;  /* an idle keep-alive connection */
				}
			}
			if (st < 0)
				drop_conn(l, i);
		}
		if (pf[1].revents)
			accept_all(l);
	}
	while (l->nconns)
		drop_conn(l, l->nconns - 1);
	pthread_mutex_lock(&l->mu);
	l->thread_done = 1;
	pthread_cond_broadcast(&l->data);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* ---- opening ---- */

int source_k8saudit_parse_listen(const char *spec, struct source_k8saudit_listen_opts *o, char *err, size_t errlen)
{
	const char *p = spec;
	o->tls = 0;
	if (!strncmp(p, "https://", 8)) {
		o->tls = 1;
		p += 8;
	} else if (!strncmp(p, "http://", 7)) {
		p += 7;
	}
	const char *slash = strchr(p, '/');
	const char *hp_end = slash ? slash : p + strlen(p);
	const char *colon;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(hp_end - p));
		if (!rb || rb[1] != ':') {
			snprintf(err, errlen, "'%s': expected [ADDR]:PORT[/PATH]", spec);
			return -1;
		}
		snprintf(o->host, sizeof(o->host), "%.*s", (int)(rb - p - 1), p + 1);
		colon = rb + 1;
	} else {
		colon = NULL;
		for (const char *q = p; q < hp_end; q++)
			if (*q == ':')
				colon = q;
		if (!colon) {
			snprintf(err, errlen, "'%s': expected [ADDR]:PORT[/PATH] (the port is required)", spec);
			return -1;
		}
		snprintf(o->host, sizeof(o->host), "%.*s", (int)(colon - p), p);
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (end != hp_end || end == colon + 1 || port < 0 || port > 65535) {
		snprintf(err, errlen, "'%s': bad port", spec);
		return -1;
	}
	o->port = (uint16_t)port;
	snprintf(o->path, sizeof(o->path), "%s", slash && slash[1] ? slash : SOURCE_KA_LISTEN_PATH_DEFAULT);
	return 0;
}

static int bind_listen(struct source_k8saudit_listener *l, char *err, size_t errlen)
{
	char why[300];
	unsigned port = 0;
	l->lfd = source_tcp_listen(l->o.host, l->o.port, 128, &port, why, sizeof(why));
	if (l->lfd < 0) {
		snprintf(err, errlen, "k8s audit webhook: %s", why);
		return -1;
	}
	l->port = port;
	return 0;
}

static int tls_setup(struct source_k8saudit_listener *l, char *err, size_t errlen)
{
	l->ctx = SSL_CTX_new(TLS_server_method());
	if (!l->ctx) {
		snprintf(err, errlen, "k8s audit webhook: cannot create a TLS context");
		return -1;
	}
	SSL_CTX_set_min_proto_version(l->ctx, TLS1_2_VERSION);
	/* the plugin's sslCertificate: one PEM file with the chain and the key */
	if (SSL_CTX_use_certificate_chain_file(l->ctx, l->cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(l->ctx, l->cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(l->ctx) != 1) {
		char why[200];
		ERR_error_string_n(ERR_get_error(), why, sizeof(why));
		snprintf(err, errlen, "k8s audit webhook: %s: cannot load the certificate and its key: %s", l->cert, why);
		return -1;
	}
	return 0;
}

static void listener_free(struct source_k8saudit_listener *l)
{
	if (!l)
		return;
	if (l->started) {
		char b = 1;
		if (write(l->wake[1], &b, 1) < 0) {
			/* the pipe cannot be full: nothing else writes to it */
		}
		pthread_mutex_lock(&l->mu);
		l->stopping = 1;
		pthread_cond_broadcast(&l->space);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->th, NULL);
	}
	if (l->lfd >= 0)
		close(l->lfd);
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	if (l->ctx)
		SSL_CTX_free(l->ctx);
	source_ka_split_fini(&l->split);
	sk_meta_free(l->meta);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->data);
	pthread_cond_destroy(&l->space);
	free(l->ring);
	free(l);
}

struct source_k8saudit_listener *source_k8saudit_listen(const struct source_k8saudit_listen_opts *o, char *err,
							size_t errlen)
{
	struct source_k8saudit_listener *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->o = *o;
	l->lfd = l->wake[0] = l->wake[1] = -1;
	snprintf(l->cert, sizeof(l->cert), "%s", o->cert ? o->cert : SOURCE_KA_CERT_DEFAULT);
	l->o.cert = l->cert;
	if (!l->o.max_batch)
		l->o.max_batch = SOURCE_KA_MAX_BATCH_DEFAULT;
	if (!l->o.path[0])
		snprintf(l->o.path, sizeof(l->o.path), "%s", SOURCE_KA_LISTEN_PATH_DEFAULT);
	l->cap = o->queue_bytes ? o->queue_bytes : QUEUE_DEFAULT;
	l->ring = malloc(l->cap);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->data, NULL);
	pthread_cond_init(&l->space, NULL);
	source_ka_split_init(&l->split, o->max_event);
	l->meta = sk_meta_new();
	uint32_t pid = SK_PLUGIN_ID_K8SAUDIT;
	memcpy(l->id, &pid, 4);
	if (!l->ring || !l->meta) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (l->o.tls && tls_setup(l, err, errlen) < 0)
		goto fail;
	if (bind_listen(l, err, errlen) < 0)
		goto fail;
	if (pipe2(l->wake, O_CLOEXEC) < 0 || pthread_create(&l->th, NULL, listen_thread, l) != 0) {
		snprintf(err, errlen, "k8s audit webhook: cannot start the listener thread: %s", strerror(errno));
		goto fail;
	}
	l->started = 1;
	return l;
fail:
	listener_free(l);
	return NULL;
}

uint16_t source_k8saudit_listener_port(const struct source_k8saudit_listener *l)
{
	return l->port;
}

void source_k8saudit_listener_stats(struct source_k8saudit_listener *l, struct source_k8saudit_listen_stats *st)
{
	pthread_mutex_lock(&l->mu);
	*st = l->st;
	pthread_mutex_unlock(&l->mu);
}

static const struct sk_meta *listen_meta(void *impl)
{
	return ((struct source_k8saudit_listener *)impl)->meta;
}

static const char *listen_error(void *impl)
{
	return ((struct source_k8saudit_listener *)impl)->err;
}

static void listen_close(void *impl)
{
	listener_free(impl);
}

static int listen_next(void *impl, struct sk_event *ev)
{
	return source_ka_dequeue(impl, ev, -1);
}

static const struct source_ops listen_ops = {
	.next = listen_next,
	.meta = listen_meta,
	.seek_time = NULL,
	.error = listen_error,
	.close = listen_close,
	.next_timeout = source_ka_dequeue,
};

struct source *source_k8saudit_listener_source(struct source_k8saudit_listener *l)
{
	return source_wrap(&listen_ops, l, "k8s_audit_webhook");
}
