/* replay/extract/container.c: container.* and k8s.* fields from recorded runtime metadata (fields.md §7). */
#include "replay/extract/extract.h"
#include "json/json.h"

#include <regex.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char *const container_types[] = {
	"docker", "lxc", "libvirt-lxc", "mesos", "rkt", "", "cri", "containerd", "cri-o", "bpm", "", "podman",
};

static int cs_out(struct extract_ctx *c, struct rule_value *out, const char *s)
{
	return extract_val_str(c, out, RF_STRING, s, strlen(s));
}

/* The container object of the record for id, or -1 if no metadata yet. */
static int container_obj(struct extract_ctx *c, const char *id, struct json_span *obj)
{
	const struct state_container *rec = state_updater_container(c->u, id);
	if (!rec || !rec->json)
		return -1;
	struct json_span all = json_from_text(rec->json);
	if (json_get(all, "container", obj) < 0)
		*obj = all;
	return 0;
}

static int key_text(struct extract_ctx *c, struct rule_value *out, struct json_span obj, const char *key)
{
	struct json_span v;
	if (json_get(obj, key, &v) < 0)
		return cs_out(c, out, "");
	char *b = extract_ctx_scratch(c, v.n + 1);
	long n = json_text(v, b, v.n + 1);
	if (n < 0)
		return cs_out(c, out, "");
	return extract_val_str(c, out, RF_STRING, b, (size_t)n);
}

static int key_bool(struct rule_value *out, struct json_span obj, const char *key)
{
	struct json_span v;
	int b = json_get(obj, key, &v) == 0 ? json_bool(v) : 0;
	return extract_val_bool(out, b > 0);
}

/* "registry:5000/a/b:1@sha256:..." -> repository, tag. */
static int image_part(struct extract_ctx *c, struct rule_value *out, struct json_span obj, int want_tag)
{
	struct json_span v;
	const char *key = want_tag ? "imagetag" : "imagerepo";
	if (json_get(obj, key, &v) == 0 && v.n > 2)
		return key_text(c, out, obj, key);
	if (json_get(obj, "image", &v) < 0)
		return cs_out(c, out, "");
	char *b = extract_ctx_scratch(c, v.n + 1);
	long n = json_text(v, b, v.n + 1);
	if (n < 0)
		return cs_out(c, out, "");
	char *at = strchr(b, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(b, '/');
	char *colon = strrchr(slash ? slash : b, ':');
	if (want_tag)
		return cs_out(c, out, colon ? colon + 1 : "");
	if (colon)
		*colon = '\0';
	return cs_out(c, out, b);
}

static int label_value(struct extract_ctx *c, struct rule_value *out, struct json_span obj, const char *labels_key, const char *label)
{
	struct json_span labels, v;
	if (json_get(obj, labels_key, &labels) < 0 || json_get(labels, label, &v) < 0)
		return 0;
	char *b = extract_ctx_scratch(c, v.n + 1);
	long n = json_text(v, b, v.n + 1);
	return n < 0 ? 0 : extract_val_str(c, out, RF_STRING, b, (size_t)n);
}

/* "k1:v1, k2:v2", skipping annotation./io.kubernetes. keys. */
static int labels_text(struct extract_ctx *c, struct rule_value *out, struct json_span obj, const char *labels_key)
{
	struct json_span labels, k, v;
	if (json_get(obj, labels_key, &labels) < 0)
		return cs_out(c, out, "");
	char *b = extract_ctx_scratch(c, labels.n + 1);
	size_t n = 0, cursor = 0;
	char tmp[1024];
	while (json_next_member(labels, &cursor, &k, &v) == 0) {
		if ((k.n >= 11 && memcmp(k.p, "annotation.", 11) == 0) || (k.n >= 15 && memcmp(k.p, "io.kubernetes.", 14) == 0))
			continue;
		long vl = json_text(v, tmp, sizeof(tmp));
		n += (size_t)snprintf(b + n, labels.n + 1 - n, "%s%.*s", n ? ", " : "", (int)k.n, k.p);
		if (vl > 0)
			n += (size_t)snprintf(b + n, labels.n + 1 - n, ":%s", tmp);
	}
	b[n] = '\0';
	return extract_val_str(c, out, RF_STRING, b, n);
}

static void mount_text(struct json_span m, char *buf, size_t cap)
{
	char src[1024] = "", dst[1024] = "", mode[64] = "", prop[64] = "";
	struct json_span v;
	if (json_get(m, "Source", &v) == 0) json_text(v, src, sizeof(src));
	if (json_get(m, "Destination", &v) == 0) json_text(v, dst, sizeof(dst));
	if (json_get(m, "Mode", &v) == 0) json_text(v, mode, sizeof(mode));
	if (json_get(m, "Propagation", &v) == 0) json_text(v, prop, sizeof(prop));
	int rw = json_get(m, "RW", &v) == 0 ? json_bool(v) : 0;
	snprintf(buf, cap, "%s:%s:%s:%s:%s", src, dst, mode, rw > 0 ? "true" : "false", prop);
}

static int mounts_text(struct extract_ctx *c, struct rule_value *out, struct json_span obj)
{
	struct json_span mounts, m;
	if (json_get(obj, "Mounts", &mounts) < 0)
		return cs_out(c, out, "");
	char *b = extract_ctx_scratch(c, mounts.n + 64);
	size_t n = 0;
	char one[2200];
	for (size_t i = 0; json_index(mounts, i, &m) == 0; i++) {
		mount_text(m, one, sizeof(one));
		n += (size_t)snprintf(b + n, mounts.n + 64 - n, "%s%s", i ? "," : "", one);
	}
	b[n] = '\0';
	return extract_val_str(c, out, RF_STRING, b, n);
}

/* container.mount*[i|pattern]: a number selects by index, anything else is an
 * unanchored regex searched in the mount's Source (Destination for
 * mount.source) — upstream's selector, reproduced (decisions.md). */
static int select_mount(struct json_span obj, const char *arg, const char *match_key, struct json_span *mount)
{
	struct json_span mounts, m, v;
	if (!arg || json_get(obj, "Mounts", &mounts) < 0)
		return -1;
	char *end;
	unsigned long idx = strtoul(arg, &end, 10);
	if (*arg && !*end)
		return json_index(mounts, idx, mount);
	regex_t re;
	if (regcomp(&re, arg, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	int found = -1;
	char text[1024];
	for (size_t i = 0; json_index(mounts, i, &m) == 0; i++) {
		if (json_get(m, match_key, &v) < 0 || json_text(v, text, sizeof(text)) < 0)
			continue;
		if (regexec(&re, text, 0, NULL, 0) == 0) {
			*mount = m;
			found = 0;
			break;
		}
	}
	regfree(&re);
	return found;
}

static int mount_field(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out,
		       struct json_span obj)
{
	struct json_span m;
	const char *match_key = ref->id == F_CONTAINER_MOUNT_SOURCE ? "Destination" : "Source";
	if (select_mount(obj, ref->arg, match_key, &m) < 0)
		return 0;
	char *b = extract_ctx_scratch(c, 2200);
	struct json_span v;
	switch (ref->id) {
	case F_CONTAINER_MOUNT:
		mount_text(m, b, 2200);
		return cs_out(c, out, b);
	case F_CONTAINER_MOUNT_SOURCE:
		return key_text(c, out, m, "Source");
	case F_CONTAINER_MOUNT_DEST:
		return key_text(c, out, m, "Destination");
	case F_CONTAINER_MOUNT_MODE:
		return key_text(c, out, m, "Mode");
	case F_CONTAINER_MOUNT_PROPAGATION:
		return key_text(c, out, m, "Propagation");
	default: /* F_CONTAINER_MOUNT_RDWR */
		return cs_out(c, out, json_get(m, "RW", &v) == 0 && json_bool(v) > 0 ? "true" : "false");
	}
}

static int host_value(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	switch (ref->id) {
	case F_CONTAINER_ID: case F_CONTAINER_FULL_ID: case F_CONTAINER_NAME: case F_CONTAINER_TYPE:
		return cs_out(c, out, "host");
	case F_CONTAINER_IMAGE: case F_CONTAINER_IMAGE_REPOSITORY: case F_CONTAINER_IMAGE_TAG:
	case F_CONTAINER_IMAGE_DIGEST: case F_CONTAINER_IMAGE_ID: case F_CONTAINER_MOUNTS:
	case F_CONTAINER_IP: case F_CONTAINER_CNI_JSON: case F_CONTAINER_LABELS:
	case F_K8S_POD_SANDBOX_ID: case F_K8S_POD_FULL_SANDBOX_ID: case F_K8S_POD_LABELS:
		return cs_out(c, out, "");
	case F_CONTAINER_PRIVILEGED: case F_CONTAINER_HOST_PID: case F_CONTAINER_HOST_NETWORK:
	case F_CONTAINER_HOST_IPC:
		return extract_val_bool(out, 0);
	default:
		return 0;
	}
}

int extract_container(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	const struct state_thread *t = c->u->cur.thread;
	if (!t)
		return 0;
	const char *cid = t->container_id;
	if (ref->id == F_CONTAINER_START_TS || ref->id == F_CONTAINER_DURATION) {
		uint64_t start = cid[0] ? t->pidns_init_start_ts : c->u->boot_ts;
		if (!start)
			return 0;
		if (ref->id == F_CONTAINER_START_TS)
			return extract_val_int(out, ref->type, (int64_t)start);
		return c->ev->ts >= start ? extract_val_int(out, ref->type, (int64_t)(c->ev->ts - start)) : 0;
	}
	if (!cid[0])
		return host_value(c, ref, out);
	if (ref->id == F_CONTAINER_ID)
		return cs_out(c, out, cid);
	struct json_span obj;
	if (container_obj(c, cid, &obj) < 0)
		return 0; /* metadata not (yet) known: no value, never a made-up one */
	struct json_span v;
	switch (ref->id) {
	case F_CONTAINER_FULL_ID: return key_text(c, out, obj, "full_id");
	case F_CONTAINER_NAME: {
		key_text(c, out, obj, "name");
		if (out->len && out->v.s[0] == '/') {
			out->v.s++;
			out->len--;
		}
		return 1;
	}
	case F_CONTAINER_IMAGE: return key_text(c, out, obj, "image");
	case F_CONTAINER_IMAGE_REPOSITORY: return image_part(c, out, obj, 0);
	case F_CONTAINER_IMAGE_TAG: return image_part(c, out, obj, 1);
	case F_CONTAINER_IMAGE_DIGEST: return key_text(c, out, obj, "imagedigest");
	case F_CONTAINER_IMAGE_ID: {
		key_text(c, out, obj, "imageid");
		if (out->len >= 7 && memcmp(out->v.s, "sha256:", 7) == 0) {
			out->v.s += 7;
			out->len -= 7;
		}
		return 1;
	}
	case F_CONTAINER_TYPE: {
		char tb[16];
		if (json_get(obj, "type", &v) == 0 && json_text(v, tb, sizeof(tb)) > 0) {
			long k = strtol(tb, NULL, 10);
			if (k >= 0 && k < (long)(sizeof(container_types) / sizeof(container_types[0])))
				return cs_out(c, out, container_types[k]);
		}
		return cs_out(c, out, "");
	}
	case F_CONTAINER_PRIVILEGED: return key_bool(out, obj, "privileged");
	case F_CONTAINER_HOST_PID: return key_bool(out, obj, "host_pid");
	case F_CONTAINER_HOST_NETWORK: return key_bool(out, obj, "host_network");
	case F_CONTAINER_HOST_IPC: return key_bool(out, obj, "host_ipc");
	case F_CONTAINER_IP: return key_text(c, out, obj, "ip");
	case F_CONTAINER_CNI_JSON: return key_text(c, out, obj, "cni_json");
	case F_CONTAINER_MOUNTS: return mounts_text(c, out, obj);
	case F_CONTAINER_MOUNT: case F_CONTAINER_MOUNT_SOURCE: case F_CONTAINER_MOUNT_DEST:
	case F_CONTAINER_MOUNT_MODE: case F_CONTAINER_MOUNT_RDWR: case F_CONTAINER_MOUNT_PROPAGATION:
		return mount_field(c, ref, out, obj);
	case F_CONTAINER_LABEL: return ref->arg ? label_value(c, out, obj, "labels", ref->arg) : 0;
	case F_CONTAINER_LABELS: return labels_text(c, out, obj, "labels");
	case F_K8S_POD_NAME: return label_value(c, out, obj, "labels", "io.kubernetes.pod.name");
	case F_K8S_NS_NAME: return label_value(c, out, obj, "labels", "io.kubernetes.pod.namespace");
	case F_K8S_POD_UID: case F_K8S_POD_ID: return label_value(c, out, obj, "labels", "io.kubernetes.pod.uid");
	case F_K8S_POD_FULL_SANDBOX_ID: return key_text(c, out, obj, "pod_sandbox_id");
	case F_K8S_POD_SANDBOX_ID: {
		key_text(c, out, obj, "pod_sandbox_id");
		if (out->len > 12)
			out->len = 12;
		char *b = extract_ctx_scratch(c, 13);
		memcpy(b, out->v.s, out->len);
		b[out->len] = '\0';
		out->v.s = b;
		return 1;
	}
	case F_K8S_POD_LABEL: return ref->arg ? label_value(c, out, obj, "pod_sandbox_labels", ref->arg) : 0;
	case F_K8S_POD_LABELS: return labels_text(c, out, obj, "pod_sandbox_labels");
	case F_K8S_POD_IP: return key_text(c, out, obj, "ip");
	case F_K8S_POD_CNI_JSON: return key_text(c, out, obj, "cni_json");
	default:
		return 0; /* deprecated fields: always NA */
	}
}
