/* rules/diag.c: load diagnostics: codes, Falco's code descriptions, context chains, snippets and printing. */
#include "rules/loader_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	int code;
	const char *name, *desc;
} diag_codes[] = {
	{LOAD_ERR_FILE_READ, "LOAD_ERR_FILE_READ", "Could not read given file"},
	{LOAD_ERR_YAML_PARSE, "LOAD_ERR_YAML_PARSE", "Invalid yaml"},
	{LOAD_ERR_YAML_VALIDATE, "LOAD_ERR_YAML_VALIDATE", "Error validating internal structure of YAML file"},
	{LOAD_ERR_COMPILE_CONDITION, "LOAD_ERR_COMPILE_CONDITION", "Error in rule/macro condition"},
	{LOAD_ERR_COMPILE_OUTPUT, "LOAD_ERR_COMPILE_OUTPUT", "Error in rule output"},
	{LOAD_ERR_VALIDATE, "LOAD_ERR_VALIDATE", "Error in rule"},
	{LOAD_ERR_EXTENSION, "LOAD_ERR_EXTENSION", "Error in extension item"},
	{LOAD_UNKNOWN_SOURCE, "LOAD_UNKNOWN_SOURCE", "Unknown event source"},
	{LOAD_UNSAFE_NA_CHECK, "LOAD_UNSAFE_NA_CHECK", "Unsafe <NA> comparison in condition"},
	{LOAD_NO_EVTTYPE, "LOAD_NO_EVTTYPE", "Condition has no event-type restriction"},
	{LOAD_UNKNOWN_FILTER, "LOAD_UNKNOWN_FILTER", "Unknown field or event-type in condition or output"},
	{LOAD_UNUSED_MACRO, "LOAD_UNUSED_MACRO", "Unused macro"},
	{LOAD_UNUSED_LIST, "LOAD_UNUSED_LIST", "Unused list"},
	{LOAD_UNKNOWN_ITEM, "LOAD_UNKNOWN_ITEM", "Unknown rules file item"},
	{LOAD_DEPRECATED_ITEM, "LOAD_DEPRECATED_ITEM", "Used deprecated item"},
	{LOAD_WARNING_EXTENSION, "LOAD_WARNING_EXTENSION", "Warning in extension item"},
	{LOAD_APPEND_NO_VALUES, "LOAD_APPEND_NO_VALUES", "Overriding/appending with no values"},
	{LOAD_EXCEPTION_NAME_NOT_UNIQUE, "LOAD_EXCEPTION_NAME_NOT_UNIQUE", "Multiple exceptions defined with the same name"},
	{LOAD_INVALID_MACRO_NAME, "LOAD_INVALID_MACRO_NAME", "Invalid macro name"},
	{LOAD_INVALID_LIST_NAME, "LOAD_INVALID_LIST_NAME", "Invalid list name"},
	{LOAD_COMPILE_CONDITION, "LOAD_COMPILE_CONDITION", "Condition has issues"},
	{LOAD_UNKNOWN_KEY, "LOAD_UNKNOWN_KEY", "Unknown key"},
};

const char *rule_diag_code_name(int code)
{
	for (size_t i = 0; i < sizeof(diag_codes) / sizeof(diag_codes[0]); i++)
		if (diag_codes[i].code == code)
			return diag_codes[i].name;
	return "LOAD_UNKNOWN";
}

const char *rule_diag_code_desc(int code)
{
	for (size_t i = 0; i < sizeof(diag_codes) / sizeof(diag_codes[0]); i++)
		if (diag_codes[i].code == code)
			return diag_codes[i].desc;
	return "Unknown";
}

/* The source line at pos plus a caret under the column, like Falco's snippet. */
static char *make_snippet(const char *text, int line, int col)
{
	if (!text || line <= 0)
		return NULL;
	const char *p = text;
	for (int l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	const char *e = strchr(p, '\n');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	if (n > 512)
		n = 512;
	struct ld_buf b = {0};
	ld_buf_add(&b, p, n);
	ld_buf_addc(&b, '\n');
	for (int i = 1; i < col && i < 513; i++)
		ld_buf_addc(&b, ' ');
	ld_buf_adds(&b, "^\n");
	return b.s;
}

void ld_diag_v(struct rule_diag_list *dl, const char *text, int code, const struct ld_ctx *ctx,
	       const char *fmt, va_list ap)
{
	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? 2 * dl->cap : 8;
		dl->v = ld_xrealloc(dl->v, dl->cap * sizeof(*dl->v));
	}
	struct rule_diag *d = &dl->v[dl->n++];
	memset(d, 0, sizeof(*d));
	d->code = code;
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = ld_strdup("out of memory");
	d->message = msg;
	if (ctx) {
		d->nlocs = ctx->n;
		for (int i = 0; i < ctx->n; i++) {
			d->locs[i].item_type = ctx->loc[i].type;
			d->locs[i].item_name = ld_strdup(ctx->loc[i].name ? ctx->loc[i].name : "");
			d->locs[i].file = ld_strdup(ctx->loc[i].pos.file ? ctx->loc[i].pos.file : "");
			d->locs[i].line = ctx->loc[i].pos.line;
			d->locs[i].col = ctx->loc[i].pos.col;
		}
		if (ctx->n > 0)
			d->snippet = make_snippet(text, ctx->loc[ctx->n - 1].pos.line, ctx->loc[ctx->n - 1].pos.col);
	}
}

void ld_diag(struct rule_loader *l, int code, const struct ld_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ld_diag_v(&l->diags, l->cur_text, code, ctx, fmt, ap);
	va_end(ap);
	if (rule_diag_is_error(code))
		l->failed = 1;
}

void ld_ctx_push(struct ld_ctx *c, const char *type, const char *name, struct ld_pos pos)
{
	if (c->n >= RULE_DIAG_MAX_LOCS)
		return;
	c->loc[c->n].type = type;
	c->loc[c->n].name = name ? name : "";
	c->loc[c->n].pos = pos;
	c->n++;
}

/* Names and messages quote the input, which may hold newlines or other
 * control characters: escape them so a diagnostic stays one line. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void rule_diag_print(FILE *f, const struct rule_diag *d)
{
	const struct rule_diag_loc *pos = d->nlocs ? &d->locs[d->nlocs - 1] : NULL;
	const struct rule_diag_loc *item = NULL;
	for (int i = d->nlocs - 1; i >= 0 && !item; i--)
		if (d->locs[i].item_name && d->locs[i].item_name[0] && strcmp(d->locs[i].item_type, "value for"))
			item = &d->locs[i];
	for (int i = d->nlocs - 1; i >= 0 && !item; i--)
		if (strcmp(d->locs[i].item_type, "value for"))
			item = &d->locs[i];
	if (pos && pos->file && pos->file[0]) {
		put_escaped(f, pos->file);
		if (pos->line > 0)
			fprintf(f, ":%d:%d", pos->line, pos->col);
		fprintf(f, ": ");
	}
	fprintf(f, "%s: ", rule_diag_is_error(d->code) ? "error" : "warning");
	if (item && item->item_name && item->item_name[0]) {
		fprintf(f, "%s '", item->item_type);
		put_escaped(f, item->item_name);
		fputs("': ", f);
	} else if (item) {
		fprintf(f, "%s: ", item->item_type);
	}
	put_escaped(f, d->message);
	fprintf(f, " (%s)\n", rule_diag_code_name(d->code));
}

void rule_diag_list_free(struct rule_diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++) {
		struct rule_diag *d = &dl->v[i];
		free(d->message);
		free(d->snippet);
		for (int j = 0; j < d->nlocs; j++) {
			free(d->locs[j].item_name);
			free(d->locs[j].file);
		}
	}
	free(dl->v);
	memset(dl, 0, sizeof(*dl));
}
