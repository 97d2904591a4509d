/*
 * Two threads spawning at once never hand each other's handles to their
 * children (libuv #1490: with plain bInheritHandles=TRUE, a handle made
 * inheritable by one thread for its child leaks into whatever child
 * another thread starts meanwhile).
 *
 * Each ni_spawn thread makes a fresh pipe per iteration and maps it onto
 * the child's descriptor 3; its child ("child full") lists its descriptors
 * and its inheritable handles, and any inheritable handle that is none of
 * its descriptors came from elsewhere: a leak.  A third thread does what
 * naive code does (an inheritable pipe and event, CreateProcessW with
 * bInheritHandles TRUE and no list): its children do receive the other
 * threads' handles, which shows the check can see a leak.
 *
 * The workers report through their structs, not cmocka (whose failures
 * longjmp, valid only on the main thread).
 */
#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "winutil.h"

#define SPAWNS_PER_THREAD 1000
#define NAIVE_SPAWNS 200
/* The children scan handle values below this (cheaper than 0x20000);
 * every handle this test passes must be below it, which is checked. */
#define SCAN_LIMIT 0x1000

struct worker {
	int done;		/* iterations completed */
	int failures;		/* ni_spawn threads: must stay 0 */
	int leaks;		/* naive thread: children that got more */
	int baseline;		/* naive: strays of a child spawned alone */
	int again;		/* spawns retried: Wine's transient failures */
	char msg[512];		/* the first failure */
	volatile LONG *stop;
};

static void
failed(struct worker *w, const char *what, const char *detail)
{
	if (w->failures++ == 0)
		snprintf(w->msg, sizeof w->msg, "%s: %s", what, detail);
}

/* All of h until EOF, in a new string (NULL: no memory). */
static char *
slurp(HANDLE h)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *n;
	DWORD got;

	while (buf != NULL) {
		if (cap - len < 1024) {
			n = realloc(buf, cap *= 2);
			if (n == NULL)
				free(buf);
			buf = n;
			continue;
		}
		if (!ReadFile(h, buf + len, (DWORD)(cap - len - 1), &got, NULL) ||
		    got == 0)
			break;
		len += got;
	}
	if (buf != NULL)
		buf[len] = 0;
	return buf;
}

static char child_argv_limit[16];

/* One ni_spawn with a fresh pipe on 3; the report, or NULL + msg. */
static char *
one_ni_spawn(struct worker *w)
{
	int out[2], extra[2];
	char *argv[] = { (char *)wu_child(), "full", child_argv_limit, NULL };
	char *report = NULL;
	bool started = false;
	pid_t pid;

	if (ni_pipe(out) != 0 || ni_pipe(extra) != 0) {
		failed(w, "ni_pipe", strerror(errno));
		return NULL;
	}
	ni_spawn_opts *o = ni_spawn_opts_new();
	if (o == NULL || ni_spawn_opts_map_fd(o, out[1], 1) != 0 ||
	    ni_spawn_opts_map_fd(o, extra[0], 3) != 0)
		failed(w, "options", strerror(errno));
	else if (ni_spawn(&pid, wu_child(), argv, NULL, o) != 0) {
		if (errno == EAGAIN)
			w->again++;	/* see create_errno() in spawn.c */
		else
			failed(w, "ni_spawn", strerror(errno));
	}
	else
		started = true;
	ni_spawn_opts_free(o);
	_close(out[1]);
	_close(extra[1]);
	if (started) {
		report = slurp((HANDLE)_get_osfhandle(out[0]));
		WaitForSingleObject((HANDLE)(intptr_t)pid, INFINITE);
		CloseHandle((HANDLE)(intptr_t)pid);
	}
	_close(out[0]);
	_close(extra[0]);
	return report;
}

static DWORD WINAPI
ni_spawn_thread(void *arg)
{
	struct worker *w = arg;

	while (w->done < SPAWNS_PER_THREAD && !*w->stop) {
		int again = w->again;
		char *r = one_ni_spawn(w);
		if (r == NULL && w->again > again && w->again < 20)
			continue;
		if (r == NULL) {
			failed(w, "no report", "spawn failed");
			break;
		}
		int strays = wu_report_strays(r);
		if (strays != 0)
			failed(w, strays < 0 ? "no report" : "leaked into child", r);
		else if (wu_report_fd_handle(r, 3) == 0)
			failed(w, "no descriptor 3", r);
		else if (wu_report_fd_handle(r, 3) >= SCAN_LIMIT)
			failed(w, "SCAN_LIMIT too low", r);
		free(r);
		w->done++;
		if (w->failures > 0)
			InterlockedExchange(w->stop, 1);
	}
	return 0;
}

/* What naive code does: its own inheritable handles, no list.  NULL
 * with *again set for Wine's transient ERROR_INTERNAL_ERROR. */
static char *
one_naive_spawn(int *again)
{
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE rd, wr, ev = CreateEventW(&sa, FALSE, FALSE, NULL);
	STARTUPINFOW si = { .cb = sizeof si };
	PROCESS_INFORMATION pi;
	wchar_t cmd[MAX_PATH + 32];
	char *report = NULL;

	if (ev == NULL || !CreatePipe(&rd, &wr, &sa, 0))
		return NULL;
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
	swprintf(cmd, MAX_PATH + 32, L"\"%ls\" full %hs", wu_child_w(),
	    child_argv_limit);
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdOutput = wr;
	if (CreateProcessW(wu_child_w(), cmd, NULL, NULL, TRUE, 0, NULL, NULL,
	    &si, &pi)) {
		CloseHandle(wr);
		wr = NULL;
		report = slurp(rd);
		WaitForSingleObject(pi.hProcess, INFINITE);
		CloseHandle(pi.hProcess);
		CloseHandle(pi.hThread);
	} else if (GetLastError() == ERROR_INTERNAL_ERROR) {
		++*again;
	}
	if (wr != NULL)
		CloseHandle(wr);
	CloseHandle(rd);
	CloseHandle(ev);
	return report;
}

static DWORD WINAPI
naive_thread(void *arg)
{
	struct worker *w = arg;

	while (w->done < NAIVE_SPAWNS && !*w->stop) {
		int again = w->again;
		char *r = one_naive_spawn(&w->again);
		if (r == NULL && w->again > again && w->again < 20)
			continue;
		if (r == NULL) {
			failed(w, "naive spawn", "CreateProcessW");
			break;
		}
		w->leaks += wu_report_strays(r) > w->baseline;
		free(r);
		w->done++;
	}
	return 0;
}

static void
no_cross_leak(void **state)
{
	(void)state;
	volatile LONG stop = 0;
	struct worker w[3] = { { .stop = &stop }, { .stop = &stop },
	    { .stop = &stop } };
	HANDLE t[3];

	snprintf(child_argv_limit, sizeof child_argv_limit, "%x", SCAN_LIMIT);
	(void)wu_child();	/* its lazy buffer, filled before the threads */
	/* The naive child's strays when alone: its event, and whatever this
	 * process holds inheritable anyway. */
	int again = 0;
	char *r = one_naive_spawn(&again);
	assert_non_null(r);
	w[2].baseline = wu_report_strays(r);
	assert_true(w[2].baseline >= 1);
	free(r);

	DWORD before = wu_handle_count(), start = GetTickCount();
	t[0] = CreateThread(NULL, 0, ni_spawn_thread, &w[0], 0, NULL);
	t[1] = CreateThread(NULL, 0, ni_spawn_thread, &w[1], 0, NULL);
	t[2] = CreateThread(NULL, 0, naive_thread, &w[2], 0, NULL);
	for (int i = 0; i < 3; i++) {
		assert_non_null(t[i]);
		WaitForSingleObject(t[i], INFINITE);
		CloseHandle(t[i]);
	}
	print_message("%d + %d ni_spawn children, none leaked into; %d of %d "
	    "naive children got another thread's handle; %lu ms; retried "
	    "after ERROR_INTERNAL_ERROR: %d + %d ni_spawn, %d naive\n",
	    w[0].done, w[1].done, w[2].leaks, w[2].done,
	    GetTickCount() - start, w[0].again, w[1].again, w[2].again);
	for (int i = 0; i < 2; i++)
		if (w[i].failures != 0)
			fail_msg("thread %d, %d failures, first: %s", i,
			    w[i].failures, w[i].msg);
	assert_int_equal(w[2].failures, 0);
	assert_int_equal(w[0].done + w[1].done, 2 * SPAWNS_PER_THREAD);
	assert_true(w[2].leaks > 0);	/* the control: naive code leaks */
	assert_int_equal(wu_handle_count(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_cross_leak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
