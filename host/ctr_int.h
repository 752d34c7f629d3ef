/* host/ctr_int.h: pieces shared by the container lookup's files (sockets with a deadline, record writing); not a public header. */
#ifndef SAKER_HOST_CTR_INT_H
#define SAKER_HOST_CTR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "json/json.h"

/* CLOCK_MONOTONIC in ms: every deadline of the lookup. */
int64_t ctr_mono_ms(void);
/* Waits for events on fd until the deadline: 0, or -ETIMEDOUT / -errno. */
int ctr_wait_fd(int fd, short events, int64_t deadline);
/* A non-blocking connected unix stream socket, or -errno. */
int ctr_connect_unix(const char *sock, int64_t deadline);

/* Record writing (host/ctr_docker.c): ",\"key\":" then the value. */
void ctr_put_key(struct json_buf *o, const char *key);
void ctr_put_str(struct json_buf *o, const char *key, const char *val);
void ctr_put_bool(struct json_buf *o, const char *key, int val);
/* Starts a record in o (over out, cap bytes): the container object's id
 * (12 characters of full), full_id, type (SK_CTR_* number), name, image,
 * imageid and imagerepo, the keys every engine writes first. */
void ctr_put_head(struct json_buf *o, char *out, size_t cap, const char *full, int type, const char *name,
		  const char *image, const char *imageid, const char *repo);
/* "registry:5000/a/b:tag@sha256:..." -> repository, tag ("latest" when
 * there is neither tag nor digest, as libs' docker lookup), digest; each
 * buffer cap bytes. */
void ctr_split_image(const char *image, char *repo, char *tag, char *digest, size_t cap);

#endif
