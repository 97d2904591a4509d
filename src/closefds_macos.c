/*
 * closefds_macos.c - the way of the applier (fdapply.h) on macOS: the
 * descriptor table listed by proc_pidinfo(PROC_PIDLISTFDS), the call
 * libproc and lsof use, into a stack buffer, and only the listed
 * descriptors closed or marked.  macOS has no close_range, no closefrom
 * and no /dev/fd that lists more than 0-2 by default.  proc_pidinfo is one
 * system call (proc_info): no malloc, no lock, so it may run after fork or
 * in a signal handler.  The kernel lists the table in descriptor order.
 *
 * Cross-built in CI for macOS x86_64 and arm64 with Zig's SDK; never run.
 */
#include <unistd.h>

#ifdef HAVE_PROC_PIDINFO
#include <libproc.h>
#include <sys/proc_info.h>
#endif

#include "fdapply.h"

/* No call closes a range here. */
int
fdos_range(struct fdapply *a, unsigned lo, unsigned hi, bool cloexec)
{
	(void)a;
	(void)lo;
	(void)hi;
	(void)cloexec;
	return -1;
}

#ifdef HAVE_PROC_PIDINFO
#define LIST_MAX 256	/* 2 KiB of stack: a signal handler's too */

/*
 * One listing: hands every listed fd to fdapply_one.  Returns how many it
 * acted on, -1 when proc_pidinfo failed; *cut when the buffer was full
 * (LIST_MAX or more open: the rest is not in this listing).
 */
static int
walk_once(struct fdapply *a, bool *cut)
{
	struct proc_fdinfo list[LIST_MAX];
	int n, i, done = 0;

	n = proc_pidinfo(getpid(), PROC_PIDLISTFDS, 0, list, (int)sizeof(list));
	if (n <= 0)
		return -1;
	n /= (int)sizeof(list[0]);
	*cut = n == LIST_MAX;
	for (i = 0; i < n; i++)
		done += fdapply_one(a, list[i].proc_fd);
	return done;
}
#endif

int
fdos_walk(struct fdapply *a)
{
#ifdef HAVE_PROC_PIDINFO
	int pass, r;
	bool cut = false, closing = a->how == FDA_CLOSE || a->how == FDA_EXEC;

	/*
	 * Closing shrinks the table, so a cut listing is listed again until
	 * it is whole (and, as on Linux, a few times for descriptors another
	 * thread made meanwhile).  Marking does not: a cut listing leaves the
	 * rest to the applier's loop.
	 */
	for (pass = 0; pass < 64 && !a->stopped; pass++) {
		r = walk_once(a, &cut);
		if (r < 0) {
			if (pass == 0 && !cut)
				a->walk_refused = true;
			if (pass > 0 && !cut)
				a->walked = true;
			return pass > 0 && !cut;
		}
		a->walked = true;
		if (!closing)
			return !cut;
		if (r == 0)
			return !cut;	/* cut, and nothing to act on in it */
	}
	return 0;
#else
	(void)a;
	return 0;
#endif
}

int
closefds_proc_usable(void)
{
#ifdef HAVE_PROC_PIDINFO
	struct proc_fdinfo one[4];
	int saved = errno, n;

	n = proc_pidinfo(getpid(), PROC_PIDLISTFDS, 0, one, (int)sizeof(one));
	errno = saved;
	if (n <= 0) {
		probe_set(P_PROC_FD, PROBE_NO);
		return 0;
	}
	if (probe_get(P_PROC_FD) == PROBE_UNKNOWN)
		probe_set(P_PROC_FD, PROBE_YES);
	return 1;
#else
	return 0;
#endif
}
