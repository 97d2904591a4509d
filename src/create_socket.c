/*
 * create_socket.c - socket, socketpair, accept, accept4, recvmsg.
 */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "compat.h"
#include "internal.h"

/* SOCK_CLOEXEC/SOCK_NONBLOCK: Linux 2.6.27; EINVAL before. */
struct socket_args {
	int domain;
	int type;
	int protocol;
};

static int
socket_atomic(void *p)
{
	struct socket_args *a = p;

	return sys_socket_cloexec(a->domain, a->type, a->protocol);
}

/*
 * A kernel without SOCK_CLOEXEC knows no SOCK_NONBLOCK either: the plain
 * forms add O_NONBLOCK after, or close what they made.
 */
static int
nonblock_or_close(int fd, int sock_flags)
{
	if (fd < 0 || !(sock_flags & SOCK_NONBLOCK) ||
	    fd_add_status_flags(fd, O_NONBLOCK) == 0)
		return fd;
	close_keep_errno(fd);
	return -1;
}

static int
socket_plain(void *p)
{
	struct socket_args *a = p;

	return nonblock_or_close(socket(a->domain,
	    a->type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK), a->protocol), a->type);
}

ni_socket_t
ni_socket(int domain, int type, int protocol)
{
	struct socket_args a = { domain, type, protocol };

	return create_fd(P_SOCK_CLOEXEC, socket_atomic, socket_plain, &a);
}

static int
socketpair_atomic(void *p, int sv[2])
{
	struct socket_args *a = p;

	return sys_socketpair_cloexec(a->domain, a->type, a->protocol, sv);
}

static int
socketpair_plain(void *p, int sv[2])
{
	struct socket_args *a = p;

	return socketpair(a->domain, a->type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK),
	    a->protocol, sv);
}

int
ni_socketpair(int domain, int type, int protocol, ni_socket_t sv[2])
{
	struct socket_args a = { domain, type, protocol };

	return create_pair(P_SOCK_CLOEXEC, socketpair_atomic, socketpair_plain,
	    &a, sv, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
}

/*
 * The fallbacks below call accept/recvmsg under the shared lock, which a
 * spawn waits for: so they must not sleep in it.  On a blocking descriptor
 * they wait for readiness first, unlocked.  Returns 1 after a wait, 0 if
 * the descriptor does not block, -1 with errno EINTR if a signal cut the
 * wait short (poll is never restarted, so neither is this wait: callers of
 * a blocking accept or recvmsg handle EINTR already).
 */
static int
wait_readable(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int saved = errno;
	int fl = fcntl(fd, F_GETFL);

	errno = saved;
	if (fl < 0 || (fl & O_NONBLOCK))
		return 0;
	if (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		return -1;
	errno = saved;
	return 1;
}

static bool
is_listening(int s)
{
	int on = 0, saved = errno;
	socklen_t len = sizeof(on);
	bool r = getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;

	errno = saved;
	return r;
}

struct accept_args {
	int s;
	struct sockaddr *addr;
	socklen_t *len;
	int flags;
};

static int
accept4_atomic(void *p)
{
	struct accept_args *a = p;

	return sys_accept4(a->s, a->addr, a->len, a->flags | SOCK_CLOEXEC);
}

static int
accept_plain(void *p)
{
	struct accept_args *a = p;

	return nonblock_or_close(accept(a->s, a->addr, a->len), a->flags);
}

/*
 * accept4: Linux 2.6.28; ENOSYS before.  Flags are checked here so that
 * the fallback cannot accept what accept4 would not.
 */
ni_socket_t
ni_accept4(ni_socket_t s, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct accept_args a = { s, addr, len, flags };
	int st, fd;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	fd = create_atomic(P_ACCEPT4, accept4_atomic, &a, &st);
	if (fd != CREATE_REFUSED)
		return fd;
	/*
	 * Not create_fd(): the wait must come before the lock.  Only for a
	 * listening socket: accept() fails at once on anything else.
	 */
	if (is_listening(s) && wait_readable(s) < 0)
		return -1;
	return create_plain(P_ACCEPT4, accept_plain, &a, st);
}

ni_socket_t
ni_accept(ni_socket_t s, struct sockaddr *addr, socklen_t *len)
{
	return ni_accept4(s, addr, len, 0);
}

/*
 * The descriptors SCM_RIGHTS messages carried: with `set`, each gets the
 * flag; without, the walk stops at the first that lacks it and returns 1.
 * Returns 0 when descriptors came (all with the flag), -1 when none did.
 */
static int
cmsg_fds(struct msghdr *msg, bool set)
{
	struct cmsghdr *c;
	size_t i, n;
	int fd, seen = -1;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (set)
				(void)fd_set_cloexec(fd);
			else if (ni_get_inheritable(fd) == 1)
				return 1;
			seen = 0;
		}
	}
	return seen;
}

static ssize_t
recvmsg_fallback(int fd, struct msghdr *msg, int flags)
{
	ssize_t n;

	flags &= ~MSG_CMSG_CLOEXEC;
	for (;;) {
		fdlock_shared_enter();
		n = recvmsg(fd, msg, flags | MSG_DONTWAIT);
		if (n >= 0)
			(void)cmsg_fds(msg, true);
		fdlock_shared_leave();
		if (n >= 0 || (flags & MSG_DONTWAIT) ||
		    (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    wait_readable(fd) <= 0)
			return n;
	}
}

/* MSG_CMSG_CLOEXEC: Linux 2.6.23; ignored, not refused, before. */
ssize_t
ni_recvmsg(int fd, struct msghdr *msg, int flags)
{
	int st = probe_get(P_CMSG_CLOEXEC);
	ssize_t n;

#ifdef NI_NO_CMSG_CLOEXEC
	st = PROBE_NO;	/* no flag to ask with: the fallback, locked, at once */
#endif
	if (st != PROBE_NO) {
		n = recvmsg(fd, msg, flags | MSG_CMSG_CLOEXEC);
		if (n >= 0) {
			if (st == PROBE_UNKNOWN) {
				int r = cmsg_fds(msg, false);

				if (r == 0)
					probe_set(P_CMSG_CLOEXEC, PROBE_YES);
				else if (r == 1) {
					probe_set(P_CMSG_CLOEXEC, PROBE_NO);
					(void)cmsg_fds(msg, true);
				}
			}
			return n;
		}
		if (st == PROBE_YES || !probe_refused(errno))
			return -1;
	}
	n = recvmsg_fallback(fd, msg, flags);
	if (n >= 0 && st == PROBE_UNKNOWN)
		probe_set(P_CMSG_CLOEXEC, PROBE_NO);
	return n;
}
