/*
 * create_kqueue.c - ni_kqueue on the BSDs and macOS: kqueuex(KQUEUE_CLOEXEC)
 * (FreeBSD 13.3/14) or kqueue1(O_CLOEXEC) (NetBSD 6, FreeBSD 14) where
 * CMake finds them declared, else kqueue() and the flag after, under the
 * lock (macOS, OpenBSD).  Cross-built in CI for FreeBSD 13.5 and macOS;
 * never run there.
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

#if defined(HAVE_KQUEUEX) && defined(KQUEUE_CLOEXEC)
static int
kqueue_atomic(void *p)
{
	(void)p;
	return kqueuex(KQUEUE_CLOEXEC);
}
#elif defined(HAVE_KQUEUE1)
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
