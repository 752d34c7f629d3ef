/* record/output.c: writes events to .skr files and rotates them (-C/-G/-W). */
#include "record/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/skr/skr.h"

struct rec_out {
	struct rec_out_opts o;
	struct skr_writer *w;
	unsigned idx;            /* current file number */
	unsigned files;
	int rotating;
	uint64_t file_start_ns;  /* first event ts of the current file */
	uint64_t closed_bytes;   /* bytes of files already closed */
	struct sk_meta *containers; /* container records so far: every rotated file gets them too */
	char name[4096];
	char err[4096 + 512];
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

void rec_out_name(char *buf, size_t cap, const char *path, unsigned idx, unsigned keep)
{
	int width = 1;

	for (unsigned k = keep > 1 ? keep - 1 : 0; k >= 10; k /= 10)
		width++;
	if (keep)
		snprintf(buf, cap, "%s%0*u", path, width, idx);
	else
		snprintf(buf, cap, "%s%u", path, idx);
}

static int open_file(struct rec_out *out, int first)
{
	struct skr_writer_opts wo;
	struct sk_meta *m;
	int rc;

	memset(&wo, 0, sizeof(wo));
	wo.level = out->o.level;
	wo.force = out->o.force;
	wo.host = out->o.host;
	if (!strcmp(out->o.path, "-")) {
		snprintf(out->name, sizeof(out->name), "<stdout>");
		out->w = skr_writer_open_fd(STDOUT_FILENO, "<stdout>", &wo, out->err, sizeof(out->err));
	} else {
		if (out->rotating)
			rec_out_name(out->name, sizeof(out->name), out->o.path, out->idx, out->o.keep);
		else
			snprintf(out->name, sizeof(out->name), "%s", out->o.path);
		/* a reused ring slot is ours to replace, even without -f */
		if (out->rotating && out->o.keep && out->files >= out->o.keep) {
			unlink(out->name);
		}
		out->w = skr_writer_open_path(out->name, &wo, out->err, sizeof(out->err));
	}
	if (!out->w)
		return -EIO;
	out->files++;
	m = sk_meta_new();
	if (!m) {
		snprintf(out->err, sizeof(out->err), "out of memory");
		return -ENOMEM;
	}
	rc = out->o.meta ? out->o.meta(out->o.ctx, m, first) : 0;
	if (!rc && out->containers)
		rc = sk_meta_add(m, SK_META_CONTAINER, out->containers->containers, out->containers->n_containers);
	if (!rc)
		rc = skr_writer_put_meta_all(out->w, m);
	sk_meta_free(m);
	if (rc < 0)
		snprintf(out->err, sizeof(out->err), "%.4000s: cannot write metadata: %s", out->name, strerror(-rc));
	out->file_start_ns = 0;
	return rc;
}

static int close_file(struct rec_out *out)
{
	struct sk_meta *m = sk_meta_new();
	int rc = 0;

	if (!out->w)
		return 0;
	if (m && out->o.drops) {
		out->o.drops(out->o.ctx, m);
		if (m->n_drops)
			rc = skr_writer_put_meta(out->w, SK_META_DROPS, m->drops, m->n_drops);
	}
	sk_meta_free(m);
	out->closed_bytes += skr_writer_bytes(out->w);
	{
		int rc2 = skr_writer_close(out->w, out->err, sizeof(out->err));
		if (!rc)
			rc = rc2;
	}
	out->w = NULL;
	return rc;
}

struct rec_out *rec_out_open(const struct rec_out_opts *o, char *err, size_t errlen)
{
	struct rec_out *out = calloc(1, sizeof(*out));

	if (!out) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	out->o = *o;
	out->rotating = strcmp(o->path, "-") && (o->rotate_bytes || o->rotate_ns);
	if (open_file(out, 1) < 0) {
		snprintf(err, errlen, "%s", out->err);
		if (out->w)
			skr_writer_abandon(out->w);
		free(out);
		return NULL;
	}
	return out;
}

static int rotate(struct rec_out *out)
{
	int rc = close_file(out);

	if (rc < 0)
		return rc;
	out->idx++;
	if (out->o.keep && out->idx >= out->o.keep)
		out->idx = 0;
	return open_file(out, 0);
}

int rec_out_event(struct rec_out *out, const struct sk_event *ev)
{
	int rc;

	if (out->rotating && out->file_start_ns &&
	    ((out->o.rotate_bytes && skr_writer_bytes(out->w) >= out->o.rotate_bytes) ||
	     (out->o.rotate_ns && ev->ts >= out->file_start_ns + out->o.rotate_ns))) {
		rc = rotate(out);
		if (rc < 0)
			return rc;
	}
	if (!out->file_start_ns)
		out->file_start_ns = ev->ts;
	rc = skr_writer_append(out->w, ev);
	if (rc < 0)
		snprintf(out->err, sizeof(out->err), "%s", skr_writer_error(out->w));
	return rc;
}

int rec_out_frame(struct rec_out *out, const uint8_t *frame, size_t len)
{
	int rc = skr_writer_put_frame(out->w, frame, len);
	if (rc < 0)
		snprintf(out->err, sizeof(out->err), "%s", skr_writer_error(out->w));
	return rc;
}

int rec_out_tick(struct rec_out *out)
{
	int rc;

	/* time-based rotation must happen even when no event arrives */
	if (out->rotating && out->o.rotate_ns && out->file_start_ns &&
	    now_ns() >= out->file_start_ns + out->o.rotate_ns) {
		rc = rotate(out);
		if (rc < 0)
			return rc;
	}
	rc = skr_writer_tick(out->w);
	if (rc < 0)
		snprintf(out->err, sizeof(out->err), "%s", skr_writer_error(out->w));
	return rc;
}

int rec_out_containers(struct rec_out *out, const struct sk_meta_container *recs, size_t n)
{
	if (!n)
		return 0;
	if (!out->containers && !(out->containers = sk_meta_new()))
		return -ENOMEM;
	int rc = sk_meta_add(out->containers, SK_META_CONTAINER, recs, n);
	if (!rc)
		rc = skr_writer_put_meta(out->w, SK_META_CONTAINER, recs, n);
	if (rc < 0)
		snprintf(out->err, sizeof(out->err), "%s", skr_writer_error(out->w));
	return rc;
}

int rec_out_close(struct rec_out *out, char *err, size_t errlen)
{
	int rc = close_file(out);
	sk_meta_free(out->containers);

	if (rc < 0 && err)
		snprintf(err, errlen, "%s", out->err);
	free(out);
	return rc;
}

const char *rec_out_error(const struct rec_out *out)
{
	return out->err;
}

int rec_out_flush(struct rec_out *out)
{
	return out->w ? skr_writer_flush(out->w) : 0;
}

uint64_t rec_out_bytes(const struct rec_out *out)
{
	return out->closed_bytes + (out->w ? skr_writer_bytes(out->w) : 0);
}

unsigned rec_out_files(const struct rec_out *out)
{
	return out->files;
}
