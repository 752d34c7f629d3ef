/* replay/cli.h: saker-replay command-line options and the generic -o key=value store. */
#ifndef SAKER_REPLAY_CLI_H
#define SAKER_REPLAY_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sk_config;

/* The configuration: -c FILE (or /etc/saker/saker.yaml when it exists),
 * then every -o KEY=VALUE in order (replay/config.h). */
struct cli_config {
	struct sk_config *cfg;
};
/* Scalar at a dotted path ("file_output.filename"), or NULL. */
const char *cli_config_get(const struct cli_config *c, const char *key);
int cli_config_bool(const struct cli_config *c, const char *key, int dflt);

struct cli_opts {
	const char **rules;        /* -r, in order */
	size_t nrules;
	const char **validate;     /* -V */
	size_t nvalidate;
	const char **disable_substr, **disable_tag, **enable_tag; /* -D, -T, -t */
	size_t ndisable_substr, ndisable_tag, nenable_tag;
	int list_rules;            /* -L */
	const char *describe_rule; /* -l */
	int list_fields;           /* --list / -N */
	int names_only;
	const char *list_source;
	int list_events;
	int version, help;
	struct cli_config config;
	const char *config_file;   /* -c */
	char **overrides;          /* -o KEY=VALUE texts, in order */
	size_t noverrides;
	const char *report;        /* --report FILE.html|FILE.json */
	int progress;              /* 1 force, 0 auto (stderr is a terminal), -1 never */
	/* replay */
	const char **captures;     /* -e, in order ("-" = stdin) */
	size_t ncaptures;
	const char *print_format;  /* --print FORMAT (sysdig -p) */
	const char *append_format; /* -p FORMAT: appended to every rule output */
	const char **filter_args;  /* trailing condition words (for --print) */
	size_t nfilter_args;
	double max_seconds;        /* -M */
	int legacy_enter_events;
	int verbose;               /* -v */
	int unbuffered;            /* -U */
	int quiet_summary;         /* --no-summary */
	int live;                  /* --live */
	const char *user;          /* --user NAME: with --live, run as NAME after attaching */
	/* conversion (replay/convert.c) */
	const char *write_path;    /* -w OUT (.skr or .scap); with --live: record while detecting */
	int force;                 /* -f: overwrite OUT */
	uint64_t from_ns, to_ns;   /* --from / --to, ns since the epoch */
	int have_from, have_to;
};

/* Parses argv. Returns 0, or -1 after printing an error. */
int cli_parse(int argc, char **argv, struct cli_opts *o);
void cli_opts_free(struct cli_opts *o);
void cli_usage(FILE *f);
/* Runs the command the options ask for. Returns the exit status. */
int cli_run(const struct cli_opts *o);

/* replay/run.c: replays the -e captures with the loaded rule set (NULL when
 * only --print is wanted). Exit status: 0, or 2 on a capture error. */
struct rule_set;
int replay_run(const struct cli_opts *o, const struct rule_set *rs);
/* Engine options from -o keys (JSON layout, time format, ...) and the
 * FALCO_HOSTNAME/SAKER_HOSTNAME environment; out = stdout, rules = NULL. */
struct sk_engine_opts;
void replay_engine_opts(const struct cli_opts *o, struct sk_engine_opts *eo);
/* The trailing filter words compiled against the replay fields, or NULL
 * after printing "saker-replay: filter '...': reason" on stderr. */
struct rule_filter;
struct rule_filter *replay_filter_compile(const struct cli_opts *o);
/* What a replay writes besides the engine's own printing (replay/run.c):
 * --print format and filter, configured outputs, incident report. */
struct sk_engine;
struct replay_sinks {
	struct rule_format *print;
	struct rule_filter *filter;
	struct sk_outputs *outs;
	struct sk_report *report;
};
/* Sets them up and points eo at them: 0, 1 (bad option) or 2. */
int replay_sinks_open(const struct cli_opts *o, const struct rule_set *rs, struct sk_engine_opts *eo,
		      struct replay_sinks *k);
/* End of a run: flush outputs, write the report, summary and statistics.
 * Returns 1 if the report could not be written. */
int replay_sinks_finish(const struct cli_opts *o, const struct rule_set *rs, struct replay_sinks *k,
			struct sk_engine *e);
void replay_sinks_close(struct replay_sinks *k);
/* replay/live.c: --live detection from the probe (root + BTF). */
int replay_live(const struct cli_opts *o, const struct rule_set *rs);
/* Builds the rule loader options from -o keys; -1 on a bad value. */
struct rule_load_opts;
int cli_load_opts(const struct cli_opts *o, struct rule_load_opts *lo, char *extra, size_t extra_cap);

#endif
