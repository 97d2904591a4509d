/*
 * hooks_net.c - sockets: socket, socketpair, accept, accept4, and the
 * descriptors that arrive in SCM_RIGHTS messages through recvmsg and
 * recvmmsg (MSG_CMSG_CLOEXEC, Linux 2.6.23).
 */
#include "shim.h"

#include <string.h>
#include <sys/socket.h>

#include "sys.h"

HOOK int
socket(int domain, int type, int protocol)
{
	int m = shim_mode();
	bool asked = (type & SOCK_CLOEXEC) != 0;
	NEXT(socket, -1);

	return shim_made(m, next(domain, m == SHIM_ENFORCE ?
	    type | SOCK_CLOEXEC : type, protocol), "socket",
	    m == SHIM_ENFORCE && !asked, asked);
}

HOOK int
socketpair(int domain, int type, int protocol, int sv[2])
{
	int m = shim_mode(), r;
	bool asked = (type & SOCK_CLOEXEC) != 0;
	NEXT(socketpair, -1);

	r = next(domain, m == SHIM_ENFORCE ? type | SOCK_CLOEXEC : type,
	    protocol, sv);
	if (r == 0)
		shim_made2(m, sv, "socketpair", m == SHIM_ENFORCE && !asked,
		    asked);
	return r;
}

/* accept() becomes accept4(SOCK_CLOEXEC) (Linux 2.6.28; ENOSYS before:
 * then plain accept, the best an old kernel allows). */
HOOK int
accept(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
	int m = shim_mode(), r;

	if (m == SHIM_ENFORCE) {
		int saved = errno;
		NEXT(accept4, -1);

		r = next(fd, addr, len, SOCK_CLOEXEC);
		if (r >= 0 || errno != ENOSYS)
			return shim_made(m, r, "accept", true, false);
		errno = saved;
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

	return shim_made(m, next(fd, addr, len, m == SHIM_ENFORCE ?
	    flags | SOCK_CLOEXEC : flags), "accept4",
	    m == SHIM_ENFORCE && !asked, asked);
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

HOOK ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	int m = shim_mode();
	bool asked = (flags & MSG_CMSG_CLOEXEC) != 0;
	ssize_t r;
	NEXT(recvmsg, -1);

	r = next(fd, msg, m == SHIM_ENFORCE ? flags | MSG_CMSG_CLOEXEC :
	    flags);
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

	r = next(fd, vec, vlen, m == SHIM_ENFORCE ? flags | MSG_CMSG_CLOEXEC :
	    flags, timeout);
	if (r > 0) {
		int saved = errno;

		for (int i = 0; i < r; i++)
			received(m, &vec[i].msg_hdr, "recvmmsg",
			    m == SHIM_ENFORCE && !asked, asked);
		errno = saved;
	}
	return r;
}
