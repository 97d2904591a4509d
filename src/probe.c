/*
 * probe.c - which atomic close-on-exec mechanisms work in this process.
 *
 * Each answer is found by the first call that needs it and cached in one
 * byte, lock-free: later calls read it with a relaxed load and go straight
 * to the path that works.  See create_fd() in internal.h for the shape.
 */
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

_Atomic unsigned char ni__probes[P_COUNT];

void
close_keep_errno(int fd)
{
	int saved = errno;

	/* Linux frees the descriptor even when close() fails with EINTR. */
	(void)close(fd);
	errno = saved;
}

int
create_fallback(create_fn plain, void *arg)
{
	int fd;

	fdlock_shared_enter();
	fd = plain(arg);
	if (fd >= 0)
		fd = fd_cloexec_or_close(fd);
	fdlock_shared_leave();
	return fd;
}

int
create_checked_first(enum probe_id p, int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags >= 0 && (flags & FD_CLOEXEC)) {
		probe_set(p, PROBE_YES);
		return fd;
	}
	/*
	 * The flag was ignored.  This one descriptor was inheritable for a
	 * moment; from now on creation takes the locked fallback.
	 */
	probe_set(p, PROBE_NO);
	fdlock_shared_enter();
	fd = fd_cloexec_or_close(fd);
	fdlock_shared_leave();
	return fd;
}

/* Adds status flags (O_NONBLOCK, O_DIRECT) the plain call could not take. */
int
fd_add_status_flags(int fd, int flags)
{
	int fl;

	if (flags == 0)
		return 0;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | flags) != 0)
		return -1;
	return 0;
}

/*
 * The two-descriptor form of create_fd (pipe2, socketpair).  `setfl` holds
 * the status flags the plain call cannot take, added after it.  fds is
 * written only on success.
 */
int
create_pair(enum probe_id p, create2_fn atomic, create2_fn plain, void *arg,
    int fds[2], int setfl)
{
	int st = probe_get(p);
	int v[2], i;

	/* The kernel would say EFAULT; the local v[] must not hide it. */
	if (fds == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (st != PROBE_NO) {
		if (atomic(arg, v) == 0) {
			if (st == PROBE_UNKNOWN)
				probe_set(p, PROBE_YES);
			goto done;
		}
		if (st == PROBE_YES || !probe_refused(errno))
			return -1;
	}
	fdlock_shared_enter();
	if (plain(arg, v) != 0) {
		fdlock_shared_leave();
		return -1;
	}
	for (i = 0; i < 2; i++) {
		if (fd_set_cloexec(v[i]) != 0 ||
		    fd_add_status_flags(v[i], setfl) != 0) {
			close_keep_errno(v[0]);
			close_keep_errno(v[1]);
			fdlock_shared_leave();
			return -1;
		}
	}
	fdlock_shared_leave();
	if (st == PROBE_UNKNOWN)
		probe_set(p, PROBE_NO);
done:
	fds[0] = v[0];
	fds[1] = v[1];
	return 0;
}
