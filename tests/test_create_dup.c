/*
 * test_create_dup.c - ni_dup, ni_dupfd and ni_dup2: the copy is
 * close-on-exec and not received by an exec'd child (tests/reporter) while the
 * source keeps its flag; it shares the open file description; the number
 * is the one dup(2), F_DUPFD and dup2(2) would give; errors (EBADF, EINVAL,
 * EMFILE) leak nothing and leave the target descriptor as it was.
 *
 * Usage: test_create_dup [NAME-PATTERN]   (runs only the matching tests)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "noinherit.h"
#include "test_create.h"

/* ------------------------------------------------------------------ */
/* dup, dupfd, dup2                                                    */
/* ------------------------------------------------------------------ */

static void
dup_basic(void **state)
{
	char path[PATH_MAX];
	int src, d, n0, hole;

	(void)state;
	src = open(tu_make_file(path, "dup", "0123456789"), O_RDWR | O_APPEND);
	assert_true(src >= 0);
	assert_int_equal(tu_is_cloexec(src), 0); /* inheritable source */

	n0 = tu_fd_count();
	d = ni_dup(src);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_true(d != src);
	assert_noninheritable(d);
	/* The source keeps its flag. */
	assert_int_equal(tu_is_cloexec(src), 0);
	assert_true(tu_child_has_fd(src));
	/* Same open file description: same file, shared offset and flags. */
	assert_int_equal(tu_fd_ino(d), tu_fd_ino(src));
	assert_int_equal(lseek(src, 4, SEEK_SET), 4);
	assert_int_equal(lseek(d, 0, SEEK_CUR), 4);
	assert_accmode(d, O_RDWR);
	assert_has_flag(d, O_APPEND);
	close(d);

	/* The lowest free number, as dup(2). */
	hole = dup(src);
	d = dup(src);
	assert_true(hole >= 0 && d > hole);
	close(hole);
	assert_int_equal(ni_dup(d), hole);
	assert_noninheritable(hole);
	close(hole);
	close(d);
	close(src);
}

static void
dup_errors(void **state)
{
	int closed = dup(0);

	(void)state;
	assert_true(closed >= 0);
	close(closed);
	assert_fails(ni_dup(-1), EBADF);
	assert_fails(ni_dup(closed), EBADF);
	assert_fails(ni_dup(1 << 20), EBADF);
	assert_fails(ni_dup(INT_MAX), EBADF);

	tu_limit_fds(0);
	assert_fails(ni_dup(0), EMFILE);
	tu_unlimit_fds();
}

static void
dupfd_basic(void **state)
{
	char path[PATH_MAX];
	int src, d, n0;

	(void)state;
	src = open(tu_make_file(path, "dupfd", "abc"), O_RDONLY);
	assert_true(src >= 0);
	assert_int_equal(fcntl(100, F_GETFD), -1);

	n0 = tu_fd_count();
	d = ni_dupfd(src, 100);
	assert_int_equal(d, 100);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_noninheritable(d);
	assert_int_equal(tu_is_cloexec(src), 0);
	assert_int_equal(tu_fd_ino(d), tu_fd_ino(src));

	/* 100 and 101 taken: the next is 102. */
	assert_int_equal(dup2(src, 101), 101);
	d = ni_dupfd(src, 100);
	assert_int_equal(d, 102);
	assert_noninheritable(d);
	close(100);
	close(101);
	close(102);

	/* minfd 0: the lowest free. */
	n0 = tu_lowest_free_fd();
	d = ni_dupfd(src, 0);
	assert_int_equal(d, n0);
	assert_noninheritable(d);
	close(d);
	close(src);
}

static void
dupfd_errors(void **state)
{
	int closed = dup(0);
	struct rlimit rl;

	(void)state;
	assert_true(closed >= 0);
	close(closed);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);

	assert_fails(ni_dupfd(-1, 10), EBADF);
	assert_fails(ni_dupfd(closed, 10), EBADF);
	assert_fails(ni_dupfd(0, -1), EINVAL);
	assert_fails(ni_dupfd(0, INT_MIN), EINVAL);
	assert_fails(ni_dupfd(0, (int)rl.rlim_cur), EINVAL);
	assert_fails(ni_dupfd(0, INT_MAX), EINVAL);

	tu_limit_fds(0);
	assert_fails(ni_dupfd(0, 1), EMFILE);
	tu_unlimit_fds();
}

static void
dup2_basic(void **state)
{
	char path[PATH_MAX], other[PATH_MAX];
	int src, o, n0;

	(void)state;
	src = open(tu_make_file(path, "dup2", "src"), O_RDONLY);
	assert_true(src >= 0);
	/* 60 holds another, inheritable file: dup2 replaces it. */
	o = open(tu_make_file(other, "dup2-other", "o"), O_RDONLY);
	assert_true(o >= 0);
	assert_int_equal(dup2(o, 60), 60);
	close(o);
	assert_true(tu_fd_ino(60) != tu_fd_ino(src));

	n0 = tu_fd_count();
	assert_int_equal(ni_dup2(src, 60, false), 60);
	assert_int_equal(tu_fd_count(), n0);
	assert_int_equal(tu_fd_ino(60), tu_fd_ino(src));
	assert_noninheritable(60);
	assert_int_equal(tu_is_cloexec(src), 0); /* source untouched */
	assert_true(tu_child_has_fd(src));

	/* inheritable: plain dup2, the child gets it. */
	assert_int_equal(fcntl(61, F_GETFD), -1);
	assert_int_equal(ni_dup2(src, 61, true), 61);
	assert_int_equal(tu_fd_count(), n0 + 1);
	assert_int_equal(tu_is_cloexec(61), 0);
	assert_true(tu_child_has_fd(61));
	assert_int_equal(tu_fd_ino(61), tu_fd_ino(src));

	/* Onto a non-inheritable fd, inheritable=true clears the flag. */
	assert_int_equal(ni_dup2(src, 60, true), 60);
	assert_int_equal(tu_is_cloexec(60), 0);
	assert_true(tu_child_has_fd(60));
	/* And back. */
	assert_int_equal(ni_dup2(src, 61, false), 61);
	assert_noninheritable(61);
	assert_int_equal(tu_fd_count(), n0 + 1);
	close(60);
	close(61);
	close(src);
}

static void
dup2_same_fd(void **state)
{
	char path[PATH_MAX];
	int fd, n0;

	(void)state;
	fd = open(tu_make_file(path, "dup2-same", "s"), O_RDONLY);
	assert_true(fd >= 0);
	n0 = tu_fd_count();

	/* fd == fd2: only the flag changes, fd stays open. */
	assert_int_equal(ni_dup2(fd, fd, false), fd);
	assert_int_equal(tu_fd_count(), n0);
	assert_noninheritable(fd);
	assert_int_equal(ni_dup2(fd, fd, false), fd); /* idempotent */
	assert_noninheritable(fd);
	assert_int_equal(ni_dup2(fd, fd, true), fd);
	assert_int_equal(tu_fd_count(), n0);
	assert_int_equal(tu_is_cloexec(fd), 0);
	assert_true(tu_child_has_fd(fd));
	assert_int_equal(ni_dup2(fd, fd, true), fd);
	assert_int_equal(tu_is_cloexec(fd), 0);
	close(fd);

	/* A closed fd onto itself: EBADF, whatever the flag. */
	assert_fails(ni_dup2(fd, fd, false), EBADF);
	assert_fails(ni_dup2(fd, fd, true), EBADF);
}

static void
dup2_errors(void **state)
{
	char path[PATH_MAX];
	struct rlimit rl;
	int src, target, closed;
	ino_t ino;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	src = open(tu_make_file(path, "dup2-err", "e"), O_RDONLY);
	target = open(tu_make_file(path, "dup2-err-target", "t"), O_RDONLY);
	assert_true(src >= 0 && target >= 0);
	ino = tu_fd_ino(target);
	closed = dup(0);
	close(closed);

	assert_fails(ni_dup2(-1, target, false), EBADF);
	assert_fails(ni_dup2(closed, target, false), EBADF);
	assert_fails(ni_dup2(closed, target, true), EBADF);
	/* fd not open: fd2 is left open and unchanged. */
	assert_int_equal(tu_fd_ino(target), ino);
	assert_int_equal(tu_is_cloexec(target), 0);

	assert_fails(ni_dup2(src, -1, false), EBADF);
	assert_fails(ni_dup2(src, -1, true), EBADF);
	assert_fails(ni_dup2(src, (int)rl.rlim_cur, false), EBADF);
	assert_fails(ni_dup2(src, (int)rl.rlim_cur, true), EBADF);
	assert_fails(ni_dup2(src, INT_MAX, false), EBADF);
	close(src);
	close(target);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(dup_basic),
		tu_unit_test(dup_errors),
		tu_unit_test(dupfd_basic),
		tu_unit_test(dupfd_errors),
		tu_unit_test(dup2_basic),
		tu_unit_test(dup2_same_fd),
		tu_unit_test(dup2_errors),
		tu_unit_test(features_match_mode), /* last: see test_create.h */
	};

	return tu_run_tests("create.dup", tests, argc, argv);
}
