/* replay/engine/prepare.c: the rules' work on an open that the .skr decode workers do ahead: the fd.name, fd.directory and fd.filename groups' answers. */
#include "replay/engine/engine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields/fields.h"
#include "replay/state/params.h"
#include "replay/state/paths.h"
#include "replay/state/ppm.h"
#include "replay/state/update.h"

/*
 * An open that succeeds on an absolute path in normal form names its new
 * fd with that path as it came (update_fd.c's open_exit), and one that
 * fails has that path as fd.name too (fd.c's name_without_entry resolves
 * it to itself): fd.name, fd.directory and fd.filename are then functions
 * of the event alone, and so are the answers of the groups an indexed open type fills
 * before its rules run (rules.h, rule_set_ahead_group). A decode worker
 * works them out as it takes the chunk apart (skr_prepare), with its own
 * value caches; the engine hands them to the rules (rule_set_eval_given)
 * once the state update confirmed the case: the new fd got that name, or
 * the failed open has no fd entry. Everything else, and every event the
 * workers did not walk, is evaluated as before.
 *
 * Words for one event: [0] the path's length (which also spares the
 * state update measuring it: hint_path_len) | PREP_NAME / PREP_DIR /
 * PREP_FILE (which answers follow) | PREP_FAILED (the open failed), then
 * fd.name's answer, fd.directory's and fd.filename's.
 */
#define PREP_NAME (1ull << 32)
#define PREP_DIR (1ull << 33)
#define PREP_FILE (1ull << 35)
#define PREP_FAILED (1ull << 34)
#define PREP_LEN_MASK 0xffffffffull

struct prep_type {
	uint8_t kind;                 /* 0: nothing to prepare for the type */
	uint8_t has_name, has_dir, has_file;
	uint32_t name_group, name_words;
	uint32_t dir_group, dir_words;
	uint32_t file_group, file_words;
	uint32_t answer_words;        /* name_words + dir_words + file_words of those it has */
};

struct engine_prep {
	const struct rule_set *rs;
	struct state_param_index pi;
	struct prep_type t[SK_EV__COUNT];
	uint8_t wanted[SK_EV__COUNT];  /* t[].kind != 0: the hook's types */
	uint32_t memo_words;           /* the most answer words of a type */
	struct skr_prepare hook;
};

/*
 * A worker's answers by path. The scan and the two or three group answers
 * of an absolute open (some 800 instructions) are functions of the event
 * type and the path alone, and a host opens the same files over and over
 * (the libraries every exec maps, a compiler's headers): so they are kept
 * by (type, path) in a direct-mapped table, and an open seen before costs
 * one hash, one compare and a copy. Each slot holds the answers for the
 * path's directory part (the directory of a file) and filename; an
 * O_DIRECTORY open, whose fd.directory is the whole path, or a failed
 * one, whose fd.filename has no value, adjusts them (prep_event).
 */
#define PM_SLOTS 1024u
#define PM_KEY_MAX 120u /* longer paths are worked out each time */

struct pm_key {
	uint64_t hash;
	uint16_t type;        /* 0: empty (type 0 is never prepared) */
	uint16_t len;         /* the path's length, without its NUL */
	char key[PM_KEY_MAX];
};

struct prep_worker {
	const struct engine_prep *p;
	struct rule_group_cache *cache;
	struct pm_key *keys;  /* PM_SLOTS; NULL: no memo (out of memory) */
	uint64_t *words;      /* PM_SLOTS * p->memo_words */
};

static int is_open_kind(uint16_t kind)
{
	return kind == SK_EK_OPEN || kind == SK_EK_OPENAT || kind == SK_EK_OPENAT2 || kind == SK_EK_CREAT ||
	       kind == SK_EK_OPEN_BY_HANDLE_AT;
}

static void *worker_new(void *ctx)
{
	struct prep_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->p = ctx;
	w->cache = rule_group_cache_new(); /* NULL: answers without a cache */
	w->keys = calloc(PM_SLOTS, sizeof(*w->keys));
	w->words = calloc((size_t)PM_SLOTS * w->p->memo_words, sizeof(*w->words));
	if (!w->keys || !w->words) {
		free(w->keys);
		free(w->words);
		w->keys = NULL;
		w->words = NULL;
	}
	return w;
}

static void worker_free(void *wv)
{
	struct prep_worker *w = wv;
	rule_group_cache_free(w->cache);
	free(w->keys);
	free(w->words);
	free(w);
}

/* Whether the '/' at p[i] of the n-byte path starts a component that is
 * not normal: empty ("//", a trailing '/'), "." or "..". p[n] is its NUL. */
static int bad_component(const char *p, size_t n, size_t i)
{
	if (i + 1 == n)
		return n > 1;
	const char *c = p + i + 1;
	if (c[0] == '/')
		return 1;
	if (c[0] != '.')
		return 0;
	if (i + 2 == n || c[1] == '/')
		return 1;
	return c[1] == '.' && (i + 3 == n || c[2] == '/');
}

size_t engine_prep_path_scan(const char *p, size_t n, size_t *dir)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull, lows = 0x7f7f7f7f7f7f7f7full;
	if (n == 0 || p[0] != '/')
		return SIZE_MAX;
	size_t i = 0, last = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w, del;
		memcpy(&w, p + i, 8);
		/* extract_printable_prefix's word test: a byte below 0x20, 0x7f or
		 * from 0x80 up */
		del = w ^ (ones * 0x7f);
		if ((((w - ones * 0x20) & ~w) | ((del - ones) & ~del) | w) & highs)
			return SIZE_MAX;
		/* exactly the bytes that are '/' (all below 0x80 here) */
		uint64_t x = w ^ (ones * '/');
		uint64_t slashes = ~(((x & lows) + lows) | x | lows);
		for (; slashes; slashes &= slashes - 1) {
			size_t at = i + (size_t)__builtin_ctzll(slashes) / 8;
			if (bad_component(p, n, at))
				return SIZE_MAX;
			last = at;
		}
	}
	for (; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (!extract_printable(ch))
			return SIZE_MAX;
		if (ch == '/') {
			if (bad_component(p, n, i))
				return SIZE_MAX;
			last = i;
		}
	}
	/* fd.c's directory_of for a file: up to the last '/', or "/" */
	*dir = last ? last : 1;
	return n;
}

/* Type t's answers for the n-byte absolute path name in normal form whose
 * directory part is dn bytes: fd.name's, fd.directory's as for a file and
 * fd.filename's as for a file, at their places in prep_event's words. */
static void answer_path(const struct prep_worker *w, uint16_t t, const char *name, size_t n, size_t dn,
			uint64_t *out)
{
	const struct engine_prep *p = w->p;
	const struct prep_type *pt = &p->t[t];
	uint32_t k = 0;
	if (pt->has_name) {
		rule_set_group_answer(p->rs, t, pt->name_group, name, n, out + k, w->cache);
		k += pt->name_words;
	}
	if (pt->has_dir) {
		rule_set_group_answer(p->rs, t, pt->dir_group, dn == 1 ? "/" : name, dn, out + k, w->cache);
		k += pt->dir_words;
	}
	if (pt->has_file)
		rule_set_group_answer(p->rs, t, pt->file_group, name + dn + (dn > 1), n - dn - (dn > 1), out + k,
				      w->cache);
}

/* The path's length (SIZE_MAX: not prepared) and answers into out, from
 * the memo when it has them. */
static size_t memo_path(struct prep_worker *w, uint16_t t, const char *name, size_t len, uint64_t *out)
{
	const uint32_t nw = w->p->t[t].answer_words;
	struct pm_key *k = NULL;
	uint64_t h = 0, *words = NULL;
	if (w->keys && len <= PM_KEY_MAX) {
		h = rule_str_hash(name, len) ^ t;
		uint32_t slot = (uint32_t)(h >> 32) & (PM_SLOTS - 1);
		k = &w->keys[slot];
		words = w->words + (size_t)slot * w->p->memo_words;
		if (k->hash == h && k->type == t && k->len == len && memcmp(k->key, name, len) == 0) {
			for (uint32_t i = 0; i < nw; i++)
				out[i] = words[i];
			return len;
		}
	}
	size_t dn, n = engine_prep_path_scan(name, len, &dn);
	if (n == SIZE_MAX)
		return n;
	answer_path(w, t, name, n, dn, out);
	if (k) {
		k->hash = h;
		k->type = t;
		k->len = (uint16_t)len;
		memcpy(k->key, name, len);
		memcpy(words, out, nw * sizeof(*out));
	}
	return n;
}

/* The words for an open of type t on the len-byte path name (its NUL at
 * name[len]): 0 when the path is not absolute, printable and in normal
 * form. failed: the open failed; is_dir: its entry is a directory. */
static uint32_t prep_name(struct prep_worker *w, uint16_t t, const char *name, size_t len, int failed, int is_dir,
			  uint64_t *out)
{
	const struct engine_prep *p = w->p;
	const struct prep_type *pt = &p->t[t];
	/* open_exit's test for taking the path as it came, and the fields'
	 * for keeping it whole: engine_prep_path_scan, in one pass */
	if (len == 0 || name[0] != '/' || len >= sizeof(((struct state_updater *)0)->path))
		return 0;
	size_t n = memo_path(w, t, name, len, out + 1);
	if (n == SIZE_MAX)
		return 0;
	out[0] = n | (failed ? PREP_FAILED : 0) | (pt->has_name ? PREP_NAME : 0) | (pt->has_dir ? PREP_DIR : 0) |
		 (pt->has_file ? PREP_FILE : 0);
	uint32_t k = 1 + (pt->has_name ? pt->name_words : 0);
	/* a directory's fd.directory is its name; without an fd entry
	 * (failed), the directory part of fd.name whatever the flags */
	if (pt->has_dir && is_dir)
		rule_set_group_answer(p->rs, t, pt->dir_group, name, n, out + k, w->cache);
	k += pt->has_dir ? pt->dir_words : 0;
	/* only a file entry has fd.filename (fd.c): no value, every check false */
	if (pt->has_file && (failed || is_dir))
		memset(out + k, 0, pt->file_words * sizeof(*out));
	k += pt->has_file ? pt->file_words : 0;
	return k;
}

static uint32_t prep_event(void *wv, const struct sk_event *ev, uint64_t *out)
{
	struct prep_worker *w = wv;
	const struct engine_prep *p = w->p;
	if (ev->type >= SK_EV__COUNT || !p->t[ev->type].kind)
		return 0;
	const struct prep_type *pt = &p->t[ev->type];
	int failed = state_get_res(&p->pi, ev) < 0;
	const struct sk_param *par = state_get_param(&p->pi, ev, pt->kind == SK_EK_OPEN_BY_HANDLE_AT ? PR_path : PR_name);
	if (!par || par->val[par->len - 1] != '\0')
		return 0;
	uint64_t flags = 0;
	if (pt->kind != SK_EK_CREAT)
		state_get_u64(&p->pi, ev, PR_flags, &flags);
	return prep_name(w, ev->type, (const char *)par->val, par->len - 1, failed, (flags & PPM_O_DIRECTORY) && !failed,
			 out);
}

struct engine_prep *engine_prep_new(const struct rule_set *rs)
{
	if (!rs)
		return NULL;
	struct engine_prep *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->rs = rs;
	state_param_index_init(&p->pi);
	int any = 0;
	for (uint16_t t = 0; t < SK_EV__COUNT; t++) {
		uint16_t kind = sk_event_kind(t);
		if (!sk_event_is_exit(t) || !is_open_kind(kind))
			continue;
		struct prep_type *pt = &p->t[t];
		pt->has_name = rule_set_ahead_group(rs, t, F_FD_NAME, &pt->name_group, &pt->name_words) == 0;
		pt->has_dir = rule_set_ahead_group(rs, t, F_FD_DIRECTORY, &pt->dir_group, &pt->dir_words) == 0;
		pt->has_file = rule_set_ahead_group(rs, t, F_FD_FILENAME, &pt->file_group, &pt->file_words) == 0;
		/* the answers must fit the words a worker may write for an event */
		uint32_t words = 1;
		if (pt->has_name && (words += pt->name_words) > SKR_PREP_MAX)
			pt->has_name = 0, words -= pt->name_words;
		if (pt->has_dir && (words += pt->dir_words) > SKR_PREP_MAX)
			pt->has_dir = 0, words -= pt->dir_words;
		if (pt->has_file && (words += pt->file_words) > SKR_PREP_MAX)
			pt->has_file = 0;
		if (pt->has_name || pt->has_dir || pt->has_file) {
			uint32_t nw = (pt->has_name ? pt->name_words : 0) + (pt->has_dir ? pt->dir_words : 0) +
				      (pt->has_file ? pt->file_words : 0);
			pt->answer_words = nw;
			if (nw > p->memo_words)
				p->memo_words = nw;
			pt->kind = (uint8_t)kind;
			p->wanted[t] = 1;
			any = 1;
		}
	}
	if (!any) {
		free(p);
		return NULL;
	}
	p->hook = (struct skr_prepare){worker_new, worker_free, prep_event, p, p->wanted};
	return p;
}

void engine_prep_free(struct engine_prep *p)
{
	free(p);
}

const struct skr_prepare *engine_prep_hook(const struct engine_prep *p)
{
	return p ? &p->hook : NULL;
}

size_t engine_prep_path_len(const struct engine_prep *p, const struct sk_event *ev, const uint64_t *words, uint32_t n)
{
	if (!p || !n || ev->type >= SK_EV__COUNT || !p->t[ev->type].kind)
		return 0;
	return (size_t)(words[0] & PREP_LEN_MASK) + 1;
}

/* The answers the words hold, as rule_set_eval_given takes them. */
static size_t words_given(const struct prep_type *pt, const uint64_t *words, struct rule_given given[3])
{
	size_t k = 1, ng = 0;
	if (words[0] & PREP_NAME) {
		given[ng++] = (struct rule_given){pt->name_group, words + k};
		k += pt->name_words;
	}
	if (words[0] & PREP_DIR) {
		given[ng++] = (struct rule_given){pt->dir_group, words + k};
		k += pt->dir_words;
	}
	if (words[0] & PREP_FILE)
		given[ng++] = (struct rule_given){pt->file_group, words + k};
	return ng;
}

size_t engine_prep_given(const struct engine_prep *p, const struct engine *e, const struct sk_event *ev,
			 const uint64_t *words, uint32_t n, struct rule_given given[3])
{
	if (!p || !n || ev->type >= SK_EV__COUNT || !p->t[ev->type].kind)
		return 0;
	/* the state took the path as it came for the event's fd, and the
	 * worker read the same path (a name cut short by a failed
	 * allocation would differ in length); or the open failed and fd.name
	 * is the path, with no entry */
	const struct state_cur *c = &e->u.cur;
	if (words[0] & PREP_FAILED) {
		if (!c->has_fd || c->fd)
			return 0;
	} else if (!c->fd_name_is_param || !c->fd || c->fd->name_len != (words[0] & PREP_LEN_MASK)) {
		return 0;
	}
	return words_given(&p->t[ev->type], words, given);
}

void *engine_prep_own_new(const struct engine_prep *p)
{
	return p ? worker_new((void *)p) : NULL;
}

void engine_prep_own_free(void *w)
{
	if (w)
		worker_free(w);
}

size_t engine_prep_resolved(const struct engine_prep *p, void *w, const struct engine *e, const struct sk_event *ev,
			    uint64_t words[SKR_PREP_MAX], struct rule_given given[3])
{
	if (!p || !w || ev->type >= SK_EV__COUNT || !p->t[ev->type].kind)
		return 0;
	/* the entry the open made: its name is fd.name, its type says
	 * whether it is a directory (open_exit) */
	const struct state_fd *f = e->u.cur.fd;
	if (!f || !f->name || (f->type != SK_FDT_FILE && f->type != SK_FDT_DIRECTORY))
		return 0;
	if (!prep_name(w, ev->type, f->name, f->name_len, 0, f->type == SK_FDT_DIRECTORY, words))
		return 0;
	return words_given(&p->t[ev->type], words, given);
}
