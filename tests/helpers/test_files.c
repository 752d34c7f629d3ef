/* tests/helpers/test_files.c: whole-file loading (plain or gzip, inflated) and writing for unit tests. */
#include "tests/helpers/test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

uint8_t *test_load_inflated(const char *path, size_t *len)
{
	gzFile g = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap);
	if (!g || !b)
		goto fail;
	for (;;) {
		if (cap - n < 65536) {
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb)
				goto fail;
			b = nb;
			cap *= 2;
		}
		int got = gzread(g, b + n, (unsigned)(cap - n));
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzclose(g);
	*len = n;
	return b;
fail:
	if (g)
		gzclose(g);
	free(b);
	return NULL;
}

int test_write_file(const char *path, const uint8_t *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(p, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}
