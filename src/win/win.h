/*
 * win.h - internals shared by the Windows files of libnoinherit (src/win/).
 * Nothing here is exported from noinherit.dll; the tests link the static
 * library and reach these through this header.
 */
#ifndef NI_WIN_H
#define NI_WIN_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>
#include <winsock2.h>
#include <windows.h>

#include <noinherit.h>

#include "../spawn_opts.h"

/* errno for a GetLastError() code, as the CRT's own mapping does. */
int ni__win_errno(DWORD err);
/* errno for a WSAGetLastError() code. */
int ni__wsa_errno(int err);
/*
 * UTF-8 to a new UTF-16 string (free() it).  NULL with errno EILSEQ for a
 * string that is not UTF-8, ENOMEM.
 */
wchar_t *ni__win_widen(const char *s);

/* ------------------------------------------------------------------ */
/* ni_spawn (spawn.c, spawnopts.c, cmdline.c, envblock.c, resolve.c,  */
/* handlelist.c)                                                       */
/* ------------------------------------------------------------------ */

/*
 * The child descriptors ni_spawn can map: msvcrt's lowio table (64 * 32),
 * which a child of either runtime reads; the block for them (4 + 2048 * 9
 * bytes) also fits cbReserved2, a WORD, where the UCRT's 8192 would not.
 */
#define NI_WIN_SPAWN_FD_MAX 2048

/* The same first fields as on POSIX (src/spawn_opts.c sets them). */
struct ni_spawn_opts {
	struct spawn_common c;	/* the options of every system */
};

/* What ni_spawn_opts_new starts from, and ni_spawn uses for a NULL one. */
extern const ni_spawn_opts ni__spawn_defaults;

/*
 * A legacy console pseudo handle (Windows 7 and before: the value's two
 * low bits both set).  It reaches a child through the console, never
 * through inheritance, and CreateProcess rejects it in a handle list.
 */
bool ni__win_is_console_pseudo(HANDLE h);

/* What ni__win_check_handle_list found wrong, or NI_HL_OK. */
enum ni_hl_verdict {
	NI_HL_OK,
	NI_HL_EMPTY,		/* no handle: Wine would inherit everything */
	NI_HL_PSEUDO,		/* NULL, INVALID_HANDLE_VALUE, GetCurrent*() */
	NI_HL_CONSOLE,		/* a legacy console pseudo handle */
	NI_HL_BAD_HANDLE,	/* not an open handle of this process */
	NI_HL_NOT_INHERITABLE,	/* HANDLE_FLAG_INHERIT clear */
	NI_HL_DUPLICATE,	/* one handle twice (tag bits ignored) */
	NI_HL_STD_MISSING	/* a std handle of STARTUPINFO not listed */
};

/*
 * Checks a PROC_THREAD_ATTRIBUTE_HANDLE_LIST before CreateProcess sees it,
 * with Windows 10's rules (Wine checks none of them): n handles, each an
 * inheritable real handle, none twice; each of std[0..2] (the STARTUPINFO
 * std handles; NULL or INVALID_HANDLE_VALUE for none) that is not a
 * console pseudo handle among them.  Returns the first problem found.
 */
enum ni_hl_verdict ni__win_check_handle_list(const HANDLE *list, size_t n,
    const HANDLE std[3]);

/*
 * The command line that the Microsoft C runtime splits back into argv
 * (UTF-8): a new string (free() it), or NULL with errno EINVAL (argv[0]
 * holds a '"', which a program name cannot carry), EILSEQ (not UTF-8),
 * E2BIG (32767 UTF-16 units or more), ENOMEM.
 */
wchar_t *ni__win_cmdline(char *const argv[]);

/*
 * envp ("NAME=value", UTF-8) as a CREATE_UNICODE_ENVIRONMENT block (free()
 * it), or NULL with errno EINVAL (an entry without '=' after its first
 * character), EILSEQ, ENOMEM.
 */
wchar_t *ni__win_envblock(char *const envp[]);

/*
 * The program ni_spawn starts for file (a new string, free() it), or NULL
 * with errno: ENOENT, EACCES (a directory), ENOEXEC (a .bat or .cmd),
 * EILSEQ, ENOMEM.  See resolve.c for the rules; cwd (may be NULL) is the
 * child's working directory, against which relative paths are taken.
 */
wchar_t *ni__win_resolve(const char *file, bool search, char *const envp[],
    const wchar_t *cwd);

/* A variable of envp (case-insensitive name), else of this process when
 * envp is NULL: a new UTF-16 string (free() it), or NULL (unset, ENOMEM,
 * EILSEQ: errno says which; 0 for unset). */
wchar_t *ni__win_getenv(char *const envp[], const char *name);

#endif /* NI_WIN_H */
