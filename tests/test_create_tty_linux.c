/*
 * test_create_tty_linux.c - ptys (ni_openpty, ni_posix_openpt) and the
 * Linux descriptors (ni_epoll_create1, ni_eventfd, ni_timerfd_create,
 * ni_signalfd, ni_inotify_init1, ni_memfd_create), and ni_kqueue's ENOSYS
 * here.  Each new descriptor is close-on-exec and not received by an
 * exec'd child (tests/reporter), its flags and semantics are kept; ni_signalfd on
 * an existing signalfd changes only its mask; errors leak nothing.
 *
 * Usage: test_create_tty_linux [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "noinherit.h"
#include "test_create.h"

/* ------------------------------------------------------------------ */
/* ptys                                                                */
/* ------------------------------------------------------------------ */

static void
openpty_basic(void **state)
{
	int m = -7, s = -8, n0;
	char name[128], pname[128];
	struct stat st1, st2;

	(void)state;
	memset(name, 0, sizeof name);
	n0 = tu_fd_count();
	assert_int_equal(ni_openpty(&m, &s, name, NULL, NULL), 0);
	assert_int_equal(tu_fd_count(), n0 + 2);
	assert_noninheritable(m);
	assert_noninheritable(s);
	assert_accmode(m, O_RDWR);
	assert_accmode(s, O_RDWR);
	assert_true(isatty(s));
	assert_int_equal(strncmp(name, "/dev/pts/", 9), 0);
	assert_int_equal(ptsname_r(m, pname, sizeof pname), 0);
	assert_string_equal(name, pname);
	assert_int_equal(stat(name, &st1), 0);
	assert_int_equal(fstat(s, &st2), 0);
	assert_int_equal(st1.st_rdev, st2.st_rdev);
	/* Master and slave are connected. */
	{
		struct termios t;
		char buf[8];

		assert_int_equal(tcgetattr(s, &t), 0);
		cfmakeraw(&t);
		assert_int_equal(tcsetattr(s, TCSANOW, &t), 0);
		assert_int_equal(write(m, "pty", 3), 3);
		assert_int_equal(read(s, buf, sizeof buf), 3);
	}
	close(m);
	close(s);

	/* name may be NULL. */
	assert_int_equal(ni_openpty(&m, &s, NULL, NULL, NULL), 0);
	assert_noninheritable(m);
	assert_noninheritable(s);
	close(m);
	close(s);
}

static void
openpty_termios_winsize(void **state)
{
	struct termios t, got;
	struct winsize w = { .ws_row = 33, .ws_col = 77 }, gw;
	int m, s;

	(void)state;
	/* A default termios with ECHO off. */
	assert_int_equal(ni_openpty(&m, &s, NULL, NULL, NULL), 0);
	assert_int_equal(tcgetattr(s, &t), 0);
	close(m);
	close(s);
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);

	assert_int_equal(ni_openpty(&m, &s, NULL, &t, &w), 0);
	assert_noninheritable(m);
	assert_noninheritable(s);
	assert_int_equal(tcgetattr(s, &got), 0);
	assert_int_equal(got.c_lflag & (ECHO | ICANON), 0);
	assert_int_equal(ioctl(s, TIOCGWINSZ, &gw), 0);
	assert_int_equal(gw.ws_row, 33);
	assert_int_equal(gw.ws_col, 77);
	close(m);
	close(s);
}

static void
openpty_errors(void **state)
{
	int m = -7, s = -8;
	char name[128] = "untouched";

	(void)state;
	tu_limit_fds(0);
	assert_fails(ni_openpty(&m, &s, name, NULL, NULL), EMFILE);
	tu_unlimit_fds();
	/* Room for the master only: it must not be left open. */
	tu_limit_fds(1);
	assert_fails(ni_openpty(&m, &s, name, NULL, NULL), EMFILE);
	tu_unlimit_fds();
	assert_int_equal(m, -7);
	assert_int_equal(s, -8);
	assert_string_equal(name, "untouched");
}

static void
posix_openpt_basic(void **state)
{
	int m, n0, s;
	char name[128];

	(void)state;
	n0 = tu_fd_count();
	m = ni_posix_openpt(O_RDWR | O_NOCTTY);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(m);
	assert_accmode(m, O_RDWR);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, name, sizeof name), 0);
	s = open(name, O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	assert_true(isatty(s));
	close(s);
	close(m);

	m = ni_posix_openpt(O_RDWR);
	assert_noninheritable(m);
	close(m);
}

static void
posix_openpt_errors(void **state)
{
	(void)state;
	assert_fails(ni_posix_openpt(O_RDWR | O_APPEND), EINVAL);
	assert_fails(ni_posix_openpt(O_RDWR | O_CREAT), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_posix_openpt(O_RDWR | O_NOCTTY), EMFILE);
	tu_unlimit_fds();
}

/* ------------------------------------------------------------------ */
/* Linux descriptors                                                   */
/* ------------------------------------------------------------------ */

static void
epoll_create1_basic(void **state)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep, p[2], n0;

	(void)state;
	n0 = tu_fd_count();
	ep = ni_epoll_create1(0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(ep);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	assert_int_equal(write(p[1], "e", 1), 1);
	assert_int_equal(epoll_wait(ep, &out, 1, 1000), 1);
	close(p[0]);
	close(p[1]);
	close(ep);

	ep = ni_epoll_create1(EPOLL_CLOEXEC);
	assert_noninheritable(ep);
	close(ep);

	assert_fails(ni_epoll_create1(1), EINVAL);
	assert_fails(ni_epoll_create1(O_NONBLOCK), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_epoll_create1(0), EMFILE);
	tu_unlimit_fds();
}

static void
eventfd_basic(void **state)
{
	uint64_t v;
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_eventfd(5, 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	assert_int_equal(read(fd, &v, sizeof v), sizeof v);
	assert_int_equal(v, 5);
	close(fd);

	fd = ni_eventfd(0, EFD_NONBLOCK);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(fd, &v, sizeof v), -1);
	assert_errno_is(errno, EAGAIN);
	close(fd);

	fd = ni_eventfd(3, EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	assert_int_equal(read(fd, &v, sizeof v), sizeof v);
	assert_int_equal(v, 1); /* semaphore semantics */
	close(fd);

	assert_fails(ni_eventfd(0, 16), EINVAL);
	assert_fails(ni_eventfd(0, EFD_NONBLOCK | 0x10000000), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_eventfd(0, 0), EMFILE);
	tu_unlimit_fds();
}

static void
timerfd_basic(void **state)
{
	struct itimerspec its;
	uint64_t v;
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_timerfd_create(CLOCK_MONOTONIC, 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	assert_int_equal(timerfd_gettime(fd, &its), 0);
	close(fd);

	fd = ni_timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(fd, &v, sizeof v), -1);
	assert_errno_is(errno, EAGAIN);
	close(fd);

	assert_fails(ni_timerfd_create(4242, 0), EINVAL);
	assert_fails(ni_timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_timerfd_create(CLOCK_MONOTONIC, 0), EMFILE);
	tu_unlimit_fds();
}

static void
signalfd_new(void **state)
{
	sigset_t mask, old;
	struct signalfd_siginfo si;
	int fd, n0;

	(void)state;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &mask, &old), 0);

	n0 = tu_fd_count();
	fd = ni_signalfd(-1, &mask, SFD_NONBLOCK);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(read(fd, &si, sizeof si), sizeof si);
	assert_int_equal(si.ssi_signo, SIGUSR1);
	close(fd);

	fd = ni_signalfd(-1, &mask, 0);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	close(fd);
	fd = ni_signalfd(-1, &mask, SFD_CLOEXEC);
	assert_noninheritable(fd);
	close(fd);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

/* An existing signalfd: only the mask changes, not its flag, no new fd. */
static void
signalfd_update(void **state)
{
	sigset_t m1, m2, both, old;
	struct signalfd_siginfo si;
	int raw, fd, n0;

	(void)state;
	sigemptyset(&m1);
	sigaddset(&m1, SIGUSR1);
	sigemptyset(&m2);
	sigaddset(&m2, SIGUSR2);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	assert_int_equal(sigprocmask(SIG_BLOCK, &both, &old), 0);

	raw = signalfd(-1, &m1, SFD_NONBLOCK); /* inheritable */
	assert_true(raw >= 0);
	assert_int_equal(tu_is_cloexec(raw), 0);
	n0 = tu_fd_count();
	assert_int_equal(ni_signalfd(raw, &m2, SFD_NONBLOCK), raw);
	assert_int_equal(tu_fd_count(), n0);
	assert_int_equal(tu_is_cloexec(raw), 0); /* flag left alone */
	assert_true(tu_child_has_fd(raw));
	/* The mask is now SIGUSR2 only. */
	assert_int_equal(raise(SIGUSR1), 0);
	errno = 0;
	assert_int_equal(read(raw, &si, sizeof si), -1);
	assert_errno_is(errno, EAGAIN);
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(read(raw, &si, sizeof si), sizeof si);
	assert_int_equal(si.ssi_signo, SIGUSR2);
	close(raw);

	/* A non-inheritable one stays non-inheritable. */
	fd = ni_signalfd(-1, &m2, SFD_NONBLOCK);
	assert_noninheritable(fd);
	n0 = tu_fd_count();
	assert_int_equal(ni_signalfd(fd, &m1, 0), fd);
	assert_int_equal(tu_fd_count(), n0);
	assert_noninheritable(fd);
	/* The pending SIGUSR1 is now readable through it. */
	assert_int_equal(read(fd, &si, sizeof si), sizeof si);
	assert_int_equal(si.ssi_signo, SIGUSR1);
	close(fd);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void
signalfd_errors(void **state)
{
	sigset_t mask;
	int p[2], closed;

	(void)state;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	assert_int_equal(pipe(p), 0);
	assert_fails(ni_signalfd(p[0], &mask, 0), EINVAL); /* not a signalfd */
	closed = p[0];
	close(p[0]);
	close(p[1]);
	assert_fails(ni_signalfd(closed, &mask, 0), EBADF);
	assert_fails(ni_signalfd(-1, &mask, 1), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_signalfd(-1, &mask, 0), EMFILE);
	tu_unlimit_fds();
}

static void
inotify_init1_basic(void **state)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX];
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_inotify_init1(0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_lacks_flag(fd, O_NONBLOCK);
	close(fd);

	fd = ni_inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_noninheritable(fd);
	assert_has_flag(fd, O_NONBLOCK);
	errno = 0;
	assert_int_equal(read(fd, buf, sizeof buf), -1);
	assert_errno_is(errno, EAGAIN);
	assert_true(inotify_add_watch(fd, tu_tmpdir, IN_CREATE) >= 0);
	tu_make_file(path, "inotify", "i");
	assert_true(read(fd, buf, sizeof buf) > 0);
	close(fd);

	assert_fails(ni_inotify_init1(1), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_inotify_init1(0), EMFILE);
	tu_unlimit_fds();
}

static void
memfd_create_basic(void **state)
{
	char name[300], buf[8];
	int fd, n0;

	(void)state;
	n0 = tu_fd_count();
	fd = ni_memfd_create("ni-test", 0);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(fd);
	assert_accmode(fd, O_RDWR);
	assert_int_equal(write(fd, "memfd", 5), 5);
	assert_int_equal(pread(fd, buf, sizeof buf, 0), 5);
	/* No MFD_ALLOW_SEALING: sealed against sealing. */
	assert_int_equal(fcntl(fd, F_GET_SEALS) & F_SEAL_SEAL, F_SEAL_SEAL);
	close(fd);

	fd = ni_memfd_create("ni-test-seal", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	assert_noninheritable(fd);
	assert_int_equal(fcntl(fd, F_GET_SEALS) & F_SEAL_SEAL, 0);
	close(fd);

	assert_fails(ni_memfd_create("ni-test", 0x1000), EINVAL);
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	assert_fails(ni_memfd_create(name, 0), EINVAL);
	tu_limit_fds(0);
	assert_fails(ni_memfd_create("ni-test", 0), EMFILE);
	tu_unlimit_fds();
}

static void
kqueue_enosys(void **state)
{
	(void)state;
	assert_fails(ni_kqueue(), ENOSYS);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(openpty_basic),
		tu_unit_test(openpty_termios_winsize),
		tu_unit_test(openpty_errors),
		tu_unit_test(posix_openpt_basic),
		tu_unit_test(posix_openpt_errors),
		tu_unit_test(epoll_create1_basic),
		tu_unit_test(eventfd_basic),
		tu_unit_test(timerfd_basic),
		tu_unit_test(signalfd_new),
		tu_unit_test(signalfd_update),
		tu_unit_test(signalfd_errors),
		tu_unit_test(inotify_init1_basic),
		tu_unit_test(memfd_create_basic),
		tu_unit_test(kqueue_enosys),
		tu_unit_test(features_match_mode), /* last: see test_create.h */
	};

	return tu_run_tests("create.tty_linux", tests, argc, argv);
}
