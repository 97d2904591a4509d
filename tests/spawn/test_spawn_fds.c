/*
 * test_spawn_fds - which descriptors a child of ni_spawn receives, seen by
 * the exec'd reporter: by default exactly 0, 1 and 2 (the same files as
 * ours), however many inheritable descriptors this process has and even
 * above a lowered soft RLIMIT_NOFILE; with close_fds false the inheritable
 * ones too and never a non-inheritable one; a passed descriptor arrives
 * inheritable at its own number while ours keeps its flag.  Every spawn
 * also checks that our descriptor table, flags included, did not change
 * and that no child is left (spawn_harness.h).
 *
 * Usage: test_spawn_fds [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include "spawn_harness.h"

/* Inheritable copies of /dev/null, spread over the table. */
#define MANY 3000

static int
hard_limit(void)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	return rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (1u << 20) ?
	    1 << 20 : (int)rl.rlim_max;
}

static int
open_devnull(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	sp_cloexec(fd, true);
	return fd;
}

static void
close_above(int lowfd)
{
	int fd, limit = hard_limit();

	for (fd = lowfd; fd < limit; fd++)
		(void)close(fd);
}

/* Our 0, 1 and 2 reach the child as they are. */
static void
assert_stdio_same(const struct report *r)
{
	assert_same_file(r, 0, 0);
	assert_same_file(r, 1, 1);
	assert_same_file(r, 2, 2);
}

/* ------------------------------------------------------------------ */
/* close_fds true, the default                                         */
/* ------------------------------------------------------------------ */

/* 3000 inheritable descriptors, and 300 non-inheritable ones among them:
 * the child gets 0 1 2 only, with NULL options and with new ones. */
static void
default_stdio_only(void **state)
{
	int devnull = open_devnull(), hard = hard_limit(), step, i, fd = 0;
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	if (hard < MANY + 100) {
		print_message("hard RLIMIT_NOFILE %d is too small\n", hard);
		skip();
	}
	step = (hard - 100) / MANY > 3 ? 3 : (hard - 100) / MANY;
	for (i = 0; i < MANY; i++) {
		fd = 100 + i * step;
		sp_dup_at(devnull, fd, false);
		if (i % 10 == 0)	/* a few close-on-exec among them */
			sp_dup_at(devnull, fd + 1, true);
	}
	assert_true(tu_child_has_fd(fd)); /* control: the reporter does see it */
	assert_true(tu_fd_count() >= MANY + 4);

	spawn_report(NULL, NULL, NULL, &r);
	assert_fds(&r, "0 1 2");
	assert_stdio_same(&r);

	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2");
	assert_stdio_same(&r);

	ni_spawn_opts_free(o);
	close_above(100);
	close(devnull);
}

/* Inheritable descriptors above a lowered soft limit (one at the very
 * top of the hard limit) are closed in the child all the same. */
static void
above_lowered_limit(void **state)
{
	int devnull = open_devnull(), hard = hard_limit(), top, mid;
	ni_spawn_opts *o = sp_opts();
	struct rlimit rl;
	struct report r;

	(void)state;
	if (hard < 256) {
		print_message("hard RLIMIT_NOFILE %d is too small\n", hard);
		skip();
	}
	top = hard - 1;
	mid = hard / 2;
	sp_dup_at(devnull, 40, false);
	sp_dup_at(devnull, mid, false);
	sp_dup_at(devnull, top, false);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);

	spawn_report(NULL, NULL, NULL, &r);
	assert_fds(&r, "0 1 2");

	/* Control: with close_fds false the same ones do arrive, so the
	 * child could have seen them. */
	assert_int_equal(ni_spawn_opts_set_close_fds(o, false), 0);
	spawn_report(o, NULL, NULL, &r);
	report_must_have(&r, mid);
	report_must_have(&r, top);
	assert_same_file(&r, 40, devnull);

	tu_unlimit_fds();
	ni_spawn_opts_free(o);
	close(top);
	close(mid);
	close(40);
	close(devnull);
}

/* ------------------------------------------------------------------ */
/* close_fds false                                                     */
/* ------------------------------------------------------------------ */

/* Inheritable descriptors cross, non-inheritable ones do not, whatever
 * their numbers; what crosses is the same file, still inheritable. */
static void
close_fds_false(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	int c = sp_open_text("c", "charlie");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	sp_dup_at(a, 10, false);
	sp_dup_at(b, 11, true);
	sp_dup_at(c, 300, false);
	sp_dup_at(b, 301, true);
	assert_int_equal(ni_spawn_opts_set_close_fds(o, false), 0);

	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 10 300");
	assert_stdio_same(&r);
	assert_same_file(&r, 10, a);
	assert_text(&r, 10, "alpha");
	assert_same_file(&r, 300, c);
	assert_text(&r, 300, "charlie");

	/* Set back to true: the same options close them again. */
	assert_int_equal(ni_spawn_opts_set_close_fds(o, true), 0);
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2");

	ni_spawn_opts_free(o);
	close(10);
	close(11);
	close(300);
	close(301);
	close(a);
	close(b);
	close(c);
}

/* ------------------------------------------------------------------ */
/* pass_fd                                                             */
/* ------------------------------------------------------------------ */

/* A non-inheritable descriptor passed arrives at the same number,
 * inheritable there; ours stays non-inheritable (spawn_report compares
 * every flag); an inheritable one not passed does not arrive; an
 * inheritable one passed arrives too. */
static void
pass_fd_noninheritable(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	int c = sp_open_text("c", "charlie");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	sp_dup_at(a, 7, true);
	sp_dup_at(b, 8, false);
	sp_dup_at(c, 9, false);
	assert_int_equal(ni_spawn_opts_pass_fd(o, 7), 0);
	assert_int_equal(ni_spawn_opts_pass_fd(o, 9), 0);

	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 7 9");
	assert_same_file(&r, 7, a);
	assert_text(&r, 7, "alpha");
	assert_same_file(&r, 9, c);
	assert_int_equal(tu_is_cloexec(7), 1);
	assert_int_equal(ni_get_inheritable(7), 0);
	assert_int_equal(tu_is_cloexec(9), 0);

	/* The same options again: the flag was not changed and put back. */
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 7 9");
	assert_int_equal(tu_is_cloexec(7), 1);

	ni_spawn_opts_free(o);
	close(7);
	close(8);
	close(9);
	close(a);
	close(b);
	close(c);
}

/* With close_fds false too: passed non-inheritable fds arrive, other
 * non-inheritable ones do not, inheritable ones do. */
static void
pass_fd_close_fds_false(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	sp_dup_at(a, 20, true);
	sp_dup_at(b, 21, true);
	sp_dup_at(b, 22, false);
	assert_int_equal(ni_spawn_opts_set_close_fds(o, false), 0);
	assert_int_equal(ni_spawn_opts_pass_fd(o, 20), 0);

	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 20 22");
	assert_same_file(&r, 20, a);
	assert_same_file(&r, 22, b);
	assert_int_equal(tu_is_cloexec(20), 1);

	ni_spawn_opts_free(o);
	close(20);
	close(21);
	close(22);
	close(a);
	close(b);
}

/* One descriptor passed with a high number, far from the others, and a
 * descriptor that is passed while a lower one is left to close. */
static void
pass_fd_high(void **state)
{
	int a = sp_open_text("a", "alpha"), hard = hard_limit();
	int high = hard > 2000 ? 1999 : hard - 1;
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	sp_dup_at(a, high, true);
	sp_dup_at(a, 5, false);
	assert_int_equal(ni_spawn_opts_pass_fd(o, high), 0);
	spawn_report(o, NULL, NULL, &r);
	if (r.nfd != 4 || report_index(&r, high) != 3)
		fail_msg("child received \"%s\", expected 0 1 2 %d", r.fds,
		    high);
	assert_same_file(&r, high, a);
	ni_spawn_opts_free(o);
	close(high);
	close(5);
	close(a);
}

/* Our 0, 1, 2 reach the child even when they are close-on-exec here:
 * the standard streams are passed as we have them, made inheritable
 * there; our flags stay as they are. */
static void
stdio_cloexec_still_passed(void **state)
{
	int flags[3], k;
	struct report r;

	(void)state;
	for (k = 0; k < 3; k++) {
		flags[k] = fcntl(k, F_GETFD);
		assert_true(flags[k] != -1);
		sp_cloexec(k, true);
	}
	spawn_report(NULL, NULL, NULL, &r);
	for (k = 0; k < 3; k++) {
		assert_int_equal(tu_is_cloexec(k), 1);
		(void)fcntl(k, F_SETFD, flags[k]);
	}
	assert_fds(&r, "0 1 2");
	assert_stdio_same(&r);	/* and inheritable there */
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(default_stdio_only),
		tu_unit_test(above_lowered_limit),
		tu_unit_test(close_fds_false),
		tu_unit_test(pass_fd_noninheritable),
		tu_unit_test(pass_fd_close_fds_false),
		tu_unit_test(pass_fd_high),
		tu_unit_test(stdio_cloexec_still_passed),
	};

	return tu_run_tests("spawn.fds", tests, argc, argv);
}
