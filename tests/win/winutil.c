/*
 * winutil.c - running child.exe and reading its report (winutil.h).
 */
#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "winutil.h"

static wchar_t child_w[MAX_PATH];
static char child_u[3 * MAX_PATH];

const wchar_t *
wu_child_w(void)
{
	if (child_w[0] == 0) {
		DWORD n = GetModuleFileNameW(NULL, child_w, MAX_PATH);
		if (n == 0 || n >= MAX_PATH)
			fail_msg("GetModuleFileNameW: %lu", GetLastError());
		wchar_t *slash = wcsrchr(child_w, L'\\');
		if (slash == NULL || (size_t)(slash + 11 - child_w) >= MAX_PATH)
			fail_msg("unexpected module path");
		wcscpy(slash + 1, L"child.exe");
	}
	return child_w;
}

const char *
wu_child(void)
{
	if (child_u[0] == 0 && WideCharToMultiByte(CP_UTF8, 0, wu_child_w(), -1,
	    child_u, sizeof child_u, NULL, NULL) == 0)
		fail_msg("WideCharToMultiByte: %lu", GetLastError());
	return child_u;
}

/* Reads h to EOF (ERROR_BROKEN_PIPE) into a new NUL-terminated string. */
static char *
read_all(HANDLE h)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		DWORD got;
		if (cap - len < 1024) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		if (!ReadFile(h, buf + len, (DWORD)(cap - len - 1), &got, NULL) ||
		    got == 0)
			break;
		len += got;
	}
	buf[len] = 0;
	return buf;
}

char *
wu_run_plain(const wchar_t *args, DWORD *status)
{
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE rd, wr;
	if (!CreatePipe(&rd, &wr, &sa, 0))
		fail_msg("CreatePipe: %lu", GetLastError());
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);

	size_t n = wcslen(wu_child_w()) + wcslen(args) + 4;
	wchar_t *cmd = malloc(n * sizeof *cmd);
	assert_non_null(cmd);
	swprintf(cmd, n, L"\"%ls\" %ls", wu_child_w(), args);

	STARTUPINFOW si = { .cb = sizeof si };
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = wr;
	si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
	PROCESS_INFORMATION pi;
	if (!CreateProcessW(wu_child_w(), cmd, NULL, NULL, TRUE, 0, NULL, NULL,
	    &si, &pi))
		fail_msg("CreateProcessW: %lu", GetLastError());
	free(cmd);
	CloseHandle(wr);
	char *out = read_all(rd);
	CloseHandle(rd);
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, status);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return out;
}

char *
wu_run_spawn(const char *const args[], wu_setup_fn setup, void *arg,
    DWORD *status)
{
	const char *argv[64];
	size_t n = 0;
	argv[n++] = wu_child();
	while (args[n - 1] != NULL && n < 63) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;

	int p[2];
	if (ni_pipe(p) != 0)
		fail_msg("ni_pipe: %s", strerror(errno));
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_non_null(o);
	assert_int_equal(ni_spawn_opts_map_fd(o, p[1], 1), 0);
	if (setup != NULL)
		setup(o, arg);
	pid_t pid;
	if (ni_spawn(&pid, wu_child(), (char *const *)argv, NULL, o) != 0)
		fail_msg("ni_spawn: %s", strerror(errno));
	ni_spawn_opts_free(o);
	_close(p[1]);
	char *out = read_all((HANDLE)_get_osfhandle(p[0]));
	_close(p[0]);
	HANDLE proc = (HANDLE)(intptr_t)pid;
	WaitForSingleObject(proc, INFINITE);
	GetExitCodeProcess(proc, status);
	CloseHandle(proc);
	return out;
}

bool
wu_report_has_handle(const char *report, HANDLE h)
{
	char needle[40];
	snprintf(needle, sizeof needle, "inh 0x%llx ",
	    (unsigned long long)(uintptr_t)h);
	for (const char *p = report; (p = strstr(p, needle)) != NULL; p++)
		if (p == report || p[-1] == '\n')
			return true;
	return false;
}

int
wu_report_inh_count(const char *report)
{
	int n = 0;
	for (const char *p = report; p != NULL && *p; ) {
		if (strncmp(p, "inh ", 4) == 0)
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

bool
wu_report_has_fd(const char *report, int fd)
{
	char needle[24];
	snprintf(needle, sizeof needle, "fd %d ", fd);
	for (const char *p = report; (p = strstr(p, needle)) != NULL; p++)
		if (p == report || p[-1] == '\n')
			return true;
	return false;
}

DWORD
wu_handle_count(void)
{
	DWORD n = 0;
	if (!GetProcessHandleCount(GetCurrentProcess(), &n))
		fail_msg("GetProcessHandleCount: %lu", GetLastError());
	return n;
}
