/*
 * test_create_accept_recvmsg.c - the descriptors that arrive from a peer:
 * ni_accept and ni_accept4 (AF_UNIX and TCP loopback), ni_recvmsg with
 * SCM_RIGHTS (one, many, MSG_PEEK, MSG_CTRUNC).  Every new descriptor is
 * close-on-exec and not received by an exec'd child (tests/reporter), the
 * sender's and the listener's flags are left alone; errors return at once
 * (a blocked call fails the test instead of hanging it), consume no
 * pending connection and leak nothing.
 *
 * Usage: test_create_accept_recvmsg [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "noinherit.h"
#include "test_create.h"

/* ------------------------------------------------------------------ */
/* Errors that must come at once                                       */
/* ------------------------------------------------------------------ */

/*
 * For calls that must fail at once (ENOTSOCK, EBADF, EINVAL on a socket
 * that does not listen): a SIGALRM without SA_RESTART interrupts a call
 * that blocks instead, so the test fails with "blocked" instead of hanging.
 */
static void on_alarm(int sig) { (void)sig; }

static struct timespec guard_t0;
static struct sigaction guard_old;

static void
guard_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &guard_old), 0);
	clock_gettime(CLOCK_MONOTONIC, &guard_t0);
	alarm(2);
}

static double
guard_stop(void)
{
	struct timespec t1;

	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sigaction(SIGALRM, &guard_old, NULL);
	return (double)(t1.tv_sec - guard_t0.tv_sec) +
	       (double)(t1.tv_nsec - guard_t0.tv_nsec) / 1e9;
}

#define assert_fails_at_once(call, e) do {                                   \
	int n0_ = tu_fd_count();                                             \
	guard_start();                                                       \
	errno = 0;                                                           \
	long r_ = (long)(call);                                              \
	int e_ = errno;                                                      \
	double dt_ = guard_stop();                                           \
	if (dt_ > 1.0)                                                       \
		print_message("%s blocked for %.1f s\n", #call, dt_);          \
	assert_true(dt_ <= 1.0);                                             \
	assert_int_equal(r_, -1);                                            \
	assert_errno_is(e_, e);                                              \
	assert_int_equal(tu_fd_count(), n0_);                                \
} while (0)

/* ------------------------------------------------------------------ */
/* accept, accept4                                                     */
/* ------------------------------------------------------------------ */

static void
accept_unix(void **state)
{
	struct sockaddr_un a, peer;
	socklen_t alen, plen;
	int l, c, s, n0;
	char buf[8];

	(void)state;
	l = unix_listener(0, &a, &alen);
	c = unix_connect(&a, alen);
	n0 = tu_fd_count();
	plen = sizeof peer;
	s = ni_accept(l, (struct sockaddr *)&peer, &plen);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	assert_int_equal(plen, sizeof(sa_family_t)); /* unnamed client */
	assert_int_equal(peer.sun_family, AF_UNIX);
	assert_int_equal(write(c, "abc", 3), 3);
	assert_int_equal(read(s, buf, sizeof buf), 3);
	close(s);
	close(c);

	/* An inheritable listener still yields a non-inheritable socket. */
	assert_int_equal(fcntl(l, F_SETFD, 0), 0);
	c = unix_connect(&a, alen);
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	close(s);
	close(c);

	c = unix_connect(&a, alen);
	s = ni_accept4(l, NULL, NULL, 0);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	close(s);
	close(c);

	c = unix_connect(&a, alen);
	s = ni_accept4(l, NULL, NULL, SOCK_NONBLOCK);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	close(s);
	close(c);

	c = unix_connect(&a, alen);
	s = ni_accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	close(s);
	close(c);
	close(l);
}

static void
accept_nonblocking_listener(void **state)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l, c, s;

	(void)state;
	l = unix_listener(SOCK_NONBLOCK, &a, &alen);
	assert_fails(ni_accept(l, NULL, NULL), EAGAIN);
	assert_fails(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK), EAGAIN);
	/* The accepted socket does not take O_NONBLOCK from the listener
	 * (Linux accept(2)), unless asked. */
	c = unix_connect(&a, alen);
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	close(s);
	close(c);
	close(l);
}

static void
accept4_tcp_loopback(void **state)
{
	struct sockaddr_in a, peer, local;
	socklen_t alen = sizeof a, plen = sizeof peer, llen = sizeof local;
	int l, c, s, n0;
	char buf[8];

	(void)state;
	l = ni_socket(AF_INET, SOCK_STREAM, 0);
	assert_noninheritable(l);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)&a, sizeof a) != 0) {
		print_message("no loopback: %s\n", strerror(errno));
		close(l);
		skip();
	}
	assert_int_equal(listen(l, 8), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(c, (struct sockaddr *)&local, &llen), 0);

	n0 = tu_fd_count();
	s = ni_accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	assert_int_equal(plen, sizeof peer);
	assert_int_equal(peer.sin_family, AF_INET);
	assert_int_equal(peer.sin_port, local.sin_port);
	assert_int_equal(write(c, "tcp", 3), 3);
	assert_int_equal(shutdown(c, SHUT_WR), 0);
	{
		/* Nonblocking: poll by retrying until the data is there. */
		ssize_t r;
		int tries = 0;

		while ((r = read(s, buf, sizeof buf)) < 0 && errno == EAGAIN &&
		       tries++ < 1000)
			usleep(1000);
		assert_int_equal(r, 3);
	}
	close(s);
	close(c);

	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	close(s);
	close(c);
	close(l);
}

static void
accept_errors(void **state)
{
	int p[2], unl, closed;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_fails_at_once(ni_accept(p[0], NULL, NULL), ENOTSOCK);
	assert_fails_at_once(ni_accept4(p[0], NULL, NULL, 0), ENOTSOCK);
	closed = p[1];
	close(p[0]);
	close(p[1]);
	assert_fails_at_once(ni_accept(-1, NULL, NULL), EBADF);
	assert_fails_at_once(ni_accept(closed, NULL, NULL), EBADF);
	assert_fails_at_once(ni_accept4(closed, NULL, NULL, SOCK_NONBLOCK), EBADF);

	/* Not listening. */
	unl = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(unl >= 0);
	assert_fails_at_once(ni_accept(unl, NULL, NULL), EINVAL);
	close(unl);
}

/* Unknown accept4 flags: EINVAL, and the pending connection is not
 * consumed; no descriptor slot: EMFILE, and the connection still waits. */
static void
accept_flags_emfile(void **state)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l, c, s;

	(void)state;
	l = unix_listener(SOCK_NONBLOCK, &a, &alen);
	c = unix_connect(&a, alen);
	assert_fails(ni_accept4(l, NULL, NULL, O_APPEND), EINVAL);
	assert_fails(ni_accept4(l, NULL, NULL, 0x40000000), EINVAL);
	assert_fails(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK | 0x1), EINVAL);

	tu_limit_fds(0);
	assert_fails(ni_accept(l, NULL, NULL), EMFILE);
	assert_fails(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK), EMFILE);
	tu_unlimit_fds();
	s = ni_accept(l, NULL, NULL);
	assert_noninheritable(s);
	close(s);
	/* And now nothing waits. */
	assert_fails(ni_accept(l, NULL, NULL), EAGAIN);
	close(c);
	close(l);
}

/* ------------------------------------------------------------------ */
/* recvmsg with SCM_RIGHTS                                             */
/* ------------------------------------------------------------------ */

static void
recvmsg_one_fd(void **state)
{
	int sv[2], p[2], got[MAXPASS], n0, mf;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0); /* inheritable */
	send_fds(sv[0], &p[1], 1);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, &mf), 1);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_int_equal(mf & MSG_CTRUNC, 0);
	assert_noninheritable(got[0]);
	assert_int_equal(tu_fd_ino(got[0]), tu_fd_ino(p[1]));
	assert_accmode(got[0], O_WRONLY);
	/* The sender's copy keeps its flag. */
	assert_int_equal(tu_is_cloexec(p[1]), 0);
	assert_true(tu_child_has_fd(p[1]));
	close(got[0]);

	/* MSG_CMSG_CLOEXEC given explicitly is fine too. */
	send_fds(sv[0], &p[0], 1);
	assert_int_equal(recv_fds(sv[1], MSG_CMSG_CLOEXEC, sizeof(union cmsgbuf),
				  got, NULL), 1);
	assert_noninheritable(got[0]);
	assert_accmode(got[0], O_RDONLY);
	close(got[0]);

	/* No control data: the byte count, no descriptor. */
	send_fds(sv[0], NULL, 0);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 0);
	assert_int_equal(tu_fd_count(), n0);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
recvmsg_many_fds(void **state)
{
	int sv[2], p[2], sent[4], got[MAXPASS], n0, i;
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	sent[0] = p[0];
	sent[1] = p[1];
	sent[2] = open(tu_make_file(path, "recvmsg", "r"), O_RDONLY);
	sent[3] = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(sent[2] >= 0 && sent[3] >= 0);

	send_fds(sv[0], sent, 2);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 2);
	assert_int_equal(tu_fd_count(), n0 + 2);
	for (i = 0; i < 2; i++) {
		assert_noninheritable(got[i]);
		assert_int_equal(tu_fd_ino(got[i]), tu_fd_ino(sent[i]));
		close(got[i]);
	}

	send_fds(sv[0], sent, 4);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 4);
	assert_int_equal(tu_fd_count(), n0 + 4);
	for (i = 0; i < 4; i++) {
		assert_noninheritable(got[i]);
		assert_int_equal(tu_fd_ino(got[i]), tu_fd_ino(sent[i]));
		assert_int_equal(tu_is_cloexec(sent[i]), 0);
		close(got[i]);
	}
	for (i = 0; i < 4; i++)
		close(sent[i]);
	close(sv[0]);
	close(sv[1]);
}

/* Peeking installs descriptors too (Linux): they must be cloexec as well. */
static void
recvmsg_peek(void **state)
{
	int sv[2], p[2], got[MAXPASS], n0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	send_fds(sv[0], p, 2);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], MSG_PEEK, sizeof(union cmsgbuf), got, NULL), 2);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(got[0]);
	assert_noninheritable(got[1]);
	close(got[0]);
	close(got[1]);
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 2);
	assert_noninheritable(got[0]);
	assert_noninheritable(got[1]);
	close(got[0]);
	close(got[1]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* A control buffer too small: the kernel keeps what fits (MSG_CTRUNC). */
static void
recvmsg_ctrunc(void **state)
{
	int sv[2], p[2], sent[MAXPASS], got[MAXPASS], n0, mf, i, fit;
	size_t room = CMSG_SPACE(sizeof(int));

	(void)state;
	fit = (int)((room - CMSG_LEN(0)) / sizeof(int));
	assert_true(fit >= 1 && fit < MAXPASS);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	for (i = 0; i < MAXPASS; i++)
		sent[i] = p[i % 2];
	send_fds(sv[0], sent, fit + 2);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, room, got, &mf), fit);
	assert_true(mf & MSG_CTRUNC);
	assert_int_equal(tu_fd_count(), n0 + fit);
	for (i = 0; i < fit; i++) {
		assert_noninheritable(got[i]);
		close(got[i]);
	}

	/* No descriptor slot free: the data arrives, the fds are dropped. */
	send_fds(sv[0], sent, 2);
	tu_limit_fds(0);
	n0 = tu_fd_count();
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, &mf), 0);
	tu_unlimit_fds();
	assert_true(mf & MSG_CTRUNC);
	assert_int_equal(tu_fd_count(), n0);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
recvmsg_errors(void **state)
{
	int p[2], sv[2], closed;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m;

	(void)state;
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	assert_int_equal(pipe(p), 0);
	assert_fails_at_once(ni_recvmsg(p[0], &m, 0), ENOTSOCK);
	closed = p[0];
	close(p[0]);
	close(p[1]);
	assert_fails_at_once(ni_recvmsg(-1, &m, 0), EBADF);
	assert_fails_at_once(ni_recvmsg(closed, &m, 0), EBADF);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_fails(ni_recvmsg(sv[1], &m, MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/* ------------------------------------------------------------------ */
/* Blocking calls wait, then deliver (in fallback mode: poll, then the */
/* call under the lock)                                                */
/* ------------------------------------------------------------------ */

/* Forks a child that sleeps 100 ms, then runs `act` and exits. */
static pid_t
later(void (*act)(void *), void *arg)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		act(arg);
		_exit(0);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

struct connect_arg {
	struct sockaddr_un a;
	socklen_t alen;
};

static void
connect_and_write(void *p)
{
	struct connect_arg *c = p;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&c->a, c->alen) != 0 ||
	    write(s, "x", 1) != 1)
		_exit(1);
}

static void
accept_blocking_waits(void **state)
{
	struct connect_arg c;
	char ch = 0;
	pid_t pid;
	int l, s;

	(void)state;
	l = unix_listener(0, &c.a, &c.alen);
	assert_lacks_flag(l, O_NONBLOCK);
	pid = later(connect_and_write, &c);
	alarm(10);		/* a hang kills the test instead of CI */
	s = ni_accept(l, NULL, NULL);
	alarm(0);
	assert_noninheritable(s);
	assert_int_equal(read(s, &ch, 1), 1);
	assert_int_equal(ch, 'x');
	reap(pid);
	close(s);
	close(l);
}

static void
send_one_fd(void *p)
{
	send_fds(((int *)p)[0], &((int *)p)[1], 1);
}

static void
recvmsg_blocking_waits(void **state)
{
	int sv[2], p[2], arg[2], got[MAXPASS];
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	arg[0] = sv[0];
	arg[1] = p[0];
	pid = later(send_one_fd, arg);
	alarm(10);
	assert_int_equal(recv_fds(sv[1], 0, sizeof(union cmsgbuf), got, NULL), 1);
	alarm(0);
	assert_noninheritable(got[0]);
	assert_int_equal(tu_fd_ino(got[0]), tu_fd_ino(p[0]));
	reap(pid);
	close(got[0]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * MSG_WAITALL and SO_RCVTIMEO keep their meaning in fallback mode, where
 * the library waits with poll() and receives with MSG_DONTWAIT (issue 14):
 * a short read then, or a wait that never ended.  alarm() kills a hang.
 */
static void
write_efgh(void *p)
{
	if (write(*(int *)p, "efgh", 4) != 4)
		_exit(1);
}

static void
recvmsg_waitall(void **state)
{
	char a[3] = { 0 }, b[5] = { 0 };
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };
	struct msghdr m;
	int sv[2];
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "abcd", 4), 4);
	pid = later(write_efgh, &sv[0]);
	memset(&m, 0, sizeof m);
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	alarm(10);
	assert_int_equal(ni_recvmsg(sv[1], &m, MSG_WAITALL), 8);
	alarm(0);
	assert_memory_equal(a, "abc", 3);
	assert_memory_equal(b, "defgh", 5);
	reap(pid);
	close(sv[0]);
	close(sv[1]);
}

static void
set_rcvtimeo(int s, long usec)
{
	struct timeval tv = { 0, usec };

	assert_int_equal(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
}

static void
recvmsg_rcvtimeo(void **state)
{
	char buf[8];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m;
	int sv[2], n0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	set_rcvtimeo(sv[1], 200 * 1000);
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	n0 = tu_fd_count();
	alarm(10);
	assert_fails(ni_recvmsg(sv[1], &m, 0), EAGAIN);
	/* With MSG_WAITALL, what came before the timeout. */
	assert_int_equal(write(sv[0], "ab", 2), 2);
	assert_int_equal(ni_recvmsg(sv[1], &m, MSG_WAITALL), 2);
	alarm(0);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(tu_fd_count(), n0);
	close(sv[0]);
	close(sv[1]);
}

static void
accept_rcvtimeo(void **state)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l, n0;

	(void)state;
	l = unix_listener(0, &a, &alen);
	set_rcvtimeo(l, 200 * 1000);
	n0 = tu_fd_count();
	alarm(10);
	assert_fails(ni_accept(l, NULL, NULL), EAGAIN);
	assert_fails(ni_accept4(l, NULL, NULL, SOCK_NONBLOCK), EAGAIN);
	alarm(0);
	assert_int_equal(tu_fd_count(), n0);
	close(l);
}

/*
 * A signal whose handler does not ask SA_RESTART ends a blocked accept with
 * EINTR, natively and in fallback mode (where the wait is a poll).
 */
static void
accept_interrupted(void **state)
{
	struct itimerval it = { { 0, 0 }, { 0, 100 * 1000 } };
	struct sockaddr_un a;
	struct sigaction sa, old;
	socklen_t alen;
	int l, n0;

	(void)state;
	l = unix_listener(0, &a, &alen);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	n0 = tu_fd_count();
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_fails(ni_accept(l, NULL, NULL), EINTR);
	assert_int_equal(tu_fd_count(), n0);
	sigaction(SIGALRM, &old, NULL);
	close(l);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(accept_unix),
		tu_unit_test(accept_nonblocking_listener),
		tu_unit_test(accept4_tcp_loopback),
		tu_unit_test(accept_errors),
		tu_unit_test(accept_flags_emfile),
		tu_unit_test(recvmsg_one_fd),
		tu_unit_test(recvmsg_many_fds),
		tu_unit_test(recvmsg_peek),
		tu_unit_test(recvmsg_ctrunc),
		tu_unit_test(recvmsg_errors),
		tu_unit_test(accept_blocking_waits),
		tu_unit_test(recvmsg_blocking_waits),
		tu_unit_test(accept_interrupted),
		tu_unit_test(recvmsg_waitall),
		tu_unit_test(recvmsg_rcvtimeo),
		tu_unit_test(accept_rcvtimeo),
		tu_unit_test(features_match_mode), /* last: see test_create.h */
	};

	return tu_run_tests("create.accept_recvmsg", tests, argc, argv);
}
