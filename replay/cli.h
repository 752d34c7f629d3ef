/* replay/cli.h: saker-replay command-line options and the generic -o key=value store. */
#ifndef SAKER_REPLAY_CLI_H
#define SAKER_REPLAY_CLI_H

#include <stddef.h>
#include <stdio.h>

struct cli_kv {
	char *key, *value;
};

/* -o key=value overrides, kept in order (later wins). */
struct cli_config {
	struct cli_kv *v;
	size_t n;
};
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
	const char *write_path;    /* -w FILE (with --live: record while detecting) */
	int force;                 /* -f: overwrite -w's file */
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
/* Builds the rule loader options from -o keys; -1 on a bad value. */
struct rule_load_opts;
/* replay/live.c: --live detection from the probe (root + BTF). */
int replay_live(const struct cli_opts *o, const struct rule_set *rs);
/* Engine options from -o keys and flags (replay/run.c). */
struct sk_engine_opts;
void replay_engine_opts(const struct cli_opts *o, struct sk_engine_opts *eo);
int cli_load_opts(const struct cli_opts *o, struct rule_load_opts *lo, char *extra, size_t extra_cap);

#endif
