/* tests/helpers/skr_synth.c: writes tiny synthetic .skr captures with the real .skr writer. */
#include "tests/helpers/skr_synth.h"

#include <stdio.h>
#include <string.h>

#include "formats/event.h"
#include "formats/meta.h"
#include "formats/skr/skr.h"

static int put_procs(struct skr_writer *w, const struct skr_synth_open *opens, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= opens[k].tid == opens[i].tid;
		if (seen)
			continue;
		struct sk_meta_proc p;
		memset(&p, 0, sizeof(p));
		p.tid = p.pid = p.vtid = p.vpid = opens[i].tid;
		p.ptid = 1;
		p.comm = opens[i].comm;
		p.exe = opens[i].comm;
		p.exepath = "/usr/bin/synth";
		p.cwd = "/";
		p.root = "/";
		p.args = "";
		p.fdlimit = 1024;
		p.loginuid = 0xffffffffu;
		if (skr_writer_put_meta(w, SK_META_PROC, &p, 1) < 0)
			return -1;
	}
	return 0;
}

int skr_synth_opens(const char *path, const struct skr_synth_open *opens, size_t n, char *err, size_t errlen)
{
	struct skr_writer_opts o = { .force = 1 };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, errlen);
	if (!w)
		return -1;
	if (put_procs(w, opens, n) < 0) {
		snprintf(err, errlen, "%s: %s", path, skr_writer_error(w));
		skr_writer_abandon(w);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t fd = opens[i].fd, dirfd = -100;
		uint32_t flags = 1 /* PPM_O_RDONLY */, mode = 0, dev = 0;
		uint64_t ino = 0;
		struct sk_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.ts = opens[i].ts;
		ev.tid = opens[i].tid;
		ev.num = i + 1;
		ev.type = SK_EV_OPENAT_X;
		ev.nparams = 7;
		ev.params[0] = (struct sk_param){ (const uint8_t *)&fd, 8 };
		ev.params[1] = (struct sk_param){ (const uint8_t *)&dirfd, 8 };
		ev.params[2] = (struct sk_param){ (const uint8_t *)opens[i].path, (uint32_t)strlen(opens[i].path) + 1 };
		ev.params[3] = (struct sk_param){ (const uint8_t *)&flags, 4 };
		ev.params[4] = (struct sk_param){ (const uint8_t *)&mode, 4 };
		ev.params[5] = (struct sk_param){ (const uint8_t *)&dev, 4 };
		ev.params[6] = (struct sk_param){ (const uint8_t *)&ino, 8 };
		if (skr_writer_append(w, &ev) < 0) {
			snprintf(err, errlen, "%s: %s", path, skr_writer_error(w));
			skr_writer_abandon(w);
			return -1;
		}
	}
	return skr_writer_close(w, err, errlen) < 0 ? -1 : 0;
}
