/* replay/regress/junit.c: JUnit XML report of a `saker-replay test` run (testsuite/testcase/failure/skipped). */
#include "replay/regress/regress.h"

#include <errno.h>
#include <string.h>

/* XML text with the five special characters escaped; control characters
 * other than tab/newline are not allowed in XML 1.0 and are dropped. */
static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (c >= 0x20 || c == '\n' || c == '\t')
				fputc(c, f);
		}
	}
}

static const char *class_name(const char *spec)
{
	const char *s = strrchr(spec, '/');
	return s ? s + 1 : spec;
}

int regress_junit_write(const char *path, const struct regress_suite *s, const struct regress_result *r, double seconds)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	size_t failed = 0, skipped = 0;
	for (size_t i = 0; i < s->n; i++) {
		failed += r[i].status == REGRESS_FAIL;
		skipped += r[i].status == REGRESS_SKIP;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n", s->n, failed,
		skipped, seconds);
	fprintf(f, "  <testsuite name=\"saker-replay test\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		   "skipped=\"%zu\" time=\"%.3f\">\n",
		s->n, failed, skipped, seconds);
	for (size_t i = 0; i < s->n; i++) {
		const struct regress_case *tc = &s->cases[i];
		fputs("    <testcase classname=\"", f);
		xml_text(f, class_name(tc->spec_file));
		fputs("\" name=\"", f);
		xml_text(f, tc->name);
		fprintf(f, "\" time=\"%.3f\"", r[i].seconds);
		if (r[i].status == REGRESS_PASS) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n", f);
		if (r[i].status == REGRESS_SKIP) {
			fputs("      <skipped message=\"", f);
			xml_text(f, r[i].first);
			fputs("\"/>\n", f);
		} else {
			fputs("      <failure message=\"", f);
			xml_text(f, r[i].first);
			fputs("\" type=\"expectation\">", f);
			xml_text(f, r[i].details);
			fputs("</failure>\n", f);
			if (r[i].output && r[i].output[0]) {
				fputs("      <system-out>", f);
				xml_text(f, r[i].output);
				fputs("</system-out>\n", f);
			}
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	int bad = ferror(f);
	if (fclose(f) || bad)
		return -EIO;
	return 0;
}
