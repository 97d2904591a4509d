/*
 * closefds_linux.c - Linux fast paths of ni_close_from/ni_cloexec_from.
 *
 * First close_range(2) (Linux 5.9; CLOSE_RANGE_CLOEXEC since 5.11), one
 * system call whatever the limit.  Then a walk of /proc/self/fd read with
 * raw getdents64 into a stack buffer: no malloc, no opendir, so it may run
 * after fork or in a signal handler.  Cost grows with the descriptors open,
 * not with RLIMIT_NOFILE.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "procfd.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Returns 1 if close_range did the job, 0 if it is unavailable here. */
static int
try_close_range(int lowfd, bool cloexec)
{
#ifdef SYS_close_range
	enum probe_id p = cloexec ? P_CLOSE_RANGE_CLOEXEC : P_CLOSE_RANGE;
	int st = probe_get(p);

	if (st == PROBE_NO)
		return 0;
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U,
	    cloexec ? CLOSE_RANGE_CLOEXEC : 0U) == 0) {
		if (st == PROBE_UNKNOWN)
			probe_set(p, PROBE_YES);
		return 1;
	}
	/*
	 * With first <= last and known flags its only errors are ENOSYS
	 * (before 5.9), EINVAL (flag unknown before 5.11) and EPERM/ENOSYS
	 * from seccomp: all mean "not here".
	 */
	probe_set(p, PROBE_NO);
	return 0;
#else
	(void)lowfd;
	(void)cloexec;
	return 0;
#endif
}

/*
 * One pass over the directory; returns how many descriptors >= lowfd it
 * acted on, -1 on error.  Setting the flag is one ioctl per descriptor, the
 * same cost as asking first, so it is set on every one.
 */
static long
walk_once(int dfd, int lowfd, bool cloexec)
{
	char buf[4096] __attribute__((aligned(8)));
	long done = 0, n, off;

	for (;;) {
		n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (n == 0)
			return done;
		for (off = 0; off < n;) {
			struct ni_dirent64 *d = (struct ni_dirent64 *)(buf + off);
			int fd = procfd_parse(d->d_name);

			off += d->d_reclen;
			if (fd < lowfd || fd == dfd)
				continue;
			if (cloexec)
				(void)fd_set_cloexec(fd);
			else
				(void)close(fd);
			done++;
		}
	}
}

/*
 * Opens /proc/self/fd, or returns -1 where it is missing or something else
 * is mounted there (a tmpfs hiding /proc).  Not cached as a refusal: /proc
 * may be mounted later.
 */
static int
open_proc_fd(void)
{
	struct statfs sfs;
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return -1;
	if (fstatfs(dfd, &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		(void)close(dfd);
		return -1;
	}
	if (probe_get(P_PROC_FD) == PROBE_UNKNOWN)
		probe_set(P_PROC_FD, PROBE_YES);
	return dfd;
}

int
closefds_proc_usable(void)
{
	int saved = errno, dfd = open_proc_fd();

	if (dfd < 0) {
		errno = saved;
		return 0;
	}
	(void)close(dfd);
	errno = saved;
	return 1;
}

/* Returns 1 if the walk did the job, 0 if /proc is not there. */
static int
walk_proc(int lowfd, bool cloexec)
{
	int dfd, pass;
	long r = 0;

	dfd = open_proc_fd();
	if (dfd < 0)
		return 0;
	/*
	 * The kernel lists the table by descriptor number, so closing what was
	 * read does not hide what follows.  Closing passes repeat until one
	 * finds nothing, for descriptors another thread made meanwhile (glibc's
	 * closefrom does the same), at most a few times.
	 */
	for (pass = 0; pass < (cloexec ? 1 : 4); pass++) {
		if (pass > 0 && lseek(dfd, 0, SEEK_SET) != 0)
			break;
		r = walk_once(dfd, lowfd, cloexec);
		if (r <= 0)
			break;
	}
	(void)close(dfd);
	return r < 0 ? 0 : 1;
}

int
closefds_os(int lowfd, bool cloexec)
{
	if (try_close_range(lowfd, cloexec))
		return 1;
	return walk_proc(lowfd, cloexec);
}
