/*
 * test_exec_cmdline - `noinherit exec`, observed from outside: the command
 * line and the command it names.  Where options end, the PATH search, and
 * every way it refuses: a FROM that is not open, malformed options,
 * conflicting mappings, a command not found, not executable, a directory
 * (status 2, 127, 126, each with its message, nothing run); and --help.
 *
 * `test_exec_cmdline NAME` runs one test (one ctest entry each, exec.NAME);
 * exec_harness.h runs the command.
 */
#define _GNU_SOURCE
#include "exec_harness.h"

/* ------------------------------------------------------------------ */
/* The command line                                                    */
/* ------------------------------------------------------------------ */

/* Without "--", options end at the command: its own options are its. */
static void
no_dashdash(void **state)
{
	char outpath[PATH_MAX];
	struct run r = { 0 };
	const char *args[] = { "exec", REPORTER_PATH, "--out",
	    tu_path_unique(outpath, "report"), "--write-std", NULL };

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "to-1\n");
	assert_string_equal(r.err, "to-2\n");
}

/* A bare name is looked up in PATH, and the arguments follow it. */
static void
path_search(void **state)
{
	char dir[PATH_MAX], link[PATH_MAX], outpath[PATH_MAX];
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	struct run r = { 0 };
	const char *args[] = { "exec", "--", "ni-reporter", "--out",
	    tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	assert_int_equal(mkdir(tu_path_unique(dir, "bin"), 0755), 0);
	assert_true(snprintf(link, sizeof link, "%s/ni-reporter", dir) <
	    (int)sizeof link);
	assert_int_equal(symlink(REPORTER_PATH, link), 0);
	assert_int_equal(setenv("PATH", dir, 1), 0);
	run_cli(&r, args);
	if (old != NULL)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Runs args expecting status and stderr exactly err_expect, and that the
 * command (the reporter, which would print) did not run. */
static void
expect_failure(const struct slot *slots, const char *const args[],
	       int status, const char *err_expect)
{
	struct run r = { .slots = slots };

	run_cli(&r, args);
	if (r.status != status || strcmp(r.err, err_expect) != 0)
		fail_msg("noinherit %s %s ...: status %d, stderr '%s'; "
		    "expected %d, '%s'", args[0], args[1] ? args[1] : "",
		    r.status, r.err, status, err_expect);
	assert_string_equal(r.out, "");
}

static void
closed_from(void **state)
{
	const char *pass[] = { "exec", "--pass-fd", "7", "--", REPORTER_PATH,
	    NULL };
	const char *map[] = { "exec", "--map-fd", "7:3", "--", REPORTER_PATH,
	    NULL };

	(void)state;
	expect_failure(NULL, pass, 2, "noinherit: exec: fd 7 is not open\n");
	expect_failure(NULL, map, 2, "noinherit: exec: fd 7 is not open\n");
}

/* Each malformed command line: status 2, its reason, and nothing run. */
static void
bad_syntax(void **state)
{
	static const struct {
		const char *args[6];
		const char *err;
	} cases[] = {
#define P "noinherit: exec: "
	{ { "exec", "--pass-fd", "x", REPORTER_PATH },
	  P "--pass-fd: 'x' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--pass-fd=-1", REPORTER_PATH },
	  P "--pass-fd: '-1' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--pass-fd", " 1", REPORTER_PATH },
	  P "--pass-fd: ' 1' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--pass-fd", "99999999999", REPORTER_PATH },
	  P "--pass-fd: '99999999999' is not a descriptor number (a "
	    "non-negative integer)\n" },
	{ { "exec", "--pass-fd=", REPORTER_PATH },
	  P "--pass-fd: '' is not a descriptor number (a non-negative "
	    "integer)\n" },
	{ { "exec", "--map-fd", "3", REPORTER_PATH },
	  P "--map-fd: '3' is not FROM:TO (two descriptor numbers)\n" },
	{ { "exec", "--map-fd", "1:", REPORTER_PATH },
	  P "--map-fd: '1:' is not FROM:TO (two non-negative descriptor "
	    "numbers)\n" },
	{ { "exec", "--map-fd=1:-3", REPORTER_PATH },
	  P "--map-fd: '1:-3' is not FROM:TO (two non-negative descriptor "
	    "numbers)\n" },
	{ { "exec", "--map-fd", "1:2:3", REPORTER_PATH },
	  P "--map-fd: '1:2:3' is not FROM:TO (two non-negative descriptor "
	    "numbers)\n" },
	{ { "exec", "--pass-fd" },
	  P "option '--pass-fd' needs an argument (try --help)\n" },
	{ { "exec", "--map-fd" },
	  P "option '--map-fd' needs an argument (try --help)\n" },
	{ { "exec", "--pass-fdx", REPORTER_PATH },
	  P "unknown option '--pass-fdx' (try --help)\n" },
	{ { "exec", "-x", REPORTER_PATH },
	  P "unknown option '-x' (try --help)\n" },
	{ { "exec" }, P "no command given (try --help)\n" },
	{ { "exec", "--pass-fd", "1", "--" },
	  P "no command given (try --help)\n" },
	{ { "exec", "--map-fd", "1:4", "--map-fd", "2:4", REPORTER_PATH },
	  P "fd 4 is the target of two mappings (1:4 and 2:4)\n" },
	{ { "exec", "--map-fd", "1:99999", "--", REPORTER_PATH },
	  P "fd 99999 is beyond the descriptor limit (RLIMIT_NOFILE 1024)\n" },
#undef P
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run r = { 0 };

		r.nofile = 1024;	/* the limit of the last case */
		run_cli(&r, cases[i].args);
		if (r.status != 2 || strcmp(r.err, cases[i].err) != 0)
			fail_msg("case %zu: status %d, stderr '%s'; "
			    "expected 2, '%s'", i, r.status, r.err,
			    cases[i].err);
		assert_string_equal(r.out, "");
	}
}

/*
 * The highest descriptor under the soft limit as a target: `--pass-fd
 * 1023` and `--map-fd 1:1023` at RLIMIT_NOFILE 1024 once exited 2 with "no
 * free descriptor" (the tool's own copy of the plan copied every source
 * above the highest target); ni_spawn did them fine, and ni_exec, which
 * the tool now calls, does (issue 14).
 */
static void
target_at_limit(void **state)
{
	int a = open_text("a", "alpha");
	struct slot slots[] = { { a, 1023, true }, SLOTS_END };
	struct run r = { .slots = slots, .nofile = 1024 };
	struct run r2 = { .nofile = 1024 };
	const char *pass[] = { "exec", "--pass-fd", "1023", REPORTER_PATH, NULL };
	const char *map[] = { "exec", "--map-fd", "1:1023", REPORTER_PATH, NULL };

	(void)state;
	run_cli(&r, pass);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_received(r.out, "0 1 2 1023");
	run_cli(&r2, map);
	assert_string_equal(r2.err, "");
	assert_int_equal(r2.status, 0);
	assert_received(r2.out, "0 1 2 1023");
}

/* The same mapping twice is no conflict. */
static void
same_mapping_twice(void **state)
{
	int a = open_text("a", "alpha");
	struct slot slots[] = { { a, 3, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", "--pass-fd", "3", "--map-fd", "3:3",
	    REPORTER_PATH, NULL };

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_received(r.out, "0 1 2 3");
}

static void
not_found(void **state)
{
	const char *bare[] = { "exec", "--", "ni-no-such-command-4f1c", NULL };
	const char *path[] = { "exec", "/nonexistent-4f1c/cmd", NULL };

	(void)state;
	expect_failure(NULL, bare, 127,
	    "noinherit: exec: ni-no-such-command-4f1c: command not found\n");
	expect_failure(NULL, path, 127,
	    "noinherit: exec: /nonexistent-4f1c/cmd: No such file or "
	    "directory\n");
}

static void
not_executable(void **state)
{
	char file[PATH_MAX], want[PATH_MAX + 64];
	const char *args[] = { "exec", "--",
	    tu_make_file(file, "plain", "#!/bin/sh\necho ran\n"), NULL };

	(void)state;
	assert_int_equal(chmod(file, 0644), 0);
	snprintf(want, sizeof want, "noinherit: exec: %s: Permission denied\n",
	    file);
	expect_failure(NULL, args, 126, want);
}

static void
directory(void **state)
{
	char want[PATH_MAX + 64];
	const char *args[] = { "exec", tu_tmpdir, NULL };

	(void)state;
	snprintf(want, sizeof want, "noinherit: exec: %s: is a directory\n",
	    tu_tmpdir);
	expect_failure(NULL, args, 126, want);
}

static void
help(void **state)
{
	struct run r = { 0 };
	const char *args[] = { "exec", "--help", NULL };

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_true(strncmp(r.out, "usage: noinherit exec ", 22) == 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(no_dashdash),
		tu_unit_test(path_search),
		tu_unit_test(closed_from),
		tu_unit_test(bad_syntax),
		tu_unit_test(target_at_limit),
		tu_unit_test(same_mapping_twice),
		tu_unit_test(not_found),
		tu_unit_test(not_executable),
		tu_unit_test(directory),
		tu_unit_test(help),
	};

	return tu_run_tests("exec", tests, argc, argv);
}
