/*
 * winutil.c - running child.exe and reading its report (winutil.h).
 */
#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MC_EXTERN_STATE	/* fail_msg here ends the calling test */
#include <cmocka.h>

#include "winutil.h"

BOOL
wu_create_process(const wchar_t *app, wchar_t *cmd, BOOL inherit,
    DWORD flags, STARTUPINFOW *si, PROCESS_INFORMATION *pi)
{
	for (int i = 0;; i++) {
		if (CreateProcessW(app, cmd, NULL, NULL, inherit, flags, NULL,
		    NULL, si, pi))
			return TRUE;
		if (GetLastError() != ERROR_INTERNAL_ERROR || i == 50)
			return FALSE;
		print_message("CreateProcessW: ERROR_INTERNAL_ERROR, retried\n");
		Sleep(20);
	}
}

int
wu_ni_spawn(pid_t *pid, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o)
{
	for (int i = 0;; i++) {
		int r = ni_spawn(pid, file, argv, envp, o);
		if (r == 0 || errno != EAGAIN || i == 50)
			return r;
		print_message("ni_spawn: EAGAIN, retried\n");
		Sleep(20);
	}
}

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

char *
wu_read_all(HANDLE h)
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
wu_run_capture(const wchar_t *app, const wchar_t *args, bool merge_stderr,
    DWORD *status)
{
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE rd, wr;
	if (!CreatePipe(&rd, &wr, &sa, 0))
		fail_msg("CreatePipe: %lu", GetLastError());
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);

	size_t n = wcslen(app) + wcslen(args) + 4;
	wchar_t *cmd = malloc(n * sizeof *cmd);
	assert_non_null(cmd);
	swprintf(cmd, n, L"\"%ls\" %ls", app, args);

	STARTUPINFOW si = { .cb = sizeof si };
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
	si.hStdOutput = wr;
	si.hStdError = merge_stderr ? wr : GetStdHandle(STD_ERROR_HANDLE);
	PROCESS_INFORMATION pi;
	if (!wu_create_process(app, cmd, TRUE, 0, &si, &pi))
		fail_msg("CreateProcessW(%ls): %lu", app, GetLastError());
	free(cmd);
	CloseHandle(wr);
	char *out = wu_read_all(rd);
	CloseHandle(rd);
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, status);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return out;
}

char *
wu_run_plain(const wchar_t *args, DWORD *status)
{
	return wu_run_capture(wu_child_w(), args, false, status);
}

char *
wu_spawn_argv(const char *file, char *const argv[], char *const envp[],
    wu_setup_fn setup, void *arg, DWORD *status)
{
	int p[2];
	if (ni_pipe(p) != 0)
		fail_msg("ni_pipe: %s", strerror(errno));
	ni_spawn_opts *o = ni_spawn_opts_new();
	assert_non_null(o);
	assert_int_equal(ni_spawn_opts_map_fd(o, p[1], 1), 0);
	if (setup != NULL)
		setup(o, arg);
	pid_t pid;
	int r = wu_ni_spawn(&pid, file, argv, envp, o);
	int err = errno;
	ni_spawn_opts_free(o);
	_close(p[1]);
	if (r != 0) {
		_close(p[0]);
		errno = err;
		return NULL;
	}
	char *out = wu_read_all((HANDLE)_get_osfhandle(p[0]));
	_close(p[0]);
	HANDLE proc = (HANDLE)(intptr_t)pid;
	WaitForSingleObject(proc, INFINITE);
	GetExitCodeProcess(proc, status);
	CloseHandle(proc);
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
	char *out = wu_spawn_argv(wu_child(), (char *const *)argv, NULL, setup,
	    arg, status);
	if (out == NULL)
		fail_msg("ni_spawn: %s", strerror(errno));
	return out;
}

/* The line of report starting with prefix, or NULL. */
static const char *
find_line(const char *report, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = report; p != NULL && *p; ) {
		if (strncmp(p, prefix, n) == 0)
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

uintptr_t
wu_report_fd_handle(const char *report, int fd)
{
	char prefix[24];
	snprintf(prefix, sizeof prefix, "fd %d ", fd);
	const char *p = find_line(report, prefix);
	const char *v = p ? strstr(p, " 0x") : NULL;
	const char *nl = p ? strchr(p, '\n') : NULL;
	if (v == NULL || (nl != NULL && v > nl))
		return 0;
	return (uintptr_t)strtoull(v + 3, NULL, 16);
}

int
wu_report_strays(const char *report)
{
	uintptr_t fdh[64];
	int nfd = 0, strays = 0;
	if (find_line(report, "end") == NULL)
		return -1;
	for (int fd = 0; fd < 64; fd++) {
		uintptr_t h = wu_report_fd_handle(report, fd);
		if (h != 0)
			fdh[nfd++] = h;
	}
	for (const char *p = report; (p = find_line(p, "inh ")) != NULL; p++) {
		uintptr_t v = (uintptr_t)strtoull(p + 6, NULL, 16);
		bool found = false;
		for (int i = 0; i < nfd; i++)
			found |= fdh[i] == v;
		strays += !found;
	}
	return strays;
}

char *
wu_hex(const char *s)
{
	size_t n = strlen(s);
	char *h = malloc(2 * n + 2);
	assert_non_null(h);
	strcpy(h, "-");
	for (size_t i = 0; i < n; i++)
		sprintf(h + 2 * i, "%02x", (unsigned char)s[i]);
	return h;
}

char *
wu_report_text(const char *report, const char *word)
{
	char prefix[32];
	snprintf(prefix, sizeof prefix, "%s ", word);
	const char *p = find_line(report, prefix);
	if (p == NULL)
		return NULL;
	p += strlen(prefix);
	if (strncmp(p, "unset", 5) == 0)
		return NULL;
	size_t n = strcspn(p, "\n");
	char *t = malloc(n / 2 + 1), *d = t;
	assert_non_null(t);
	for (size_t i = 0; i + 2 <= n && p[i] != '-'; i += 2) {
		unsigned v;
		sscanf(p + i, "%2x", &v);
		*d++ = (char)v;
	}
	*d = 0;
	return t;
}

bool
wu_report_has_handle(const char *report, HANDLE h)
{
	char needle[40];
	/* child.exe's report scans below 0x8000: above, "absent" means nothing. */
	if ((uintptr_t)h >= 0x8000)
		fail_msg("handle 0x%llx is beyond child.exe's scan",
		    (unsigned long long)(uintptr_t)h);
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
	DWORD n = 0, flags;
	if (!GetProcessHandleCount(GetCurrentProcess(), &n))
		fail_msg("GetProcessHandleCount: %lu", GetLastError());
	if (n != 0)
		return n;
	/* Wine 8 answers 0: count the values that name a handle instead. */
	for (uintptr_t v = 4; v < 0x8000; v += 4)
		if (GetHandleInformation((HANDLE)v, &flags))
			n++;
	return n;
}
