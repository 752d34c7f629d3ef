/* tests/test_k8saudit.c: the Kubernetes audit source (JSON lines, gzip, bad lines with their position) and every ka.* / json.* field on written events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "fields/fields.h"
#include "json/json.h"
#include "replay/extract/extract.h"
#include "formats/time.h"
#include "sources/k8saudit.h"
#include "sources/k8saudit_int.h"
#include "sources/source.h"

#define DATA "tests/data/k8s_audit/"

/* ---- helpers ---- */

struct warnings {
	char text[8192];
	int n;
};

static void collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;
	size_t len = strlen(w->text);
	snprintf(w->text + len, sizeof(w->text) - len, "%s\n", msg);
	w->n++;
}

static char *tmp_path(const char *suffix)
{
	static char path[256];
	snprintf(path, sizeof(path), "/tmp/saker_test_k8saudit_%d%s", (int)getpid(), suffix);
	return path;
}

static void write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void write_gzip(const char *path, const char *const *members, int n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fclose(f);
	for (int i = 0; i < n; i++) {
		gzFile g = gzopen(path, "ab");
		assert_non_null(g);
		assert_int_equal(gzwrite(g, members[i], (unsigned)strlen(members[i])), (int)strlen(members[i]));
		gzclose(g);
	}
}

/* Every event of a source: "ts num json" lines appended to out. Returns the
 * count, or -1 when the source ended with an error (message in err). */
static int read_all(const char *path, size_t max_event, struct warnings *w, char *out, size_t cap, char *err,
		    size_t errlen)
{
	struct source_opts so = { .warn = collect, .warn_ctx = w, .k8saudit_max_event = max_event };
	struct source *s = source_open_opts(path, &so, err, errlen);
	if (!s)
		return -2;
	assert_string_equal(source_format_name(s), "k8s_audit");
	struct sk_event ev;
	int n = 0, rc;
	out[0] = '\0';
	while ((rc = source_next(s, &ev)) == 1) {
		assert_int_equal(ev.type, SK_EV_PLUGINEVENT_E);
		assert_int_equal(sk_event_plugin_id(&ev), SK_PLUGIN_ID_K8SAUDIT);
		assert_string_equal(sk_event_source(&ev), "k8s_audit");
		size_t len = strlen(out);
		snprintf(out + len, cap - len, "%llu %llu %.*s\n", (unsigned long long)ev.ts, (unsigned long long)ev.num,
			 (int)ev.params[SK_PLUGINEVENT_DATA].len, (const char *)ev.params[SK_PLUGINEVENT_DATA].val);
		n++;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", source_error(s));
	source_close(s);
	return rc < 0 ? -1 : n;
}

/* ---- the source ---- */

static const char lines[] =
	"{\"kind\":\"Event\",\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2024-05-01T10:00:00Z\"}\n"
	"\n"
	"  {\"kind\": \"EventList\", \"items\": [ {\"kind\":\"Event\", \"auditID\":\"b\", "
	"\"stageTimestamp\":\"2024-05-01T10:00:01.5Z\"}, {\"auditID\":\"c\",\"stageTimestamp\":\"2024-05-01T10:00:02Z\"}]}\r\n"
	"{\"kind\":\"Event\",\"auditID\":\"broken\"\n"
	"{\"kind\": 0}\n"
	"[{\"kind\":\"Event\",\"auditID\":\"d\",\"stageTimestamp\":\"2024-05-01T12:00:03+02:00\"},"
	"{\"kind\":\"Event\",\"auditID\":\"no time\"}]\n"
	"{\"kind\":\"Event\",\"auditID\":\"big\",\"stageTimestamp\":\"2024-05-01T10:00:04Z\",\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}\n"
	"{\"kind\":\"Event\",\"auditID\":\"e\",\"stageTimestamp\":\"2024-05-01T10:00:05Z\"}";

static const char want_events[] =
	"1714557600000000000 1 {\"kind\":\"Event\",\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"stageTimestamp\":\"2024-05-01T10:00:00Z\"}\n"
	"1714557601500000000 2 {\"kind\":\"Event\",\"auditID\":\"b\",\"stageTimestamp\":\"2024-05-01T10:00:01.5Z\"}\n"
	"1714557602000000000 3 {\"auditID\":\"c\",\"stageTimestamp\":\"2024-05-01T10:00:02Z\"}\n"
	"1714557603000000000 4 {\"kind\":\"Event\",\"auditID\":\"d\",\"stageTimestamp\":\"2024-05-01T12:00:03+02:00\"}\n"
	"1714557605000000000 5 {\"kind\":\"Event\",\"auditID\":\"e\",\"stageTimestamp\":\"2024-05-01T10:00:05Z\"}\n";

static void check_lines_warnings(const struct warnings *w, const char *path)
{
	char want[2048];
	snprintf(want, sizeof(want),
		 "%s:4: malformed JSON at byte 35: unexpected end of input in an object\n"
		 "%s:5: data not recognized as a k8s audit event\n"
		 "%s:6: event 2: can't read stageTimestamp\n"
		 "%s:7: event 1: event larger than maxEventSize: size=101\n"
		 "%s: 2 of 8 lines skipped (not JSON or not Kubernetes audit data), 2 events skipped; 5 events read\n",
		 path, path, path, path, path);
	assert_string_equal(w->text, want);
}

static void test_json_lines(void **state)
{
	(void)state;
	char *path = tmp_path(".json");
	write_file(path, lines, sizeof(lines) - 1);
	struct warnings w = {0};
	char out[4096], err[512];
	/* events above 100 bytes are skipped: "big" is the only one */
	assert_int_equal(read_all(path, 100, &w, out, sizeof(out), err, sizeof(err)), 5);
	assert_string_equal(out, want_events);
	check_lines_warnings(&w, path);
	unlink(path);
}

static void test_gzip(void **state)
{
	(void)state;
	char *path = tmp_path(".json.gz");
	/* two concatenated members (a rotated log zcat'ed together), cut mid-line */
	const char *half = strchr(lines, '\r');
	char first[1024];
	snprintf(first, sizeof(first), "%.*s", (int)(half - lines), lines);
	const char *members[] = {first, half};
	write_gzip(path, members, 2);
	struct warnings w = {0};
	char out[4096], err[512];
	assert_int_equal(read_all(path, 100, &w, out, sizeof(out), err, sizeof(err)), 5);
	assert_string_equal(out, want_events);
	check_lines_warnings(&w, path);
	/* a cut gzip stream: what was decoded, then an error naming the file */
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	assert_int_equal(truncate(path, size - 12), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(read_all(path, 100, &w, out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the gzip stream is cut"));
	assert_non_null(strstr(err, path));
	unlink(path);
}

static void test_probe_and_limits(void **state)
{
	(void)state;
	char *path = tmp_path(".txt");
	struct warnings w = {0};
	char out[4096], err[512];
	/* not JSON: no format claims it */
	write_file(path, "hello\n", 6);
	assert_int_equal(read_all(path, 0, &w, out, sizeof(out), err, sizeof(err)), -2);
	assert_non_null(strstr(err, "unknown capture format"));
	/* an empty file holds no events and no problems */
	write_file(path, "", 0);
	assert_int_equal(read_all(path, 0, &w, out, sizeof(out), err, sizeof(err)), -2);
	/* a UTF-8 byte order mark and leading blanks still read as JSON lines; the
	 * first line is then not JSON */
	write_file(path, "\xef\xbb\xbf {\"kind\":\"Event\"}\n", 19);
	assert_int_equal(read_all(path, 0, &w, out, sizeof(out), err, sizeof(err)), 0);
	assert_non_null(strstr(w.text, ":1: malformed JSON at byte 1"));
	unlink(path);
}

static void test_overlong_line(void **state)
{
	(void)state;
	char *path = tmp_path(".json");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("{\"kind\":\"Event\",\"auditID\":\"1\",\"stageTimestamp\":\"2024-05-01T10:00:00Z\"}\n", f);
	fputs("{\"kind\":\"Event\",\"pad\":\"", f);
	char *blk = malloc(1 << 20);
	memset(blk, 'x', 1 << 20);
	for (int i = 0; i < 65; i++)
		fwrite(blk, 1, 1 << 20, f);
	free(blk);
	fputs("\"}\n{\"kind\":\"Event\",\"auditID\":\"3\",\"stageTimestamp\":\"2024-05-01T10:00:01Z\"}\n", f);
	fclose(f);
	struct warnings w = {0};
	char out[4096], err[512];
	assert_int_equal(read_all(path, 0, &w, out, sizeof(out), err, sizeof(err)), 2);
	assert_non_null(strstr(out, "\"auditID\":\"3\""));
	if (!strstr(w.text, ":2: line longer than 64 MiB, skipped"))
		fail_msg("warnings: %s", w.text);
	assert_non_null(strstr(w.text, ": 1 of 3 lines skipped"));
	unlink(path);
}

static void test_parse_time(void **state)
{
	(void)state;
	uint64_t ns;
#define T(s) sk_time_parse_rfc3339(s, strlen(s), &ns)
	assert_int_equal(T("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(T("2018-10-25T14:09:12.581541Z"), 0);
	assert_int_equal(ns, 1540476552581541000ull);
	assert_int_equal(T("2018-10-25T16:09:12.581541123+02:00"), 0);
	assert_int_equal(ns, 1540476552581541123ull);
	assert_int_equal(T("2018-10-25T09:09:12.5-05:00"), 0);
	assert_int_equal(ns, 1540476552500000000ull);
	assert_int_equal(T("2024-02-29T00:00:00.1234567891Z"), 0); /* digits past ns are dropped */
	assert_int_equal(ns, 1709164800123456789ull);
	assert_int_equal(T("2023-02-29T00:00:00Z"), -1);
	assert_int_equal(T("2018-13-01T00:00:00Z"), -1);
	assert_int_equal(T("2018-10-25 14:09:12z"), 0); /* as --from/--to always took it */
	assert_int_equal(ns, 1540476552000000000ull);
	assert_int_equal(T("2018-10-25X14:09:12Z"), -1);
	assert_int_equal(T("2018-10-25T14:09:12"), -1);
	assert_int_equal(T("2016-12-31T23:59:60Z"), 0); /* a leap second: the next minute's first */
	assert_int_equal(ns, 1483228800000000000ull);
	assert_int_equal(T("2018-10-25T14:09:61Z"), -1);
	assert_int_equal(T("2018-10-25T14:09:12.Z"), -1);
	assert_int_equal(T("2018-10-25T14:09:12Zjunk"), -1);
	assert_int_equal(T("1969-12-31T23:59:59Z"), -1);
#undef T
}

/* ---- the fields ---- */

struct fx {
	struct state *st;
	struct state_updater u;
	struct extract_ctx fc;
	struct source_ka_split split;
	char *text;
	size_t nev, cur;
	uint8_t id[4];
	struct sk_event ev;
	char out[8192];
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->st = state_new();
	state_updater_init(&f->u, f->st);
	extract_ctx_init(&f->fc, &f->u);
	source_ka_split_init(&f->split, 0);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	extract_ctx_fini(&f->fc);
	state_updater_fini(&f->u);
	state_free(f->st);
	source_ka_split_fini(&f->split);
	free(f->text);
	free(f);
	return 0;
}

/* Loads a (pretty-printed) payload file; event i becomes the current one. */
static void load(struct fx *f, const char *file)
{
	char path[256], err[256];
	snprintf(path, sizeof(path), DATA "%s", file);
	FILE *in = fopen(path, "rb");
	assert_non_null(in);
	free(f->text);
	f->text = malloc(1 << 16);
	size_t n = fread(f->text, 1, (1 << 16) - 1, in);
	fclose(in);
	if (source_ka_split_payload(&f->split, f->text, n, err, sizeof(err)) < 0)
		fail_msg("%s: %s", file, err);
	f->nev = f->split.nev;
}

static void use(struct fx *f, size_t i)
{
	assert_true(i < f->nev);
	source_ka_make_event(&f->split, &f->split.ev[i], f->id, &f->ev);
	f->ev.num = i + 1;
	state_update_apply(&f->u, &f->ev);
	extract_ctx_set_event(&f->fc, &f->ev);
}

static const char *render(struct fx *f, const char *fmt)
{
	char err[256];
	struct rule_format *rf = rule_format_compile(field_registry(), fmt, err, sizeof(err));
	if (!rf)
		fail_msg("format %s: %s", fmt, err);
	rule_format_render(rf, extract_field, &f->fc, f->out, sizeof(f->out));
	rule_format_free(rf);
	return f->out;
}

static int matches(struct fx *f, const char *cond)
{
	struct rule_diag_list dl = {0};
	struct rule_filter *flt = rule_filter_compile(field_source_registry("k8s_audit"), cond, &dl);
	if (!flt)
		fail_msg("filter %s: %s", cond, dl.n ? dl.v[0].message : "?");
	int r = rule_filter_eval(flt, f->ev.type, extract_field, &f->fc);
	rule_filter_free(flt);
	return r;
}

#define EXPECT(f, field, want)                                                              \
	do {                                                                                \
		const char *got_ = render(f, "%" field);                                      \
		if (strcmp(got_, want))                                                       \
			fail_msg("%s: expected '%s', got '%s'", field, want, got_);           \
	} while (0)

static void test_fields_pod(void **state)
{
	struct fx *f = *state;
	load(f, "fields_pod.json");
	assert_int_equal(f->nev, 1);
	use(f, 0);
	EXPECT(f, "ka.auditid", "6c5a8f3e-1d2b-4c7a-9e0f-1234567890ab");
	EXPECT(f, "ka.stage", "ResponseComplete");
	EXPECT(f, "ka.auth.decision", "allow");
	EXPECT(f, "ka.auth.reason", "RBAC: allowed by ClusterRoleBinding \"devs\"");
	EXPECT(f, "ka.auth.openshift.decision", "allow");
	EXPECT(f, "ka.auth.openshift.username", "alice");
	EXPECT(f, "ka.validations.admission.policy.failure", "[{\"message\":\"no\"}]");
	EXPECT(f, "ka.security.pod.violations",
	       "privileged (container \"init\" must not set securityContext.privileged=true)");
	EXPECT(f, "ka.user.name", "alice@example.com");
	EXPECT(f, "ka.user.groups", "(dev,system:authenticated)");
	EXPECT(f, "ka.impuser.name", "deployer");
	EXPECT(f, "ka.verb", "create");
	EXPECT(f, "ka.uri",
	       "/api/v1/namespaces/shop/pods?dryRun=All&fieldManager=kubectl%20client&x=a+b&fieldManager=second");
	EXPECT(f, "ka.uri.param[dryRun]", "All");
	EXPECT(f, "ka.uri.param[fieldManager]", "kubectl client");
	EXPECT(f, "ka.uri.param[x]", "a b");
	EXPECT(f, "ka.uri.param[nothere]", "<NA>");
	EXPECT(f, "ka.target.name", "web-1");
	EXPECT(f, "ka.target.namespace", "shop");
	EXPECT(f, "ka.target.resource", "pods");
	EXPECT(f, "ka.target.subresource", "<NA>");
	EXPECT(f, "ka.target.pod.name", "web-1");
	/* containers: per container, lists in container order */
	EXPECT(f, "ka.req.pod.containers.image", "(nginx:1.25,registry.example.com:5000/team/app@sha256:abcd)");
	EXPECT(f, "ka.req.pod.containers.image[1]", "(registry.example.com:5000/team/app@sha256:abcd)");
	EXPECT(f, "ka.req.pod.containers.image[2]", "<NA>");
	/* the plugin cuts at the first ':' (a registry port too), then at '@' */
	EXPECT(f, "ka.req.pod.containers.image.repository", "(nginx,registry.example.com)");
	EXPECT(f, "ka.req.pod.containers.privileged", "(false)");
	EXPECT(f, "ka.req.pod.containers.name", "(web,sidecar)");
	EXPECT(f, "ka.req.pod.containers.command", "(nginx)");
	EXPECT(f, "ka.req.pod.containers.args", "(-g daemon off;)");
	EXPECT(f, "ka.req.pod.containers.host_port", "(8080,443)");
	EXPECT(f, "ka.req.pod.containers.allow_privilege_escalation", "(true)");
	EXPECT(f, "ka.req.pod.containers.read_only_fs", "(false,true)");
	EXPECT(f, "ka.req.pod.containers.run_as_user", "(0)");
	EXPECT(f, "ka.req.pod.containers.run_as_group", "(7)");
	EXPECT(f, "ka.req.pod.containers.proc_mount", "(Unmasked)");
	EXPECT(f, "ka.req.pod.containers.add_capabilities", "([\"NET_ADMIN\",\"SYS_TIME\"])");
	/* the plugin reads spec.runAsUser and <container>.runAsUser (docs/compat.md) */
	EXPECT(f, "ka.req.pod.containers.eff_run_as_user", "(0,42)");
	EXPECT(f, "ka.req.pod.containers.eff_run_as_group", "(0,0)");
	EXPECT(f, "ka.req.container.image", "nginx:1.25");
	EXPECT(f, "ka.req.container.image.repository", "nginx");
	EXPECT(f, "ka.req.container.privileged", "false");
	EXPECT(f, "ka.req.container.host_network", "true");
	EXPECT(f, "ka.req.pod.host_ipc", "true");
	EXPECT(f, "ka.req.pod.host_network", "true");
	EXPECT(f, "ka.req.pod.host_pid", "false");
	EXPECT(f, "ka.req.pod.run_as_user", "1000");
	EXPECT(f, "ka.req.pod.run_as_group", "3000");
	EXPECT(f, "ka.req.pod.fs_group", "2000");
	EXPECT(f, "ka.req.pod.supplemental_groups", "(4000,4001)");
	EXPECT(f, "ka.req.pod.volumes.hostpath", "(/var/run/docker.sock,/var/log/pods)");
	EXPECT(f, "ka.req.pod.volumes.hostpath[3]", "(/var/log/pods)");
	EXPECT(f, "ka.req.pod.volumes.hostpath[1]", "<NA>");
	EXPECT(f, "ka.req.pod.volumes.flexvolume_driver", "(example.com/nfs)");
	EXPECT(f, "ka.req.pod.volumes.volume_type", "(hostPath,configMap,flexVolume,hostPath)");
	EXPECT(f, "ka.req.volume.hostpath[/var/run/docker.sock]", "true");
	EXPECT(f, "ka.req.volume.hostpath[/var/log*]", "true");
	EXPECT(f, "ka.req.volume.hostpath[/etc]", "false");
	EXPECT(f, "ka.req.pod.initContainers.image", "(busybox:1.36)");
	EXPECT(f, "ka.req.pod.initContainers.image.repository", "(busybox)");
	EXPECT(f, "ka.req.pod.initContainers.privileged", "(true)");
	EXPECT(f, "ka.req.pod.initContainers.name", "(init)");
	EXPECT(f, "ka.req.pod.initContainers.command", "(sh -c echo \"ready\" > /x)");
	EXPECT(f, "ka.req.pod.initContainers.args", "<NA>");
	EXPECT(f, "ka.req.pod.initContainers.host_port", "(9000)");
	EXPECT(f, "ka.req.pod.initContainers.eff_run_as_user", "(0)");
	EXPECT(f, "ka.req.pod.ephemeralContainers.image", "(docker.io/library/alpine:3.19)");
	EXPECT(f, "ka.req.pod.ephemeralContainers.image.repository", "(docker.io/library/alpine)");
	EXPECT(f, "ka.req.pod.ephemeralContainers.privileged", "(true)");
	EXPECT(f, "ka.req.pod.ephemeralContainers.args", "(sleep 1d)");
	EXPECT(f, "ka.req.pod.ephemeralContainers.add_capabilities", "([\"SYS_PTRACE\"])");
	EXPECT(f, "ka.resp.name", "web-1");
	EXPECT(f, "ka.response.code", "201");
	EXPECT(f, "ka.response.reason", "<NA>");
	EXPECT(f, "ka.useragent", "kubectl/v1.29.0 (linux/amd64) kubernetes/abcdef");
	EXPECT(f, "ka.sourceips", "<NA>");
	EXPECT(f, "ka.cluster.name", "prod-eu");
	EXPECT(f, "ka.req.binding.subjects", "<NA>");
	EXPECT(f, "ka.req.binding.role", "<NA>");
	EXPECT(f, "ka.req.binding.subject.has_name[x]", "true");
	EXPECT(f, "ka.req.configmap.name", "web-1");
	EXPECT(f, "ka.req.configmap.obj", "<NA>");
	EXPECT(f, "ka.req.role.rules", "<NA>");
	EXPECT(f, "ka.req.service.type", "<NA>");
	/* json plugin */
	EXPECT(f, "json.value[/user/groups/1]", "system:authenticated");
	EXPECT(f, "jevt.value[/requestObject/spec/securityContext]",
	       "{\"runAsUser\":1000,\"runAsGroup\":3000,\"fsGroup\":2000,\"supplementalGroups\":[4000,4001]}");
	EXPECT(f, "jevt.value[/annotations/authorization.k8s.io~1decision]", "allow");
	EXPECT(f, "json.value[/requestObject/spec/hostNetwork]", "true");
	EXPECT(f, "json.value[/nothere]", "<NA>");
	EXPECT(f, "jevt.rawtime", "1714557600123456000");
	EXPECT(f, "json.rawtime", "1714557600123456000");
	EXPECT(f, "evt.rawtime", "1714557600123456000");
	EXPECT(f, "evt.source", "k8s_audit");
	EXPECT(f, "evt.pluginname", "k8saudit");
	EXPECT(f, "evt.type", "pluginevent");
	/* json.obj: Go's json.Indent layout, newlines stripped like every non-printable byte */
	const char *obj = render(f, "%json.obj");
	assert_memory_equal(obj, "{  \"kind\": \"Event\",  \"apiVersion\": \"audit.k8s.io/v1\",", 51);
	assert_non_null(strstr(obj, "\"groups\": [      \"dev\",      \"system:authenticated\"    ]"));
	/* conditions: lists with in / intersects, strings with the usual operators */
	assert_true(matches(f, "ka.req.pod.containers.image.repository intersects (nginx)"));
	assert_false(matches(f, "ka.req.pod.containers.image.repository in (nginx)"));
	assert_true(matches(f, "ka.req.pod.containers.image.repository in (nginx, registry.example.com)"));
	assert_true(matches(f, "ka.req.pod.initContainers.privileged intersects (true)"));
	assert_true(matches(f, "ka.req.pod.host_network intersects (true)"));
	assert_true(matches(f, "ka.response.code startswith 2 and ka.verb=create"));
	assert_true(matches(f, "not ka.target.subresource exists"));
	assert_true(matches(f, "jevt.value[/stage] in (ResponseComplete)"));
	assert_true(matches(f, "ka.req.pod.volumes.hostpath intersects (/proc, /var/run/docker.sock)"));
	assert_false(matches(f, "ka.user.name startswith \"system:\""));
}

static void test_fields_other_objects(void **state)
{
	struct fx *f = *state;
	load(f, "fields_binding.json");
	assert_int_equal(f->nev, 5);
	use(f, 0);
	EXPECT(f, "ka.req.binding.subjects",
	       "({\"kind\":\"User\",\"name\":\"bob\"},{\"kind\":\"ServiceAccount\",\"name\":\"builder\",\"namespace\":\"ci\"},"
	       "{\"kind\":\"Group\",\"name\":\"ops-team\"},{\"kind\":\"ServiceAccount\",\"name\":\"orphan\"},"
	       "{\"kind\":\"User\",\"name\":\"carol\"})");
	EXPECT(f, "ka.req.binding.subjects.user_names", "(bob,carol)");
	EXPECT(f, "ka.req.binding.subjects.serviceaccount_names", "(builder,orphan)");
	EXPECT(f, "ka.req.binding.subjects.group_names", "(ops-team)");
	EXPECT(f, "ka.req.binding.subjects.serviceaccount_ns_names", "(ci:builder)");
	EXPECT(f, "ka.req.binding.role", "cluster-admin");
	EXPECT(f, "ka.target.pod.name", "<NA>");
	EXPECT(f, "ka.req.pod.containers.image", "<NA>");
	EXPECT(f, "ka.req.container.privileged", "<NA>");
	EXPECT(f, "ka.auth.decision", "<NA>");
	EXPECT(f, "evt.rawtime", "1714557601000000000");
	use(f, 1);
	EXPECT(f, "ka.req.role.rules",
	       "({\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"pods/exec\"],\"verbs\":[\"get\",\"create\"]},"
	       "{\"nonResourceURLs\":[\"/healthz\",\"/metrics\"],\"verbs\":[\"get\"],\"sourceIPs\":[\"1.2.3.4\"]},"
	       "{\"apiGroups\":[\"apps\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]})");
	EXPECT(f, "ka.req.role.rules.apiGroups", "(,apps)");
	EXPECT(f, "ka.req.role.rules.resources", "(pods,pods/exec,*)");
	EXPECT(f, "ka.req.role.rules.verbs", "(get,create,get,*)");
	EXPECT(f, "ka.req.role.rules.verbs[2]", "(*)");
	EXPECT(f, "ka.req.role.rules.verbs[3]", "<NA>");
	EXPECT(f, "ka.req.role.rules.nonResourceURLs", "(/healthz,/metrics)");
	EXPECT(f, "ka.sourceips", "(1.2.3.4)");
	EXPECT(f, "evt.rawtime", "1714550402500000000");
	assert_true(matches(f, "ka.req.role.rules.resources intersects (\"pods/exec\")"));
	assert_true(matches(f, "ka.req.role.rules.verbs intersects (create, update, patch, delete)"));
	use(f, 2);
	EXPECT(f, "ka.req.service.type", "NodePort");
	/* the plugin's quirk: one item holding the whole ports array, index or not */
	EXPECT(f, "ka.req.service.ports", "([{\"port\":80,\"nodePort\":30080,\"protocol\":\"TCP\"},{\"port\":443}])");
	EXPECT(f, "ka.req.service.ports[1]", "([{\"port\":80,\"nodePort\":30080,\"protocol\":\"TCP\"},{\"port\":443}])");
	use(f, 3);
	EXPECT(f, "ka.req.configmap.name", "web-cfg");
	EXPECT(f, "ka.req.configmap.obj", "{\"app.properties\":\"password = hunter2\\n\",\"mode\":\"prod\"}");
	assert_true(matches(f, "ka.req.configmap.obj contains \"password\""));
	use(f, 4);
	EXPECT(f, "ka.stage", "ResponseStarted");
	EXPECT(f, "ka.target.subresource", "exec");
	EXPECT(f, "ka.target.pod.name", "<NA>");
	EXPECT(f, "ka.uri.param[command]", "sh");
	EXPECT(f, "ka.uri.param[container]", "web");
	EXPECT(f, "ka.response.code", "101");
}

static void test_not_audit_events(void **state)
{
	struct fx *f = *state;
	/* JSON that is no audit event: json.* still reads it, ka.* has no value */
	char err[128];
	static const char text[] = "{\"kind\":\"Event\",\"stageTimestamp\":\"2024-05-01T10:00:00Z\",\"verb\":\"get\"}";
	assert_int_equal(source_ka_split_payload(&f->split, text, sizeof(text) - 1, err, sizeof(err)), 0);
	f->nev = f->split.nev;
	use(f, 0);
	EXPECT(f, "ka.verb", "<NA>");
	EXPECT(f, "ka.req.binding.subject.has_name[x]", "<NA>");
	EXPECT(f, "json.value[/verb]", "get");
	/* a syscall event has neither */
	struct sk_event ev = { .type = SK_EV_OPEN_X, .tid = 1, .ts = 1 };
	state_update_apply(&f->u, &ev);
	extract_ctx_set_event(&f->fc, &ev);
	EXPECT(f, "ka.verb", "<NA>");
	EXPECT(f, "json.value[/verb]", "<NA>");
	EXPECT(f, "evt.source", "syscall");
	EXPECT(f, "evt.pluginname", "<NA>");
	/* an unknown plugin's event belongs to no known source */
	uint8_t id[4] = {2, 0, 0, 0};
	struct sk_event pe = { .type = SK_EV_PLUGINEVENT_E, .tid = -1, .ts = 1, .nparams = 2 };
	pe.params[0].val = id;
	pe.params[0].len = 4;
	pe.params[1].val = (const uint8_t *)text;
	pe.params[1].len = sizeof(text) - 1;
	assert_null(sk_event_source(&pe));
	extract_ctx_set_event(&f->fc, &pe);
	EXPECT(f, "json.value[/verb]", "<NA>");
	EXPECT(f, "evt.source", "<NA>");
}

/* ---- the webhook's HTTP parsing ---- */

static int head(const char *text, struct source_ka_http_req *r, const char **why)
{
	return source_ka_http_parse(text, strlen(text), 16384, r, why);
}

static void test_http_head(void **state)
{
	(void)state;
	struct source_ka_http_req r;
	const char *why = "";
	const char *req = "POST /k8s-audit?timeout=30s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json; charset=utf-8\r\n"
			  "Content-Length: 42\r\nExpect: 100-continue\r\n\r\n{...";
	assert_int_equal(head(req, &r, &why), 1);
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.path, "/k8s-audit");
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.content_length, 42);
	assert_true(r.json_type);
	assert_true(r.expect_continue);
	assert_false(r.close);
	assert_int_equal(r.head_len, strlen(req) - 4);
	/* incomplete: more bytes needed, whatever is cut */
	for (size_t n = 0; n < r.head_len; n++)
		assert_int_equal(source_ka_http_parse(req, n, 16384, &r, &why), 0);
	/* bare LF line ends, chunked, HTTP/1.0 closes */
	assert_int_equal(head("POST /a HTTP/1.0\nTransfer-Encoding: chunked\n\n", &r, &why), 1);
	assert_true(r.chunked);
	assert_true(r.close);
	assert_int_equal(r.content_length, -1);
	assert_int_equal(head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &r, &why), 1);
	assert_true(r.close);
	assert_false(r.json_type);
	/* refusals, with their status */
	assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", &r, &why), -400);
	assert_string_equal(why, "both Content-Length and chunked");
	assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", &r, &why), -400);
	assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: -5\r\n\r\n", &r, &why), -400);
	assert_int_equal(head("POST /a HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", &r, &why), -400);
	assert_int_equal(head("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &r, &why), -501);
	assert_int_equal(head("POST /a HTTP/2.0\r\n\r\n", &r, &why), -505);
	assert_int_equal(head("POST a HTTP/1.1\r\n\r\n", &r, &why), -400);
	assert_int_equal(head("POST /a HTTP/1.1\r\n bad: folded\r\n\r\n", &r, &why), -400);
	assert_int_equal(head("POST /a HTTP/1.1\r\nno colon\r\n\r\n", &r, &why), -400);
	assert_int_equal(head("PO(ST /a HTTP/1.1\r\n\r\n", &r, &why), -400);
	char big[20000];
	memset(big, 'a', sizeof(big));
	memcpy(big, "POST /a HTTP/1.1\r\nX: ", 22);
	assert_int_equal(source_ka_http_parse(big, sizeof(big), 16384, &r, &why), -431);
	char path[700] = "GET /";
	memset(path + 5, 'p', 600);
	strcpy(path + 605, " HTTP/1.1\r\n\r\n");
	assert_int_equal(head(path, &r, &why), -414);
}

/* Decodes text in pieces of step bytes; returns the feed status. */
static int chunked(const char *text, size_t step, char *out, size_t *outn, size_t max, size_t *consumed)
{
	struct source_ka_chunked c = {0};
	size_t n = strlen(text), off = 0;
	*outn = 0;
	int rc = 0;
	while (off < n && rc == 0) {
		size_t k = n - off < step ? n - off : step, used = 0;
		rc = source_ka_chunked_feed(&c, text + off, k, &used, out, outn, max);
		off += used;
		if (rc == 0 && used < k)
			break;
	}
	*consumed = off;
	return rc;
}

static void test_http_chunked(void **state)
{
	(void)state;
	char out[256];
	size_t n, used;
	const char *body = "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	for (size_t step = 1; step <= strlen(body); step++) {
		assert_int_equal(chunked(body, step, out, &n, sizeof(out), &used), 1);
		assert_int_equal(n, 23);
		assert_memory_equal(out, "Wikipedia in\r\n\r\nchunks.", 23);
		/* what follows the body (a pipelined request) is left alone */
		assert_int_equal(used, strlen(body) - 4);
	}
	assert_int_equal(chunked("5\r\nhello\r\n0\r\n\r\n", 64, out, &n, 4, &used), -413);
	assert_int_equal(chunked("x\r\n", 64, out, &n, sizeof(out), &used), -400);
	assert_int_equal(chunked("3\r\nabcX\r\n", 64, out, &n, sizeof(out), &used), -400);
	assert_int_equal(chunked("ffffffffffffffffff\r\n", 64, out, &n, sizeof(out), &used), -400);
	assert_int_equal(chunked("3\r\nab", 64, out, &n, sizeof(out), &used), 0);
}

/* ---- the webhook's queue, through the listener ---- */

struct poster {
	uint16_t port;
	int n;
	int failures;
};

/* Posts n single-event EventLists of growing size on one keep-alive connection. */
static void *post_events(void *arg)
{
	struct poster *p = arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(p->port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		p->failures = p->n;
		close(fd);
		return NULL;
	}
	char body[4096], req[4600], ans[1024];
	for (int i = 0; i < p->n; i++) {
		int pad = (i * 37) % 1500;
		int bl = snprintf(body, sizeof(body),
				  "{\"kind\":\"EventList\",\"items\":[{\"kind\":\"Event\",\"auditID\":\"q%d\","
				  "\"stageTimestamp\":\"2024-05-01T10:00:00Z\",\"pad\":\"%.*s\"}]}",
				  i, pad, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		int rl = snprintf(req, sizeof(req), "POST /k8s-audit HTTP/1.1\r\nContent-Type: application/json\r\n"
				  "Content-Length: %d\r\n\r\n%s", bl, body);
		if (write(fd, req, (size_t)rl) != rl) {
			p->failures++;
			break;
		}
		ssize_t k = read(fd, ans, sizeof(ans) - 1);
		if (k < 12 || memcmp(ans, "HTTP/1.1 200", 12)) {
			if (!p->failures)
				fprintf(stderr, "request %d: %.*s\n", i, (int)(k > 0 ? k : 0), ans);
			p->failures++;
		}
	}
	close(fd);
	return NULL;
}

static void test_listener_queue_wraps(void **state)
{
	(void)state;
	/* a 3000-byte ring and events up to ~500 bytes: the producer waits for
	 * space and wraps around many times; nothing may be lost or reordered */
	struct source_k8saudit_listen_opts o;
	memset(&o, 0, sizeof(o));
	snprintf(o.host, sizeof(o.host), "127.0.0.1");
	o.queue_bytes = 3000;
	char err[256];
	struct source_k8saudit_listener *l = source_k8saudit_listen(&o, err, sizeof(err));
	if (!l)
		fail_msg("listen: %s", err);
	struct source *src = source_k8saudit_listener_source(l);
	struct poster p = { .port = source_k8saudit_listener_port(l), .n = 300 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, post_events, &p), 0);
	/* hold off reading until the producer has found the ring full once:
	 * how fast each side runs (sanitizers, a loaded CI machine) must not
	 * decide whether the waiting path is exercised */
	struct source_k8saudit_listen_stats st;
	for (int i = 0; i < 5000; i++) {
		source_k8saudit_listener_stats(l, &st);
		if (st.queue_waits > 0)
			break;
		usleep(1000);
	}
	struct sk_event ev;
	int got = 0, slow = 0;
	while (got < p.n) {
		int rc = source_next_timeout(src, &ev, got % 7 == 0 ? 0 : 2000);
		if (rc == -EAGAIN) {
			/* nothing yet, or the producer holds the lock: try again */
			if (++slow > 100000)
				break;
			usleep(100);
			continue;
		}
		assert_int_equal(rc, 1);
		char want[32];
		snprintf(want, sizeof(want), "\"auditID\":\"q%d\"", got);
		if (!memmem(ev.params[SK_PLUGINEVENT_DATA].val, ev.params[SK_PLUGINEVENT_DATA].len, want, strlen(want)))
			fail_msg("event %d out of order: %.*s", got, 60, (const char *)ev.params[SK_PLUGINEVENT_DATA].val);
		assert_int_equal(ev.ts, 1714557600000000000ull);
		got++;
	}
	pthread_join(th, NULL);
	assert_int_equal(p.failures, 0);
	assert_int_equal(got, p.n);
	source_k8saudit_listener_stats(l, &st);
	assert_int_equal(st.events, p.n);
	assert_int_equal(st.accepted, p.n);
	assert_true(st.queue_waits > 0);
	source_close(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_probe_and_limits),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_http_head),
		cmocka_unit_test(test_http_chunked),
		cmocka_unit_test(test_listener_queue_wraps),
		cmocka_unit_test_setup_teardown(test_fields_pod, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fields_other_objects, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_audit_events, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
