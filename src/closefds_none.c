/*
 * closefds_none.c - systems without a way known to this library: the
 * applier (fdapply.h) loops up to the limit.
 */
#include "fdapply.h"

int
fdos_range(struct fdapply *a, unsigned lo, unsigned hi, bool cloexec)
{
	(void)a;
	(void)lo;
	(void)hi;
	(void)cloexec;
	return -1;
}

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
