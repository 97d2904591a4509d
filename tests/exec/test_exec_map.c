/*
 * test_exec_map - `noinherit exec`, observed from outside: what arrives in
 * the command.  Only 0, 1, 2 by default; --pass-fd keeps a descriptor;
 * --map-fd moves them, as one step: swaps, rotations of the standard
 * streams, a FROM that is another mapping's TO, one source onto two
 * targets, each checked by content (tests/reporter) or by the data that flows.
 *
 * `test_exec_map NAME` runs one test (one ctest entry each, exec.NAME);
 * exec_harness.h runs the command.
 */
#define _GNU_SOURCE
#include "exec_harness.h"

#include <sys/socket.h>

/* Only 0, 1, 2 arrive, however many inheritable descriptors noinherit
 * has, one of them above its (lowered) soft RLIMIT_NOFILE. */
static void
default_stdio_only(void **state)
{
	struct slot slots[32];
	struct run r = { 0 };
	int fd = open_text("default", "data"), i, n = 0;
	const char *args[] = { "exec", "--", REPORTER_PATH, NULL };

	(void)state;
	for (i = 3; i < 23; i++)
		slots[n++] = (struct slot){ fd, i, false };
	slots[n++] = (struct slot){ fd, HIGH_FD, false };
	slots[n] = (struct slot)SLOTS_END;
	r.slots = slots;
	r.nofile = 64;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	assert_received(r.out, "0 1 2");
}

/* A close-on-exec fd named by --pass-fd arrives, same number and file;
 * an inheritable one not named does not.  Both spellings of the option. */
static void
check_pass_fd(const char *opt, const char *val)
{
	char outpath[PATH_MAX];
	int a = open_text("pass", "alpha"), b = open_text("other", "bravo");
	struct slot slots[] = { { a, 5, true }, { b, 6, false }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[8];
	struct report rep;
	int n = 0;

	args[n++] = "exec";
	args[n++] = opt;
	if (val != NULL)
		args[n++] = val;
	args[n++] = "--";
	args[n++] = REPORTER_PATH;
	args[n++] = "--out";
	args[n++] = tu_path_unique(outpath, "report");
	args[n] = NULL;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 5");
	assert_text(&rep, 5, "alpha");
	assert_same_file(&rep, 5, a);
	close(a);
	close(b);
}

static void
pass_fd_cloexec(void **state)
{
	(void)state;
	check_pass_fd("--pass-fd", "5");
	check_pass_fd("--pass-fd=5", NULL);
}

/* 3:4 and 4:3 swap: fd 3 shows B's content, fd 4 A's. */
static void
swap(void **state)
{
	char outpath[PATH_MAX];
	int a = open_text("a", "alpha"), b = open_text("b", "bravo");
	struct slot slots[] = { { a, 3, false }, { b, 4, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", "--map-fd", "3:4", "--map-fd", "4:3",
	    "--", REPORTER_PATH, "--out", tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 3 4");
	assert_text(&rep, 3, "bravo");
	assert_text(&rep, 4, "alpha");
	assert_same_file(&rep, 3, b);
	assert_same_file(&rep, 4, a);
}

/* A FROM that is another mapping's TO: 3:4 and 4:5 give 4 = A, 5 = B
 * (in sequence, 5 would get A too). */
static void
from_is_other_to(void **state)
{
	char outpath[PATH_MAX];
	int a = open_text("a", "alpha"), b = open_text("b", "bravo");
	struct slot slots[] = { { a, 3, true }, { b, 4, true }, SLOTS_END };
	struct run r = { .slots = slots };
	const char *args[] = { "exec", "--map-fd=3:4", "--map-fd=4:5", "--",
	    REPORTER_PATH, "--out", tu_path_unique(outpath, "report"), NULL };
	struct report rep;

	(void)state;
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2 4 5");
	assert_text(&rep, 4, "alpha");
	assert_text(&rep, 5, "bravo");
}

/* 0 -> 1 -> 2 -> 0 over three pipes: what the child writes on its fd N
 * comes out of the pipe that noinherit had on the fd mapped to N. */
static void
rotate_stdio(void **state)
{
	char outpath[PATH_MAX], got[64];
	int p[3][2], k;
	struct slot slots[4];
	struct run r = { 0 };
	const char *args[] = { "exec", "--map-fd", "0:1", "--map-fd", "1:2",
	    "--map-fd", "2:0", "--", REPORTER_PATH, "--out",
	    tu_path_unique(outpath, "report"), "--write-std", NULL };
	static const char *const expect[3] = { "to-1\n", "to-2\n", "to-0\n" };
	struct report rep;

	(void)state;
	for (k = 0; k < 3; k++) {
		make_pipe(p[k]);
		slots[k] = (struct slot){ p[k][1], k, false };
	}
	slots[3] = (struct slot)SLOTS_END;
	r.slots = slots;
	run_cli(&r, args);
	for (k = 0; k < 3; k++)
		close(p[k][1]);
	for (k = 0; k < 3; k++) {
		drain(p[k][0], got, sizeof got);
		if (strcmp(got, expect[k]) != 0)
			fail_msg("pipe on noinherit's fd %d: got '%s', "
			    "expected '%s' (status %d)", k, got, expect[k],
			    r.status);
	}
	assert_int_equal(r.status, 0);
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
}

/* One socket onto both stdin and stdout: the child's echo of our line
 * comes back on the other end. */
static void
one_source_two_targets(void **state)
{
	char outpath[PATH_MAX], got[64];
	int sv[2];
	struct slot slots[2];
	struct run r = { 0 };
	const char *args[] = { "exec", "--map-fd", "5:0", "--map-fd", "5:1",
	    "--", REPORTER_PATH, "--out", tu_path_unique(outpath, "report"), "--echo",
	    NULL };
	struct report rep;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	set_cloexec(sv[0]);
	set_cloexec(sv[1]);
	slots[0] = (struct slot){ sv[1], 5, true };
	slots[1] = (struct slot)SLOTS_END;
	r.slots = slots;
	assert_int_equal(write(sv[0], "ping\n", 5), 5);
	run_cli(&r, args);
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	drain(sv[0], got, sizeof got);
	assert_string_equal(got, "echo:ping\n");
	read_report(outpath, &rep);
	assert_string_equal(rep.fds, "0 1 2");
	assert_same_file(&rep, 0, sv[1]);
	assert_same_file(&rep, 1, sv[1]);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		tu_unit_test(default_stdio_only),
		tu_unit_test(pass_fd_cloexec),
		tu_unit_test(swap),
		tu_unit_test(from_is_other_to),
		tu_unit_test(rotate_stdio),
		tu_unit_test(one_source_two_targets),
	};

	return tu_run_tests("exec", tests, argc, argv);
}
