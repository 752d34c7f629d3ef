/* yaml/yaml.c: converts libyaml documents into position-keeping yaml_node trees. */
#include "yaml/yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 1000
/* Aliases share nodes in libyaml's document but are copied into the tree;
 * nested aliases ("billion laughs") would expand exponentially, so the copy
 * may add at most this many nodes to the document's own. */
#define YAML_MAX_ALIAS_NODES 100000

static void ynode_free(struct yaml_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

struct conv {
	yaml_document_t *doc;
	size_t budget;         /* nodes the tree may still get */
	struct yaml_error *err;    /* first failure, with the offending node's position */
};

static struct yaml_node *conv_fail(struct conv *cv, const yaml_node_t *yn, const char *msg)
{
	if (!cv->err->msg[0]) {
		cv->err->line = (int)yn->start_mark.line + 1;
		cv->err->col = (int)yn->start_mark.column + 1;
		snprintf(cv->err->msg, sizeof(cv->err->msg), "error at line %d, column %d: %s", cv->err->line,
			 cv->err->col, msg);
	}
	return NULL;
}

static struct yaml_node *convert(struct conv *cv, yaml_node_t *yn, int depth)
{
	if (!yn)
		return NULL;
	if (depth > YAML_MAX_DEPTH)
		return conv_fail(cv, yn, "nesting deeper than 1000 levels");
	if (cv->budget == 0)
		return conv_fail(cv, yn, "aliases expand to too many nodes");
	cv->budget--;
	yaml_document_t *doc = cv->doc;
	struct yaml_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->line = (int)yn->start_mark.line + 1;
	n->col = (int)yn->start_mark.column + 1;
	n->offset = yn->start_mark.index;
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		n->kind = YAML_SCALAR;
		n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->len = yn->data.scalar.length;
		n->text = malloc(n->len + 1);
		if (!n->text)
			goto fail;
		memcpy(n->text, yn->data.scalar.value, n->len);
		n->text[n->len] = 0;
		return n;
	case YAML_SEQUENCE_NODE: {
		n->kind = YAML_SEQ;
		size_t cnt = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
		n->kids = calloc(cnt ? cnt : 1, sizeof(*n->kids));
		if (!n->kids)
			goto fail;
		for (size_t i = 0; i < cnt; i++) {
			yaml_node_t *c = yaml_document_get_node(doc, yn->data.sequence.items.start[i]);
			if (!(n->kids[n->n] = convert(cv, c, depth + 1)))
				goto fail;
			n->n++;
		}
		return n;
	}
	case YAML_MAPPING_NODE: {
		n->kind = YAML_MAP;
		size_t cnt = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
		n->kids = calloc(cnt ? 2 * cnt : 1, sizeof(*n->kids));
		if (!n->kids)
			goto fail;
		for (size_t i = 0; i < cnt; i++) {
			yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
			if (!(n->kids[n->n] = convert(cv, yaml_document_get_node(doc, p->key), depth + 1)))
				goto fail;
			n->n++;
			if (!(n->kids[n->n] = convert(cv, yaml_document_get_node(doc, p->value), depth + 1)))
				goto fail;
			n->n++;
		}
		return n;
	}
	default:
		break;
	}
fail:
	ynode_free(n);
	return NULL;
}

/* libyaml reports encoding faults (bad UTF-8, control characters, NULs) by
 * byte offset only, with a zero mark: derive the line and column (in
 * characters, like libyaml's marks) so the message points at the byte. */
static void reader_error_mark(yaml_parser_t *p, const char *text, size_t len)
{
	size_t end = p->problem_offset < len ? p->problem_offset : len;
	yaml_mark_t m = { end, 0, 0 };
	for (size_t i = 0; i < end; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	p->problem_mark = m;
}

/* Falco parses rules with yaml-cpp and reports its exception text verbatim
 * ("yaml-cpp: error at line L, column C: illegal map value"); the legacy suite
 * checks that text. libyaml detects the same faults with other words, so the
 * common ones are translated; anything else keeps libyaml's wording. */
static const struct {
	const char *libyaml, *yamlcpp;
} yaml_problem_map[] = {
	{"mapping values are not allowed in this context", "illegal map value"},
	{"block sequence entries are not allowed in this context", "illegal block entry"},
	{"did not find expected key", "end of map not found"},
	{"did not find expected '-' indicator", "end of sequence not found"},
	{"did not find expected ',' or ']'", "end of sequence flow not found"},
	{"did not find expected ',' or '}'", "end of map flow not found"},
	{"found character that cannot start any token", "unknown token"},
	{"found unexpected end of stream", "illegal EOF in scalar"},
	{"found a tab character that violates indentation", "illegal tab when looking for indentation"},
	{"found a tab character where an indentation space is expected", "illegal tab when looking for indentation"},
	{"mapping keys are not allowed in this context", "illegal map key"},
	{"found unexpected document indicator", "illegal document indicator in scalar"},
};

static void format_parse_error(const yaml_parser_t *p, struct yaml_error *err)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
	err->line = (int)m->line + 1;
	err->col = (int)m->column + 1;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	for (size_t i = 0; i < sizeof(yaml_problem_map) / sizeof(yaml_problem_map[0]); i++) {
		if (!strcmp(problem, yaml_problem_map[i].libyaml)) {
			snprintf(err->msg, sizeof(err->msg), "yaml-cpp: error at line %d, column %d: %s", err->line,
				 err->col, yaml_problem_map[i].yamlcpp);
			return;
		}
	}
	snprintf(err->msg, sizeof(err->msg), "error at line %d, column %d: %s%s%s", err->line, err->col, problem,
		 p->context ? " " : "", p->context ? p->context : "");
}

int yaml_docs_load(const char *text, size_t len, struct yaml_docs *out, struct yaml_error *err)
{
	yaml_parser_t p;
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (!yaml_parser_initialize(&p)) {
		snprintf(err->msg, sizeof(err->msg), "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	size_t cap = 0;
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&p, &doc)) {
			if (p.error == YAML_READER_ERROR)
				reader_error_mark(&p, text, len);
			format_parse_error(&p, err);
			yaml_parser_delete(&p);
			yaml_docs_free(out);
			return -1;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root && p.stream_end_produced) {
			yaml_document_delete(&doc);
			break;
		}
		struct yaml_node *n = NULL;
		if (root) {
			struct conv cv = {
				&doc, (size_t)(doc.nodes.top - doc.nodes.start) + YAML_MAX_ALIAS_NODES, err
			};
			n = convert(&cv, root, 0);
			if (!n) {
				if (!err->msg[0])
					snprintf(err->msg, sizeof(err->msg), "out of memory");
				yaml_document_delete(&doc);
				yaml_parser_delete(&p);
				yaml_docs_free(out);
				return -1;
			}
		}
		yaml_document_delete(&doc);
		if (out->n == cap) {
			cap = cap ? 2 * cap : 4;
			struct yaml_node **nd = realloc(out->docs, cap * sizeof(*nd));
			if (!nd) {
				ynode_free(n);
				break;
			}
			out->docs = nd;
		}
		out->docs[out->n++] = n;
	}
	yaml_parser_delete(&p);
	return 0;
}

void yaml_docs_free(struct yaml_docs *d)
{
	for (size_t i = 0; i < d->n; i++)
		ynode_free(d->docs[i]);
	free(d->docs);
	d->docs = NULL;
	d->n = 0;
}
