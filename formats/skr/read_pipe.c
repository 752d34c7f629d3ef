/* formats/skr/read_pipe.c: the .skr reader's decode pipeline: frames read, decompressed and their columns set up ahead on worker threads, handed back in order. */
#include "formats/skr/read_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Frames decode independently (each event chunk is its own zstd frame with
 * its own shapes and columns), so workers can take the input's frames one
 * after the other and decode each into a slot of a small ring while the
 * caller's thread works through the slots strictly in input order: events,
 * metadata, packets and errors come out exactly where the sequential reader
 * gives them. Only the input and the chunk decoding (decompression,
 * columns, and the walk over the events: read_event.c's
 * skr_read_predecode, which leaves the caller's thread the events to take
 * where they lie and the error, if any, after the events before it) move
 * to the workers;
 * metadata and packet frames are copied and applied by the caller's thread
 * (they change r->meta and call the packet sink, which the caller owns).
 *
 * Each slot's decoder is a struct skr_reader used only for its chunk
 * fields, so read_event.c decodes a slot's chunk as it decodes its own.
 * Memory is bounded by the ring: at most nslots frames decoded ahead, their
 * buffers reused from frame to frame (nothing is allocated per frame once
 * they reached the capture's frame size); a slot's walked events take 40
 * bytes each and 24 per parameter.
 *
 * 2.2 chunks are decompressed with their key chunk as a dictionary. Each
 * worker keeps the last key chunk it decoded (decoding a chunk is lent the
 * worker's key, dctx and key read buffer), and a worker sees its own chunks
 * in input order, so one worker always holds the key its next chunk needs,
 * as the sequential reader does. With several workers, a key chunk another
 * worker decoded is handed along: the workers read the input in order, so
 * the one reading a chunk whose key it lacks copies the last key chunk read
 * (still compressed, kept in the pipe) into the chunk's slot and decompresses
 * it first. After a seek, a key chunk not read since is read with pread, as
 * the sequential reader does. Workers start with the reader's own key (what
 * it decoded before the pipeline started: open stops before the first
 * chunk, but a reader may read on before it sets decode threads).
 *
 * Locks: io_lock orders the workers over the input (one reads a frame at a
 * time, so frames get consecutive sequence numbers and slots); lock guards
 * the slots' states and stop. A slot belongs to the worker that claimed it
 * (BUSY) until READY, then to the caller until it marks it FREE again.
 */

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_READY };
enum slot_kind { SLOT_CHUNK, SLOT_FRAME, SLOT_END, SLOT_ERROR };

struct pipe_slot {
	enum slot_state state;
	enum slot_kind kind;
	struct frame f;          /* body or z point into data */
	uint64_t end_off;        /* input offset after the frame */
	struct skr_buf data;     /* the frame's body, or a batch's zstd frame */
	struct skr_reader *dec;  /* SLOT_CHUNK: the decoded chunk; SLOT_ERROR: err and status */
	struct skr_buf kz;       /* the chunk's key chunk's zstd frame, when its worker lacks it... */
	struct batch kbt;        /* ...its header... */
	uint64_t koff;           /* ...and offset (0: none handed along) */
};

struct pipe_worker {
	struct skr_pipe *p;
	pthread_t thread;
	ZSTD_DCtx *dctx;
	struct skr_buf key;      /* the last key chunk this worker decoded... */
	uint64_t key_off;        /* ...its offset (0: none) */
	struct skr_buf ktmp;     /* key chunks read with pread */
	void *prep;              /* its state for the caller's skr_prepare, or NULL */
};

struct skr_pipe {
	unsigned nworkers, nslots, started;
	enum skr_walk_ahead walk;  /* whether workers walk the events too */
	int caller_waited;         /* the caller waited for its last frame (under lock) */
	int running;
	pthread_mutex_t lock;     /* slot states, stop */
	pthread_cond_t filled;    /* a slot became READY */
	pthread_cond_t freed;     /* a slot became FREE, or stop */
	int stop;
	pthread_mutex_t io_lock;  /* io, fill_seq, ended */
	struct skr_reader *io;    /* the input, read by the worker holding io_lock */
	uint64_t fill_seq;        /* the next frame a worker reads */
	int ended;                /* the input's end or an error was read */
	struct skr_buf kz;        /* several workers: the last key chunk read, compressed... */
	struct batch kbt;         /* ...its header... */
	uint64_t koff;            /* ...and offset (0: none) */
	uint64_t take_seq;        /* the next frame the caller takes (caller only) */
	int held;                 /* the caller is decoding the chunk of take_seq - 1 */
	struct skr_prepare prepare; /* the reader's, copied as the workers start */
	struct pipe_slot *slots;
	struct pipe_worker workers[SKR_DECODE_THREADS_MAX];
};

int skr_pipe_fail(struct skr_reader *r, const struct skr_reader *from, int rc)
{
	memcpy(r->err, from->err, sizeof(r->err));
	r->status = rc;
	return rc;
}

static ZSTD_DCtx *new_dctx(void)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	if (d)
		ZSTD_DCtx_setParameter(d, ZSTD_d_forceIgnoreChecksum, ZSTD_d_ignoreChecksum);
#endif
	return d;
}

/* A reader that only holds a chunk or an input: r's name and version. */
static struct skr_reader *shadow_reader(const struct skr_reader *r)
{
	struct skr_reader *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fd = r->fd;
	memcpy(s->name, r->name, sizeof(s->name));
	s->seekable = r->seekable; /* key chunks reached by seeking are read with pread */
	s->vmajor = r->vmajor;
	s->vminor = r->vminor;
	s->data_start = r->data_start;
	s->nstreams = r->nstreams;
	s->coded = r->coded;
	s->chunk = s;
	return s;
}

static void free_shadow(struct skr_reader *s)
{
	if (!s)
		return;
	s->dctx = NULL; /* a worker's, lent for one chunk */
	skr_reader_close(s);
}

/* Under io_lock: a chunk's key chunk. Keeps a key chunk read (several
 * workers) and hands the last one to the slot of a chunk whose worker w
 * lacks it. 0, or -ENOMEM. */
static int pass_key(struct skr_pipe *p, struct pipe_worker *w, struct pipe_slot *s, const struct frame *f)
{
	s->koff = 0;
	if (p->nworkers < 2)
		return 0; /* the only worker decodes every key chunk itself */
	if (f->bt.chunk_flags & SKR_CHUNK_KEY) {
		p->koff = 0;
		p->kz.len = 0;
		if (skr_buf_put(&p->kz, f->z, f->bt.zlen))
			return -ENOMEM;
		p->kbt = f->bt;
		p->koff = f->off;
		return 0;
	}
	/* w decoded its earlier chunks before reading this one: w->key_off is
	 * the key it will hold */
	if (!f->bt.dict_off || f->bt.dict_off == w->key_off || f->bt.dict_off != p->koff)
		return 0;
	s->kz.len = 0;
	if (skr_buf_put(&s->kz, p->kz.p, p->kz.len))
		return -ENOMEM;
	s->kbt = p->kbt;
	s->koff = p->koff;
	return 0;
}

/* Under io_lock: reads the next frame into s for worker w. 1 when its chunk
 * is to be decoded, 0 otherwise (s->kind says what it is). */
static int fetch_into(struct skr_pipe *p, struct pipe_worker *w, struct pipe_slot *s)
{
	struct skr_reader *io = p->io;
	struct frame f;
	int rc = skr_read_frame_fetch(io, &f);
	s->end_off = io->in_off;
	if (rc <= 0) {
		p->ended = 1;
		s->kind = rc ? SLOT_ERROR : SLOT_END;
		if (rc)
			skr_pipe_fail(s->dec, io, rc);
		return 0;
	}
	int batch = f.tag == SKR_TAG_BATCH;
	size_t len = batch ? f.bt.zlen : f.blen;
	s->data.len = 0;
	if (skr_buf_reserve(&s->data, len + 1)) {
		p->ended = 1;
		s->kind = SLOT_ERROR;
		skr_read_fail(s->dec, -ENOMEM, "out of memory");
		return 0;
	}
	memcpy(s->data.p, batch ? f.z : f.body, len);
	if (batch && pass_key(p, w, s, &f)) {
		p->ended = 1;
		s->kind = SLOT_ERROR;
		skr_read_fail(s->dec, -ENOMEM, "out of memory");
		return 0;
	}
	skr_read_consume(io, f.consume);
	s->f = f;
	if (batch)
		s->f.z = s->data.p;
	else
		s->f.body = s->data.p;
	s->end_off = io->in_off;
	/* after the footer the sequential reader reads nothing more */
	if (f.tag == SKR_TAG_FOOTER)
		p->ended = 1;
	s->kind = batch ? SLOT_CHUNK : SLOT_FRAME;
	return batch;
}

/* Outside the locks: decompresses the slot's chunk, sets up its columns
 * and, with walk, takes its events apart. */
static void decode_chunk(struct pipe_worker *w, struct pipe_slot *s, int walk)
{
	struct skr_reader *d = s->dec;
	d->status = 0;
	d->dctx = w->dctx;
	d->key = w->key;
	d->key_off = w->key_off;
	d->ktmp = w->ktmp;
	int rc = 0;
	if (s->koff)
		rc = skr_read_key_from(d, s->koff, &s->kbt, s->kz.p, s->f.off);
	if (!rc)
		rc = skr_read_load_chunk(d, s->f.off, &s->f.bt, s->f.z);
	/* the events too, so that the caller's thread only copies them out;
	 * out of memory, it walks them itself */
	if (!rc && walk)
		skr_read_predecode(d, &w->p->prepare, w->prep);
	/* the key stays the worker's: its next chunk may need it */
	w->key = d->key;
	w->key_off = d->key_off;
	w->ktmp = d->ktmp;
	memset(&d->key, 0, sizeof(d->key));
	memset(&d->ktmp, 0, sizeof(d->ktmp));
	d->key_off = 0;
	d->dctx = NULL;
	if (rc) {
		s->kind = SLOT_ERROR;
		s->end_off -= s->f.bt.zlen; /* the sequential reader stops before the zstd frame */
	}
}

static void *worker_main(void *arg)
{
	struct pipe_worker *w = arg;
	struct skr_pipe *p = w->p;
	for (;;) {
		pthread_mutex_lock(&p->io_lock);
		if (p->ended) {
			pthread_mutex_unlock(&p->io_lock);
			break;
		}
		struct pipe_slot *s = &p->slots[p->fill_seq % p->nslots];
		pthread_mutex_lock(&p->lock);
		while (!p->stop && s->state != SLOT_FREE)
			pthread_cond_wait(&p->freed, &p->lock);
		int stop = p->stop;
		if (!stop)
			s->state = SLOT_BUSY;
		/* The caller did not have to wait for its last frame: it is the
		 * slower side, and the worker walks the events too. It waited:
		 * the workers are, and it walks them itself. Chunk by chunk, the
		 * work settles where it balances the two threads. */
		int walk = p->walk == SKR_WALK_ALWAYS || (p->walk == SKR_WALK_AUTO && !p->caller_waited);
		pthread_mutex_unlock(&p->lock);
		if (stop) {
			pthread_mutex_unlock(&p->io_lock);
			break;
		}
		p->fill_seq++;
		int decode = fetch_into(p, w, s);
		pthread_mutex_unlock(&p->io_lock);
		if (decode)
			decode_chunk(w, s, walk);
		pthread_mutex_lock(&p->lock);
		s->state = SLOT_READY;
		pthread_cond_broadcast(&p->filled);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* Hands r's input to the workers and starts them. 0, or -1 when no thread
 * could be started (the caller then reads sequentially). */
static int pipe_start(struct skr_reader *r)
{
	struct skr_pipe *p = r->pipe;
	struct skr_reader *io = p->io;
	/* the input buffer moves to io with its unread bytes; r keeps io's
	 * (unused while the workers run; a seek empties it) */
	uint8_t *in = io->in;
	size_t in_cap = io->in_cap;
	io->in = r->in;
	io->in_cap = r->in_cap;
	io->in_pos = r->in_pos;
	io->in_len = r->in_len;
	io->in_off = r->in_off;
	io->in_eof = r->in_eof;
	io->status = 0;
	r->in = in;
	r->in_cap = in_cap;
	r->in_pos = r->in_len = 0;
	p->fill_seq = p->take_seq = 0;
	p->held = p->ended = p->stop = p->caller_waited = 0;
	for (unsigned i = 0; i < p->nslots; i++)
		p->slots[i].state = SLOT_FREE;
	p->started = 0;
	/* workers start with the key r decoded last (a worker that holds one
	 * keeps it: a key chunk's content does not change); without it, no
	 * thread (r reads on, sequentially) */
	int seeded = 1;
	for (unsigned i = 0; i < p->nworkers && r->key_off; i++) {
		struct pipe_worker *w = &p->workers[i];
		if (w->key_off)
			continue;
		w->key.len = 0;
		if (skr_buf_put(&w->key, r->key.p, r->key.len)) {
			seeded = 0;
			break;
		}
		w->key_off = r->key_off;
	}
	/* each worker's state for the caller's per-event work, made once */
	p->prepare = r->prepare;
	for (unsigned i = 0; i < p->nworkers && seeded; i++) {
		struct pipe_worker *w = &p->workers[i];
		if (p->prepare.event && p->prepare.worker_new && !w->prep)
			w->prep = p->prepare.worker_new(p->prepare.ctx);
		if (pthread_create(&w->thread, NULL, worker_main, w))
			break;
		p->started++;
	}
	p->running = 1;
	if (p->started)
		return 0;
	skr_pipe_stop(r);
	return -1;
}

void skr_pipe_stop(struct skr_reader *r)
{
	struct skr_pipe *p = r->pipe;
	if (!p || !p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->freed);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->started; i++)
		pthread_join(p->workers[i].thread, NULL);
	p->started = 0;
	p->running = 0;
	p->held = 0;
	r->chunk = r;
}

/* Marks the slot the caller finished with FREE for the workers. */
static void release(struct skr_pipe *p, struct pipe_slot *s)
{
	pthread_mutex_lock(&p->lock);
	s->state = SLOT_FREE;
	pthread_cond_broadcast(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

int skr_pipe_frame(struct skr_reader *r)
{
	struct skr_pipe *p = r->pipe;
	if (!p->running && pipe_start(r)) {
		/* no thread: give the input back and read on this one */
		struct skr_reader *io = p->io;
		uint8_t *in = r->in;
		size_t in_cap = r->in_cap;
		r->in = io->in;
		r->in_cap = io->in_cap;
		r->in_pos = io->in_pos;
		r->in_len = io->in_len;
		io->in = in;
		io->in_cap = in_cap;
		skr_pipe_free(r);
		return skr_read_frame(r);
	}
	if (p->held) {
		/* the chunk just finished: its events' values are no longer used */
		p->held = 0;
		r->chunk = r;
		release(p, &p->slots[(p->take_seq - 1) % p->nslots]);
	}
	struct pipe_slot *s = &p->slots[p->take_seq % p->nslots];
	pthread_mutex_lock(&p->lock);
	int waited = 0;
	while (s->state != SLOT_READY) {
		waited = 1;
		pthread_cond_wait(&p->filled, &p->lock);
	}
	p->caller_waited = waited;
	pthread_mutex_unlock(&p->lock);
	p->take_seq++;
	r->in_off = s->end_off;
	int rc;
	switch (s->kind) {
	case SLOT_CHUNK:
		s->dec->skip_active = r->skip_pending;
		s->dec->skip_ts = r->skip_ts;
		r->skip_pending = 0;
		r->chunk = s->dec;
		p->held = 1;
		if (r->in_off > r->meta_hw)
			r->meta_hw = r->in_off;
		return 1;
	case SLOT_ERROR:
		rc = skr_pipe_fail(r, s->dec, s->dec->status);
		break;
	case SLOT_END:
		r->status = 1;
		rc = 0;
		break;
	default:
		rc = skr_read_frame_apply(r, &s->f);
		break;
	}
	release(p, s);
	return rc;
}

void skr_pipe_free(struct skr_reader *r)
{
	struct skr_pipe *p = r->pipe;
	if (!p)
		return;
	skr_pipe_stop(r);
	for (unsigned i = 0; i < p->nslots && p->slots; i++) {
		skr_buf_free(&p->slots[i].data);
		skr_buf_free(&p->slots[i].kz);
		free_shadow(p->slots[i].dec);
	}
	free(p->slots);
	for (unsigned i = 0; i < p->nworkers; i++) {
		if (p->workers[i].prep && p->prepare.worker_free)
			p->prepare.worker_free(p->workers[i].prep);
		ZSTD_freeDCtx(p->workers[i].dctx);
		skr_buf_free(&p->workers[i].key);
		skr_buf_free(&p->workers[i].ktmp);
	}
	skr_buf_free(&p->kz);
	free_shadow(p->io);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->io_lock);
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	free(p);
	r->pipe = NULL;
	r->chunk = r;
}

static struct skr_pipe *pipe_new(struct skr_reader *r, unsigned nworkers)
{
	struct skr_pipe *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->io_lock, NULL);
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->freed, NULL);
	r->pipe = p; /* so that skr_pipe_free cleans up a partial one */
	p->nworkers = nworkers;
	/* enough for every worker to decode one frame while the caller works
	 * through another and one more waits, ready */
	p->nslots = nworkers + 2 > SKR_PIPE_SLOTS ? nworkers + 2 : SKR_PIPE_SLOTS;
	p->slots = calloc(p->nslots, sizeof(*p->slots));
	p->io = shadow_reader(r);
	int bad = !p->slots || !p->io;
	for (unsigned i = 0; i < p->nslots && !bad; i++)
		bad = !(p->slots[i].dec = shadow_reader(r));
	for (unsigned i = 0; i < nworkers && !bad; i++) {
		p->workers[i].p = p;
		bad = !(p->workers[i].dctx = new_dctx());
	}
	if (bad) {
		skr_pipe_free(r);
		return NULL;
	}
	return p;
}

void skr_reader_set_prepare(struct skr_reader *r, const struct skr_prepare *p)
{
	if (p)
		r->prepare = *p;
	else
		memset(&r->prepare, 0, sizeof(r->prepare));
}

void skr_reader_set_walk_ahead(struct skr_reader *r, enum skr_walk_ahead mode)
{
	r->walk = mode;
	if (r->pipe && !r->pipe->running)
		r->pipe->walk = mode;
}

int skr_reader_set_decode_threads(struct skr_reader *r, unsigned n)
{
	if (n > SKR_DECODE_THREADS_MAX)
		return -EINVAL;
	if (r->pipe && r->pipe->running)
		return -EBUSY;
	if (r->pipe && r->pipe->nworkers == n)
		return 0;
	skr_pipe_free(r);
	if (n && !pipe_new(r, n))
		return -ENOMEM;
	if (r->pipe)
		r->pipe->walk = r->walk;
	return 0;
}
