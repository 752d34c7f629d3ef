/* bench/bench_latency.c: live alert latency: from a marker syscall's event timestamp to its alert line arriving from saker-replay --live. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * bench_latency REPLAY LOAD [MARKERS] [BG_RATE]
 * Starts `REPLAY --live` with one rule matching opens of marker files, and
 * `LOAD BG_RATE 0` (bench_load) as background traffic. Once the first marker
 * alert comes back (the probe is attached), opens MARKERS marker files about
 * 10 ms apart and takes, for each alert line, CLOCK_REALTIME on arrival minus the
 * event's evt.rawtime (the kernel timestamp converted to epoch ns). Prints
 *   latency: N/M alerts p50 X us p99 Y us max Z us (background R ev/s)
 */

static const char rule_text[] =
	"- rule: Bench latency marker\n"
	"  desc: opens of the benchmark's marker files\n"
	"  condition: evt.type in (open, openat) and fd.name startswith /tmp/saker-bench-latency-\n"
	"  output: LAT %evt.rawtime %fd.name\n"
	"  priority: WARNING\n";

static uint64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct lines {
	int fd;
	char buf[65536];
	size_t len;
};

/* Waits up to timeout_ms for one complete line; returns its length, 0 on timeout, -1 at EOF. */
static int read_line(struct lines *l, char *out, size_t cap, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(l->buf, '\n', l->len);
		if (nl) {
			size_t n = (size_t)(nl - l->buf);
			size_t c = n < cap - 1 ? n : cap - 1;
			memcpy(out, l->buf, c);
			out[c] = '\0';
			memmove(l->buf, nl + 1, l->len - n - 1);
			l->len -= n + 1;
			return (int)c + 1;
		}
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int rc = poll(&p, 1, timeout_ms);
		if (rc == 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
		if (l->len == sizeof(l->buf))
			l->len = 0;  /* an absurd line: drop it */
		ssize_t n = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (n <= 0)
			return -1;
		l->len += (size_t)n;
	}
}

static void touch_marker(const char *tag, int i)
{
	char path[128];
	snprintf(path, sizeof(path), "/tmp/saker-bench-latency-%s%d", tag, i);
	int fd = open(path, O_RDONLY | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
	unlink(path);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_latency REPLAY LOAD [MARKERS] [BG_RATE]\n");
		return 2;
	}
	const char *replay = argv[1], *load = argv[2];
	int markers = argc > 3 ? atoi(argv[3]) : 200;
	const char *bg_rate = argc > 4 ? argv[4] : "100000";
	if (markers < 1 || markers > 100000) {
		fprintf(stderr, "bench_latency: bad marker count\n");
		return 2;
	}
	char rules[] = "/tmp/saker-bench-rule-XXXXXX";
	int rfd = mkstemp(rules);
	if (rfd < 0 || write(rfd, rule_text, sizeof(rule_text) - 1) != (ssize_t)(sizeof(rule_text) - 1)) {
		perror("bench_latency: rules file");
		return 1;
	}
	close(rfd);
	int pfd[2];
	if (pipe(pfd) < 0) {
		perror("bench_latency: pipe");
		return 1;
	}
	pid_t rp = fork();
	if (rp == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execl(replay, replay, "--live", "-r", rules, "-U", "--no-summary", "-o", "suggested_output=false",
		      (char *)NULL);
		perror(replay);
		_exit(127);
	}
	close(pfd[1]);
	pid_t lp = fork();
	if (lp == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1);
		execl(load, load, bg_rate, "0", "1", (char *)NULL);
		perror(load);
		_exit(127);
	}
	struct lines *ln = calloc(1, sizeof(*ln));
	uint64_t *lat = calloc((size_t)markers, sizeof(uint64_t));
	char line[4096];
	int status = 1, got = 0;
	if (!ln || !lat)
		goto out;
	ln->fd = pfd[0];
	/* warm-up: the first alert proves the probe is attached */
	int ready = 0;
	for (int i = 0; i < 300 && !ready; i++) {
		touch_marker("w", i);
		int rc = read_line(ln, line, sizeof(line), 100);
		if (rc < 0) {
			fprintf(stderr, "bench_latency: %s exited before attaching\n", replay);
			goto out;
		}
		ready = rc > 0 && strstr(line, "LAT ");
	}
	if (!ready) {
		fprintf(stderr, "bench_latency: no alert from %s within 30 s\n", replay);
		goto out;
	}
	while (read_line(ln, line, sizeof(line), 200) > 0)
		;  /* drain the rest of the warm-up */
	/* Markers go out on their own schedule (7.5-12.5 ms apart, never
	 * waiting for an alert) so they do not lock onto the reader's wake-up
	 * cycle; alerts are collected as they come. */
	uint64_t next = real_ns(), rng = 0x9e3779b97f4a7c15ull, last_sent = 0;
	int sent = 0;
	while (got < markers) {
		uint64_t now = real_ns();
		if (sent < markers && now >= next) {
			touch_marker("m", sent++);
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			next = now + 7500000 + rng % 5000000;
			last_sent = now;
		}
		if (sent == markers && now > last_sent + 3000000000ull)
			break;  /* the rest are lost */
		int wait_ms = sent < markers ? (int)((next > now ? next - now : 0) / 1000000) : 100;
		int rc = read_line(ln, line, sizeof(line), wait_ms);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		uint64_t arrived = real_ns();
		char *p = strstr(line, "LAT ");
		if (!p || !strstr(p, "latency-m"))
			continue;
		uint64_t ts = strtoull(p + 4, NULL, 10);
		if (ts && arrived >= ts)
			lat[got++] = arrived - ts;
	}
	if (got == 0) {
		fprintf(stderr, "bench_latency: no marker alert came back\n");
		goto out;
	}
	qsort(lat, (size_t)got, sizeof(uint64_t), cmp_u64);
	printf("latency: %d/%d alerts p50 %.0f us p99 %.0f us max %.0f us (background %s ev/s)\n", got, markers,
	       (double)lat[got / 2] / 1e3, (double)lat[(size_t)((double)got * 0.99)] / 1e3,
	       (double)lat[got - 1] / 1e3, bg_rate);
	status = 0;
out:
	kill(lp, SIGTERM);
	kill(rp, SIGINT);
	waitpid(lp, NULL, 0);
	waitpid(rp, NULL, 0);
	close(pfd[0]);
	unlink(rules);
	free(ln);
	free(lat);
	return status;
}
