/*
 * test_exec_stdio - `noinherit exec`, observed from outside: the standard
 * streams.  A closed one stays closed, close-on-exec ones are passed, a
 * mapping onto stderr leaves the failure message on the old stderr; and
 * the harness's own check that its cloexec preload does what it says.
 *
 * `test_exec_stdio NAME` runs one test (one ctest entry each, exec.NAME);
 * exec_harness.h runs the command.
 */
#define _GNU_SOURCE
#include "exec_harness.h"

/* A closed standard stream stays closed (nothing lands on it). */
static void
stdin_closed(void **state)
{
	struct slot slots[] = { { CLOSED, 0, false }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", REPORTER_PATH, NULL };

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_received(r.out, "1 2");
}

/* 0, 1 and 2 close-on-exec in noinherit: made inheritable, they arrive. */
static void
stdio_cloexec(void **state)
{
	int a = open_text("a", "alpha");
	struct slot slots[] = { { a, 0, true }, { a, 1, true }, { a, 2, true },
	    SLOTS_END };
	char outpath[PATH_MAX];
	struct run r = { .slots = slots };
	const char *args[] = { "exec", REPORTER_PATH, "--out",
	    tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
	assert_text(&rep, 0, "alpha");
	assert_text(&rep, 2, "alpha");
}

/* The harness's own check: the preload does mark a slot close-on-exec
 * (seen in the reporter itself, run without noinherit), and leaves the
 * others alone; else the cloexec tests would pass for nothing. */
static void
harness_preload(void **state)
{
	char outpath[PATH_MAX];
	int a = open_text("a", "alpha");
	struct slot slots[] = { { a, 5, true }, { a, 6, false }, SLOTS_END };
	struct run r = { .prog = REPORTER_PATH, .slots = slots };
	const char *args[] = { "--out", tu_path_unique(outpath, "report"),
	    NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 5 6");
	assert_int_equal(rep.cloexec[report_index(&rep, 5)], 1);
	assert_int_equal(rep.cloexec[report_index(&rep, 6)], 0);
	assert_int_equal(rep.cloexec[report_index(&rep, 1)], 0);
}

/* --map-fd N:2: the child's fd 2 is the file, no saved copy of the old
 * stderr leaks; when the exec fails, the message goes to the stderr
 * noinherit was started with, not into the file. */
static void
stderr_remapped(void **state)
{
	char outpath[PATH_MAX], logpath[PATH_MAX];
	int log = open_cloexec(tu_path_unique(logpath, "log"),
	    O_RDWR | O_CREAT | O_TRUNC);
	struct slot slots[] = { { log, 5, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *ok[] = { "exec", "--map-fd", "5:2", REPORTER_PATH, "--out",
	    tu_path_unique(outpath, "report"), NULL };
	const char *missing[] = { "exec", "--map-fd", "5:2",
	    "ni-no-such-command-4f1c", NULL };
	struct report rep;

	(void)state;
	run_cli(&r, ok);
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
	assert_same_file(&rep, 2, log);

	run_cli(&r, missing);
	assert_int_equal(r.status, 127);
	assert_string_equal(r.err, "noinherit: exec: ni-no-such-command-4f1c: "
	    "command not found\n");
	assert_int_equal(lseek(log, 0, SEEK_END), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(stdin_closed),
		tu_unit_test(stdio_cloexec),
		tu_unit_test(harness_preload),
		tu_unit_test(stderr_remapped),
	};

	return tu_run_tests("exec", tests, argc, argv);
}
