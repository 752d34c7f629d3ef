/* tests/helpers/fuzz_k8saudit.c: the k8saudit fuzz target: audit logs through the source and every ka.* and json.* field, or bytes through the webhook's HTTP parsing. */
#include "tests/helpers/fuzz_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fields/fields.h"
#include "replay/engine/engine.h"
#include "rules/rules.h"
#include "sources/k8saudit.h"

#define FUZZ_MAX_EVENTS 20000

/* One rule alerting on every event whose output names every audit field
 * (with arguments where they take one), so every extractor runs. */
static struct rule_set *audit_rule_set(void)
{
	char *text = malloc(64 * 1024);
	size_t n = (size_t)snprintf(text, 64 * 1024,
				    "- rule: every audit field\n  desc: d\n  source: k8s_audit\n  priority: INFO\n"
				    "  condition: ka.auditid exists or json.value[/kind] exists or "
				    "ka.req.pod.containers.image intersects (nginx) or ka.req.binding.subjects.user_names in (a)\n"
				    "  output: \"");
	const struct rule_field_registry *reg = field_source_registry("k8s_audit");
	for (size_t i = 0; i < reg->ndefs; i++) {
		const struct rule_field_def *d = &reg->defs[i];
		if (!rule_registry_has(reg, d) || (d->flags & RFF_HIDDEN))
			continue;
		const char *arg = "";
		if (d->flags & RFF_ARG_REQUIRED)
			arg = !strncmp(d->name, "json", 4) || !strncmp(d->name, "jevt", 4) ? "[/requestObject/spec/0/a~1b]"
			      : !strcmp(d->name, "ka.req.volume.hostpath") ? "[/proc*]" : "[command]";
		n += (size_t)snprintf(text + n, 64 * 1024 - n, "%%%s%s ", d->name, arg);
		if (d->flags & RFF_ARG_INDEX)
			n += (size_t)snprintf(text + n, 64 * 1024 - n, "%%%s[1] ", d->name);
	}
	n += (size_t)snprintf(text + n, 64 * 1024 - n, "\"\n");
	struct rule_load_opts lo;
	field_load_opts(&lo);
	lo.rule_matching_all = 1;
	struct rule_loader *l = rule_loader_new(&lo);
	struct rule_set *rs = NULL;
	if (l && rule_loader_add_text(l, "fuzz_audit.yaml", text, n) == 0)
		rs = rule_loader_build(l);
	if (!rs) {
		const struct rule_diag_list *dl = l ? rule_loader_diags(l) : NULL;
		for (size_t i = 0; dl && i < dl->n; i++)
			rule_diag_print(stderr, &dl->v[i]);
		fprintf(stderr, "fuzz_k8saudit: the audit rule does not load\n");
		abort();
	}
	rule_loader_free(l);
	free(text);
	return rs;
}

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

/* The input as an audit log (a memfd, so the real line reader and gzip run). */
static void audit_log(const uint8_t *data, size_t len)
{
	int fd = memfd_create("fuzz_k8saudit", 0);
	if (fd < 0)
		return;
	if (len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return;
	}
	char path[64], err[256];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct source_opts so = { .warn = quiet, .k8saudit_max_event = 4096 };
	struct source *src = source_open_opts(path, &so, err, sizeof(err));
	if (src) {
		static struct rule_set *rs;
		if (!rs)
			rs = audit_rule_set();
		FILE *out = fopen("/dev/null", "w");
		struct engine e;
		struct engine_opts eo = { .rules = rs, .out = out ? out : stderr, .json_output = (len & 1),
					  .json_include_output = 1, .json_include_output_fields = 1 };
		if (out && engine_init(&e, &eo) == 0) {
			struct sk_event ev;
			for (int n = 0; n < FUZZ_MAX_EVENTS && source_next(src, &ev) > 0; n++)
				engine_process(&e, &ev);
			engine_fini(&e);
		}
		if (out)
			fclose(out);
		source_close(src);
	}
	close(fd);
}

/* The input as what a webhook client sends: a head, then a chunked body,
 * fed in pieces of every size the first byte picks. */
static void http(const uint8_t *data, size_t len)
{
	size_t step = len ? (size_t)(data[0] % 64) + 1 : 1;
	struct source_ka_http_req r;
	const char *why = "";
	int rc = 0;
	size_t have = 0;
	while (rc == 0 && have < len) {
		have = have + step < len ? have + step : len;
		rc = source_ka_http_parse((const char *)data, have, 4096, &r, &why);
	}
	if (rc != 1)
		return;
	struct source_ka_chunked c = {0};
	char out[8192];
	size_t outn = 0, off = r.head_len;
	while (off < len) {
		size_t k = len - off < step ? len - off : step, used = 0;
		if (source_ka_chunked_feed(&c, (const char *)data + off, k, &used, out, &outn, sizeof(out)) != 0)
			break;
		if (used > k)
			abort(); /* the decoder must never claim more than it was given */
		off += used;
		if (used < k)
			break;
	}
}

int fuzz_one_k8saudit(const uint8_t *data, size_t len)
{
	if (!len)
		return 0;
	if (data[0] & 0x80)
		http(data + 1, len - 1);
	else
		audit_log(data + 1, len - 1);
	return 0;
}
