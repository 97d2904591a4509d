/*
 * closefds_linux.c - the Linux ways of the applier (fdapply.h).
 *
 * First close_range(2) (Linux 5.9; CLOSE_RANGE_CLOEXEC since 5.11), one
 * system call per gap whatever the limit.  Then a walk of /proc/self/fd
 * read with raw getdents64 into a stack buffer, checked to be procfs (not
 * a tmpfs hiding /proc): no malloc, no opendir.  Cost grows with the
 * descriptors open, not with RLIMIT_NOFILE.  Every call is a raw system
 * call (spawn_sys.h): the vfork child of spawn_linux.c runs this code.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/statfs.h>

#include "fdapply.h"
#include "procfd.h"
#include "spawn_sys.h"

/* 1 KiB: the vfork child's stack is 6 KiB (spawn_linux.c). */
#define DIRBUF 1024

int
fdos_range(struct fdapply *a, unsigned lo, unsigned hi, bool cloexec)
{
	long r;

	if (!(cloexec ? a->try_cloexec_range : a->try_close_range))
		return -1;
	r = sys3(__NR_close_range, lo, hi, cloexec ? CLOSE_RANGE_CLOEXEC : 0U);
	return fdapply_range_said(a, cloexec, r == 0);
}

/* /proc/self/fd, or -1 where it is missing or not procfs. */
CHILD_CODE static long
open_proc_fd(void)
{
	struct statfs sf;
	long dir = sys4(SYS_openat, AT_FDCWD, "/proc/self/fd",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

	if (dir < 0)
		return -1;
	if (sys2(SYS_fstatfs, dir, &sf) != 0 || sf.f_type != PROC_SUPER_MAGIC) {
		(void)sys1(SYS_close, dir);
		return -1;
	}
	return dir;
}

/* One pass: how many descriptors it acted on, -1 on error. */
CHILD_CODE static long
walk_once(struct fdapply *a, long dir)
{
	char buf[DIRBUF] __attribute__((aligned(8)));
	long done = 0, n, off;

	while ((n = sys3(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
		for (off = 0; off < n;) {
			struct ni_dirent64 *d =
			    (struct ni_dirent64 *)(buf + off);
			int fd = procfd_parse(d->d_name);

			off += d->d_reclen;
			if (fd >= 0 && fd != dir)
				done += fdapply_one(a, fd);
		}
	}
	return n < 0 ? -1 : done;
}

int
fdos_walk(struct fdapply *a)
{
	long dir = open_proc_fd(), r = 0;
	int pass, passes;

	if (dir < 0)
		return 0;	/* not cached: /proc may be mounted later */
	/*
	 * The kernel lists the table by descriptor number, so closing what was
	 * read does not hide what follows.  Closing passes repeat until one
	 * finds nothing, for descriptors another thread made meanwhile (glibc's
	 * closefrom does the same), at most a few times.
	 */
	passes = a->alone || a->how == FDA_CLOEXEC || a->how == FDA_VISIT ?
	    1 : 4;
	for (pass = 0; pass < passes && !a->stopped; pass++) {
		if (pass > 0 && sys3(SYS_lseek, dir, 0, SEEK_SET) != 0)
			break;
		r = walk_once(a, dir);
		if (r <= 0)
			break;
	}
	(void)sys1(SYS_close, dir);
	if (r < 0)
		return 0;
	a->walked = true;
	return 1;
}

int
closefds_proc_usable(void)
{
	long dir = open_proc_fd();

	if (dir < 0)
		return 0;
	(void)sys1(SYS_close, dir);
	if (probe_get(P_PROC_FD) == PROBE_UNKNOWN)
		probe_set(P_PROC_FD, PROBE_YES);
	return 1;
}
