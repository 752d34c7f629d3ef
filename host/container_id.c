/* host/container_id.c: container ids derived from cgroup paths, as the container plugin's matchers do (fields.md §7.1). */
#include "host/containers.h"

#include <ctype.h>
#include <string.h>

static const char *last_occurrence(const char *hay, size_t hlen, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0 || n > hlen)
		return NULL;
	for (size_t i = hlen - n + 1; i-- > 0;)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* runc-style match: id between the last prefix and the last suffix; only a
 * 64-hex id counts (reported as its first 12 chars). */
static int match_runc(const char *path, size_t len, const char *prefix, const char *suffix, char out[16])
{
	const char *p = last_occurrence(path, len, prefix);
	if (!p)
		return 0;
	const char *start = p + strlen(prefix);
	const char *end = path + len;
	if (suffix[0]) {
		const char *s = last_occurrence(start, (size_t)(end - start), suffix);
		if (!s)
			return 0;
		end = s;
	}
	size_t n = (size_t)(end - start);
	if (n != 64 || !all_hex(start, n))
		return 0;
	memcpy(out, start, 12);
	out[12] = '\0';
	return 1;
}

static int match_list(const char *path, size_t len, const char *const pairs[][2], size_t n, char out[16])
{
	for (size_t i = 0; i < n; i++)
		if (match_runc(path, len, pairs[i][0], pairs[i][1], out))
			return 1;
	return 0;
}

static const char *const podman_pairs[][2] = {
	{ "/libpod-", ".scope" }, { "/libpod-", ".scope/container" }, { "/libpod-", "" },
	{ "/libpod-payload-", ".scope" }, { "/libpod-payload-", ".scope/container" }, { "/libpod-payload-", "" },
};
static const char *const docker_pairs[][2] = { { "/", "" }, { "/docker-", ".scope" } };
static const char *const cri_pairs[][2] = {
	{ "/", "" }, { "/crio-", "" }, { "/cri-containerd-", ".scope" }, { "/crio-", ".scope" },
	{ ":cri-containerd:", "" }, { "/docker-", ".scope" }, { "/nerdctl-", ".scope" },
};

/* ctr-managed containers live under /<namespace>/<id>. */
static int match_containerd(const char *path, size_t len, char out[16])
{
	if (len < 3 || path[0] != '/')
		return 0;
	size_t i = 1;
	while (i < len && isalnum((unsigned char)path[i])) {
		while (i < len && isalnum((unsigned char)path[i]))
			i++;
		if (i < len && (path[i] == '.' || path[i] == '_' || path[i] == '-') && i + 1 < len &&
		    isalnum((unsigned char)path[i + 1]))
			i++;
	}
	if (i == 1 || i >= len || path[i] != '/')
		return 0;
	const char *id = path + i + 1;
	size_t n = len - i - 1;
	if (n == 0 || n > 64 || ends_with(id, n, ".service") || ends_with(id, n, ".slice") ||
	    ends_with(id, n, ".scope"))
		return 0;
	size_t k = n < 12 ? n : 12;
	memcpy(out, id, k);
	out[k] = '\0';
	return 1;
}

static int match_after(const char *path, size_t len, const char *marker, const char *stop, char out[16])
{
	const char *p = last_occurrence(path, len, marker);
	if (!p)
		return 0;
	const char *id = p + strlen(marker);
	size_t n = 0;
	while (id + n < path + len && !strchr(stop, id[n]))
		n++;
	if (n == 0)
		return 0;
	size_t k = n < 12 ? n : 12;
	memcpy(out, id, k);
	out[k] = '\0';
	return 1;
}

static int match_path(const char *path, size_t len, char out[16])
{
	if (match_list(path, len, podman_pairs, sizeof(podman_pairs) / sizeof(podman_pairs[0]), out))
		return 1;
	if (match_list(path, len, docker_pairs, sizeof(docker_pairs) / sizeof(docker_pairs[0]), out))
		return 1;
	if (match_list(path, len, cri_pairs, sizeof(cri_pairs) / sizeof(cri_pairs[0]), out))
		return 1;
	if (match_containerd(path, len, out))
		return 1;
	if (match_after(path, len, "/lxc/", "/", out) || match_after(path, len, "/lxc.payload/", "/", out) ||
	    match_after(path, len, "/lxc.payload.", "/", out))
		return 1;
	if (match_after(path, len, "/libvirt/lxc/", "/", out) || match_after(path, len, "machine-lxc\\x2d", ".", out))
		return 1;
	if (match_after(path, len, "bpm-", "./", out))
		return 1;
	return 0;
}

void host_container_id_from_cgroups(const char *cgroups, size_t len, char out[16])
{
	out[0] = '\0';
	const char *p = cgroups, *end = cgroups + len;
	while (p < end) {
		const char *item_end = memchr(p, '\0', (size_t)(end - p));
		if (!item_end)
			item_end = end;
		const char *eq = memchr(p, '=', (size_t)(item_end - p));
		const char *path = eq ? eq + 1 : p;
		size_t plen = (size_t)(item_end - path);
		if (plen > 1 && match_path(path, plen, out))
			return;
		p = item_end + 1;
	}
	out[0] = '\0';
}
