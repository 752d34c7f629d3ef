/* tests/test_containers.c: the container lookup's pieces: HTTP answers, inspect answers into records, cgroup ids, a real unix-socket server (answers, 404, silence, absence). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
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

static void test_http_parse(void **state)
{
	(void)state;
	char a[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}xx";
	size_t off, len;
	assert_int_equal(host_ctr_http_parse(a, strlen(a), &off, &len), 200);
	assert_int_equal(len, 2);
	assert_memory_equal(a + off, "{}", 2);
	char b[] = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";
	assert_int_equal(host_ctr_http_parse(b, strlen(b), &off, &len), 404);
	assert_int_equal(len, 5);
	assert_memory_equal(b + off, "abcde", 5);
	char c[] = "HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort";
	assert_int_equal(host_ctr_http_parse(c, strlen(c), &off, &len), -EPROTO);
	char d[] = "SSH-2.0-OpenSSH\r\n";
	assert_int_equal(host_ctr_http_parse(d, strlen(d), &off, &len), -EPROTO);
	char e[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
	assert_int_equal(host_ctr_http_parse(e, strlen(e), &off, &len), -EPROTO);
}

static const char inspect[] =
	"{\"Id\":\"dde915de5e6d5c0f9b0c0cbbbe31f4ee4d2b0f06cb3d3f3e9a1b7c1b1f1a2b3c\",\"Name\":\"/sk-priv\","
	"\"Image\":\"sha256:bb131895989e59bd4885262295749a20283a0ed04b2406df95db7feb8f4d9cce\","
	"\"Created\":\"2026-12-06T17:29:25Z\",\"State\":{\"StartedAt\":\"2026-12-06T17:29:25.7Z\"},"
	"\"Config\":{\"Image\":\"localhost/sakerbox:1.0\",\"User\":\"\",\"Labels\":{\"a\":\"1\",\"long\":\"xxxxxxxxxx\"}},"
	"\"HostConfig\":{\"Privileged\":true,\"PidMode\":\"host\",\"NetworkMode\":\"bridge\",\"IpcMode\":\"private\"},"
	"\"NetworkSettings\":{\"IPAddress\":\"\",\"Networks\":{\"podman\":{\"IPAddress\":\"10.88.0.7\"}}},"
	"\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/etc\",\"Destination\":\"/host-etc\",\"Mode\":\"\",\"RW\":false,"
	"\"Propagation\":\"rprivate\"}]}";
static const char image[] = "{\"RepoDigests\":[\"other/x@sha256:0000\",\"localhost/sakerbox@sha256:1111\"]}";

static void get(const char *rec, const char *key, char *out, size_t cap)
{
	struct json_span all = json_from_text(rec), c, v;
	assert_int_equal(json_get(all, "container", &c), 0);
	out[0] = '\0';
	if (json_get(c, key, &v) == 0)
		json_text(v, out, cap);
}

static void test_docker_record(void **state)
{
	(void)state;
	char rec[8192], v[256];
	long n = host_ctr_docker_record(inspect, strlen(inspect), image, strlen(image), 11, 5, rec, sizeof(rec));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(rec));
	struct json_doc d;
	json_doc_init(&d);
	assert_int_equal(json_doc_parse(&d, rec, (size_t)n), 0); /* valid JSON */
	json_doc_free(&d);
	get(rec, "id", v, sizeof(v)); assert_string_equal(v, "dde915de5e6d");
	get(rec, "full_id", v, sizeof(v)); assert_string_equal(v, "dde915de5e6d5c0f9b0c0cbbbe31f4ee4d2b0f06cb3d3f3e9a1b7c1b1f1a2b3c");
	get(rec, "type", v, sizeof(v)); assert_string_equal(v, "11");
	get(rec, "name", v, sizeof(v)); assert_string_equal(v, "sk-priv");
	get(rec, "image", v, sizeof(v)); assert_string_equal(v, "localhost/sakerbox:1.0");
	get(rec, "imagerepo", v, sizeof(v)); assert_string_equal(v, "localhost/sakerbox");
	get(rec, "imagetag", v, sizeof(v)); assert_string_equal(v, "1.0");
	get(rec, "imagedigest", v, sizeof(v)); assert_string_equal(v, "sha256:1111");
	get(rec, "imageid", v, sizeof(v)); assert_string_equal(v, "bb131895989e59bd4885262295749a20283a0ed04b2406df95db7feb8f4d9cce");
	get(rec, "privileged", v, sizeof(v)); assert_string_equal(v, "true");
	get(rec, "host_pid", v, sizeof(v)); assert_string_equal(v, "true");
	get(rec, "host_network", v, sizeof(v)); assert_string_equal(v, "false");
	get(rec, "host_ipc", v, sizeof(v)); assert_string_equal(v, "false");
	get(rec, "ip", v, sizeof(v)); assert_string_equal(v, "10.88.0.7");
	assert_non_null(strstr(rec, "\"labels\":{\"a\":\"1\"}")); /* label_max_len 5 leaves "long" out */
	assert_non_null(strstr(rec, "\"Mounts\":[{\"Source\":\"/etc\",\"Destination\":\"/host-etc\",\"Mode\":\"\",\"RW\":false,"
				    "\"Propagation\":\"rprivate\"}]"));
	/* a reference with a digest and no tag; no image answer */
	char in2[] = "{\"Id\":\"0123456789abcdef\",\"Name\":\"x\",\"Config\":{\"Image\":\"reg:5000/a/b@sha256:9\"}}";
	assert_true(host_ctr_docker_record(in2, strlen(in2), NULL, 0, 0, 100, rec, sizeof(rec)) > 0);
	get(rec, "imagerepo", v, sizeof(v)); assert_string_equal(v, "reg:5000/a/b");
	get(rec, "imagetag", v, sizeof(v)); assert_string_equal(v, "");
	get(rec, "imagedigest", v, sizeof(v)); assert_string_equal(v, "sha256:9");
	/* no tag, no digest: latest */
	char in3[] = "{\"Id\":\"0123456789abcdef\",\"Config\":{\"Image\":\"nginx\"}}";
	assert_true(host_ctr_docker_record(in3, strlen(in3), NULL, 0, 0, 100, rec, sizeof(rec)) > 0);
	get(rec, "imagetag", v, sizeof(v)); assert_string_equal(v, "latest");
	/* not a container; too small a buffer */
	assert_int_equal(host_ctr_docker_record("[1]", 3, NULL, 0, 0, 100, rec, sizeof(rec)), -1);
	assert_int_equal(host_ctr_docker_record("{\"Id\":\"short\"}", 14, NULL, 0, 0, 100, rec, sizeof(rec)), -1);
	assert_int_equal(host_ctr_docker_record(inspect, strlen(inspect), NULL, 0, 0, 100, rec, 64), -1);
}

static void test_cgroup_ids(void **state)
{
	(void)state;
	char id[16];
	const char podman[] = "cpu=/libpod_parent/libpod-0e4702ee18ca9500754ed5ce5dcfe174007210813641905d17e253a7be14c5e9";
	host_container_id_from_cgroups(podman, sizeof(podman) - 1, id);
	assert_string_equal(id, "0e4702ee18ca");
	const char docker[] = "memory=/system.slice/docker-3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e.scope";
	host_container_id_from_cgroups(docker, sizeof(docker) - 1, id);
	assert_string_equal(id, "3ad7b26ded6d");
	const char host[] = "cpu=/user.slice\0memory=/";
	host_container_id_from_cgroups(host, sizeof(host) - 1, id);
	assert_string_equal(id, "");
}

/* A one-connection-at-a-time runtime: answers from a table, or stays silent. */
struct server {
	int fd;
	int silent;
	char path[108];
	pthread_t th;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char req[1024];
		ssize_t n = recv(c, req, sizeof(req) - 1, 0);
		if (n <= 0 || s->silent) {
			if (s->silent)
				sleep(1);
			close(c);
			continue;
		}
		req[n] = '\0';
		char ans[4096];
		if (strncmp(req, "GET /containers/json ", 21) == 0)
			snprintf(ans, sizeof(ans), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen("[{\"Id\":\"dde915de5e6d5c0f\"}]"),
				 "[{\"Id\":\"dde915de5e6d5c0f\"}]");
		else if (strncmp(req, "GET /containers/dde915de5e6d", 28) == 0)
			snprintf(ans, sizeof(ans), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(inspect), inspect);
		else
			snprintf(ans, sizeof(ans), "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}");
		send(c, ans, strlen(ans), MSG_NOSIGNAL);
		close(c);
	}
}

static void server_start(struct server *s, const char *name, int silent)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "/tmp/saker-ctr-%d-%s.sock", (int)getpid(), name);
	unlink(s->path);
	s->silent = silent;
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
}

static void test_http_get(void **state)
{
	(void)state;
	struct server s, quiet;
	server_start(&s, "ok", 0);
	server_start(&quiet, "quiet", 1);
	char *body;
	size_t len;
	assert_int_equal(host_ctr_http_get(s.path, "/containers/dde915de5e6d/json", 2000, &body, &len), 200);
	assert_int_equal(len, strlen(inspect));
	assert_string_equal(body, inspect);
	free(body);
	assert_int_equal(host_ctr_http_get(s.path, "/containers/000000000000/json", 2000, &body, &len), 404);
	free(body);
	assert_int_equal(host_ctr_http_get("/nonexistent/saker.sock", "/x", 2000, &body, &len), -ENOENT);
	assert_null(body);
	assert_int_equal(host_ctr_http_get(quiet.path, "/x", 100, &body, &len), -ETIMEDOUT);
	assert_null(body);
	server_stop(&s);
	server_stop(&quiet);
}

/* The thread: the running container is found by listing, an unknown id
 * asked for yields nothing, a silent socket is reported once. */
static void test_lookup_thread(void **state)
{
	(void)state;
	struct server s, quiet;
	server_start(&s, "pod", 0);
	server_start(&quiet, "dock", 1);
	struct host_ctr_opts o;
	host_ctr_opts_default(&o);
	const char *dp[] = { quiet.path }, *pp[] = { s.path };
	assert_int_equal(host_ctr_set_sockets(&o, HOST_CTR_DOCKER, dp, 1), 0);
	assert_int_equal(host_ctr_set_sockets(&o, HOST_CTR_PODMAN, pp, 1), 0);
	o.engine[HOST_CTR_CONTAINERD].enabled = o.engine[HOST_CTR_CRI].enabled = 0;
	o.timeout_ms = 200;
	struct test_notices ns = TEST_NOTICES_INIT;
	o.notice = test_notice_collect;
	o.ctx = &ns;
	char err[256];
	struct host_ctr *c = host_ctr_start(&o, err, sizeof(err));
	assert_non_null(c);
	struct sk_meta *m = sk_meta_new();
	while (host_ctr_request(c, "000000000000") < 0)
		usleep(1000);
	/* waits for an answer, not for a time: the test fails by hanging only if nothing ever arrives */
	while (m->n_containers == 0) {
		host_ctr_take(c, m);
		usleep(10000);
	}
	host_ctr_stop(c);
	assert_int_equal(m->n_containers, 1);
	assert_string_equal(m->containers[0].id, "dde915de5e6d");
	assert_non_null(strstr(m->containers[0].json, "\"name\":\"sk-priv\""));
	assert_non_null(strstr(m->containers[0].json, "\"type\":11"));
	/* the silent docker socket: reported once, with the retry */
	assert_non_null(strstr(ns.text, "containers: docker at "));
	assert_non_null(strstr(ns.text, ": no answer in time; retrying with backoff"));
	const char *first = strstr(ns.text, "no answer in time");
	assert_null(strstr(first + 1, "no answer in time"));
	assert_non_null(strstr(ns.text, "containers: using podman at "));
	sk_meta_free(m);
	server_stop(&s);
	server_stop(&quiet);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_parse),
		cmocka_unit_test(test_docker_record),
		cmocka_unit_test(test_cgroup_ids),
		cmocka_unit_test(test_http_get),
		cmocka_unit_test(test_lookup_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
