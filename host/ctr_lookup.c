/* host/ctr_lookup.c: the container metadata lookup thread: request queue, cache, runtime sockets with backoff, finished records. */
#include "host/containers.h"
#include "json/json.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define QUEUE_LEN 256
#define RECORD_MAX (256u << 10)
#define BACKOFF_MIN_MS 1000u
#define BACKOFF_MAX_MS 60000u

enum { ENTRY_DONE = 1, ENTRY_MISSING };

struct entry {
	char id[16];
	int state;
};

struct sock {
	char path[HOST_CTR_PATH_MAX];
	int engine;
	int up;              /* answered the last request */
	int reported;        /* its failure was reported; a recovery is reported too */
	unsigned backoff_ms; /* 0 = try at once */
	int64_t next_try;    /* monotonic ms */
	int cri_type;        /* CRI: the record type its Version named, 0 until asked */
	char runtime[64];    /* CRI: the runtime's name and version */
};

struct host_ctr {
	struct host_ctr_opts o;
	pthread_t th;
	pthread_mutex_t mu;  /* queue, ready, stop */
	pthread_cond_t cv;
	int stop;
	char queue[QUEUE_LEN][16];
	size_t qhead, qlen;
	struct sk_meta *ready;
	/* the thread's own */
	struct entry *cache;
	size_t ncache, capcache;
	struct sock socks[HOST_CTR__ENGINES * HOST_CTR_MAX_SOCKETS];
	size_t nsocks;
	int none_notice;     /* the "no runtime answers" notice was given */
	char *rec;
};

static const char *const engine_names[HOST_CTR__ENGINES] = { "docker", "podman", "containerd", "cri" };
/* record type numbers (fields.md 7.3) */
static const int engine_types[HOST_CTR__ENGINES] = { 0, 11, 7, 6 };

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *host_ctr_engine_name(int engine)
{
	return engine >= 0 && engine < HOST_CTR__ENGINES ? engine_names[engine] : "?";
}

int host_ctr_engine_by_name(const char *name)
{
	for (int i = 0; i < HOST_CTR__ENGINES; i++)
		if (strcmp(name, engine_names[i]) == 0)
			return i;
	return -1;
}

int host_ctr_set_sockets(struct host_ctr_opts *o, int engine, const char *const *paths, size_t n)
{
	if (engine < 0 || engine >= HOST_CTR__ENGINES || n > HOST_CTR_MAX_SOCKETS)
		return -1;
	struct host_ctr_engine_cfg *e = &o->engine[engine];
	for (size_t i = 0; i < n; i++)
		if (strlen(paths[i]) >= HOST_CTR_PATH_MAX)
			return -1;
	e->nsockets = 0;
	for (size_t i = 0; i < n; i++)
		snprintf(e->sockets[e->nsockets++], HOST_CTR_PATH_MAX, "%s", paths[i]);
	return 0;
}

void host_ctr_opts_default(struct host_ctr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 2000;
	o->list_ms = 1000;
	o->label_max_len = 100;
	static const char *const docker[] = { "/var/run/docker.sock" };
	static const char *const containerd[] = { "/run/host-containerd/containerd.sock" };
	static const char *const cri[] = { "/run/containerd/containerd.sock", "/run/crio/crio.sock",
					   "/run/k3s/containerd/containerd.sock", "/run/host-containerd/containerd.sock" };
	host_ctr_set_sockets(o, HOST_CTR_DOCKER, docker, 1);
	host_ctr_set_sockets(o, HOST_CTR_CONTAINERD, containerd, 1);
	host_ctr_set_sockets(o, HOST_CTR_CRI, cri, 4);
	/* podman: root's socket, then each user's under /run/user */
	struct host_ctr_engine_cfg *p = &o->engine[HOST_CTR_PODMAN];
	snprintf(p->sockets[p->nsockets++], HOST_CTR_PATH_MAX, "/run/podman/podman.sock");
	DIR *d = opendir("/run/user");
	struct dirent *de;
	while (d && (de = readdir(d)) && p->nsockets < HOST_CTR_MAX_SOCKETS) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(p->sockets[p->nsockets++], HOST_CTR_PATH_MAX, "/run/user/%.16s/podman/podman.sock", de->d_name);
	}
	if (d)
		closedir(d);
	for (int i = 0; i < HOST_CTR__ENGINES; i++)
		o->engine[i].enabled = 1;
}

static void notice(struct host_ctr *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(struct host_ctr *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (c->o.notice)
		c->o.notice(c->o.ctx, line);
}

static struct entry *cache_find(struct host_ctr *c, const char *id)
{
	for (size_t i = 0; i < c->ncache; i++)
		if (strcmp(c->cache[i].id, id) == 0)
			return &c->cache[i];
	return NULL;
}

static struct entry *cache_put(struct host_ctr *c, const char *id, int state)
{
	struct entry *e = cache_find(c, id);
	if (!e) {
		if (c->ncache == c->capcache) {
			size_t cap = c->capcache ? c->capcache * 2 : 64;
			struct entry *n = realloc(c->cache, cap * sizeof(*n));
			if (!n)
				return NULL;
			c->cache = n;
			c->capcache = cap;
		}
		e = &c->cache[c->ncache++];
		snprintf(e->id, sizeof(e->id), "%.12s", id);
	}
	e->state = state;
	return e;
}

/* A socket failed: reported once, then tried again after a doubling delay. */
static void sock_failed(struct host_ctr *c, struct sock *s, int err)
{
	s->up = 0;
	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
	s->next_try = mono_ms() + s->backoff_ms;
	/* a socket that does not exist is the usual case of an engine that is
	 * not installed: part of the start-up notice, not a report of its own */
	if (!s->reported && err != -ENOENT) {
		s->reported = 1;
		char why[128];
		if (err <= -1000) /* a CRI call's grpc-status */
			snprintf(why, sizeof(why), "the CRI call failed with grpc-status %d%s", -1000 - err,
				 err == -1012 ? " (UNIMPLEMENTED: no CRI runtime.v1 service on this socket)" : "");
		else if (err == -EPROTO && s->engine > HOST_CTR_PODMAN)
			snprintf(why, sizeof(why), "not a gRPC (HTTP/2) answer");
		else
			snprintf(why, sizeof(why), "%s", err == -ETIMEDOUT ? "no answer in time" : strerror(-err));
		notice(c, "containers: %s at %s: %s; retrying with backoff (up to %us)", engine_names[s->engine], s->path,
		       why, BACKOFF_MAX_MS / 1000);
	}
}

static void sock_ok(struct host_ctr *c, struct sock *s)
{
	if (!s->up && s->reported)
		notice(c, "containers: %s at %s answers again", engine_names[s->engine], s->path);
	if (!s->up)
		s->reported = 0;
	s->up = 1;
	s->backoff_ms = 0;
}

static int sock_ready(const struct sock *s, int64_t now)
{
	return s->backoff_ms == 0 || now >= s->next_try;
}

/* GET path from s: the status (body in *body) or -errno; socket health updated. */
static int sock_get(struct host_ctr *c, struct sock *s, const char *path, char **body, size_t *len)
{
	int st = host_ctr_http_get(s->path, path, c->o.timeout_ms, body, len);
	if (st < 0 || st >= 500) {
		free(*body);
		*body = NULL;
		sock_failed(c, s, st < 0 ? st : -EPROTO);
		return st < 0 ? st : -EPROTO;
	}
	sock_ok(c, s);
	return st;
}

static void publish(struct host_ctr *c, const char *id, const char *json, size_t len)
{
	pthread_mutex_lock(&c->mu);
	char *j = sk_meta_strndup(c->ready, json, len);
	char *i = sk_meta_strndup(c->ready, id, 12);
	if (i && j) {
		struct sk_meta_container rec = { .id = i, .json = j, .ts = real_ns() };
		sk_meta_append_owned(c->ready, SK_META_CONTAINER, &rec);
	}
	pthread_mutex_unlock(&c->mu);
}

/* A CRI socket's runtime, asked once (Version): 0, or the failure, with the
 * socket's health updated. */
static int cri_version(struct host_ctr *c, struct sock *s)
{
	if (s->cri_type)
		return 0;
	char name[48] = "";
	int rc = host_ctr_cri_version(s->path, c->o.timeout_ms, name, sizeof(name));
	if (rc != 0) {
		rc = rc < 0 ? rc : -1000 - rc;
		sock_failed(c, s, rc);
		return rc;
	}
	/* record types (fields.md 7.3): 7 containerd, 8 cri-o, 6 any other CRI runtime */
	s->cri_type = strcmp(name, "containerd") == 0 ? 7 : strcmp(name, "cri-o") == 0 ? 8 : 6;
	snprintf(s->runtime, sizeof(s->runtime), "%s", name[0] ? name : "unnamed CRI runtime");
	sock_ok(c, s);
	return 0;
}

/* Inspects id over CRI: 1 done, 0 not known there, -1 the socket failed. */
static int cri_inspect(struct host_ctr *c, struct sock *s, const char *id)
{
	if (cri_version(c, s) < 0)
		return -1;
	char err[256];
	long n = host_ctr_cri_inspect(s->path, id, s->cri_type, c->o.timeout_ms, c->o.label_max_len, c->rec, RECORD_MAX,
				      err, sizeof(err));
	if (n < 0) {
		sock_failed(c, s, (int)n);
		return -1;
	}
	sock_ok(c, s);
	if (n == 0)
		return 0;
	publish(c, id, c->rec, (size_t)n);
	cache_put(c, id, ENTRY_DONE);
	return 1;
}

/* Inspects id on every usable socket until one knows it. */
static void inspect(struct host_ctr *c, const char *id)
{
	int64_t now = mono_ms();
	int missing = 1;
	for (size_t i = 0; i < c->nsocks; i++) {
		struct sock *s = &c->socks[i];
		if (!sock_ready(s, now))
			continue;
		if (s->engine > HOST_CTR_PODMAN) {
			int r = cri_inspect(c, s, id);
			if (r > 0)
				return;
			if (r < 0)
				missing = 0;
			continue;
		}
		char path[128], *body = NULL, *image = NULL;
		size_t len = 0, ilen = 0;
		snprintf(path, sizeof(path), "/containers/%.64s/json", id);
		int st = sock_get(c, s, path, &body, &len);
		if (st == 404 || st < 0) {
			free(body);
			if (st < 0)
				missing = 0; /* unknown: that runtime did not answer */
			continue;
		}
		if (st == 200) {
			/* the image's digests: only needed when the reference has none */
			struct json_span all = json_from_text(body), img;
			char iid[160];
			if (json_get(all, "Image", &img) == 0 && json_text(img, iid, sizeof(iid)) > 0) {
				snprintf(path, sizeof(path), "/images/%.100s/json", iid);
				if (sock_get(c, s, path, &image, &ilen) != 200) {
					free(image);
					image = NULL;
				}
			}
			long n = host_ctr_docker_record(body, len, image, ilen, engine_types[s->engine], c->o.label_max_len,
							c->rec, RECORD_MAX);
			if (n > 0) {
				publish(c, id, c->rec, (size_t)n);
				cache_put(c, id, ENTRY_DONE);
			} else {
				notice(c, "containers: %s at %s: container %.12s: the answer is not a container object",
				       engine_names[s->engine], s->path, id);
				cache_put(c, id, ENTRY_MISSING);
			}
		}
		free(body);
		free(image);
		return;
	}
	if (missing)
		cache_put(c, id, ENTRY_MISSING);
}

struct id_list {
	char (*ids)[16];
	size_t n, cap;
};

static void id_list_add(void *ctx, const char *id)
{
	struct id_list *l = ctx;
	if (strlen(id) < 12)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char(*n)[16] = realloc(l->ids, cap * sizeof(*n));
		if (!n)
			return;
		l->ids = n;
		l->cap = cap;
	}
	snprintf(l->ids[l->n++], 16, "%.12s", id);
}

/* Lists a CRI socket's running containers and inspects the new ones. */
static void cri_list(struct host_ctr *c, struct sock *s)
{
	if (cri_version(c, s) < 0)
		return;
	struct id_list l = { 0 };
	int rc = host_ctr_cri_list(s->path, c->o.timeout_ms, id_list_add, &l);
	if (rc != 0) {
		sock_failed(c, s, rc < 0 ? rc : -1000 - rc);
	} else {
		sock_ok(c, s);
		for (size_t k = 0; k < l.n && s->up; k++) {
			const struct entry *e = cache_find(c, l.ids[k]);
			if (!e || e->state != ENTRY_DONE)
				inspect(c, l.ids[k]);
		}
	}
	free(l.ids);
}

/* Lists the running containers of every usable socket and inspects the new
 * ones: containers running at start-up, and those started since. */
static void list_all(struct host_ctr *c)
{
	int64_t now = mono_ms();
	for (size_t i = 0; i < c->nsocks; i++) {
		struct sock *s = &c->socks[i];
		if (!sock_ready(s, now))
			continue;
		if (s->engine > HOST_CTR_PODMAN) {
			cri_list(c, s);
			continue;
		}
		char *body = NULL;
		size_t len = 0;
		if (sock_get(c, s, "/containers/json", &body, &len) != 200) {
			free(body);
			continue;
		}
		struct json_span arr = json_from_text(body), item, idv;
		char id[80];
		for (size_t k = 0; json_index(arr, k, &item) == 0; k++) {
			if (json_get(item, "Id", &idv) < 0 || json_text(idv, id, sizeof(id)) < 12)
				continue;
			id[12] = '\0';
			const struct entry *e = cache_find(c, id);
			if (!e || e->state != ENTRY_DONE)
				inspect(c, id);
		}
		free(body);
	}
}

/* Once, after the first round: which runtimes were found, or why none. */
static void startup_notice(struct host_ctr *c)
{
	char why[768];
	size_t n = 0;
	int any = 0;
	why[0] = '\0';
	for (size_t i = 0; i < c->nsocks; i++) {
		struct sock *s = &c->socks[i];
		struct stat sb;
		int exists = stat(s->path, &sb) == 0, hidden = !exists && errno == EACCES;
		if (s->up) {
			if (s->engine > HOST_CTR_PODMAN)
				notice(c, "containers: using %s (CRI, %s) at %s", engine_names[s->engine], s->runtime, s->path);
			else
				notice(c, "containers: using %s at %s", engine_names[s->engine], s->path);
			any = 1;
		} else if (n < sizeof(why)) {
			n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s %s: %s", n ? ", " : "", engine_names[s->engine],
					      s->path,
					      exists ? "does not answer" : hidden ? "not reachable without privileges"
										  : "no such socket");
		}
	}
	if (!any && !c->none_notice) {
		c->none_notice = 1;
		notice(c, "containers: no container runtime answers (%s); container.* fields other than container.id "
			  "stay empty until one does", n ? why : "every engine is disabled");
	}
}

static void *lookup_main(void *arg)
{
	struct host_ctr *c = arg;
	int64_t next_list = 0;
	int first = 1;
	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		/* take the queued ids, then work without the lock */
		char ids[QUEUE_LEN][16];
		size_t n = 0;
		while (c->qlen) {
			memcpy(ids[n++], c->queue[c->qhead], 16);
			c->qhead = (c->qhead + 1) % QUEUE_LEN;
			c->qlen--;
		}
		pthread_mutex_unlock(&c->mu);
		for (size_t i = 0; i < n; i++) {
			const struct entry *e = cache_find(c, ids[i]);
			if (!e || e->state != ENTRY_DONE)
				inspect(c, ids[i]);
		}
		int64_t now = mono_ms();
		if (now >= next_list) {
			list_all(c);
			next_list = mono_ms() + (c->o.list_ms ? c->o.list_ms : 1000);
			if (first)
				startup_notice(c);
			first = 0;
		}
		pthread_mutex_lock(&c->mu);
		if (c->stop || c->qlen)
			continue;
		int64_t wait = next_list - mono_ms();
		if (wait > 0) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += wait / 1000;
			ts.tv_nsec += (wait % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&c->cv, &c->mu, &ts);
		}
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct host_ctr *host_ctr_start(const struct host_ctr_opts *o, char *err, size_t errlen)
{
	struct host_ctr *c = calloc(1, sizeof(*c));
	if (!c || !(c->ready = sk_meta_new()) || !(c->rec = malloc(RECORD_MAX))) {
		snprintf(err, errlen, "containers: out of memory");
		goto fail;
	}
	c->o = *o;
	for (int e = 0; e < HOST_CTR__ENGINES; e++) {
		if (!o->engine[e].enabled)
			continue;
		for (size_t i = 0; i < o->engine[e].nsockets; i++) {
			/* the plugin lists /run/host-containerd/containerd.sock under
			 * both containerd and cri: ask it once, as the first engine */
			int dup = 0;
			for (size_t k = 0; k < c->nsocks; k++)
				dup |= strcmp(c->socks[k].path, o->engine[e].sockets[i]) == 0;
			if (dup)
				continue;
			struct sock *s = &c->socks[c->nsocks++];
			snprintf(s->path, sizeof(s->path), "%s", o->engine[e].sockets[i]);
			s->engine = e;
		}
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	int rc = pthread_create(&c->th, NULL, lookup_main, c);
	if (rc) {
		snprintf(err, errlen, "containers: cannot start the lookup thread: %s", strerror(rc));
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
		goto fail;
	}
	return c;
fail:
	if (c) {
		sk_meta_free(c->ready);
		free(c->rec);
		free(c);
	}
	return NULL;
}

int host_ctr_request(struct host_ctr *c, const char *id)
{
	if (pthread_mutex_trylock(&c->mu) != 0)
		return -1;
	int rc = -1;
	if (c->qlen < QUEUE_LEN) {
		snprintf(c->queue[(c->qhead + c->qlen) % QUEUE_LEN], 16, "%.12s", id);
		c->qlen++;
		pthread_cond_signal(&c->cv);
		rc = 0;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

size_t host_ctr_take(struct host_ctr *c, struct sk_meta *out)
{
	if (pthread_mutex_trylock(&c->mu) != 0)
		return 0;
	size_t n = c->ready->n_containers;
	if (n) {
		if (sk_meta_add(out, SK_META_CONTAINER, c->ready->containers, n) < 0)
			n = 0;
		else
			sk_meta_reset(c->ready);
	}
	pthread_mutex_unlock(&c->mu);
	return n;
}

void host_ctr_stop(struct host_ctr *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	sk_meta_free(c->ready);
	free(c->cache);
	free(c->rec);
	free(c);
}
