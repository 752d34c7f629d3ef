/* record/dump.c: text rendering of captured events and metadata for tests and debugging. */
#include "record/dump_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "formats/skr/skr.h"

/* Printable bytes as is; space, backslash and the rest escaped, so a
 * value never splits a line into extra fields. */
static void put_escaped(FILE *out, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (isprint(p[i]) && p[i] != '\\' && p[i] != ' ')
			fputc(p[i], out);
		else if (p[i] == ' ')
			fputs("\\s", out);
		else
			fprintf(out, "\\x%02x", p[i]);
	}
}

static void put_addr(FILE *out, int fam, const uint8_t *ip, const uint8_t *port)
{
	char buf[INET6_ADDRSTRLEN];
	uint16_t pt;

	memcpy(&pt, port, 2);
	inet_ntop(fam == 2 ? AF_INET : AF_INET6, ip, buf, sizeof(buf));
	fprintf(out, fam == 2 ? "%s:%u" : "[%s]:%u", buf, pt);
}

static void put_param(FILE *out, uint8_t type, const struct sk_param *p)
{
	const uint8_t *v = p->val;
	uint32_t n = p->len;
	uint64_t u = 0;

	if (!n) {
		fputs("<NA>", out);
		return;
	}
	switch (type) {
	case SK_PT_CHARBUF: case SK_PT_FSPATH: case SK_PT_FSRELPATH:
		put_escaped(out, v, n && v[n - 1] == 0 ? n - 1 : n);
		return;
	case SK_PT_BYTEBUF: case SK_PT_CHARBUFARRAY:
		put_escaped(out, v, n);
		return;
	case SK_PT_SOCKTUPLE:
		if (v[0] == 2 && n == 13) {
			put_addr(out, 2, v + 1, v + 5);
			fputs("->", out);
			put_addr(out, 2, v + 7, v + 11);
		} else if (v[0] == 10 && n == 37) {
			put_addr(out, 10, v + 1, v + 17);
			fputs("->", out);
			put_addr(out, 10, v + 19, v + 35);
		} else if (v[0] == 1 && n >= 17) {
			fprintf(out, "unix:");
			put_escaped(out, v + 17, n - 17 && v[n - 1] == 0 ? n - 18 : n - 17);
		} else {
			fprintf(out, "family%u", v[0]);
		}
		return;
	case SK_PT_SOCKADDR:
		if (v[0] == 2 && n == 7)
			put_addr(out, 2, v + 1, v + 5);
		else if (v[0] == 10 && n == 19)
			put_addr(out, 10, v + 1, v + 17);
		else if (v[0] == 1) {
			fputs("unix:", out);
			put_escaped(out, v + 1, n > 1 && v[n - 1] == 0 ? n - 2 : n - 1);
		} else
			fprintf(out, "family%u", v[0]);
		return;
	case SK_PT_DYN:
		if (n == 9) {
			memcpy(&u, v + 1, 8);
			fprintf(out, "%" PRIu64, u);
			return;
		}
		break;
	default:
		break;
	}
	if (n <= 8) {
		int signed_t = type == SK_PT_INT8 || type == SK_PT_INT16 || type == SK_PT_INT32 ||
			       type == SK_PT_INT64 || type == SK_PT_ERRNO || type == SK_PT_FD ||
			       type == SK_PT_PID || type == SK_PT_FD32 || type == SK_PT_PID32;
		memcpy(&u, v, n);
		if (signed_t && n < 8 && (u >> (n * 8 - 1)) & 1)
			u |= ~0ull << (n * 8);
		if (signed_t)
			fprintf(out, "%" PRId64, (int64_t)u);
		else if (type == SK_PT_MODE)
			fprintf(out, "0%" PRIo64, u);
		else if (type >= SK_PT_FLAGS8 && type <= SK_PT_FLAGS32)
			fprintf(out, "0x%" PRIx64, u);
		else
			fprintf(out, "%" PRIu64, u);
		return;
	}
	put_escaped(out, v, n);
}

void rec_dump_event(FILE *out, const struct sk_event *ev)
{
	const struct sk_event_info *info = sk_event_info(ev->type);

	fprintf(out, "%" PRIu64 " %" PRIu64 " %u %" PRId64 " %s %c", ev->num, ev->ts, ev->cpu, ev->tid,
		info && info->name ? info->name : "?", sk_event_is_exit(ev->type) ? '<' : '>');
	for (uint32_t i = 0; i < ev->nparams; i++) {
		const char *name = info && i < info->nparams ? info->params[i].name : "?";
		uint8_t type = info && i < info->nparams ? info->params[i].type : SK_PT_BYTEBUF;

		fprintf(out, " %s=", name);
		put_param(out, type, &ev->params[i]);
	}
	fputc('\n', out);
}

static void put_str(FILE *out, const char *key, const char *s)
{
	fprintf(out, " %s=", key);
	put_escaped(out, (const uint8_t *)(s ? s : ""), (uint32_t)strlen(s ? s : ""));
}

void rec_dump_meta(FILE *out, const struct sk_meta *m)
{
	if (m->have_host) {
		fprintf(out, "host");
		put_str(out, "hostname", m->host.hostname);
		put_str(out, "kernel", m->host.kernel_release);
		fprintf(out, " boot_ts=%" PRIu64 " cpus=%u\n", m->host.boot_ts, m->host.num_cpus);
	}
	for (size_t i = 0; i < m->n_procs; i++) {
		const struct sk_meta_proc *p = &m->procs[i];

		fprintf(out, "proc tid=%" PRId64 " pid=%" PRId64 " ptid=%" PRId64, p->tid, p->pid, p->ptid);
		put_str(out, "comm", p->comm);
		put_str(out, "exe", p->exe);
		put_str(out, "exepath", p->exepath);
		put_str(out, "cwd", p->cwd);
		fprintf(out, " uid=%u loginuid=%u\n", p->uid, p->loginuid);
	}
	for (size_t i = 0; i < m->n_fds; i++) {
		const struct sk_meta_fd *f = &m->fds[i];

		fprintf(out, "fd pid=%" PRId64 " fd=%" PRId64 " type=%u l4=%u", f->pid, f->fd, f->type, f->l4proto);
		put_str(out, "name", f->name);
		fputc('\n', out);
	}
	fprintf(out, "users=%zu groups=%zu ifaces=%zu\n", m->n_users, m->n_groups, m->n_ifaces);
	for (size_t i = 0; i < m->n_drops; i++)
		fprintf(out, "drops cpu=%u events=%" PRIu64 " ring_full=%" PRIu64 " copy_fail=%" PRIu64 "\n",
			m->drops[i].cpu, m->drops[i].events, m->drops[i].ring_full, m->drops[i].copy_fail);
}

int rec_dump_file(const char *path, FILE *out)
{
	char err[512];
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	struct sk_event ev;
	int rc, meta_done = 0;

	if (!r) {
		fprintf(stderr, "saker-record: %s\n", err);
		return -EINVAL;
	}
	while ((rc = skr_reader_next(r, &ev)) > 0) {
		if (!meta_done) {
			rec_dump_meta(out, skr_reader_meta(r));
			meta_done = 1;
		}
		rec_dump_event(out, &ev);
	}
	if (!meta_done)
		rec_dump_meta(out, skr_reader_meta(r));
	else {
		/* drops and END arrive after the events */
		const struct sk_meta *m = skr_reader_meta(r);
		for (size_t i = 0; i < m->n_drops; i++)
			fprintf(out, "drops cpu=%u events=%" PRIu64 " ring_full=%" PRIu64 " copy_fail=%" PRIu64 "\n",
				m->drops[i].cpu, m->drops[i].events, m->drops[i].ring_full, m->drops[i].copy_fail);
	}
	fprintf(out, "complete=%d\n", skr_reader_complete(r));
	if (rc < 0)
		fprintf(stderr, "saker-record: %s\n", skr_reader_error(r)); /* the reader names the file */
	skr_reader_close(r);
	return rc < 0 ? rc : 0;
}
