/* sources/k8saudit_http.c: the HTTP/1.1 the audit webhook speaks: request heads and chunked bodies, parsed incrementally from untrusted bytes. */
#include "sources/k8saudit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_token_char(unsigned char c)
{
	return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* Trims blanks around [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

static int field_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(name, want, n);
}

/* Whether the comma-separated value list holds token tok. */
static int has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);
	const char *e = v + n;
	while (v < e) {
		const char *comma = memchr(v, ',', (size_t)(e - v));
		const char *ie = comma ? comma : e;
		const char *is = v;
		trim(&is, &ie);
		if ((size_t)(ie - is) == tl && !strncasecmp(is, tok, tl))
			return 1;
		v = comma ? comma + 1 : e;
	}
	return 0;
}

static int request_line(const char *p, const char *e, struct source_ka_http_req *r, const char **why)
{
	const char *sp1 = memchr(p, ' ', (size_t)(e - p));
	if (!sp1 || sp1 == p || (size_t)(sp1 - p) >= sizeof(r->method)) {
		*why = "bad request line";
		return -400;
	}
	for (const char *q = p; q < sp1; q++)
		if (!is_token_char((unsigned char)*q)) {
			*why = "bad method";
			return -400;
		}
	memcpy(r->method, p, (size_t)(sp1 - p));
	r->method[sp1 - p] = '\0';
	const char *t = sp1 + 1;
	const char *sp2 = memchr(t, ' ', (size_t)(e - t));
	if (!sp2 || sp2 == t || *t != '/') {
		*why = "bad request target";
		return -400;
	}
	const char *q = memchr(t, '?', (size_t)(sp2 - t));
	const char *pe = q ? q : sp2;
	if ((size_t)(pe - t) >= sizeof(r->path)) {
		*why = "request target too long";
		return -414;
	}
	memcpy(r->path, t, (size_t)(pe - t));
	r->path[pe - t] = '\0';
	const char *v = sp2 + 1;
	if (e - v != 8 || memcmp(v, "HTTP/1.", 7) || (v[7] != '0' && v[7] != '1')) {
		*why = "unsupported HTTP version";
		return -505;
	}
	r->minor = v[7] - '0';
	return 0;
}

int source_ka_http_parse(const char *buf, size_t len, size_t max_head, struct source_ka_http_req *r,
			 const char **why)
{
	/* the head ends at the first empty line */
	const char *end = NULL;
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n') {
			end = buf + i + 2;
			break;
		}
		if (i + 3 < len && buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
			end = buf + i + 4;
			break;
		}
	}
	if (!end) {
		if (len > max_head) {
			*why = "request head too large";
			return -431;
		}
		return 0;
	}
	if ((size_t)(end - buf) > max_head) {
		*why = "request head too large";
		return -431;
	}
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	r->head_len = (size_t)(end - buf);
	const char *p = buf;
	/* tolerate empty lines before the request line (RFC 9112 2.2) */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	int first = 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl && nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (!nl)
			break;
		if (le == p)
			break; /* the empty line */
		if (first) {
			int rc = request_line(p, le, r, why);
			if (rc < 0)
				return rc;
			first = 0;
		} else {
			const char *colon = memchr(p, ':', (size_t)(le - p));
			if (!colon || colon == p || p[0] == ' ' || p[0] == '\t') {
				*why = "bad header line";
				return -400;
			}
			for (const char *q = p; q < colon; q++)
				if (!is_token_char((unsigned char)*q)) {
					*why = "bad header name";
					return -400;
				}
			const char *vs = colon + 1, *ve = le;
			trim(&vs, &ve);
			size_t nn = (size_t)(colon - p), vn = (size_t)(ve - vs);
			if (field_is(p, nn, "content-length")) {
				long long v = 0;
				if (!vn || vn > 18) {
					*why = "bad Content-Length";
					return -400;
				}
				for (size_t i = 0; i < vn; i++) {
					if (vs[i] < '0' || vs[i] > '9') {
						*why = "bad Content-Length";
						return -400;
					}
					v = v * 10 + (vs[i] - '0');
				}
				if (r->content_length >= 0 && r->content_length != v) {
					*why = "conflicting Content-Length";
					return -400;
				}
				r->content_length = v;
			} else if (field_is(p, nn, "transfer-encoding")) {
				if (!has_token(vs, vn, "chunked")) {
					*why = "unsupported Transfer-Encoding";
					return -501;
				}
				r->chunked = 1;
			} else if (field_is(p, nn, "content-type")) {
				/* as the k8saudit plugin: the type must mention application/json */
				r->json_type = memmem(vs, vn, "application/json", 16) != NULL;
			} else if (field_is(p, nn, "expect")) {
				r->expect_continue = has_token(vs, vn, "100-continue");
			} else if (field_is(p, nn, "connection")) {
				if (has_token(vs, vn, "close"))
					r->close = 1;
				if (has_token(vs, vn, "keep-alive"))
					r->keep_alive = 1;
			}
		}
		p = nl + 1;
	}
	if (first) {
		*why = "empty request";
		return -400;
	}
	if (r->chunked && r->content_length >= 0) {
		/* RFC 9112 6.3: both is a smuggling vector; refuse */
		*why = "both Content-Length and chunked";
		return -400;
	}
	if (r->minor == 0 && !r->keep_alive)
		r->close = 1;
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

enum { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_TRAILER_LINE, CH_DONE };

int source_ka_chunked_feed(struct source_ka_chunked *c, const char *in, size_t n, size_t *used, char *out,
			   size_t *outn, size_t max_out)
{
	size_t i = 0;
	while (i < n && c->state != CH_DONE) {
		char ch = in[i];
		switch (c->state) {
		case CH_SIZE: {
			int h = hexval(ch);
			if (h >= 0) {
				if (c->digits++ >= 15) {
					*used = i;
					return -400;
				}
				c->left = c->left * 16 + (uint64_t)h;
				i++;
			} else if (c->digits && (ch == ';' || ch == ' ' || ch == '\t')) {
				c->state = CH_EXT;
				i++;
			} else if (c->digits && ch == '\r') {
				c->state = CH_SIZE_LF;
				i++;
			} else if (c->digits && ch == '\n') {
				c->state = c->left ? CH_DATA : CH_TRAILER;
				i++;
			} else {
				*used = i;
				return -400;
			}
			break;
		}
		case CH_EXT:
			if (ch == '\n')
				c->state = c->left ? CH_DATA : CH_TRAILER;
			else if (ch == '\r')
				c->state = CH_SIZE_LF;
			i++;
			break;
		case CH_SIZE_LF:
			if (ch != '\n') {
				*used = i;
				return -400;
			}
			c->state = c->left ? CH_DATA : CH_TRAILER;
			i++;
			break;
		case CH_DATA: {
			size_t k = n - i < c->left ? n - i : (size_t)c->left;
			if (*outn + k > max_out) {
				*used = i;
				return -413;
			}
			memcpy(out + *outn, in + i, k);
			*outn += k;
			c->left -= k;
			i += k;
			if (!c->left)
				c->state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
		case CH_DATA_LF:
			if (c->state == CH_DATA_CR && ch == '\r') {
				c->state = CH_DATA_LF;
				i++;
				break;
			}
			/* after the data: CRLF, or a bare LF */
			if (ch != '\n') {
				*used = i;
				return -400;
			}
			c->state = CH_SIZE;
			c->digits = 0;
			c->left = 0;
			i++;
			break;
		case CH_TRAILER:
			/* at the start of a trailer line: an empty one ends the body */
			if (ch == '\r') {
				i++;
			} else if (ch == '\n') {
				c->state = CH_DONE;
				i++;
			} else {
				c->state = CH_TRAILER_LINE;
			}
			break;
		case CH_TRAILER_LINE:
			if (ch == '\n')
				c->state = CH_TRAILER;
			if (++c->trailer > 8192) {
				*used = i;
				return -431;
			}
			i++;
			break;
		}
	}
	*used = i;
	return c->state == CH_DONE;
}
