/*
 * create_socket.c - socket, socketpair, accept, accept4, recvmsg.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
	    &a, sv, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0, false);
}

/*
 * The fallbacks below call accept/recvmsg under the shared lock, which a
 * spawn waits for: so they must not sleep in it.  On a blocking descriptor
 * they wait for readiness first, unlocked, for at most the socket's
 * SO_RCVTIMEO, which the kernel would otherwise have applied (issue 14).
 */
struct rcv_wait {
	bool timed;		/* SO_RCVTIMEO set */
	struct timespec end;	/* then: when it runs out (CLOCK_MONOTONIC) */
};

/* Starts the clock of fd's SO_RCVTIMEO, if it has one. */
static void
rcv_wait_start(int fd, struct rcv_wait *w)
{
	struct timeval tv = { 0, 0 };
	socklen_t len = sizeof tv;
	int saved = errno;

	w->timed = getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 &&
	    (tv.tv_sec > 0 || tv.tv_usec > 0) &&
	    clock_gettime(CLOCK_MONOTONIC, &w->end) == 0;
	if (w->timed) {
		w->end.tv_sec += tv.tv_sec;
		w->end.tv_nsec += tv.tv_usec * 1000L;
		if (w->end.tv_nsec >= 1000000000L) {
			w->end.tv_sec++;
			w->end.tv_nsec -= 1000000000L;
		}
	}
	errno = saved;
}

/* Milliseconds left (rounded up, at most INT_MAX), 0 when out; -1 untimed. */
static int
rcv_wait_left(const struct rcv_wait *w)
{
	struct timespec now;
	long long ms;

	if (!w->timed || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return -1;
	ms = ((long long)w->end.tv_sec - now.tv_sec) * 1000 +
	    (w->end.tv_nsec - now.tv_nsec + 999999) / 1000000;
	if (ms <= 0)
		return 0;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Returns 1 after a wait, 0 if the descriptor does not block, -1 with
 * errno EINTR if a signal cut the wait short (poll is never restarted, so
 * neither is this wait: callers of a blocking accept or recvmsg handle
 * EINTR already), or EAGAIN when SO_RCVTIMEO ran out, as the kernel says.
 */
static int
wait_readable(int fd, const struct rcv_wait *w)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int saved = errno, left, r;
	int fl = fcntl(fd, F_GETFL);

	errno = saved;
	if (fl < 0 || (fl & O_NONBLOCK))
		return 0;
	left = rcv_wait_left(w);
	if (left == 0) {
		errno = EAGAIN;
		return -1;
	}
	r = poll(&pfd, 1, left);
	if (r < 0 && errno == EINTR)
		return -1;
	if (r == 0) {
		errno = EAGAIN;
		return -1;
	}
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
	if (is_listening(s)) {
		struct rcv_wait w;

		rcv_wait_start(s, &w);
		if (wait_readable(s, &w) < 0)
			return -1;
	}
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

/* One non-blocking receive under the shared lock; its fds get the flag. */
static ssize_t
recv_locked(int fd, struct msghdr *m, int flags)
{
	ssize_t n;

	fdlock_shared_enter();
	n = recvmsg(fd, m, flags | MSG_DONTWAIT);
	if (n >= 0)
		(void)cmsg_fds(m, true);
	fdlock_shared_leave();
	return n;
}

/* MSG_WAITALL means something only on a stream socket (recv(2)). */
static bool
waits_for_all(int fd, int flags)
{
	int type = 0, saved = errno;
	socklen_t len = sizeof type;
	bool r = (flags & MSG_WAITALL) && !(flags & MSG_PEEK) &&
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_STREAM;

	errno = saved;
	return r;
}

/*
 * The receive after the first `got` bytes: the rest of the caller's iovec
 * array (its first entry cut short in *cut) and its control buffer whole,
 * no address (the first receive gave it).
 */
static void
rest_of(const struct msghdr *msg, size_t clen, size_t got, struct msghdr *m,
    struct iovec *cut)
{
	size_t k = 0;

	while (k < (size_t)msg->msg_iovlen && got >= msg->msg_iov[k].iov_len)
		got -= msg->msg_iov[k++].iov_len;
	memset(m, 0, sizeof *m);
	m->msg_control = msg->msg_control;
	m->msg_controllen = clen;
	if (k == (size_t)msg->msg_iovlen)
		return;
	if (got > 0) {
		cut->iov_base = (char *)msg->msg_iov[k].iov_base + got;
		cut->iov_len = msg->msg_iov[k].iov_len - got;
		m->msg_iov = cut;
		m->msg_iovlen = 1;
	} else {
		m->msg_iov = msg->msg_iov + k;
		m->msg_iovlen = msg->msg_iovlen - k;
	}
}

static size_t
iov_total(const struct msghdr *msg)
{
	size_t i, t = 0;

	for (i = 0; i < (size_t)msg->msg_iovlen; i++)
		t += msg->msg_iov[i].iov_len;
	return t;
}

/*
 * recvmsg without MSG_CMSG_CLOEXEC: each receive non-blocking under the
 * lock, the waits between them unlocked and bounded by SO_RCVTIMEO.  With
 * MSG_WAITALL on a stream socket the receives go on until the buffer is
 * full, as the kernel's would; like the kernel's, they stop after control
 * data (descriptors end a MSG_WAITALL read on Linux), at end of file, at a
 * timeout or a signal, returning what came.
 */
static ssize_t
recvmsg_fallback(int fd, struct msghdr *msg, int flags)
{
	size_t clen = msg->msg_controllen, total, got = 0;
	struct rcv_wait w;
	struct msghdr m;
	struct iovec cut;
	bool all;
	ssize_t n;

	flags &= ~MSG_CMSG_CLOEXEC;
	if (flags & MSG_DONTWAIT)
		return recv_locked(fd, msg, flags);
	all = waits_for_all(fd, flags);
	total = all ? iov_total(msg) : 0;
	rcv_wait_start(fd, &w);
	for (;;) {
		if (got == 0) {
			n = recv_locked(fd, msg, flags);
		} else {
			rest_of(msg, clen, got, &m, &cut);
			n = recv_locked(fd, &m, flags);
			if (n >= 0) {
				msg->msg_controllen = m.msg_controllen;
				msg->msg_flags = m.msg_flags;
			}
		}
		if (n > 0) {
			got += (size_t)n;
			if (!all || got >= total || msg->msg_controllen > 0)
				return (ssize_t)got;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return got > 0 ? (ssize_t)got : n;
		if (wait_readable(fd, &w) <= 0)
			return got > 0 ? (ssize_t)got : -1;
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
