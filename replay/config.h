/* replay/config.h: falco.yaml-style configuration: a YAML tree, -o overrides, typed lookups and key validation. */
#ifndef SAKER_REPLAY_CONFIG_H
#define SAKER_REPLAY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum sk_cfg_kind { SK_CFG_SCALAR = 1, SK_CFG_SEQ, SK_CFG_MAP };

/* One node of the configuration. Every node remembers where it came from
 * (the config file or "-o") so type errors can name the position. */
struct sk_cfg_node {
	uint8_t kind;               /* enum sk_cfg_kind */
	uint8_t quoted;             /* scalar was quoted (then "null" is a string) */
	char *key;                  /* key in the parent map, NULL otherwise */
	char *value;                /* scalar text */
	struct sk_cfg_node **kids;  /* seq items or map entries (each with key) */
	size_t n;
	const char *origin;         /* file name or "-o KEY=VALUE"; owned by the config */
	int line, col;
};

struct sk_config;

/* The default configuration file read when no -c is given and it exists. */
#define SK_CONFIG_DEFAULT_PATH "/etc/saker/saker.yaml"

struct sk_config *sk_config_new(void);
void sk_config_free(struct sk_config *c);
/* Loads a YAML file; its top-level keys replace the ones already set.
 * Returns 0, or -1 after printing "FILE:LINE:COL: message". */
int sk_config_load_file(struct sk_config *c, const char *path);
/* The same for text already in memory; path names it in messages. */
int sk_config_load_text(struct sk_config *c, const char *path, const char *text, size_t len);
/* Applies one -o KEY=VALUE: KEY is a dotted path with optional [i] indexes
 * (`\.` is a literal dot); VALUE is parsed as YAML, so `{a: 1}` or `[x, y]`
 * set a whole subtree. Returns 0, or -1 after printing an error. */
int sk_config_override(struct sk_config *c, const char *assignment);
/* Checks every known key's type and warns about unknown keys (stderr).
 * Returns 0, or -1 after printing "ORIGIN:LINE:COL: key 'x' expects ...". */
int sk_config_validate(const struct sk_config *c);

/* The node at a dotted path ("file_output.filename", "rules_files[0]"), or NULL. */
const struct sk_cfg_node *sk_config_find(const struct sk_config *c, const char *path);
/* Scalar text at path, or NULL when absent or not a scalar. */
const char *sk_config_str(const struct sk_config *c, const char *path);
/* Boolean at path (true/false/yes/no/on/off/1/0); dflt when absent or invalid
 * (sk_config_validate reports invalid ones). */
int sk_config_bool(const struct sk_config *c, const char *path, int dflt);
/* Number at path; dflt when absent or invalid. */
double sk_config_num(const struct sk_config *c, const char *path, double dflt);
/* Parses a YAML boolean word; returns 0/1, or -1 when s is not one. */
int sk_config_parse_bool(const char *s);

#endif
