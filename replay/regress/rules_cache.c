/* replay/regress/rules_cache.c: rule sets loaded by earlier cases of one thread, reused by cases that load the same files the same way. */
#include "replay/regress/regress_int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "rules/rules.h"

/*
 * Loading the three upstream rules files takes about 60 ms; replaying a
 * case's capture from the decoded cache about a millisecond. A suite of
 * cases over the same rules spent nearly all its time loading them again.
 * A rule set is read-only while events are evaluated (its memo and group
 * caches hold per-event or value-determined answers only), so one thread
 * can hand it to case after case; threads keep their own, as a rule set is
 * evaluated by one thread at a time. A few entries cover suites that
 * alternate between rules files or options.
 */
#define RULES_CACHE_ENTRIES 3

struct rules_entry {
	char *key;
	struct load_result lr;
	uint64_t used;            /* last use, for eviction */
};

struct regress_rules_cache {
	struct rules_entry e[RULES_CACHE_ENTRIES];
	uint64_t clock;
};

struct regress_rules_cache *regress_rules_cache_new(void)
{
	return calloc(1, sizeof(struct regress_rules_cache));
}

void load_result_free(struct load_result *lr)
{
	rule_set_free(lr->rs);
	rule_loader_free(lr->l);
	free(lr->file_ok);
	memset(lr, 0, sizeof(*lr));
}

void regress_rules_cache_free(struct regress_rules_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < RULES_CACHE_ENTRIES; i++) {
		free(c->e[i].key);
		load_result_free(&c->e[i].lr);
	}
	free(c);
}

static void put_list(FILE *f, char tag, const struct regress_strlist *l)
{
	fprintf(f, "%c%zu;", tag, l->n);
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%zu:%s", strlen(l->v[i]), l->v[i]);
}

/* A regular file's identity: size, modification time and a CRC of its
 * bytes (a rewrite within one tick of a coarse file system clock keeps the
 * time). 0, or -1 when it cannot be read. */
static int put_file(FILE *f, const char *path)
{
	struct stat st;
	FILE *in = fopen(path, "rb");
	if (!in || fstat(fileno(in), &st) < 0) {
		if (in)
			fclose(in);
		return -1;
	}
	unsigned char buf[65536];
	uLong crc = crc32(0L, Z_NULL, 0);
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		crc = crc32(crc, buf, (uInt)n);
	int bad = ferror(in);
	fclose(in);
	if (bad)
		return -1;
	fprintf(f, "%zu:%s@%jd.%jd.%ld.%lx;", strlen(path), path, (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec,
		st.st_mtim.tv_nsec, (unsigned long)crc);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A rules directory: every entry's name, and each regular file's
 * identity (more than the loader reads: any change loads again). */
static int put_dir(FILE *f, const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **v = realloc(names, nc * sizeof(*v));
			if (!v) {
				rc = -1;
				break;
			}
			names = v;
			cap = nc;
		}
		if (!(names[n] = strdup(de->d_name)))
			rc = -1;
		else
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	fprintf(f, "%zu:%s/%zu;", strlen(path), path, n);
	for (size_t i = 0; i < n; i++) {
		char *p = NULL;
		struct stat st;
		if (!rc && asprintf(&p, "%s/%s", path, names[i]) < 0)
			rc = -1;
		else if (!rc && stat(p, &st) == 0 && S_ISREG(st.st_mode))
			rc = put_file(f, p);
		else if (!rc)
			fprintf(f, "%zu:%s;", strlen(names[i]), names[i]);
		free(p);
		free(names[i]);
	}
	free(names);
	return rc;
}

char *regress_rules_key(const struct regress_case *tc)
{
	char *key = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&key, &len);
	if (!f)
		return NULL;
	int ok = 1;
	fprintf(f, "R%zu;", tc->rules.n);
	for (size_t i = 0; i < tc->rules.n && ok; i++) {
		struct stat st;
		const char *p = tc->rules.v[i];
		if (stat(p, &st) < 0)
			ok = 0;
		else
			ok = (S_ISDIR(st.st_mode) ? put_dir(f, p) : put_file(f, p)) == 0;
	}
	put_list(f, 'O', &tc->options);
	put_list(f, 'D', &tc->disable_substr);
	put_list(f, 'T', &tc->disable_tags);
	put_list(f, 't', &tc->run_tags);
	put_list(f, 'E', &tc->enable_rules);
	put_list(f, 'X', &tc->disable_rules);
	if (fclose(f) != 0 || !ok) {
		free(key);
		return NULL;
	}
	return key;
}

const struct load_result *regress_rules_cache_get(struct regress_rules_cache *c, const char *key)
{
	if (!c || !key)
		return NULL;
	for (size_t i = 0; i < RULES_CACHE_ENTRIES; i++)
		if (c->e[i].key && !strcmp(c->e[i].key, key)) {
			c->e[i].used = ++c->clock;
			return &c->e[i].lr;
		}
	return NULL;
}

const struct load_result *regress_rules_cache_put(struct regress_rules_cache *c, char *key, struct load_result *lr)
{
	if (!c || !key) {
		free(key);
		load_result_free(lr);
		return NULL;
	}
	struct rules_entry *v = &c->e[0];
	for (size_t i = 1; i < RULES_CACHE_ENTRIES; i++)
		if (!c->e[i].key || (v->key && c->e[i].used < v->used))
			v = &c->e[i];
	free(v->key);
	load_result_free(&v->lr);
	v->key = key;
	v->lr = *lr;
	v->used = ++c->clock;
	memset(lr, 0, sizeof(*lr));
	return &v->lr;
}
