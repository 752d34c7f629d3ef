/* bench/bench_load.c: a paced syscall load (close(-1), which the probe records) at a target rate, for the recorder and live benchmarks. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * bench_load RATE SECONDS [THREADS]
 * Each thread issues RATE/THREADS syscalls per second in 1 ms slices, catching
 * up when it falls behind (never bursting more than 100 ms worth), so the
 * achieved rate tops out at what the CPUs can do. SECONDS 0 runs until
 * SIGTERM/SIGINT. Prints "load: N syscalls in S s, R/s (target T/s)".
 */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct worker {
	pthread_t th;
	double rate;
	double seconds;
	unsigned long long done;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t t0 = mono_ns(), end = w->seconds > 0 ? t0 + (uint64_t)(w->seconds * 1e9) : UINT64_MAX;
	double per_ns = w->rate / 1e9;
	unsigned long long done = 0, issued = 0; /* schedule position, syscalls made */
	for (;;) {
		uint64_t now = mono_ns();
		if (now >= end || stop)
			break;
		unsigned long long due = (unsigned long long)((double)(now - t0) * per_ns);
		unsigned long long cap = (unsigned long long)(w->rate / 10) + 1; /* 100 ms */
		if (due > done + cap)
			done = due - cap;  /* behind: drop the backlog rather than burst */
		while (done < due) {
			close(-1);
			done++;
			issued++;
		}
		struct timespec sl = { 0, 1000000 };
		nanosleep(&sl, NULL);
	}
	w->done = issued;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_load RATE SECONDS [THREADS]\n");
		return 2;
	}
	double rate = atof(argv[1]), seconds = atof(argv[2]);
	int nth = argc > 3 ? atoi(argv[3]) : 1;
	if (rate <= 0 || seconds < 0 || nth < 1 || nth > 64) {
		fprintf(stderr, "bench_load: bad arguments\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	struct worker *w = calloc((size_t)nth, sizeof(*w));
	if (!w)
		return 1;
	uint64_t t0 = mono_ns();
	for (int i = 0; i < nth; i++) {
		w[i].rate = rate / nth;
		w[i].seconds = seconds;
		int rc = pthread_create(&w[i].th, NULL, work, &w[i]);
		if (rc) {
			fprintf(stderr, "bench_load: pthread_create: %s\n", strerror(rc));
			return 1;
		}
	}
	unsigned long long total = 0;
	for (int i = 0; i < nth; i++) {
		pthread_join(w[i].th, NULL);
		total += w[i].done;
	}
	double dt = (double)(mono_ns() - t0) / 1e9;
	printf("load: %llu syscalls in %.3f s, %.0f/s (target %.0f/s)\n", total, dt, (double)total / dt, rate);
	free(w);
	return 0;
}
