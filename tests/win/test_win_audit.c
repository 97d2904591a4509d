/*
 * noinherit.exe audit, observed from outside: children holding known
 * handles, and the tool's output and exit status about them.
 */
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include "winutil.h"

/* The tool's path, from this program's directory. */
static const wchar_t *
tool(void)
{
	static wchar_t path[MAX_PATH * 2];
	if (path[0] == 0) {
		wcscpy(path, wu_child_w());
		wcscpy(wcsrchr(path, L'\\') + 1, NI_TOOL_REL);
	}
	return path;
}

/* "noinherit.exe ARGS", stdout and stderr into one pipe: its output and
 * exit status. */
static char *
run_tool(const wchar_t *args, DWORD *status)
{
	return wu_run_capture(tool(), args, true, status);
}

/* "noinherit.exe audit OPTS -p PID", its output shown in the test's log. */
static char *
audit_pid(const wchar_t *opts, DWORD pid, DWORD *status)
{
	wchar_t args[96];
	swprintf(args, 96, L"audit %ls -p %lu", opts, pid);
	char *out = run_tool(args, status);
	print_message("%s", out);
	return out;
}

/* A child.exe "hold" started with every inheritable handle of ours; it
 * lives until *stdin_w is closed. */
static PROCESS_INFORMATION
start_holder(HANDLE *stdin_w, BOOL inherit)
{
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE rd;
	assert_true(CreatePipe(&rd, stdin_w, &sa, 0));
	SetHandleInformation(*stdin_w, HANDLE_FLAG_INHERIT, 0);
	wchar_t cmd[MAX_PATH * 2 + 16];
	swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" hold", wu_child_w());
	STARTUPINFOW si = { .cb = sizeof si };
	if (inherit) {
		si.dwFlags = STARTF_USESTDHANDLES;
		si.hStdInput = rd;
	}
	PROCESS_INFORMATION pi;
	if (!wu_create_process(wu_child_w(), cmd, inherit, 0, &si, &pi))
		fail_msg("CreateProcessW(child): %lu", GetLastError());
	CloseHandle(rd);
	CloseHandle(pi.hThread);
	return pi;
}

static void
stop_holder(PROCESS_INFORMATION *pi, HANDLE stdin_w)
{
	CloseHandle(stdin_w);
	if (WaitForSingleObject(pi->hProcess, 10000) != WAIT_OBJECT_0)
		TerminateProcess(pi->hProcess, 1);
	CloseHandle(pi->hProcess);
}

/* The leak a plain CreateProcess(TRUE) makes is found, named and typed. */
static void
finds_leaked_pipe_and_event(void **state)
{
	(void)state;
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE pr, pw;
	assert_true(CreatePipe(&pr, &pw, &sa, 0));
	HANDLE ev = CreateEventW(&sa, TRUE, FALSE, L"ni-audit-test-event");
	assert_non_null(ev);
	HANDLE hold_w;
	PROCESS_INFORMATION pi = start_holder(&hold_w, TRUE);

	DWORD st;
	char *out = audit_pid(L"", pi.dwProcessId, &st);
	assert_int_equal(st, 1);
	char want[64];
	snprintf(want, sizeof want, "%10llx  File", (unsigned long long)(uintptr_t)pr);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof want, "%10llx  File", (unsigned long long)(uintptr_t)pw);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "ni-audit-test-event"));
	assert_non_null(strstr(out, "pipe"));
	free(out);

	out = audit_pid(L"--json", pi.dwProcessId, &st);
	assert_int_equal(st, 1);
	snprintf(want, sizeof want, "{\"handle\":%llu,\"type\":\"File\",\"kind\":\"pipe\"",
	    (unsigned long long)(uintptr_t)pr);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof want, "{\"pid\":%lu,", pi.dwProcessId);
	assert_ptr_equal(strstr(out, want), out);
	assert_non_null(strstr(out, "\"error\":null}\n"));
	free(out);

	stop_holder(&pi, hold_w);
	CloseHandle(pr);
	CloseHandle(pw);
	CloseHandle(ev);
}

/* The child's stdin is one of its std handles: not counted unless --std. */
static void
std_handles_apart(void **state)
{
	(void)state;
	HANDLE hold_w;
	PROCESS_INFORMATION pi = start_holder(&hold_w, TRUE);
	DWORD st, st_std;
	char *plain = audit_pid(L"--json", pi.dwProcessId, &st);
	char *with_std = audit_pid(L"--json --std", pi.dwProcessId, &st_std);
	assert_null(strstr(plain, "\"std\":true"));
	assert_non_null(strstr(with_std, "\"std\":true"));
	assert_int_equal(st_std, 1);
	free(plain);
	free(with_std);
	stop_holder(&pi, hold_w);
}

/* A child started without inheritance has nothing to report: status 0. */
static void
clean_child(void **state)
{
	(void)state;
	HANDLE hold_w;
	PROCESS_INFORMATION pi = start_holder(&hold_w, FALSE);
	DWORD st;
	char *out = audit_pid(L"", pi.dwProcessId, &st);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, ": 0 handles would leak into a child\n"));
	free(out);
	/* The holder waits on a stdin it does not have: end it. */
	TerminateProcess(pi.hProcess, 0);
	stop_holder(&pi, hold_w);
}

/* Without -p: what this command itself inherited, its caller's leak. */
static void
self_audit_names_callers_leak(void **state)
{
	(void)state;
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE ev = CreateEventW(&sa, TRUE, FALSE, L"ni-audit-self-event");
	assert_non_null(ev);
	DWORD st;
	char *out = run_tool(L"audit", &st);
	print_message("%s", out);
	assert_int_equal(st, 1);
	assert_non_null(strstr(out, "this command inherited"));
	assert_non_null(strstr(out, "ni-audit-self-event"));
	free(out);
	CloseHandle(ev);
}

/* Usage and access errors: one line on stderr, status 2. */
static void
errors_exit_2(void **state)
{
	(void)state;
	static const struct {
		const wchar_t *args;
		const char *msg;
	} cases[] = {
		{ L"audit -p 4000000000", "no such process" },
		{ L"audit -p abc", "bad argument 'abc'" },
		{ L"audit -p", "-p needs a process id" },
		{ L"frobnicate", "unknown command" },
		{ L"", "usage:" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		DWORD st;
		char *out = run_tool(cases[i].args, &st);
		if (st != 2 || strstr(out, cases[i].msg) == NULL)
			fail_msg("'%ls': status %lu, output: %s", cases[i].args,
			    st, out);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_leaked_pipe_and_event),
		cmocka_unit_test(std_handles_apart),
		cmocka_unit_test(clean_child),
		cmocka_unit_test(self_audit_names_callers_leak),
		cmocka_unit_test(errors_exit_2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
