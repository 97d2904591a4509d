/*
 * test_inheritable.c - ni_get_inheritable() and ni_set_inheritable() on
 * every kind of descriptor (regular file, directory, O_PATH, pipe, socket,
 * pty, eventfd, memfd, character device), both directions, idempotent, each
 * state checked with raw fcntl() and by a child that really execs
 * (tests/reporter); EBADF for descriptors that are not open.
 *
 * Usage: test_inheritable [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asserts.h"
#include "noinherit.h"

/* fd is inheritable by every account: the library, fcntl, an exec'd child. */
#define assert_inheritable_all(fd) do {                                      \
	assert_int_equal(ni_get_inheritable(fd), 1);                         \
	assert_int_equal(tu_is_cloexec(fd), 0);                              \
	assert_true(tu_child_has_fd(fd));                                    \
} while (0)

/* ... and non-inheritable by every account (asserts.h's
 * assert_noninheritable: fcntl and the child). */
#define assert_noninheritable_all(fd) do {                                   \
	assert_int_equal(ni_get_inheritable(fd), 0);                         \
	assert_noninheritable(fd);                                           \
} while (0)

/*
 * Takes an inheritable fd through both directions, twice each (the second
 * set is a no-op that must still succeed), and checks that no descriptor
 * appears or disappears and that the status flags (F_GETFL) stay as they
 * were: the flag is a descriptor flag, not a file status flag.
 */
static void
cycle(int fd)
{
	int fl = fcntl(fd, F_GETFL), n0 = tu_fd_count();

	assert_true(fl != -1);
	assert_inheritable_all(fd);

	assert_int_equal(ni_set_inheritable(fd, false), 0);
	assert_noninheritable_all(fd);
	assert_int_equal(ni_set_inheritable(fd, false), 0);
	assert_noninheritable_all(fd);
	assert_int_equal(fcntl(fd, F_GETFL), fl);

	assert_int_equal(ni_set_inheritable(fd, true), 0);
	assert_inheritable_all(fd);
	assert_int_equal(ni_set_inheritable(fd, true), 0);
	assert_inheritable_all(fd);
	assert_int_equal(fcntl(fd, F_GETFL), fl);

	assert_int_equal(ni_set_inheritable(fd, false), 0);
	assert_noninheritable_all(fd);
	assert_int_equal(fcntl(fd, F_GETFL), fl);
	assert_int_equal(tu_fd_count(), n0);
}

static void
regular_file(void **state)
{
	int fd;

	(void)state;
	fd = open(tu_regfile, O_RDWR | O_APPEND | O_NONBLOCK);
	assert_true(fd >= 0);
	cycle(fd);
	close(fd);

	/* Starting non-inheritable (set by hand: the fallback runs strip
	 * O_CLOEXEC from open). */
	fd = open(tu_regfile, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	assert_noninheritable_all(fd);
	assert_int_equal(ni_set_inheritable(fd, true), 0);
	assert_inheritable_all(fd);
	close(fd);
}

static void
directory(void **state)
{
	int fd;

	(void)state;
	fd = open(tu_tmpdir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	cycle(fd);
	close(fd);
}

/* ioctl(FIOCLEX) fails with EBADF on O_PATH descriptors; the library must
 * still work there (fcntl accepts them). */
static void
o_path(void **state)
{
	int fd, reg;

	(void)state;
	fd = open(tu_regfile, O_PATH);
	assert_true(fd >= 0);
	cycle(fd);
	close(fd);

	fd = open(tu_tmpdir, O_PATH | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	assert_noninheritable_all(fd);
	assert_int_equal(ni_set_inheritable(fd, true), 0);
	assert_inheritable_all(fd);
	assert_int_equal(ni_set_inheritable(fd, false), 0);
	assert_noninheritable_all(fd);
	close(fd);

	/* And afterwards ordinary descriptors still work, and a closed one
	 * is still EBADF. */
	reg = open(tu_regfile, O_RDONLY);
	assert_true(reg >= 0);
	cycle(reg);
	close(reg);
	assert_fails(ni_set_inheritable(reg, false), EBADF);
	assert_fails(ni_set_inheritable(reg, true), EBADF);
}

static void
pipe_ends(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	cycle(p[0]);
	cycle(p[1]);
	/* One end's flag does not move the other's. */
	assert_int_equal(ni_set_inheritable(p[0], true), 0);
	assert_int_equal(ni_set_inheritable(p[1], false), 0);
	assert_int_equal(ni_get_inheritable(p[0]), 1);
	assert_int_equal(ni_get_inheritable(p[1]), 0);
	close(p[0]);
	close(p[1]);
}

static void
sockets(void **state)
{
	int s, sv[2];

	(void)state;
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	cycle(s);
	close(s);

	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(s >= 0);
	cycle(s);
	close(s);

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cycle(sv[0]);
	cycle(sv[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
pty(void **state)
{
	char name[128];
	int m, s;

	(void)state;
	m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, name, sizeof name), 0);
	s = open(name, O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	cycle(m);
	cycle(s);
	close(s);
	close(m);
}

static void
other_kinds(void **state)
{
	int fd;

	(void)state;
	fd = eventfd(0, EFD_NONBLOCK);
	assert_true(fd >= 0);
	cycle(fd);
	close(fd);

	fd = memfd_create("ni-inheritable", 0);
	assert_true(fd >= 0);
	cycle(fd);
	close(fd);

	fd = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0);
	cycle(fd);
	close(fd);
}

/* The flag belongs to the descriptor, not to the open file description. */
static void
per_descriptor(void **state)
{
	int a, b;

	(void)state;
	a = open(tu_regfile, O_RDONLY);
	assert_true(a >= 0);
	b = dup(a);
	assert_true(b >= 0);
	assert_int_equal(ni_set_inheritable(a, false), 0);
	assert_noninheritable_all(a);
	assert_inheritable_all(b);
	assert_int_equal(ni_set_inheritable(b, false), 0);
	assert_int_equal(ni_set_inheritable(a, true), 0);
	assert_inheritable_all(a);
	assert_noninheritable_all(b);
	close(a);
	close(b);
}

/* get agrees with the raw flag whoever set it. */
static void
get_matches_raw(void **state)
{
	int fd, i;

	(void)state;
	for (i = 0; i <= 2; i++)
		assert_int_equal(ni_get_inheritable(i), !tu_is_cloexec(i));
	fd = open(tu_regfile, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	assert_int_equal(ni_get_inheritable(fd), 0);
	assert_int_equal(fcntl(fd, F_SETFD, 0), 0);
	assert_int_equal(ni_get_inheritable(fd), 1);
	close(fd);
}

/* A descriptor above a lowered soft RLIMIT_NOFILE is still open and
 * still has a flag. */
static void
above_soft_limit(void **state)
{
	struct rlimit rl = tu_orig_nofile;
	int fd;

	(void)state;
	fd = open(tu_regfile, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 500), 500);
	close(fd);
	rl.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(ni_get_inheritable(500), 1);
	assert_int_equal(ni_set_inheritable(500, false), 0);
	assert_int_equal(ni_get_inheritable(500), 0);
	assert_int_equal(tu_is_cloexec(500), 1);
	assert_int_equal(ni_set_inheritable(500, true), 0);
	assert_int_equal(ni_get_inheritable(500), 1);
	assert_int_equal(tu_is_cloexec(500), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &tu_orig_nofile), 0);
	assert_true(tu_child_has_fd(500));
	assert_int_equal(ni_set_inheritable(500, false), 0);
	assert_false(tu_child_has_fd(500));
	close(500);
}

static void
ebadf(void **state)
{
	const int bad[] = { -1, -2, INT_MIN, 1 << 20, INT_MAX,
			    (int)tu_orig_nofile.rlim_max, 0 /* closed, below */ };
	size_t i;
	int closed;

	(void)state;
	closed = dup(0);
	assert_true(closed >= 0);
	close(closed);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int fd = (i == sizeof bad / sizeof bad[0] - 1) ? closed : bad[i];

		print_message("fd %d\n", fd);
		assert_fails(ni_get_inheritable(fd), EBADF);
		assert_fails(ni_set_inheritable(fd, false), EBADF);
		assert_fails(ni_set_inheritable(fd, true), EBADF);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(regular_file),
		tu_unit_test(directory),
		tu_unit_test(o_path),
		tu_unit_test(pipe_ends),
		tu_unit_test(sockets),
		tu_unit_test(pty),
		tu_unit_test(other_kinds),
		tu_unit_test(per_descriptor),
		tu_unit_test(get_matches_raw),
		tu_unit_test(above_soft_limit),
		tu_unit_test(ebadf),
	};

	return tu_run_tests("inheritable", tests, argc, argv);
}
