/*
 * closefds.c - ni_close_from and ni_cloexec_from: the applier (fdapply.h)
 * with no keep list from N up, fed with and settling the probes of
 * close_range and of the table walk.
 *
 * Everything here is async-signal-safe: no malloc, no locks, no stdio.
 */
#include "fdapply.h"

/* The probe p from what the applier saw: refused, or worked. */
static void
settle(enum probe_id p, bool refused, bool worked)
{
	if (refused)
		probe_set(p, PROBE_NO);
	else if (worked && probe_get(p) == PROBE_UNKNOWN)
		probe_set(p, PROBE_YES);
}

static int
closefds(int lowfd, bool cloexec)
{
	struct fdapply a = { 0 };
	int saved = errno;

	if (lowfd < 0) {
		errno = EINVAL;
		return -1;
	}
	a.lowfd = lowfd;
	a.how = cloexec ? FDA_CLOEXEC : FDA_CLOSE;
	a.try_close_range = probe_get(P_CLOSE_RANGE) != PROBE_NO;
	a.try_cloexec_range = probe_get(P_CLOSE_RANGE_CLOEXEC) != PROBE_NO;
	a.try_walk = probe_get(P_PROC_FD) != PROBE_NO;
	(void)fdapply(&a);
	settle(P_CLOSE_RANGE, a.close_range_refused, a.close_range_worked);
	settle(P_CLOSE_RANGE_CLOEXEC, a.cloexec_range_refused,
	    a.cloexec_range_worked);
	settle(P_PROC_FD, a.walk_refused, a.walked);
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
