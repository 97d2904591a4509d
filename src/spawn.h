/*
 * spawn.h - what the portable half of ni_spawn (spawn.c: options,
 * checks, the plan) hands to the per-OS half (spawn_linux.c,
 * spawn_posix.c, with spawn_child.h: the child).
 *
 * The parent does everything that can fail for lack of memory, or that
 * needs libc, before the child exists: it checks the options, builds the
 * list of paths to try and works out the descriptor moves.  The child only
 * follows the plan.
 */
#ifndef NI_SPAWN_H
#define NI_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "internal.h"
#include "fdapply.h"	/* CHILD_CODE: what the child runs */
#include "fdplan.h"
#include "spawn_opts.h"

#define spawn_os ni__spawn_os
#define spawn_reap ni__spawn_reap
#define spawn_wait_report ni__spawn_wait_report
#define spawn_pidfd_supported ni__spawn_pidfd_supported
#define spawn_paths ni__spawn_paths

/* The options of every system (spawn_opts.h), then POSIX's own. */
struct ni_spawn_opts {
	struct spawn_common c;
	bool setsid;
	bool has_umask;
	bool has_sigmask;
	pid_t pgid;		/* -1: leave the process group alone */
	mode_t umask;
	sigset_t sigmask;
};

/* What ni_spawn_opts_new starts from, and ni_spawn uses for a NULL one. */
extern const ni_spawn_opts ni__spawn_defaults;

/*
 * Fork mode on Linux when no descriptor is free for the report pipe (the
 * table full, or the soft limit below the open descriptors): a shared
 * page.  The child stores its tid in `word` and lists it as a robust futex,
 * so that the kernel marks it FUTEX_OWNER_DIED and wakes the parent when
 * the child's memory goes, by execve or by exit (spawn_linux.c).
 */
struct spawn_report_page {
	_Atomic unsigned int word;
	volatile int err;	/* the child's errno, or 0 */
};

struct spawn_plan {
	/* What to execute: each path in turn, as execvp does. */
	const char *const *paths;
	size_t npaths;
	char *const *argv;
	char *const *envp;

	/* Attributes, in the order the child applies them. */
	bool setsid;
	pid_t pgid;		/* -1: none */
	bool has_umask;
	mode_t umask;
	const char *cwd;	/* NULL: none */

	struct fdplan fd;	/* descriptors (fdplan.h) */

	sigset_t mask;		/* the child's signal mask, */
	bool has_mask;		/* if set; else the parent thread's */

	bool handlers_cleared;	/* clone3 reset the caught handlers already */

	/* Written by the child. */
	int report_fd;		/* fork mode: the pipe's write end; else -1 */
	int report_rfd;		/* fork mode: its read end (the parent's) */
	struct spawn_report_page *report_page;	/* fork mode without a pipe */
	volatile int err;	/* vfork mode: why the child failed, or 0 */
	volatile bool child_ran;	/* vfork mode: set by the child first */
};

/*
 * Starts the child following p; 0 with *pid (and *pidfd when pidfd is not
 * NULL) set, or -1 with errno, the child reaped.
 */
NI_HIDDEN int spawn_os(struct spawn_plan *p, pid_t *pid, int *pidfd);

/* Reaps a child that failed before execve (ignoring errors: with SIGCHLD
 * ignored the kernel has reaped it already). */
NI_HIDDEN void spawn_reap(pid_t pid);

/*
 * Fork mode: reads the child's report from rfd (closed here).  End of
 * file means the execve succeeded: 0.  An errno means it failed: the
 * child is reaped, -1 with that errno.
 */
NI_HIDDEN int spawn_wait_report(int rfd, pid_t pid);

/*
 * The paths to try for file, as execvp would (PATH from envp, or from this
 * process when own_env), in one allocation to free(); NULL with errno
 * (ENOENT: a name without '/' and search off; ENOMEM).
 */
NI_HIDDEN const char **spawn_paths(const char *file, bool search,
    char *const envp[], bool own_env, size_t *n);

/* 0 if ni_spawn_pidfd can work here (settles P_PIDFDS), else -1 + ENOSYS. */
NI_HIDDEN int spawn_pidfd_supported(void);

#endif /* NI_SPAWN_H */
