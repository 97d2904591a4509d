/*
 * closefds.c - close, or mark close-on-exec, every descriptor from N up.
 *
 * The per-OS file (closefds_linux.c) tries the kernel's own answer
 * (close_range) and a walk of the descriptor table (/proc/self/fd).  When
 * both are unavailable, this file scans every possible descriptor up to the
 * hard RLIMIT_NOFILE (above any lowered soft limit), capped at 2^20 when the
 * limit is unlimited; where the system has no O_PATH, poll(2) checks a whole
 * batch per call.
 *
 * Everything here is async-signal-safe: no malloc, no locks, no stdio.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

#define POLL_BATCH 256		/* 2 KiB of stack */
#define SCAN_CAP (1 << 20)	/* Linux's default fs.nr_open */

/*
 * One past the highest descriptor that can be open: the larger of the two
 * limits (the soft one can be lowered below descriptors already open; the
 * hard one can only go down), an unlimited one capped at the kernel default.
 */
static long
scan_limit(long *batch)
{
	struct rlimit rl;
	rlim_t lim;

	*batch = POLL_BATCH;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return SCAN_CAP;
	/* poll() refuses more entries than the soft limit. */
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < POLL_BATCH)
		*batch = (long)rl.rlim_cur;
	lim = rl.rlim_max;
	if (lim == RLIM_INFINITY || (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur > lim))
		lim = rl.rlim_cur;
	if (lim == RLIM_INFINITY || lim > SCAN_CAP)
		return SCAN_CAP;
	return (long)lim;
}

static void
act(int fd, bool cloexec)
{
	int saved = errno;

	if (cloexec)
		(void)fd_set_cloexec(fd);
	else
		(void)close(fd);
	errno = saved;
}

#ifdef O_PATH
/*
 * poll() cannot see O_PATH descriptors (it reports them as POLLNVAL, like
 * closed ones), so where they exist the last resort is one call per
 * possible descriptor up to the limit: a few milliseconds at 20000, about
 * 50 ms at the 2^20 cap.  Only reached without close_range and without
 * /proc (Linux before 5.9 in a sandbox with no /proc).
 */
static void
closefds_scan(int lowfd, bool cloexec)
{
	long batch;
	long end = scan_limit(&batch);
	long fd;

	for (fd = lowfd; fd < end; fd++)
		act((int)fd, cloexec);
}
#else
/* One poll() checks a whole batch and marks the closed ones POLLNVAL. */
static void
closefds_scan(int lowfd, bool cloexec)
{
	struct pollfd pfd[POLL_BATCH];
	long batch;
	long end = scan_limit(&batch);
	long base;
	int i, n, r;

	for (base = lowfd; base < end; base += n) {
		n = (int)(end - base < batch ? end - base : batch);
		if (n <= 0)
			n = 1;
		for (i = 0; i < n; i++) {
			pfd[i].fd = (int)(base + i);
			pfd[i].events = 0;
			pfd[i].revents = 0;
		}
		do
			r = poll(pfd, (nfds_t)n, 0);
		while (r < 0 && errno == EINTR);
		for (i = 0; i < n; i++)
			if (r < 0 || !(pfd[i].revents & POLLNVAL))
				act(pfd[i].fd, cloexec);
	}
}
#endif

static int
closefds(int lowfd, bool cloexec)
{
	int saved = errno;
	int r;

	if (lowfd < 0) {
		errno = EINVAL;
		return -1;
	}
	r = closefds_os(lowfd, cloexec);
	if (r < 0)
		return -1;
	if (r == 0)
		closefds_scan(lowfd, cloexec);
	errno = saved;
	return 0;
}

int
ni_close_from(int lowfd)
{
	return closefds(lowfd, false);
}

int
ni_cloexec_from(int lowfd)
{
	return closefds(lowfd, true);
}
