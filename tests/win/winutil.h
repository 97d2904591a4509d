/*
 * winutil.h - what the Windows tests share: running child.exe and reading
 * its report.  Every function fails the test (fail_msg) on a setup error.
 */
#ifndef NI_WINUTIL_H
#define NI_WINUTIL_H

#include <noinherit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <windows.h>

/*
 * Wine 8 fails CreateProcessW now and then with ERROR_INTERNAL_ERROR
 * (1359) while other processes are being started, in this program or in
 * another test run beside it; ni_spawn reports it as EAGAIN.  These retry
 * that one failure (up to 50 times, 20 ms apart, saying so in the test's
 * output); any other failure returns at once.
 */
BOOL wu_create_process(const wchar_t *app, wchar_t *cmd, BOOL inherit,
    DWORD flags, STARTUPINFOW *si, PROCESS_INFORMATION *pi);
int wu_ni_spawn(pid_t *pid, const char *file, char *const argv[],
    char *const envp[], const ni_spawn_opts *o);

/* child.exe's full path, as UTF-16 and as UTF-8 (static storage). */
const wchar_t *wu_child_w(void);
const char *wu_child(void);

/*
 * Runs "child.exe ARGS" with plain CreateProcessW(bInheritHandles=TRUE),
 * no handle list: every inheritable handle of this process goes to it.
 * Its stdout is a pipe; returns all it wrote (free() it), its exit status
 * in *status.
 */
char *wu_run_plain(const wchar_t *args, DWORD *status);
/* The same for any program: "APP ARGS", stderr into the pipe too if asked. */
char *wu_run_capture(const wchar_t *app, const wchar_t *args,
    bool merge_stderr, DWORD *status);

/*
 * Runs child.exe with argv {child, args[0], ..., NULL} by ni_spawn, with
 * new options that map a pipe onto descriptor 1, then setup(o, arg) if
 * setup is not NULL (more mappings, a cwd...).  Returns what the child
 * wrote (free() it) and its exit status in *status.
 */
typedef void (*wu_setup_fn)(ni_spawn_opts *o, void *arg);
char *wu_run_spawn(const char *const args[], wu_setup_fn setup, void *arg,
    DWORD *status);

/* Reads h to its end (EOF, or a broken pipe) into a new NUL-terminated
 * string (free() it). */
char *wu_read_all(HANDLE h);

/* Is handle value h listed as inheritable ("inh 0x...") in report? */
bool wu_report_has_handle(const char *report, HANDLE h);
/* How many inheritable handles report lists. */
int wu_report_inh_count(const char *report);
/* Is CRT descriptor fd listed as open ("fd N ...") in report? */
bool wu_report_has_fd(const char *report, int fd);

/*
 * ni_spawn(file, argv, envp) with a pipe mapped onto descriptor 1, then
 * setup(o, arg) if not NULL; what the child wrote (free() it) and its exit
 * status in *status.  NULL with errno when ni_spawn fails (nothing leaked).
 */
char *wu_spawn_argv(const char *file, char *const argv[], char *const envp[],
    wu_setup_fn setup, void *arg, DWORD *status);

/* From a "child full" report: descriptor fd's handle value, 0 if none. */
uintptr_t wu_report_fd_handle(const char *report, int fd);
/* From a "child full" report: the inheritable handles that belong to no
 * descriptor (what leaked in), -1 for a report without "end". */
int wu_report_strays(const char *report);

/* s as lowercase hex ("-" when empty), in a new string (free() it). */
char *wu_hex(const char *s);
/* The UTF-8 text of a "WORD HEX" line of report, in a new string, or
 * NULL when there is no such line (or it says "unset"). */
char *wu_report_text(const char *report, const char *word);

/*
 * How many handles this process holds: GetProcessHandleCount, or where it
 * answers 0 (Wine 8), a count of the values up to 0x8000 that name one.
 */
DWORD wu_handle_count(void);

#endif /* NI_WINUTIL_H */
