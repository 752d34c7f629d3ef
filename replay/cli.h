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
};

/* Parses argv. Returns 0, or -1 after printing an error. */
int cli_parse(int argc, char **argv, struct cli_opts *o);
void cli_opts_free(struct cli_opts *o);
void cli_usage(FILE *f);
/* Runs the non-replay commands (validate, list...). Returns the exit status. */
int cli_run(const struct cli_opts *o);

#endif
