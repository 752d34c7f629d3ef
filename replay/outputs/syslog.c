/* replay/outputs/syslog.c: syslog_output: alerts to syslog(3), or as RFC 3164 datagrams to a unix socket. */
#include "replay/outputs/outputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

struct out_syslog {
	struct output base;
	int fd;                   /* socket mode: datagram socket, else -1 */
	struct sockaddr_un addr;
	char *buf;                /* one datagram */
	size_t cap;
};

/* Falco's priorities are numbered as syslog levels (emergency 0 .. debug 7). */
static int level_of(int prio)
{
	return prio < 0 ? LOG_WARNING : prio > 7 ? LOG_DEBUG : prio;
}

static int syslog_write(struct output *out, const struct output_alert *a, char *err, size_t errcap)
{
	struct out_syslog *s = (struct out_syslog *)out;
	if (s->fd < 0) {
		syslog(level_of(a->priority), "%.*s", (int)a->len, a->line);
		return 0;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	size_t need = a->len + 96;
	if (need > s->cap) {
		char *nb = realloc(s->buf, need);
		if (!nb) {
			snprintf(err, errcap, "out of memory");
			return -1;
		}
		s->buf = nb;
		s->cap = need;
	}
	int n = snprintf(s->buf, s->cap, "<%d>%s saker[%d]: %.*s", LOG_USER | level_of(a->priority), stamp,
			 (int)getpid(), (int)a->len, a->line);
	if (sendto(s->fd, s->buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&s->addr, sizeof(s->addr)) < 0) {
		snprintf(err, errcap, "%s: %s", s->addr.sun_path, strerror(errno));
		return -1;
	}
	return 0;
}

static void syslog_close(struct output *out)
{
	struct out_syslog *s = (struct out_syslog *)out;
	if (s->fd >= 0)
		close(s->fd);
	else
		closelog();
	free(s->buf);
	free(s);
}

struct output *output_syslog_new(const char *socket_path, char *err, size_t errcap)
{
	struct out_syslog *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	s->base = (struct output){.name = "syslog", .write = syslog_write, .close = syslog_close};
	s->fd = -1;
	if (!socket_path || !*socket_path) {
		openlog("saker", LOG_PID, LOG_USER);
		return &s->base;
	}
	if (strlen(socket_path) >= sizeof(s->addr.sun_path)) {
		snprintf(err, errcap, "socket path too long: %s", socket_path);
		free(s);
		return NULL;
	}
	s->addr.sun_family = AF_UNIX;
	strcpy(s->addr.sun_path, socket_path);
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		snprintf(err, errcap, "socket: %s", strerror(errno));
		free(s);
		return NULL;
	}
	return &s->base;
}
