/*
 * closefds_bsd.c - the ways of the applier (fdapply.h) on the BSDs and
 * Solaris, each found by CMake in this system's headers:
 *
 *   close_range(2) with CLOSE_RANGE_CLOEXEC   FreeBSD 13.0 (the flag 13.1)
 *   closefrom(3)                             FreeBSD 8, OpenBSD 3.5,
 *                                            NetBSD 3, Solaris 9, illumos
 *   fcntl(fd, F_CLOSEM)                      NetBSD (where no closefrom)
 *
 * closefrom and F_CLOSEM only close, and only to the end of the table:
 * a gap below a kept descriptor is then closed one descriptor at a time
 * (a gap ends at a kept descriptor, so it is short), and marking
 * close-on-exec without close_range falls back to the applier's loop.
 * These systems list no descriptor table that a signal handler could read
 * (FreeBSD's sysctl kern.proc.filedesc needs a buffer sized at run time;
 * /dev/fd shows only 0-2 without fdescfs), so there is no walk.  Each way
 * is one system call (closefrom: one libc call), with no malloc and no
 * lock: safe after fork and in signal handlers.
 *
 * Cross-built in CI for FreeBSD 13.5 (amd64); never run there.  Built on
 * Linux too with -DNI_CLOSEFDS_BSD=ON, through glibc's close_range(3) and
 * closefrom(3), for the closefds tests (CI); in that build the spawn
 * child goes through those libc wrappers as well.  A FreeBSD libc runs on
 * a kernel at least as new as itself, which has every call its headers
 * declare, so close_range is not expected to fail there; if it does (a
 * jail's or Capsicum's refusal), the caller caches it and the next way is
 * taken.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdapply.h"

#if defined(HAVE_CLOSE_RANGE)
/* 0 if close_range did the job, -1 if it is refused here. */
CHILD_CODE static int
try_close_range(struct fdapply *a, unsigned lo, unsigned hi, bool cloexec)
{
#ifdef CLOSE_RANGE_CLOEXEC
	unsigned flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0;
#else
	unsigned flags = 0;

	if (cloexec)
		return -1;
#endif
	if (!(cloexec ? a->try_cloexec_range : a->try_close_range))
		return -1;
	return fdapply_range_said(a, cloexec,
	    close_range(lo, hi, (int)flags) == 0);
}
#endif

int
fdos_range(struct fdapply *a, unsigned lo, unsigned hi, bool cloexec)
{
#if defined(HAVE_CLOSE_RANGE)
	if (try_close_range(a, lo, hi, cloexec) == 0)
		return 0;
#endif
	if (cloexec)
		return -1;
#if defined(HAVE_CLOSEFROM) || defined(HAVE_F_CLOSEM)
	if (hi != ~0U) {
		unsigned fd;

		for (fd = lo; fd <= hi; fd++)
			(void)close((int)fd);
		return 0;
	}
#endif
#if defined(HAVE_CLOSEFROM)
	/*
	 * void on FreeBSD and Solaris, int on OpenBSD and NetBSD, whose only
	 * errors (EBADF for a negative fd, EINTR from a close) leave nothing
	 * that a rescan would find.  lo fits an int: the applier starts from
	 * a non-negative one.
	 */
	closefrom((int)lo);
	a->close_range_worked = !a->close_range_refused;
	return 0;
#elif defined(HAVE_F_CLOSEM)
	if (fcntl((int)lo, F_CLOSEM, 0) == 0) {
		a->close_range_worked = !a->close_range_refused;
		return 0;
	}
	return -1;
#else
	(void)a;
	(void)lo;
	return -1;
#endif
}

/* No descriptor table listing on these systems. */
int
fdos_walk(struct fdapply *a)
{
	(void)a;
	return 0;
}

int
closefds_proc_usable(void)
{
	return 0;
}
