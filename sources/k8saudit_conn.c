/* sources/k8saudit_conn.c: one webhook connection: TLS handshake, request head, body (Content-Length or chunked), the events to the queue, the answer, keep-alive or a lingering close. */
#include "sources/k8saudit_listen_int.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

void source_ka_conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->body);
	free(c);
}

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

static void count_status(struct source_k8saudit_listener *l, int status)
{
	pthread_mutex_lock(&l->mu);
	if (status == 200) {
		l->st.accepted++;
	} else {
		l->st.refused++;
		int k = status == 400 ? 0 : status == 404 ? 1 : status == 405 ? 2 : status == 413 ? 3 : status == 503 ? 4 : 5;
		l->st.by_status[k]++;
	}
	pthread_mutex_unlock(&l->mu);
}

/* Prepares the answer; an error also closes the connection (its body, if
 * any, is not read). */
void source_ka_respond(struct source_k8saudit_listener *l, struct conn *c, int status, const char *msg)
{
	if (status >= 400) {
		c->close_after = 1;
		source_ka_warnf(l, "%s: request %" PRIu64 ": %d %s", c->peer, c->nreq, status, msg);
	}
	count_status(l, status);
	size_t ml = strlen(msg);
	c->out_len = (size_t)snprintf(c->out, sizeof(c->out),
				      "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
				      "Content-Length: %zu\r\n%sConnection: %s\r\n\r\n%s%s",
				      status, reason(status), ml ? ml + 1 : 0, status == 405 ? "Allow: POST\r\n" : "",
				      c->close_after ? "close" : "keep-alive", msg, ml ? "\n" : "");
	if (c->out_len >= sizeof(c->out))
		c->out_len = sizeof(c->out) - 1;
	c->out_off = 0;
	c->next_body = 0;
	c->st = C_WRITE;
}

/* The body is complete: its events go to the queue. */
static void handle_body(struct source_k8saudit_listener *l, struct conn *c)
{
	char err[256];
	pthread_mutex_lock(&l->mu);
	l->st.bytes += c->body_len;
	pthread_mutex_unlock(&l->mu);
	int rc = source_ka_split_payload(&l->split, c->body, c->body_len, err, sizeof(err));
	if (rc == -ENOMEM) {
		source_ka_respond(l, c, 503, "out of memory");
		return;
	}
	if (rc < 0) {
		source_ka_respond(l, c, 400, err);
		return;
	}
	if (l->split.skipped) {
		pthread_mutex_lock(&l->mu);
		l->st.events_skipped += l->split.skipped;
		pthread_mutex_unlock(&l->mu);
		source_ka_warnf(l, "%s: request %" PRIu64 ": %zu events skipped (%s)", c->peer, c->nreq, l->split.skipped,
		      l->split.first_problem);
	}
	for (size_t i = 0; i < l->split.nev; i++) {
		const struct source_ka_event *e = &l->split.ev[i];
		int q = source_ka_enqueue(l, e->ts, l->split.buf + e->off, e->len);
		if (q == -ESHUTDOWN) {
			source_ka_respond(l, c, 503, "shutting down");
			return;
		}
		if (q < 0) {
			snprintf(err, sizeof(err), "event queue full for 10 s: %zu of %zu events queued", i, l->split.nev);
			source_ka_respond(l, c, 503, err);
			return;
		}
	}
	source_ka_respond(l, c, 200, "");
}

/* The result of a socket call: bytes, or -EAGAIN when it would block. */
static ssize_t sock_result(ssize_t k)
{
	if (k < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	return k;
}

/* The result of an SSL_read/SSL_write: bytes, 0 at a clean end, -EAGAIN
 * with the poll events TLS waits for in c->want, -EIO. */
static ssize_t ssl_result(struct conn *c, int k)
{
	if (k > 0)
		return k;
	int e = SSL_get_error(c->ssl, k);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return -EAGAIN;
	}
	return e == SSL_ERROR_ZERO_RETURN ? 0 : -EIO;
}

/* Plain or TLS read: >0 bytes, 0 end, -EAGAIN (want set), <0 error. */
static ssize_t conn_read(struct conn *c, char *buf, size_t n)
{
	if (!c->ssl)
		return sock_result(recv(c->fd, buf, n, 0));
	return ssl_result(c, SSL_read(c->ssl, buf, (int)(n > INT32_MAX ? INT32_MAX : n)));
}

static ssize_t conn_write(struct conn *c, const char *buf, size_t n)
{
	if (!c->ssl)
		return sock_result(send(c->fd, buf, n, MSG_NOSIGNAL));
	ssize_t k = ssl_result(c, SSL_write(c->ssl, buf, (int)(n > INT32_MAX ? INT32_MAX : n)));
	return k == 0 ? -EIO : k;
}

/* The request head is complete: check it, then read the body. */
static void start_request(struct source_k8saudit_listener *l, struct conn *c)
{
	struct source_ka_http_req *r = &c->req;
	size_t rest = c->in_len - r->head_len;
	memmove(c->in, c->in + r->head_len, rest);
	c->in_len = rest;
	if (strcmp(r->path, l->o.path)) {
		source_ka_respond(l, c, 404, "not found");
		return;
	}
	if (strcmp(r->method, "POST")) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s method not allowed", r->method);
		source_ka_respond(l, c, 405, msg);
		return;
	}
	if (!r->json_type) {
		source_ka_respond(l, c, 400, "wrong Content Type");
		return;
	}
	if (r->content_length >= 0 && (unsigned long long)r->content_length > l->o.max_batch) {
		char msg[96];
		snprintf(msg, sizeof(msg), "request body of %lld bytes, more than webhookMaxBatchSize %zu",
			 r->content_length, l->o.max_batch);
		source_ka_respond(l, c, 413, msg);
		return;
	}
	size_t want = r->chunked ? 64 * 1024 : (size_t)(r->content_length > 0 ? r->content_length : 0);
	if (want + 1 > c->body_cap) {
		char *b = realloc(c->body, want + 1);
		if (!b) {
			source_ka_respond(l, c, 503, "out of memory");
			return;
		}
		c->body = b;
		c->body_cap = want + 1;
	}
	c->body_len = 0;
	memset(&c->ch, 0, sizeof(c->ch));
	c->st = C_BODY;
	c->deadline = source_ka_now_ns() + BODY_IDLE_NS;
	if (r->expect_continue) {
		/* curl waits a second for this before sending a large body */
		c->out_len = (size_t)snprintf(c->out, sizeof(c->out), "HTTP/1.1 100 Continue\r\n\r\n");
		c->out_off = 0;
		c->next_body = 1;
		c->st = C_WRITE;
	}
}

/* Moves buffered bytes into the body; 1 when the body is complete, 0 when
 * more is needed, -STATUS. */
static int body_take(struct source_k8saudit_listener *l, struct conn *c)
{
	struct source_ka_http_req *r = &c->req;
	if (!r->chunked) {
		size_t total = (size_t)(r->content_length > 0 ? r->content_length : 0);
		size_t k = c->in_len < total - c->body_len ? c->in_len : total - c->body_len;
		memcpy(c->body + c->body_len, c->in, k);
		c->body_len += k;
		memmove(c->in, c->in + k, c->in_len - k);
		c->in_len -= k;
		return c->body_len == total;
	}
	for (;;) {
		size_t limit = c->body_cap - 1 < l->o.max_batch ? c->body_cap - 1 : l->o.max_batch;
		size_t used = 0;
		int rc = source_ka_chunked_feed(&c->ch, c->in, c->in_len, &used, c->body, &c->body_len, limit);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		if (rc != -413 || limit >= l->o.max_batch)
			return rc;
		/* the body grows with the chunks, up to webhookMaxBatchSize */
		size_t cap = c->body_cap * 2 > l->o.max_batch + 1 ? l->o.max_batch + 1 : c->body_cap * 2;
		char *b = realloc(c->body, cap);
		if (!b)
			return -503;
		c->body = b;
		c->body_cap = cap;
	}
}

/* Reads what the socket has (head and chunked bodies go through in). 1 on
 * progress, 0 when it would block, -1 when the connection is finished. */
static int read_some(struct conn *c, int into_body)
{
	char *dst;
	size_t room;
	if (into_body) {
		dst = c->body + c->body_len;
		room = (size_t)c->req.content_length - c->body_len;
	} else {
		dst = c->in + c->in_len;
		room = HEAD_MAX + 64 * 1024 - c->in_len;
	}
	if (!room)
		return 1;
	ssize_t k = conn_read(c, dst, room);
	if (k == -EAGAIN)
		return 0;
	if (k <= 0)
		return -1;
	if (into_body)
		c->body_len += (size_t)k;
	else
		c->in_len += (size_t)k;
	return 1;
}

/* Advances one connection as far as it can go without blocking. -1 when
 * it is to be closed. */
int source_ka_conn_step(struct source_k8saudit_listener *l, struct conn *c)
{
	c->want = 0;
	if (c->ssl && !c->handshaken) {
		int rc = SSL_do_handshake(c->ssl);
		if (rc != 1) {
			int e = SSL_get_error(c->ssl, rc);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				c->want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
				return 0;
			}
			pthread_mutex_lock(&l->mu);
			l->st.tls_failures++;
			pthread_mutex_unlock(&l->mu);
			char why[160];
			ERR_error_string_n(ERR_get_error(), why, sizeof(why));
			source_ka_warnf(l, "%s: TLS handshake failed: %s", c->peer, why);
			return -1;
		}
		c->handshaken = 1;
	}
	for (int rounds = 0; rounds < 64; rounds++) {
		switch (c->st) {
		case C_HEAD: {
			const char *why = "";
			int rc = c->in_len ? source_ka_http_parse(c->in, c->in_len, HEAD_MAX, &c->req, &why) : 0;
			if (rc < 0) {
				c->nreq++;
				source_ka_respond(l, c, -rc, why);
				continue;
			}
			if (rc == 1) {
				c->nreq++;
				pthread_mutex_lock(&l->mu);
				l->st.requests++;
				pthread_mutex_unlock(&l->mu);
				start_request(l, c);
				continue;
			}
			int k = read_some(c, 0);
			if (k < 0)
				return -1;
			if (k == 0)
				return 0;
			if (c->deadline == 0)
				c->deadline = source_ka_now_ns() + HEAD_TIMEOUT_NS;
			continue;
		}
		case C_BODY: {
			int rc = body_take(l, c);
			if (rc < 0) {
				source_ka_respond(l, c, -rc, rc == -413 ? "request body larger than webhookMaxBatchSize"
								   : "bad chunked body");
				continue;
			}
			if (rc == 1) {
				handle_body(l, c);
				continue;
			}
			int k = read_some(c, !c->req.chunked);
			if (k < 0)
				return -1;
			if (k == 0)
				return 0;
			c->deadline = source_ka_now_ns() + BODY_IDLE_NS;
			continue;
		}
		case C_DRAIN: {
			char sink[4096];
			ssize_t k = recv(c->fd, sink, sizeof(sink), 0);
			if (k > 0)
				continue;
			if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
				c->want = POLLIN;
				return 0;
			}
			return -1;
		}
		case C_WRITE: {
			while (c->out_off < c->out_len) {
				ssize_t k = conn_write(c, c->out + c->out_off, c->out_len - c->out_off);
				if (k == -EAGAIN) {
					if (!c->want)
						c->want = POLLOUT;
					return 0;
				}
				if (k <= 0)
					return -1;
				c->out_off += (size_t)k;
			}
			if (c->next_body) {
				c->next_body = 0;
				c->st = C_BODY;
				continue;
			}
			if (c->close_after || c->req.close) {
				/* a lingering close: the peer reads the answer before the
				 * reset that unread request bytes would cause */
				if (c->ssl)
					SSL_shutdown(c->ssl);
				shutdown(c->fd, SHUT_WR);
				c->st = C_DRAIN;
				c->deadline = source_ka_now_ns() + DRAIN_NS;
				continue;
			}
			/* keep-alive: the next request may already be buffered */
			c->st = C_HEAD;
			c->deadline = source_ka_now_ns() + KEEPALIVE_NS;
			c->out_len = c->out_off = 0;
			if (!c->in_len)
				return 0;
			c->deadline = source_ka_now_ns() + HEAD_TIMEOUT_NS;
			continue;
		}
		}
	}
	return 0;
}

