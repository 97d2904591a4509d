/*
 * fdapply.c - the applier of fdapply.h: the gaps between kept
 * descriptors with one call each, else a walk of the table, else a loop
 * up to the limit.  The per-OS ways of the first two are in closefds_*.c;
 * the per-descriptor calls and the limit are here.
 */
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fdapply.h"

#ifdef __linux__
#include <stdint.h>
#include "spawn_sys.h"

#define os_close(fd) ((void)sys1(SYS_close, (fd)))
#define os_mark(fd) ((void)sys3(SYS_fcntl, (fd), F_SETFD, FD_CLOEXEC))
#else
#define os_close(fd) ((void)close(fd))
#define os_mark(fd) ((void)fcntl((fd), F_SETFD, FD_CLOEXEC))
#endif

#define LOOP_CAP (1 << 20)	/* Linux's default fs.nr_open */

bool
fdkeep_has(const int *keep, size_t n, int fd)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (keep[mid] == fd)
			return true;
		if (keep[mid] < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * One past the highest descriptor that can be open: the hard limit (the
 * soft one can be lowered below descriptors already open), an unlimited
 * one capped.  Descriptors above a hard limit lowered after they were
 * opened are out of reach of this last resort.
 */
CHILD_CODE static long
loop_end(void)
{
#ifdef __linux__
	struct { uint64_t cur, max; } rl;	/* prlimit64's struct rlimit64 */

	if (sys4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &rl) != 0 ||
	    rl.max > LOOP_CAP)
		return LOOP_CAP;
	return (long)rl.max;
#else
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max == RLIM_INFINITY ||
	    rl.rlim_max > LOOP_CAP)
		return LOOP_CAP;
	return (long)rl.rlim_max;
#endif
}

int
fdapply_one(struct fdapply *a, int fd)
{
	if (fd < a->lowfd || a->stopped || fdkeep_has(a->keep, a->nkeep, fd))
		return 0;
	switch (a->how) {
	case FDA_CLOSE:
	case FDA_EXEC:
		os_close(fd);
		break;
	case FDA_CLOEXEC:
		os_mark(fd);
		break;
	case FDA_VISIT:
		if (a->visit(a->ctx, fd) != 0)
			a->stopped = true;
		break;
	}
	return 1;
}

/* fdos_range over every gap from lowfd up; 0 done, -1 not here. */
CHILD_CODE static int
gaps(struct fdapply *a, bool cloexec)
{
	unsigned lo = (unsigned)a->lowfd;
	size_t i;

	for (i = 0; i < a->nkeep; i++) {
		unsigned k = (unsigned)a->keep[i];

		if (a->keep[i] < a->lowfd)
			continue;
		if (k > lo && fdos_range(a, lo, k - 1, cloexec) != 0)
			return -1;
		lo = k + 1;
	}
	return fdos_range(a, lo, ~0U, cloexec);
}

/*
 * One call per possible descriptor, about 160 ns each on the benchmark
 * machine: 3 ms at 20000, by the same slope 170 ms at the 2^20 cap.
 * (poll() could test a batch per call, but it reports O_PATH descriptors
 * as closed.)
 */
int
fdapply(struct fdapply *a)
{
	long fd, end;

	if (a->lowfd < 0)
		a->lowfd = 0;
	if (a->how != FDA_VISIT) {
		if (a->how != FDA_CLOSE && gaps(a, true) == 0)
			return 0;
		if (a->how != FDA_CLOEXEC && gaps(a, false) == 0)
			return 0;
	}
	if (!a->try_walk || !fdos_walk(a)) {
		end = loop_end();
		for (fd = a->lowfd; fd < end && !a->stopped; fd++)
			(void)fdapply_one(a, (int)fd);
	}
	return a->stopped ? -1 : 0;
}
