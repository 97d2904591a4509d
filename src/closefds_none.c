/*
 * closefds_none.c - systems without a fast path known to this library:
 * ni_close_from/ni_cloexec_from use the portable scan in closefds.c.
 */
#include "internal.h"

int
closefds_os(int lowfd, bool cloexec)
{
	(void)lowfd;
	(void)cloexec;
	return 0;
}

int
closefds_proc_usable(void)
{
	return 0;
}
