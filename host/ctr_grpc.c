/* host/ctr_grpc.c: one unary gRPC call over HTTP/2 (nghttp2) on a unix socket, with one deadline, for the CRI runtimes. */
#include "host/containers.h"
#include "host/ctr_int.h"

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GRPC_MAX_ANSWER (8u << 20)

struct call {
	int fd;
	int64_t deadline;
	int32_t stream;
	/* the request: the 5-byte gRPC prefix and the message */
	uint8_t *req;
	size_t reqlen, reqoff;
	/* the answer */
	uint8_t *body;
	size_t len, cap;
	int http_status;  /* :status */
	int grpc_status;  /* -1 until a grpc-status header arrives */
	int closed;       /* the stream ended */
	int err;          /* -errno that ends the call */
	char *errmsg;
	size_t errcap;
};

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t namelen,
		     const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
	(void)s;
	(void)flags;
	struct call *c = ud;
	if (f->hd.stream_id != c->stream)
		return 0;
	char v[256];
	size_t n = valuelen < sizeof(v) - 1 ? valuelen : sizeof(v) - 1;
	memcpy(v, value, n);
	v[n] = '\0';
	if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
		c->http_status = atoi(v);
	} else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
		char *end;
		long st = strtol(v, &end, 10);
		c->grpc_status = (end != v && *end == '\0' && st >= 0 && st < 100) ? (int)st : -1;
		if (c->grpc_status < 0)
			c->err = -EPROTO;
	} else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0 && c->errcap) {
		snprintf(c->errmsg, c->errcap, "%s", v); /* percent-encoded; shown as sent */
	}
	return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream, const uint8_t *data, size_t len, void *ud)
{
	(void)s;
	(void)flags;
	struct call *c = ud;
	if (stream != c->stream)
		return 0;
	if (len > GRPC_MAX_ANSWER - c->len) {
		c->err = -EFBIG;
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
	if (c->len + len > c->cap) {
		size_t cap = c->cap ? c->cap : 16384;
		while (cap < c->len + len)
			cap *= 2;
		uint8_t *nb = realloc(c->body, cap);
		if (!nb) {
			c->err = -ENOMEM;
			return NGHTTP2_ERR_CALLBACK_FAILURE;
		}
		c->body = nb;
		c->cap = cap;
	}
	memcpy(c->body + c->len, data, len);
	c->len += len;
	return 0;
}

static int on_close(nghttp2_session *s, int32_t stream, uint32_t error_code, void *ud)
{
	(void)s;
	struct call *c = ud;
	if (stream == c->stream) {
		c->closed = 1;
		if (error_code != NGHTTP2_NO_ERROR && c->grpc_status < 0 && !c->err)
			c->err = -ECONNRESET; /* RST_STREAM before any trailers */
	}
	return 0;
}

static ssize_t read_req(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t len, uint32_t *flags,
			nghttp2_data_source *src, void *ud)
{
	(void)s;
	(void)stream;
	(void)src;
	struct call *c = ud;
	size_t n = c->reqlen - c->reqoff;
	if (n > len)
		n = len;
	memcpy(buf, c->req + c->reqoff, n);
	c->reqoff += n;
	if (c->reqoff == c->reqlen)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

/* Writes what the session has to send: 0 or -errno. */
static int flush_out(nghttp2_session *s, struct call *c)
{
	for (;;) {
		const uint8_t *data;
		ssize_t n = nghttp2_session_mem_send(s, &data);
		if (n < 0)
			return -EPROTO;
		if (n == 0)
			return 0;
		for (size_t done = 0; done < (size_t)n;) {
			ssize_t w = send(c->fd, data + done, (size_t)n - done, MSG_NOSIGNAL);
			if (w > 0) {
				done += (size_t)w;
			} else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				int rc = ctr_wait_fd(c->fd, POLLOUT, c->deadline);
				if (rc)
					return rc;
			} else {
				return w < 0 ? -errno : -EPIPE;
			}
		}
	}
}

/* Sends the request and reads until the stream closes: 0 or -errno. */
static int run(nghttp2_session *s, struct call *c)
{
	uint8_t buf[16384];
	for (;;) {
		int rc = flush_out(s, c);
		if (rc)
			return rc;
		if (c->err)
			return c->err;
		if (c->closed)
			return 0;
		if (!nghttp2_session_want_read(s) && !nghttp2_session_want_write(s))
			return -EPROTO; /* the session ended (GOAWAY after bad frames) */
		rc = ctr_wait_fd(c->fd, POLLIN, c->deadline);
		if (rc)
			return rc;
		ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
		if (r == 0)
			return -ECONNRESET; /* closed before the stream ended */
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		if (nghttp2_session_mem_recv(s, buf, (size_t)r) < 0)
			return c->err ? c->err : -EPROTO; /* not HTTP/2 */
	}
}

#define HDR(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }

int host_ctr_grpc_call(const char *sock, const char *method, const uint8_t *req, size_t reqlen, unsigned timeout_ms,
		       uint8_t **msg, size_t *msglen, char *errmsg, size_t errcap)
{
	*msg = NULL;
	*msglen = 0;
	if (errcap)
		errmsg[0] = '\0';
	if (reqlen > GRPC_MAX_ANSWER)
		return -EFBIG;
	struct call c = { .fd = -1, .grpc_status = -1, .errmsg = errmsg, .errcap = errcap };
	c.deadline = ctr_mono_ms() + (timeout_ms ? timeout_ms : 2000);
	c.req = malloc(reqlen + 5);
	if (!c.req)
		return -ENOMEM;
	c.req[0] = 0; /* not compressed */
	c.req[1] = (uint8_t)(reqlen >> 24);
	c.req[2] = (uint8_t)(reqlen >> 16);
	c.req[3] = (uint8_t)(reqlen >> 8);
	c.req[4] = (uint8_t)reqlen;
	if (reqlen)
		memcpy(c.req + 5, req, reqlen);
	c.reqlen = reqlen + 5;

	nghttp2_session_callbacks *cb = NULL;
	nghttp2_session *s = NULL;
	int rc = 0;
	c.fd = ctr_connect_unix(sock, c.deadline);
	if (c.fd < 0) {
		rc = c.fd;
		goto done;
	}
	if (nghttp2_session_callbacks_new(&cb) != 0) {
		rc = -ENOMEM;
		goto done;
	}
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	if (nghttp2_session_client_new(&s, cb, &c) != 0) {
		rc = -ENOMEM;
		goto done;
	}
	/* a large window: a verbose status (the OCI spec) is tens of KiB */
	nghttp2_settings_entry set[] = { { NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
					 { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 24 } };
	nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, set, 2);
	nghttp2_session_set_local_window_size(s, NGHTTP2_FLAG_NONE, 0, 1 << 24);
	char timeout[32];
	snprintf(timeout, sizeof(timeout), "%um", timeout_ms ? timeout_ms : 2000);
	nghttp2_nv hdrs[] = {
		HDR(":method", "POST"), HDR(":scheme", "http"), HDR(":path", method), HDR(":authority", "localhost"),
		HDR("content-type", "application/grpc"), HDR("te", "trailers"), HDR("grpc-timeout", timeout),
		HDR("user-agent", "saker"),
	};
	nghttp2_data_provider dp = { .read_callback = read_req };
	c.stream = nghttp2_submit_request(s, NULL, hdrs, sizeof(hdrs) / sizeof(hdrs[0]), &dp, NULL);
	if (c.stream < 0) {
		rc = -EPROTO;
		goto done;
	}
	rc = run(s, &c);
	if (rc)
		goto done;
	if (c.grpc_status < 0 || (c.http_status && c.http_status != 200)) {
		rc = -EPROTO; /* an HTTP/2 server that is not gRPC */
		goto done;
	}
	rc = c.grpc_status;
	if (rc != 0)
		goto done;
	/* one length-prefixed, uncompressed message (we offer no grpc-accept-encoding) */
	if (c.len < 5 || c.body[0] != 0) {
		rc = -EPROTO;
		goto done;
	}
	size_t mlen = (size_t)c.body[1] << 24 | (size_t)c.body[2] << 16 | (size_t)c.body[3] << 8 | c.body[4];
	if (mlen != c.len - 5) {
		rc = -EPROTO;
		goto done;
	}
	memmove(c.body, c.body + 5, mlen);
	*msg = c.body;
	*msglen = mlen;
	c.body = NULL;
	if (!*msg) /* an empty message: still a valid answer */
		*msg = calloc(1, 1);
	if (!*msg)
		rc = -ENOMEM;
done:
	if (s)
		nghttp2_session_del(s);
	if (cb)
		nghttp2_session_callbacks_del(cb);
	if (c.fd >= 0)
		close(c.fd);
	free(c.body);
	free(c.req);
	return rc;
}
