/*
 * procfd.h - reading /proc/self/fd with raw getdents64 (Linux): the
 * record layout and the parse of a name, for the applier's walk in
 * closefds_linux.c (fdapply.h).  Nothing here calls libc, so the vfork
 * spawn child may run it.
 */
#ifndef NI_PROCFD_H
#define NI_PROCFD_H

#include <stdint.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* One getdents64 record (the C library's struct may be missing: musl). */
struct ni_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* A decimal descriptor name; -1 for "." and "..".  Also run by the spawn
 * child on a borrowed stack: never instrumented by ASan. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((no_sanitize_address))
#endif
static inline int
procfd_parse(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 0x7fffffff / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

#endif /* NI_PROCFD_H */
