/* yaml/yaml.h: a small YAML document tree (libyaml based) that keeps every node's position. */
#ifndef SAKER_YAML_YAML_H
#define SAKER_YAML_YAML_H

/*
 * yaml/ owns reading YAML text into trees whose every node keeps its line
 * and column, so rules files, falco.yaml configurations and test specs can
 * report errors at their position. It calls libyaml and nothing of saker.
 */

#include <stddef.h>
#include <stdint.h>

enum yaml_node_kind { YAML_SCALAR = 1, YAML_SEQ, YAML_MAP };

struct yaml_node {
	uint8_t kind;
	uint8_t plain;        /* scalar written without quotes or block style */
	int line, col;        /* 1-based */
	size_t offset;
	char *text;           /* scalar value (NUL-terminated) */
	size_t len;
	struct yaml_node **kids;  /* seq: items; map: key0, value0, key1, value1, ... */
	size_t n;             /* number of kids */
};

struct yaml_docs {
	struct yaml_node **docs;  /* NULL entries are empty documents */
	size_t n;
};

struct yaml_error {
	int line, col;        /* 1-based, 0 if unknown */
	char msg[256];
};

/* Parse every document of text. Returns 0, or -1 with err filled. */
int yaml_docs_load(const char *text, size_t len, struct yaml_docs *out, struct yaml_error *err);
void yaml_docs_free(struct yaml_docs *d);

#endif
