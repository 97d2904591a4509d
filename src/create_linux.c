/*
 * create_linux.c - Linux-only creators: epoll, eventfd, timerfd, signalfd,
 * inotify, memfd.  Each call has had its CLOEXEC flag since it first took
 * flags (epoll_create1, eventfd2, signalfd4, inotify_init1: 2.6.27;
 * timerfd flags: 2.6.27; memfd_create: 3.17); before that the call or the
 * flag is refused, and the fallback creates then sets the flag.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "internal.h"

/* Every *_CLOEXEC below equals O_CLOEXEC; NONBLOCK ones equal O_NONBLOCK. */
struct flags_args {
	int a;			/* initval, clockid, or signalfd's fd */
	int flags;
	const void *p;		/* signalfd's mask, memfd's name */
};

static int
epoll_atomic(void *p)
{
	return epoll_create1(((struct flags_args *)p)->flags | EPOLL_CLOEXEC);
}

static int
epoll_plain(void *p)
{
	return epoll_create1(((struct flags_args *)p)->flags & ~EPOLL_CLOEXEC);
}

int
ni_epoll_create1(int flags)
{
	struct flags_args a = { 0, flags, NULL };

	return create_fd(P_EPOLL_CLOEXEC, epoll_atomic, epoll_plain, &a);
}

/*
 * For the rest the plain form passes the other flags on: a kernel that
 * refuses the CLOEXEC flag has no NONBLOCK flag either, and refuses that
 * too, which the caller then hears about.
 */
static int
eventfd_atomic(void *p)
{
	struct flags_args *a = p;

	return eventfd((unsigned)a->a, a->flags | EFD_CLOEXEC);
}

static int
eventfd_plain(void *p)
{
	struct flags_args *a = p;

	return eventfd((unsigned)a->a, a->flags & ~EFD_CLOEXEC);
}

int
ni_eventfd(unsigned int initval, int flags)
{
	struct flags_args a = { (int)initval, flags, NULL };

	return create_fd(P_FD_CLOEXEC_FLAGS, eventfd_atomic, eventfd_plain, &a);
}

static int
timerfd_atomic(void *p)
{
	struct flags_args *a = p;

	return timerfd_create(a->a, a->flags | TFD_CLOEXEC);
}

static int
timerfd_plain(void *p)
{
	struct flags_args *a = p;

	return timerfd_create(a->a, a->flags & ~TFD_CLOEXEC);
}

int
ni_timerfd_create(int clockid, int flags)
{
	struct flags_args a = { clockid, flags, NULL };

	return create_fd(P_FD_CLOEXEC_FLAGS, timerfd_atomic, timerfd_plain, &a);
}

static int
signalfd_atomic(void *p)
{
	struct flags_args *a = p;

	return signalfd(a->a, a->p, a->flags | SFD_CLOEXEC);
}

static int
signalfd_plain(void *p)
{
	struct flags_args *a = p;

	return signalfd(a->a, a->p, a->flags & ~SFD_CLOEXEC);
}

int
ni_signalfd(int fd, const sigset_t *mask, int flags)
{
	struct flags_args a = { fd, flags, mask };

	/* An existing signalfd only gets a new mask; its flags stay. */
	if (fd != -1)
		return signalfd(fd, mask, flags);
	return create_fd(P_FD_CLOEXEC_FLAGS, signalfd_atomic, signalfd_plain,
	    &a);
}

static int
inotify_atomic(void *p)
{
	return inotify_init1(((struct flags_args *)p)->flags | IN_CLOEXEC);
}

static int
inotify_plain(void *p)
{
	return inotify_init1(((struct flags_args *)p)->flags & ~IN_CLOEXEC);
}

int
ni_inotify_init1(int flags)
{
	struct flags_args a = { 0, flags, NULL };

	return create_fd(P_FD_CLOEXEC_FLAGS, inotify_atomic, inotify_plain, &a);
}

static int
memfd_atomic(void *p)
{
	struct flags_args *a = p;

	return memfd_create(a->p, (unsigned)a->flags | MFD_CLOEXEC);
}

static int
memfd_plain(void *p)
{
	struct flags_args *a = p;

	return memfd_create(a->p, (unsigned)a->flags & ~MFD_CLOEXEC);
}

int
ni_memfd_create(const char *name, unsigned int flags)
{
	struct flags_args a = { 0, (int)flags, name };

	return create_fd(P_FD_CLOEXEC_FLAGS, memfd_atomic, memfd_plain, &a);
}
