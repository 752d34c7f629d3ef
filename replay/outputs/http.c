/* replay/outputs/http.c: http_output: each alert POSTed with a minimal HTTP/1.1 client (no TLS). */
#include "replay/outputs/outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct out_http {
	struct output base;
	char host[256];
	char port[8];
	char *path;
	char *user_agent;
	int timeout_ms;
	char *req;      /* request buffer, grown as needed */
	size_t cap;
};

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A non-blocking connect bounded by the timeout. Returns the fd or -1. */
static int connect_timeout(struct out_http *h, char *err, size_t errcap)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int gai = getaddrinfo(h->host, h->port, &hints, &res);
	if (gai) {
		snprintf(err, errcap, "%s: %s", h->host, gai_strerror(gai));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		int e = errno;
		if (e == EINPROGRESS) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			int soerr = 0;
			socklen_t sl = sizeof(soerr);
			if (poll(&p, 1, h->timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
			    soerr == 0)
				break;
			e = soerr ? soerr : ETIMEDOUT;
		}
		snprintf(err, errcap, "connect to %s:%s: %s", h->host, h->port, strerror(e));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Reads the status line; returns the HTTP status or -1. */
static int read_status(int fd, int timeout_ms, char *err, size_t errcap)
{
	char buf[256];
	size_t n = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n < sizeof(buf) - 1 && !memchr(buf, '\n', n)) {
		long left = timeout_ms - ms_since(&t0);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) != 1) {
			snprintf(err, errcap, "no response within %d ms", timeout_ms);
			return -1;
		}
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			snprintf(err, errcap, "connection closed before a response");
			return -1;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	int status = 0;
	if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
		snprintf(err, errcap, "malformed response");
		return -1;
	}
	return status;
}

static int http_write(struct output *out, const struct output_alert *a, char *err, size_t errcap)
{
	struct out_http *h = (struct out_http *)out;
	size_t need = a->len + strlen(h->path) + strlen(h->user_agent) + sizeof(h->host) + 256;
	if (need > h->cap) {
		char *nb = realloc(h->req, need);
		if (!nb) {
			snprintf(err, errcap, "out of memory");
			return -1;
		}
		h->req = nb;
		h->cap = need;
	}
	int n = snprintf(h->req, h->cap,
			 "POST %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 h->path, h->host, h->port, h->user_agent, a->json ? "application/json" : "text/plain",
			 a->len);
	memcpy(h->req + n, a->line, a->len);
	int fd = connect_timeout(h, err, errcap);
	if (fd < 0)
		return -1;
	int rc = -1;
	if (output_write_all_timeout(fd, h->req, (size_t)n + a->len, h->timeout_ms) < 0) {
		snprintf(err, errcap, "send to %s:%s: %s", h->host, h->port, strerror(errno));
	} else {
		int status = read_status(fd, h->timeout_ms, err, errcap);
		if (status >= 200 && status < 300)
			rc = 0;
		else if (status > 0)
			snprintf(err, errcap, "http://%s:%s%s answered HTTP %d", h->host, h->port, h->path, status);
	}
	close(fd);
	return rc;
}

static void http_close(struct output *out)
{
	struct out_http *h = (struct out_http *)out;
	free(h->path);
	free(h->user_agent);
	free(h->req);
	free(h);
}

/* http://host[:port][/path]; [v6]:port is accepted too. */
static int parse_url(struct out_http *h, const char *url, char *err, size_t errcap)
{
	if (strncmp(url, "http://", 7)) {
		snprintf(err, errcap, "url '%s' must start with http:// (no TLS support)", url);
		return -1;
	}
	const char *p = url + 7, *end = p + strcspn(p, "/?#");
	const char *hs = p, *he;
	if (*p == '[') {
		hs = p + 1;
		he = memchr(hs, ']', (size_t)(end - hs));
		if (!he) {
			snprintf(err, errcap, "url '%s': bad host", url);
			return -1;
		}
		p = he + 1;
	} else {
		he = memchr(p, ':', (size_t)(end - p));
		if (!he)
			he = end;
		p = he;
	}
	if ((size_t)(he - hs) >= sizeof(h->host) || he == hs) {
		snprintf(err, errcap, "url '%s': bad host", url);
		return -1;
	}
	memcpy(h->host, hs, (size_t)(he - hs));
	h->host[he - hs] = '\0';
	if (*p == ':') {
		size_t pl = (size_t)(end - p - 1);
		if (pl == 0 || pl >= sizeof(h->port) || strspn(p + 1, "0123456789") < pl) {
			snprintf(err, errcap, "url '%s': bad port", url);
			return -1;
		}
		memcpy(h->port, p + 1, pl);
		h->port[pl] = '\0';
	} else {
		strcpy(h->port, "80");
	}
	h->path = strdup(*end == '/' ? end : "/");
	return h->path ? 0 : -1;
}

struct output *output_http_new(const char *url, const char *user_agent, int timeout_ms, char *err,
			       size_t errcap)
{
	struct out_http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	h->base = (struct output){.name = "http", .write = http_write, .close = http_close};
	h->timeout_ms = timeout_ms;
	if (parse_url(h, url, err, errcap) < 0 || !(h->user_agent = strdup(user_agent))) {
		http_close(&h->base);
		return NULL;
	}
	return &h->base;
}
