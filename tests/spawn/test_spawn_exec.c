/*
 * test_spawn_exec - ni_exec, observed from outside: a forked child of the
 * test calls ni_exec(reporter), which reports what it received (its
 * descriptors with inode and flag, cwd, umask, signal mask, session); the
 * test reads the report.  On failure, ni_exec must return -1 with the
 * errno and leave this process as it was: every descriptor with its file
 * and flag, the working directory, umask and signal mask.
 *
 * Usage: test_spawn_exec [NAME-PATTERN]
 */
#define _GNU_SOURCE
#include "spawn_harness.h"

#include <sys/resource.h>
#include <sys/stat.h>

/*
 * Forks; the child calls ni_exec(reporter OUT extra...) with o and exits
 * 100 + errno & 0x3f if it returns.  Fills *r from the report.
 */
static void
exec_report(const ni_spawn_opts *o, struct report *r)
{
	char out[PATH_MAX], *argv[8];
	pid_t pid;
	int st;

	tu_path_unique(out, "report");
	sp_argv(argv, 8, REPORTER_PATH, out, NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)ni_exec(REPORTER_PATH, argv, NULL, o);
		_exit(100 + (errno & 0x3f));
	}
	st = sp_wait(pid);
	if (st != 0)
		fail_msg("the child exited with %d (100 + errno: ni_exec "
		    "failed)", st);
	read_report(out, r);
	assert_int_equal(r->pid, (long)pid);
}

/* Only 0-2 and the targets arrive, swaps and all; the rest is closed. */
static void
exec_fds(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "beta");
	int c = sp_open_text("c", "gamma"), i, many[40];
	ni_spawn_opts *o = sp_opts();
	struct report r;

	(void)state;
	for (i = 0; i < 40; i++) {	/* inheritable: must not arrive */
		many[i] = dup(c);
		assert_true(many[i] >= 0);
	}
	sp_dup_at(a, 3, true);
	sp_dup_at(b, 4, false);
	assert_int_equal(ni_spawn_opts_map_fd(o, 3, 4), 0);	/* a swap */
	assert_int_equal(ni_spawn_opts_map_fd(o, 4, 3), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, c, 9), 0);
	exec_report(o, &r);
	assert_fds(&r, "0 1 2 3 4 9");
	assert_same_file(&r, 3, b);
	assert_same_file(&r, 4, a);
	assert_same_file(&r, 9, c);
	for (i = 0; i < 40; i++)
		close(many[i]);
	close(3);
	close(4);
	ni_spawn_opts_free(o);
	close(a);
	close(b);
	close(c);
}

/* cwd, umask, signal mask and setsid reach the program. */
static void
exec_attrs(void **state)
{
	ni_spawn_opts *o = sp_opts();
	char real[PATH_MAX];
	sigset_t set;
	struct report r;

	(void)state;
	assert_non_null(realpath(tu_tmpdir, real));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	assert_int_equal(ni_spawn_opts_set_cwd(o, tu_tmpdir), 0);
	assert_int_equal(ni_spawn_opts_set_umask(o, 027), 0);
	assert_int_equal(ni_spawn_opts_set_sigmask(o, &set), 0);
	assert_int_equal(ni_spawn_opts_set_setsid(o, true), 0);
	exec_report(o, &r);
	assert_string_equal(r.cwd, real);
	assert_int_equal(r.umask, 027);
	assert_true(r.blk & (1ULL << (SIGUSR2 - 1)));
	assert_int_equal(r.sid, r.pid);
	ni_spawn_opts_free(o);
}

/* What a failure must leave as it was. */
struct state {
	struct fdtab tab;
	char cwd[PATH_MAX];
	mode_t umask;
	sigset_t mask;
	dev_t dev[8];
	ino_t ino[8];
};

static void
take_state(struct state *s)
{
	struct stat st;
	int fd;

	fdtab_take(&s->tab);
	assert_non_null(getcwd(s->cwd, sizeof s->cwd));
	s->umask = umask(0);
	umask(s->umask);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &s->mask), 0);
	for (fd = 0; fd < 8; fd++) {
		s->dev[fd] = 0;
		s->ino[fd] = 0;
		if (fstat(fd, &st) == 0) {
			s->dev[fd] = st.st_dev;
			s->ino[fd] = st.st_ino;
		}
	}
}

static void
assert_state_same(struct state *s)
{
	struct state now;
	int fd, sig;

	take_state(&now);
	fdtab_free(&now.tab);
	assert_fdtab_same(&s->tab);
	assert_string_equal(now.cwd, s->cwd);
	assert_int_equal(now.umask, s->umask);
	for (sig = 1; sig < 32; sig++)
		assert_int_equal(sigismember(&now.mask, sig),
		    sigismember(&s->mask, sig));
	for (fd = 0; fd < 8; fd++) {
		if (now.dev[fd] != s->dev[fd] || now.ino[fd] != s->ino[fd])
			fail_msg("fd %d holds another file after the failure",
			    fd);
	}
}

#define assert_exec_fails(file, argv, o, e) do {                             \
	struct state s_;                                                     \
	int rc_, e_;                                                         \
	take_state(&s_);                                                     \
	errno = 0;                                                           \
	rc_ = ni_exec((file), (argv), NULL, (o));                             \
	e_ = errno;                                                          \
	assert_int_equal(rc_, -1);                                           \
	assert_errno_is(e_, (e));                                            \
	assert_state_same(&s_);                                              \
} while (0)

/*
 * A failed ni_exec -- before any change (EBADF, ENOENT without search) and
 * after every change (execve's ENOENT, EACCES, a chdir error) -- leaves
 * this process as it was, with a swap, a rotation of 0-2, a target that was
 * closed and many inheritable descriptors in the plan.
 */
static void
exec_failure_restores(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "beta");
	int i, many[40];
	char *argv[] = { (char *)"x", NULL };
	char notexec[PATH_MAX];
	ni_spawn_opts *o = sp_opts(), *bad = sp_opts(), *cwd = sp_opts();
	sigset_t set;

	(void)state;
	tu_make_file(notexec, "notexec", "data");
	for (i = 0; i < 40; i++) {
		many[i] = dup(a);
		assert_true(many[i] >= 0);
	}
	sp_dup_at(a, 3, true);
	sp_dup_at(b, 4, false);
	close(6);
	assert_int_equal(ni_spawn_opts_map_fd(o, 3, 4), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, 4, 3), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, 0, 1), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, 1, 2), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, 2, 0), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, a, 6), 0);
	assert_int_equal(ni_spawn_opts_set_cwd(o, "/"), 0);
	assert_int_equal(ni_spawn_opts_set_umask(o, 077), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	assert_int_equal(ni_spawn_opts_set_sigmask(o, &set), 0);

	assert_exec_fails("/nonexistent-4f1c/prog", argv, o, ENOENT);
	assert_exec_fails(notexec, argv, o, EACCES);
	assert_exec_fails("prog", argv, o, ENOENT);	/* no search */
	assert_int_equal(ni_spawn_opts_set_search_path(o, true), 0);
	assert_exec_fails("ni-no-such-command-4f1c", argv, o, ENOENT);
	assert_int_equal(ni_spawn_opts_map_fd(bad, 77, 5), 0);
	assert_exec_fails(REPORTER_PATH, argv, bad, EBADF);
	assert_int_equal(ni_spawn_opts_map_fd(cwd, a, 5), 0);
	assert_int_equal(ni_spawn_opts_set_cwd(cwd, "/nonexistent-4f1c"), 0);
	assert_exec_fails(REPORTER_PATH, argv, cwd, ENOENT);
	assert_exec_fails(NULL, argv, NULL, EINVAL);

	for (i = 0; i < 40; i++)
		close(many[i]);
	close(3);
	close(4);
	ni_spawn_opts_free(o);
	ni_spawn_opts_free(bad);
	ni_spawn_opts_free(cwd);
	close(a);
	close(b);
}

/*
 * No descriptor free for the copy of one a mapping overwrites: EMFILE
 * before any change.  A target equal to its source needs none, even at
 * the top of the soft limit.
 */
static void
exec_emfile(void **state)
{
	int a = sp_open_text("a", "alpha"), b = sp_open_text("b", "beta");
	char *argv[] = { (char *)"x", NULL };
	ni_spawn_opts *o = sp_opts();

	struct state s;
	struct rlimit rl;
	int rc, e;

	(void)state;
	sp_dup_at(b, 3, true);
	sp_dup_at(b, 4, true);
	sp_dup_at(b, 5, false);
	assert_int_equal(ni_spawn_opts_map_fd(o, a, 5), 0);
	take_state(&s);		/* it needs descriptors of its own */
	/* 0-5 open, the soft limit 6: no room below it (a, b are above). */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = 6;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	errno = 0;
	rc = ni_exec("/nonexistent-4f1c/prog", argv, NULL, o);
	e = errno;
	tu_unlimit_fds();
	assert_int_equal(rc, -1);
	assert_errno_is(e, EMFILE);
	assert_state_same(&s);
	close(5);
	ni_spawn_opts_free(o);
	close(a);
	close(b);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(exec_fds),
		tu_unit_test(exec_attrs),
		tu_unit_test(exec_failure_restores),
		tu_unit_test(exec_emfile),
	};

	return tu_run_tests("spawn.exec", tests, argc, argv);
}
