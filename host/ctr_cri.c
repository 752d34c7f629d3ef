/* host/ctr_cri.c: the CRI runtime.v1 calls (Version, ListContainers, ContainerStatus, PodSandboxStatus, ImageStatus) and their answers turned into a container record. */
#include "host/containers.h"
#include "host/ctr_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Field numbers of cri-api's pkg/apis/runtime/v1/api.proto, only those read
 * or written here. The messages are walked in place (host_pb_next): a hand
 * written reader of ~15 fields instead of protoc-c's generated code for the
 * whole 2,000-line api.proto, which Debian does not ship (docs/containers.md).
 */
enum {
	/* ContainerStatusResponse / PodSandboxStatusResponse */
	CSR_STATUS = 1, CSR_INFO = 2,
	/* ContainerStatus */
	CS_ID = 1, CS_METADATA = 2, CS_CREATED_AT = 4, CS_STARTED_AT = 5, CS_IMAGE = 8, CS_IMAGE_REF = 9,
	CS_LABELS = 12, CS_MOUNTS = 14,
	/* ContainerMetadata, ImageSpec */
	META_NAME = 1, IMAGESPEC_IMAGE = 1,
	/* Mount */
	MOUNT_CONTAINER_PATH = 1, MOUNT_HOST_PATH = 2, MOUNT_READONLY = 3, MOUNT_PROPAGATION = 5,
	/* PodSandboxStatus */
	PS_ID = 1, PS_METADATA = 2, PS_CREATED_AT = 4, PS_NETWORK = 5, PS_LINUX = 6, PS_LABELS = 7,
	/* PodSandboxMetadata */
	PSM_NAME = 1, PSM_UID = 2, PSM_NAMESPACE = 3,
	/* PodSandboxNetworkStatus.ip, LinuxPodSandboxStatus.namespaces, Namespace.options */
	NET_IP = 1, LINUX_NAMESPACES = 1, NS_OPTIONS = 2,
	/* NamespaceOption */
	NSO_NETWORK = 1, NSO_PID = 2, NSO_IPC = 3,
	/* ImageStatusResponse.image, Image */
	ISR_IMAGE = 1, IMG_ID = 1, IMG_REPO_TAGS = 2, IMG_REPO_DIGESTS = 3,
	/* VersionResponse, ListContainersResponse, Container, ListPodSandboxResponse, PodSandbox */
	VER_RUNTIME_NAME = 2, LCR_CONTAINERS = 1, CTR_ID = 1, LPR_ITEMS = 1, SB_ID = 1,
	/* requests: ContainerStatusRequest, PodSandboxStatusRequest (id 1, verbose 2),
	 * ImageStatusRequest (image 1, verbose 2), ListContainersRequest.filter,
	 * ContainerFilter.state, ContainerStateValue.state */
	REQ_ID = 1, REQ_VERBOSE = 2, LCQ_FILTER = 1, FILTER_STATE = 2, STATEVALUE_STATE = 1,
};
#define NS_MODE_NODE 2         /* NamespaceMode NODE: the host's namespace */
#define CONTAINER_RUNNING 1    /* ContainerState */

#define TEXT_MAX 4096
#define SVC "/runtime.v1.RuntimeService/"

/* Length-delimited field num of m as text into buf ("" when absent). */
static const char *pb_str(const uint8_t *m, size_t n, uint32_t num, char *buf, size_t cap)
{
	struct host_pb_field f;
	buf[0] = '\0';
	if (m && host_pb_find(m, n, num, &f) > 0 && f.wire == HOST_PB_LEN)
		snprintf(buf, cap, "%.*s", (int)(f.n < cap ? f.n : cap - 1), (const char *)f.p);
	return buf;
}

static uint64_t pb_uint(const uint8_t *m, size_t n, uint32_t num)
{
	struct host_pb_field f;
	if (m && host_pb_find(m, n, num, &f) > 0 && f.wire == HOST_PB_VARINT)
		return f.v;
	return 0;
}

/* Embedded message num of m (NULL, 0 when absent). */
static const uint8_t *pb_msg(const uint8_t *m, size_t n, uint32_t num, size_t *len)
{
	struct host_pb_field f;
	*len = 0;
	if (m && host_pb_find(m, n, num, &f) > 0 && f.wire == HOST_PB_LEN) {
		*len = f.n;
		return f.p ? f.p : (const uint8_t *)"";
	}
	return NULL;
}

/* The value of key in the map<string,string> field num: its bytes, or NULL. */
static const uint8_t *pb_map_get(const uint8_t *m, size_t n, uint32_t num, const char *key, size_t *vlen)
{
	size_t cur = 0, kl = strlen(key);
	struct host_pb_field f;
	while (m && host_pb_next(m, n, &cur, &f) > 0) {
		if (f.num != num || f.wire != HOST_PB_LEN)
			continue;
		struct host_pb_field k = { 0 }, v = { 0 };
		size_t ec = 0;
		struct host_pb_field e;
		while (host_pb_next(f.p, f.n, &ec, &e) > 0) {
			if (e.num == 1 && e.wire == HOST_PB_LEN)
				k = e;
			else if (e.num == 2 && e.wire == HOST_PB_LEN)
				v = e;
		}
		if (k.n == kl && (kl == 0 || memcmp(k.p, key, kl) == 0)) {
			*vlen = v.n;
			return v.p ? v.p : (const uint8_t *)"";
		}
	}
	return NULL;
}

/* A map<string,string> field as a JSON object (values over max_len left
 * out, as the plugin's label_max_len); extra (key, value) pairs are added
 * when the map lacks them. */
static void put_map(struct json_buf *o, const char *key, const uint8_t *m, size_t n, uint32_t num, unsigned max_len,
		    const char *const *extra, size_t nextra)
{
	ctr_put_key(o, key);
	json_buf_put(o, "{", 1);
	int first = 1;
	size_t cur = 0;
	struct host_pb_field f;
	while (m && host_pb_next(m, n, &cur, &f) > 0) {
		if (f.num != num || f.wire != HOST_PB_LEN)
			continue;
		struct host_pb_field k = { 0 }, v = { 0 }, e;
		size_t ec = 0;
		while (host_pb_next(f.p, f.n, &ec, &e) > 0) {
			if (e.num == 1 && e.wire == HOST_PB_LEN)
				k = e;
			else if (e.num == 2 && e.wire == HOST_PB_LEN)
				v = e;
		}
		if (max_len && v.n > max_len)
			continue;
		json_buf_puts(o, first ? "" : ",");
		first = 0;
		/* an entry without key or value has the empty string there */
		json_buf_string(o, k.p ? (const char *)k.p : "", k.n);
		json_buf_put(o, ":", 1);
		json_buf_string(o, v.p ? (const char *)v.p : "", v.n);
	}
	for (size_t i = 0; i + 1 < nextra; i += 2) {
		size_t dummy;
		if (!extra[i + 1][0] || pb_map_get(m, n, num, extra[i], &dummy))
			continue;
		json_buf_puts(o, first ? "" : ",");
		first = 0;
		json_buf_string(o, extra[i], strlen(extra[i]));
		json_buf_put(o, ":", 1);
		json_buf_string(o, extra[i + 1], strlen(extra[i + 1]));
	}
	json_buf_put(o, "}", 1);
}

static void put_mounts(struct json_buf *o, const uint8_t *cs, size_t n)
{
	static const char *const propagation[] = { "rprivate", "rslave", "rshared" };
	ctr_put_key(o, "Mounts");
	json_buf_put(o, "[", 1);
	size_t cur = 0;
	int first = 1;
	struct host_pb_field f;
	char src[TEXT_MAX], dst[TEXT_MAX];
	while (cs && host_pb_next(cs, n, &cur, &f) > 0) {
		if (f.num != CS_MOUNTS || f.wire != HOST_PB_LEN)
			continue;
		int ro = pb_uint(f.p, f.n, MOUNT_READONLY) != 0;
		uint64_t prop = pb_uint(f.p, f.n, MOUNT_PROPAGATION);
		json_buf_puts(o, first ? "{\"Source\":" : ",{\"Source\":");
		first = 0;
		pb_str(f.p, f.n, MOUNT_HOST_PATH, src, sizeof(src));
		json_buf_string(o, src, strlen(src));
		ctr_put_str(o, "Destination", pb_str(f.p, f.n, MOUNT_CONTAINER_PATH, dst, sizeof(dst)));
		ctr_put_str(o, "Mode", ro ? "ro" : ""); /* docker's Mode of a bind mount */
		ctr_put_bool(o, "RW", !ro);
		ctr_put_str(o, "Propagation", prop < 3 ? propagation[prop] : "");
		json_buf_put(o, "}", 1);
	}
	json_buf_put(o, "]", 1);
}

/* Nanoseconds since the epoch as RFC 3339 (docker's form of the times). */
static void put_time(struct json_buf *o, const char *key, uint64_t ns)
{
	char t[64] = "";
	if (ns) {
		time_t sec = (time_t)(ns / 1000000000u);
		struct tm tm;
		gmtime_r(&sec, &tm);
		size_t k = strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(t + k, sizeof(t) - k, ".%09uZ", (unsigned)(ns % 1000000000u));
	}
	ctr_put_str(o, key, t);
}

/* containerd's sandbox info carries the CNI plugins' result: kept as text. */
static void put_cni(struct json_buf *o, const struct json_doc *pi)
{
	uint32_t cni = pi ? json_doc_get(pi, 0, "cniResult") : JSON_NONE;
	if (cni == JSON_NONE || pi->tok[cni].kind != JSON_K_OBJECT)
		return;
	char *compact = malloc(pi->tok[cni].len + 1);
	if (!compact)
		return;
	size_t k = json_compact(pi->text + pi->tok[cni].off, pi->tok[cni].len, compact);
	ctr_put_key(o, "cni_json");
	json_buf_string(o, compact, k);
	free(compact);
}

/* The verbose info map's "info" entry parsed into d: 0, or -1 (absent or not
 * a JSON object). */
static int info_json(const uint8_t *resp, size_t n, struct json_doc *d)
{
	size_t vl;
	const uint8_t *v = pb_map_get(resp, n, CSR_INFO, "info", &vl);
	if (!v || json_doc_parse(d, (const char *)v, vl) < 0 || d->tok[0].kind != JSON_K_OBJECT)
		return -1;
	return 0;
}

static uint32_t doc_path(const struct json_doc *d, const char *const *keys, size_t n)
{
	return d->n ? json_doc_path(d, 0, keys, n) : JSON_NONE;
}

/* Whether the OCI spec in info has no namespace of type ns (the host's is
 * used): 1, 0, or -1 when the spec has no namespace list. */
static int spec_host_ns(const struct json_doc *d, const char *ns)
{
	static const char *const path[] = { "runtimeSpec", "linux", "namespaces" };
	uint32_t arr = doc_path(d, path, 3);
	if (arr == JSON_NONE || d->tok[arr].kind != JSON_K_ARRAY)
		return -1;
	for (size_t i = 0; i < json_doc_count(d, arr); i++) {
		uint32_t t = json_doc_get(d, json_doc_index(d, arr, i), "type");
		if (t != JSON_NONE && json_doc_str_eq(d, t, ns, strlen(ns)))
			return 0;
	}
	return 1;
}

/* privileged: containerd keeps the CRI config (config.linux.security_context),
 * cri-o says it at the top of its info. */
static int info_privileged(const struct json_doc *d)
{
	static const char *const ctrd[] = { "config", "linux", "security_context", "privileged" };
	static const char *const crio[] = { "privileged" };
	uint32_t v = doc_path(d, ctrd, 4);
	if (v == JSON_NONE)
		v = doc_path(d, crio, 1);
	return v != JSON_NONE && d->tok[v].kind == JSON_K_TRUE;
}

/* The image's id and the digest for repo from ImageStatusResponse. */
static void image_status(const uint8_t *im, size_t imlen, const char *repo, char *id, char *digest, size_t cap)
{
	size_t ilen;
	const uint8_t *img = pb_msg(im, imlen, ISR_IMAGE, &ilen);
	if (!img)
		return;
	if (!id[0])
		pb_str(img, ilen, IMG_ID, id, cap);
	size_t cur = 0;
	struct host_pb_field f;
	char one[TEXT_MAX];
	while (!digest[0] && host_pb_next(img, ilen, &cur, &f) > 0) {
		if (f.num != IMG_REPO_DIGESTS || f.wire != HOST_PB_LEN)
			continue;
		snprintf(one, sizeof(one), "%.*s", (int)(f.n < sizeof(one) ? f.n : sizeof(one) - 1), (const char *)f.p);
		char *at = strchr(one, '@');
		if (at && (size_t)(at - one) == strlen(repo) && memcmp(one, repo, strlen(repo)) == 0)
			snprintf(digest, cap, "%s", at + 1);
	}
}

long host_ctr_cri_record(const uint8_t *cs, size_t cslen, const uint8_t *ps, size_t pslen, const uint8_t *im,
			 size_t imlen, int type, unsigned label_max_len, char *out, size_t cap)
{
	size_t stlen, plen = 0;
	const uint8_t *st = pb_msg(cs, cslen, CSR_STATUS, &stlen);
	const uint8_t *pod = pb_msg(ps, pslen, CSR_STATUS, &plen);
	char full[TEXT_MAX], name[TEXT_MAX], img[TEXT_MAX], ref[TEXT_MAX], iid[TEXT_MAX], t[TEXT_MAX];
	char repo[TEXT_MAX], tag[TEXT_MAX], digest[TEXT_MAX];
	char pname[TEXT_MAX], puid[TEXT_MAX], pns[TEXT_MAX], sandbox[TEXT_MAX];
	if (!st || strlen(pb_str(st, stlen, CS_ID, full, sizeof(full))) < 12)
		return -1;
	size_t n;
	const uint8_t *meta = pb_msg(st, stlen, CS_METADATA, &n);
	pb_str(meta, n, META_NAME, name, sizeof(name));
	const uint8_t *spec = pb_msg(st, stlen, CS_IMAGE, &n);
	pb_str(spec, n, IMAGESPEC_IMAGE, img, sizeof(img));
	pb_str(st, stlen, CS_IMAGE_REF, ref, sizeof(ref));
	/* image_ref is the image's repo digest ("repo@sha256:...") or its id */
	iid[0] = '\0';
	if (strncmp(ref, "sha256:", 7) == 0)
		snprintf(iid, sizeof(iid), "%s", ref);
	if (strncmp(img, "sha256:", 7) == 0) /* the image was asked for by id */
		snprintf(img, sizeof(img), "%s", ref[0] && strncmp(ref, "sha256:", 7) != 0 ? ref : "");
	ctr_split_image(img, repo, tag, digest, sizeof(repo));
	if (!digest[0]) {
		char *at = strchr(ref, '@');
		if (at && (size_t)(at - ref) == strlen(repo) && memcmp(ref, repo, strlen(repo)) == 0)
			snprintf(digest, sizeof(digest), "%s", at + 1);
	}
	image_status(im, imlen, repo, iid, digest, sizeof(iid));

	struct json_doc ci, pi;
	json_doc_init(&ci);
	json_doc_init(&pi);
	int have_ci = info_json(cs, cslen, &ci) == 0, have_pi = info_json(ps, pslen, &pi) == 0;
	if (!have_ci)
		ci.n = 0;
	if (!have_pi)
		pi.n = 0;
	sandbox[0] = '\0';
	pb_str(pod, plen, PS_ID, sandbox, sizeof(sandbox));
	if (!sandbox[0] && have_ci) {
		uint32_t v = json_doc_get(&ci, 0, "sandboxID");
		if (v != JSON_NONE && json_text(json_doc_span(&ci, v), sandbox, sizeof(sandbox)) < 0)
			sandbox[0] = '\0';
	}
	const uint8_t *pm = pb_msg(pod, plen, PS_METADATA, &n);
	pb_str(pm, n, PSM_NAME, pname, sizeof(pname));
	pb_str(pm, n, PSM_UID, puid, sizeof(puid));
	pb_str(pm, n, PSM_NAMESPACE, pns, sizeof(pns));
	/* host namespaces: the pod's options (NODE), or the container's OCI
	 * spec without a namespace of that type */
	size_t ln, nsn, on;
	const uint8_t *lin = pb_msg(pod, plen, PS_LINUX, &ln);
	const uint8_t *nsm = pb_msg(lin, ln, LINUX_NAMESPACES, &nsn);
	const uint8_t *opt = pb_msg(nsm, nsn, NS_OPTIONS, &on);
	int host_net = pb_uint(opt, on, NSO_NETWORK) == NS_MODE_NODE || spec_host_ns(&ci, "network") == 1;
	int host_pid = pb_uint(opt, on, NSO_PID) == NS_MODE_NODE || spec_host_ns(&ci, "pid") == 1;
	int host_ipc = pb_uint(opt, on, NSO_IPC) == NS_MODE_NODE || spec_host_ns(&ci, "ipc") == 1;

	struct json_buf o;
	ctr_put_head(&o, out, cap, full, type, name, img, strncmp(iid, "sha256:", 7) == 0 ? iid + 7 : iid, repo);
	ctr_put_str(&o, "imagetag", tag);
	ctr_put_str(&o, "imagedigest", digest);
	ctr_put_bool(&o, "privileged", have_ci && info_privileged(&ci));
	ctr_put_bool(&o, "host_pid", host_pid);
	ctr_put_bool(&o, "host_network", host_net);
	ctr_put_bool(&o, "host_ipc", host_ipc);
	const uint8_t *net = pb_msg(pod, plen, PS_NETWORK, &n);
	ctr_put_str(&o, "ip", pb_str(net, n, NET_IP, t, sizeof(t)));
	ctr_put_str(&o, "User", "");
	put_time(&o, "created_time", pb_uint(st, stlen, CS_CREATED_AT));
	put_time(&o, "started_at", pb_uint(st, stlen, CS_STARTED_AT));
	ctr_put_bool(&o, "is_pod_sandbox", 0);
	if (sandbox[0])
		ctr_put_str(&o, "pod_sandbox_id", sandbox);
	if (pod)
		put_map(&o, "pod_sandbox_labels", pod, plen, PS_LABELS, label_max_len, NULL, 0);
	put_cni(&o, have_pi ? &pi : NULL);
	/* kubelet labels every container with its pod; a container created
	 * through CRI by another client gets the pod's own metadata the same way */
	const char *const pod_labels[] = { "io.kubernetes.pod.name", pname, "io.kubernetes.pod.namespace", pns,
					   "io.kubernetes.pod.uid", puid };
	put_map(&o, "labels", st, stlen, CS_LABELS, label_max_len, pod_labels, 6);
	put_mounts(&o, st, stlen);
	json_buf_puts(&o, "}}");
	json_doc_free(&ci);
	json_doc_free(&pi);
	return o.len + 1 < cap ? (long)o.len : -1;
}

long host_ctr_cri_sandbox_record(const uint8_t *ps, size_t pslen, int type, unsigned label_max_len, char *out,
				 size_t cap)
{
	size_t plen, n;
	const uint8_t *pod = pb_msg(ps, pslen, CSR_STATUS, &plen);
	char full[TEXT_MAX], pname[TEXT_MAX], puid[TEXT_MAX], pns[TEXT_MAX], img[TEXT_MAX], t[TEXT_MAX];
	char repo[TEXT_MAX], tag[TEXT_MAX], digest[TEXT_MAX];
	if (!pod || strlen(pb_str(pod, plen, PS_ID, full, sizeof(full))) < 12)
		return -1;
	const uint8_t *pm = pb_msg(pod, plen, PS_METADATA, &n);
	pb_str(pm, n, PSM_NAME, pname, sizeof(pname));
	pb_str(pm, n, PSM_UID, puid, sizeof(puid));
	pb_str(pm, n, PSM_NAMESPACE, pns, sizeof(pns));
	struct json_doc pi;
	json_doc_init(&pi);
	int have_pi = info_json(ps, pslen, &pi) == 0;
	if (!have_pi)
		pi.n = 0;
	/* the sandbox image: containerd and cri-o name it in the info */
	img[0] = '\0';
	uint32_t v = have_pi ? json_doc_get(&pi, 0, "image") : JSON_NONE;
	if (v != JSON_NONE && (pi.tok[v].kind != JSON_K_STRING || json_text(json_doc_span(&pi, v), img, sizeof(img)) < 0))
		img[0] = '\0';
	ctr_split_image(img, repo, tag, digest, sizeof(repo));
	size_t ln, nsn, on;
	const uint8_t *lin = pb_msg(pod, plen, PS_LINUX, &ln);
	const uint8_t *nsm = pb_msg(lin, ln, LINUX_NAMESPACES, &nsn);
	const uint8_t *opt = pb_msg(nsm, nsn, NS_OPTIONS, &on);

	struct json_buf o;
	ctr_put_head(&o, out, cap, full, type, pname, img, "", repo);
	ctr_put_str(&o, "imagetag", img[0] ? tag : "");
	ctr_put_str(&o, "imagedigest", digest);
	ctr_put_bool(&o, "privileged", have_pi && info_privileged(&pi));
	ctr_put_bool(&o, "host_pid", pb_uint(opt, on, NSO_PID) == NS_MODE_NODE);
	ctr_put_bool(&o, "host_network", pb_uint(opt, on, NSO_NETWORK) == NS_MODE_NODE);
	ctr_put_bool(&o, "host_ipc", pb_uint(opt, on, NSO_IPC) == NS_MODE_NODE);
	const uint8_t *net = pb_msg(pod, plen, PS_NETWORK, &n);
	ctr_put_str(&o, "ip", pb_str(net, n, NET_IP, t, sizeof(t)));
	ctr_put_str(&o, "User", "");
	put_time(&o, "created_time", pb_uint(pod, plen, PS_CREATED_AT));
	put_time(&o, "started_at", pb_uint(pod, plen, PS_CREATED_AT));
	ctr_put_bool(&o, "is_pod_sandbox", 1);
	ctr_put_str(&o, "pod_sandbox_id", full);
	put_map(&o, "pod_sandbox_labels", pod, plen, PS_LABELS, label_max_len, NULL, 0);
	put_cni(&o, have_pi ? &pi : NULL);
	const char *const pod_labels[] = { "io.kubernetes.pod.name", pname, "io.kubernetes.pod.namespace", pns,
					   "io.kubernetes.pod.uid", puid };
	put_map(&o, "labels", pod, plen, PS_LABELS, label_max_len, pod_labels, 6);
	ctr_put_key(&o, "Mounts");
	json_buf_puts(&o, "[]}}");
	json_doc_free(&pi);
	return o.len + 1 < cap ? (long)o.len : -1;
}

/* A request of (string id = 1, bool verbose = 2). */
static size_t id_request(uint8_t *buf, size_t cap, const char *id)
{
	struct host_pb_buf b;
	host_pb_init(&b, buf, cap);
	host_pb_put_str(&b, REQ_ID, id);
	host_pb_put_varint(&b, REQ_VERBOSE, 1);
	return b.overflow ? 0 : b.len;
}

int host_ctr_cri_version(const char *sock, unsigned timeout_ms, char *name, size_t cap)
{
	uint8_t req[64], *msg;
	size_t mlen;
	struct host_pb_buf b;
	host_pb_init(&b, req, sizeof(req));
	host_pb_put_str(&b, 1, "v1"); /* VersionRequest.version: the kubelet's API version */
	char err[256];
	int rc = host_ctr_grpc_call(sock, SVC "Version", req, b.len, timeout_ms, &msg, &mlen, err, sizeof(err));
	if (rc == 0) {
		pb_str(msg, mlen, VER_RUNTIME_NAME, name, cap);
		free(msg);
	}
	return rc;
}

int host_ctr_cri_list(const char *sock, unsigned timeout_ms, void (*fn)(void *ctx, const char *id), void *ctx)
{
	uint8_t state[8], filter[16], req[32], *msg;
	struct host_pb_buf b;
	host_pb_init(&b, state, sizeof(state));
	host_pb_put_varint(&b, STATEVALUE_STATE, CONTAINER_RUNNING);
	size_t sl = b.len;
	host_pb_init(&b, filter, sizeof(filter));
	host_pb_put_bytes(&b, FILTER_STATE, state, sl);
	size_t fl = b.len;
	host_pb_init(&b, req, sizeof(req));
	host_pb_put_bytes(&b, LCQ_FILTER, filter, fl);
	size_t mlen;
	char err[256];
	int rc = host_ctr_grpc_call(sock, SVC "ListContainers", req, b.len, timeout_ms, &msg, &mlen, err, sizeof(err));
	if (rc != 0)
		return rc;
	size_t cur = 0;
	struct host_pb_field f;
	char id[160];
	while ((rc = host_pb_next(msg, mlen, &cur, &f)) > 0)
		if (f.num == LCR_CONTAINERS && f.wire == HOST_PB_LEN && pb_str(f.p, f.n, CTR_ID, id, sizeof(id))[0])
			fn(ctx, id);
	free(msg);
	if (rc < 0)
		return -EPROTO;
	/* the ready sandboxes: filter { state { state: SANDBOX_READY (0) } } */
	const uint8_t sreq[] = { 0x0a, 0x02, 0x12, 0x00 };
	rc = host_ctr_grpc_call(sock, SVC "ListPodSandbox", sreq, sizeof(sreq), timeout_ms, &msg, &mlen, err, sizeof(err));
	if (rc != 0)
		return rc;
	cur = 0;
	while ((rc = host_pb_next(msg, mlen, &cur, &f)) > 0)
		if (f.num == LPR_ITEMS && f.wire == HOST_PB_LEN && pb_str(f.p, f.n, SB_ID, id, sizeof(id))[0])
			fn(ctx, id);
	free(msg);
	return rc < 0 ? -EPROTO : 0;
}

long host_ctr_cri_inspect(const char *sock, const char *id, int type, unsigned timeout_ms, unsigned label_max_len,
			  char *out, size_t cap, char *errmsg, size_t errcap)
{
	uint8_t req[1024], *cs = NULL, *ps = NULL, *im = NULL;
	size_t cslen = 0, pslen = 0, imlen = 0, n, stlen;
	char sandbox[256], image[1024], err[256];
	int64_t deadline = ctr_mono_ms() + (timeout_ms ? timeout_ms : 2000);
	n = id_request(req, sizeof(req), id);
	int rc = host_ctr_grpc_call(sock, SVC "ContainerStatus", req, n, timeout_ms, &cs, &cslen, errmsg, errcap);
	if (rc == HOST_GRPC_NOT_FOUND) {
		/* a pod's sandbox ("pause") container is not a CRI container */
		int64_t left = deadline - ctr_mono_ms();
		if (left <= 0)
			return 0;
		rc = host_ctr_grpc_call(sock, SVC "PodSandboxStatus", req, n, (unsigned)left, &ps, &pslen, err, sizeof(err));
		if (rc == HOST_GRPC_NOT_FOUND)
			return 0;
		if (rc != 0)
			return rc < 0 ? rc : -1000 - rc;
		long len = host_ctr_cri_sandbox_record(ps, pslen, type, label_max_len, out, cap);
		free(ps);
		return len > 0 ? len : -EPROTO;
	}
	if (rc != 0)
		return rc < 0 ? rc : -1000 - rc;
	const uint8_t *st = pb_msg(cs, cslen, CSR_STATUS, &stlen);
	if (!st) {
		free(cs);
		return -EPROTO;
	}
	/* the sandbox: the verbose info names it (containerd and cri-o) */
	struct json_doc ci;
	json_doc_init(&ci);
	sandbox[0] = '\0';
	if (info_json(cs, cslen, &ci) == 0) {
		uint32_t v = json_doc_get(&ci, 0, "sandboxID");
		if (v == JSON_NONE || json_text(json_doc_span(&ci, v), sandbox, sizeof(sandbox)) < 0)
			sandbox[0] = '\0';
	}
	json_doc_free(&ci);
	/* the other two calls share what is left of the time: a failure leaves
	 * their fields empty, never the container without a record */
	int64_t left = deadline - ctr_mono_ms();
	if (sandbox[0] && left > 0 && (n = id_request(req, sizeof(req), sandbox)) &&
	    host_ctr_grpc_call(sock, SVC "PodSandboxStatus", req, n, (unsigned)left, &ps, &pslen, err, sizeof(err)) != 0)
		ps = NULL;
	size_t sl;
	const uint8_t *spec = pb_msg(st, stlen, CS_IMAGE, &sl);
	pb_str(spec, sl, IMAGESPEC_IMAGE, image, sizeof(image));
	left = deadline - ctr_mono_ms();
	if (image[0] && left > 0) {
		uint8_t ispec[1100];
		struct host_pb_buf b;
		host_pb_init(&b, ispec, sizeof(ispec));
		host_pb_put_str(&b, IMAGESPEC_IMAGE, image);
		size_t il = b.len;
		host_pb_init(&b, req, sizeof(req));
		host_pb_put_bytes(&b, 1, ispec, il); /* ImageStatusRequest.image */
		if (b.overflow || host_ctr_grpc_call(sock, "/runtime.v1.ImageService/ImageStatus", req, b.len, (unsigned)left,
						     &im, &imlen, err, sizeof(err)) != 0)
			im = NULL;
	}
	long len = host_ctr_cri_record(cs, cslen, ps, pslen, im, imlen, type, label_max_len, out, cap);
	free(cs);
	free(ps);
	free(im);
	return len > 0 ? len : -EPROTO;
}
