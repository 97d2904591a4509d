/*
 * ni_spawn on Windows: working directory, environment block, PATH and
 * PATHEXT search, a program name with a space and non-ASCII text.  A copy
 * of child.exe lives in a fresh directory named "ni spawn é PID".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "winutil.h"

static wchar_t wdir[MAX_PATH];
static char dir[3 * MAX_PATH];		/* UTF-8 */
static char copy[3 * MAX_PATH];		/* dir\child.exe, UTF-8 */

static int
make_dir(void **state)
{
	(void)state;
	wchar_t tmp[MAX_PATH], wcopy[MAX_PATH];
	GetTempPathW(MAX_PATH, tmp);
	swprintf(wdir, MAX_PATH, L"%lsni spawn \u00e9 %lu", tmp,
	    GetCurrentProcessId());
	CreateDirectoryW(wdir, NULL);
	swprintf(wcopy, MAX_PATH, L"%ls\\child.exe", wdir);
	if (!CopyFileW(wu_child_w(), wcopy, FALSE))
		fail_msg("CopyFileW: %lu", GetLastError());
	WideCharToMultiByte(CP_UTF8, 0, wdir, -1, dir, sizeof dir, NULL, NULL);
	WideCharToMultiByte(CP_UTF8, 0, wcopy, -1, copy, sizeof copy, NULL, NULL);
	return 0;
}

static int
remove_dir(void **state)
{
	(void)state;
	wchar_t wcopy[MAX_PATH];
	swprintf(wcopy, MAX_PATH, L"%ls\\child.exe", wdir);
	DeleteFileW(wcopy);
	RemoveDirectoryW(wdir);
	return 0;
}

/* The text of the child's "WORD HEX" line equals want (ASCII case aside:
 * Windows paths). */
static void
assert_text(const char *out, const char *word, const char *want)
{
	char *got = wu_report_text(out, word);
	if (got == NULL || _stricmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"\n%s", word,
		    got ? got : "(none)", want, out);
	free(got);
}

static char *
run(const char *file, char *const argv[], char *const envp[],
    wu_setup_fn setup, void *arg)
{
	DWORD st = 99;
	char *out = wu_spawn_argv(file, argv, envp, setup, arg, &st);
	if (out == NULL)
		fail_msg("ni_spawn(%s): %s", file, strerror(errno));
	assert_int_equal(st, 0);
	return out;
}

static void
set_cwd(ni_spawn_opts *o, void *arg)
{
	assert_int_equal(ni_spawn_opts_set_cwd(o, arg), 0);
}

static void
set_search(ni_spawn_opts *o, void *arg)
{
	(void)arg;
	assert_int_equal(ni_spawn_opts_set_search_path(o, true), 0);
}

/* The child starts in the directory asked, and a relative file is taken
 * against it, as POSIX ni_spawn's chdir before execve does. */
static void
working_directory(void **state)
{
	(void)state;
	char *argv[] = { "child", "cwd", NULL };
	char *out = run(wu_child(), argv, NULL, set_cwd, dir);
	assert_text(out, "cwd", dir);
	free(out);
	char *self[] = { "child", "self", NULL };
	out = run(".\\child.exe", self, NULL, set_cwd, dir);
	assert_text(out, "self", copy);
	free(out);
}

/* envp becomes the whole environment, UTF-8 to UTF-16; NULL: this
 * process's. */
static void
environment_block(void **state)
{
	(void)state;
	char *envp[] = { "NI_FIRST=1", "NI_TEST=v\xc3\xa4lue \xe2\x82\xac x=y",
	    NULL };
	char *argv[] = { "child", "env", "NI_TEST", NULL };
	char *out = run(wu_child(), argv, envp, NULL, NULL);
	assert_text(out, "env", "v\xc3\xa4lue \xe2\x82\xac x=y");
	free(out);

	char *empty[] = { NULL };
	out = run(wu_child(), argv, empty, NULL, NULL);
	assert_non_null(strstr(out, "env unset\n"));
	free(out);

	SetEnvironmentVariableW(L"NI_TEST", L"from-parent");
	out = run(wu_child(), argv, NULL, NULL, NULL);
	assert_text(out, "env", "from-parent");
	free(out);
	SetEnvironmentVariableW(L"NI_TEST", NULL);
}

/* "child" found through PATH (envp's, any case, quoted entries) and
 * PATHEXT; then through this process's PATH. */
static void
path_search(void **state)
{
	(void)state;
	char pathvar[4 * MAX_PATH];
	snprintf(pathvar, sizeof pathvar, "Path=C:\\no-such;;\"%s\"", dir);
	char *envp[] = { pathvar, "pathext=.com;.exe", NULL };
	char *argv[] = { "child", "self", NULL };
	char *out = run("child", argv, envp, set_search, NULL);
	assert_text(out, "self", copy);
	free(out);

	char *noext[] = { pathvar, NULL };	/* the default PATHEXT */
	out = run("child", argv, noext, set_search, NULL);
	assert_text(out, "self", copy);
	free(out);

	DWORD n = GetEnvironmentVariableW(L"PATH", NULL, 0);
	wchar_t *old = calloc(n + 1, sizeof *old), *mine;
	GetEnvironmentVariableW(L"PATH", old, n + 1);
	mine = calloc(n + MAX_PATH + 2, sizeof *mine);
	swprintf(mine, n + MAX_PATH + 2, L"%ls;%ls", wdir, old);
	SetEnvironmentVariableW(L"PATH", mine);
	out = run("child.exe", argv, NULL, set_search, NULL);
	SetEnvironmentVariableW(L"PATH", old);
	assert_text(out, "self", copy);
	free(out);
	free(old);
	free(mine);
}

/* A path without extension gets PATHEXT's; argv[0] with a space and
 * non-ASCII text arrives whole (the program-name rules). */
static void
program_name(void **state)
{
	(void)state;
	char noext[3 * MAX_PATH + 8];
	snprintf(noext, sizeof noext, "%s\\child", dir);
	char *argv[] = { copy, "argv0", NULL };
	char *out = run(noext, argv, NULL, NULL, NULL);
	assert_text(out, "arg", copy);
	free(out);
	char *odd[] = { "\\ \t\\\\x\xc3\xa9", "argv0", NULL };
	out = run(copy, odd, NULL, NULL, NULL);
	assert_text(out, "arg", odd[0]);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(working_directory),
		cmocka_unit_test(environment_block),
		cmocka_unit_test(path_search),
		cmocka_unit_test(program_name),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
