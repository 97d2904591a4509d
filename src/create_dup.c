/*
 * create_dup.c - dup, dupfd, dup2.
 */
#include <fcntl.h>
#include <unistd.h>

#include "compat.h"
#include "internal.h"

struct dupfd_args {
	int fd;
	int minfd;
};

static int
dupfd_atomic(void *p)
{
	struct dupfd_args *a = p;

	return sys_dupfd_cloexec(a->fd, a->minfd);
}

static int
dupfd_plain(void *p)
{
	struct dupfd_args *a = p;

	return fcntl(a->fd, F_DUPFD, a->minfd);
}

/* F_DUPFD_CLOEXEC: Linux 2.6.24; EINVAL before. */
int
ni_dupfd(int fd, int minfd)
{
	struct dupfd_args a = { fd, minfd };

	return create_fd(P_DUPFD_CLOEXEC, dupfd_atomic, dupfd_plain, &a);
}

int
ni_dup(int fd)
{
	return ni_dupfd(fd, 0);
}

struct dup2_args {
	int fd;
	int fd2;
};

static int
dup3_atomic(void *p)
{
	struct dup2_args *a = p;

	return sys_dup3(a->fd, a->fd2, O_CLOEXEC);
}

static int
dup2_plain(void *p)
{
	struct dup2_args *a = p;

	return dup2(a->fd, a->fd2);
}

/*
 * PEP 446's os.dup2(fd, fd2, inheritable).  dup3 (Linux 2.6.27; ENOSYS
 * before) sets the flag atomically; dup2 leaves fd2 inheritable.
 */
int
ni_dup2(int fd, int fd2, bool inheritable)
{
	struct dup2_args a = { fd, fd2 };

	if (fd2 < 0) {
		errno = EBADF;
		return -1;
	}
	if (fd == fd2) {
		/* dup2 would only check fd; dup3 would refuse with EINVAL. */
		if (ni_set_inheritable(fd, inheritable) != 0)
			return -1;
		return fd2;
	}
	if (inheritable)
		return dup2(fd, fd2);
	return create_fd(P_DUP3, dup3_atomic, dup2_plain, &a);
}
