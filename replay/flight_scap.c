/* replay/flight_scap.c: capture.format: scap: closed flight-recorder windows converted to .scap off the detection thread. */
#include "replay/flight_int.h"
#include "replay/convert.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Windows are few (capture.max_files_per_minute), so a short queue is
 * plenty; one more while it is full is kept as .skr and said so. */
#define FLIGHT_SCAP_QUEUE 16

struct flight_scap_job {
	char skr[512];
	uint64_t events;
	size_t nalerts;
};

struct flight_scap {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct flight_scap_job q[FLIGHT_SCAP_QUEUE];
	size_t head, n;
	int stop;
	uint64_t converted, failed, bytes;
};

/* X.skr -> X.scap */
static void scap_name(const char *skr, char *out, size_t n)
{
	size_t l = strlen(skr);
	if (l > 4 && !strcmp(skr + l - 4, ".skr"))
		l -= 4;
	snprintf(out, n, "%.*s.scap", (int)l, skr);
}

static void convert_one(struct flight_scap *s, const struct flight_scap_job *j)
{
	char out[520];
	scap_name(j->skr, out, sizeof(out));
	const char *caps[1] = { j->skr };
	struct replay_opts o;
	memset(&o, 0, sizeof(o));
	o.captures = caps;
	o.ncaptures = 1;
	o.write_path = out;
	int status = replay_convert(&o); /* prints its own error line */
	struct stat st;
	if (status == 0 && stat(out, &st) != 0)
		st.st_size = 0;
	pthread_mutex_lock(&s->mu);
	if (status == 0) {
		s->converted++;
		s->bytes += (uint64_t)st.st_size;
	} else {
		s->failed++;
	}
	pthread_mutex_unlock(&s->mu);
	if (status != 0) {
		fprintf(stderr, "saker-replay: capture: %s: conversion to .scap failed; the .skr is kept\n", j->skr);
		return;
	}
	if (unlink(j->skr) != 0)
		fprintf(stderr, "saker-replay: capture: %s: cannot remove after conversion: %s\n", j->skr,
			strerror(errno));
	fprintf(stderr, "saker-replay: capture: wrote %s (%" PRIu64 " events, %" PRIu64 " bytes, %zu alert%s)\n", out,
		j->events, (uint64_t)st.st_size, j->nalerts, j->nalerts == 1 ? "" : "s");
}

static void *worker(void *arg)
{
	struct flight_scap *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->n && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->n)
			break; /* stopping, and every queued window is done */
		struct flight_scap_job j = s->q[s->head];
		pthread_mutex_unlock(&s->mu);
		convert_one(s, &j);
		pthread_mutex_lock(&s->mu);
		s->head = (s->head + 1) % FLIGHT_SCAP_QUEUE;
		s->n--;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int flight_scap_start(struct flight_scap **out)
{
	struct flight_scap *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	int rc = pthread_create(&s->thread, NULL, worker, s);
	if (rc) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return -rc;
	}
	*out = s;
	return 0;
}

int flight_scap_push(struct flight_scap *s, const char *skr, uint64_t events, size_t nalerts)
{
	pthread_mutex_lock(&s->mu);
	if (s->n == FLIGHT_SCAP_QUEUE) {
		s->failed++;
		pthread_mutex_unlock(&s->mu);
		return -EBUSY;
	}
	struct flight_scap_job *j = &s->q[(s->head + s->n) % FLIGHT_SCAP_QUEUE];
	snprintf(j->skr, sizeof(j->skr), "%s", skr);
	j->events = events;
	j->nalerts = nalerts;
	s->n++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void flight_scap_stop(struct flight_scap *s, uint64_t *converted, uint64_t *failed, uint64_t *bytes)
{
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	*converted = s->converted;
	*failed = s->failed;
	*bytes = s->bytes;
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
