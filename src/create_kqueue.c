/*
 * create_kqueue.c - ni_kqueue on the BSDs and macOS.  kqueue1(O_CLOEXEC)
 * (NetBSD 6, FreeBSD 13) where the headers declare it, else kqueue() and
 * the flag after, under the lock.  Not built or tested on this project's CI
 * (Linux); it exists so the API is whole on those systems.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <fcntl.h>

#include "internal.h"

static int
kqueue_plain(void *p)
{
	(void)p;
	return kqueue();
}

#ifdef KQUEUE_CLOEXEC
static int
kqueue_atomic(void *p)
{
	(void)p;
	return kqueuex(KQUEUE_CLOEXEC);
}
#elif defined(__NetBSD__)
static int
kqueue_atomic(void *p)
{
	(void)p;
	return kqueue1(O_CLOEXEC);
}
#else
static int
kqueue_atomic(void *p)
{
	(void)p;
	errno = ENOSYS;
	return -1;
}
#endif

int
ni_kqueue(void)
{
	return create_fd(P_FD_CLOEXEC_FLAGS, kqueue_atomic, kqueue_plain, NULL);
}
