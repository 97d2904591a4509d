/*
 * hooks_net.c - sockets: socket, socketpair, accept, accept4, and the
 * descriptors that arrive in SCM_RIGHTS messages through recvmsg and
 * recvmmsg (MSG_CMSG_CLOEXEC, Linux 2.6.23).
 */
#include "shim.h"

#include <string.h>
#include <sys/socket.h>

#include "sys.h"

/*
 * Where the flag is refused (EINVAL before Linux 2.6.27, EPERM or ENOSYS
 * from a seccomp profile), the program's own call and then the flag
 * (fallback.c).
 */
HOOK int
socket(int domain, int type, int protocol)
{
	int m = shim_mode();
	bool asked = (type & SOCK_CLOEXEC) != 0;
	bool ours = m == SHIM_ENFORCE && !asked;
	NEXT(socket, -1);

	if (ours)
		return shim_made(m, SHIM_CREATE(SHIM_P_SOCKET,
		    next(domain, type | SOCK_CLOEXEC, protocol),
		    next(domain, type, protocol)), "socket", true, false);
	return shim_made(m, next(domain, type, protocol), "socket", false,
	    asked);
}

HOOK int
socketpair(int domain, int type, int protocol, int sv[2])
{
	int m = shim_mode(), r;
	bool asked = (type & SOCK_CLOEXEC) != 0;
	NEXT(socketpair, -1);

	if (m == SHIM_ENFORCE && !asked) {
		int saved = errno;
		bool fb = true;

		r = -1;
		if (shim_probe_try(SHIM_P_SOCKETPAIR)) {
			r = next(domain, type | SOCK_CLOEXEC, protocol, sv);
			fb = shim_probe_fallback(SHIM_P_SOCKETPAIR, r);
		}
		if (fb) {
			errno = saved;
			shim_fdlock_shared_enter();
			r = next(domain, type, protocol, sv);
			if (r == 0) {
				shim_set_cloexec(sv[0]);
				shim_set_cloexec(sv[1]);
				shim_probe_refused(SHIM_P_SOCKETPAIR);
			}
			shim_fdlock_shared_leave();
		}
	} else {
		r = next(domain, type, protocol, sv);
	}
	if (r == 0)
		shim_made2(m, sv, "socketpair", m == SHIM_ENFORCE && !asked,
		    asked);
	return r;
}

/*
 * accept() becomes accept4(SOCK_CLOEXEC) (Linux 2.6.28; ENOSYS before):
 * refused, plain accept and the flag.  accept's own EINVAL (not
 * listening) comes back from the plain call too; its EPERM (a firewall
 * rule) is taken for a refusal only until accept4 has once worked, as for
 * every probe.
 */
HOOK int
accept(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
	int m = shim_mode();

	if (m == SHIM_ENFORCE) {
		int (*a4)(int, __SOCKADDR_ARG, socklen_t *, int) =
		    (int (*)(int, __SOCKADDR_ARG, socklen_t *, int))
		    shim_real_fn(R_accept4);
		NEXT(accept, -1);

		return shim_made(m, SHIM_CREATE(SHIM_P_ACCEPT4, a4 != NULL ?
		    a4(fd, addr, len, SOCK_CLOEXEC) : (errno = ENOSYS, -1),
		    next(fd, addr, len)), "accept", true, false);
	}
	NEXT(accept, -1);
	return shim_made(m, next(fd, addr, len), "accept", false, false);
}

HOOK int
accept4(int fd, __SOCKADDR_ARG addr, socklen_t *len, int flags)
{
	int m = shim_mode();
	bool asked = (flags & SOCK_CLOEXEC) != 0;
	NEXT(accept4, -1);

	if (m == SHIM_ENFORCE && !asked)
		return shim_made(m, SHIM_CREATE(SHIM_P_ACCEPT4,
		    next(fd, addr, len, flags | SOCK_CLOEXEC),
		    next(fd, addr, len, flags)), "accept4", true, false);
	return shim_made(m, next(fd, addr, len, flags), "accept4", false,
	    asked);
}

/* The descriptors an SCM_RIGHTS message brought. */
SHIM_INLINE void
received(int m, const struct msghdr *msg, const char *made_by, bool ours,
    bool asked)
{
	struct cmsghdr *c;

	if (m == SHIM_OFF || msg == NULL || msg->msg_control == NULL ||
	    msg->msg_controllen < sizeof(struct cmsghdr))
		return;
	for (c = CMSG_FIRSTHDR(msg); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		int fds[64];
		size_t n, done = 0;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		while (done < n) {
			size_t k = n - done < 64 ? n - done : 64;

			memcpy(fds, CMSG_DATA(c) + done * sizeof(int),
			    k * sizeof(int));
			if (m == SHIM_TRACE)
				shim_record(fds, (int)k, made_by, asked,
				    SHIM_HOOK_FRAME());
			else
				for (size_t i = 0; i < k; i++)
					shim_made(m, fds[i], made_by, ours,
					    asked);
			done += k;
		}
	}
}

/* The received descriptors, flagged after a plain receive. */
SHIM_INLINE void
received_cloexec(const struct msghdr *msg)
{
	struct cmsghdr *c;

	if (msg == NULL || msg->msg_control == NULL ||
	    msg->msg_controllen < sizeof(struct cmsghdr))
		return;
	for (c = CMSG_FIRSTHDR(msg); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			shim_set_cloexec(fd);
		}
	}
}

/*
 * MSG_CMSG_CLOEXEC refused: a refusal consumed nothing (seccomp answers
 * before the call; an old kernel's EINVAL is about the flags), so the
 * plain receive gets the same message, and its descriptors the flag.
 */
HOOK ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	int m = shim_mode();
	bool asked = (flags & MSG_CMSG_CLOEXEC) != 0;
	ssize_t r = -1;
	NEXT(recvmsg, -1);

	if (m == SHIM_ENFORCE && !asked) {
		int saved = errno;
		bool fb = true;

		if (shim_probe_try(SHIM_P_RECVMSG)) {
			r = next(fd, msg, flags | MSG_CMSG_CLOEXEC);
			fb = shim_probe_fallback(SHIM_P_RECVMSG, r < 0 ? -1 : 0);
		}
		if (fb) {
			errno = saved;
			shim_fdlock_shared_enter();
			r = next(fd, msg, flags);
			if (r >= 0) {
				received_cloexec(msg);
				shim_probe_refused(SHIM_P_RECVMSG);
			}
			shim_fdlock_shared_leave();
		}
	} else {
		r = next(fd, msg, flags);
	}
	if (r >= 0) {
		int saved = errno;

		received(m, msg, "recvmsg", m == SHIM_ENFORCE && !asked, asked);
		errno = saved;
	}
	return r;
}

HOOK int
recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
    struct timespec *timeout)
{
	int m = shim_mode(), r;
	bool asked = (flags & MSG_CMSG_CLOEXEC) != 0;
	NEXT(recvmmsg, -1);

	if (m == SHIM_ENFORCE && !asked) {
		int saved = errno;
		bool fb = true;

		r = -1;
		if (shim_probe_try(SHIM_P_RECVMSG)) {
			r = next(fd, vec, vlen, flags | MSG_CMSG_CLOEXEC,
			    timeout);
			fb = shim_probe_fallback(SHIM_P_RECVMSG, r < 0 ? -1 : 0);
		}
		if (fb) {
			errno = saved;
			shim_fdlock_shared_enter();
			r = next(fd, vec, vlen, flags, timeout);
			for (int i = 0; i < r; i++)
				received_cloexec(&vec[i].msg_hdr);
			if (r >= 0)
				shim_probe_refused(SHIM_P_RECVMSG);
			shim_fdlock_shared_leave();
		}
	} else {
		r = next(fd, vec, vlen, flags, timeout);
	}
	if (r > 0) {
		int saved = errno;

		for (int i = 0; i < r; i++)
			received(m, &vec[i].msg_hdr, "recvmmsg",
			    m == SHIM_ENFORCE && !asked, asked);
		errno = saved;
	}
	return r;
}
