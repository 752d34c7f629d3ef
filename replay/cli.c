/* replay/cli.c: saker-replay's command line: the option table, the checks across options, the configuration (-c, -o) and --help. */
#include "replay/replay.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fields/fields.h"
#include "formats/skr/skr.h"
#include "replay/config/config.h"
#include "replay/convert.h"
#include "replay/report/report.h"

const char *replay_config_get(const struct replay_config *c, const char *key)
{
	return config_str(c->cfg, key);
}

int replay_config_bool(const struct replay_config *c, const char *key, int dflt)
{
	return config_bool(c->cfg, key, dflt);
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static void override_add(struct replay_opts *o, const char *key, const char *value)
{
	char *s = malloc(strlen(key) + strlen(value) + 2);
	if (!s)
		return;
	sprintf(s, "%s%s%s", key, *key ? "=" : "", value);
	o->overrides = realloc(o->overrides, (o->noverrides + 1) * sizeof(*o->overrides));
	o->overrides[o->noverrides++] = s;
}

/* -c (or the default file), then the -o overrides, then validation; rules_files
 * fill the rules list when no -r was given. */
static int config_build(struct replay_opts *o)
{
	struct config *c = config_new();
	if (!c)
		return -1;
	o->config.cfg = c;
	const char *path = o->config_file;
	if (!path && access(CONFIG_DEFAULT_PATH, R_OK) == 0)
		path = CONFIG_DEFAULT_PATH;
	if (path && config_load_file(c, path) < 0)
		return -1;
	for (size_t i = 0; i < o->noverrides; i++)
		if (config_override(c, o->overrides[i]) < 0)
			return -1;
	if (config_validate(c) < 0)
		return -1;
	if (replay_k8saudit_config(o) < 0)
		return -1;
	/* Falco >= 0.38 replays a capture with engine.kind=replay instead of -e */
	const char *kind = config_str(c, "engine.kind");
	const char *cap = config_str(c, "engine.replay.capture_file");
	if (!o->ncaptures && kind && !strcmp(kind, "replay") && cap && *cap)
		push(&o->captures, &o->ncaptures, cap);
	if (o->nrules)
		return 0;
	o->rules_from_config = 1;
	const struct config_node *rf = config_find(c, "rules_files");
	if (!rf)
		rf = config_find(c, "rules_file");
	if (rf && rf->kind == CONFIG_SCALAR)
		push(&o->rules, &o->nrules, rf->value);
	else if (rf)
		for (size_t i = 0; i < rf->n; i++)
			push(&o->rules, &o->nrules, rf->kids[i]->value);
	return 0;
}

int replay_config_reload(const struct replay_opts *o, struct replay_opts *n)
{
	*n = *o;
	/* n owns fresh arrays: config_build may append to them */
	n->config.cfg = NULL;
	n->captures = NULL;
	n->ncaptures = 0;
	n->rules = NULL;
	n->nrules = 0;
	n->rules_from_config = 0;
	for (size_t i = 0; !o->rules_from_config && i < o->nrules; i++)
		push(&n->rules, &n->nrules, o->rules[i]);
	return config_build(n);
}

void replay_config_reload_free(struct replay_opts *n)
{
	free(n->rules);
	free(n->captures);
	config_free(n->config.cfg);
	memset(n, 0, sizeof(*n));
}

void replay_cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: saker-replay [OPTIONS]\n"
		"       saker-replay test [-j N] [--junit FILE] SPEC.yaml|DIR...  (rule regression tests,\n"
		"                         docs/test-spec.md; see saker-replay test --help)\n"
		"       saker-replay diff -r OLD... --against -r NEW... -e CAP|DIR... [--json|--markdown]\n"
		"                         [--fail-on-diff] [--coverage FILE]  (alerts only one rules version\n"
		"                         raises, per-rule counts; see saker-replay diff --help)\n"
		"       saker-replay summary -e CAP [--by procs|files|connections|syscalls|users|containers|execs]\n"
		"                         [--top N] [--sort KEY] [--json] [FILTER]  (sysdig's chisels: top\n"
		"                         processes, files, connections...; see saker-replay summary --help)\n"
		"Evaluates Falco rules files over captures or live events.\n\n"
		"  -c FILE                configuration file (falco.yaml keys); default /etc/saker/saker.yaml\n"
		"                         when it exists\n"
		"  -r FILE|DIR            rules file or directory (repeatable, loaded in order); replaces the\n"
		"                         config's rules_files\n"
		"  -e FILE                replay a capture (.skr, .scap, .scap.gz, or a Kubernetes audit log:\n"
		"                         JSON lines, plain or gzip; '-' = stdin); repeatable, several\n"
		"                         inputs are merged in time order; a .pcap/.pcapng beside a capture\n"
		"                         adds its packets (--pcap-out, fd.bytes.*)\n"
		"  --k8s-audit-listen [http://|https://][ADDR]:PORT[/PATH]\n"
		"                         receive Kubernetes audit events from the API server's webhook\n"
		"                         (path /k8s-audit by default; Falco's is :9765); alone or with --live\n"
		"  --k8s-audit-cert FILE  with https://: PEM holding the certificate chain and its key\n"
		"                         (default /etc/falco/falco.pem, the k8saudit plugin's sslCertificate)\n"
		"  --print FORMAT         print every event (after the optional trailing FILTER) with %%field\n"
		"                         tokens, like sysdig -r FILE -p FORMAT FILTER: on a .scap with enter\n"
		"                         events, '>' and '<' lines are printed and filtered (the rules still\n"
		"                         see exits only); e.g. '%%evt.num %%evt.dir %%proc.name %%fd.name'\n"
		"  --print-internal       with --print: also internal events (procinfo), like sysdig -D\n"
		"  --live                 detect on this host's live events (root, kernel BTF); -M SECS stops;\n"
		"                         prints 'saker-replay: --live: detecting ...' on stderr once the probe\n"
		"                         is attached and the snapshot taken (-v: the probe's programs too)\n"
		"                         and sends sd_notify READY=1 when $NOTIFY_SOCKET is set (systemd);\n"
		"                         SIGHUP reloads the configuration and rules files (a broken file keeps\n"
		"                         the running rules); webserver.* and metrics.* keys serve /healthz,\n"
		"                         /versions and /metrics (Prometheus) as Falco does; outputs.aggregate\n"
		"                         .window folds repeats into one 'N more' line (docs/service.md)\n"
		"  -p FORMAT              append FORMAT to every rule output\n"
		"  --user NAME            with --live: once the probe is attached, the snapshot taken and\n"
		"                         the outputs and -w file open, run as NAME (name or uid); every\n"
		"                         capability is dropped and no_new_privs set in any case\n"
		"  --no-execveat-mark     with --live: do not mark execveat at its entry (saves ~10-16 ns on every\n"
		"                         syscall; a successful execveat not relative to a descriptor then\n"
		"                         reads as execve)\n"
		"                         with capture.enabled=true (falco.yaml's capture section): the flight\n"
		"                         recorder keeps the last capture.ring_duration s (60) of events in\n"
		"                         memory (capture.ring_size_mb, 256) and writes, for each alert of a\n"
		"                         rule with capture: true (or every rule with capture.mode=all_rules),\n"
		"                         PREFIX_RULE_TIME.skr: capture.pre_duration ms (10000) before to\n"
		"                         capture_duration / capture.default_duration ms (5000) after\n"
		"                         (capture.format=scap: converted to .scap); docs/flight-recorder.md\n"
		"  -i, --interface IFACE  with --live -w FILE.skr: also capture IFACE's packets (libpcap,\n"
		"                         repeatable) into FILE, as saker-record -i; replay FILE for --pcap-out\n"
		"                         and fd.bytes.*; --pcap-filter EXPR, --pcap-snaplen BYTES (262144)\n"
		"  -w OUT                 with --live or --k8s-audit-listen: also record the events to OUT (.skr)\n"
		"                         with -e: write the capture's events (those passing the trailing FILTER\n"
		"                         and the --from/--to window) to OUT: .skr or .scap (sysdig 0.29)\n"
		"  -f                     with -w: overwrite OUT if it exists\n"
		"  --from TIME, --to TIME with -w: keep events in [from, to]; TIME = ns since the epoch or\n"
		"                         RFC 3339, e.g. 2019-07-09T22:31:11.5Z\n"
		"  --legacy-enter-events  also evaluate enter events of .scap captures (Falco < 0.42)\n"
		"  --decode-threads N     .skr captures: N threads (0-8) read and decompress frames ahead\n"
		"                         (and take their events apart while the main thread is the slower\n"
		"                         side, answering the open rules' fd.name, fd.directory and\n"
		"                         fd.filename checks) while the rules run on the main thread, in\n"
		"                         order; the alerts are the same; 0 decodes\n"
		"                         on the main thread. Default: 1 with 2+ CPUs and a capture of\n"
		"                         1 MiB or more, else 0 (docs/performance.md)\n"
		"  --report FILE.html|FILE.json\n"
		"                         write an incident report at the end: alerts grouped into incidents (shared\n"
		"                         process lineage, close in time), each alert's lead-up (the last events of\n"
		"                         its process and parent), a MITRE ATT&CK table from the rules' tags, the alert\n"
		"                         timeline, process trees of the alerting processes (cmdlines, users, containers,\n"
		"                         files written, connections, programs run), counts, capture host/kernel/time\n"
		"                         range/drops; the HTML page filters by priority, rule, process and container\n"
		"  --pcap-out FILE.pcapng write the packets a capture holds (saker-record -i, or -e FILE.pcap|pcapng\n"
		"                         beside it) as pcapng, each with its owner in the packet comment\n"
		"                         (proc.name=, proc.pid=, thread.tid=, container.id=); with a trailing\n"
		"                         CONDITION only the flows whose socket events match it, e.g.\n"
		"                         'proc.name=curl' or 'container.id=abc123def456' (docs/packets.md)\n"
		"  --pcap-out-alerts      with --pcap-out: also the flows of the processes that fired an alert\n"
		"  --report-lead N        events in each alert's lead-up (default 10, 0-100)\n"
		"  --report-gap SECS      an incident ends after SECS without an alert of its lineage (default 600)\n"
		"  --progress, --no-progress\n"
		"                         force or disable the progress bar (default: on when stderr is a terminal)\n"
		"  -M SECS                stop after SECS seconds\n"
		"  -U, --unbuffered       flush every output line\n"
		"  -v                     print statistics to stderr at the end (with --live, also the probe's\n"
		"                         programs and load times at start)\n"
		"  --no-summary           do not print Falco's end-of-run summary on stdout\n"
		"  -V, --validate FILE    load and validate rules files, print the result, exit 0/1 (repeatable)\n"
		"  -L                     list the loaded rules; with -o json_output=true, Falco's rules\n"
		"                         description (rules, macros, lists with their details)\n"
		"  -l RULE                describe one rule (json_output: Falco's description of it)\n"
		"  --list [SOURCE]        list every field, or those of SOURCE: syscall, k8s_audit (-N: names only)\n"
		"  --list-events          list the event types\n"
		"  -D SUBSTR              disable rules whose name contains SUBSTR\n"
		"  -T TAG                 disable rules with tag TAG\n"
		"  -t TAG                 run only rules with tag TAG\n"
		"  --enable-source SRC    evaluate only the events of SRC (syscall, k8s_audit; repeatable)\n"
		"  --disable-source SRC   do not evaluate the events of SRC (repeatable)\n"
		"  -o KEY=VALUE           override a configuration key (after -c; dotted paths, list[i],\n"
		"                         key={flow yaml}): file_output.enabled=true, file_output.filename=F,\n"
		"                         program_output={enabled: true, program: 'cat >> F'}, syslog_output.enabled,\n"
		"                         http_output.url=http://HOST:PORT/PATH, outputs.rate, stdout_output.enabled,\n"
		"                         rules_files[1]=F, log_level, priority=LEVEL, json_output=true,\n"
		"                         json_output_layout=legacy, json_include_output_property=false,\n"
		"                         json_include_tags_property=false, json_include_message_property=true,\n"
		"                         json_include_output_fields_property=false, time_format_iso_8601=true,\n"
		"                         rule_matching=all, suggested_output=false (drop the container_id=...\n"
		"                         suffix Falco's default append_output adds to every rule output),\n"
		"                         legacy_list_operators=true (string operators on list fields, as\n"
		"                         Falco < 0.38), rule_evaluation=plain (test every condition check on\n"
		"                         its own instead of one hash/automaton pass per field; same alerts),\n"
		"                         plugins=[{name: k8saudit, init_config: {...},\n"
		"                         open_params: ...}] (Falco's plugin entry: sslCertificate,\n"
		"                         maxEventSize, webhookMaxBatchSize; with load_plugins: [k8saudit]),\n"
		"                         container_engines.podman.sockets=[/run/podman/podman.sock],\n"
		"                         container_engines.docker.enabled=false (where --live asks for\n"
		"                         container metadata: docs/containers.md)\n"
		"  --min-priority LEVEL   same as -o priority=LEVEL\n"
		"  --json                 same as -o json_output=true\n"
		"  --version              print versions\n"
		"  -h, --help             this help\n\n"
		"Examples:\n"
		"  saker-replay -r falco_rules.yaml -e capture.skr\n"
		"  saker-replay -r rules.d/ -e incident.scap.gz -o json_output=true\n"
		"  sudo saker-replay -r falco_rules.yaml --live -M 60 -w live.skr\n"
		"  saker-replay -c saker.yaml -e capture.skr --report incident.html --report-lead 20\n"
		"  saker-replay summary -e capture.skr --by connections           (sysdig -c topconns)\n"
		"  saker-replay -r rules.yaml -e capture.skr -o json_output=true -o http_output.enabled=true \\\n"
		"      -o http_output.url=http://127.0.0.1:2801/\n"
		"  saker-replay -e capture.skr --print '%%evt.num %%proc.name %%evt.type %%fd.name' evt.type=openat\n"
		"  saker-replay -e old.scap --print '*%%evt.num %%evt.dir %%evt.type %%evt.args' \"evt.dir='>'\"\n"
		"  saker-replay -r falco_rules.yaml -r k8s_audit_rules.yaml -e kube-apiserver-audit.log\n"
		"  saker-replay -r k8s_audit_rules.yaml --k8s-audit-listen https://:9765/k8s-audit --k8s-audit-cert falco.pem\n"
		"  saker-replay -e old.scap.gz -w new.skr\n"
		"  saker-replay -e capture.skr -w for-sysdig.scap --from 2024-05-01T10:00:00Z proc.name=nginx\n"
		"  saker-replay -V /etc/falco/falco_rules.yaml\n"
		"  saker-replay -r rules/ -L\n"
		"  saker-replay -r falco_rules.yaml -L -o json_output=true | jq '.rules[].details.events'\n"
		"  saker-replay --list k8s_audit\n"
		"  saker-replay -r falco_rules.yaml -o json_output=true -V local_rules.yaml\n");
}

/* ---- the option table ---------------------------------------------------- */

/* What an option does with its value (or without one). */
enum cli_action {
	ACT_PUSH = 1,   /* append the value to a list: field/count are offsets of the array and its size */
	ACT_STRING,     /* store the value (const char *) at field */
	ACT_FLAG,       /* store flag (int) at field */
	ACT_OVERRIDE,   /* an -o override: key=value, or key=text for options without a value */
	ACT_IGNORE,     /* accepted for Falco compatibility, no effect (rules.md §5) */
	ACT_CALL,       /* parse or check the value in call() */
};

enum cli_arg { ARG_NONE = 0, ARG_REQUIRED, ARG_OPTIONAL /* taken when the next word is not an option */ };

struct cli_option {
	const char *names[3];  /* spellings, NULL-terminated */
	uint8_t arg;           /* enum cli_arg */
	uint8_t action;        /* enum cli_action */
	size_t field, count;
	int flag;
	const char *key, *text;
	/* ACT_CALL: 0, or -1 after printing an error. */
	int (*call)(struct replay_opts *o, const char *opt, const char *value);
};

static int opt_override(struct replay_opts *o, const char *opt, const char *value)
{
	(void)opt;
	const char *eq = strchr(value, '=');
	if (!eq || eq == value) {
		fprintf(stderr, "saker-replay: -o expects KEY=VALUE, got '%s'\n", value);
		return -1;
	}
	override_add(o, "", value);
	return 0;
}

static int opt_list(struct replay_opts *o, const char *opt, const char *value)
{
	o->list_fields = 1;
	if (!strcmp(opt, "-N"))
		o->names_only = 1;
	else
		o->list_source = value;
	return 0;
}

static int opt_seconds(struct replay_opts *o, const char *opt, const char *value)
{
	(void)opt;
	char *end;
	o->max_seconds = strtod(value, &end);
	if (*end || o->max_seconds < 0) {
		fprintf(stderr, "saker-replay: -M expects a number of seconds, got '%s'\n", value);
		return -1;
	}
	return 0;
}

static int opt_pcap_snaplen(struct replay_opts *o, const char *opt, const char *value)
{
	(void)opt;
	char *end;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);
	if (errno || end == value || *end || *value == '-' || v < 64 || v > 262144) {
		fprintf(stderr, "saker-replay: --pcap-snaplen expects bytes from 64 to 262144, got '%s'\n", value);
		return -1;
	}
	o->pcap_snaplen = (uint32_t)v;
	return 0;
}

static int opt_decode_threads(struct replay_opts *o, const char *opt, const char *value)
{
	(void)opt;
	char *end;
	long n = strtol(value, &end, 10);
	if (!*value || *end || n < 0 || n > SKR_DECODE_THREADS_MAX) {
		fprintf(stderr, "saker-replay: --decode-threads expects a number of threads from 0 to %d, got '%s'\n",
			SKR_DECODE_THREADS_MAX, value);
		return -1;
	}
	o->decode_threads = (unsigned)n;
	o->decode_threads_set = 1;
	return 0;
}

static int opt_report_num(struct replay_opts *o, const char *opt, const char *value)
{
	char *end;
	double v = strtod(value, &end);
	int lead = !strcmp(opt, "--report-lead");
	if (*end || v < 0 || (lead && (v > REPORT_LEAD_MAX || v != (double)(uint32_t)v)) || (!lead && v > 1e9)) {
		if (lead)
			fprintf(stderr, "saker-replay: --report-lead expects a number of events from 0 to %d, got '%s'\n",
				REPORT_LEAD_MAX, value);
		else
			fprintf(stderr, "saker-replay: --report-gap expects a number of seconds, got '%s'\n", value);
		return -1;
	}
	if (lead) {
		o->report_lead = (uint32_t)v;
		o->report_lead_set = 1;
	} else {
		o->report_gap_ns = (uint64_t)(v * 1e9);
	}
	return 0;
}

static int opt_time(struct replay_opts *o, const char *opt, const char *value)
{
	int from = !strcmp(opt, "--from");
	if (replay_parse_time(value, from ? &o->from_ns : &o->to_ns) < 0) {
		fprintf(stderr, "saker-replay: %s expects ns since the epoch or "
				"YYYY-MM-DDTHH:MM:SS[.nnn]Z, got '%s'\n", opt, value);
		return -1;
	}
	*(from ? &o->have_from : &o->have_to) = 1;
	return 0;
}

#define F(member) offsetof(struct replay_opts, member)
#define LIST(member) .action = ACT_PUSH, .field = F(member), .count = F(n##member)
#define STRING(member) .action = ACT_STRING, .field = F(member)
#define FLAG(member, v) .action = ACT_FLAG, .field = F(member), .flag = (v)
#define CALL(fn) .action = ACT_CALL, .call = (fn)

static const struct cli_option options[] = {
	/* rules */
	{ {"-r"}, ARG_REQUIRED, LIST(rules) },
	{ {"-V", "--validate"}, ARG_REQUIRED, LIST(validate) },
	{ {"-D"}, ARG_REQUIRED, LIST(disable_substr) },
	{ {"-T"}, ARG_REQUIRED, LIST(disable_tag) },
	{ {"-t"}, ARG_REQUIRED, LIST(enable_tag) },
	{ {"--enable-source"}, ARG_REQUIRED, LIST(enable_source) },
	{ {"--disable-source"}, ARG_REQUIRED, LIST(disable_source) },
	{ {"-L"}, ARG_NONE, FLAG(list_rules, 1) },
	{ {"-l"}, ARG_REQUIRED, STRING(describe_rule) },
	{ {"--list"}, ARG_OPTIONAL, CALL(opt_list) },
	{ {"-N"}, ARG_NONE, CALL(opt_list) },
	{ {"--list-events"}, ARG_NONE, FLAG(list_events, 1) },
	/* configuration */
	{ {"-c"}, ARG_REQUIRED, STRING(config_file) },
	{ {"-o"}, ARG_REQUIRED, CALL(opt_override) },
	{ {"--min-priority"}, ARG_REQUIRED, .action = ACT_OVERRIDE, .key = "priority" },
	{ {"--json"}, ARG_NONE, .action = ACT_OVERRIDE, .key = "json_output", .text = "true" },
	/* input */
	{ {"-e"}, ARG_REQUIRED, LIST(captures) },
	{ {"--live"}, ARG_NONE, FLAG(live, 1) },
	{ {"--user"}, ARG_REQUIRED, STRING(user) },
	{ {"-i", "--interface"}, ARG_REQUIRED, LIST(ifaces) },
	{ {"--pcap-filter"}, ARG_REQUIRED, STRING(pcap_filter) },
	{ {"--pcap-snaplen"}, ARG_REQUIRED, CALL(opt_pcap_snaplen) },
	{ {"-M"}, ARG_REQUIRED, CALL(opt_seconds) },
	{ {"--legacy-enter-events"}, ARG_NONE, FLAG(legacy_enter_events, 1) },
	{ {"--decode-threads"}, ARG_REQUIRED, CALL(opt_decode_threads) },
	{ {"--no-execveat-mark"}, ARG_NONE, FLAG(no_execveat_mark, 1) },
	{ {"--k8s-audit-listen"}, ARG_REQUIRED, STRING(k8s_audit_listen) },
	{ {"--k8s-audit-cert"}, ARG_REQUIRED, STRING(k8s_audit_cert) },
	/* output */
	{ {"--print", "-P"}, ARG_REQUIRED, STRING(print_format) },
	{ {"--print-internal"}, ARG_NONE, FLAG(print_internal, 1) },
	{ {"-p"}, ARG_REQUIRED, STRING(append_format) },
	{ {"-pc", "-pk", "-A"}, ARG_NONE, .action = ACT_IGNORE },
	{ {"--report"}, ARG_REQUIRED, STRING(report) },
	{ {"--pcap-out"}, ARG_REQUIRED, STRING(pcap_out) },
	{ {"--pcap-out-alerts"}, ARG_NONE, FLAG(pcap_out_alerts, 1) },
	{ {"--report-lead"}, ARG_REQUIRED, CALL(opt_report_num) },
	{ {"--report-gap"}, ARG_REQUIRED, CALL(opt_report_num) },
	{ {"--progress"}, ARG_NONE, FLAG(progress, 1) },
	{ {"--no-progress"}, ARG_NONE, FLAG(progress, -1) },
	{ {"-v"}, ARG_NONE, FLAG(verbose, 1) },
	{ {"-U", "--unbuffered"}, ARG_NONE, FLAG(unbuffered, 1) },
	{ {"--no-summary"}, ARG_NONE, FLAG(quiet_summary, 1) },
	/* conversion */
	{ {"-w"}, ARG_REQUIRED, STRING(write_path) },
	{ {"-f"}, ARG_NONE, FLAG(force, 1) },
	{ {"--from"}, ARG_REQUIRED, CALL(opt_time) },
	{ {"--to"}, ARG_REQUIRED, CALL(opt_time) },
	/* information */
	{ {"--version"}, ARG_NONE, FLAG(version, 1) },
	{ {"-h", "--help"}, ARG_NONE, FLAG(help, 1) },
};

#undef CALL
#undef FLAG
#undef STRING
#undef LIST
#undef F

static const struct cli_option *option_find(const char *a)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		for (size_t k = 0; k < 3 && options[i].names[k]; k++)
			if (!strcmp(a, options[i].names[k]))
				return &options[i];
	return NULL;
}

static int option_apply(struct replay_opts *o, const struct cli_option *d, const char *opt, const char *value)
{
	char *base = (char *)o;
	switch (d->action) {
	case ACT_PUSH:
		push((const char ***)(void *)(base + d->field), (size_t *)(void *)(base + d->count), value);
		return 0;
	case ACT_STRING:
		*(const char **)(void *)(base + d->field) = value;
		return 0;
	case ACT_FLAG:
		*(int *)(void *)(base + d->field) = d->flag;
		return 0;
	case ACT_OVERRIDE:
		override_add(o, d->key, d->text ? d->text : value);
		return 0;
	case ACT_IGNORE:
		return 0;
	default:
		return d->call(o, opt, value);
	}
}

/* ---- parsing and the checks across options --------------------------------- */

/* Combinations saker-replay refuses; 0, or -1 after printing why. */
static int cli_check(const struct replay_opts *o)
{
	if (o->live && o->ncaptures) {
		fprintf(stderr, "saker-replay: --live and -e cannot be combined\n");
		return -1;
	}
	if (o->k8s_audit_listen && o->ncaptures) {
		fprintf(stderr, "saker-replay: --k8s-audit-listen is live, -e replays: they cannot be combined "
				"(--k8s-audit-listen goes with --live)\n");
		return -1;
	}
	if (o->k8s_audit_cert && !o->k8s_audit_listen) {
		fprintf(stderr, "saker-replay: --k8s-audit-cert only applies to --k8s-audit-listen\n");
		return -1;
	}
	if ((o->user || o->no_execveat_mark) && !o->live) {
		fprintf(stderr, "saker-replay: %s only applies to --live\n", o->user ? "--user" : "--no-execveat-mark");
		return -1;
	}
	if ((o->nifaces || o->pcap_filter || o->pcap_snaplen) && (!o->live || !o->write_path)) {
		fprintf(stderr, "saker-replay: --interface, --pcap-filter and --pcap-snaplen record packets with "
				"--live -w FILE.skr (replay that file for --pcap-out and fd.bytes.*)\n");
		return -1;
	}
	if (o->pcap_filter && !o->nifaces) {
		fprintf(stderr, "saker-replay: --pcap-filter needs --interface IFACE\n");
		return -1;
	}
	if (o->print_internal && !o->print_format) {
		fprintf(stderr, "saker-replay: --print-internal only applies to --print\n");
		return -1;
	}
	if (o->pcap_out_alerts && !o->pcap_out) {
		fprintf(stderr, "saker-replay: --pcap-out-alerts selects what --pcap-out FILE writes: give both\n");
		return -1;
	}
	if (o->pcap_out && (!o->ncaptures || o->write_path)) {
		fprintf(stderr, "saker-replay: --pcap-out writes the packets of -e captures (not with --live or -w)\n");
		return -1;
	}
	if ((o->have_from || o->have_to || (o->force && !o->pcap_out)) && !o->write_path) {
		fprintf(stderr, "saker-replay: --from, --to and -f only apply to -w (and -f to --pcap-out)\n");
		return -1;
	}
	if (o->write_path && !o->live && !o->k8s_audit_listen && (o->ncaptures != 1 || o->nrules || o->print_format)) {
		fprintf(stderr, "saker-replay: -w converts exactly one -e capture and takes no -r or --print "
				"(or records alongside --live or --k8s-audit-listen)\n");
		return -1;
	}
	if (o->have_from && o->have_to && o->from_ns > o->to_ns) {
		fprintf(stderr, "saker-replay: --from is after --to\n");
		return -1;
	}
	if (o->nenable_source && o->ndisable_source) {
		fprintf(stderr, "Error: You can not mix --enable-source and --disable-source\n");
		return -1;
	}
	for (size_t i = 0; i < o->nenable_source + o->ndisable_source; i++) {
		const char *s = i < o->nenable_source ? o->enable_source[i] : o->disable_source[i - o->nenable_source];
		if (!field_source_registry(s)) {
			fprintf(stderr, "Error: Attempted %s an unknown event source: %s (known: syscall, k8s_audit)\n",
				i < o->nenable_source ? "enabling" : "disabling", s);
			return -1;
		}
	}
	if ((o->ndisable_substr || o->ndisable_tag) && o->nenable_tag) {
		fprintf(stderr, "Error: You can not specify both disabled (-D/-T) and enabled (-t) rules\n");
		return -1;
	}
	if ((o->report_lead_set || o->report_gap_ns) && !o->report) {
		fprintf(stderr, "saker-replay: --report-lead and --report-gap only apply to --report\n");
		return -1;
	}
	if (o->report && !report_kind(o->report)) {
		fprintf(stderr, "saker-replay: --report %s: the name must end in .html or .json\n", o->report);
		return -1;
	}
	return 0;
}

int replay_cli_parse(int argc, char **argv, struct replay_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct cli_option *d = option_find(a);
		if (!d && a[0] == '-' && a[1]) {
			fprintf(stderr, "saker-replay: unknown option '%s' (see --help)\n", a);
			return -1;
		}
		if (!d) {
			/* trailing words form a filter condition, as with sysdig */
			push(&o->filter_args, &o->nfilter_args, a);
			continue;
		}
		const char *value = NULL;
		if (d->arg == ARG_REQUIRED) {
			if (i + 1 >= argc) {
				fprintf(stderr, "saker-replay: option %s needs a value\n", a);
				return -1;
			}
			value = argv[++i];
		} else if (d->arg == ARG_OPTIONAL && i + 1 < argc && argv[i + 1][0] != '-') {
			value = argv[++i];
		}
		if (option_apply(o, d, a, value) < 0)
			return -1;
	}
	if (cli_check(o) < 0)
		return -1;
	return config_build(o);
}

void replay_opts_free(struct replay_opts *o)
{
	free(o->rules);
	free(o->validate);
	free(o->disable_substr);
	free(o->disable_tag);
	free(o->enable_source);
	free(o->disable_source);
	free(o->enable_tag);
	free(o->captures);
	free(o->ifaces);
	free(o->filter_args);
	for (size_t i = 0; i < o->noverrides; i++)
		free(o->overrides[i]);
	free(o->overrides);
	config_free(o->config.cfg);
}
