/*
 * closefds_macos.c - the fast path of ni_close_from/ni_cloexec_from on
 * macOS: the descriptor table listed by proc_pidinfo(PROC_PIDLISTFDS), the
 * call libproc and lsof use, into a stack buffer, and only the listed
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

#include "internal.h"

#ifdef HAVE_PROC_PIDINFO
#define LIST_MAX 256	/* 2 KiB of stack: a signal handler's too */

/*
 * One listing: acts on every listed fd >= lowfd.  Returns how many it
 * acted on, -1 when proc_pidinfo failed; *cut when the buffer was full
 * (LIST_MAX or more open: the rest is not in this listing).
 */
static int
walk_once(int lowfd, bool cloexec, bool *cut)
{
	struct proc_fdinfo list[LIST_MAX];
	int n, i, done = 0;

	n = proc_pidinfo(getpid(), PROC_PIDLISTFDS, 0, list, (int)sizeof(list));
	if (n <= 0)
		return -1;
	n /= (int)sizeof(list[0]);
	*cut = n == LIST_MAX;
	for (i = 0; i < n; i++) {
		int fd = list[i].proc_fd;

		if (fd < lowfd)
			continue;
		if (cloexec)
			(void)fd_set_cloexec(fd);
		else
			(void)close(fd);
		done++;
	}
	return done;
}
#endif

int
closefds_os(int lowfd, bool cloexec)
{
#ifdef HAVE_PROC_PIDINFO
	int pass, r;
	bool cut = false;

	if (probe_get(P_PROC_FD) == PROBE_NO)
		return 0;
	/*
	 * Closing shrinks the table, so a cut listing is listed again until
	 * it is whole (and, as on Linux, a few times for descriptors another
	 * thread made meanwhile).  Marking does not: a cut listing leaves the
	 * rest to closefds.c's scan.
	 */
	for (pass = 0; pass < 64; pass++) {
		r = walk_once(lowfd, cloexec, &cut);
		if (r < 0) {
			if (pass == 0 && !cut)
				probe_set(P_PROC_FD, PROBE_NO);
			return pass > 0 && !cut;
		}
		if (probe_get(P_PROC_FD) == PROBE_UNKNOWN)
			probe_set(P_PROC_FD, PROBE_YES);
		if (cloexec)
			return !cut;
		if (r == 0 && !cut)
			return 1;
		if (r == 0)
			return 0;	/* cut, and nothing >= lowfd in it */
	}
	return 0;
#else
	(void)lowfd;
	(void)cloexec;
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
