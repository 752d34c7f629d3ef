/* bench/json_jansson.c: parse and look up one audit event with jansson (bench_json's reference). */
#include <jansson.h>

#include "bench/json_libs.h"

size_t bench_jansson_run(const char *s, size_t n, int extract, const struct bench_json_paths *p)
{
	json_error_t err;
	json_t *j = json_loadb(s, n, 0, &err);
	if (!j)
		return 0;
	size_t sum = json_object_size(j);
	if (extract) {
		for (size_t i = 0; i < p->n; i++) {
			json_t *x = j;
			for (size_t k = 0; x && k < 5 && p->keys[i][k]; k++)
				x = json_object_get(x, p->keys[i][k]);
			sum += x != NULL;
		}
		json_t *c0 = json_array_get(
			json_object_get(json_object_get(json_object_get(j, "requestObject"), "spec"), "containers"), 0);
		sum += json_object_get(c0, "image") != NULL;
		sum += json_object_get(json_object_get(c0, "securityContext"), "privileged") != NULL;
	}
	json_decref(j);
	return sum;
}
