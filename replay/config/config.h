/* replay/config/config.h: falco.yaml-style configuration: a YAML tree, -o overrides, typed lookups and key validation. */
#ifndef SAKER_REPLAY_CONFIG_CONFIG_H
#define SAKER_REPLAY_CONFIG_CONFIG_H

/*
 * replay/config/ owns saker-replay's falco.yaml-style configuration: the
 * tree, -o overrides, typed lookups and the table of known keys. It may call
 * yaml/.
 */

#include <stddef.h>
#include <stdint.h>

enum config_kind { CONFIG_SCALAR = 1, CONFIG_SEQ, CONFIG_MAP };

/* One node of the configuration. Every node remembers where it came from
 * (the config file or "-o") so type errors can name the position. */
struct config_node {
	uint8_t kind;               /* enum config_kind */
	uint8_t quoted;             /* scalar was quoted (then "null" is a string) */
	char *key;                  /* key in the parent map, NULL otherwise */
	char *value;                /* scalar text */
	struct config_node **kids;  /* seq items or map entries (each with key) */
	size_t n;
	const char *origin;         /* file name or "-o KEY=VALUE"; owned by the config */
	int line, col;
};

struct config;

/* The default configuration file read when no -c is given and it exists. */
#define CONFIG_DEFAULT_PATH "/etc/saker/saker.yaml"

struct config *config_new(void);
void config_free(struct config *c);
/* Loads a YAML file; its top-level keys replace the ones already set.
 * Returns 0, or -1 after printing "FILE:LINE:COL: message". */
int config_load_file(struct config *c, const char *path);
/* The same for text already in memory; path names it in messages. */
int config_load_text(struct config *c, const char *path, const char *text, size_t len);
/* Applies one -o KEY=VALUE: KEY is a dotted path with optional [i] indexes
 * (`\.` is a literal dot); VALUE is parsed as YAML, so `{a: 1}` or `[x, y]`
 * set a whole subtree. Returns 0, or -1 after printing an error. */
int config_override(struct config *c, const char *assignment);
/* Checks every known key's type and warns about unknown keys (stderr).
 * Returns 0, or -1 after printing "ORIGIN:LINE:COL: key 'x' expects ...". */
int config_validate(const struct config *c);

/* The node at a dotted path ("file_output.filename", "rules_files[0]"), or
 * NULL. The lookups below take c = NULL as an empty configuration. */
const struct config_node *config_find(const struct config *c, const char *path);
/* Scalar text at path, or NULL when absent or not a scalar. */
const char *config_str(const struct config *c, const char *path);
/* Boolean at path (true/false/yes/no/on/off/1/0); dflt when absent or invalid
 * (config_validate reports invalid ones). */
int config_bool(const struct config *c, const char *path, int dflt);
/* Number at path; dflt when absent or invalid. */
double config_num(const struct config *c, const char *path, double dflt);
/* A Prometheus duration ("15m", "1h30m", "500ms", "10s"; units ms s m h d w
 * y): 0 with *ns set, or -1 (duration.c). */
int config_parse_duration(const char *s, uint64_t *ns);
/* Parses a YAML boolean word; returns 0/1, or -1 when s is not one. */
int config_parse_bool(const char *s);

#endif
