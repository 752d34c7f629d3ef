/* tests/tools/scap2skr.c: converts a .scap capture to .skr (test fixtures and fuzz seeds) with small frames. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "formats/scap/scap.h"
#include "formats/skr/skr.h"

/* Notes a frame boundary when the file grew. */
static void boundary(FILE *bf, const struct skr_writer *w, uint64_t *last_bytes, uint64_t events, uint64_t num)
{
	if (bf && skr_writer_bytes(w) != *last_bytes)
		fprintf(bf, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", skr_writer_bytes(w), events, num);
	*last_bytes = skr_writer_bytes(w);
}

/* Usage: scap2skr IN.scap OUT.skr [EVENTS_PER_FRAME [BOUNDARIES]]. Many small
 * frames give the truncation test and the fuzzer many frame boundaries.
 * BOUNDARIES gets one line "OFFSET EVENTS LAST_NUM" per frame boundary: the
 * file size after the frame, the events (and evt.num of the last one)
 * written up to it. */
int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: scap2skr IN.scap OUT.skr [EVENTS_PER_FRAME [BOUNDARIES]]\n");
		return 2;
	}
	char err[512];
	struct scap_reader *r;
	if (scap_open(argv[1], NULL, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "scap2skr: %s\n", err);
		return 1;
	}
	const struct sk_meta *m = scap_meta(r);
	uint32_t per_frame = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 16;
	FILE *bf = argc > 4 ? fopen(argv[4], "w") : NULL;
	if (argc > 4 && !bf) {
		perror(argv[4]);
		scap_close(r);
		return 1;
	}
	/* Chunks are flushed here, not by the writer, so every boundary is known. */
	struct skr_writer_opts o = {
		.frame_events = UINT32_MAX,
		.frame_bytes = 64u << 20,
		.flush_interval_ns = UINT64_MAX,
		.force = 1,
		.host = m->have_host ? &m->host : NULL,
	};
	struct skr_writer *w = skr_writer_open_path(argv[2], &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "scap2skr: %s\n", err);
		scap_close(r);
		return 1;
	}
	int rc = skr_writer_put_meta_all(w, m);
	size_t containers = m->n_containers;
	struct sk_event ev;
	int n;
	uint64_t events = 0, last_num = 0, last_bytes = 0;
	boundary(bf, w, &last_bytes, 0, 0);
	while (rc == 0 && (n = scap_next(r, &ev)) > 0) {
		/* Container records found mid-stream go out before the event that
		 * follows them, as the recorder would write them. */
		m = scap_meta(r);
		if (m->n_containers > containers) {
			rc = skr_writer_put_meta(w, SK_META_CONTAINER, m->containers + containers,
						 m->n_containers - containers);
			containers = m->n_containers;
			boundary(bf, w, &last_bytes, events, last_num);
		}
		if (rc == 0)
			rc = skr_writer_append(w, &ev);
		events++;
		last_num = ev.num;
		if (rc == 0 && per_frame && events % per_frame == 0) {
			rc = skr_writer_flush(w);
			boundary(bf, w, &last_bytes, events, last_num);
		}
	}
	if (rc == 0) {
		rc = skr_writer_flush(w);
		boundary(bf, w, &last_bytes, events, last_num);
	}
	if (bf)
		fclose(bf);
	if (rc == 0 && n < 0) {
		fprintf(stderr, "scap2skr: %s\n", scap_error(r));
		rc = 1;
	}
	if (rc)
		fprintf(stderr, "scap2skr: %s: %s\n", argv[2], skr_writer_error(w));
	int crc = skr_writer_close(w, err, sizeof(err));
	if (crc && !rc)
		fprintf(stderr, "scap2skr: %s\n", err);
	scap_close(r);
	return rc || crc ? 1 : 0;
}
