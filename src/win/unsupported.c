/*
 * unsupported.c - what has no meaning on Windows: ENOSYS.
 *
 * recvmsg with SCM_RIGHTS, ptys, and the Linux and BSD descriptor kinds do
 * not exist there.  ni_close_from and ni_cloexec_from are not emulated over
 * the CRT's descriptor table: on Windows what a child inherits is every
 * inheritable handle, most of which no CRT descriptor names, and listing a
 * process's handles takes an undocumented call (NtQuerySystemInformation).
 * A half-answer would look like the real one; ENOSYS says it is not there.
 * ni_spawn needs neither: it names the handles a child gets.
 */
#include <errno.h>

#include "noinherit.h"

static int
enosys(void)
{
	errno = ENOSYS;
	return -1;
}

ssize_t
ni_recvmsg(int fd, struct msghdr *msg, int flags)
{
	(void)fd;
	(void)msg;
	(void)flags;
	return enosys();
}

int ni_posix_openpt(int flags) { (void)flags; return enosys(); }
int ni_epoll_create1(int flags) { (void)flags; return enosys(); }
int ni_eventfd(unsigned int v, int flags) { (void)v; (void)flags; return enosys(); }
int ni_timerfd_create(int c, int flags) { (void)c; (void)flags; return enosys(); }
int ni_inotify_init1(int flags) { (void)flags; return enosys(); }
int ni_memfd_create(const char *n, unsigned int flags) { (void)n; (void)flags; return enosys(); }
int ni_kqueue(void) { return enosys(); }
int ni_close_from(int lowfd) { (void)lowfd; return enosys(); }
int ni_cloexec_from(int lowfd) { (void)lowfd; return enosys(); }

/* An exec in place: the CRT's _execv starts a new process and exits, so
 * nothing of this one would remain to keep or restore. */
int
ni_exec(const char *file, char *const argv[], char *const envp[],
    const ni_spawn_opts *o)
{
	(void)file;
	(void)argv;
	(void)envp;
	(void)o;
	return enosys();
}
