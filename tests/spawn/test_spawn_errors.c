/*
 * test_spawn_errors - how ni_spawn and its options fail.  Bad options fail
 * in the setter (EINVAL for a NULL o or a negative group, EBADF for a
 * negative fd, EINVAL for one target from two sources) or in ni_spawn
 * before any child exists (EINVAL for NULL pid/file/argv, EBADF for a
 * mapped source not open or a target at or above the soft RLIMIT_NOFILE):
 * no SIGCHLD arrives.  What fails in the child before its exec (ENOENT,
 * EACCES for a plain file and a directory, ENOEXEC, ENOTDIR, a bad cwd, a
 * group that does not exist, a dup onto a target that a seccomp filter
 * refuses) comes back as ni_spawn's errno.  Every failure leaves *pid as
 * it was, our descriptor table (numbers and flags) as it was, and no
 * child, running or zombie; 1000 of them leak nothing, memory included.
 *
 * Usage: test_spawn_errors [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include "spawn_harness.h"

#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* The kernel's headers, for the seccomp filter (musl-gcc has none). */
#if defined(__has_include)
#if __has_include(<linux/audit.h>) && __has_include(<linux/filter.h>) && \
    __has_include(<linux/seccomp.h>)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#define HAVE_SECCOMP_HEADERS 1
#endif
#endif

static char *const child_argv[] = { (char *)REPORTER_PATH,
	(char *)"/nonexistent-ni/report", NULL };

/* ni_spawn of file with reporter's argv. */
static int
spawn_file(pid_t *pid, const char *file, const ni_spawn_opts *o)
{
	return ni_spawn(pid, file, child_argv, NULL, o);
}

/* call fails with e in ni_spawn, before any child existed. */
#define assert_fails_before_child(call, pidp, e) do {                        \
	sp_chld_count_start();                                               \
	assert_spawn_fails(call, pidp, e);                                   \
	assert_int_equal(sp_chld_count_stop(), 0);                           \
} while (0)

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

static void
setter_errors(void **state)
{
	ni_spawn_opts *o = sp_opts();
	sigset_t set;

	(void)state;
	sigemptyset(&set);
	assert_fails(ni_spawn_opts_map_fd(NULL, 0, 3), EINVAL);
	assert_fails(ni_spawn_opts_pass_fd(NULL, 0), EINVAL);
	assert_fails(ni_spawn_opts_set_close_fds(NULL, false), EINVAL);
	assert_fails(ni_spawn_opts_set_cwd(NULL, "/"), EINVAL);
	assert_fails(ni_spawn_opts_set_search_path(NULL, true), EINVAL);
	assert_fails(ni_spawn_opts_set_setsid(NULL, true), EINVAL);
	assert_fails(ni_spawn_opts_set_pgroup(NULL, 0), EINVAL);
	assert_fails(ni_spawn_opts_set_umask(NULL, 022), EINVAL);
	assert_fails(ni_spawn_opts_set_sigmask(NULL, &set), EINVAL);
	assert_fails(ni_spawn_opts_map_fd(o, -1, 3), EBADF);
	assert_fails(ni_spawn_opts_map_fd(o, 0, -1), EBADF);
	assert_fails(ni_spawn_opts_map_fd(o, -5, -5), EBADF);
	assert_fails(ni_spawn_opts_pass_fd(o, -1), EBADF);
	assert_fails(ni_spawn_opts_set_pgroup(o, -1), EINVAL);
	ni_spawn_opts_free(o);
	ni_spawn_opts_free(NULL);
}

/* One target from two sources: EINVAL, and the first mapping stands. */
static void
same_target_two_sources(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	assert_int_equal(ni_spawn_opts_map_fd(o, a, 5), 0);
	assert_fails(ni_spawn_opts_map_fd(o, b, 5), EINVAL);
	assert_fails(ni_spawn_opts_pass_fd(o, 5), EINVAL);
	assert_int_equal(ni_spawn_opts_map_fd(o, a, 5), 0);	/* same: fine */
	spawn_report(o, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 5");
	assert_text(&r, 5, "alpha");
	ni_spawn_opts_free(o);
	close(a);
	close(b);
}

/* ------------------------------------------------------------------ */
/* Caught before any child exists                                      */
/* ------------------------------------------------------------------ */

static void
null_arguments(void **state)
{
	pid_t pid, dummy;
	int pidfd = -7;

	(void)state;
	assert_fails_before_child(ni_spawn(NULL, REPORTER_PATH, child_argv,
	    NULL, NULL), &dummy, EINVAL);
	assert_fails_before_child(ni_spawn(&pid, NULL, child_argv, NULL, NULL),
	    &pid, EINVAL);
	assert_fails_before_child(ni_spawn(&pid, REPORTER_PATH, NULL, NULL,
	    NULL), &pid, EINVAL);
	assert_fails_before_child(ni_spawn_pidfd(&pidfd, &pid, NULL,
	    child_argv, NULL, NULL), &pid, EINVAL);
	assert_int_equal(pidfd, -7);
}

/* A mapped source (or a passed fd) closed by spawn time: EBADF. */
static void
source_closed(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "bravo");
	ni_spawn_opts *o = sp_opts(), *p = sp_opts();
	pid_t pid;

	(void)state;
	assert_int_equal(ni_spawn_opts_map_fd(o, a, 0), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, b, 9), 0);
	close(b);
	assert_fails_before_child(spawn_file(&pid, REPORTER_PATH, o), &pid,
	    EBADF);
	assert_int_equal(ni_spawn_opts_pass_fd(p, b), 0);
	assert_fails_before_child(spawn_file(&pid, REPORTER_PATH, p), &pid,
	    EBADF);
	ni_spawn_opts_free(o);
	ni_spawn_opts_free(p);
	close(a);
}

/* A target at or above the soft RLIMIT_NOFILE: EBADF; just below works. */
static void
target_above_limit(void **state)
{
	int a = sp_open_text("a", "alpha");
	ni_spawn_opts *o = sp_opts(), *at = sp_opts(), *below = sp_opts();
	struct rlimit rl;
	struct report r;
	pid_t pid;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max < 2048)
		skip();
	assert_int_equal(ni_spawn_opts_map_fd(o, a, 1500), 0);
	assert_int_equal(ni_spawn_opts_map_fd(at, a, 1024), 0);
	assert_int_equal(ni_spawn_opts_map_fd(below, a, 1023), 0);
	rl.rlim_cur = 1024;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_fails_before_child(spawn_file(&pid, REPORTER_PATH, o), &pid,
	    EBADF);
	assert_fails_before_child(spawn_file(&pid, REPORTER_PATH, at), &pid,
	    EBADF);
	spawn_report(below, NULL, NULL, &r);
	assert_fds(&r, "0 1 2 1023");
	assert_same_file(&r, 1023, a);
	tu_unlimit_fds();
	ni_spawn_opts_free(o);
	ni_spawn_opts_free(at);
	ni_spawn_opts_free(below);
	close(a);
}

/*
 * No free descriptor: the table full, or the soft limit lowered below the
 * open descriptors.  ni_spawn needs none, on the vfork path and on the
 * fork path (.novfork) alike, which once failed with EMFILE for want of
 * its report pipe (issue 14); a failure in the child still comes back.
 */
static void
spawn_ok_and_enoent(const ni_spawn_opts *o)
{
	char *argv[] = { (char *)REPORTER_PATH, NULL };
	pid_t pid = SENTINEL_PID;
	int rc, e;

	errno = 0;
	rc = ni_spawn(&pid, REPORTER_PATH, argv, NULL, o);
	e = errno;
	if (rc != 0)
		fail_msg("ni_spawn: %s", strerror(e));
	assert_int_equal(sp_wait(pid), 0);
	pid = SENTINEL_PID;
	assert_int_equal(ni_spawn(&pid, "/nonexistent/prog", argv, NULL, o), -1);
	assert_errno_is(errno, ENOENT);
	assert_int_equal(pid, SENTINEL_PID);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);	/* none left */
}

static void
no_free_descriptor(void **state)
{
	ni_spawn_opts *o = sp_opts();
	struct rlimit rl;
	int null, extra[8], i;

	(void)state;
#ifdef NI_TEST_SPAWN_PORTABLE
	/* spawn_posix.c's fork child needs one descriptor for its report
	 * pipe (README): EMFILE there. */
	ni_spawn_opts_free(o);
	skip();
#endif
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(null >= 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, null, 1), 0);
	tu_limit_fds(0);
	spawn_ok_and_enoent(o);
	tu_unlimit_fds();
	/* The soft limit below descriptors that are open. */
	for (i = 0; i < 8; i++)
		assert_true((extra[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = (rlim_t)extra[3];
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	spawn_ok_and_enoent(o);
	tu_unlimit_fds();
	for (i = 0; i < 8; i++)
		close(extra[i]);
	ni_spawn_opts_free(o);
	close(null);
}

/* ------------------------------------------------------------------ */
/* Failures in the child                                               */
/* ------------------------------------------------------------------ */

static char *
make_exec_file(char buf[PATH_MAX], const char *text, mode_t mode)
{
	tu_make_file(buf, "prog", text);
	assert_int_equal(chmod(buf, mode), 0);
	return buf;
}

/* A path longer than PATH_MAX. */
static const char *
longname(void)
{
	static char name[PATH_MAX + 64];

	memset(name, 'a', sizeof name - 1);
	name[0] = '/';
	name[sizeof name - 1] = '\0';
	return name;
}

/* One argument longer than the kernel takes (MAX_ARG_STRLEN, 128 kB). */
static char **
huge_argv(void)
{
	static char arg[200 * 1024];
	static char *argv[] = { (char *)REPORTER_PATH, arg, NULL };

	memset(arg, 'x', sizeof arg - 1);
	return argv;
}

static void
exec_errors(void **state)
{
	char noexec[PATH_MAX], garbage[PATH_MAX], script[PATH_MAX];
	char notdir[PATH_MAX], dir[PATH_MAX];
	ni_spawn_opts *o = sp_opts();
	pid_t pid;

	(void)state;
	make_exec_file(noexec, "#!/bin/sh\nexit 0\n", 0644);
	make_exec_file(garbage, "garbage, not a program\n", 0755);
	make_exec_file(script, "#!/nonexistent-ni/sh\n", 0755);
	assert_true(snprintf(notdir, sizeof notdir, "%s/x", noexec) <
	    (int)sizeof notdir);
	tu_path_unique(dir, "dir");
	assert_int_equal(mkdir(dir, 0755), 0);

	assert_spawn_fails(spawn_file(&pid, "/nonexistent-ni/prog", NULL),
	    &pid, ENOENT);
	assert_spawn_fails(spawn_file(&pid, noexec, NULL), &pid, EACCES);
	assert_spawn_fails(spawn_file(&pid, dir, NULL), &pid, EACCES);
	assert_spawn_fails(spawn_file(&pid, garbage, NULL), &pid, ENOEXEC);
	assert_spawn_fails(spawn_file(&pid, script, NULL), &pid, ENOENT);
	assert_spawn_fails(spawn_file(&pid, notdir, NULL), &pid, ENOTDIR);
	assert_spawn_fails(spawn_file(&pid, "", NULL), &pid, ENOENT);
	assert_spawn_fails(spawn_file(&pid, longname(), NULL), &pid,
	    ENAMETOOLONG);
	assert_spawn_fails(ni_spawn(&pid, REPORTER_PATH, huge_argv(), NULL,
	    NULL), &pid, E2BIG);
	/* The same with options that make the child do more first. */
	assert_int_equal(ni_spawn_opts_map_fd(o, 2, 7), 0);
	assert_int_equal(ni_spawn_opts_set_umask(o, 077), 0);
	assert_spawn_fails(spawn_file(&pid, noexec, o), &pid, EACCES);
	assert_spawn_fails(spawn_file(&pid, garbage, o), &pid, ENOEXEC);
	ni_spawn_opts_free(o);
}

static void
bad_cwd(void **state)
{
	char missing[PATH_MAX], file[PATH_MAX];
	ni_spawn_opts *o = sp_opts();
	pid_t pid;

	(void)state;
	tu_path_unique(missing, "missing");
	tu_make_file(file, "file", "x");
	assert_int_equal(ni_spawn_opts_set_cwd(o, missing), 0);
	assert_spawn_fails(spawn_file(&pid, REPORTER_PATH, o), &pid, ENOENT);
	assert_int_equal(ni_spawn_opts_set_cwd(o, file), 0);
	assert_spawn_fails(spawn_file(&pid, REPORTER_PATH, o), &pid, ENOTDIR);
	ni_spawn_opts_free(o);
}

/* setpgid(0, pgid) for a group that does not exist: EPERM. */
static void
missing_group(void **state)
{
	ni_spawn_opts *o = sp_opts();
	pid_t gone = fork(), pid;

	(void)state;
	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	assert_int_equal(sp_wait(gone), 0);
	assert_int_equal(ni_spawn_opts_set_pgroup(o, gone), 0);
	assert_spawn_fails(spawn_file(&pid, REPORTER_PATH, o), &pid, EPERM);
	ni_spawn_opts_free(o);
}

/*
 * A dup that fails in the child: a target below the limit is checked
 * open by nothing but the child's own dup.  A seccomp filter (installed in
 * a forked copy of this test, as filters cannot be removed) makes every
 * dup2/dup3 onto fd 777, and F_DUPFD(_CLOEXEC) asking for 777, fail with
 * EIO; ni_spawn must return that EIO.  Control: 778 still works.
 */
#if defined(HAVE_SECCOMP_HEADERS) && defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(HAVE_SECCOMP_HEADERS) && defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef NATIVE_ARCH
#ifndef __NR_dup2
#define __NR_dup2 0xffffffff	/* aarch64: dup3 only */
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#else
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n) + 4)
#endif

static int
refuse_dups_onto(unsigned target)
{
	struct sock_filter f[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 12),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_dup3, 3, 0),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_dup2, 2, 0),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fcntl, 3, 0),
		/* 6 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, target, 6, 5),
		/* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(1)),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_DUPFD, 1, 0),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, F_DUPFD_CLOEXEC,
		    0, 2),
		/* 12 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
		/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, target, 1, 0),
		/* 14 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 15 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EIO),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* In the forked copy: 0 if all held, 77 if no seccomp, else which
 * check failed (with a line on stderr). */
static int
dup_failure_in_copy(int a)
{
	char out[PATH_MAX];
	char *argv[] = { (char *)REPORTER_PATH, out, NULL };
	ni_spawn_opts *o = ni_spawn_opts_new(), *ok = ni_spawn_opts_new();
	pid_t pid = SENTINEL_PID;
	int n0, rc, e, st;

	if (o == NULL || ok == NULL || ni_spawn_opts_map_fd(o, a, 777) != 0 ||
	    ni_spawn_opts_map_fd(ok, a, 778) != 0)
		return 10;
	if (snprintf(out, sizeof out, "%s/dupfail-%ld", tu_tmpdir,
	    (long)getpid()) >= (int)sizeof out)
		return 10;
	n0 = tu_fd_count();
	if (refuse_dups_onto(777) != 0)
		return 77;
	/* The filter does what it says, here first. */
	if (dup2(a, 777) != -1 || errno != EIO || dup2(a, 778) != 778)
		return 11;
	close(778);
	errno = 0;
	rc = ni_spawn(&pid, REPORTER_PATH, argv, NULL, o);
	e = errno;
	if (rc != -1 || e != EIO) {
		fprintf(stderr, "ni_spawn with a dup onto 777 refused: returned "
		    "%d, errno %d (%s), expected -1 EIO\n", rc, e, strerror(e));
		if (rc == 0)
			waitpid(pid, &st, 0);
		return 12;
	}
	if (pid != SENTINEL_PID)
		return 13;
	if (tu_fd_count() != n0)
		return 14;
	if (waitpid(-1, &st, WNOHANG | __WALL) != -1 || errno != ECHILD)
		return 15;
	if (ni_spawn(&pid, REPORTER_PATH, argv, NULL, ok) != 0) {
		fprintf(stderr, "control onto 778: errno %d (%s)\n", errno,
		    strerror(errno));
		return 16;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return 17;
	return 0;
}

static void
dup_fails_in_child(void **state)
{
	int a = sp_open_text("a", "alpha"), st;
	pid_t copy;

	(void)state;
	fflush(stdout);
	fflush(stderr);
	copy = fork();
	assert_true(copy >= 0);
	if (copy == 0)
		_exit(dup_failure_in_copy(a));
	st = sp_wait(copy);
	close(a);
	if (st == 77) {
		print_message("no seccomp filter here\n");
		skip();
	}
	if (st != 0)
		fail_msg("the filtered copy failed check %d (see "
		    "dup_failure_in_copy)", st);
}
#else
static void
dup_fails_in_child(void **state)
{
	(void)state;
	skip();	/* the filter is written for x86_64 and aarch64, with the
		 * kernel's headers */
}
#endif

/* ------------------------------------------------------------------ */
/* Many failures                                                       */
/* ------------------------------------------------------------------ */

/* Resident set in kB from /proc/self/statm, or -1 (/proc hidden). */
static long
rss_kb(void)
{
	long size, res;
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	if (f == NULL)
		return -1;
	n = fscanf(f, "%ld %ld", &size, &res);
	fclose(f);
	return n == 2 ? res * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

/* 1000 failed spawns, of three kinds in turn, with a mapping: each with
 * its errno and *pid untouched; then our table as it was, no child, and
 * no more than 2 MB more resident memory. */
static void
thousand_failures(void **state)
{
	char noexec[PATH_MAX], missing[PATH_MAX];
	int a = sp_open_text("a", "alpha"), i, bad = 0;
	ni_spawn_opts *o = sp_opts(), *cwd = sp_opts();
	struct fdtab before;
	long rss0, rss1;
	pid_t pid;

	(void)state;
	make_exec_file(noexec, "x\n", 0644);
	tu_path_unique(missing, "missing");
	assert_int_equal(ni_spawn_opts_map_fd(o, a, 4), 0);
	assert_int_equal(ni_spawn_opts_map_fd(cwd, a, 4), 0);
	assert_int_equal(ni_spawn_opts_set_cwd(cwd, missing), 0);
	for (i = 0; i < 50; i++)	/* warm up the allocator */
		(void)spawn_file(&pid, "/nonexistent-ni/prog", o);
	rss0 = rss_kb();
	fdtab_take(&before);
	for (i = 0; i < 1000; i++) {
		int rc, e, want;

		pid = SENTINEL_PID;
		errno = 0;
		switch (i % 3) {
		case 0:
			rc = spawn_file(&pid, "/nonexistent-ni/prog", o);
			want = ENOENT;
			break;
		case 1:
			rc = spawn_file(&pid, noexec, o);
			want = EACCES;
			break;
		default:
			rc = spawn_file(&pid, REPORTER_PATH, cwd);
			want = ENOENT;
			break;
		}
		e = errno;
		if ((rc != -1 || e != want || pid != SENTINEL_PID) && bad++ < 5)
			print_message("spawn %d: rc %d errno %d (%s), pid %ld\n",
			    i, rc, e, strerror(e), (long)pid);
	}
	assert_int_equal(bad, 0);
	assert_fdtab_same(&before);
	assert_no_children();
	rss1 = rss_kb();
	if (rss0 >= 0 && rss1 >= 0) {
		print_message("resident: %ld kB before, %ld kB after\n", rss0,
		    rss1);
		assert_true(rss1 - rss0 < 2048);
	}
	ni_spawn_opts_free(o);
	ni_spawn_opts_free(cwd);
	close(a);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(setter_errors),
		tu_unit_test(same_target_two_sources),
		tu_unit_test(null_arguments),
		tu_unit_test(source_closed),
		tu_unit_test(target_above_limit),
		tu_unit_test(no_free_descriptor),
		tu_unit_test(exec_errors),
		tu_unit_test(bad_cwd),
		tu_unit_test(missing_group),
		tu_unit_test(dup_fails_in_child),
		tu_unit_test(thousand_failures),
	};

	return tu_run_tests("spawn.errors", tests, argc, argv);
}
