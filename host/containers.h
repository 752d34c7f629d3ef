/* host/containers.h: the host's container runtimes: container ids from cgroups, and the metadata lookup thread. */
#ifndef SAKER_HOST_CONTAINERS_H
#define SAKER_HOST_CONTAINERS_H

/*
 * The lookup asks the runtimes whose sockets exist (the Docker Engine API
 * over a unix socket: docker, and podman's compatible service; the CRI
 * gRPC API: containerd's CRI plugin, cri-o) for a
 * container's metadata, on a thread of its own, and hands the answers over
 * as container records (formats/meta.h: `{"container": {...}}`, fields.md
 * 7.3). The event path only queues ids and takes finished records; neither
 * call ever waits. A dead or slow socket is reported once and retried with
 * a doubling delay; a runtime started later is found on the next attempt.
 * Uses formats/ (the record model) and json/ (reading the answers, writing
 * the records); CRI's HTTP/2 is Debian's nghttp2, its protobuf the few
 * fields read, walked in place (host/ctr_pb.c).
 */

#include <stddef.h>
#include <stdint.h>

#include "formats/meta.h"

/* The container id of a cgroup list (NUL-separated "subsys=path" items or
 * plain paths) into out ("" for the host): the 12 first characters. */
void host_container_id_from_cgroups(const char *cgroups, size_t len, char out[16]);

/* Engines in the container plugin's init_config order. containerd and cri
 * are both asked over CRI (gRPC, runtime.v1); the record's type comes from
 * the runtime's own name (Version: containerd, cri-o). */
enum host_ctr_engine { HOST_CTR_DOCKER, HOST_CTR_PODMAN, HOST_CTR_CONTAINERD, HOST_CTR_CRI, HOST_CTR__ENGINES };

#define HOST_CTR_MAX_SOCKETS 8
#define HOST_CTR_PATH_MAX 108 /* sun_path */

struct host_ctr_engine_cfg {
	int enabled;
	size_t nsockets;
	char sockets[HOST_CTR_MAX_SOCKETS][HOST_CTR_PATH_MAX];
};

/* One line for the user (no newline), called on the lookup thread. */
typedef void (*host_ctr_notice_fn)(void *ctx, const char *line);

struct host_ctr_opts {
	struct host_ctr_engine_cfg engine[HOST_CTR__ENGINES];
	unsigned timeout_ms;     /* one request, connect to last byte (default 2000) */
	unsigned list_ms;        /* how often running containers are listed (default 1000) */
	unsigned label_max_len;  /* longer label values are left out (default 100) */
	host_ctr_notice_fn notice;
	void *ctx;
};

/* The container plugin's defaults: every engine enabled on its default
 * sockets (docker /var/run/docker.sock; podman /run/podman/podman.sock and
 * /run/user/UID/podman/podman.sock of each user with a /run/user entry;
 * containerd /run/host-containerd/containerd.sock; cri
 * /run/containerd/containerd.sock, /run/crio/crio.sock,
 * /run/k3s/containerd/containerd.sock, /run/host-containerd/containerd.sock). */
void host_ctr_opts_default(struct host_ctr_opts *o);
/* The engine named name ("docker", "podman", "containerd", "cri"), or -1. */
int host_ctr_engine_by_name(const char *name);
const char *host_ctr_engine_name(int engine);
/* Replaces an engine's sockets. 0, or -1 when there are more than
 * HOST_CTR_MAX_SOCKETS or a path is too long for a unix socket. */
int host_ctr_set_sockets(struct host_ctr_opts *o, int engine, const char *const *paths, size_t n);

struct host_ctr;

/* Starts the lookup thread (it lists the running containers first). NULL
 * with a message in err when the thread cannot start. */
struct host_ctr *host_ctr_start(const struct host_ctr_opts *o, char *err, size_t errlen);
/* Asks for the metadata of container id (12 characters). Never waits: 0 when
 * queued or already known, -1 when the queue is busy or full (ask again on a
 * later event). */
int host_ctr_request(struct host_ctr *c, const char *id);
/* Appends the records that arrived since the last call to out (strings
 * copied into out). Never waits: returns how many, 0 when the thread holds
 * the results just now. */
size_t host_ctr_take(struct host_ctr *c, struct sk_meta *out);
/* Stops and joins the thread, frees c. */
void host_ctr_stop(struct host_ctr *c);

/* ---- the pieces, public for their unit tests ---- */

/* GET path over the unix socket sock (HTTP/1.0, the whole answer within
 * timeout_ms). Returns the HTTP status with the body in *body (malloc'd,
 * NUL-terminated; the caller frees it), or -errno (-ENOENT: no socket,
 * -ECONNREFUSED, -ETIMEDOUT, -EPROTO: not HTTP, -EFBIG: over 8 MiB). */
int host_ctr_http_get(const char *sock, const char *path, unsigned timeout_ms, char **body, size_t *len);
/* The body of an HTTP answer (head and body in buf[0..n)): status, body
 * offset and length (chunked bodies are decoded in place). -EPROTO if buf is
 * not an HTTP answer. */
int host_ctr_http_parse(char *buf, size_t n, size_t *body_off, size_t *body_len);

/* A container record (`{"container": {...}}`) from a Docker Engine API
 * inspect answer (GET /containers/{id}/json) and the image's RepoDigests
 * answer (GET /images/{id}/json, may be NULL), into out (cap bytes). type is
 * the record's type number (0 docker, 11 podman). Returns the length, or -1
 * when inspect is not a container object or out is too small. */
long host_ctr_docker_record(const char *inspect, size_t ilen, const char *image, size_t imlen, int type,
			    unsigned label_max_len, char *out, size_t cap);

/* ---- CRI: protobuf wire format (host/ctr_pb.c) ---- */

enum { HOST_PB_VARINT = 0, HOST_PB_I64 = 1, HOST_PB_LEN = 2, HOST_PB_I32 = 5 };

/* One field of a message: its number, wire type, and the integer (varint,
 * fixed) or the bytes (length-delimited: p[0..n), pointing into the message). */
struct host_pb_field {
	uint32_t num;
	int wire;
	uint64_t v;
	const uint8_t *p;
	size_t n;
};

/* The field at m[*cur..n), *cur advanced past it: 1, 0 at the end, -1 when
 * the bytes are not protobuf (a length past the end, a bad wire type). */
int host_pb_next(const uint8_t *m, size_t n, size_t *cur, struct host_pb_field *f);
/* The last field numbered num: 1 found, 0 absent, -1 malformed. */
int host_pb_find(const uint8_t *m, size_t n, uint32_t num, struct host_pb_field *f);

/* A bounded writer: overflow is set instead of writing past cap. */
struct host_pb_buf {
	uint8_t *p;
	size_t cap, len;
	int overflow;
};
void host_pb_init(struct host_pb_buf *b, uint8_t *p, size_t cap);
void host_pb_put_varint(struct host_pb_buf *b, uint32_t num, uint64_t v);
/* A length-delimited field: string, bytes or an embedded message. */
void host_pb_put_bytes(struct host_pb_buf *b, uint32_t num, const void *p, size_t n);
void host_pb_put_str(struct host_pb_buf *b, uint32_t num, const char *s);
/* One entry of a map<string, string> field. */
void host_pb_put_map_entry(struct host_pb_buf *b, uint32_t num, const char *key, const char *val);

/* ---- CRI: gRPC over HTTP/2 on a unix socket (host/ctr_grpc.c) ---- */

/* A unary call of method ("/runtime.v1.RuntimeService/ContainerStatus")
 * with the request message req[0..reqlen), everything within timeout_ms.
 * Returns the grpc-status of the trailers (0: the answer's message in *msg,
 * malloc'd, the caller frees it; else the grpc-message in errmsg), or -errno:
 * -ENOENT no socket, -ECONNREFUSED, -ETIMEDOUT, -EPROTO not HTTP/2 or not
 * gRPC (no grpc-status, a compressed or cut message), -EFBIG over 8 MiB. */
int host_ctr_grpc_call(const char *sock, const char *method, const uint8_t *req, size_t reqlen, unsigned timeout_ms,
		       uint8_t **msg, size_t *msglen, char *errmsg, size_t errcap);

/* ---- CRI: the runtime.v1 calls and the record (host/ctr_cri.c) ---- */

/* gRPC status codes the lookup tells apart */
#define HOST_GRPC_NOT_FOUND 5

/* The runtime's name (VersionResponse.runtime_name: "containerd", "cri-o")
 * into name. 0, a grpc-status > 0, or -errno. */
int host_ctr_cri_version(const char *sock, unsigned timeout_ms, char *name, size_t cap);
/* The running containers' ids, then the ready pod sandboxes': fn(ctx, full id) for each. 0, a grpc-status
 * > 0, or -errno. */
int host_ctr_cri_list(const char *sock, unsigned timeout_ms, void (*fn)(void *ctx, const char *id), void *ctx);
/* The record of container id (a unique prefix: containerd and cri-o accept
 * the 12 characters of container.id) from ContainerStatus, the sandbox's
 * PodSandboxStatus and the image's ImageStatus, all verbose; a sandbox's
 * id (NOT_FOUND as a container) gets its sandbox record. Returns the
 * record's length, 0 when the runtime does not know id (NOT_FOUND), -EPROTO
 * when an answer is not the message expected, a -grpc-status - 1000 when
 * ContainerStatus failed otherwise, or -errno of the socket. */
long host_ctr_cri_inspect(const char *sock, const char *id, int type, unsigned timeout_ms, unsigned label_max_len,
			  char *out, size_t cap, char *errmsg, size_t errcap);
/* The record of a pod's sandbox ("pause") container from its
 * PodSandboxStatusResponse: the pod's name, image, labels and namespaces,
 * is_pod_sandbox true. Length, or -1. */
long host_ctr_cri_sandbox_record(const uint8_t *ps, size_t pslen, int type, unsigned label_max_len, char *out,
				 size_t cap);
/* A container record from the answers' messages: ContainerStatusResponse
 * (cs), PodSandboxStatusResponse (ps, may be NULL) and ImageStatusResponse
 * (im, may be NULL). type is the record's type number (7 containerd, 8
 * cri-o, 6 cri). Returns the length, or -1 when cs is not a container
 * status or out is too small. */
long host_ctr_cri_record(const uint8_t *cs, size_t cslen, const uint8_t *ps, size_t pslen, const uint8_t *im,
			 size_t imlen, int type, unsigned label_max_len, char *out, size_t cap);

#endif
