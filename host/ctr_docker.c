/* host/ctr_docker.c: a Docker Engine API inspect answer (docker, podman) turned into a container record (fields.md 7.3). */
#include "host/containers.h"
#include "host/ctr_int.h"
#include "json/json.h"

#include <stdio.h>
#include <string.h>

#define TEXT_MAX 4096

/* String member key of obj unescaped into buf ("" when absent or not a string). */
static const char *str_at(const struct json_doc *d, uint32_t obj, const char *key, char *buf, size_t cap)
{
	buf[0] = '\0';
	uint32_t v = obj == JSON_NONE ? JSON_NONE : json_doc_get(d, obj, key);
	if (v != JSON_NONE && d->tok[v].kind == JSON_K_STRING && json_text(json_doc_span(d, v), buf, cap) < 0)
		buf[0] = '\0';
	return buf;
}

static int bool_at(const struct json_doc *d, uint32_t obj, const char *key)
{
	uint32_t v = obj == JSON_NONE ? JSON_NONE : json_doc_get(d, obj, key);
	return v != JSON_NONE && d->tok[v].kind == JSON_K_TRUE;
}

static uint32_t obj_at(const struct json_doc *d, uint32_t obj, const char *key, int kind)
{
	uint32_t v = obj == JSON_NONE ? JSON_NONE : json_doc_get(d, obj, key);
	return v != JSON_NONE && d->tok[v].kind == kind ? v : JSON_NONE;
}

void ctr_put_key(struct json_buf *o, const char *key)
{
	json_buf_put(o, ",", 1);
	json_buf_string(o, key, strlen(key));
	json_buf_put(o, ":", 1);
}

void ctr_put_str(struct json_buf *o, const char *key, const char *val)
{
	ctr_put_key(o, key);
	json_buf_string(o, val, strlen(val));
}

void ctr_put_bool(struct json_buf *o, const char *key, int val)
{
	ctr_put_key(o, key);
	json_buf_puts(o, val ? "true" : "false");
}

void ctr_put_head(struct json_buf *o, char *out, size_t cap, const char *full, int type, const char *name,
		  const char *image, const char *imageid, const char *repo)
{
	char t[16];
	json_buf_init(o, out, cap);
	json_buf_puts(o, "{\"container\":{\"id\":");
	json_buf_string(o, full, 12);
	ctr_put_str(o, "full_id", full);
	ctr_put_key(o, "type");
	snprintf(t, sizeof(t), "%d", type);
	json_buf_puts(o, t);
	ctr_put_str(o, "name", name);
	ctr_put_str(o, "image", image);
	ctr_put_str(o, "imageid", imageid);
	ctr_put_str(o, "imagerepo", repo);
}

void ctr_split_image(const char *image, char *repo, char *tag, char *digest, size_t cap)
{
	snprintf(repo, cap, "%s", image);
	tag[0] = digest[0] = '\0';
	char *at = strchr(repo, '@');
	if (at) {
		snprintf(digest, cap, "%s", at + 1);
		*at = '\0';
	}
	char *slash = strrchr(repo, '/');
	char *colon = strrchr(slash ? slash : repo, ':');
	if (colon) {
		snprintf(tag, cap, "%s", colon + 1);
		*colon = '\0';
	} else if (!at) {
		snprintf(tag, cap, "latest");
	}
}

/* The digest of repo among an image's RepoDigests ("repo@sha256:..."):
 * the one whose name matches, else the first. */
static void digest_from_image(const char *image, size_t len, const char *repo, char *digest, size_t cap)
{
	struct json_doc d;
	json_doc_init(&d);
	if (image && json_doc_parse(&d, image, len) == 0 && d.tok[0].kind == JSON_K_OBJECT) {
		uint32_t arr = obj_at(&d, 0, "RepoDigests", JSON_K_ARRAY);
		char one[TEXT_MAX];
		for (size_t i = 0; arr != JSON_NONE && i < json_doc_count(&d, arr); i++) {
			uint32_t v = json_doc_index(&d, arr, i);
			if (d.tok[v].kind != JSON_K_STRING || json_text(json_doc_span(&d, v), one, sizeof(one)) < 0)
				continue;
			char *at = strchr(one, '@');
			if (!at)
				continue;
			*at = '\0';
			if (!digest[0] || strcmp(one, repo) == 0)
				snprintf(digest, cap, "%s", at + 1);
			if (strcmp(one, repo) == 0)
				break;
		}
	}
	json_doc_free(&d);
}

static void put_mounts(struct json_buf *o, const struct json_doc *d, uint32_t mounts)
{
	ctr_put_key(o, "Mounts");
	json_buf_put(o, "[", 1);
	char t[TEXT_MAX];
	for (size_t i = 0; mounts != JSON_NONE && i < json_doc_count(d, mounts); i++) {
		uint32_t m = json_doc_index(d, mounts, i);
		if (d->tok[m].kind != JSON_K_OBJECT)
			continue;
		json_buf_puts(o, i ? ",{" : "{");
		json_buf_puts(o, "\"Source\":");
		str_at(d, m, "Source", t, sizeof(t));
		json_buf_string(o, t, strlen(t));
		ctr_put_str(o, "Destination", str_at(d, m, "Destination", t, sizeof(t)));
		ctr_put_str(o, "Mode", str_at(d, m, "Mode", t, sizeof(t)));
		ctr_put_bool(o, "RW", bool_at(d, m, "RW"));
		ctr_put_str(o, "Propagation", str_at(d, m, "Propagation", t, sizeof(t)));
		json_buf_put(o, "}", 1);
	}
	json_buf_put(o, "]", 1);
}

static void put_labels(struct json_buf *o, const struct json_doc *d, uint32_t labels, unsigned max_len)
{
	ctr_put_key(o, "labels");
	json_buf_put(o, "{", 1);
	int first = 1;
	for (uint32_t k = labels == JSON_NONE ? 0 : labels + 1; labels != JSON_NONE && k < d->tok[labels].end;
	     k = d->tok[k + 1].end) {
		if (d->tok[k + 1].kind != JSON_K_STRING)
			continue;
		char key[TEXT_MAX], val[TEXT_MAX];
		long kl = json_text(json_doc_span(d, k), key, sizeof(key));
		long vl = json_text(json_doc_span(d, k + 1), val, sizeof(val));
		if (kl < 0 || vl < 0 || (max_len && (unsigned long)vl > max_len))
			continue; /* the plugin's label_max_len: longer values are not reported */
		if (!first)
			json_buf_put(o, ",", 1);
		first = 0;
		json_buf_string(o, key, (size_t)kl);
		json_buf_put(o, ":", 1);
		json_buf_string(o, val, (size_t)vl);
	}
	json_buf_put(o, "}", 1);
}

/* The primary IPv4 address: NetworkSettings.IPAddress, else the first
 * network's. */
static void ip_of(const struct json_doc *d, uint32_t ns, char *ip, size_t cap)
{
	str_at(d, ns, "IPAddress", ip, cap);
	uint32_t nets = obj_at(d, ns, "Networks", JSON_K_OBJECT);
	for (uint32_t k = nets == JSON_NONE ? 0 : nets + 1; !ip[0] && nets != JSON_NONE && k < d->tok[nets].end;
	     k = d->tok[k + 1].end)
		str_at(d, d->tok[k + 1].kind == JSON_K_OBJECT ? k + 1 : JSON_NONE, "IPAddress", ip, cap);
}

long host_ctr_docker_record(const char *inspect, size_t ilen, const char *image, size_t imlen, int type,
			    unsigned label_max_len, char *out, size_t cap)
{
	struct json_doc d;
	json_doc_init(&d);
	long rc = -1;
	if (json_doc_parse(&d, inspect, ilen) < 0 || d.tok[0].kind != JSON_K_OBJECT)
		goto done;
	char full[TEXT_MAX], name[TEXT_MAX], img[TEXT_MAX], imageid[TEXT_MAX], t[TEXT_MAX];
	char repo[TEXT_MAX], tag[TEXT_MAX], digest[TEXT_MAX];
	str_at(&d, 0, "Id", full, sizeof(full));
	if (strlen(full) < 12)
		goto done;
	uint32_t config = obj_at(&d, 0, "Config", JSON_K_OBJECT);
	uint32_t hc = obj_at(&d, 0, "HostConfig", JSON_K_OBJECT);
	str_at(&d, 0, "Name", name, sizeof(name));
	str_at(&d, config, "Image", img, sizeof(img));
	if (!img[0])
		str_at(&d, 0, "ImageName", img, sizeof(img)); /* podman's own inspect */
	str_at(&d, 0, "Image", imageid, sizeof(imageid));
	const char *iid = strncmp(imageid, "sha256:", 7) == 0 ? imageid + 7 : imageid;
	ctr_split_image(img, repo, tag, digest, sizeof(repo));
	if (!digest[0])
		digest_from_image(image, imlen, repo, digest, sizeof(digest));

	struct json_buf o;
	ctr_put_head(&o, out, cap, full, type, name[0] == '/' ? name + 1 : name, img, iid, repo);
	ctr_put_str(&o, "imagetag", tag);
	ctr_put_str(&o, "imagedigest", digest);
	ctr_put_bool(&o, "privileged", bool_at(&d, hc, "Privileged"));
	ctr_put_bool(&o, "host_pid", strcmp(str_at(&d, hc, "PidMode", t, sizeof(t)), "host") == 0);
	ctr_put_bool(&o, "host_network", strcmp(str_at(&d, hc, "NetworkMode", t, sizeof(t)), "host") == 0);
	ctr_put_bool(&o, "host_ipc", strcmp(str_at(&d, hc, "IpcMode", t, sizeof(t)), "host") == 0);
	ip_of(&d, obj_at(&d, 0, "NetworkSettings", JSON_K_OBJECT), t, sizeof(t));
	ctr_put_str(&o, "ip", t);
	ctr_put_str(&o, "User", str_at(&d, config, "User", t, sizeof(t)));
	ctr_put_str(&o, "created_time", str_at(&d, 0, "Created", t, sizeof(t)));
	ctr_put_str(&o, "started_at", str_at(&d, obj_at(&d, 0, "State", JSON_K_OBJECT), "StartedAt", t, sizeof(t)));
	ctr_put_bool(&o, "is_pod_sandbox", 0);
	uint32_t labels = obj_at(&d, config, "Labels", JSON_K_OBJECT);
	/* a kubelet-managed docker container names its sandbox in a label */
	str_at(&d, labels, "io.kubernetes.sandbox.id", t, sizeof(t));
	if (t[0])
		ctr_put_str(&o, "pod_sandbox_id", t);
	put_labels(&o, &d, labels, label_max_len);
	put_mounts(&o, &d, obj_at(&d, 0, "Mounts", JSON_K_ARRAY));
	json_buf_puts(&o, "}}");
	if (o.len + 1 < cap)
		rc = (long)o.len;
done:
	json_doc_free(&d);
	return rc;
}
