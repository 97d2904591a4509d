/*
 * create_linux_none.c - the Linux-only creators on other systems: ENOSYS.
 */
#include <signal.h>

#include "internal.h"

static int
enosys(void)
{
	errno = ENOSYS;
	return -1;
}

int ni_epoll_create1(int flags) { (void)flags; return enosys(); }
int ni_eventfd(unsigned int v, int flags) { (void)v; (void)flags; return enosys(); }
int ni_timerfd_create(int c, int flags) { (void)c; (void)flags; return enosys(); }
int ni_signalfd(int fd, const sigset_t *m, int flags) { (void)fd; (void)m; (void)flags; return enosys(); }
int ni_inotify_init1(int flags) { (void)flags; return enosys(); }
int ni_memfd_create(const char *n, unsigned int flags) { (void)n; (void)flags; return enosys(); }
