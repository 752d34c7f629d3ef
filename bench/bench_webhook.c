/* bench/bench_webhook.c: audit webhook requests/s with rules evaluated, against a bare HTTP sink on the same loopback, in one process. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "json/json.h"
#include "replay/engine/engine.h"
#include "sources/k8saudit.h"

/*
 * bench_webhook [-r RULES]... [-t SECS] [-c CONNS] [-b EVENTS] EVENTS.jsonl
 *
 * CONNS keep-alive clients POST EventLists of EVENTS audit events (taken in
 * turn from the file) for SECS seconds to:
 *   1. saker's listener (sources/k8saudit_listen.c), whose events a consumer
 *      thread evaluates with the rules, as saker-replay --k8s-audit-listen;
 *   2. the reference: a sink that reads each request and answers 200,
 *      nothing else: the cost of HTTP over loopback on this machine.
 * Then it waits until the consumer has evaluated every posted event and
 * checks none was lost. Summary line for the bench scripts:
 *   webhook: conns C batch B requests N rps R events E lost L alerts A sink_rps S
 */

struct body {
	char *text;
	size_t len;
};

static struct body *bodies;
static size_t nbodies;
static int batch = 1;
static atomic_int stop_clients;
static uint16_t target_port;
static atomic_ullong posted_requests, posted_events;

static int load_events(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char **ev = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t k;
	struct json_doc d;
	json_doc_init(&d);
	while ((k = getline(&line, &lcap, f)) > 0) {
		while (k && (line[k - 1] == '\n' || line[k - 1] == '\r'))
			line[--k] = '\0';
		/* only whole audit events (a log may hold other lines) */
		if (!strstr(line, "\"auditID\"") || json_doc_parse(&d, line, (size_t)k) < 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			ev = realloc(ev, cap * sizeof(*ev));
		}
		ev[n++] = strdup(line);
		if (n >= 4096)
			break;
	}
	free(line);
	fclose(f);
	json_doc_free(&d);
	if (!n)
		return -1;
	/* one EventList body per group of batch events */
	nbodies = n;
	bodies = calloc(nbodies, sizeof(*bodies));
	for (size_t i = 0; i < nbodies; i++) {
		size_t len = 64;
		for (int j = 0; j < batch; j++)
			len += strlen(ev[(i + (size_t)j) % n]) + 1;
		char *b = malloc(len);
		size_t o = (size_t)snprintf(b, len, "{\"kind\":\"EventList\",\"items\":[");
		for (int j = 0; j < batch; j++)
			o += (size_t)snprintf(b + o, len - o, "%s%s", j ? "," : "", ev[(i + (size_t)j) % n]);
		o += (size_t)snprintf(b + o, len - o, "]}");
		bodies[i].text = b;
		bodies[i].len = o;
	}
	for (size_t i = 0; i < n; i++)
		free(ev[i]);
	free(ev);
	return 0;
}

static int connect_to(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Reads one answer (head, then Content-Length bytes); its status or -1. */
static int read_answer(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char *end = NULL;
	while (!end) {
		ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
		if (k <= 0)
			return -1;
		n += (size_t)k;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	const char *cl = strcasestr(buf, "content-length:");
	size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
	size_t have = n - (size_t)(end + 4 - buf);
	while (have < body) {
		ssize_t k = recv(fd, buf, cap - 1, 0);
		if (k <= 0)
			return -1;
		have += (size_t)k;
	}
	return atoi(buf + 9);
}

static void *client(void *arg)
{
	size_t i = (size_t)(uintptr_t)arg;
	int fd = connect_to(target_port);
	char head[256], ans[4096];
	while (fd >= 0 && !atomic_load(&stop_clients)) {
		const struct body *b = &bodies[i++ % nbodies];
		int hn = snprintf(head, sizeof(head),
				  "POST /k8s-audit HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
				  "Content-Length: %zu\r\n\r\n", b->len);
		if (write_all(fd, head, (size_t)hn) < 0 || write_all(fd, b->text, b->len) < 0)
			break;
		int st = read_answer(fd, ans, sizeof(ans));
		if (st != 200) {
			fprintf(stderr, "bench_webhook: answer %d\n", st);
			break;
		}
		atomic_fetch_add(&posted_requests, 1);
		atomic_fetch_add(&posted_events, (unsigned long long)batch);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Runs conns clients for secs seconds; requests per second. */
static double run_clients(int conns, double secs)
{
	pthread_t th[64];
	atomic_store(&stop_clients, 0);
	atomic_store(&posted_requests, 0);
	atomic_store(&posted_events, 0);
	double t0 = bench_now();
	for (int i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, client, (void *)(uintptr_t)(i * 7919));
	while (bench_now() - t0 < secs)
		usleep(10000);
	atomic_store(&stop_clients, 1);
	for (int i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	return (double)atomic_load(&posted_requests) / (bench_now() - t0);
}

/* ---- saker's side: the listener and a consumer evaluating the rules ---- */

struct consumer {
	struct source *src;
	struct engine *e;
	atomic_int stop;
	atomic_ullong done;
};

static void *consume(void *arg)
{
	struct consumer *c = arg;
	struct sk_event ev;
	while (!atomic_load(&c->stop)) {
		int rc = source_next_timeout(c->src, &ev, 50);
		if (rc == 1) {
			engine_process(c->e, &ev);
			atomic_fetch_add(&c->done, 1);
		} else if (rc != -EAGAIN) {
			break;
		}
	}
	return NULL;
}

/* ---- the reference: a sink answering 200 to each request ---- */

static int sink_fd;

static void *sink_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char *buf = malloc(1 << 20);
	size_t n = 0;
	for (;;) {
		char *end = n ? memmem(buf, n, "\r\n\r\n", 4) : NULL;
		if (end) {
			const char *cl = strcasestr(buf, "content-length:");
			size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
			size_t total = (size_t)(end + 4 - buf) + body;
			if (n >= total) {
				static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
				if (write_all(fd, ok, sizeof(ok) - 1) < 0)
					break;
				memmove(buf, buf + total, n - total);
				n -= total;
				continue;
			}
		}
		ssize_t k = recv(fd, buf + n, (1 << 20) - 1 - n, 0);
		if (k <= 0)
			break;
		n += (size_t)k;
		buf[n] = '\0';
	}
	free(buf);
	close(fd);
	return NULL;
}

static void *sink_accept(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(sink_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		pthread_t t;
		pthread_create(&t, NULL, sink_conn, (void *)(intptr_t)fd);
		pthread_detach(t);
	}
}

int main(int argc, char **argv)
{
	const char *rules[8];
	size_t nrules = 0;
	double secs = 3;
	int conns = 2;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc && nrules < 8)
			rules[nrules++] = argv[++i];
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			conns = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-b") && i + 1 < argc)
			batch = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else {
			fprintf(stderr, "usage: bench_webhook [-r RULES]... [-t SECS] [-c CONNS] [-b EVENTS] EVENTS.jsonl\n");
			return 2;
		}
	}
	if (!path || conns < 1 || conns > 64 || batch < 1 || load_events(path) < 0) {
		fprintf(stderr, "bench_webhook: no audit events in %s\n", path ? path : "(none)");
		return 2;
	}
	struct engine_rules_setup su;
	if (engine_rule_opts(NULL, NULL, &su) < 0)
		return 1;
	struct rule_loader *l = rule_loader_new(&su.lo);
	int bad = 0;
	for (size_t i = 0; i < nrules && !bad; i++)
		bad = rule_loader_add_path(l, rules[i]) < 0;
	struct rule_set *rs = bad ? NULL : rule_loader_build(l);
	if (!rs) {
		fprintf(stderr, "bench_webhook: rules failed to load\n");
		return 1;
	}
	FILE *devnull = fopen("/dev/null", "w");
	struct engine_opts eo;
	engine_opts_from_config(NULL, &eo);
	eo.rules = rs;
	eo.out = devnull;
	struct engine e;
	if (engine_init(&e, &eo) < 0)
		return 1;
	char err[512];
	struct source_k8saudit_listen_opts lo;
	memset(&lo, 0, sizeof(lo));
	snprintf(lo.host, sizeof(lo.host), "127.0.0.1");
	struct source_k8saudit_listener *lis = source_k8saudit_listen(&lo, err, sizeof(err));
	if (!lis) {
		fprintf(stderr, "bench_webhook: %s\n", err);
		return 1;
	}
	struct consumer c = { .src = source_k8saudit_listener_source(lis), .e = &e };
	pthread_t ct;
	pthread_create(&ct, NULL, consume, &c);
	target_port = source_k8saudit_listener_port(lis);
	double rps = run_clients(conns, secs);
	unsigned long long reqs = atomic_load(&posted_requests), events = atomic_load(&posted_events);
	/* every answered event must reach the engine */
	double t0 = bench_now();
	while (atomic_load(&c.done) < events && bench_now() - t0 < 30)
		usleep(10000);
	atomic_store(&c.stop, 1);
	pthread_join(ct, NULL);
	unsigned long long done = atomic_load(&c.done), alerts = e.stats.alerts;
	source_close(c.src);
	engine_fini(&e);

	/* the reference on the same loopback */
	sink_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof(a);
	if (bind(sink_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(sink_fd, 64) < 0 ||
	    getsockname(sink_fd, (struct sockaddr *)&a, &al) < 0) {
		perror("bench_webhook: sink");
		return 1;
	}
	pthread_t st;
	pthread_create(&st, NULL, sink_accept, NULL);
	target_port = ntohs(a.sin_port);
	double sink_rps = run_clients(conns, secs);
	shutdown(sink_fd, SHUT_RDWR);
	close(sink_fd);

	printf("webhook: conns %d batch %d requests %llu rps %.0f events %llu evps %.0f lost %llu alerts %llu sink_rps %.0f\n",
	       conns, batch, reqs, rps, events, rps * batch, events - (done < events ? done : events), alerts, sink_rps);
	rule_set_free(rs);
	rule_loader_free(l);
	fclose(devnull);
	return events == done ? 0 : 1;
}
