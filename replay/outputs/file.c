/* replay/outputs/file.c: the stdio-backed alert channels: stdout_output and file_output (append). */
#include "replay/outputs/outputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct out_stdio {
	struct output base;
	FILE *f;
	char *path;       /* file_output only */
	int keep_alive;   /* keep f open between alerts */
	int unbuffered;
};

static int put_line(FILE *f, const struct output_alert *a)
{
	if (fwrite(a->line, 1, a->len, f) != a->len || fputc('\n', f) == EOF)
		return -1;
	return 0;
}

static int stdout_write(struct output *out, const struct output_alert *a, char *err, size_t errcap)
{
	struct out_stdio *s = (struct out_stdio *)out;
	if (put_line(s->f, a) < 0 || (s->unbuffered && fflush(s->f) == EOF)) {
		snprintf(err, errcap, "write failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void stdio_flush(struct output *out)
{
	struct out_stdio *s = (struct out_stdio *)out;
	if (s->f)
		fflush(s->f);
}

static void stdout_close(struct output *out)
{
	stdio_flush(out);
	free(out);
}

struct output *output_stdout_new(FILE *f, int unbuffered)
{
	struct out_stdio *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base = (struct output){.name = "stdout", .write = stdout_write, .flush = stdio_flush,
				     .close = stdout_close};
	s->f = f;
	s->unbuffered = unbuffered;
	return &s->base;
}

static int file_write(struct output *out, const struct output_alert *a, char *err, size_t errcap)
{
	struct out_stdio *s = (struct out_stdio *)out;
	if (!s->f && !(s->f = fopen(s->path, "a"))) {
		snprintf(err, errcap, "%s: %s", s->path, strerror(errno));
		return -1;
	}
	int rc = put_line(s->f, a);
	if (rc == 0 && (s->unbuffered || !s->keep_alive))
		rc = fflush(s->f) == EOF ? -1 : 0;
	if (rc < 0)
		snprintf(err, errcap, "%s: write failed: %s", s->path, strerror(errno));
	/* keep_alive: false reopens the file per alert, so log rotation works */
	if (!s->keep_alive || rc < 0) {
		fclose(s->f);
		s->f = NULL;
	}
	return rc;
}

static void file_close(struct output *out)
{
	struct out_stdio *s = (struct out_stdio *)out;
	if (s->f)
		fclose(s->f);
	free(s->path);
	free(s);
}

struct output *output_file_new(const char *path, int keep_alive, int unbuffered, char *err, size_t errcap)
{
	/* fail at start-up, as Falco does, when the file cannot be opened */
	FILE *f = fopen(path, "a");
	if (!f) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct out_stdio *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		fclose(f);
		free(s);
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	s->base = (struct output){.name = "file", .write = file_write, .flush = stdio_flush, .close = file_close};
	s->keep_alive = keep_alive;
	s->unbuffered = unbuffered;
	if (keep_alive)
		s->f = f;
	else
		fclose(f);
	return &s->base;
}
