/*
 * test_closefds - ni_close_from() and ni_cloexec_from() over a crowded,
 * gappy descriptor table reaching the hard RLIMIT_NOFILE, including
 * descriptors above a lowered soft limit.
 *
 * The same binary runs natively (close_range) and under ni_sandbox with
 * close_range refused and/or /proc hidden, so that every path of the
 * library (close_range, the /proc/self/fd walk, the poll(2) scan) meets the
 * same assertions.  Results are checked descriptor by descriptor with raw
 * fcntl(F_GETFD), by tu_fd_count(), and, for ni_cloexec_from(), by what a
 * really exec'd reporter child receives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#if defined(__has_include)
#if __has_include(<sys/syscall.h>)
#include <sys/syscall.h>	/* (not in Zig's macOS SDK) */
#endif
#endif
#ifdef __APPLE__
#include <libproc.h>
#endif
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "noinherit.h"
#include "testutil.h"

/* The lowered soft limit of the "above the soft limit" tests. */
#define LOW_SOFT 1024
/* Where ni_close_from/ni_cloexec_from start in the "middle" tests. */
#define MIDDLE 7000

static int hard;          /* hard RLIMIT_NOFILE, the table's ceiling */

/* The descriptors a test placed, and the FD_CLOEXEC flag it gave them. */
static struct table {
	bool *open;       /* open[fd]: placed by the test */
	bool *cloexec;    /* cloexec[fd]: its flag as placed */
	int n;
	int devnull;
} t;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
set_soft(rlim_t soft)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = soft;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* Puts a duplicate of /dev/null on fd, with FD_CLOEXEC as asked. */
static void
place(int fd, bool cloexec)
{
	assert_true(fd > 2 && fd < hard);
	if (fd != t.devnull)
		assert_int_equal(dup2(t.devnull, fd), fd);
	assert_int_equal(fcntl(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0), 0);
	if (!t.open[fd])
		t.n++;
	t.open[fd] = true;
	t.cloexec[fd] = cloexec;
}

/*
 * Fills the table from `from` up to hard - 1: runs of neighbours and gaps of
 * 2 to 13, one wide hole (8000-9499), and always the very last descriptor
 * hard - 1.  Every third is placed close-on-exec.  With hard = 20000 this is
 * about 3500 descriptors.
 */
static void
scatter(int from)
{
	static const int step[] = { 1, 1, 2, 3, 5, 8, 13, 1, 4 };
	int fd, i = 0;

	for (fd = from; fd < hard - 1; fd += step[i++ % 9]) {
		if (fd >= 8000 && fd < 9500)
			fd = 9500;
		place(fd, i % 3 == 0);
	}
	place(hard - 1, false);
	/* The boundary of the "middle" tests, and its neighbours. */
	if (MIDDLE + 1 < hard) {
		place(MIDDLE - 1, false);
		place(MIDDLE, false);
		place(MIDDLE + 1, true);
	}
}

/* True if fd is closed: F_GETFD fails with EBADF. */
static bool
is_closed(int fd)
{
	errno = 0;
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

/*
 * Checks every placed descriptor: those >= closed_from (if not -1) must be
 * closed; those >= cloexec_from (if not -1) open and close-on-exec; every
 * other one open with its flag unchanged.  Reports the first few misfits
 * by number, then fails.
 */
static void
check_table(int closed_from, int cloexec_from)
{
	int fd, bad = 0;

	for (fd = 3; fd < hard; fd++) {
		const char *why = NULL;
		int fl;

		if (!t.open[fd])
			continue;
		fl = tu_is_cloexec(fd);
		if (closed_from >= 0 && fd >= closed_from) {
			if (!is_closed(fd))
				why = "still open, expected closed";
		} else if (fl < 0) {
			why = "closed, expected open";
		} else if (cloexec_from >= 0 && fd >= cloexec_from) {
			if (fl != 1)
				why = "inheritable, expected close-on-exec";
		} else if (fl != (t.cloexec[fd] ? 1 : 0)) {
			why = "FD_CLOEXEC changed";
		}
		if (why != NULL && bad++ < 10)
			print_error("fd %d: %s\n", fd, why);
	}
	for (fd = 0; fd <= 2; fd++)
		if (tu_is_cloexec(fd) < 0 && bad++ < 10)
			print_error("fd %d (stdio): closed\n", fd);
	if (bad > 0)
		print_error("%d descriptor(s) wrong\n", bad);
	assert_int_equal(bad, 0);
}

/* The number of placed descriptors >= lowfd. */
static int
placed_from(int lowfd)
{
	int fd, n = 0;

	for (fd = lowfd < 3 ? 3 : lowfd; fd < hard; fd++)
		n += t.open[fd];
	return n;
}

/*
 * Execs the reporter and compares what it received with the table: exactly
 * 0, 1, 2 and the placed descriptors below cloexec_from that were placed
 * inheritable.
 */
static void
check_child(int cloexec_from)
{
	bool *seen = calloc((size_t)hard, sizeof *seen);
	int fd, n, bad = 0;

	assert_non_null(seen);
	n = tu_child_fds(seen, hard);
	assert_true(n >= 0);
	for (fd = 0; fd < hard; fd++) {
		bool want = fd <= 2 ||
		    (t.open[fd] && fd < cloexec_from && !t.cloexec[fd]);

		if (seen[fd] != want && bad++ < 10)
			print_error("child: fd %d %s\n", fd,
			    seen[fd] ? "inherited, expected not" :
			    "not inherited, expected inherited");
	}
	free(seen);
	if (bad > 0)
		print_error("child: %d descriptor(s) wrong\n", bad);
	assert_int_equal(bad, 0);
}

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */
/* ------------------------------------------------------------------ */

static int
setup(void **state)
{
	(void)state;
	set_soft((rlim_t)hard);
	t.open = calloc((size_t)hard, sizeof *t.open);
	t.cloexec = calloc((size_t)hard, sizeof *t.cloexec);
	if (t.open == NULL || t.cloexec == NULL)
		return -1;
	t.n = 0;
	t.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (t.devnull < 0)
		return -1;
	t.open[t.devnull] = true;
	t.cloexec[t.devnull] = true;
	t.n = 1;
	return 0;
}

static int
teardown(void **state)
{
	struct rlimit rl;

	(void)state;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	tu_close_inherited();
	free(t.open);
	free(t.cloexec);
	memset(&t, 0, sizeof t);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

/*
 * ni_features() tells the truth about what these tests exercise: the
 * close_range bits match a direct try, /proc_fd matches /proc's presence.
 * Under the seccomp sandbox close_range must be refused and its bits clear,
 * which proves the fallback paths ran.
 */
static void
test_features_match_environment(void **state)
{
	unsigned feat = ni_features();
	bool cr = false, proc;

	(void)state;
#ifdef SYS_close_range
	/* An empty range above every descriptor: closes nothing. */
	cr = syscall(SYS_close_range, ~0u, ~0u, 0u) == 0;
#endif
	proc = access("/proc/self/fd/0", F_OK) == 0;
#ifdef __APPLE__
	/* The walk there is proc_pidinfo's list of this process's table. */
	{
		char one[64];

		proc = proc_pidinfo(getpid(), PROC_PIDLISTFDS, 0, one,
		    (int)sizeof(one)) > 0;
	}
#endif
	/* A build with closefds_bsd.c on Linux (NI_CLOSEFDS_BSD) walks nothing. */
	if (getenv("NI_TEST_NO_WALK") != NULL)
		proc = false;
	print_message("mode %s: close_range %s, /proc/self/fd %s, "
	    "features %#x\n", tu_mode(), cr ? "works" : "refused",
	    proc ? "visible" : "hidden", feat);
	if (strncmp(tu_mode(), "seccomp", 7) == 0)
		assert_false(cr);
	assert_int_equal(!!(feat & NI_FEAT_CLOSE_RANGE), cr);
	if (!cr)
		assert_int_equal(feat & NI_FEAT_CLOSE_RANGE_CLOEXEC, 0);
	assert_int_equal(!!(feat & NI_FEAT_PROC_FD), proc);
}

/* Everything from the middle up goes; everything below stays as it was. */
static void
test_close_from_middle(void **state)
{
	int before, gone;

	(void)state;
	scatter(10);
	gone = placed_from(MIDDLE);
	assert_true(t.n >= 3000);
	before = tu_fd_count();
	assert_int_equal(ni_close_from(MIDDLE), 0);
	check_table(MIDDLE, -1);
	assert_int_equal(tu_fd_count(), before - gone);
}

/* From 3: only the standard streams are left. */
static void
test_close_from_3(void **state)
{
	(void)state;
	scatter(3);
	assert_true(t.n >= 3000);
	assert_int_equal(ni_close_from(3), 0);
	check_table(3, -1);
	assert_int_equal(tu_fd_count(), 3);
}

/* Places low descriptors and some far above LOW_SOFT, then lowers the soft
 * limit below the high ones. */
static void
place_above_soft(void)
{
	int fd;

	for (fd = 10; fd < 40; fd++)
		place(fd, fd % 2 == 0);
	place(LOW_SOFT - 1, false);
	place(LOW_SOFT, false);
	place(2000, false);
	place(5000, true);
	place(12000 < hard - 2 ? 12000 : hard - 2, false);
	place(hard - 1, false);
	set_soft(LOW_SOFT);
}

/* Descriptors above a lowered soft RLIMIT_NOFILE are closed too. */
static void
test_close_from_above_soft_limit(void **state)
{
	int before;

	(void)state;
	place_above_soft();
	before = tu_fd_count();
	assert_int_equal(ni_close_from(20), 0);
	check_table(20, -1);
	assert_int_equal(tu_fd_count(), before - placed_from(20));
}

/* lowfd itself above the soft limit: still reaches the high ones, and no
 * EINVAL (only a negative lowfd is invalid). */
static void
test_close_from_start_above_soft_limit(void **state)
{
	(void)state;
	place_above_soft();
	assert_int_equal(ni_close_from(3000), 0);
	check_table(3000, -1);
}

/* Everything from the middle up becomes close-on-exec, nothing closes,
 * and below it every flag is untouched; an exec'd child agrees. */
static void
test_cloexec_from_middle(void **state)
{
	int before;

	(void)state;
	scatter(10);
	assert_true(t.n >= 3000);
	before = tu_fd_count();
	assert_int_equal(ni_cloexec_from(MIDDLE), 0);
	check_table(-1, MIDDLE);
	assert_int_equal(tu_fd_count(), before);
	check_child(MIDDLE);
}

/* Descriptors above a lowered soft limit are marked too, and a real exec
 * leaves them behind.  First a control: the reporter does see such a
 * descriptor while it is inheritable, so "not inherited" means something. */
static void
test_cloexec_from_above_soft_limit(void **state)
{
	int before;

	(void)state;
	place_above_soft();
	assert_true(tu_child_has_fd(hard - 1));
	before = tu_fd_count();
	assert_int_equal(ni_cloexec_from(20), 0);
	check_table(-1, 20);
	assert_int_equal(tu_fd_count(), before);
	check_child(20);
}

static void
test_cloexec_from_start_above_soft_limit(void **state)
{
	(void)state;
	place_above_soft();
	assert_int_equal(ni_cloexec_from(3000), 0);
	check_table(-1, 3000);
	check_child(3000);
}

/* A negative lowfd fails with EINVAL and changes nothing. */
static void
test_negative_lowfd(void **state)
{
	static const int bad[] = { -1, -2, -1000, INT_MIN };
	size_t i;
	int before;

	(void)state;
	for (i = 0; i < 20; i++)
		place(10 + (int)i * 7, i % 2 == 0);
	place(hard - 1, false);
	before = tu_fd_count();
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		assert_int_equal(ni_close_from(bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(tu_fd_count(), before);
		check_table(-1, -1);

		errno = 0;
		assert_int_equal(ni_cloexec_from(bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(tu_fd_count(), before);
		check_table(-1, -1);
	}
}

/* lowfd above every open descriptor (even above the hard limit, even
 * INT_MAX): nothing to do, success, nothing changed. */
static void
test_lowfd_above_all(void **state)
{
	const int low[] = { 501, 1000, hard, hard + 1, INT_MAX - 1, INT_MAX };
	size_t i;
	int before;

	(void)state;
	for (i = 0; i < 30; i++)
		place(100 + (int)i * 13, i % 2 == 0);
	place(500, false);
	before = tu_fd_count();
	for (i = 0; i < sizeof low / sizeof low[0]; i++) {
		assert_int_equal(ni_close_from(low[i]), 0);
		assert_int_equal(ni_cloexec_from(low[i]), 0);
		assert_int_equal(tu_fd_count(), before);
		check_table(-1, -1);
	}
	check_child(INT_MAX);
}

int
main(void)
{
	struct rlimit rl;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_match_environment),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_close_from_middle),
		T(test_close_from_3),
		T(test_close_from_above_soft_limit),
		T(test_close_from_start_above_soft_limit),
		T(test_cloexec_from_middle),
		T(test_cloexec_from_above_soft_limit),
		T(test_cloexec_from_start_above_soft_limit),
		T(test_negative_lowfd),
		T(test_lowfd_above_all),
#undef T
	};

	tu_close_inherited();
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		perror("getrlimit");
		return 1;
	}
	hard = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 20000 ?
	    20000 : (int)rl.rlim_max;
	if (hard < 13000) {
		/* The layout above needs room; a CI box with a small hard
		 * limit cannot run this meaningfully. */
		printf("skip: hard RLIMIT_NOFILE %d < 13000\n", hard);
		return 77;
	}
	return cmocka_run_group_tests_name("closefds", tests, NULL, NULL);
}
