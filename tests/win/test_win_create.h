/*
 * test_win_create.h - the checks every Windows creator test shares: a
 * handle is not inheritable, seen from inside (its flag) and from outside
 * (a real child started with bInheritHandles TRUE does not hold it), with
 * a control run showing that the same child does report it once it is
 * made inheritable.  Handle values survive inheritance, so the child's
 * "inh 0x..." lines name the parent's values.
 */
#ifndef NI_TEST_WIN_CREATE_H
#define NI_TEST_WIN_CREATE_H

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "winutil.h"

/* 1: ni_spawn works, 0: not written yet (ENOSYS), -1: not asked yet. */
static int spawn_state = -1;

static inline bool
spawn_ready(void)
{
	char *argv[] = { (char *)wu_child(), "exit", "0", NULL };
	pid_t pid;

	if (spawn_state >= 0)
		return spawn_state == 1;
	if (ni_spawn(&pid, wu_child(), argv, NULL, NULL) != 0) {
		assert_int_equal(errno, ENOSYS);
		print_message("ni_spawn: ENOSYS, its checks are skipped\n");
		spawn_state = 0;
		return false;
	}
	WaitForSingleObject((HANDLE)(intptr_t)pid, INFINITE);
	CloseHandle((HANDLE)(intptr_t)pid);
	print_message("ni_spawn works: its children are checked too\n");
	spawn_state = 1;
	return true;
}

/* Does a child of ni_spawn (stdout mapped, nothing else) hold none of hs? */
static inline void
check_spawn_lacks(const HANDLE *hs, size_t n)
{
	static const char *const args[] = { "report", NULL };
	DWORD st;
	char *out;
	size_t i;

	if (!spawn_ready())
		return;
	out = wu_run_spawn(args, NULL, NULL, &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "end\n"));
	for (i = 0; i < n; i++)
		if (wu_report_has_handle(out, hs[i]))
			fail_msg("a child of ni_spawn got handle %p", hs[i]);
	free(out);
}

/* Is h listed by a child of plain CreateProcess(bInheritHandles TRUE)? */
static inline bool
plain_child_has(HANDLE h)
{
	DWORD st;
	char *out = wu_run_plain(L"report", &st);
	bool has;

	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "end\n"));
	has = wu_report_has_handle(out, h);
	free(out);
	return has;
}

/*
 * Each of hs[0..n) is not inheritable by its flag, nor by what a child
 * receives, through CreateProcess and through ni_spawn; the control: made
 * inheritable, the plain child does list each.  The flags are clear again
 * on return.  One child run serves all n (a Wine process start is slow).
 */
static inline void
check_handles(const HANDLE *hs, size_t n)
{
	DWORD flags, st;
	char *out;
	size_t i;

	for (i = 0; i < n; i++) {
		flags = 0;
		assert_true(hs[i] != NULL && hs[i] != INVALID_HANDLE_VALUE);
		assert_true(GetHandleInformation(hs[i], &flags));
		assert_int_equal(flags & HANDLE_FLAG_INHERIT, 0);
		assert_int_equal(ni_get_handle_inheritable(hs[i]), 0);
	}
	out = wu_run_plain(L"report", &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "end\n"));
	for (i = 0; i < n; i++)
		if (wu_report_has_handle(out, hs[i]))
			fail_msg("a plain child got handle %p", hs[i]);
	free(out);
	check_spawn_lacks(hs, n);

	for (i = 0; i < n; i++)
		assert_int_equal(ni_set_handle_inheritable(hs[i], true), 0);
	out = wu_run_plain(L"report", &st);
	for (i = 0; i < n; i++)
		assert_int_equal(ni_set_handle_inheritable(hs[i], false), 0);
	for (i = 0; i < n; i++)
		if (!wu_report_has_handle(out, hs[i]))
			fail_msg("control: the child lacks inheritable %p", hs[i]);
	free(out);
}

static inline void
check_handle(HANDLE h)
{
	check_handles(&h, 1);
}

/* The flag of each of fds[0..n), then check_handles on their handles. */
static inline void
check_fds(const int *fds, size_t n)
{
	HANDLE hs[64];
	size_t i;

	assert_true(n <= 64);
	for (i = 0; i < n; i++) {
		assert_true(fds[i] >= 0);
		assert_int_equal(ni_get_inheritable(fds[i]), 0);
		hs[i] = (HANDLE)_get_osfhandle(fds[i]);
	}
	check_handles(hs, n);
}

static inline void
check_fd(int fd)
{
	check_fds(&fd, 1);
}

static inline void
check_socket(SOCKET s)
{
	assert_true(s != NI_INVALID_SOCKET);
	check_handle((HANDLE)s);
}

/* A scratch directory of this test's own, under %TEMP%, as UTF-8. */
static char scratch[MAX_PATH * 3];

static inline const char *
scratch_dir(void)
{
	wchar_t tmp[MAX_PATH], dir[MAX_PATH];

	if (scratch[0] != 0)
		return scratch;
	assert_true(GetTempPathW(MAX_PATH, tmp) > 0);
	swprintf(dir, MAX_PATH, L"%lsni-test-%lu", tmp,
	    (unsigned long)GetCurrentProcessId());
	CreateDirectoryW(dir, NULL);
	assert_true(WideCharToMultiByte(CP_UTF8, 0, dir, -1, scratch,
	    sizeof scratch, NULL, NULL) > 0);
	return scratch;
}

/* scratch_dir()/name, in a static buffer. */
static inline const char *
scratch_path(const char *name)
{
	static char buf[MAX_PATH * 3 + 64];

	snprintf(buf, sizeof buf, "%s\\%s", scratch_dir(), name);
	return buf;
}

#endif /* NI_TEST_WIN_CREATE_H */
