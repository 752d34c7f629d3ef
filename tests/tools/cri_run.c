/* tests/tools/cri_run.c: a minimal CRI client for the containerd e2e (crictl is not in Debian): runs a pod of one container on the host network, removes a pod. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/containers.h"

/* Field numbers of cri-api's runtime.v1 api.proto. */
#define NODE 2 /* NamespaceMode */

struct m {
	uint8_t b[8192];
	struct host_pb_buf w;
};

static struct host_pb_buf *start(struct m *m)
{
	host_pb_init(&m->w, m->b, sizeof(m->b));
	return &m->w;
}

static void nest(struct host_pb_buf *to, uint32_t num, const struct m *m)
{
	host_pb_put_bytes(to, num, m->b, m->w.len);
}

static int call(const char *sock, const char *method, const struct m *req, uint8_t **msg, size_t *len)
{
	char err[256];
	int rc = host_ctr_grpc_call(sock, method, req->b, req->w.len, 30000, msg, len, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "cri_run: %s: %d %s\n", method, rc, err);
	return rc;
}

static void id_of(const uint8_t *msg, size_t len, char *id, size_t cap)
{
	struct host_pb_field f;
	id[0] = '\0';
	if (host_pb_find(msg, len, 1, &f) > 0)
		snprintf(id, cap, "%.*s", (int)f.n, (const char *)f.p);
}

/* PodSandboxConfig of pod name on the host network (no CNI needed). */
static void sandbox_config(struct m *cfg, const char *name, int priv)
{
	struct m meta, ns, sec, lin;
	char uid[128];
	snprintf(uid, sizeof(uid), "uid-%s", name);
	host_pb_put_str(start(&meta), 1, name);
	host_pb_put_str(&meta.w, 2, uid);
	host_pb_put_str(&meta.w, 3, "saker-e2e");
	host_pb_put_varint(start(&ns), 1, NODE); /* network */
	nest(start(&sec), 1, &ns);               /* LinuxSandboxSecurityContext.namespace_options */
	host_pb_put_varint(&sec.w, 6, priv);     /* privileged: needed by a privileged container */
	host_pb_put_str(start(&lin), 1, "/saker-cri-e2e"); /* cgroup_parent */
	nest(&lin.w, 2, &sec);
	nest(start(cfg), 1, &meta);
	host_pb_put_map_entry(&cfg->w, 6, "app", name);
	host_pb_put_map_entry(&cfg->w, 6, "suite", "saker");
	nest(&cfg->w, 8, &lin);
}

/* run SOCK NAME IMAGE PRIVILEGED MOUNT(src:dst or -) CMD...: prints "sandbox container" */
static int run(const char *sock, char **argv, int argc)
{
	const char *name = argv[0], *image = argv[1], *mount = argv[3];
	int priv = atoi(argv[2]);
	static struct m cfg, req, meta, img, mnt, ns, sec, lin, ccfg;
	uint8_t *msg;
	size_t len;
	char sandbox[128], ctr[128];
	char podname[128];
	snprintf(podname, sizeof(podname), "%s-pod", name);
	sandbox_config(&cfg, podname, priv);
	nest(start(&req), 1, &cfg);
	if (call(sock, "/runtime.v1.RuntimeService/RunPodSandbox", &req, &msg, &len))
		return 1;
	id_of(msg, len, sandbox, sizeof(sandbox));
	free(msg);

	host_pb_put_str(start(&meta), 1, name);
	host_pb_put_str(start(&img), 1, image);
	host_pb_put_varint(start(&ns), 1, NODE);
	host_pb_put_varint(&ns.w, 2, 1); /* pid CONTAINER: the command is pid 1, as kubelet's default */
	host_pb_put_varint(start(&sec), 2, priv); /* LinuxContainerSecurityContext.privileged */
	nest(&sec.w, 3, &ns);
	nest(start(&lin), 2, &sec);
	nest(start(&ccfg), 1, &meta);
	nest(&ccfg.w, 2, &img);
	for (int i = 4; i < argc; i++)
		host_pb_put_str(&ccfg.w, 3, argv[i]); /* command */
	if (strcmp(mount, "-") != 0) {
		char src[256];
		snprintf(src, sizeof(src), "%s", mount);
		char *colon = strchr(src, ':');
		if (!colon)
			return 2;
		*colon = '\0';
		host_pb_put_str(start(&mnt), 1, colon + 1);
		host_pb_put_str(&mnt.w, 2, src);
		host_pb_put_varint(&mnt.w, 3, 1); /* readonly */
		nest(&ccfg.w, 7, &mnt);
	}
	host_pb_put_map_entry(&ccfg.w, 9, "io.kubernetes.container.name", name);
	nest(&ccfg.w, 15, &lin);
	host_pb_put_str(start(&req), 1, sandbox);
	nest(&req.w, 2, &ccfg);
	nest(&req.w, 3, &cfg);
	if (call(sock, "/runtime.v1.RuntimeService/CreateContainer", &req, &msg, &len))
		return 1;
	id_of(msg, len, ctr, sizeof(ctr));
	free(msg);
	host_pb_put_str(start(&req), 1, ctr);
	if (call(sock, "/runtime.v1.RuntimeService/StartContainer", &req, &msg, &len))
		return 1;
	free(msg);
	printf("%s %s\n", sandbox, ctr);
	return 0;
}

static int rmpod(const char *sock, const char *sandbox)
{
	static struct m req;
	uint8_t *msg;
	size_t len;
	host_pb_put_str(start(&req), 1, sandbox);
	int rc = call(sock, "/runtime.v1.RuntimeService/StopPodSandbox", &req, &msg, &len);
	if (!rc)
		free(msg);
	if (!rc && !(rc = call(sock, "/runtime.v1.RuntimeService/RemovePodSandbox", &req, &msg, &len)))
		free(msg);
	return rc != 0;
}

int main(int argc, char **argv)
{
	if (argc >= 8 && strcmp(argv[2], "run") == 0)
		return run(argv[1], argv + 3, argc - 3);
	if (argc == 4 && strcmp(argv[2], "rmpod") == 0)
		return rmpod(argv[1], argv[3]);
	fprintf(stderr, "usage: cri_run SOCK run NAME IMAGE PRIVILEGED MOUNT|- CMD...\n       cri_run SOCK rmpod SANDBOX\n");
	return 2;
}
