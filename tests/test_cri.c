/* tests/test_cri.c: the CRI lookup (containerd, cri-o): protobuf wire, records from CRI answers, and a fake CRI runtime (nghttp2 server on a unix socket) for calls, errors, garbage, silence and the lookup thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include "tests/helpers/notices.h"

#include "host/containers.h"
#include "json/json.h"

#define CTR_FULL "c0ffee1234567890c0ffee1234567890c0ffee1234567890c0ffee1234567890"
#define SANDBOX_FULL "5a4db0c0ffee5a4db0c0ffee5a4db0c0ffee5a4db0c0ffee5a4db0c0ffee0001"
#define IMAGE_ID "sha256:bb131895989e59bd4885262295749a20283a0ed04b2406df95db7feb8f4d9cce"
#define DIGEST "sha256:1111111111111111111111111111111111111111111111111111111111111111"

/* ---- the messages a CRI runtime sends, encoded with field numbers of api.proto v1 ---- */

struct msg {
	uint8_t b[16384];
	size_t n;
};

/* put a nested message built in m as field num of b */
static void put_msg(struct host_pb_buf *b, uint32_t num, const struct msg *m)
{
	host_pb_put_bytes(b, num, m->b, m->n);
}

static void msg_done(struct msg *m, const struct host_pb_buf *b)
{
	assert_false(b->overflow);
	m->n = b->len;
}

static const char container_info[] =
	"{\"sandboxID\":\"" SANDBOX_FULL "\",\"pid\":4242,"
	"\"config\":{\"metadata\":{\"name\":\"web\"},\"linux\":{\"security_context\":{\"privileged\":true}}},"
	"\"runtimeSpec\":{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"mount\"}]}}}";
static const char sandbox_info[] =
	"{\"pid\":4200,\"image\":\"registry.k8s.io/pause:3.6\",\"cniResult\": {\"Interfaces\": {\"eth0\": {\"IPConfigs\": [{\"IP\": \"10.1.2.3\", "
	"\"Gateway\": \"10.1.2.1\"}]}}, \"DNS\": [{}]}}";

static void container_status(struct msg *out)
{
	struct host_pb_buf b;
	struct msg meta, image, m1, m2, st;
	host_pb_init(&b, meta.b, sizeof(meta.b));
	host_pb_put_str(&b, 1, "web");
	host_pb_put_varint(&b, 2, 3); /* attempt */
	msg_done(&meta, &b);
	host_pb_init(&b, image.b, sizeof(image.b));
	host_pb_put_str(&b, 1, "docker.io/library/nginx:1.25");
	msg_done(&image, &b);
	host_pb_init(&b, m1.b, sizeof(m1.b));
	host_pb_put_str(&b, 1, "/host-etc");
	host_pb_put_str(&b, 2, "/etc");
	host_pb_put_varint(&b, 3, 1);
	host_pb_put_varint(&b, 5, 1); /* HOST_TO_CONTAINER */
	msg_done(&m1, &b);
	host_pb_init(&b, m2.b, sizeof(m2.b));
	host_pb_put_str(&b, 1, "/data");
	host_pb_put_str(&b, 2, "/var/data");
	host_pb_put_varint(&b, 5, 2); /* BIDIRECTIONAL */
	msg_done(&m2, &b);
	host_pb_init(&b, st.b, sizeof(st.b));
	host_pb_put_str(&b, 1, CTR_FULL);
	put_msg(&b, 2, &meta);
	host_pb_put_varint(&b, 3, 1); /* CONTAINER_RUNNING */
	host_pb_put_varint(&b, 4, 1796578165000000000ull);
	host_pb_put_varint(&b, 5, 1796578165700000000ull);
	put_msg(&b, 8, &image);
	host_pb_put_str(&b, 9, IMAGE_ID);
	host_pb_put_map_entry(&b, 12, "io.kubernetes.container.name", "web");
	host_pb_put_map_entry(&b, 12, "long", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	host_pb_put_map_entry(&b, 13, "io.kubernetes.container.hash", "abc");
	put_msg(&b, 14, &m1);
	put_msg(&b, 14, &m2);
	host_pb_put_str(&b, 15, "/var/log/pods/web.log");
	msg_done(&st, &b);
	host_pb_init(&b, out->b, sizeof(out->b));
	put_msg(&b, 1, &st);
	host_pb_put_map_entry(&b, 2, "info", container_info);
	msg_done(out, &b);
}

static void sandbox_status(struct msg *out)
{
	struct host_pb_buf b;
	struct msg meta, net, opt, ns, lin, st;
	host_pb_init(&b, meta.b, sizeof(meta.b));
	host_pb_put_str(&b, 1, "web-7d9f");
	host_pb_put_str(&b, 2, "0b1c2d3e-uid");
	host_pb_put_str(&b, 3, "prod");
	msg_done(&meta, &b);
	host_pb_init(&b, net.b, sizeof(net.b));
	host_pb_put_str(&b, 1, "10.1.2.3");
	msg_done(&net, &b);
	host_pb_init(&b, opt.b, sizeof(opt.b));
	host_pb_put_varint(&b, 3, 2); /* ipc NODE; network and pid POD (0, absent) */
	msg_done(&opt, &b);
	host_pb_init(&b, ns.b, sizeof(ns.b));
	put_msg(&b, 2, &opt);
	msg_done(&ns, &b);
	host_pb_init(&b, lin.b, sizeof(lin.b));
	put_msg(&b, 1, &ns);
	msg_done(&lin, &b);
	host_pb_init(&b, st.b, sizeof(st.b));
	host_pb_put_str(&b, 1, SANDBOX_FULL);
	put_msg(&b, 2, &meta);
	host_pb_put_varint(&b, 3, 0); /* SANDBOX_READY */
	put_msg(&b, 5, &net);
	put_msg(&b, 6, &lin);
	host_pb_put_map_entry(&b, 7, "app", "web");
	host_pb_put_map_entry(&b, 7, "tier", "front");
	msg_done(&st, &b);
	host_pb_init(&b, out->b, sizeof(out->b));
	put_msg(&b, 1, &st);
	host_pb_put_map_entry(&b, 2, "info", sandbox_info);
	msg_done(out, &b);
}

static void image_status(struct msg *out)
{
	struct host_pb_buf b;
	struct msg img;
	host_pb_init(&b, img.b, sizeof(img.b));
	host_pb_put_str(&b, 1, IMAGE_ID);
	host_pb_put_str(&b, 2, "docker.io/library/nginx:1.25");
	host_pb_put_str(&b, 3, "other.io/nginx@sha256:0000");
	host_pb_put_str(&b, 3, "docker.io/library/nginx@" DIGEST);
	host_pb_put_varint(&b, 4, 123456);
	msg_done(&img, &b);
	host_pb_init(&b, out->b, sizeof(out->b));
	put_msg(&b, 1, &img);
	msg_done(out, &b);
}

/* ---- protobuf wire ---- */

static void test_pb(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct host_pb_buf b;
	host_pb_init(&b, buf, sizeof(buf));
	host_pb_put_varint(&b, 1, 300);
	host_pb_put_str(&b, 2, "abc");
	host_pb_put_varint(&b, 100000, 1);
	assert_false(b.overflow);
	/* 300 = ac 02; field 100000 needs a 3-byte key */
	const uint8_t want[] = { 0x08, 0xac, 0x02, 0x12, 3, 'a', 'b', 'c', 0x80, 0xea, 0x30, 0x01 };
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	size_t cur = 0;
	struct host_pb_field f;
	assert_int_equal(host_pb_next(buf, b.len, &cur, &f), 1);
	assert_int_equal(f.num, 1);
	assert_int_equal(f.v, 300);
	assert_int_equal(host_pb_next(buf, b.len, &cur, &f), 1);
	assert_int_equal(f.wire, HOST_PB_LEN);
	assert_memory_equal(f.p, "abc", 3);
	assert_int_equal(host_pb_next(buf, b.len, &cur, &f), 1);
	assert_int_equal(f.num, 100000);
	assert_int_equal(host_pb_next(buf, b.len, &cur, &f), 0);
	/* fixed64 and fixed32 are skipped over correctly */
	const uint8_t fixed[] = { 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0x15, 2, 0, 0, 0, 0x18, 7 };
	assert_int_equal(host_pb_find(fixed, sizeof(fixed), 3, &f), 1);
	assert_int_equal(f.v, 7);
	assert_int_equal(host_pb_find(fixed, sizeof(fixed), 9, &f), 0);
	/* malformed: a length past the end, a group, a cut varint, field 0 */
	const uint8_t past[] = { 0x12, 10, 'a' }, group[] = { 0x0b }, cut[] = { 0x08, 0x80 }, zero[] = { 0x00, 1 };
	cur = 0;
	assert_int_equal(host_pb_next(past, sizeof(past), &cur, &f), -1);
	cur = 0;
	assert_int_equal(host_pb_next(group, sizeof(group), &cur, &f), -1);
	cur = 0;
	assert_int_equal(host_pb_next(cut, sizeof(cut), &cur, &f), -1);
	cur = 0;
	assert_int_equal(host_pb_next(zero, sizeof(zero), &cur, &f), -1);
	/* the writer never writes past its buffer */
	host_pb_init(&b, buf, 4);
	host_pb_put_str(&b, 1, "too long for four");
	assert_true(b.overflow);
	assert_true(b.len <= 4);
}

/* ---- the record ---- */

static char rec_buf[1 << 16];

static void get(const char *rec, const char *key, char *out, size_t cap)
{
	struct json_span all = json_from_text(rec), c, v;
	assert_int_equal(json_get(all, "container", &c), 0);
	out[0] = '\0';
	if (json_get(c, key, &v) == 0)
		json_text(v, out, cap);
}

static void get_in(const char *rec, const char *obj, const char *key, char *out, size_t cap)
{
	struct json_span all = json_from_text(rec), c, o, v;
	assert_int_equal(json_get(all, "container", &c), 0);
	out[0] = '\0';
	if (json_get(c, obj, &o) == 0 && json_get(o, key, &v) == 0)
		json_text(v, out, cap);
}

static void check_full_record(const char *r)
{
	char t[4096];
	get(r, "id", t, sizeof(t));
	assert_string_equal(t, "c0ffee123456");
	get(r, "full_id", t, sizeof(t));
	assert_string_equal(t, CTR_FULL);
	get(r, "type", t, sizeof(t));
	assert_string_equal(t, "7");
	get(r, "name", t, sizeof(t));
	assert_string_equal(t, "web");
	get(r, "image", t, sizeof(t));
	assert_string_equal(t, "docker.io/library/nginx:1.25");
	get(r, "imageid", t, sizeof(t));
	assert_string_equal(t, IMAGE_ID + 7);
	get(r, "imagerepo", t, sizeof(t));
	assert_string_equal(t, "docker.io/library/nginx");
	get(r, "imagetag", t, sizeof(t));
	assert_string_equal(t, "1.25");
	get(r, "imagedigest", t, sizeof(t)); /* the repository's own digest, not other.io's */
	assert_string_equal(t, DIGEST);
	get(r, "privileged", t, sizeof(t));
	assert_string_equal(t, "true");
	get(r, "host_network", t, sizeof(t)); /* no network namespace in the OCI spec */
	assert_string_equal(t, "true");
	get(r, "host_pid", t, sizeof(t));
	assert_string_equal(t, "false");
	get(r, "host_ipc", t, sizeof(t)); /* the pod's ipc option is NODE */
	assert_string_equal(t, "true");
	get(r, "ip", t, sizeof(t));
	assert_string_equal(t, "10.1.2.3");
	get(r, "started_at", t, sizeof(t));
	assert_string_equal(t, "2026-12-06T17:29:25.700000000Z");
	get(r, "created_time", t, sizeof(t));
	assert_string_equal(t, "2026-12-06T17:29:25.000000000Z");
	get(r, "pod_sandbox_id", t, sizeof(t));
	assert_string_equal(t, SANDBOX_FULL);
	get(r, "cni_json", t, sizeof(t)); /* compacted */
	assert_string_equal(t, "{\"Interfaces\":{\"eth0\":{\"IPConfigs\":[{\"IP\":\"10.1.2.3\",\"Gateway\":\"10.1.2.1\"}]}},"
			       "\"DNS\":[{}]}");
	get_in(r, "pod_sandbox_labels", "app", t, sizeof(t));
	assert_string_equal(t, "web");
	get_in(r, "pod_sandbox_labels", "tier", t, sizeof(t));
	assert_string_equal(t, "front");
	get_in(r, "labels", "io.kubernetes.container.name", t, sizeof(t));
	assert_string_equal(t, "web");
	get_in(r, "labels", "long", t, sizeof(t)); /* over label_max_len */
	assert_string_equal(t, "");
	/* the pod's metadata as kubelet's labels (k8s.pod.name, k8s.ns.name, k8s.pod.uid) */
	get_in(r, "labels", "io.kubernetes.pod.name", t, sizeof(t));
	assert_string_equal(t, "web-7d9f");
	get_in(r, "labels", "io.kubernetes.pod.namespace", t, sizeof(t));
	assert_string_equal(t, "prod");
	get_in(r, "labels", "io.kubernetes.pod.uid", t, sizeof(t));
	assert_string_equal(t, "0b1c2d3e-uid");
	assert_non_null(strstr(r, "\"Mounts\":[{\"Source\":\"/etc\",\"Destination\":\"/host-etc\",\"Mode\":\"ro\",\"RW\":false,"
				  "\"Propagation\":\"rslave\"},{\"Source\":\"/var/data\",\"Destination\":\"/data\",\"Mode\":\"\","
				  "\"RW\":true,\"Propagation\":\"rshared\"}]"));
}

static void check_sandbox_record(const char *r)
{
	char t[4096];
	get(r, "id", t, sizeof(t));
	assert_string_equal(t, "5a4db0c0ffee");
	get(r, "full_id", t, sizeof(t));
	assert_string_equal(t, SANDBOX_FULL);
	get(r, "is_pod_sandbox", t, sizeof(t));
	assert_string_equal(t, "true");
	get(r, "name", t, sizeof(t));
	assert_string_equal(t, "web-7d9f");
	get(r, "image", t, sizeof(t));
	assert_string_equal(t, "registry.k8s.io/pause:3.6");
	get(r, "imagerepo", t, sizeof(t));
	assert_string_equal(t, "registry.k8s.io/pause");
	get(r, "imagetag", t, sizeof(t));
	assert_string_equal(t, "3.6");
	get(r, "host_ipc", t, sizeof(t));
	assert_string_equal(t, "true");
	get(r, "host_network", t, sizeof(t));
	assert_string_equal(t, "false");
	get(r, "ip", t, sizeof(t));
	assert_string_equal(t, "10.1.2.3");
	get(r, "pod_sandbox_id", t, sizeof(t));
	assert_string_equal(t, SANDBOX_FULL);
	get_in(r, "pod_sandbox_labels", "tier", t, sizeof(t));
	assert_string_equal(t, "front");
	get_in(r, "labels", "io.kubernetes.pod.namespace", t, sizeof(t));
	assert_string_equal(t, "prod");
	get(r, "cni_json", t, sizeof(t));
	assert_non_null(strstr(t, "\"IP\":\"10.1.2.3\""));
	assert_non_null(strstr(r, "\"Mounts\":[]"));
}

static void test_cri_record(void **state)
{
	(void)state;
	static struct msg cs, ps, im;
	container_status(&cs);
	sandbox_status(&ps);
	image_status(&im);
	long n = host_ctr_cri_record(cs.b, cs.n, ps.b, ps.n, im.b, im.n, 7, 100, rec_buf, sizeof(rec_buf));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(rec_buf));
	check_full_record(rec_buf);
	n = host_ctr_cri_sandbox_record(ps.b, ps.n, 7, 100, rec_buf, sizeof(rec_buf));
	assert_true(n > 0);
	check_sandbox_record(rec_buf);
	assert_int_equal(host_ctr_cri_sandbox_record(cs.b, 3, 7, 100, rec_buf, sizeof(rec_buf)), -1);
	/* without the sandbox and the image: the container's own fields, the pod's empty */
	n = host_ctr_cri_record(cs.b, cs.n, NULL, 0, NULL, 0, 8, 100, rec_buf, sizeof(rec_buf));
	assert_true(n > 0);
	char t[256];
	get(rec_buf, "type", t, sizeof(t));
	assert_string_equal(t, "8");
	get(rec_buf, "pod_sandbox_id", t, sizeof(t)); /* from the container's info */
	assert_string_equal(t, SANDBOX_FULL);
	get(rec_buf, "ip", t, sizeof(t));
	assert_string_equal(t, "");
	get(rec_buf, "imagedigest", t, sizeof(t));
	assert_string_equal(t, "");
	get(rec_buf, "host_ipc", t, sizeof(t));
	assert_string_equal(t, "false");
	get_in(rec_buf, "labels", "io.kubernetes.pod.name", t, sizeof(t));
	assert_string_equal(t, "");
	assert_null(strstr(rec_buf, "cni_json"));
	assert_null(strstr(rec_buf, "pod_sandbox_labels"));
	/* not a container status; too small a buffer */
	const uint8_t junk[] = { 0x12, 10, 'a' };
	assert_int_equal(host_ctr_cri_record(junk, sizeof(junk), NULL, 0, NULL, 0, 7, 100, rec_buf, sizeof(rec_buf)), -1);
	assert_int_equal(host_ctr_cri_record(cs.b, cs.n, ps.b, ps.n, im.b, im.n, 7, 100, rec_buf, 64), -1);
}

/* ---- a fake CRI runtime: nghttp2's server side over a unix socket ---- */

enum mode { MODE_OK, MODE_UNIMPLEMENTED, MODE_SILENT, MODE_CLOSE, MODE_GARBAGE, MODE_BAD_FRAME };

struct server {
	int fd;
	enum mode mode;
	char path[108];
	pthread_t th;
	pthread_mutex_t mu;
	int calls;           /* requests answered */
	char last_path[128]; /* :path of the last request */
};

struct conn {
	struct server *srv;
	int fd;
	char path[128];
	uint8_t req[4096];
	size_t reqlen;
	uint8_t *resp; /* the 5-byte prefix and the message */
	size_t resplen, respoff;
	int bad_frame;
};

static int srv_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl, const uint8_t *value,
		      size_t vl, uint8_t flags, void *ud)
{
	(void)s;
	(void)f;
	(void)flags;
	struct conn *c = ud;
	if (nl == 5 && memcmp(name, ":path", 5) == 0)
		snprintf(c->path, sizeof(c->path), "%.*s", (int)vl, (const char *)value);
	return 0;
}

static int srv_data(nghttp2_session *s, uint8_t flags, int32_t stream, const uint8_t *data, size_t len, void *ud)
{
	(void)s;
	(void)flags;
	(void)stream;
	struct conn *c = ud;
	if (len <= sizeof(c->req) - c->reqlen) {
		memcpy(c->req + c->reqlen, data, len);
		c->reqlen += len;
	}
	return 0;
}

static ssize_t srv_read(nghttp2_session *s, int32_t stream, uint8_t *buf, size_t len, uint32_t *flags,
			nghttp2_data_source *src, void *ud)
{
	(void)src;
	struct conn *c = ud;
	size_t n = c->resplen - c->respoff;
	if (n > len)
		n = len;
	memcpy(buf, c->resp + c->respoff, n);
	c->respoff += n;
	if (c->respoff == c->resplen) {
		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		nghttp2_nv tr[] = { { (uint8_t *)"grpc-status", (uint8_t *)"0", 11, 1, 0 } };
		nghttp2_submit_trailer(s, stream, tr, 1);
	}
	return (ssize_t)n;
}

/* The request's string field 1 (the id asked for) */
static void req_id(const struct conn *c, char *id, size_t cap)
{
	struct host_pb_field f;
	id[0] = '\0';
	if (c->reqlen > 5 && host_pb_find(c->req + 5, c->reqlen - 5, 1, &f) > 0 && f.wire == HOST_PB_LEN)
		snprintf(id, cap, "%.*s", (int)f.n, (const char *)f.p);
}

static int is_prefix(const char *id, const char *full)
{
	return strlen(id) >= 12 && strncmp(full, id, strlen(id)) == 0;
}

/* The answer to c's request: a message, or a grpc-status with no message. */
static int answer(struct conn *c, struct msg *m)
{
	struct host_pb_buf b;
	char id[256];
	req_id(c, id, sizeof(id));
	m->n = 0;
	if (c->srv->mode == MODE_UNIMPLEMENTED)
		return 12;
	if (strcmp(c->path, "/runtime.v1.RuntimeService/Version") == 0) {
		host_pb_init(&b, m->b, sizeof(m->b));
		host_pb_put_str(&b, 1, "0.1.0");
		host_pb_put_str(&b, 2, "containerd");
		host_pb_put_str(&b, 3, "1.6.20");
		host_pb_put_str(&b, 4, "v1");
		m->n = b.len;
		return 0;
	}
	if (strcmp(c->path, "/runtime.v1.RuntimeService/ListContainers") == 0) {
		/* only the running containers are asked for: filter { state { state: RUNNING } } */
		const uint8_t want[] = { 0x0a, 0x04, 0x12, 0x02, 0x08, 0x01 };
		if (c->reqlen != 5 + sizeof(want) || memcmp(c->req + 5, want, sizeof(want)) != 0)
			return 3; /* INVALID_ARGUMENT */
		struct msg one;
		host_pb_init(&b, one.b, sizeof(one.b));
		host_pb_put_str(&b, 1, CTR_FULL);
		host_pb_put_str(&b, 2, SANDBOX_FULL);
		one.n = b.len;
		host_pb_init(&b, m->b, sizeof(m->b));
		put_msg(&b, 1, &one);
		m->n = b.len;
		return 0;
	}
	if (strcmp(c->path, "/runtime.v1.RuntimeService/ListPodSandbox") == 0) {
		/* only the ready sandboxes: filter { state { state: SANDBOX_READY (0) } } */
		const uint8_t want[] = { 0x0a, 0x02, 0x12, 0x00 };
		if (c->reqlen != 5 + sizeof(want) || memcmp(c->req + 5, want, sizeof(want)) != 0)
			return 3;
		struct msg one;
		host_pb_init(&b, one.b, sizeof(one.b));
		host_pb_put_str(&b, 1, SANDBOX_FULL);
		one.n = b.len;
		host_pb_init(&b, m->b, sizeof(m->b));
		put_msg(&b, 1, &one);
		m->n = b.len;
		return 0;
	}
	if (strcmp(c->path, "/runtime.v1.RuntimeService/ContainerStatus") == 0) {
		if (!is_prefix(id, CTR_FULL))
			return 5;
		container_status(m);
		return 0;
	}
	if (strcmp(c->path, "/runtime.v1.RuntimeService/PodSandboxStatus") == 0) {
		if (!is_prefix(id, SANDBOX_FULL))
			return 5;
		sandbox_status(m);
		return 0;
	}
	if (strcmp(c->path, "/runtime.v1.ImageService/ImageStatus") == 0) {
		/* ImageStatusRequest { image { image } } */
		struct host_pb_field f, g;
		if (host_pb_find(c->req + 5, c->reqlen - 5, 1, &f) <= 0 || host_pb_find(f.p, f.n, 1, &g) <= 0 ||
		    g.n != strlen("docker.io/library/nginx:1.25"))
			return 5;
		image_status(m);
		return 0;
	}
	return 12;
}

static int srv_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct conn *c = ud;
	if (!(f->hd.flags & NGHTTP2_FLAG_END_STREAM) || (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA))
		return 0;
	static struct msg m;
	int st = answer(c, &m);
	pthread_mutex_lock(&c->srv->mu);
	c->srv->calls++;
	snprintf(c->srv->last_path, sizeof(c->srv->last_path), "%s", c->path);
	pthread_mutex_unlock(&c->srv->mu);
	char sts[8];
	snprintf(sts, sizeof(sts), "%d", st);
	if (st != 0) { /* trailers only */
		nghttp2_nv h[] = { { (uint8_t *)":status", (uint8_t *)"200", 7, 3, 0 },
				   { (uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, 0 },
				   { (uint8_t *)"grpc-status", (uint8_t *)sts, 11, strlen(sts), 0 },
				   { (uint8_t *)"grpc-message", (uint8_t *)"fake says no", 12, 12, 0 } };
		return nghttp2_submit_response(s, f->hd.stream_id, h, 4, NULL);
	}
	free(c->resp);
	c->resp = malloc(m.n + 5);
	c->resp[0] = 0;
	/* a bad frame claims one byte more than it carries */
	uint32_t len = (uint32_t)m.n + (c->srv->mode == MODE_BAD_FRAME);
	c->resp[1] = (uint8_t)(len >> 24);
	c->resp[2] = (uint8_t)(len >> 16);
	c->resp[3] = (uint8_t)(len >> 8);
	c->resp[4] = (uint8_t)len;
	memcpy(c->resp + 5, m.b, m.n);
	c->resplen = m.n + 5;
	c->respoff = 0;
	nghttp2_nv h[] = { { (uint8_t *)":status", (uint8_t *)"200", 7, 3, 0 },
			   { (uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, 0 } };
	nghttp2_data_provider dp = { .read_callback = srv_read };
	return nghttp2_submit_response(s, f->hd.stream_id, h, 2, &dp);
}

static void serve_h2(struct server *srv, int fd)
{
	struct conn c = { .srv = srv, .fd = fd };
	nghttp2_session_callbacks *cb;
	nghttp2_session *s;
	nghttp2_session_callbacks_new(&cb);
	nghttp2_session_callbacks_set_on_header_callback(cb, srv_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, srv_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, srv_frame);
	nghttp2_session_server_new(&s, cb, &c);
	nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, NULL, 0);
	uint8_t buf[16384];
	for (;;) {
		const uint8_t *out;
		ssize_t n;
		while ((n = nghttp2_session_mem_send(s, &out)) > 0)
			if (send(fd, out, (size_t)n, MSG_NOSIGNAL) != n)
				goto done;
		if (!nghttp2_session_want_read(s) && !nghttp2_session_want_write(s))
			break;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 3000) <= 0)
			break;
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0 || nghttp2_session_mem_recv(s, buf, (size_t)r) < 0)
			break;
	}
done:
	nghttp2_session_del(s);
	nghttp2_session_callbacks_del(cb);
	free(c.resp);
}

static void *serve(void *arg)
{
	struct server *s = arg;
	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		switch (s->mode) {
		case MODE_SILENT: {
			char b[256];
			(void)!recv(c, b, sizeof(b), 0);
			struct pollfd p = { .fd = c, .events = POLLIN };
			while (poll(&p, 1, 2000) > 0 && recv(c, b, sizeof(b), 0) > 0)
				; /* read and never answer, until the client gives up */
			break;
		}
		case MODE_CLOSE:
			break;
		case MODE_GARBAGE: {
			const char g[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
			char b[256];
			(void)!recv(c, b, sizeof(b), 0);
			(void)!send(c, g, sizeof(g) - 1, MSG_NOSIGNAL);
			usleep(300000); /* keep it open: the client must not wait for more */
			break;
		}
		default:
			serve_h2(s, c);
		}
		close(c);
	}
}

static void server_start(struct server *s, const char *name, enum mode mode)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	snprintf(s->path, sizeof(s->path), "/tmp/saker-cri-%d-%s.sock", (int)getpid(), name);
	unlink(s->path);
	s->mode = mode;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", s->path);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->fd);
	unlink(s->path);
	pthread_mutex_destroy(&s->mu);
}

static int server_calls(struct server *s)
{
	pthread_mutex_lock(&s->mu);
	int n = s->calls;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void on_id(void *ctx, const char *id)
{
	char *ids = ctx;
	snprintf(ids + strlen(ids), 200 - strlen(ids), "%s;", id);
}

/* The calls against the fake runtime: answers, NOT_FOUND, other statuses. */
static void test_grpc_calls(void **state)
{
	(void)state;
	struct server s;
	server_start(&s, "ok", MODE_OK);
	char name[64], id[200] = "";
	assert_int_equal(host_ctr_cri_version(s.path, 2000, name, sizeof(name)), 0);
	assert_string_equal(name, "containerd");
	assert_int_equal(host_ctr_cri_list(s.path, 2000, on_id, id), 0);
	assert_string_equal(id, CTR_FULL ";" SANDBOX_FULL ";");
	char err[256];
	long n = host_ctr_cri_inspect(s.path, "c0ffee123456", 7, 2000, 100, rec_buf, sizeof(rec_buf), err, sizeof(err));
	assert_true(n > 0);
	check_full_record(rec_buf); /* every field, through the socket */
	assert_int_equal(server_calls(&s), 6); /* Version, ListContainers, ListPodSandbox, ContainerStatus, PodSandboxStatus, ImageStatus */
	assert_string_equal(s.last_path, "/runtime.v1.ImageService/ImageStatus");
	/* the sandbox's id: its own record */
	n = host_ctr_cri_inspect(s.path, "5a4db0c0ffee", 7, 2000, 100, rec_buf, sizeof(rec_buf), err, sizeof(err));
	assert_true(n > 0);
	check_sandbox_record(rec_buf);
	/* an unknown container: NOT_FOUND is "not here", not a failure */
	assert_int_equal(host_ctr_cri_inspect(s.path, "000000000000", 7, 2000, 100, rec_buf, sizeof(rec_buf), err, sizeof(err)),
			 0);
	assert_string_equal(err, "fake says no");
	/* a raw call: grpc-status and message */
	uint8_t *msg;
	size_t mlen;
	assert_int_equal(host_ctr_grpc_call(s.path, "/runtime.v1.RuntimeService/Nope", NULL, 0, 2000, &msg, &mlen, err,
					    sizeof(err)),
			 12);
	assert_null(msg);
	server_stop(&s);

	server_start(&s, "unimpl", MODE_UNIMPLEMENTED);
	assert_int_equal(host_ctr_cri_version(s.path, 2000, name, sizeof(name)), 12);
	assert_int_equal(host_ctr_cri_inspect(s.path, "c0ffee123456", 7, 2000, 100, rec_buf, sizeof(rec_buf), err, sizeof(err)),
			 -1012);
	server_stop(&s);
}

/* What a runtime that is not there, not gRPC or not answering does to a call. */
static void test_grpc_failures(void **state)
{
	(void)state;
	struct server s;
	uint8_t *msg;
	size_t mlen;
	char err[256], name[64];
	const char *m = "/runtime.v1.RuntimeService/Version";
	assert_int_equal(host_ctr_grpc_call("/nonexistent/saker-cri.sock", m, NULL, 0, 500, &msg, &mlen, err, sizeof(err)),
			 -ENOENT);
	server_start(&s, "silent", MODE_SILENT);
	assert_int_equal(host_ctr_grpc_call(s.path, m, NULL, 0, 200, &msg, &mlen, err, sizeof(err)), -ETIMEDOUT);
	assert_null(msg);
	server_stop(&s);
	server_start(&s, "close", MODE_CLOSE);
	int rc = host_ctr_grpc_call(s.path, m, NULL, 0, 2000, &msg, &mlen, err, sizeof(err));
	assert_true(rc == -ECONNRESET || rc == -EPIPE);
	server_stop(&s);
	server_start(&s, "garbage", MODE_GARBAGE);
	assert_int_equal(host_ctr_grpc_call(s.path, m, NULL, 0, 2000, &msg, &mlen, err, sizeof(err)), -EPROTO);
	server_stop(&s);
	server_start(&s, "badframe", MODE_BAD_FRAME);
	assert_int_equal(host_ctr_cri_version(s.path, 2000, name, sizeof(name)), -EPROTO);
	assert_int_equal(server_calls(&s), 1);
	server_stop(&s);
}

/* The thread over CRI: the running container found by listing, a silent
 * CRI socket reported once; the containerd and cri engines' sockets. */
static void test_lookup_thread_cri(void **state)
{
	(void)state;
	struct server s, quiet;
	server_start(&s, "ctrd", MODE_OK);
	server_start(&quiet, "crio", MODE_SILENT);
	struct host_ctr_opts o;
	host_ctr_opts_default(&o);
	const char *cp[] = { s.path }, *qp[] = { quiet.path };
	assert_int_equal(host_ctr_set_sockets(&o, HOST_CTR_CONTAINERD, cp, 1), 0);
	assert_int_equal(host_ctr_set_sockets(&o, HOST_CTR_CRI, qp, 1), 0);
	o.engine[HOST_CTR_DOCKER].enabled = o.engine[HOST_CTR_PODMAN].enabled = 0;
	o.timeout_ms = 200;
	struct test_notices ns = TEST_NOTICES_INIT;
	o.notice = test_notice_collect;
	o.ctx = &ns;
	char err[256];
	struct host_ctr *c = host_ctr_start(&o, err, sizeof(err));
	assert_non_null(c);
	struct sk_meta *m = sk_meta_new();
	/* waits for an answer, not for a time: the test fails by hanging only if nothing ever arrives */
	while (m->n_containers < 2) {
		host_ctr_take(c, m);
		usleep(10000);
	}
	host_ctr_stop(c);
	assert_int_equal(m->n_containers, 2); /* the container and its pod's sandbox, from the listings */
	assert_string_equal(m->containers[0].id, "c0ffee123456");
	check_full_record(m->containers[0].json);
	assert_string_equal(m->containers[1].id, "5a4db0c0ffee");
	check_sandbox_record(m->containers[1].json);
	assert_non_null(strstr(ns.text, "containers: using containerd (CRI, containerd) at "));
	assert_non_null(strstr(ns.text, "containers: cri at "));
	assert_non_null(strstr(ns.text, ": no answer in time; retrying with backoff"));
	const char *first = strstr(ns.text, "no answer in time");
	assert_null(strstr(first + 1, "no answer in time"));
	sk_meta_free(m);
	server_stop(&s);
	server_stop(&quiet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pb),
		cmocka_unit_test(test_cri_record),
		cmocka_unit_test(test_grpc_calls),
		cmocka_unit_test(test_grpc_failures),
		cmocka_unit_test(test_lookup_thread_cri),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
