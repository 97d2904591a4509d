/*
 * test_create_pipe_socket.c - the creators that make a new channel: ni_pipe,
 * ni_pipe2, ni_socket, ni_socketpair.  Both ends are close-on-exec and not
 * received by an exec'd child (tests/reporter), O_NONBLOCK/O_DIRECT/SOCK_NONBLOCK
 * and the socket type are kept, the channel works; errors (EINVAL,
 * EAFNOSUPPORT, EFAULT, EMFILE with room for one end only) leave no half
 * pair behind and the output array untouched.
 *
 * Usage: test_create_pipe_socket [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "noinherit.h"
#include "test_create.h"

/* ------------------------------------------------------------------ */
/* pipe, pipe2                                                         */
/* ------------------------------------------------------------------ */

static void
check_pipe_works(const int p[2])
{
	char buf[8];

	assert_int_equal(write(p[1], "ping", 4), 4);
	assert_int_equal(read(p[0], buf, sizeof buf), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_accmode(p[0], O_RDONLY);
	assert_accmode(p[1], O_WRONLY);
}

static void
pipe_basic(void **state)
{
	int p[2] = { -7, -8 }, n0;

	(void)state;
	n0 = tu_fd_count();
	assert_int_equal(ni_pipe(p), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_lacks_flag(p[0], O_NONBLOCK);
	assert_lacks_flag(p[1], O_NONBLOCK);
	check_pipe_works(p);
	close(p[0]);
	close(p[1]);
}

static void
pipe_errors(void **state)
{
	int p[2] = { -7, -8 };

	(void)state;
	tu_limit_fds(0);
	assert_fails(ni_pipe(p), EMFILE);
	tu_unlimit_fds();
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);

	/* Room for one end only: no half pipe is left behind. */
	tu_limit_fds(1);
	assert_fails(ni_pipe(p), EMFILE);
	assert_fails(ni_pipe2(p, O_NONBLOCK), EMFILE);
	tu_unlimit_fds();
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);
}

static void
pipe_efault(void **state)
{
	int *bad, *ro, n0 = tu_fd_count();

	(void)state;
	assert_fails(ni_pipe(NULL), EFAULT);
	assert_fails(ni_pipe2(NULL, 0), EFAULT);
	/* Bad non-NULL pointers: EFAULT as the raw call says, not SIGSEGV
	 * (issue 14), and no descriptor left behind. */
	bad = tu_bad_pointer(false);
	ro = tu_bad_pointer(true);
	assert_fails(ni_pipe((int *)bad), EFAULT);
	assert_fails(ni_pipe2((int *)bad, O_NONBLOCK), EFAULT);
	assert_fails(ni_pipe(ro), EFAULT);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, bad), EFAULT);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, ro),
	    EFAULT);
	assert_int_equal(tu_fd_count(), n0);
	tu_free_bad_pointer(bad);
	tu_free_bad_pointer(ro);
}

static void
pipe2_flags(void **state)
{
	int p[2], n0;
	char buf[16];

	(void)state;
	n0 = tu_fd_count();
	assert_int_equal(ni_pipe2(p, 0), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_lacks_flag(p[0], O_NONBLOCK);
	check_pipe_works(p);
	close(p[0]);
	close(p[1]);

	assert_int_equal(ni_pipe2(p, O_NONBLOCK), 0);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_has_flag(p[0], O_NONBLOCK);
	assert_has_flag(p[1], O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(p[0], buf, 1), -1);
	assert_errno_is(errno, EAGAIN);
	check_pipe_works(p);
	close(p[0]);
	close(p[1]);

	assert_int_equal(ni_pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_has_flag(p[1], O_NONBLOCK);
	close(p[0]);
	close(p[1]);

	/* O_DIRECT: packet mode, each write one read (Linux shows the flag
	 * on the write end only). */
	assert_int_equal(ni_pipe2(p, O_DIRECT), 0);
	assert_noninheritable(p[0]);
	assert_noninheritable(p[1]);
	assert_has_flag(p[1], O_DIRECT);
	assert_lacks_flag(p[0], O_NONBLOCK);
	assert_int_equal(write(p[1], "ab", 2), 2);
	assert_int_equal(write(p[1], "cd", 2), 2);
	assert_int_equal(read(p[0], buf, sizeof buf), 2);
	assert_int_equal(read(p[0], buf, sizeof buf), 2);
	close(p[0]);
	close(p[1]);
}

static void
pipe2_errors(void **state)
{
	int p[2] = { -7, -8 };

	(void)state;
	assert_fails(ni_pipe2(p, O_APPEND), EINVAL);
	assert_fails(ni_pipe2(p, O_TRUNC | O_NONBLOCK), EINVAL);
	assert_fails(ni_pipe2(p, O_RDWR), EINVAL);
	assert_fails(ni_pipe2(p, 1 << 30), EINVAL);
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);
	tu_limit_fds(0);
	assert_fails(ni_pipe2(p, 0), EMFILE);
	tu_unlimit_fds();
	assert_int_equal(p[0], -7);
	assert_int_equal(p[1], -8);
}

/* ------------------------------------------------------------------ */
/* socket, socketpair                                                  */
/* ------------------------------------------------------------------ */

static int
so_type(int s)
{
	int t = -1;
	socklen_t len = sizeof t;

	assert_int_equal(getsockopt(s, SOL_SOCKET, SO_TYPE, &t, &len), 0);
	return t;
}

static void
socket_basic(void **state)
{
	int s, n0;

	(void)state;
	n0 = tu_fd_count();
	s = ni_socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_STREAM);
	close(s);

	s = ni_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_STREAM);
	close(s);

	s = ni_socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_noninheritable(s);
	assert_lacks_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_DGRAM);
	close(s);

	s = ni_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_noninheritable(s);
	assert_has_flag(s, O_NONBLOCK);
	assert_int_equal(so_type(s), SOCK_DGRAM);
	close(s);

	s = ni_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	assert_noninheritable(s);
	assert_int_equal(so_type(s), SOCK_STREAM);
	close(s);
}

static void
socket_errors(void **state)
{
	(void)state;
	assert_fails(ni_socket(4242, SOCK_STREAM, 0), EAFNOSUPPORT);
	assert_fails(ni_socket(4242, SOCK_STREAM | SOCK_NONBLOCK, 0), EAFNOSUPPORT);
	assert_fails(ni_socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	/* An unknown flag bit in type. */
	assert_fails(ni_socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_socket(AF_UNIX, SOCK_STREAM, 0), EMFILE);
	assert_fails(ni_socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), EMFILE);
	tu_unlimit_fds();
}

static void
socketpair_basic(void **state)
{
	int sv[2] = { -7, -8 }, n0;
	char buf[8];

	(void)state;
	n0 = tu_fd_count();
	assert_int_equal(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(sv[0]);
	assert_noninheritable(sv[1]);
	assert_lacks_flag(sv[0], O_NONBLOCK);
	assert_int_equal(so_type(sv[0]), SOCK_STREAM);
	assert_int_equal(write(sv[0], "hi", 2), 2);
	assert_int_equal(read(sv[1], buf, sizeof buf), 2);
	assert_int_equal(write(sv[1], "yo", 2), 2);
	assert_int_equal(read(sv[0], buf, sizeof buf), 2);
	close(sv[0]);
	close(sv[1]);

	assert_int_equal(ni_socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_noninheritable(sv[0]);
	assert_noninheritable(sv[1]);
	assert_has_flag(sv[0], O_NONBLOCK);
	assert_has_flag(sv[1], O_NONBLOCK);
	assert_int_equal(so_type(sv[1]), SOCK_DGRAM);
	close(sv[0]);
	close(sv[1]);

	assert_int_equal(ni_socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_noninheritable(sv[0]);
	assert_noninheritable(sv[1]);
	assert_int_equal(so_type(sv[0]), SOCK_SEQPACKET);
	close(sv[0]);
	close(sv[1]);
}

static void
socketpair_errors(void **state)
{
	int sv[2] = { -7, -8 };

	(void)state;
	assert_fails(ni_socketpair(4242, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
	assert_fails(ni_socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv), EINVAL);
	assert_int_equal(sv[0], -7);
	assert_int_equal(sv[1], -8);
	tu_limit_fds(0);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EMFILE);
	tu_unlimit_fds();
	tu_limit_fds(1);
	assert_fails(ni_socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), EMFILE);
	tu_unlimit_fds();
	assert_int_equal(sv[0], -7);
	assert_int_equal(sv[1], -8);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(pipe_basic),
		tu_unit_test(pipe_errors),
		tu_unit_test(pipe_efault),
		tu_unit_test(pipe2_flags),
		tu_unit_test(pipe2_errors),
		tu_unit_test(socket_basic),
		tu_unit_test(socket_errors),
		tu_unit_test(socketpair_basic),
		tu_unit_test(socketpair_errors),
		tu_unit_test(features_match_mode), /* last: see test_create.h */
	};

	return tu_run_tests("create.pipe_socket", tests, argc, argv);
}
