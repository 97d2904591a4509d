/*
 * internal.h - what the layers of libnoinherit share and nobody else sees.
 *
 * Layers (DESIGN.md): probe (probe.c: the table, fdlock.c: the either-or
 * lock) -> flag primitives (inheritable.c, closefd.c; the applier
 * fdapply.c with its per-OS ways closefds_*.c, closefds.c) -> creation
 * (create_fallback.c: the create-then-set engine; create_*.c: the
 * creators) -> spawn (spawn*.c, exec.c).  Everything here is hidden: the
 * shared library exports only the NI_API symbols listed in
 * noinherit.map.
 */
#ifndef NI_INTERNAL_H
#define NI_INTERNAL_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "noinherit.h"

#define NI_HIDDEN __attribute__((visibility("hidden")))

/*
 * Hidden symbols still meet the program's own in a static link: every
 * internal one carries the ni__ prefix, under a readable name here.
 */
#define fdlock_shared_enter ni__fdlock_shared_enter
#define fdlock_shared_leave ni__fdlock_shared_leave
#define fdlock_exclusive_enter ni__fdlock_exclusive_enter
#define fdlock_exclusive_leave ni__fdlock_exclusive_leave
#define fd_set_cloexec ni__fd_set_cloexec
#define fd_cloexec_or_close ni__fd_cloexec_or_close
#define fd_add_status_flags ni__fd_add_status_flags
#define create_fallback ni__create_fallback
#define create_checked_first ni__create_checked_first
#define create_pair ni__create_pair
#define close_keep_errno ni__close_keep_errno
#define closefds_proc_usable ni__closefds_proc_usable

/*
 * Probe: one cached answer per atomic mechanism, in three states.  Reads and
 * writes are relaxed atomics: every state is a fact about the kernel, so two
 * threads that probe at once reach the same answer and may both store it.
 * The index of each mechanism is the bit of its NI_FEAT_* flag.
 */
enum probe_state {
	PROBE_UNKNOWN = 0,
	PROBE_YES = 1,
	PROBE_NO = 2,
};

enum probe_id {
	P_O_CLOEXEC = 0,
	P_SOCK_CLOEXEC,
	P_ACCEPT4,
	P_DUPFD_CLOEXEC,
	P_DUP3,
	P_PIPE2,
	P_CMSG_CLOEXEC,
	P_EPOLL_CLOEXEC,
	P_FD_CLOEXEC_FLAGS,
	P_FOPEN_E,
	P_FIOCLEX,
	P_CLOSE_RANGE,
	P_CLOSE_RANGE_CLOEXEC,
	P_PROC_FD,
	P_CLONE_VFORK,		/* settled by the first ni_spawn */
	P_CLONE3,		/* the same */
	P_PIDFDS,
	P_COUNT
};

extern NI_HIDDEN _Atomic unsigned char ni__probes[P_COUNT];

static inline int
probe_get(enum probe_id p)
{
	return atomic_load_explicit(&ni__probes[p], memory_order_relaxed);
}

static inline void
probe_set(enum probe_id p, int state)
{
	atomic_store_explicit(&ni__probes[p], (unsigned char)state,
	    memory_order_relaxed);
}

/*
 * The errors by which a kernel or a sandbox says "not this call" or "not
 * this flag": ENOSYS (call missing), EINVAL (flag unknown), EPERM (seccomp
 * profiles of container runtimes), EOPNOTSUPP.  They are also ordinary
 * errors of the calls, so a refusal is believed only when the plain call
 * then succeeds.
 */
static inline bool
probe_refused(int err)
{
	return err == ENOSYS || err == EINVAL || err == EPERM ||
	    err == EOPNOTSUPP;
}

/*
 * The either-or lock (fdlock.c).  Creation in fallback mode holds the shared
 * side across create-then-set; ni_spawn holds the exclusive side across the
 * fork, so no child sees a half-made descriptor.  With every atomic flag
 * working, creation never touches it and spawns take it without waiting.
 */
NI_HIDDEN void fdlock_shared_enter(void);
NI_HIDDEN void fdlock_shared_leave(void);
/* Returns a token for fdlock_exclusive_leave(). */
NI_HIDDEN int fdlock_exclusive_enter(void);
NI_HIDDEN void fdlock_exclusive_leave(int token);

/* Flag primitives (inheritable.c).  Both keep errno on success. */
NI_HIDDEN int fd_set_cloexec(int fd);
/* Sets the flag on fd or, failing that, closes fd; -1 + errno then. */
NI_HIDDEN int fd_cloexec_or_close(int fd);

/*
 * The fallback shape shared by every single-fd creator: the atomic form
 * first, unless refused before; on a refusal (errno of probe_refused) that
 * the plain form then contradicts by succeeding, remember it.  `atomic` and
 * `plain` receive `arg`; both return an fd or -1 with errno.  Inline, so the
 * calls through the pointers become direct calls in each creator.
 */
typedef int (*create_fn)(void *arg);

NI_HIDDEN int create_fallback(create_fn plain, void *arg);	/* create_fallback.c */

#define CREATE_REFUSED (-2)

/*
 * The first half of create_fd: the atomic form, unless refused before.
 * Returns the fd, -1 with errno for a real error, or CREATE_REFUSED when
 * the caller must take the fallback (*st: the state it started from).
 */
static inline int
create_atomic(enum probe_id p, create_fn atomic, void *arg, int *st)
{
	int fd;

	*st = probe_get(p);
	if (*st == PROBE_NO)
		return CREATE_REFUSED;
	fd = atomic(arg);
	if (fd >= 0) {
		if (*st == PROBE_UNKNOWN)
			probe_set(p, PROBE_YES);
		return fd;
	}
	/* Once the flag has worked, its errors are real ones. */
	if (*st == PROBE_YES || !probe_refused(errno))
		return -1;
	return CREATE_REFUSED;
}

/* The second half: create, then set the flag; a success confirms a refusal. */
static inline int
create_plain(enum probe_id p, create_fn plain, void *arg, int st)
{
	int fd = create_fallback(plain, arg);

	if (fd >= 0 && st == PROBE_UNKNOWN)
		probe_set(p, PROBE_NO);
	return fd;
}

static inline int
create_fd(enum probe_id p, create_fn atomic, create_fn plain, void *arg)
{
	int st, fd = create_atomic(p, atomic, arg, &st);

	return fd != CREATE_REFUSED ? fd : create_plain(p, plain, arg, st);
}

/*
 * For flags that old kernels ignore instead of refusing (O_CLOEXEC before
 * Linux 2.6.23): the first success is checked with F_GETFD.
 */
NI_HIDDEN int create_checked_first(enum probe_id p, int fd);

static inline int
create_fd_checked(enum probe_id p, create_fn atomic, create_fn plain, void *arg)
{
	int fd;

	if (probe_get(p) == PROBE_NO)
		return create_fallback(plain, arg);
	fd = atomic(arg);
	if (fd >= 0 && probe_get(p) == PROBE_UNKNOWN)
		return create_checked_first(p, fd);
	return fd;
}

typedef int (*create2_fn)(void *arg, int fds[2]);

NI_HIDDEN int create_pair(enum probe_id p, create2_fn atomic, create2_fn plain,
    void *arg, int fds[2], int setfl, bool direct);
NI_HIDDEN int fd_add_status_flags(int fd, int flags);

/* Close without touching errno; never retried on EINTR (see close(2)).
 * closefd.c. */
NI_HIDDEN void close_keep_errno(int fd);

/* closefds_*.c (beside the applier's ways, fdapply.h): 1 if the
 * descriptor table can be walked here now (settles P_PROC_FD). */
NI_HIDDEN int closefds_proc_usable(void);

#endif /* NI_INTERNAL_H */
