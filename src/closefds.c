/*
 * closefds.c - close, or mark close-on-exec, every descriptor from N up.
 *
 * The per-OS file (closefds_linux.c) tries the kernel's own answer
 * (close_range) and a walk of the descriptor table (/proc/self/fd).  When
 * both are unavailable, this file scans every possible descriptor up to the
 * hard RLIMIT_NOFILE (above any lowered soft limit), capped at 2^20 when the
 * limit is unlimited.
 *
 * Everything here is async-signal-safe: no malloc, no locks, no stdio.
 */
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

#define SCAN_CAP (1 << 20)	/* Linux's default fs.nr_open */

/*
 * One past the highest descriptor that can be open: the hard limit (the
 * soft one can be lowered below descriptors already open), an unlimited one
 * capped at the kernel default.  Descriptors above a hard limit lowered
 * after they were opened are out of reach of this last resort.
 */
static long
scan_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max > SCAN_CAP)
		return SCAN_CAP;
	return (long)rl.rlim_max;
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

/*
 * One call per possible descriptor, about 160 ns each on the benchmark
 * machine: 3 ms at 20000, by the same slope 170 ms at the 2^20 cap.
 * (poll() could test a batch per call, but it reports O_PATH descriptors as
 * closed.)
 */
static void
closefds_scan(int lowfd, bool cloexec)
{
	long end = scan_limit();
	long fd;

	for (fd = lowfd; fd < end; fd++)
		act((int)fd, cloexec);
}

static int
closefds(int lowfd, bool cloexec)
{
	int saved = errno;

	if (lowfd < 0) {
		errno = EINVAL;
		return -1;
	}
	if (!closefds_os(lowfd, cloexec))
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
