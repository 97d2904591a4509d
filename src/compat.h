/*
 * compat.h - the atomic calls, or ENOSYS/EINVAL where this system's headers
 * lack them at build time (macOS has no pipe2, dup3, accept4 or
 * SOCK_CLOEXEC).  A missing call then takes the same cached fallback as a
 * kernel that refuses it at run time.  HAVE_* come from CMake's checks.
 */
#ifndef NI_COMPAT_H
#define NI_COMPAT_H

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

/*
 * Linux C libraries other than glibc (musl) emulate a refused pipe2, dup3,
 * accept4, SOCK_CLOEXEC or F_DUPFD_CLOEXEC themselves, by creating then
 * setting the flag: the race this library exists to close, outside its
 * lock, and unseen by its probes.  There the atomic attempt is the raw
 * system call, so that a refusal reaches the probe.  (glibc's wrappers are
 * the bare system calls, and stay cancellation points.)
 */
#if defined(__linux__) && !defined(__GLIBC__)
#define NI_RAW_SYSCALLS 1
#endif

#ifndef MSG_CMSG_CLOEXEC
/* Not in these headers (macOS, OpenBSD): ni_recvmsg takes the fallback. */
#define MSG_CMSG_CLOEXEC 0
#define NI_NO_CMSG_CLOEXEC 1
#endif
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK 0
#endif

static inline int
sys_pipe2(int fds[2], int flags)
{
#if defined(NI_RAW_SYSCALLS) && defined(SYS_pipe2)
	return (int)syscall(SYS_pipe2, fds, flags);
#elif defined(HAVE_PIPE2)
	return pipe2(fds, flags);
#else
	(void)fds;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

static inline int
sys_dup3(int fd, int fd2, int flags)
{
#if defined(NI_RAW_SYSCALLS) && defined(SYS_dup3)
	return (int)syscall(SYS_dup3, fd, fd2, flags);
#elif defined(HAVE_DUP3)
	return dup3(fd, fd2, flags);
#else
	(void)fd;
	(void)fd2;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

static inline int
sys_accept4(int s, struct sockaddr *addr, socklen_t *len, int flags)
{
#if defined(NI_RAW_SYSCALLS) && defined(SYS_accept4)
	return (int)syscall(SYS_accept4, s, addr, len, flags);
#elif defined(HAVE_ACCEPT4)
	return accept4(s, addr, len, flags);
#else
	(void)s;
	(void)addr;
	(void)len;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

/* socket()/socketpair() with SOCK_CLOEXEC, or EINVAL as old Linux says. */
static inline int
sys_socket_cloexec(int domain, int type, int protocol)
{
#if defined(NI_RAW_SYSCALLS) && defined(SYS_socket)
	return (int)syscall(SYS_socket, domain, type | SOCK_CLOEXEC, protocol);
#elif defined(SOCK_CLOEXEC)
	return socket(domain, type | SOCK_CLOEXEC, protocol);
#else
	(void)domain;
	(void)type;
	(void)protocol;
	errno = EINVAL;
	return -1;
#endif
}

static inline int
sys_socketpair_cloexec(int domain, int type, int protocol, int sv[2])
{
#if defined(NI_RAW_SYSCALLS) && defined(SYS_socketpair)
	return (int)syscall(SYS_socketpair, domain, type | SOCK_CLOEXEC,
	    protocol, sv);
#elif defined(SOCK_CLOEXEC)
	return socketpair(domain, type | SOCK_CLOEXEC, protocol, sv);
#else
	(void)domain;
	(void)type;
	(void)protocol;
	(void)sv;
	errno = EINVAL;
	return -1;
#endif
}

#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 0
#endif

static inline int
sys_dupfd_cloexec(int fd, int minfd)
{
#if defined(NI_RAW_SYSCALLS) && defined(SYS_fcntl)
	return (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, minfd);
#else
	return fcntl(fd, F_DUPFD_CLOEXEC, minfd);
#endif
}

static inline int
sys_mkostemp(char *tmpl, int flags)
{
#ifdef HAVE_MKOSTEMP
	return mkostemp(tmpl, flags);
#else
	/* Only the plain form is asked for without mkostemp (create_file.c). */
	if (flags != 0) {
		errno = EINVAL;
		return -1;
	}
	return mkstemp(tmpl);
#endif
}

#endif /* NI_COMPAT_H */
