/*
 * closefds_bsd.c - the fast paths of ni_close_from/ni_cloexec_from on the
 * BSDs and Solaris, each found by CMake in this system's headers:
 *
 *   close_range(2) with CLOSE_RANGE_CLOEXEC   FreeBSD 13.0 (the flag 13.1)
 *   closefrom(3)                             FreeBSD 8, OpenBSD 3.5,
 *                                            NetBSD 3, Solaris 9, illumos
 *   fcntl(fd, F_CLOSEM)                      NetBSD (where no closefrom)
 *
 * closefrom and F_CLOSEM only close: marking close-on-exec without
 * close_range falls back to closefds.c's scan.  These systems list no
 * descriptor table that a signal handler could read (FreeBSD's sysctl
 * kern.proc.filedesc needs a buffer sized at run time), so there is no
 * walk.  Each is one system call (closefrom: one libc call), with no
 * malloc and no lock: safe after fork and in signal handlers.
 *
 * Cross-built in CI for FreeBSD 13.5 (amd64); never run.  A FreeBSD libc
 * runs on a kernel at least as new as itself, which has every call its
 * headers declare, so close_range is not expected to fail there; if it
 * does (a jail's or Capsicum's refusal), the answer is cached and the
 * next way taken.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#if defined(HAVE_CLOSE_RANGE)
/* 1 if close_range did the job, 0 if it is refused here. */
static int
try_close_range(int lowfd, bool cloexec)
{
#ifdef CLOSE_RANGE_CLOEXEC
	unsigned flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0;
#else
	unsigned flags = 0;

	if (cloexec)
		return 0;
#endif
	enum probe_id p = cloexec ? P_CLOSE_RANGE_CLOEXEC : P_CLOSE_RANGE;
	int st = probe_get(p);

	if (st == PROBE_NO)
		return 0;
	if (close_range((unsigned)lowfd, ~0U, (int)flags) == 0) {
		if (st == PROBE_UNKNOWN)
			probe_set(p, PROBE_YES);
		return 1;
	}
	/* With first <= last and known flags, every error means "not here". */
	probe_set(p, PROBE_NO);
	return 0;
}
#endif

int
closefds_os(int lowfd, bool cloexec)
{
#if defined(HAVE_CLOSE_RANGE)
	if (try_close_range(lowfd, cloexec))
		return 1;
#endif
	if (cloexec)
		return 0;
#if defined(HAVE_CLOSEFROM)
	/*
	 * void on FreeBSD and Solaris, int on OpenBSD and NetBSD, whose only
	 * errors (EBADF for a negative fd, EINTR from a close) leave nothing
	 * that a rescan would find.  closefds.c rejects a negative lowfd.
	 */
	closefrom(lowfd);
	if (probe_get(P_CLOSE_RANGE) == PROBE_UNKNOWN)
		probe_set(P_CLOSE_RANGE, PROBE_YES);
	return 1;
#elif defined(HAVE_F_CLOSEM)
	if (fcntl(lowfd, F_CLOSEM, 0) == 0) {
		if (probe_get(P_CLOSE_RANGE) == PROBE_UNKNOWN)
			probe_set(P_CLOSE_RANGE, PROBE_YES);
		return 1;
	}
	return 0;
#else
	(void)lowfd;
	return 0;
#endif
}

/* No /proc/self/fd walk on these systems. */
int
closefds_proc_usable(void)
{
	return 0;
}
