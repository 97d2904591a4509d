/*
 * inheritable.c - get and set the close-on-exec flag of one descriptor.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

int
ni_get_inheritable(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -1;
	return !(flags & FD_CLOEXEC);
}

/* fcntl form: read, and write only when the flag must change. */
static int
set_by_fcntl(int fd, bool inheritable)
{
	int flags = fcntl(fd, F_GETFD);
	int want;

	if (flags < 0)
		return -1;
	want = inheritable ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC;
	if (want == flags)
		return 0;
	return fcntl(fd, F_SETFD, want) < 0 ? -1 : 0;
}

#if defined(FIOCLEX) && defined(FIONCLEX)
int
ni_set_inheritable(int fd, bool inheritable)
{
	int saved = errno;

	if (probe_get(P_FIOCLEX) != PROBE_NO) {
		if (ioctl(fd, inheritable ? FIONCLEX : FIOCLEX) == 0) {
			if (probe_get(P_FIOCLEX) == PROBE_UNKNOWN)
				probe_set(P_FIOCLEX, PROBE_YES);
			return 0;
		}
		/*
		 * ENOTTY/EACCES: a kernel or sandbox without these ioctls
		 * (and EPERM, ENOSYS from seccomp): remember it.  EBADF: an
		 * O_PATH descriptor refuses every ioctl, yet fcntl works on
		 * it; try fcntl for this fd only.
		 */
		if (errno == ENOTTY || errno == EACCES || errno == EPERM ||
		    errno == ENOSYS || errno == EINVAL)
			probe_set(P_FIOCLEX, PROBE_NO);
		else if (errno != EBADF)
			return -1;
		errno = saved;
	}
	return set_by_fcntl(fd, inheritable);
}
#else
int
ni_set_inheritable(int fd, bool inheritable)
{
	return set_by_fcntl(fd, inheritable);
}
#endif

int
fd_set_cloexec(int fd)
{
	return ni_set_inheritable(fd, false);
}

int
fd_cloexec_or_close(int fd)
{
	if (fd_set_cloexec(fd) == 0)
		return fd;
	close_keep_errno(fd);
	return -1;
}
