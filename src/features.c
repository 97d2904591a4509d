/*
 * features.c - ni_features and ni_version.
 *
 * ni_features settles every probe still unknown by making and closing one
 * harmless object through the same code as a real caller, then reports the
 * mechanisms found to work.
 */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "compat.h"	/* SOCK_NONBLOCK where the headers lack it (macOS) */
#include "spawn.h"

#ifndef NI_VERSION_STRING
#define NI_VERSION_STRING "0.0.0"
#endif

/*
 * Set when a probe object could not be made for want of a descriptor
 * (EMFILE, ENFILE): the probes it would have settled stay unknown, and the
 * next ni_features() tries again (issue 14).
 */
static atomic_bool short_of_fds;

static int
made(int r)
{
	if (r < 0 && (errno == EMFILE || errno == ENFILE))
		atomic_store(&short_of_fds, true);
	return r;
}

static void
close_if(int fd)
{
	if (made(fd) >= 0)
		close_keep_errno(fd);
}

/* One SCM_RIGHTS message through a socket pair, received by ni_recvmsg. */
static void
probe_cmsg(int sv[2], int fd)
{
	char byte = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;
	int got;

	/* The padding after the header is sent too: no uninitialised byte
	 * for valgrind to report in every program that asks (issue 14). */
	memset(cbuf, 0, sizeof cbuf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sv[0], &msg, MSG_DONTWAIT) != 1)
		return;
	msg.msg_controllen = sizeof(cbuf);
	if (ni_recvmsg(sv[1], &msg, MSG_DONTWAIT) != 1)
		return;
	if (msg.msg_flags & MSG_CTRUNC)		/* no room for the fd */
		atomic_store(&short_of_fds, true);
	c = CMSG_FIRSTHDR(&msg);
	if (c != NULL && c->cmsg_type == SCM_RIGHTS) {
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		close_if(got);
	}
}

/* A listening UNIX socket (autobound abstract name), a connect, an accept. */
static void
probe_accept(void)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa_family_t);
	int l, c;

	l = made(ni_socket(AF_UNIX, SOCK_STREAM, 0));
	if (l < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (bind(l, (struct sockaddr *)&sa, len) == 0 && listen(l, 1) == 0) {
		len = sizeof(sa);
		c = made(ni_socket(AF_UNIX, SOCK_STREAM, 0));
		if (c >= 0 && getsockname(l, (struct sockaddr *)&sa, &len) == 0 &&
		    connect(c, (struct sockaddr *)&sa, len) == 0)
			close_if(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK));
		close_if(c);
	}
	close_if(l);
}

static void
probe_all(void)
{
	int p[2], sv[2], fd;
	FILE *f;

	fd = made(ni_open("/dev/null", O_RDONLY));
	if ((f = ni_fopen("/dev/null", "r")) != NULL)
		(void)fclose(f);
	else
		(void)made(-1);
	if (made(ni_pipe(p)) == 0) {
		close_if(ni_dup(p[0]));
		/* Onto fd itself, closed below: nothing is closed twice. */
		if (fd >= 0)
			(void)ni_dup2(p[0], fd, false);
		(void)ni_set_inheritable(p[0], false);
		close_if(p[0]);
		close_if(p[1]);
	}
	close_if(fd);
	if (made(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) == 0) {
		probe_cmsg(sv, sv[0]);
		close_if(sv[0]);
		close_if(sv[1]);
	}
	probe_accept();
	close_if(ni_epoll_create1(0));
	close_if(ni_eventfd(0, 0));
	/* Closes nothing: no descriptor is that high. */
	(void)ni_close_from(INT_MAX);
	(void)ni_cloexec_from(INT_MAX);
	(void)closefds_proc_usable();
	(void)spawn_pidfd_supported();
}

unsigned
ni_features(void)
{
	static atomic_int state;	/* 0 not yet, 1 probing, 2 done */
	unsigned bits = 0;
	int saved = errno, i, expected = 0;

	if (atomic_compare_exchange_strong(&state, &expected, 1)) {
		atomic_store(&short_of_fds, false);
		probe_all();
		/* Not done while a full table kept a probe from running. */
		atomic_store(&state, atomic_load(&short_of_fds) ? 0 : 2);
	}
	while (atomic_load(&state) == 1)
		sched_yield();
	for (i = 0; i < P_COUNT; i++)
		if (probe_get((enum probe_id)i) == PROBE_YES)
			bits |= 1u << i;
	errno = saved;
	return bits;
}

const char *
ni_version(void)
{
	return NI_VERSION_STRING;
}
