/* replay/progress.c: the stderr progress bar: byte position of the capture files read through /proc/self/fdinfo. */
#include "replay/progress_int.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void replay_progress_init(struct replay_progress *p, FILE *f, int force)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->enabled = force > 0 || (force == 0 && isatty(fileno(f)));
	p->start = now_s();
}

/* The source layer owns its file descriptors; the newest one open on path
 * is the capture we just opened, and its offset is how far reading got. */
void replay_progress_add_file(struct replay_progress *p, const char *path)
{
	struct stat st;
	char want[PATH_MAX];
	if (!p->enabled || p->nfds == sizeof(p->fds) / sizeof(p->fds[0]) || stat(path, &st) < 0 ||
	    !S_ISREG(st.st_mode) || !realpath(path, want))
		return;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	int best = -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		char link[64], target[PATH_MAX];
		int fd = atoi(de->d_name);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, want) && fd > best)
			best = fd;
	}
	closedir(d);
	if (best < 0)
		return;
	p->fds[p->nfds++] = best;
	p->total_bytes += (uint64_t)st.st_size;
}

static uint64_t position(const struct replay_progress *p)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < p->nfds; i++) {
		char path[64], line[128];
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", p->fds[i]);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "pos:", 4))
				sum += strtoull(line + 4, NULL, 10);
		fclose(f);
	}
	return sum;
}

void replay_progress_update(struct replay_progress *p, uint64_t events)
{
	if (!p->enabled)
		return;
	double t = now_s();
	if (t - p->last < 0.1)
		return;
	p->last = t;
	double el = t - p->start;
	double rate = el > 0 ? (double)events / el : 0;
	if (p->total_bytes) {
		uint64_t pos = position(p);
		double frac = (double)pos / (double)p->total_bytes;
		if (frac > 1)
			frac = 1;
		char bar[31];
		int fill = (int)(frac * 30);
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		double eta = frac > 0.001 ? el * (1 - frac) / frac : 0;
		fprintf(p->f, "\r[%s] %5.1f%% %.1f/%.1f MB %10llu events %9.0f ev/s ETA %d:%02d  ", bar, frac * 100,
			(double)pos / 1e6, (double)p->total_bytes / 1e6, (unsigned long long)events, rate,
			(int)eta / 60, (int)eta % 60);
	} else {
		fprintf(p->f, "\r%10llu events %9.0f ev/s %6.1f s  ", (unsigned long long)events, rate, el);
	}
	fflush(p->f);
	p->drawn = 1;
}

void replay_progress_done(struct replay_progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", p->f);
	p->drawn = 0;
}
