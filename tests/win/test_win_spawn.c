/*
 * ni_spawn on Windows: what a child receives, checked from inside it by
 * child.exe.  Every test also checks this process's handle count.
 */
#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "winutil.h"

/* Is this process's descriptor fd open (so the child gets it as well)? */
static bool
parent_has_fd(int fd)
{
	intptr_t h = _get_osfhandle(fd);
	return h != -1 && h != -2;
}

static bool
inheritable(HANDLE h)
{
	DWORD flags = 0;
	assert_true(GetHandleInformation(h, &flags));
	return (flags & HANDLE_FLAG_INHERIT) != 0;
}

/* A non-inheritable pipe holding text, write end closed: its read end. */
static int
pipe_with(const char *text)
{
	int p[2];
	assert_int_equal(ni_pipe(p), 0);
	assert_int_equal(_write(p[1], text, (unsigned)strlen(text)),
	    (int)strlen(text));
	_close(p[1]);
	return p[0];
}

struct maps {
	int n;
	int from[8], to[8];
	bool keep_inheritable;	/* close_fds false */
};

static void
setup_maps(ni_spawn_opts *o, void *arg)
{
	struct maps *m = arg;
	for (int i = 0; i < m->n; i++)
		assert_int_equal(ni_spawn_opts_map_fd(o, m->from[i], m->to[i]), 0);
	if (m->keep_inheritable)
		assert_int_equal(ni_spawn_opts_set_close_fds(o, false), 0);
}

/* "read FD HEX" of the child's report, as text. */
static void
assert_read(const char *out, int fd, const char *want)
{
	char word[16];
	snprintf(word, sizeof word, "read %d", fd);
	char *got = wu_report_text(out, word);
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("fd %d: read \"%s\", want \"%s\"\n%s", fd,
		    got ? got : "(nothing)", want, out);
	free(got);
}

/* The child holds its std descriptors, the mapped ones, and no other
 * inheritable handle; a handle made inheritable here does not reach it. */
static void
only_std_and_mapped(void **state)
{
	(void)state;
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE rd, wr;
	assert_true(CreatePipe(&rd, &wr, &sa, 0));
	struct maps m = { .n = 1, .from = { pipe_with("x") }, .to = { 3 } };
	DWORD before = wu_handle_count(), st;
	const char *args[] = { "full", NULL };
	char *out = wu_run_spawn(args, setup_maps, &m, &st);
	assert_int_equal(st, 0);
	assert_int_equal(wu_report_strays(out), 0);
	assert_false(wu_report_has_handle(out, rd));
	assert_false(wu_report_has_handle(out, wr));
	int nfd = 0;
	for (int fd = 0; fd < 64; fd++)
		nfd += wu_report_has_fd(out, fd);
	assert_int_equal(nfd, parent_has_fd(0) + 1 + parent_has_fd(2) + 1);
	assert_true(wu_report_has_fd(out, 1));
	assert_true(wu_report_has_fd(out, 3));
	assert_int_equal(wu_report_has_fd(out, 0), parent_has_fd(0));
	assert_int_equal(wu_report_has_fd(out, 2), parent_has_fd(2));
	assert_int_equal(wu_report_inh_count(out), nfd);
	/* This process's flags did not change. */
	assert_false(inheritable((HANDLE)_get_osfhandle(m.from[0])));
	assert_int_equal(wu_handle_count(), before);
	free(out);
	_close(m.from[0]);
	CloseHandle(rd);
	CloseHandle(wr);
}

/* close_fds false: every inheritable handle goes too, as on POSIX. */
static void
close_fds_false_inherits(void **state)
{
	(void)state;
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE rd, wr;
	assert_true(CreatePipe(&rd, &wr, &sa, 0));
	struct maps m = { .keep_inheritable = true };
	DWORD st;
	const char *args[] = { "full", NULL };
	char *out = wu_run_spawn(args, setup_maps, &m, &st);
	assert_int_equal(st, 0);
	assert_true(wu_report_has_handle(out, rd));
	assert_true(wu_report_has_handle(out, wr));
	assert_true(wu_report_has_fd(out, 1));
	free(out);
	CloseHandle(rd);
	CloseHandle(wr);
}

/* Mapped descriptors keep their numbers and carry their data, sparse
 * targets included (the inheritance block has holes). */
static void
mapped_numbers_and_content(void **state)
{
	(void)state;
	struct maps m = { .n = 3,
	    .from = { pipe_with("three"), pipe_with("seven"), pipe_with("x\r\ny") },
	    .to = { 3, 7, 40 } };
	DWORD st;
	const char *args[] = { "read", "3", "7", "40", "5", NULL };
	char *out = wu_run_spawn(args, setup_maps, &m, &st);
	assert_int_equal(st, 0);
	assert_read(out, 3, "three");
	assert_read(out, 7, "seven");
	assert_read(out, 40, "x\r\ny");		/* binary: no CRLF folding */
	assert_non_null(strstr(out, "read 5 error\n"));
	free(out);
	for (int i = 0; i < m.n; i++)
		_close(m.from[i]);
}

/* The highest descriptor the inheritance block can carry (2047), below
 * msvcrt's lowio limit; 2048 is refused (test_win_spawn_errors). */
static void
highest_target(void **state)
{
	(void)state;
	struct maps m = { .n = 1, .from = { pipe_with("top") }, .to = { 2047 } };
	DWORD st;
	const char *args[] = { "read", "2047", NULL };
	char *out = wu_run_spawn(args, setup_maps, &m, &st);
	assert_int_equal(st, 0);
	assert_read(out, 2047, "top");
	free(out);
	_close(m.from[0]);
}

/* a -> b and b -> a at once; one source onto two targets. */
static void
swap_and_fan_out(void **state)
{
	(void)state;
	int a = pipe_with("from-a"), b = pipe_with("from-b");
	int c = pipe_with("from-c");
	struct maps m = { .n = 4, .from = { a, b, c, c },
	    .to = { b, a, 20, 21 } };
	char sa[8], sb[8];
	snprintf(sa, sizeof sa, "%d", a);
	snprintf(sb, sizeof sb, "%d", b);
	DWORD st;
	const char *args[] = { "read", sa, sb, "20", "21", NULL };
	char *out = wu_run_spawn(args, setup_maps, &m, &st);
	assert_int_equal(st, 0);
	assert_read(out, a, "from-b");
	assert_read(out, b, "from-a");
	assert_read(out, 20, "from-c");
	assert_non_null(strstr(out, "read 21 -\n"));	/* open, at EOF */
	free(out);
	_close(a);
	_close(b);
	_close(c);
}

/* With this process's 0 and 2 on pipes (made by _dup2, which makes
 * inheritable handles), the child gets pipes there, as its only
 * inheritable handles besides 1; and a mapping onto 0 feeds its stdin. */
static void
std_handles_as_pipes(void **state)
{
	(void)state;
	int in[2], err[2];
	assert_int_equal(ni_pipe(in), 0);
	assert_int_equal(ni_pipe(err), 0);
	int save0 = _dup(0), save2 = _dup(2);
	assert_int_equal(_dup2(in[0], 0), 0);
	assert_int_equal(_dup2(err[1], 2), 0);
	DWORD st;
	const char *args[] = { "full", NULL };
	char *out = wu_run_spawn(args, NULL, NULL, &st);
	const char *rargs[] = { "read", "0", NULL };
	struct maps m = { .n = 1, .from = { pipe_with("stdin!") }, .to = { 0 } };
	char *rout = wu_run_spawn(rargs, setup_maps, &m, &st);
	_dup2(save0, 0);
	_dup2(save2, 2);
	_close(save0);
	_close(save2);
	assert_non_null(strstr(out, "fd 0 pipe"));
	assert_non_null(strstr(out, "fd 1 pipe"));
	assert_non_null(strstr(out, "fd 2 pipe"));
	assert_int_equal(wu_report_strays(out), 0);
	assert_int_equal(wu_report_inh_count(out), 3);
	assert_read(rout, 0, "stdin!");
	free(out);
	free(rout);
	_close(m.from[0]);
	for (int i = 0; i < 2; i++) {
		_close(in[i]);
		_close(err[i]);
	}
}

/* The returned pid is a process handle: wait, exit code, GetProcessId;
 * not inheritable. */
static void
exit_status_through_handle(void **state)
{
	(void)state;
	char *argv[] = { (char *)wu_child(), "exit", "42", NULL };
	pid_t pid = 0;
	assert_int_equal(wu_ni_spawn(&pid, wu_child(), argv, NULL, NULL), 0);
	HANDLE h = (HANDLE)(intptr_t)pid;
	assert_false(inheritable(h));
	assert_int_not_equal(GetProcessId(h), 0);
	assert_int_equal(WaitForSingleObject(h, 10000), WAIT_OBJECT_0);
	DWORD code = 0;
	assert_true(GetExitCodeProcess(h, &code));
	assert_int_equal(code, 42);
	assert_true(CloseHandle(h));
}

/* Many spawns leave this process's handle count as it was. */
static void
many_spawns_leak_nothing(void **state)
{
	(void)state;
	int extra = pipe_with("data");
	struct maps m = { .n = 2, .from = { extra, extra }, .to = { 3, 9 } };
	const char *args[] = { "exit", "0", NULL };
	DWORD st;
	free(wu_run_spawn(args, setup_maps, &m, &st));	/* warm-up */
	DWORD before = wu_handle_count();
	for (int i = 0; i < 40; i++) {
		free(wu_run_spawn(args, setup_maps, &m, &st));
		assert_int_equal(st, 0);
	}
	assert_int_equal(wu_handle_count(), before);
	_close(extra);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_std_and_mapped),
		cmocka_unit_test(close_fds_false_inherits),
		cmocka_unit_test(mapped_numbers_and_content),
		cmocka_unit_test(highest_target),
		cmocka_unit_test(swap_and_fan_out),
		cmocka_unit_test(std_handles_as_pipes),
		cmocka_unit_test(exit_status_through_handle),
		cmocka_unit_test(many_spawns_leak_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
