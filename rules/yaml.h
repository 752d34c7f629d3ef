/* rules/yaml.h: a small YAML document tree (libyaml based) that keeps every node's position. */
#ifndef SAKER_RULES_YAML_H
#define SAKER_RULES_YAML_H

#include <stddef.h>
#include <stdint.h>

enum ynode_kind { YN_SCALAR = 1, YN_SEQ, YN_MAP };

struct ynode {
	uint8_t kind;
	uint8_t plain;        /* scalar written without quotes or block style */
	int line, col;        /* 1-based */
	size_t offset;
	char *text;           /* scalar value (NUL-terminated) */
	size_t len;
	struct ynode **kids;  /* seq: items; map: key0, value0, key1, value1, ... */
	size_t n;             /* number of kids */
};

struct ydocs {
	struct ynode **docs;  /* NULL entries are empty documents */
	size_t n;
};

struct yerror {
	int line, col;        /* 1-based, 0 if unknown */
	char msg[256];
};

/* Parse every document of text. Returns 0, or -1 with err filled. */
int yaml_docs_load(const char *text, size_t len, struct ydocs *out, struct yerror *err);
void yaml_docs_free(struct ydocs *d);

#endif
