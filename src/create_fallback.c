/*
 * create_fallback.c - the create-then-set engine every creator shares
 * (create_fd and its halves in internal.h call into it): the plain call
 * and the flag under the shared side of the either-or lock, the check of a
 * first success where a flag may be silently ignored, and the
 * two-descriptor form for pipes and socket pairs.
 */
#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

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
 * Hands the new pair to the caller's fds through the kernel, which answers
 * a bad pointer with EFAULT where a store of ours would die of SIGSEGV:
 * the two numbers go in at one end of the new channel (a pipe or a socket
 * pair, both carry 8 bytes either way) and are read out at the other
 * straight into fds.  The channel is empty again after.
 */
static int
deliver_pair(const int v[2], int fds[2])
{
	ssize_t n;

	if (write(v[1], v, 2 * sizeof(int)) != (ssize_t)(2 * sizeof(int)))
		return -1;
	n = read(v[0], fds, 2 * sizeof(int));
	if (n == (ssize_t)(2 * sizeof(int)))
		return 0;
	if (n >= 0)
		errno = EIO;	/* cannot happen: one small write, one read */
	return -1;
}

static int
deliver_or_close(const int v[2], int fds[2])
{
	if (deliver_pair(v, fds) == 0)
		return 0;
	close_keep_errno(v[0]);
	close_keep_errno(v[1]);
	return -1;
}

/*
 * The two-descriptor form of create_fd (pipe2, socketpair).  `setfl` holds
 * the status flags the plain call cannot take, added after it.  fds is
 * written only on success.  A bad fds fails with EFAULT as the raw call
 * does (issue 14): with `direct` (pipe2, which writes only on success) the
 * atomic call writes it itself; otherwise (socketpair writes it before it
 * can still fail) and in the fallback the pair is handed over through the
 * kernel (deliver_pair).
 */
int
create_pair(enum probe_id p, create2_fn atomic, create2_fn plain, void *arg,
    int fds[2], int setfl, bool direct)
{
	int st = probe_get(p);
	int v[2], i;

	if (fds == NULL) {
		errno = EFAULT;
		return -1;
	}
	if (st != PROBE_NO) {
		if (atomic(arg, direct ? fds : v) == 0) {
			if (st == PROBE_UNKNOWN)
				probe_set(p, PROBE_YES);
			return direct ? 0 : deliver_or_close(v, fds);
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
	return deliver_or_close(v, fds);
}
