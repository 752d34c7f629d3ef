/* bench/json_jsonc.c: parse and look up one audit event with json-c (bench_json's reference). */
#include <json-c/json.h>

#include "bench/json_libs.h"

static struct json_tokener *tok;

static struct json_object *member(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

size_t bench_jsonc_run(const char *s, size_t n, int extract, const struct bench_json_paths *p)
{
	if (!tok && !(tok = json_tokener_new()))
		return 0;
	json_tokener_reset(tok);
	struct json_object *j = json_tokener_parse_ex(tok, s, (int)n);
	if (!j)
		return 0;
	size_t sum = (size_t)json_object_object_length(j);
	if (extract) {
		for (size_t i = 0; i < p->n; i++) {
			struct json_object *x = j;
			for (size_t k = 0; x && k < 5 && p->keys[i][k]; k++)
				x = member(x, p->keys[i][k]);
			sum += x != NULL;
		}
		struct json_object *c = member(member(member(j, "requestObject"), "spec"), "containers");
		struct json_object *c0 = c ? json_object_array_get_idx(c, 0) : NULL;
		sum += member(c0, "image") != NULL;
		sum += member(member(c0, "securityContext"), "privileged") != NULL;
	}
	json_object_put(j);
	return sum;
}

void bench_jsonc_done(void)
{
	if (tok)
		json_tokener_free(tok);
	tok = NULL;
}
