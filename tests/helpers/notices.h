/* tests/helpers/notices.h: collects the one-line notices a lookup thread reports (container engines), for tests to search. */
#ifndef SAKER_TESTS_HELPERS_NOTICES_H
#define SAKER_TESTS_HELPERS_NOTICES_H

#include <pthread.h>
#include <stdio.h>

struct test_notices {
	pthread_mutex_t mu;
	char text[8192]; /* every line, each ending in '\n'; lines past the end are dropped */
	size_t n;
};

#define TEST_NOTICES_INIT { .mu = PTHREAD_MUTEX_INITIALIZER }

/* A notice callback: ctx is a struct test_notices. */
static inline void test_notice_collect(void *ctx, const char *line)
{
	struct test_notices *ns = ctx;
	pthread_mutex_lock(&ns->mu);
	size_t room = sizeof(ns->text) - ns->n;
	int w = snprintf(ns->text + ns->n, room, "%s\n", line);
	if (w > 0)
		ns->n += (size_t)w < room ? (size_t)w : room - 1;
	pthread_mutex_unlock(&ns->mu);
}

#endif
