/* replay/cli.c: saker-replay option parsing and the rules commands (-V, -L, -l, --list, --list-events, --version). */
#include "rules/json.h"
#include "replay/cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "formats/event.h"
#include "replay/config.h"
#include "replay/convert.h"
#include "replay/fields.h"
#include "replay/report.h"
#include "rules/rules.h"

#define SAKER_VERSION "0.1.0"

const char *cli_config_get(const struct cli_config *c, const char *key)
{
	return c->cfg ? sk_config_str(c->cfg, key) : NULL;
}

int cli_config_bool(const struct cli_config *c, const char *key, int dflt)
{
	return c->cfg ? sk_config_bool(c->cfg, key, dflt) : dflt;
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static void override_add(struct cli_opts *o, const char *key, const char *value)
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
static int config_build(struct cli_opts *o)
{
	struct sk_config *c = sk_config_new();
	if (!c)
		return -1;
	o->config.cfg = c;
	const char *path = o->config_file;
	if (!path && access(SK_CONFIG_DEFAULT_PATH, R_OK) == 0)
		path = SK_CONFIG_DEFAULT_PATH;
	if (path && sk_config_load_file(c, path) < 0)
		return -1;
	for (size_t i = 0; i < o->noverrides; i++)
		if (sk_config_override(c, o->overrides[i]) < 0)
			return -1;
	if (sk_config_validate(c) < 0)
		return -1;
	/* Falco >= 0.38 replays a capture with engine.kind=replay instead of -e */
	const char *kind = sk_config_str(c, "engine.kind");
	const char *cap = sk_config_str(c, "engine.replay.capture_file");
	if (!o->ncaptures && kind && !strcmp(kind, "replay") && cap && *cap)
		push(&o->captures, &o->ncaptures, cap);
	if (o->nrules)
		return 0;
	const struct sk_cfg_node *rf = sk_config_find(c, "rules_files");
	if (!rf)
		rf = sk_config_find(c, "rules_file");
	if (rf && rf->kind == SK_CFG_SCALAR)
		push(&o->rules, &o->nrules, rf->value);
	else if (rf)
		for (size_t i = 0; i < rf->n; i++)
			push(&o->rules, &o->nrules, rf->kids[i]->value);
	return 0;
}

void cli_usage(FILE *f)
{
	fprintf(f,
		"Usage: saker-replay [OPTIONS]\n"
		"       saker-replay test [-j N] [--junit FILE] SPEC.yaml|DIR...  (rule regression tests,\n"
		"                         docs/test-spec.md; see saker-replay test --help)\n"
		"Evaluates Falco rules files over captures or live events.\n\n"
		"  -c FILE                configuration file (falco.yaml keys); default /etc/saker/saker.yaml\n"
		"                         when it exists\n"
		"  -r FILE|DIR            rules file or directory (repeatable, loaded in order); replaces the\n"
		"                         config's rules_files\n"
		"  -e FILE                replay a capture (.skr, .scap, .scap.gz; '-' = stdin); repeatable,\n"
		"                         several captures are merged in time order\n"
		"  --print FORMAT         print every event (after the optional trailing FILTER) with %%field\n"
		"                         tokens, like sysdig -p; e.g. '%%evt.num %%proc.name %%fd.name'\n"
		"  --live                 detect on this host's live events (root, kernel BTF); -M SECS stops\n"
		"  -p FORMAT              append FORMAT to every rule output\n"
		"  --user NAME            with --live: once the probe is attached, the snapshot taken and\n"
		"                         the outputs and -w file open, run as NAME (name or uid); every\n"
		"                         capability is dropped and no_new_privs set in any case\n"
		"  -w OUT                 with --live: also record the events to OUT (.skr)\n"
		"                         with -e: write the capture's events (those passing the trailing FILTER\n"
		"                         and the --from/--to window) to OUT: .skr or .scap (sysdig 0.29)\n"
		"  -f                     with -w: overwrite OUT if it exists\n"
		"  --from TIME, --to TIME with -w: keep events in [from, to]; TIME = ns since the epoch or\n"
		"                         RFC 3339, e.g. 2019-07-09T22:31:11.5Z\n"
		"  --legacy-enter-events  also evaluate enter events of .scap captures (Falco < 0.42)\n"
		"  --report FILE.html|FILE.json\n"
		"                         write an incident report at the end: alert timeline, process trees of\n"
		"                         the alerting processes (cmdlines, users, containers, files written,\n"
		"                         connections, programs run), counts, capture host/kernel/time range/drops\n"
		"  --progress, --no-progress\n"
		"                         force or disable the progress bar (default: on when stderr is a terminal)\n"
		"  -M SECS                stop after SECS seconds\n"
		"  -U, --unbuffered       flush every output line\n"
		"  -v                     print statistics to stderr at the end\n"
		"  --no-summary           do not print Falco's end-of-run summary on stdout\n"
		"  -V, --validate FILE    load and validate rules files, print the result, exit 0/1 (repeatable)\n"
		"  -L                     list the loaded rules\n"
		"  -l RULE                describe one rule\n"
		"  --list [SOURCE]        list every field (-N: names only)\n"
		"  --list-events          list the event types\n"
		"  -D SUBSTR              disable rules whose name contains SUBSTR\n"
		"  -T TAG                 disable rules with tag TAG\n"
		"  -t TAG                 run only rules with tag TAG\n"
		"  -o KEY=VALUE           override a configuration key (after -c; dotted paths, list[i],\n"
		"                         key={flow yaml}): file_output.enabled=true, file_output.filename=F,\n"
		"                         program_output={enabled: true, program: 'cat >> F'}, syslog_output.enabled,\n"
		"                         http_output.url=http://HOST:PORT/PATH, outputs.rate, stdout_output.enabled,\n"
		"                         rules_files[1]=F, log_level, priority=LEVEL, json_output=true,\n"
		"                         json_output_layout=legacy, json_include_output_property=false,\n"
		"                         json_include_tags_property=false, json_include_message_property=true,\n"
		"                         json_include_output_fields_property=false, time_format_iso_8601=true,\n"
		"                         rule_matching=all, suggested_output=false (drop the container_id=...\n"
		"                         suffix Falco's default append_output adds to every rule output)\n"
		"  --min-priority LEVEL   same as -o priority=LEVEL\n"
		"  --json                 same as -o json_output=true\n"
		"  --version              print versions\n"
		"  -h, --help             this help\n\n"
		"Examples:\n"
		"  saker-replay -r falco_rules.yaml -e capture.skr\n"
		"  saker-replay -r rules.d/ -e incident.scap.gz -o json_output=true\n"
		"  sudo saker-replay -r falco_rules.yaml --live -M 60 -w live.skr\n"
		"  saker-replay -c saker.yaml -e capture.skr --report incident.html\n"
		"  saker-replay -r rules.yaml -e capture.skr -o json_output=true -o http_output.enabled=true \\\n"
		"      -o http_output.url=http://127.0.0.1:2801/\n"
		"  saker-replay -e capture.skr --print '%%evt.num %%proc.name %%evt.type %%fd.name' evt.type=openat\n"
		"  saker-replay -e old.scap.gz -w new.skr\n"
		"  saker-replay -e capture.skr -w for-sysdig.scap --from 2024-05-01T10:00:00Z proc.name=nginx\n"
		"  saker-replay -V /etc/falco/falco_rules.yaml\n"
		"  saker-replay -r rules/ -L\n"
		"  saker-replay --list syscall\n"
		"  saker-replay -r falco_rules.yaml -o json_output=true -V local_rules.yaml\n");
}

int cli_parse(int argc, char **argv, struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED()                                                                 \
	do {                                                                   \
		if (!next) {                                                   \
			fprintf(stderr, "saker-replay: option %s needs a value\n", a); \
			return -1;                                             \
		}                                                              \
		i++;                                                           \
	} while (0)
		if (!strcmp(a, "-r")) {
			NEED();
			push(&o->rules, &o->nrules, next);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--validate")) {
			NEED();
			push(&o->validate, &o->nvalidate, next);
		} else if (!strcmp(a, "-D")) {
			NEED();
			push(&o->disable_substr, &o->ndisable_substr, next);
		} else if (!strcmp(a, "-T")) {
			NEED();
			push(&o->disable_tag, &o->ndisable_tag, next);
		} else if (!strcmp(a, "-t")) {
			NEED();
			push(&o->enable_tag, &o->nenable_tag, next);
		} else if (!strcmp(a, "-L")) {
			o->list_rules = 1;
		} else if (!strcmp(a, "-l")) {
			NEED();
			o->describe_rule = next;
		} else if (!strcmp(a, "--list") || !strcmp(a, "-N")) {
			o->list_fields = 1;
			if (!strcmp(a, "-N"))
				o->names_only = 1;
			else if (next && next[0] != '-') {
				o->list_source = next;
				i++;
			}
		} else if (!strcmp(a, "--list-events")) {
			o->list_events = 1;
		} else if (!strcmp(a, "-o")) {
			NEED();
			const char *eq = strchr(next, '=');
			if (!eq || eq == next) {
				fprintf(stderr, "saker-replay: -o expects KEY=VALUE, got '%s'\n", next);
				return -1;
			}
			override_add(o, "", next);
		} else if (!strcmp(a, "-c")) {
			NEED();
			o->config_file = next;
		} else if (!strcmp(a, "--report")) {
			NEED();
			o->report = next;
		} else if (!strcmp(a, "--progress")) {
			o->progress = 1;
		} else if (!strcmp(a, "--no-progress")) {
			o->progress = -1;
		} else if (!strcmp(a, "--min-priority")) {
			NEED();
			override_add(o, "priority", next);
		} else if (!strcmp(a, "--json")) {
			override_add(o, "json_output", "true");
		} else if (!strcmp(a, "-e")) {
			NEED();
			push(&o->captures, &o->ncaptures, next);
		} else if (!strcmp(a, "--print") || !strcmp(a, "-P")) {
			NEED();
			o->print_format = next;
		} else if (!strcmp(a, "-p")) {
			NEED();
			o->append_format = next;
		} else if (!strcmp(a, "-pc") || !strcmp(a, "-pk") || !strcmp(a, "-A")) {
			/* accepted for Falco compatibility: no effect (rules.md §5) */
		} else if (!strcmp(a, "-M")) {
			NEED();
			char *end;
			o->max_seconds = strtod(next, &end);
			if (*end || o->max_seconds < 0) {
				fprintf(stderr, "saker-replay: -M expects a number of seconds, got '%s'\n", next);
				return -1;
			}
		} else if (!strcmp(a, "--live")) {
			o->live = 1;
		} else if (!strcmp(a, "--user")) {
			NEED();
			o->user = next;
		} else if (!strcmp(a, "-w")) {
			NEED();
			o->write_path = next;
		} else if (!strcmp(a, "-f")) {
			o->force = 1;
		} else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
			NEED();
			int from = !strcmp(a, "--from");
			if (replay_parse_time(next, from ? &o->from_ns : &o->to_ns) < 0) {
				fprintf(stderr, "saker-replay: %s expects ns since the epoch or "
						"YYYY-MM-DDTHH:MM:SS[.nnn]Z, got '%s'\n", a, next);
				return -1;
			}
			*(from ? &o->have_from : &o->have_to) = 1;
		} else if (!strcmp(a, "--legacy-enter-events")) {
			o->legacy_enter_events = 1;
		} else if (!strcmp(a, "-v")) {
			o->verbose = 1;
		} else if (!strcmp(a, "-U") || !strcmp(a, "--unbuffered")) {
			o->unbuffered = 1;
		} else if (!strcmp(a, "--no-summary")) {
			o->quiet_summary = 1;
		} else if (!strcmp(a, "--version")) {
			o->version = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = 1;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "saker-replay: unknown option '%s' (see --help)\n", a);
			return -1;
		} else {
			/* trailing words form a filter condition, as with sysdig */
			push(&o->filter_args, &o->nfilter_args, a);
		}
#undef NEED
	}
	if (o->live && o->ncaptures) {
		fprintf(stderr, "saker-replay: --live and -e cannot be combined\n");
		return -1;
	}
	if (o->user && !o->live) {
		fprintf(stderr, "saker-replay: --user only applies to --live\n");
		return -1;
	}
	if ((o->have_from || o->have_to || o->force) && !o->write_path) {
		fprintf(stderr, "saker-replay: --from, --to and -f only apply to -w\n");
		return -1;
	}
	if (o->write_path && !o->live && (o->ncaptures != 1 || o->nrules || o->print_format)) {
		fprintf(stderr, "saker-replay: -w converts exactly one -e capture and takes no -r or --print "
				"(or records alongside --live)\n");
		return -1;
	}
	if (o->have_from && o->have_to && o->from_ns > o->to_ns) {
		fprintf(stderr, "saker-replay: --from is after --to\n");
		return -1;
	}
	if ((o->ndisable_substr || o->ndisable_tag) && o->nenable_tag) {
		fprintf(stderr, "Error: You can not specify both disabled (-D/-T) and enabled (-t) rules\n");
		return -1;
	}
	if (o->report && !sk_report_kind(o->report)) {
		fprintf(stderr, "saker-replay: --report %s: the name must end in .html or .json\n", o->report);
		return -1;
	}
	return config_build(o);
}

void cli_opts_free(struct cli_opts *o)
{
	free(o->rules);
	free(o->validate);
	free(o->disable_substr);
	free(o->disable_tag);
	free(o->enable_tag);
	free(o->captures);
	free(o->filter_args);
	for (size_t i = 0; i < o->noverrides; i++)
		free(o->overrides[i]);
	free(o->overrides);
	sk_config_free(o->config.cfg);
}


static void json_diag(FILE *f, const struct rule_diag *d)
{
	fputs("{\"code\":", f);
	json_fput_string(f, rule_diag_code_name(d->code));
	fputs(",\"codedesc\":", f);
	json_fput_string(f, rule_diag_code_desc(d->code));
	fputs(",\"message\":", f);
	json_fput_string(f, d->message);
	fputs(",\"context\":{\"locations\":[", f);
	for (int i = 0; i < d->nlocs; i++) {
		const struct rule_diag_loc *l = &d->locs[i];
		fprintf(f, "%s{\"item_type\":", i ? "," : "");
		json_fput_string(f, l->item_type);
		fputs(",\"item_name\":", f);
		json_fput_string(f, l->item_name);
		fputs(",\"position\":{\"name\":", f);
		json_fput_string(f, l->file);
		fprintf(f, ",\"line\":%d,\"column\":%d,\"offset\":0}}", l->line, l->col);
	}
	fputs("],\"snippet\":", f);
	json_fput_string(f, d->snippet ? d->snippet : "");
	fputs("}}", f);
}

/* Falco's stock append_output (suggested_output: true) with the container
 * plugin: one name_with_underscores=%field per suggested field. */
#define SUGGESTED_OUTPUT                                                                            \
	"container_id=%container.id container_name=%container.name "                               \
	"container_image_repository=%container.image.repository "                                  \
	"container_image_tag=%container.image.tag k8s_pod_name=%k8s.pod.name k8s_ns_name=%k8s.ns.name"

int cli_load_opts(const struct cli_opts *o, struct rule_load_opts *lo, char *extra, size_t extra_cap)
{
	memset(lo, 0, sizeof(*lo));
	lo->registry = replay_field_registry();
	lo->min_priority = RULE_PRIO_DEBUG;
	const char *p = cli_config_get(&o->config, "priority");
	if (p) {
		lo->min_priority = rule_priority_parse(p);
		if (lo->min_priority < 0) {
			fprintf(stderr, "Error: invalid priority '%s'\n", p);
			return -1;
		}
	}
	const char *m = cli_config_get(&o->config, "rule_matching");
	if (m && strcmp(m, "all") && strcmp(m, "first")) {
		fprintf(stderr, "Error: rule_matching must be 'first' or 'all', got '%s'\n", m);
		return -1;
	}
	lo->rule_matching_all = m && !strcmp(m, "all");
	extra[0] = '\0';
	size_t n = 0;
	if (o->append_format)
		n += (size_t)snprintf(extra + n, extra_cap - n, "%s", o->append_format);
	if (cli_config_bool(&o->config, "suggested_output", 1))
		n += (size_t)snprintf(extra + n, extra_cap - n, "%s%s", n ? " " : "", SUGGESTED_OUTPUT);
	lo->extra_output = n ? extra : NULL;
	return 0;
}

static struct rule_loader *new_loader(const struct cli_opts *o, char *extra, size_t extra_cap)
{
	struct rule_load_opts lo;
	if (cli_load_opts(o, &lo, extra, extra_cap) < 0)
		return NULL;
	return rule_loader_new(&lo);
}

/* A loader with the -r files loaded in order (loading stops at the first
 * failing file, as Falco does); *status is 1 after a failure. NULL on bad options. */
static struct rule_loader *load_rules_files(const struct cli_opts *o, char *extra, size_t extra_cap, int *status)
{
	struct rule_loader *l = new_loader(o, extra, extra_cap);
	*status = l ? 0 : 1;
	for (size_t i = 0; l && i < o->nrules && *status == 0; i++)
		if (rule_loader_add_path(l, o->rules[i]) < 0)
			*status = 1;
	return l;
}

static int run_validate(const struct cli_opts *o)
{
	int json = cli_config_bool(&o->config, "json_output", 0);
	char extra[1024];
	int status;
	/* -r files load first; -V files are validated in order on top of them */
	struct rule_loader *l = load_rules_files(o, extra, sizeof(extra), &status);
	if (!l)
		return 1;
	if (json)
		fputs("{\"falco_load_results\":[", stdout);
	size_t done = 0;
	for (size_t i = 0; i < o->nvalidate; i++) {
		size_t before = rule_loader_diags(l)->n;
		int rc = status == 0 ? rule_loader_add_path(l, o->validate[i]) : -1;
		const struct rule_diag_list *dl = rule_loader_diags(l);
		int nerr = 0, nwarn = 0;
		for (size_t k = before; k < dl->n; k++)
			rule_diag_is_error(dl->v[k].code) ? nerr++ : nwarn++;
		if (rc < 0)
			status = 1;
		if (json) {
			fprintf(stdout, "%s{\"name\":", i ? "," : "");
			json_fput_string(stdout, o->validate[i]);
			fprintf(stdout, ",\"successful\":%s,\"errors\":[", rc == 0 ? "true" : "false");
			int first = 1;
			for (size_t k = before; k < dl->n; k++) {
				if (!rule_diag_is_error(dl->v[k].code))
					continue;
				if (!first)
					fputc(',', stdout);
				first = 0;
				json_diag(stdout, &dl->v[k]);
			}
			fputs("],\"warnings\":[", stdout);
			first = 1;
			for (size_t k = before; k < dl->n; k++) {
				if (rule_diag_is_error(dl->v[k].code))
					continue;
				if (!first)
					fputc(',', stdout);
				first = 0;
				json_diag(stdout, &dl->v[k]);
			}
			fputs("]}", stdout);
		} else {
			for (size_t k = before; k < dl->n; k++)
				rule_diag_print(rule_diag_is_error(dl->v[k].code) ? stdout : stderr, &dl->v[k]);
			printf("%s: %s\n", o->validate[i],
			       rc < 0 ? "Invalid" : (nwarn ? "Ok, with warnings" : "Ok"));
		}
		done++;
	}
	if (json)
		fputs("]}\n", stdout);
	rule_loader_free(l);
	return status;
}

static void print_wrapped(const char *name, const char *desc)
{
	printf("%-50s ", name);
	size_t len = strlen(desc), pos = 0;
	int first = 1;
	while (pos < len || first) {
		size_t n = len - pos > 59 ? 59 : len - pos;
		if (len - pos > 59) {
			size_t cut = n;
			while (cut > 0 && desc[pos + cut] != ' ')
				cut--;
			if (cut > 0)
				n = cut;
		}
		if (!first)
			printf("%-51s", "");
		printf("%.*s\n", (int)n, desc + pos);
		pos += n;
		while (pos < len && desc[pos] == ' ')
			pos++;
		first = 0;
	}
}

static int run_list_rules(const struct cli_opts *o, const struct rule_set *rs)
{
	int json = cli_config_bool(&o->config, "json_output", 0);
	int found = 0;
	if (json)
		fputs("{\"rules\":[", stdout);
	else
		printf("%-50s %s\n%-50s %s\n", "Rule", "Description", "----", "-----------");
	for (size_t i = 0; i < rule_set_count(rs); i++) {
		const struct rule_info *ri = rule_set_rule(rs, i);
		if (o->describe_rule && strcmp(o->describe_rule, ri->name))
			continue;
		if (json) {
			fprintf(stdout, "%s{\"name\":", found ? "," : "");
			json_fput_string(stdout, ri->name);
			fputs(",\"desc\":", stdout);
			json_fput_string(stdout, ri->desc);
			fputs(",\"condition\":", stdout);
			json_fput_string(stdout, ri->condition);
			fputs(",\"output\":", stdout);
			json_fput_string(stdout, ri->output);
			fputs(",\"priority\":", stdout);
			json_fput_string(stdout, rule_priority_name(ri->priority));
			fputs(",\"source\":", stdout);
			json_fput_string(stdout, ri->source);
			fprintf(stdout, ",\"enabled\":%s,\"tags\":[", ri->enabled ? "true" : "false");
			for (size_t t = 0; t < ri->ntags; t++) {
				if (t)
					fputc(',', stdout);
				json_fput_string(stdout, ri->tags[t]);
			}
			fputs("]}", stdout);
		} else {
			print_wrapped(ri->name, ri->desc ? ri->desc : "");
		}
		found++;
	}
	if (json)
		fputs("]}\n", stdout);
	if (o->describe_rule && !found) {
		fprintf(stderr, "Error: rule '%s' not found\n", o->describe_rule);
		return 1;
	}
	return 0;
}

static const char *type_name(uint8_t t)
{
	static const char *const n[] = {"", "CHARBUF", "FSPATH", "INT64", "INT32", "INT16", "UINT64", "UINT32",
					"UINT16", "PORT", "RELTIME", "ABSTIME", "BOOL", "DOUBLE", "IPADDR", "IPNET",
					"BYTEBUF", "CHARBUF"};
	return t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}

static int run_list_fields(const struct cli_opts *o)
{
	const struct rule_field_registry *reg = replay_field_registry();
	for (size_t i = 0; i < reg->ndefs; i++) {
		const struct rule_field_def *d = &reg->defs[i];
		if (d->flags & RFF_HIDDEN)
			continue;
		if (o->list_source && strcmp(o->list_source, replay_field_source(d)))
			continue;
		if (o->names_only) {
			printf("%s\n", d->name);
			continue;
		}
		const char *suffix = (d->flags & RFF_ARG_DOTTED) ? ".<name>" :
				     (d->flags & RFF_ARG_REQUIRED) ? "[arg]" : "";
		printf("%s%s (Type: %s%s) %s\n", d->name, suffix, type_name(d->type),
		       (d->flags & RFF_LIST) ? ", List" : "", d->desc);
	}
	return 0;
}

static int run_list_events(void)
{
	for (uint16_t t = 0; t < SK_EV__COUNT; t++) {
		const struct sk_event_info *e = sk_event_info(t);
		if (!e || !e->name || (e->flags & SK_EF_UNUSED))
			continue;
		printf("%c %s(", e->dir == SK_DIR_EXIT ? '<' : '>', e->name);
		for (uint8_t p = 0; p < e->nparams; p++)
			printf("%s%s %s", p ? ", " : "", sk_ptype_name(e->params[p].type), e->params[p].name);
		printf(")\n");
	}
	return 0;
}

/* The config's `rules:` list: `- disable: {rule: "glob*"}`, `- enable: {tag: x}`,
 * applied in order after loading (rules.md §6). */
static void apply_rules_selection(const struct cli_opts *o, struct rule_loader *l)
{
	const struct sk_cfg_node *sel = o->config.cfg ? sk_config_find(o->config.cfg, "rules") : NULL;
	for (size_t i = 0; sel && sel->kind == SK_CFG_SEQ && i < sel->n; i++) {
		const struct sk_cfg_node *item = sel->kids[i];
		for (size_t k = 0; item->kind == SK_CFG_MAP && k < item->n; k++) {
			const struct sk_cfg_node *what = item->kids[k];
			int enable = !strcmp(what->key, "enable");
			if (!enable && strcmp(what->key, "disable"))
				continue;
			for (size_t j = 0; what->kind == SK_CFG_MAP && j < what->n; j++) {
				const struct sk_cfg_node *v = what->kids[j];
				if (v->kind != SK_CFG_SCALAR)
					continue;
				if (!strcmp(v->key, "rule"))
					rule_loader_select(l, enable, v->value, NULL);
				else if (!strcmp(v->key, "tag"))
					rule_loader_select(l, enable, NULL, v->value);
			}
		}
	}
}

int cli_run(const struct cli_opts *o)
{
	if (o->help) {
		cli_usage(stdout);
		return 0;
	}
	if (o->version) {
		printf("Falco version: %s (saker-replay)\nLibs version: none\nPlugin API: none\nEngine: 0.57.0\n"
		       "Driver: saker eBPF\n", SAKER_VERSION);
		return 0;
	}
	if (o->list_fields)
		return run_list_fields(o);
	if (o->list_events)
		return run_list_events();
	if (o->nvalidate)
		return run_validate(o);
	if (!o->nrules && o->print_format && o->live)
		return replay_live(o, NULL);
	if (o->write_path && !o->live)
		return replay_convert(o);
	if (o->report && (!o->nrules || (!o->ncaptures && !o->live))) {
		fprintf(stderr, "saker-replay: --report needs rules (-r or rules_files) and a capture (-e) or --live\n");
		return 1;
	}
	if (!o->nrules && o->ncaptures && o->print_format)
		return replay_run(o, NULL);
	if (!o->nrules) {
		cli_usage(stderr);
		return 1;
	}
	char extra[1024];
	int status;
	struct rule_loader *l = load_rules_files(o, extra, sizeof(extra), &status);
	if (!l)
		return 1;
	const struct rule_diag_list *dl = rule_loader_diags(l);
	for (size_t k = 0; k < dl->n; k++)
		if (rule_diag_is_error(dl->v[k].code))
			rule_diag_print(stderr, &dl->v[k]);
	apply_rules_selection(o, l);
	for (size_t i = 0; i < o->ndisable_substr; i++)
		rule_loader_disable_name_substr(l, o->disable_substr[i]);
	for (size_t i = 0; i < o->ndisable_tag; i++)
		rule_loader_disable_tag(l, o->disable_tag[i]);
	for (size_t i = 0; i < o->nenable_tag; i++)
		rule_loader_enable_only_tag(l, o->enable_tag[i]);
	struct rule_set *rs = status == 0 ? rule_loader_build(l) : NULL;
	if (!rs)
		status = 1;
	else if (o->list_rules || o->describe_rule)
		status = run_list_rules(o, rs);
	else if (o->live)
		status = replay_live(o, rs);
	else if (o->ncaptures)
		status = replay_run(o, rs);
	rule_set_free(rs);
	rule_loader_free(l);
	return status;
}
