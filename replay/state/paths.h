/* replay/state/paths.h: joining and normalising paths the way libsinsp resolves syscall path arguments. */
#ifndef SAKER_REPLAY_STATE_PATHS_H
#define SAKER_REPLAY_STATE_PATHS_H

#include <stddef.h>

/* Resolve path against base (a directory; "" means "/"): absolute paths are
 * only normalised. Normalising removes empty and "." components and applies
 * ".." (never above "/"). Writes at most cap bytes including the NUL;
 * returns the length, or cap if it did not fit (output still terminated). */
size_t state_path_resolve(const char *base, const char *path, char *out, size_t cap);

/* The length of p if it is already in normal form (no empty, "." or ".."
 * component, no trailing slash but for "/" itself; with dir, one trailing
 * slash after a component is accepted and counted), else SIZE_MAX. Most
 * paths of a capture are normal: resolving one is then a copy. */
size_t state_path_normal_len(const char *p, int dir);

/* Normalise an absolute or relative path in place ("a//b/./c" -> "a/b/c"),
 * keeping it relative if it was. Returns the new length. */
size_t state_path_collapse_slashes(char *path);

#endif
