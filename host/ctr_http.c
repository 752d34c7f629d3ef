/* host/ctr_http.c: HTTP/1.0 GET over a unix socket with one deadline, for the container runtimes' APIs. */
#include "json/json.h"
#include "host/containers.h"
#include "host/ctr_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HTTP_MAX_ANSWER (8u << 20)

int64_t ctr_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctr_wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - ctr_mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Decodes a chunked body in place: its length, or -EPROTO. */
static long unchunk(char *b, size_t n)
{
	size_t in = 0, out = 0;
	for (;;) {
		size_t size = 0;
		int digits = 0, d;
		while (in < n && (d = json_hex_digit(b[in])) >= 0) {
			if (size > (HTTP_MAX_ANSWER >> 4))
				return -EPROTO;
			size = size * 16 + (size_t)d;
			in++;
			digits++;
		}
		if (!digits)
			return -EPROTO;
		while (in < n && b[in] != '\n') /* chunk extensions, CR */
			in++;
		if (in >= n)
			return -EPROTO;
		in++;
		if (size == 0)
			return (long)out;
		if (size > n - in)
			return -EPROTO;
		memmove(b + out, b + in, size);
		out += size;
		in += size;
		if (in < n && b[in] == '\r')
			in++;
		if (in < n && b[in] == '\n')
			in++;
	}
}

int host_ctr_http_parse(char *buf, size_t n, size_t *body_off, size_t *body_len)
{
	if (n < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -EPROTO;
	int status = 0;
	for (int i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -EPROTO;
		status = status * 10 + (buf[i] - '0');
	}
	char *end = memmem(buf, n, "\r\n\r\n", 4);
	size_t skip = 4;
	if (!end) {
		end = memmem(buf, n, "\n\n", 2);
		skip = 2;
	}
	if (!end)
		return -EPROTO;
	size_t off = (size_t)(end - buf) + skip;
	size_t len = n - off;
	int chunked = 0;
	long clen = -1;
	/* header lines between the status line and the blank line */
	for (char *line = memchr(buf, '\n', off); line && line < end; line = memchr(line + 1, '\n', (size_t)(end - line))) {
		char *h = line + 1;
		size_t hl = (size_t)(end - h);
		if (hl > 18 && strncasecmp(h, "transfer-encoding:", 18) == 0 && memmem(h, hl, "chunked", 7))
			chunked = 1;
		else if (hl > 15 && strncasecmp(h, "content-length:", 15) == 0)
			clen = strtol(h + 15, NULL, 10);
	}
	if (chunked) {
		long k = unchunk(buf + off, len);
		if (k < 0)
			return (int)k;
		len = (size_t)k;
	} else if (clen >= 0) {
		if ((size_t)clen > len)
			return -EPROTO; /* cut short */
		len = (size_t)clen;
	}
	*body_off = off;
	*body_len = len;
	return status;
}

int ctr_connect_unix(const char *sock, int64_t deadline)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	memcpy(a.sun_path, sock, strlen(sock) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		if (e != EINPROGRESS && e != EAGAIN) {
			close(fd);
			return -e;
		}
		int rc = ctr_wait_fd(fd, POLLOUT, deadline);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr)
			rc = -soerr;
		if (rc) {
			close(fd);
			return rc;
		}
	}
	return fd;
}

int host_ctr_http_get(const char *sock, const char *path, unsigned timeout_ms, char **body, size_t *len)
{
	int64_t deadline = ctr_mono_ms() + (timeout_ms ? timeout_ms : 2000);
	*body = NULL;
	*len = 0;
	int fd = ctr_connect_unix(sock, deadline);
	if (fd < 0)
		return fd;
	char req[1024];
	int rl = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: localhost\r\nUser-Agent: saker\r\n\r\n", path);
	int rc = 0;
	if (rl < 0 || (size_t)rl >= sizeof(req))
		rc = -ENAMETOOLONG;
	for (size_t done = 0; !rc && done < (size_t)rl;) {
		ssize_t w = send(fd, req + done, (size_t)rl - done, MSG_NOSIGNAL);
		if (w > 0)
			done += (size_t)w;
		else if (w < 0 && (errno == EAGAIN || errno == EINTR))
			rc = ctr_wait_fd(fd, POLLOUT, deadline);
		else
			rc = w < 0 ? -errno : -EPIPE;
	}
	size_t cap = 16384, n = 0;
	char *buf = rc ? NULL : malloc(cap);
	if (!rc && !buf)
		rc = -ENOMEM;
	while (!rc) {
		if (n + 1 >= cap) {
			if (cap >= HTTP_MAX_ANSWER) {
				rc = -EFBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r > 0)
			n += (size_t)r;
		else if (r == 0)
			break; /* HTTP/1.0: the server closes after the answer */
		else if (errno == EAGAIN || errno == EINTR)
			rc = ctr_wait_fd(fd, POLLIN, deadline);
		else
			rc = -errno;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	size_t off, blen;
	int status = host_ctr_http_parse(buf, n, &off, &blen);
	if (status < 0) {
		free(buf);
		return status;
	}
	memmove(buf, buf + off, blen);
	buf[blen] = '\0';
	*body = buf;
	*len = blen;
	return status;
}
