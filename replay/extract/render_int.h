/* replay/extract/render_int.h: text forms of event parameters (evt.arg, evt.rawarg, evt.args), sysdig-compatible. */
#ifndef SAKER_REPLAY_EXTRACT_RENDER_INT_H
#define SAKER_REPLAY_EXTRACT_RENDER_INT_H

#include <stddef.h>

#include "replay/state/update.h"

enum extract_render_mode {
	EXTRACT_RENDER_RAW,       /* the value alone: 4097, -2, /etc/passwd */
	EXTRACT_RENDER_RESOLVED,  /* the resolved form if there is one, else raw: O_RDONLY|O_CLOEXEC */
	EXTRACT_RENDER_ARGS,      /* raw(resolved), as evt.args shows it: 4097(O_RDONLY|O_CLOEXEC) */
};

/* Render parameter i of ev. Returns the length written (buf always
 * NUL-terminated, truncated to cap). Absent parameters render as "<NA>"
 * (NULL for buffers and tuples), as sysdig does. */
size_t extract_render_param(const struct state_updater *u, const struct sk_event *ev, uint32_t i, int mode,
			    char *buf, size_t cap);

/* evt.args: every parameter as name=value joined by spaces. */
size_t extract_render_args(const struct state_updater *u, const struct sk_event *ev, char *buf, size_t cap);

/* Flags / enum text of v using the parameter's name table ("" if none matches). */
size_t extract_render_flags(const struct sk_name_value *names, uint64_t v, int is_enum, char *buf, size_t cap);

/* "<f>/etc/passwd" for an fd entry, into buf. */
size_t extract_render_fd_entry(const struct state_fd *f, char *buf, size_t cap);

/* Printable form of a byte buffer: non-printable bytes become '.'. */
size_t extract_render_bytes(const unsigned char *p, size_t len, char *buf, size_t cap);

#endif
