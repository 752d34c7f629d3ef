/* replay/replay.h: saker-replay's options (the parsed command line) and its commands: dispatch, replay, live detection, sinks. */
#ifndef SAKER_REPLAY_REPLAY_H
#define SAKER_REPLAY_REPLAY_H

/*
 * replay/ (this directory) owns the saker-replay command: the command line,
 * the rules commands, replaying captures, live detection, conversion and
 * the progress bar. It may call every layer below it (docs/architecture.md).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What saker-replay reports as its version and as Falco's engine version
 * (--version, the webserver's /versions, metrics). */
#define SAKER_VERSION "0.1.0"
#define SAKER_ENGINE_VERSION "0.57.0"

struct config;
struct engine_observer;
struct rule_set;

/* The configuration: -c FILE (or /etc/saker/saker.yaml when it exists),
 * then every -o KEY=VALUE in order (replay/config/config.h). */
struct replay_config {
	struct config *cfg;
};
/* Scalar at a dotted path ("file_output.filename"), or NULL. */
const char *replay_config_get(const struct replay_config *c, const char *key);
int replay_config_bool(const struct replay_config *c, const char *key, int dflt);

struct replay_opts {
	const char **rules;        /* -r, in order */
	size_t nrules;
	int rules_from_config;     /* no -r: rules holds the configuration's rules_files */
	const char **validate;     /* -V */
	size_t nvalidate;
	const char **disable_substr, **disable_tag, **enable_tag; /* -D, -T, -t */
	size_t ndisable_substr, ndisable_tag, nenable_tag;
	const char **enable_source, **disable_source;             /* --enable-source, --disable-source */
	size_t nenable_source, ndisable_source;
	int list_rules;            /* -L */
	const char *describe_rule; /* -l */
	int list_fields;           /* --list / -N */
	int names_only;
	const char *list_source;
	int list_events;
	int version, help;
	struct replay_config config;
	const char *config_file;   /* -c */
	char **overrides;          /* -o KEY=VALUE texts, in order */
	size_t noverrides;
	const char *report;        /* --report FILE.html|FILE.json */
	const char *pcap_out;      /* --pcap-out FILE.pcapng: packets of the flows CONDITION selects */
	int pcap_out_alerts;       /* --pcap-out-alerts: ... and of the processes that fired an alert */
	uint32_t report_lead;      /* --report-lead N: lead-up events per alert (when report_lead_set) */
	int report_lead_set;
	uint64_t report_gap_ns;    /* --report-gap SECS: incident gap; 0 = default */
	int progress;              /* 1 force, 0 auto (stderr is a terminal), -1 never */
	/* replay */
	const char **captures;     /* -e, in order ("-" = stdin) */
	size_t ncaptures;
	const char *print_format;  /* --print FORMAT (sysdig -p) */
	int print_internal;        /* --print-internal: procinfo and other internal events too (sysdig -D) */
	const char *append_format; /* -p FORMAT: appended to every rule output */
	const char **filter_args;  /* trailing condition words (for --print) */
	size_t nfilter_args;
	double max_seconds;        /* -M */
	int legacy_enter_events;
	unsigned decode_threads;   /* --decode-threads N (when decode_threads_set): .skr decode workers */
	int decode_threads_set;
	int verbose;               /* -v */
	int unbuffered;            /* -U */
	int quiet_summary;         /* --no-summary */
	int live;                  /* --live */
	int no_execveat_mark;      /* --no-execveat-mark (with --live) */
	/* Kubernetes audit webhook (replay/listen.c): --k8s-audit-listen and
	 * --k8s-audit-cert, or the k8saudit plugin's entry of the configuration */
	const char *k8s_audit_listen;
	const char *k8s_audit_cert;
	size_t k8s_audit_max_event, k8s_audit_max_batch; /* maxEventSize, webhookMaxBatchSize (0: defaults) */
	const char *user;          /* --user NAME: with --live, run as NAME after attaching */
	const char **ifaces;       /* --interface IFACE: with --live -w, packets recorded too */
	size_t nifaces;
	const char *pcap_filter;   /* --pcap-filter EXPR (tcpdump syntax) */
	uint32_t pcap_snaplen;     /* --pcap-snaplen BYTES (0: 262144) */
	/* conversion (replay/convert.c) */
	const char *write_path;    /* -w OUT (.skr or .scap); with --live: record while detecting */
	int force;                 /* -f: overwrite OUT */
	uint64_t from_ns, to_ns;   /* --from / --to, ns since the epoch */
	int have_from, have_to;
	/* set by subcommands (summary), not by options */
	const struct engine_observer *observer; /* sees every event */
	int deliver_enter;                      /* sources deliver enter events */
};

/* Parses argv. Returns 0, or -1 after printing an error. */
int replay_cli_parse(int argc, char **argv, struct replay_opts *o);
void replay_opts_free(struct replay_opts *o);
/* SIGHUP: the configuration read again (-c or the default file, then -o)
 * into n, a copy of o; the rules list is o's -r files, or the new
 * configuration's rules_files. -1 after printing the error (one line).
 * replay_config_reload_free releases what n owns. */
int replay_config_reload(const struct replay_opts *o, struct replay_opts *n);
void replay_config_reload_free(struct replay_opts *n);
void replay_cli_usage(FILE *f);
/* replay/commands.c: loads the rules files of o (-r or rules_files), with
 * the selections of the configuration, -D, -T and -t. *lp gets the loader
 * (free it after the set; NULL on bad options). NULL on errors: printed
 * (why == NULL), or the first one as one line "FILE:LINE:COL: message" in
 * why. */
struct rule_loader;
struct rule_set *replay_rules_build(const struct replay_opts *o, struct rule_loader **lp, char *why, size_t whylen);
/* -L / -l RULE with json_output (replay/describe.c): Falco's rules
 * description of the rules, macros and lists l loaded into rs, or of the
 * one rule only_rule. Returns the exit status. */
int replay_describe_json(FILE *f, struct rule_loader *l, const struct rule_set *rs, const char *only_rule);
/* replay/commands.c: runs the command the options ask for. Returns the exit status. */
int replay_dispatch(const struct replay_opts *o);

/* Problems of an input that do not stop it (skipped audit lines), as
 * source_opts.warn: "saker-replay: MESSAGE" on stderr. */
void replay_print_warning(void *ctx, const char *msg);
/* replay/run.c: replays the -e captures with the loaded rule set (NULL when
 * only --print is wanted). Exit status: 0, or 2 on a capture error. */
struct rule_set;
int replay_run(const struct replay_opts *o, const struct rule_set *rs);
/* Engine options from the configuration (engine_opts_from_config) and
 * the command line (--legacy-enter-events, -U). */
struct engine_opts;
void replay_engine_opts(const struct replay_opts *o, struct engine_opts *eo);
/* The trailing filter words compiled against the replay fields, or NULL
 * after printing "saker-replay: filter '...': reason" on stderr. */
struct rule_filter;
struct rule_filter *replay_filter_compile(const struct replay_opts *o);
/* What a replay writes besides the engine's own printing (replay/run.c):
 * --print format and filter, configured outputs, incident report. */
struct engine;
struct replay_sinks {
	struct rule_format *print;
	struct rule_filter *filter;
	struct output_set *outs;
	struct report *report;
	struct packets *packets;   /* --pcap-out */
};
/* Sets them up and points eo at them: 0, 1 (bad option) or 2. */
int replay_sinks_open(const struct replay_opts *o, const struct rule_set *rs, struct engine_opts *eo,
		      struct replay_sinks *k);
/* End of a run: flush outputs, write the report, summary and statistics.
 * Returns 1 if the report could not be written. */
int replay_sinks_finish(const struct replay_opts *o, const struct rule_set *rs, struct replay_sinks *k,
			struct engine *e);
void replay_sinks_close(struct replay_sinks *k);
/* replay/suppressed.c: "Alerts suppressed: N (...)" after the summary when
 * outputs.aggregate folded or outputs.rate dropped alerts; nothing otherwise. */
void replay_print_suppressed(const struct output_set *outs, FILE *f);
/* replay/summary_cmd.c: `saker-replay summary ...` (argv[0] = "summary"). Returns the exit status. */
int replay_summary_main(int argc, char **argv);
/* replay/live.c: --live detection from the probe (root + BTF), and the
 * audit webhook's events with it when o->k8s_audit_listen is set. */
int replay_live(const struct replay_opts *o, const struct rule_set *rs);
/* replay/reload.c: SIGHUP in --live (and with --k8s-audit-listen): the
 * configuration and the rules files read again and swapped into the running
 * engine between two events, so its state and the events waiting in the
 * ring are kept. A broken file keeps what runs, with one line on stderr.
 * The webserver, the probe and -w keep the settings they started with. */
struct replay_reload {
	struct replay_opts opts;      /* the last configuration loaded (owned) */
	struct rule_loader *loader;
	struct rule_set *rs;          /* NULL until a reload succeeds */
	uint64_t reloads, failures;
};
/* 0 when e and k now use the new rules and outputs, -1 when nothing changed. */
int replay_reload(const struct replay_opts *o, struct replay_reload *r, struct engine *e, struct replay_sinks *k);
/* The rules in use: the last reloaded set, or initial. */
const struct rule_set *replay_reload_rules(const struct replay_reload *r, const struct rule_set *initial);
void replay_reload_free(struct replay_reload *r);
/* replay/listen.c: detection on the audit webhook's events alone, until
 * SIGINT/SIGTERM or -M. Exit status as replay_live. */
int replay_listen(const struct replay_opts *o, const struct rule_set *rs);
/* Starts the webhook o->k8s_audit_listen names (announced on stderr) and
 * returns it as a source, or NULL after printing why. */
struct source;
struct source_k8saudit_listener;
struct source *replay_listener_open(const struct replay_opts *o, struct source_k8saudit_listener **l);
/* The webhook's totals on stderr (requests, answers, events). */
void replay_listener_report(struct source_k8saudit_listener *l);
/* replay/cli.c: the k8saudit plugin's entry of the configuration (plugins:
 * name k8saudit, with load_plugins naming it): init_config sizes and
 * certificate, and open_params as the webhook or an audit log to replay. */
int replay_k8saudit_config(struct replay_opts *o);

#endif
