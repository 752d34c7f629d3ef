/* bench/bench_util.h: the clock and sort helpers every benchmark program shares. */
#ifndef SAKER_BENCH_BENCH_UTIL_H
#define SAKER_BENCH_BENCH_UTIL_H

#include <time.h>

/* Monotonic seconds. */
static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* qsort comparator for doubles (run times, for min and median). */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#endif
