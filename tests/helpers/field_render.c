/* tests/helpers/field_render.c: renders an output format against the current event of an extract context, for field tests. */
#include "tests/helpers/field_render.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include "fields/fields.h"
#include "replay/extract/extract.h"
#include "rules/rules.h"

const char *field_render(struct extract_ctx *fc, const char *fmt, char *out, size_t cap)
{
	char err[256];
	struct rule_format *rf = rule_format_compile(field_registry(), fmt, err, sizeof(err));
	if (!rf)
		fail_msg("format %s: %s", fmt, err);
	rule_format_render(rf, extract_field, fc, out, cap);
	rule_format_free(rf);
	return out;
}
