/*
 * wincreate.h - what the Windows creators (inheritable.c, create*.c,
 * socket*.c, features.c) share.  Nothing here is exported from
 * noinherit.dll (only NI_API symbols are); the tests link the static
 * library and reach the test hook below through this header.
 */
#ifndef NI_WINCREATE_H
#define NI_WINCREATE_H

#include <stdbool.h>

#include "win.h"

/*
 * The C runtime validates descriptors and, on a bad one, calls its
 * invalid-parameter handler before failing with EBADF.  msvcrt.dll's
 * default handler only returns (at most an OutputDebugString), but the
 * UCRT's ends the process (0xC0000409).  Every CRT call here that takes a
 * caller's descriptor goes between NI_IPH_BEGIN and NI_IPH_END, which under
 * the UCRT install a do-nothing handler for this thread only (never the
 * process-wide one, which belongs to the program).  msvcrt.dll has no
 * per-thread handler: there the pair is empty.
 */
#ifdef _UCRT
#include <stdlib.h>
_invalid_parameter_handler __cdecl
    _set_thread_local_invalid_parameter_handler(_invalid_parameter_handler);
void ni__win_iph_quiet(const wchar_t *, const wchar_t *, const wchar_t *,
    unsigned int, uintptr_t);
#define NI_IPH_BEGIN { _invalid_parameter_handler ni_iph_old_ = \
	_set_thread_local_invalid_parameter_handler(ni__win_iph_quiet);
#define NI_IPH_END _set_thread_local_invalid_parameter_handler(ni_iph_old_); }
/* The UCRT's descriptor table: 128 arrays of 64. */
#define NI_WIN_FD_MAX 8192
#else
#define NI_IPH_BEGIN {
#define NI_IPH_END }
/* msvcrt.dll's descriptor table (_NHANDLE_): 64 arrays of 32. */
#define NI_WIN_FD_MAX 2048
#endif

/*
 * The OS handle behind CRT descriptor fd, or INVALID_HANDLE_VALUE with
 * errno EBADF (fd negative, beyond the CRT's table, or not open).
 */
HANDLE ni__win_fd_handle(int fd);

/* Clears HANDLE_FLAG_INHERIT: 0, or -1 with errno. */
int ni__win_handle_noinherit(HANDLE h);

/* Closes fd, or socket s, keeping errno and the last error as they were. */
void ni__win_close_keep_errno(int fd);
void ni__win_closesocket_keep_errno(SOCKET s);

/* WSAStartup, once per process, never undone: 0, or -1 with errno. */
int ni__wsa_init(void);

/*
 * Whether WSASocketW honours WSA_FLAG_NO_HANDLE_INHERIT (Windows 7 SP1 and
 * later): learnt by the first ni_socket, then cached.
 */
enum {
	NI__PROBE_UNKNOWN = 0,
	NI__PROBE_YES = 1,
	NI__PROBE_NO = 2,
};
int ni__win_sock_probe(void);

/*
 * Test hook: sets the cached answer, so that a test can make the library
 * believe the flag was refused (NI__PROBE_NO) and run the fallback on a
 * system that has the flag, then restore NI__PROBE_UNKNOWN.
 */
void ni__win_sock_probe_force(int state);

/*
 * Test hook: when set, ni_socketpair calls it with the listener's address
 * once it listens, before its own client connects, so that a test can
 * play another program connecting first.
 */
extern void (*ni__win_socketpair_listening)(const struct sockaddr *, int);

#endif /* NI_WINCREATE_H */
