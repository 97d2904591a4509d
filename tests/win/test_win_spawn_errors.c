/*
 * ni_spawn's errors on Windows: each fails before any child, with the
 * errno POSIX ni_spawn gives, *pid untouched and this process's handle
 * count unchanged.  Also the options' argument checks.
 */
#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "winutil.h"

static char dir[MAX_PATH * 3];		/* UTF-8, a fresh directory */
static char path[MAX_PATH * 3];

/* dir\name into path, returned. */
static const char *
in_dir(const char *name)
{
	snprintf(path, sizeof path, "%s\\%s", dir, name);
	return path;
}

static void
write_file(const char *name, const char *text)
{
	FILE *f = fopen(in_dir(name), "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
make_dir(void **state)
{
	(void)state;
	char tmp[MAX_PATH];
	GetTempPathA(sizeof tmp, tmp);
	snprintf(dir, sizeof dir, "%sni-spawn-err-%lu", tmp,
	    GetCurrentProcessId());
	CreateDirectoryA(dir, NULL);
	write_file("s1.bat", "@echo off\r\n");
	write_file("s2.cmd", "@echo off\r\n");
	write_file("junk.exe", "this is not a program\r\n");
	write_file("file.txt", "x");
	CreateDirectoryA(in_dir("sub"), NULL);
	/* Warm-up: the first spawn loads what later ones reuse. */
	DWORD st;
	const char *args[] = { "exit", "0", NULL };
	free(wu_run_spawn(args, NULL, NULL, &st));
	return 0;
}

static int
remove_dir(void **state)
{
	(void)state;
	const char *files[] = { "s1.bat", "s2.cmd", "junk.exe", "file.txt" };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		DeleteFileA(in_dir(files[i]));
	RemoveDirectoryA(in_dir("sub"));
	RemoveDirectoryA(dir);
	return 0;
}

/* ni_spawn fails with want, changing nothing. */
static void
expect_fail_at(int line, int want, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o)
{
	DWORD before = wu_handle_count();
	pid_t pid = 12345;
	errno = 0;
	int r = wu_ni_spawn(&pid, file, argv, envp, o);
	int err = errno;
	if (r != -1 || err != want)
		fail_msg("line %d: ni_spawn(%s) = %d, errno %d; want -1, %d",
		    line, file ? file : "NULL", r, err, want);
	assert_int_equal(pid, 12345);
	assert_int_equal(wu_handle_count(), before);
}
#define expect_fail(...) expect_fail_at(__LINE__, __VA_ARGS__)

static char *child_argv[] = { "child", "exit", "0", NULL };

static void
not_found(void **state)
{
	(void)state;
	expect_fail(ENOENT, in_dir("nope.exe"), child_argv, NULL, NULL);
	expect_fail(ENOENT, in_dir("nope"), child_argv, NULL, NULL);
	expect_fail(ENOENT, "child", child_argv, NULL, NULL);	/* no search */
	expect_fail(ENOENT, "", child_argv, NULL, NULL);
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_int_equal(ni_spawn_opts_set_search_path(o, true), 0);
	char pathvar[MAX_PATH * 3 + 8];
	snprintf(pathvar, sizeof pathvar, "PATH=%s", dir);
	char *envp[] = { pathvar, NULL };
	expect_fail(ENOENT, "nope", child_argv, envp, o);
	expect_fail(ENOENT, "file", child_argv, envp, o); /* .txt: no PATHEXT */
	char *noenv[] = { NULL };
	expect_fail(ENOENT, "child", child_argv, noenv, o);	/* no PATH */
	expect_fail(EACCES, dir, child_argv, NULL, NULL);	/* a directory */
	expect_fail(EACCES, in_dir("sub"), child_argv, NULL, NULL);
	ni_spawn_opts_free(o);
}

/* .bat and .cmd would run through cmd.exe, and a non-program does not run. */
static void
not_executable(void **state)
{
	(void)state;
	expect_fail(ENOEXEC, in_dir("s1.bat"), child_argv, NULL, NULL);
	expect_fail(ENOEXEC, in_dir("S1.BAT"), child_argv, NULL, NULL);
	expect_fail(ENOEXEC, in_dir("s2.cmd"), child_argv, NULL, NULL);
	expect_fail(ENOEXEC, in_dir("s1"), child_argv, NULL, NULL); /* PATHEXT */
	expect_fail(ENOEXEC, in_dir("s1.bat."), child_argv, NULL, NULL);
	expect_fail(ENOEXEC, in_dir("s1.bat. ."), child_argv, NULL, NULL);
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_int_equal(ni_spawn_opts_set_search_path(o, true), 0);
	char pathvar[MAX_PATH * 3 + 8];
	snprintf(pathvar, sizeof pathvar, "Path=%s", dir);
	char *envp[] = { pathvar, NULL };
	expect_fail(ENOEXEC, "s2", child_argv, envp, o);
	expect_fail(ENOEXEC, "s1.bat", child_argv, envp, o);
	ni_spawn_opts_free(o);
	expect_fail(ENOEXEC, in_dir("junk.exe"), child_argv, NULL, NULL);
}

static void
bad_descriptors(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(ni_pipe(p), 0);
	_close(p[0]);
	_close(p[1]);
	const int bad_from[] = { p[0], 1500, 2047, 2048, 100000 };
	for (size_t i = 0; i < sizeof bad_from / sizeof *bad_from; i++) {
		ni_spawn_opts *o = ni_spawn_opts_new();
		assert_int_equal(ni_spawn_opts_map_fd(o, bad_from[i], 3), 0);
		expect_fail(EBADF, wu_child(), child_argv, NULL, o);
		ni_spawn_opts_free(o);
	}
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_int_equal(ni_spawn_opts_map_fd(o, 1, 2048), 0);
	expect_fail(EBADF, wu_child(), child_argv, NULL, o);
	ni_spawn_opts_free(o);
}

static void
bad_arguments(void **state)
{
	(void)state;
	pid_t pid = 7;
	assert_int_equal(ni_spawn(NULL, wu_child(), child_argv, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn(&pid, NULL, child_argv, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn(&pid, wu_child(), NULL, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pid, 7);
	char *quoted0[] = { "a\"b", "exit", "0", NULL };
	expect_fail(EINVAL, wu_child(), quoted0, NULL, NULL);
	char *noeq[] = { "A=1", "NOEQUALS", NULL };
	expect_fail(EINVAL, wu_child(), child_argv, noeq, NULL);
	char *empty[] = { "", NULL };
	expect_fail(EINVAL, wu_child(), child_argv, empty, NULL);
}

static void
too_long_and_not_utf8(void **state)
{
	(void)state;
	char *big = malloc(70000);
	assert_non_null(big);
	memset(big, 'a', 39999);
	big[39999] = 0;
	char *argv[] = { "child", "exit", big, NULL };
	expect_fail(E2BIG, wu_child(), argv, NULL, NULL);
	/* Under the byte bound, over the UTF-16 one: 33000 x U+00E9. */
	for (int i = 0; i < 33000; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[66000] = 0;
	expect_fail(E2BIG, wu_child(), argv, NULL, NULL);
	free(big);

	char *bad[] = { "child", "\xff", NULL };
	expect_fail(EILSEQ, wu_child(), bad, NULL, NULL);
	char *badenv[] = { "A=\xc3", NULL };
	expect_fail(EILSEQ, wu_child(), child_argv, badenv, NULL);
	expect_fail(EILSEQ, "C:\\\xfe.exe", child_argv, NULL, NULL);
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_int_equal(ni_spawn_opts_set_cwd(o, "C:\\\x80"), 0);
	expect_fail(EILSEQ, wu_child(), child_argv, NULL, o);
	ni_spawn_opts_free(o);
}

static void
bad_cwd(void **state)
{
	(void)state;
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_int_equal(ni_spawn_opts_set_cwd(o, in_dir("no-such-dir")), 0);
	expect_fail(ENOENT, wu_child(), child_argv, NULL, o);
	assert_int_equal(ni_spawn_opts_set_cwd(o, in_dir("file.txt")), 0);
	expect_fail(ENOTDIR, wu_child(), child_argv, NULL, o);
	ni_spawn_opts_free(o);
}

static void
option_checks(void **state)
{
	(void)state;
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_non_null(o);
	assert_int_equal(ni_spawn_opts_map_fd(NULL, 1, 3), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn_opts_map_fd(o, -1, 3), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ni_spawn_opts_map_fd(o, 1, -3), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ni_spawn_opts_pass_fd(o, -2), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(ni_spawn_opts_map_fd(o, 1, 3), 0);
	assert_int_equal(ni_spawn_opts_map_fd(o, 1, 3), 0);	/* again: fine */
	assert_int_equal(ni_spawn_opts_map_fd(o, 2, 3), -1);	/* two sources */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn_opts_set_close_fds(NULL, true), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn_opts_set_cwd(NULL, "C:\\"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn_opts_set_search_path(NULL, true), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn_opts_set_cwd(o, NULL), 0);
	/* What Windows has no sense of. */
	assert_int_equal(ni_spawn_opts_set_setsid(o, true), -1);
	assert_int_equal(errno, ENOSYS);
	assert_int_equal(ni_spawn_opts_set_pgroup(o, 0), -1);
	assert_int_equal(errno, ENOSYS);
	assert_int_equal(ni_spawn_opts_set_pgroup(o, -1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ni_spawn_opts_set_umask(o, 022), -1);
	assert_int_equal(errno, ENOSYS);
	assert_int_equal(ni_spawn_opts_set_setsid(NULL, true), -1);
	assert_int_equal(errno, EINVAL);
	ni_spawn_opts_free(o);
	ni_spawn_opts_free(NULL);

	DWORD before = wu_handle_count();
	int pidfd = -5;
	pid_t pid = 3;
	assert_int_equal(ni_spawn_pidfd(&pidfd, &pid, wu_child(), child_argv,
	    NULL, NULL), -1);
	assert_int_equal(errno, ENOSYS);
	assert_int_equal(pidfd, -5);
	assert_int_equal(pid, 3);
	assert_int_equal(wu_handle_count(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(not_found),
		cmocka_unit_test(not_executable),
		cmocka_unit_test(bad_descriptors),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(too_long_and_not_utf8),
		cmocka_unit_test(bad_cwd),
		cmocka_unit_test(option_checks),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
