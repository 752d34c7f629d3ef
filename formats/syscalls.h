/* formats/syscalls.h: saker syscall ids (the SYSCALLID parameter of generic events). */
#ifndef SAKER_FORMATS_SYSCALLS_H
#define SAKER_FORMATS_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Ids 0..333 equal the PPM_SC codes of libs (0..328 are the ones sysdig 0.29
 * knows), so .scap import/export of generic events is a copy. Later ids are
 * saker's own, appended in a fixed order: they are stored in captures.
 * Some names repeat (PPM_SC has 32-bit duplicates such as setuid 133/305);
 * only the first carries the x86_64 number.
 */
#define SK_SYSCALL__COUNT 414
#define SK_SYSCALL_PPM_SC_DIRECT_MAX 333  /* ids <= this equal PPM_SC */
#define SK_SYSCALL_SCAP029_MAX 328        /* highest PPM_SC sysdig 0.29 names */

struct sk_syscall_info {
	const char *name;
	int16_t native_nr;  /* x86_64 number, -1 if none */
};

extern const struct sk_syscall_info sk_syscall_table[SK_SYSCALL__COUNT];

/* Name of id, or NULL if out of range. */
const char *sk_syscall_name(uint16_t id);
/* First id with that name, or -1. */
int sk_syscall_by_name(const char *name);
/* x86_64 number -> id; 0 (<unknown>) if saker has no name for it. */
uint16_t sk_syscall_from_native(int64_t nr);
/* id -> x86_64 number, -1 if none. */
int sk_syscall_to_native(uint16_t id);
/* A PPM_SC code of any libs version -> id; 0 if unknown. */
uint16_t sk_syscall_from_ppm_sc(uint32_t code);
/* id -> PPM_SC code of current libs, -1 if it has none. */
int sk_syscall_to_ppm_sc(uint16_t id);

/* Names of the syscalls replay's state tracking needs (process and fd
 * tables), *n of them: what a capture filtered by rules must still hold
 * (formats/syscalls_state.c). */
const char *const *sk_syscalls_for_state(size_t *n);

#endif
