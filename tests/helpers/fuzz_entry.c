/* tests/helpers/fuzz_entry.c: what each fuzz target does with one input (readers, loader, parsers, replay engine). */
#include "tests/helpers/fuzz_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/scap/scap.h"
#include "host/containers.h"
#include "formats/skr/skr.h"
#include "probe/decode.h"
#include "replay/config/config.h"
#include "replay/engine/engine.h"
#include "fields/fields.h"
#include "rules/cond.h"
#include "rules/rules.h"

/* Bounds the work per input so a large but valid input is not a "hang". */
#define FUZZ_MAX_EVENTS 200000

/*
 * Rules the capture targets evaluate on every event: one rule alerts on
 * everything and prints most fields (so every extractor runs on damaged
 * state), a second walks ancestors and lists.
 */
static const char capture_rules[] =
	"- list: shells\n"
	"  items: [bash, sh, zsh]\n"
	"- macro: spawned\n"
	"  condition: evt.type in (execve, execveat, clone, fork, vfork)\n"
	"- rule: every event\n"
	"  desc: fuzz\n"
	"  condition: evt.num > 0\n"
	"  output: >-\n"
	"    %evt.time %evt.datetime %evt.type %evt.dir %evt.args %evt.info %evt.res %evt.rawres\n"
	"    %evt.failed %evt.buffer %evt.buflen %evt.abspath %evt.arg[0] %evt.arg.fd %evt.cpu %evt.category\n"
	"    %evt.latency %evt.deltatime %evt.count\n"
	"    %proc.pid %proc.ppid %proc.vpid %proc.name %proc.pname %proc.aname[2] %proc.exe %proc.pexe\n"
	"    %proc.exepath %proc.args %proc.cmdline %proc.pcmdline %proc.acmdline[3] %proc.exeline\n"
	"    %proc.env %proc.cwd %proc.tty %proc.sid %proc.sname %proc.vpgid.name %proc.pgid.exe\n"
	"    %proc.duration %proc.pid.ts %proc.nthreads %proc.nchilds %proc.fdopencount %proc.fdusage\n"
	"    %proc.stdin.type %proc.stdin.name %proc.stdout.name %proc.loginshellid %proc.cmdnargs\n"
	"    %thread.tid %thread.vtid %thread.ismain %thread.cgroups %thread.vmsize %thread.nametid\n"
	"    %user.uid %user.name %user.homedir %user.shell %user.loginuid %user.loginname\n"
	"    %group.gid %group.name\n"
	"    %fd.num %fd.type %fd.typechar %fd.name %fd.nameraw %fd.directory %fd.filename %fd.ino %fd.dev\n"
	"    %fd.dev.major %fd.uid %fd.containername %fd.cip %fd.sip %fd.cport %fd.sport %fd.lip %fd.rip\n"
	"    %fd.lport %fd.rport %fd.sockfamily %fd.connected %fd.types\n"
	"    %fd.cip.name %fd.sip.name %fs.path.name %fs.path.source %fs.path.target\n"
	"    %fdlist.nums %fdlist.names %fdlist.cips %fdlist.sports\n"
	"    %container.id %container.name %container.image %container.image.repository\n"
	"    %container.image.tag %container.type %container.privileged %container.mounts\n"
	"    %container.ip %container.labels %container.duration %evt.hostname\n"
	"  priority: WARNING\n"
	"- rule: ancestry\n"
	"  desc: fuzz\n"
	"  condition: >-\n"
	"    (spawned and proc.aname in (shells)) or fd.net = 10.0.0.0/8 or fd.sip.name contains a\n"
	"    or proc.env[HOME] glob '/*' or evt.arg.name startswith / or container.mount.dest[/] exists\n"
	"    or fd.types intersects (file, ipv4) or proc.apid[4] = 1 or evt.type.is.open = 1\n"
	"  output: \"%proc.aname %proc.apid[1] %container.mount[0] %fd.rip\"\n"
	"  priority: NOTICE\n";

static struct rule_set *capture_rule_set(void)
{
	struct rule_load_opts lo = {
		.registry = field_registry(),
		.min_priority = RULE_PRIO_DEBUG,
		.rule_matching_all = 1,
	};
	struct rule_loader *l = rule_loader_new(&lo);
	struct rule_set *rs = NULL;
	if (l && rule_loader_add_text(l, "fuzz_rules.yaml", capture_rules, sizeof(capture_rules) - 1) == 0)
		rs = rule_loader_build(l);
	if (!rs) {
		/* A harness bug, not a finding: say so loudly instead of fuzzing nothing. */
		const struct rule_diag_list *dl = l ? rule_loader_diags(l) : NULL;
		for (size_t i = 0; dl && i < dl->n; i++)
			rule_diag_print(stderr, &dl->v[i]);
		fprintf(stderr, "fuzz_entry: the capture rules do not load\n");
		abort();
	}
	rule_loader_free(l);
	return rs;
}

/* Runs events from next() through a fresh engine writing to /dev/null. */
struct event_feed {
	int (*next)(void *src, struct sk_event *ev);
	const struct sk_meta *(*meta)(void *src);
	void *src;
};

static void replay_events(const struct event_feed *f, int json)
{
	FILE *out = fopen("/dev/null", "w");
	struct rule_set *rs = capture_rule_set();
	struct engine e;
	struct engine_opts eo = {
		.rules = rs,
		.out = out ? out : stderr,
		.json_output = json,
		.json_include_output = 1,
		.json_include_tags = 1,
		.json_include_output_fields = 1,
	};
	if (out && engine_init(&e, &eo) == 0) {
		const struct sk_meta *m = f->meta(f->src);
		size_t seen = m->n_procs + m->n_fds + m->n_users + m->n_groups + m->n_containers;
		engine_seed(&e, m);
		struct sk_event ev;
		for (int n = 0; n < FUZZ_MAX_EVENTS && f->next(f->src, &ev) > 0; n++) {
			engine_process(&e, &ev);
			m = f->meta(f->src);
			size_t now = m->n_procs + m->n_fds + m->n_users + m->n_groups + m->n_containers;
			if (now != seen) {
				engine_seed(&e, m);
				seen = now;
			}
		}
		engine_print_summary(&e, out);
		engine_print_stats(&e, out);
		engine_fini(&e);
	}
	if (out)
		fclose(out);
	rule_set_free(rs);
}

static int feed_skr_next(void *src, struct sk_event *ev)
{
	return skr_reader_next(src, ev);
}

static const struct sk_meta *feed_skr_meta(void *src)
{
	return skr_reader_meta(src);
}

int fuzz_one_skr(const uint8_t *data, size_t len)
{
	/* The reader takes a file descriptor; a memfd is a regular file, so the
	 * footer index and seeking are exercised too. */
	int fd = memfd_create("fuzz.skr", 0);
	if (fd < 0)
		return 0;
	size_t done = 0;
	while (done < len) {
		ssize_t k = write(fd, data + done, len - done);
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	char err[512];
	if (done == len && lseek(fd, 0, SEEK_SET) == 0) {
		struct skr_reader *r = skr_reader_open_fd(fd, "fuzz.skr", NULL, 0, err, sizeof(err));
		if (r) {
			/* Text or JSON alerts (JSON costs twice as much): the input
			 * length picks, so the corpus covers both. */
			struct event_feed f = { feed_skr_next, feed_skr_meta, r };
			replay_events(&f, (int)(len & 1));
			(void)skr_reader_error(r);
			skr_reader_close(r);
		}
		/* Seeking to a time taken from the input, then reading on. */
		if (len >= 8 && lseek(fd, 0, SEEK_SET) == 0 &&
		    (r = skr_reader_open_fd(fd, "fuzz.skr", NULL, 0, err, sizeof(err))) != NULL) {
			uint64_t ts;
			memcpy(&ts, data + len - 8, 8);
			struct sk_event ev;
			if (skr_reader_seek_time(r, ts) == 0)
				for (int n = 0; n < FUZZ_MAX_EVENTS && skr_reader_next(r, &ev) > 0; n++)
					;
			skr_reader_close(r);
		}
	}
	close(fd);
	return 0;
}

/* Touches every parameter byte so a length that overruns the reader's
 * buffer is an ASan report, not a silent read. */
static uint32_t touch_event(const struct sk_event *ev)
{
	uint32_t h = ev->type ^ (uint32_t)ev->tid ^ (uint32_t)ev->ts;
	for (uint32_t i = 0; i < ev->nparams && i < SK_MAX_PARAMS; i++)
		for (uint32_t k = 0; k < ev->params[i].len; k++)
			h = h * 31u + ev->params[i].val[k];
	return h;
}

/* Reads fd from its start with threads decode workers: a hash of every
 * event, the count, the last return code and the error message. */
struct skr_read_result {
	uint32_t hash;
	int n, rc;
	char err[640];
};

static int read_skr_fd(int fd, unsigned threads, struct skr_read_result *res)
{
	char err[512];
	memset(res, 0, sizeof(*res));
	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	struct skr_reader *r = skr_reader_open_fd(fd, "fuzz.skr", NULL, 0, err, sizeof(err));
	if (!r)
		return -1;
	if (skr_reader_set_decode_threads(r, threads)) {
		skr_reader_close(r);
		return -1;
	}
	struct sk_event ev;
	while (res->n < FUZZ_MAX_EVENTS && (res->rc = skr_reader_next(r, &ev)) > 0) {
		res->hash = res->hash * 131u + touch_event(&ev);
		res->n++;
	}
	snprintf(res->err, sizeof(res->err), "%s", skr_reader_error(r));
	skr_reader_close(r);
	return 0;
}

int fuzz_one_skr_decode(const uint8_t *data, size_t len)
{
	int fd = memfd_create("fuzz.skr", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, len) == (ssize_t)len) {
		/* Frames decoded ahead on a worker must give exactly what the
		 * reader's own thread gives: a difference is a bug, so abort. */
		struct skr_read_result seq, par;
		if (read_skr_fd(fd, 0, &seq) == 0 && read_skr_fd(fd, 1, &par) == 0 &&
		    (seq.hash != par.hash || seq.n != par.n || seq.rc != par.rc || strcmp(seq.err, par.err))) {
			fprintf(stderr, "fuzz.skr: sequential and pipelined decoding differ: %d/%d events, rc %d/%d, '%s' / '%s'\n",
				seq.n, par.n, seq.rc, par.rc, seq.err, par.err);
			abort();
		}
	}
	close(fd);
	return 0;
}

int fuzz_one_scap_decode(const uint8_t *data, size_t len)
{
	char err[512];
	struct scap_reader *r;
	struct scap_read_opts o = { .deliver_enter = (int)(len & 1) };
	if (scap_open_mem(data, len, "fuzz.scap", &o, &r, err, sizeof(err)) < 0)
		return 0;
	struct sk_event ev;
	volatile uint32_t sink = 0;
	for (int n = 0; n < FUZZ_MAX_EVENTS && scap_next(r, &ev) > 0; n++)
		sink += touch_event(&ev);
	(void)sink;
	scap_close(r);
	return 0;
}

static int feed_scap_next(void *src, struct sk_event *ev)
{
	return scap_next(src, ev);
}

static const struct sk_meta *feed_scap_meta(void *src)
{
	return scap_meta(src);
}

int fuzz_one_scap(const uint8_t *data, size_t len)
{
	char err[512];
	struct scap_reader *r;
	/* Enter events delivered or merged: the byte count picks, so both
	 * paths see every corpus shape. */
	struct scap_read_opts o = { .deliver_enter = (int)(len & 1) };
	if (scap_open_mem(data, len, "fuzz.scap", &o, &r, err, sizeof(err)) < 0)
		return 0;
	struct event_feed f = { feed_scap_next, feed_scap_meta, r };
	replay_events(&f, (int)((len >> 1) & 1));
	(void)scap_error(r);
	(void)scap_get_stats(r);
	scap_close(r);
	return 0;
}

int fuzz_one_rules_yaml(const uint8_t *data, size_t len)
{
	struct rule_load_opts lo = {
		.registry = field_registry(),
		.min_priority = RULE_PRIO_DEBUG,
		.extra_output = (len & 1) ? "extra=%proc.name" : NULL,
		.legacy_container_info = (int)(len & 2),
	};
	struct rule_loader *l = rule_loader_new(&lo);
	if (!l)
		return 0;
	if (rule_loader_add_text(l, "fuzz.yaml", (const char *)data, len) == 0) {
		rule_loader_disable_tag(l, "a");
		struct rule_set *rs = rule_loader_build(l);
		if (rs) {
			for (size_t i = 0; i < rule_set_count(rs); i++)
				(void)rule_set_rule(rs, i);
			uint16_t types[64];
			(void)rule_set_evttypes(rs, types, 64);
			rule_set_free(rs);
		}
	}
	FILE *out = fopen("/dev/null", "w");
	const struct rule_diag_list *dl = rule_loader_diags(l);
	for (size_t i = 0; out && i < dl->n; i++)
		rule_diag_print(out, &dl->v[i]);
	if (out)
		fclose(out);
	rule_loader_free(l);
	return 0;
}

/*
 * Probe ring records, as saker-record's consumer receives them from the
 * kernel: the input is a sequence of [u16 little-endian length][record].
 * Each record is copied to a buffer of exactly its length (so ASan sees any
 * read past it), decoded (probe/decode.c) and, when valid, replayed through
 * the engine like a capture's events.
 */
struct probe_feed {
	const uint8_t *p, *end;
	struct skp_decoder *d;
	struct sk_meta *meta;
	void *rec;
};

static int feed_probe_next(void *src, struct sk_event *ev)
{
	struct probe_feed *f = src;
	while (f->end - f->p >= 2) {
		size_t n = (size_t)f->p[0] | (size_t)f->p[1] << 8;
		f->p += 2;
		if (n > (size_t)(f->end - f->p))
			n = (size_t)(f->end - f->p);
		free(f->rec);
		f->rec = malloc(n ? n : 1);
		if (!f->rec)
			return 0;
		memcpy(f->rec, f->p, n);
		f->p += n;
		if (skp_decode(f->d, f->rec, n, ev) == 0)
			return 1;
	}
	return 0;
}

static const struct sk_meta *feed_probe_meta(void *src)
{
	return ((struct probe_feed *)src)->meta;
}

int fuzz_one_probe(const uint8_t *data, size_t len)
{
	struct probe_feed f = { data, data + len, malloc(sizeof(struct skp_decoder)), sk_meta_new(), NULL };
	if (f.d && f.meta) {
		skp_decoder_init(f.d);
		struct event_feed feed = { feed_probe_next, feed_probe_meta, &f };
		replay_events(&feed, (int)(len & 1));
	}
	free(f.rec);
	sk_meta_free(f.meta);
	free(f.d);
	return 0;
}

/*
 * A configuration file. The whole input is the YAML text; a line starting
 * with "#o " (a YAML comment, so the text still parses) is also applied as a
 * -o override and one starting with "#k " is looked up as a dotted path.
 * Then validation and the typed lookups the CLI and the outputs make.
 */
int fuzz_one_config(const uint8_t *data, size_t len)
{
	static const char *const paths[] = {
		"rules_files", "rules_files[0]", "rules_file", "priority", "rule_matching", "json_output",
		"json_output_layout", "time_format_iso_8601", "outputs.rate", "outputs.max_burst",
		"stdout_output.enabled", "file_output.enabled", "file_output.filename", "program_output.program",
		"syslog_output.socket", "http_output.url", "http_output.timeout_ms", "engine.kind",
		"engine.replay.capture_file", "log_level", "append_output[0].match.source",
	};
	struct config *c = config_new();
	if (!c)
		return 0;
	if (config_load_text(c, "fuzz.yaml", (const char *)data, len) == 0) {
		const char *p = (const char *)data, *end = p + len;
		char line[512];
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = (size_t)((nl ? nl : end) - p);
			if (n > 3 && n - 3 < sizeof(line) && p[0] == '#' && (p[1] == 'o' || p[1] == 'k') && p[2] == ' ') {
				memcpy(line, p + 3, n - 3);
				line[n - 3] = '\0';
				if (p[1] == 'o') {
					(void)config_override(c, line);
				} else {
					(void)config_find(c, line);
					(void)config_bool(c, line, 0);
					(void)config_num(c, line, 0);
				}
			}
			p += n + 1;
		}
		(void)config_validate(c);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			const struct config_node *n = config_find(c, paths[i]);
			for (size_t k = 0; n && k < n->n; k++)
				(void)n->kids[k]->value;
			(void)config_str(c, paths[i]);
			(void)config_bool(c, paths[i], 1);
			(void)config_num(c, paths[i], 0);
		}
	}
	config_free(c);
	return 0;
}

/*
 * A provider that answers every field with a value of its type made from the
 * input text, so evaluation and rendering run on arbitrary strings.
 */
struct fake_src {
	const struct rule_field_registry *reg;
	const char *text;  /* NUL-terminated */
	size_t len;
};

static int fake_extract(void *ctx, const struct rule_field_ref *ref, struct rule_value *out)
{
	const struct fake_src *s = ctx;
	uint16_t flags = 0;
	for (size_t i = 0; i < s->reg->ndefs; i++)
		if (s->reg->defs[i].id == ref->id) {
			flags = s->reg->defs[i].flags;
			break;
		}
	size_t off = s->len ? ((size_t)ref->id * 7u + (size_t)ref->arg_index) % (s->len + 1) : 0;
	int n = (flags & RFF_LIST) ? 3 : (flags & RFF_EITHER) ? 2 : 1;
	if ((ref->id + s->len) % 11 == 0)
		return 0; /* some fields have no value */
	for (int k = 0; k < n; k++) {
		struct rule_value *v = &out[k];
		memset(v, 0, sizeof(*v));
		v->type = ref->type;
		const char *str = s->text + (off + (size_t)k) % (s->len + 1);
		switch (ref->type) {
		case RF_INT64: case RF_INT32: case RF_INT16:
		case RF_RELTIME: case RF_ABSTIME:
			v->v.i = (int64_t)(s->len * 2654435761u) - (int64_t)off;
			break;
		case RF_UINT64: case RF_UINT32: case RF_UINT16: case RF_PORT:
			v->v.u = (uint64_t)s->len * 40503u + off;
			break;
		case RF_BOOL:
			v->v.u = off & 1;
			break;
		case RF_DOUBLE:
			v->v.d = (double)off / 3.0;
			break;
		case RF_IPADDR: case RF_IPNET:
			v->type = RF_IPADDR;
			v->ipv6 = (uint8_t)(off & 1);
			for (int b = 0; b < 16; b++)
				v->v.ip[b] = (uint8_t)(off * 31u + (size_t)b);
			break;
		default:
			v->v.s = str;
			v->len = (uint32_t)strlen(str);
			break;
		}
	}
	return n;
}

static char *text_copy(const uint8_t *data, size_t len)
{
	char *t = malloc(len + 1);
	if (t) {
		memcpy(t, data, len);
		t[len] = '\0';
	}
	return t;
}

int fuzz_one_cond(const uint8_t *data, size_t len)
{
	char *text = text_copy(data, len);
	if (!text)
		return 0;
	const struct rule_field_registry *reg = field_registry();
	struct cond_error err;
	struct cond_node *ast = cond_parse(text, 1000, &err);
	if (ast) {
		uint8_t *map = calloc(reg->n_evttypes ? reg->n_evttypes : 1, 1);
		if (map)
			(void)cond_evttypes(ast, reg, map);
		free(map);
		struct cond_warnings w;
		int unknown = 0;
		struct cond_compiled *c = cond_compile(ast, reg, &w, &unknown, &err);
		if (c) {
			struct fake_src s = { reg, text, strlen(text) };
			for (uint16_t t = 0; t < reg->n_evttypes; t += 37)
				(void)cond_eval(c, t, fake_extract, &s);
			cond_compiled_free(c);
		}
		cond_free(ast);
	}
	/* The standalone filter path (--print FILTER) adds its own messages. */
	struct rule_diag_list dl = { 0 };
	struct rule_filter *f = rule_filter_compile(reg, text, &dl);
	rule_filter_free(f);
	for (size_t i = 0; i < dl.n; i++)
		free(dl.v[i].message);
	free(dl.v);
	free(text);
	return 0;
}

int fuzz_one_format(const uint8_t *data, size_t len)
{
	char *text = text_copy(data, len);
	if (!text)
		return 0;
	const struct rule_field_registry *reg = field_registry();
	char err[512];
	struct rule_format *f = rule_format_compile(reg, text, err, sizeof(err));
	if (f) {
		struct fake_src s = { reg, text, strlen(text) };
		char small[48], big[8192];
		(void)rule_format_render(f, fake_extract, &s, small, sizeof(small));
		(void)rule_format_render(f, fake_extract, &s, big, sizeof(big));
		(void)rule_format_render_json_fields(f, fake_extract, &s, small, sizeof(small));
		(void)rule_format_render_json_fields(f, fake_extract, &s, big, sizeof(big));
		(void)rule_format_render_json_fields_with(f, fake_extract, &s, "evt.time", "1700000000123456789",
							  big, sizeof(big));
		rule_format_free(f);
	}
	free(text);
	return 0;
}

int fuzz_one_cri(const uint8_t *data, size_t len)
{
	if (len < 4)
		return 0;
	/* two big-endian 16-bit lengths cut the rest into the three answers */
	const uint8_t *m = data + 4;
	size_t n = len - 4, a = (size_t)data[0] << 8 | data[1], b = (size_t)data[2] << 8 | data[3];
	a = a < n ? a : n;
	b = a + (b < n - a ? b : n - a);
	static char out[1 << 16];
	(void)host_ctr_cri_record(m, a, m + a, b - a, m + b, n - b, 7, 100, out, sizeof(out));
	(void)host_ctr_cri_record(m, a, m + a, b - a, m + b, n - b, 7, 0, out, 200);
	(void)host_ctr_cri_sandbox_record(m, n, 8, 100, out, sizeof(out));
	size_t cur = 0;
	struct host_pb_field f;
	while (host_pb_next(m, n, &cur, &f) > 0)
		;
	return 0;
}

const struct fuzz_target fuzz_targets[] = {
	{ "skr", fuzz_one_skr },
	{ "scap", fuzz_one_scap },
	{ "skr_decode", fuzz_one_skr_decode },
	{ "scap_decode", fuzz_one_scap_decode },
	{ "rules_yaml", fuzz_one_rules_yaml },
	{ "cond", fuzz_one_cond },
	{ "format", fuzz_one_format },
	{ "config", fuzz_one_config },
	{ "probe", fuzz_one_probe },
	{ "k8saudit", fuzz_one_k8saudit },
	{ "cri", fuzz_one_cri },
};

const size_t fuzz_ntargets = sizeof(fuzz_targets) / sizeof(fuzz_targets[0]);
