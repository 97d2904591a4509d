/*
 * fdapply.h - the one applier of "every descriptor but a keep list":
 * closed, marked close-on-exec, or handed to a visitor.  Its callers:
 * ni_close_from and ni_cloexec_from (closefds.c), both spawn children
 * (spawn_child.h: the vfork child of spawn_linux.c and the fork child of
 * spawn_posix.c) and ni_exec (exec.c, which marks and records).
 *
 * The ways, fastest first, each tried only where the previous one is not
 * available here:
 *
 *   1. one call per gap between kept descriptors (fdos_range: Linux and
 *      FreeBSD close_range, with CLOSE_RANGE_CLOEXEC to mark; closefrom or
 *      F_CLOSEM for the last gap on the other BSDs);
 *   2. a walk of the descriptor table (fdos_walk: /proc/self/fd read with
 *      raw getdents64 on Linux, proc_pidinfo on macOS), acting on each
 *      listed descriptor that is not kept;
 *   3. one call per possible descriptor up to the hard RLIMIT_NOFILE
 *      (above any lowered soft limit), capped at 2^20 when unlimited.
 *
 * Async-signal-safe and fit for the vfork child of spawn_linux.c: no
 * malloc, no lock, no stdio, nothing written but the struct fdapply and
 * the stack (about 1.2 KiB at most, a directory buffer of 1 KiB).  On
 * Linux every call is a raw system call (spawn_sys.h), so not even errno
 * is written; elsewhere libc's async-signal-safe calls.  What was refused
 * or worked is reported in the struct, never cached here: the caller
 * settles the probes (internal.h), as the vfork child must not.
 */
#ifndef NI_FDAPPLY_H
#define NI_FDAPPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

/* What the spawn children run: never instrumented by ASan (spawn.h). */
#if defined(__GNUC__) || defined(__clang__)
#define CHILD_CODE __attribute__((no_sanitize_address))
#else
#define CHILD_CODE
#endif

#define fdapply ni__fdapply
#define fdapply_one ni__fdapply_one
#define fdkeep_has ni__fdkeep_has
#define fdos_range ni__fdos_range
#define fdos_walk ni__fdos_walk

enum fdapply_how {
	FDA_CLOSE,	/* close them (ni_close_from) */
	FDA_CLOEXEC,	/* mark them close-on-exec (ni_cloexec_from) */
	FDA_EXEC,	/* gone at the coming execve (spawn children): marked
			 * where one call per gap does it, else closed */
	FDA_VISIT,	/* visit(ctx, fd) for each open one; no range calls
			 * (ni_exec, which must know what it changed) */
};

struct fdapply {
	/* Set by the caller. */
	const int *keep;	/* sorted, distinct; never touched */
	size_t nkeep;
	int lowfd;		/* nothing below it is touched */
	enum fdapply_how how;
	bool alone;		/* no other thread can open descriptors meanwhile */
	bool try_close_range;	/* not known to be refused */
	bool try_cloexec_range;
	bool try_walk;
	int (*visit)(void *ctx, int fd);	/* FDA_VISIT: 0, or -1 to stop */
	void *ctx;
	/* Set by fdapply. */
	volatile bool close_range_refused, close_range_worked;
	volatile bool cloexec_range_refused, cloexec_range_worked;
	volatile bool walk_refused, walked;
	bool stopped;		/* visit returned -1 */
};

/*
 * For the per-OS fdos_range: what one close_range call said, kept for the
 * caller's probes.  With first <= last and known flags, every error of it
 * means "not here" (ENOSYS before Linux 5.9, EINVAL for a flag unknown
 * before 5.11, EPERM or ENOSYS from seccomp): the applier stops trying it.
 * Returns 0 if it worked, else -1.
 */
CHILD_CODE static inline int
fdapply_range_said(struct fdapply *a, bool cloexec, bool worked)
{
	if (worked) {
		if (cloexec)
			a->cloexec_range_worked = true;
		else
			a->close_range_worked = true;
		return 0;
	}
	if (cloexec) {
		a->cloexec_range_refused = true;
		a->try_cloexec_range = false;
	} else {
		a->close_range_refused = true;
		a->try_close_range = false;
	}
	return -1;
}

/*
 * Applies a: 0, or -1 when visit returned -1 (what it set in errno is the
 * visitor's business).  The other ways cannot fail: a descriptor a close
 * or mark fails on (already closed) is gone or was never there.
 */
NI_HIDDEN CHILD_CODE int fdapply(struct fdapply *a);

/* For the per-OS walk: acts on fd if it is >= lowfd and not kept; 1 if
 * it acted, else 0. */
NI_HIDDEN CHILD_CODE int fdapply_one(struct fdapply *a, int fd);

/* True if fd is in the sorted list keep[0..n). */
NI_HIDDEN CHILD_CODE bool fdkeep_has(const int *keep, size_t n, int fd);

/*
 * Per OS (closefds_linux.c, closefds_bsd.c, closefds_macos.c,
 * closefds_none.c).  fdos_range closes (or marks) [lo, hi] in one step
 * (hi ~0U: to the end), honouring and updating a's try_ and _refused /
 * _worked fields: 0 done, -1 not available here.  fdos_walk lists the
 * table and hands each listed descriptor to fdapply_one: 1 done (a->walked),
 * 0 when there is no listing here.
 */
NI_HIDDEN CHILD_CODE int fdos_range(struct fdapply *a, unsigned lo,
    unsigned hi, bool cloexec);
NI_HIDDEN CHILD_CODE int fdos_walk(struct fdapply *a);

#endif /* NI_FDAPPLY_H */
