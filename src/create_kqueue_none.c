/*
 * create_kqueue_none.c - ni_kqueue where the system has no kqueue (Linux).
 */
#include "internal.h"

int
ni_kqueue(void)
{
	errno = ENOSYS;
	return -1;
}
